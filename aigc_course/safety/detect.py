"""A detector of generated images: a small convolutional classifier trained on real (label 0) and generated
(label 1) images, whose logit is the "generated" score. Its layout is the DCGAN discriminator's
(``aigc_course.models.gan.build_dcgan_discriminator``): two stride-2 convolutions, then one logit.

Evaluate it with ROC AUC (``aigc_course.metrics.roc``) on images it did not train on, once with fakes of
the generator it trained on (in distribution) and once with another generator's (cross-generator)."""

from __future__ import annotations

import keras
import numpy as np

from ..models import gan


def build_detector(width: int = 16, dropout: float = 0.25, name: str = "detector") -> keras.Model:
    """28x28x1 image in [0, 1] -> one logit (> 0: "generated")."""
    return gan.build_dcgan_discriminator(width, dropout, name=name)


def labelled(real, fake, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Real (label 0) and fake (label 1) images stacked and shuffled: (x float32, y float32 (n,))."""
    real, fake = np.asarray(real, dtype="float32"), np.asarray(fake, dtype="float32")
    if real.ndim != 4 or fake.shape[1:] != real.shape[1:]:
        raise ValueError(f"real and fake must both have shape (n, 28, 28, 1), got {real.shape} and {fake.shape}")
    if len(real) == 0 or len(fake) == 0:
        raise ValueError(f"real and fake must both hold images, got {len(real)} and {len(fake)}")
    x = np.concatenate([real, fake])
    y = np.concatenate([np.zeros(len(real)), np.ones(len(fake))]).astype("float32")
    order = np.random.default_rng(seed).permutation(len(x))
    return x[order], y[order]


def compile_detector(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    """Adam and binary cross-entropy on the logit (the sigmoid is applied once, inside the loss)."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
    return model


def scores(model: keras.Model, images, batch_size: int = 500, direct_limit: int = 5000) -> np.ndarray:
    """The detector's logits (n,) for ``images``: higher means "more likely generated".

    Up to ``direct_limit`` images go through one direct call in inference mode (no predict() function to
    trace again for every new detector); more go through ``predict``."""
    x = np.asarray(images, dtype="float32")
    if len(x) <= direct_limit:
        out = keras.ops.convert_to_numpy(model(x, training=False))
    else:
        out = model.predict(x, batch_size=batch_size, verbose=0)
    return np.asarray(out, dtype="float64").reshape(-1)


__all__ = ["build_detector", "labelled", "compile_detector", "scores"]
