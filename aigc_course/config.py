"""Profiles (smoke | standard | full), per-chapter settings and seeding.

A chapter notebook starts with a papermill ``parameters`` cell::

    profile = "standard"
    epochs = None          # None: take the profile's value

and then asks for its settings::

    cfg = config.settings("04_dcgan", profile, epochs=epochs)
    cfg.epochs, cfg.batch_size, cfg.bars["min_confidence_ratio"]

How the profile is chosen (``resolve_profile``):
1. a notebook parameter other than the default ``"standard"`` (``papermill -p profile full``) wins;
2. otherwise the environment variable ``AIGC_PROFILE`` (CI sets ``smoke``);
3. otherwise ``"standard"``.
"""

from __future__ import annotations

import difflib
import os
from types import MappingProxyType
from typing import Any, Mapping

PROFILES = ("smoke", "standard", "full")
DEFAULT_PROFILE = "standard"
PROFILE_DESCRIPTIONS = {
    "smoke": "CI on a 2-core CPU: seconds per notebook, tiny data, loose quality bars",
    "standard": "a learner's laptop CPU: a few minutes per notebook, recognisable results",
    "full": "one GPU: best quality, minutes per notebook, the real quality bars",
}

# Chapter id -> Chinese title (the order of the course).
CHAPTERS: dict[str, str] = {
    "00_setup": "环境与课程导览",
    "01_aigc_overview": "AIGC 概述：核心概念与架构",
    "02_math": "数学基础：损失函数与实例",
    "03_gan_basics": "GAN 原理与第一个生成器",
    "04_dcgan": "DCGAN 图像生成实战",
    "05_conditional_wgan": "条件生成与训练稳定性",
    "06_vae": "变分自编码器 VAE",
    "07_attention": "自注意力与 Transformer",
    "08_gpt_poetry": "GPT：预训练与微调——写唐诗",
    "09_audio": "音频生成",
    "10_evaluation": "评估与改进",
    "11_diffusion": "扩散模型（进阶）",
    "12_applications_ethics": "应用场景、挑战与伦理",
}

def chapter_module(chapter: str) -> str:
    """The module that holds a chapter's settings: "04_dcgan" -> "aigc_course.chapters.ch04_dcgan"."""
    return f"{__package__}.chapters.ch{chapter}"


def chapter_spec(chapter: str):
    """The :class:`~aigc_course.chapters._spec.ChapterSpec` of ``chapter`` (its parameter kinds and values).

    Raises ValueError for an unknown chapter, with the closest chapter ids."""
    import importlib

    if chapter not in CHAPTERS:
        close = difflib.get_close_matches(str(chapter), list(CHAPTERS), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"Unknown chapter {chapter!r}{hint} Known chapters: {', '.join(CHAPTERS)}")
    try:
        module = importlib.import_module(chapter_module(chapter))
    except ModuleNotFoundError as exc:
        if exc.name != chapter_module(chapter):
            raise
        raise ValueError(f"Chapter {chapter!r} has no settings yet (expected the module "
                         f"aigc_course/chapters/ch{chapter}.py)") from None
    spec = module.SPEC
    spec.chapter = chapter
    return spec


class _AllSettings(Mapping[str, Any]):
    """``SETTINGS[chapter][profile]``: every chapter's merged, read-only values (for tables and tests)."""

    def _ids(self):
        return [c for c in CHAPTERS if _has_settings(c)]

    def __getitem__(self, chapter):
        if chapter not in self._ids():
            raise KeyError(chapter)
        spec = chapter_spec(chapter)
        return MappingProxyType({p: spec.values(p) for p in PROFILES})

    def __iter__(self):
        return iter(self._ids())

    def __len__(self):
        return len(self._ids())


def _has_settings(chapter: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(chapter_module(chapter)) is not None


SETTINGS: Mapping[str, Mapping[str, Any]] = _AllSettings()
"""Read-only view: ``SETTINGS["04_dcgan"]["smoke"]["epochs"]``. Each chapter's values live in
``aigc_course/chapters/chNN_name.py``."""


class Settings(Mapping[str, Any]):
    """Read-only settings of one chapter under one profile; values are attributes too."""

    def __init__(self, chapter: str, profile: str, values: Mapping[str, Any]):
        object.__setattr__(self, "chapter", chapter)
        object.__setattr__(self, "profile", profile)
        from .chapters._spec import freeze

        object.__setattr__(self, "_values", freeze(dict(values)))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(
                f"chapter {self.chapter!r} has no setting {name!r} in profile {self.profile!r}; "
                f"known settings: {', '.join(sorted(self._values))}"
            ) from None

    def __setattr__(self, name, value):
        raise AttributeError("Settings are read-only; pass overrides to config.settings(...)")

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __reduce__(self):
        from .chapters._spec import thaw

        return (Settings, (self.chapter, self.profile, thaw(self._values)))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Settings({self.chapter!r}, profile={self.profile!r}: {items})"


def check_profile(profile: str) -> str:
    """Return ``profile`` if it is a known profile, else raise ValueError naming the valid ones."""
    if profile not in PROFILES:
        raise ValueError(
            f"Unknown profile {profile!r}. Valid profiles: {', '.join(PROFILES)} "
            f"(set it with the notebook parameter `profile` or the environment variable AIGC_PROFILE)."
        )
    return profile


def resolve_profile(profile: str | None = None) -> str:
    """Decide the active profile: an explicit non-default value, then $AIGC_PROFILE, then 'standard'."""
    if profile is not None and profile != DEFAULT_PROFILE:
        return check_profile(profile)
    env = os.environ.get("AIGC_PROFILE", "").strip()
    if env:
        return check_profile(env)
    return DEFAULT_PROFILE if profile is None else check_profile(profile)


def settings(chapter: str, profile: str | None = None, **overrides: Any) -> Settings:
    """Settings of ``chapter`` under the resolved profile; overrides that are not None replace them.

    Overrides may only name settings the chapter has (a misspelt papermill parameter is caught, with the
    closest names), and each is checked against its kind and range (``epochs=-3`` raises ValueError).
    An override of ``bars`` replaces only the bars it names. The result is deep-frozen.
    """
    spec = chapter_spec(chapter)
    active = resolve_profile(profile)
    values = spec.raw(active)
    for name, value in overrides.items():
        if value is None:
            if name not in spec.params:
                raise ValueError(spec.unknown(name))
            continue
        checked = spec.check(name, value)
        values[name] = {**values["bars"], **checked} if name == "bars" else checked
    return Settings(chapter, active, values)


def set_seed(seed: int = 42) -> int:
    """Seed Python's ``random``, numpy and the Keras backend, so a run can be repeated."""
    import numbers

    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r} ({type(seed).__name__})")
    seed = int(seed)
    import keras

    keras.utils.set_random_seed(seed)
    return seed
