# Test cases for code-ideogram-unhandled-errors (Python).
import os
from http import HTTPStatus

import httpx
import requests

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
BASE = "https://api.ideogram.ai"
HEADERS = {"Api-Key": os.environ["IDEOGRAM_API_KEY"]}


def no_check(prompt):
    # ruleid: code-ideogram-unhandled-errors-py
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
    return r.json()["data"][0]["url"]


def raise_for_status_only(prompt):
    # ruleid: code-ideogram-unhandled-errors-py
    r = requests.post(f"{BASE}/generate", headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=120)
    r.raise_for_status()
    return r.json()


def collapsed_ok(prompt):
    # ruleid: code-ideogram-unhandled-errors-py
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
    if not r.ok:
        raise RuntimeError("ideogram failed")
    return r.json()


def only_5xx(prompt):
    # ruleid: code-ideogram-unhandled-errors-py
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
    if r.status_code >= 500:
        raise RuntimeError("server error")
    return r.json()


def swallowed(prompt):
    try:
        # ruleid: code-ideogram-unhandled-errors-py
        r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
        if r.status_code == 429:
            return None
        return r.json()
    except Exception:
        pass


async def env_host(prompt):
    base = os.getenv("IDEOGRAM_API_URL")
    async with httpx.AsyncClient(timeout=120) as client:
        # ruleid: code-ideogram-unhandled-errors-py
        r = await client.post(f"{base}/v1/ideogram-v3/generate", headers=HEADERS, files={"prompt": (None, prompt)})
        return r.json()


class IdeogramClient:
    def __init__(self, key):
        self._http = httpx.Client(base_url="https://api.ideogram.ai", headers={"Api-Key": key}, timeout=120)

    def generate(self, prompt):
        try:
            # ruleid: code-ideogram-unhandled-errors-py
            r = self._http.post("/v1/ideogram-v3/generate", files={"prompt": (None, prompt)})
            r.raise_for_status()
        except httpx.HTTPError as exc:
            raise RuntimeError("image generation failed") from exc
        return r.json()


def wrapper(url, payload):
    # ruleid: code-ideogram-unhandled-errors-py
    return requests.post(url, headers={"API-KEY": os.environ["IDEOGRAM_API_KEY"]}, json=payload, timeout=120).json()


# ---- ok


def ok_branches(prompt):
    # ok: code-ideogram-unhandled-errors-py
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
    if r.status_code == 402:
        raise OutOfCredits()
    if r.status_code == 422:
        raise PromptRejected()
    if r.status_code == 429:
        raise RateLimited(r.headers.get("Retry-After"))
    r.raise_for_status()
    return r.json()


def ok_in_tuple(prompt):
    # ok: code-ideogram-unhandled-errors-py
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
    if r.status_code in (401, 403):
        raise BadKey()
    return r


def ok_except_branch(prompt):
    try:
        # ok: code-ideogram-unhandled-errors-py
        r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
        r.raise_for_status()
    except requests.HTTPError as e:
        if e.response.status_code == HTTPStatus.TOO_MANY_REQUESTS:
            raise RateLimited() from e
        raise
    return r.json()


ERRORS = {401: "bad key", 402: "out of credits", 422: "unsafe prompt", 429: "rate limited"}


def ok_table(prompt):
    # ok: code-ideogram-unhandled-errors-py
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
    error = ERRORS.get(r.status_code)
    if error:
        raise RuntimeError(error)
    return r


def ok_helper(prompt):
    # ok: code-ideogram-unhandled-errors-py
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
    _raise_for_ideogram_status(r)
    return r.json()


class OkClient:
    def __init__(self, key):
        self._http = httpx.Client(base_url=BASE, headers={"Api-Key": key}, timeout=120)

    def _post(self, path, files):
        # ok: code-ideogram-unhandled-errors-py
        r = self._http.post(path, files=files)
        r.raise_for_status()
        return r

    def generate(self, prompt):
        try:
            return self._post("/v1/ideogram-v3/generate", {"prompt": (None, prompt)}).json()
        except httpx.HTTPStatusError as e:
            if e.response.status_code == 429:
                raise RateLimited() from e
            raise


def ok_download(url):
    # ok: code-ideogram-unhandled-errors-py
    return requests.get(url, timeout=30).content


def ok_other_api(prompt):
    # ok: code-ideogram-unhandled-errors-py
    return requests.post("https://api.openai.com/v1/images/generations", json={"prompt": prompt}, timeout=60)
