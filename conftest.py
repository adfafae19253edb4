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
