"""Links from a finding to its check's page, at the released tag so the text matches the code that found it."""

from __future__ import annotations

from checker import __version__

# The GitHub repository that publishes the releases. scripts/release.py refuses to release another one, because
# the image and the wheel built from a tag carry this value in every SARIF helpUri.
REPOSITORY = "org/ideogram-prod"


def release_tag(version: str = __version__) -> str:
    """The git tag a version is released under."""
    return f"v{version}"


def check_page(check_id: str) -> str:
    """Path of a check's page inside the repository: docs/checks/<id>.md (one page per id, tested)."""
    return f"docs/checks/{check_id}.md"


def check_doc_url(check_id: str, version: str = __version__, repository: str = REPOSITORY) -> str:
    """The page of `check_id` as GitHub renders it at the release tag; for SARIF helpUri and the text report."""
    return f"https://github.com/{repository}/blob/{release_tag(version)}/{check_page(check_id)}"
