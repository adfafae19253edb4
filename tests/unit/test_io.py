"""Atomic writes: the target is either the old file or the whole new one, never a partial file."""

import os

import pytest

from aigc_course._io import atomic_open, atomic_write_bytes, atomic_write_text
from helpers import raises_message


def test_atomic_write_text_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "metrics.json"
    assert atomic_write_text(target, "第一版\n") == target
    assert target.read_text(encoding="utf-8") == "第一版\n"
    atomic_write_text(target, "second\r\n")
    assert target.read_bytes() == b"second\r\n"  # newlines kept as given
    assert sorted(p.name for p in target.parent.iterdir()) == ["metrics.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failure_while_writing_keeps_the_old_file(tmp_path):
    target = tmp_path / "data.bin"
    atomic_write_bytes(target, b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(target, "wb") as handle:
            handle.write(b"new but partial")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_atomic_open_rejects_append_mode(tmp_path):
    with raises_message(ValueError, "atomic_open writes whole files: mode must be 'w' or 'wb', got 'a'"):
        with atomic_open(tmp_path / "x", "a"):
            pass
    assert list(tmp_path.iterdir()) == []


def test_json_object_or_empty_reads_objects_and_nothing_else(tmp_path):
    from aigc_course._io import json_object_or_empty

    f = tmp_path / "m.json"
    assert json_object_or_empty(f) == {}                      # missing
    f.write_text('{"status": "ok"}', encoding="utf-8")
    assert json_object_or_empty(f) == {"status": "ok"}
    for text in ['{"status": "o', "[1, 2]", ""]:              # half-written, not an object, empty
        f.write_text(text, encoding="utf-8")
        assert json_object_or_empty(f) == {}
    f.write_bytes(b"\xff\xfe")
    assert json_object_or_empty(f) == {}
