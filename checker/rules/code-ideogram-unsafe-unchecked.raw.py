"""Cases for code-ideogram-unsafe-unchecked: Ideogram's whole answer forwarded without a look at is_image_safe."""
import os

import httpx
import requests
from django.http import JsonResponse
from fastapi import FastAPI, HTTPException
from flask import Flask, jsonify

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
HEADERS = {"Api-Key": os.environ["IDEOGRAM_API_KEY"]}

app = FastAPI()
web = Flask(__name__)


@web.post("/api/generate")
def flask_generate():
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": "a fox"}}, timeout=90)
    # ruleid: code-ideogram-unsafe-unchecked-py-raw
    return jsonify(r.json())


@app.post("/generate")
async def fastapi_generate(prompt: str):
    async with httpx.AsyncClient(timeout=90) as client:
        resp = await client.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}})
    # ruleid: code-ideogram-unsafe-unchecked-py-raw
    return resp.json()


def django_generate(request):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": request.POST["p"]}},
                         timeout=90).json()
    # ruleid: code-ideogram-unsafe-unchecked-py-raw
    return JsonResponse(body)


@app.post("/generate-checked")
async def fastapi_generate_checked(prompt: str):
    async with httpx.AsyncClient(timeout=90) as client:
        resp = await client.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}})
    body = resp.json()
    if not all(img["is_image_safe"] for img in body["data"]):
        raise HTTPException(422, "blocked by the safety filter")
    # ok: code-ideogram-unsafe-unchecked-py-raw
    return body


@web.post("/api/generate-fields")
def flask_fields():
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": "a fox"}}, timeout=90)
    body = r.json()
    # ok: code-ideogram-unsafe-unchecked-py-raw
    return jsonify(created=body["created"])


def generate(prompt: str) -> dict:
    """The client wrapper: its callers read the images (and the field rule judges those reads)."""
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=90)
    # ok: code-ideogram-unsafe-unchecked-py-raw
    return r.json()
