""""Passed" means looked: a check that read nothing is skipped with its reason (never passed), a file no check
could read is an error, and under --diff-base a pull request cannot dodge the repository-wide checks by
leaving the lines they anchor their findings on untouched."""

from __future__ import annotations

from importlib import resources

from tests.adversarial.hostile import KEY, GateRun, assert_not_passed, gate, hostile_repo, pr_commit

RUNBOOK = (resources.files("checker") / "templates" / "RUNBOOK.md.tmpl").read_text(encoding="utf-8")
DOCS = "docs-runbook,docs-key-rotation,docs-rollback,docs-escalation"
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: ideogram-api}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers:
        - name: api
          image: ideogram-api:1
          env:
            - name: IDEOGRAM_API_KEY
              valueFrom: {secretKeyRef: {name: ideogram, key: api-key}}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
"""
K8S = "k8s-key-literal,k8s-key-missing,k8s-probes-missing,k8s-resources-missing,k8s-manifest-invalid"


def results(run: GateRun) -> dict[str, dict[str, object]]:
    return {r["check_id"]: r for r in run.report["results"]}  # type: ignore[index, union-attr]


def assert_looked(run: GateRun) -> None:
    """The rule itself, over a whole report: nothing passes that read no file."""
    for r in results(run).values():
        files = r["files"]
        if r["status"] == "passed" and files is not None:
            assert files["read"] > 0 and files["given"] >= files["read"], r  # type: ignore[index, operator]


def _without_section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.index("\n## ", start + 1)
    return text[:start] + text[end + 1:]


def test_a_pr_that_guts_the_runbook_is_judged_although_its_findings_sit_on_untouched_lines(tmp_path):
    repo = hostile_repo(tmp_path, {"docs/RUNBOOK.md": RUNBOOK})
    assert gate(repo, "--select", DOCS).returncode == 0  # the base is a complete runbook
    base = pr_commit(repo, {"docs/RUNBOOK.md": _without_section(RUNBOOK, "## Rollback procedure")})
    run = gate(repo, "--select", DOCS, "--diff-base", base, "--fail-on", "warning")
    assert_not_passed(run, "docs-rollback")
    assert_looked(run)


def test_a_pr_that_drops_the_probes_is_judged_although_the_container_line_is_unchanged(tmp_path):
    repo = hostile_repo(tmp_path, {"k8s/deployment.yaml": DEPLOYMENT})
    assert gate(repo, "--select", K8S).returncode == 0
    gutted = DEPLOYMENT[:DEPLOYMENT.index("          readinessProbe:")]
    base = pr_commit(repo, {"k8s/deployment.yaml": gutted})
    run = gate(repo, "--select", K8S, "--diff-base", base, "--fail-on", "warning")
    assert_not_passed(run, "k8s-probes-missing")
    assert_looked(run)


def test_repository_wide_checks_the_change_does_not_touch_say_not_evaluated(tmp_path):
    repo = hostile_repo(tmp_path, {"README.md": "# app\n", "k8s/deployment.yaml": DEPLOYMENT})
    base = pr_commit(repo, {"app/settings.py": f'IDEOGRAM_API_KEY = "{KEY}"\n'})
    run = gate(repo, "--diff-base", base)
    assert_not_passed(run, "secret-ideogram-key")
    by_id = results(run)
    for check_id in (*DOCS.split(","), *K8S.split(","), "alerts-missing"):
        assert by_id[check_id]["status"] == "skipped", by_id[check_id]
        assert str(by_id[check_id]["reason"]).startswith("not evaluated (diff mode)"), by_id[check_id]
    assert_looked(run)


def test_rules_that_found_no_ideogram_code_are_skipped_and_their_items_not_applicable(tmp_path):
    # a .env naming Ideogram is no Ideogram code for the Python/TypeScript rules: they read nothing, never pass
    repo = hostile_repo(tmp_path, {"app/main.py": "print('hello')\n", ".env": "IDEOGRAM_BASE_URL=https://api.ideogram.ai\n",
                                   "settings.json": f'{{"IDEOGRAM_API_KEY": "{KEY}"}}\n'})
    run = gate(repo)
    assert_not_passed(run, "secret-ideogram-key")
    by_id = results(run)
    for check_id in ("code-ideogram-no-backoff", "code-ideogram-no-timeout", "code-no-circuit-breaker"):
        assert by_id[check_id]["status"] == "skipped" and by_id[check_id]["applicable"] is False
        assert str(by_id[check_id]["reason"]).startswith("no Ideogram code in this repository")
    items = {e["item"]: e["status"] for e in run.report["checklist"]}  # type: ignore[index, union-attr]
    assert items["step2.rate-limit-backoff"] == "not applicable"
    assert items["step3.circuit-breaker"] == "not applicable"
    assert_looked(run)


def test_a_manifest_in_utf16_is_still_read(tmp_path):
    literal = DEPLOYMENT.replace("valueFrom: {secretKeyRef: {name: ideogram, key: api-key}}", f'value: "{KEY}"')
    repo = hostile_repo(tmp_path, {"k8s/deployment.yaml": literal.encode("utf-16-le")})
    run = gate(repo, "--select", K8S)
    assert_not_passed(run, "k8s-key-literal")
    assert_looked(run)


def test_a_webhook_url_in_a_latin1_file_is_still_read(tmp_path):
    source = 'WEBHOOK_URL = "http://hooks.example.com/ideogram"  # caf\xe9\n'.encode("latin-1")
    repo = hostile_repo(tmp_path, {"app/hooks.py": source})
    run = gate(repo, "--select", "webhook-insecure-url")
    assert_not_passed(run, "webhook-insecure-url")
    assert_looked(run)


def test_a_pr_that_deletes_the_runbook_is_judged(tmp_path):
    repo = hostile_repo(tmp_path, {"docs/RUNBOOK.md": RUNBOOK, "README.md": "# app\n"})
    (repo / "docs" / "RUNBOOK.md").unlink()
    base = pr_commit(repo, {})
    run = gate(repo, "--select", DOCS, "--diff-base", base, "--fail-on", "warning")
    assert_not_passed(run, "docs-runbook", "docs-rollback")
    assert_looked(run)
