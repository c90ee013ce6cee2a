"""The config loader refuses YAML that could mean two things or cost the gate its answer, and reads the base ref's
config with git that no environment variable or user config can steer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from checker import config as config_mod
from checker.base_ref import changes, read_blob
from checker.config import MAX_CONFIG_BYTES, load_base_config, load_config, parse_yaml
from checker.errors import ConfigError, InputError
from tests.adversarial.hostile import git, hostile_repo, pr_commit


@pytest.mark.parametrize("text, expected", [
    ("version: 1\n", {"version": 1}),
    ("", None),
    ("# only a comment\n", None),
    # a merge key is YAML's own way to repeat, not a duplicate
    ("base: &b {enabled: true}\nchecks:\n  secret-generic:\n    <<: *b\n    enabled: false\n",
     {"base": {"enabled": True}, "checks": {"secret-generic": {"enabled": False}}}),
    # the same key in two different mappings is fine
    ("a: {x: 1}\nb: {x: 2}\n", {"a": {"x": 1}, "b": {"x": 2}}),
    ("exclude: [a, a]\n", {"exclude": ["a", "a"]}),
])
def test_yaml_that_means_one_thing_loads(text: str, expected: object) -> None:
    assert parse_yaml(text.encode(), "c.yaml") == expected


@pytest.mark.parametrize("text, message", [
    ("exclude: []\nexclude: ['*']\n", "c.yaml: line 2: duplicate key 'exclude'"),
    ("checks:\n  a: {enabled: true, enabled: false}\n", "c.yaml: line 2: duplicate key 'enabled'"),
    ("x:\n  - {k: 1}\n  - {k: 1, k: 2}\n", "c.yaml: line 3: duplicate key 'k'"),
    ("a: " + "[" * 40 + "]" * 40 + "\n", "nested deeper than 32 levels"),
    ("a: " + "[" * 3000 + "]" * 3000 + "\n", "invalid YAML at line 1"),
    ("a: b\n---\nc: d\n", "invalid YAML"),
    ("a: [\n", "invalid YAML at line 2"),
    ("a: !!python/object:os.system x\n", "invalid YAML"),
])
def test_yaml_that_could_mean_two_things_is_one_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_yaml(text.encode(), "c.yaml")
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_size_cap_and_encoding() -> None:
    assert parse_yaml(b"# " + b"x" * (MAX_CONFIG_BYTES - 10) + b"\n", "c.yaml") is None
    with pytest.raises(ConfigError, match="larger than 256 KiB"):
        parse_yaml(b"# " + b"x" * MAX_CONFIG_BYTES + b"\n", "c.yaml")
    with pytest.raises(ConfigError, match="not UTF-8"):
        parse_yaml(b"a: \xff\n", "c.yaml")


def test_the_c_loader_is_used_where_pyyaml_has_it() -> None:
    assert yaml.__with_libyaml__, "the venv's PyYAML should be built with libyaml"
    assert config_mod._Loader is yaml.CSafeLoader


def test_an_alias_bomb_is_walked_once_per_node() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(15)]
    data = parse_yaml(("\n".join(lines) + "\n").encode(), "c.yaml")  # 10**16 leaves if expanded
    assert isinstance(data, dict) and len(data) == 16


def test_a_config_that_is_a_directory_or_a_dangling_link(tmp_path: Path) -> None:
    (tmp_path / ".ideogram-prod.yaml").mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(None, tmp_path)
    (tmp_path / ".ideogram-prod.yaml").rmdir()
    (tmp_path / ".ideogram-prod.yaml").symlink_to(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="not found"):
        load_config(None, tmp_path)
    (tmp_path / ".ideogram-prod.yaml").unlink()
    (tmp_path / ".ideogram-prod.yaml").symlink_to("/dev/null")  # would read as an empty config: the defaults
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(None, tmp_path)


# --- the base ref -----------------------------------------------------------------------------------------------

def test_the_base_config_wins_over_the_checkout(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {".ideogram-prod.yaml": "scan_tests: true\n"})
    base = pr_commit(repo, {".ideogram-prod.yaml": "scan_tests: false\nexclude: ['*']\n"})
    assert load_base_config(None, repo, base).scan_tests is True
    assert load_base_config(None, repo, base).exclude == ()
    assert load_config(None, repo).exclude == ("*",)
    # no config at the base: the defaults, not the PR's
    git(repo, "rm", "-q", ".ideogram-prod.yaml")
    git(repo, "commit", "-q", "-m", "rm")
    empty = pr_commit(repo, {".ideogram-prod.yaml": "exclude: ['*']\n"})
    assert load_base_config(None, repo, empty).exclude == ()


def test_an_explicit_config_outside_the_repository_is_the_operators(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"a.py": "x = 1\n"})
    outside = tmp_path / "central.yaml"
    outside.write_text("scan_tests: true\n")
    assert load_base_config(outside, repo, "HEAD").scan_tests is True
    with pytest.raises(ConfigError, match="not found at the base ref"):
        load_base_config(repo / "ci.yaml", repo, "HEAD")


def test_read_blob_refuses_trees_links_and_bad_refs(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"d/x": "1\n", "f": "data\n"})
    os.symlink("f", repo / "link")
    pr_commit(repo, {})
    assert read_blob(repo, "HEAD", "f", 100) == b"data\n"
    assert read_blob(repo, "HEAD", "missing", 100) is None
    assert read_blob(repo, "HEAD", "f", 2) is not None and len(read_blob(repo, "HEAD", "f", 2) or b"") == 3
    with pytest.raises(ConfigError, match="HEAD:d: is a directory"):
        read_blob(repo, "HEAD", "d", 100)
    with pytest.raises(ConfigError, match="symbolic link"):
        read_blob(repo, "HEAD", "link", 100)
    for ref in ("nope", "--output=/tmp/x"):
        with pytest.raises(InputError):
            read_blob(repo, ref, "f", 100)


def test_git_is_not_steered_by_the_environment_or_user_config(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    repo = hostile_repo(tmp_path, {".ideogram-prod.yaml": "scan_tests: true\n"})
    base = pr_commit(repo, {"dir é/\"q\".gitattributes/.gitattributes": "* -diff\n", ".semgrepignore": "*\n"})
    home = tmp_path / "home"
    home.mkdir()
    user = home / ".gitconfig"
    user.write_text("[core]\n\tquotePath = true\n[diff]\n\tnoprefix = true\n\tmnemonicPrefix = true\n"
                    "\trenames = copies\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(user))
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "index"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.quotepath'='true'")
    assert read_blob(repo, base, ".ideogram-prod.yaml", 100) == b"scan_tests: true\n"
    assert sorted((c.path, c.status) for c in changes(repo, base)) == [
        (".semgrepignore", "A"), ("dir é/\"q\".gitattributes/.gitattributes", "A")]


# --- helpful errors: did you mean, the misnamed file, the $schema modeline ------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("fial_on: warning\n", "fial_on: unknown key (did you mean 'fail_on'?)"),
    ("kubernetes:\n  strcit: false\n", "kubernetes.strcit: unknown key (did you mean 'strict'?)"),
    ("checks:\n  secret-generic:\n    enabeld: false\n", "checks.secret-generic.enabeld: unknown key (did you mean "
     "'enabled'?)"),
    ("cluster:\n  staging:\n    namespce: x\n", "cluster.staging.namespce: unknown key (did you mean 'namespace'?)"),
    ("checks:\n  code-ideogram-no-timout: {enabled: false}\n",
     "unknown check id 'code-ideogram-no-timout' (did you mean 'code-ideogram-no-timeout'?)"),
    ("attestations:\n  step1.key-scope: {by: a, date: 2026-01-01, link: x}\n", "did you mean 'step1.key-scopes'?"),
    ("zzzzzz: 1\n", "zzzzzz: unknown key"),
    ("fail_on: bogus\n", "fail_on: Input should be 'error', 'warning' or 'note'"),
])
def test_a_typo_is_one_line_that_names_the_closest_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".ideogram-prod.yaml").write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_config(None, tmp_path)
    assert message in str(exc.value) and "\n" not in str(exc.value), str(exc.value)
    if "did you mean" not in message:
        assert "did you mean" not in str(exc.value)


def test_fail_on_reads_from_the_config(tmp_path: Path) -> None:
    from checker.findings import Severity

    assert load_config(None, tmp_path).fail_on is Severity.ERROR
    (tmp_path / ".ideogram-prod.yaml").write_text("fail_on: warning\n")
    assert load_config(None, tmp_path).fail_on is Severity.WARNING


def test_the_schema_modeline_is_allowed(tmp_path: Path) -> None:
    (tmp_path / ".ideogram-prod.yaml").write_text(
        "# yaml-language-server: $schema=https://example.com/ideogram-prod.schema.json\nscan_tests: true\n")
    assert load_config(None, tmp_path).scan_tests is True


@pytest.mark.parametrize("name", config_mod.MISNAMED)
def test_a_misnamed_config_is_named_in_a_warning_and_not_read(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("exclude: ['*']\n")
    assert load_config(None, tmp_path).exclude == ()
    assert config_mod.misnamed_configs(tmp_path) == [f"{name}: not read; the config file is .ideogram-prod.yaml "
                                                     "(rename it)"]
    assert config_mod.config_origin(None, tmp_path, None) == "defaults (no .ideogram-prod.yaml found)"


def test_the_config_origin_names_the_base_ref(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {".ideogram-prod.yaml": "version: 1\n"})
    base = pr_commit(repo, {"a.py": "x = 1\n"})
    assert config_mod.config_origin(None, repo, base) == f".ideogram-prod.yaml (base ref {base})"
    assert config_mod.config_origin(None, repo, None) == ".ideogram-prod.yaml"
    git(repo, "rm", "-q", ".ideogram-prod.yaml")
    git(repo, "commit", "-q", "-m", "rm")
    assert config_mod.config_origin(None, repo, "HEAD") == "defaults (no .ideogram-prod.yaml at base ref HEAD)"
