"""The losses of the course, written once in ``keras.ops`` (any backend) and checked in closed form.

GAN losses take discriminator *logits* (the discriminators of the course have no final sigmoid), which is
numerically stable: log D(x) = log_sigmoid(logit), log(1 - D(x)) = log_sigmoid(-logit).
"""

from __future__ import annotations

from keras import ops


def bce(y_true, p, eps: float = 1e-7):
    """Mean binary cross-entropy  -[y log p + (1 - y) log(1 - p)]  for probabilities ``p``."""
    p = ops.clip(ops.convert_to_tensor(p, "float32"), eps, 1.0 - eps)
    y = ops.convert_to_tensor(y_true, "float32")
    return -ops.mean(y * ops.log(p) + (1.0 - y) * ops.log(1.0 - p))


def bce_with_logits(y_true, logits):
    """Mean binary cross-entropy for logits (p = sigmoid(logits)), stable for large |logits|."""
    z = ops.convert_to_tensor(logits, "float32")
    y = ops.convert_to_tensor(y_true, "float32")
    return -ops.mean(y * ops.log_sigmoid(z) + (1.0 - y) * ops.log_sigmoid(-z))


def d_loss(real_logits, fake_logits, label_smoothing: float = 0.0):
    """Discriminator loss  -E[log D(x)] - E[log(1 - D(G(z)))].

    One-sided label smoothing replaces the real target 1 by ``1 - label_smoothing`` (fake targets stay 0).
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    real_t = 1.0 - label_smoothing
    real_logits = ops.convert_to_tensor(real_logits, "float32")
    fake_logits = ops.convert_to_tensor(fake_logits, "float32")
    return bce_with_logits(real_t * ops.ones_like(real_logits), real_logits) + bce_with_logits(
        ops.zeros_like(fake_logits), fake_logits)


def g_loss_nonsaturating(fake_logits):
    """Non-saturating generator loss  -E[log D(G(z))]: minimising it *raises* D's belief in the fakes."""
    return -ops.mean(ops.log_sigmoid(ops.convert_to_tensor(fake_logits, "float32")))


def g_loss_saturating(fake_logits):
    """Original minimax generator loss  E[log(1 - D(G(z)))], minimised by G; its gradient vanishes when D
    rejects the fakes confidently (early in training)."""
    return ops.mean(ops.log_sigmoid(-ops.convert_to_tensor(fake_logits, "float32")))


def wasserstein_critic_loss(real_scores, fake_scores):
    """WGAN critic loss  E[f(G(z))] - E[f(x)]  (the critic maximises the gap, so it minimises this)."""
    return ops.mean(fake_scores) - ops.mean(real_scores)


def wasserstein_generator_loss(fake_scores):
    """WGAN generator loss  -E[f(G(z))]."""
    return -ops.mean(fake_scores)


def gaussian_kl(mu, logvar):
    """KL(N(mu, sigma^2) || N(0, I)) = 1/2 sum(mu^2 + sigma^2 - log sigma^2 - 1), summed over the last axis."""
    mu = ops.convert_to_tensor(mu, "float32")
    logvar = ops.convert_to_tensor(logvar, "float32")
    if tuple(mu.shape) != tuple(logvar.shape):
        raise ValueError(f"mu and logvar must have the same shape, got {tuple(mu.shape)} and {tuple(logvar.shape)}")
    return 0.5 * ops.sum(ops.square(mu) + ops.exp(logvar) - logvar - 1.0, axis=-1)


def bernoulli_nll(x, logits):
    """-log p(x | z) under independent Bernoulli pixels with p = sigmoid(logits), summed per example
    (all axes but the first); ``x`` in [0, 1]."""
    x = ops.convert_to_tensor(x, "float32")
    z = ops.convert_to_tensor(logits, "float32")
    if tuple(x.shape) != tuple(z.shape):
        raise ValueError(f"x and logits must have the same shape, got {tuple(x.shape)} and {tuple(z.shape)}")
    per_pixel = -(x * ops.log_sigmoid(z) + (1.0 - x) * ops.log_sigmoid(-z))
    return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=-1)


def next_token_loss(targets, logits, mask=None):
    """Categorical next-token cross-entropy  -mean_t log p(x_t | x_<t)  in nats per token.

    ``targets``: int (batch, time); ``logits``: (batch, time, vocab); ``mask``: optional (batch, time) of
    0/1 weights (e.g. 0 on padding).
    """
    logits = ops.convert_to_tensor(logits, "float32")
    targets = ops.cast(ops.convert_to_tensor(targets), "int32")
    if len(logits.shape) != 3 or tuple(targets.shape) != tuple(logits.shape[:2]):
        raise ValueError(f"expected targets (batch, time) and logits (batch, time, vocab), got "
                         f"{tuple(targets.shape)} and {tuple(logits.shape)}")
    logp = ops.log_softmax(logits, axis=-1)
    picked = ops.take_along_axis(logp, ops.expand_dims(targets, -1), axis=-1)[..., 0]
    if mask is None:
        return -ops.mean(picked)
    mask = ops.cast(ops.convert_to_tensor(mask), "float32")
    return -ops.sum(picked * mask) / ops.maximum(ops.sum(mask), 1.0)
