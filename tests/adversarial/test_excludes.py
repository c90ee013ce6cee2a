"""Attack family: a key committed where a scanner does not look by default: the code rules' excludes (vendor/,
dist/, build/, *.min.js, a committed node_modules/) and detect-secrets' own file-name filters (lock files,
"non-text" extensions, swagger specs). Secrets are scanned in every file git tracks."""

from __future__ import annotations

from pathlib import Path

from tests.adversarial.hostile import KEY, assert_not_passed, gate, hostile_repo

CHECK = "secret-ideogram-key"
AWS = "AKIA" + "Z7QWERTYUIOPASDF"  # a provider pattern: found even inside a lock file

PLACES: dict[str, str] = {
    "vendor/x.py": f'IDEOGRAM_API_KEY = "{KEY}"\n',
    "dist/app.min.js": f'var a=1;const ideogramApiKey="{KEY}";function f(){{return a}}\n',
    "build/config.js": f'module.exports = {{ ideogramKey: "{KEY}" }};\n',
    "node_modules/sdk/index.js": f'headers["Api-Key"] = "{KEY}";\nconst h = {{"Api-Key": "{KEY}"}};\n',
    "third_party/lib/settings.py": f'ideogram_token = "{KEY}"\n',
    ".next/server/chunk.js": f'const IDEOGRAM_API_KEY="{KEY}";\n',
    "coverage/lcov.info": f"IDEOGRAM_API_KEY={KEY}\n",
    "styles/site.css": f'/* IDEOGRAM_API_KEY="{KEY}" */ body {{ color: red }}\n',
    "assets/notes.svg": f'<svg><!-- ideogram_key: "{KEY}" --></svg>\n',
    "api/swagger.yaml": f"components:\n  examples:\n    ideogram_api_key: {KEY}\n",
    "custom.lock": f"IDEOGRAM_API_KEY={KEY}\n",
}


def test_keys_in_default_excluded_places_fail_the_gate(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"app.py": "print('hello')\n", **PLACES})
    run = gate(repo, "--select", CHECK)
    assert_not_passed(run, CHECK)
    found = {f["location"]["path"] for f in run.report["findings"]}  # type: ignore[index]
    assert found == set(PLACES)


def test_a_provider_token_in_a_lock_file_fails_the_gate(tmp_path: Path) -> None:
    lock = ('{\n  "name": "app",\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/x": {\n'
            f'      "resolved": "https://registry.npmjs.org/x/-/x-1.0.0.tgz",\n      "note": "{AWS}"\n    }}\n  }}\n}}\n')
    repo = hostile_repo(tmp_path, {"package-lock.json": lock, "go.sum": f"example.com/m v1.0.0 h1:{AWS}=\n"})
    run = gate(repo, "--select", "secret-generic", key=None)
    assert_not_passed(run, "secret-generic")
    found = {(f["location"]["path"], f["message"]) for f in run.report["findings"]}  # type: ignore[index]
    assert found == {("package-lock.json", "AWS Access Key committed in the repository"),
                     ("go.sum", "AWS Access Key committed in the repository")}
    assert AWS not in run.everything()
