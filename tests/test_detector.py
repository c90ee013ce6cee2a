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
