"""Settings of chapter 00_setup (环境与课程导览): parameter kinds, shared values, per-profile overrides."""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
    },
    shared={
    },
    smoke={
    },
    standard={
    },
    full={
    },
)
