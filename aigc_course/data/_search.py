"""The one search order every loader uses, and the one error it raises when nothing is found.

Order: an explicit ``data_dir=``, ``$AIGC_DATA_DIR``, the system folder a Debian package installs,
the Keras cache (``~/.keras/datasets/<subdir>``), and finally a download when one is possible.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ._download import DownloadError


class DataNotFoundError(FileNotFoundError):
    """Raised when a data file is in none of the places searched. The message says how to fix it."""


class CorruptDataError(ValueError):
    """Raised when a data file exists but cannot be read or holds other data than expected (truncated,
    damaged, not UTF-8, empty, wrong hash). The message names the file and says how to fix it."""


@dataclass(frozen=True)
class DataSource:
    """Where one data set lives. ``system_dirs`` is a module attribute so tests can hide it."""

    name: str  # human name, e.g. "Fashion-MNIST"
    subdir: str  # folder name under $AIGC_DATA_DIR and ~/.keras/datasets
    system_dirs: Sequence[str]
    install_hint: str  # the command that installs it
    fetch_name: str | None = None  # the NAME of `aigc-course data fetch NAME`, when the set can be downloaded
    reinstall_hint: str | None = None  # the command that repairs the system package's copy


def keras_cache_dir() -> Path:
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(base) / "datasets"


def offline() -> bool:
    """True when downloads are switched off with AIGC_OFFLINE=1 (the tests do this)."""
    return os.environ.get("AIGC_OFFLINE", "").strip() not in ("", "0", "false", "no")


def candidate_paths(source: DataSource, filename: str, data_dir: str | os.PathLike | None = None,
                    system_dirs: Sequence[str] | None = None) -> list[tuple[str, Path]]:
    """Every (label, path) pair searched for ``filename``, in order."""
    out: list[tuple[str, Path]] = []
    if data_dir is not None:
        d = Path(data_dir).expanduser()
        out += [("data_dir argument", d / filename), ("data_dir argument", d / source.subdir / filename)]
    env = os.environ.get("AIGC_DATA_DIR", "").strip()
    if env:
        d = Path(env).expanduser()
        out += [("$AIGC_DATA_DIR", d / filename), ("$AIGC_DATA_DIR", d / source.subdir / filename)]
    for d in (source.system_dirs if system_dirs is None else system_dirs):
        out.append(("system package", Path(d) / filename))
    out.append(("Keras cache", keras_cache_dir() / source.subdir / filename))
    return out


def find_file(source: DataSource, filename: str, data_dir: str | os.PathLike | None = None, *,
              download: Callable[[Path], Path] | None = None,
              system_dirs: Sequence[str] | None = None) -> Path:
    """Return the first existing path for ``filename``; else try ``download``; else raise DataNotFoundError.

    ``download(target)`` must write the file at ``target`` (inside the Keras cache) and return it.
    """
    tried = candidate_paths(source, filename, data_dir, system_dirs)
    for _, path in tried:
        if path.is_file():
            return path
    download_note = "download: not available for this file"
    if download is not None:
        if offline():
            download_note = "download: skipped because AIGC_OFFLINE is set"
        else:
            target = keras_cache_dir() / source.subdir / filename
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                got = download(target)
                if Path(got).is_file():
                    return Path(got)
                download_note = f"download: finished but {got} is missing"
            except DownloadError as exc:  # no network, no answer, server error, wrong hash
                download_note = f"download: failed ({exc})"
            except Exception as exc:  # an unexpected failure is still reported, not dumped
                download_note = f"download: failed ({type(exc).__name__}: {exc})"
    raise DataNotFoundError(not_found_message(source, filename, tried, download_note))


def _under(path: Path, folder: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except OSError:
        return False


def repair_hint(source: DataSource, path: str | os.PathLike) -> str:
    """How to replace a bad copy of a file, depending on where it was found."""
    path = Path(path)
    if _under(path, keras_cache_dir()):
        again = (f"run `aigc-course data fetch {source.fetch_name}`" if source.fetch_name
                 else "load it again while online")
        return f"delete {path} and {again} to download a good copy"
    if any(_under(path, Path(d)) for d in source.system_dirs):
        return f"reinstall the package with `{source.reinstall_hint}`" if source.reinstall_hint else \
            source.install_hint
    return f"replace {path} with a good copy, or delete it so that the loader looks in the next place"


def corrupt_error(source: DataSource, path: str | os.PathLike, problem: str) -> CorruptDataError:
    """The one error for a bad data file: ``<path> is corrupt: <problem>. Fix: <how>.``"""
    return CorruptDataError(f"{path} is corrupt: {problem}. Fix: {repair_hint(source, path)}.")


def file_problem(read: Callable[[], object]) -> str | None:
    """What ``aigc-course doctor`` says about one file: None when ``read()`` works, "missing" when the file is
    not found, else the message of the error (which names the file and the fix)."""
    try:
        read()
    except FileNotFoundError:
        return "missing"
    except ValueError as exc:
        return str(exc)
    return None


def not_found_message(source: DataSource, filename: str, tried: list[tuple[str, Path]],
                      download_note: str) -> str:
    lines = [f"Could not find {filename!r} of the {source.name} data set.", "Looked in:"]
    seen = set()
    for label, path in tried:
        if path in seen:
            continue
        seen.add(path)
        lines.append(f"  - {path}  ({label})")
    lines.append(f"  - {download_note}")
    lines.append(f"Fix: {source.install_hint}, or set AIGC_DATA_DIR to a folder that holds {filename!r}.")
    return "\n".join(lines)
