"""aigc_course.course_report: one job per chapter, the index page with key metrics and links, the CLI pair."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from helpers import raises_message

from aigc_course import course_report, report


@pytest.fixture
def three_chapters(monkeypatch, tmp_path):
    """04 and 06 have notebooks, 07 has none."""
    real = report.resolve_notebook

    def resolve(name):
        if name == "07_attention":
            raise ValueError("chapter '07_attention' has no notebook yet")
        return real(name)

    monkeypatch.setattr(report, "resolve_notebook", resolve)
    return ["04_dcgan", "06_vae", "07_attention"]


def fake_run_job(job):
    out = Path(job["out"])
    cid = out.name
    out.mkdir(parents=True, exist_ok=True)
    if cid == "06_vae":
        return {"run": cid, "status": "failed", "wall_time_s": 3.0, "error": "ValueError: boom in cell 5"}
    (out / f"{cid}.html").write_text("<html></html>", encoding="utf-8")
    return {"run": cid, "status": "ok", "wall_time_s": 90.0, "error": None, "fid": 31.25, "train_seconds": 60.5,
            "confidence_ratio": 0.8, "mean_d_real": 0.6}


def test_course_report_writes_an_index_with_key_metrics_and_links(three_chapters, tmp_path):
    result = course_report.course_report(profile="smoke", out=tmp_path, chapters=three_chapters,
                                         run_job=fake_run_job)
    assert [r["run"] for r in result["rows"]] == ["04_dcgan", "06_vae"]
    assert result["missing"] == ["07_attention"]
    assert [r["run"] for r in result["failed"]] == ["06_vae"]
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert index["profile"] == "smoke"
    first, second, third = index["chapters"]
    assert first["chapter"] == "04_dcgan" and first["report"] == "04_dcgan/04_dcgan.html"
    assert first["key_metrics"] == {"fid": 31.25, "confidence_ratio": 0.8, "train_seconds": 60.5}
    assert second["status"] == "failed" and second["report"] is None and second["error"] == "ValueError: boom in cell 5"
    assert third == {"chapter": "07_attention", "title": "自注意力与 Transformer", "status": "no notebook",
                     "wall_time_s": None, "error": None, "key_metrics": {}, "report": None}
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<a href="04_dcgan/04_dcgan.html">04_dcgan DCGAN 图像生成实战</a>' in page
    assert "fid = 31.25" in page and "1 / 3 章运行成功" in page
    csv_lines = (tmp_path / "index.csv").read_text(encoding="utf-8").splitlines()
    assert csv_lines[1].startswith("04_dcgan,DCGAN 图像生成实战,ok,90.0,fid=31.25; confidence_ratio=0.8; train_seconds=60.5")


def test_jobs_carry_the_profile_and_one_folder_per_chapter(three_chapters, tmp_path):
    jobs, missing = course_report.chapter_jobs("full", tmp_path, three_chapters, timeout=600)
    assert [Path(j["out"]).name for j in jobs] == ["04_dcgan", "06_vae"] and missing == ["07_attention"]
    assert all(j["profile"] == "full" and j["params"] == {} and j["timeout"] == 600 for j in jobs)
    assert Path(jobs[0]["notebook"]).name == "04_dcgan.ipynb"


def test_unknown_chapters_are_named(tmp_path):
    from aigc_course.config import CHAPTERS

    with raises_message(ValueError, f"unknown chapter(s) 4_dcgan: choose from {', '.join(CHAPTERS)}"):
        course_report.chapter_jobs(None, tmp_path, ["4_dcgan"])


def test_key_metrics_fall_back_to_the_first_scalars():
    row = {"run": "99_x", "status": "ok", "wall_time_s": 1.0, "error": None, "a": 1, "b": "[1, 2]", "c": 2.5}
    assert course_report.key_metrics("99_x", row) == {"a": 1, "b": "[1, 2]", "c": 2.5}


def test_the_command_line_pair_parses_and_runs(three_chapters, tmp_path, monkeypatch, capsys):
    parser = argparse.ArgumentParser()
    course_report.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["course-report", "--profile", "smoke", "--out", str(tmp_path), "--chapter", "04_dcgan"])
    assert (args.profile, args.cluster, args.chapter, args.resume) == ("smoke", None, ["04_dcgan"], False)
    monkeypatch.setattr(course_report, "_default_run_job", lambda: fake_run_job)
    assert course_report.main(args) == 0
    assert f"course report index: {tmp_path / 'index.html'}" in capsys.readouterr().out
