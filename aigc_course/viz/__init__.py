"""Visualisation: image grids, seaborn plots, widgets with a static fallback.

Import the module you need: ``from aigc_course.viz import images, plots, widgets``. Importing this package
selects a Chinese-capable font for matplotlib when one is installed (see ``fonts.py``)."""

from .fonts import use_chinese_font

CHINESE_FONT = use_chinese_font()
