"""Cases for code-ideogram-url-not-persisted (Python)."""
import json
import os

import boto3
import httpx
import redis
import requests
from django.http import JsonResponse
from fastapi import FastAPI
from flask import Flask, jsonify, render_template
from pydantic import BaseModel

from .models import GeneratedImage, ImageRow

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
HEADERS = {"Api-Key": os.environ["IDEOGRAM_API_KEY"]}

app = FastAPI()
flask_app = Flask(__name__)
r = redis.Redis()
s3 = boto3.client("s3")


def _generate(prompt: str) -> dict:
    resp = requests.post(IDEOGRAM_URL, headers=HEADERS, files={"prompt": (None, prompt)}, timeout=120)
    resp.raise_for_status()
    return resp.json()


class GenerateOut(BaseModel):
    url: str


@app.post("/generate")
async def generate_route(prompt: str):
    async with httpx.AsyncClient(timeout=120) as client:
        resp = await client.post(IDEOGRAM_URL, headers=HEADERS, json={"prompt": prompt})
    # ruleid: code-ideogram-url-not-persisted-py
    return {"url": resp.json()["data"][0]["url"]}


@app.post("/generate-model")
def generate_model(prompt: str) -> GenerateOut:
    data = _generate(prompt)
    image = data["data"][0]
    # ruleid: code-ideogram-url-not-persisted-py
    return GenerateOut(url=image["url"])


def save_django(prompt):
    data = _generate(prompt)
    url = data["data"][0]["url"]
    # ruleid: code-ideogram-url-not-persisted-py
    GeneratedImage.objects.create(prompt=prompt, image_url=url)


def save_instance(prompt):
    data = _generate(prompt)
    img = GeneratedImage(prompt=prompt, image_url=data["data"][0]["url"])
    # ruleid: code-ideogram-url-not-persisted-py
    img.save()


def save_sqlalchemy(session, prompt):
    data = _generate(prompt)
    for item in data["data"]:
        # ruleid: code-ideogram-url-not-persisted-py
        session.add(ImageRow(prompt=prompt, url=item["url"], seed=item["seed"]))
    session.commit()


def cache_it(job_id, prompt):
    data = _generate(prompt)
    # ruleid: code-ideogram-url-not-persisted-py
    r.setex(f"ideogram:{job_id}", 86400 * 7, data["data"][0]["url"])


@flask_app.post("/img")
def flask_route():
    data = _generate("a fox")
    urls = [img["url"] for img in data["data"]]
    # ruleid: code-ideogram-url-not-persisted-py
    return jsonify(images=urls)


def django_view(request):
    data = _generate(request.POST["prompt"])
    # ruleid: code-ideogram-url-not-persisted-py
    return JsonResponse({"image": data["data"][0].get("url")})


def sql_insert(conn, prompt):
    data = _generate(prompt)
    cur = conn.cursor()
    # ruleid: code-ideogram-url-not-persisted-py
    cur.execute("INSERT INTO images (prompt, url) VALUES (%s, %s)", (prompt, data["data"][0]["url"]))


def mongo(db, prompt):
    data = _generate(prompt)
    # ruleid: code-ideogram-url-not-persisted-py
    db.images.insert_one({"prompt": prompt, "url": data["data"][0]["url"]})


@flask_app.get("/page")
def page():
    data = _generate("a fox")
    # ruleid: code-ideogram-url-not-persisted-py
    return render_template("result.html", image_url=data["data"][0]["url"])


def ok_download_then_upload(prompt, job_id):
    data = _generate(prompt)
    url = data["data"][0]["url"]
    content = requests.get(url, timeout=60).content
    key = f"images/{job_id}.png"
    s3.put_object(Bucket="imgs", Key=key, Body=content, ContentType="image/png")
    # ok: code-ideogram-url-not-persisted-py
    GeneratedImage.objects.create(prompt=prompt, s3_key=key)
    # Keeping the original link next to the stored copy is fine once the bytes are kept.
    # ok: code-ideogram-url-not-persisted-py
    ImageRow.objects.create(s3_key=key, source_url=url)


def ok_helper_upload(prompt):
    data = _generate(prompt)
    stored = upload_to_bucket(data["data"][0]["url"])
    # ok: code-ideogram-url-not-persisted-py
    GeneratedImage.objects.create(prompt=prompt, image_url=stored)


async def ok_httpx_stream(prompt, session):
    data = _generate(prompt)
    async with httpx.AsyncClient(timeout=60) as client:
        img = await client.get(data["data"][0]["url"])
    path = f"/var/images/{data['created']}.png"
    with open(path, "wb") as fh:
        fh.write(img.content)
    # ok: code-ideogram-url-not-persisted-py
    session.add(ImageRow(path=path, seed=data["data"][0]["seed"]))


@app.post("/ok")
def ok_route(prompt: str):
    data = _generate(prompt)
    public_url = persist_image(data["data"][0]["url"])
    # ok: code-ideogram-url-not-persisted-py
    return {"url": public_url}


def ok_metadata_only(prompt):
    data = _generate(prompt)
    item = data["data"][0]
    # ok: code-ideogram-url-not-persisted-py
    GeneratedImage.objects.create(prompt=item["prompt"], seed=item["seed"], resolution=item["resolution"])


def ok_logged(prompt, logger):
    data = _generate(prompt)
    # ok: code-ideogram-url-not-persisted-py
    logger.info("generated %s", data["data"][0]["url"])


def ok_download_loop(prompt):
    data = _generate(prompt)
    paths = []
    for item in data["data"]:
        blob = httpx.get(item["url"], timeout=60).content
        paths.append(write_to_disk(blob))
    # ok: code-ideogram-url-not-persisted-py
    r.set("last-images", json.dumps(paths))


def ok_set_tracking(prompt):
    data = _generate(prompt)
    seen = set()
    # ok: code-ideogram-url-not-persisted-py
    seen.add(data["data"][0]["url"])


# ---- issue 13: handed out, kept for later, only logged

def generate_image_url(prompt: str) -> str:
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60)
    # handed out by a public function: the repository-level pass drops it when every caller persists it
    # ruleid: code-ideogram-url-not-persisted-py
    return r.json()["data"][0]["url"]


def generate_all(prompt: str) -> list[str]:
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    # handed out by a public function: the repository-level pass drops it when every caller persists it
    # ruleid: code-ideogram-url-not-persisted-py
    return [img["url"] for img in body["data"]]


class Job:
    def run(self, prompt: str) -> None:
        body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
        # ruleid: code-ideogram-url-not-persisted-py
        self.image_url = body["data"][0]["url"]


def _first_url(body: dict) -> str:
    # a private helper: its caller in this module decides
    # ok: code-ideogram-url-not-persisted-py
    return body["data"][0]["url"]


def generate_and_keep(prompt: str) -> str:
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    url = body["data"][0]["url"]
    stored = upload_to_bucket(url)
    # ok: code-ideogram-url-not-persisted-py
    return stored


class IdeogramClient:
    """A thin wrapper the rest of the app calls."""

    def __init__(self, api_key: str) -> None:
        self.session = requests.Session()
        self.session.headers["Api-Key"] = api_key

    def generate(self, prompt: str) -> list[str]:
        body = self.session.post(IDEOGRAM_URL, json={"image_request": {"prompt": prompt}}, timeout=60).json()
        # ruleid: code-ideogram-url-not-persisted-py
        return [image["url"] for image in body["data"]]

    def _raw(self, prompt: str) -> dict:
        # ok: code-ideogram-url-not-persisted-py
        return self.session.post(IDEOGRAM_URL, json={"image_request": {"prompt": prompt}}, timeout=60).json()


def stream_urls(prompts: list[str]):
    for prompt in prompts:
        body = _generate(prompt)
        # ruleid: code-ideogram-url-not-persisted-py
        yield body["data"][0]["url"]


async def generate_result(prompt: str) -> dict:
    async with httpx.AsyncClient(timeout=90) as client:
        resp = await client.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}})
    image = resp.json()["data"][0]
    # ruleid: code-ideogram-url-not-persisted-py
    return {"url": image["url"], "seed": image["seed"]}


def cache_locally(link: str) -> str:
    """Fetch the signed link now and keep the bytes under our own name."""
    blob = requests.get(link, timeout=60).content
    path = f"/srv/images/{abs(hash(link))}.png"
    with open(path, "wb") as fh:
        fh.write(blob)
    return path


def generate_kept(prompt: str) -> str:
    body = _generate(prompt)
    local = cache_locally(body["data"][0]["url"])
    # ok: code-ideogram-url-not-persisted-py
    return local


def generate_then_grab(prompt: str) -> str:
    body = _generate(prompt)
    url = body["data"][0]["url"]
    grab(url)
    # the bytes are kept by grab() (defined below): the original link may travel with them
    # ok: code-ideogram-url-not-persisted-py
    return url


def grab(link: str) -> None:
    with httpx.Client(timeout=60) as client:
        data = client.get(link).content
    s3.put_object(Bucket="imgs", Key=link.rsplit("/", 1)[-1], Body=data)


def generate_seed(prompt: str) -> int:
    body = _generate(prompt)
    # ok: code-ideogram-url-not-persisted-py
    return body["data"][0]["seed"]


def generate_in_pool(prompts: list[str], pool) -> list[str]:
    def on_done(future):
        # a callback: its result goes back to this function, which keeps the bytes
        # ok: code-ideogram-url-not-persisted-py
        return future.result()["data"][0]["url"]

    links = [on_done(pool.submit(_generate, p)) for p in prompts]
    return [upload_to_bucket(link) for link in links]
