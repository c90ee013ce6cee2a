"""`github setup` against a local server that speaks the GitHub REST endpoints it uses."""

from __future__ import annotations

import re

import pytest
from pytest_httpserver import HTTPServer

from checker.cli import main
from checker.commands.github_setup import parse_reviewers, setup_plan
from checker.errors import UsageError
from tests.fakes.github_api import TOKEN, FakeGitHub


@pytest.fixture
def github(httpserver: HTTPServer) -> FakeGitHub:
    fake = FakeGitHub()
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(fake.handle)
    return fake


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["github", "setup", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_prints_the_plan_and_calls_nothing(github: FakeGitHub, httpserver: HTTPServer,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, out, err = _run(capsys, "--repo", "acme/shop", "--reviewers", "alice,team:acme/sre",
                          "--api-url", httpserver.url_for(""))
    assert code == 0, err
    assert "dry run, nothing changed" in out
    for env in ("production-gates", "production-canary", "production-approval", "production-rollback"):
        assert f"environment {env} " in out
    assert "environment production (approval before 100%): reviewers: alice, team acme/sre" in out
    assert 'required status check(s) "ideogram-prod check", from GitHub Actions only (app 15368)' in out
    assert github.log == []
    assert TOKEN not in out + err


def test_apply_creates_environments_policies_and_ruleset(github: FakeGitHub, httpserver: HTTPServer,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    code, out, err = _run(capsys, "--repo", "acme/shop", "--reviewers", "alice,team:acme/sre", "--apply",
                          "--canary-wait-timer", "15", "--api-url", httpserver.url_for(""))
    assert code == 0, err
    assert set(github.envs) == {"production-gates", "production-canary", "production-approval", "production",
                                "production-rollback"}
    reviewers = [{"type": "User", "id": 101}, {"type": "Team", "id": 201}]
    for name in ("production-approval", "production"):
        assert github.envs[name]["reviewers"] == reviewers
        assert github.envs[name]["prevent_self_review"] is True
    # The rollback environment must never make an automatic rollback wait for a human.
    assert github.envs["production-rollback"]["reviewers"] == []
    assert github.envs["production-rollback"]["wait_timer"] == 0
    assert github.envs["production-canary"]["wait_timer"] == 15
    for name, env in github.envs.items():
        assert env["deployment_branch_policy"] == {"protected_branches": False, "custom_branch_policies": True}
        assert [p["name"] for p in github.policies[name]] == ["main"]
    (ruleset,) = github.rulesets
    assert ruleset["name"] == "ideogram-prod" and ruleset["enforcement"] == "active"
    assert ruleset["conditions"]["ref_name"]["include"] == ["refs/heads/main"]
    (rule,) = ruleset["rules"]
    assert rule["type"] == "required_status_checks"
    # Pinned to the GitHub Actions app: a status of the same name from any other app or token does not count.
    assert rule["parameters"]["required_status_checks"] == [{"context": "ideogram-prod check",
                                                              "integration_id": 15368}]
    assert "created environment production-rollback" in out and "created ruleset ideogram-prod" in out
    assert TOKEN not in out + err


def test_apply_twice_changes_nothing_twice(github: FakeGitHub, httpserver: HTTPServer,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    argv = ("--repo", "acme/shop", "--reviewers", "bob", "--apply", "--api-url", httpserver.url_for(""),
            "--check", "ideogram-prod check", "--check", "ci-ok")
    assert _run(capsys, *argv)[0] == 0
    first = list(github.log)
    code, out, _ = _run(capsys, *argv)
    assert code == 0
    second = github.log[len(first):]
    assert ("POST", "/repos/acme/shop/rulesets") in first and ("POST", "/repos/acme/shop/rulesets") not in second
    assert ("PUT", "/repos/acme/shop/rulesets/900") in second
    assert not [call for call in second if call[0] == "POST"]
    assert len(github.rulesets) == 1 and all(len(p) == 1 for p in github.policies.values())
    checks = github.rulesets[0]["rules"][0]["parameters"]["required_status_checks"]
    assert checks == [{"context": "ideogram-prod check", "integration_id": 15368},
                      {"context": "ci-ok", "integration_id": 15368}]
    assert "updated environment production-gates" in out and "updated ruleset" in out


def test_enterprise_api_url_with_a_path(httpserver: HTTPServer, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGitHub(prefix="/api/v3")
    httpserver.expect_request(re.compile(r"^/api/v3/.*")).respond_with_handler(fake.handle)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, _, err = _run(capsys, "--repo", "acme/shop", "--apply", "--api-url", httpserver.url_for("/api/v3"))
    assert code == 0, err
    assert len(fake.envs) == 5 and fake.rulesets


def test_api_refusal_is_one_line_exit_1_without_the_token(github: FakeGitHub, httpserver: HTTPServer,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    github.fail[("PUT", "/repos/acme/shop/environments/production-gates")] = 403
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, out, err = _run(capsys, "--repo", "acme/shop", "--apply", "--api-url", httpserver.url_for(""))
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "PUT /repos/acme/shop/environments/production-gates: HTTP 403" in err
    assert "admin rights" in err
    assert TOKEN not in out + err


def test_bad_token_reports_401(github: FakeGitHub, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong_token_value_123456")
    code, out, err = _run(capsys, "--repo", "acme/shop", "--apply", "--api-url", httpserver.url_for(""))
    assert code == 1 and "HTTP 401 Bad credentials" in err
    assert "ghp_wrong_token_value_123456" not in out + err


def test_unknown_reviewer_is_bad_input(github: FakeGitHub, httpserver: HTTPServer,
                                       capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, _, err = _run(capsys, "--repo", "acme/shop", "--reviewers", "mallory", "--apply",
                        "--api-url", httpserver.url_for(""))
    assert code == 2 and "mallory not found" in err
    assert not github.envs  # nothing changed before the input was known to be good


def test_unreachable_api_is_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, _, err = _run(capsys, "--repo", "acme/shop", "--apply", "--api-url", "http://127.0.0.1:9")
    assert code == 1 and err.startswith("ideogram-prod: error: GET /repos/acme/shop/environments/")


@pytest.mark.parametrize("argv, message", [
    (["--repo", "acme"], "--repo: 'acme' is not OWNER/NAME"),
    (["--repo", "acme/shop", "--reviewers", "not a login"], "neither a login nor team"),
    (["--repo", "acme/shop", "--canary-wait-timer", "50000"], "--canary-wait-timer"),
    (["--repo", "acme/shop", "--api-url", "file:///etc"], "--api-url"),
    (["--repo", "acme/shop", "--apply"], "GITHUB_TOKEN or GH_TOKEN"),
])
def test_bad_usage_exits_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    code, _, err = _run(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1


def test_plan_names_match_the_deploy_template() -> None:
    """The environments setup creates are the ones examples/workflows/deploy.yml uses."""
    from pathlib import Path

    import yaml

    deploy = yaml.safe_load((Path(__file__).parents[2] / "examples/workflows/deploy.yml").read_text())
    used = {job["environment"] for job in deploy["jobs"].values() if "environment" in job}
    plan = setup_plan("acme/shop", "production", parse_reviewers("alice"), "main", ("ideogram-prod check",), 0)
    assert used == {env.name for env in plan.environments}


def test_reviewers_limit() -> None:
    with pytest.raises(UsageError):
        parse_reviewers(",".join(f"user{i}" for i in range(7)))
