"""In a real browser, offline: the book's pages and a report's HTML typeset the mathematics (MathJax
makes <mjx-container> elements) and draw the Mermaid diagrams (an <svg> replaces the code)."""

from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

from test_lab import CHROMIUM, CHROMIUM_ARGS, SHOTS, _need

MARKDOWN = ["# 第0章 渲染测试\n\n行内公式 $\\frac{1}{2}\\sigma^2$，以及\n\n$$\\mathcal{L} = -\\log p(x)$$",
            "```mermaid\nflowchart LR\n  A[数据] --> B[模型]\n```"]


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in MARKDOWN] + [nbformat.v4.new_code_cell("1 + 1")]
    return nb


@pytest.fixture(scope="module")
def page():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    _need("playwright (pip)", sync_playwright is not None)
    _need("chromium (Debian package)", CHROMIUM is not None)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(offline=True)  # nothing may come from the network
        yield context.new_page()
        browser.close()


def _rendered(page, url: str, shot: str):
    page.goto(url)
    page.wait_for_selector("mjx-container", timeout=30_000)
    page.wait_for_selector("pre.mermaid svg", timeout=30_000)
    page.screenshot(path=str(SHOTS / shot), full_page=True)
    return page.eval_on_selector_all("mjx-container", "els => els.length")


def test_book_page_renders_math_and_mermaid_offline(tmp_path, page):
    from aigc_course.publish.book import build_book

    (tmp_path / "notebooks").mkdir()
    nbformat.write(_notebook(), str(tmp_path / "notebooks" / "00_setup.ipynb"))
    html = build_book(tmp_path, tmp_path / "_build", profile="smoke")
    assert _rendered(page, (html / "notebooks" / "00_setup.html").as_uri(), "book_rendering.png") >= 2
    # the search page finds a Chinese word
    page.goto((html / "search.html").as_uri() + "?q=" + quote("渲染"))
    page.wait_for_selector("ul.search li a", timeout=30_000)
    assert "渲染测试" in page.inner_text("ul.search")
    page.screenshot(path=str(SHOTS / "book_search.png"))


def test_report_html_renders_math_and_mermaid_offline(tmp_path, page):
    from aigc_course.publish.html import notebook_html

    path = tmp_path / "report.ipynb"
    nbformat.write(_notebook(), str(path))
    html = notebook_html(path)
    assert _rendered(page, html.as_uri(), "report_rendering.png") >= 2
    assert Path(html).stat().st_size > 4_000_000  # MathJax and Mermaid are inside the page
