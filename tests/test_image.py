"""The checker image: what it runs (the lock file and the entrypoint) always; a real offline build on request."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPT_IN = "IDEOGRAM_PROD_IMAGE_TEST"
# The files .dockerignore lets into the build context, and so into the image.
CONTEXT = ("requirements.lock", "pyproject.toml", "README.md", "checker", "scripts/slim_venv.py")
# A debootstrap rootfs made like python:3.12-slim's Debian base (debian:bookworm-slim): see slim_rootfs.
BASE_IMAGE = "localhost/ideogram-prod-test-base:bookworm-slim"
IMAGE = "localhost/ideogram-prod:test"
# tests-pass runs the scanned repository's own test suite, whose dependencies are not in the image.
NOT_IN_IMAGE = {"tests-pass"}


def build_context(dest: Path) -> Path:
    dest.mkdir()
    for name in CONTEXT:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dest / name)
    return dest


def kubernetes_schemas() -> str:
    """The Dockerfile's default KUBERNETES_SCHEMAS: the schema versions the image keeps."""
    match = re.search(r'^ARG KUBERNETES_SCHEMAS="([^"]+)"$', (ROOT / "Dockerfile").read_text(), re.M)
    assert match, "Dockerfile: no ARG KUBERNETES_SCHEMAS"
    return match.group(1)


def dockerignore_allows() -> set[str]:
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    return {line[1:].rstrip("/") for line in lines if line.startswith("!")}


def test_dockerignore_matches_what_the_image_needs() -> None:
    assert dockerignore_allows() == set(CONTEXT)
    text = (ROOT / "Dockerfile").read_text()
    for name in CONTEXT:
        assert f"COPY {name}" in text or f" {name} " in text, name


def test_lock_covers_every_runtime_dependency() -> None:
    """requirements.lock must be regenerated when pyproject's dependencies change (the image installs only it)."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    locked = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split("==", 1)
            locked[canonicalize_name(name)] = version.split()[0].rstrip("\\").strip()
    regenerate = ("regenerate it: pip-compile --generate-hashes --allow-unsafe --strip-extras --all-build-deps "
                  "--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for raw in project["dependencies"]:
        req = Requirement(raw)
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is not in requirements.lock; {regenerate}"
        assert req.specifier.contains(locked[name], prereleases=True), f"{req.name}=={locked[name]}; {regenerate}"
    assert "setuptools" in locked, "the build backend must be locked too (--all-build-deps)"


def test_dockerfile_pins_and_drops_root() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "ARG BASE=python:3.12-slim@sha256:" in text
    assert "--require-hashes" in text and "USER 10001" in text
    assert 'ENTRYPOINT ["ideogram-prod"]' in text
    assert "org.opencontainers.image.source" in text and "org.opencontainers.image.version" in text


def all_check_ids() -> list[str]:
    from checker.registry import CHECKS

    # live-* checks belong to `preflight`, not `check`.
    return [spec.id for spec in CHECKS if spec.id not in NOT_IN_IMAGE and not spec.id.startswith("live-")]


@pytest.fixture(scope="module")
def locked_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv installed exactly as the Dockerfile installs the image: lock file with hashes, trimmed by
    scripts/slim_venv.py, then the package."""
    base = tmp_path_factory.mktemp("image")
    ctx = build_context(base / "ctx")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    started = time.monotonic()
    proc = subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(ctx / "requirements.lock")],
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    full = du(venv)
    proc = subprocess.run([str(venv / "bin/python"), str(ctx / "scripts/slim_venv.py"), "--keep-schemas",
                           kubernetes_schemas(), "--pyproject", str(ctx / "pyproject.toml")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "kubernetes" in proc.stdout
    proc = subprocess.run([*pip, "--no-deps", "--no-build-isolation", str(ctx)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    sys.stderr.write(f"\nlocked venv installed in {time.monotonic() - started:.1f} s: {full / 1e6:.0f} MB, "
                     f"{du(venv) / 1e6:.0f} MB once trimmed for the image\n")
    check = subprocess.run([str(venv / "bin/python"), "-m", "pip", "check"], capture_output=True, text=True,
                           check=False)
    # Only the trimmed kubernetes client may be missing: nothing `check` uses.
    broken = [line for line in check.stdout.splitlines() if line.strip()]
    assert all(line.endswith("requires kubernetes, which is not installed.") for line in broken), check.stdout
    return venv


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def test_the_image_venv_is_trimmed(locked_venv: Path) -> None:
    site = next((locked_venv / "lib").glob("python3*/site-packages"))
    assert not (site / "kubernetes").exists()
    assert not (site / "cryptography").exists(), "only mcp's pyjwt[crypto] extra asks for it"
    root = site / "kubernetes_validate/kubernetes-json-schema"
    schemas = {p.name.split("-")[0] for p in root.iterdir()}
    assert schemas == {f"v{v}.0" for v in kubernetes_schemas().split()}
    for folder in root.iterdir():
        names = {p.name for p in folder.iterdir()}
        assert {"_definitions.json", "deployment-apps-v1.json", "role-rbac-v1.json", "service-v1.json"} <= names
        assert "affinity-v1.json" not in names and "container-v1.json" not in names, "not API objects"
    # semgrep-core without its symbols and debug info: no section headers, and it still runs.
    core = site / "semgrep/bin/semgrep-core"
    with core.open("rb") as fh:
        header = fh.read(64)
    assert header[:4] == b"\x7fELF" and int.from_bytes(header[60:62], "little") == 0, "e_shnum"
    proc = subprocess.run([str(core), "-version"], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0 and "semgrep-core version" in proc.stdout, proc.stderr


def slim_venv_module() -> Any:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import slim_venv
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return slim_venv


def test_cutting_an_elf_after_its_last_segment_keeps_it_running(tmp_path: Path) -> None:
    """The cut semgrep-core gets, on a small real binary: it still runs, and has no section headers left."""
    slim = slim_venv_module()
    binary = tmp_path / "true"
    shutil.copy(shutil.which("true") or "/bin/true", binary)
    before = binary.stat().st_size
    saved = slim.cut_unloaded_tail(binary)
    assert 0 < saved < before and binary.stat().st_size == before - saved
    assert subprocess.run([str(binary)], check=False).returncode == 0
    assert slim.cut_unloaded_tail(binary) == 0, "nothing left to cut"
    script = tmp_path / "script"
    script.write_bytes(b"#!/bin/sh\n" + b"x" * 100)
    with pytest.raises(ValueError, match="not a 64-bit little-endian ELF"):
        slim.cut_unloaded_tail(script)


def entrypoint(bin_dir: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd), "SEMGREP_ENABLE_VERSION_CHECK": "0",
           "SEMGREP_SEND_METRICS": "off", "NO_COLOR": "1", "LANG": "C.UTF-8"}
    return subprocess.run([str(bin_dir / "ideogram-prod"), *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def findings(report: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    data = json.loads(report.read_text())
    return (sorted((f["check_id"], f["fingerprint"]) for f in data["findings"]),
            sorted((r["check_id"], r["status"]) for r in data["results"]))


@pytest.mark.slow
def test_locked_entrypoint_runs_the_gate_like_the_development_install(locked_venv: Path, tmp_path: Path) -> None:
    """The image's entrypoint, installed only from requirements.lock, gives the dev install's exact verdicts."""
    proc = entrypoint(locked_venv / "bin", "--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("ideogram-prod ")
    select = ",".join(all_check_ids())
    for example, expected in (("hardened", None), ("vulnerable", 1)):
        locked = entrypoint(locked_venv / "bin", "check", str(ROOT / "examples" / example), "--select", select,
                            "--json", str(tmp_path / f"{example}-locked.json"), cwd=tmp_path)
        dev = entrypoint(Path(sys.executable).parent, "check", str(ROOT / "examples" / example), "--select", select,
                         "--json", str(tmp_path / f"{example}-dev.json"), cwd=tmp_path)
        assert locked.returncode in (0, 1), locked.stderr
        assert locked.returncode == dev.returncode, (locked.stdout[-2000:], dev.stdout[-2000:])
        assert findings(tmp_path / f"{example}-locked.json") == findings(tmp_path / f"{example}-dev.json")
        if expected is not None:
            assert locked.returncode == expected
    assert findings(tmp_path / "vulnerable-locked.json")[0], "the vulnerable example must have findings"


# --- opt-in: a real image build with podman/buildah, offline from a debootstrap base ---------------------------

def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install podman buildah runc debootstrap)")


def _run(*argv: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


# What debuerreotype's --slimify leaves out of debian:*-slim, and the apt settings those images ship, so the
# test base weighs what the release base does and the Dockerfile's own apt step is measured as it will be.
SLIM_EXCLUDES = ("usr/share/doc", "usr/share/groff", "usr/share/info", "usr/share/linda",
                 "usr/share/lintian/overrides", "usr/share/locale", "usr/share/man")
DPKG_SLIM = "".join(f"path-exclude /{d}/*\n" for d in SLIM_EXCLUDES) + "path-include /usr/share/doc/*/copyright\n"
APT_CLEAN = ('DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };\n'
             'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";\n')


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def slim_rootfs(rootfs: Path) -> None:
    """Make a debootstrap rootfs like debian:bookworm-slim: no docs, man pages, locales, apt caches or lists."""
    for rel in SLIM_EXCLUDES:
        for item in (rootfs / rel).glob("*"):
            if rel == "usr/share/doc" and item.is_dir() and not item.is_symlink():
                for sub in item.iterdir():
                    if sub.name != "copyright":
                        remove(sub)
            else:
                remove(item)
    for cache in [*(rootfs / "var/cache/apt").rglob("*.deb"), *(rootfs / "var/cache/apt").glob("*.bin"),
                  *(p for p in (rootfs / "var/lib/apt/lists").glob("*") if p.is_file())]:
        cache.unlink()
    (rootfs / "etc/dpkg/dpkg.cfg.d/docker-slim").write_text(DPKG_SLIM)
    (rootfs / "etc/apt/apt.conf.d/docker-clean").write_text(APT_CLEAN)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get(OPT_IN) != "1",
                    reason=f"opt-in: the podman image build takes minutes and ~1 GB; set {OPT_IN}=1 to run it")
def test_image_builds_offline_and_runs(tmp_path: Path) -> None:
    _need("podman", "runc", "debootstrap")
    podman = ["podman", "--storage-driver=vfs"]
    if _run(*podman, "image", "exists", BASE_IMAGE).returncode != 0:
        rootfs = tmp_path / "rootfs"
        mirror = os.environ.get("IDEOGRAM_PROD_DEBIAN_MIRROR", "http://deb.debian.org/debian")
        proc = _run("debootstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
                    "bookworm", str(rootfs), mirror, timeout=1200)
        assert proc.returncode == 0, proc.stderr[-3000:]
        slim_rootfs(rootfs)
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run([*podman, "import", "-", BASE_IMAGE], stdin=tar.stdout, capture_output=True,
                                  text=True, check=False)
        tar.wait()
        assert imported.returncode == 0, imported.stderr
    ctx = build_context(tmp_path / "ctx")
    shutil.copy(ROOT / "Dockerfile", ctx / "Dockerfile")
    shutil.copy(ROOT / ".dockerignore", ctx / ".dockerignore")
    build = [*podman, "build", "--isolation=chroot", "--pull=never", "--build-arg", f"BASE={BASE_IMAGE}",
             "-t", IMAGE]
    ca = Path("/etc/ssl/certs/ca-certificates.crt")
    if ca.exists():
        # Behind a TLS-intercepting proxy pip needs the host's CA bundle (a build-time mount, not in the image).
        build += ["-v", f"{ca}:/host-ca.crt:ro", "--build-arg", "PIP_CERT=/host-ca.crt"]
    started = time.monotonic()
    proc = _run(*build, str(ctx), timeout=1800)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    built_in = time.monotonic() - started
    size = int(_run(*podman, "image", "inspect", "--format", "{{.Size}}", IMAGE).stdout.strip())
    base_size = int(_run(*podman, "image", "inspect", "--format", "{{.Size}}", BASE_IMAGE).stdout.strip())
    sys.stderr.write(f"\nimage built in {built_in:.0f} s: {size / 1e6:.0f} MB ({(size - base_size) / 1e6:.0f} MB "
                     f"above the {base_size / 1e6:.0f} MB base)\n")
    labels = json.loads(_run(*podman, "image", "inspect", "--format", "{{json .Labels}}", IMAGE).stdout)
    assert labels["org.opencontainers.image.title"] == "ideogram-prod"
    user = _run(*podman, "image", "inspect", "--format", "{{.Config.User}}", IMAGE).stdout.strip()
    assert user == "10001"
    run = [*podman, "--runtime", "runc", "run", "--rm", "--network=none", "--ulimit", "nofile=1024:1024",
           "--ulimit", "nproc=1024:1024", "-v", f"{ROOT / 'examples'}:/examples:ro"]
    proc = _run(*run, IMAGE, "--version")
    assert proc.returncode == 0 and proc.stdout.startswith("ideogram-prod"), proc.stderr
    select = ",".join(all_check_ids())
    proc = _run(*run, IMAGE, "check", "/examples/vulnerable", "--select", select)
    assert proc.returncode == 1, (proc.stdout + proc.stderr)[-3000:]
    assert "secret-ideogram-key" in proc.stdout
    # The image's git (the bare binary) on a repository owned by another uid: the hardened example committed,
    # then the vulnerable one over it; --diff-base reports what the second commit brought.
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "hardened", repo)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for step in ("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "hardened"):
        subprocess.run([*git, *step], check=True, capture_output=True)
    shutil.copytree(ROOT / "examples" / "vulnerable", repo, dirs_exist_ok=True)
    for step in ("add", "-A"), ("commit", "-q", "-m", "vulnerable"):
        subprocess.run([*git, *step], check=True, capture_output=True)
    proc = _run(*run, "-v", f"{repo}:/repo:ro", IMAGE, "check", "/repo", "--diff-base", "HEAD~1", "--select",
                "secret-ideogram-key")
    assert proc.returncode == 1, (proc.stdout + proc.stderr)[-3000:]
    assert "secret-ideogram-key" in proc.stdout and "fatal:" not in proc.stdout + proc.stderr, proc.stderr
