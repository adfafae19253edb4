"""Helpers shared by the tests (importable as ``from helpers import raises_message``)."""

from __future__ import annotations

import contextlib
import re

import pytest


@contextlib.contextmanager
def raises_message(exc_type, message: str):
    """Assert that the block raises ``exc_type`` whose whole message (str(exc)) equals ``message``.

    Use it wherever a test checks an error message: a partial ``match=`` lets a message lose the part
    that tells the user how to fix the problem without any test noticing.
    """
    with pytest.raises(exc_type) as info:
        yield info
    text = str(info.value)
    if isinstance(info.value, KeyError) and text.startswith(("'", '"')):
        text = info.value.args[0]
    assert text == message, f"\nexpected message:\n  {message}\nactual message:\n  {text}"


def matches_whole(pattern: str, text: str) -> bool:
    """True when the regular expression matches all of ``text`` (for messages holding a temp path)."""
    return re.fullmatch(pattern, text, flags=re.S) is not None
