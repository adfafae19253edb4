"""nbgrader's autograded test for one question: ``grade(q1)`` in a read-only test cell.

Under ``nbgrader autograde`` (or ``validate``; nbgrader sets ``NBGRADER_EXECUTION``) and with
``AIGC_STRICT_CHECKS=1``, it raises AssertionError unless the learner's answer is correct, so nbgrader
gives the cell's points only to a correct answer. In a learner's own run it does nothing: the feedback
is ``q1.check()``'s, in the cell above.
"""

from __future__ import annotations

import os
import sys

from .core import Question, strict


def grading() -> bool:
    """True while nbgrader executes the notebook (autograde or validate) or checks are strict."""
    return bool(os.environ.get("NBGRADER_EXECUTION")) or strict()


def grade(question: Question, *values) -> None:
    """Raise AssertionError (with the check's message) unless ``question`` is answered correctly; the
    answer is read from the notebook's variables named by the question, or given as ``values``. Only
    while grading (see ``grading``); otherwise return at once."""
    if not grading():
        return
    if not values:
        frame = sys._getframe(1)
        namespace = {**frame.f_globals, **frame.f_locals}
        missing = [v for v in question.vars if v not in namespace]
        if missing:
            raise AssertionError(f"{question.name}: {', '.join(missing)} is not defined; the answer cell "
                                 f"was not run or was deleted.")
        values = tuple(namespace[v] for v in question.vars)
    result = question.evaluate(*values)
    if not result.correct:
        raise AssertionError(str(result))
