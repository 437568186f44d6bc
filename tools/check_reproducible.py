"""Builds of one tree must be byte-identical, clean or incremental.

Copies the working tree (sources, conf.py, xent_ref, benchmark results; no
build output, no virtualenv) twice and makes three builds, as `make html`
builds (strict, nitpicky), each copy with its own fresh Jupyter execution
cache, the same SOURCE_DATE_EPOCH and PYTHONHASHSEED=0:

1. build 1: a clean build of the tree as it is;
2. then one page of that copy is edited (``--edit``, by default
   ``docs/reference/glossary.md``: a sentence is appended) and build 1 is
   brought up to date by an incremental build, as `make html` does after an
   edit;
3. build 2: a clean build of the second copy, edited the same way.

Every file of the two sites is then compared byte for byte: pages, images,
notebooks, search index, sitemap. Build 1's pages that the edit did not
touch come from its clean build, so the comparison checks both that two
clean builds agree and that an incremental build equals a clean one, for
the cost of two clean builds. Prints each difference with a short diff and
exits 1 if there is any.

The copies make the check immune to edits made while it runs, and each
build's pages import the xent_ref of its own copy. The two builds live in
different directories on purpose: a build that writes its own location into
a page would not be reproducible on another machine.

Usage: python tools/check_reproducible.py [--serial] [--keep] [--edit PAGE]
(`make reproducible` runs it with the project's virtualenv.)
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Files in the output directory that are not part of the published site, so
# they may differ. Nothing else is ignored.
NOT_PUBLISHED = {
    # Sphinx's pickled doctrees and environment (written inside the output
    # directory when sphinx-build has no -d): build caches holding absolute
    # paths and timestamps, never served to a reader.
    ".doctrees/*": "Sphinx's build cache (pickles)",
    # Sphinx's incremental-build stamp: a hash of the configuration, which
    # includes the absolute path of the build's own execution cache.
    ".buildinfo": "Sphinx's incremental-build stamp",
    ".buildinfo.bak": "Sphinx's incremental-build stamp",
}


def source_date_epoch() -> str:
    """$SOURCE_DATE_EPOCH, else the last commit's time, else a fixed date (as the Makefile does)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    result = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT,
                            capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else "1700000000"


# Not sources: build output, environments, caches.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "_build", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis",
    ".ipynb_checkpoints", ".jupyter_cache", "jupyter_execute", ".scratch")


def start_build(tree: Path, builddir: Path, epoch: str, *, strict: bool,
                log_name: str = "build.log") -> tuple[subprocess.Popen, Path]:
    """Start sphinx-build of *tree* into *builddir*; an existing build there is updated."""
    env = {
        **os.environ,
        # The kernel imports this copy's xent_ref, not the editable install's.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")])),
        "XENT_BUILDDIR": str(builddir),
        "SOURCE_DATE_EPOCH": epoch,
        "PYTHONHASHSEED": "0",
    }
    # As under make: matplotlib picks the kernel's inline backend (an Agg
    # backend set here would leave the pages without their figures).
    env.pop("MPLBACKEND", None)
    builddir.mkdir(parents=True, exist_ok=True)
    log = builddir / log_name
    # The command of `make html`, with $SPHINXOPTS as the Makefile passes them.
    command = [sys.executable, "-m", "sphinx", "-c", str(tree), *(["-W"] if strict else []),
               "--keep-going", "-n", "-b", "html", str(tree / "docs"), str(builddir / "html"),
               *shlex.split(os.environ.get("SPHINXOPTS", ""))]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, log


EDIT = "\n\nThis sentence was added by the reproducibility check.\n"


def edit_page(tree: Path, page: str) -> None:
    """Append a sentence to *page* (relative to the tree) of the copy at *tree*."""
    path = tree / page
    if not path.is_file():
        raise SystemExit(f"--edit: no page {page} in the tree")
    path.write_text(path.read_text(encoding="utf-8") + EDIT, encoding="utf-8")


def finished(name: str, process: subprocess.Popen, log: Path) -> bool:
    """Wait for a build; on failure print the end of its log."""
    if process.wait() == 0:
        return True
    print(f"{name} failed (exit {process.returncode}); the end of {log}:", file=sys.stderr)
    print("".join(log.read_text(errors="replace").splitlines(True)[-40:]), file=sys.stderr)
    return False


def written_pages(log: Path) -> list[str]:
    """The pages an (incremental) build wrote, from its log."""
    return sorted({line.split("writing output... ")[1].split("]", 1)[-1].strip()
                   for line in log.read_text(errors="replace").splitlines()
                   if "writing output... " in line and "]" in line})


def ignored(rel: str) -> bool:
    return any(fnmatch.fnmatch(rel, pattern) for pattern in NOT_PUBLISHED)


def files(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*"))
            if p.is_file() and not ignored(p.relative_to(site).as_posix())}


def short_diff(rel: str, a: bytes, b: bytes, lines: int = 24) -> str:
    try:
        ta, tb = a.decode("utf-8"), b.decode("utf-8")
    except UnicodeDecodeError:
        first = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y) if len(a) == len(b) else min(len(a), len(b))
        return f"  binary: {len(a)} vs {len(b)} bytes, first difference at byte {first}"
    if ta.count("\n") < 3 and max(len(ta), len(tb)) > 400:
        # One long line (minified JS, JSON): show the neighbourhood of the first difference.
        first = next((i for i, (x, y) in enumerate(zip(ta, tb)) if x != y), min(len(ta), len(tb)))
        return f"  first difference at character {first}:\n  - {ta[max(0, first - 80):first + 120]!r}\n  + {tb[max(0, first - 80):first + 120]!r}"
    diff = difflib.unified_diff(ta.splitlines(), tb.splitlines(), f"build1/{rel}", f"build2/{rel}",
                                lineterm="", n=1)
    out = [line if len(line) <= 240 else line[:240] + " ..." for line in diff]
    more = f"\n  ... {len(out) - lines} more diff lines" if len(out) > lines else ""
    return "\n".join("  " + line for line in out[:lines]) + more


def compare(site1: Path, site2: Path) -> list[str]:
    f1, f2 = files(site1), files(site2)
    problems = [f"only in build 1 (clean, then incremental): {rel}" for rel in sorted(set(f1) - set(f2))]
    problems += [f"only in build 2 (clean, of the edited tree): {rel}" for rel in sorted(set(f2) - set(f1))]
    for rel in sorted(set(f1) & set(f2)):
        a, b = f1[rel].read_bytes(), f2[rel].read_bytes()
        if a != b:
            problems.append(f"differs: {rel}\n{short_diff(rel, a, b)}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serial", action="store_true",
                        help="run the two clean builds one after the other (default: side by side)")
    parser.add_argument("--keep", action="store_true", help="keep the builds for inspection")
    parser.add_argument("--edit", default="docs/reference/glossary.md", metavar="PAGE",
                        help="the page edited before the incremental build (default: %(default)s)")
    parser.add_argument("--not-strict", action="store_true",
                        help="build without -W, to look for differences in a tree that still warns")
    args = parser.parse_args()

    epoch = source_date_epoch()
    strict = not args.not_strict
    tmp = Path(tempfile.mkdtemp(prefix="xent-reproducible-"))
    started = time.monotonic()
    try:
        shutil.copytree(ROOT, tmp / "src1", ignore=NOT_SOURCES, symlinks=True)
        shutil.copytree(tmp / "src1", tmp / "src2", symlinks=True)
        edit_page(tmp / "src2", args.edit)
        # The kernels talk over IPC (conf.py), so two builds side by side
        # cannot race for a port.
        first = start_build(tmp / "src1", tmp / "build1", epoch, strict=strict)
        if args.serial and not finished("build 1 (clean)", *first):
            return 2
        second = start_build(tmp / "src2", tmp / "build2", epoch, strict=strict)
        if not finished("build 1 (clean)", *first):
            second[0].wait()
            return 2
        edit_page(tmp / "src1", args.edit)
        incremental = start_build(tmp / "src1", tmp / "build1", epoch, strict=strict,
                                  log_name="incremental.log")
        ok = finished("build 1 (incremental, after editing the page)", *incremental)
        ok = finished("build 2 (clean, of the edited tree)", *second) and ok
        if not ok:
            return 2
        built = time.monotonic() - started
        problems = compare(tmp / "build1" / "html", tmp / "build2" / "html")
        n_files = len(files(tmp / "build1" / "html"))
        print(f"builds (SOURCE_DATE_EPOCH={epoch}, PYTHONHASHSEED=0) in {built:.0f} s: a clean build, "
              f"an edit to {args.edit} and an incremental build (which wrote "
              f"{len(written_pages(incremental[1]))} pages), against a clean build of the edited tree; "
              f"{n_files} published files compared")
        print("not compared (not published): " + ", ".join(f"{k} ({v})" for k, v in NOT_PUBLISHED.items()))
        if problems:
            print(f"NOT REPRODUCIBLE: {len(problems)} difference(s)")
            for problem in problems:
                print(problem)
            return 1
        print("reproducible: every published file is byte-identical")
        return 0
    finally:
        if args.keep:
            print(f"builds kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
