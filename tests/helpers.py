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


def lesson_namespace(notebook) -> dict:
    """Run the code cells of ``notebook`` whose first line is ``#@save`` (d2l's marker for the lesson's code that
    the package also holds) in a namespace with only math, np, keras and ops, and return that namespace."""
    import json
    import math
    from pathlib import Path

    import keras
    import numpy as np
    from keras import ops

    path = Path(notebook)
    nb = json.loads(path.read_text(encoding="utf-8"))
    ns = {"math": math, "np": np, "keras": keras, "ops": ops}
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in nb["cells"] if c["cell_type"] == "code"]
    for i, src in enumerate(s for s in sources if s.lstrip().startswith("#@save")):
        exec(compile(src, f"{path.name}#@save[{i}]", "exec"), ns)
    return ns
