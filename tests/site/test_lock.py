"""The hash-checked install locks (requirements/*.txt) and what installs from them.

* each lock records the digest of what pyproject.toml asks for, and pins a
  version that satisfies every requirement of its extras: a changed pin, a
  new package or a new extra in pyproject.toml makes the lock stale, and the
  checks below fail until `make lock` rewrites it;
* every entry is ``name==version`` with at least one sha256, so
  ``pip install --require-hashes`` takes it as it is;
* the docs lock agrees with the test lock on every package both pin, so
  installing one over the other only adds packages;
* torch is the CPU build, and no CUDA package is pinned;
* every install the Makefile and Read the Docs run goes through a lock.

No network: everything is read from the files.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tools import lock

ROOT = lock.ROOT
LOCKS = sorted(lock.LOCKS.items())


def tmp_pyproject(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of pyproject.toml with one exact edit."""
    text = lock.PYPROJECT.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "pyproject.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "extras"), LOCKS)
def test_the_lock_is_current_with_pyproject(name, extras):
    found = lock.problems(ROOT / name, extras)
    assert found == [], "\n".join([*found, "`make lock` rewrites the locks from pyproject.toml"])


@pytest.mark.parametrize(("name", "extras"), LOCKS)
def test_a_changed_pin_makes_the_lock_stale(tmp_path, name, extras):
    pyproject = tmp_pyproject(tmp_path, '"sphinx==9.0.4"', '"sphinx==9.0.5"')
    found = lock.problems(ROOT / name, extras, pyproject)
    assert any("written for another pyproject.toml" in p for p in found), found
    assert any("sphinx==9.0.5 is not satisfied by the pin sphinx==9.0.4" in p for p in found), found


def test_a_new_package_makes_the_lock_stale(tmp_path):
    pyproject = tmp_pyproject(tmp_path, '"mypy==2.4.1",', '"mypy==2.4.1",\n    "tomli-w==1.2.0",')
    found = lock.problems(ROOT / "requirements/test.txt", lock.LOCKS["requirements/test.txt"],
                          pyproject)
    assert any("tomli-w==1.2.0 is not in the lock" in p for p in found), found
    # The docs lock covers no test package, but its digest covers all of pyproject.toml.
    found = lock.problems(ROOT / "requirements/docs.txt", lock.LOCKS["requirements/docs.txt"],
                          pyproject)
    assert found and all("written for another pyproject.toml" in p for p in found), found


def test_a_loosened_requirement_is_caught_by_the_digest_alone(tmp_path):
    # numpy 2.4.6 still satisfies numpy>=1.26: only the digest sees the edit.
    pyproject = tmp_pyproject(tmp_path, 'dependencies = ["numpy>=2.0"]',
                              'dependencies = ["numpy>=1.26"]')
    found = lock.problems(ROOT / "requirements/docs.txt", lock.LOCKS["requirements/docs.txt"],
                          pyproject)
    assert len(found) == 1 and "written for another pyproject.toml" in found[0], found


def test_comments_and_layout_do_not_make_the_lock_stale(tmp_path):
    pyproject = tmp_pyproject(tmp_path, '    "pytest==9.2.0",\n',
                              '    # A comment.\n    "pytest==9.2.0"  ,\n\n')
    assert lock.pyproject_digest(pyproject) == lock.pyproject_digest()


def test_a_lock_without_a_digest_is_stale(tmp_path):
    text = (ROOT / "requirements/docs.txt").read_text(encoding="utf-8")
    copy = tmp_path / "docs.txt"
    copy.write_text(text.partition("\n")[2], encoding="utf-8")
    found = lock.problems(copy, lock.LOCKS["requirements/docs.txt"])
    assert found == ["docs.txt: its first line records no pyproject.toml digest"]


@pytest.mark.parametrize(("name", "extras"), LOCKS)
def test_every_entry_is_pinned_with_a_sha256(name, extras):
    text = (ROOT / name).read_text(encoding="utf-8")
    pins = lock.read_lock(ROOT / name)
    # One entry per line that starts in the first column and is not a comment.
    entries = [line for line in text.splitlines() if line and not line[0].isspace()
               and not line.startswith("#")]
    assert len(entries) == len(pins) > 50
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9._-]*==\S+ \\", line) for line in entries), entries
    assert all(hashes for _, hashes in pins.values())


@pytest.mark.parametrize("entry", [
    "sphinx==9.0.4",  # no hash
    "sphinx>=9.0.4 --hash=sha256:" + "0" * 64,  # not an exact pin
    "sphinx==9.0.4 --hash=md5:" + "0" * 32,  # not sha256
    "-e .",
    "--index-url https://example.org/simple",
    "sphinx @ https://example.org/sphinx.whl --hash=sha256:" + "0" * 64,
])
def test_an_entry_that_pip_could_not_check_is_rejected(tmp_path, entry):
    path = tmp_path / "lock.txt"
    path.write_text(f"numpy==2.4.6 \\\n    --hash=sha256:{'1' * 64}\n{entry}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not `name==version --hash=sha256:...`"):
        lock.read_lock(path)


def test_the_docs_lock_agrees_with_the_test_lock():
    docs = lock.read_lock(ROOT / "requirements/docs.txt")
    test = lock.read_lock(ROOT / "requirements/test.txt")
    assert set(docs) < set(test)
    assert {name: docs[name] for name in docs} == {name: test[name] for name in docs}


def test_pip_setuptools_and_the_lock_tool_are_pinned():
    for name, _ in LOCKS:
        pins = lock.read_lock(ROOT / name)
        assert {"pip", "setuptools", "pip-tools"} <= set(pins), name


def test_torch_is_the_cpu_build():
    for name, _ in LOCKS:
        pins = lock.read_lock(ROOT / name)
        assert str(pins["torch"][0]) == "2.13.0+cpu"
        assert not [p for p in pins if p.startswith("nvidia-") or p == "triton"]


def test_a_cuda_torch_is_refused(tmp_path):
    text = (ROOT / "requirements/docs.txt").read_text(encoding="utf-8")
    text = text.replace("\ntorch==2.13.0+cpu \\\n", "\ntorch==2.13.0 \\\n", 1)
    text += f"nvidia-cublas==13.1.0.3 \\\n    --hash=sha256:{'2' * 64}\n"
    path = tmp_path / "docs.txt"
    path.write_text(text, encoding="utf-8")
    found = lock.problems(path, lock.LOCKS["requirements/docs.txt"])
    assert found == [
        "docs.txt: torch==2.13.0 is not the CPU build (+cpu)",
        "docs.txt: nvidia-cublas is a CUDA package: torch must be the CPU build",
    ]


def test_the_torch_hash_is_the_wheel_on_this_machine():
    wheels = sorted(Path(os.environ.get("PIP_FIND_LINKS", "/opt/wheels")).glob(
        "torch-2.13.0+cpu-cp311-*.whl"))
    if not wheels:
        pytest.skip("no torch 2.13.0+cpu wheel in $PIP_FIND_LINKS on this machine")
    digest = hashlib.sha256(wheels[0].read_bytes()).hexdigest()
    assert digest in lock.read_lock(ROOT / "requirements/docs.txt")["torch"][1]


SHOW_INDEX = "show-index:\n\t@echo \"[$$PIP_EXTRA_INDEX_URL]\"\n"


@pytest.mark.parametrize(("wheel", "index"), [
    ("torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl", ""),
    (None, "https://download.pytorch.org/whl/cpu"),
    ("torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl", "https://download.pytorch.org/whl/cpu"),
])
def test_make_looks_in_the_cpu_index_only_without_a_local_wheel(tmp_path, wheel, index):
    links = tmp_path / "wheels"
    links.mkdir()
    if wheel:
        (links / wheel).write_bytes(b"")
    show = tmp_path / "show.mk"
    show.write_text(SHOW_INDEX, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"PIP_EXTRA_INDEX_URL", "MAKEFLAGS"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "-f", "Makefile", "-f", str(show), "show-index"],
        cwd=ROOT, env={**env, "PIP_FIND_LINKS": str(links)}, capture_output=True, text=True,
        timeout=60, check=True)
    assert result.stdout == f"[{index}]\n"


def install_commands(text: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.strip() for line in joined.splitlines()
            if "pip install" in line and not line.lstrip().startswith("#")]


def assert_every_install_is_locked(commands: list[str]) -> None:
    locked = re.compile(r"pip install (--quiet )?--require-hashes -r requirements/(docs|test)\.txt$")
    project = re.compile(r"pip install (--quiet )?--no-deps --no-build-isolation -e \.$")
    assert commands
    unlocked = [c for c in commands if not (locked.search(c) or project.search(c))]
    assert unlocked == []


def test_every_install_make_does_goes_through_a_lock():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    commands = install_commands(makefile)
    assert len(commands) == 3, commands
    assert_every_install_is_locked(commands)
    # Each stamp is remade when its lock changes.
    assert re.search(r"^\$\(VENV\)/\.stamp-docs: requirements/docs\.txt ", makefile, re.M)
    assert re.search(r"^\$\(VENV\)/\.stamp-test: requirements/test\.txt ", makefile, re.M)


def test_read_the_docs_installs_from_the_docs_lock():
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    commands = [c for c in config["build"]["commands"] if "pip install" in c]
    assert len(commands) == 2, commands
    assert_every_install_is_locked(commands)


def test_the_check_catches_an_unlocked_install():
    with pytest.raises(AssertionError):
        assert_every_install_is_locked(["$(BIN)/python -m pip install --quiet -e '.[docs]'"])


def test_the_lock_tool_itself_is_pinned():
    pins = [str(r) for r in lock.requirements(("lock",))]
    assert any(re.fullmatch(r"pip-tools==[\d.]+", p) for p in pins), pins
