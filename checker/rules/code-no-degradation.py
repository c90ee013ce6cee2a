"""Rule test for code-no-degradation-py: Ideogram calls in request handlers with and without a fallback."""

import os

import httpx
import requests
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from flask import Flask, abort, jsonify, request
from service.ideogram_client import generate_image

app = Flask(__name__)
api = FastAPI()
IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
IDEOGRAM_API_BASE = os.environ.get("IDEOGRAM_API_BASE", "https://api.ideogram.ai")
KEY = os.environ["IDEOGRAM_API_KEY"]
PLACEHOLDER = "/static/placeholder.png"


@app.post("/generate")
def generate_plain():
    # ruleid: code-no-degradation-py
    resp = requests.post(IDEOGRAM_URL, headers={"Api-Key": KEY}, json=request.json, timeout=60)
    resp.raise_for_status()
    return jsonify(resp.json())


@api.post("/images")
async def generate_async(body: dict):
    async with httpx.AsyncClient(timeout=60) as client:
        # ruleid: code-no-degradation-py
        resp = await client.post(f"{IDEOGRAM_API_BASE}/v1/ideogram-v4/generate", json=body)
    return resp.json()


@api.post("/images/wrapped")
async def generate_wrapped(body: dict):
    # ruleid: code-no-degradation-py
    return await ideogram.generate(body["prompt"])


@app.route("/remix", methods=["POST"])
def remix():
    # ruleid: code-no-degradation-py
    image = call_ideogram(request.json["prompt"])
    return jsonify(image)


@app.post("/reraise")
def generate_reraise():
    try:
        # ruleid: code-no-degradation-py
        resp = requests.post(IDEOGRAM_URL, json=request.json, timeout=60)
        resp.raise_for_status()
    except requests.RequestException:
        raise
    return jsonify(resp.json())


@app.post("/abort500")
def generate_abort500():
    try:
        # ruleid: code-no-degradation-py
        data = ideogram_client.generate(request.json["prompt"])
    except Exception:
        abort(500)
    return jsonify(data)


@api.post("/http500")
async def generate_http500(body: dict):
    try:
        # ruleid: code-no-degradation-py
        return await ideogram.generate(body["prompt"])
    except Exception as exc:
        raise HTTPException(status_code=500, detail="generation failed") from exc


@app.post("/tuple500")
def generate_tuple500():
    try:
        # ruleid: code-no-degradation-py
        return jsonify(requests.post(IDEOGRAM_URL, json=request.json, timeout=60).json())
    except requests.RequestException as exc:
        return jsonify(error=str(exc)), 500


@app.post("/status-500")
def generate_status_500():
    # ruleid: code-no-degradation-py
    resp = requests.post(IDEOGRAM_URL, headers={"api-key": KEY}, json=request.json, timeout=60)
    if resp.status_code != 200:
        return jsonify(error="failed"), 500
    return jsonify(resp.json())


@app.post("/fallback")
def generate_fallback():
    try:
        # ok: code-no-degradation-py
        resp = requests.post(IDEOGRAM_URL, json=request.json, timeout=60)
        resp.raise_for_status()
    except requests.RequestException:
        return jsonify(url=PLACEHOLDER, degraded=True)
    return jsonify(resp.json())


@api.post("/images/503")
async def generate_503(body: dict):
    try:
        # ok: code-no-degradation-py
        return await ideogram.generate(body["prompt"])
    except IdeogramUnavailable:
        raise HTTPException(status_code=503, detail="try later", headers={"Retry-After": "30"})


@api.post("/images/503-response")
async def generate_503_response(body: dict):
    try:
        # ok: code-no-degradation-py
        return await ideogram.generate(body["prompt"])
    except Exception:
        return JSONResponse({"status": "queued"}, status_code=503, headers={"Retry-After": "30"})


@app.post("/cached")
def generate_cached():
    try:
        # ok: code-no-degradation-py
        return jsonify(call_ideogram(request.json["prompt"]))
    except Exception:
        return jsonify(cache_lookup(request.json["prompt"]))


@app.post("/status-check")
def generate_status_check():
    # ok: code-no-degradation-py
    resp = requests.post(IDEOGRAM_URL, json=request.json, timeout=60)
    if not resp.ok:
        return jsonify(url=PLACEHOLDER), 503
    return jsonify(resp.json())


@app.post("/queue")
def generate_queued():
    # ok: code-no-degradation-py
    job = generate_ideogram_image.delay(request.json["prompt"])
    return jsonify(job_id=job.id), 202


def worker_generate(prompt: str) -> dict:
    # ok: code-no-degradation-py
    return requests.post(IDEOGRAM_URL, json={"prompt": prompt}, timeout=60).json()


@app.get("/settings")
def settings_view():
    # ok: code-no-degradation-py
    return jsonify(url=os.environ.get("IDEOGRAM_API_URL"))


@app.get("/proxy")
def other_api():
    # ok: code-no-degradation-py
    return jsonify(requests.get("https://example.com/data", timeout=5).json())


def create_image_wsgi(environ, start_response):
    # ruleid: code-no-degradation-py
    url = generate_image(environ["QUERY_STRING"])
    start_response("200 OK", [("Content-Type", "application/json")])
    return [url.encode()]


def create_image_wsgi_degraded(environ, start_response):
    try:
        # ok: code-no-degradation-py
        url = generate_image(environ["QUERY_STRING"])
    except Exception:
        start_response("503 Service Unavailable", [("Retry-After", "30")])
        return [PLACEHOLDER.encode()]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [url.encode()]
