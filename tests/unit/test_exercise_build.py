"""``aigc-course exercises build`` never loses a learner's work, and writes nbgrader's metadata."""

import json
import os

import pytest

from aigc_course import cli
from aigc_course.exercises import Question
from aigc_course.exercises.build import BACKUP_DIR, build_all, build_notebook
from aigc_course.exercises.grading import grade
from helpers import raises_message

NAME = "ex01_aigc_overview.ipynb"
SOLUTION = {"nbformat": 4, "nbformat_minor": 4, "metadata": {"kernelspec": {"name": "python3"}}, "cells": [
    {"cell_type": "markdown", "metadata": {}, "source": "# 练习\n把 `____` 换成答案。"},
    {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "execution_count": None, "outputs": [],
     "source": 'profile = "standard"'},
    {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
     "source": "from aigc_course.exercises import ____\nq1 = q2 = None"},
    {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
     "source": "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\nq1.check()"},
    {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
     "source": "### BEGIN SOLUTION\nother = 7\n### END SOLUTION\nq2.check()"},
]}


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course root with one solution notebook and its freshly built exercise."""
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / NAME).write_text(json.dumps(SOLUTION), encoding="utf-8")
    build_all(tmp_path / "solutions", tmp_path / "exercises")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _answer(path, text="answer = 41  # my answer"):
    """What a learner does: type an answer over the blank in the first answer cell, save."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "answer = ____" in c["source"])
    cell["source"] = cell["source"].replace("answer = ____", text)
    path.write_text(json.dumps(nb, indent=2), encoding="utf-8")
    return path.read_bytes()


def _change_solutions(root):
    nb = json.loads(json.dumps(SOLUTION))
    nb["cells"][0]["source"] += "\n（第二版说明）"
    (root / "solutions" / NAME).write_text(json.dumps(nb), encoding="utf-8")


def test_an_edited_exercise_is_kept_and_reported(course, capsys):
    target = course / "exercises" / NAME
    before = _answer(target)
    _change_solutions(course)
    assert cli.main(["exercises", "build"]) == 1
    assert capsys.readouterr().out == (
        "kept: exercises/ex01_aigc_overview.ipynb was changed by hand since it was generated (your answers "
        "are in it); `aigc-course exercises build --force` rewrites it after copying it to exercises/.backup/\n"
        "0 exercise notebook(s) written, 1 edited one(s) kept.\n")
    assert target.read_bytes() == before
    assert "answer = 41  # my answer" in target.read_text(encoding="utf-8")
    assert not (course / "exercises" / BACKUP_DIR).exists()


def test_even_an_unchanged_solution_does_not_overwrite_an_edit(course):
    target = course / "exercises" / NAME
    before = _answer(target)
    report = build_all(course / "solutions", course / "exercises")
    assert report.edited == [target] and report.written == []
    assert target.read_bytes() == before


def test_force_keeps_a_timestamped_backup(course, capsys):
    target = course / "exercises" / NAME
    before = _answer(target)
    _change_solutions(course)
    assert cli.main(["exercises", "build", "--force"]) == 0
    backups = sorted((course / "exercises" / BACKUP_DIR).iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert backups[0].name.startswith("ex01_aigc_overview-") and backups[0].suffix == ".ipynb"
    stamp = backups[0].stem[len("ex01_aigc_overview-"):]
    assert len(stamp) == 15 and stamp[8] == "-" and stamp.replace("-", "").isdigit()
    assert capsys.readouterr().out == (
        f"backup: exercises/.backup/{backups[0].name}\n"
        "written: exercises/ex01_aigc_overview.ipynb\n"
        "1 exercise notebook(s) written, 0 edited one(s) kept.\n")
    assert "answer = ____" in target.read_text(encoding="utf-8")
    assert "（第二版说明）" in target.read_text(encoding="utf-8")
    # a second forced build of an unedited notebook makes no further backup
    assert cli.main(["exercises", "build", "--force"]) == 0
    assert len(list((course / "exercises" / BACKUP_DIR).iterdir())) == 1


def test_check_creates_nothing_and_names_the_edited(course, capsys):
    target = course / "exercises" / NAME
    before = _answer(target)
    _change_solutions(course)
    assert cli.main(["exercises", "build", "--check"]) == 1
    assert capsys.readouterr().out == (
        "edited: exercises/ex01_aigc_overview.ipynb was changed by hand since it was generated (your answers "
        "are in it); `aigc-course exercises build --force` rewrites it after copying it to exercises/.backup/\n"
        "1 exercise notebook(s) stale, 1 of them edited by hand.\n")
    assert target.read_bytes() == before
    fresh = course / "fresh"
    (fresh / "solutions").mkdir(parents=True)
    (fresh / "solutions" / NAME).write_text(json.dumps(SOLUTION), encoding="utf-8")
    assert cli.main(["exercises", "build", "--check", "--root", str(fresh)]) == 1
    assert capsys.readouterr().out == (f"stale: {fresh / 'exercises' / NAME}\n"
                                       "1 exercise notebook(s) stale, 0 of them edited by hand.\n")
    assert sorted(p.name for p in fresh.iterdir()) == ["solutions"]


def test_a_notebook_that_was_only_run_is_rebuilt(course):
    target = course / "exercises" / NAME
    nb = json.loads(target.read_text(encoding="utf-8"))
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = i + 1
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
    nb["metadata"]["language_info"] = {"name": "python"}
    target.write_text(json.dumps(nb), encoding="utf-8")
    _change_solutions(course)
    report = build_all(course / "solutions", course / "exercises")
    assert report.written == [target] and report.edited == [] and report.backups == []


def test_a_notebook_from_before_the_stamp_is_rebuilt_unless_edited(course):
    target = course / "exercises" / NAME
    nb = json.loads(target.read_text(encoding="utf-8"))
    del nb["metadata"]["aigc_course"]
    nb["cells"] = [c for c in nb["cells"] if not c["id"].startswith("grade-")]
    target.write_text(json.dumps(nb), encoding="utf-8")
    assert build_all(course / "solutions", course / "exercises").written == [target]
    target.write_text("not json", encoding="utf-8")
    assert build_all(course / "solutions", course / "exercises").edited == [target]
    assert target.read_text(encoding="utf-8") == "not json"


def test_exercises_path_that_is_a_file(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").write_text("x")
    with raises_message(ValueError, f"{tmp_path / 'exercises'} is a file, expected the exercises folder; "
                                    "move it away."):
        build_all(tmp_path / "solutions", tmp_path / "exercises")


def test_nbgrader_metadata():
    nb = build_notebook(SOLUTION, "solutions/" + NAME)
    cells = nb["cells"]
    assert nb["nbformat_minor"] == 5
    assert len({c["id"] for c in cells}) == len(cells)
    kinds = [(c["id"], c["metadata"].get("nbgrader", {}).get("locked"), c["metadata"].get("nbgrader", {}).get("points"))
             for c in cells]
    assert kinds == [("cell-00", True, None), ("cell-01", None, None), ("cell-02", True, None),
                     ("cell-03", None, None), ("grade-q1", True, 1), ("cell-04", None, None), ("grade-q2", True, 1)]
    assert cells[4]["source"].endswith("from aigc_course.exercises.grading import grade\n\ngrade(q1)")
    assert cells[4]["metadata"]["nbgrader"] == {"grade": True, "grade_id": "grade-q1", "locked": True,
                                                "points": 1, "schema_version": 3, "solution": False, "task": False}
    assert "BEGIN SOLUTION" not in json.dumps(nb)


def test_grade_raises_only_while_grading(monkeypatch):
    q = Question("q1", lambda v: None if v == 42 else f"{v} 不对", var="answer")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("AIGC_STRICT_CHECKS", raising=False)
    assert grade(q, 0) is None
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert grade(q, 42) is None
    with raises_message(AssertionError, "q1 ✘ 不正确：0 不对"):
        grade(q, 0)
    with raises_message(AssertionError, "q1 … 尚未作答：把 answer 中的 ____ 换成你的答案。"):
        from aigc_course.exercises import ____
        grade(q, ____)
    with raises_message(AssertionError, "q1: answer is not defined; the answer cell was not run or was deleted."):
        grade(q)
    answer = 42  # noqa: F841 (read from this frame by grade)
    assert grade(q) is None
    assert os.environ["NBGRADER_EXECUTION"] == "autograde"
