import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

import aigc_course.data.tang_full as tf
from aigc_course.data import DataNotFoundError, Poem

FIXTURE = Path(tf.__file__).parent / "fixtures" / "tang_full"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Empty Keras cache, fortunes-zh 唐诗三百首 replaced by the fixture's two poems, offline."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("AIGC_DATA_DIR", str(FIXTURE))
    monkeypatch.setenv("AIGC_OFFLINE", "1")
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


def test_missing_offline_raises_the_fetch_hint(monkeypatch):
    monkeypatch.delenv("AIGC_DATA_DIR")
    assert not tf.available()
    with pytest.raises(DataNotFoundError) as err:
        tf.load_full_tang()
    msg = str(err.value)
    assert "Could not find 'poet.tang.*.json' of the 全唐诗 (chinese-poetry 2.0.1) data set." in msg
    assert "fetch: skipped because AIGC_OFFLINE is set" in msg
    assert "Fix: run `aigc-course data fetch tang-full`" in msg
    with pytest.raises(TypeError, match="data_dir must be a path"):
        tf.available(data_dir=3)


def test_fetch_extracts_only_the_tang_files(monkeypatch, tmp_path):
    monkeypatch.delenv("AIGC_DATA_DIR")
    monkeypatch.delenv("AIGC_OFFLINE")
    tgz = tmp_path / "pkg.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        for name, data in [("package/dist/quantangshi/poet.tang.0.json", (FIXTURE / "quantangshi/poet.tang.0.json").read_bytes()),
                           ("package/dist/quantangshi/authors.tang.json", b"[]"),
                           ("package/dist/songci/ci.song.0.json", b"[]")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    monkeypatch.setattr(tf, "_npm_pack", lambda workdir: tgz)
    folder = tf.fetch_full_tang()
    assert folder == tmp_path / "keras" / "datasets" / "chinese-poetry" / "quantangshi"
    assert sorted(p.name for p in folder.iterdir()) == ["poet.tang.0.json"]
    assert tf.available()
    # loading from the cache writes the converted corpus once, and reads it back the same
    first = tf.load_full_tang(exclude_tang300=False)
    assert (folder.parent / tf.CACHE_FILE).is_file()
    tf._load_converted.cache_clear()
    assert tf.load_full_tang(exclude_tang300=False) == first and len(first) == 3


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
