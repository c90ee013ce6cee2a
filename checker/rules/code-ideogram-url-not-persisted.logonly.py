"""Cases for code-ideogram-url-not-persisted: a script that only prints the signed link (the bytes are never fetched)."""
import logging
import os

import requests

log = logging.getLogger("ideogram")
IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"


def main(prompt: str) -> None:
    r = requests.post(IDEOGRAM_URL, headers={"Api-Key": os.environ["IDEOGRAM_API_KEY"]},
                      json={"image_request": {"prompt": prompt}}, timeout=60)
    body = r.json()
    for image in body["data"]:
        # ruleid: code-ideogram-url-not-persisted-py
        log.info("image ready: %s", image["url"])
    # ok: code-ideogram-url-not-persisted-py
    print("seed", body["data"][0]["seed"])
