"""Find the Chromium the browser tests drive, or obtain it.

One place for this logic: ``make test`` runs ``chromium.py ensure`` before
pytest, ``.ci/run`` runs it first thing, and ``tests/browser_support.py``
imports :func:`find_chromium`.

Discovery order:

1. ``$XENT_CHROMIUM``, when set. It is taken as the user's choice: if it does
   not name an executable file, no other browser is tried.
2. ``chromium``, ``chromium-browser`` or ``google-chrome`` on the ``PATH``.
3. Playwright's own Chromium, if one was installed (this script never runs
   ``playwright install``; it only looks).

``ensure`` adds one step when nothing is found: as root on a Debian or Ubuntu
machine with ``apt-get``, it installs Debian's ``chromium`` package.

Usage::

    python tools/chromium.py find     # print the browser's path, or the reason there is none
    python tools/chromium.py ensure   # the same, installing chromium with apt-get when root

Both exit 0 with the path on stdout, or 1 with one line on stderr. Only the
standard library is used, so this runs before any virtualenv exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ENV_VAR = "XENT_CHROMIUM"
ON_PATH = ("chromium", "chromium-browser", "google-chrome")

HOW_TO_GET_ONE = (
    "install one (Debian/Ubuntu: `apt-get install chromium`; as root, `make test` does it) "
    f"or set {ENV_VAR}=/path/to/chromium; `make test-fast` runs the package tests, docstring examples and page snippets without one"
)


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _playwright_chromium() -> Path | None:
    """The Chromium Playwright downloaded earlier, if Playwright is importable and has one."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as playwright:
            path = Path(playwright.chromium.executable_path)
    except Exception:  # noqa: BLE001 - a broken Playwright install means no browser from it
        return None
    return path if _executable(path) else None


def find_chromium() -> tuple[Path | None, str]:
    """(the browser, how it was found) or (None, one line saying why there is none)."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        path = Path(chosen).expanduser()
        if _executable(path):
            return path.resolve(), f"${ENV_VAR}"
        return None, f"no browser: ${ENV_VAR}={chosen} is not an executable file; {HOW_TO_GET_ONE}"
    for name in ON_PATH:
        found = shutil.which(name)
        if found:
            return Path(found).resolve(), f"{name} on the PATH"
    path = _playwright_chromium()
    if path is not None:
        return path, "Playwright's own browser"
    return None, (f"no browser: no ${ENV_VAR}, no {', '.join(ON_PATH)} on the PATH "
                  f"and no Playwright browser; {HOW_TO_GET_ONE}")


def _apt_install() -> bool:
    """Install Debian's chromium with apt-get; True if apt-get succeeded."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    print("no browser found: installing Debian's chromium with apt-get", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"]):
        if subprocess.run(command, env=env).returncode != 0:
            return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("find", "ensure"):
        print("usage: python tools/chromium.py find|ensure", file=sys.stderr)
        return 2
    path, how = find_chromium()
    # An explicit $XENT_CHROMIUM is never overridden by an install.
    if path is None and argv[0] == "ensure" and not os.environ.get(ENV_VAR) and _apt_install():
        path, how = find_chromium()
    if path is None:
        print(how, file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
