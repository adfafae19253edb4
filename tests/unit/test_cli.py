import pytest

from aigc_course import cli


def test_parse_value():
    assert [cli.parse_value(v) for v in ["3", "0.5", "True", "None", "[1, 2]", "adam", "1e-3"]] == \
        [3, 0.5, True, None, [1, 2], "adam", 0.001]
    assert cli._sweep_params([["lr", "1e-4,2e-4"], ["opt", "adam,sgd"]]) == {"lr": [1e-4, 2e-4], "opt": ["adam", "sgd"]}


def test_known_failures_print_a_message_not_a_traceback(capsys):
    assert cli.main(["data", "fetch", "nope"]) == 2
    assert capsys.readouterr().err == "aigc-course data: error: Unknown data set 'nope'; known: fashion-mnist, tang-full\n"
    assert cli.main(["run", "99_nope"]) == 2
    assert capsys.readouterr().err.startswith("aigc-course run: error: unknown notebook '99_nope'")


def test_exercises_build_check_passes_on_the_repo(capsys, monkeypatch):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert cli.main(["exercises", "build", "--check", "--root", str(root)]) == 0
    assert capsys.readouterr().out == "0 exercise notebook(s) stale, 0 of them edited by hand.\n"


def test_usage_errors_exit_through_argparse():
    with pytest.raises(SystemExit) as e:
        cli.main(["run", "00_setup", "--profile", "huge"])
    assert e.value.code == 2
