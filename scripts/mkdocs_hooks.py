"""MkDocs hook: the site links to its source only once a release has named the repository (checker/docs_links.py).

An unreleased tree names a placeholder owner; a link to it would lead readers nowhere, so the site then has no
repository link at all. A release tree gets the repository's home page and "view source" at the release tag.
"""

from __future__ import annotations

from typing import Any

from checker.docs_links import REPOSITORY, release_tag, released, repository_url


def site_links(repository: str = REPOSITORY, tag: str | None = None) -> dict[str, str]:
    """The MkDocs settings that point at the repository; empty for the placeholder."""
    if not released(repository):
        return {}
    return {"repo_url": repository_url(repository), "repo_name": repository,
            "edit_uri": f"blob/{tag or release_tag()}/docs/"}


def on_config(config: Any) -> Any:
    """MkDocs calls this once the config is loaded; mkdocs.yml sets none of these keys itself."""
    for key, value in site_links().items():
        config[key] = value
    return config
