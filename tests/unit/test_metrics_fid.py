"""FID, KID, precision/recall, nearest neighbours and memorisation on synthetic data with known answers
(feature matrices or raw pixels: no classifier needed)."""

import warnings

import numpy as np
import pytest
from scipy import linalg

from aigc_course.metrics import fid as M


def gaussian(n, mean, std, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, len(mean))) * np.asarray(std) + np.asarray(mean)


def closed_form(mu1, s1, mu2, s2):
    """‖μ1−μ2‖² + Tr(Σ1+Σ2) − 2 Tr((Σ1^{1/2} Σ2 Σ1^{1/2})^{1/2}), through symmetric eigendecompositions
    (a different route from the sqrtm of Σ1Σ2 used by the package)."""
    w, v = np.linalg.eigh(s1)
    root1 = v @ np.diag(np.sqrt(np.clip(w, 0, None))) @ v.T
    inner = np.linalg.eigvalsh(root1 @ s2 @ root1)
    return float((mu1 - mu2) @ (mu1 - mu2) + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(inner, 0, None)).sum())


@pytest.mark.backend
def test_fid_of_a_set_with_itself_is_zero():
    x = gaussian(400, [0.0] * 8, [1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0, 0.2], seed=0)
    assert M.fid(x, x) == pytest.approx(0.0, abs=1e-6)


def test_fid_matches_closed_form_of_sample_statistics():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(300, 5)) @ rng.normal(size=(5, 5)) + 1.0  # correlated features
    b = rng.normal(size=(250, 5)) @ rng.normal(size=(5, 5)) - 0.5
    expected = closed_form(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))
    assert M.fid(a, b) == pytest.approx(expected, rel=1e-8)
    assert M.frechet_distance(*M.feature_stats(a), *M.feature_stats(b)) == pytest.approx(expected, rel=1e-8)


def test_fid_of_large_samples_approaches_the_population_value():
    # Diagonal covariances: FID = ‖μ1−μ2‖² + Σ_i (σ1_i − σ2_i)² = 1 + 0.25 + 1 + 0 = 2.25.
    mu1, sd1 = np.array([0.0, 0.0, 0.0]), np.array([1.0, 1.0, 1.0])
    mu2, sd2 = np.array([1.0, 0.0, 0.0]), np.array([1.0, 1.5, 2.0])
    population = float(((mu1 - mu2) ** 2).sum() + ((sd1 - sd2) ** 2).sum())
    assert population == pytest.approx(2.25)
    value = M.fid(gaussian(20_000, mu1, sd1, seed=2), gaussian(20_000, mu2, sd2, seed=3))
    # Sampling error: each mean is off by ~σ/√n ≈ 0.014, which moves ‖Δμ‖² by ~2·1·0.014 ≈ 0.03, and the
    # positive bias of the estimator is ≈ Tr(Σ1+Σ2)/n ≈ 5e-4; 0.1 is more than three standard errors.
    assert value == pytest.approx(population, abs=0.1)
    # ... and it is the closed form in the population quantities for the frechet_distance primitive.
    assert M.frechet_distance(mu1, np.diag(sd1 ** 2), mu2, np.diag(sd2 ** 2)) == pytest.approx(2.25, abs=1e-9)


def test_fid_handles_fewer_samples_than_dimensions():
    x = gaussian(10, [0.0] * 20, [1.0] * 20, seed=4)  # covariance of rank 9 in 20 dimensions
    y = gaussian(12, [0.5] * 20, [1.0] * 20, seed=5)
    value = M.fid(x, y)
    assert np.isfinite(value) and value > 0
    assert M.fid(x, x) == pytest.approx(0.0, abs=1e-4)
    # A collapsed set (zero covariance, e.g. a generator that draws one image): Σ1 = 0, so the
    # square-root term vanishes and FID = ‖μ2‖² + Tr(Σ2); no warning escapes.
    collapsed = np.zeros((50, 20))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert M.fid(collapsed, y) == pytest.approx((y.mean(0) ** 2).sum() + np.trace(np.cov(y, rowvar=False)), rel=1e-6)
        assert M.fid(collapsed, collapsed) == 0.0


def test_fid_input_errors():
    x = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"^FID needs at least 2 samples in b, got 1$"):
        M.fid(x, np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"^a and b must have the same feature size, got 3 and 4$"):
        M.fid(x, np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"^a must be images \(n, 28, 28, 1\) or a feature matrix \(n, d\), got shape \(5,\)$"):
        M.fid(np.ones(5), x)
    with pytest.raises(TypeError, match=r"^b must be an array of images \(n, 28, 28\[, 1\]\) or features \(n, d\), got str$"):
        M.fid(x, "images")
    with pytest.raises(ValueError, match=r"^a: images must have shape \(n, 28, 28\) or \(n, 28, 28, 1\), got \(4, 32, 32, 3\)$"):
        M.fid(np.zeros((4, 32, 32, 3)), x)
    with pytest.raises(ValueError, match=r"^b contains NaN or infinite values$"):
        M.fid(x, np.full((5, 3), np.nan))
    with pytest.raises(ValueError, match=r"^sigma2 must have shape \(2, 2\) to match the means, got \(3, 3\)$"):
        M.frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), np.eye(3))


def test_polynomial_mmd2_is_the_unbiased_estimate():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    k = lambda u, v: (u @ v / 2 + 1) ** 3  # noqa: E731
    xx = sum(k(x[i], x[j]) for i in range(3) for j in range(3) if i != j) / 6
    yy = sum(k(y[i], y[j]) for i in range(4) for j in range(4) if i != j) / 12
    xy = sum(k(x[i], y[j]) for i in range(3) for j in range(4)) / 12
    assert M.polynomial_mmd2(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


@pytest.mark.backend
def test_kid_near_zero_for_one_distribution_and_positive_for_a_shift():
    a = gaussian(2000, [0.0] * 16, [1.0] * 16, seed=7)
    b = gaussian(2000, [0.0] * 16, [1.0] * 16, seed=8)
    c = gaussian(2000, [0.5] * 16, [1.0] * 16, seed=9)
    same_mean, same_std = M.kid(a, b, subset_size=500, subsets=10)
    shift_mean, shift_std = M.kid(a, c, subset_size=500, subsets=10)
    assert abs(same_mean) < 3 * same_std + 1e-3
    assert shift_mean > 0.1 and shift_mean > 20 * same_std
    assert M.kid(a, c, subset_size=500, subsets=3, seed=1) == M.kid(a, c, subset_size=500, subsets=3, seed=1)
    with pytest.raises(ValueError, match=r"^subset_size must be an int >= 2, got 1$"):
        M.kid(a, b, subset_size=1)
    with pytest.raises(ValueError, match=r"^KID needs at least 2 samples in a, got 1$"):
        M.kid(a[:1], b)


@pytest.mark.backend
def test_precision_recall_known_cases():
    rng = np.random.default_rng(10)
    centres = np.array([[0, 0], [20, 0], [0, 20], [20, 20]], dtype=float)
    real = np.concatenate([c + rng.normal(size=(100, 2)) for c in centres])
    assert M.precision_recall(real, real.copy()) == {"precision": 1.0, "recall": 1.0}
    assert M.precision_recall(real, real + 1000.0) == {"precision": 0.0, "recall": 0.0}
    one_mode = centres[0] + rng.normal(size=(400, 2)) * 0.8  # covers one of the four clusters
    pr = M.precision_recall(real, one_mode, k=3)
    assert pr["precision"] > 0.95
    assert 0.15 < pr["recall"] < 0.3
    with pytest.raises(ValueError, match=r"^precision_recall needs at least 4 samples in fake, got 3$"):
        M.precision_recall(real, real[:3], k=3)
    with pytest.raises(ValueError, match=r"^k must be an int >= 1, got 0$"):
        M.precision_recall(real, real, k=0)


@pytest.mark.backend
def test_nearest_neighbours_exact_against_brute_force():
    rng = np.random.default_rng(11)
    samples, reference = rng.random((40, 7, 7)), rng.random((300, 7, 7))
    out = M.nearest_neighbours(samples, reference, k=3)
    brute = np.sqrt(((samples.reshape(40, 1, -1) - reference.reshape(1, 300, -1)) ** 2).sum(-1))
    order = np.argsort(brute, axis=1)[:, :3]
    np.testing.assert_array_equal(out["indices"], order)
    np.testing.assert_allclose(out["distances"], np.take_along_axis(brute, order, axis=1), rtol=1e-12)
    # Chunked processing (tiny chunks) gives the same answer, and an exact copy is at distance 0.
    dist, idx = M._knn(samples.reshape(40, -1), reference.reshape(300, -1), 3, max_elements=500)
    np.testing.assert_array_equal(idx, order)
    # float32 pixels (kept in float32 to save memory) give the exact float64 distances of those values.
    s32, r32 = samples.astype("float32"), reference.astype("float32")
    brute32 = np.sqrt(((s32.reshape(40, 1, -1).astype("float64") - r32.reshape(1, 300, -1)) ** 2).sum(-1))
    out32 = M.nearest_neighbours(s32, r32, k=2)
    np.testing.assert_array_equal(out32["indices"], np.argsort(brute32, axis=1)[:, :2])
    np.testing.assert_allclose(out32["distances"], np.sort(brute32, axis=1)[:, :2], rtol=1e-12)
    copy = M.nearest_neighbours(reference[5:6], reference)
    assert copy["indices"][0, 0] == 5 and copy["distances"][0, 0] == 0.0
    with pytest.raises(ValueError, match=r"^samples and reference must have the same size per sample, got 49 and 64$"):
        M.nearest_neighbours(samples, rng.random((10, 8, 8)))
    with pytest.raises(ValueError, match=r"^k must be at most the number of reference rows \(300\), got 301$"):
        M.nearest_neighbours(samples, reference, k=301)


@pytest.mark.backend
def test_memorisation_flags_copied_training_images():
    rng = np.random.default_rng(12)
    train = rng.random((400, 28, 28, 1)).astype("float32")
    held_out = rng.random((200, 28, 28, 1)).astype("float32")
    new = rng.random((20, 28, 28, 1)).astype("float32")
    samples = np.concatenate([train[[3, 50, 99, 120, 399]], new])
    rep = M.memorisation_report(samples, train, held_out=held_out, quantile=0.05, n_pairs=5)
    np.testing.assert_array_equal(rep["indices"][:5], [3, 50, 99, 120, 399])
    np.testing.assert_array_equal(rep["distances"][:5], 0.0)
    assert sorted(p[0] for p in rep["closest_pairs"]) == [0, 1, 2, 3, 4]
    assert rep["threshold"] == pytest.approx(np.quantile(rep["reference_distances"], 0.05))
    flagged = rep["distances"] < rep["threshold"]
    assert flagged[:5].all() and flagged[5:].sum() <= 3
    assert rep["copy_share"] == pytest.approx(flagged.mean())
    # Without held-out images the reference is leave-one-out within the training set; copies still flagged.
    loo = M.memorisation_report(samples, train, quantile=0.05)
    assert (loo["distances"][:5] < loo["threshold"]).all() and loo["threshold"] > 0
    with pytest.raises(ValueError, match=r"^space must be 'pixels' or 'features', got 'latent'$"):
        M.memorisation_report(samples, train, space="latent")
    with pytest.raises(ValueError, match=r"^quantile must be a number in \(0, 1\), got 1.5$"):
        M.memorisation_report(samples, train, quantile=1.5)
