"""aigc_course: the helper package of the AIGC course (生成式人工智能课程).

Notebooks import from the public subpackages: ``config``, ``data``, ``models``, ``training``,
``metrics``, ``viz``, ``exercises`` and ``report``. Importing this package does not import Keras.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "doctor", "set_seed"]


def doctor(verbose: bool = True) -> dict:
    """Check backend, versions, devices, profile and data sets (see ``aigc_course.diagnostics``)."""
    from .diagnostics import doctor as _doctor

    return _doctor(verbose=verbose)


def __getattr__(name):
    if name == "set_seed":
        from .config import set_seed

        return set_seed
    raise AttributeError(f"module 'aigc_course' has no attribute {name!r}")
