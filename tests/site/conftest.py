"""Fixtures the site's tests share: the built site, a local server for it, and
the one Chromium of the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM_ARGS,
    SUB_PATH,
    StaticSite,
    missing_site_message,
    site_dir,
)
from tools.chromium import find_chromium


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


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (one per pytest-xdist worker).

    Every browser test of every file shares it and opens a browser context of
    its own (empty cache and storage), closed when the test ends, so no test
    sees what another loaded or stored. Launching Chromium takes about a
    second; a context takes milliseconds.
    """
    # The root conftest stops the run before any test when there is no
    # browser, so this finds one.
    path, how = find_chromium()
    if path is None:
        pytest.fail(how)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(path), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
