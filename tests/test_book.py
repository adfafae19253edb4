"""The course book (``make book``): every chapter's page is built offline with its figures, rendered
mathematics and Mermaid, and the search index finds Chinese words.

The book is built at the smoke profile into _build/book (the same folder `make book BOOK_PROFILE=smoke`
uses, so after that the build here only checks that nothing changed)."""

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("myst_nb")

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted(p.stem for p in (ROOT / "exercises").glob("ex*.ipynb"))
# Chapters that draw nothing: the setup chapter prints the environment and the profiles.
NO_FIGURES = {"00_setup"}


@pytest.fixture(scope="module")
def book():
    from aigc_course.publish.book import build_book

    return build_book(ROOT, ROOT / "_build" / "book", profile="smoke")


class _Page(HTMLParser):
    """Collects a page's text outside rendered mathematics, code and scripts, its images and scripts."""

    SKIP = {"script", "style", "pre", "code", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.text, self.images, self.scripts, self.styles = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        if tag == "link" and "stylesheet" in (a.get("rel") or ""):
            self.styles.append(a.get("href", ""))
        if tag in ("img", "link", "meta", "br", "hr", "input", "source"):
            return
        skip = tag in self.SKIP or "math" in (a.get("class") or "").split()
        self.stack.append(skip or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in ("img", "link", "meta", "br", "hr", "input", "source") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_chapter_and_exercise_has_a_page(book):
    for name in CHAPTERS:
        assert (book / "notebooks" / f"{name}.html").is_file(), f"no page for chapter {name}"
    for name in EXERCISES:
        assert (book / "exercises" / f"{name}.html").is_file(), f"no page for exercise {name}"
    index = (book / "index.html").read_text(encoding="utf-8")
    for name in CHAPTERS:
        assert f'href="notebooks/{name}.html"' in index, f"the navigation does not link chapter {name}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_page(book, name):
    path = book / "notebooks" / f"{name}.html"
    page = _parse(path)
    images = [src for src in page.images if not src.startswith("data:") or "image/png" in src]
    figures = [src for src in images if "_images/" in src or src.startswith("data:image")]
    if name not in NO_FIGURES:
        assert figures, f"{name}: the page shows no figure"
    for src in figures:
        if not src.startswith("data:"):
            assert (path.parent / src).resolve().is_file(), f"{name}: figure {src} is missing"
    text = "".join(page.text)
    for raw in ("$$", "\\frac", "\\begin{"):
        assert raw not in text, f"{name}: raw {raw!r} outside rendered mathematics: " \
                                f"…{text[max(0, text.find(raw) - 80): text.find(raw) + 80]}…"
    assert not re.search(r"(?<![\w\\])\$[^$\s][^$]*\\[a-zA-Z]+[^$]*\$", text), f"{name}: raw $…$ TeX in the text"
    # offline: every script and stylesheet is a local file
    for src in page.scripts + page.styles:
        assert not re.match(r"(https?:)?//", src), f"{name}: loads {src} from the network"
        assert (path.parent / src.split("?")[0]).resolve().is_file(), f"{name}: {src} is missing"


def test_mathematics_and_mermaid_are_bundled(book):
    page = _parse(book / "notebooks" / "01_aigc_overview.html")
    local = [s.split("?")[0] for s in page.scripts]
    assert "../_static/tex-svg-full.js" in local
    assert "../_static/mermaid.min.js" in local
    html = (book / "notebooks" / "01_aigc_overview.html").read_text(encoding="utf-8")
    assert html.count('<pre class="mermaid">') == 1 and "flowchart LR" in html
    assert 'class="math notranslate nohighlight"' in html


def test_search_finds_chinese_words(book):
    text = (book / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1: text.rindex(")")])
    doc = index["docnames"].index("notebooks/01_aigc_overview")

    def docs(word):
        found = set()
        for key in ("terms", "titleterms"):
            hit = index[key].get(word, [])
            found |= set(hit if isinstance(hit, list) else [hit])
        return found

    for word in ("判别式", "生成式", "流水线", "术语表"):
        assert doc in docs(word), f"the search index does not find {word!r} in chapter 01"
    assert index["docnames"].index("notebooks/00_setup") in docs("档位")
    assert os.path.getsize(book / "searchindex.js") > 10_000


def test_a_prose_edit_does_not_execute_again(tmp_path):
    """The execution cache is keyed on code: editing a markdown cell rebuilds the page without running
    the notebook; editing code runs it again."""
    import nbformat

    from aigc_course.publish.book import build_book

    runs = tmp_path / "runs.txt"
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 第0章 测试\n\n第一版文字。"),
                nbformat.v4.new_code_cell(f"open({str(runs)!r}, 'a').write('run\\n')\nprint('done')")]
    path = tmp_path / "notebooks" / "00_setup.ipynb"

    def build():
        nbformat.write(nb, str(path))
        html = build_book(tmp_path, tmp_path / "_build", profile="smoke")
        return (html / "notebooks" / "00_setup.html").read_text(encoding="utf-8")

    assert "第一版文字" in build() and runs.read_text() == "run\n"
    nb.cells[0].source = "# 第0章 测试\n\n第二版文字。"
    page = build()
    assert "第二版文字" in page and "第一版文字" not in page
    assert runs.read_text() == "run\n"
    nb.cells[1].source += "\nprint('more')"
    assert "more" in build() and runs.read_text() == "run\nrun\n"
