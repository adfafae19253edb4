"""Settings of chapter 02_math (数学基础：损失函数与实例): parameter kinds, shared values, per-profile overrides."""

from ._spec import Bool, Choice, Float, Int, ListOf, Optional, Prob, chapter  # noqa: F401

SPEC = chapter(
    params={
        "d_k_values": ListOf(Int(min=1)),
        "n_mc": Int(min=1),
        "n_trials": Int(min=1),
        "seed": Int(min=0),
    },
    shared={
        "seed": 0,
        "bars": {'max_identity_error': 0.0001},
    },
    smoke={
        "n_mc": 20000,
        "d_k_values": [4, 16, 64, 256],
        "n_trials": 64,
        "bars": {'max_kl_mc_rel_error': 0.05},
    },
    standard={
        "n_mc": 200000,
        "d_k_values": [4, 16, 64, 256, 1024],
        "n_trials": 256,
        "bars": {'max_kl_mc_rel_error': 0.02},
    },
    full={
        "n_mc": 2000000,
        "d_k_values": [4, 16, 64, 256, 1024, 4096],
        "n_trials": 1024,
        "bars": {'max_kl_mc_rel_error': 0.01},
    },
)
