"""What a newcomer's machine does with the project: the browser, the fast loop, CI.

* ``tools/chromium.py`` finds the browser in the documented order, and with
  none it prints one line, which says how to get one and that
  ``make test-fast`` runs the package tests, docstring examples and page
  snippets without one;
* pytest run with no browser stops before any test, with that line, instead
  of one error per browser test;
* a test that uses a Chromium fixture is marked ``browser`` wherever it is,
  so ``make test-fast`` deselects it; and over the whole suite, every test
  whose code (or a fixture's) drives Chromium, found from the code, carries
  that mark;
* the README says what ``.ci/run`` runs, in the script's order.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tools import chromium

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "chromium.py"


def fake_browser(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def no_browser_anywhere(monkeypatch, tmp_path):
    """An environment with no $XENT_CHROMIUM, an empty PATH and no Playwright browser."""
    monkeypatch.delenv(chromium.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(chromium, "_playwright_chromium", lambda: None)
    return tmp_path


def assert_one_line_how_to(text: str) -> None:
    lines = text.splitlines()
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{text}"
    assert "apt-get install chromium" in lines[0], lines[0]
    assert chromium.ENV_VAR in lines[0], lines[0]
    assert "`make test-fast` runs the package tests, docstring examples and page snippets without one" in lines[0], lines[0]


def test_no_browser_is_one_line_saying_how_to_get_one(tmp_path):
    missing = tmp_path / "no-such-chromium"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "find"], capture_output=True, text=True, timeout=60,
        env={**os.environ, chromium.ENV_VAR: str(missing)})
    assert result.returncode == 1
    assert result.stdout == ""
    assert_one_line_how_to(result.stderr)
    assert str(missing) in result.stderr


def test_nothing_on_the_path_and_no_playwright_browser(no_browser_anywhere):
    path, why = chromium.find_chromium()
    assert path is None
    assert_one_line_how_to(why)


def test_discovery_order(no_browser_anywhere, monkeypatch):
    tmp = no_browser_anywhere
    bin_dir = tmp / "bin"
    monkeypatch.setenv("PATH", str(bin_dir))
    playwright = fake_browser(tmp / "ms-playwright", "chrome")
    monkeypatch.setattr(chromium, "_playwright_chromium", lambda: playwright)
    assert chromium.find_chromium() == (playwright, "Playwright's own browser")

    chrome = fake_browser(bin_dir, "google-chrome")
    assert chromium.find_chromium()[0] == chrome.resolve()
    browser = fake_browser(bin_dir, "chromium-browser")
    assert chromium.find_chromium()[0] == browser.resolve()
    first = fake_browser(bin_dir, "chromium")
    assert chromium.find_chromium() == (first.resolve(), "chromium on the PATH")

    chosen = fake_browser(tmp / "elsewhere", "my-chrome")
    monkeypatch.setenv(chromium.ENV_VAR, str(chosen))
    assert chromium.find_chromium() == (chosen.resolve(), f"${chromium.ENV_VAR}")
    # An explicit choice that names no executable is not overridden by the PATH.
    monkeypatch.setenv(chromium.ENV_VAR, str(tmp / "missing"))
    assert chromium.find_chromium()[0] is None


def test_ensure_never_installs_over_an_explicit_choice(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "ensure"], capture_output=True, text=True, timeout=60,
        env={**os.environ, chromium.ENV_VAR: str(tmp_path / "missing")})
    assert result.returncode == 1
    assert_one_line_how_to(result.stderr)


CONFTEST = """
import pytest

from tests.browser_support import mark_browser_tests, stop_without_browser


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    mark_browser_tests(items)


def pytest_collection_finish(session):
    stop_without_browser(session)
"""

TESTS = """
import pytest


@pytest.fixture
def chromium():
    return "a browser"


@pytest.fixture
def page(chromium):
    return chromium + " page"


def test_uses_the_browser_through_another_fixture(page):
    assert page


def test_needs_no_browser():
    assert True
"""


@pytest.fixture
def project(pytester, monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv(chromium.ENV_VAR, str(tmp_path / "no-such-chromium"))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_widgets=TESTS)
    return pytester


def test_pytest_stops_before_any_test_without_a_browser(project):
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + result.stderr.str()
    assert output.count("`make test-fast` runs the package tests, docstring examples and page snippets without one") == 1, output
    assert not re.search(r"\d+ (passed|failed|error)", output), output
    assert "test_needs_no_browser PASSED" not in output


def test_a_test_using_a_chromium_fixture_is_marked_browser(project):
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-m", "not browser", "-v")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["*test_needs_no_browser PASSED*"])


AUDIT_PLUGIN = """
import json
import os

from tests.browser_support import drives_chromium


def pytest_collection_finish(session):
    report = [
        {"id": item.nodeid, "drives": drives_chromium(item),
         "browser": item.get_closest_marker("browser") is not None}
        for item in session.items
    ]
    with open(os.environ["XENT_AUDIT_REPORT"], "w", encoding="utf-8") as out:
        json.dump(report, out)
"""


def test_every_test_of_the_suite_that_drives_chromium_is_marked_browser(tmp_path):
    # The whole suite is collected in a separate process with the root
    # conftest, and every test whose code (or a fixture's) can drive Chromium,
    # found from the code rather than from fixture names, must carry the mark
    # that `-m "not browser"` (make test-fast) deselects.
    (tmp_path / "xent_chromium_audit.py").write_text(AUDIT_PLUGIN, encoding="utf-8")
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", "xent_chromium_audit", "tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
             "XENT_AUDIT_REPORT": str(report_path)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    driving = {entry["id"] for entry in report if entry["drives"]}
    unmarked = sorted(entry["id"] for entry in report if entry["drives"] and not entry["browser"])
    assert not unmarked, unmarked
    # The audit bites: it finds the suites known to drive Chromium, through
    # either route (the session fixture of tests/site/conftest.py, or a
    # thread class imported inside a fixture).
    for suite in ("test_browser.py", "test_reader_devices.py", "test_explorations.py",
                  "test_quizzes.py"):
        assert any(f"/{suite}::" in node for node in driving), suite


def test_the_chromium_audit_reads_the_code_not_the_fixture_names(pytester):
    from tests.browser_support import drives_chromium

    pytester.makepyfile(test_audit="""
        import pytest

        from tools.chromium import find_chromium


        class Engine:
            def start(self):
                from playwright.sync_api import sync_playwright
                return sync_playwright


        @pytest.fixture
        def renderer():
            return Engine().start()


        @pytest.fixture
        def finder():
            return find_chromium()


        def test_drives_through_an_innocent_name(renderer):
            pass


        def test_only_finds_the_browser(finder):
            pass
        """)
    items, _ = pytester.inline_genitems("-p", "no:cacheprovider")
    verdicts = {item.name: drives_chromium(item) for item in items}
    assert verdicts == {"test_drives_through_an_innocent_name": True,
                        "test_only_finds_the_browser": False}


# --- The README and .ci/run ----------------------------------------------------


def ci_steps() -> list[str]:
    """The commands .ci/run runs, in order, without the interpreter that runs a script."""
    steps = []
    for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "set ", "cd ")):
            continue
        words = line.split()
        if words[0].strip('"').startswith("${PYTHON") or "python" in words[0]:
            words = words[1:]
        steps.append(" ".join(words))
    return steps


def readme_ci_steps() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### CI", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\d+\. `([^`]+)`", section, re.M)


def test_the_readme_lists_what_ci_runs_in_order():
    assert ci_steps() == ["tools/chromium.py ensure", "make reproducible", "make test"]
    assert readme_ci_steps() == ci_steps()


def test_test_fast_runs_the_package_tests_docstrings_and_snippets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    paths = re.search(r"^FAST_TESTS := (.*)$", makefile, re.M).group(1).split()
    assert sorted(paths) == ["docs", "tests/unit", "xent_ref"]
    assert re.search(r"^test-fast:.*\n(?:\t.*\n)*?\t\$\(call pytest,.*\$\(FAST_TESTS\)", makefile, re.M)
    for path in paths:
        assert (ROOT / path).is_dir(), path


def test_test_fast_deselects_only_registered_markers():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    expression = re.search(r"^test-fast:.*\n(?:\t.*\n)*?\t\$\(call pytest,.*-m \"([^\"]+)\"", makefile, re.M).group(1)
    import tomllib

    markers = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["pytest"]["ini_options"]["markers"]
    registered = {marker.split(":")[0] for marker in markers}
    used = set(re.findall(r"\b(?!not\b|and\b|or\b)(\w+)", expression))
    assert used and used <= registered, (used, registered)


BUILD_TESTS = """
import subprocess
import sys

import pytest


def build(src):
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", src, src + "/out"])


@pytest.fixture
def site():
    return build


def test_builds_a_site_through_a_fixture(site):
    assert site


def test_calls_the_builder_itself():
    assert build


def test_builds_nothing():
    assert True
"""


def test_a_test_that_runs_sphinx_is_marked_build(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(
        "from tests.markers import mark_build_tests\n\n\n"
        "def pytest_collection_modifyitems(items):\n    mark_build_tests(items)\n")
    pytester.makeini("[pytest]\nmarkers =\n    build: runs a Sphinx build\n")
    pytester.makepyfile(test_site=BUILD_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "not build", "-v")
    result.assert_outcomes(passed=1, deselected=2)
    result.stdout.fnmatch_lines(["*test_builds_nothing PASSED*"])
