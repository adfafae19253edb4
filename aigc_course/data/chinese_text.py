"""Chinese text from the Debian package ``fortunes-zh`` and a character-level tokenizer.

Files (in ``/usr/share/games/fortunes`` once ``fortunes-zh`` is installed):

- ``tang300``: 唐诗三百首, 313 poems;
- ``song100``: about a hundred Song-dynasty poems (宋诗: regular poems such as 绝句 and 律诗, no 宋词
  lyrics; the package calls the file "song100");
- ``chinese``: about 5 000 sayings, quotes and notes (about 2 MB).

Records are separated by a line holding only ``%``. In ``tang300`` and ``song100`` the first line of
a record is the title (``《…》``, in ``song100`` prefixed with ``题目:``) and the second the author
(``作者：…`` or ``作者:…`` with the years in brackets); both are wrapped in ANSI colour codes,
which every loader here strips.
"""

from __future__ import annotations

import functools
import json
import numbers
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .._io import atomic_write_text, read_json
from ._search import DataSource, corrupt_error, file_problem, find_file

SOURCE = DataSource(
    name="fortunes-zh",
    subdir="fortunes",
    system_dirs=["/usr/share/games/fortunes"],
    install_hint="install the Debian package with `sudo apt-get install fortunes-zh`",
    reinstall_hint="sudo apt-get install --reinstall fortunes-zh",
)
TANG_FILE = "tang300"
SONG_FILE = "song100"
CORPUS_FILE = "chinese"

# Complete CSI sequences (``ESC [ 32 m``), sequences cut short by the next ESC (``ESC [ ;`` followed
# by ``ESC [ 34;1m`` occurs in ``chinese``), and any lone ESC left over.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\[[0-9;?]*(?=\x1b|$)|\x1b", re.MULTILINE)
_SEPARATOR = re.compile(r"^%[ \t]*$", re.MULTILINE)
_SECTION_MARK = re.compile(r"^其[一二三四五六七八九十]+$")  # "其一", "其二": headings between parts
_AUTHOR_PREFIX = re.compile(r"^作者[：:]\s*")
_TITLE_PREFIX = re.compile(r"^题目[：:]\s*")


def strip_ansi(text: str) -> str:
    """Remove ANSI colour/escape sequences from ``text``."""
    if not isinstance(text, str):
        raise TypeError(f"strip_ansi expects a str, got {type(text).__name__}")
    return _ANSI.sub("", text)


def split_records(text: str) -> list[str]:
    """Split a fortune file into records at lines holding only ``%`` (trailing blanks allowed)."""
    if not isinstance(text, str):
        raise TypeError(f"split_records expects a str, got {type(text).__name__}")
    return [r for r in (part.strip("\n") for part in _SEPARATOR.split(text)) if r.strip()]


@dataclass(frozen=True)
class Poem:
    """One poem: clean title and author (no colour codes, brackets or prefixes) and its text lines."""

    title: str
    author: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _clean_title(raw: str) -> str:
    title = _TITLE_PREFIX.sub("", strip_ansi(raw).strip())
    if title.startswith("《"):
        # Find the 》 that closes the opening 《 (titles may quote other works: 《前赋〈…〉诗…》).
        depth, end = 0, -1
        for i, ch in enumerate(title):
            if ch == "《":
                depth += 1
            elif ch == "》":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end > 0:
            title = title[1:end] + title[end + 1:].strip()
    return title.strip()


def _clean_author(raw: str) -> str:
    author = _AUTHOR_PREFIX.sub("", strip_ansi(raw).strip())
    # Drop the bracketed note after the name: years "（１００２－１０６０）" or a short biography.
    cut = author.find("（")
    if cut > 0:
        author = author[:cut]
    return author.strip()


def parse_poems(text: str, source: str = "<text>") -> list[Poem]:
    """Parse the text of ``tang300`` / ``song100`` into poems.

    Blank lines and the part headings ``其一``/``其二`` are dropped; every kept line is stripped.
    A record without a title line, an author line starting with ``作者`` and at least one text line
    raises ValueError naming ``source`` and the record number (1-based).
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_poems expects a str, got {type(text).__name__}")
    poems = []
    for number, record in enumerate(split_records(text), start=1):
        raw_lines = [strip_ansi(line).strip() for line in record.split("\n")]
        raw_lines = [line for line in raw_lines if line]
        if len(raw_lines) < 3 or not _AUTHOR_PREFIX.match(raw_lines[1]):
            raise ValueError(
                f"{source}: record {number} is not a poem (expected a title line, an author line "
                f"starting with '作者' and at least one line of text), got {record[:60]!r}")
        body = tuple(line for line in raw_lines[2:] if not _SECTION_MARK.match(line))
        poems.append(Poem(title=_clean_title(raw_lines[0]), author=_clean_author(raw_lines[1]),
                          lines=body))
    return poems


def parse_corpus(text: str) -> list[str]:
    """Parse the ``chinese`` file into records: colour codes removed, no-break spaces turned into
    spaces, trailing blanks of each line and blank lines around the record removed."""
    if not isinstance(text, str):
        raise TypeError(f"parse_corpus expects a str, got {type(text).__name__}")
    out = []
    for record in split_records(text):
        lines = [strip_ansi(line).replace("\xa0", " ").rstrip() for line in record.split("\n")]
        cleaned = "\n".join(lines).strip("\n")
        if cleaned.strip():
            out.append(cleaned)
    return out


def _find(filename: str, data_dir) -> Path:
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be a path (str or os.PathLike) or None, got {type(data_dir).__name__}")
    return find_file(SOURCE, filename, data_dir)


def read_text_file(path: str | os.PathLike) -> str:
    """The UTF-8 text of a fortunes-zh file; a file that is not UTF-8 or holds no text raises
    CorruptDataError naming the file and the fix."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise corrupt_error(SOURCE, path, f"it is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                                          f"{exc.start})") from None
    if not text.strip():
        raise corrupt_error(SOURCE, path, "it is empty" if not raw else "it holds only blank space")
    return text


@functools.lru_cache(maxsize=8)
def _read_cached(path: str, mtime_ns: int, kind: str):
    text = read_text_file(path)
    if kind == "poems":
        try:
            return tuple(parse_poems(text, source=path))
        except ValueError as exc:
            raise corrupt_error(SOURCE, path, str(exc).removeprefix(f"{path}: ")) from None
    records = tuple(parse_corpus(text))
    if not records:
        raise corrupt_error(SOURCE, path, "it holds no records")
    return records


def _load(filename: str, data_dir, kind: str):
    path = _find(filename, data_dir)
    return list(_read_cached(str(path), path.stat().st_mtime_ns, kind))


def load_tang_poems(data_dir: str | os.PathLike | None = None) -> list[Poem]:
    """唐诗三百首 (313 poems) from ``tang300``. Parsed once per file and cached."""
    return _load(TANG_FILE, data_dir, "poems")


def load_song_poems(data_dir: str | os.PathLike | None = None) -> list[Poem]:
    """宋诗: the Song-dynasty poems of ``song100`` (96 regular poems, 绝句 and 律诗, not 宋词 lyrics).
    Parsed once per file and cached."""
    return _load(SONG_FILE, data_dir, "poems")


def load_chinese_corpus(data_dir: str | os.PathLike | None = None) -> list[str]:
    """The ``chinese`` fortune file as a list of records (about 5 000 strings)."""
    return _load(CORPUS_FILE, data_dir, "corpus")


def check_files(data_dir: str | os.PathLike | None = None) -> dict:
    """{file name: None when found and readable, "missing", or the corruption message} for the three
    fortunes-zh files (what ``aigc-course doctor`` reports)."""
    kinds = {TANG_FILE: "poems", SONG_FILE: "poems", CORPUS_FILE: "corpus"}
    return {name: file_problem(lambda: _load(name, data_dir, kind)) for name, kind in kinds.items()}


def available(data_dir: str | os.PathLike | None = None) -> bool:
    """True when all three fortunes-zh files can be found (no exception)."""
    try:
        for name in (TANG_FILE, SONG_FILE, CORPUS_FILE):
            _find(name, data_dir)
    except FileNotFoundError:
        return False
    return True


DEFAULT_SPECIALS = ("<pad>", "<unk>", "<bos>", "<eos>")


class CharTokenizer:
    """Character-level tokenizer with a deterministic vocabulary.

    Ids: the specials first, in the order given (``<pad>``, ``<unk>``, ``<bos>``, ``<eos>`` by
    default; all four names are required), then the characters of the fitted texts by descending
    count, ties broken by code point. Characters not in the vocabulary encode to ``unk_id``.
    """

    REQUIRED = DEFAULT_SPECIALS

    def __init__(self, specials: Sequence[str] = DEFAULT_SPECIALS):
        if isinstance(specials, str) or not isinstance(specials, (tuple, list)):
            raise TypeError(f"specials must be a tuple or list of strings, got {type(specials).__name__}")
        specials = tuple(specials)
        for s in specials:
            if not isinstance(s, str) or len(s) < 2:
                raise ValueError(
                    f"each special token must be a string of at least 2 characters (so it cannot "
                    f"clash with a text character), got {s!r}")
        if len(set(specials)) != len(specials):
            raise ValueError(f"special tokens must be distinct, got {specials}")
        missing = [s for s in self.REQUIRED if s not in specials]
        if missing:
            raise ValueError(f"specials must include {list(self.REQUIRED)}; missing {missing}")
        self.specials = specials
        self._itos: list[str] | None = None
        self._stoi: dict[str, int] | None = None

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, texts: Iterable[str], min_count: int = 1) -> "CharTokenizer":
        """Build the vocabulary from ``texts`` (an iterable of strings); keep characters seen at
        least ``min_count`` times. Returns ``self``."""
        if isinstance(texts, str):
            raise TypeError("fit expects an iterable of strings (e.g. a list), got a single str")
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be an integer >= 1, got {min_count!r}")
        counts: Counter = Counter()
        n = 0
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"fit expects strings, got an item of type {type(t).__name__}")
            counts.update(t)
            n += 1
        if n == 0:
            raise ValueError("fit needs at least one text, got an empty iterable")
        chars = sorted((c for c, k in counts.items() if k >= min_count), key=lambda c: (-counts[c], ord(c)))
        self._set_vocab(list(self.specials) + chars)
        return self

    def _set_vocab(self, itos: list[str]) -> None:
        self._itos = itos
        self._stoi = {s: i for i, s in enumerate(itos)}

    def _require_fitted(self, what: str) -> None:
        if self._itos is None:
            raise ValueError(f"CharTokenizer.{what} called before fit(); call fit(texts) or CharTokenizer.load(path) first")

    # -- properties ----------------------------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        self._require_fitted("vocab_size")
        return len(self._itos)

    @property
    def vocab(self) -> list[str]:
        self._require_fitted("vocab")
        return list(self._itos)

    def _special_id(self, name: str) -> int:
        return self.specials.index(name)

    pad_id = property(lambda self: self._special_id("<pad>"))
    unk_id = property(lambda self: self._special_id("<unk>"))
    bos_id = property(lambda self: self._special_id("<bos>"))
    eos_id = property(lambda self: self._special_id("<eos>"))

    # -- encode / decode -----------------------------------------------------------------------
    def encode(self, text: str, add_bos: bool = False, add_eos: bool = False) -> list[int]:
        """Ids of the characters of ``text`` (unknown ones -> ``unk_id``)."""
        self._require_fitted("encode")
        if not isinstance(text, str):
            raise TypeError(f"encode expects a str, got {type(text).__name__}")
        unk = self.unk_id
        ids = [self._stoi.get(c, unk) for c in text]
        if add_bos:
            ids.insert(0, self.bos_id)
        if add_eos:
            ids.append(self.eos_id)
        return ids

    def decode(self, ids, skip_specials: bool = True) -> str:
        """Text for ``ids`` (a list/tuple/1-D array of ints). Special tokens are dropped when
        ``skip_specials`` is true, else written as their names (e.g. ``<unk>``)."""
        self._require_fitted("decode")
        if isinstance(ids, (str, bytes)):
            raise TypeError(f"decode expects a sequence of integer ids, got {type(ids).__name__}")
        if hasattr(ids, "tolist"):  # numpy array or tensor converted by the caller
            if getattr(ids, "ndim", 1) != 1:
                raise ValueError(f"decode expects a 1-D sequence of ids, got shape {tuple(ids.shape)}")
            ids = ids.tolist()
        n_special = len(self.specials)
        out = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, numbers.Integral):
                raise TypeError(f"decode expects integer ids, got {i!r} of type {type(i).__name__}")
            if not 0 <= i < len(self._itos):
                raise ValueError(f"id {i} is out of range: valid ids are 0..{len(self._itos) - 1}")
            i = int(i)
            if i < n_special:
                if not skip_specials:
                    out.append(self._itos[i])
            else:
                out.append(self._itos[i])
        return "".join(out)

    # -- persistence ---------------------------------------------------------------------------
    FORMAT = "aigc_course.CharTokenizer"
    REFIT_HINT = "write it again with tokenizer.save(path) from a tokenizer fitted on the same texts"

    def save(self, path: str | os.PathLike) -> Path:
        """Write the vocabulary to a JSON file (atomically: never half a file); returns the path."""
        self._require_fitted("save")
        return atomic_write_text(path, json.dumps({"format": self.FORMAT, "version": 1,
                                                   "specials": list(self.specials), "vocab": self._itos},
                                                  ensure_ascii=False, indent=0))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "CharTokenizer":
        """Read a tokenizer written by :meth:`save`. A missing, damaged or foreign file raises one error that
        names the file and the fix."""
        def bad(problem: str) -> ValueError:
            return ValueError(f"the tokenizer file {path} is not usable: {problem}. Fix: {cls.REFIT_HINT}.")

        data = read_json(path, "the tokenizer file", cls.REFIT_HINT)
        if not isinstance(data, dict) or data.get("format") != cls.FORMAT:
            found = data.get("format") if isinstance(data, dict) else f"a JSON {type(data).__name__}"
            raise bad(f"expected a JSON object with format {cls.FORMAT!r}, found {found!r}")
        specials, vocab = data.get("specials"), data.get("vocab")
        if not isinstance(specials, list) or not isinstance(vocab, list):
            raise bad("expected lists under 'specials' and 'vocab'")
        if not all(isinstance(v, str) and v for v in vocab):
            raise bad("every vocabulary entry must be a non-empty string")
        try:
            tok = cls(tuple(specials))
        except (TypeError, ValueError) as exc:
            raise bad(f"its specials are invalid ({exc})") from None
        if vocab[:len(tok.specials)] != list(tok.specials) or len(set(vocab)) != len(vocab):
            raise bad("the vocabulary must start with the specials and hold no duplicates")
        tok._set_vocab(list(vocab))
        return tok

    def __repr__(self) -> str:
        size = "unfitted" if self._itos is None else f"vocab_size={len(self._itos)}"
        return f"CharTokenizer({size})"
