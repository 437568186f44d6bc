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


def setup(app) -> dict[str, Any]:
    from myst_nb.core import render

    # MyST-NB calls render.coalesce_streams when nb_merge_streams is on.
    render.coalesce_streams = merge_streams
    app.connect("build-finished", normalise_downloads)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
