import matplotlib

from aigc_course.viz import fonts


def test_chinese_font_is_found_and_selected():
    family = fonts.use_chinese_font()
    assert family is not None, f"no CJK font installed; {fonts.INSTALL_HINT}"
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_no_font_gives_none(monkeypatch):
    from matplotlib import font_manager

    monkeypatch.setattr(fonts, "FAMILIES", ["No Such Font"])
    monkeypatch.setattr(fonts, "FONT_FILES", ["/nonexistent/font.ttc"])
    monkeypatch.setattr(fonts.glob, "glob", lambda *a, **k: [])
    monkeypatch.delenv("AIGC_CJK_FONT", raising=False)
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    assert fonts.find_chinese_font() is None
