"""The ``aigc-course`` command: doctor | list | run | report | sweep | exercises | data."""

from __future__ import annotations

import argparse
import ast
import os
import sys
from pathlib import Path


def parse_value(text: str):
    """'3' -> 3, '0.5' -> 0.5, 'True' -> True, 'None' -> None, '[1, 2]' -> [1, 2]; anything else stays text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _params(pairs) -> dict:
    return {name: parse_value(value) for name, value in (pairs or [])}


def _sweep_params(pairs) -> dict:
    return {name: [parse_value(v) for v in value.split(",")] for name, value in (pairs or [])}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aigc-course", description="AIGC 课程工具 / tools of the AIGC course")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("doctor", help="check backend, versions, devices and data sets")
    d.add_argument("--strict", action="store_true", help="exit 1 when a data set is missing")

    sub.add_parser("list", help="list the chapters")

    def notebook_args(sp, sweep=False):
        sp.add_argument("notebook", help="a chapter id (04_dcgan) or a path to a .ipynb")
        sp.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help="notebook parameter" + (" (comma-separated values to sweep)" if sweep else ""))
        sp.add_argument("--profile", choices=["smoke", "standard", "full"], help="the profile to run with")
        sp.add_argument("--out", default=None, help="output folder (default: reports/<notebook>)")
        sp.add_argument("--timeout", type=int, default=None, help="seconds per cell")

    r = sub.add_parser("run", help="execute a notebook with papermill")
    notebook_args(r)
    rep = sub.add_parser("report", help="execute a notebook, write HTML and metrics.json")
    notebook_args(rep)
    rep.add_argument("--no-input", action="store_true", help="hide code cells in the HTML")
    sw = sub.add_parser("sweep", help="one report per parameter combination, plus a summary")
    notebook_args(sw, sweep=True)
    sw.add_argument("--jobs", type=int, default=1, help="reports to run in parallel")
    sw.add_argument("--no-input", action="store_true", help="hide code cells in the HTML")

    ex = sub.add_parser("exercises", help="exercise notebooks")
    exs = ex.add_subparsers(dest="action", required=True)
    b = exs.add_parser("build", help="write exercises/ from solutions/")
    b.add_argument("--check", action="store_true",
                   help="only report exercise notebooks that are stale or edited; write nothing")
    b.add_argument("--force", action="store_true",
                   help="also rewrite notebooks a learner has edited, after copying each to exercises/.backup/")
    b.add_argument("--root", default=".", help="the course root (holds solutions/ and exercises/)")

    da = sub.add_parser("data", help="data sets")
    das = da.add_subparsers(dest="action", required=True)
    f = das.add_parser("fetch", help="fetch a data set into the cache")
    f.add_argument("name", help="data set name (see `aigc-course doctor`)")
    return p


def main(argv=None) -> int:
    """Run one command; a known failure (missing data, bad argument, unknown notebook) prints its message
    on stderr and returns 2 instead of a traceback."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the output
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (FileNotFoundError, ValueError, TypeError) as exc:
        print(f"aigc-course {args.command}: error: {exc}", file=sys.stderr)
        return 2


def _dispatch(args) -> int:
    if args.command == "doctor":
        from .diagnostics import doctor

        info = doctor(verbose=True)
        return 1 if args.strict and not info.get("all_data_found", False) else 0
    if args.command == "list":
        from .config import CHAPTERS

        root = Path.cwd() / "notebooks"
        for cid, title in CHAPTERS.items():
            mark = "✔" if (root / f"{cid}.ipynb").exists() else " "
            print(f"{mark} {cid:<24} {title}")
        return 0
    if args.command in ("run", "report", "sweep"):
        from . import report

        common = dict(profile=args.profile, out=args.out, timeout=args.timeout)
        if args.command == "run":
            path = report.run_notebook(args.notebook, _params(args.parameter), **common)
            print(f"executed notebook: {path}")
        elif args.command == "report":
            result = report.make_report(args.notebook, _params(args.parameter), no_input=args.no_input, **common)
            print(f"report written to {result['out']}")
        else:
            result = report.sweep(args.notebook, _sweep_params(args.parameter), jobs=args.jobs,
                                  no_input=args.no_input, **common)
            print(f"sweep summary written to {result['out']}")
            return 1 if result.get("failed") else 0
        return 0
    if args.command == "exercises":
        from .exercises.build import build_all

        root = Path(args.root)
        report = build_all(root / "solutions", root / "exercises", check=args.check, force=args.force)
        return _print_build(report, args.check, args.force)
    if args.command == "data":
        from .data import fetch

        path = fetch(args.name)
        print(f"{args.name}: {path}")
        return 0
    return 2


def _print_build(report, check: bool, force: bool) -> int:
    """Say what ``exercises build`` did; 1 when something is stale (--check) or an edited notebook was kept."""
    for path in report.stale:
        if path in report.edited and not force:
            state = "edited" if check else "kept"
            print(f"{state}: {path} was changed by hand since it was generated (your answers are in it); "
                  f"`aigc-course exercises build --force` rewrites it after copying it to "
                  f"{path.parent / '.backup'}/")
        elif check:
            print(f"stale: {path}")
    for backup in report.backups:
        print(f"backup: {backup}")
    for path in report.written:
        print(f"written: {path}")
    if check:
        print(f"{len(report.stale)} exercise notebook(s) stale, {len(report.edited)} of them edited by hand.")
        return 1 if report.stale else 0
    kept = [p for p in report.edited if p not in report.written]
    print(f"{len(report.written)} exercise notebook(s) written, {len(kept)} edited one(s) kept.")
    return 1 if kept else 0


if __name__ == "__main__":
    sys.exit(main())
