"""The API reference: every public object is documented, and completely.

numpydoc's own validator (``numpydoc.validate.validate``) checks each public
function, class, method and property of ``xent_ref`` against its signature.
The pages under ``docs/reference/api`` must render every public name, and the
public docstrings may cite only public names.

Checks enforced (numpydoc's codes):

* GL08: the object has a docstring;
* SS01: it starts with a one-line summary;
* PR01, PR02, PR03: every parameter is documented, none that does not exist,
  in the signature's order;
* PR04, PR07: each parameter has a type and a description (the type is what
  the API page shows, since signatures are rendered without annotations);
* RT01, RT03: a function that returns a value has a Returns section, and the
  value a description;
* GL06, GL07: no unknown section, sections in numpydoc's order.

Not enforced, and why:

* ES01 (extended summary), SA01 (See Also), EX01 (Examples): a method such
  as ``nll`` or a property such as ``probs`` is fully said in its summary and
  sections; the functions and classes have examples and See Also sections by
  the project's style, not by this test.
* SA02, SA03, SA04: See Also descriptions here are phrases that may start
  with math or code (``:math:`2\\sigma^2` times the mean NLL``), not sentences.
* SS03, SS05, SS06, PR08, PR09, RT02, RT04, RT05, GL01, GL02, GL03: wording
  and layout style (a summary may be a noun phrase or a question, a
  description may start with code or math), which the reviewers of the prose
  judge, not a pattern.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import numpy as np
import numpydoc.validate as numpydoc_validate
import pytest
from numpydoc.docscrape import NumpyDocString

from tests._loss_cases import LOSS_CASES
import xent_ref

ROOT = Path(__file__).resolve().parents[2]
API_PAGES = ROOT / "docs" / "reference" / "api"
SUBMODULES = ("grad", "distributions", "unification")

#: The numpydoc checks this test enforces (see the module docstring).
CHECKS = frozenset(
    {"GL06", "GL07", "GL08", "SS01", "PR01", "PR02", "PR03", "PR04", "PR07", "RT01", "RT03"}
)


def _own_members(cls: type) -> list[str]:
    """Public methods and properties that xent_ref itself defines on ``cls``.

    Inherited ones count when a base class of xent_ref defines them (the
    location-scale ``nll``); those of ``tuple`` or ``object`` do not, nor do
    dataclass and NamedTuple fields, which the class's Attributes section
    documents.
    """
    names = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        owner = next(base for base in cls.__mro__ if name in vars(base))
        if not owner.__module__.startswith("xent_ref"):
            continue
        value = vars(owner)[name]
        if inspect.isfunction(value) or isinstance(value, property):
            names.append(name)
    return names


def public_objects() -> list[str]:
    """Dotted names of every public function, class, method and property."""
    names = [f"xent_ref.{name}" for name in xent_ref.__all__]
    for sub in SUBMODULES:
        module = importlib.import_module(f"xent_ref.{sub}")
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue  # data (RECORDS): documented by a #: comment
            names.append(f"xent_ref.{sub}.{name}")
            if inspect.isclass(obj):
                names += [f"xent_ref.{sub}.{name}.{m}" for m in _own_members(obj)]
    return names


PUBLIC = public_objects()


def _resolve(dotted: str):
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for part in parts[1:]:
        obj = getattr(obj, part)
    return obj


def _attribute_names(obj) -> set[str]:
    doc = NumpyDocString(inspect.getdoc(obj) or "")
    names: set[str] = set()
    for param in doc["Attributes"]:
        names.update(n.strip() for n in param.name.split(","))
    return names


def test_the_public_surface_is_what_the_pages_cover():
    # A guard on the walk itself: a bug that found nothing would pass below.
    assert "xent_ref.softmax_cross_entropy" in PUBLIC
    assert "xent_ref.grad.mse_loss_grad" in PUBLIC
    for method in ("log_prob", "nll", "entropy", "sample"):
        assert f"xent_ref.distributions.Normal.{method}" in PUBLIC
        assert f"xent_ref.distributions.Poisson.{method}" in PUBLIC
    assert "xent_ref.unification.Record.mean_nll" in PUBLIC
    assert "xent_ref.unification.Support.count" not in PUBLIC  # tuple's, not ours


@pytest.mark.parametrize("name", PUBLIC)
def test_docstring_passes_numpydoc_validation(name):
    result = numpydoc_validate.validate(name)
    errors = [(code, msg) for code, msg in result["errors"] if code in CHECKS]
    obj = _resolve(name)
    if inspect.isclass(obj):
        # A record type (dataclass, NamedTuple) documents its constructor's
        # arguments as Attributes, since they are what it holds.
        documented = _attribute_names(obj)
        params = set(inspect.signature(obj).parameters)
        if documented and params <= documented:
            errors = [(c, m) for c, m in errors if c not in {"PR01", "PR02", "PR03"}]
    assert not errors, "\n".join(f"{code}: {msg}" for code, msg in errors)


def _documented_on_pages() -> tuple[set[str], set[str]]:
    """Objects named by auto* directives on the API pages, and the modules."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(API_PAGES.glob("*.md")))
    objects = set(re.findall(r"^\.\. auto(?:function|class|data):: (\S+)$", text, re.M))
    modules = set(re.findall(r"^\.\. automodule:: (\S+)$", text, re.M))
    return objects, modules


def test_every_public_name_has_an_api_entry():
    objects, modules = _documented_on_pages()
    assert modules == {f"xent_ref.{sub}" for sub in SUBMODULES}
    missing = [
        f"xent_ref.{name}"
        for name in xent_ref.__all__
        if name not in SUBMODULES and f"xent_ref.{name}" not in objects
    ]
    assert not missing, f"not on any page under docs/reference/api: {missing}"
    # automodule documents a submodule's __all__; a name there must exist.
    for sub in SUBMODULES:
        module = importlib.import_module(f"xent_ref.{sub}")
        for name in module.__all__:
            assert hasattr(module, name), f"xent_ref.{sub}.__all__ names {name}"


def _public_docstrings():
    seen = set()
    for name in PUBLIC + [f"xent_ref.{sub}" for sub in SUBMODULES] + ["xent_ref"]:
        obj = _resolve(name)
        if name not in seen:
            seen.add(name)
            yield name, inspect.getdoc(obj) or ""


def test_public_docstrings_cite_only_public_names():
    private = re.compile(r"xent_ref(?:\.\w+)*\._(?!_)\w+|SUM_TOLERANCE")  # dunders are public
    offenders = {
        name: private.findall(doc) for name, doc in _public_docstrings() if private.search(doc)
    }
    assert not offenders, offenders


def test_sum_tolerance_rule_is_the_one_the_docstrings_state():
    # The docstrings say: within max(1e-6, n * eps), eps the machine epsilon
    # of the floating dtype (float64's for any other dtype).
    from xent_ref._validation import sum_tolerance

    cases = [
        (3, np.float64, 1e-6),
        (50257, np.float32, 50257 * float(np.finfo(np.float32).eps)),
        (4, np.float16, 4 * float(np.finfo(np.float16).eps)),
        (10, np.int64, 1e-6),
        (10**10, np.float64, 10**10 * float(np.finfo(np.float64).eps)),
    ]
    for n, dtype, expected in cases:
        assert sum_tolerance(n, dtype) == expected, (n, dtype)


def test_distribution_docstrings_state_true_shapes_and_counts():
    # The module docstring counts eleven families, five of them the losses'.
    from xent_ref import distributions as d

    assert len(d.__all__) == 11
    rng = np.random.default_rng(0)
    batch = (2, 3)
    cases = {
        "Normal": d.Normal(np.zeros(batch), 1.0),
        "Laplace": d.Laplace(np.zeros(batch), 1.0),
        "Bernoulli": d.Bernoulli(np.full(batch, 0.3)),
        "Categorical": d.Categorical(np.full(batch + (4,), 0.25)),
        "Poisson": d.Poisson(np.full(batch, 2.0)),
        "StudentT": d.StudentT(np.full(batch, 3.0)),
        "Gamma": d.Gamma(np.full(batch, 2.0), 1.0),
        "Beta": d.Beta(np.full(batch, 2.0), 3.0),
        "NegativeBinomial": d.NegativeBinomial(np.full(batch, 2.0), 3.0),
        "VonMises": d.VonMises(np.zeros(batch), 1.0),
        "GaussianMixture": d.GaussianMixture(
            np.zeros(batch + (2,)), np.ones(batch + (2,)), np.full(batch + (2,), 0.5)
        ),
    }
    assert set(cases) == set(d.__all__)
    for name, dist in cases.items():
        assert dist.batch_shape == batch, name
        draws = dist.sample((5,), rng)
        assert draws.shape == (5,) + batch, name
        # Class indices are int64; everything else is float64.
        assert draws.dtype == (np.int64 if name == "Categorical" else np.float64), name
        x = draws[:, :1, :]  # broadcasts against the batch
        assert np.shape(dist.log_prob(x)) == (5,) + batch, name
        assert np.shape(dist.nll(x)) == (5,) + batch, name
        if name in ("NegativeBinomial", "GaussianMixture"):
            with pytest.raises(NotImplementedError):
                dist.entropy()
        else:
            assert np.shape(dist.entropy()) == batch, name


def test_loss_reduction_defaults_are_what_the_losses_page_states():
    # docs/reference/api/losses.md: "mean" by default, "none" for the focal loss.
    for name in LOSS_CASES:
        parameter = inspect.signature(getattr(xent_ref, name)).parameters["reduction"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name
        expected = "none" if name == "sigmoid_focal_loss" else "mean"
        assert parameter.default == expected, name


def _build(tmp_path, body: str) -> tuple[str, str]:
    """Build a one-page site with the link transform; return its HTML and warnings."""
    import io

    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "extensions = ['xent_sphinx.api_links']\n"
        "nitpicky = True\n",
        encoding="utf-8",
    )
    (src / "index.rst").write_text(
        "Page\n====\n\n.. py:function:: xent_ref.mse_loss(pred, target)\n\n"
        ".. py:module:: xent_ref.grad\n\n"
        ".. py:function:: mse_loss_grad(pred, target)\n\n" + body,
        encoding="utf-8",
    )
    warnings = io.StringIO()
    app = Sphinx(
        src, src, tmp_path / "out", tmp_path / "doctrees", "html",
        status=None, warning=warnings, freshenv=True,
    )
    app.build()
    return (tmp_path / "out" / "index.html").read_text(encoding="utf-8"), warnings.getvalue()


def test_xr_literals_link_to_their_entries(tmp_path):
    html, warnings = _build(
        tmp_path, "See ``xr.mse_loss(pred, target)`` and ``xr.grad.mse_loss_grad``.\n"
    )
    assert warnings == ""
    assert 'href="#xent_ref.mse_loss"' in html
    assert 'href="#xent_ref.grad.mse_loss_grad"' in html


def test_unknown_xr_name_is_a_warning(tmp_path):
    _, warnings = _build(tmp_path, "See ``xr.no_such_loss``.\n")
    assert "reference target not found: xent_ref.no_such_loss" in warnings


def test_xr_literal_that_is_not_a_name_is_a_warning(tmp_path):
    _, warnings = _build(tmp_path, "See ``xr.mse_loss(a, b) + 1``.\n")
    assert "cannot link to the API reference" in warnings


def test_target_of_reads_names_and_calls():
    from xent_sphinx.api_links import target_of

    assert target_of("xr.grad.mse_loss_grad") == "xent_ref.grad.mse_loss_grad"
    assert target_of("xr.distributions.Poisson(...).nll") == "xent_ref.distributions.Poisson.nll"
    assert target_of("xr.entropy(counts / counts.sum())") == "xent_ref.entropy"
    assert target_of("xr.mse_loss(a, b) + 1") is None
    assert target_of("xr.") is None
