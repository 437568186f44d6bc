"""The hash-checked install locks, written from pyproject.toml (`make lock`).

Two lock files, each pinning every package its extras need, transitively,
with the sha256 of every file pip may install:

* ``requirements/test.txt``: the ``docs``, ``test`` and ``lock`` extras
  (``make test``, ``make test-fast``, ``make bench``);
* ``requirements/docs.txt``: the ``docs`` and ``lock`` extras (``make html``,
  ``make reproducible``, ``make lock``, Read the Docs), resolved under
  ``test.txt`` as a constraint, so a package both name has one version and
  installing ``test.txt`` over ``docs.txt`` only adds packages.

Both also pin the build requirement (setuptools), which the project's
editable install uses in place of an isolated build, and pip itself (a
dependency of pip-tools, the ``lock`` extra). pip-compile keeps a pin that
still satisfies pyproject.toml; ``make lock LOCK_ARGS=--upgrade`` moves
every package to its newest allowed release, ``LOCK_ARGS="-P NAME"`` one.

Each file's first line records a digest of what pyproject.toml asks for
(:func:`pyproject_digest`); :func:`problems` compares a lock with
pyproject.toml, and ``tests/site/test_lock.py`` fails on any problem.

PyTorch: the docs extra pins ``torch==2.13.0`` and the lock must take the
CPU build (``2.13.0+cpu``); from PyPI alone pip would take the CUDA build and
several GB of nvidia packages. This script passes pip's environment through:
on this project's machines ``PIP_FIND_LINKS=/opt/wheels`` holds the CPU
wheel; elsewhere set ``PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu``.
It keeps the old locks when a new one fails a check (a CUDA torch, say).

Usage: python tools/lock.py [--check] [pip-compile options, e.g. --upgrade]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"

# Lock file (relative to the root) -> the extras it covers. test.txt first:
# docs.txt is resolved under it.
LOCKS: dict[str, tuple[str, ...]] = {
    "requirements/test.txt": ("docs", "test", "lock"),
    "requirements/docs.txt": ("docs", "lock"),
}

DIGEST_PREFIX = "# pyproject.toml sha256: "
DIGEST_LINE = re.compile(r"^# pyproject\.toml sha256: ([0-9a-f]{64})\b")
# One requirement, as pip-compile --generate-hashes writes it once the
# backslash continuations are joined: name==version, then its hashes.
PINNED = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)"
    r"(?P<hashes>(?:\s+--hash=sha256:[0-9a-f]{64})+)$")

# Packages that mean pip took a CUDA build of torch.
CUDA = re.compile(r"^(nvidia-|triton$|cuda-)")


def pyproject_spec(pyproject: Path = PYPROJECT) -> dict[str, object]:
    """What the locks are resolved from: everything in pyproject.toml that names a package."""
    with open(pyproject, "rb") as f:
        data = tomllib.load(f)
    project = data["project"]
    return {
        "requires-python": project.get("requires-python", ""),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
        "build-system.requires": data.get("build-system", {}).get("requires", []),
    }


def pyproject_digest(pyproject: Path = PYPROJECT) -> str:
    """sha256 of :func:`pyproject_spec` as canonical JSON: comments and layout don't count."""
    text = json.dumps(pyproject_spec(pyproject), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def logical_lines(text: str) -> list[str]:
    """The lock's lines with backslash continuations joined; comments and blank lines dropped."""
    joined = re.sub(r"\\\n", " ", text)
    lines = []
    for line in joined.splitlines():
        line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            lines.append(" ".join(line.split()))
    return lines


def read_lock(path: Path) -> dict[str, tuple[Version, frozenset[str]]]:
    """canonical name -> (pinned version, its sha256 hashes); ValueError on any other line."""
    pins: dict[str, tuple[Version, frozenset[str]]] = {}
    for line in logical_lines(path.read_text(encoding="utf-8")):
        match = PINNED.match(line)
        if match is None:
            raise ValueError(f"{path.name}: not `name==version --hash=sha256:...`: {line[:120]!r}")
        name = canonicalize_name(match["name"])
        if name in pins:
            raise ValueError(f"{path.name}: {name} is pinned twice")
        hashes = frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", match["hashes"]))
        pins[name] = (Version(match["version"]), hashes)
    return pins


def requirements(extras: tuple[str, ...], pyproject: Path = PYPROJECT) -> list[Requirement]:
    """The project's dependencies, those of ``extras`` and its build requirements."""
    with open(pyproject, "rb") as f:
        data = tomllib.load(f)
    optional: dict[str, list[str]] = data["project"].get("optional-dependencies", {})
    texts: list[str] = data["project"].get("dependencies", []) + data["build-system"]["requires"]
    for extra in extras:
        if extra not in optional:
            raise ValueError(f"pyproject.toml has no extra {extra!r}")
        texts += optional[extra]
    return [Requirement(text) for text in texts]


def problems(lock: Path, extras: tuple[str, ...], pyproject: Path = PYPROJECT) -> list[str]:
    """Why ``lock`` does not match ``pyproject``: an empty list when it does."""
    found = []
    first = lock.read_text(encoding="utf-8").partition("\n")[0]
    recorded = DIGEST_LINE.match(first)
    if recorded is None:
        found.append(f"{lock.name}: its first line records no pyproject.toml digest")
    elif recorded[1] != pyproject_digest(pyproject):
        found.append(f"{lock.name}: written for another pyproject.toml (digest {recorded[1][:12]}...)")
    pins = read_lock(lock)
    for req in requirements(extras, pyproject):
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        pinned = pins.get(canonicalize_name(req.name))
        if pinned is None:
            found.append(f"{lock.name}: {req} is not in the lock")
        elif not req.specifier.contains(pinned[0], prereleases=True):
            found.append(f"{lock.name}: {req} is not satisfied by the pin {req.name}=={pinned[0]}")
    for name, (version, _) in pins.items():
        if CUDA.match(name):
            found.append(f"{lock.name}: {name} is a CUDA package: torch must be the CPU build")
        if name == "torch" and version.local != "cpu":
            found.append(f"{lock.name}: torch=={version} is not the CPU build (+cpu)")
    return found


def compile_locks(pip_compile_args: list[str]) -> None:
    """Run pip-compile for each lock, write the digest line at its top and check it."""
    digest = pyproject_digest()
    constraint: list[str] = []
    for lock, extras in LOCKS.items():
        command = [
            sys.executable, "-m", "piptools", "compile", "--quiet",
            "--generate-hashes", "--allow-unsafe", "--strip-extras",
            # setuptools, for `pip install --no-build-isolation -e .`.
            "--build-deps-for", "editable",
            # The indexes and wheel directories come from pip's environment
            # on each machine, not from the lock.
            "--no-emit-index-url", "--no-emit-find-links",
            *[f"--extra={extra}" for extra in extras],
            *constraint, *pip_compile_args,
            "--output-file", lock, "pyproject.toml",
        ]
        # pip-compile names this command, not its own, in the header.
        env = {**os.environ, "CUSTOM_COMPILE_COMMAND": "make lock"}
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        path = ROOT / lock
        text = path.read_text(encoding="utf-8")
        if DIGEST_LINE.match(text):
            text = text.partition("\n")[2]
        path.write_text(
            f"{DIGEST_PREFIX}{digest} (tools/lock.py; edit pyproject.toml, then run `make lock`)\n"
            + text, encoding="utf-8")
        # Stop at the first bad lock: the next is resolved under it.
        found = problems(path, extras)
        if found:
            raise ValueError("\nerror: ".join(found))
        constraint = ["--constraint", lock]


def main(argv: list[str]) -> int:
    check_only = argv[:1] == ["--check"]
    before = {lock: (ROOT / lock).read_text(encoding="utf-8")
              for lock in LOCKS if (ROOT / lock).exists()}
    try:
        if not check_only:
            compile_locks(argv)
        found = [p for lock, extras in LOCKS.items() for p in problems(ROOT / lock, extras)]
    except (subprocess.CalledProcessError, ValueError) as error:
        found = [str(error)]
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    if found and not check_only:
        # A lock that pip-compile wrote but that fails a check is not kept.
        for lock, text in before.items():
            (ROOT / lock).write_text(text, encoding="utf-8")
        print("error: the locks are left as they were", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
