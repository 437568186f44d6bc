"""xent_ref as an installable, typed, versioned package.

The version comes from the installed distribution's metadata (fallback
``"0+unknown"`` from a checkout that is not installed), ``py.typed`` is in
the wheel, and the public functions of the losses and their gradients are
fully annotated. The wheel test builds the wheel from a copy of the
checkout, installs it into an empty directory and imports it from outside
the checkout.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import math
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import xent_ref as xr
from tests._wheel import build_wheel, install_wheel

ROOT = Path(__file__).resolve().parents[2]


def _pyproject_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def test_version_is_a_string():
    assert isinstance(xr.__version__, str) and xr.__version__


def test_version_falls_back_when_not_installed(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    try:
        assert importlib.reload(xr).__version__ == "0+unknown"
    finally:
        monkeypatch.undo()
        importlib.reload(xr)


def test_py_typed_is_in_the_package():
    assert (ROOT / "xent_ref" / "py.typed").is_file()


FULLY_ANNOTATED = [
    xr.softmax_cross_entropy,
    xr.binary_cross_entropy,
    xr.binary_cross_entropy_with_logits,
    xr.sigmoid_focal_loss,
    xr.hinge_loss,
    xr.grad.softmax_cross_entropy_grad,
    xr.grad.binary_cross_entropy_with_logits_grad,
    xr.grad.mse_loss_grad,
    xr.grad.poisson_nll_loss_grad,
]


@pytest.mark.parametrize("fn", FULLY_ANNOTATED, ids=lambda f: f.__name__)
def test_public_function_is_fully_annotated(fn):
    sig = inspect.signature(fn)
    missing = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert missing == [], f"{fn.__name__}: parameters without annotations: {missing}"
    assert sig.return_annotation is not inspect.Signature.empty, f"{fn.__name__}: no return type"


@pytest.mark.slow
def test_wheel_installs_and_imports_outside_the_checkout(tmp_path):
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "xent_ref/py.typed" in names
    # The site's Sphinx extensions (xent_sphinx) stay out of the library's wheel.
    assert all(n.startswith(("xent_ref/", "xent_ref-")) for n in names), "the wheel holds the library only"

    site = install_wheel(wheel, tmp_path / "site")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = (
        "import numpy as np, xent_ref as xr; "
        "print(xr.__file__); print(xr.__version__); "
        "print(float(xr.softmax_cross_entropy(np.array([2.0, 1.0, 0.1]), 0)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=outside, env=env,
        check=True, capture_output=True, text=True,
    ).stdout.split("\n")
    assert Path(out[0]).is_relative_to(site)
    assert out[1] == _pyproject_version()
    closed_form = math.log(math.exp(2.0) + math.exp(1.0) + math.exp(0.1)) - 2.0
    assert math.isclose(float(out[2]), closed_form, rel_tol=1e-14, abs_tol=0.0)
