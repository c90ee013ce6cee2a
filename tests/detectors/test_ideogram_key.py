"""The Ideogram key detector: context decides, since Ideogram publishes no key format."""

from __future__ import annotations

import pytest
from detect_secrets.util.code_snippet import get_code_snippet

from checker.detectors.ideogram_key import IdeogramKeyDetector, looks_like_key

KEY = "kX9pQ2vL7mN4rT8wZ1yB6cF3hJ5sD0gA"


def found(line: str, previous: str = "") -> list[str]:
    lines = [previous, line] if previous else [line]
    context = get_code_snippet(lines, len(lines))
    secrets = IdeogramKeyDetector().analyze_line(filename="x", line=line, line_number=len(lines), context=context)
    return sorted(s.secret_value or "" for s in secrets)


@pytest.mark.parametrize(
    ("line", "previous"),
    [
        (f'IDEOGRAM_API_KEY = "{KEY}"', ""),
        (f"IDEOGRAM_API_KEY={KEY}", ""),
        (f"export IDEOGRAM_API_KEY='{KEY}'", ""),
        (f'headers = {{"Api-Key": "{KEY}"}}', ""),
        (f"headers: {{ 'api-key': '{KEY}' }},", ""),
        (f'curl -H "Api-Key: {KEY}" https://api.ideogram.ai/generate', ""),
        (f'  "ideogramApiKey": "{KEY}",', ""),
        (f"ideogram_key: {KEY}", ""),
        (f'const ideogramToken = `{KEY}`;', ""),
        (f'    value: "{KEY}"', "  - name: IDEOGRAM_API_KEY"),
        (f"    value: {KEY}", '  - {"name": "IDEOGRAM_KEY",'),
        (f'settings.IDEOGRAM_API_KEY = "{KEY}"', ""),
        (f'"source": ["ideogram_key = \\"{KEY}\\"\\n"]', ""),  # a notebook code cell (JSON)
        # Everyday forms detect-secrets' is_indirect_reference filter drops (the engine runs us outside it):
        (f'client = IdeogramClient(api_key="{KEY}")', ""),
        (f'r = requests.post(URL, headers={{"Api-Key": "{KEY}"}}, json=body, timeout=30)', ""),
        (f'key = os.getenv("IDEOGRAM_API_KEY", "{KEY}")', ""),
        (f"key = os.environ.get('IDEOGRAM_API_KEY', '{KEY}')", ""),
        (f'key = os.environ.get("IDEOGRAM_API_KEY") or "{KEY}"', ""),
        (f'const key = process.env.IDEOGRAM_API_KEY ?? "{KEY}";', ""),
        (f"const key = process.env.IDEOGRAM_API_KEY || '{KEY}';", ""),
        (f'const client = new Ideogram({{ apiKey: "{KEY}" }});', ""),
        (f'client = Ideogram(apiKey="{KEY}", timeout=30)', ""),
        (f'  apiKey: "{KEY}",', "const client = new Ideogram({"),
        (f'curl -H "Api-Key: ${{IDEOGRAM_API_KEY:-{KEY}}}" https://api.ideogram.ai', ""),
    ],
)
def test_detects_keys_by_context(line, previous):
    assert found(line, previous) == [KEY]


@pytest.mark.parametrize(
    ("line", "previous"),
    [
        ('IDEOGRAM_API_KEY = os.environ["IDEOGRAM_API_KEY"]', ""),
        ("IDEOGRAM_API_KEY=${IDEOGRAM_API_KEY}", ""),
        ('IDEOGRAM_API_KEY = "your-ideogram-api-key-here-1234"', ""),
        ('IDEOGRAM_API_KEY = "<IDEOGRAM_API_KEY_GOES_HERE_123>"', ""),
        ("IDEOGRAM_API_KEY=", ""),
        ('headers = {"Api-Key": api_key}', ""),
        ('headers = {"Api-Key": process.env.IDEOGRAM_API_KEY}', ""),
        ('IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"', ""),
        (f'OTHER_SERVICE_TOKEN = "{KEY}"', ""),
        (f'    value: "{KEY}"', "  - name: OPENAI_API_KEY"),
        ('ideogram_model = "V_3_TURBO_ABCDEFGHIJKLMNOPQRST"', ""),
        ("key = settings.ideogram.api_key_for_production", ""),
        ('client = IdeogramClient(api_key=os.environ["IDEOGRAM_API_KEY"])', ""),
        ('key = os.getenv("IDEOGRAM_API_KEY", "your-ideogram-api-key-here")', ""),
        ('const key = process.env.IDEOGRAM_API_KEY ?? "";', ""),
        ("const client = new Ideogram({ apiKey: process.env.IDEOGRAM_API_KEY });", ""),
        (f'const openai = new OpenAI({{ apiKey: "{KEY}" }});', ""),
        (f'  apiKey: "{KEY}",', "const client = new OpenAI({"),
        (f'const key = process.env.OPENAI_API_KEY ?? "{KEY}";', ""),
        ('const client = new Ideogram({ apiKey: "<YOUR_IDEOGRAM_API_KEY_HERE_0123>" });', ""),
        ("const client = new IdeogramClient({ apiKey: 'sk_test_1234567890abcdef' });", ""),
        ("const client = new IdeogramClient({ apiKey: 'test-api-key-for-integration' });", ""),
    ],
)
def test_ignores_references_placeholders_and_other_names(line, previous):
    assert found(line, previous) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [(KEY, True), ("aaaaaaaaaaaaaaaaaaaaaaaa1", False), ("abcdefghijklmnopqrstuvwxyz", False),
     ("xxxx-xxxx-xxxx-xxxx-1234", False), ("replace_me_with_a_real_key_99", False)],
)
def test_looks_like_key(value, expected):
    assert looks_like_key(value) is expected


FORMS = {
    "client.py": f'from ideogram import IdeogramClient\nclient = IdeogramClient(api_key="{KEY}")\n',
    "call.py": f'import requests\nr = requests.post(URL, headers={{"Api-Key": "{KEY}"}}, json={{}}, timeout=30)\n',
    "getenv.py": f'import os\nkey = os.getenv("IDEOGRAM_API_KEY", "{KEY}")\n',
    "nullish.ts": f'export const key = process.env.IDEOGRAM_API_KEY ?? "{KEY}";\n',
    "client.ts": f'const client = new Ideogram({{ apiKey: "{KEY}" }});\n',
    "multiline.ts": f'const client = new Ideogram({{\n  apiKey: "{KEY}",\n}});\n',
}


def test_the_engine_finds_the_forms_detect_secrets_filters_drop(tmp_path):
    """Through the real engine: detect-secrets' CLI (raw mode) misses most of these; the product finds every one."""
    from checker.tools import secrets

    for name, text in FORMS.items():
        (tmp_path / name).write_text(text)
    files = sorted(FORMS)
    product = {h.path for h in secrets.scan(tmp_path, files).hits if h.check_id == "secret-ideogram-key"}
    assert product == set(FORMS)
    raw = {h.path for text in secrets.scan_outputs(tmp_path, files) for h in secrets.parse_output(text)
           if h.check_id == "secret-ideogram-key"}
    assert {"client.py", "call.py", "getenv.py"}.isdisjoint(raw)  # why the detector runs outside the filters
