"""Sample-quality metrics in the feature space of the course's Fashion-MNIST classifier.

Every function that compares two sets accepts either

* images: (n, 28, 28, 1) or (n, 28, 28) arrays in [0, 1], [-1, 1] or 0..255, as ``value_range`` says ("unit",
  "tanh", "uint8"; None guesses); a range that does not fit the values, NaN/inf, a wrong rank or channel
  count raise ValueError instead of giving a wrong number. They are embedded with
  :func:`aigc_course.metrics.features.embed` (128-d pre-ReLU features of the shipped classifier), or
* feature matrices: 2-D arrays (n, d) used as they are.

``nearest_neighbours`` and ``memorisation_report`` work on raw pixels by default (flattened images),
because a copied training image is a pixel-level copy.

Metrics
-------
FID (Heusel et al. 2017): fit a Gaussian to each feature set and take the Fréchet distance
    ‖μ1 − μ2‖² + Tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^{1/2}).
KID (Bińkowski et al. 2018): the unbiased estimate of MMD² with the cubic polynomial kernel
    k(x, y) = (x·y / d + 1)³, averaged over random subsets; unbiased, so it is ≈ 0 (and can be slightly
    negative) for two samples of one distribution, even with few samples.
Precision / recall (Kynkäänniemi et al. 2019): each set's manifold is the union of balls around its
    points whose radius is the distance to that point's k-th nearest neighbour in the same set;
    precision = share of fake points inside the real manifold, recall = share of real points inside
    the fake manifold.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from . import features as _features

SQRTM_EPS = 1e-6
"""Added to the covariance diagonals when Σ1Σ2 is (near) singular, e.g. with fewer samples than
feature dimensions: (Σ1 + εI)(Σ2 + εI) has only positive eigenvalues, so its square root is real."""
IMAG_TOL = 1e-3
"""Largest imaginary part (relative to the largest real entry) of sqrtm(Σ1Σ2) accepted as round-off."""


# --------------------------------------------------------------------------------------------- helpers
def _as_array(x, name: str) -> np.ndarray:
    if x is None or isinstance(x, (str, bytes, dict)):
        raise TypeError(f"{name} must be an array of images (n, 28, 28[, 1]) or features (n, d), "
                        f"got {type(x).__name__}")
    if not isinstance(x, np.ndarray) and "keras" in sys.modules:  # a backend tensor
        try:
            x = sys.modules["keras"].ops.convert_to_numpy(x)
        except Exception:
            pass
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    return arr


def to_features(x, name: str = "x", value_range: str | None = None, batch_size: int = 500) -> np.ndarray:
    """2-D float64 features: images (3-D/4-D) are embedded with the shipped classifier, 2-D passes through."""
    arr = _as_array(x, name)
    if arr.ndim == 2:
        return arr.astype("float64")
    if arr.ndim in (3, 4):
        try:
            return _features.embed(arr, value_range=value_range, batch_size=batch_size)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    raise ValueError(f"{name} must be images (n, 28, 28, 1) or a feature matrix (n, d), got shape {arr.shape}")


def _pair(a, b, value_range, batch_size, min_samples: int, what: str, names=("a", "b")):
    fa = to_features(a, names[0], value_range, batch_size)
    fb = to_features(b, names[1], value_range, batch_size)
    if fa.shape[1] != fb.shape[1]:
        raise ValueError(f"{names[0]} and {names[1]} must have the same feature size, got {fa.shape[1]} and "
                         f"{fb.shape[1]}")
    for name, f in zip(names, (fa, fb)):
        if len(f) < min_samples:
            raise ValueError(f"{what} needs at least {min_samples} samples in {name}, got {len(f)}")
        if not np.all(np.isfinite(f)):
            raise ValueError(f"{name} contains NaN or infinite values")
    return fa, fb


def feature_stats(x, value_range: str | None = None, batch_size: int = 500):
    """(mean (d,), covariance (d, d)) of a feature set (unbiased covariance, n − 1 in the denominator)."""
    f = to_features(x, "x", value_range, batch_size)
    if len(f) < 2:
        raise ValueError(f"feature_stats needs at least 2 samples, got {len(f)}")
    return f.mean(axis=0), np.cov(f, rowvar=False)


# ------------------------------------------------------------------------------------------------- FID
def frechet_distance(mu1, sigma1, mu2, sigma2, eps: float = SQRTM_EPS) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2):
    ‖μ1 − μ2‖² + Tr(Σ1) + Tr(Σ2) − 2 Tr((Σ1 Σ2)^{1/2}).

    The matrix square root comes from scipy.linalg.sqrtm. When it is not finite or has an imaginary part
    larger than round-off (IMAG_TOL, relative), ``eps`` is added to both diagonals and it is recomputed;
    the remaining round-off imaginary part is dropped. Tiny negative results (round-off) are clipped to 0.
    """
    from scipy import linalg

    mu1, mu2 = np.atleast_1d(np.asarray(mu1, dtype="float64")), np.atleast_1d(np.asarray(mu2, dtype="float64"))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, dtype="float64")), np.atleast_2d(np.asarray(sigma2, dtype="float64"))
    if mu1.ndim != 1 or mu1.shape != mu2.shape:
        raise ValueError(f"mu1 and mu2 must be vectors of one length, got shapes {mu1.shape} and {mu2.shape}")
    d = mu1.shape[0]
    for name, s in (("sigma1", sigma1), ("sigma2", sigma2)):
        if s.shape != (d, d):
            raise ValueError(f"{name} must have shape ({d}, {d}) to match the means, got {s.shape}")
    if not (isinstance(eps, (int, float)) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}")

    def root(s1, s2):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # singular products are handled below (eps on the diagonals)
            m = linalg.sqrtm(s1 @ s2)
        m = np.asarray(m)
        if not np.all(np.isfinite(m)):
            return None
        if np.iscomplexobj(m):
            scale = max(1.0, float(np.abs(m.real).max()))
            if np.abs(m.imag).max() > IMAG_TOL * scale:
                return None
            m = m.real
        return m

    covmean = root(sigma1, sigma2)
    if covmean is None:
        offset = eps * np.eye(d)
        covmean = root(sigma1 + offset, sigma2 + offset)
        if covmean is None:
            raise ValueError("the covariance product has no real square root even after adding "
                             f"eps={eps} to the diagonals; are the features finite?")
    diff = mu1 - mu2
    value = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))
    return max(value, 0.0)


def fid(a, b, value_range: str | None = None, batch_size: int = 500) -> float:
    """Fréchet Inception-style distance between two image sets (or feature sets); lower is better, 0 = same
    Gaussian statistics. Needs at least 2 samples each; far more (thousands) for a stable number."""
    fa, fb = _pair(a, b, value_range, batch_size, 2, "FID")
    return frechet_distance(fa.mean(axis=0), np.cov(fa, rowvar=False), fb.mean(axis=0), np.cov(fb, rowvar=False))


# ------------------------------------------------------------------------------------------------- KID
def _check_count(value, name: str, minimum: int) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def polynomial_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² between feature sets x (m, d) and y (n, d) with k(u, v) = (u·v / d + 1)³."""
    d = x.shape[1]
    kxx = (x @ x.T / d + 1.0) ** 3
    kyy = (y @ y.T / d + 1.0) ** 3
    kxy = (x @ y.T / d + 1.0) ** 3
    m, n = len(x), len(y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2.0 * kxy.mean())


def kid(a, b, subset_size: int = 1000, subsets: int = 10, seed: int = 0, value_range: str | None = None,
        batch_size: int = 500) -> tuple[float, float]:
    """Kernel Inception-style distance: (mean, std) of the unbiased MMD² over ``subsets`` random subsets of
    min(subset_size, len(a), len(b)) samples drawn without replacement from each set (seeded)."""
    subset_size = _check_count(subset_size, "subset_size", 2)
    subsets = _check_count(subsets, "subsets", 1)
    seed = _check_count(seed, "seed", 0)
    fa, fb = _pair(a, b, value_range, batch_size, 2, "KID")
    m = min(subset_size, len(fa), len(fb))
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(subsets):
        xa = fa[rng.choice(len(fa), m, replace=False)]
        xb = fb[rng.choice(len(fb), m, replace=False)]
        values.append(polynomial_mmd2(xa, xb))
    return float(np.mean(values)), float(np.std(values))


# ------------------------------------------------------------------------------------ class confidence
def class_confidence_report(images, threshold: float = 0.9, value_range: str | None = None,
                            batch_size: int = 500, guard: bool = True) -> dict:
    """How sure the shipped classifier is about ``images``, with the noise guard.

    The classifier is confidently wrong about noise (uniform noise: "Bag" at >= 0.9 for most images), so by
    default (``guard=True``) an image counts as confident only when it also passes
    :func:`aigc_course.metrics.features.looks_like_clothing` (pixel statistics inside the real range).

    Returns {"confident_share": share with top class probability >= threshold (and, with the guard, passing it),
             "unguarded_confident_share": the share without the guard,
             "typical_share": share passing the guard (1.0 when ``guard`` is False),
             "class_histogram": list of 10 shares of the predicted classes,
             "predicted": int array (n,) of predicted classes,
             "confidence": float array (n,) of top probabilities,
             "proba": float array (n, 10) of class probabilities (e.g. for :func:`inception_score`),
             "typical": bool array (n,) (all True when ``guard`` is False),
             "mean_confidence": their mean}.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise ValueError(f"threshold must be a number in (0, 1], got {threshold!r}")
    if not isinstance(guard, bool):
        raise ValueError(f"guard must be True or False, got {guard!r}")
    arr = _as_array(images, "images")
    if arr.ndim not in (3, 4):
        raise ValueError(f"images must have shape (n, 28, 28) or (n, 28, 28, 1), got {arr.shape}")
    proba = _features.predict_proba(arr, value_range=value_range, batch_size=batch_size)
    predicted = proba.argmax(axis=1)
    confidence = proba.max(axis=1)
    typical = (_features.looks_like_clothing(arr, value_range) if guard
               else np.ones(len(predicted), dtype=bool))
    hist = np.bincount(predicted, minlength=_features.NUM_CLASSES) / len(predicted)
    return {
        "confident_share": float(np.mean((confidence >= threshold) & typical)),
        "unguarded_confident_share": float(np.mean(confidence >= threshold)),
        "typical_share": float(np.mean(typical)),
        "class_histogram": [float(h) for h in hist],
        "predicted": predicted.astype("int64"),
        "confidence": confidence,
        "proba": proba,
        "typical": typical,
        "mean_confidence": float(confidence.mean()),
    }


def inception_score(images, value_range: str | None = None, batch_size: int = 500) -> float:
    """Inception Score (Salimans et al. 2016) computed with the course's classifier instead of Inception-v3:
    exp(mean over x of KL(p(y | x) || p(y))), where p(y) is the mean of p(y | x) over the set. It lies in
    [1, number of classes]: high when every image gets one confident class and the classes are balanced.

    ``images``: images (3-D/4-D, classified here) or a 2-D array of class probabilities (n, classes) whose
    rows sum to 1. Its faults: it never looks at real data (a copy of the training set, or one perfect
    image per class, scores as well as real data), it ignores diversity inside a class, and it depends on
    the classifier."""
    arr = _as_array(images, "images")
    if arr.ndim == 2:
        p = arr.astype("float64")
        if len(p) == 0 or np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
            raise ValueError(f"a 2-D images argument must hold class probabilities (rows >= 0 summing to 1), "
                             f"got shape {arr.shape}; pass images (n, 28, 28[, 1]) or softmax outputs")
    elif arr.ndim in (3, 4):
        p = _features.predict_proba(arr, value_range=value_range, batch_size=batch_size)
    else:
        raise ValueError(f"images must be images (n, 28, 28[, 1]) or probabilities (n, classes), got shape "
                         f"{arr.shape}")
    marginal = p.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(p > 0, p * (np.log(p) - np.log(marginal)), 0.0).sum(axis=1)
    return float(np.exp(kl.mean()))


# --------------------------------------------------------------------------------- nearest neighbours
def _flat(x, name: str) -> np.ndarray:
    arr = _as_array(x, name)
    if arr.ndim < 2:
        raise ValueError(f"{name} must have shape (n, ...) with one row per sample, got {arr.shape}")
    flat = arr.reshape(len(arr), -1)
    if flat.dtype.kind == "f" and not np.all(np.isfinite(flat)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return flat if flat.dtype == np.float64 else flat.astype("float32")  # float32 halves the memory of pixels


def _knn(q: np.ndarray, r: np.ndarray, k: int, exclude_self: bool = False, max_elements: int = 2 ** 24):
    """Exact k nearest rows of r for every row of q (Euclidean), in chunks of at most max_elements distances.

    Candidates come from float32 ‖r‖² − 2 q·r (fast; ‖q‖² does not change the ranking); the best k + 8
    of them are then re-measured in float64 directly, so the distances (and exact copies at distance 0)
    are exact."""
    n, m = len(q), len(r)
    extra = min(m - (1 if exclude_self else 0), k + 8)
    r32 = r.astype("float32", copy=False)
    r_sq = np.einsum("ij,ij->i", r32, r32)
    step = max(1, min(max_elements // max(m, 1), max_elements // (extra * q.shape[1] or 1)))
    dist = np.empty((n, k))
    idx = np.empty((n, k), dtype="int64")
    for start in range(0, n, step):
        qb = q[start:start + step]
        # ‖q − r‖² − ‖q‖² = ‖r‖² − 2 q·r ranks the references of each row like the distance (in place: fast).
        d2 = qb.astype("float32") @ r32.T
        d2 *= -2.0
        d2 += r_sq[None, :]
        if exclude_self:
            rows = np.arange(len(qb))
            d2[rows, start + rows] = np.inf
        cand = np.argpartition(d2, extra - 1, axis=1)[:, :extra] if extra < m else np.broadcast_to(
            np.arange(m), (len(qb), m)).copy()
        diff = qb.astype("float64")[:, None, :] - r[cand].astype("float64")
        exact = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
        if exclude_self:
            exact[cand == (start + np.arange(len(qb)))[:, None]] = np.inf
        order = np.argsort(exact, axis=1, kind="stable")[:, :k]
        dist[start:start + len(qb)] = np.take_along_axis(exact, order, axis=1)
        idx[start:start + len(qb)] = np.take_along_axis(cand, order, axis=1)
    return dist, idx


def nearest_neighbours(samples, reference, k: int = 1) -> dict:
    """The k nearest rows of ``reference`` for every row of ``samples`` (Euclidean distance).

    Works on images (compared as flattened pixels, as given) or on feature matrices; processed in chunks,
    so 10 000 samples against 60 000 references fit in memory. Returns {"distances": (n, k) ascending,
    "indices": (n, k) row numbers in ``reference``}.
    """
    q = _flat(samples, "samples")
    r = _flat(reference, "reference")
    if q.shape[1] != r.shape[1]:
        raise ValueError(f"samples and reference must have the same size per sample, got {q.shape[1]} and {r.shape[1]}")
    if len(q) == 0 or len(r) == 0:
        raise ValueError(f"samples and reference must not be empty, got {len(q)} and {len(r)} rows")
    k = _check_count(k, "k", 1)
    if k > len(r):
        raise ValueError(f"k must be at most the number of reference rows ({len(r)}), got {k}")
    dist, idx = _knn(q, r, k)
    return {"distances": dist, "indices": idx}


# ------------------------------------------------------------------------------------ precision/recall
def _radii(f: np.ndarray, k: int) -> np.ndarray:
    return _knn(f, f, k, exclude_self=True)[0][:, -1]


def _inside(points: np.ndarray, centres: np.ndarray, radii: np.ndarray, max_elements: int = 2 ** 24) -> np.ndarray:
    """For each point: is it within radii[j] of some centre j?"""
    c_sq = np.einsum("ij,ij->i", centres, centres)
    step = max(1, max_elements // len(centres))
    out = np.empty(len(points), dtype=bool)
    for start in range(0, len(points), step):
        p = points[start:start + step]
        d2 = np.einsum("ij,ij->i", p, p)[:, None] - 2.0 * (p @ centres.T) + c_sq[None, :]
        d = np.sqrt(np.maximum(d2, 0.0))
        # 1e-9 relative slack: a point on a ball's surface (e.g. a copy of a centre's k-th neighbour) counts.
        out[start:start + len(p)] = np.any(d <= radii[None, :] * (1 + 1e-9) + 1e-12, axis=1)
    return out


def precision_recall(real, fake, k: int = 3, value_range: str | None = None, batch_size: int = 500) -> dict:
    """Improved precision and recall (Kynkäänniemi et al. 2019) with k-NN radii.

    precision: share of ``fake`` inside the real manifold (fidelity: do samples look real?);
    recall: share of ``real`` inside the fake manifold (coverage: does the model produce every kind?).
    Returns {"precision": float, "recall": float}. Each set needs more than k samples.
    """
    k = _check_count(k, "k", 1)
    fr, ff = _pair(real, fake, value_range, batch_size, k + 1, "precision_recall", names=("real", "fake"))
    precision = float(np.mean(_inside(ff, fr, _radii(fr, k))))
    recall = float(np.mean(_inside(fr, ff, _radii(ff, k))))
    return {"precision": precision, "recall": recall}


# --------------------------------------------------------------------------------------- memorisation
def memorisation_report(samples, train, held_out=None, quantile: float = 0.05, n_pairs: int = 8,
                        space: str = "pixels", value_range: str | None = None, max_reference: int = 1000) -> dict:
    """Does a generator copy its training images?

    For every sample: the distance to its nearest training image (``space`` = "pixels": flattened images
    in [0, 1]; "features": the shipped classifier's features).

    Rule: real images the model never saw tell us how close an *unseen* image typically is to the training
    set. ``held_out`` (e.g. test images; at most ``max_reference`` of them are used) gives those reference
    distances; without it, up to ``max_reference`` training images are measured against the rest of the
    training set (leave-one-out). The threshold is the ``quantile`` of these reference distances, and a
    sample is flagged as a likely copy when it is closer to a training image than that. A generator that
    makes new images flags about ``quantile`` of its samples; one that copies flags far more.

    Returns {"distances" (n,), "indices" (n,) nearest training rows, "reference_distances",
    "threshold", "copy_share", "expected_share" (= quantile), "median_distance",
    "reference_median", "closest_pairs": [(sample_row, train_row, distance), ...] (the n_pairs closest),
    "rule": the rule in words}.
    """
    if space not in ("pixels", "features"):
        raise ValueError(f"space must be 'pixels' or 'features', got {space!r}")
    if isinstance(quantile, bool) or not isinstance(quantile, (int, float)) or not 0 < quantile < 1:
        raise ValueError(f"quantile must be a number in (0, 1), got {quantile!r}")
    n_pairs = _check_count(n_pairs, "n_pairs", 0)
    max_reference = _check_count(max_reference, "max_reference", 2)

    def prepare(x, name):
        arr = _as_array(x, name)
        if space == "features":
            return to_features(arr, name, value_range)
        if arr.ndim in (3, 4):
            try:
                return _features.prepare_images(arr, value_range).reshape(len(arr), -1)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        if arr.ndim == 2:
            return arr.astype("float64")
        raise ValueError(f"{name} must be images (n, 28, 28, 1) or a matrix (n, d), got shape {arr.shape}")

    s = prepare(samples, "samples")
    t = prepare(train, "train")
    if s.shape[1] != t.shape[1]:
        raise ValueError(f"samples and train must have the same size per sample, got {s.shape[1]} and {t.shape[1]}")
    if len(t) < 2:
        raise ValueError(f"train needs at least 2 rows, got {len(t)}")
    if len(s) == 0:
        raise ValueError("samples must not be empty, got 0 rows")
    dist, idx = _knn(s, t, 1)
    dist, idx = dist[:, 0], idx[:, 0]
    if held_out is not None:
        h = prepare(held_out, "held_out")[:max_reference]
        if h.shape[1] != t.shape[1]:
            raise ValueError(f"held_out and train must have the same size per sample, got {h.shape[1]} and {t.shape[1]}")
        ref = _knn(h, t, 1)[0][:, 0]
        source = f"{len(ref)} held-out images vs the training set"
    else:
        n_ref = min(max_reference, len(t))
        ref = _knn(t[:n_ref], t, 1, exclude_self=True)[0][:, 0]
        source = f"{n_ref} training images vs the rest of the training set (leave-one-out)"
    threshold = float(np.quantile(ref, quantile))
    order = np.argsort(dist, kind="stable")[:n_pairs]
    return {
        "distances": dist,
        "indices": idx,
        "reference_distances": ref,
        "threshold": threshold,
        "copy_share": float(np.mean(dist < threshold)),
        "expected_share": float(quantile),
        "median_distance": float(np.median(dist)),
        "reference_median": float(np.median(ref)),
        "closest_pairs": [(int(i), int(idx[i]), float(dist[i])) for i in order],
        "rule": (f"a sample is a likely copy when its nearest training image is closer than {threshold:.4g}, "
                 f"the {quantile:.0%} quantile of nearest-training distances of {source}"),
    }
