"""The build is strict, cached, and incremental builds equal clean ones.

Small fixture sites are built with the project's own ``conf.py``: a code cell
that raises fails the build unless it is tagged as an intended error; a
rebuild with nothing changed executes nothing; editing one page re-executes
only that page; a change to xent_ref or to the benchmark results moves the
execution cache; an edit and an incremental build give the same files as a
clean build of the edited tree (the sitemap included); and no kernel logs
the unencrypted-TCP warning. ``make reproducible`` checks the same on the
whole site.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "proof"

PAGE = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---

# {title}

```{{code-cell}} ipython3
value = {value}
```
"""


def build(src: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-c", str(ROOT), "-W", "--keep-going",
         "-n", "-b", "html", str(src), str(out / "html")],
        env={**os.environ, "XENT_BUILDDIR": str(out), "SOURCE_DATE_EPOCH": "1700000000",
             "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def executed(result: subprocess.CompletedProcess) -> list[str]:
    """The pages a build executed, from MyST-NB's log."""
    log = result.stdout + result.stderr
    return sorted(
        Path(line.split(":")[0]).stem
        for line in log.splitlines()
        if "Executing notebook" in line
    )


def site(tmp_path: Path, pages: dict[str, str]) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    toctree = "\n".join(pages)
    (src / "index.md").write_text(f"# Site\n\n```{{toctree}}\n{toctree}\n```\n")
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text)
    return src


def test_raising_cell_fails_the_build(tmp_path):
    src = site(tmp_path, {})
    shutil.copy(FIXTURES / "raising_cell.md", src / "broken.md")
    (src / "index.md").write_text("# Site\n\n```{toctree}\nbroken\n```\n")
    result = build(src, tmp_path / "out")
    assert result.returncode != 0
    assert "this cell is broken" in result.stdout + result.stderr


def test_cell_tagged_as_intended_error_builds(tmp_path):
    src = site(tmp_path, {})
    shutil.copy(FIXTURES / "good.md", src / "good.md")
    (src / "index.md").write_text("# Site\n\n```{toctree}\ngood\n```\n")
    result = build(src, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    html = (tmp_path / "out" / "html" / "good.html").read_text()
    assert "ZeroDivisionError" in html


def test_rebuild_executes_only_what_changed(tmp_path):
    src = site(tmp_path, {
        "one": PAGE.format(title="One", value=1),
        "two": PAGE.format(title="Two", value=2),
    })
    out = tmp_path / "out"
    first = build(src, out)
    assert first.returncode == 0, first.stdout + first.stderr
    assert executed(first) == ["one", "two"]

    again = build(src, out)
    assert again.returncode == 0, again.stdout + again.stderr
    assert executed(again) == []

    (src / "two.md").write_text(PAGE.format(title="Two", value=22))
    edited = build(src, out)
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert executed(edited) == ["two"]


def test_input_change_moves_the_execution_cache(tmp_path):
    spec = importlib.util.spec_from_file_location("xent_conf", ROOT / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert ROOT / "xent_ref" in conf.EXECUTION_INPUTS
    assert ROOT / "benchmarks" / "results.json" in conf.EXECUTION_INPUTS
    assert ROOT / "benchmarks" / "summary.py" in conf.EXECUTION_INPUTS
    assert ROOT / "docs" / "reference" / "xent-golden-vectors-v1.json" in conf.EXECUTION_INPUTS

    package = tmp_path / "xent_ref"
    shutil.copytree(ROOT / "xent_ref", package, ignore=shutil.ignore_patterns("__pycache__"))
    results = tmp_path / "results.json"
    results.write_text("{}")
    before = conf.inputs_digest(package, results)
    assert conf.inputs_digest(package, results) == before

    source = package / "_information.py"
    source.write_text(source.read_text() + "\n# an edit\n")
    after_code = conf.inputs_digest(package, results)
    assert after_code != before

    results.write_text('{"new": 1}')
    assert conf.inputs_digest(package, results) != after_code


TEXT_PAGE = """# {title}

{body}
"""


def test_incremental_build_equals_a_clean_build(tmp_path):
    from tools.check_reproducible import compare

    pages = {name: TEXT_PAGE.format(title=name.title(), body=f"The ${name}$ page.")
             for name in ("one", "two", "three")}
    pages["cell"] = PAGE.format(title="Cell", value=1)
    src = site(tmp_path, pages)
    out = tmp_path / "incremental"
    first = build(src, out)
    assert first.returncode == 0, first.stdout + first.stderr

    # Math, so that the edited page has typeset math.
    (src / "two.md").write_text(TEXT_PAGE.format(title="Two", body="The edited $x^2$ page."))
    again = build(src, out)
    assert again.returncode == 0, again.stdout + again.stderr
    # Every page is read again (xent_sphinx.reproducible.reread_every_page keeps the
    # search index whole), but no notebook runs again: its outputs are cached.
    assert executed(again) == []

    clean = build(src, tmp_path / "clean")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    sitemap = (out / "html" / "sitemap.xml").read_text()
    assert all(f"{name}.html</loc>" in sitemap for name in (*pages, "index"))
    problems = compare(out / "html", tmp_path / "clean" / "html")
    assert not problems, "\n".join(problems)


def test_kernels_do_not_warn_about_tcp(tmp_path):
    src = site(tmp_path, {"one": PAGE.format(title="One", value=1)})
    result = build(src, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert executed(result) == ["one"]
    assert "without encryption" not in result.stdout + result.stderr
