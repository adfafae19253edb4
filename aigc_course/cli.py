"""The ``aigc-course`` command: doctor | list | run | report | sweep | exercises | data."""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import sys
import threading
from pathlib import Path


def parse_value(text: str):
    """'3' -> 3, '0.5' -> 0.5, 'True' -> True, 'None' -> None, '[1, 2]' -> [1, 2]; a JSON list or object
    ('[true, null]') is read as JSON; anything else stays text ('adam', 'false')."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    if text.strip().startswith(("[", "{")):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _no_twice(pairs, how: str) -> None:
    seen = {}
    for name, value in pairs or []:
        if name in seen:
            raise ValueError(f"-p {name} is given twice ({seen[name]!r} and {value!r}); {how}")
        seen[name] = value


def _params(pairs) -> dict:
    _no_twice(pairs, "give it once")
    return {name: parse_value(value) for name, value in (pairs or [])}


def sweep_values(name: str, text: str) -> list:
    """The values of one swept parameter: 'a,b,c' (comma-separated) or a JSON list ('[[64,32],[128]]' is
    two values). Empty values are an error."""
    how = (f"give comma-separated values (-p {name} 1,2) or a JSON list of values (-p {name} '[1, 2]'; "
           f"list-valued: -p {name} '[[64, 32], [128]]')")
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"-p {name} has no value; {how}")
    if stripped.startswith("["):
        values = parse_value(stripped)
        if not isinstance(values, list):
            raise ValueError(f"-p {name} {text!r} is not a valid JSON list; {how}")
        if not values:
            raise ValueError(f"-p {name} {text!r} is an empty list; {how}")
        return values
    parts = [part.strip() for part in text.split(",")]
    if any(not part for part in parts):
        raise ValueError(f"-p {name} {text!r} has an empty value between commas; {how}")
    return [parse_value(part) for part in parts]


def _sweep_params(pairs) -> dict:
    _no_twice(pairs, "give all its values in one -p, separated by commas")
    return {name: sweep_values(name, value) for name, value in (pairs or [])}


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aigc-course", description="AIGC 课程工具 / tools of the AIGC course")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("doctor", help="check backend, versions, devices and data sets")
    d.add_argument("--strict", action="store_true", help="exit 1 when a data set is missing")

    sub.add_parser("list", help="list the chapters")

    def notebook_args(sp, sweep=False):
        sp.add_argument("notebook", help="a chapter id (04_dcgan) or a path to a .ipynb")
        sp.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help=("parameter to sweep: comma-separated values (-p epochs 2,4) or a JSON list "
                              "(-p dense_hidden '[[64,32],[128]]' is two values)" if sweep else
                              "notebook parameter, a Python literal (3, 0.5, True, None, [64, 32]) or text"))
        sp.add_argument("--profile", choices=["smoke", "standard", "full"], help="the profile to run with")
        default = "reports/<notebook name>_sweep" if sweep else "reports/<notebook name>"
        sp.add_argument("--out", default=None,
                        help=f"output folder (default: {default}, under the current folder); an earlier "
                             f"{'sweep' if sweep else 'report'} there is moved to previous-<time>/")
        sp.add_argument("--timeout", type=float, default=None, help="seconds per cell (default: no limit)")
        sp.add_argument("--verbose", action="store_true",
                        help="show the full traceback, the kernel's own output and TensorFlow's log lines")

    r = sub.add_parser("run", help="execute a notebook with papermill")
    notebook_args(r)
    rep = sub.add_parser("report", help="execute a notebook, write HTML and metrics.json")
    notebook_args(rep)
    rep.add_argument("--no-input", action="store_true", help="hide code cells in the HTML")
    sw = sub.add_parser("sweep", help="one report per parameter combination, plus a summary")
    notebook_args(sw, sweep=True)
    sw.add_argument("--jobs", type=int, default=1, help="reports to run in parallel on this machine")
    sw.add_argument("--no-input", action="store_true", help="hide code cells in the HTML")
    sw.add_argument("--resume", action="store_true",
                    help="keep the runs of an earlier sweep in --out whose metrics.json says ok; run the rest")
    sw.add_argument("--cluster", default=None, metavar="ADDRESS",
                    help="run on a Dask cluster: local, local:N (N workers) or tcp://HOST:PORT")

    ex = sub.add_parser("exercises", help="exercise notebooks")
    exs = ex.add_subparsers(dest="action", required=True)
    b = exs.add_parser("build", help="write exercises/ from solutions/")
    b.add_argument("--check", action="store_true",
                   help="only report exercise notebooks that are stale or edited; write nothing")
    b.add_argument("--force", action="store_true",
                   help="also rewrite notebooks a learner has edited, after copying each to exercises/.backup/")
    b.add_argument("--root", default=".", help="the course root (holds solutions/ and exercises/)")

    from .course_report import add_parser as add_course_report

    add_course_report(sub)

    da = sub.add_parser("data", help="data sets")
    das = da.add_subparsers(dest="action", required=True)
    f = das.add_parser("fetch", help="fetch a data set into the cache")
    f.add_argument("name", help="data set name (see `aigc-course doctor`)")
    f.add_argument("--from", dest="from_file", metavar="FILE", default=None,
                   help="unpack a local copy of the download instead (tang-full: chinese-poetry-2.0.1.tgz from "
                        "`npm pack chinese-poetry@2.0.1`), for machines without network")
    return p


def main(argv=None) -> int:
    """Run one command. A known failure prints one line on stderr: bad input (missing data, a bad
    argument or parameter, an unknown notebook) returns 2, a notebook that failed returns 1, Ctrl-C 130."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's start-up chatter out of the output
    args = build_parser().parse_args(argv)
    prefix = f"aigc-course {args.command}"
    from .report import NotebookFailed, SweepInterrupted

    try:
        with _filtered_stderr(enabled=not getattr(args, "verbose", False)):
            return _dispatch(args)
    except NotebookFailed as exc:
        hint = "" if getattr(args, "verbose", False) else " (--verbose shows the traceback)"
        print(f"{prefix}: failed: {exc}{hint}", file=sys.stderr)
        if getattr(args, "verbose", False) and exc.details:
            print(exc.details, file=sys.stderr)
        return 1
    except SweepInterrupted as exc:
        result = exc.result
        print(_sweep_text(result), flush=True)
        print(f"{prefix}: interrupted: summary of the {len(result['rows'])} finished run(s) written to "
              f"{result['out']}; rerun with --resume to finish the sweep", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError) as exc:  # FileNotFoundError and PermissionError are OSErrors
        print(f"{prefix}: error: {exc}", file=sys.stderr)
        return 2


@contextlib.contextmanager
def _filtered_stderr(enabled: bool = True):
    """Pass everything written to file descriptor 2 (by Python, C++ libraries and child processes) through
    :func:`aigc_course.report.strip_startup_noise`, line by line, while the block runs: TensorFlow's and
    absl's start-up lines (oneDNN, cuInit, cudart) are logged by C++ before TF_CPP_MIN_LOG_LEVEL applies."""
    try:
        usable = enabled and sys.stderr.fileno() == 2
    except (AttributeError, ValueError, io.UnsupportedOperation):  # stderr replaced (pytest's capsys)
        usable = False
    if not usable:
        yield
        return
    from .report import strip_startup_noise

    sys.stderr.flush()
    saved = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def pump():
        with os.fdopen(read_end, "rb") as source:
            for line in source:
                if strip_startup_noise(line.decode("utf-8", "replace")):
                    os.write(saved, line)

    thread = threading.Thread(target=pump, name="aigc-stderr-filter", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last writer in this process closes: the pump sees the end
        thread.join(timeout=10)
        os.close(saved)


def _sweep_text(result) -> str:
    from .report import status_table

    lines = [f"duplicate values of {name} dropped: {', '.join(map(repr, values))}"
             for name, values in result.get("dropped", {}).items()]
    lines.append(status_table(result))
    return "\n".join(line for line in lines if line)


def _dispatch(args) -> int:
    if args.command == "doctor":
        from .diagnostics import doctor

        info = doctor(verbose=True)
        return 1 if args.strict and not info.get("all_data_found", False) else 0
    if args.command == "list":
        from .config import CHAPTERS
        from .report import resolve_notebook

        for cid, title in CHAPTERS.items():
            try:
                found = resolve_notebook(cid).is_file()
            except ValueError:
                found = False
            print(f"{'✔' if found else ' '} {cid:<24} {title}")
        return 0
    if args.command in ("run", "report", "sweep"):
        from . import report

        common = dict(profile=args.profile, out=args.out, timeout=args.timeout, verbose=args.verbose)
        if args.command == "run":
            path = report.run_notebook(args.notebook, _params(args.parameter), progress=_progress, **common)
            print(f"executed notebook: {path}")
        elif args.command == "report":
            result = report.make_report(args.notebook, _params(args.parameter), no_input=args.no_input,
                                        progress=_progress, **common)
            if result["previous"] is not None:
                print(f"the earlier report was moved to {result['previous']}")
            print(f"report written to {result['out']}")
        else:
            grid = _sweep_params(args.parameter)
            if not grid:
                raise ValueError("sweep needs at least one -p NAME VALUES (e.g. -p epochs 2,4); "
                                 "for a single run use `aigc-course report`")
            result = report.sweep(args.notebook, grid, jobs=args.jobs, no_input=args.no_input,
                                  resume=args.resume, cluster=args.cluster, progress=_progress, **common)
            print(_sweep_text(result))
            if result["previous"] is not None:
                print(f"the earlier sweep was moved to {result['previous']}")
            print(f"sweep summary written to {result['out']}")
            return 1 if result["failed"] else 0
        return 0
    if args.command == "exercises":
        from .exercises.build import build_all

        root = Path(args.root)
        report = build_all(root / "solutions", root / "exercises", check=args.check, force=args.force)
        return _print_build(report, args.check, args.force)
    if args.command == "course-report":
        from . import course_report

        return course_report.main(args)
    if args.command == "data":
        from .data import fetch

        path = fetch(args.name, from_file=args.from_file)
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
