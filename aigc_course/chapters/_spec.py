"""Typed chapter settings: parameter kinds with ranges, shared values, per-profile overrides, deep freezing.

Each chapter module (``ch04_dcgan.py`` …) declares::

    SPEC = chapter(
        params={"epochs": Int(min=1), "learning_rate": Float(min=0, min_open=True), ...},
        shared={"seed": 0, ...},                 # stated once, the same in every profile
        smoke={...}, standard={...}, full={...},  # what differs between profiles
    )

``SPEC.values(profile)`` merges shared values and the profile's overrides (bars merged key by key) and
deep-freezes the result: dicts become read-only ``FrozenDict`` and lists become tuples, so changing
``cfg.bars["x"]`` raises. ``SPEC.check(name, value)`` validates one parameter value and returns it
normalised (numpy integers become int), raising ``ValueError`` with one line that says what was expected,
what was found and how to fix it.
"""

from __future__ import annotations

import difflib
import numbers
from typing import Any, Iterable, Mapping

PROFILES = ("smoke", "standard", "full")


# ------------------------------------------------------------------------------------------ freezing
class FrozenDict(Mapping[str, Any]):
    """A read-only, hashable-free, picklable mapping (used for ``bars`` and nested settings)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] = ()):  # noqa: D107
        object.__setattr__(self, "_data", dict(data))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __setattr__(self, name, value):
        raise AttributeError("settings are read-only; pass overrides to config.settings(...)")

    def __setitem__(self, key, value):
        raise TypeError(f"settings are read-only: cannot set {key!r}; pass overrides to config.settings(...)")

    def __delitem__(self, key):
        raise TypeError(f"settings are read-only: cannot delete {key!r}")

    def __eq__(self, other):
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    __hash__ = None

    def __reduce__(self):
        return (FrozenDict, (self._data,))

    def __repr__(self):
        return f"FrozenDict({self._data!r})"


def freeze(value: Any) -> Any:
    """Deep-freeze: Mapping -> FrozenDict, list/tuple -> tuple, other values unchanged."""
    if isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of :func:`freeze` (FrozenDict -> dict, tuple -> list), for JSON and copies."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


# ------------------------------------------------------------------------------------ parameter kinds
class Param:
    """One parameter's kind. ``check(name, value)`` returns the normalised value or raises ValueError."""

    optional = False

    def describe(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def _fail(self, name: str, value: Any, fix: str = "") -> None:
        found = f"{value!r} ({type(value).__name__})"
        message = f"parameter {name!r} expects {self.describe()}, got {found}"
        if fix:
            message += f"; {fix}"
        raise ValueError(message)

    def check(self, name: str, value: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


def _range_text(lo, hi, lo_open, hi_open) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '<='} {hi:g}")
    return " and ".join(parts)


class _Number(Param):
    def __init__(self, min=None, max=None, min_open=False, max_open=False):  # noqa: A002
        self.min, self.max, self.min_open, self.max_open = min, max, min_open, max_open

    def _in_range(self, x) -> bool:
        if self.min is not None and (x <= self.min if self.min_open else x < self.min):
            return False
        if self.max is not None and (x >= self.max if self.max_open else x > self.max):
            return False
        return True

    def _range(self) -> str:
        text = _range_text(self.min, self.max, self.min_open, self.max_open)
        return f" {text}" if text else ""


class Int(_Number):
    """A whole number (numpy integers accepted), optionally within [min, max]."""

    def describe(self):
        return f"a whole number{self._range()}"

    def check(self, name, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            if isinstance(value, float) and value.is_integer():
                self._fail(name, value, f"write it without a decimal point, e.g. {int(value)}")
            self._fail(name, value)
        value = int(value)
        if not self._in_range(value):
            self._fail(name, value)
        return value


class Float(_Number):
    """A real number (ints accepted and kept), optionally within a range."""

    def describe(self):
        return f"a number{self._range()}"

    def check(self, name, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self._fail(name, value)
        value = float(value) if not isinstance(value, numbers.Integral) else int(value)
        if value != value or value in (float("inf"), float("-inf")) or not self._in_range(value):
            self._fail(name, value)
        return value


def Prob(**kw) -> Float:  # noqa: N802 - reads like a kind
    """A probability or share in [0, 1] (open ends with min_open / max_open)."""
    return Float(min=0.0, max=1.0, **kw)


class Bool(Param):
    """True or False (a real boolean; the text 'false' is not accepted)."""

    def describe(self):
        return "True or False"

    def check(self, name, value):
        try:
            import numpy as np

            if isinstance(value, np.bool_):
                return bool(value)
        except ImportError:  # pragma: no cover
            pass
        if not isinstance(value, bool):
            fix = ""
            if isinstance(value, str) and value.lower() in ("true", "false"):
                fix = f"write {value.capitalize()} (Python's spelling)"
            self._fail(name, value, fix)
        return value


class Choice(Param):
    """One of a fixed set of values."""

    def __init__(self, *options):
        self.options = tuple(options)

    def describe(self):
        return "one of " + ", ".join(repr(o) for o in self.options)

    def check(self, name, value):
        if not any(value == o and type(value) is type(o) for o in self.options):
            self._fail(name, value)
        return value


class Str(Param):
    def describe(self):
        return "a text value"

    def check(self, name, value):
        if not isinstance(value, str) or not value:
            self._fail(name, value)
        return value


class ListOf(Param):
    """A list (or tuple) of values of one kind, with a length range; given as JSON on the command line."""

    def __init__(self, item: Param, min_len: int = 1, max_len: int | None = None):
        self.item, self.min_len, self.max_len = item, min_len, max_len

    def describe(self):
        n = f"at least {self.min_len}" if self.max_len is None else (
            f"exactly {self.min_len}" if self.max_len == self.min_len else f"{self.min_len} to {self.max_len}")
        return f"a list of {n} item(s), each {self.item.describe()}"

    def check(self, name, value):
        try:
            import numpy as np

            if isinstance(value, np.ndarray):
                value = value.tolist()
        except ImportError:  # pragma: no cover
            pass
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            self._fail(name, value, "give a list, e.g. -p NAME '[64, 32]'")
        if len(value) < self.min_len or (self.max_len is not None and len(value) > self.max_len):
            self._fail(name, value)
        return [self.item.check(f"{name}[{i}]", v) for i, v in enumerate(value)]


class Optional(Param):
    """``None`` or a value of another kind."""

    optional = True

    def __init__(self, inner: Param):
        self.inner = inner

    def describe(self):
        return f"None or {self.inner.describe()}"

    def check(self, name, value):
        return None if value is None else self.inner.check(name, value)


class Bars(Param):
    """The quality bars (a dict); overriding them replaces the named bars only."""

    def describe(self):
        return "a dict of quality bars"

    def check(self, name, value):
        if not isinstance(value, Mapping):
            self._fail(name, value)
        return dict(value)


# ------------------------------------------------------------------------------------------ chapters
class ChapterSpec:
    """One chapter's parameters, shared values and per-profile overrides."""

    def __init__(self, params: Mapping[str, Param], shared: Mapping[str, Any],
                 profiles: Mapping[str, Mapping[str, Any]]):
        self.params = dict(params)
        self.params.setdefault("bars", Bars())
        self.shared = dict(shared)
        self.profiles = {p: dict(profiles.get(p, {})) for p in PROFILES}
        self.chapter = "?"
        # Every value (shared or per-profile) must be declared and valid: a mistake in a chapter file
        # fails at import, not in a learner's notebook.
        for where, block in [("shared", self.shared), *self.profiles.items()]:
            for name, value in block.items():
                if name not in self.params:
                    raise ValueError(f"setting {name!r} ({where}) has no declared kind in params")
                self.params[name].check(name, value)
        for profile in PROFILES:
            missing = set(self.params) - set(self.shared) - set(self.profiles[profile]) - {"bars"}
            if missing:
                raise ValueError(f"profile {profile!r} lacks a value for {', '.join(sorted(missing))}")

    def names(self) -> list[str]:
        return sorted(self.params)

    def raw(self, profile: str) -> dict:
        """Shared values, then the profile's overrides; bars merged key by key. Not frozen."""
        values = {**self.shared, **{k: v for k, v in self.profiles[profile].items() if k != "bars"}}
        values["bars"] = {**dict(self.shared.get("bars", {})), **dict(self.profiles[profile].get("bars", {}))}
        return values

    def values(self, profile: str) -> FrozenDict:
        return freeze(self.raw(profile))

    def unknown(self, name: str) -> str:
        """The message for a parameter this chapter does not have, with the closest known names."""
        close = difflib.get_close_matches(name, self.names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return (f"chapter {self.chapter!r} has no parameter {name!r}{hint} "
                f"(known: {', '.join(n for n in self.names() if n != 'bars')})")

    def check(self, name: str, value: Any) -> Any:
        if name not in self.params:
            raise ValueError(self.unknown(name))
        return self.params[name].check(name, value)


def chapter(params: Mapping[str, Param], shared: Mapping[str, Any] | None = None,
            smoke: Mapping[str, Any] | None = None, standard: Mapping[str, Any] | None = None,
            full: Mapping[str, Any] | None = None) -> ChapterSpec:
    return ChapterSpec(params, shared or {}, {"smoke": smoke or {}, "standard": standard or {}, "full": full or {}})


def close_matches(name: str, known: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(name, list(known), n=3)
