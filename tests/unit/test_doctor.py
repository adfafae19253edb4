"""aigc-course doctor and list: what they find, what they say when data is missing."""

import dataclasses
import os
import sys
import types
from pathlib import Path

import keras
import pytest

from aigc_course import cli
from aigc_course.config import CHAPTERS
from aigc_course.data import chinese_text, fashion_mnist
from aigc_course.diagnostics import doctor, format_report


def _hide_data(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("AIGC_DATA_DIR", str(empty))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    for module in (fashion_mnist, chinese_text):
        monkeypatch.setattr(module, "SOURCE", dataclasses.replace(module.SOURCE,
                                                                  system_dirs=[str(tmp_path / "hidden")]))


@pytest.mark.backend
def test_doctor_reports_backend_versions_devices_profile(monkeypatch):
    monkeypatch.setenv("AIGC_PROFILE", "smoke")
    info = doctor(verbose=False)
    assert info["backend"] == keras.backend.backend()
    assert set(info["versions"]) == {"python", "keras", info["backend"], "numpy"}
    assert info["versions"]["keras"] == keras.__version__
    assert info["devices"] and any("cpu" in d.lower() for d in info["devices"])
    assert info["profile"] == "smoke"
    assert "KERAS_BACKEND=tensorflow|jax|torch" in info["switch_backend"]


def test_doctor_finds_both_data_sets():
    info = doctor(verbose=False)
    assert info["datasets"]["Fashion-MNIST"]["found"] is True
    assert info["datasets"]["fortunes-zh"]["found"] is True
    assert (Path(info["datasets"]["fortunes-zh"]["path"]) / "tang300").is_file()
    assert (Path(info["datasets"]["Fashion-MNIST"]["path"]) / "train-images-idx3-ubyte.gz").is_file()
    assert info["all_data_found"] is True


def test_doctor_reports_missing_data_with_install_commands(tmp_path, monkeypatch, capsys):
    _hide_data(tmp_path, monkeypatch)
    info = doctor(verbose=True)
    out = capsys.readouterr().out
    assert info["all_data_found"] is False
    for name, package in (("Fashion-MNIST", "dataset-fashion-mnist"), ("fortunes-zh", "fortunes-zh")):
        d = info["datasets"][name]
        assert d["found"] is False and d["path"] is None
        assert d["install"] == f"install the Debian package with `sudo apt-get install {package}`"
        assert f"MISSING - install the Debian package with `sudo apt-get install {package}`" in out
    assert out.rstrip().endswith("all required data found: NO")


def test_optional_tang_corpus_does_not_fail_the_check(monkeypatch):
    fake = types.ModuleType("aigc_course.data.tang_full")
    fake.available = lambda: False
    fake.SOURCE = types.SimpleNamespace(install_hint="run `aigc-course data fetch tang_full`")
    monkeypatch.setitem(sys.modules, "aigc_course.data.tang_full", fake)
    info = doctor(verbose=False)
    assert info["datasets"]["Tang corpus (full)"] == {
        "found": False, "path": None, "install": "run `aigc-course data fetch tang_full`", "optional": True,
        "missing": [], "corrupt": []}
    assert info["all_data_found"] is True
    assert "data: Tang corpus (full) (optional)  MISSING - run `aigc-course data fetch tang_full`" in \
        format_report(info)
    fake.available = lambda: True
    assert doctor(verbose=False)["datasets"]["Tang corpus (full)"]["found"] is True


def test_doctor_rejects_bad_argument():
    with pytest.raises(TypeError) as e:
        doctor(verbose="yes")
    assert str(e.value) == "verbose must be True or False, got 'yes'"


def test_package_doctor_is_the_function_even_after_submodule_import():
    import aigc_course
    import aigc_course.diagnostics  # noqa: F401

    info = aigc_course.doctor(verbose=False)
    assert info["backend"] == keras.backend.backend()
    from aigc_course.viz.fonts import use_chinese_font

    assert info["chinese_font"] == use_chinese_font() is not None


def test_cli_doctor_and_list(tmp_path, monkeypatch, capsys):
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "aigc-course doctor"
    assert lines[2].startswith("Keras backend") and keras.backend.backend() in lines[2]
    # the value column is aligned
    starts = {len(line) - len(line[line.index("  "):].lstrip()) for line in lines[2:-1]}
    assert len(starts) == 1
    assert lines[-1] == "all required data found: yes"

    _hide_data(tmp_path, monkeypatch)
    assert cli.main(["doctor", "--strict"]) == 1
    capsys.readouterr()

    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(CHAPTERS)
    assert "00_setup" in out[0] and "环境与课程导览" in out[0]


def test_doctor_reports_corrupt_files_with_the_fix(tmp_path, monkeypatch, capsys):
    _hide_data(tmp_path, monkeypatch)
    cache = tmp_path / "keras" / "datasets" / "fashion-mnist"
    cache.mkdir(parents=True)
    for pair in fashion_mnist.FILES.values():
        for name in pair:
            (cache / name).symlink_to(f"/usr/share/datasets/fashion-mnist/{name}")
    bad = cache / "t10k-labels-idx1-ubyte.gz"
    bad.unlink()
    bad.write_bytes(Path("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz").read_bytes()[:2000])
    empty = tmp_path / "empty"
    (empty / "tang300").write_bytes(b"")
    for name in ("song100", "chinese"):
        (empty / name).symlink_to(f"/usr/share/games/fortunes/{name}")
    info = doctor(verbose=True)
    out = capsys.readouterr().out
    problem = (f"{bad} is corrupt: it is truncated (the gzip data ends early). Fix: delete {bad} and run "
               f"`aigc-course data fetch fashion-mnist` to download a good copy.")
    assert info["datasets"]["Fashion-MNIST"] == {
        "found": False, "path": str(cache), "install": fashion_mnist.SOURCE.install_hint, "optional": False,
        "missing": [], "corrupt": [problem]}
    tang_problem = (f"{empty / 'tang300'} is corrupt: it is empty. Fix: replace {empty / 'tang300'} with a good "
                    f"copy, or delete it so that the loader looks in the next place.")
    assert info["datasets"]["fortunes-zh"]["corrupt"] == [tang_problem]
    assert info["all_data_found"] is False
    rows = [line.split("  ", 1)[0] for line in out.splitlines()]
    assert f"CORRUPT - {problem}" in out and f"CORRUPT - {tang_problem}" in out and out.count(problem) == 1
    assert rows.count("data: Fashion-MNIST") == 1 and rows.count("data: fortunes-zh") == 1


def test_doctor_prints_each_fact_once_in_a_notebook(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("from aigc_course import doctor\ndoctor()")
        out = capsys.readouterr().out
        assert out.count("aigc-course doctor") == 1 and out.count("Keras backend") == 1
        shell.run_cell("info = doctor(verbose=False)\ninfo")
        out = capsys.readouterr().out
        assert out.count("Keras backend") == 1 and "all required data found: yes" in out
    finally:
        InteractiveShell.clear_instance()
    info = doctor(verbose=False)
    assert repr(info) == format_report(info) and isinstance(info, dict)
    printed = doctor(verbose=True)
    capsys.readouterr()
    # JAX without a GPU, with the fast transposed-convolution gradient switched off: doctor steers to TensorFlow
    advice = ", advice" if "advice" in printed else ""
    assert ("advice" in printed) == (printed["backend"] == "jax" and printed["devices"] == ["cpu:0"]
                                     and os.environ.get("AIGC_FAST_CONV_TRANSPOSE") == "0")
    assert repr(printed) == ("<aigc-course doctor report, printed above; a dict with keys backend, switch_backend, "
                             f"versions, devices, profile, datasets, all_data_found, chinese_font{advice}>")
