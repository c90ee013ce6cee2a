import httpx
import pytest

from service import ideogram_client as ic


def make_client(handler):
    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("IDEOGRAM_API_KEY", "test-key-not-real")
    monkeypatch.setattr(ic.time, "sleep", lambda s: None)
    ic.breaker.failures, ic.breaker.opened_at = 0, None


def test_generate_downloads_and_stores_the_image():
    def handler(request):
        if request.url.host == "api.ideogram.ai":
            assert request.headers["Api-Key"] == "test-key-not-real"
            return httpx.Response(200, json={"data": [{"url": "https://cdn.example/x.png", "is_image_safe": True}]})
        return httpx.Response(200, content=b"PNG")

    stored = {}
    result = ic.generate("a cat", make_client(handler), lambda p, c: stored.setdefault("k", c) and "k")
    assert result.key == "k" and stored["k"] == b"PNG"


def test_safety_rejection_is_not_retried():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(422, json={"error": "safety"})

    with pytest.raises(ic.SafetyRejected):
        ic.generate("x", make_client(handler), lambda p, c: "k")
    assert len(calls) == 1


def test_rate_limit_is_retried_then_succeeds():
    answers = [httpx.Response(429, headers={"Retry-After": "1"}),
               httpx.Response(200, json={"data": [{"url": "https://cdn.example/x.png", "is_image_safe": True}]}),
               httpx.Response(200, content=b"PNG")]
    result = ic.generate("x", make_client(lambda r: answers.pop(0)), lambda p, c: "k")
    assert result.key == "k"


def test_unsafe_image_raises():
    def handler(request):
        return httpx.Response(200, json={"data": [{"url": None, "is_image_safe": False}]})

    with pytest.raises(ic.UnsafeImage):
        ic.generate("x", make_client(handler), lambda p, c: "k")
