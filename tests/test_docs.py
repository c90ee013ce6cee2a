"""The documentation site: it builds with --strict, it is current with the code, and every check id has a page
that says more than the registry does. The site's pages are the SARIF help links, so they must exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker import __version__
from checker.checklist import ITEMS
from checker.docs_links import check_doc_url, check_page, release_tag
from checker.registry import CHECKS
from tests.helpers.plugin import REPO

DOCS = REPO / "docs"
BIN = Path(sys.executable).parent
STUB = "Not written yet."
PLACEHOLDER_LINK = re.compile(r"(github\.com|ghcr\.io|pypi\.org/project)/org/|^/?org/ideogram-prod")


class Links(HTMLParser):
    """Every href and src of a built page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_generated_parts_are_current() -> None:
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_docs.py"), "--check"], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("spec", CHECKS, ids=lambda s: s.id)
def test_every_check_id_has_a_written_page(spec, site: Path) -> None:
    page = REPO / check_page(spec.id)
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {spec.id}\n")
    assert STUB not in text, f"{page.name}: write what it catches, why, how to fix and how to suppress"
    body = text.split("<!-- /gen:header -->", 1)[1]
    assert len(body.split()) >= 25, f"{page.name}: the hand-written part is too thin"
    assert (site / "checks" / spec.id / "index.html").is_file()


def test_no_page_for_an_unknown_check() -> None:
    pages = {p.stem for p in (DOCS / "checks").glob("*.md")} - {"index"}
    assert pages == {spec.id for spec in CHECKS}


@pytest.mark.parametrize("item_id", [item.id for item in ITEMS])
def test_every_checklist_item_is_in_the_table(item_id: str) -> None:
    assert f"| `{item_id}` |" in (DOCS / "checklist.md").read_text(encoding="utf-8")


def test_no_link_points_at_a_placeholder_owner(site: Path) -> None:
    bad = []
    for html in site.rglob("*.html"):
        parser = Links()
        parser.feed(html.read_text(encoding="utf-8"))
        bad += [f"{html.relative_to(site)}: {link}" for link in parser.links if PLACEHOLDER_LINK.search(link)]
    assert not bad, bad


def test_the_detector_of_placeholder_links_works() -> None:
    assert PLACEHOLDER_LINK.search("https://github.com/org/ideogram-prod/blob/main/README.md")
    assert not PLACEHOLDER_LINK.search("https://github.com/acme/ideogram-prod")


def test_user_facing_text_has_no_internal_jargon() -> None:
    for page in [*DOCS.rglob("*.md"), REPO / "README.md", REPO / "mkdocs.yml"]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\bseed\b", text, re.I), page


def test_finding_links_point_at_the_page_at_the_release_tag() -> None:
    url = check_doc_url("secret-ideogram-key")
    assert url.endswith(f"/blob/{release_tag()}/docs/checks/secret-ideogram-key.md")
    assert release_tag() == f"v{__version__}"
    assert check_doc_url("k8s-key-literal", version="1.2.3", repository="acme/ideogram-prod") == (
        "https://github.com/acme/ideogram-prod/blob/v1.2.3/docs/checks/k8s-key-literal.md")
    for spec in CHECKS:
        assert (REPO / check_page(spec.id)).is_file()


def test_the_cli_page_names_every_command() -> None:
    from checker.cli import build_parser

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for action in build_parser()._subparsers._group_actions:  # type: ignore[union-attr]
        for name in action.choices:
            assert f"`ideogram-prod {name}`" in text, name
