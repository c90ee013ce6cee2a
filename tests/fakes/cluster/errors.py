"""API errors rendered as the `Status` bodies the real API server returns."""

from __future__ import annotations

from typing import Any

from .resources import Resource

_REASONS = {
    400: "BadRequest", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed", 409: "Conflict",
    410: "Expired", 415: "UnsupportedMediaType", 422: "Invalid", 429: "TooManyRequests",
    500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout",
}


class ApiError(Exception):
    def __init__(
        self, code: int, message: str, reason: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or _REASONS.get(code, "Unknown")
        self.details = details

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": self.message, "reason": self.reason,
        }
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _details(res: Resource, name: str, kind: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"name": name}
    if res.group:
        d["group"] = res.group
    d["kind"] = kind or res.plural
    return d


def not_found(res: Resource, name: str) -> ApiError:
    return ApiError(404, f'{res.qualified} "{name}" not found', "NotFound", _details(res, name))


def already_exists(res: Resource, name: str) -> ApiError:
    return ApiError(409, f'{res.qualified} "{name}" already exists', "AlreadyExists", _details(res, name))


def conflict(res: Resource, name: str, why: str | None = None) -> ApiError:
    why = why or "the object has been modified; please apply your changes to the latest version and try again"
    return ApiError(
        409, f'Operation cannot be fulfilled on {res.qualified} "{name}": {why}', "Conflict", _details(res, name)
    )


def invalid(res: Resource, name: str, causes: list[tuple[str, str]]) -> ApiError:
    """causes: (field, message-after-field) pairs, e.g. ("spec.selector", "Required value")."""
    kind = f"{res.kind}.{res.group}" if res.group else res.kind
    text = ", ".join(f"{f}: {m}" for f, m in causes)
    if len(causes) > 1:
        text = "[" + text + "]"
    details = _details(res, name, res.kind)
    details["causes"] = [
        {"reason": _cause_reason(m), "message": m, "field": f} for f, m in causes
    ]
    return ApiError(422, f'{kind} "{name}" is invalid: {text}', "Invalid", details)


def _cause_reason(message: str) -> str:
    if message.startswith("Required value"):
        return "FieldValueRequired"
    if message.startswith("Unsupported value"):
        return "FieldValueNotSupported"
    if message.startswith("Forbidden"):
        return "FieldValueForbidden"
    return "FieldValueInvalid"


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, "BadRequest")
