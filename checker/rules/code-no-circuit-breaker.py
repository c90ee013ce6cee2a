"""Rule test for code-no-circuit-breaker-py: Ideogram calls without a breaker (no breaker import in this file)."""

import os

import aiohttp
import httpx
import requests

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
BASE = "https://api.ideogram.ai"
IDEOGRAM_API_BASE = os.environ.get("IDEOGRAM_API_BASE", "https://api.ideogram.ai")
API_KEY = os.environ["IDEOGRAM_API_KEY"]


def generate_const(prompt: str) -> dict:
    # ruleid: code-no-circuit-breaker-py
    resp = requests.post(IDEOGRAM_URL, headers={"Api-Key": API_KEY}, files={"prompt": (None, prompt)}, timeout=60)
    return resp.json()


def generate_fstring(prompt: str) -> dict:
    # ruleid: code-no-circuit-breaker-py
    return httpx.post(f"{BASE}/v1/ideogram-v4/generate", json={"text_prompt": prompt}, timeout=60).json()


def generate_env(prompt: str) -> dict:
    # ruleid: code-no-circuit-breaker-py
    r = requests.post(IDEOGRAM_API_BASE + "/generate", json={"image_request": {"prompt": prompt}}, timeout=60)
    return r.json()


def generate_settings(settings, prompt: str) -> dict:
    # ruleid: code-no-circuit-breaker-py
    return requests.post(settings.IDEOGRAM_ENDPOINT, json={"prompt": prompt}, timeout=30).json()


def generate_header_only(url: str, key: str, prompt: str) -> dict:
    headers = {"content-type": "application/json", "API-KEY": key}
    # ruleid: code-no-circuit-breaker-py
    return requests.request("POST", url, headers=headers, json={"prompt": prompt}, timeout=30).json()


def generate_lower_header(session: requests.Session, url: str, key: str) -> dict:
    # ruleid: code-no-circuit-breaker-py
    return session.post(url, headers={"api-key": key}, json={}, timeout=30).json()


async def generate_async(prompt: str) -> dict:
    async with httpx.AsyncClient(base_url="https://api.ideogram.ai", timeout=60) as client:
        # ruleid: code-no-circuit-breaker-py
        resp = await client.post("/v1/ideogram-v3/generate", files={"prompt": (None, prompt)})
        return resp.json()


async def generate_aiohttp(prompt: str) -> dict:
    async with aiohttp.ClientSession() as session:
        # ruleid: code-no-circuit-breaker-py
        async with session.post(IDEOGRAM_URL, json={"prompt": prompt}) as resp:
            return await resp.json()


class IdeogramClient:
    def __init__(self, base_url: str, key: str) -> None:
        self._http = requests.Session()
        self._http.headers.update({"Api-Key": key})
        self.base_url = base_url

    def generate(self, prompt: str) -> dict:
        # ruleid: code-no-circuit-breaker-py
        return self._http.post(f"{self.base_url}/v1/ideogram-v3/generate", json={"prompt": prompt}, timeout=60).json()

    def cached(self, cache, prompt: str) -> dict:
        # ok: code-no-circuit-breaker-py
        return cache.get(prompt)


def other_api(prompt: str) -> dict:
    # ok: code-no-circuit-breaker-py
    return requests.post("https://api.openai.com/v1/images", json={"prompt": prompt}, timeout=30).json()


def azure_openai(endpoint: str, azure_key: str) -> dict:
    # ok: code-no-circuit-breaker-py
    return requests.post(endpoint, headers={"api-key": azure_key}, json={}, timeout=30).json()


def config_lookup() -> str | None:
    # ok: code-no-circuit-breaker-py
    return os.environ.get("IDEOGRAM_API_URL")


def cache_lookup(cache, prompt: str) -> bytes | None:
    # ok: code-no-circuit-breaker-py
    return cache.get(f"ideogram-url:{prompt}")


def guarded_lambda(ideogram_breaker, prompt: str) -> dict:
    # ok: code-no-circuit-breaker-py
    return ideogram_breaker.call(lambda: requests.post(IDEOGRAM_URL, json={"prompt": prompt}, timeout=60).json())


async def guarded_context(breakers, prompt: str) -> dict:
    async with await breakers.get_breaker("ideogram"):
        async with httpx.AsyncClient(timeout=60) as client:
            # ok: code-no-circuit-breaker-py
            return (await client.post(IDEOGRAM_URL, json={"prompt": prompt})).json()


def make_decorated(ideogram_breaker):
    @ideogram_breaker
    def generate(prompt: str) -> dict:
        # ok: code-no-circuit-breaker-py
        return requests.post(IDEOGRAM_URL, json={"prompt": prompt}, timeout=60).json()

    return generate


def make_circuit(circuit):
    @circuit(failure_threshold=5, recovery_timeout=30)
    def generate(prompt: str) -> dict:
        # ok: code-no-circuit-breaker-py
        return requests.post(IDEOGRAM_URL, json={"prompt": prompt}, timeout=60).json()

    return generate


def download(url: str) -> bytes:
    # ok: code-no-circuit-breaker-py
    return requests.get(url, timeout=30).content
