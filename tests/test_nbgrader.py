"""A teacher's nbgrader round trip on two chapters' exercise notebooks, end to end with nbgrader's own
commands: generate_assignment gives a student version without solutions; autograde gives a correct
submission full marks, a blank one 0, and a partly wrong one a score in between."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["ex01_aigc_overview", "ex02_math"]
ASSIGNMENT = "week1"
_CHECK = re.compile(r"\b(q\d+)\.check\(")


def _nbgrader(course: Path, *args: str) -> str:
    env = {**os.environ, "AIGC_PROFILE": "smoke", "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           # nbgrader runs `alembic` (its database migrations) as a command: it must be on PATH
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    env.pop("AIGC_STRICT_CHECKS", None)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _answers(name: str) -> dict:
    """qN -> the reference answer cell's source without the solution markers."""
    nb = json.loads((ROOT / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
    out = {}
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if "### BEGIN SOLUTION" in src:
            lines = [ln for ln in src.splitlines() if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            out[_CHECK.search(src).group(1)] = "\n".join(lines)
    return out


def _solution_lines(name: str) -> list[str]:
    nb = json.loads((ROOT / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
    lines, inside = [], False
    for cell in nb["cells"]:
        for ln in "".join(cell["source"]).splitlines():
            if ln.strip() in ("### BEGIN SOLUTION", "### END SOLUTION"):
                inside = ln.strip() == "### BEGIN SOLUTION"
            elif inside and ln.strip():
                lines.append(ln.strip())
    return lines


def _submit(course: Path, student: str, name: str, answered: set, wrong: dict | None = None) -> None:
    """Write the student's submission: the released notebook with the questions in ``answered`` filled in
    with the reference answers, and those in ``wrong`` with the given (wrong) cell source."""
    nb = json.loads((course / "release" / ASSIGNMENT / f"{name}.ipynb").read_text(encoding="utf-8"))
    answers = {**_answers(name), **(wrong or {})}
    answered = set(answered) | set(wrong or {})
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        m = _CHECK.search(src)
        if cell["cell_type"] == "code" and m and "nbgrader" not in cell["metadata"] and m.group(1) in answered:
            cell["source"] = answers[m.group(1)]
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


@pytest.mark.slow
def test_generate_assignment_and_autograde(tmp_path):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "aigc"\n')
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "exercises" / f"{name}.ipynb", course / "source" / ASSIGNMENT)
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")

    questions = {}
    for name in NOTEBOOKS:
        released = (course / "release" / ASSIGNMENT / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in released
        leaked = [ln for ln in _solution_lines(name) if ln in released]
        assert not leaked, f"{name}: the student version holds solution lines {leaked}"
        assert "NotImplementedError" not in released and "____" in released
        questions[name] = sorted(_answers(name))
    assert questions == {"ex01_aigc_overview": ["q1", "q2", "q3", "q4", "q5"],
                         "ex02_math": [f"q{i}" for i in range(1, 9)]}

    for name in NOTEBOOKS:
        _submit(course, "correct", name, set(questions[name]))
        _submit(course, "blank", name, set())
    # partly wrong: in ex01, q1 left blank and q5 answered with the source document's wrong years
    _submit(course, "partly", "ex01_aigc_overview", {"q2", "q3", "q4"},
            wrong={"q5": "gan_year, vae_year = 1987, 2005\nq5.check()"})
    # … and in ex02, q1 left blank
    _submit(course, "partly", "ex02_math", set(questions["ex02_math"][1:]))
    _nbgrader(course, "autograde", ASSIGNMENT, "--create", "--force")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(ASSIGNMENT, s).score for s in ("correct", "blank", "partly")}
        max_score = gb.find_assignment(ASSIGNMENT).max_score
    print(f"nbgrader scores (max {max_score}): {scores}")
    assert max_score == 13
    assert scores == {"correct": 13, "blank": 0, "partly": 10}
