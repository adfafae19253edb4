"""The command line: values, and every bad input answered with one line and exit 2 before a kernel starts."""

import hashlib
import os
import sys
from pathlib import Path

import pytest

from aigc_course import cli, report
from aigc_course.config import CHAPTERS
from helpers import raises_message

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
MODES = FIXTURES / "tiny_modes.ipynb"
HOW = ("give comma-separated values (-p {n} 1,2) or a JSON list of values (-p {n} '[1, 2]'; "
       "list-valued: -p {n} '[[64, 32], [128]]')")


def test_parse_value():
    assert [cli.parse_value(v) for v in ["3", "0.5", "True", "None", "[1, 2]", "adam", "1e-3", "false",
                                         "[true, null]", "[[64,32],[128]]"]] == \
        [3, 0.5, True, None, [1, 2], "adam", 0.001, "false", [True, None], [[64, 32], [128]]]


def test_sweep_values_commas_and_json_lists():
    assert cli._sweep_params([["lr", "1e-4,2e-4"], ["opt", "adam, sgd"]]) == {"lr": [1e-4, 2e-4], "opt": ["adam", "sgd"]}
    assert cli._sweep_params([["dense_hidden", "[[64,32],[128]]"]]) == {"dense_hidden": [[64, 32], [128]]}
    assert cli._sweep_params([["x", "[1, 2, 3]"], ["y", "5"]]) == {"x": [1, 2, 3], "y": [5]}


@pytest.mark.parametrize("text, message", [
    ("1,,2", "-p x '1,,2' has an empty value between commas; " + HOW.format(n="x")),
    ("1,", "-p x '1,' has an empty value between commas; " + HOW.format(n="x")),
    ("  ", "-p x has no value; " + HOW.format(n="x")),
    ("[]", "-p x '[]' is an empty list; " + HOW.format(n="x")),
    ("[1,2", "-p x '[1,2' is not a valid JSON list; " + HOW.format(n="x")),
])
def test_empty_or_broken_sweep_values_are_rejected(text, message):
    with raises_message(ValueError, message):
        cli.sweep_values("x", text)


def _run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.mark.parametrize("argv, message", [
    (["run", "04_dcgan", "-p", "epoch", "3"],
     "04_dcgan.ipynb has no parameter 'epoch'; did you mean epochs? (its parameters cell declares: profile, seed, "
     "n_train, epochs, batch_size, latent_dim, width, d_lr, g_lr, ema, steps_per_execution, time_budget, n_eval)"),
    (["report", "04_dcgan", "-p", "epochs", "abc"], "parameter 'epochs' expects a whole number >= 1, got 'abc' (str)"),
    (["report", "04_dcgan", "-p", "epochs", "-3"], "parameter 'epochs' expects a whole number >= 1, got -3 (int)"),
    (["run", "04_dcgan", "-p", "epochs", "1.0"],
     "parameter 'epochs' expects a whole number >= 1, got 1.0 (float); write it without a decimal point, e.g. 1"),
    (["run", "04_dcgan", "-p", "n_train", "0"], "parameter 'n_train' expects a whole number >= 1, got 0 (int)"),
    (["run", "10_evaluation", "-p", "run_sweep", "false"],
     "parameter 'run_sweep' expects True or False, got 'false' (str); write False (Python's spelling)"),
    (["run", "04_dcgan", "-p", "profile", "fast"],
     "Unknown profile 'fast'. Valid profiles: smoke, standard, full (set it with the notebook parameter `profile` "
     "or the environment variable AIGC_PROFILE)."),
    (["run", "04_dcgan", "-p", "profile", "full", "--profile", "smoke"],
     "the profile is given twice, as --profile smoke and as -p profile full; give it once"),
    (["run", "04_dcgan", "-p", "epochs", "2", "-p", "epochs", "3"], "-p epochs is given twice ('2' and '3'); give it once"),
    (["run", str(FIXTURES / "tiny_noparams.ipynb"), "-p", "x", "2"],
     "tiny_noparams.ipynb has no cell tagged 'parameters', so -p x cannot be set; tag the cell that defines the "
     "parameters with 'parameters' in Jupyter, or drop -p"),
    (["run", "04_dcgan", "--timeout", "0"], "timeout must be a positive number of seconds or None, got 0.0"),
    (["sweep", "04_dcgan", "-p", "epochs", "1,-3"], "parameter 'epochs' expects a whole number >= 1, got -3 (int)"),
    (["sweep", "04_dcgan", "-p", "epoch", "1,2"],
     "04_dcgan.ipynb has no parameter 'epoch'; did you mean epochs? (its parameters cell declares: profile, seed, "
     "n_train, epochs, batch_size, latent_dim, width, d_lr, g_lr, ema, steps_per_execution, time_budget, n_eval)"),
    (["sweep", "04_dcgan", "-p", "epochs", "1", "-p", "epochs", "2"],
     "-p epochs is given twice ('1' and '2'); give all its values in one -p, separated by commas"),
    (["sweep", "04_dcgan", "-p", "epochs", "1,,2"], "-p epochs '1,,2' has an empty value between commas; "
     + HOW.format(n="epochs")),
    (["sweep", "04_dcgan"], "sweep needs at least one -p NAME VALUES (e.g. -p epochs 2,4); for a single run use "
     "`aigc-course report`"),
    (["sweep", "04_dcgan", "-p", "epochs", "1", "--jobs", "0"], "jobs must be a positive int, got 0"),
    (["sweep", "04_dcgan", "-p", "epochs", "1", "--cluster", "foo"],
     "--cluster expects local, local:N (N workers) or tcp://HOST:PORT, got 'foo'"),
    (["sweep", "04_dcgan", "-p", "epochs", "1", "--cluster", "local:2"],
     "--cluster local:2 needs the Dask backend aigc_course/cluster.py, which this installation lacks; run the "
     "sweep without --cluster"),
    (["sweep", str(FIXTURES / "tiny_modes.ipynb"), "-p", "mode", "ok, "],
     "-p mode 'ok, ' has an empty value between commas; " + HOW.format(n="mode")),
])
def test_bad_input_is_one_line_and_exit_2_before_anything_runs(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.setitem(sys.modules, "aigc_course.cluster", None)  # as if the Dask backend were not installed
    monkeypatch.chdir(tmp_path)  # the default output folder would be created here
    code, out, err = _run(capsys, *argv)
    assert (code, out, err) == (2, "", f"aigc-course {argv[0]}: error: {message}\n")
    assert list(tmp_path.iterdir()) == []  # nothing written, no kernel started


def test_bad_aigc_profile_environment_variable(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_PROFILE", "fast")
    code, out, err = _run(capsys, "report", "04_dcgan", "--out", str(tmp_path / "r"))
    assert (code, err) == (2, "aigc-course report: error: the environment variable AIGC_PROFILE='fast' is not a "
                              "profile; valid profiles: smoke, standard, full (set one of them, or unset AIGC_PROFILE)\n")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("command", ["run", "report", "sweep"])
def test_out_holding_the_notebook_or_a_file_is_refused(capsys, tmp_path, command):
    source = tmp_path / "nb" / "tiny.ipynb"
    source.parent.mkdir()
    source.write_bytes(MODES.read_bytes())
    before = _digest(source)
    params = ["-p", "mode", "ok"]
    code, _, err = _run(capsys, command, str(source), *params, "--out", str(source.parent))
    default = "reports/tiny_sweep" if command == "sweep" else "reports/tiny"
    assert (code, err) == (2, f"aigc-course {command}: error: --out {source.parent} holds the input notebook "
                              f"tiny.ipynb, which the executed copy would replace; choose another folder "
                              f"(e.g. {default})\n")
    code, _, err = _run(capsys, command, str(source), *params, "--out", str(source))
    assert (code, err) == (2, f"aigc-course {command}: error: --out {source} is an existing file, not a folder; "
                              f"give a folder path (e.g. {default})\n")
    assert _digest(source) == before and sorted(p.name for p in source.parent.iterdir()) == ["tiny.ipynb"]


def test_unknown_notebook_and_data_set(capsys):
    assert _run(capsys, "data", "fetch", "nope") == \
        (2, "", "aigc-course data: error: Unknown data set 'nope'; known: fashion-mnist, tang-full\n")
    code, _, err = _run(capsys, "run", "99_nope")
    assert code == 2 and err == (f"aigc-course run: error: unknown notebook '99_nope': give a chapter id "
                                 f"({', '.join(CHAPTERS)}), its number (e.g. 04) or a path to a .ipynb file\n")


def test_list_finds_the_chapters_from_any_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(CHAPTERS)
    for line, (cid, title) in zip(lines, CHAPTERS.items()):
        exists = (ROOT / "notebooks" / f"{cid}.ipynb").is_file()
        assert line == f"{'✔' if exists else ' '} {cid:<24} {title}"
    assert lines[0].startswith("✔ 00_setup")
    # a notebook under ./notebooks of the current folder counts too
    missing = [cid for cid in CHAPTERS if not (ROOT / "notebooks" / f"{cid}.ipynb").is_file()]
    if missing:
        (tmp_path / "notebooks").mkdir()
        (tmp_path / "notebooks" / f"{missing[0]}.ipynb").write_text("{}", encoding="utf-8")
        _, out, _ = _run(capsys, "list")
        assert f"✔ {missing[0]:<24} {CHAPTERS[missing[0]]}" in out.splitlines()


def test_help_states_the_real_default_folders(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    for command, default in [("sweep", "reports/<notebook name>_sweep"), ("report", "reports/<notebook name>")]:
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert f"output folder (default: {default}, under the current folder)" in capsys.readouterr().out
    assert report.default_sweep_out(Path("x/04_dcgan.ipynb")) == Path("reports/04_dcgan_sweep")


def test_exercises_build_check_passes_on_the_repo(capsys):
    assert cli.main(["exercises", "build", "--check", "--root", str(ROOT)]) == 0
    assert capsys.readouterr().out == "0 exercise notebook(s) stale, 0 of them edited by hand.\n"


def test_usage_errors_exit_through_argparse():
    with pytest.raises(SystemExit) as e:
        cli.main(["run", "00_setup", "--profile", "huge"])
    assert e.value.code == 2


def test_start_up_lines_written_to_fd_2_are_filtered(tmp_path):
    """C++ libraries write to file descriptor 2 directly; the CLI filters it line by line (here a child
    process writes the lines, as TensorFlow would when imported by `aigc-course doctor`)."""
    import subprocess

    code = (
        "import os, sys\n"
        "from aigc_course import cli\n"
        "with cli._filtered_stderr():\n"
        "    os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n')\n"
        "    os.write(2, b'I0000 00:00:1795950132.321438   10467 port.cc:153] oneDNN custom operations are on.\\n')\n"
        "    print('[1/2] cell 2: x = 1', file=sys.stderr)\n"
        "    os.system('echo \"E0000 00:00:1.5   7 cuda_platform.cc:52] failed call to cuInit\" >&2; echo child >&2')\n"
        "print('after', file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert (proc.returncode, proc.stderr) == (0, "[1/2] cell 2: x = 1\nchild\nafter\n")


def test_course_report_is_wired_and_checks_its_input(capsys, tmp_path):
    code, out, err = _run(capsys, "course-report", "--chapter", "99_x", "--out", str(tmp_path / "c"))
    assert code == 2 and out == ""
    assert err == ("aigc-course course-report: error: unknown chapter(s) 99_x: choose from "
                   + ", ".join(CHAPTERS) + "\n")
    code, out, err = _run(capsys, "course-report", "--cluster", "foo", "--out", str(tmp_path / "c"))
    assert code == 2
    assert err == ("aigc-course course-report: error: cluster must be 'local', 'local:N' (N >= 1 worker "
                   "processes) or a Dask scheduler address like 'tcp://HOST:PORT', got 'foo'\n")
    assert not (tmp_path / "c").exists()
