"""Settings of chapter 09_audio (音频生成): parameter kinds, shared values, per-profile overrides."""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
        "batch_size": Int(min=1),
        "epochs": Int(min=1),
        "hidden": ListOf(Int(min=1)),
        "latent_dim": Int(min=1),
        "learning_rate": Float(min=0, min_open=True),
        "n_generate": Int(min=1),
        "n_notes": Int(min=1),
        "pitch_range": ListOf(Int(min=0, max=127), min_len=2, max_len=2),
        "seed": Int(min=0),
    },
    shared={
        "latent_dim": 8,
        "n_generate": 100,
        "pitch_range": [48, 72],
        "seed": 0,
    },
    smoke={
        "n_notes": 300,
        "hidden": [128, 64],
        "epochs": 10,
        "batch_size": 64,
        "learning_rate": 0.002,
        "bars": {'min_clear_pitch_share': 0.0},
    },
    standard={
        "n_notes": 4000,
        "hidden": [256, 128],
        "epochs": 40,
        "batch_size": 64,
        "learning_rate": 0.002,
        "bars": {'min_clear_pitch_share': 0.7},
    },
    full={
        "n_notes": 20000,
        "hidden": [512, 256],
        "epochs": 100,
        "batch_size": 128,
        "learning_rate": 0.001,
        "bars": {'min_clear_pitch_share': 0.8},
    },
)
