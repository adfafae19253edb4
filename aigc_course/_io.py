"""Writing files so that a crash, a Ctrl-C or a failed download never leaves half a file behind.

Every file the package writes goes to a temporary file in the same folder first and is renamed over the
target only once it is complete (``os.replace`` is atomic on one file system). A reader therefore sees the
old file or the new one, never a mixture, and an interrupted write leaves the target untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None,
                check: Callable[[Path], None] | None = None):
    """Open a temporary file beside ``path`` for writing; on a clean exit it replaces ``path``, on an
    exception it is deleted (``path`` is left as it was). ``mode`` is "wb" or "w". ``check(temp_path)``,
    when given, runs on the complete temporary file before the rename; if it raises, nothing is kept."""
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_open writes whole files: mode must be 'wb' or 'w', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, mode, encoding=encoding if mode == "w" else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if check is not None:
            check(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    with atomic_open(path, "wb") as f:
        f.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically; returns the path."""
    return atomic_write_bytes(path, text.encode(encoding))


def read_json(path: str | os.PathLike, what: str = "JSON file", fix: str = "") -> object:
    """The parsed content of ``path``; a missing, non-UTF-8 or malformed file raises one error that names
    the file, says what is wrong and (with ``fix``, e.g. "run X") how to repair it."""
    path = Path(path)
    tail = f". Fix: {fix}." if fix else ""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{what} {path} does not exist{tail}") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{what} {path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                         f"{exc.start}){tail}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} {path} is not valid JSON ({exc.msg} at line {exc.lineno} column "
                         f"{exc.colno}){tail}") from None
