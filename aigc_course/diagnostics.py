"""``aigc-course doctor``: which Keras backend and versions are active, which devices the backend sees,
the active profile, and whether each data set is installed and intact (with the command that installs or
repairs it). Each fact is printed once."""

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


def _status(source, problems: dict) -> dict:
    """One data set's entry: ``problems`` maps each file to None (found and intact), "missing" or the
    corruption message (which names the file and the fix)."""
    from .data._search import find_file

    missing = [name for name, p in problems.items() if p == "missing"]
    corrupt = [p for p in problems.values() if p not in (None, "missing")]
    path = None
    if not missing:
        folders = sorted({str(find_file(source, name).parent) for name in problems})
        path = ", ".join(folders)
    return {"found": not missing and not corrupt, "path": path, "install": source.install_hint,
            "optional": False, "missing": missing, "corrupt": corrupt}


def _fashion_mnist_status() -> dict:
    from .data import fashion_mnist

    return _status(fashion_mnist.SOURCE, fashion_mnist.check_files())


def _fortunes_status() -> dict:
    from .data import chinese_text

    return _status(chinese_text.SOURCE, chinese_text.check_files())


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
    return {"found": found, "path": None, "install": hint, "optional": True, "missing": [], "corrupt": []}


def _chinese_font() -> str | None:
    """The CJK font figures use for Chinese labels, or None (then labels show as empty boxes)."""
    from .viz.fonts import use_chinese_font

    return use_chinese_font()


class DoctorReport(dict):
    """The facts ``doctor()`` found: a plain dict that shows itself as the doctor's table. When ``doctor()``
    has already printed the table, echoing the returned value (the last line of a notebook cell, or the
    Python prompt) adds nothing, so every fact appears once."""

    printed = False

    def __repr__(self) -> str:
        if self.printed:
            return f"<aigc-course doctor report, printed above; a dict with keys {', '.join(self)}>"
        return format_report(self)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's plain-text display
        printer.text(repr(self))

    def _ipython_display_(self) -> None:  # a notebook cell ending in doctor(): the table is already there
        if not self.printed:
            print(format_report(self))


def doctor(verbose: bool = True) -> dict:
    """Check the environment; print a short table when ``verbose``; return the facts as a dict
    (a :class:`DoctorReport`, which a notebook does not show a second time).

    Keys: ``backend``, ``switch_backend``, ``versions`` (python, keras, the backend library, numpy),
    ``devices``, ``profile``, ``chinese_font``, ``datasets`` ({name: {"found", "path", "install", "optional",
    "missing": file names, "corrupt": one message per damaged file, naming it and the fix}}) and
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
    info = DoctorReport({
        "backend": backend,
        "switch_backend": SWITCH_HINT,
        "versions": versions,
        "devices": _devices(keras),
        "profile": profile,
        "datasets": datasets,
        "all_data_found": all(d["found"] for d in datasets.values() if not d["optional"]),
        "chinese_font": _chinese_font(),
    })
    from .training.speed import backend_advice

    advice = backend_advice(backend, info["devices"])
    if advice:
        info["advice"] = advice
    if verbose:
        print(format_report(info))
        info.printed = True
    return info


def format_report(info: dict) -> str:
    """The aligned text table that ``doctor(verbose=True)`` prints."""
    rows = [("Keras backend", f"{info['backend']}  (to switch: {info['switch_backend']})")]
    rows += [(f"{name} version", v) for name, v in info["versions"].items()]
    rows.append(("devices", ", ".join(info["devices"])))
    if info.get("advice"):
        rows.append(("advice", info["advice"]))
    if "chinese_font" in info:
        from .viz.fonts import INSTALL_HINT

        rows.append(("Chinese font", info["chinese_font"] or f"MISSING - {INSTALL_HINT}"))
    rows.append(("profile", f"{info['profile']}  (set AIGC_PROFILE=smoke|standard|full or the notebook "
                            f"parameter `profile`)"))
    for name, d in info["datasets"].items():
        label = f"data: {name}" + (" (optional)" if d["optional"] else "")
        corrupt = d.get("corrupt", [])
        if d["found"]:
            rows.append((label, f"found at {d['path']}" if d["path"] else "found"))
        elif corrupt:
            rows += [(label if i == 0 else "", f"CORRUPT - {problem}") for i, problem in enumerate(corrupt)]
            if d.get("missing"):
                rows.append(("", f"MISSING {', '.join(d['missing'])} - {d['install']}"))
        else:
            rows.append((label, f"MISSING - {d['install']}"))
    width = max(len(k) for k, _ in rows)
    lines = ["aigc-course doctor", "-" * 18] + [f"{k:<{width}}  {v}" for k, v in rows]
    lines.append("all required data found: " + ("yes" if info["all_data_found"] else "NO"))
    return "\n".join(lines)


__all__ = ["doctor", "format_report", "DoctorReport"]
