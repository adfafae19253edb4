"""Settings of chapter 01_aigc_overview (AIGC 概述：核心概念与架构): parameter kinds, shared values, per-profile overrides."""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
        "batch_size": Int(min=1),
        "clf_epochs": Int(min=1),
        "epochs": Int(min=1),
        "n_images": Int(min=1),
        "n_points": Int(min=1),
        "n_samples": Int(min=1),
        "noise": Float(min=0),
    },
    shared={
        "noise": 0.08,
    },
    smoke={
        "n_points": 512,
        "epochs": 5,
        "batch_size": 128,
        "clf_epochs": 3,
        "n_samples": 500,
        "n_images": 500,
        "bars": {'max_mean_distance': 0.5, 'max_coverage_distance': 0.8},
    },
    standard={
        "n_points": 4096,
        "epochs": 60,
        "batch_size": 128,
        "clf_epochs": 20,
        "n_samples": 2000,
        "n_images": 5000,
        "bars": {'max_mean_distance': 0.15, 'max_coverage_distance': 0.15},
    },
    full={
        "n_points": 8192,
        "epochs": 150,
        "batch_size": 256,
        "clf_epochs": 30,
        "n_samples": 4000,
        "n_images": 10000,
        "bars": {'max_mean_distance': 0.1, 'max_coverage_distance': 0.1},
    },
)
