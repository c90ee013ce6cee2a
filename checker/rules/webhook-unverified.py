"""Rule test for webhook-unverified-py: webhook handlers with and without signature verification."""

import hashlib
import hmac
import json
import os
from typing import Annotated

from django.http import HttpResponse, JsonResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from fastapi import APIRouter, Depends, FastAPI, Header, Request
from flask import Blueprint, Flask, abort, request

app = Flask(__name__)
api = FastAPI()
router = APIRouter()
bp = Blueprint("hooks", __name__)
SECRET = os.environ["WEBHOOK_SECRET"].encode()
WEBHOOK_PATH = "/webhooks/ideogram"
CALLBACK_ROUTE = "/ideogram/done"


@app.route("/webhooks/ideogram", methods=["POST"])
# ruleid: webhook-unverified-py
def ideogram_hook():
    store(request.get_json())
    return "", 204


@api.post(WEBHOOK_PATH)
# ruleid: webhook-unverified-py
async def receive(request: Request):
    payload = await request.json()
    store(payload)
    return {"ok": True}


@router.post("/api/ideogram/callback")
# ruleid: webhook-unverified-py
async def done(request: Request):
    store(await request.json())


@router.post(CALLBACK_ROUTE)
# ruleid: webhook-unverified-py
async def generation_callback(request: Request):
    store(await request.json())


@app.route("/ideogram/events", methods=["POST"])
# ruleid: webhook-unverified-py
def events():
    sig = request.headers.get("X-Ideogram-Webhook-Signature")
    expected = hmac.new(SECRET, request.get_data(), hashlib.sha256).hexdigest()
    if sig != expected:
        abort(401)
    store(request.get_json())
    return "", 204


@api.post("/ideogram/events")
# ruleid: webhook-unverified-py
async def events_header(request: Request, x_signature: str = Header(..., alias="X-Signature")):
    store(await request.json())


@csrf_exempt
# ruleid: webhook-unverified-py
def ideogram_webhook(request):
    store(json.loads(request.body))
    return HttpResponse(status=204)


class IdeogramWebhookView(View):
    # ruleid: webhook-unverified-py
    def post(self, request):
        store(json.loads(request.body))
        return JsonResponse({"ok": True})

    # ok: webhook-unverified-py
    def get(self, request):
        return JsonResponse({"ok": True})


def verify_signature(body: bytes, signature: str) -> bool:
    digest = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    # ruleid: webhook-unverified-py
    return digest == signature


def verify_signature_ok(body: bytes, signature: str) -> bool:
    digest = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if len(digest) != len(signature):
        return False
    # ok: webhook-unverified-py
    return hmac.compare_digest(digest, signature)


@app.route("/webhooks/ideogram/v2", methods=["POST"])
# ok: webhook-unverified-py
def hook_hmac():
    sig = request.headers.get("X-Signature", "")
    expected = hmac.new(SECRET, request.get_data(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(sig, expected):
        abort(401)
    store(request.get_json())
    return "", 204


@api.post("/webhooks/ideogram")
# ok: webhook-unverified-py
async def hook_ed25519(request: Request):
    body = await request.body()
    key = await jwks.key_for(request.headers["X-Ideogram-Webhook-Key-Id"])
    try:
        key.verify(bytes.fromhex(request.headers["X-Ideogram-Webhook-Signature"]), body)
    except InvalidSignature:
        return {"ok": False}
    store(json.loads(body))


@router.post("/hooks/ideogram")
# ok: webhook-unverified-py
async def hook_helper(request: Request):
    await verify_ideogram_signature(request)
    store(await request.json())


@router.post("/webhooks/ideogram", dependencies=[Depends(verify_webhook_signature)])
# ok: webhook-unverified-py
async def hook_dependency(request: Request):
    store(await request.json())


@router.post("/webhooks/ideogram/annotated")
# ok: webhook-unverified-py
async def hook_annotated(request: Request, _: Annotated[None, Depends(verify_webhook_signature)]):
    store(await request.json())


@app.route("/webhooks/signed", methods=["POST"])
@require_signature
# ok: webhook-unverified-py
def hook_decorated():
    store(request.get_json())
    return "", 204


@app.route("/oauth/callback")
# ok: webhook-unverified-py
def oauth_callback():
    return exchange_code(request.args["code"])


@api.post("/auth/callback")
# ok: webhook-unverified-py
async def sso_callback(request: Request):
    return await finish_login(request)


@api.get("/webhooks/ideogram")
# ok: webhook-unverified-py
async def webhook_status():
    return {"status": "listening"}


@api.post("/generate")
# ok: webhook-unverified-py
async def generate(request: Request):
    return await start_generation(await request.json())


# ok: webhook-unverified-py
def progress_callback(done: int, total: int) -> None:
    print(done, total)


def compare_versions(a: str, b: str) -> bool:
    # ok: webhook-unverified-py
    return a == b


# ruleid: webhook-unverified-py
def ideogram_webhook_wsgi(environ, start_response):
    store(json.loads(environ["wsgi.input"].read()))
    start_response("204 No Content", [])
    return [b""]


# ---- issue 13: vendor SDK verification counts

line_handler = None  # linebot.v3.WebhookHandler(channel_secret)
slack_verifier = None  # slack_sdk.signature.SignatureVerifier(signing_secret)


# ok: webhook-unverified-py
@app.route("/line/callback", methods=["POST"])
def line_callback():
    signature = request.headers["X-Line-Signature"]
    body = request.get_data(as_text=True)
    line_handler.handle(body, signature)
    return "OK"


# ok: webhook-unverified-py
@app.route("/slack/webhook", methods=["POST"])
def slack_webhook():
    if not slack_verifier.is_valid(request.get_data(), request.headers.get("X-Slack-Request-Timestamp"),
                                   request.headers.get("X-Slack-Signature")):
        abort(401)
    return "", 200
