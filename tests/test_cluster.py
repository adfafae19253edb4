"""aigc_course.cluster: sweeps on a Dask cluster (two local worker processes), a worker killed mid-run,
resume, the GPU resource, and the default without a cluster."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from helpers import raises_message

pytest.importorskip("distributed")

import cloudpickle  # noqa: E402

from aigc_course import cluster  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "cluster"
sys.path.insert(0, str(FIXTURES))
import standin  # noqa: E402

cloudpickle.register_pickle_by_value(standin)  # the workers need not import the tests
NOTEBOOK = str(FIXTURES / "sweep.ipynb")


def make_jobs(tmp_path: Path, combos: list[dict]) -> list[dict]:
    return [{"notebook": NOTEBOOK, "params": combo, "profile": "smoke", "out": str(tmp_path / f"x={combo['x']}"),
             "timeout": 120, "no_input": True} for combo in combos]


def test_parse_cluster_accepts_the_three_forms():
    assert cluster.parse_cluster(None) is None
    assert cluster.parse_cluster("local") == ("local", None)
    assert cluster.parse_cluster("local:3") == ("local", 3)
    assert cluster.parse_cluster("tcp://10.0.0.5:8786") == ("address", "tcp://10.0.0.5:8786")


@pytest.mark.parametrize("spec", ["local:0", "remote", "tcp://host port", 4])
def test_parse_cluster_rejects_anything_else(spec):
    with raises_message(ValueError, "cluster must be 'local', 'local:N' (N >= 1 worker processes) or a Dask "
                                    f"scheduler address like 'tcp://HOST:PORT', got {spec!r}"):
        cluster.parse_cluster(spec)


def test_run_jobs_checks_the_job_dicts(tmp_path):
    job = make_jobs(tmp_path, [{"x": 1}])[0]
    del job["timeout"]
    with raises_message(ValueError, "a job dict needs the keys notebook, params, profile, out, timeout, no_input; "
                                    f"job {job['out']!r} lacks timeout"):
        cluster.run_jobs([job], None, standin.run_job)


@pytest.mark.slow
def test_sweep_on_a_local_cluster_of_two_workers(tmp_path):
    jobs = make_jobs(tmp_path, [{"x": x, "sleep": 0.3} for x in (1, 2, 3, 4)])
    rows = cluster.run_jobs(jobs, "local:2", standin.run_job)
    assert [r["run"] for r in rows] == ["x=1", "x=2", "x=3", "x=4"]
    assert [r["status"] for r in rows] == ["ok"] * 4, [r["error"] for r in rows]
    assert [r["square"] for r in rows] == [1, 4, 9, 16]
    assert len({r["worker_pid"] for r in rows}) == 2  # both workers ran runs
    assert all((tmp_path / r["run"] / "sweep.html").is_file() for r in rows)
    assert not any("attempts" in r for r in rows)


@pytest.mark.slow
def test_a_worker_killed_mid_run_is_retried_once_and_the_other_runs_are_intact(tmp_path):
    killed = tmp_path / "killed_worker_pid"
    jobs = make_jobs(tmp_path, [{"x": 1, "sleep": 0.5}, {"x": 2, "kill_worker_once": str(killed)},
                                {"x": 3, "sleep": 0.5}])
    rows = cluster.run_jobs(jobs, "local:2", standin.run_job)
    assert killed.is_file()  # the run did kill its worker
    assert [r["status"] for r in rows] == ["ok"] * 3, [r["error"] for r in rows]
    assert [r["square"] for r in rows] == [1, 4, 9]
    assert rows[1]["attempts"] == 2
    assert rows[1]["worker_pid"] != int(killed.read_text())  # the retry ran in a live worker
    workers = json.loads((tmp_path / "x=2" / cluster.ATTEMPTS_FILE).read_text())["workers"]
    assert len(workers) == 2
    assert "attempts" not in rows[0] and "attempts" not in rows[2]


def test_without_a_cluster_the_runs_are_local_and_resume_never_redoes_a_finished_run(tmp_path):
    jobs = make_jobs(tmp_path, [{"x": 5}])
    rows = cluster.run_jobs(jobs, None, standin.run_job)
    assert rows[0]["status"] == "ok" and rows[0]["square"] == 25

    def must_not_run(job):
        raise AssertionError(f"finished run {job['out']} was run again")

    again = cluster.run_jobs(jobs, None, must_not_run, resume=True)
    assert again == [cluster.finished_row(jobs[0])]
    assert again[0]["square"] == 25 and again[0]["status"] == "ok"


def test_a_retried_task_returns_the_finished_row_and_gives_up_after_two_deaths(tmp_path):
    job = make_jobs(tmp_path, [{"x": 7}])[0]
    out = Path(job["out"])
    out.mkdir(parents=True)
    calls = []
    # A first attempt that died after finishing: the second attempt reads its row back.
    (out / cluster.ATTEMPTS_FILE).write_text(json.dumps({"workers": ["tcp://a:1"]}))
    finished = {"status": "ok", "wall_time_s": 1.5, "error": None, "recorded": ["square"], "square": 49,
                "notebook": job["notebook"], "profile": job["profile"], "parameters": job["params"]}
    (out / "metrics.json").write_text(json.dumps(finished))
    row = cluster.run_task(job, calls.append)
    assert calls == [] and row == {"run": "x=7", "x": 7, "status": "ok", "wall_time_s": 1.5, "error": None,
                                   "square": 49}
    # A finished record of other parameters in the same folder is not this run: it is run again.
    (out / cluster.ATTEMPTS_FILE).write_text(json.dumps({"workers": ["tcp://a:1"]}))
    (out / "metrics.json").write_text(json.dumps({**finished, "parameters": {"x": 8}}))
    cluster.run_task(job, lambda j: calls.append(j) or {"status": "ok"})
    assert calls == [job]
    calls.clear()
    # Two workers already died on an unfinished run: the third start does not run it.
    (out / "metrics.json").unlink()
    row = cluster.run_task(job, calls.append)
    assert calls == [] and row["status"] == "failed"
    assert row["error"].startswith("the worker running this run died 2 times (tcp://a:1, ")


def _hold_the_gpu(job):
    start = time.time()
    time.sleep(0.4)
    return {"run": Path(job["out"]).name, **job["params"], "status": "ok", "wall_time_s": 0.4, "error": None,
            "start": start, "end": time.time(), "pid": os.getpid()}


@pytest.mark.slow
def test_gpu_workers_run_one_gpu_task_at_a_time(tmp_path):
    jobs = make_jobs(tmp_path, [{"x": x} for x in range(3)])
    with cluster.connect("local:2", gpus=1) as client:
        cluster.wait_for_workers(client, 2)
        assert cluster.task_resources(client) == {"GPU": 1}
        rows = cluster.run_jobs(jobs, client, _hold_the_gpu)  # a connected client is used as it is
        assert client.status == "running"
    assert len({r["pid"] for r in rows}) == 1  # only the GPU worker ran them
    spans = sorted((r["start"], r["end"]) for r in rows)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


@pytest.mark.slow
def test_cpu_only_clusters_ask_for_no_resource():
    with cluster.connect("local:1", gpus=0) as client:
        cluster.wait_for_workers(client, 1)
        assert cluster.task_resources(client) is None


def test_without_a_cluster_no_attempt_marker_is_written_and_errors_become_failed_rows(tmp_path):
    jobs = make_jobs(tmp_path, [{"x": 1}, {"x": 2}])

    def flaky(job):
        if job["params"]["x"] == 2:
            raise RuntimeError("no kernel")
        Path(job["out"]).mkdir(parents=True, exist_ok=True)
        return {"run": Path(job["out"]).name, **job["params"], "status": "ok", "wall_time_s": 0.1, "error": None}

    rows = cluster.run_jobs(jobs, None, flaky, jobs=2)
    assert [r["status"] for r in rows] == ["ok", "failed"]
    assert rows[1] == {"run": "x=2", "x": 2, "status": "failed", "wall_time_s": None,
                       "error": "RuntimeError: no kernel"}
    assert not (tmp_path / "x=1" / cluster.ATTEMPTS_FILE).exists()
