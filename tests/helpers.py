"""Helpers shared by the tests (importable as ``from helpers import raises_message``)."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time

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


@contextlib.contextmanager
def silent_server(lifetime: float = 20.0):
    """A TCP server on 127.0.0.1 that accepts connections and never answers; it stops by itself after
    ``lifetime`` seconds at most. Yields (port, list of accepted connections)."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.1)
    accepted, stop = [], threading.Event()

    def serve():
        deadline = time.monotonic() + lifetime
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = srv.accept()
                accepted.append(conn)  # held open, never read from or written to
            except socket.timeout:
                continue
        for c in accepted:
            c.close()
        srv.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield srv.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(5)


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def without_proxies(monkeypatch) -> None:
    """Unset the proxy variables, so that urllib and npm talk to a test server on 127.0.0.1 directly."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("npm_config_noproxy", "127.0.0.1,localhost")


def lesson_namespace(notebook, saved=()) -> dict:
    """Run the code cells of ``notebook`` whose first line is ``#@save`` (d2l's marker for the lesson's code that
    the package also holds) in a namespace with only math, np, keras and ops, and return that namespace.
    ``saved``: names the #@save cells must define (an AssertionError names the missing ones)."""
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
    missing = [name for name in saved if name not in ns]
    assert not missing, f"the #@save cells of {path.name} no longer define {missing}"
    return ns


def assert_vae_lesson_equals_package(pair, x):
    """``pair()`` -> (the lesson's VAE, the package's VAE) with the same weights: the same loss on ``x``, the same
    loss over one SGD epoch and the same encoder/decoder weights after it. Returns the trained lesson VAE."""
    import keras
    import numpy as np
    import pytest
    from keras import ops

    mine, pkg = pair()
    assert float(ops.convert_to_numpy(mine.compute_loss(x, y_pred=mine(x)))) == pytest.approx(
        float(ops.convert_to_numpy(pkg.compute_loss(x, y_pred=pkg(x)))), rel=1e-5)
    mine, pkg = pair()
    for m in (mine, pkg):
        m.compile(optimizer=keras.optimizers.SGD(1e-3))
    h_mine = mine.fit(x, epochs=1, batch_size=32, shuffle=False, verbose=0).history["loss"][0]
    h_pkg = pkg.fit(x, epochs=1, batch_size=32, shuffle=False, verbose=0).history["loss"][0]
    assert h_mine == pytest.approx(h_pkg, rel=1e-4)
    for a, b in zip(mine.encoder.get_weights() + mine.decoder.get_weights(),
                    pkg.encoder.get_weights() + pkg.decoder.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    return mine
