"""Standalone HTML of a notebook renders mathematics and Mermaid offline; the pinned assets are checked."""

import re

import nbformat
import pytest

from aigc_course.publish import assets
from aigc_course.publish.html import export_html
from helpers import raises_message


def _nb(*markdown):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown] + [nbformat.v4.new_code_cell("x = 1")]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def _external(html):
    return re.findall(r'<(?:script|link)[^>]*(?:src|href)="((?:https?:)?//[^"]+)"', html)


def test_math_and_mermaid_are_inlined_without_cdn():
    try:
        assets.asset_path("mathjax"), assets.asset_path("mermaid")
    except assets.AssetMissing as exc:
        pytest.skip(str(exc))
    html = export_html(_nb("损失 $\\frac{1}{2}x^2$", "```mermaid\nflowchart LR\n  A --> B\n```"))
    assert _external(html) == []
    assert "window.MathJax = {" in html and "MathJax" in html[html.index("window.MathJax"):]
    assert html.count('<pre class="mermaid">') == 1 and "mermaid.run({nodes})" in html
    assert len(html) > 4_000_000  # both libraries are inside the page


def test_plain_notebook_carries_no_library():
    html = export_html(_nb("没有公式的一段话。"))
    assert _external(html) == []
    assert "window.MathJax" not in html and "mermaid.run" not in html
    assert len(html) < 1_000_000


def test_missing_assets_warn_and_leave_the_text(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIGC_ASSETS_DIR", str(tmp_path))
    html = export_html(_nb("$a+b$"))
    assert "window.MathJax" not in html and _external(html) == []
    assert capsys.readouterr().err == (
        f"warning: mathjax@3.2.2 (tex-svg-full.js) is not in {tmp_path}; fetch it once with "
        "`python -m aigc_course.publish.assets` (needs npm and the npm registry). "
        "The HTML shows the source text instead.\n")


def test_a_corrupt_asset_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_ASSETS_DIR", str(tmp_path))
    (tmp_path / "mermaid.min.js").write_text("not mermaid")
    with raises_message(assets.AssetMissing,
                        f"{tmp_path / 'mermaid.min.js'} does not match the pinned SHA-256 of mermaid@11.12.2 "
                        "(a corrupt or different file); delete it and run `python -m aigc_course.publish.assets` "
                        "again."):
        assets.asset_path("mermaid")


def test_fetch_without_npm_says_how(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_ASSETS_DIR", str(tmp_path))
    with raises_message(assets.AssetMissing,
                        "npm is not installed, so mathjax@3.2.2 cannot be fetched; install Node.js (Debian: "
                        f"apt-get install npm), or copy tex-svg-full.js into {tmp_path}."):
        assets.fetch("mathjax", npm="no-such-npm-here")
