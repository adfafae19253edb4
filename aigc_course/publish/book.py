"""``make book``: the whole course as a static website, built offline with Sphinx and MyST-NB from the
notebooks executed at one profile.

The build stages its sources under ``OUT/src`` (an index page, notebooks/, exercises/ and, for a
teacher's build, solutions/), executes each notebook with ``AIGC_PROFILE=<profile>`` through MyST-NB's
cache (``OUT/cache/<profile>``: keyed on the code cells, so a prose edit does not re-execute anything),
and writes the site to ``OUT/html`` (open ``OUT/html/index.html``). Mathematics is typeset by the
bundled MathJax 3, Mermaid diagrams by the bundled Mermaid (see ``assets``), and search splits Chinese
into words with jieba.

    python -m aigc_course.publish.book --profile smoke --out _build/book [--solutions]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import assets

CONF_DIR = Path(__file__).with_name("sphinx")
PROFILES = ("smoke", "standard", "full")
INDEX = """\
# AIGC 课程：生成式人工智能实战（Keras 3）

这是课程的网页版：每一章都是一本笔记本，在 `{profile}` 档位下执行后生成本书，图、数字和输出都来自那次运行。
想自己运行、拖动滑块、做练习，请在 JupyterLab 里打开仓库中的笔记本（见仓库的 README）。

```{{toctree}}
:caption: 章节
:maxdepth: 1

{chapters}
```

```{{toctree}}
:caption: 练习
:maxdepth: 1

{exercises}
```
{solutions}"""
SOLUTIONS = """
```{{toctree}}
:caption: 参考答案（教师版）
:maxdepth: 1

{entries}
```
"""


def _sync(sources: list[Path], folder: Path) -> list[str]:
    """Copy ``sources`` into ``folder`` (a file whose bytes did not change is left, so Sphinx rebuilds
    only what changed), remove the files no longer there; return the document names."""
    folder.mkdir(parents=True, exist_ok=True)
    keep = {p.name for p in sources}
    for old in folder.glob("*.ipynb"):
        if old.name not in keep:
            old.unlink()
    for src in sources:
        dst = folder / src.name
        if not dst.is_file() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
    return [f"{folder.name}/{p.stem}" for p in sources]


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def stage(root: Path, out: Path, profile: str, solutions: bool = False) -> Path:
    """Lay out the Sphinx sources under ``out/src``; return that folder."""
    src = out / "src"
    chapters = _sync(sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")), src / "notebooks")
    # the chapters' own files (chapter 10 reads notebooks/sweeps/): only the top-level notebooks are pages
    for sub in sorted(p for p in (root / "notebooks").iterdir() if p.is_dir() and not p.name.startswith(".")):
        shutil.copytree(sub, src / "notebooks" / sub.name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if not chapters:
        raise FileNotFoundError(f"No chapter notebooks in {root / 'notebooks'}; run from the course root "
                                f"or pass --root.")
    exercises = _sync(sorted((root / "exercises").glob("ex*.ipynb")), src / "exercises")
    solved = _sync(sorted((root / "solutions").glob("ex*.ipynb")) if solutions else [], src / "solutions")
    extra = SOLUTIONS.format(entries="\n".join(solved)) if solved else ""
    _write_if_changed(src / "index.md", INDEX.format(profile=profile, chapters="\n".join(chapters),
                                                     exercises="\n".join(exercises), solutions=extra))
    static = out / "static"
    static.mkdir(parents=True, exist_ok=True)
    for key in assets.ASSETS:
        path = assets.asset_path(key)
        if not (static / path.name).is_file() or (static / path.name).read_bytes() != path.read_bytes():
            shutil.copyfile(path, static / path.name)
    return src


def build_book(root: str | Path = ".", out: str | Path = "_build/book", profile: str = "standard",
               solutions: bool = False, jobs: int = 1, quiet: bool = True) -> Path:
    """Build the book; return the folder of the site (``out/html``). Raises RuntimeError with Sphinx's
    output when the build (for example a notebook's execution) fails."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    root, out = Path(root).resolve(), Path(out).resolve()
    src = stage(root, out, profile, solutions)
    html = out / "html"
    env = {**os.environ, "AIGC_PROFILE": profile, "AIGC_BOOK_CACHE": str(out / "cache" / profile),
           "AIGC_BOOK_STATIC": str(out / "static"), "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONPATH": os.pathsep.join(p for p in [str(root), os.environ.get("PYTHONPATH", "")] if p)}
    env.pop("AIGC_STRICT_CHECKS", None)
    env.pop("MPLBACKEND", None)  # the kernels' inline backend puts the figures into the notebooks
    # A new profile (or solutions toggled) changes every page: start the HTML afresh.
    stamp = out / "html.profile"
    wanted = f"{profile} solutions={solutions}"
    if stamp.is_file() and stamp.read_text() != wanted:
        shutil.rmtree(html, ignore_errors=True)
        shutil.rmtree(out / "doctrees", ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(CONF_DIR), "-d", str(out / "doctrees"),
           "-j", str(jobs), str(src), str(html)]
    if quiet:
        cmd.insert(3, "-q")
    done = subprocess.run(cmd, env=env, cwd=root, capture_output=quiet, text=True)
    if done.returncode != 0:
        detail = ((done.stdout or "") + (done.stderr or ""))[-6000:] if quiet else ""
        raise RuntimeError(f"the book did not build (sphinx exit {done.returncode}).\n{detail}")
    stamp.write_text(wanted)
    return html


def pages(html: Path) -> list[Path]:
    """The course's pages in a built book (chapters, exercises, solutions and the index)."""
    return sorted([html / "index.html"] + [p for d in ("notebooks", "exercises", "solutions")
                                           for p in (html / d).glob("*.html")])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m aigc_course.publish.book", description="build the course book")
    p.add_argument("--profile", default=os.environ.get("BOOK_PROFILE") or "standard", choices=PROFILES)
    p.add_argument("--out", default="_build/book", help="output folder (the site goes to OUT/html)")
    p.add_argument("--root", default=".", help="the course root (holds notebooks/, exercises/, solutions/)")
    p.add_argument("--solutions", action="store_true", help="teacher's build: include the reference solutions")
    p.add_argument("--jobs", type=int, default=1, help="Sphinx processes (each executes notebooks)")
    p.add_argument("--verbose", action="store_true", help="show Sphinx's output")
    args = p.parse_args(argv)
    start = time.perf_counter()
    try:
        html = build_book(args.root, args.out, args.profile, args.solutions, args.jobs, quiet=not args.verbose)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"book: error: {exc}", file=sys.stderr)
        return 1
    n = len(pages(html))
    print(f"book: {n} pages at profile {args.profile} in {time.perf_counter() - start:.0f} s; "
          f"open {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
