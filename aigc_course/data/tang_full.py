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
from the public npm registry) unless ``AIGC_OFFLINE`` is set; ``aigc-course data fetch tang-full`` does the
same explicitly. The converted corpus is cached next to the fetched files, so conversion happens once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from ._search import DataNotFoundError, DataSource, keras_cache_dir, not_found_message, offline
from .chinese_text import Poem, load_tang_poems

PACKAGE = "chinese-poetry"
VERSION = "2.0.1"
TARBALL_URL = f"https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"
TARBALL_SHA1 = "b6e7e60d0accac7c723d066a5c360549aab8299d"
FILE_GLOB = "poet.tang.*.json"
CACHE_FILE = "tang_full_simplified.json"
SOURCE = DataSource(
    name="全唐诗 (chinese-poetry 2.0.1)",
    subdir=PACKAGE,
    system_dirs=(),
    install_hint="run `aigc-course data fetch tang-full` (uses npm, or downloads from the npm registry)",
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
    """Copy dist/quantangshi/poet.tang.*.json out of the npm tarball into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    pattern = re.compile(r"^package/dist/quantangshi/(poet\.tang\.\d+\.json)$")
    n = 0
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar:
            m = pattern.match(member.name)
            if m and member.isfile():
                data = tar.extractfile(member).read()
                (target / m.group(1)).write_bytes(data)
                n += 1
    if n == 0:
        raise DataNotFoundError(f"{tgz} holds no package/dist/quantangshi/{FILE_GLOB}")
    return target


def _npm_pack(workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm is not installed")
    subprocess.run([npm, "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=900)
    found = sorted(workdir.glob(f"{PACKAGE}-*.tgz"))
    if not found:
        raise FileNotFoundError(f"npm pack left no {PACKAGE}-*.tgz in {workdir}")
    return found[0]


def _download(workdir: Path) -> Path:
    from urllib.request import urlopen

    path = workdir / f"{PACKAGE}-{VERSION}.tgz"
    digest = hashlib.sha1()
    with urlopen(TARBALL_URL, timeout=60) as response, open(path, "wb") as f:
        for chunk in iter(lambda: response.read(1 << 20), b""):
            digest.update(chunk)
            f.write(chunk)
    if digest.hexdigest() != TARBALL_SHA1:
        raise ValueError(f"downloaded {TARBALL_URL} has sha1 {digest.hexdigest()}, expected {TARBALL_SHA1}")
    return path


def fetch_full_tang() -> Path:
    """Fetch the poem files into the Keras cache (``~/.keras/datasets/chinese-poetry/quantangshi``) and
    return that folder: ``npm pack`` when npm exists, otherwise a download of the same tarball."""
    target = _cache_dir() / "quantangshi"
    if _holds_files(target):
        return target
    if offline():
        raise DataNotFoundError(_missing_message(None, "fetch: skipped because AIGC_OFFLINE is set"))
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        tgz = None
        for getter in (_npm_pack, _download):
            try:
                tgz = getter(Path(tmp))
                break
            except Exception as exc:  # npm missing, no network, ...
                notes.append(f"{getter.__name__.strip('_')}: {type(exc).__name__}: {exc}")
        if tgz is None:
            raise DataNotFoundError(_missing_message(None, "fetch failed (" + "; ".join(notes) + ")"))
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
        cache.write_text(json.dumps({"signature": signature, "stats": stats,
                                     "poems": [[p.title, p.author, list(p.lines)] for p in poems]},
                                    ensure_ascii=False), encoding="utf-8")
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
           "TARBALL_URL"]
