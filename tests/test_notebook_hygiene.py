"""Every notebook: committed clean, parameterisable, and (for chapters) with the fixed closing sections."""

import json
from pathlib import Path

import pytest

from aigc_course.config import CHAPTERS
from aigc_course.exercises.build import build_all

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_NBS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISE_NBS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))
ALL_NBS = CHAPTER_NBS + EXERCISE_NBS


def _load(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb.get("nbformat") == 4, f"{path.name}: not an nbformat-4 notebook"
    for c in nb["cells"]:
        if isinstance(c["source"], list):
            c["source"] = "".join(c["source"])
    return nb


def test_there_are_notebooks():
    assert (ROOT / "notebooks" / "00_setup.ipynb").exists()
    assert CHAPTER_NBS and EXERCISE_NBS


@pytest.mark.parametrize("path", ALL_NBS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_clean_and_parameterised(path):
    nb = _load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    dirty = [i for i, c in enumerate(code) if c.get("outputs") or c.get("execution_count") is not None]
    assert not dirty, f"{path.name}: code cells {dirty} hold outputs or execution counts; clear them"
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, f"{path.name}: expected exactly one code cell tagged 'parameters', found {len(params)}"
    first = params[0]["source"].splitlines()[0].strip()
    assert first == 'profile = "standard"', f"{path.name}: the parameters cell must start with profile = \"standard\""
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernel must be python3"


@pytest.mark.parametrize("path", CHAPTER_NBS, ids=lambda p: p.name)
def test_chapter_structure(path):
    assert path.stem in CHAPTERS, f"{path.name} is not a chapter listed in aigc_course.config.CHAPTERS"
    nb = _load(path)
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown" and cells[0]["source"].startswith("# "), \
        f"{path.name}: the first cell must be the title (a markdown '# ' heading)"
    heads = [line.strip() for c in cells if c["cell_type"] == "markdown" for line in c["source"].splitlines()]
    if path.stem != "00_setup":
        assert "## 小结" in heads and "## 练习" in heads, f"{path.name}: needs '## 小结' and '## 练习' sections"
        assert heads.index("## 小结") < heads.index("## 练习"), f"{path.name}: 小结 must come before 练习"
    last = cells[-1]
    assert last["cell_type"] == "code", f"{path.name}: the last cell must be the self-check code cell"
    assert "assert" in last["source"] and "record(" in last["source"], \
        f"{path.name}: the last cell must assert the profile's bar and record its metrics"


@pytest.mark.parametrize("path", EXERCISE_NBS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_exercise_names_match_chapters(path):
    stem = path.stem
    assert stem.startswith("ex") and stem[2:] in CHAPTERS, f"{path.name}: expected exNN_<chapter id>.ipynb"


def test_exercises_are_built_from_solutions():
    stale = build_all(ROOT / "solutions", ROOT / "exercises", check=True).stale
    assert not stale, f"exercise notebooks out of date: {[p.name for p in stale]}; run `aigc-course exercises build`"
    assert sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))
    for p in (ROOT / "exercises").glob("*.ipynb"):
        assert "### BEGIN SOLUTION" not in p.read_text(encoding="utf-8"), f"{p.name} still holds a solution"
