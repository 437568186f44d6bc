"""The ``build`` mark, found from the tests' code.

``make test-fast`` deselects the tests marked ``build``: those that run a
Sphinx build or read the built site. Test files of the site mark themselves;
this finds the others from their code, so a new test that builds a small
site is deselected without anyone remembering the mark.
"""

from __future__ import annotations

import pytest


def _runs_sphinx(function, module, seen=None) -> bool:
    """Whether *function*, or a function of its module it calls, runs ``python -m sphinx``."""
    seen = set() if seen is None else seen
    code = getattr(function, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    if "sphinx" in code.co_consts and "-m" in code.co_consts:
        return True
    return any(_runs_sphinx(getattr(module, name, None), module, seen) for name in code.co_names)


def mark_build_tests(items) -> None:
    """Mark ``build`` every test that runs a Sphinx build, itself or through a fixture.

    Found from the code: the test function, or a fixture of its module that
    it uses, calls a module-level function that runs ``[..., "-m", "sphinx",
    ...]`` (``make test-fast`` deselects them).
    """
    for item in items:
        module = getattr(item, "module", None)
        function = getattr(item, "function", None)
        if module is None or function is None or item.get_closest_marker("build"):
            continue
        fixtures = [getattr(module, name, None) for name in getattr(item, "fixturenames", ())]
        if any(_runs_sphinx(getattr(f, "__wrapped__", f), module) for f in [function, *fixtures]):
            item.add_marker(pytest.mark.build)
