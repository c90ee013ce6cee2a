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
    # a return is judged by the repository-level pass (are all callers persisting?), not built yet
    # todoruleid: code-ideogram-url-not-persisted-py
    return r.json()["data"][0]["url"]


def generate_all(prompt: str) -> list[str]:
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=60).json()
    # a return is judged by the repository-level pass (are all callers persisting?), not built yet
    # todoruleid: code-ideogram-url-not-persisted-py
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
