"""Math typeset at build time: TeX to SVG by MathJax, in one Node process.

Pages carry finished SVG equations, so math is readable with JavaScript off,
nothing moves when a page loads, and no MathJax script or font is shipped.
Each equation keeps its MathML beside the SVG (MathJax's assistive MathML,
visually hidden) for screen readers; the SVG paints in ``currentColor``, so it
follows the theme's light and dark modes.

MathJax is the copy that the ``sphinx-mathjax-offline`` package ships (3.2.2,
with its Node entry point ``node-main.js``): the build needs ``node`` on the
PATH (Node.js 18 or later) and nothing from the network. One Node process
serves the whole build: before a page is written, its formulas that are not
in the cache go to it in one batch. Results are cached under the build
directory (``<builddir>/xent_math/``), keyed on MathJax's version, the
options below and the TeX, so an incremental build starts no Node at all.

A TeX error (an undefined macro, a missing brace) is a build warning at the
equation's source line, and with ``-W`` an error, instead of red text on the
page.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from importlib.util import find_spec
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

from xent_sphinx import add_static_dir

logger = logging.getLogger(__name__)

#: Typesets ``[[tex, display], ...]`` read as one JSON line on stdin into one
#: JSON line ``[{"svg": ...} | {"error": ...}, ...]`` on stdout; the first line
#: written says MathJax's version and holds its SVG stylesheet.
NODE_SCRIPT = r"""
const readline = require('readline');
require(process.argv[1] + '/node-main.js').init({
  loader: {load: ['input/tex', 'output/svg', 'a11y/assistive-mml']},
  // An undefined macro or a TeX error is thrown, not drawn in red.
  tex: {packages: {'[-]': ['noundefined']}, formatError: (jax, err) => { throw err; }},
  svg: {fontCache: 'local'},
  options: {enableAssistiveMml: true},
  startup: {typeset: false},
}).then(async (MathJax) => {
  const adaptor = MathJax.startup.adaptor;
  await MathJax.tex2svgPromise('x', {display: true});
  const css = adaptor.textContent(MathJax.svgStylesheet());
  process.stdout.write(JSON.stringify({version: MathJax.version, css}) + '\n');
  const lines = readline.createInterface({input: process.stdin, terminal: false});
  for await (const line of lines) {
    const out = [];
    for (const [tex, display] of JSON.parse(line)) {
      try {
        MathJax.texReset();
        const node = await MathJax.tex2svgPromise(tex, {display});
        out.push({svg: adaptor.outerHTML(node)});
      } catch (err) {
        out.push({error: String(err && err.message || err)});
      }
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}).catch((err) => { console.error(err); process.exit(1); });
"""

#: The options above, as part of every cache key.
OPTIONS_DIGEST = hashlib.sha256(NODE_SCRIPT.encode()).hexdigest()[:12]

# MathJax numbers the ids of each SVG's glyph definitions (MJX-<n>-TEX-...)
# per process; renumbered per page, two equations never share an id.
_GLYPH_ID = re.compile(r"MJX-\d+-")


def mathjax_dir() -> Path:
    """The MathJax 3 that the sphinx-mathjax-offline package ships."""
    spec = find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError("xent_math: the package sphinx-mathjax-offline (MathJax 3) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"
    if not (path / "node-main.js").is_file():
        raise ExtensionError(f"xent_math: no MathJax Node entry point at {path / 'node-main.js'}")
    return path


class Typesetter:
    """TeX to SVG through one Node process, started when first needed, with a disk cache."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.cache_file = cache_dir / f"svg-{OPTIONS_DIGEST}.json"
        self.cache: dict[str, str] = {}
        self.css = ""
        self.dirty = False
        self.process: subprocess.Popen | None = None
        if self.cache_file.is_file():
            saved = json.loads(self.cache_file.read_text(encoding="utf-8"))
            self.cache, self.css = saved["svg"], saved["css"]

    @staticmethod
    def key(tex: str, display: bool) -> str:
        return f"{'D' if display else 'I'}{tex}"

    def _start(self) -> subprocess.Popen:
        node = shutil.which("node")
        if node is None:
            raise ExtensionError(
                "xent_math: node (Node.js 18 or later) is not on the PATH; the site's math is "
                "typeset at build time by MathJax in Node (Debian: apt-get install nodejs)")
        # stderr to a file: a pipe nobody reads could fill up and stall Node.
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        process = subprocess.Popen(
            [node, "-e", NODE_SCRIPT, str(mathjax_dir())], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, text=True, encoding="utf-8")
        hello = process.stdout.readline()
        if not hello:
            raise ExtensionError(f"xent_math: MathJax did not start in Node: {self._stderr()}")
        info = json.loads(hello)
        if info["css"] != self.css:
            self.css, self.dirty = info["css"], True
        return process

    def render(self, items: list[tuple[str, bool]]) -> dict[str, str | Exception]:
        """SVG (or the TeX error) of each ``(tex, display)``, from the cache or from Node."""
        missing = sorted({(tex, display) for tex, display in items
                          if self.key(tex, display) not in self.cache})
        errors: dict[str, str | Exception] = {}
        if missing:
            if self.process is None:
                self.process = self._start()
            self.process.stdin.write(json.dumps(missing) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
            if not line:
                raise ExtensionError(f"xent_math: MathJax stopped in Node: {self._stderr()}")
            for (tex, display), result in zip(missing, json.loads(line), strict=True):
                if "svg" in result:
                    self.cache[self.key(tex, display)] = result["svg"]
                    self.dirty = True
                else:
                    errors[self.key(tex, display)] = ValueError(result["error"])
        return {self.key(tex, display): errors.get(self.key(tex, display))
                or self.cache[self.key(tex, display)] for tex, display in items}

    def _stderr(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stylesheet(self) -> str:
        if not self.css:
            self.process = self.process or self._start()
        return self.css

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=60)
            self.process.stdout.close()
            self.log.close()
            self.process = None
        if self.dirty:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            data = json.dumps({"css": self.css, "svg": self.cache}, sort_keys=True)
            self.cache_file.write_text(data, encoding="utf-8")
            self.dirty = False


def display_tex(node: nodes.math_block) -> str:
    """The TeX of a display equation, as Sphinx hands it to MathJax.

    Blank-line-separated parts are aligned equations, and a part with a line
    break is a ``split`` (sphinx.ext.mathjax does the same); a ``nowrap``
    block (an amsmath environment) is typeset as written.
    """
    text = node.astext()
    if node.get("no-wrap", node.get("nowrap", False)):
        return text
    parts = [part for part in text.split("\n\n") if part.strip()]
    body = r"\\".join(rf"\begin{{split}}{part}\end{{split}}" if r"\\" in part else part for part in parts)
    return rf"\begin{{align}}\begin{{aligned}}{body}\end{{aligned}}\end{{align}}" if len(parts) > 1 else body


def _typesetter(app) -> Typesetter:
    typesetter = getattr(app, "_xent_typesetter", None)
    if typesetter is None:
        typesetter = Typesetter(Path(app.outdir).parent / "xent_math")
        app._xent_typesetter = typesetter
    return typesetter


def _svg(self, node, tex: str, display: bool) -> str:
    """The SVG of one equation, its glyph ids unique on the page."""
    result = _typesetter(self.builder.app).render([(tex, display)])[Typesetter.key(tex, display)]
    if isinstance(result, Exception):
        logger.warning("TeX error in %r: %s", tex, result, location=node, type="xent_math")
        return f"<code>{self.encode(tex)}</code>"
    # Counted per page on the builder, not the translator: the page's
    # navigation and table of contents are rendered by translators of their own.
    counts = self.builder.__dict__.setdefault("_xent_math_counts", {})
    docname = getattr(self.builder, "current_docname", "")
    counts[docname] = counts.get(docname, 0) + 1
    return _GLYPH_ID.sub(f"MJX-{counts[docname]}-", result)


def visit_math(self, node: nodes.math) -> None:
    svg = _svg(self, node, node.astext(), False)
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight") + svg + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node["number"] and not node.get("no-wrap", node.get("nowrap", False)):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(_svg(self, node, display_tex(node), True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def _batch(app, doctree, docname) -> None:
    """Typeset a page's formulas that are not cached yet, in one request."""
    if getattr(app.builder, "math_renderer_name", None) != "xent_svg":
        return
    items = [(node.astext(), False) for node in doctree.findall(nodes.math)]
    items += [(display_tex(node), True) for node in doctree.findall(nodes.math_block)]
    if items:
        _typesetter(app).render(items)


def _stylesheet(app, pagename, templatename, context, doctree) -> None:
    if getattr(app.builder, "math_renderer_name", None) == "xent_svg" and doctree is not None:
        css = _typesetter(app).stylesheet()
        target = Path(app.outdir) / "_static" / "xent-math-svg.css"
        if not target.is_file() or target.read_text(encoding="utf-8") != css:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(css, encoding="utf-8")


def _close(app, exception) -> None:
    typesetter = getattr(app, "_xent_typesetter", None)
    if typesetter is not None:
        typesetter.close()


def _add_stylesheet(app) -> None:
    if getattr(app.builder, "math_renderer_name", None) == "xent_svg":
        # Before xent.css, which adjusts it.
        app.add_css_file("xent-math-svg.css", priority=400)


def setup(app):
    app.add_html_math_renderer("xent_svg", (visit_math, None), (visit_displaymath, None))
    # A display equation too wide for its column becomes a named, focusable
    # scroller (static/xent-math.js); equations themselves are not Tab stops.
    add_static_dir(app)
    app.add_js_file("xent-math.js", loading_method="defer")
    app.connect("builder-inited", _add_stylesheet)
    app.connect("doctree-resolved", _batch)
    app.connect("html-page-context", _stylesheet)
    app.connect("build-finished", _close)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": False}
