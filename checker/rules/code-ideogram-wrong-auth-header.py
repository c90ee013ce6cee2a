# Test cases for code-ideogram-wrong-auth-header (Python).
import os

import httpx
import requests

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
BASE = "https://api.ideogram.ai"
OPENAI_URL = "https://api.openai.com/v1/images/generations"


def bearer_literal_url(prompt):
    key = os.environ["IDEOGRAM_API_KEY"]
    # ruleid: code-ideogram-wrong-auth-header-py
    return requests.post(IDEOGRAM_URL, headers={"Authorization": f"Bearer {key}"}, json={"prompt": prompt}, timeout=60)


def bearer_headers_var(prompt, token):
    headers = {"authorization": "Bearer " + token, "Content-Type": "application/json"}
    # ruleid: code-ideogram-wrong-auth-header-py
    return requests.post(f"{BASE}/generate", headers=headers, json={"image_request": {"prompt": prompt}}, timeout=60)


def bearer_env_host(prompt, token):
    url = os.getenv("IDEOGRAM_API_URL", "")
    # ruleid: code-ideogram-wrong-auth-header-py
    return requests.post(url, headers={"AUTHORIZATION": "Bearer %s" % token}, timeout=60)


def bearer_with_ideogram_key(url, prompt):
    # the value sent as a bearer token is the Ideogram key, whatever the URL
    headers = {"Authorization": f"Bearer {os.environ['IDEOGRAM_API_KEY']}"}
    # ruleid: code-ideogram-wrong-auth-header-py
    return requests.post(url, headers=headers, json={"prompt": prompt}, timeout=60)


def bearer_client(prompt, token):
    with httpx.Client(base_url=BASE, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        # ruleid: code-ideogram-wrong-auth-header-py
        return client.post("/v1/ideogram-v3/generate", files={"prompt": (None, prompt)})


def bearer_setitem(prompt, token):
    headers = {}
    headers["Authorization"] = f"Bearer {token}"
    # ruleid: code-ideogram-wrong-auth-header-py
    return requests.post(IDEOGRAM_URL, headers=headers, files={"prompt": (None, prompt)}, timeout=60)


def bearer_session(prompt, token):
    s = requests.Session()
    s.headers["Authorization"] = "Bearer {}".format(token)
    # ruleid: code-ideogram-wrong-auth-header-py
    return s.post(IDEOGRAM_URL, files={"prompt": (None, prompt)}, timeout=60)


class Client:
    def __init__(self, token):
        self.base_url = "https://api.ideogram.ai"
        self.token = token

    def generate(self, prompt):
        # ruleid: code-ideogram-wrong-auth-header-py
        return requests.post(f"{self.base_url}/generate", headers={"Authorization": f"Bearer {self.token}"}, timeout=60)


# ---- ok


def ok_api_key(prompt):
    # ok: code-ideogram-wrong-auth-header-py
    return requests.post(IDEOGRAM_URL, headers={"Api-Key": os.environ["IDEOGRAM_API_KEY"]}, timeout=60)


def ok_api_key_lowercase(prompt):
    headers = {"api-key": os.environ["IDEOGRAM_API_KEY"], "Accept": "application/json"}
    # ok: code-ideogram-wrong-auth-header-py
    return requests.post(f"{BASE}/generate", headers=headers, timeout=60)


def ok_other_api_bearer(prompt):
    # ok: code-ideogram-wrong-auth-header-py
    return requests.post(OPENAI_URL, headers={"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}, timeout=60)


def ok_mixed_file(prompt):
    ideo = requests.post(IDEOGRAM_URL, headers={"Api-Key": os.environ["IDEOGRAM_API_KEY"]}, timeout=60)
    # ok: code-ideogram-wrong-auth-header-py
    other = requests.post(OPENAI_URL, headers={"Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]}, timeout=60)
    return ideo, other


def ok_upload_result(prompt, token):
    r = requests.post(IDEOGRAM_URL, headers={"Api-Key": os.environ["IDEOGRAM_API_KEY"]}, timeout=60)
    image_url = r.json()["data"][0]["url"]
    # uploading the image to our own storage with its own bearer token is fine
    # ok: code-ideogram-wrong-auth-header-py
    return requests.put("https://storage.example.com/upload", headers={"Authorization": f"Bearer {token}"}, data=image_url, timeout=60)


def ok_basic_auth(prompt):
    # ok: code-ideogram-wrong-auth-header-py
    return requests.post("https://internal.example.com/hook", headers={"Authorization": "Basic abc"}, timeout=60)


def ok_webhook_receiver(request):
    # an inbound webhook check is not an outbound Ideogram call
    # ok: code-ideogram-wrong-auth-header-py
    token = request.headers.get("Authorization")
    return token


class OkClient:
    def __init__(self, key):
        self.base_url = "https://api.ideogram.ai"
        self.headers = {"Api-Key": key}

    def generate(self, prompt):
        # ok: code-ideogram-wrong-auth-header-py
        return requests.post(f"{self.base_url}/generate", headers=self.headers, timeout=60)
