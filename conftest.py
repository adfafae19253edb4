"""Test-wide settings: offline, headless plotting, the smoke profile for notebooks, and strict
exercise checks for the reference solutions (so a wrong solution fails)."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["AIGC_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    path = Path(str(item.fspath)).resolve()
    if path.suffix != ".ipynb":
        return
    os.environ.setdefault("AIGC_PROFILE", "smoke")
    if path.parent == ROOT / "solutions":
        os.environ["AIGC_STRICT_CHECKS"] = "1"
    else:
        os.environ.pop("AIGC_STRICT_CHECKS", None)


_NOTEBOOK_SECONDS: dict = {}


def pytest_runtest_logreport(report):
    """Add up the time of every cell of each notebook (also works under pytest-xdist)."""
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] = _NOTEBOOK_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    if not _NOTEBOOK_SECONDS:
        return
    terminalreporter.section("notebook execution time (sum of its cells)")
    for path, secs in sorted(_NOTEBOOK_SECONDS.items()):
        terminalreporter.write_line(f"{secs:7.1f} s  {path}")
    terminalreporter.write_line(f"{sum(_NOTEBOOK_SECONDS.values()):7.1f} s  total over {len(_NOTEBOOK_SECONDS)} notebooks")
