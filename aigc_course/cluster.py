"""Sweep and course runs on a Dask cluster: one task per run, retried once when its worker dies.

``run_jobs(job_list, cluster, run_job)`` runs each job dict (keys notebook, params, profile, out, timeout,
no_input) with ``run_job(job) -> row`` and returns the rows in the order of ``job_list``. ``cluster`` is

- ``None``: local processes, as without Dask (``jobs`` runs at a time; ``run_job`` starts its own process);
- ``"local"`` or ``"local:N"``: a Dask cluster of N worker processes on this machine (one run per worker at
  a time; ``"local"`` means one worker per GPU, or half the CPU cores when there is no GPU);
- ``"tcp://HOST:PORT"``: an existing Dask scheduler (a lab's machines, SLURM through dask-jobqueue,
  Kubernetes). Its workers need the course installed and the same file system as this machine for ``out``;
- a connected ``distributed.Client``: used as it is (and left open).

Rules: a worker that dies marks its run failed and the run is retried once (on another worker when
there is one); a run whose ``out/metrics.json`` already says ``ok`` is never run again (always after a
worker died, and for every job with ``resume=True``); when any worker declares a ``GPU`` resource
(``dask worker --resources GPU=1``) every task asks for one, so a GPU serves one run at a time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from ._io import json_object_or_empty

MAX_ATTEMPTS = 2
"""A run is started at most this often: once, and once more after its worker died."""

ATTEMPTS_FILE = ".attempts.json"
"""Written in a run's out folder by each start of its task (the workers that ran it, in order)."""

_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx)://[^\s/:]+(:\d+)?/?$")


# ------------------------------------------------------------------------------------------- cluster spec
def parse_cluster(spec):
    """``None`` -> None; ``"local"`` -> ("local", None); ``"local:N"`` -> ("local", N);
    ``"tcp://HOST:PORT"`` -> ("address", spec); a connected ``distributed.Client`` -> ("client", it).
    Anything else raises ValueError."""
    if spec is None:
        return None
    if type(spec).__name__ == "Client" and hasattr(spec, "submit"):
        return ("client", spec)
    if isinstance(spec, str):
        text = spec.strip()
        if text == "local":
            return ("local", None)
        match = re.fullmatch(r"local:(\d+)", text)
        if match and int(match.group(1)) >= 1:
            return ("local", int(match.group(1)))
        if _ADDRESS.match(text):
            return ("address", text)
    raise ValueError(f"cluster must be 'local', 'local:N' (N >= 1 worker processes) or a Dask scheduler address "
                     f"like 'tcp://HOST:PORT', got {spec!r}")


def local_gpus() -> int:
    """GPUs this machine offers: CUDA_VISIBLE_DEVICES when set, else the lines of ``nvidia-smi -L``."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        ids = [d for d in visible.split(",") if d.strip() and d.strip() != "-1"]
        return len(ids)
    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in out.splitlines() if line.startswith("GPU "))


def make_local_cluster(n_workers: int | None = None, gpus: int | None = None):
    """A Dask cluster of ``n_workers`` processes on this machine, one thread (one run) each. The first
    ``gpus`` workers (default: this machine's GPUs) each declare the resource ``GPU=1`` and see only their
    own GPU (CUDA_VISIBLE_DEVICES); a worker that dies is restarted by its nanny. Close it when done."""
    import dask
    from distributed import Nanny, Scheduler, SpecCluster

    gpus = local_gpus() if gpus is None else gpus
    if isinstance(gpus, bool) or not isinstance(gpus, int) or gpus < 0:
        raise ValueError(f"gpus must be a non-negative int, got {gpus!r}")
    if n_workers is None:
        n_workers = gpus or max(1, (os.cpu_count() or 2) // 2)
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"n_workers must be a positive int, got {n_workers!r}")
    workers = {}
    for i in range(n_workers):
        options = {"nthreads": 1, "silence_logs": 40}
        if i < gpus:
            options.update(resources={"GPU": 1}, env={"CUDA_VISIBLE_DEVICES": str(i)})
        workers[f"worker-{i}"] = {"cls": Nanny, "options": options}
    # allowed_failures=0: the first death of a worker reaches us as KilledWorker, and we retry once.
    scheduler = {"cls": Scheduler, "options": {"dashboard_address": None, "host": "127.0.0.1",
                                                 "allowed_failures": 0}}
    # worker-saturation 1.0: a worker holds only the run it executes, so its death touches no other run.
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        return SpecCluster(workers=workers, scheduler=scheduler, silence_logs=40, name="aigc-course")


class connect:
    """``with connect(spec) as client:`` a Dask client for a cluster spec; a local cluster is created on
    entry and closed on exit, a remote scheduler is only connected to."""

    def __init__(self, spec, gpus: int | None = None):
        parsed = parse_cluster(spec)
        if parsed is None:
            raise ValueError("connect needs a cluster: 'local', 'local:N' or 'tcp://HOST:PORT'")
        self.kind, self.arg = parsed
        self.gpus = gpus
        self.cluster = self.client = None

    def __enter__(self):
        from distributed import Client

        if self.kind == "client":  # the caller's client: used, not closed
            return self.arg
        if self.kind == "local":
            self.cluster = make_local_cluster(self.arg, gpus=self.gpus)
            self.client = Client(self.cluster)
        else:
            self.client = Client(self.arg, timeout="30s")
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def task_resources(client) -> dict | None:
    """``{"GPU": 1}`` when any worker of the cluster declares a GPU resource, else None."""
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    has_gpu = any((w.get("resources") or {}).get("GPU", 0) > 0 for w in workers.values())
    return {"GPU": 1} if has_gpu else None


# ----------------------------------------------------------------------------------------------- rows
def row_from_metrics(job: dict, data: dict, wall: float | None = None, error: str | None = None) -> dict:
    """A summary row from a run's metrics.json contents (the same row ``report.run_job`` returns)."""
    from .report import _row

    status = data.get("status", "failed" if error else "ok")
    return _row(job, data, status, wall, data.get("error") or error)




def finished_row(job: dict) -> dict | None:
    """The row of an earlier run of exactly this job (same notebook, parameters and profile) that ended "ok",
    else None: the same rule as a local ``--resume``."""
    from .report import _finished_ok

    data = _finished_ok(job)
    return None if data is None else row_from_metrics(job, data)


def failed_row(job: dict, error: str) -> dict:
    return {"run": Path(job["out"]).name, **job["params"], "status": "failed", "wall_time_s": None,
            "error": error}


# ------------------------------------------------------------------------------------------ the task
def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def run_task(job: dict, run_job) -> dict:
    """What a worker executes for one job: note the attempt in out/.attempts.json; after an earlier
    attempt, return that attempt's row when it finished (never redo) and a failed row when the run's
    workers already died MAX_ATTEMPTS times; otherwise ``run_job(job)``."""
    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    marker = out / ATTEMPTS_FILE
    attempts = json_object_or_empty(marker).get("workers", [])
    attempts.append(_worker_address())
    marker.write_text(json.dumps({"workers": attempts}), encoding="utf-8")
    if len(attempts) > 1:
        done = finished_row(job)
        if done is not None:
            return done
    if len(attempts) > MAX_ATTEMPTS:
        return failed_row(job, f"the worker running this run died {len(attempts) - 1} times "
                               f"({', '.join(attempts[:-1])}); not retried again")
    row = _run_here(job, run_job)
    if len(attempts) > 1:
        row = {**row, "attempts": len(attempts)}
    return row


def _run_here(job: dict, run_job) -> dict:
    try:
        return run_job(job)
    except Exception as exc:  # run_job should return a failed row itself; keep the sweep going anyway
        return failed_row(job, f"{type(exc).__name__}: {exc}")


def _task_key(job: dict, attempt: int) -> str:
    from dask.base import tokenize

    return f"aigc-run-{Path(job['out']).name[:60]}-{tokenize(job)}-{attempt}"


def run_jobs(job_list: list[dict], cluster, run_job, jobs: int = 1, resume: bool = False,
             gpus: int | None = None) -> list[dict]:
    """Run every job with ``run_job`` (see the module docstring for ``cluster``); return the rows in the
    order of ``job_list``. ``resume``: a job whose out/metrics.json says ok is not run again (its row is
    read back). ``jobs``: runs at a time without a cluster. ``gpus``: for a local cluster, how many of its
    workers declare a GPU (default: the GPUs of this machine)."""
    if not isinstance(job_list, (list, tuple)) or not all(isinstance(j, dict) for j in job_list):
        raise TypeError(f"job_list must be a list of job dicts, got {type(job_list).__name__}")
    for job in job_list:
        missing = [k for k in ("notebook", "params", "profile", "out", "timeout", "no_input") if k not in job]
        if missing:
            raise ValueError(f"a job dict needs the keys notebook, params, profile, out, timeout, no_input; "
                             f"job {job.get('out', job)!r} lacks {', '.join(missing)}")
    if not callable(run_job):
        raise TypeError(f"run_job must be a function job -> row dict, got {type(run_job).__name__}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    parse_cluster(cluster)  # validate before anything runs
    rows: list[dict | None] = [finished_row(job) if resume else None for job in job_list]
    todo = [i for i, row in enumerate(rows) if row is None]
    for i in todo:  # a fresh start: forget attempts of an earlier sweep in the same folder
        (Path(job_list[i]["out"]) / ATTEMPTS_FILE).unlink(missing_ok=True)
    if not todo:
        return rows
    if cluster is None:
        from concurrent.futures import ThreadPoolExecutor

        # As without Dask: the threads only wait, run_job starts each run in its own process.
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for i, row in zip(todo, pool.map(lambda i: _run_here(job_list[i], run_job), todo)):
                rows[i] = row
        return rows
    with connect(cluster, gpus=gpus) as client:
        _run_on_cluster(client, job_list, todo, rows, run_job)
    return rows


def _run_on_cluster(client, job_list, todo, rows, run_job) -> None:
    from distributed import as_completed
    from distributed.client import FutureCancelledError

    try:
        from distributed import KilledWorker
    except ImportError:  # older distributed
        from distributed.scheduler import KilledWorker

    resources = task_resources(client)
    attempt = {i: 1 for i in todo}

    def submit(i):
        return client.submit(run_task, job_list[i], run_job, key=_task_key(job_list[i], attempt[i]),
                             resources=resources, pure=False)

    futures = {submit(i): i for i in todo}
    pending = as_completed(list(futures))
    for future in pending:
        i = futures.pop(future)
        job = job_list[i]
        if future.status == "finished":
            rows[i] = future.result()
            continue
        try:
            error = future.exception()
        except FutureCancelledError as exc:
            error = exc
        if isinstance(error, KilledWorker) and attempt[i] < MAX_ATTEMPTS:
            attempt[i] += 1
            retry = submit(i)
            futures[retry] = i
            pending.add(retry)
        elif isinstance(error, KilledWorker):
            rows[i] = _after_deaths(job, attempt[i])
        else:
            rows[i] = failed_row(job, f"{type(error).__name__}: {error}")


def _after_deaths(job: dict, attempts: int) -> dict:
    """Row of a run whose workers all died: the finished row if the last one still finished it."""
    done = finished_row(job)
    if done is not None:
        return done
    return failed_row(job, f"the worker running this run died {attempts} times; not retried again "
                           f"(see the workers' logs, often memory: give each worker more)")


def wait_for_workers(client, n: int, timeout: float = 60.0) -> None:
    """Block until the cluster has ``n`` workers (raises TimeoutError with the count it reached)."""
    deadline = time.monotonic() + timeout
    while len(client.scheduler_info(n_workers=-1).get("workers", {})) < n:
        if time.monotonic() > deadline:
            have = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            raise TimeoutError(f"the cluster has {have} worker(s) after {timeout:.0f} s, expected {n}")
        time.sleep(0.1)
