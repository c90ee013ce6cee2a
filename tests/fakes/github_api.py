"""A GitHub REST double for `github setup`: environments, branch policies, rulesets, users and teams."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

TOKEN = "ghp_CanaryToken0123456789abcdefABCDEF0123"  # fake, for the leak checks  # pragma: allowlist secret


@dataclass
class FakeGitHub:
    """Just enough state for environments, deployment branch policies, rulesets, users and teams."""

    prefix: str = ""
    users: dict[str, int] = field(default_factory=lambda: {"alice": 101, "bob": 102})
    teams: dict[tuple[str, str], int] = field(default_factory=lambda: {("acme", "sre"): 201})
    envs: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rulesets: list[dict[str, Any]] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)
    fail: dict[tuple[str, str], int] = field(default_factory=dict)

    def handle(self, request: Request) -> Response:
        path = request.path.removeprefix(self.prefix)
        self.log.append((request.method, path))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.json(401, {"message": "Bad credentials"})
        if request.headers.get("X-GitHub-Api-Version") != "2022-11-28":
            return self.json(400, {"message": "missing API version"})
        if (request.method, path) in self.fail:
            return self.json(self.fail[request.method, path], {"message": "Resource not accessible by integration"})
        body = request.get_json(silent=True)
        if m := re.fullmatch(r"/users/([^/]+)", path):
            uid = self.users.get(m[1])
            return self.json(200, {"login": m[1], "id": uid}) if uid else self.json(404, {"message": "Not Found"})
        if m := re.fullmatch(r"/orgs/([^/]+)/teams/([^/]+)", path):
            tid = self.teams.get((m[1], m[2]))
            return self.json(200, {"slug": m[2], "id": tid}) if tid else self.json(404, {"message": "Not Found"})
        if m := re.fullmatch(r"/repos/acme/shop/environments/([^/]+)", path):
            if request.method == "GET":
                env = self.envs.get(m[1])
                return self.json(200, {"name": m[1], **env}) if env else self.json(404, {"message": "Not Found"})
            if request.method == "PUT":
                assert isinstance(body, dict)
                self.envs[m[1]] = body
                return self.json(200, {"name": m[1], **body})
        if m := re.fullmatch(r"/repos/acme/shop/environments/([^/]+)/deployment-branch-policies", path):
            items = self.policies.setdefault(m[1], [])
            if request.method == "GET":
                return self.json(200, {"total_count": len(items), "branch_policies": items})
            if request.method == "POST":
                assert isinstance(body, dict)
                items.append({"id": len(items) + 1, **body})
                return self.json(200, items[-1])
        if path.startswith("/repos/acme/shop/rulesets") and request.method in ("POST", "PUT"):
            problem = self.ruleset_problem(body)
            if problem:
                return self.json(422, {"message": f"Invalid request: {problem}"})
        if path == "/repos/acme/shop/rulesets":
            if request.method == "GET":
                return self.json(200, [{"id": r["id"], "name": r["name"]} for r in self.rulesets])
            if request.method == "POST":
                assert isinstance(body, dict)
                self.rulesets.append({"id": 900 + len(self.rulesets), **body})
                return self.json(201, self.rulesets[-1])
        if m := re.fullmatch(r"/repos/acme/shop/rulesets/(\d+)", path):
            if request.method == "PUT":
                for i, r in enumerate(self.rulesets):
                    if r["id"] == int(m[1]):
                        assert isinstance(body, dict)
                        self.rulesets[i] = {"id": r["id"], **body}
                        return self.json(200, self.rulesets[i])
        return self.json(404, {"message": "Not Found"})

    @staticmethod
    def ruleset_problem(body: Any) -> str:
        """GitHub's schema for required_status_checks: context a string, integration_id an integer if given."""
        for rule in body.get("rules", []) if isinstance(body, dict) else []:
            for check in rule.get("parameters", {}).get("required_status_checks", []):
                if not isinstance(check.get("context"), str) or set(check) - {"context", "integration_id"}:
                    return "required_status_checks items are {context, integration_id}"
                if "integration_id" in check and not isinstance(check["integration_id"], int):
                    return "integration_id must be an integer"
        return ""

    @staticmethod
    def json(status: int, data: Any) -> Response:
        return Response(json.dumps(data), status=status, content_type="application/json")
