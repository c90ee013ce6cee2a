# Test cases for code-ideogram-no-timeout (Python).
import os

import aiohttp
import httpx
import requests
from requests.adapters import HTTPAdapter

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
BASE = "https://api.ideogram.ai"
API_KEY = os.environ["IDEOGRAM_API_KEY"]
HEADERS = {"Api-Key": API_KEY}


def generate_const(prompt):
    # ruleid: code-ideogram-no-timeout-py
    resp = requests.post(IDEOGRAM_URL, headers={"Api-Key": API_KEY}, files={"prompt": (None, prompt)})
    return resp.json()


def generate_fstring(prompt):
    # ruleid: code-ideogram-no-timeout-py
    return requests.post(f"{BASE}/generate", json={"image_request": {"prompt": prompt}}).json()


def generate_env_host(prompt):
    base = os.getenv("IDEOGRAM_BASE_URL", "https://example.invalid")
    # ruleid: code-ideogram-no-timeout-py
    return requests.post(base + "/v1/ideogram-v3/generate", data={"prompt": prompt})


def generate_header_only(url, prompt):
    headers = {"api-key": os.environ["KEY"], "Content-Type": "application/json"}
    # ruleid: code-ideogram-no-timeout-py
    return requests.request("POST", url, headers=headers, json={"prompt": prompt})


def generate_explicit_none(prompt):
    # ruleid: code-ideogram-no-timeout-py
    return requests.post(IDEOGRAM_URL, files={"prompt": (None, prompt)}, timeout=None)


def generate_httpx_default(prompt):
    # httpx's 5 s default is too short for a generation
    with httpx.Client(base_url=BASE, headers=HEADERS) as client:
        # ruleid: code-ideogram-no-timeout-py
        return client.post("/v1/ideogram-v3/generate", files={"prompt": (None, prompt)})


async def generate_aiohttp(prompt):
    async with aiohttp.ClientSession() as session:
        # ruleid: code-ideogram-no-timeout-py
        async with session.post(IDEOGRAM_URL, headers=HEADERS, data={"prompt": prompt}) as resp:
            return await resp.json()


def generate_session(prompt):
    s = requests.Session()
    s.headers.update({"Api-Key": API_KEY})
    # ruleid: code-ideogram-no-timeout-py
    return s.post(f"{BASE}/v1/ideogram-v3/generate", files={"prompt": (None, prompt)})


class IdeogramClient:
    def __init__(self, key):
        self._http = httpx.Client(base_url="https://api.ideogram.ai", headers={"Api-Key": key})

    def generate(self, prompt):
        # ruleid: code-ideogram-no-timeout-py
        return self._http.post("/v1/ideogram-v3/generate", files={"prompt": (None, prompt)})


# ---- ok


def ok_timeout_kwarg(prompt):
    # ok: code-ideogram-no-timeout-py
    return requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=(10, 120))


def ok_httpx_ctor(prompt):
    with httpx.Client(base_url=BASE, headers=HEADERS, timeout=httpx.Timeout(120.0)) as client:
        # ok: code-ideogram-no-timeout-py
        return client.post("/v1/ideogram-v3/generate", files={"prompt": (None, prompt)})


async def ok_async_httpx_ctor(prompt):
    async with httpx.AsyncClient(timeout=120) as client:
        # ok: code-ideogram-no-timeout-py
        return await client.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)})


async def ok_aiohttp_ctor(prompt):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        # ok: code-ideogram-no-timeout-py
        async with session.post(IDEOGRAM_URL, headers=HEADERS, data={"prompt": prompt}) as resp:
            return await resp.json()


def ok_client_assigned(prompt):
    client = httpx.Client(timeout=90)
    # ok: code-ideogram-no-timeout-py
    return client.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)})


def ok_download_image(prompt):
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"prompt": prompt}, timeout=120)
    image_url = r.json()["data"][0]["url"]
    # the image download is not an Ideogram API call (another rule may want a timeout here)
    # ok: code-ideogram-no-timeout-py
    return requests.get(image_url)


def ok_other_api(prompt):
    # ok: code-ideogram-no-timeout-py
    return requests.post("https://api.openai.com/v1/images/generations", json={"prompt": prompt})


def ok_kwargs_passthrough(prompt, **kwargs):
    # ok: code-ideogram-no-timeout-py
    return requests.post(IDEOGRAM_URL, headers=HEADERS, json={"prompt": prompt}, **kwargs)


class OkClient:
    def __init__(self, key):
        self._http = httpx.Client(base_url="https://api.ideogram.ai", headers={"Api-Key": key}, timeout=120)

    def generate(self, prompt):
        # ok: code-ideogram-no-timeout-py
        return self._http.post("/v1/ideogram-v3/generate", files={"prompt": (None, prompt)})

    def status(self):
        # ok: code-ideogram-no-timeout-py
        return requests.get("https://status.example.com/health", timeout=5)


def ok_headers_lookup(headers):
    # ok: code-ideogram-no-timeout-py
    return HEADERS.get("Api-Key")
