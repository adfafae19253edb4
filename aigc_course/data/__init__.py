"""Offline-capable data loaders. Each looks in: data_dir=, $AIGC_DATA_DIR, the Debian package's folder,
the Keras cache, then a download; when nothing is found it raises DataNotFoundError saying how to fix it.

A download says what it fetches and from where, gives up after ``$AIGC_DOWNLOAD_TIMEOUT`` seconds (default
10) without an answer, checks the content against a known hash and only then renames it into the cache.
A damaged file (truncated or corrupt .gz, a fortunes file that is empty or not UTF-8, a wrong hash) raises
CorruptDataError naming the file and the fix; ``aigc-course doctor`` reports the same."""

from ._download import DownloadError
from ._search import CorruptDataError, DataNotFoundError
from .chinese_text import CharTokenizer, Poem, load_chinese_corpus, load_song_poems, load_tang_poems
from .fashion_mnist import CLASS_NAMES_EN, CLASS_NAMES_ZH, load_fashion_mnist
from .fetch import fetch
from .tang_full import load_full_tang
from .toy import make_moons, make_ring, mode_coverage, ring_centers

__all__ = [
    "DataNotFoundError", "CorruptDataError", "DownloadError", "Poem", "CharTokenizer", "load_tang_poems", "load_song_poems", "load_chinese_corpus",
    "fetch", "load_full_tang", "load_fashion_mnist", "CLASS_NAMES_EN", "CLASS_NAMES_ZH",
    "make_ring", "make_moons", "ring_centers", "mode_coverage",
]

# Synthetic notes, spectrograms and pitch (chapter 09): `from aigc_course.data import audio`.
from . import audio  # noqa: E402
from .audio import make_notes  # noqa: E402

__all__ += ["audio", "make_notes"]
