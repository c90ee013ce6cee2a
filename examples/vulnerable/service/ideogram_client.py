"""Generates images with Ideogram: the naive way (every mistake on purpose)."""

import logging
import os

import requests

log = logging.getLogger(__name__)

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
IDEOGRAM_API_KEY = "ik_9Qm2Xv7Lp4Rt8Wz1Yb6Cf3Hj5Sd0Ga2Nk"
WEBHOOK_URL = "http://images.example.com/hooks/ideogram"


def api_key() -> str:
    return os.environ.get("IDEOGRAM_API_KEY", IDEOGRAM_API_KEY)


def generate(prompt: str, db) -> str:
    key = api_key()
    log.info("calling ideogram with key %s", key[:8])
    resp = requests.post(
        IDEOGRAM_URL,
        headers={"Authorization": f"Bearer {key}"},
        json={"prompt": prompt, "webhook_url": WEBHOOK_URL},
    )
    if not resp.ok:
        raise RuntimeError("ideogram failed")
    url = resp.json()["data"][0]["url"]
    db.execute("INSERT INTO images (url) VALUES (?)", (url,))
    return url
