"""Failures are reported, not dumped, and nothing is lost: a raising cell, a cell timeout and a dead kernel,
end to end on the tiny fixture notebooks (each test starts one Jupyter kernel); start-up noise stays out."""

import hashlib
import json
import re
from pathlib import Path

import nbformat

from aigc_course import report
from aigc_course.cli import main
from helpers import raises_message

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODES = FIXTURES / "tiny_modes.ipynb"
PROGRESS = ['[1/5] cell 2: profile = "standard"', "[2/5] injected parameters: # Parameters",
            "[3/5] cell 3: import os", '[4/5] cell 4: if mode == "raise":']
NOISE = re.compile(r"oneDNN|cuInit|cudart|absl|cpu_feature_guard|TF_ENABLE_ONEDNN_OPTS|IPKernelApp|"
                   r"^[IWE]\d{4} ", re.M)


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _statuses(executed):
    nb = nbformat.read(str(executed), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    return nb, code, [c.metadata.papermill["status"] for c in code]


def test_a_raising_cell_is_one_line_the_earlier_report_is_kept(tmp_path, capsys):
    out = tmp_path / "rep"
    out.mkdir()
    earlier = {"tiny_modes.ipynb": "EARLIER NOTEBOOK", "tiny_modes.html": "EARLIER HTML",
               "metrics.json": '{"status": "ok", "double": 2}'}
    for name, text in earlier.items():
        (out / name).write_text(text, encoding="utf-8")
    before = _digest(MODES)
    assert main(["report", str(MODES), "-p", "mode", "raise", "--out", str(out), "--verbose"]) == 1
    captured = capsys.readouterr()
    executed = out / "tiny_modes.ipynb"
    lines = captured.err.splitlines()
    assert lines[:5] == PROGRESS + [
        f'aigc-course report: failed: notebook tiny_modes.ipynb failed at cell 4 (if mode == "raise":): '
        f"RuntimeError: boom …; executed notebook kept at {executed}"]
    assert 'raise RuntimeError("boom\\nsecond line")' in captured.err and lines[-1] == "second line"  # --verbose
    assert captured.out == ""
    # the earlier report is intact beside the new one, the source notebook untouched
    (previous,) = out.glob("previous-*")
    assert {p.name: p.read_text(encoding="utf-8") for p in previous.iterdir()} == earlier
    assert _digest(MODES) == before
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (saved["status"], saved["error"], saved["failed_cell"], saved["started"]) == \
        ("failed", "RuntimeError: boom …", 'cell 4: if mode == "raise":', "raise")
    nb, code, statuses = _statuses(executed)
    assert nb.metadata["aigc_course"] == {"status": "failed", "error": "RuntimeError: boom …"}
    assert statuses == ["completed", "completed", "completed", "failed", "pending"]
    assert (out / "tiny_modes.html").is_file()


def test_a_cell_timeout_names_the_cell_and_keeps_the_notebook(tmp_path):
    out = tmp_path / "slow"
    with raises_message(report.NotebookFailed,
                        f'notebook tiny_modes.ipynb timed out at cell 4 (if mode == "raise":): TimeoutError: the cell '
                        f"ran longer than 2 s; executed notebook kept at {out / 'tiny_modes.ipynb'}; give more time "
                        f"with --timeout (now 2 s per cell) or use a smaller profile") as info:
        report.make_report(str(MODES), {"mode": "sleep"}, out=out, timeout=2)
    assert info.value.kind == "timeout" and info.value.cell == 4
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (saved["status"], saved["error"]) == ("failed", "TimeoutError: the cell ran longer than 2 s")
    nb, code, statuses = _statuses(out / "tiny_modes.ipynb")
    assert statuses[3:] == ["failed", "pending"] and nb.metadata["aigc_course"]["status"] == "failed"
    assert code[3].outputs[-1]["ename"] == "TimeoutError"


def test_a_dead_kernel_is_reported_and_marked_failed(tmp_path, capsys):
    out = tmp_path / "dead"
    assert main(["report", str(MODES), "-p", "mode", "kill", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f'aigc-course report: failed: notebook tiny_modes.ipynb lost its kernel at cell 4 (if mode == "raise":): '
        f"DeadKernelError: the kernel died (it was killed, crashed, or ran out of memory); executed notebook kept "
        f"at {out / 'tiny_modes.ipynb'} (--verbose shows the traceback)")
    assert not NOISE.search(err)  # the kernel's own warnings stay off the terminal
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (saved["status"], saved["started"], "finished" in saved) == ("failed", "kill", False)
    assert saved["error"].startswith("DeadKernelError: the kernel died")
    nb, code, statuses = _statuses(out / "tiny_modes.ipynb")
    assert nb.metadata["aigc_course"]["status"] == "failed" and nb.metadata["papermill"]["exception"] is True
    assert statuses == ["completed", "completed", "completed", "failed", "pending"]
    assert code[3].outputs[-1]["ename"] == "DeadKernelError"


def test_no_start_up_noise_in_terminal_notebook_or_html(tmp_path, capsys):
    out = tmp_path / "keras"
    assert main(["report", str(FIXTURES / "tiny_keras.ipynb"), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == ['[1/2] cell 2: profile = "standard"', "[2/2] cell 3: import keras"]
    assert captured.out == f"report written to {out}\n"
    nb = nbformat.read(str(out / "tiny_keras.ipynb"), as_version=4)
    texts = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any(t.startswith("backend ") and t.rstrip().endswith("(1, 2)") for t in texts)
    assert not [t for t in texts if NOISE.search(t)]
    assert not NOISE.search((out / "tiny_keras.html").read_text(encoding="utf-8"))


def test_strip_startup_noise_keeps_everything_else():
    lines = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
        "I0000 00:00:1795947913.486310   15584 port.cc:153] oneDNN custom operations are on. You may see slightly "
        "different numerical results.\n",
        "I0000 00:00:1795947913.488475   15584 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will "
        "not be used.\n",
        "I0000 00:00:1795947930.965045   16008 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use "
        "available CPU instructions in performance-critical operations.\n",
        "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the "
        "appropriate compiler flags.\n",
        "E0000 00:00:1795947918.747014   15584 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\n",
        "W0000 00:00:1795947918.747014   15584 external/local_xla/xla/service/gpu/x.cc:12] something\n",
        "2024-03-01 10:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on.\n",
    ]
    kept = ["a warning of the learner's own\n", "F0000 00:00:1.2   1 x.cc:1] a fatal line stays\n", "last"]
    mixed = [kept[0], *lines[:3], kept[1], *lines[3:], kept[2]]
    assert report.strip_startup_noise("".join(mixed)) == "".join(kept)
    assert report.strip_startup_noise("".join(lines)) == ""


def test_a_kernel_that_cannot_start_is_one_line(tmp_path, monkeypatch):
    import papermill

    execute = papermill.execute_notebook
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: execute(*a, **{**k, "kernel_name": "nope"}))
    out = tmp_path / "nk"
    with raises_message(report.NotebookFailed,
                        f"notebook tiny_modes.ipynb failed before its first cell (starting the kernel): NoSuchKernel: "
                        f"No such kernel named nope; executed notebook kept at {out / 'tiny_modes.ipynb'}"):
        report.make_report(MODES, out=out)
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (saved["status"], saved["error"], saved["failed_cell"]) == ("failed", "NoSuchKernel: No such kernel named nope", None)
