"""Chinese labels in matplotlib figures: find an installed CJK font and put it first.

Without a CJK font matplotlib draws empty boxes for Chinese characters. Debian's `fonts-wqy-microhei`
(1.6 MB) is enough; CI installs it. ``use_chinese_font()`` is called when ``aigc_course.viz`` is imported.
"""

from __future__ import annotations

import glob
import os

# Font files tried first (added to matplotlib directly, so its font cache need not be rebuilt).
FONT_FILES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
]
# Family names looked up among the fonts matplotlib already knows.
FAMILIES = ["WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC",
            "PingFang SC", "Microsoft YaHei", "SimHei", "Heiti SC", "Arial Unicode MS"]
INSTALL_HINT = "sudo apt-get install fonts-wqy-microhei  (or any CJK font: Noto Sans CJK, SimHei, PingFang)"


def find_chinese_font() -> str | None:
    """The family name of a usable CJK font, registering a known font file if needed; None if there is none."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for fam in FAMILIES:
        if fam in known:
            return fam
    extra = os.environ.get("AIGC_CJK_FONT")
    candidates = ([extra] if extra else []) + FONT_FILES + glob.glob("/usr/share/fonts/**/*CJK*.tt[cf]", recursive=True)
    for path in candidates:
        if path and os.path.isfile(path):
            try:
                font_manager.fontManager.addfont(path)
                return font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError, ValueError):
                continue
    return None


def use_chinese_font() -> str | None:
    """Make matplotlib draw Chinese text; returns the font family used, or None when no CJK font exists."""
    import matplotlib

    family = find_chinese_font()
    if family is None:
        return None
    current = list(matplotlib.rcParams.get("font.sans-serif", []))
    matplotlib.rcParams["font.sans-serif"] = [family] + [f for f in current if f != family]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family
