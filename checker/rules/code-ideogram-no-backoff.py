# Test cases for code-ideogram-no-backoff (Python).
import asyncio
import os
import time

import backoff
import httpx
import requests
import tenacity
from requests.adapters import HTTPAdapter
from tenacity import AsyncRetrying, retry, retry_if_exception, stop_after_attempt, wait_random_exponential
from urllib3.util.retry import Retry

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
BASE = "https://api.ideogram.ai"
HEADERS = {"Api-Key": os.environ["IDEOGRAM_API_KEY"]}


def plain(prompt):
    # ruleid: code-ideogram-no-backoff-py
    return requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)


def retry_loop_around_download(prompt):
    # the retry loop below retries the image download, not the generation
    # ruleid: code-ideogram-no-backoff-py
    resp = requests.post(f"{BASE}/generate", headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=120)
    url = resp.json()["data"][0]["url"]
    for attempt in range(5):
        try:
            return requests.get(url, timeout=30).content
        except requests.RequestException:
            time.sleep(2**attempt)


def loop_without_sleep(prompt):
    for _ in range(3):
        # ruleid: code-ideogram-no-backoff-py
        r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
        if r.ok:
            return r


def batch_loop_is_not_a_retry(prompts):
    out = []
    for p in prompts:
        # ruleid: code-ideogram-no-backoff-py
        out.append(requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, p)}, timeout=120))
        time.sleep(1)
    return out


@tenacity.retry
def bare_tenacity(prompt):
    # bare @retry: immediate, unbounded retries with no wait
    # ruleid: code-ideogram-no-backoff-py
    return requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)


async def env_host(prompt):
    base = os.environ["IDEOGRAM_BASE_URL"]
    async with httpx.AsyncClient(timeout=120) as client:
        # ruleid: code-ideogram-no-backoff-py
        return await client.post(f"{base}/v1/ideogram-v3/generate", headers=HEADERS, files={"prompt": (None, prompt)})


class IdeogramClient:
    def __init__(self, key):
        self._http = httpx.Client(base_url="https://api.ideogram.ai", headers={"Api-Key": key}, timeout=120)

    def generate(self, prompt):
        # ruleid: code-ideogram-no-backoff-py
        return self._http.post("/v1/ideogram-v3/generate", files={"prompt": (None, prompt)})


@retry(stop=stop_after_attempt(3))
def limiter_elsewhere(prompt):
    # a decorator on another function does not cover this one
    return "cached"


def wrapper(url, payload):
    headers = {"API-KEY": os.environ["IDEOGRAM_API_KEY"]}
    # ruleid: code-ideogram-no-backoff-py
    return requests.post(url, headers=headers, json=payload, timeout=120)


# ---- ok


@retry(wait=wait_random_exponential(multiplier=1, max=60), stop=stop_after_attempt(6))
def ok_tenacity(prompt):
    # ok: code-ideogram-no-backoff-py
    return requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)


@backoff.on_exception(backoff.expo, requests.exceptions.HTTPError, max_tries=5)
def ok_backoff(prompt):
    # ok: code-ideogram-no-backoff-py
    return requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)


def ok_loop(prompt):
    for attempt in range(5):
        # ok: code-ideogram-no-backoff-py
        r = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
        if r.status_code == 429 or r.status_code >= 500:
            time.sleep(float(r.headers.get("Retry-After", 2**attempt)))
            continue
        return r


async def ok_while_loop(client, prompt):
    attempt = 0
    while attempt < 5:
        # ok: code-ideogram-no-backoff-py
        r = await client.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
        if r.status_code != 429:
            return r
        attempt += 1
        await asyncio.sleep(2**attempt)


async def ok_async_retrying(client, prompt):
    async for attempt in AsyncRetrying(wait=wait_random_exponential(max=60), stop=stop_after_attempt(5)):
        with attempt:
            # ok: code-ideogram-no-backoff-py
            return await client.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)


def ok_mounted_adapter(prompt):
    session = requests.Session()
    retries = Retry(total=5, backoff_factor=1, status_forcelist=[429, 500, 502, 503, 504], respect_retry_after_header=True)
    session.mount("https://", HTTPAdapter(max_retries=retries))
    # ok: code-ideogram-no-backoff-py
    return session.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)


class OkSessionClient:
    def __init__(self):
        self.session = requests.Session()
        self.session.mount("https://", HTTPAdapter(max_retries=Retry(total=5, backoff_factor=1)))

    def generate(self, prompt):
        # ok: code-ideogram-no-backoff-py
        return self.session.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)


def ok_httpx_transport(prompt):
    with httpx.Client(transport=httpx.HTTPTransport(retries=3), timeout=120) as client:
        # ok: code-ideogram-no-backoff-py
        return client.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)})


def ok_download_not_ideogram(url):
    # ok: code-ideogram-no-backoff-py
    return requests.get(url, timeout=30)


async def ok_helper(client, prompt):
    # ok: code-ideogram-no-backoff-py
    return await with_retries(lambda: client.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120))
