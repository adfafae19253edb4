"""Reports and sweeps on a tiny fixture notebook that needs no Keras (each run starts a Jupyter kernel,
so the tests are few)."""

import json
from pathlib import Path

import pandas as pd
import pytest

from aigc_course import report
from aigc_course.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny_report.ipynb"


def test_unknown_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"^unknown notebook '99_nothing': give a chapter id \(00_setup, "
                                         r"01_aigc_overview, .*12_applications_ethics\) or a path to a \.ipynb file$"):
        report.run_notebook("99_nothing", out=tmp_path)
    with pytest.raises(ValueError, match=r"^notebook file .*missing\.ipynb does not exist$"):
        report.make_report(str(tmp_path / "missing.ipynb"))
    with pytest.raises(ValueError, match=r"^grid\['x'\] must be a non-empty list of values, got \[\]$"):
        report.sweep(str(FIXTURE), {"x": []}, out=tmp_path)
    with pytest.raises(ValueError, match=r"^Unknown profile 'fast'"):
        report.make_report(str(FIXTURE), profile="fast", out=tmp_path)
    assert report.resolve_notebook(str(FIXTURE)) == FIXTURE


def test_run_notebook_injects_parameters_profile_and_metrics_file(tmp_path):
    executed = report.run_notebook(str(FIXTURE), {"x": 21}, profile="smoke", out=tmp_path / "run")
    assert executed == tmp_path / "run" / "tiny_report.ipynb" and executed.is_file()
    recorded = json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))
    # profile reaches the kernel both as the parameter and as AIGC_PROFILE; the kernel runs in the
    # notebook's folder.
    assert recorded == {"double": 42, "env_profile": "smoke", "param_profile": "smoke", "cwd_name": "fixtures"}


def test_make_report_writes_notebook_html_and_metrics(tmp_path):
    result = report.make_report(str(FIXTURE), {"x": 5}, out=tmp_path / "rep")
    assert result["notebook"] == tmp_path / "rep" / "tiny_report.ipynb" and result["notebook"].is_file()
    html = result["html"].read_text(encoding="utf-8")
    assert "VISIBLE_OUTPUT 5" in html and "x must not be 3" in html  # outputs and code
    assert "data:image/png;base64" in html  # the figure is inline even though the tests use MPLBACKEND=Agg
    saved = json.loads((tmp_path / "rep" / "metrics.json").read_text(encoding="utf-8"))
    assert saved == result["metrics"]
    assert saved["double"] == 10 and saved["parameters"] == {"x": 5}
    assert saved["status"] == "ok" and saved["error"] is None and saved["wall_time_s"] > 0
    assert saved["recorded"] == ["double", "env_profile", "param_profile", "cwd_name"]
    assert saved["profile"] in ("smoke", "standard", "full")


def test_cli_report_without_input(tmp_path):
    assert main(["report", str(FIXTURE), "-p", "x", "4", "--profile", "full", "--no-input",
                 "--out", str(tmp_path / "cli")]) == 0
    html = (tmp_path / "cli" / "tiny_report.html").read_text(encoding="utf-8")
    assert "VISIBLE_OUTPUT 4" in html and "x must not be 3" not in html  # outputs only, no code
    saved = json.loads((tmp_path / "cli" / "metrics.json").read_text(encoding="utf-8"))
    assert saved["double"] == 8 and saved["profile"] == "full" and saved["env_profile"] == "full"


def test_cli_sweep_keeps_good_runs_and_records_the_failure(tmp_path):
    out = tmp_path / "sweep"
    assert main(["sweep", str(FIXTURE), "-p", "x", "1,2,3", "--jobs", "2", "--profile", "smoke",
                 "--out", str(out)]) == 1  # one run failed
    df = pd.read_csv(out / "summary.csv")
    assert list(df["run"]) == ["x=1", "x=2", "x=3"]
    assert list(df["status"]) == ["ok", "ok", "failed"]
    assert list(df["double"][:2]) == [2, 4] and pd.isna(df["double"][2])
    assert df["error"][2] == "ValueError: x must not be 3" and pd.isna(df["error"][0])
    assert (df["wall_time_s"] > 0).all()
    assert json.loads((out / "x=2" / "metrics.json").read_text(encoding="utf-8"))["double"] == 4
    assert (out / "x=1" / "tiny_report.html").is_file() and (out / "x=3" / "tiny_report.html").is_file()
    assert "<table" in (out / "summary.html").read_text(encoding="utf-8")
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_summary_plot_with_list_values_groups_and_a_failed_run(tmp_path):
    df = pd.DataFrame([
        {"run": "a", "hidden": [64, 64], "seed": 0, "status": "ok", "wall_time_s": 1.0, "error": None, "fid": 3.0},
        {"run": "b", "hidden": [128], "seed": 0, "status": "ok", "wall_time_s": 1.0, "error": None, "fid": 2.0},
        {"run": "c", "hidden": [64, 64], "seed": 1, "status": "ok", "wall_time_s": 1.0, "error": None, "fid": 3.5},
        {"run": "d", "hidden": [128], "seed": 1, "status": "failed", "wall_time_s": 1.0, "error": "E", "fid": None},
    ])
    report._summary_plot(df, ["hidden", "seed"], ["fid"], tmp_path / "s.png")
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
