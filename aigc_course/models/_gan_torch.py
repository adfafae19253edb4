"""The GAN train step under PyTorch: ``zero_grad`` / ``backward`` / optimizer step, once per network."""

import torch
from keras import ops


def train_step(model, data):
    real_batch, label_batch = model.unpack(data)
    G, D = model.generator, model.discriminator

    # 1) Discriminator (critic) update(s), each on a fresh real batch. detach() the fakes here (and only
    #    here): G is held fixed.
    for real, labels in model.critic_batches(real_batch, label_batch):
        n = ops.shape(real)[0]
        fake = G(model.g_inputs(model.sample_latent(n), labels), training=True).detach()
        D.zero_grad()
        real_out = D(model.d_inputs(real, labels), training=True)
        fake_out = D(model.d_inputs(fake, labels), training=True)
        d_loss = model.d_objective(real_out, fake_out)
        if model.gp_weight:
            d_loss = d_loss + model.gp_weight * gradient_penalty(model, real, fake, labels)
        d_loss.backward()
        with torch.no_grad():
            model.d_optimizer.apply([v.value.grad for v in D.trainable_variables], D.trainable_variables)

    # 2) Generator update: backward reaches D's weights too, but only G's optimizer steps (D is frozen).
    G.zero_grad()
    fake = G(model.g_inputs(model.sample_latent(n), labels), training=True)
    g_loss = model.g_objective(D(model.d_inputs(fake, labels), training=True))
    g_loss.backward()
    with torch.no_grad():
        model.g_optimizer.apply([v.value.grad for v in G.trainable_variables], G.trainable_variables)
    D.zero_grad()
    return model.update_metrics(d_loss.detach(), g_loss.detach(), real_out.detach(), fake_out.detach())


def gradient_penalty(model, real, fake, labels):
    x_hat = model.interpolate(real, fake).requires_grad_(True)
    scores = model.discriminator(model.d_inputs(x_hat, labels), training=True)
    (grads,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    return model.penalty(grads)
