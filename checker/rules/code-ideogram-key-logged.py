"""Cases for code-ideogram-key-logged (Python)."""
import hashlib
import logging
import os
import sys

import httpx
import requests
import structlog
from django.conf import settings

logger = logging.getLogger(__name__)
log = structlog.get_logger()

IDEOGRAM_API_KEY = os.environ["IDEOGRAM_API_KEY"]
IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"


def startup_banner():
    # ruleid: code-ideogram-key-logged-py
    print(f"Using Ideogram key {IDEOGRAM_API_KEY}")


def startup_prefix():
    key = os.getenv("IDEOGRAM_API_KEY", "")
    # ruleid: code-ideogram-key-logged-py
    logger.info("ideogram key prefix: %s...", key[:8])


def debug_headers(prompt):
    headers = {"Api-Key": os.environ.get("IDEOGRAM_API_KEY"), "Content-Type": "application/json"}
    # ruleid: code-ideogram-key-logged-py
    logger.debug("calling ideogram with headers=%s", headers)
    return requests.post(IDEOGRAM_URL, headers=headers, json={"prompt": prompt}, timeout=60)


def debug_headers_lowercase(api_key):
    headers = {"api-key": api_key}
    # ruleid: code-ideogram-key-logged-py
    log.info("request", headers=headers)


class IdeogramClient:
    def __init__(self):
        self.key = settings.IDEOGRAM_API_KEY
        self.session = requests.Session()
        self.session.headers["Api-Key"] = self.key
        # ruleid: code-ideogram-key-logged-py
        self.logger.warning(f"client ready key={self.key[-4:]}")

    def dump(self):
        # Cross-method flow (set in __init__, printed here) needs inter-procedural analysis.
        # todoruleid: code-ideogram-key-logged-py
        print("session headers", self.session.headers)


def session_headers():
    session = requests.Session()
    session.headers["Api-Key"] = os.environ["IDEOGRAM_API_KEY"]
    # ruleid: code-ideogram-key-logged-py
    print("session headers", session.headers)


def from_settings(config):
    secret = config.ideogram_api_key
    masked = {"key": secret}
    # ruleid: code-ideogram-key-logged-py
    sys.stderr.write(str(masked))


def with_click(cfg):
    import click
    # ruleid: code-ideogram-key-logged-py
    click.echo("key: " + cfg.IDEOGRAM_KEY)


def logging_module():
    token = os.environ["IDEOGRAM_API_KEY"]
    # ruleid: code-ideogram-key-logged-py
    logging.error("auth failed for key %s", token)


async def httpx_client():
    key = os.getenv("IDEOGRAM_API_KEY")
    async with httpx.AsyncClient(headers={"Api-Key": key}) as client:
        # ruleid: code-ideogram-key-logged-py
        logger.info("client headers %r", client.headers)


def dict_header_update(api_key):
    headers = {}
    headers.update({"Api-Key": api_key})
    # ruleid: code-ideogram-key-logged-py
    print(headers)


def ok_length():
    key = os.environ["IDEOGRAM_API_KEY"]
    # ok: code-ideogram-key-logged-py
    logger.info("ideogram key loaded (%d chars)", len(key))


def ok_presence():
    key = os.getenv("IDEOGRAM_API_KEY")
    # ok: code-ideogram-key-logged-py
    logger.info("ideogram key configured: %s", key is not None)


def ok_hash():
    key = os.environ["IDEOGRAM_API_KEY"]
    fp = hashlib.sha256(key.encode()).hexdigest()[:12]
    # ok: code-ideogram-key-logged-py
    logger.info("ideogram key fingerprint %s", fp)


def mask_secret(value):
    return "*" * 8 + value[-4:]


def ok_masked():
    key = os.environ["IDEOGRAM_API_KEY"]
    # ok: code-ideogram-key-logged-py
    print("key", mask_secret(key))


def ok_redacted_headers(api_key):
    headers = {"Api-Key": api_key}
    # ok: code-ideogram-key-logged-py
    logger.debug("headers %s", redact_headers(headers))


def ok_other_env():
    model = os.getenv("IDEOGRAM_MODEL", "V_2")
    # ok: code-ideogram-key-logged-py
    logger.info("ideogram model %s", model)


def ok_response(prompt):
    r = requests.post(IDEOGRAM_URL, headers={"Api-Key": IDEOGRAM_API_KEY}, json={"prompt": prompt}, timeout=60)
    # ok: code-ideogram-key-logged-py
    logger.info("ideogram status %s", r.status_code)


async def ok_client_response(prompt):
    async with httpx.AsyncClient(headers={"Api-Key": IDEOGRAM_API_KEY}, timeout=60) as client:
        resp = await client.post(IDEOGRAM_URL, json={"prompt": prompt})
        # ok: code-ideogram-key-logged-py
        logger.info("ideogram answered %s in %s", resp.status_code, resp.elapsed)


def ok_not_a_logger(api_key):
    headers = {"Api-Key": api_key}
    # ok: code-ideogram-key-logged-py
    requests.post(IDEOGRAM_URL, headers=headers, json={}, timeout=30)


def ok_missing():
    key = os.environ.get("IDEOGRAM_API_KEY")
    if not key:
        # ok: code-ideogram-key-logged-py
        logger.error("IDEOGRAM_API_KEY is not set")


def ok_other_secret():
    openai_key = os.environ["OPENAI_API_KEY"]
    # ok: code-ideogram-key-logged-py
    print(openai_key[:3])


def mask_key(key: str) -> str:
    return f"{key[:4]}...{key[-4:]}"


def startup_masked_prefix(cfg):
    # first-4 + last-4 still prints a prefix of the key
    # ruleid: code-ideogram-key-logged-py
    logger.info("Ideogram key %s", mask_key(cfg.ideogram_api_key))


def generate_image(prompt: str, api_key: str) -> dict:
    resp = requests.post(IDEOGRAM_URL, headers={"Api-Key": api_key}, json={"prompt": prompt}, timeout=60)
    resp.raise_for_status()
    return resp.json()


def ok_local_function_result(prompt):
    result = generate_image(prompt, os.environ["IDEOGRAM_API_KEY"])
    # ok: code-ideogram-key-logged-py
    logger.info("ideogram returned %d image(s), seed %s", len(result["data"]), result["data"][0]["seed"])


def build_headers(api_key: str) -> dict:
    return {"Api-Key": api_key, "Accept": "application/json"}


def local_helper_without_http():
    headers = build_headers(os.environ["IDEOGRAM_API_KEY"])
    # ruleid: code-ideogram-key-logged-py
    logger.debug("headers %s", headers)


def key_fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def ok_fingerprint_helper(cfg):
    # a slice of a digest is not a slice of the key
    # ok: code-ideogram-key-logged-py
    logger.info("Ideogram key %s", key_fingerprint(cfg.ideogram_api_key))
