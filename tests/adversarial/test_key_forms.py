"""Attack family: a key committed in an everyday form that detect-secrets' own filters drop (a literal passed to a
call, a lookup's default, a client constructor). Each must fail the gate, in the file and on the line it is on."""

from __future__ import annotations

from pathlib import Path

from tests.adversarial.hostile import KEY, assert_not_passed, gate, hostile_repo

CHECK = "secret-ideogram-key"

FORMS: dict[str, tuple[str, int]] = {
    "app/client.py": (f'from ideogram import IdeogramClient\n\nclient = IdeogramClient(api_key="{KEY}")\n', 3),
    "app/call.py": (f'import requests\n\nr = requests.post(URL, headers={{"Api-Key": "{KEY}"}}, timeout=30)\n', 3),
    "app/getenv.py": (f'import os\n\nKEY = os.getenv("IDEOGRAM_API_KEY", "{KEY}")\n', 3),
    "app/environ.py": (f'import os\n\nKEY = os.environ.get("IDEOGRAM_API_KEY") or "{KEY}"\n', 3),
    "web/nullish.ts": (f'export const key = process.env.IDEOGRAM_API_KEY ?? "{KEY}";\n', 1),
    "web/client.ts": (f'import Ideogram from "ideogram";\nconst client = new Ideogram({{ apiKey: "{KEY}" }});\n', 2),
    "web/multiline.ts": (f'const client = new Ideogram({{\n  apiKey: "{KEY}",\n}});\n', 2),
}


def test_every_everyday_key_form_fails_the_gate(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {path: text for path, (text, _) in FORMS.items()})
    run = gate(repo, "--select", CHECK)
    assert_not_passed(run, CHECK)
    found = {(f["location"]["path"], f["location"]["line"]) for f in run.report["findings"]}  # type: ignore[index]
    assert found == {(path, line) for path, (_, line) in FORMS.items()}


def test_a_line_built_to_stall_the_detector_does_not_hide_a_key(tmp_path: Path) -> None:
    """~1 MB of `ideogram_` (nested-star regexes backtrack quadratically on it: 18 KB took 3 s), then the key."""
    import time

    line = "var a='" + "ideogram_" * 110_000 + f"';const IDEOGRAM_API_KEY=\"{KEY}\";\n"
    repo = hostile_repo(tmp_path, {"dist/bundle.min.js": line, "src/api.ts": "IdeogramClient(" * 60_000 + "\n"})
    start = time.monotonic()
    run = gate(repo, "--select", CHECK)
    assert time.monotonic() - start < 120
    assert_not_passed(run, CHECK)
    assert [(f["location"]["path"], f["location"]["line"]) for f in run.report["findings"]] \
        == [("dist/bundle.min.js", 1)]  # type: ignore[index]
