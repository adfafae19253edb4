"""Run the package's unit tests under the other Keras backends, each in its own process
(the backend is fixed when Keras is first imported)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(backend: str, marker: str | None):
    env = {**os.environ, "KERAS_BACKEND": backend, "AIGC_OFFLINE": "1", "MPLBACKEND": "Agg"}
    env.pop("AIGC_PROFILE", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:nbval", str(ROOT / "tests" / "unit")]
    if marker:
        cmd += ["-m", marker]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
    assert proc.returncode == 0, f"unit tests failed under KERAS_BACKEND={backend}:\n{tail}"
    assert " passed" in proc.stdout, f"no unit test ran under KERAS_BACKEND={backend}:\n{tail}"
    print(f"KERAS_BACKEND={backend}: {proc.stdout.strip().splitlines()[-1]}")


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed (pip install -e .[jax])")
def test_unit_tests_pass_under_jax():
    _run("jax", None)


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed (pip install -e .[torch])")
def test_backend_tests_pass_under_torch():
    _run("torch", "backend")
