"""Links from a finding to its check's page, at the released tag so the text matches the code that found it."""

from __future__ import annotations

from checker import __version__

# What an unreleased tree names. The one place the repository is written: scripts/release.py sets REPOSITORY to
# the repository that runs the release (GITHUB_REPOSITORY) in the tree the image and the wheel are built from and
# in the release commit, so every SARIF helpUri and the docs site's source link (scripts/mkdocs_hooks.py) follow.
PLACEHOLDER = "org/ideogram-prod"
REPOSITORY = "org/ideogram-prod"


def released(repository: str = REPOSITORY) -> bool:
    """Whether `repository` is a real one rather than the placeholder of an unreleased tree."""
    return repository.lower() != PLACEHOLDER


def release_tag(version: str = __version__) -> str:
    """The git tag a version is released under."""
    return f"v{version}"


def check_page(check_id: str) -> str:
    """Path of a check's page inside the repository: docs/checks/<id>.md (one page per id, tested)."""
    return f"docs/checks/{check_id}.md"


def check_doc_url(check_id: str, version: str = __version__, repository: str = REPOSITORY) -> str:
    """The page of `check_id` as GitHub renders it at the release tag; for SARIF helpUri and the text report."""
    return f"https://github.com/{repository}/blob/{release_tag(version)}/{check_page(check_id)}"


def repository_url(repository: str = REPOSITORY) -> str:
    """The repository's home page: the SARIF tool's informationUri and the docs site's source link."""
    return f"https://github.com/{repository}"
