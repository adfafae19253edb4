"""Chapter 10's lesson: every training call is step-exact, the sweep uses the same helper, and the known-answer
table's ordering holds for the package's metrics on real data (the chapter's bars, checked fast)."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from aigc_course import config
from aigc_course.data import load_fashion_mnist
from aigc_course.metrics import fid

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "notebooks" / "10_evaluation.ipynb"
SWEEP = ROOT / "notebooks" / "sweeps" / "vae_sweep.ipynb"


def _code(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_lesson_and_sweep_train_only_through_the_step_exact_helper():
    for path in (LESSON, SWEEP):
        code = "\n".join(_code(path))
        assert "from aigc_course.training import" in code and "fit_steps" in code, path.name
        assert "def fit_steps" not in code, f"{path.name} defines its own fit_steps"
        fits = [line for line in code.splitlines() if ".fit(" in line]
        # the only direct fit() left is the old helper, kept in the lesson to show its fault
        assert fits == ["    model.fit(x, x[:, :1], batch_size=batch_size, epochs=math.ceil(steps / per_epoch),"] or \
            (path == SWEEP and not fits), fits


def test_the_self_check_asserts_the_bars():
    last = _code(LESSON)[-1]
    for needle in ("assert steps_equal", 'cfg.bars["known_answer_order"]', 'cfg.bars["min_best_confidence_ratio"]',
                   "report.record("):
        assert needle in last


@pytest.mark.parametrize("profile", ["smoke", "standard", "full"])
def test_settings_fit_the_data(profile, monkeypatch):
    monkeypatch.delenv("AIGC_PROFILE", raising=False)  # make test sets smoke; this reads each profile
    cfg = config.settings("10_evaluation", profile)
    assert 2 * cfg.n_eval <= 10_000                      # reference and held-out real sets from the test split
    assert max(cfg.fid_ns) <= cfg.n_eval                 # disjoint subsets of the 2n pool
    assert 4 * cfg.exp_n_train <= 60_000 and cfg.exp_eval <= 10_000
    assert cfg.dcgan_early_steps < cfg.dcgan_steps and cfg.exp_seeds >= 2
    assert cfg.kid_subset <= cfg.n_eval


def test_stored_sweep_ran_the_requested_steps(monkeypatch):
    import csv

    monkeypatch.delenv("AIGC_PROFILE", raising=False)  # make test sets smoke; the stored sweep is the standard one

    rows = list(csv.DictReader((ROOT / "notebooks" / "sweeps" / "vae_sweep_standard.csv").open(encoding="utf-8")))
    assert rows and all(r["status"] == "ok" for r in rows)
    assert all(r["steps_ran"] == r["steps_requested"] == str(config.settings("10_evaluation", "standard").exp_steps)
               for r in rows)


@pytest.fixture(scope="module")
def known_answer():
    """The chapter's known-answer rows at n = 500 (features and images)."""
    x_test, _ = load_fashion_mnist("test", scale="unit", limit=1000)
    x_train, y_train = load_fashion_mnist("train", scale="unit", limit=6000)
    ref, real = x_test[:500], x_test[500:]
    rng = np.random.default_rng(0)
    sets = {"real": real,
            "noise": np.clip(real + rng.normal(0, 0.05, real.shape), 0, 1).astype("float32"),
            "blur": gaussian_filter(real, (0, 1, 1, 0)).astype("float32"),
            "one class": x_train[y_train == 0][:500]}
    return fid.to_features(ref, value_range="unit"), {k: (v, fid.to_features(v, value_range="unit"))
                                                      for k, v in sets.items()}


def test_known_answer_ordering(known_answer):
    ref_f, sets = known_answer
    fids = {k: fid.fid(ref_f, f) for k, (_, f) in sets.items()}
    recall = {k: fid.precision_recall(ref_f, f, k=3)["recall"] for k, (_, f) in sets.items()}
    assert fids["real"] < fids["noise"] < fids["one class"]
    assert fids["real"] < fids["blur"]
    assert recall["one class"] < recall["real"]
    hist = fid.class_confidence_report(sets["one class"][0], value_range="unit")["class_histogram"]
    assert max(hist) > 0.8                                # the histogram sees the collapse


def test_kid_is_unbiased_where_fid_is_not(known_answer):
    ref_f, sets = known_answer
    real_f = sets["real"][1]
    small_fid = np.mean([fid.fid(ref_f[i::10], real_f[i::10]) for i in range(5)])      # n = 50
    assert small_fid > 3 * fid.fid(ref_f, real_f)                                      # FID grows as n shrinks
    values = [fid.polynomial_mmd2(ref_f[i::10], real_f[i::10]) for i in range(10)]
    assert abs(np.mean(values)) < 2 * np.std(values) / np.sqrt(len(values)) + 1e-3     # KID: about 0
