"""The JavaScript the book and the HTML reports need to render mathematics and Mermaid diagrams
offline: MathJax 3 (``tex-svg-full.js``: every TeX extension and the SVG output in one file, so it needs
no fonts and loads nothing more) and Mermaid (``mermaid.min.js``, one self-contained file).

Both are pinned (version and SHA-256) and fetched once with ``npm pack`` from the npm registry into a
cache folder: ``$AIGC_ASSETS_DIR`` if set, else ``~/.cache/aigc-course/assets``. ``make install`` fetches
them (``python -m aigc_course.publish.assets``); nothing is fetched while a report or the book is built.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Asset:
    name: str      # the file name in the cache
    package: str   # npm package@version
    member: str    # the file inside the package tarball
    sha256: str


ASSETS = {
    "mathjax": Asset("tex-svg-full.js", "mathjax@3.2.2", "package/es5/tex-svg-full.js",
                     "a4354ff94fd868aea0cc6eaaa79a57fda0588646fc46ee3700a349ee0a11cbe6"),
    "mermaid": Asset("mermaid.min.js", "mermaid@11.12.2", "package/dist/mermaid.min.js",
                     "d0830a6c05546e9edb8fe20a8f545f3e0dc7c4c3134d584bad9c13a99d7a71e0"),
}
FETCH_COMMAND = "python -m aigc_course.publish.assets"


class AssetMissing(FileNotFoundError):
    pass


def cache_dir() -> Path:
    return Path(os.environ.get("AIGC_ASSETS_DIR") or Path.home() / ".cache" / "aigc-course" / "assets")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def asset_path(key: str) -> Path:
    """The cached file of asset ``key`` ("mathjax" or "mermaid"), checked against its pinned hash."""
    asset = ASSETS[key]
    path = cache_dir() / asset.name
    if not path.is_file():
        raise AssetMissing(f"{asset.package} ({asset.name}) is not in {path.parent}; fetch it once with "
                           f"`{FETCH_COMMAND}` (needs npm and the npm registry).")
    if _sha256(path) != asset.sha256:
        raise AssetMissing(f"{path} does not match the pinned SHA-256 of {asset.package} (a corrupt or "
                           f"different file); delete it and run `{FETCH_COMMAND}` again.")
    return path


def fetch(key: str, npm: str = "npm") -> Path:
    """Fetch asset ``key`` with ``npm pack`` (unless cached), verify its hash, store it atomically."""
    try:
        return asset_path(key)
    except AssetMissing:
        pass
    asset = ASSETS[key]
    if shutil.which(npm) is None:
        raise AssetMissing(f"npm is not installed, so {asset.package} cannot be fetched; install Node.js "
                           f"(Debian: apt-get install npm), or copy {asset.name} into {cache_dir()}.")
    target = cache_dir() / asset.name
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([npm, "pack", asset.package, "--pack-destination", tmp, "--silent"],
                              capture_output=True, text=True, timeout=300)
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise AssetMissing(f"`npm pack {asset.package}` failed: {(done.stderr or done.stdout).strip()}")
        with tarfile.open(tarballs[0]) as tar:
            data = tar.extractfile(asset.member).read()
        if hashlib.sha256(data).hexdigest() != asset.sha256:
            raise AssetMissing(f"{asset.member} of {asset.package} does not match its pinned SHA-256; "
                               f"not installed.")
        part = Path(tmp) / asset.name
        part.write_bytes(data)
        shutil.move(str(part), str(target.with_suffix(".part")))
        os.replace(target.with_suffix(".part"), target)
    return target


def main(argv=None) -> int:
    for key in ASSETS:
        try:
            print(f"{key}: {fetch(key)}")
        except (AssetMissing, OSError, subprocess.SubprocessError) as exc:
            print(f"warning: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
