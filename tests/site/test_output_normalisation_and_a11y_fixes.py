"""The build-time fixes in xent_sphinx/reproducible.py and xent_sphinx/a11y.py.

Pure functions, checked on small hand-made inputs whose right answer is
plain from the input.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from xent_sphinx import a11y as xent_a11y
from xent_sphinx import reproducible as xent_reproducible

label_sidebar_summaries = xent_a11y.label_sidebar_summaries
list_item_citations = xent_a11y.list_item_citations
merge_streams = xent_reproducible.merge_streams
normalise_notebook = xent_reproducible.normalise_notebook

LINES = "min CE: 0.1\nmin KL: 0.1\nmax likelihood: 0.1\n"


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


@pytest.mark.parametrize("cut", range(len(LINES) + 1))
def test_a_stream_reads_the_same_wherever_the_kernel_cut_it(cut):
    """Every split of one printed text into two chunks merges back to that text."""
    chunks = [stream(LINES[:cut]), stream(LINES[cut:])]
    assert merge_streams(chunks) == [stream(LINES)]


def test_chunks_as_line_lists_and_three_way_cuts():
    chunks = [stream(["min CE: 0.1"]), stream(["\n", "min KL: 0.1\n", "max "]), stream("likelihood: 0.1\n")]
    assert merge_streams(chunks) == [stream(LINES)]


def test_streams_are_merged_per_name_and_other_outputs_keep_their_place():
    figure = {"output_type": "display_data", "data": {"text/plain": "<Figure>"}, "metadata": {}}
    outputs = [stream("a\n"), stream("warn\n", "stderr"), figure, stream("b\n")]
    assert merge_streams(outputs) == [stream("a\nb\n"), stream("warn\n", "stderr"), figure]


def test_stdout_goes_before_an_adjacent_stderr():
    assert merge_streams([stream("w\n", "stderr"), stream("o\n")]) == [stream("o\n"), stream("w\n", "stderr")]


def test_carriage_returns_and_backspaces_are_applied():
    assert merge_streams([stream("10%\r"), stream("100%\nab\bc\n")]) == [stream("100%\nac\n")]


def test_trailing_whitespace_is_one_newline():
    assert merge_streams([stream("x  \n\n\n")]) == [stream("x\n")]


def test_the_outputs_given_are_not_modified():
    chunks = [stream("a"), stream("\nb\n")]
    merge_streams(chunks)
    assert chunks == [stream("a"), stream("\nb\n")]


def test_notebook_cells_get_numbered_ids_and_merged_streams():
    notebook = {"cells": [
        {"cell_type": "markdown", "id": "4f2a9c1e", "metadata": {}, "source": "# T"},
        {"cell_type": "code", "id": "b81d03aa", "metadata": {}, "source": "print(1)",
         "execution_count": 1, "outputs": [stream("1"), stream("\n")]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    out = normalise_notebook(notebook)
    assert [cell["id"] for cell in out["cells"]] == ["cell-0", "cell-1"]
    assert out["cells"][1]["outputs"] == [stream("1\n")]
    assert notebook["cells"][0]["id"] == "4f2a9c1e", "the input notebook was modified"


SIDEBAR = """<ul class="nav bd-sidenav">
<li class="toctree-l1 has-children"><a class="reference internal" href="chain/index.html">From <em>likelihood</em> to
 cross-entropy</a><details><summary><span class="toctree-toggle" role="presentation"><i class="fa-solid fa-chevron-down"></i></span></summary><ul>
<li class="toctree-l2"><a class="reference internal" href="chain/entropy.html">Entropy</a></li></ul></details></li>
<li class="toctree-l1"><a class="reference internal" href="quiz.html">Quiz</a></li>
</ul>
<p class="caption"><details><summary><span class="caption-text">Section</span></summary></details></p>"""


def test_sidebar_toggles_are_named_after_their_entry():
    soup = label_sidebar_summaries(BeautifulSoup(SIDEBAR, "html.parser"))
    summaries = soup.find_all("summary")
    assert summaries[0]["aria-label"] == "Sub-pages of From likelihood to cross-entropy"
    # A summary with its own text needs no label.
    assert not summaries[1].has_attr("aria-label")
    # Idempotent: the theme caches the soup and may hand it over again.
    assert str(label_sidebar_summaries(soup)) == str(soup)


def test_bibliography_entries_become_list_items():
    body = ('<div role="list" class="citation-list">\n<div class="citation" id="id4" role="doc-biblioentry">'
            '<span class="label">[1]</span><p>Bishop</p></div>\n</div>')
    fixed = list_item_citations(body)
    assert 'role="doc-biblioentry"' not in fixed
    assert fixed.count('role="listitem"') == 1 and 'role="list"' in fixed
