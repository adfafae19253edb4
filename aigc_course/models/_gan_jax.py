"""The GAN train step under JAX: a pure function of the training state.

Keras' JAX trainer jits ``train_step(state, data)`` with ``state = (trainable, non_trainable,
optimizer_variables, metrics_variables)``, lists of arrays in the order of ``model.trainable_variables``
etc. The model's optimizer is an ``OptimizerPair`` whose variables are both optimizers' variables, so
both travel through the state. Networks run with ``stateless_call`` (which also returns batch-norm
statistics and dropout seeds), optimizers with ``stateless_apply``.
"""

import jax
import keras


def train_step(model, state, data):
    trainable, non_trainable, opt_vars, metric_vars = state
    G, D = model.generator, model.discriminator
    ix = _indices(model)
    g_tr, d_tr = [trainable[i] for i in ix["g_tr"]], [trainable[i] for i in ix["d_tr"]]
    g_nt, d_nt = [non_trainable[i] for i in ix["g_nt"]], [non_trainable[i] for i in ix["d_nt"]]
    n_d = len(model.d_optimizer.variables)
    d_opt, g_opt = opt_vars[:n_d], opt_vars[n_d:]
    real_batch, label_batch = model.unpack(data)

    def d_loss_fn(d_tr, d_nt, real, labels, fake, x_hat):
        real_out, d_nt = D.stateless_call(d_tr, d_nt, model.d_inputs(real, labels), training=True)
        fake_out, d_nt = D.stateless_call(d_tr, d_nt, model.d_inputs(fake, labels), training=True)
        loss = model.d_objective(real_out, fake_out)
        if model.gp_weight:
            score = lambda x: D.stateless_call(d_tr, d_nt, model.d_inputs(x, labels), training=True)[0].sum()
            loss = loss + model.gp_weight * model.penalty(jax.grad(score)(x_hat))
        return loss, (real_out, fake_out, d_nt)

    def g_loss_fn(g_tr, g_nt, d_nt, z, labels):
        fake, g_nt = G.stateless_call(g_tr, g_nt, model.g_inputs(z, labels), training=True)
        fake_out, d_nt = D.stateless_call(d_tr, d_nt, model.d_inputs(fake, labels), training=True)
        return model.g_objective(fake_out), (g_nt, d_nt)

    # The model's own state (latent-noise seed, metric totals) is read and written inside one scope.
    own = list(zip(model.non_trainable_variables, non_trainable)) + list(zip(model.metrics_variables, metric_vars))
    with keras.StatelessScope(state_mapping=own) as scope:
        # 1) Discriminator (critic) update(s), each on a fresh real batch: gradients w.r.t. d_tr only,
        #    so G is held fixed.
        for real, labels in model.critic_batches(real_batch, label_batch):
            n = real.shape[0]
            fake, g_nt = G.stateless_call(g_tr, g_nt, model.g_inputs(model.sample_latent(n), labels), training=True)
            x_hat = model.interpolate(real, fake) if model.gp_weight else None
            (d_loss, (real_out, fake_out, d_nt)), grads = jax.value_and_grad(d_loss_fn, has_aux=True)(
                d_tr, d_nt, real, labels, fake, x_hat)
            d_tr, d_opt = model.d_optimizer.stateless_apply(d_opt, grads, d_tr)
        # 2) Generator update: gradients w.r.t. g_tr only, so D is frozen.
        (g_loss, (g_nt, d_nt)), grads = jax.value_and_grad(g_loss_fn, has_aux=True)(
            g_tr, g_nt, d_nt, model.sample_latent(n), labels)
        g_tr, g_opt = model.g_optimizer.stateless_apply(g_opt, grads, g_tr)
        logs = model.update_metrics(d_loss, g_loss, real_out, fake_out)
    non_trainable = [scope.get_current_value(v) for v in model.non_trainable_variables]
    metric_vars = [scope.get_current_value(v) for v in model.metrics_variables]
    trainable = list(trainable)
    for key, values, target in (("g_tr", g_tr, trainable), ("d_tr", d_tr, trainable),
                                ("g_nt", g_nt, non_trainable), ("d_nt", d_nt, non_trainable)):
        for i, v in zip(ix[key], values):
            target[i] = v
    return logs, (trainable, non_trainable, d_opt + g_opt, metric_vars)


def _indices(model):
    """Positions of G's and D's variables inside the model's flat variable lists (computed once)."""
    if getattr(model, "_jax_indices", None) is None:
        def where(sub, full):
            pos = {id(v): i for i, v in enumerate(full)}
            return [pos[id(v)] for v in sub]
        G, D = model.generator, model.discriminator
        model._jax_indices = {
            "g_tr": where(G.trainable_variables, model.trainable_variables),
            "d_tr": where(D.trainable_variables, model.trainable_variables),
            "g_nt": where(G.non_trainable_variables, model.non_trainable_variables),
            "d_nt": where(D.non_trainable_variables, model.non_trainable_variables),
        }
    return model._jax_indices
