"""Two clean builds of the current tree must be byte-identical.

Copies the working tree (sources, conf.py, xent_ref, benchmark results; no
build output, no virtualenv) twice, builds each copy into its own temporary
directory with its own fresh Jupyter execution cache, with the same
SOURCE_DATE_EPOCH and PYTHONHASHSEED=0, as `make html` builds (strict,
nitpicky), then compares every file of the two sites byte for byte: pages,
images, notebooks, search index, sitemap. Prints each difference with a short
diff and exits 1 if there is any.

The copies make the check immune to edits made while it runs, and each
build's pages import the xent_ref of its own copy. The two builds live in
different directories on purpose: a build that writes its own location into
a page would not be reproducible on another machine.

Usage: python tools/check_reproducible.py [--serial] [--keep]
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


def start_build(tree: Path, builddir: Path, epoch: str, *, strict: bool) -> tuple[subprocess.Popen, Path]:
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
    log = builddir / "build.log"
    builddir.mkdir(parents=True)
    # The command of `make html`, with $SPHINXOPTS as the Makefile passes them.
    command = [sys.executable, "-m", "sphinx", "-c", str(tree), *(["-W"] if strict else []),
               "--keep-going", "-n", "-b", "html", str(tree / "docs"), str(builddir / "html"),
               *shlex.split(os.environ.get("SPHINXOPTS", ""))]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, log


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
    problems = [f"only in build 1: {rel}" for rel in sorted(set(f1) - set(f2))]
    problems += [f"only in build 2: {rel}" for rel in sorted(set(f2) - set(f1))]
    for rel in sorted(set(f1) & set(f2)):
        a, b = f1[rel].read_bytes(), f2[rel].read_bytes()
        if a != b:
            problems.append(f"differs: {rel}\n{short_diff(rel, a, b)}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serial", action="store_true",
                        help="run the two builds one after the other (default: side by side)")
    parser.add_argument("--keep", action="store_true", help="keep the two builds for inspection")
    parser.add_argument("--not-strict", action="store_true",
                        help="build without -W, to look for differences in a tree that still warns")
    args = parser.parse_args()

    epoch = source_date_epoch()
    tmp = Path(tempfile.mkdtemp(prefix="xent-reproducible-"))
    started = time.monotonic()
    try:
        shutil.copytree(ROOT, tmp / "src1", ignore=NOT_SOURCES, symlinks=True)
        shutil.copytree(tmp / "src1", tmp / "src2", symlinks=True)
        builds = []
        for n in (1, 2):
            builds.append((f"build{n}", *start_build(tmp / f"src{n}", tmp / f"build{n}", epoch,
                                                     strict=not args.not_strict)))
            if args.serial:
                builds[-1][1].wait()
        failed = False
        for name, process, log in builds:
            if process.wait() != 0:
                failed = True
                print(f"{name} failed (exit {process.returncode}); the end of {log}:", file=sys.stderr)
                print("".join(log.read_text(errors="replace").splitlines(True)[-40:]), file=sys.stderr)
        if failed:
            return 2
        built = time.monotonic() - started
        problems = compare(tmp / "build1" / "html", tmp / "build2" / "html")
        n_files = len(files(tmp / "build1" / "html"))
        print(f"two clean builds (SOURCE_DATE_EPOCH={epoch}, PYTHONHASHSEED=0) in {built:.0f} s; "
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
