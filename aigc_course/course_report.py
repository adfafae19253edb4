"""``aigc-course course-report``: every chapter run as a report (locally or on a Dask cluster) and one
index page linking the chapter reports with their key metrics: a teacher's "run the whole course for my
class" command.

    aigc-course course-report --profile standard --out reports/course --cluster local:2

Writes out/<chapter>/ (executed notebook, HTML, metrics.json) for every chapter that has a notebook, and
out/index.html, out/index.csv, out/index.json. Resumable: with ``--resume`` a chapter whose metrics.json
says ok is not run again.
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

KEY_METRICS: dict[str, tuple[str, ...]] = {
    "00_setup": ("backend", "all_data_found"),
    "01_aigc_overview": ("classifier_accuracy", "vae_loss_last", "coverage_distance"),
    "02_math": ("errata_checked", "elbo_identity_error", "kl_mc_rel_error"),
    "03_gan_basics": ("ring_modes_collapsed", "ring_modes_mitigated", "mlp_d_loss"),
    "04_dcgan": ("fid", "confidence_ratio", "class_share_min", "class_share_max", "train_seconds"),
    "05_conditional_wgan": ("class_accuracy", "classifier_accuracy_real"),
    "06_vae": ("test_neg_elbo_nats", "test_recon_nats", "test_kl_nats"),
    "07_attention": ("copy_accuracy", "causal_leak"),
    "08_gpt_poetry": ("perplexity_finetuned", "form_score_finetuned", "seconds_per_poem"),
    "09_audio": ("clear_pitch_share", "final_train_loss"),
    "10_evaluation": ("best_fid_over_real", "best_confidence_ratio", "copy_share", "wall_minutes"),
    "11_diffusion": ("fid", "train_seconds"),
    "12_applications_ethics": ("detector_accuracy", "watermark_bit_accuracy"),
}
"""The metrics each chapter's index row shows (those it recorded); a chapter not listed shows its first few
scalar metrics."""


def chapter_jobs(profile: str | None, out: Path, chapters=None, timeout: float | None = None,
                 no_input: bool = False) -> tuple[list[dict], list[str]]:
    """One report job per chapter that has a notebook, and the ids of the chapters that have none."""
    from .config import CHAPTERS
    from .report import resolve_notebook

    ids = list(CHAPTERS) if chapters is None else list(chapters)
    unknown = [c for c in ids if c not in CHAPTERS]
    if unknown:
        raise ValueError(f"unknown chapter(s) {', '.join(unknown)}: choose from {', '.join(CHAPTERS)}")
    jobs, missing = [], []
    for cid in ids:
        try:
            path = resolve_notebook(cid)
        except ValueError:
            missing.append(cid)
            continue
        jobs.append({"notebook": str(path), "params": {}, "profile": profile, "out": str((out / cid).resolve()),
                     "timeout": timeout, "no_input": no_input})
    return jobs, missing


def _scalar(value) -> bool:
    return isinstance(value, (int, float, str, bool)) and not (isinstance(value, str) and len(value) > 40)


def key_metrics(chapter: str, row: dict) -> dict:
    """The chapter's key metrics found in its row (see KEY_METRICS), else its first four scalar metrics."""
    fixed = {"run", "status", "wall_time_s", "error", "attempts"}
    wanted = [k for k in KEY_METRICS.get(chapter, ()) if k in row]
    if not wanted:
        wanted = [k for k, v in row.items() if k not in fixed and _scalar(v)][:4]
    return {k: row[k] for k in wanted}


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def write_index(out: Path, profile: str | None, rows: list[dict], missing: list[str]) -> dict:
    """out/index.html (a table: chapter, title, status, minutes, key metrics, link to the report),
    out/index.csv and out/index.json. Returns the index entries."""
    from .config import CHAPTERS

    entries = []
    for row in rows:
        cid = row["run"]
        report_html = Path(out) / cid / f"{cid}.html"
        entries.append({"chapter": cid, "title": CHAPTERS.get(cid, ""), "status": row["status"],
                        "wall_time_s": row.get("wall_time_s"), "error": row.get("error"),
                        "key_metrics": key_metrics(cid, row),
                        "report": f"{cid}/{cid}.html" if report_html.is_file() else None})
    for cid in missing:
        entries.append({"chapter": cid, "title": CHAPTERS.get(cid, ""), "status": "no notebook",
                        "wall_time_s": None, "error": None, "key_metrics": {}, "report": None})
    entries.sort(key=lambda e: list(CHAPTERS).index(e["chapter"]) if e["chapter"] in CHAPTERS else 99)
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.json").write_text(json.dumps({"profile": profile, "chapters": entries}, ensure_ascii=False,
                                               indent=2), encoding="utf-8")
    import csv

    with open(out / "index.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["chapter", "title", "status", "wall_time_s", "key_metrics", "report", "error"])
        for e in entries:
            w.writerow([e["chapter"], e["title"], e["status"], e["wall_time_s"],
                        "; ".join(f"{k}={_fmt(v)}" for k, v in e["key_metrics"].items()), e["report"] or "",
                        e["error"] or ""])
    body = []
    for e in entries:
        name = html.escape(f"{e['chapter']} {e['title']}")
        link = f'<a href="{html.escape(e["report"])}">{name}</a>' if e["report"] else name
        minutes = "" if e["wall_time_s"] is None else f"{e['wall_time_s'] / 60:.1f}"
        metrics = "<br>".join(f"{html.escape(k)} = {html.escape(_fmt(v))}" for k, v in e["key_metrics"].items())
        status = html.escape(e["status"]) + (f"<br><small>{html.escape(e['error'])}</small>" if e["error"] else "")
        cls = "ok" if e["status"] == "ok" else "bad"
        body.append(f'<tr class="{cls}"><td>{link}</td><td>{status}</td><td>{minutes}</td><td>{metrics}</td></tr>')
    n_ok = sum(e["status"] == "ok" for e in entries)
    page = ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>课程报告</title>\n"
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}tr.bad td{background:#fee}"
            "</style></head><body>\n"
            f"<h1>课程报告（档位：{html.escape(str(profile or '默认'))}）</h1>\n"
            f"<p>{n_ok} / {len(entries)} 章运行成功。点击章节名打开该章的报告。</p>\n"
            "<table><tr><th>章节</th><th>状态</th><th>分钟</th><th>关键指标</th></tr>\n"
            + "\n".join(body) + "\n</table>\n</body></html>\n")
    (out / "index.html").write_text(page, encoding="utf-8")
    return {"entries": entries}


def _default_run_job():
    from . import report

    # report.run_job (job -> row, each run in its own process) is the sweep's runner; older report
    # modules name it _launch.
    return getattr(report, "run_job", None) or getattr(report, "_launch")


def course_report(profile: str | None = None, out="reports/course", cluster=None, jobs: int = 1,
                  timeout: float | None = None, no_input: bool = False, resume: bool = False,
                  chapters=None, run_job=None) -> dict:
    """Run every chapter (or ``chapters``) as a report into out/<chapter>/ and write the index page.
    ``cluster``: None (local processes, ``jobs`` at a time), "local[:N]" or "tcp://HOST:PORT" (see
    aigc_course.cluster). Returns {"out", "rows", "failed", "missing"}."""
    from .cluster import parse_cluster, run_jobs
    from .report import _check_profile, _check_timeout

    _check_profile(profile)
    _check_timeout(timeout)
    parse_cluster(cluster)
    out = Path(out)
    job_list, missing = chapter_jobs(profile, out, chapters, timeout, no_input)
    rows = run_jobs(job_list, cluster, run_job or _default_run_job(), jobs=jobs, resume=resume) if job_list else []
    write_index(out, profile, rows, missing)
    return {"out": out, "rows": rows, "failed": [r for r in rows if r["status"] != "ok"], "missing": missing}


def add_parser(subparsers):
    """Add ``course-report`` to the ``aigc-course`` command's subparsers; returns the parser."""
    p = subparsers.add_parser("course-report", help="run every chapter as a report, plus an index page")
    p.add_argument("--profile", choices=["smoke", "standard", "full"], help="the profile to run with")
    p.add_argument("--out", default="reports/course", help="output folder (default: reports/course)")
    p.add_argument("--cluster", default=None, help="local, local:N or tcp://HOST:PORT (default: local processes)")
    p.add_argument("--jobs", type=int, default=1, help="chapters at a time without --cluster")
    p.add_argument("--timeout", type=int, default=None, help="seconds per cell")
    p.add_argument("--chapter", action="append", default=None, help="only this chapter (repeatable)")
    p.add_argument("--no-input", action="store_true", help="hide code cells in the HTML")
    p.add_argument("--resume", action="store_true", help="skip chapters whose report already says ok")
    return p


def main(args) -> int:
    """Run ``course-report`` from parsed arguments; 0 when every chapter ran, 1 when one failed."""
    result = course_report(profile=args.profile, out=args.out, cluster=args.cluster, jobs=args.jobs,
                           timeout=args.timeout, no_input=args.no_input, resume=args.resume, chapters=args.chapter)
    for row in result["rows"]:
        print(f"{row['run']:<24} {row['status']:<7} {row.get('error') or ''}")
    print(f"course report index: {Path(result['out']) / 'index.html'}")
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m aigc_course.course_report")
    add_parser(parser.add_subparsers(dest="command", required=True))
    sys.exit(main(parser.parse_args(["course-report", *sys.argv[1:]])))
