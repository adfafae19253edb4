"""Questions a learner answers inside a notebook: ``q1.check()``, ``q1.hint()``, ``q1.solution()``.

A question names the variables (or functions) the learner fills in. ``check()`` reads them from the
notebook's namespace, so the learner writes ``answer = ...`` and then runs ``q1.check()``; values can
also be passed directly: ``q1.check(answer)``.

Results: correct, incorrect (with the reason), or not attempted (the value is still ``____``).
With ``AIGC_STRICT_CHECKS=1`` (set by the tests for solutions/), anything but correct raises
AssertionError, so a wrong reference solution fails CI.
"""

from __future__ import annotations

import html
import inspect
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"


NOT_ANSWERED = "这里的 ____ 还没有作答（not answered yet）：先把 ____ 换成你的答案，再运行这段代码。"


class _Blank:
    """The ``____`` placeholder: any arithmetic, call, index or attribute on it gives ``____`` again,
    so an exercise notebook runs top to bottom before the learner has answered anything. Iterating over it
    (``for x in ____``, ``list(____)``, ``x in ____``) raises NotAttempted instead of looping for ever."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "____"

    def __bool__(self):
        return False

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key):
        return self

    def __iter__(self):  # without it, Python would iterate through __getitem__(0), (1), ... for ever
        raise NotAttempted(NOT_ANSWERED)

    def _same(self, *args):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __pow__ = __rpow__ = _same
    __matmul__ = __rmatmul__ = __mod__ = __rmod__ = __neg__ = __pos__ = __abs__ = _same


____ = _Blank()


class NotAttempted(Exception):
    """Raise inside a checker when the learner's code produced a blank."""


def is_blank(value: Any) -> bool:
    """True if ``value`` is ``____`` or a list/tuple/dict holding one."""
    if value is ____:
        return True
    if isinstance(value, (list, tuple)):
        return any(is_blank(v) for v in value)
    if isinstance(value, dict):
        return any(is_blank(v) for v in value.values())
    return False


def not_a_function(value: Any, name: str, signature: str = "") -> str | None:
    """None when ``value`` can be called; the learner's message when it cannot.

    A blank (``____``) means the learner has not started: that raises :class:`NotAttempted`.
    ``signature`` (for example ``"auc(positive, negative)"``) is shown after the name when given.
    """
    if is_blank(value):
        raise NotAttempted(f"先把 {name} 写完。")
    if callable(value):
        return None
    shown = f"{name} 应该是一个函数 {signature}" if signature else f"{name} 应该是一个函数"
    return f"{shown}，而你给的是 {type(value).__name__}。"


@dataclass(frozen=True)
class CheckResult:
    question: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        mark = {CORRECT: "✔ 正确", INCORRECT: "✘ 不正确", NOT_ATTEMPTED: "… 尚未作答"}[self.status]
        return f"{self.question} {mark}：{self.message}" if self.message else f"{self.question} {mark}"

    def _repr_html_(self) -> str:
        colour = {CORRECT: "#2e7d32", INCORRECT: "#c62828", NOT_ATTEMPTED: "#6d6d6d"}[self.status]
        return f'<p style="color:{colour};font-weight:bold">{html.escape(str(self))}</p>'


def _show(obj) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
        if get_ipython() is not None:
            display(Markdown(obj) if isinstance(obj, str) else obj)
            return
    except ImportError:
        pass
    print(obj)


def strict() -> bool:
    return os.environ.get("AIGC_STRICT_CHECKS", "").strip() not in ("", "0", "false", "no")


class Question:
    """One exercise question.

    checker(*values) returns None when the answer is right, or a string saying what is wrong; it may
    raise NotAttempted. ``var`` names the notebook variables read by ``check()`` when no values are given.
    """

    def __init__(self, name: str, checker: Callable[..., str | None], *, var: str | Sequence[str],
                 hints: str | Sequence[str] = (), solution: str = "", prompt: str = ""):
        self.name = name
        self.checker = checker
        self.vars = (var,) if isinstance(var, str) else tuple(var)
        self.hints = (hints,) if isinstance(hints, str) else tuple(hints)
        self.solution_text = solution
        self.prompt = prompt

    def __repr__(self) -> str:
        return f"<Question {self.name}: fill in {', '.join(self.vars)}>"

    def _caller_values(self, depth: int = 2):
        frame = sys._getframe(depth)
        ns = {**frame.f_globals, **frame.f_locals}
        missing = [v for v in self.vars if v not in ns]
        if missing:
            raise NameError(
                f"{self.name}: the variable(s) {', '.join(missing)} are not defined yet; "
                f"run the cell where you write your answer first."
            )
        return tuple(ns[v] for v in self.vars)

    def evaluate(self, *values) -> CheckResult:
        """Check ``values`` (one per name in ``var``) and return the result without displaying it."""
        if len(values) != len(self.vars):
            raise TypeError(f"{self.name}.check expects {len(self.vars)} value(s) "
                            f"({', '.join(self.vars)}), got {len(values)}")
        if is_blank(values):
            return CheckResult(self.name, NOT_ATTEMPTED, f"把 {', '.join(self.vars)} 中的 ____ 换成你的答案。")
        try:
            reason = self.checker(*values)
        except NotAttempted as exc:
            return CheckResult(self.name, NOT_ATTEMPTED, str(exc) or "你的代码里还有 ____。")
        except Exception as exc:  # the learner's function raised
            return CheckResult(self.name, INCORRECT, f"运行你的答案时出错：{type(exc).__name__}: {exc}")
        if reason:
            return CheckResult(self.name, INCORRECT, str(reason))
        return CheckResult(self.name, CORRECT, "")

    def check(self, *values) -> None:
        """Display correct / incorrect (with the reason) / not attempted."""
        if not values:
            values = self._caller_values()
        result = self.evaluate(*values)
        _show(result)
        if strict() and not result.correct:
            raise AssertionError(f"strict check failed: {result}")

    def hint(self, n: int = 1) -> None:
        if not self.hints:
            _show(f"{self.name} 没有提示。")
            return
        n = max(1, min(n, len(self.hints)))
        more = f"（还有 {len(self.hints) - n} 条：`{self.name}.hint({n + 1})`）" if n < len(self.hints) else ""
        _show(f"**提示 {n}/{len(self.hints)}**：{self.hints[n - 1]}{more}")

    def solution(self) -> None:
        _show(f"**参考答案**\n\n{self.solution_text}" if self.solution_text else f"{self.name} 没有参考答案。")


def close(a, b, rtol: float = 1e-3, atol: float = 1e-4) -> bool:
    """Numeric comparison used by checkers (accepts scalars, lists and arrays of any backend)."""
    import numpy as np

    try:
        a = np.asarray(a, dtype="float64")
        b = np.asarray(b, dtype="float64")
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def source_of(fn: Callable) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def as_number(value, name: str) -> float:
    """``value`` as a float, for checkers. A blank raises NotAttempted; anything that is not one number
    raises TypeError with a message for the learner (checkers return ``str(exc)``)."""
    import numpy as np

    if is_blank(value):
        raise NotAttempted()
    if isinstance(value, (bool, str, bytes)) or value is None:
        raise TypeError(f"{name} 应该是一个数，而你给的是 {type(value).__name__} {value!r}")
    try:
        arr = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        raise TypeError(f"{name} 应该是一个数，而你给的是 {type(value).__name__}") from None
    if arr.size != 1:
        raise TypeError(f"{name} 应该是一个数，而你给的数组形状是 {arr.shape}")
    return float(arr.reshape(()))


def as_array(value, name: str):
    """``value`` as a float64 numpy array (any backend's tensor works); blank -> NotAttempted."""
    import numpy as np

    if is_blank(value):
        raise NotAttempted()
    if hasattr(value, "shape") and not isinstance(value, np.ndarray):  # a backend tensor
        import keras

        value = keras.ops.convert_to_numpy(value)
    try:
        return np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        raise TypeError(f"{name} 应该是一个数组，而你给的是 {type(value).__name__}") from None


def scalar_checker(name: str, expected: float, known_wrong: dict | None = None, rtol: float = 1e-3,
                   atol: float = 1e-4, retry: str = "请对照公式再算一遍。"):
    """A checker for one number: None when close to ``expected``; the message of a known mistake
    (``known_wrong`` maps a wrong value to what to say); else a generic message ending with ``retry``."""
    def checker(value):
        try:
            v = as_number(value, name)
        except TypeError as exc:
            return str(exc)
        if close(v, expected, rtol=rtol, atol=atol):
            return None
        for wrong, message in (known_wrong or {}).items():
            if close(v, wrong, rtol=rtol, atol=1e-3):
                return message
        return f"{name} = {v:.4f} 不对；{retry}"
    return checker
