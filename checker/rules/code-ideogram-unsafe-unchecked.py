"""Cases for code-ideogram-unsafe-unchecked (Python)."""
import os
from typing import TypedDict

import httpx
import requests
from pydantic import BaseModel

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
HEADERS = {"Api-Key": os.environ["IDEOGRAM_API_KEY"]}


class ImageObject(TypedDict):
    url: str | None
    is_image_safe: bool
    seed: int


class IdeogramImage(BaseModel):
    url: str | None = None
    is_image_safe: bool
    prompt: str


def generate(prompt: str) -> dict:
    resp = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"prompt": prompt}, timeout=120)
    resp.raise_for_status()
    return resp.json()


def first_url(prompt: str) -> str:
    # The TypedDict/model above declares is_image_safe; that is not a check.
    # ruleid: code-ideogram-unsafe-unchecked-py
    return generate(prompt)["data"][0]["url"]


def download(prompt: str) -> bytes:
    data = generate(prompt)
    # ruleid: code-ideogram-unsafe-unchecked-py
    return httpx.get(data["data"][0].get("url"), timeout=60).content


def all_urls(prompt: str) -> list[str]:
    data = generate(prompt)
    # ruleid: code-ideogram-unsafe-unchecked-py
    return [img["url"] for img in data["data"]]


def loop(prompt: str, out: list) -> None:
    data = generate(prompt)
    for img in data["data"]:
        # ruleid: code-ideogram-unsafe-unchecked-py
        out.append((img["url"], img["seed"]))


def pydantic_items(prompt: str) -> str:
    images = [IdeogramImage(**d) for d in generate(prompt)["data"]]
    first = images[0]
    # todoruleid: code-ideogram-unsafe-unchecked-py
    return first.url


def passthrough(prompt: str) -> dict:
    image = generate(prompt)["data"][0]
    # Forwarding the flag is not checking it.
    # ruleid: code-ideogram-unsafe-unchecked-py
    return {"url": image["url"], "is_image_safe": image["is_image_safe"]}


class Service:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def render(self, prompt: str) -> str:
        r = self.client.post(IDEOGRAM_URL, json={"prompt": prompt})
        body = r.json()
        # ruleid: code-ideogram-unsafe-unchecked-py
        return f'<img src="{body["data"][0]["url"]}">'


async def aio(session, prompt: str) -> str:
    async with session.post(IDEOGRAM_URL, json={"prompt": prompt}, headers=HEADERS) as r:
        payload = await r.json()
    # ruleid: code-ideogram-unsafe-unchecked-py
    return payload.get("data")[0]["url"]


def model_attr(resp) -> str:
    # ruleid: code-ideogram-unsafe-unchecked-py
    return resp.data[0].url


# is_image_safe is checked in every block below.


def ok_if(prompt: str) -> str:
    image = generate(prompt)["data"][0]
    if not image["is_image_safe"]:
        raise ValueError("Ideogram blocked the image")
    # ok: code-ideogram-unsafe-unchecked-py
    return image["url"]


def ok_url_read_before_check(prompt: str) -> str:
    data = generate(prompt)
    # ok: code-ideogram-unsafe-unchecked-py
    url = data["data"][0]["url"]
    if data["data"][0].get("is_image_safe") is not True:
        raise ValueError("blocked")
    return url


def ok_filter(prompt: str) -> list[str]:
    data = generate(prompt)
    # ok: code-ideogram-unsafe-unchecked-py
    return [img["url"] for img in data["data"] if img["is_image_safe"]]


def ok_assert(prompt: str) -> str:
    data = generate(prompt)
    assert data["data"][0]["is_image_safe"], "unsafe output"
    # ok: code-ideogram-unsafe-unchecked-py
    return data["data"][0]["url"]


def ok_variable(prompt: str) -> str | None:
    data = generate(prompt)
    safe = data["data"][0].get("is_image_safe", False)
    if not safe:
        return None
    # ok: code-ideogram-unsafe-unchecked-py
    return data["data"][0]["url"]


def ok_ternary(prompt: str) -> str:
    image = generate(prompt)["data"][0]
    # ok: code-ideogram-unsafe-unchecked-py
    return image["url"] if image["is_image_safe"] else "/static/blocked.png"


def ok_loop(prompt: str, out: list) -> None:
    for img in generate(prompt)["data"]:
        if not img["is_image_safe"]:
            continue
        # ok: code-ideogram-unsafe-unchecked-py
        out.append(img["url"])


def ok_filter_builtin(prompt: str) -> list[str]:
    safe = list(filter(lambda d: d["is_image_safe"], generate(prompt)["data"]))
    # ok: code-ideogram-unsafe-unchecked-py
    return [d["url"] for d in safe] + [generate(prompt)["data"][0]["url"]] if safe else []


def ok_not_url(prompt: str) -> int:
    # ok: code-ideogram-unsafe-unchecked-py
    return generate(prompt)["data"][0]["seed"]


# ---- issue 13: the list bound to a variable, enumerate, a guarded first pick

def save_all(prompt):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    images = body["data"]
    for i, image in enumerate(images):
        # ruleid: code-ideogram-unsafe-unchecked-py
        save(f"out_{i}.png", image["url"])


def first_or_none(prompt):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    first = body["data"][0] if body.get("data") else None
    # ruleid: code-ideogram-unsafe-unchecked-py
    return first.get("url") if first else None


def get_list(prompt):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    images = body.get("data") or []
    for image in images:
        # ruleid: code-ideogram-unsafe-unchecked-py
        save("out.png", image.get("url"))


def ok_enumerate_checked(prompt):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    images = body["data"]
    for i, image in enumerate(images):
        if not image["is_image_safe"]:
            continue
        # ok: code-ideogram-unsafe-unchecked-py
        save(f"out_{i}.png", image["url"])


def urls_from_bound_list(prompt):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    images = body["data"]
    # ruleid: code-ideogram-unsafe-unchecked-py
    return [image.get("url") for image in images]


def first_of_bound_list(prompt):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    images = body.get("data", [])
    # ruleid: code-ideogram-unsafe-unchecked-py
    return images[0]["url"]


def ok_bound_list_filtered(prompt):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    images = body["data"]
    # ok: code-ideogram-unsafe-unchecked-py
    return [image["url"] for image in images if image["is_image_safe"]]


def ok_bound_list_checked_first(prompt):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    images = body.get("data", [])
    if not images or not images[0].get("is_image_safe"):
        raise ValueError("Ideogram blocked the image")
    # ok: code-ideogram-unsafe-unchecked-py
    return images[0]["url"]
