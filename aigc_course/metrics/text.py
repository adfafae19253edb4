"""Text metrics for the poetry chapter: perplexity, bits per character, poem form, novelty.

- perplexity = exp(mean negative log-likelihood in nats per token);
- bits per character = mean nll / ln 2;
- poem-form score: the share of poems with at least two lines whose lines are all "5 chars，5 chars。" or
  all "7 chars，7 chars。" (the regular 五言 / 七言 couplet form);
- novelty: the share of generated half-lines (the pieces between ，。！？；) that occur nowhere among the
  training poems' half-lines.
"""

from __future__ import annotations

import math
import re
from typing import Iterable

import numpy as np

__all__ = ["perplexity", "bits_per_character", "is_regular_line", "poem_form", "form_score",
           "half_lines", "novelty"]

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
