"""The GAN train step under TensorFlow: one ``tf.GradientTape`` per network.

Keras compiles ``fit()``'s step with ``tf.function``; nothing here runs eagerly per batch.
"""

import tensorflow as tf
from keras import ops


def train_step(model, data):
    real_batch, label_batch = model.unpack(data)
    G, D = model.generator, model.discriminator

    # 1) Discriminator (critic) update(s), each on a fresh real batch. The fakes are made outside the
    #    tape: G is held fixed.
    for real, labels in model.critic_batches(real_batch, label_batch):
        n = ops.shape(real)[0]
        fake = G(model.g_inputs(model.sample_latent(n), labels), training=True)
        with tf.GradientTape() as tape:
            real_out = D(model.d_inputs(real, labels), training=True)
            fake_out = D(model.d_inputs(fake, labels), training=True)
            d_loss = model.d_objective(real_out, fake_out)
            if model.gp_weight:
                d_loss += model.gp_weight * gradient_penalty(model, real, fake, labels)
        grads = tape.gradient(d_loss, D.trainable_variables)
        model.d_optimizer.apply(grads, D.trainable_variables)

    # 2) Generator update: gradients flow through D, but only G's variables are updated (D is frozen).
    with tf.GradientTape() as tape:
        fake = G(model.g_inputs(model.sample_latent(n), labels), training=True)
        g_loss = model.g_objective(D(model.d_inputs(fake, labels), training=True))
    grads = tape.gradient(g_loss, G.trainable_variables)
    model.g_optimizer.apply(grads, G.trainable_variables)
    return model.update_metrics(d_loss, g_loss, real_out, fake_out)


def gradient_penalty(model, real, fake, labels):
    x_hat = model.interpolate(real, fake)
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = model.discriminator(model.d_inputs(x_hat, labels), training=True)
    return model.penalty(tape.gradient(scores, x_hat))
