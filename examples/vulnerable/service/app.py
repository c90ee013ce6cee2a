"""The HTTP API of the image service: a thin WSGI app."""

import json
import sqlite3

from service.ideogram_client import generate

db = sqlite3.connect("images.db", check_same_thread=False)


def create_image(environ, start_response):
    body = json.loads(environ["wsgi.input"].read() or b"{}")
    url = generate(body["prompt"], db)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"url": url}).encode()]
