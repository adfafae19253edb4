"""Metric recording, papermill execution, HTML reports and sweeps.

Inside a notebook, ``record(name, value)`` keeps a metric; when the notebook runs under
``aigc-course run/report/sweep`` the environment variable ``AIGC_METRICS_FILE`` names a JSON file and
every recorded value is written there, so reports can collect them.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

METRICS: dict[str, Any] = {}


def _plain(value: Any) -> Any:
    """Convert numpy / backend scalars and arrays to JSON-friendly Python values."""
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    try:
        import numpy as np

        arr = np.asarray(value)
        if arr.dtype.kind in "biuf":
            return arr.item() if arr.ndim == 0 else arr.tolist()
    except Exception:
        pass
    return str(value)


def record(name: str, value: Any, quiet: bool = False) -> Any:
    """Keep metric ``name`` (and write it to $AIGC_METRICS_FILE when set); returns the plain value."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"metric name must be a non-empty string, got {name!r}")
    plain = _plain(value)
    if isinstance(plain, float) and not math.isfinite(plain):
        plain = str(plain)
    METRICS[name] = plain
    path = os.environ.get("AIGC_METRICS_FILE")
    if path:
        p = Path(path)
        data = json.loads(p.read_text(encoding="utf-8")) if p.is_file() and p.stat().st_size else {}
        data[name] = plain
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if not quiet:
        print(f"[record] {name} = {plain}")
    return plain
