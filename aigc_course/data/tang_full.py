"""全唐诗: the complete Tang poems (57 607 poems) from the MIT-licensed ``chinese-poetry`` npm data package.

The package (version 2.0.1) keeps them in ``dist/quantangshi/poet.tang.<N>.json``, lists of
``{"author", "title", "paragraphs": [...]}`` in traditional characters. ``load_full_tang()`` finds a folder
holding those files, converts them to simplified characters with OpenCC (so they match 唐诗三百首 from
``fortunes-zh``), drops duplicates and, by default, removes the 唐诗三百首 poems so that they stay held out
for fine-tuning.

Where it looks, in order: ``data_dir=``, ``$AIGC_DATA_DIR``, the Keras cache
(``~/.keras/datasets/chinese-poetry/``); a folder counts if it (or its ``chinese-poetry/``,
``quantangshi/``, ``dist/quantangshi/`` or ``package/dist/quantangshi/``) holds ``poet.tang.*.json``.
When none does it fetches (``npm pack chinese-poetry@2.0.1`` when ``npm`` exists, else the same tarball
from the public npm registry, checked against the registry's sha512) unless ``AIGC_OFFLINE`` is set;
``aigc-course data fetch tang-full`` does the same explicitly, and ``aigc-course data fetch tang-full --from
chinese-poetry-2.0.1.tgz`` unpacks a tarball copied from a machine with network. The converted corpus is
cached next to the fetched files, so conversion happens once.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path

from .._io import atomic_write_text
from ._download import DownloadError, download, download_timeout
from ._search import CorruptDataError, DataNotFoundError, DataSource, keras_cache_dir, not_found_message, offline
from .chinese_text import Poem, load_tang_poems

PACKAGE = "chinese-poetry"
VERSION = "2.0.1"
TARBALL_NAME = f"{PACKAGE}-{VERSION}.tgz"
TARBALL_URL = f"https://registry.npmjs.org/{PACKAGE}/-/{TARBALL_NAME}"
TARBALL_SHA1 = "b6e7e60d0accac7c723d066a5c360549aab8299d"
TARBALL_INTEGRITY = ("sha512-KtYARvV7CWNtax0na9+Jn6PlhGgSoid7PWyDzXI4KsCEm2odZcqEQyval5koaLygZnM/EQ3lfJ//25K8p3uHNg==")
"""The registry's ``dist.shasum`` and ``dist.integrity`` of the tarball (``npm view chinese-poetry@2.0.1 dist``)."""
NPM_REGISTRY: str | None = None
"""``--registry`` for ``npm pack``; None keeps the user's npm configuration (e.g. a mirror)."""
NPM_TIMEOUT_S = 900
"""Upper bound for the whole ``npm pack`` run; a registry that does not answer fails much sooner (fetch timeout)."""
FILE_GLOB = "poet.tang.*.json"
CACHE_FILE = "tang_full_simplified.json"
OFFLINE_FIX = (f"on a machine with network run `npm pack {PACKAGE}@{VERSION}` (or download {TARBALL_URL}), "
               f"copy {TARBALL_NAME} to this machine and run "
               f"`aigc-course data fetch tang-full --from {TARBALL_NAME}`")
SOURCE = DataSource(
    name="全唐诗 (chinese-poetry 2.0.1)",
    subdir=PACKAGE,
    system_dirs=(),
    install_hint=f"run `aigc-course data fetch tang-full` (uses npm, or downloads from the npm registry); "
                 f"without network: {OFFLINE_FIX}",
    fetch_name="tang-full",
)
_LAYOUTS = ("", PACKAGE, "quantangshi", "dist/quantangshi", "package/dist/quantangshi",
            f"{PACKAGE}/quantangshi", f"{PACKAGE}/dist/quantangshi")
_NON_HAN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_PUNCT = re.compile(r"[，。！？；、：,.!?;:\s]+")


def normalise(text: str) -> str:
    """Only the Han characters of ``text`` (punctuation, spaces and line breaks removed): the key used to
    recognise the same poem in two collections."""
    if not isinstance(text, str):
        raise TypeError(f"normalise expects a str, got {type(text).__name__}")
    return _NON_HAN.sub("", text)


def _cache_dir() -> Path:
    return keras_cache_dir() / PACKAGE


def _holds_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob(FILE_GLOB))


def _candidate_bases(data_dir) -> list[tuple[str, Path]]:
    out = []
    if data_dir is not None:
        if not isinstance(data_dir, (str, os.PathLike)):
            raise TypeError(f"data_dir must be a path (str or os.PathLike) or None, got {type(data_dir).__name__}")
        out.append(("data_dir argument", Path(data_dir).expanduser()))
    env = os.environ.get("AIGC_DATA_DIR", "").strip()
    if env:
        out.append(("$AIGC_DATA_DIR", Path(env).expanduser()))
    out.append(("Keras cache", _cache_dir()))
    return out


def _find_folder(data_dir) -> Path | None:
    for _, base in _candidate_bases(data_dir):
        for layout in _LAYOUTS:
            folder = base / layout if layout else base
            if _holds_files(folder):
                return folder
    return None


def available(data_dir: str | os.PathLike | None = None) -> bool:
    """True when the poet.tang.*.json files are somewhere in the search order (nothing is fetched)."""
    return _find_folder(data_dir) is not None


def _extract(tgz: Path, target: Path) -> Path:
    """Copy dist/quantangshi/poet.tang.*.json out of the npm tarball into ``target``: into a temporary folder
    beside it first, renamed to ``target`` only when complete (an interrupted extraction leaves nothing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    pattern = re.compile(r"^package/dist/quantangshi/(poet\.tang\.\d+\.json)$")
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part"))
    try:
        n = 0
        with tarfile.open(tgz, "r:gz") as tar:
            for member in tar:
                m = pattern.match(member.name)
                if m and member.isfile():
                    (tmp / m.group(1)).write_bytes(tar.extractfile(member).read())
                    n += 1
        if n == 0:
            raise CorruptDataError(f"{tgz} holds no package/dist/quantangshi/{FILE_GLOB}. Fix: {OFFLINE_FIX}.")
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise CorruptDataError(f"{tgz} is not a readable npm tarball ({exc}). Fix: {OFFLINE_FIX}.") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return target


def _check_tarball(path: Path) -> None:
    """ValueError unless ``path`` is the published chinese-poetry 2.0.1 tarball (sha512 of the registry)."""
    digest = hashlib.sha512()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    got = "sha512-" + base64.b64encode(digest.digest()).decode("ascii")
    if got != TARBALL_INTEGRITY:
        raise ValueError(f"it is not {TARBALL_NAME} as published on the npm registry ({got[:23]}…, expected "
                         f"{TARBALL_INTEGRITY[:23]}…)")


class NpmError(RuntimeError):
    """``npm pack`` ran and failed (its first error line is the message)."""


def _npm_error(stderr: str) -> str:
    for line in stderr.splitlines():
        text = line.removeprefix("npm error").removeprefix("npm ERR!").strip()
        if text and not re.match(r"^(code|errno|syscall)\b|^A complete log", text):
            return text
    return stderr.strip() or "no error message"


def _npm_pack(workdir: Path) -> Path:
    """``npm pack chinese-poetry@2.0.1`` in ``workdir``; FileNotFoundError when npm is not installed, NpmError
    when it fails (no retries; a registry that does not answer fails after the download timeout)."""
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm is not installed")
    timeout = download_timeout()
    command = [npm, "pack", f"{PACKAGE}@{VERSION}", "--loglevel=error", "--fetch-retries=0",
               f"--fetch-timeout={int(timeout * 1000)}"]
    if NPM_REGISTRY:
        command.append(f"--registry={NPM_REGISTRY}")
    print(f"aigc-course: running `npm pack {PACKAGE}@{VERSION}` (npm's registry) into {workdir}/ "
          f"(giving up after {timeout:g} s without an answer)", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, timeout=NPM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise NpmError(f"npm pack did not finish within {NPM_TIMEOUT_S} s") from None
    if done.returncode != 0:
        raise NpmError(f"npm pack failed: {_npm_error(done.stderr)}")
    found = sorted(workdir.glob(f"{PACKAGE}-*.tgz"))
    if not found:
        raise NpmError(f"npm pack left no {PACKAGE}-*.tgz in {workdir}")
    return found[0]


def _download(workdir: Path) -> Path:
    return download(TARBALL_URL, workdir / TARBALL_NAME, what=f"{PACKAGE} {VERSION} (npm tarball)",
                    check=_check_tarball)


def fetch_full_tang(from_file: str | os.PathLike | None = None) -> Path:
    """Put the poem files into the Keras cache (``~/.keras/datasets/chinese-poetry/quantangshi``) and return
    that folder.

    ``from_file``: a copy of chinese-poetry-2.0.1.tgz (made with ``npm pack chinese-poetry@2.0.1`` on any
    machine with network); it is checked against the registry's sha512 and unpacked, no network needed.
    Otherwise: nothing to do when the files are there; else ``npm pack`` when npm exists, or a download of
    the same tarball. The first failing connection ends the attempt with DataNotFoundError.
    """
    target = _cache_dir() / "quantangshi"
    if from_file is not None:
        if not isinstance(from_file, (str, os.PathLike)):
            raise TypeError(f"from_file must be a path to {TARBALL_NAME}, got {type(from_file).__name__}")
        path = Path(from_file).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist. Fix: {OFFLINE_FIX}.")
        try:
            _check_tarball(path)
        except ValueError as exc:
            raise CorruptDataError(f"{path} is not usable: {exc}. Fix: {OFFLINE_FIX}.") from None
        return _extract(path, target)
    if _holds_files(target):
        return target
    if offline():
        raise DataNotFoundError(_missing_message(None, "fetch: skipped because AIGC_OFFLINE is set"))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            try:
                tgz = _npm_pack(Path(tmp))
            except FileNotFoundError:  # no npm: the same tarball straight from the registry
                tgz = _download(Path(tmp))
            _check_tarball(tgz)
        except (NpmError, DownloadError, ValueError) as exc:
            raise DataNotFoundError(_missing_message(None, f"fetch failed ({exc})")) from None
        return _extract(tgz, target)


def _missing_message(data_dir, note: str) -> str:
    tried = [(label, (base / layout if layout else base) / FILE_GLOB)
             for label, base in _candidate_bases(data_dir) for layout in ("", PACKAGE, "quantangshi")]
    return not_found_message(SOURCE, FILE_GLOB, tried, note)


def _locate(data_dir) -> Path:
    folder = _find_folder(data_dir)
    if folder is not None:
        return folder
    if offline():
        raise DataNotFoundError(_missing_message(data_dir, "fetch: skipped because AIGC_OFFLINE is set"))
    return fetch_full_tang()


def _read_raw(folder: Path) -> list[dict]:
    files = sorted(folder.glob(FILE_GLOB), key=lambda p: int(re.findall(r"\d+", p.name)[-1]))
    records = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a JSON list of poems, got {type(data).__name__}")
        for i, item in enumerate(data):
            if not isinstance(item, dict) or not isinstance(item.get("paragraphs"), list):
                raise ValueError(f"{path}: poem {i} must be an object with a 'paragraphs' list, got {item!r:.80}")
            records.append(item)
    return records


def _convert(records: list[dict], simplified: bool) -> tuple[list[Poem], int]:
    """Poems (optionally simplified) with empty and duplicate bodies dropped; returns (poems, duplicates)."""
    convert = (lambda s: s)
    if simplified:
        import opencc

        cc = opencc.OpenCC("t2s")
        convert = cc.convert
    poems, seen, duplicates = [], set(), 0
    for item in records:
        lines = [str(p).strip() for p in item["paragraphs"] if str(p).strip()]
        if not lines:
            continue
        # one OpenCC call per poem: title, author and lines separated by line breaks
        raw = "\n".join([str(item.get("title", "")).replace("\n", " "),
                         str(item.get("author", "")).replace("\n", " ")] + lines)
        parts = convert(raw).split("\n")
        title, author, body = parts[0].strip(), parts[1].strip(), tuple(parts[2:])
        key = normalise("".join(body))
        if not key:
            continue
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        poems.append(Poem(title=title, author=author, lines=body))
    return poems, duplicates


def _signature(folder: Path) -> str:
    files = sorted(folder.glob(FILE_GLOB))
    return f"{len(files)}:{sum(p.stat().st_size for p in files)}"


@functools.lru_cache(maxsize=4)
def _load_converted(folder: str, signature: str, simplified: bool) -> tuple[tuple[Poem, ...], dict]:
    folder_path = Path(folder)
    cache = _cache_dir() / CACHE_FILE
    cacheable = simplified and folder_path.resolve().is_relative_to(_cache_dir().resolve())
    if cacheable and cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("signature") == signature:
            poems = tuple(Poem(p[0], p[1], tuple(p[2])) for p in data["poems"])
            return poems, dict(data["stats"])
    records = _read_raw(folder_path)
    poems, duplicates = _convert(records, simplified)
    stats = {"folder": str(folder_path), "records": len(records), "duplicates": duplicates, "poems": len(poems)}
    if cacheable:
        atomic_write_text(cache, json.dumps({"signature": signature, "stats": stats,
                                             "poems": [[p.title, p.author, list(p.lines)] for p in poems]},
                                            ensure_ascii=False))
    return tuple(poems), stats


def _pieces(poem: Poem) -> list[str]:
    """Normalised half-lines of a poem (the pieces between punctuation marks)."""
    return [h for h in (normalise(x) for x in _PUNCT.split(poem.text)) if h]


def exclude_poems(poems: list[Poem], reference: list[Poem], min_share: float = 0.5) -> tuple[list[Poem], int]:
    """Drop every poem that shares at least ``min_share`` of its half-lines with one reference poem, or holds
    at least ``min_share`` of that reference poem's half-lines. Half-lines are compared after removing
    punctuation, so a 唐诗三百首 poem is found even when an edition differs in a few characters or
    splits / merges its parts. Returns (kept poems, number removed)."""
    if not isinstance(min_share, (int, float)) or isinstance(min_share, bool) or not 0 < min_share <= 1:
        raise ValueError(f"min_share must be a number in (0, 1], got {min_share!r}")
    poems, reference = list(poems), list(reference)
    if not all(isinstance(p, Poem) for p in poems + reference):
        raise TypeError("poems and reference must be lists of Poem")
    ref_sizes = []
    owners: dict[str, set[int]] = {}
    for i, r in enumerate(reference):
        pieces = set(_pieces(r))
        ref_sizes.append(len(pieces))
        for h in pieces:
            owners.setdefault(h, set()).add(i)
    kept, removed = [], 0
    for p in poems:
        pieces = set(_pieces(p))
        shared: dict[int, int] = {}
        for h in pieces:
            for i in owners.get(h, ()):
                shared[i] = shared.get(i, 0) + 1
        if any(k >= min_share * len(pieces) or k >= min_share * ref_sizes[i] for i, k in shared.items()):
            removed += 1
        else:
            kept.append(p)
    return kept, removed


def load_full_tang(data_dir: str | os.PathLike | None = None, exclude_tang300: bool = True,
                   simplified: bool = True, limit: int | None = None) -> list[Poem]:
    """全唐诗 as a list of ``Poem`` (simplified characters, duplicates removed, and without the 唐诗三百首
    poems unless ``exclude_tang300=False``); ``limit`` keeps the first ``limit`` poems.
    ``describe()`` reports how many poems each step removed."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive int or None, got {limit!r}")
    return list(_load(data_dir, exclude_tang300, simplified)[0][:limit])


def describe(data_dir: str | os.PathLike | None = None, exclude_tang300: bool = True,
             simplified: bool = True) -> dict:
    """Where the poems came from and what loading did: records read, duplicates dropped, 唐诗三百首 poems
    removed, poems kept."""
    return dict(_load(data_dir, exclude_tang300, simplified)[1])


def _load(data_dir, exclude_tang300: bool, simplified: bool) -> tuple[list[Poem], dict]:
    folder = _locate(data_dir)
    poems, stats = _load_converted(str(folder), _signature(folder), bool(simplified))
    stats = dict(stats)
    poems = list(poems)
    stats["removed_tang300"] = 0
    if exclude_tang300:
        poems, stats["removed_tang300"] = _exclude_cached(str(folder), _signature(folder), bool(simplified),
                                                          poems)
    stats["kept"] = len(poems)
    return poems, stats


_EXCLUDED: dict = {}


def _exclude_cached(folder: str, signature: str, simplified: bool, poems: list[Poem]):
    tang300 = load_tang_poems()
    key = (folder, signature, simplified, tuple(normalise(p.text) for p in tang300))
    if key not in _EXCLUDED:
        _EXCLUDED.clear()
        _EXCLUDED[key] = exclude_poems(poems, tang300)
    kept, removed = _EXCLUDED[key]
    return list(kept), removed


__all__ = ["load_full_tang", "describe", "available", "fetch_full_tang", "exclude_poems", "normalise",
           "TARBALL_URL", "OFFLINE_FIX"]
