"""Write exercises/ from solutions/: every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block becomes
a blank the learner fills in.

In a code block, each assignment ``name = …`` becomes ``name = ____`` and each ``return …`` becomes
``return ____`` (other lines are dropped); a block with neither becomes ``pass``. A markdown block becomes
a line inviting the learner's answer.

Each exercise notebook also carries nbgrader's cell metadata, so a teacher can put it into an nbgrader
course as the source of an assignment and run ``nbgrader generate_assignment`` / ``nbgrader autograde``
unchanged: instruction cells are read-only, and after each answer cell (the one that calls ``qN.check()``)
comes a read-only autograded test cell worth ``POINTS`` points that calls ``grade(qN)``. Answer cells
carry no nbgrader metadata on purpose: nbgrader replaces the whole source of a solution cell that has no
solution markers with ``raise NotImplementedError()``, which would take the ``____`` blanks and the
``qN.check()`` feedback away from the student version.

A learner types into the exercise notebooks, so a rebuild never overwrites one whose cells differ from
what the previous build wrote (recorded as a hash in the notebook's metadata): it reports it and leaves
it, unless ``force``, which first copies it to ``exercises/.backup/``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .._io import atomic_write_text

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_ASSIGN = re.compile(r"^(\s*)([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?::[^=]+)?=(?!=)")
_RETURN = re.compile(r"^(\s*)return\b")
_CHECK = re.compile(r"\b(q\d+)\.check\(")
MARKDOWN_BLANK = "（在这里写下你的答案）"
POINTS = 1
BACKUP_DIR = ".backup"
STAMP_KEY = "aigc_course"
GRADE_SOURCE = ("# 评分单元（nbgrader 自动评分用，只读）：平时运行它什么也不显示；"
                "教师用 nbgrader autograde 评分时，{q} 答对得 {points} 分。\n"
                "from aigc_course.exercises.grading import grade\n\n"
                "grade({q})")


class SolutionMarkerError(ValueError):
    pass


def _blank_block(block: list[str], indent: str) -> list[str]:
    out = [f"{indent}# 你的代码：把 ____ 换成答案\n"]
    body_indent = None
    for line in block:
        if not line.strip():
            continue
        lead = line[: len(line) - len(line.lstrip())]
        if body_indent is None:
            body_indent = lead
        if lead != body_indent:
            continue
        m = _ASSIGN.match(line)
        if m:
            names = [n.strip() for n in m.group(2).split(",")]
            rhs = ", ".join("____" for _ in names)
            out.append(f"{lead}{', '.join(names)} = {rhs}\n")
            continue
        if _RETURN.match(line):
            out.append(f"{lead}return ____\n")
    if len(out) == 1:
        out.append(f"{indent}pass\n")
    return out


def blank_source(source: str, cell_type: str = "code", where: str = "") -> str:
    """Replace each solution block in one cell's source."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            j = i + 1
            while j < len(lines) and lines[j].strip() != END:
                if lines[j].strip() == BEGIN:
                    raise SolutionMarkerError(f"{where}: nested {BEGIN}")
                j += 1
            if j == len(lines):
                raise SolutionMarkerError(f"{where}: {BEGIN} without {END}")
            block = lines[i + 1: j]
            if cell_type == "code":
                out.extend(_blank_block(block, indent))
            else:
                out.append(MARKDOWN_BLANK + "\n")
            i = j + 1
            continue
        if line.strip() == END:
            raise SolutionMarkerError(f"{where}: {END} without {BEGIN}")
        out.append(line)
        i += 1
    text = "".join(out)
    if source.endswith("\n") is False and text.endswith("\n"):
        text = text[:-1]
    return text


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _nbgrader(grade_id: str, *, locked: bool = True, points: int | None = None) -> dict:
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": False, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def sources_hash(nb: dict) -> str:
    """A hash of what a learner can change: the cells' types and sources, in order (outputs, execution
    counts and metadata are left out: running a notebook is not editing it)."""
    cells = [(c.get("cell_type", ""), _source(c)) for c in nb.get("cells", [])]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()


def build_notebook(nb: dict, where: str = "") -> dict:
    """Return the exercise version of a solution notebook: answers blanked, outputs cleared, stable cell
    ids, nbgrader metadata (read-only instructions, one autograded test cell after each answer cell) and
    a stamp of its sources in ``metadata["aigc_course"]``."""
    out = json.loads(json.dumps(nb))
    cells = []
    for k, cell in enumerate(out.get("cells", [])):
        src = _source(cell)
        kind = cell.get("cell_type", "code")
        cell["source"] = blank_source(src, kind, f"{where} cell {k}")
        cell["id"] = cell.get("id") or f"cell-{k:02d}"
        meta = cell.setdefault("metadata", {})
        meta.pop("nbgrader", None)
        if kind == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        is_answer = BEGIN in src
        is_parameters = "parameters" in meta.get("tags", [])
        if not is_answer and not is_parameters:
            meta["nbgrader"] = _nbgrader(cell["id"])
        cells.append(cell)
        if is_answer:
            for q in dict.fromkeys(_CHECK.findall(src)):
                grade_id = f"grade-{q}"
                cells.append({"cell_type": "code", "execution_count": None, "id": grade_id,
                              "metadata": {"nbgrader": _nbgrader(grade_id, points=POINTS)}, "outputs": [],
                              "source": GRADE_SOURCE.format(q=q, points=POINTS)})
    out["cells"] = cells
    out["nbformat"], out["nbformat_minor"] = 4, max(5, int(out.get("nbformat_minor", 5)))
    out.setdefault("metadata", {})[STAMP_KEY] = {"generated_from": where, "sources_sha256": sources_hash(out)}
    return out


def exercise_name(solution_path: Path) -> str:
    return solution_path.name


def _text(nb: dict) -> str:
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def is_edited(target: Path, new: dict) -> bool:
    """True when the notebook at ``target`` holds cells that no build wrote: its cells differ both from
    the stamp the previous build left in it and from the new build ``new`` (so a notebook that was only
    run, or that predates the stamp but matches the new build, is not counted as edited)."""
    try:
        current = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return True  # not a notebook we wrote: keep it
    if not isinstance(current, dict):
        return True
    have = sources_hash(current)
    stamp = current.get("metadata", {}).get(STAMP_KEY)
    if isinstance(stamp, dict):
        return have not in (stamp.get("sources_sha256"), sources_hash(new))
    # written before builds left a stamp (and before the nbgrader test cells): compare without those
    untested = {**new, "cells": [c for c in new["cells"] if not c["id"].startswith("grade-")]}
    return have not in (sources_hash(new), sources_hash(untested))


def backup_path(target: Path, stamp: str | None = None) -> Path:
    """Where ``--force`` copies an edited notebook: exercises/.backup/<name>-<YYYYmmdd-HHMMSS>.ipynb
    (a hidden folder, so neither the course's tests nor nbval pick it up)."""
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    folder = target.parent / BACKUP_DIR
    path = folder / f"{target.stem}-{stamp}{target.suffix}"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{target.stem}-{stamp}-{n}{target.suffix}"
    return path


@dataclass
class BuildReport:
    """What ``build_all`` found. ``stale``: exercise notebooks that differ from what solutions/ gives
    (written, unless ``check`` or edited); ``edited``: those a learner changed since they were generated
    (kept, unless ``force``); ``backups``: the copies ``force`` made; ``written``: the files written."""
    stale: list[Path] = field(default_factory=list)
    edited: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def build_all(solutions_dir: str | Path = "solutions", exercises_dir: str | Path = "exercises",
              check: bool = False, force: bool = False) -> BuildReport:
    """Write (or with ``check=True`` only compare, creating nothing) every exercise notebook.

    A notebook a learner has edited is left as it is and listed in ``edited``; with ``force`` it is first
    copied to ``exercises/.backup/`` and then rewritten.
    """
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    if not solutions_dir.is_dir():
        raise FileNotFoundError(f"No solutions folder at {solutions_dir.resolve()}; run from the course root "
                                f"or pass --root.")
    if exercises_dir.exists() and not exercises_dir.is_dir():
        raise ValueError(f"{exercises_dir} is a file, expected the exercises folder; move it away.")
    report = BuildReport()
    for sol in sorted(solutions_dir.glob("ex*.ipynb")):
        try:
            nb = json.loads(sol.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{sol} is not valid notebook JSON ({exc}); fix or restore that file.") from None
        rel = f"{solutions_dir.name}/{sol.name}"
        new = build_notebook(nb, rel)
        text = _text(new)
        target = exercises_dir / exercise_name(sol)
        if target.exists() and target.read_text(encoding="utf-8", errors="replace") == text:
            continue
        report.stale.append(target)
        edited = target.exists() and is_edited(target, new)
        if edited:
            report.edited.append(target)
        if check or (edited and not force):
            continue
        exercises_dir.mkdir(parents=True, exist_ok=True)
        if edited:
            backup = backup_path(target)
            backup.parent.mkdir(exist_ok=True)
            shutil.copy2(target, backup)
            report.backups.append(backup)
        atomic_write_text(target, text)
        report.written.append(target)
    return report
