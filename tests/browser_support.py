"""What the browser tests share: where the built site is, its pages, a static
server on 127.0.0.1 and the way Chromium is launched.

Kept free of pytest fixtures so that ``tests/site/test_site_files.py`` (no browser)
can use the page discovery too.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import posixpath
import sys
import threading
import urllib.parse
from pathlib import Path

from tools.chromium import find_chromium

ROOT = Path(__file__).resolve().parent.parent

# How the browser is found (``$XENT_CHROMIUM``, then the PATH, then
# Playwright's own) lives in tools/chromium.py, which `make test` and
# .ci/run also use.
#: Fixtures that start or hand out Chromium, in any test file.
BROWSER_FIXTURES = frozenset({"browser", "chromium"})


def mark_browser_tests(items) -> None:
    """Mark ``browser`` every test that uses a fixture of BROWSER_FIXTURES, directly or not."""
    import pytest

    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


#: Top-level packages through which code drives Chromium (the suite's only way to start it).
DRIVERS = frozenset({"playwright", "axe_playwright_python"})


def drives_chromium(item) -> bool:
    """Whether a test, or a fixture it uses (directly or not), can start or drive Chromium.

    Found from the code, independently of the fixtures' names: the test
    function or one of its fixtures refers to Playwright (:data:`DRIVERS`),
    itself or through a function or class of the project's tests it names or
    imports, at any depth. Finding Chromium (``tools/chromium.py``) is not
    driving it.
    """
    function = getattr(item, "function", None)
    if function is None:  # a sybil example: page code, not a test of the site
        return False
    info = getattr(item, "_fixtureinfo", None)
    fixtures = [d.func for defs in getattr(info, "name2fixturedefs", {}).values() for d in defs]
    seen: set = set()
    return any(_reaches_a_driver(f, seen) for f in [function, *fixtures])


def _is_driver(name: str | None) -> bool:
    return name is not None and name.split(".")[0] in DRIVERS


def _reaches_a_driver(obj, seen: set) -> bool:
    import inspect

    obj = inspect.unwrap(obj)
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    if isinstance(obj, property):
        obj = obj.fget
    if isinstance(obj, type):
        if obj in seen:
            return False
        seen.add(obj)
        return any(_reaches_a_driver(member, seen) for member in vars(obj).values())
    code = getattr(obj, "__code__", None)
    return code is not None and _code_reaches_a_driver(code, getattr(obj, "__globals__", {}), seen)


def _code_reaches_a_driver(code, namespace: dict, seen: set) -> bool:
    import dis
    import importlib
    import inspect
    import types

    if code in seen:
        return False
    seen.add(code)
    module = None
    for instruction in dis.get_instructions(code):
        target = None
        if instruction.opname == "IMPORT_NAME":
            module = instruction.argval
            if _is_driver(module):
                return True
        elif instruction.opname == "IMPORT_FROM" and module is not None and module.split(".")[0] == "tests":
            # ``from tests.site.test_explorations import BrowserThread`` inside a fixture
            target = getattr(importlib.import_module(module), instruction.argval, None)
        elif instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            target = namespace.get(instruction.argval)
        if target is None:
            continue
        owner = target.__name__ if inspect.ismodule(target) else getattr(target, "__module__", None)
        if _is_driver(owner):
            return True
        # Follow the project's own code (the tests, this module's neighbours), not libraries.
        ours = owner == namespace.get("__name__") or (owner or "").split(".")[0] == "tests"
        if ours and not inspect.ismodule(target):
            if _reaches_a_driver(target, seen):
                return True
    return any(
        _code_reaches_a_driver(const, namespace, seen)
        for const in code.co_consts
        if isinstance(const, types.CodeType)
    )


def stop_without_browser(session) -> None:
    """End the session before any test runs if it would drive a browser there is none of."""
    import pytest

    if session.config.option.collectonly:
        return
    if any(item.get_closest_marker("browser") for item in session.items):
        path, why = find_chromium()
        if path is None:
            pytest.exit(why, returncode=pytest.ExitCode.USAGE_ERROR)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Pages that are not content: Sphinx's generated search and index pages, the
# 404 page (checked on its own, under the URL prefix it is built for).
NOT_CONTENT = {"search.html", "genindex.html", "404.html", "py-modindex.html"}

# The test server mounts the site under this sub-path, as GitHub Pages does for
# a project site: a page that links to the server root breaks there.
SUB_PATH = "/xent-site/"


def site_dir() -> Path:
    """The built site: $XENT_SITE_DIR, else $XENT_BUILDDIR/html, else _build/html."""
    if os.environ.get("XENT_SITE_DIR"):
        return Path(os.environ["XENT_SITE_DIR"]).resolve()
    if os.environ.get("XENT_BUILDDIR"):
        return (Path(os.environ["XENT_BUILDDIR"]) / "html").resolve()
    return ROOT / "_build" / "html"


def screenshot_dir() -> Path:
    """``_build/screenshots``: beside the site, outside what gets published."""
    return site_dir().parent / "screenshots"


def missing_site_message() -> str | None:
    """Why the site can't be tested, or None when it is there."""
    site = site_dir()
    if not (site / "index.html").is_file():
        return (f"no built site at {site} (index.html missing): run `make html` first, "
                "or point XENT_SITE_DIR at a build")
    return None


def content_pages() -> list[str]:
    """Every content page of the built site, as a path relative to its root.

    Found by globbing the build, so a page added by anyone is tested without
    editing this file. ``_static`` and ``_sources`` hold theme templates and
    copies of sources, not pages.
    """
    site = site_dir()
    if not site.is_dir():
        return []
    pages = []
    for path in site.rglob("*.html"):
        rel = path.relative_to(site).as_posix()
        if rel.split("/")[0] in {"_static", "_sources", "_images"}:
            continue
        if rel in NOT_CONTENT:
            continue
        pages.append(rel)
    return sorted(pages)


def page_html(rel: str) -> str:
    return (site_dir() / rel).read_text(encoding="utf-8")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` under ``mount``; everything else is a 404.

    With ``not_found`` set, a missing path gets that page with status 404, as
    GitHub Pages and Read the Docs do.
    """

    mount = "/"
    not_found: Path | None = None
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
        ".json": "application/json",
        ".ipynb": "application/json",
        ".md": "text/markdown; charset=utf-8",
    }

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def translate_path(self, path: str) -> str:
        path = urllib.parse.unquote(path.split("?", 1)[0].split("#", 1)[0])
        if not path.startswith(self.mount):
            return ""
        rel = posixpath.normpath(path[len(self.mount):])
        parts = [p for p in rel.split("/") if p not in ("", ".", "..")]
        return str(Path(self.directory, *parts))

    def send_head(self):
        target = self.translate_path(self.path)
        if not target or not (os.path.isfile(target) or os.path.isdir(target)):
            if self.not_found is not None:
                body = self.not_found.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return io.BytesIO(body)
            self.send_error(404, "not found")
            return None
        return super().send_head()

    def end_headers(self):
        # Cacheable for ten minutes, as GitHub Pages serves it: pages opened in
        # one browser context reuse parsed scripts instead of recompiling the
        # theme's scripts for every page.
        if self.command in ("GET", "HEAD"):
            self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A browser that cancels a request (a page left before a file has
        # downloaded) closes the socket: not an error of the site.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class StaticSite:
    """The built site on http://127.0.0.1:<free port><mount>, served from a thread."""

    def __init__(self, directory: Path, mount: str = SUB_PATH, not_found: Path | None = None):
        if not mount.startswith("/") or not mount.endswith("/"):
            raise ValueError(f"mount: must start and end with '/', got {mount!r}")
        handler = type("Handler", (_Handler,), {"mount": mount, "not_found": not_found})
        self.server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
        host, port = self.server.server_address[:2]
        assert isinstance(host, str)  # an AF_INET address: (host, port)
        self.origin = f"http://{host}:{port}"
        self.base = self.origin + mount
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, rel: str) -> str:
        return self.base + rel

    def __enter__(self) -> StaticSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


#: Resolves after two animation frames: the first runs before the next layout
#: (and the ResizeObserver callbacks it triggers, such as xent-math.js's),
#: the second after it, so what a resize or a media change set off has run.
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


def after_fonts_and_layout(page) -> None:
    """Wait until the web fonts are loaded and the layout they (or a resize) caused has been observed.

    xent-math.js marks the display equations that scroll sideways from a
    ResizeObserver, which fires when the fonts change the size of ``ex`` and
    when the viewport changes: two frames after that, the marks are set.
    """
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.evaluate(TWO_FRAMES)


def is_local(url: str, origin: str) -> bool:
    """A request stays home: same origin as the server, or an inline data:/blob: URL."""
    if url.startswith(("data:", "blob:")):
        return True
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" == origin

