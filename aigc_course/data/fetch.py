"""``aigc-course data fetch NAME [--from FILE]``: put a data set into the cache explicitly."""

from __future__ import annotations

import importlib
import os

# name -> "module:function"; the function returns the folder it filled. Only tang-full takes a local file.
FETCHERS = {
    "fashion-mnist": "aigc_course.data.fashion_mnist:fetch",
    "tang-full": "aigc_course.data.tang_full:fetch_full_tang",
}
FROM_FILE = ("tang-full",)


def fetch(name: str, from_file: str | os.PathLike | None = None):
    """Fetch data set ``name`` into the Keras cache and return the folder; ``from_file`` (tang-full only) is a
    local copy of the download to unpack instead, for machines without network."""
    if name not in FETCHERS:
        raise ValueError(f"Unknown data set {name!r}; known: {', '.join(FETCHERS)}")
    if from_file is not None and name not in FROM_FILE:
        raise ValueError(f"--from works only for {', '.join(FROM_FILE)}, not for {name!r}; for {name} install "
                         f"its Debian package or set AIGC_DATA_DIR to a folder holding its files")
    module, func = FETCHERS[name].split(":")
    fetcher = getattr(importlib.import_module(module), func)
    return fetcher() if from_file is None else fetcher(from_file=from_file)
