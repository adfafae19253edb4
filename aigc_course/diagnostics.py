"""``aigc-course doctor``: which Keras backend and versions are active, which devices the backend sees,
the active profile, and whether each data set is installed (with the command that installs it)."""

from __future__ import annotations

import importlib
import importlib.metadata
import platform

BACKEND_LIBRARIES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch", "numpy": "numpy"}
SWITCH_HINT = "set KERAS_BACKEND=tensorflow|jax|torch before Python starts, e.g. `KERAS_BACKEND=jax jupyter lab`"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _devices(keras) -> list[str]:
    """Devices as the active backend sees them, e.g. ['cpu:0'] or ['cpu:0', 'gpu:0']."""
    try:
        from keras import distribution

        return [str(d) for d in distribution.list_devices()]
    except Exception:  # the torch backend has no keras.distribution; ask where a tensor lands
        try:
            return [str(keras.ops.convert_to_tensor(0.0).device)]
        except Exception as exc:  # pragma: no cover - reported, never fatal
            return [f"unknown ({type(exc).__name__}: {exc})"]


def _fashion_mnist_status() -> dict:
    from .data import fashion_mnist
    from .data._search import find_file

    names = [n for pair in fashion_mnist.FILES.values() for n in pair]
    try:
        paths = [find_file(fashion_mnist.SOURCE, n) for n in names]
    except FileNotFoundError:
        return {"found": False, "path": None, "install": fashion_mnist.SOURCE.install_hint, "optional": False}
    return {"found": True, "path": str(paths[0].parent), "install": fashion_mnist.SOURCE.install_hint,
            "optional": False}


def _fortunes_status() -> dict:
    from .data import chinese_text
    from .data._search import find_file

    hint = chinese_text.SOURCE.install_hint
    try:
        paths = [find_file(chinese_text.SOURCE, n)
                 for n in (chinese_text.TANG_FILE, chinese_text.SONG_FILE, chinese_text.CORPUS_FILE)]
    except FileNotFoundError:
        return {"found": False, "path": None, "install": hint, "optional": False}
    return {"found": True, "path": str(paths[0].parent), "install": hint, "optional": False}


def _tang_full_status() -> dict | None:
    """The optional full Tang corpus, when its loader module exists; None when it does not."""
    try:
        mod = importlib.import_module("aigc_course.data.tang_full")
    except ImportError:
        return None
    check = getattr(mod, "available", None)
    if not callable(check):
        return None
    source = getattr(mod, "SOURCE", None)
    hint = getattr(source, "install_hint", None) or "see aigc_course.data.tang_full"
    try:
        found = bool(check())
    except Exception:
        found = False
    return {"found": found, "path": None, "install": hint, "optional": True}


def _chinese_font() -> str | None:
    """The CJK font figures use for Chinese labels, or None (then labels show as empty boxes)."""
    from .viz.fonts import use_chinese_font

    return use_chinese_font()


def doctor(verbose: bool = True) -> dict:
    """Check the environment; print a short table when ``verbose``; return the facts as a dict.

    Keys: ``backend``, ``switch_backend``, ``versions`` (python, keras, the backend library, numpy),
    ``devices``, ``profile``, ``chinese_font``, ``datasets`` ({name: {"found", "path", "install", "optional"}}) and
    ``all_data_found`` (true when every required data set is found; optional ones do not count).
    """
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose must be True or False, got {verbose!r}")
    import keras

    from .config import resolve_profile

    backend = keras.backend.backend()
    versions = {"python": platform.python_version(), "keras": keras.__version__,
                backend: _version(BACKEND_LIBRARIES.get(backend, backend)), "numpy": _version("numpy")}
    datasets = {"Fashion-MNIST": _fashion_mnist_status(), "fortunes-zh": _fortunes_status()}
    tang_full = _tang_full_status()
    if tang_full is not None:
        datasets["Tang corpus (full)"] = tang_full
    try:
        profile = resolve_profile(None)
    except ValueError as exc:  # a bad $AIGC_PROFILE is worth reporting, not crashing on
        profile = f"invalid: {exc}"
    info = {
        "backend": backend,
        "switch_backend": SWITCH_HINT,
        "versions": versions,
        "devices": _devices(keras),
        "profile": profile,
        "datasets": datasets,
        "all_data_found": all(d["found"] for d in datasets.values() if not d["optional"]),
        "chinese_font": _chinese_font(),
    }
    if verbose:
        print(format_report(info))
    return info


def format_report(info: dict) -> str:
    """The aligned text table that ``doctor(verbose=True)`` prints."""
    rows = [("Keras backend", f"{info['backend']}  (to switch: {info['switch_backend']})")]
    rows += [(f"{name} version", v) for name, v in info["versions"].items()]
    rows.append(("devices", ", ".join(info["devices"])))
    if "chinese_font" in info:
        from .viz.fonts import INSTALL_HINT

        rows.append(("Chinese font", info["chinese_font"] or f"MISSING - {INSTALL_HINT}"))
    rows.append(("profile", f"{info['profile']}  (set AIGC_PROFILE=smoke|standard|full or the notebook "
                            f"parameter `profile`)"))
    for name, d in info["datasets"].items():
        label = f"data: {name}" + (" (optional)" if d["optional"] else "")
        rows.append((label, f"found at {d['path']}" if d["found"] and d["path"] else
                     "found" if d["found"] else f"MISSING - {d['install']}"))
    width = max(len(k) for k, _ in rows)
    lines = ["aigc-course doctor", "-" * 18] + [f"{k:<{width}}  {v}" for k, v in rows]
    lines.append("all required data found: " + ("yes" if info["all_data_found"] else "NO"))
    return "\n".join(lines)


__all__ = ["doctor", "format_report"]
