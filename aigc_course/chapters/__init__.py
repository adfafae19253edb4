"""Each chapter's settings, one module per chapter (``chNN_name.py``); see ``_spec`` for the kinds."""
