"""Exercise engine: ``Question`` with check / hint / solution, the ``____`` placeholder, and the builder
that writes exercises/ from solutions/. Each chapter's questions live in ``chNN.py``."""

from .core import CORRECT, INCORRECT, NOT_ATTEMPTED, CheckResult, NotAttempted, Question, ____, close, is_blank

__all__ = ["Question", "CheckResult", "NotAttempted", "____", "is_blank", "close",
           "CORRECT", "INCORRECT", "NOT_ATTEMPTED"]
