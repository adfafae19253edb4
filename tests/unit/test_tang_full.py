import base64
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from helpers import raises_message, silent_server, without_proxies

import aigc_course.data.tang_full as tf
from aigc_course.data import CorruptDataError, DataNotFoundError, Poem, fetch

FIXTURE = Path(tf.__file__).parent / "fixtures" / "tang_full"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Empty Keras cache, fortunes-zh 唐诗三百首 replaced by the fixture's two poems, offline."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("AIGC_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("AIGC_OFFLINE", "1")
    without_proxies(monkeypatch)  # the test servers are on 127.0.0.1
    tf._load_converted.cache_clear()
    tf._EXCLUDED.clear()


def test_load_converts_deduplicates_and_holds_out_tang300():
    poems = tf.load_full_tang()
    assert [(p.author, p.lines[0]) for p in poems] == [
        ("耿𣲗", "久客心常醉，高楼日渐低。"), ("畅当", "逈临飞鸟上，高出世尘间。"),
        ("吴融", "鸟在林梢脚底看，夕阳无际戍烟残。")]
    assert all(p.title == "登鹳雀楼" for p in poems)
    stats = tf.describe()
    assert {k: stats[k] for k in ("records", "duplicates", "poems", "removed_tang300", "kept")} == {
        "records": 7, "duplicates": 1, "poems": 5, "removed_tang300": 2, "kept": 3}


def test_options_traditional_keep_tang300_and_limit(tmp_path):
    shutil.copytree(FIXTURE / "quantangshi", tmp_path / "mine" / "chinese-poetry" / "quantangshi")
    all_poems = tf.load_full_tang(data_dir=tmp_path / "mine", exclude_tang300=False, simplified=False)
    assert len(all_poems) == 5
    assert all_poems[0] == Poem("登鸛雀樓", "王之渙", ("白日依山盡，黃河入海流。", "欲窮千里目，更上一層樓。"))
    assert len(tf.load_full_tang(limit=2)) == 2
    with pytest.raises(ValueError, match="limit must be a positive int or None, got 0"):
        tf.load_full_tang(limit=0)


def test_missing_offline_raises_the_fetch_hint_with_an_offline_fix(monkeypatch, tmp_path):
    monkeypatch.delenv("AIGC_DATA_DIR")
    assert not tf.available()
    cache = tmp_path / "keras" / "datasets" / "chinese-poetry"
    with raises_message(DataNotFoundError, "\n".join([
        "Could not find 'poet.tang.*.json' of the 全唐诗 (chinese-poetry 2.0.1) data set.",
        "Looked in:",
        f"  - {cache}/poet.tang.*.json  (Keras cache)",
        f"  - {cache}/chinese-poetry/poet.tang.*.json  (Keras cache)",
        f"  - {cache}/quantangshi/poet.tang.*.json  (Keras cache)",
        "  - fetch: skipped because AIGC_OFFLINE is set",
        "Fix: run `aigc-course data fetch tang-full` (uses npm, or downloads from the npm registry); without "
        "network: on a machine with network run `npm pack chinese-poetry@2.0.1` (or download "
        "https://registry.npmjs.org/chinese-poetry/-/chinese-poetry-2.0.1.tgz), copy chinese-poetry-2.0.1.tgz "
        "to this machine and run `aigc-course data fetch tang-full --from chinese-poetry-2.0.1.tgz`, or set "
        "AIGC_DATA_DIR to a folder that holds 'poet.tang.*.json'."])):
        tf.load_full_tang()
    with raises_message(TypeError, "data_dir must be a path (str or os.PathLike) or None, got int"):
        tf.available(data_dir=3)


def _tarball(path: Path, members=None) -> str:
    """Write a small npm-like tarball; returns its sha512 integrity string."""
    members = members or [("package/dist/quantangshi/poet.tang.0.json",
                           (FIXTURE / "quantangshi/poet.tang.0.json").read_bytes()),
                          ("package/dist/quantangshi/authors.tang.json", b"[]"),
                          ("package/dist/songci/ci.song.0.json", b"[]")]
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def test_fetch_extracts_only_the_tang_files(monkeypatch, tmp_path):
    monkeypatch.delenv("AIGC_DATA_DIR")
    monkeypatch.delenv("AIGC_OFFLINE")
    tgz = tmp_path / "pkg.tgz"
    monkeypatch.setattr(tf, "TARBALL_INTEGRITY", _tarball(tgz))
    monkeypatch.setattr(tf, "_npm_pack", lambda workdir: tgz)
    folder = tf.fetch_full_tang()
    assert folder == tmp_path / "keras" / "datasets" / "chinese-poetry" / "quantangshi"
    assert sorted(p.name for p in folder.iterdir()) == ["poet.tang.0.json"]
    assert sorted(p.name for p in folder.parent.iterdir()) == ["quantangshi"]  # no temporary folder left
    assert tf.available()
    # loading from the cache writes the converted corpus once, and reads it back the same
    first = tf.load_full_tang(exclude_tang300=False)
    assert (folder.parent / tf.CACHE_FILE).is_file()
    tf._load_converted.cache_clear()
    assert tf.load_full_tang(exclude_tang300=False) == first and len(first) == 3


def test_fetch_from_a_copied_tarball_works_offline(monkeypatch, tmp_path):
    monkeypatch.delenv("AIGC_DATA_DIR")
    tgz = tmp_path / "chinese-poetry-2.0.1.tgz"
    integrity = _tarball(tgz)
    fix = ("Fix: on a machine with network run `npm pack chinese-poetry@2.0.1` (or download "
           "https://registry.npmjs.org/chinese-poetry/-/chinese-poetry-2.0.1.tgz), copy chinese-poetry-2.0.1.tgz "
           "to this machine and run `aigc-course data fetch tang-full --from chinese-poetry-2.0.1.tgz`.")
    with raises_message(CorruptDataError, f"{tgz} is not usable: it is not chinese-poetry-2.0.1.tgz as published "
                                          f"on the npm registry ({integrity[:23]}…, expected sha512-KtYARvV7CWNt"
                                          f"ax0n…). {fix}"):
        fetch("tang-full", from_file=tgz)
    with raises_message(FileNotFoundError, f"{tmp_path / 'nope.tgz'} does not exist. {fix}"):
        fetch("tang-full", from_file=tmp_path / "nope.tgz")
    with raises_message(ValueError, "--from works only for tang-full, not for 'fashion-mnist'; for fashion-mnist "
                                    "install its Debian package or set AIGC_DATA_DIR to a folder holding its files"):
        fetch("fashion-mnist", from_file=tgz)
    monkeypatch.setattr(tf, "TARBALL_INTEGRITY", integrity)
    folder = fetch("tang-full", from_file=tgz)
    assert sorted(p.name for p in folder.iterdir()) == ["poet.tang.0.json"]
    assert len(tf.load_full_tang(exclude_tang300=False)) == 3
    # a tarball with the right hash but no poems (or damaged) leaves the cache as it was
    empty = tmp_path / "empty.tgz"
    monkeypatch.setattr(tf, "TARBALL_INTEGRITY", _tarball(empty, [("package/README.md", b"x")]))
    with raises_message(CorruptDataError, f"{empty} holds no package/dist/quantangshi/poet.tang.*.json. {fix}"):
        fetch("tang-full", from_file=empty)
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(tgz.read_bytes()[:100])
    monkeypatch.setattr(tf, "TARBALL_INTEGRITY", "sha512-" + base64.b64encode(
        hashlib.sha512(broken.read_bytes()).digest()).decode())
    with pytest.raises(CorruptDataError) as info:
        fetch("tang-full", from_file=broken)
    assert str(info.value).startswith(f"{broken} is not a readable npm tarball (") and str(info.value).endswith(fix)
    assert sorted(p.name for p in folder.iterdir()) == ["poet.tang.0.json"]
    assert sorted(p.name for p in folder.parent.iterdir()) == ["quantangshi", tf.CACHE_FILE]


def _online(monkeypatch, timeout: str, replace: str, error: Exception):
    """Online, nothing found, a short download timeout, and ``tf.<replace>`` raising ``error``."""
    monkeypatch.delenv("AIGC_DATA_DIR")
    monkeypatch.delenv("AIGC_OFFLINE")
    monkeypatch.setenv("AIGC_DOWNLOAD_TIMEOUT", timeout)

    def fail(workdir):
        raise error
    monkeypatch.setattr(tf, replace, fail)


def test_no_answer_ends_the_fetch_promptly(monkeypatch, tmp_path, capsys):
    _online(monkeypatch, "0.5", "_npm_pack", FileNotFoundError("npm is not installed"))
    with silent_server() as (port, accepted):
        monkeypatch.setattr(tf, "TARBALL_URL", f"http://127.0.0.1:{port}/chinese-poetry-2.0.1.tgz")
        with pytest.raises(DataNotFoundError) as info:
            tf.load_full_tang()
        assert len(accepted) == 1
    assert str(info.value).splitlines()[-2] == (
        f"  - fetch failed (no answer from 127.0.0.1:{port} within 0.5 s; check the network or set AIGC_OFFLINE=1 "
        f"and install the data offline)")
    assert capsys.readouterr().err.startswith(f"aigc-course: downloading chinese-poetry 2.0.1 (npm tarball) from "
                                              f"http://127.0.0.1:{port}/chinese-poetry-2.0.1.tgz into ")
    assert not (tmp_path / "keras" / "datasets" / "chinese-poetry").exists()


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_npm_without_answer_ends_the_fetch_promptly(monkeypatch, tmp_path):
    _online(monkeypatch, "1", "_download", AssertionError("the direct download must not start after npm failed"))
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))  # nothing cached: npm must ask
    with silent_server() as (port, accepted):
        monkeypatch.setattr(tf, "NPM_REGISTRY", f"http://127.0.0.1:{port}/")
        with pytest.raises(DataNotFoundError) as info:
            tf.fetch_full_tang()
    assert str(info.value).splitlines()[-2] == (
        f"  - fetch failed (npm pack failed: network timeout at: http://127.0.0.1:{port}/chinese-poetry)")


def test_bad_layout_is_reported(tmp_path):
    (tmp_path / "poet.tang.0.json").write_text(json.dumps([{"title": "x"}]), encoding="utf-8")
    with pytest.raises(ValueError, match=r"poet.tang.0.json: poem 0 must be an object with a 'paragraphs' list"):
        tf.load_full_tang(data_dir=tmp_path)


def test_exclude_poems_by_shared_half_lines():
    ref = [Poem("相思", "王维", ("红豆生南国，春来发几枝。", "愿君多采撷，此物最相思。"))]
    variant = Poem("相思", "王维", ("红豆生南国，秋来发几枝。", "愿君多采撷，此物最相思。"))
    merged = Poem("合", "某", ref[0].lines + ("甲乙丙丁戊，己庚辛壬癸。", "一二三四五，六七八九十。"))
    other = Poem("别", "某", ("红豆生南国，己庚辛壬癸。", "子丑寅卯辰，巳午未申酉。"))
    kept, removed = tf.exclude_poems([variant, merged, other], ref)
    assert kept == [other] and removed == 2
    assert tf.normalise("红豆，生南国。\n") == "红豆生南国"
    with pytest.raises(ValueError, match=r"min_share must be a number in \(0, 1\], got 0"):
        tf.exclude_poems([], ref, min_share=0)


def test_cli_fetch_from_a_copied_tarball(monkeypatch, tmp_path, capsys):
    from aigc_course import cli

    monkeypatch.delenv("AIGC_DATA_DIR")
    tgz = tmp_path / "chinese-poetry-2.0.1.tgz"
    monkeypatch.setattr(tf, "TARBALL_INTEGRITY", _tarball(tgz))
    assert cli.main(["data", "fetch", "tang-full", "--from", str(tgz)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tang-full: ") and len(tf.load_full_tang(exclude_tang300=False)) == 3
    assert cli.main(["data", "fetch", "tang-full", "--from", str(tmp_path / "nope.tgz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"aigc-course data: error: {tmp_path / 'nope.tgz'} does not exist. Fix: ")
