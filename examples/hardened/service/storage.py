"""Keeps generated images in our own storage: Ideogram's URLs expire."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

IMAGE_DIR = Path(os.environ.get("IMAGE_DIR", "/var/lib/images"))


def save_image(prompt: str, content: bytes) -> str:
    key = hashlib.sha256(prompt.encode() + content).hexdigest()[:16] + ".png"
    IMAGE_DIR.mkdir(parents=True, exist_ok=True)
    (IMAGE_DIR / key).write_bytes(content)
    return key
