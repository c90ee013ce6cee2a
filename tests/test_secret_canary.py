"""The secret canary: a unique fake key planted everywhere must never reach any output of any command."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

CANARY = "ik_canary_" + secrets.token_hex(12)
CANARY_PREFIX = CANARY[:8]


def planted_repo(make_repo) -> Path:
    return make_repo({
        "service/client.py": (
            "import logging, requests\n"
            f'IDEOGRAM_API_KEY = "{CANARY}"\n'
            "def go():\n"
            f'    logging.info("key %s", "{CANARY}")\n'
            f'    return requests.post("https://api.ideogram.ai/generate", headers={{"Api-Key": "{CANARY}"}})\n'
        ),
        "web/.env.local": f"NEXT_PUBLIC_IDEOGRAM_API_KEY={CANARY}\n",
        "k8s/deploy.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ideogram-app}\nspec:\n  replicas: 1\n"
            "  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec:\n"
            "      containers:\n        - name: app\n          image: app:1\n          env:\n"
            f"            - name: IDEOGRAM_API_KEY\n              value: \"{CANARY}\"\n"
        ),
        "notebook.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": [f'ideogram_key = "{CANARY}"\n']}],
                                      "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
    })


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text
        assert CANARY[10:] not in text  # the random part alone


@pytest.mark.parametrize("in_actions", [False, True])
def test_check_never_prints_the_planted_key(cli, make_repo, tmp_path, in_actions):
    root = planted_repo(make_repo)
    out = {name: tmp_path / name for name in ("r.json", "r.sarif", "summary.md")}
    env = {"IDEOGRAM_API_KEY": CANARY, "IDEOGRAM_PROD_LOG_LEVEL": "DEBUG"}
    if in_actions:
        env |= {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(out["summary.md"])}
    result = cli("check", str(root), "--json", str(out["r.json"]), "--sarif", str(out["r.sarif"]),
                 "--summary", str(out["summary.md"]), "--github", "-vv", env=env)
    assert result.returncode == 1, result.stderr
    files = [p.read_text() for p in out.values()]
    assert_clean(result.stdout, result.stderr, *files)
    doc = json.loads(files[0])
    found = {(f["check_id"], f["location"]["path"]) for f in doc["findings"]}
    for planted in ("service/client.py", "web/.env.local", "k8s/deploy.yaml", "notebook.ipynb"):
        assert ("secret-ideogram-key", planted) in found  # found everywhere, only never shown
    assert "::error " in result.stdout


def test_failure_paths_never_print_the_key(cli, make_repo, tmp_path):
    root = planted_repo(make_repo)
    env = {"IDEOGRAM_API_KEY": CANARY}
    (root / ".ideogram-prod.yaml").write_text(f"checks:\n  secret-generic:\n    severity: {CANARY}\n")
    bad_config = cli("check", str(root), env=env)
    assert bad_config.returncode == 2
    (root / ".ideogram-prod.yaml").unlink()
    bad_ref = cli("check", str(root), "--diff-base", CANARY, env=env)
    assert bad_ref.returncode == 2
    crash = tmp_path / "crash.sh"
    crash.write_text(f"#!/bin/sh\necho 'boom {CANARY}' >&2\nexit 3\n")
    crash.chmod(0o755)
    crashed = cli("check", str(root), "--json", str(tmp_path / "c.json"), env=env | {"IDEOGRAM_PROD_SEMGREP": str(crash)})
    assert crashed.returncode == 1
    for result in (bad_config, bad_ref, crashed):
        assert_clean(result.stdout, result.stderr)
    assert_clean((tmp_path / "c.json").read_text())


def test_rollout_commands_never_print_the_key(cli, cluster, tmp_path):
    """Even a Deployment that (wrongly) carries the key as a literal env value never leaks it through rollout."""
    cluster.apply({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "app:1", "env": [
                {"name": "IDEOGRAM_API_KEY", "value": CANARY}]}]}}},
    })
    cluster.service("web", selector={"app": "web"})
    cluster.settle()
    env = {"IDEOGRAM_API_KEY": CANARY, "IDEOGRAM_PROD_LOG_LEVEL": "DEBUG"}
    common = ("--kubeconfig", str(cluster.kubeconfig), "-d", "web", "-n", "default")
    outputs: list[str] = []
    steps = [("start", "--image", "app:2"), ("status",), ("promote", "--weight", "100"), ("undo",),
             ("start", "--image", "app:3", "--weight", "150")]
    for i, step in enumerate(steps):
        json_out, md_out = tmp_path / f"{i}.json", tmp_path / f"{i}.md"
        extra = ("--json", str(json_out)) + (("--summary", str(md_out)) if step[0] != "status" else ())
        result = cli("rollout", *step, *common, *extra, env=env, cwd=tmp_path)
        outputs += [result.stdout, result.stderr]
        outputs += [p.read_text() for p in (json_out, md_out) if p.exists()]
        if i < 4:
            assert result.returncode == 0, (step, result.stderr)
    assert_clean(*outputs)
