"""Receives Ideogram webhooks."""

import json

WEBHOOK_SECRET = "whsec_unused"


def ideogram_webhook(environ, start_response):
    payload = json.loads(environ["wsgi.input"].read())
    signature = environ.get("HTTP_X_SIGNATURE", "")
    if signature == payload.get("signature"):
        print("verified")
    start_response("200 OK", [])
    return [b"ok"]
