"""Cases for code-ideogram-url-not-persisted: Ideogram's whole answer forwarded to the client (Python)."""
import os

import httpx
import requests
from django.http import JsonResponse
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from flask import Flask, jsonify

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
STORAGE_API = "https://storage.internal/v1/images"
HEADERS = {"Api-Key": os.environ["IDEOGRAM_API_KEY"]}

app = FastAPI()
web = Flask(__name__)


@web.post("/api/generate")
def flask_generate():
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": "a fox"}}, timeout=90)
    # ruleid: code-ideogram-url-not-persisted-py-raw
    return jsonify(r.json())


@app.post("/generate")
async def fastapi_generate(prompt: str):
    async with httpx.AsyncClient(timeout=90) as client:
        resp = await client.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}})
    resp.raise_for_status()
    # ruleid: code-ideogram-url-not-persisted-py-raw
    return resp.json()


def django_generate(request):
    body = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": request.POST["p"]}},
                         timeout=90).json()
    # ruleid: code-ideogram-url-not-persisted-py-raw
    return JsonResponse(body)


@app.post("/remix")
async def fastapi_remix(prompt: str):
    async with httpx.AsyncClient(timeout=90) as client:
        result = (await client.post(IDEOGRAM_URL, headers=HEADERS, json={"prompt": prompt})).json()
    # ruleid: code-ideogram-url-not-persisted-py-raw
    return JSONResponse(result, status_code=200)


@web.get("/api/status")
def flask_status():
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": "probe"}}, timeout=30)
    body = r.json()
    # ok: code-ideogram-url-not-persisted-py-raw
    return jsonify(created=body["created"], count=len(body["data"]))


@app.get("/images")
def list_images():
    r = requests.get(STORAGE_API, timeout=10)
    # our own storage answers with our own URLs
    # ok: code-ideogram-url-not-persisted-py-raw
    return r.json()


def generate(prompt: str) -> dict:
    """The client wrapper: its caller decides what to keep (the field rules judge the urls it reads)."""
    r = requests.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}}, timeout=90)
    # ok: code-ideogram-url-not-persisted-py-raw
    return r.json()


@app.post("/generate-safe")
async def fastapi_generate_safe(prompt: str):
    async with httpx.AsyncClient(timeout=90) as client:
        resp = await client.post(IDEOGRAM_URL, headers=HEADERS, json={"image_request": {"prompt": prompt}})
    data = resp.json()
    # ok: code-ideogram-url-not-persisted-py-raw
    return {"created": data["created"]}
