"""Chapter 12's lesson code (the notebook cells tagged "lesson") agrees with the package's reusable form:
the detector network, AUC by counting pairs, QIM embedding/extraction and the loss-threshold attack."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from aigc_course.metrics import roc
from aigc_course.safety import detect, privacy
from aigc_course.safety import watermark as wm

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "12_applications_ethics.ipynb"


@pytest.fixture(scope="module")
def lesson():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in nb["cells"]
             if c["cell_type"] == "code" and "lesson" in c["metadata"].get("tags", [])]
    assert len(cells) == 4, "expected four lesson cells: detector, AUC, QIM, threshold attack"
    ns = {"np": np, "keras": keras, "layers": keras.layers, "wm": wm}
    for source in cells:
        exec(compile(source, str(NOTEBOOK), "exec"), ns)
    return ns


def test_detector_matches_the_package(lesson):
    mine, pkg = lesson["build_detector"](8), detect.build_detector(8)
    assert [type(layer).__name__ for layer in mine.layers] == [type(layer).__name__ for layer in pkg.layers]
    pkg.set_weights(mine.get_weights())
    x = np.random.default_rng(0).uniform(0, 1, (4, 28, 28, 1)).astype("float32")
    assert np.allclose(keras.ops.convert_to_numpy(mine(x, training=False)).reshape(-1), detect.scores(pkg, x), atol=1e-5)


def test_auc_by_pairs_matches_the_rank_formula(lesson):
    rng = np.random.default_rng(1)
    pos, neg = rng.integers(0, 6, 50).astype(float), rng.integers(0, 6, 70).astype(float)
    assert lesson["auc_by_pairs"](pos, neg) == pytest.approx(roc.roc_auc(pos, neg), abs=1e-12)


def test_qim_matches_the_package(lesson):
    x = np.random.default_rng(2).uniform(0, 1, (20, 28, 28)) * (np.random.default_rng(3).uniform(size=(20, 28, 28)) > 0.5)
    bits = wm.random_bits(16, 20, seed=4)
    mine = lesson["qim_embed"](x, bits, 0.3, 5)
    assert np.allclose(mine, wm.embed(x, bits, 0.3, key=5), atol=1e-6)
    assert np.array_equal(lesson["qim_extract"](mine, 16, 0.3, 5), wm.extract(mine, 16, 0.3, key=5))
    assert np.array_equal(lesson["qim_extract"](mine, 16, 0.3, 5), bits)


def test_threshold_attack_matches_the_package(lesson):
    rng = np.random.default_rng(5)
    members, nonmembers = rng.normal(0, 1, 80), rng.normal(0.7, 1, 90)
    advantage, auc = lesson["threshold_attack"](members, nonmembers)
    report = privacy.membership_report(members, nonmembers)
    assert advantage == pytest.approx(report["advantage"]) and auc == pytest.approx(report["auc"])
    assert report["auc"] > 0.6 and report["member_mean"] < report["nonmember_mean"]
