"""Write exercises/ from solutions/: every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block becomes
a blank the learner fills in.

In a code block, each assignment ``name = …`` becomes ``name = ____`` and each ``return …`` becomes
``return ____`` (other lines are dropped); a block with neither becomes ``pass``. A markdown block becomes
a line inviting the learner's answer. The markers are nbgrader's, so teachers can import solutions/
into nbgrader as well.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_ASSIGN = re.compile(r"^(\s*)([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?::[^=]+)?=(?!=)")
_RETURN = re.compile(r"^(\s*)return\b")
MARKDOWN_BLANK = "（在这里写下你的答案）"


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


def build_notebook(nb: dict, where: str = "") -> dict:
    """Return the exercise version of a solution notebook (outputs cleared)."""
    out = json.loads(json.dumps(nb))
    for k, cell in enumerate(out.get("cells", [])):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        cell["source"] = blank_source(src, cell.get("cell_type", "code"), f"{where} cell {k}")
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return out


def exercise_name(solution_path: Path) -> str:
    return solution_path.name


def build_all(solutions_dir: str | Path = "solutions", exercises_dir: str | Path = "exercises",
              check: bool = False) -> list[Path]:
    """Write (or with ``check=True`` only compare) every exercise notebook.

    Returns the exercise paths that differ from what solutions/ gives (all written unless ``check``).
    """
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    if not solutions_dir.is_dir():
        raise FileNotFoundError(f"No solutions folder at {solutions_dir.resolve()}; run from the course root.")
    exercises_dir.mkdir(exist_ok=True)
    stale = []
    for sol in sorted(solutions_dir.glob("ex*.ipynb")):
        nb = json.loads(sol.read_text(encoding="utf-8"))
        text = json.dumps(build_notebook(nb, str(sol)), ensure_ascii=False, indent=1) + "\n"
        target = exercises_dir / exercise_name(sol)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(target)
            if not check:
                target.write_text(text, encoding="utf-8")
    return stale
