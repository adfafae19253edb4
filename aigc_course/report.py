"""Metric recording, papermill execution, HTML reports and sweeps.

Inside a notebook, ``record(name, value)`` keeps a metric; when the notebook runs under
``aigc-course run/report/sweep`` the environment variable ``AIGC_METRICS_FILE`` names a JSON file and
every recorded value is written there, so reports can collect them.

``run_notebook`` executes a chapter with papermill (parameters injected, profile and metrics file set in the
kernel's environment), ``make_report`` adds a standalone HTML page and metrics.json, and ``sweep`` runs one
report per parameter combination in separate processes and writes summary.csv / .html / .png.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
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


# ------------------------------------------------------------------------------ papermill and reports
RESERVED_KEYS = ("notebook", "parameters", "profile", "wall_time_s", "status", "error", "recorded")
"""Keys metrics.json adds beside the recorded metrics (a recorded metric with one of these names is
kept under "recorded_<name>")."""


def _chapter_ids() -> list[str]:
    from .config import CHAPTERS

    return list(CHAPTERS)


def _notebook_dirs() -> list[Path]:
    package_root = Path(__file__).resolve().parents[1]
    dirs = [Path.cwd() / "notebooks", package_root / "notebooks"]
    return [d for i, d in enumerate(dirs) if d not in dirs[:i]]


def resolve_notebook(notebook: str | os.PathLike) -> Path:
    """A chapter id ("04_dcgan") -> notebooks/04_dcgan.ipynb (looked up under the current folder, then
    beside the package); a path ending in .ipynb -> that file. Raises ValueError for anything else."""
    if not isinstance(notebook, (str, os.PathLike)):
        raise TypeError(f"notebook must be a chapter id or a path to a .ipynb file, got {type(notebook).__name__}")
    text = os.fspath(notebook)
    chapters = _chapter_ids()
    if text.endswith(".ipynb"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise ValueError(f"notebook file {text} does not exist")
        return path.resolve()
    if text in chapters:
        for d in _notebook_dirs():
            path = d / f"{text}.ipynb"
            if path.is_file():
                return path.resolve()
        raise ValueError(f"chapter {text!r} has no notebook yet (looked for "
                         f"{', '.join(str(d / (text + '.ipynb')) for d in _notebook_dirs())})")
    raise ValueError(f"unknown notebook {text!r}: give a chapter id ({', '.join(chapters)}) "
                     f"or a path to a .ipynb file")


def _check_params(params) -> dict:
    if params is None:
        return {}
    if not isinstance(params, dict) or not all(isinstance(k, str) and k.isidentifier() for k in params):
        raise TypeError(f"params must be a dict of parameter names (identifiers) to values, got {params!r}")
    return dict(params)


def _check_timeout(timeout):
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    return timeout


def _check_profile(profile):
    if profile is not None:
        from .config import check_profile

        check_profile(profile)
    return profile


class _environ:
    """Set environment variables for the duration of a block (the kernel inherits them when it starts)."""

    def __init__(self, **values):
        self.values = {k: v for k, v in values.items() if v is not None}
        self.saved: dict = {}

    def __enter__(self):
        for k, v in self.values.items():
            self.saved[k] = os.environ.get(k)
            os.environ[k] = str(v)

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _default_out(path: Path) -> Path:
    return Path("reports") / path.stem


def _execute(path: Path, params: dict, profile, out: Path, timeout) -> Path:
    import papermill as pm

    out.mkdir(parents=True, exist_ok=True)
    metrics_file = (out / "metrics.json").resolve()
    if metrics_file.exists():
        metrics_file.unlink()
    run_params = dict(params)
    if profile is not None:
        run_params["profile"] = profile
    executed = out / path.name
    # Figures must reach the executed notebook (and the HTML) even when the caller runs with
    # MPLBACKEND=Agg (the tests and CI do): the kernel gets the inline backend explicitly.
    quiet_tf = None if "TF_CPP_MIN_LOG_LEVEL" in os.environ else "2"
    with _environ(AIGC_PROFILE=profile, AIGC_METRICS_FILE=str(metrics_file),
                  MPLBACKEND="module://matplotlib_inline.backend_inline", TF_CPP_MIN_LOG_LEVEL=quiet_tf):
        pm.execute_notebook(str(path), str(executed), parameters=run_params, cwd=str(path.parent),
                            kernel_name="python3", execution_timeout=timeout, progress_bar=False,
                            log_output=False)
    return executed


def run_notebook(notebook, params: dict | None = None, profile: str | None = None, out=None,
                 timeout: float | None = None) -> Path:
    """Execute ``notebook`` with papermill and return the path of the executed copy (out/<name>.ipynb).

    params are injected after the ``parameters`` cell; ``profile`` is injected as the parameter
    ``profile`` and set as AIGC_PROFILE in the kernel's environment; AIGC_METRICS_FILE=<out>/metrics.json
    collects what the notebook records; the kernel runs in the notebook's folder; ``timeout`` is per cell.
    A failing cell raises papermill's PapermillExecutionError (the executed copy is still written).
    """
    path = resolve_notebook(notebook)
    params = _check_params(params)
    _check_profile(profile)
    _check_timeout(timeout)
    out = Path(out) if out is not None else _default_out(path)
    return _execute(path, params, profile, out, timeout)


def _error_text(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


def _write_html(executed: Path, no_input: bool) -> Path:
    from .publish.html import notebook_html

    return notebook_html(executed, no_input)


def make_report(notebook, params: dict | None = None, profile: str | None = None, out=None,
                timeout: float | None = None, no_input: bool = False) -> dict:
    """Execute ``notebook`` and write, into ``out`` (default reports/<name>/): the executed notebook, a
    standalone HTML page (code hidden when ``no_input``), and metrics.json holding every recorded metric
    plus "notebook", "parameters", "profile", "wall_time_s", "status" ("ok" | "failed"), "error" and
    "recorded" (the names recorded). Returns {"out", "notebook", "html", "metrics"} (metrics: that dict).

    When the notebook fails, the files are still written (status "failed", the error text) and the
    error is raised again.
    """
    path = resolve_notebook(notebook)
    params = _check_params(params)
    _check_profile(profile)
    _check_timeout(timeout)
    out = Path(out) if out is not None else _default_out(path)
    executed = out / path.name
    start = time.perf_counter()
    error: BaseException | None = None
    try:
        _execute(path, params, profile, out, timeout)
    except Exception as exc:  # the notebook failed: still write what there is
        error = exc
    wall = time.perf_counter() - start
    metrics_file = out / "metrics.json"
    recorded = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
    metrics = {(f"recorded_{k}" if k in RESERVED_KEYS else k): v for k, v in recorded.items()}
    from .config import resolve_profile

    with _environ(AIGC_PROFILE=profile):
        try:
            active = resolve_profile(params.get("profile", profile))
        except ValueError:
            active = profile
    metrics.update({
        "notebook": str(path),
        "parameters": _plain(params),
        "profile": active,
        "wall_time_s": round(wall, 3),
        "status": "ok" if error is None else "failed",
        "error": None if error is None else _error_text(error),
        "recorded": list(recorded),
    })
    out.mkdir(parents=True, exist_ok=True)
    metrics_file.write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    html = _write_html(executed, no_input) if executed.is_file() else None
    result = {"out": out, "notebook": executed if executed.is_file() else None, "html": html, "metrics": metrics}
    if error is not None:
        raise error
    return result


# ----------------------------------------------------------------------------------------------- sweeps
def _run_name(combo: dict) -> str:
    text = ",".join(f"{k}={v}" for k, v in combo.items())
    return "".join(ch if ch.isalnum() or ch in "=,.-_+" else "_" for ch in text)


def _check_grid(grid) -> dict:
    if not isinstance(grid, dict) or not grid:
        raise ValueError(f"grid must be a non-empty dict of parameter name -> list of values, got {grid!r}")
    checked = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"grid keys must be parameter names (identifiers), got {name!r}")
        if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f"grid[{name!r}] must be a non-empty list of values, got {values!r}")
        checked[name] = list(values)
    return checked


def _worker_main(argv: list[str]) -> int:
    """``python -m aigc_course.report <json>``: one sweep run in its own process."""
    job = json.loads(argv[0])
    try:
        make_report(job["notebook"], job["params"], profile=job["profile"], out=job["out"],
                    timeout=job["timeout"], no_input=job["no_input"])
    except Exception as exc:
        print(_error_text(exc), file=sys.stderr)
        return 1
    return 0


def _launch(job: dict) -> dict:
    """Run one sweep job in a subprocess; return its row (parameters, status, wall time, metrics)."""
    import subprocess

    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("AIGC_METRICS_FILE",)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "aigc_course.report", json.dumps(job)],
                          env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    metrics_file = out / "metrics.json"
    data = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
    status = data.get("status", "ok" if proc.returncode == 0 else "failed")
    if proc.returncode != 0:
        status = "failed"
    error = data.get("error")
    if status == "failed" and not error:
        tail = (proc.stderr or proc.stdout).strip().splitlines()
        error = tail[-1] if tail else f"the run exited with code {proc.returncode}"
    row = {"run": out.name, **job["params"], "status": status,
           "wall_time_s": data.get("wall_time_s", round(wall, 3)), "error": error}
    for name in data.get("recorded", []):
        key = f"recorded_{name}" if name in RESERVED_KEYS else name
        value = data.get(key)
        row[key] = value if isinstance(value, (int, float, str, bool)) or value is None else json.dumps(value)
    return row


def _numeric(values) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _summary_plot(df, names: list[str], metric_cols: list[str], path: Path) -> None:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = df[df["status"] == "ok"]
    numeric = [c for c in metric_cols if c in ok and len(ok[c].dropna()) and _numeric(list(ok[c].dropna()))]
    swept = [n for n in names if df[n].astype(str).nunique() > 1] or names[:1]
    x_name, groups = swept[0], swept[1:]
    ncols = min(3, max(1, len(numeric)))
    nrows = max(1, -(-len(numeric) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows), squeeze=False)
    if not numeric:
        axes[0, 0].text(0.5, 0.5, "no numeric metric was recorded by a successful run",
                        ha="center", va="center", transform=axes[0, 0].transAxes)
        axes[0, 0].axis("off")
    x_numeric = _numeric(list(df[x_name]))
    categories = list(dict.fromkeys(str(v) for v in df[x_name]))  # values may be unhashable (lists)
    for ax, metric in zip(axes.flat, numeric):
        parts = ok.groupby([ok[g].astype(str) for g in groups]) if groups else [((), ok)]
        for key, part in parts:
            part = part.dropna(subset=[metric])
            if x_numeric:
                part = part.sort_values(x_name)
                xs = part[x_name].astype(float)
            else:
                xs = [categories.index(str(v)) for v in part[x_name]]
            label = ", ".join(f"{g}={k}" for g, k in zip(groups, key if isinstance(key, tuple) else (key,)))
            ax.plot(xs, part[metric].astype(float), marker="o", label=label or None)
        if not x_numeric:
            ax.set_xticks(range(len(categories)), categories)
        ax.set_xlabel(x_name)
        ax.set_ylabel(metric)
        ax.set_title(metric)
        if groups:
            ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[max(len(numeric), 1):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def sweep(notebook, grid: dict, jobs: int = 1, profile: str | None = None, out=None,
          timeout: float | None = None, no_input: bool = False) -> dict:
    """One report per combination of ``grid`` (name -> list of values) in out/<name=value,...>/.

    Every run executes in its own process (``jobs`` at a time), so each gets its own environment; a
    failing run is recorded with its error and the others go on. Writes out/summary.csv and
    out/summary.html (one row per run: run folder, parameters, status, wall time, error, every recorded
    metric) and out/summary.png (each numeric metric against the swept parameter).
    Returns {"out": Path, "rows": list of row dicts, "failed": the rows of the failed runs}.
    """
    import itertools
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd

    path = resolve_notebook(notebook)
    grid = _check_grid(grid)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    _check_profile(profile)
    _check_timeout(timeout)
    out = Path(out) if out is not None else Path("reports") / f"{path.stem}_sweep"
    out.mkdir(parents=True, exist_ok=True)
    names = list(grid)
    combos = [dict(zip(names, values)) for values in itertools.product(*grid.values())]
    job_list = [{"notebook": str(path), "params": combo, "profile": profile,
                 "out": str((out / _run_name(combo)).resolve()), "timeout": timeout, "no_input": no_input}
                for combo in combos]
    # The threads only wait on subprocesses; every run is a separate Python process with its own env.
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(_launch, job_list))
    df = pd.DataFrame(rows)
    fixed = ["run", *names, "status", "wall_time_s", "error"]
    metric_cols = [c for c in df.columns if c not in fixed]
    df = df[fixed + metric_cols]
    df.to_csv(out / "summary.csv", index=False)
    title = f"<h1>{path.stem} sweep</h1>\n"
    (out / "summary.html").write_text(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + f"{path.stem} sweep</title></head><body>\n"
        + title + df.to_html(index=False, na_rep="") + "\n<img src=\"summary.png\" alt=\"metrics\">\n</body></html>\n",
        encoding="utf-8")
    _summary_plot(df, names, metric_cols, out / "summary.png")
    failed = [r for r in rows if r["status"] != "ok"]
    return {"out": out, "rows": rows, "failed": failed}


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
