"""Data never hangs or lies: downloads time out, say what they fetch, check the content and write atomically;
damaged files raise one error naming the file and the fix."""

import gzip
import json
import shutil
import socket
import threading
from pathlib import Path

import pytest
from helpers import raises_message, silent_server, without_proxies

from aigc_course import _io
from aigc_course.data import (CharTokenizer, CorruptDataError, DataNotFoundError, DownloadError, chinese_text,
                              fashion_mnist, load_chinese_corpus, load_tang_poems)
from aigc_course.data._download import download, download_timeout

FMNIST = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture(autouse=True)
def _direct(monkeypatch):
    without_proxies(monkeypatch)  # the test servers are on 127.0.0.1


def _hide_fashion_mnist(tmp_path, monkeypatch):
    monkeypatch.delenv("AIGC_OFFLINE", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("AIGC_DATA_DIR", raising=False)
    s = fashion_mnist.SOURCE
    monkeypatch.setattr(fashion_mnist, "SOURCE", s.__class__(
        name=s.name, subdir=s.subdir, system_dirs=[str(tmp_path / "hidden")], install_hint=s.install_hint,
        fetch_name=s.fetch_name, reinstall_hint=s.reinstall_hint))
    fashion_mnist._load_raw.cache_clear()
    return tmp_path / "keras" / "datasets" / "fashion-mnist"


def test_no_answer_ends_the_first_download_promptly_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    cache = _hide_fashion_mnist(tmp_path, monkeypatch)
    monkeypatch.setenv("AIGC_DOWNLOAD_TIMEOUT", "0.5")
    with silent_server() as (port, accepted):
        monkeypatch.setattr(fashion_mnist, "URL", f"http://127.0.0.1:{port}/")
        with pytest.raises(DataNotFoundError) as info:
            fashion_mnist.load_fashion_mnist("train")
        connections = len(accepted)
    fashion_mnist._load_raw.cache_clear()
    lines = str(info.value).splitlines()
    assert lines[-2] == (f"  - download: failed (no answer from 127.0.0.1:{port} within 0.5 s; check the network "
                         f"or set AIGC_OFFLINE=1 and install the data offline)")
    assert connections == 1  # the labels were not tried after the images failed
    assert capsys.readouterr().err == (
        f"aigc-course: downloading Fashion-MNIST train-images-idx3-ubyte.gz from "
        f"http://127.0.0.1:{port}/train-images-idx3-ubyte.gz into {cache}/ (giving up after 0.5 s without "
        f"an answer)\n")
    assert list(cache.iterdir()) == []  # no partial file in the cache


def test_refused_connection_is_reported(tmp_path, monkeypatch, capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError) as info:
        download(f"http://127.0.0.1:{port}/x.gz", tmp_path / "x.gz", "x", timeout=2)
    assert str(info.value) == (f"cannot reach 127.0.0.1:{port} ([Errno 111] Connection refused); check the "
                               f"network or set AIGC_OFFLINE=1 and install the data offline")
    assert not (tmp_path / "x.gz").exists() and list(tmp_path.iterdir()) == []


def test_a_name_lookup_that_hangs_ends_promptly(tmp_path, monkeypatch):
    import threading

    release = threading.Event()

    def hanging_lookup(*args, **kwargs):
        release.wait(10)
        raise socket.gaierror(-3, "Temporary failure in name resolution")
    monkeypatch.setattr(socket, "getaddrinfo", hanging_lookup)
    try:
        with raises_message(DownloadError, "could not look up data.example.org within 0.3 s; check the network "
                                           "or set AIGC_OFFLINE=1 and install the data offline"):
            download("https://data.example.org/x.gz", tmp_path / "x.gz", "x", timeout=0.3)
    finally:
        release.set()

    def unknown_name(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", unknown_name)
    with raises_message(DownloadError, "cannot reach data.example.org ([Errno -2] Name or service not known); "
                                       "check the network or set AIGC_OFFLINE=1 and install the data offline"):
        download("https://data.example.org/x.gz", tmp_path / "x.gz", "x", timeout=0.3)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def file_server(tmp_path):
    """A tiny HTTP server on 127.0.0.1 serving the folder ``tmp_path / 'www'``."""
    import functools
    import http.server

    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", root
    server.shutdown()
    server.server_close()


def test_download_checks_the_content_before_keeping_it(tmp_path, monkeypatch, file_server, capsys):
    url, root = file_server
    cache = _hide_fashion_mnist(tmp_path, monkeypatch)
    monkeypatch.setattr(fashion_mnist, "URL", url)
    name = "t10k-labels-idx1-ubyte.gz"
    # An MNIST-like impostor under the right name: a valid IDX file with other content.
    with gzip.open(root / name, "wb") as f:
        f.write(bytes([0, 0, 8, 1]) + (2).to_bytes(4, "big") + bytes([1, 2]))
    with pytest.raises(DataNotFoundError) as info:
        fashion_mnist.load_fashion_mnist("test")
    assert f"  - download: failed ({url}t10k-images-idx3-ubyte.gz answered HTTP 404 File not found)" in \
        str(info.value).splitlines()
    fashion_mnist._load_raw.cache_clear()
    shutil.copy(FMNIST / "t10k-images-idx3-ubyte.gz", root / "t10k-images-idx3-ubyte.gz")
    with pytest.raises(DataNotFoundError) as info:
        fashion_mnist.load_fashion_mnist("test")
    assert str(info.value).splitlines()[-2] == (
        f"  - download: failed ({url}{name} sent a file that is not the expected one (its content is not the "
        f"published Fashion-MNIST {name} (SHA-256 7d8d5bbc33d5b40c…, expected 0402a96d92fd2663…)); nothing "
        f"was kept)")
    assert sorted(p.name for p in cache.iterdir()) == ["t10k-images-idx3-ubyte.gz"]  # the good one is kept
    fashion_mnist._load_raw.cache_clear()
    shutil.copy(FMNIST / name, root / name)
    x, y = fashion_mnist.load_fashion_mnist("test", limit=3)
    assert x.shape == (3, 28, 28, 1) and y.tolist() == [9, 2, 1]
    assert sorted(p.name for p in cache.iterdir()) == ["t10k-images-idx3-ubyte.gz", name]
    fashion_mnist._load_raw.cache_clear()


@pytest.mark.parametrize("damage, problem", [
    (lambda raw: raw[: len(raw) // 2], "it is truncated (the gzip data ends early)"),
    (lambda raw: raw[:20] + bytes(b ^ 0xFF for b in raw[20:60]) + raw[60:],
     "it is not a readable gzip file (Error -3 while decompressing data: invalid bit length repeat)"),
    (lambda raw: b"<html>Not Found</html>", "it is not a readable gzip file (Not a gzipped file (b'<h'))"),
])
def test_damaged_gz_in_the_cache_names_the_file_and_the_fix(tmp_path, monkeypatch, damage, problem):
    cache = _hide_fashion_mnist(tmp_path, monkeypatch)
    monkeypatch.setenv("AIGC_OFFLINE", "1")
    cache.mkdir(parents=True)
    for name in fashion_mnist.FILES["test"]:
        shutil.copy(FMNIST / name, cache / name)
    bad = cache / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(damage(bad.read_bytes()))
    with raises_message(CorruptDataError, f"{bad} is corrupt: {problem}. Fix: delete {bad} and run "
                                          f"`aigc-course data fetch fashion-mnist` to download a good copy."):
        fashion_mnist.load_fashion_mnist("test")
    fashion_mnist._load_raw.cache_clear()
    assert fashion_mnist.check_files()["t10k-labels-idx1-ubyte.gz"].startswith(f"{bad} is corrupt: {problem}.")


def test_corrupt_system_copy_says_reinstall(tmp_path, monkeypatch):
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    _hide_fashion_mnist(tmp_path, monkeypatch)
    monkeypatch.setenv("AIGC_OFFLINE", "1")
    for name in fashion_mnist.FILES["test"]:
        shutil.copy(FMNIST / name, hidden / name)
    bad = hidden / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:1000])
    with raises_message(CorruptDataError, f"{bad} is corrupt: it is truncated (the gzip data ends early). Fix: "
                                          f"reinstall the package with "
                                          f"`sudo apt-get install --reinstall dataset-fashion-mnist`."):
        fashion_mnist.load_fashion_mnist("test")
    fashion_mnist._load_raw.cache_clear()


def test_download_timeout_setting_is_checked(monkeypatch):
    monkeypatch.setenv("AIGC_DOWNLOAD_TIMEOUT", "soon")
    with raises_message(ValueError, "AIGC_DOWNLOAD_TIMEOUT must be a positive number of seconds, got 'soon'; "
                                    "unset it or set e.g. AIGC_DOWNLOAD_TIMEOUT=10"):
        download_timeout()
    monkeypatch.setenv("AIGC_DOWNLOAD_TIMEOUT", "2.5")
    assert download_timeout() == 2.5
    monkeypatch.delenv("AIGC_DOWNLOAD_TIMEOUT")
    assert download_timeout() == 10.0


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "metrics.json"
    _io.atomic_write_text(target, '{"old": 1}')

    def fail(tmp):
        raise ValueError("content rejected")
    with raises_message(ValueError, "content rejected"):
        with _io.atomic_open(target, "wb", check=fail) as f:
            f.write(b"new")
    with pytest.raises(KeyboardInterrupt):
        with _io.atomic_open(target, "w", encoding="utf-8") as f:
            f.write("half")
            raise KeyboardInterrupt
    assert target.read_text() == '{"old": 1}' and [p.name for p in tmp_path.iterdir()] == ["metrics.json"]
    assert _io.atomic_write_bytes(target, b"[]") == target and _io.read_json(target) == []


# --------------------------------------------------------------------------------------- fortunes-zh
def _fortunes(tmp_path, content: bytes, name: str = "tang300") -> Path:
    folder = tmp_path / "fortunes"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    return folder


@pytest.mark.parametrize("content, problem", [
    (b"", "it is empty"),
    (b"\n  \n", "it holds only blank space"),
    ("《静夜思》\n作者：李白\n床前明月光\n".encode("gbk"), "it is not UTF-8 text (byte 0xa1 at offset 0)"),
    ("标题\n不是作者\n一行\n".encode(), "record 1 is not a poem (expected a title line, an author line starting "
                                        "with '作者' and at least one line of text), got '标题\\n不是作者\\n一行'"),
])
def test_bad_tang300_names_the_file_and_the_fix(tmp_path, content, problem):
    folder = _fortunes(tmp_path, content)
    with raises_message(CorruptDataError, f"{folder / 'tang300'} is corrupt: {problem}. Fix: replace "
                                          f"{folder / 'tang300'} with a good copy, or delete it so that the "
                                          f"loader looks in the next place."):
        load_tang_poems(data_dir=folder)


def test_bad_system_corpus_says_reinstall(tmp_path, monkeypatch):
    folder = _fortunes(tmp_path, b"%\n%\n", "chinese")
    s = chinese_text.SOURCE
    monkeypatch.setattr(chinese_text, "SOURCE", s.__class__(
        name=s.name, subdir=s.subdir, system_dirs=[str(folder)], install_hint=s.install_hint,
        reinstall_hint=s.reinstall_hint))
    monkeypatch.setenv("AIGC_DATA_DIR", str(tmp_path / "nothing"))
    with raises_message(CorruptDataError, f"{folder / 'chinese'} is corrupt: it holds no records. Fix: reinstall "
                                          f"the package with `sudo apt-get install --reinstall fortunes-zh`."):
        load_chinese_corpus()


# ------------------------------------------------------------------------------------------ tokenizer
REFIT = "Fix: write it again with tokenizer.save(path) from a tokenizer fitted on the same texts."


@pytest.mark.parametrize("content, problem", [
    (b"", "is not valid JSON (Expecting value at line 1 column 1)"),
    (b'{"format": "aigc_course.CharTokenizer", "vocab": ["<pad>"', "is not valid JSON (Expecting ',' delimiter "
                                                                    "at line 1 column 58)"),
    (b"\xff\xfe{}", "is not UTF-8 text (byte 0xff at offset 0)"),
])
def test_unreadable_tokenizer_file(tmp_path, content, problem):
    path = tmp_path / "tok.json"
    path.write_bytes(content)
    with raises_message(ValueError, f"the tokenizer file {path} {problem}. {REFIT}"):
        CharTokenizer.load(path)


@pytest.mark.parametrize("data, problem", [
    ([1, 2], "expected a JSON object with format 'aigc_course.CharTokenizer', found 'a JSON list'"),
    ({"format": "other"}, "expected a JSON object with format 'aigc_course.CharTokenizer', found 'other'"),
    ({"format": "aigc_course.CharTokenizer", "specials": "x", "vocab": []},
     "expected lists under 'specials' and 'vocab'"),
    ({"format": "aigc_course.CharTokenizer", "specials": ["<pad>", "<unk>", "<bos>", "<eos>"],
      "vocab": ["<pad>", "<unk>", "<bos>", "<eos>", 7]}, "every vocabulary entry must be a non-empty string"),
    ({"format": "aigc_course.CharTokenizer", "specials": ["<pad>"], "vocab": ["<pad>"]},
     "its specials are invalid (specials must include ['<pad>', '<unk>', '<bos>', '<eos>']; missing "
     "['<unk>', '<bos>', '<eos>'])"),
    ({"format": "aigc_course.CharTokenizer", "specials": ["<pad>", "<unk>", "<bos>", "<eos>"],
      "vocab": ["<pad>", "<unk>", "<bos>", "<eos>", "a", "a"]},
     "the vocabulary must start with the specials and hold no duplicates"),
])
def test_foreign_tokenizer_file(tmp_path, data, problem):
    path = tmp_path / "tok.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with raises_message(ValueError, f"the tokenizer file {path} is not usable: {problem}. {REFIT}"):
        CharTokenizer.load(path)


def test_missing_tokenizer_file_and_round_trip(tmp_path):
    path = tmp_path / "tok.json"
    with raises_message(FileNotFoundError, f"the tokenizer file {path} does not exist. {REFIT}"):
        CharTokenizer.load(path)
    tok = CharTokenizer().fit(["床前明月光"])
    assert tok.save(path) == path and [p.name for p in tmp_path.iterdir()] == ["tok.json"]
    assert CharTokenizer.load(path).vocab == tok.vocab


def test_a_cache_that_cannot_be_written_is_one_error(tmp_path, file_server):
    url, root = file_server
    (root / "x.gz").write_bytes(b"data")
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    with raises_message(DownloadError, f"downloading {url}x.gz into {blocker} failed ([Errno 17] File exists: "
                                       f"'{blocker}')"):
        download(f"{url}x.gz", blocker / "x.gz", "x", timeout=5)
    assert blocker.read_text() == "a file where the cache folder should be"
