"""Metric recording, papermill execution, HTML reports and sweeps.

Inside a notebook, ``record(name, value)`` keeps a metric; when the notebook runs under
``aigc-course run/report/sweep`` the environment variable ``AIGC_METRICS_FILE`` names a JSON file and
every recorded value is written there, so reports can collect them. ``output_dir(name)`` is where a
notebook writes extra files (chapter 10's own sweep): under the report's folder ($AIGC_REPORT_DIR) when it
runs as a report, in the temporary folder otherwise, never into the repository.

``run_notebook`` executes a notebook with papermill, ``make_report`` adds a standalone HTML page and
metrics.json, and ``sweep`` runs one report per parameter combination in separate processes and writes
summary.csv / .html / .png. All three check everything they can before a kernel starts (the output
folder, every parameter against the notebook's ``parameters`` cell and the chapter's settings, the
profile) and raise ValueError with one line; a notebook that fails, times out or kills its kernel raises
:class:`NotebookFailed`, whose message is one line naming the cell, and the executed notebook is kept.
Nothing is lost: an earlier report in the output folder is moved aside to ``previous-<time>/``, the source
notebook is only read, and every file is written atomically.
"""

from __future__ import annotations

import ast
import difflib
import io
import itertools
import json
import logging
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from ._io import atomic_write_bytes, atomic_write_text, json_object_or_empty

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


def _write_json(path: Path, data) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


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
        data = json_object_or_empty(p)
        data[name] = plain
        _write_json(p, data)
    if not quiet:
        print(f"[record] {name} = {plain}")
    return plain


def output_dir(name: str) -> Path:
    """A folder for a notebook's extra outputs (for example chapter 10's own sweep), created if needed.

    Under ``aigc-course run/report/sweep`` it is ``$AIGC_REPORT_DIR/<name>`` (inside the report's output
    folder); otherwise ``<temporary folder>/aigc-course/<name>``, so a notebook never writes into the
    repository.
    """
    if not isinstance(name, str) or not name or Path(name).name != name or name in (".", ".."):
        raise ValueError(f"output_dir expects a plain folder name such as '10_evaluation_sweep', got {name!r}")
    base = os.environ.get("AIGC_REPORT_DIR") or os.path.join(tempfile.gettempdir(), "aigc-course")
    path = Path(base) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


# ------------------------------------------------------------------------------ notebooks and parameters
RESERVED_KEYS = ("notebook", "parameters", "profile", "wall_time_s", "status", "error", "failed_cell", "recorded")
"""Keys metrics.json adds beside the recorded metrics (a recorded metric with one of these names is
kept under "recorded_<name>")."""


class NotebookFailed(RuntimeError):
    """A notebook run failed: a cell raised, timed out, or the kernel died.

    ``str(exc)`` is one line naming the notebook, the cell (its number in the source notebook, counting
    every cell from 1, and its first line), the error line and the executed notebook kept for inspection.
    Attributes: ``kind`` ("error" | "timeout" | "kernel died" | "interrupted"), ``cell`` (int or None),
    ``cell_source`` (first line), ``error`` (the exception line), ``executed`` (Path or None) and
    ``details`` (the full traceback and the kernel's own output, for ``--verbose``).
    """

    def __init__(self, message: str, *, kind: str, error: str, cell: int | None = None,
                 cell_source: str = "", executed: Path | None = None, details: str = ""):
        super().__init__(message)
        self.kind, self.error, self.cell, self.cell_source = kind, error, cell, cell_source
        self.executed, self.details = executed, details


def _chapter_ids() -> list[str]:
    from .config import CHAPTERS

    return list(CHAPTERS)


def notebooks_folder() -> Path | None:
    """The course's notebooks/ folder beside the package (None when the package is installed alone)."""
    folder = Path(__file__).resolve().parents[1] / "notebooks"
    return folder if folder.is_dir() else None


def _notebook_dirs() -> list[Path]:
    dirs = [Path.cwd() / "notebooks"]
    if notebooks_folder() is not None:
        dirs.append(notebooks_folder())
    return [d for i, d in enumerate(dirs) if d not in dirs[:i]]


def resolve_notebook(notebook: str | os.PathLike) -> Path:
    """A chapter id ("04_dcgan") or its number ("04", "4") -> notebooks/04_dcgan.ipynb (looked up under the
    current folder, then beside the package); a path ending in .ipynb -> that file. Raises ValueError for
    anything else."""
    if not isinstance(notebook, (str, os.PathLike)):
        raise TypeError(f"notebook must be a chapter id or a path to a .ipynb file, got {type(notebook).__name__}")
    text = os.fspath(notebook)
    chapters = _chapter_ids()
    if text.isdigit():
        text = next((c for c in chapters if c.split("_", 1)[0] == f"{int(text):02d}"), text)
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
    raise ValueError(f"unknown notebook {text!r}: give a chapter id ({', '.join(chapters)}), its number "
                     f"(e.g. 04) or a path to a .ipynb file")


def _read_notebook(path: Path) -> dict:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"notebook file {path} is not a readable .ipynb (JSON) file ({exc}); "
                         f"open it in Jupyter and save it again") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError(f"notebook file {path} has no list of cells; open it in Jupyter and save it again")
    return nb


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_parameters(notebook) -> list[str] | None:
    """The names assigned in the notebook's cell tagged ``parameters`` (in order); None when it has none."""
    path = notebook if isinstance(notebook, Path) else resolve_notebook(notebook)
    for cell in _read_notebook(path)["cells"]:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                tree = ast.parse(_source(cell))
            except SyntaxError as exc:
                raise ValueError(f"the parameters cell of {path.name} is not valid Python (line {exc.lineno}: "
                                 f"{exc.msg}); fix that cell") from None
            names: list[str] = []
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
                for target in targets:
                    for leaf in ast.walk(target):
                        if isinstance(leaf, ast.Name) and leaf.id not in names:
                            names.append(leaf.id)
            return names
    return None


_SETTINGS_CALL = re.compile(r"""settings\(\s*["'](\d\d_\w+)["']""")


def _chapter_of(path: Path, nb: dict) -> str | None:
    """The chapter whose settings a notebook uses: its own id, or the id in its ``config.settings("…")``."""
    if path.stem in _chapter_ids():
        return path.stem
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code":
            m = _SETTINGS_CALL.search(_source(cell))
            if m and m.group(1) in _chapter_ids():
                return m.group(1)
    return None


def _describe(path: Path) -> str:
    return f"chapter {path.stem}" if path.stem in _chapter_ids() else f"notebook {path.name}"


_LITERAL_TYPES = (str, int, float, bool, type(None))


def _literal(name: str, value: Any) -> Any:
    """``value`` as a plain Python literal papermill can inject (tuples become lists); else ValueError."""
    if isinstance(value, _LITERAL_TYPES):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"parameter {name!r} must be a finite number, got {value!r}")
        return value
    if isinstance(value, (list, tuple)):
        return [_literal(name, v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _literal(name, v) for k, v in value.items()}
    plain = _plain(value)  # numpy scalars and arrays
    if not isinstance(plain, str):
        return _literal(name, plain)
    raise ValueError(f"parameter {name!r} must be a number, text, True/False, None or a list/dict of them, "
                     f"got {type(value).__name__}; pass a plain value")


def _check_params(params) -> dict:
    if params is None:
        return {}
    if not isinstance(params, dict) or not all(isinstance(k, str) and k.isidentifier() for k in params):
        raise TypeError(f"params must be a dict of parameter names (identifiers) to values, got {params!r}")
    return {k: _literal(k, v) for k, v in params.items()}


def _check_timeout(timeout):
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    return timeout


def _check_profile(profile):
    if profile is not None:
        from .config import check_profile

        check_profile(profile)
    return profile


def _check_env_profile() -> None:
    from .config import PROFILES

    env = os.environ.get("AIGC_PROFILE", "").strip()
    if env and env not in PROFILES:
        raise ValueError(f"the environment variable AIGC_PROFILE={env!r} is not a profile; valid profiles: "
                         f"{', '.join(PROFILES)} (set one of them, or unset AIGC_PROFILE)")


class _Checker:
    """Checks one notebook's parameters (names from its ``parameters`` cell, kinds from its chapter)."""

    def __init__(self, path: Path):
        self.path = path
        nb = _read_notebook(path)
        self.declared = notebook_parameters(path)
        self.spec = None
        chapter = _chapter_of(path, nb)
        if chapter is not None:
            from .config import chapter_spec

            try:
                self.spec = chapter_spec(chapter)
            except ValueError:  # a chapter without a settings module yet: names are still checked
                self.spec = None

    def names(self, names) -> None:
        names = list(names)
        if not names:
            return
        if self.declared is None:
            raise ValueError(f"{self.path.name} has no cell tagged 'parameters', so -p {names[0]} cannot be set; "
                             f"tag the cell that defines the parameters with 'parameters' in Jupyter, or drop -p")
        for name in names:
            if name not in self.declared:
                close = difflib.get_close_matches(name, self.declared, n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise ValueError(f"{self.path.name} has no parameter {name!r}{hint} "
                                 f"(its parameters cell declares: {', '.join(self.declared) or 'nothing'})")

    def value(self, name: str, value: Any) -> Any:
        value = _literal(name, value)
        if name == "profile":
            from .config import check_profile

            return check_profile(value)
        if value is None or self.spec is None or name not in self.spec.params:
            return value
        return _literal(name, self.spec.check(name, value))


def _check_out(out, path: Path, default: Path) -> Path:
    """The output folder as an absolute path; refuses a file, or the folder that holds the notebook."""
    if out is not None and not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a folder path, got {type(out).__name__}")
    if out is not None and not os.fspath(out):
        raise ValueError("--out is empty; give a folder path such as reports/run1")
    folder = (Path(out).expanduser() if out is not None else default).resolve()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--out {folder} is an existing file, not a folder; give a folder path "
                         f"(e.g. {default})")
    if folder == path.parent.resolve():
        raise ValueError(f"--out {folder} holds the input notebook {path.name}, which the executed copy would "
                         f"replace; choose another folder (e.g. {default})")
    return folder


def _default_out(path: Path) -> Path:
    return Path("reports") / path.stem


def _prepare(notebook, params, profile, timeout, out, default_out=None):
    """Everything checked before a kernel starts: returns (path, params, out)."""
    path = resolve_notebook(notebook)
    params = _check_params(params)
    _check_profile(profile)
    _check_env_profile()
    _check_timeout(timeout)
    if profile is not None and "profile" in params and params["profile"] != profile:
        raise ValueError(f"the profile is given twice, as --profile {profile} and as -p profile "
                         f"{params['profile']}; give it once")
    checker = _Checker(path)
    checker.names(params)
    params = {name: checker.value(name, value) for name, value in params.items()}
    out = _check_out(out, path, default_out or _default_out(path))
    return path, params, out, checker


# ------------------------------------------------------------------------------------- keeping old results
def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def _move_aside(folder: Path, names) -> Path | None:
    """Move the entries ``names`` of ``folder`` (those that exist) into folder/previous-<time>/."""
    present = [n for n in dict.fromkeys(names) if (folder / n).exists() or (folder / n).is_symlink()]
    if not present:
        return None
    base = folder / f"previous-{_stamp()}"
    target, n = base, 1
    while target.exists():
        n += 1
        target = base.with_name(f"{base.name}-{n}")
    target.mkdir(parents=True)
    for name in present:
        os.replace(folder / name, target / name)
    return target


def _report_files(path: Path) -> list[str]:
    return [path.name, path.with_suffix(".html").name, "metrics.json"]


# --------------------------------------------------------------------------------- executing with papermill
_ABSL_LINE = re.compile(r"^(?:[IWE]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ "  # absl / glog (TensorFlow >= 2.16, XLA)
                        r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] )"  # older TensorFlow
                        r"[\w.\-/]+:\d+\] ")
_NOISE_LINES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
)
_NOISE_CONTINUATION = re.compile(r"^To enable the following instructions: .*rebuild TensorFlow with the "
                                 r"appropriate compiler flags\.$")


def strip_startup_noise(text: str) -> str:
    """Drop TensorFlow / XLA / absl C++ log lines (oneDNN, cuInit, cudart, CPU features …) from ``text``.

    These lines are written by C++ before Python can silence them (TF_CPP_MIN_LOG_LEVEL does not reach
    the lines logged before ``absl::InitializeLog``); fatal (F…) lines are kept.
    """
    kept = [line for line in text.splitlines(keepends=True)
            if not (_ABSL_LINE.match(line) or line.rstrip("\r\n") in _NOISE_LINES
                    or _NOISE_CONTINUATION.match(line.rstrip("\r\n")))]
    return "".join(kept)


def _quiet_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = strip_startup_noise(_source({"source": output.get("text", "")}))
                if not text:
                    continue
                output["text"] = text
            outputs.append(output)
        cell["outputs"] = outputs


class _RunState:
    """What the engine tells us while a notebook runs: the cell being executed, and progress lines."""

    def __init__(self, progress: Callable[[str], None] | None, verbose: bool, kernel_log):
        self.progress, self.verbose, self.kernel_log = progress, verbose, kernel_log
        self.index: int | None = None  # index of the running cell in the executed notebook
        self.cells: list = []


def _first_line(source: str, width: int = 60) -> str:
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    line = lines[0] if lines else "(empty)"
    return line if len(line) <= width else line[: width - 1] + "…"


def _injected(cell) -> bool:
    return "injected-parameters" in cell.get("metadata", {}).get("tags", [])


def _source_number(cells, index: int) -> int | None:
    """1-based number of executed cell ``index`` in the source notebook (None: the injected cell)."""
    if _injected(cells[index]):
        return None
    return sum(1 for c in cells[: index + 1] if not _injected(c))


def _engine():
    """papermill's nbclient engine, with a hook on each cell, the kernel's own output redirected and
    nbclient's log lines silenced (registered once as "aigc-course")."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class QuietEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            state: _RunState = kwargs.pop("aigc_state")
            code = [i for i, c in enumerate(nb_man.nb.cells) if c.get("cell_type") == "code"]
            original = nb_man.cell_start

            def cell_start(cell, cell_index=None, **kw):
                state.index, state.cells = cell_index, list(nb_man.nb.cells)
                if state.progress is not None and cell.get("cell_type") == "code":
                    number = _source_number(nb_man.nb.cells, cell_index)
                    where = "injected parameters" if number is None else f"cell {number}"
                    state.progress(f"[{code.index(cell_index) + 1}/{len(code)}] {where}: "
                                   f"{_first_line(cell.get('source', ''))}")
                return original(cell, cell_index=cell_index, **kw)

            nb_man.cell_start = cell_start
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            log = logging.getLogger("papermill") if state.verbose else _silent_logger()
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=log, log_output=log_output,
                                 stdout_file=stdout_file, stderr_file=stderr_file)
            launch = {} if state.kernel_log is None else {"stdout": state.kernel_log, "stderr": state.kernel_log}
            return PapermillNotebookClient(nb_man, **final).execute(**launch)

    if "aigc-course" not in papermill_engines._engines:
        papermill_engines.register("aigc-course", QuietEngine)
    return "aigc-course"


def _silent_logger() -> logging.Logger:
    log = logging.getLogger("aigc_course.report.kernel")
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _error_line(ename: str, evalue: str) -> str:
    lines = [line for line in str(evalue).splitlines() if line.strip()]
    text = f"{ename}: {lines[0].strip()}" if lines else str(ename)
    return text + (" …" if len(lines) > 1 else "")


def _mark_failed(executed: Path, state: _RunState, kind: str, error: str, quiet: bool) -> None:
    """Rewrite the executed notebook: quiet stderr, and for a failure, status "failed" in its metadata and
    an error output in the cell (papermill leaves a killed kernel's cell marked "completed")."""
    import nbformat

    if not executed.is_file():
        return
    nb = nbformat.read(str(executed), as_version=4)
    if quiet:
        _quiet_outputs(nb)
    meta = nb.metadata.setdefault("aigc_course", {})
    meta["status"] = kind if kind in ("ok", "interrupted") else "failed"
    meta["error"] = None if kind == "ok" else error
    if kind != "ok" and state.index is not None and state.index < len(state.cells):
        # papermill adds an error banner at the top and an anchor before the failing cell: skip them
        real = [c for c in nb.cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
        cell = real[state.index]
        pm_meta = cell.metadata.setdefault("papermill", {})
        pm_meta["status"], pm_meta["exception"] = "failed", True
        nb.metadata.setdefault("papermill", {})["exception"] = True
        for later in real[state.index + 1:]:  # papermill marks them "completed" though they never ran
            if not later.metadata.get("papermill", {}).get("start_time"):
                later.metadata.setdefault("papermill", {})["status"] = "pending"
        if kind != "error" and cell.get("cell_type") == "code":
            ename, evalue = error.split(": ", 1)
            cell.outputs.append(nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[error]))
    atomic_write_text(executed, nbformat.writes(nb))


def _execute(path: Path, params: dict, profile, out: Path, timeout, progress=None, verbose=False,
             checker: _Checker | None = None) -> Path:
    """Run the notebook into out/<name>; raises NotebookFailed (executed copy kept) on failure."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    out.mkdir(parents=True, exist_ok=True)
    metrics_file = out / "metrics.json"
    executed = out / path.name
    run_params = dict(params)
    declared = (checker or _Checker(path)).declared or []
    if profile is not None and "profile" in declared:
        run_params["profile"] = profile
    env = {
        "AIGC_PROFILE": profile if profile is not None else params.get("profile"),
        "AIGC_METRICS_FILE": str(metrics_file),
        "AIGC_REPORT_DIR": str(out),
        # Figures must reach the executed notebook (and the HTML) even when the caller runs with
        # MPLBACKEND=Agg (the tests and CI do): the kernel gets the inline backend explicitly.
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    if not verbose:  # TensorFlow's C++ start-up lines; the ones logged before absl starts are stripped below
        env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    kernel_log = None if verbose else tempfile.TemporaryFile(mode="w+b")
    state = _RunState(progress, verbose, kernel_log)
    failure: tuple[str, str, str] | None = None  # (kind, error line, details)
    interrupted = None
    try:
        with _environ(**env):
            pm.execute_notebook(str(path), str(executed), parameters=run_params, cwd=str(path.parent),
                                kernel_name="python3", execution_timeout=timeout, progress_bar=False,
                                log_output=False, engine_name=_engine(), aigc_state=state)
    except PapermillExecutionError as exc:
        tb = _ANSI.sub("", "\n".join(exc.traceback or []))
        failure = ("error", _error_line(exc.ename, exc.evalue), tb)
    except CellTimeoutError:
        failure = ("timeout", f"TimeoutError: the cell ran longer than {timeout:g} s", "")
    except DeadKernelError:
        failure = ("kernel died", "DeadKernelError: the kernel died (it was killed, crashed, or ran out of memory)", "")
    except KeyboardInterrupt as exc:
        failure, interrupted = ("interrupted", _INTERRUPTED, ""), exc
    except Exception as exc:  # noqa: BLE001 - the kernel did not start, or the client broke: still one line
        import traceback

        failure = ("error", _error_line(type(exc).__name__, str(exc) or repr(exc)), traceback.format_exc())
    kernel_text = ""
    if kernel_log is not None:
        kernel_log.seek(0)
        kernel_text = kernel_log.read().decode("utf-8", "replace")
        kernel_log.close()
    kind, error, details = failure or ("ok", "", "")
    _mark_failed(executed, state, kind, error, quiet=not verbose)
    if interrupted is not None:
        raise interrupted
    if failure is None:
        return executed
    started = bool(state.cells) and state.index is not None
    number = _source_number(state.cells, state.index) if started else None
    cell_src = _first_line(_source(state.cells[state.index])) if started else ""
    what = {"error": "failed", "timeout": "timed out", "kernel died": "lost its kernel"}[kind]
    if not started:
        where = "before its first cell (starting the kernel)"
    elif number is None:
        where = f"at the injected parameters cell ({cell_src})"
    else:
        where = f"at cell {number} ({cell_src})"
    kept = f"executed notebook kept at {executed}" if executed.is_file() else "no executed notebook was written"
    message = f"{_describe(path)} {what} {where}: {error}; {kept}"
    if kind == "timeout":
        message += f"; give more time with --timeout (now {timeout:g} s per cell) or use a smaller profile"
    if kernel_text.strip():
        details = (details + "\n\nkernel output:\n" + strip_startup_noise(kernel_text)).strip()
    raise NotebookFailed(message, kind=kind, error=error, cell=number, cell_source=cell_src,
                         executed=executed if executed.is_file() else None, details=details)


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


def run_notebook(notebook, params: dict | None = None, profile: str | None = None, out=None,
                 timeout: float | None = None, progress: Callable[[str], None] | None = None,
                 verbose: bool = False) -> Path:
    """Execute ``notebook`` with papermill and return the path of the executed copy (out/<name>.ipynb).

    Checked before a kernel starts (ValueError, one line): the notebook, ``out`` (not a file, not the
    notebook's own folder), each parameter name against the notebook's ``parameters`` cell and each value
    against its chapter's settings, ``profile`` and $AIGC_PROFILE, ``timeout``. params are injected after
    the ``parameters`` cell; ``profile`` is set as AIGC_PROFILE in the kernel's environment (and injected
    when the notebook declares it); AIGC_METRICS_FILE=<out>/metrics.json collects what the notebook records
    and AIGC_REPORT_DIR=<out>; the kernel runs in the notebook's folder; ``timeout`` is per cell.
    An earlier run in ``out`` is moved to out/previous-<time>/. ``progress`` receives one line per cell
    ("[3/12] cell 5: model.fit(...)"). A failing cell, a timeout or a dead kernel raises
    :class:`NotebookFailed` (the executed copy is kept, marked failed).
    """
    path, params, out, checker = _prepare(notebook, params, profile, timeout, out)
    if out.is_dir():
        _move_aside(out, _report_files(path))
    return _execute(path, params, profile, out, timeout, progress, verbose, checker)


_INTERRUPTED = "KeyboardInterrupt: the run was interrupted"


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return _INTERRUPTED
    if isinstance(exc, NotebookFailed):
        return exc.error
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return _error_line(ename, evalue)
    return f"{type(exc).__name__}: {exc}"


def _write_html(executed: Path, no_input: bool) -> Path:
    from .publish.html import notebook_html

    return notebook_html(executed, no_input)


def make_report(notebook, params: dict | None = None, profile: str | None = None, out=None,
                timeout: float | None = None, no_input: bool = False,
                progress: Callable[[str], None] | None = None, verbose: bool = False) -> dict:
    """Execute ``notebook`` and write, into ``out`` (default reports/<name>/): the executed notebook, a
    standalone HTML page (code hidden when ``no_input``), and metrics.json holding every recorded metric
    plus "notebook", "parameters", "profile", "wall_time_s", "status" ("ok" | "failed" | "interrupted"),
    "error" (the exception line), "failed_cell" and "recorded" (the names recorded). Returns {"out",
    "notebook", "html", "metrics", "previous"} (metrics: that dict; previous: where an earlier report in
    ``out`` was moved, or None). Checks and arguments as :func:`run_notebook`.

    When the notebook fails, the files are still written (status "failed") and :class:`NotebookFailed`
    is raised.
    """
    path, params, out, checker = _prepare(notebook, params, profile, timeout, out)
    previous = _move_aside(out, _report_files(path)) if out.is_dir() else None
    executed = out / path.name
    start = time.perf_counter()
    error: BaseException | None = None
    try:
        _execute(path, params, profile, out, timeout, progress, verbose, checker)
    except NotebookFailed as exc:  # the notebook failed: still write what there is
        error = exc
    except KeyboardInterrupt as exc:
        error = exc
    wall = time.perf_counter() - start
    metrics_file = out / "metrics.json"
    recorded = json_object_or_empty(metrics_file)
    metrics = {(f"recorded_{k}" if k in RESERVED_KEYS else k): v for k, v in recorded.items()}
    from .config import resolve_profile

    with _environ(AIGC_PROFILE=profile):
        try:
            active = resolve_profile(params.get("profile", profile))
        except ValueError:
            active = profile
    status = "ok" if error is None else "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
    failed_cell = None
    if isinstance(error, NotebookFailed) and (error.cell is not None or error.cell_source):
        failed_cell = f"cell {error.cell}: {error.cell_source}" if error.cell else error.cell_source
    metrics.update({
        "notebook": str(path),
        "parameters": _plain(params),
        "profile": active,
        "wall_time_s": round(wall, 3),
        "status": status,
        "error": None if error is None else _error_text(error),
        "failed_cell": failed_cell,
        "recorded": list(recorded),
    })
    out.mkdir(parents=True, exist_ok=True)
    _write_json(metrics_file, metrics)
    html = _write_html(executed, no_input) if executed.is_file() else None
    result = {"out": out, "notebook": executed if executed.is_file() else None, "html": html,
              "metrics": metrics, "previous": previous}
    if error is not None:
        raise error
    return result


# ----------------------------------------------------------------------------------------------- sweeps
def _run_name(combo: dict) -> str:
    text = ",".join(f"{k}={json.dumps(v, separators=(',', ':')) if isinstance(v, (list, dict)) else v}"
                    for k, v in combo.items())
    return "".join(ch if ch.isalnum() or ch in "=,.-_+" else "_" for ch in text)


def _canon(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 2 and 2.0 are the same run
    if isinstance(value, (list, tuple)):
        return [_canon(v) for v in value]
    if isinstance(value, dict):
        return {k: _canon(v) for k, v in value.items()}
    return value


def _key(value) -> str:
    """Equal values give equal keys (2 == 2.0; True stays apart from 1)."""
    return json.dumps(_canon(value), sort_keys=True)


def _check_grid(grid) -> tuple[dict, dict]:
    """(grid with duplicate values dropped, {name: dropped values}); ValueError for an empty grid or value."""
    if not isinstance(grid, dict) or not grid:
        raise ValueError(f"grid must be a non-empty dict of parameter name -> list of values, got {grid!r}")
    checked, dropped = {}, {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"grid keys must be parameter names (identifiers), got {name!r}")
        if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f"grid[{name!r}] must be a non-empty list of values, got {values!r}")
        unique: dict[str, Any] = {}
        for value in values:
            value = _literal(name, value)
            if isinstance(value, str) and not value.strip():
                raise ValueError(f"grid[{name!r}] holds an empty value in {list(values)!r}; remove it "
                                 f"(on the command line: no empty item between commas)")
            if _key(value) in unique:
                dropped.setdefault(name, []).append(value)
            else:
                unique[_key(value)] = value
        checked[name] = list(unique.values())
    return checked, dropped


def _worker_main(argv: list[str]) -> int:
    """``python -m aigc_course.report <json>``: one sweep run in its own process."""
    job = json.loads(argv[0])
    try:
        make_report(job["notebook"], job["params"], profile=job["profile"], out=job["out"],
                    timeout=job["timeout"], no_input=job["no_input"], verbose=job.get("verbose", False))
    except KeyboardInterrupt:
        return 130
    except NotebookFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except Exception as exc:
        print(_error_text(exc), file=sys.stderr)
        return 1
    return 0


_RUNNING: dict[int, subprocess.Popen] = {}
_RUNNING_LOCK = threading.Lock()
_STOP = threading.Event()


def _finished_ok(job: dict) -> dict | None:
    """The metrics of an earlier run of exactly this job that ended "ok" (for --resume), else None."""
    data = json_object_or_empty(Path(job["out"]) / "metrics.json")
    if data.get("status") == "ok" and _key(data.get("parameters")) == _key(job["params"]) \
            and data.get("notebook") == job["notebook"] \
            and (job["profile"] is None or data.get("profile") == job["profile"]):
        return data
    return None


def _row(job: dict, data: dict, status: str, wall: float | None, error) -> dict:
    """A summary row: run folder, parameters, status, wall time, error and every recorded metric (values
    that are not scalars as JSON text)."""
    row = {"run": Path(job["out"]).name, **job["params"], "status": status,
           "wall_time_s": data.get("wall_time_s", None if wall is None else round(wall, 3)), "error": error}
    for name in data.get("recorded", []):
        key = f"recorded_{name}" if name in RESERVED_KEYS else name
        value = data.get(key)
        row[key] = value if isinstance(value, (int, float, str, bool)) or value is None else json.dumps(value)
    return row


def run_job(job: dict) -> dict:
    """Run one sweep job (a JSON-able dict) as a report in its own process; return its summary row.

    The row holds "run" (the run folder's name), the job's parameters, "status" ("ok" | "failed" |
    "interrupted" | "skipped"), "wall_time_s", "error" and every metric the run recorded. With
    ``job["resume"]``, a run whose metrics.json already says ok for the same parameters is not run again
    (its row comes from that file, "resumed": True).
    """
    out = Path(job["out"])
    if job.get("resume"):
        done = _finished_ok(job)
        if done is not None:
            return {**_row(job, done, "ok", 0.0, None), "resumed": True}
    if _STOP.is_set():
        return _row(job, {}, "skipped", 0.0, "not started: the sweep was interrupted")
    env = {k: v for k, v in os.environ.items() if k != "AIGC_METRICS_FILE"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "aigc_course.report", json.dumps(job)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with _RUNNING_LOCK:
        _RUNNING[proc.pid] = proc
    try:
        stdout, stderr = proc.communicate()
    finally:
        with _RUNNING_LOCK:
            _RUNNING.pop(proc.pid, None)
    wall = time.perf_counter() - start
    data = json_object_or_empty(out / "metrics.json")
    if data.get("parameters") is not None and _key(data["parameters"]) != _key(job["params"]):
        data = {}  # not this run's file
    status = "ok" if proc.returncode == 0 else "interrupted" if proc.returncode in (130, -signal.SIGINT) \
        else "failed"
    if status == "ok" and data.get("status") not in (None, "ok"):
        status = data["status"]
    error = data.get("error") if status != "ok" else None
    if status != "ok" and not error:
        tail = (stderr or stdout or "").strip().splitlines()
        error = tail[-1] if tail else f"the run exited with code {proc.returncode}"
    return _row(job, data, status, wall, error)


def _interrupt_running(wait_first: float = 5.0, grace: float = 10.0) -> None:
    """Stop every running sweep process: a terminal's Ctrl-C has already reached them (same process
    group), so first let them finish writing; then SIGINT the ones still running, and kill them after
    ``grace`` seconds."""
    with _RUNNING_LOCK:
        procs = list(_RUNNING.values())
    deadline = time.monotonic() + wait_first
    for proc in procs:
        try:
            proc.wait(max(0.01, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                proc.send_signal(signal.SIGINT)
            except OSError:
                pass
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(max(0.01, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


_CLUSTER = re.compile(r"^(local(:[1-9]\d*)?|[a-z][a-z0-9+.-]*://[^\s/:]+:\d+/?)$")


def _cluster_backend(cluster):
    """The Dask backend module for ``cluster`` ("local", "local:N", "tcp://HOST:PORT"); ValueError if the
    address is malformed or aigc_course/cluster.py is missing."""
    import importlib

    if not isinstance(cluster, str) or not _CLUSTER.match(cluster):
        raise ValueError(f"--cluster expects local, local:N (N workers) or tcp://HOST:PORT, got {cluster!r}")
    try:
        return importlib.import_module(f"{__package__}.cluster")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.cluster":
            raise
        raise ValueError(f"--cluster {cluster} needs the Dask backend aigc_course/cluster.py, which this "
                         f"installation lacks; run the sweep without --cluster") from None


def _run_jobs(job_list: list[dict], jobs: int, cluster=None,
              on_row: Callable[[dict], None] | None = None) -> tuple[list[dict], bool]:
    """Run the jobs (``jobs`` at a time on local processes, or on ``cluster`` through
    ``aigc_course.cluster.run_jobs``); returns (rows of the runs that ended, in job order; interrupted?).

    Ctrl-C stops the running reports and starts no new one; the rows of the runs that finished are kept.
    """
    if cluster is not None:
        cluster_backend = _cluster_backend(cluster)
        try:
            rows = cluster_backend.run_jobs(job_list, cluster, run_job)
        except KeyboardInterrupt:
            return [], True
        for row in rows:
            if on_row is not None:
                on_row(row)
        return list(rows), False

    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    _STOP.clear()
    rows: dict[int, dict] = {}
    interrupted = False
    pool = ThreadPoolExecutor(max_workers=jobs)
    futures = {pool.submit(run_job, job): i for i, job in enumerate(job_list)}
    pending = set(futures)
    try:
        while pending:
            try:
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                raise
            for future in done:
                row = future.result()
                rows[futures[future]] = row
                if on_row is not None:
                    on_row(row)
    except KeyboardInterrupt:
        interrupted = True
        _STOP.set()
        for future in pending:
            future.cancel()
        _interrupt_running()
        for future in pending:
            if not future.cancelled():
                try:
                    rows[futures[future]] = future.result(timeout=30)
                except Exception:  # noqa: BLE001 - a run we were stopping anyway
                    pass
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
    ordered = [rows[i] for i in sorted(rows)]
    if interrupted:
        ordered = [r for r in ordered if r["status"] in ("ok", "failed")]
    return ordered, interrupted


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
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


SWEEP_FILES = ("summary.csv", "summary.html", "summary.png", "sweep.json")


def _write_summary(out: Path, title: str, rows: list[dict], names: list[str]) -> None:
    import pandas as pd

    if not rows:
        for name in ("summary.csv", "summary.html", "summary.png"):
            (out / name).unlink(missing_ok=True)
        return
    df = pd.DataFrame([{k: v for k, v in r.items() if k != "resumed"} for r in rows])
    for name in names:  # list values stay one cell each
        df[name] = [r[name] for r in rows]
    fixed = ["run", *names, "status", "wall_time_s", "error"]
    metric_cols = [c for c in df.columns if c not in fixed]
    df = df[fixed + metric_cols]
    atomic_write_text(out / "summary.csv", df.to_csv(index=False))
    atomic_write_text(out / "summary.html",
                      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + f"{title}</title></head><body>\n"
                      + f"<h1>{title}</h1>\n" + df.to_html(index=False, na_rep="")
                      + "\n<img src=\"summary.png\" alt=\"metrics\">\n</body></html>\n")
    _summary_plot(df, names, metric_cols, out / "summary.png")


def _earlier_sweep(out: Path) -> list[str]:
    """The entries of an earlier sweep in ``out``: what its sweep.json lists, or (older sweeps) the summary
    files and every run folder holding a metrics.json."""
    manifest = json_object_or_empty(out / "sweep.json")
    runs = manifest.get("runs") if isinstance(manifest.get("runs"), list) else None
    if runs is None:
        if not any((out / n).exists() for n in SWEEP_FILES):
            return []
        runs = [p.name for p in out.iterdir() if p.is_dir() and (p / "metrics.json").is_file()]
    return [*SWEEP_FILES, *[r for r in runs if isinstance(r, str) and Path(r).name == r]]


def sweep(notebook, grid: dict, jobs: int = 1, profile: str | None = None, out=None,
          timeout: float | None = None, no_input: bool = False, resume: bool = False, cluster=None,
          progress: Callable[[str], None] | None = None, verbose: bool = False) -> dict:
    """One report per distinct combination of ``grid`` (name -> list of values) in out/<name=value,...>/.

    Checked before anything runs: the notebook, ``out``, every name and every value (as
    :func:`run_notebook`); duplicate values are dropped, empty ones rejected. Each run executes in its own
    process (``jobs`` at a time, or on a Dask ``cluster`` such as "local:2" or "tcp://host:port"); a failing
    run is recorded with its error and the others go on. ``resume`` skips the runs whose metrics.json
    already says ok; without it, an earlier sweep in ``out`` is moved to out/previous-<time>/ so that no
    stale run mixes into the summary. Writes out/summary.csv and out/summary.html (one row per run that
    ended: run folder, parameters, status, wall time, error, every recorded metric), out/summary.png and
    out/sweep.json (the sweep's runs). Ctrl-C stops the running reports and still writes the summary of
    the finished runs, then raises KeyboardInterrupt.

    Returns {"out": Path, "rows": list of row dicts, "failed": the rows of the failed runs, "dropped":
    {name: duplicate values dropped}, "interrupted": bool, "previous": where an earlier sweep was moved}.
    """
    path = resolve_notebook(notebook)
    grid, dropped = _check_grid(grid)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    if "profile" in grid and profile is not None:
        raise ValueError(f"the profile is given twice, as --profile {profile} and as -p profile; give it once")
    path, _, out, checker = _prepare(path, {}, profile, timeout, out, default_out=default_sweep_out(path))
    checker.names(grid)
    grid = {name: [checker.value(name, v) for v in values] for name, values in grid.items()}
    grid, more = _check_grid(grid)  # values normalised by the chapter's kinds may now coincide
    for name, values in more.items():
        dropped.setdefault(name, []).extend(values)
    if cluster is not None:
        _cluster_backend(cluster)  # before anything is moved or run
    out.mkdir(parents=True, exist_ok=True)
    names = list(grid)
    combos = [dict(zip(names, values)) for values in itertools.product(*grid.values())]
    run_names: list[str] = []
    for combo in combos:
        name, n = _run_name(combo), 1
        while name in run_names or name in SWEEP_FILES or name.startswith("previous-"):
            n += 1
            name = f"{_run_name(combo)}-{n}"
        run_names.append(name)
    previous = None if resume else _move_aside(out, _earlier_sweep(out))
    job_list = [{"notebook": str(path), "params": combo, "profile": profile, "out": str(out / name),
                 "timeout": timeout, "no_input": no_input, "resume": resume, "verbose": verbose}
                for combo, name in zip(combos, run_names)]
    manifest = {"notebook": str(path), "grid": grid, "profile": profile, "runs": run_names,
                "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "finished": None}
    _write_json(out / "sweep.json", manifest)
    count = itertools.count(1)

    def on_row(row):
        if progress is not None:
            note = " (kept from an earlier run)" if row.get("resumed") else ""
            progress(f"[{next(count)}/{len(job_list)}] {row['run']}: {row['status']}{note}")

    rows, interrupted = _run_jobs(job_list, jobs, cluster=cluster, on_row=on_row)
    _write_summary(out, f"{path.stem} sweep", rows, names)
    manifest.update(finished=time.strftime("%Y-%m-%dT%H:%M:%S"), interrupted=interrupted,
                    statuses={r["run"]: r["status"] for r in rows})
    _write_json(out / "sweep.json", manifest)
    result = {"out": out, "rows": rows, "failed": [r for r in rows if r["status"] != "ok"], "dropped": dropped,
              "interrupted": interrupted, "previous": previous, "runs": run_names}
    if interrupted:
        raise SweepInterrupted(result)
    return result


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; ``result`` is what :func:`sweep` would have returned for the finished runs."""

    def __init__(self, result: dict):
        super().__init__("sweep interrupted")
        self.result = result


def default_sweep_out(path: Path) -> Path:
    return Path("reports") / f"{path.stem}_sweep"


def status_table(result: dict) -> str:
    """A plain-text table of a sweep's runs (run, status, seconds, error), then the failed runs' folders."""
    rows = result["rows"]
    lines = []
    if rows:
        width = max(len("run"), *(len(r["run"]) for r in rows))
        lines.append(f"{'run':<{width}}  {'status':<11}  {'seconds':>8}  error")
        for r in rows:
            status = r["status"] + ("*" if r.get("resumed") else "")
            seconds = r.get("wall_time_s")
            sec = f"{seconds:8.1f}" if isinstance(seconds, (int, float)) else f"{'':8}"
            lines.append(f"{r['run']:<{width}}  {status:<11}  {sec}  {r.get('error') or ''}".rstrip())
        if any(r.get("resumed") for r in rows):
            lines.append("* kept from an earlier run (--resume)")
    done = {r["run"] for r in rows}
    missing = [n for n in result.get("runs", []) if n not in done]
    if missing:
        lines.append(f"not finished ({len(missing)}): {', '.join(missing)}; rerun with --resume to finish them")
    failed = result["failed"]
    if failed:
        lines.append(f"failed runs ({len(failed)}):")
        lines.extend(f"  {r['run']}: {Path(result['out']) / r['run']}" for r in failed)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
