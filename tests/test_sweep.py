"""Sweeps: one folder per distinct combination, JSON list values, no stale runs in the summary, --resume,
Ctrl-C, a status table and the cluster hand-off. The first two tests need no kernel (run_job is replaced);
the others run the tiny fixture notebook end to end."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import pandas as pd

from aigc_course import report
from aigc_course.cli import main

ROOT = Path(__file__).resolve().parents[1]
MODES = ROOT / "tests" / "fixtures" / "tiny_modes.ipynb"


def _fake_run_job(calls):
    def run_job(job):
        calls.append(job)
        out = Path(job["out"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps({"status": "ok", "parameters": job["params"]}), encoding="utf-8")
        return {"run": out.name, **job["params"], "status": "ok", "wall_time_s": 0.5, "error": None,
                "width": sum(job["params"]["hidden"])}
    return run_job


def _old_sweep(out: Path) -> dict:
    """An earlier sweep in ``out`` (its manifest, summary and one run), plus a file that is not the sweep's."""
    (out / "mode=old").mkdir(parents=True)
    files = {"sweep.json": json.dumps({"runs": ["mode=old"]}), "summary.csv": "run,mode,status\nmode=old,old,ok\n",
             "mode=old/metrics.json": '{"status": "ok"}'}
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    return files


def test_distinct_combinations_json_lists_and_no_stale_runs(tmp_path, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(report, "run_job", _fake_run_job(calls))
    out = tmp_path / "sw"
    old = _old_sweep(out)
    assert main(["sweep", str(MODES), "-p", "hidden", "[[64,32],[128],[64, 32]]", "-p", "mode", "ok,ok",
                 "--profile", "smoke", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    runs = ["hidden=_64,32_,mode=ok", "hidden=_128_,mode=ok"]
    assert [c["out"] for c in calls] == [str(out / r) for r in runs]
    assert [c["params"] for c in calls] == [{"hidden": [64, 32], "mode": "ok"}, {"hidden": [128], "mode": "ok"}]
    assert calls[0]["profile"] == "smoke" and calls[0]["resume"] is False
    (previous,) = out.glob("previous-*")
    assert {str(p.relative_to(previous)) for p in previous.rglob("*") if p.is_file()} == set(old)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"  # not the sweep's: left alone
    df = pd.read_csv(out / "summary.csv")
    assert list(df["run"]) == runs and list(df["hidden"]) == ["[64, 32]", "[128]"] and list(df["width"]) == [96, 128]
    assert json.loads((out / "sweep.json").read_text(encoding="utf-8"))["runs"] == runs
    assert captured.out == (
        "duplicate values of hidden dropped: [64, 32]\n"
        "duplicate values of mode dropped: 'ok'\n"
        "run                     status        seconds  error\n"
        "hidden=_64,32_,mode=ok  ok                0.5\n"
        "hidden=_128_,mode=ok    ok                0.5\n"
        f"the earlier sweep was moved to {previous}\n"
        f"sweep summary written to {out}\n")
    assert captured.err.splitlines() == [f"[1/2] {runs[0]}: ok", f"[2/2] {runs[1]}: ok"]


def test_cluster_gets_the_jobs_and_run_job(tmp_path, monkeypatch):
    seen = {}

    def run_jobs(job_list, cluster, run_job):
        seen.update(cluster=cluster, run_job=run_job, n=len(job_list))
        return [run_job(job) for job in job_list]

    monkeypatch.setattr(report, "run_job", _fake_run_job([]))
    monkeypatch.setitem(sys.modules, "aigc_course.cluster", types.SimpleNamespace(run_jobs=run_jobs))
    result = report.sweep(MODES, {"hidden": [[1], [2], [3]]}, out=tmp_path / "c", cluster="tcp://10.0.0.1:8786")
    assert seen == {"cluster": "tcp://10.0.0.1:8786", "run_job": report.run_job, "n": 3}
    assert [r["width"] for r in result["rows"]] == [1, 2, 3] and not result["failed"]


def test_failed_runs_are_named_and_resume_skips_finished_runs(tmp_path, capsys):
    out = tmp_path / "sw"
    assert main(["sweep", str(MODES), "-p", "mode", "ok,raise,ok", "--jobs", "2", "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert re.fullmatch(
        r"duplicate values of mode dropped: 'ok'\n"
        r"run         status        seconds  error\n"
        r"mode=ok     ok           +\d+\.\d\n"
        r"mode=raise  failed       +\d+\.\d  RuntimeError: boom …\n"
        r"failed runs \(1\):\n"
        rf"  mode=raise: {re.escape(str(out / 'mode=raise'))}\n"
        rf"sweep summary written to {re.escape(str(out))}\n", text), text
    df = pd.read_csv(out / "summary.csv")
    assert list(df["status"]) == ["ok", "failed"] and list(df["finished"].fillna("-")) == ["ok", "-"]
    executed_ok = out / "mode=ok" / "tiny_modes.ipynb"
    stamp = executed_ok.stat().st_mtime_ns
    # --resume: the ok run is kept as it is, the failed one runs again (its earlier report moved aside)
    assert main(["sweep", str(MODES), "-p", "mode", "ok,raise", "--out", str(out), "--resume"]) == 1
    text = capsys.readouterr().out
    assert "mode=ok     ok*" in text and "* kept from an earlier run (--resume)" in text
    assert executed_ok.stat().st_mtime_ns == stamp and not list((out / "mode=ok").glob("previous-*"))
    assert len(list((out / "mode=raise").glob("previous-*"))) == 1
    assert list(pd.read_csv(out / "summary.csv")["status"]) == ["ok", "failed"]


def test_ctrl_c_writes_the_summary_of_the_finished_runs(tmp_path):
    out = tmp_path / "sw"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "aigc_course.cli", "sweep", str(MODES), "-p", "mode", "ok,sleep",
                             "--out", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group, like a terminal's foreground job
    started = out / "mode=sleep" / "metrics.json"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        if started.is_file() and "sleep" in started.read_text(encoding="utf-8"):
            break
        time.sleep(0.2)
    time.sleep(0.5)  # the sleeping cell is running now
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.splitlines()[-1] == (f"aigc-course sweep: interrupted: summary of the 1 finished run(s) written to "
                                       f"{out}; rerun with --resume to finish the sweep")
    assert "not finished (1): mode=sleep; rerun with --resume to finish them" in stdout
    assert "Traceback" not in stderr
    df = pd.read_csv(out / "summary.csv")
    assert list(df["run"]) == ["mode=ok"] and list(df["status"]) == ["ok"]
    stopped = json.loads(started.read_text(encoding="utf-8"))
    assert stopped["status"] == "interrupted" and stopped["error"] == "KeyboardInterrupt: the run was interrupted"
    assert json.loads((out / "sweep.json").read_text(encoding="utf-8"))["interrupted"] is True
