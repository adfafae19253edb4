"""fortunes-zh parsing (fixture files and the real package) and the character tokenizer."""

import json

import numpy as np
import pytest

from aigc_course.data import DataNotFoundError, chinese_text
from aigc_course.data.chinese_text import (CharTokenizer, Poem, load_chinese_corpus, load_song_poems,
                                           load_tang_poems, parse_poems, split_records, strip_ansi)

G, Y, E = "\x1b[32m", "\x1b[33m", "\x1b[m"

TANG_FIXTURE = (
    f"{G}《静夜思》{E}\n{Y}作者：李白{E}\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n%\n"
    f"{G}《琵琶行・并序》{E}\n{Y}作者：白居易{E}\n序文一句。\n  \n浔阳江头夜送客，枫叶荻花秋瑟瑟。\n%\n"
)
SONG_FIXTURE = (
    f"{G}题目:《春居杂兴》二首{E}\n{Y}作者:王禹偁（９５４－１００１）{E}\n\n            其一\n\n"
    f"两株桃杏映篱斜，\n\n            其二\n\n春云如兽复如禽。\n%    \n"
    f"{G}题目:《前赋〈春居杂兴〉诗》{E}\n{Y}作者:朱淑真（《宋诗纪事》：“号幽栖居士。”）{E}\n女子弄文诚可罪。\n\n"
)
CORPUS_FIXTURE = (
    f"要有礼貌\n\n说明\xa0文字   \n\n{Y}    -- Debian {G}《行为准则》{E}第一条{E}\n%\n"
    f"\x1b[37;1m标题\x1b[;m\n\x1b[;\x1b[34;1m蓝色\x1b[;m\n%\n\n%偓佺\n%\n"
)


def _write(tmp_path):
    (tmp_path / "tang300").write_text(TANG_FIXTURE, encoding="utf-8")
    (tmp_path / "song100").write_text(SONG_FIXTURE, encoding="utf-8")
    (tmp_path / "chinese").write_text(CORPUS_FIXTURE, encoding="utf-8")
    return tmp_path


def test_fixture_tang_poems(tmp_path):
    poems = load_tang_poems(data_dir=_write(tmp_path))
    assert poems == [
        Poem("静夜思", "李白", ("床前明月光，疑是地上霜。", "举头望明月，低头思故乡。")),
        Poem("琵琶行・并序", "白居易", ("序文一句。", "浔阳江头夜送客，枫叶荻花秋瑟瑟。")),
    ]
    assert poems[0].text == "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。"


def test_fixture_song_poems_prefixes_years_sections_and_padded_separator(tmp_path):
    poems = load_song_poems(data_dir=_write(tmp_path))
    assert [(p.title, p.author, p.lines) for p in poems] == [
        ("春居杂兴二首", "王禹偁", ("两株桃杏映篱斜，", "春云如兽复如禽。")),
        ("前赋〈春居杂兴〉诗", "朱淑真", ("女子弄文诚可罪。",)),
    ]


def test_fixture_corpus_strips_every_ansi_variant(tmp_path):
    records = load_chinese_corpus(data_dir=_write(tmp_path))
    assert records == ["要有礼貌\n\n说明 文字\n\n    -- Debian 《行为准则》第一条", "标题\n蓝色", "%偓佺"]


def test_helpers_and_bad_records():
    assert strip_ansi(f"{G}a{E}\x1b[;\x1b[34;1mb\x1b[;m") == "ab"
    assert split_records("a\n%\nb\n%  \n\n%\nc\n%x\n") == ["a", "b", "c\n%x"]
    with pytest.raises(ValueError) as e:
        parse_poems("《题》\n没有作者\n一行\n", source="f")
    assert str(e.value) == ("f: record 1 is not a poem (expected a title line, an author line starting "
                            "with '作者' and at least one line of text), got '《题》\\n没有作者\\n一行'")
    with pytest.raises(TypeError) as e:
        parse_poems(b"x")
    assert str(e.value) == "parse_poems expects a str, got bytes"
    with pytest.raises(TypeError) as e:
        load_tang_poems(data_dir=3)
    assert str(e.value) == "data_dir must be a path (str or os.PathLike) or None, got int"


def test_parse_cache_is_reused(tmp_path):
    _write(tmp_path)
    load_tang_poems(data_dir=tmp_path)
    hits = chinese_text._read_cached.cache_info().hits
    load_tang_poems(data_dir=tmp_path)
    assert chinese_text._read_cached.cache_info().hits == hits + 1


needs_fortunes = pytest.mark.skipif(not chinese_text.available(), reason="fortunes-zh not installed")


@needs_fortunes
def test_real_files():
    tang, song, corpus = load_tang_poems(), load_song_poems(), load_chinese_corpus()
    assert len(tang) == 313
    assert len(song) == 96
    assert len(corpus) > 5000
    assert tang[0] == Poem("感遇・其一", "张九龄", ("兰叶春葳蕤，桂华秋皎洁。", "欣欣此生意，自尔为佳节。",
                                                  "谁知林栖者，闻风坐相悦。", "草木有本心，何求美人折？"))
    for p in tang + song:
        assert p.title and p.author and p.lines
        for field in (p.title, p.author, *p.lines):
            assert "\x1b" not in field and field == field.strip() and field
        assert not p.title.startswith(("《", "题目")) and not p.author.startswith("作者")
        assert "（" not in p.author
    assert {p.author for p in tang} >= {"李白", "杜甫", "王维"}
    assert not any("\x1b" in r or not r.strip() for r in corpus)


def test_missing_data_gives_one_clear_error(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("AIGC_DATA_DIR", str(empty))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(chinese_text, "SOURCE", chinese_text.SOURCE.__class__(
        name="fortunes-zh", subdir="fortunes", system_dirs=[str(tmp_path / "hidden")],
        install_hint=chinese_text.SOURCE.install_hint))
    with pytest.raises(DataNotFoundError) as e:
        load_tang_poems()
    assert str(e.value) == "\n".join([
        "Could not find 'tang300' of the fortunes-zh data set.",
        "Looked in:",
        f"  - {empty}/tang300  ($AIGC_DATA_DIR)",
        f"  - {empty}/fortunes/tang300  ($AIGC_DATA_DIR)",
        f"  - {tmp_path}/hidden/tang300  (system package)",
        f"  - {tmp_path}/keras/datasets/fortunes/tang300  (Keras cache)",
        "  - download: not available for this file",
        "Fix: install the Debian package with `sudo apt-get install fortunes-zh`, "
        "or set AIGC_DATA_DIR to a folder that holds 'tang300'.",
    ])
    assert not chinese_text.available()


# -- tokenizer ---------------------------------------------------------------------------------

def test_tokenizer_vocab_order_round_trip_and_unknowns():
    tok = CharTokenizer().fit(["月光月", "光明月"])
    # specials, then by descending count (月 3, 光 2), ties by code point (明 U+660E < none else)
    assert tok.vocab == ["<pad>", "<unk>", "<bos>", "<eos>", "月", "光", "明"]
    assert (tok.pad_id, tok.unk_id, tok.bos_id, tok.eos_id, tok.vocab_size) == (0, 1, 2, 3, 7)
    assert tok.encode("明月") == [6, 4]
    assert tok.encode("明月", add_bos=True, add_eos=True) == [2, 6, 4, 3]
    assert tok.encode("星月") == [1, 4]
    assert tok.decode([2, 6, 1, 4, 3]) == "明月"
    assert tok.decode([np.int64(6), np.int32(4)]) == "明月"
    assert tok.decode(np.array([2, 6, 1, 4, 3]), skip_specials=False) == "<bos>明<unk>月<eos>"
    tie = CharTokenizer().fit(["ba"])
    assert tie.vocab[4:] == ["a", "b"]
    assert CharTokenizer().fit(["aab"], min_count=2).vocab[4:] == ["a"]


def test_tokenizer_save_load(tmp_path):
    tok = CharTokenizer(specials=("<pad>", "<unk>", "<bos>", "<eos>", "<sep>")).fit(["床前明月光\n"])
    path = tok.save(tmp_path / "tok.json")
    back = CharTokenizer.load(path)
    assert back.vocab == tok.vocab and back.specials == tok.specials
    assert back.encode("月光<") == tok.encode("月光<")
    # damaged and foreign tokenizer files: tests/unit/test_data_robust.py


@pytest.mark.parametrize("call, exc, message", [
    (lambda: CharTokenizer().encode("a"), ValueError,
     "CharTokenizer.encode called before fit(); call fit(texts) or CharTokenizer.load(path) first"),
    (lambda: CharTokenizer().fit(["ab"]).decode([7]), ValueError, "id 7 is out of range: valid ids are 0..5"),
    (lambda: CharTokenizer().fit(["ab"]).decode([-1]), ValueError, "id -1 is out of range: valid ids are 0..5"),
    (lambda: CharTokenizer().fit(["ab"]).decode([1.0]), TypeError,
     "decode expects integer ids, got 1.0 of type float"),
    (lambda: CharTokenizer().fit(["ab"]).decode("ab"), TypeError,
     "decode expects a sequence of integer ids, got str"),
    (lambda: CharTokenizer().fit(["ab"]).encode(5), TypeError, "encode expects a str, got int"),
    (lambda: CharTokenizer().fit("ab"), TypeError,
     "fit expects an iterable of strings (e.g. a list), got a single str"),
    (lambda: CharTokenizer().fit([]), ValueError, "fit needs at least one text, got an empty iterable"),
    (lambda: CharTokenizer().fit(["a"], min_count=0), ValueError, "min_count must be an integer >= 1, got 0"),
    (lambda: CharTokenizer(specials=("<pad>", "<unk>", "<bos>")), ValueError,
     "specials must include ['<pad>', '<unk>', '<bos>', '<eos>']; missing ['<eos>']"),
    (lambda: CharTokenizer(specials=("<pad>", "<unk>", "<bos>", "<eos>", "x")), ValueError,
     "each special token must be a string of at least 2 characters (so it cannot clash with a text "
     "character), got 'x'"),
    (lambda: CharTokenizer(specials=("<pad>", "<pad>", "<unk>", "<bos>", "<eos>")), ValueError,
     "special tokens must be distinct, got ('<pad>', '<pad>', '<unk>', '<bos>', '<eos>')"),
    (lambda: CharTokenizer(specials="<pad>"), TypeError, "specials must be a tuple or list of strings, got str"),
])
def test_tokenizer_errors(call, exc, message):
    with pytest.raises(exc) as e:
        call()
    assert str(e.value) == message


@needs_fortunes
def test_tokenizer_on_tang_poems_is_deterministic():
    texts = [p.text for p in load_tang_poems()]
    a, b = CharTokenizer().fit(texts), CharTokenizer().fit(list(reversed(texts)))
    assert a.vocab == b.vocab
    assert a.vocab[4:7] == ["，", "。", "\n"]
    assert all(a.decode(a.encode(t)) == t for t in texts)
