"""One download function for every data set: it says what it fetches and from where, gives up after a few
seconds without an answer, checks the content before keeping it and never leaves a partial file behind."""

from __future__ import annotations

import os
import socket
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from .._io import atomic_open

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for a connection or for the next block of data (``AIGC_DOWNLOAD_TIMEOUT`` changes it)."""
CHUNK = 1 << 20


class DownloadError(OSError):
    """A download did not give a good file (no network, no answer, HTTP error, wrong content)."""


def download_timeout() -> float:
    """Seconds to wait for a connection or a block of data: ``$AIGC_DOWNLOAD_TIMEOUT``, else 10."""
    raw = os.environ.get("AIGC_DOWNLOAD_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ValueError(f"AIGC_DOWNLOAD_TIMEOUT must be a positive number of seconds, got {raw!r}; "
                         f"unset it or set e.g. AIGC_DOWNLOAD_TIMEOUT=10")
    return value


def _resolve(url: str, timeout: float) -> None:
    """Look the host name up within ``timeout`` seconds (a name lookup is not bounded by socket timeouts and
    can take half a minute when the name servers cannot be reached). Skipped when a proxy is configured,
    because then the proxy resolves the name."""
    parts = urlparse(url)
    if not parts.hostname or urllib.request.getproxies().get(parts.scheme):
        return
    outcome: list = []

    def lookup():
        try:
            outcome.append(socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM))
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise DownloadError(f"could not look up {parts.hostname} within {timeout:g} s; check the network or set "
                            f"AIGC_OFFLINE=1 and install the data offline")
    if isinstance(outcome[0], OSError):
        raise DownloadError(f"cannot reach {parts.hostname} ({outcome[0]}); check the network or set "
                            f"AIGC_OFFLINE=1 and install the data offline")


def download(url: str, target: str | os.PathLike, what: str,
             check: Callable[[Path], None] | None = None, timeout: float | None = None) -> Path:
    """Fetch ``url`` into ``target`` and return ``target``.

    Prints one line on stderr saying what is downloaded, from where and to where. A connection that does
    not open, or a server that sends nothing for ``timeout`` seconds, ends the download with DownloadError.
    ``check(temp_path)`` may raise ValueError when the content is wrong; the file is then discarded.
    The target appears only complete and checked (written beside it, then renamed).
    """
    timeout = download_timeout() if timeout is None else timeout
    target = Path(target)
    host = urlparse(url).netloc or url
    print(f"aigc-course: downloading {what} from {url} into {target.parent}/ "
          f"(giving up after {timeout:g} s without an answer)", file=sys.stderr, flush=True)

    def verified(tmp: Path) -> None:
        if check is not None:
            try:
                check(tmp)
            except ValueError as exc:
                raise DownloadError(f"{url} sent a file that is not the expected one ({exc}); nothing was "
                                    f"kept") from None

    try:
        _resolve(url, timeout)
        with urllib.request.urlopen(url, timeout=timeout) as response, \
                atomic_open(target, "wb", check=verified) as f:
            for chunk in iter(lambda: response.read(CHUNK), b""):
                f.write(chunk)
    except DownloadError:
        raise
    except (TimeoutError, socket.timeout):
        raise DownloadError(f"no answer from {host} within {timeout:g} s; check the network or set "
                            f"AIGC_OFFLINE=1 and install the data offline") from None
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url} answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise DownloadError(f"no answer from {host} within {timeout:g} s; check the network or set "
                                f"AIGC_OFFLINE=1 and install the data offline") from None
        raise DownloadError(f"cannot reach {host} ({reason}); check the network or set AIGC_OFFLINE=1 and "
                            f"install the data offline") from None
    except OSError as exc:  # a dropped connection, or the cache folder not writable / full
        raise DownloadError(f"downloading {url} into {target.parent} failed ({exc})") from None
    return target
