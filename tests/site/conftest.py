"""Fixtures the site's tests share: the built site, and a local server for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import SUB_PATH, StaticSite, missing_site_message, site_dir


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site (``_build/html`` or ``$XENT_SITE_DIR``); fails, saying how to build it, if there is none."""
    message = missing_site_message()
    if message:
        pytest.fail(message)
    return site_dir()


@pytest.fixture(scope="session")
def server(site):
    """The site served on 127.0.0.1 under a sub-path, as GitHub Pages serves a project site."""
    with StaticSite(site, mount=SUB_PATH) as served:
        yield served
