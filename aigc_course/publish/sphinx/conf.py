"""Sphinx configuration of the course book; aigc_course.publish.book passes its choices in AIGC_BOOK_*
environment variables (the profile is AIGC_PROFILE, read by the notebooks themselves)."""

import os

project = "AIGC 课程：生成式人工智能实战（Keras 3）"
author = "aigc-course"
copyright = "aigc-course contributors, MIT License"
language = "zh_CN"  # Sphinx's Chinese search splits words with jieba
root_doc = "index"

extensions = ["myst_nb", "aigc_course.publish.sphinx_mermaid"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_dmath_double_inline = True  # $$…$$ inside a paragraph or list item (as JupyterLab shows it)
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3

# Execution: cached per profile (code cells are the key), so a prose edit does not retrain.
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ["AIGC_BOOK_CACHE"]
nb_execution_timeout = int(os.environ.get("AIGC_BOOK_TIMEOUT", "3600"))
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_render_markdown_format = "myst"
nb_merge_streams = True
nb_output_stderr = "remove"  # library start-up chatter (TensorFlow, absl) is not part of the lesson
# No widget manager or require.js from a CDN: the course's widgets also draw a static figure.
nb_ipywidgets_js = {}

# Mathematics with the bundled MathJax 3 (no CDN); the file sits in html_static_path.
mathjax_path = "tex-svg-full.js"
html_static_path = [os.environ["AIGC_BOOK_STATIC"]]

html_theme = "sphinx_book_theme"
html_title = "AIGC 课程"
html_theme_options = {
    "show_navbar_depth": 1,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
html_last_updated_fmt = None
html_copy_source = False
# Only the index and the top-level notebooks are pages (not notebooks/sweeps/, nor what a chapter writes).
include_patterns = ["index.md", "notebooks/*.ipynb", "exercises/*.ipynb", "solutions/*.ipynb"]
exclude_patterns = ["**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.xref_missing"]

# Sphinx 9.0's Chinese search ships the English stemmer's JavaScript but names it ChineseStemmer, so the
# search page fails with "ChineseStemmer is not defined"; name the stemmer that is really there.
from sphinx.search import zh as _zh  # noqa: E402

if _zh.SearchChinese.js_stemmer_rawcode == "english-stemmer.js":
    _zh.SearchChinese.language_name = "English"
