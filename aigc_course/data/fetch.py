"""``aigc-course data fetch NAME``: put a data set into the cache explicitly."""

from __future__ import annotations

import importlib

# name -> "module:function"; the function takes no arguments and returns the path it filled.
FETCHERS = {
    "fashion-mnist": "aigc_course.data.fashion_mnist:fetch",
    "tang-full": "aigc_course.data.tang_full:fetch_full_tang",
}


def fetch(name: str):
    if name not in FETCHERS:
        raise ValueError(f"Unknown data set {name!r}; known: {', '.join(FETCHERS)}")
    module, func = FETCHERS[name].split(":")
    return getattr(importlib.import_module(module), func)()
