"""`ideogram-prod github setup`: the deploy workflow's environments and the required check, without clicking.

Plain httpx, not githubkit: five REST calls do not pay for a client that generates models for all of GitHub's API.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.commands.output import say
from checker.errors import CheckerError, ExitCode, InputError, UsageError
from checker.redact import REDACTOR

NAME = "github"
DEFAULT_API = "https://api.github.com"
DEFAULT_CHECK = "ideogram-prod check"
RULESET_NAME = "ideogram-prod"
API_VERSION = "2022-11-28"
TIMEOUT_S = 30.0
MAX_WAIT_TIMER = 43_200  # minutes; GitHub's limit (30 days)
# The GitHub Actions app: a required check names it, or any app (or token) could post a green status of that name.
# https://docs.github.com/rest/repos/rules#create-a-repository-ruleset (required_status_checks.integration_id)
GITHUB_ACTIONS_APP_ID = 15368
_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_TEAM = re.compile(r"^team:([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100})$")


class GitHubApiError(CheckerError):
    """GitHub refused or failed a request: the setup is incomplete (exit 1)."""

    exit_code = ExitCode.FAILED


@dataclass(frozen=True)
class Reviewer:
    kind: str  # "User" or "Team", as the environments API names them
    name: str  # login, or "org/slug" for a team

    def __str__(self) -> str:
        return self.name if self.kind == "User" else f"team {self.name}"


@dataclass(frozen=True)
class EnvironmentPlan:
    name: str
    purpose: str
    reviewers: tuple[Reviewer, ...] = ()
    wait_timer: int = 0
    branches: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"reviewers: {', '.join(map(str, self.reviewers))} (prevent self-review)"
                 if self.reviewers else "no reviewers"]
        parts.append(f"wait timer: {self.wait_timer} min")
        parts.append(f"deployment branches: {', '.join(self.branches)}")
        return f"environment {self.name} ({self.purpose}): " + "; ".join(parts)


@dataclass(frozen=True)
class Plan:
    owner: str
    repo: str
    environments: tuple[EnvironmentPlan, ...]
    branch: str
    checks: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def describe_ruleset(self) -> str:
        names = ", ".join(f'"{c}"' for c in self.checks)
        return (f"ruleset {RULESET_NAME} on {self.branch}: required status check(s) {names}, "
                f"from GitHub Actions only (app {GITHUB_ACTIONS_APP_ID})")


def parse_reviewers(raw: str | None) -> tuple[Reviewer, ...]:
    """`alice,team:org/sre` -> reviewers; GitHub allows at most 6 per environment."""
    out: list[Reviewer] = []
    for part in (p.strip() for p in (raw or "").split(",")):
        if not part:
            continue
        team = _TEAM.match(part)
        if team:
            out.append(Reviewer("Team", f"{team.group(1)}/{team.group(2)}"))
        elif _LOGIN.match(part):
            out.append(Reviewer("User", part))
        else:
            raise UsageError(f"--reviewers: {part!r} is neither a login nor team:ORG/SLUG")
    if len(out) > 6:
        raise UsageError("--reviewers: GitHub allows at most 6 required reviewers per environment")
    if len(set(out)) != len(out):
        raise UsageError("--reviewers: a reviewer is listed twice")
    return tuple(out)


def setup_plan(repo: str, prefix: str, reviewers: tuple[Reviewer, ...], branch: str,
               checks: tuple[str, ...], canary_wait: int) -> Plan:
    """The environments the deploy template uses, with the protection each one needs."""
    if not _REPO.match(repo):
        raise UsageError(f"--repo: {repo!r} is not OWNER/NAME")
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,200}", prefix):
        raise UsageError("--environment: letters, digits, '.', '_' and '-' only")
    if not branch or branch.startswith("-") or " " in branch:
        raise UsageError(f"--branch: {branch!r} is not a branch name")
    if not 0 <= canary_wait <= MAX_WAIT_TIMER:
        raise UsageError(f"--canary-wait-timer: must be 0..{MAX_WAIT_TIMER} minutes")
    if not checks:
        raise UsageError("--check: give at least one status check name")
    owner, name = repo.split("/", 1)
    on = (branch,)
    envs = (
        EnvironmentPlan(f"{prefix}-gates", "preflight, analysis, verify: read-only credentials", branches=on),
        EnvironmentPlan(f"{prefix}-canary", "the 10% canary", wait_timer=canary_wait, branches=on),
        EnvironmentPlan(f"{prefix}-approval", "approval before 50%", reviewers, branches=on),
        EnvironmentPlan(prefix, "approval before 100%", reviewers, branches=on),
        # Never reviewers or a timer here: an automatic rollback must not wait for a human.
        EnvironmentPlan(f"{prefix}-rollback", "automatic and manual rollback", branches=on),
    )
    notes: tuple[str, ...] = ()
    if not reviewers:
        notes = ("no --reviewers: nobody approves 50% and 100%; the metric gates alone decide",)
    return Plan(owner, name, envs, branch, checks, notes)


class GitHub:
    """The few REST endpoints setup needs; every error becomes one line naming the request."""

    def __init__(self, api_url: str, token: str, timeout: float = TIMEOUT_S) -> None:
        import httpx

        self._httpx = httpx
        self._client = httpx.Client(
            base_url=api_url.rstrip("/"), timeout=timeout, follow_redirects=False,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                     "X-GitHub-Api-Version": API_VERSION, "User-Agent": "ideogram-prod"})

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                allow: Sequence[int] = ()) -> tuple[int, Any]:
        try:
            resp = self._client.request(method, path, json=body)
        except self._httpx.HTTPError as exc:
            raise GitHubApiError(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        if resp.status_code in allow:
            return resp.status_code, None
        if resp.status_code >= 400:
            message = ""
            try:
                data = resp.json()
                message = str(data.get("message", "")) if isinstance(data, dict) else ""
            except ValueError:
                pass
            hint = " (the token needs admin rights on the repository)" if resp.status_code in (401, 403) else ""
            raise GitHubApiError(f"{method} {path}: HTTP {resp.status_code} {message}".rstrip() + hint)
        try:
            return resp.status_code, resp.json() if resp.content else None
        except ValueError:
            raise GitHubApiError(f"{method} {path}: HTTP {resp.status_code} answered with non-JSON") from None


def _reviewer_ids(gh: GitHub, reviewers: tuple[Reviewer, ...]) -> list[dict[str, Any]]:
    out = []
    for r in reviewers:
        path = f"/users/{r.name}" if r.kind == "User" else "/orgs/{}/teams/{}".format(*r.name.split("/", 1))
        status, data = gh.request("GET", path, allow=(404,))
        if status == 404 or not isinstance(data, dict) or not isinstance(data.get("id"), int):
            raise InputError(f"--reviewers: {r} not found on GitHub")
        out.append({"type": r.kind, "id": data["id"]})
    return out


def _apply_environment(gh: GitHub, plan: Plan, env: EnvironmentPlan, ids: list[dict[str, Any]]) -> str:
    base = f"/repos/{plan.owner}/{plan.repo}/environments/{env.name}"
    status, _ = gh.request("GET", base, allow=(404,))
    verb = "created" if status == 404 else "updated"
    body: dict[str, Any] = {
        "wait_timer": env.wait_timer,
        "prevent_self_review": bool(env.reviewers),
        "reviewers": ids if env.reviewers else [],
        "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
    }
    gh.request("PUT", base, body)
    _, data = gh.request("GET", f"{base}/deployment-branch-policies?per_page=100")
    have = {(p.get("name"), p.get("type", "branch")) for p in (data or {}).get("branch_policies", [])
            if isinstance(p, dict)}
    for branch in env.branches:
        if (branch, "branch") not in have:
            gh.request("POST", f"{base}/deployment-branch-policies", {"name": branch, "type": "branch"})
    return verb


def _apply_ruleset(gh: GitHub, plan: Plan) -> str:
    base = f"/repos/{plan.owner}/{plan.repo}/rulesets"
    body = {
        "name": RULESET_NAME, "target": "branch", "enforcement": "active",
        "conditions": {"ref_name": {"include": [f"refs/heads/{plan.branch}"], "exclude": []}},
        "rules": [{"type": "required_status_checks", "parameters": {
            "strict_required_status_checks_policy": False,
            "required_status_checks": [{"context": c, "integration_id": GITHUB_ACTIONS_APP_ID}
                                       for c in plan.checks]}}],
    }
    _, existing = gh.request("GET", f"{base}?per_page=100&includes_parents=false")
    for rs in existing or []:
        if isinstance(rs, dict) and rs.get("name") == RULESET_NAME and isinstance(rs.get("id"), int):
            gh.request("PUT", f"{base}/{rs['id']}", body)
            return "updated"
    gh.request("POST", base, body)
    return "created"


def apply_plan(gh: GitHub, plan: Plan) -> list[str]:
    """Idempotent: a second run updates the same environments and ruleset and adds nothing twice."""
    reviewers = next((e.reviewers for e in plan.environments if e.reviewers), ())
    ids = _reviewer_ids(gh, reviewers)
    lines = [f"{_apply_environment(gh, plan, env, ids)} {env.describe()}" for env in plan.environments]
    lines.append(f"{_apply_ruleset(gh, plan)} {plan.describe_ruleset()}")
    return lines


def _token() -> str | None:
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        value = os.environ.get(name, "").strip()
        if value:
            REDACTOR.register(value)
            return value
    return None


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    gh = sub.add_parser(NAME, parents=[common], help="set up GitHub for the deploy workflow")
    gh_sub = gh.add_subparsers(dest="github_command", metavar="COMMAND", parser_class=type(gh))
    gh_sub.required = True
    p = gh_sub.add_parser("setup", parents=[common],
                          help="create the deploy environments and the required status check (dry run by default)")
    p.add_argument("--repo", required=True, metavar="OWNER/NAME", help="the repository to set up")
    p.add_argument("--apply", action="store_true", help="make the changes (default: print the plan only)")
    p.add_argument("--api-url", default=DEFAULT_API, metavar="URL",
                   help=f"REST API base URL (default {DEFAULT_API}; GitHub Enterprise: https://HOST/api/v3)")
    p.add_argument("--environment", default="production", metavar="NAME",
                   help="base environment name (default production: production-gates, -canary, -approval, "
                        "production, -rollback)")
    p.add_argument("--reviewers", metavar="LIST",
                   help="reviewers required for the 50%% and 100%% stages: logins and team:ORG/SLUG, comma-separated")
    p.add_argument("--branch", default="main",
                   help="the only branch allowed to deploy, and the protected branch")
    p.add_argument("--check", action="append", metavar="NAME",
                   help=f'required status check (repeatable; default "{DEFAULT_CHECK}")')
    p.add_argument("--canary-wait-timer", type=int, default=0, metavar="MINUTES",
                   help="wait timer before the 10%% canary (default 0)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not re.match(r"^https?://[^\s/]+", args.api_url):
        raise UsageError(f"--api-url: {args.api_url!r} is not an http(s) URL")
    plan = setup_plan(args.repo, args.environment, parse_reviewers(args.reviewers), args.branch,
                      tuple(args.check or (DEFAULT_CHECK,)), args.canary_wait_timer)
    token = _token()
    if not args.apply:
        say(f"github setup for {args.repo}: dry run, nothing changed (add --apply to make these changes)\n")
        for env in plan.environments:
            say(f"  would set {env.describe()}\n")
        say(f"  would set {plan.describe_ruleset()}\n")
        for note in plan.notes:
            say(f"  note: {note}\n")
        return int(ExitCode.OK)
    if token is None:
        raise UsageError("--apply needs a token with admin rights on the repository in GITHUB_TOKEN or GH_TOKEN")
    gh = GitHub(args.api_url, token)
    try:
        lines = apply_plan(gh, plan)
    finally:
        gh.close()
    say(REDACTOR(f"github setup for {args.repo}: done\n" + "".join(f"  {line}\n" for line in lines)))
    for note in plan.notes:
        say(f"  note: {note}\n")
    return int(ExitCode.OK)
