"""Atomic file writes: a reader (or a crash, Ctrl-C, a full disk) never sees a half-written file.

Every file the package writes (metrics.json, sweep summaries, the data cache, tokenizer files) goes
through :func:`atomic_write_bytes` / :func:`atomic_write_text`: the content is written to a temporary
file in the same folder (same file system), flushed to disk, and then renamed over the target with
``os.replace``, which is atomic on POSIX and Windows. On any failure the temporary file is removed and
the old target, if any, is left as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterator

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_open", "read_json", "json_object_or_empty"]


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None,
                check: Callable[[Path], None] | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on a clean exit it replaces ``path``.

    ``mode`` is "wb" or "w" (text, ``encoding`` default utf-8). The parent folder is created. If the
    block raises (or is interrupted), the temporary file is removed and ``path`` is untouched.
    ``check(temp_path)``, when given, runs on the complete temporary file before the rename (a download
    verifying its hash); if it raises, nothing is kept.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode must be 'w' or 'wb', got {mode!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
    try:
        kwargs = {"encoding": encoding or "utf-8", "newline": ""} if mode == "w" else {}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if check is not None:
            check(Path(tmp))
        try:  # keep the permissions an ordinary open() would give (mkstemp makes the file 0600)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        except OSError:  # pragma: no cover - e.g. file systems without permissions
            pass
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then ``os.replace``)."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (temporary file in the same folder, then ``os.replace``)."""
    with atomic_open(path, "w", encoding=encoding) as handle:
        handle.write(text)
    return Path(path)


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


def json_object_or_empty(path: str | os.PathLike) -> dict:
    """The JSON object in ``path``; {} when the file is missing, unreadable, malformed or not an object
    (for run records that may be half-written or absent: a run that has not finished has none)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
