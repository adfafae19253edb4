"""Reports and sweeps on a tiny fixture notebook that needs no Keras (each run starts a Jupyter kernel,
so the tests are few)."""

import json
from pathlib import Path

import pandas as pd
from aigc_course import report
from aigc_course.cli import main
from aigc_course.config import CHAPTERS
from helpers import raises_message

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "tiny_report.ipynb"


def test_unknown_notebook_is_a_clear_error(tmp_path):
    with raises_message(ValueError, f"unknown notebook '99_nothing': give a chapter id ({', '.join(CHAPTERS)}), "
                                    f"its number (e.g. 04) or a path to a .ipynb file"):
        report.run_notebook("99_nothing", out=tmp_path)
    with raises_message(ValueError, f"unknown notebook '99': give a chapter id ({', '.join(CHAPTERS)}), "
                                    f"its number (e.g. 04) or a path to a .ipynb file"):
        report.run_notebook("99", out=tmp_path)
    assert report.resolve_notebook("4") == report.resolve_notebook("04") == report.resolve_notebook("04_dcgan")
    with raises_message(ValueError, f"notebook file {tmp_path / 'missing.ipynb'} does not exist"):
        report.make_report(str(tmp_path / "missing.ipynb"))
    with raises_message(ValueError, "grid['x'] must be a non-empty list of values, got []"):
        report.sweep(str(FIXTURE), {"x": []}, out=tmp_path)
    with raises_message(ValueError, "grid['x'] holds an empty value in [1, ' ']; remove it (on the command line: "
                                    "no empty item between commas)"):
        report.sweep(str(FIXTURE), {"x": [1, " "]}, out=tmp_path)
    with raises_message(ValueError, "Unknown profile 'fast'. Valid profiles: smoke, standard, full (set it with the "
                                    "notebook parameter `profile` or the environment variable AIGC_PROFILE)."):
        report.make_report(str(FIXTURE), profile="fast", out=tmp_path)
    with raises_message(ValueError, "parameter 'x' must be a number, text, True/False, None or a list/dict of "
                                    "them, got set; pass a plain value"):
        report.make_report(str(FIXTURE), {"x": {1}}, out=tmp_path)
    assert report.resolve_notebook(str(FIXTURE)) == FIXTURE
    assert list(tmp_path.iterdir()) == []


def test_notebook_parameters_and_output_dir(tmp_path, monkeypatch):
    assert report.notebook_parameters(FIXTURE) == ["profile", "x"]
    assert report.notebook_parameters(FIXTURE.parent / "tiny_noparams.ipynb") is None
    monkeypatch.setenv("AIGC_REPORT_DIR", str(tmp_path / "rep"))
    assert report.output_dir("10_evaluation_sweep") == tmp_path / "rep" / "10_evaluation_sweep"
    assert (tmp_path / "rep" / "10_evaluation_sweep").is_dir()
    monkeypatch.delenv("AIGC_REPORT_DIR")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    assert report.output_dir("x") == tmp_path / "tmp" / "aigc-course" / "x"
    with raises_message(ValueError, "output_dir expects a plain folder name such as '10_evaluation_sweep', got '../x'"):
        report.output_dir("../x")


def test_chapter_10_writes_its_sweep_under_the_report_folder():
    nb = json.loads((ROOT / "notebooks" / "10_evaluation.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    (cell,) = [c for c in code if "report.sweep(" in c]
    assert 'out=report.output_dir("10_evaluation_sweep")' in cell and '/ "reports"' not in cell


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
