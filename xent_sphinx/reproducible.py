"""Two builds of the same sources give byte-identical files, where the tools alone don't.

``make reproducible`` (tools/check_reproducible.py) found two sources of
difference between clean builds of one tree, both fixed here:

* **Split stream outputs.** ipykernel sends a cell's stdout in chunks cut by
  a timer, so where one chunk ends depends on the machine's load. MyST-NB
  merges the chunks (``nb_merge_streams``) but strips each chunk's end and
  adds a newline, so a cut between a ``print``'s text and its newline shows up
  as an extra blank line on one build and not the other. Here the chunks are
  joined verbatim, and only the end of the whole stream is normalised, so the
  page is the same wherever the cuts fell.
* **Random cell ids in the .ipynb download.** nbformat gives each cell a
  random id when MyST-NB reads a page. After the build, each downloadable
  notebook in ``_sources/`` gets numbered cell ids (``cell-0``, ``cell-1``,
  ...) and the same merged stream outputs as its page.

And an incremental build gives the same site as a clean one:

* **The sitemap lists every page.** sphinx-sitemap collects the pages as
  they are written, so after an incremental build ``sitemap.xml`` lists only
  the pages that run rewrote (https://github.com/jdillard/sphinx-sitemap/issues/13).
  Before it writes the file, every page of the project that this run did not
  write is added through sphinx-sitemap's own function, and the list is
  sorted, so the sitemap depends only on the sources.
* **Every page links MyST-NB's stylesheet the same way.**
  Sphinx adds ``?v=<checksum>`` to a stylesheet's or script's link only if
  the file is already in ``_static`` when the page is written. MyST-NB (1.4)
  copies its ``mystnb.<hash>.css`` there only on ``build-finished``, after
  the pages. So a clean build linked it without the checksum, and an
  incremental build (which finds the file the previous one left) with it. It
  is copied as soon as the pages are read, so every build links it with the
  checksum.
* **No stale social card.** sphinxext-opengraph (0.13) draws each page's
  preview card to ``_images/social_previews/summary_<page>_<hash>.png``, the
  hash taken from the card's text; after an edit the new card is written and
  the old one stays, referenced by no page. Cards no page references are
  removed.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

_CARRIAGE_RETURN = re.compile(r".*\r(?=[^\n])")
# A character then a backspace (U+0008) cancel out.
_BACKSPACE = re.compile("[^\n]\x08")


def _text(output: dict) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def merge_streams(outputs: list) -> list:
    """All stream outputs of one name merged into the first, text joined verbatim.

    Same contract as MyST-NB's ``coalesce_streams`` (one output per stream,
    ``\\r`` and ``\\b`` applied, stdout before an adjacent stderr, each
    stream's text ending in exactly one newline), but the result does not
    depend on where the kernel cut the stream. The outputs given are not
    modified.
    """
    merged: list = []
    streams: dict[str, Any] = {}
    for output in outputs or []:
        if output.get("output_type") == "stream":
            name = output.get("name")
            if name in streams:
                streams[name]["text"] += _text(output)
                continue
            output = copy.deepcopy(output)
            output["text"] = _text(output)
            streams[name] = output
        merged.append(output)
    for output in streams.values():
        text = output["text"]
        previous = None
        while previous != text:
            previous, text = text, _BACKSPACE.sub("", text)
        text = _CARRIAGE_RETURN.sub("", text)
        output["text"] = text.rstrip() + "\n"
    # stdout before stderr when they are adjacent: the kernel sends them on
    # one channel, but their order is not guaranteed.
    for i in range(len(merged) - 1):
        here, after = merged[i], merged[i + 1]
        if (here.get("output_type") == after.get("output_type") == "stream"
                and here.get("name") == "stderr" and after.get("name") == "stdout"):
            merged[i], merged[i + 1] = after, here
    return merged


def normalise_notebook(notebook: dict) -> dict:
    """A copy of *notebook* with numbered cell ids and merged stream outputs."""
    notebook = copy.deepcopy(notebook)
    for index, cell in enumerate(notebook.get("cells", [])):
        cell["id"] = f"cell-{index}"
        if cell.get("cell_type") == "code":
            cell["outputs"] = merge_streams(cell.get("outputs", []))
    return notebook


def normalise_downloads(app, exception) -> None:
    """Rewrite every downloadable notebook of the build, once all pages are written."""
    if exception is not None or app.builder.format != "html":
        return
    for path in sorted((Path(app.outdir) / "_sources").rglob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        # nbformat's own layout: one-space indent, sorted keys.
        text = json.dumps(normalise_notebook(notebook), indent=1, sort_keys=True,
                          ensure_ascii=False) + "\n"
        path.write_text(text, encoding="utf-8")


def _record_written(app, pagename, templatename, context, doctree) -> None:
    app.xent_written_pages.add(pagename)


def _reset_written(app) -> None:
    app.xent_written_pages = set()


def complete_sitemap(app, exception) -> None:
    """Give sphinx-sitemap every page, not only those this run wrote, in sorted order.

    Runs on ``build-finished`` before sphinx-sitemap writes the file (its
    handler has the default priority, 500).
    """
    links = getattr(app, "sitemap_links", None)
    if exception is not None or links is None or app.builder.format != "html":
        return
    from sphinx_sitemap import add_html_link

    for docname in sorted(app.env.found_docs - app.xent_written_pages):
        add_html_link(app, docname, None, {}, None)
    entries = []
    while not links.empty():
        entries.append(links.get_nowait())
    for entry in sorted(set(entries), key=lambda e: (e[0], e[1] or "")):
        links.put(entry)


def copy_late_static_files(app, env) -> None:
    """Put MyST-NB's stylesheet in ``_static`` before any page is written."""
    if app.builder.format != "html":
        return
    from myst_nb.sphinx_ext import add_global_html_resources

    (Path(app.outdir) / "_static").mkdir(parents=True, exist_ok=True)
    add_global_html_resources(app, None)


SOCIAL_CARD = re.compile(r"_images/social_previews/([^\"'\s<>/]+\.png)")


def remove_stale_social_cards(app, exception) -> None:
    """Delete the preview cards that no page of the site references any more."""
    cards = Path(app.outdir) / "_images" / "social_previews"
    if exception is not None or app.builder.format != "html" or not cards.is_dir():
        return
    used = set()
    for page in Path(app.outdir).rglob("*.html"):
        used.update(SOCIAL_CARD.findall(page.read_text(encoding="utf-8", errors="replace")))
    for card in cards.glob("*.png"):
        if card.name not in used:
            card.unlink()


def reread_every_page(app, env, added, changed, removed) -> list[str]:
    """Read (and so write) every page on every build, not only the changed ones.

    On an incremental build Sphinx's search index keeps the index entries
    (``indexentries``: glossary terms, ``index`` directives, the API
    reference's objects) of the pages that build writes only, so a site
    published after one would search differently from a clean build. Reading
    every page costs little here: MyST-NB takes each notebook's outputs from
    its execution cache, so nothing is executed again.
    """
    return sorted(env.found_docs - set(added) - set(changed) - set(removed))


def setup(app) -> dict[str, Any]:
    from myst_nb.core import render

    # MyST-NB (1.4) calls render.coalesce_streams when nb_merge_streams is on.
    # It rstrips each chunk and ends it with a newline before joining, so the
    # text depends on where the kernel's timer cut the stream: a cut inside a
    # line becomes a line break, and a chunk's trailing blank lines are lost.
    # Upstream, merged streams that keep the kernel's spacing are asked for in
    # https://github.com/executablebooks/MyST-NB/issues/690 (open).
    render.coalesce_streams = merge_streams
    app.connect("build-finished", normalise_downloads)
    app.connect("builder-inited", _reset_written)
    app.connect("html-page-context", _record_written)
    app.connect("build-finished", complete_sitemap, priority=400)
    app.connect("env-updated", copy_late_static_files)
    app.connect("build-finished", remove_stale_social_cards)
    app.connect("env-get-outdated", reread_every_page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
