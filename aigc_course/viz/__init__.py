"""Visualisation: image grids, seaborn plots, widgets with a static fallback.

Import the module you need: ``from aigc_course.viz import images, plots, widgets``."""
