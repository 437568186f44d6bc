"""The built site, read as files: self-contained, publishable, sub-path safe.

Fast checks over ``_build/html`` (or $XENT_SITE_DIR), no browser:

* nothing the browser would fetch (scripts, styles, fonts, icons, images,
  frames) comes from another host, in HTML, CSS or JS;
* every local asset a page loads exists;
* no page but the 404 page links to the server root, so the site works under
  any sub-path (a GitHub Pages project site, /en/latest/ on Read the Docs);
* the 404 page, the sitemap and the Open Graph tags are there and consistent
  with the URL the site is built for;
* every executed page downloads as its MyST source and as an executed .ipynb.
"""

from __future__ import annotations

import fnmatch
import html.parser
import re
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.browser_support import NOT_CONTENT, content_pages

pytestmark = pytest.mark.build

PAGES = content_pages() or ["<no site built>"]
DOCS = Path(__file__).resolve().parents[2] / "docs"


def all_files(site: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in suffixes)


def rel(site: Path, path: Path) -> str:
    return path.relative_to(site).as_posix()


# --- What an HTML page makes the browser fetch --------------------------------

# Attributes whose URL the browser fetches, per element.
FETCHED = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
# <link rel=...> values that are hyperlinks, not fetches.
LINK_RELS_NOT_FETCHED = {
    "canonical", "alternate", "author", "license", "next", "prev", "index",
    "search", "help", "bookmark", "me", "top", "up", "first", "last", "copyright",
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+?)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


class _Fetches(html.parser.HTMLParser):
    """Collects (what, url) for everything a page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "link":
            rels = set(attrs.get("rel", "").lower().split())
            if rels and rels <= LINK_RELS_NOT_FETCHED:
                return
            self._add(f"<link rel={attrs.get('rel', '')}>", attrs.get("href", ""))
        for name in FETCHED.get(tag, ()):
            if name in attrs:
                value = attrs[name]
                urls = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
                for url in urls:
                    self._add(f"<{tag} {name}>", url)
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            self._add("<meta refresh>", attrs.get("content", "").partition("url=")[2])
        if "style" in attrs:
            for match in CSS_URL.finditer(attrs["style"]):
                self._add("style attribute", match.group(2) or match.group(4))
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            for match in CSS_URL.finditer(data):
                self._add("<style>", match.group(2) or match.group(4))

    def _add(self, what: str, url: str) -> None:
        url = url.strip()
        if url:
            self.urls.append((what, url))


def fetches(text: str) -> list[tuple[str, str]]:
    parser = _Fetches()
    parser.feed(text)
    return parser.urls


def is_remote(url: str) -> bool:
    return bool(re.match(r"(?i)(https?:)?//", url))


# --- Self-contained ------------------------------------------------------------

# Hosts that serve code, fonts or styles: any mention of them in a built file
# is a request waiting to happen.
CDN_HOSTS = re.compile(
    r"(?i)(?:https?:)?//(?:cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|"
    r"ajax\.googleapis\.com|fonts\.googleapis\.com|fonts\.gstatic\.com|"
    r"use\.fontawesome\.com|kit\.fontawesome\.com|ka-f\.fontawesome\.com|code\.jquery\.com|"
    r"[a-z]+\.bootstrapcdn\.com|polyfill\.io|cdn\.plot\.ly|api\.github\.com|"
    r"raw\.githubusercontent\.com|esm\.sh|cdn\.skypack\.dev|cdn\.mathjax\.org|"
    r"cdn\.bokeh\.org|unpkg\.io)[^\s\"'`)]*"
)

# A literal remote URL in a JS fetch context: import()/importScripts()/fetch(),
# an ES import, or an assignment to src/href.
JS_FETCH = re.compile(
    r"""(?:\bimport\s*\(\s*|\bimportScripts\s*\(\s*|\bfetch\s*\(\s*|\bimport\s[^;'"]*?\bfrom\s*|"""
    r"""\.src\s*=\s*|\.href\s*=\s*|\bsrc\s*:\s*|\burl\(\s*)(['"`])(?:https?:)?//[^'"`]+"""
)


def test_html_fetches_nothing_remote(site):
    """No page makes the browser fetch a script, style, font, icon or image from another host."""
    bad = []
    for path in all_files(site, ".html"):
        for what, url in fetches(path.read_text(encoding="utf-8")):
            if is_remote(url):
                bad.append(f"{rel(site, path)}: {what} {url}")
    assert not bad, "\n".join(bad)


def test_css_fetches_nothing_remote(site):
    bad = []
    for path in all_files(site, ".css"):
        for match in CSS_URL.finditer(path.read_text(encoding="utf-8", errors="replace")):
            url = match.group(2) or match.group(4)
            if is_remote(url):
                bad.append(f"{rel(site, path)}: {url}")
    assert not bad, "\n".join(bad)


def test_js_fetches_nothing_remote(site):
    """No script loads code from another host, and no built file names a CDN."""
    bad = []
    for path in all_files(site, ".js", ".mjs", ".html", ".css", ".json"):
        name = rel(site, path)
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix in (".js", ".mjs"):
            for match in JS_FETCH.finditer(text):
                url = re.search(r"(?:https?:)?//[^'\"`]+", match.group(0)).group(0)
                bad.append(f"{name}: fetches {url}")
        for match in CDN_HOSTS.finditer(text):
            bad.append(f"{name}: names {match.group(0)}")
    assert not bad, "\n".join(sorted(set(bad)))


def test_no_mathjax_ships(site):
    # The math is SVG typeset at build time (xent_sphinx/math.py).
    assert not (site / "_static" / "mathjax").exists()


def test_no_page_loads_mathjax_latest(site):
    for path in all_files(site, ".html"):
        assert "mathjax/latest.js" not in path.read_text(encoding="utf-8"), rel(site, path)


@pytest.mark.parametrize("page", PAGES + ["search.html", "genindex.html"])
def test_every_local_asset_exists(site, page):
    """Everything a page loads from the site is in the build."""
    path = site / page
    missing = []
    for what, url in fetches(path.read_text(encoding="utf-8")):
        if is_remote(url) or url.startswith(("data:", "blob:", "#", "javascript:")):
            continue
        target = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
        if not (path.parent / target).resolve().is_file():
            missing.append(f"{what} {url}")
    assert not missing, "\n".join(missing)


# --- Any sub-path ------------------------------------------------------------------


ROOT_RELATIVE = re.compile(r"""\b(?:href|src|srcset|action|poster|data)\s*=\s*["'](/(?!/)[^"']*)""")


@pytest.mark.parametrize("page", PAGES + ["search.html", "genindex.html"])
def test_no_link_to_the_server_root(site, page):
    """Only relative URLs, so the site works under any path (the 404 page is the exception)."""
    found = ROOT_RELATIVE.findall((site / page).read_text(encoding="utf-8"))
    assert not found, found


def test_css_uses_no_root_relative_url(site):
    bad = []
    for path in all_files(site, ".css"):
        for match in CSS_URL.finditer(path.read_text(encoding="utf-8", errors="replace")):
            url = match.group(2) or match.group(4)
            if url.startswith("/") and not url.startswith("//"):
                bad.append(f"{rel(site, path)}: {url}")
    assert not bad, bad


# --- Publishing: base URL, 404, sitemap, Open Graph ------------------------------------


def base_url(site: Path) -> str:
    """The URL the site is built for, from the home page's canonical link."""
    match = re.search(r'<link rel="canonical" href="([^"]+)index\.html"',
                      (site / "index.html").read_text(encoding="utf-8"))
    assert match, "index.html has no canonical link (html_baseurl unset?)"
    return match.group(1)


def test_base_url_is_absolute_and_ends_with_a_slash(site):
    base = base_url(site)
    parts = urllib.parse.urlsplit(base)
    assert parts.scheme == "https" and parts.netloc and base.endswith("/"), base


def test_404_page(site):
    """404.html exists, says so, and loads its assets from the path the site is built for.

    A host serves it for a missing URL at any depth, so its URLs must be
    root-relative, starting with the path of the base URL.
    """
    path = site / "404.html"
    assert path.is_file(), "no 404.html (sphinx-notfound-page)"
    text = path.read_text(encoding="utf-8")
    assert "<title>Page not found" in text
    prefix = urllib.parse.urlsplit(base_url(site)).path
    assets = [(what, url) for what, url in fetches(text)
              if not url.startswith(("data:", "#")) and not is_remote(url)]
    assert assets
    wrong = [url for _, url in assets if not url.startswith(prefix)]
    assert not wrong, f"404.html assets outside {prefix}: {wrong}"
    missing = [url for _, url in assets
               if not (site / urllib.parse.urlsplit(url).path[len(prefix):]).is_file()]
    assert not missing, missing
    # The relative links of the page body would break at depth: none allowed.
    body = text[text.index('<article'):text.index('</article>')]
    relative = re.findall(r'href="(?!#|/|https?:)([^"]+)"', body)
    assert not relative, f"relative links in the 404 page body: {relative}"


def test_sitemap_lists_every_page_once(site):
    path = site / "sitemap.xml"
    assert path.is_file(), "no sitemap.xml (sphinx-sitemap)"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in ET.parse(path).getroot().findall("s:url/s:loc", ns)]
    base = base_url(site)
    assert len(locs) == len(set(locs)), "duplicate sitemap entries"
    assert set(locs) == {base + page for page in content_pages()}, (
        sorted(set(locs) ^ {base + page for page in content_pages()}))
    assert not [loc for loc in locs if loc.removeprefix(base) in NOT_CONTENT]


def meta(text: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for match in re.finditer(r"<meta\s+(?:property|name)=\"([^\"]+)\"\s+content=\"([^\"]*)\"", text):
        tags.setdefault(match.group(1), match.group(2))
    return tags


@pytest.mark.parametrize("page", PAGES)
def test_open_graph_metadata(site, page):
    """og: tags for link previews, pointing at this site only."""
    text = (site / page).read_text(encoding="utf-8")
    tags = meta(text)
    base = base_url(site)
    for key in ("og:title", "og:type", "og:url", "og:site_name", "og:description"):
        assert tags.get(key, "").strip(), f"{page}: no {key}"
    assert tags["og:url"] == base + page
    assert tags["og:site_name"] == "xent"
    assert f'<link rel="canonical" href="{base + page}"' in text
    image = tags.get("og:image")
    assert image, f"{page}: no og:image"
    assert image.startswith(base), f"{page}: og:image from another site: {image}"
    assert (site / image.removeprefix(base)).is_file(), f"{page}: og:image not in the build: {image}"
    assert tags.get("og:image:alt", "").strip(), f"{page}: og:image has no alt text"
    remote = [f"{k}={v}" for k, v in tags.items() if is_remote(v) and not v.startswith(base)]
    assert not remote, f"{page}: metadata pointing elsewhere: {remote}"


# --- Downloads ----------------------------------------------------------------

NOTEBOOK_PAGES = sorted(
    p.relative_to(DOCS).with_suffix("").as_posix()
    for p in DOCS.rglob("*.md")
    if "```{code-cell}" in p.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_page_downloads_as_ipynb_and_md(site, page):
    """The download menu offers the page's source and its executed notebook."""
    import json

    html = (site / f"{page}.html").read_text(encoding="utf-8")
    depth = "../" * page.count("/")
    for suffix in (".md", ".ipynb"):
        href = f'href="{depth}_sources/{page}{suffix}"'
        assert href in html, f"{page}.html has no download link {href}"
        assert (site / "_sources" / f"{page}{suffix}").is_file()
    notebook = json.loads((site / "_sources" / f"{page}.ipynb").read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code, f"{page}.ipynb has no code cells"
    assert any(cell["outputs"] for cell in code), f"{page}.ipynb was not executed"


def test_an_equation_on_another_page_is_referred_to_with_its_page(site):
    """Equations are numbered per page: "(2)" alone would be ambiguous across pages."""
    text = (site / "chain" / "kl-divergence.html").read_text(encoding="utf-8")
    foreign = re.search(
        r'href="entropy\.html#equation-chain-entropy-cross-entropy"[^>]*>.*?</a>([^<]*)', text, re.S
    )
    assert foreign, "no reference to the entropy page's cross-entropy equation"
    assert foreign.group(1).startswith(" on the page \u201c"), foreign.group(1)[:40]
    # "(1) and (2) on the page ...": two references to one page joined by
    # "and" name it once, after the second
    first = re.search(
        r'href="entropy\.html#equation-chain-entropy-entropy"[^>]*>.*?</a>([^<]*)', text, re.S
    )
    assert first, "no reference to the entropy page's entropy equation"
    assert first.group(1).strip() == "and", first.group(1)[:40]
    # a reference to an equation on the same page gets no page name
    own = re.search(r'href="#equation-chain-kl-[\w-]+"[^>]*>.*?</a>([^<]*)', text, re.S)
    assert own, "no reference to one of the page's own equations"
    assert "on the page" not in own.group(1)
