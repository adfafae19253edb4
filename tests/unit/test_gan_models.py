import numpy as np
import pytest
from keras import ops

from aigc_course.models import gan


@pytest.mark.backend
def test_dcgan_shapes_and_range():
    g = gan.build_dcgan_generator(latent_dim=8, width=4)
    d = gan.build_dcgan_discriminator(width=4)
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    img = ops.convert_to_numpy(g(z, training=False))
    assert img.shape == (3, 28, 28, 1)
    assert img.min() >= -1.0 and img.max() <= 1.0  # tanh output, the same range as scale="tanh" data
    logits = ops.convert_to_numpy(d(img))
    assert logits.shape == (3, 1)
    # The discriminator returns logits (no sigmoid layer), so values outside [0, 1] are possible.
    assert d.layers[-1].activation.__name__ == "linear"
    # batch norm in the generator: its moving statistics are non-trainable state
    assert len(g.non_trainable_variables) == 4


@pytest.mark.backend
def test_mlp_and_conditional_shapes():
    g = gan.build_mlp_generator(latent_dim=4, output_shape=(2,), hidden=(16,), output_activation=None)
    assert tuple(g.output.shape) == (None, 2)
    d = gan.build_mlp_discriminator(input_shape=(2,), hidden=(16,))
    assert tuple(d.output.shape) == (None, 1)
    cg = gan.build_conditional_generator(latent_dim=6, num_classes=10, width=4)
    cd = gan.build_conditional_discriminator(num_classes=10, width=4)
    z = np.zeros((5, 6), "float32")
    labels = np.arange(5, dtype="int32")
    imgs = ops.convert_to_numpy(cg([z, labels]))
    assert imgs.shape == (5, 28, 28, 1)
    # the label changes the output for the same z
    assert np.abs(imgs[0] - imgs[1]).max() > 0
    assert ops.convert_to_numpy(cd([imgs, labels])).shape == (5, 1)
    assert tuple(gan.build_wgan_critic(width=4).output.shape) == (None, 1)


def test_builder_errors():
    with pytest.raises(ValueError, match=r"^latent_dim must be a positive int, got 0$"):
        gan.build_dcgan_generator(latent_dim=0)
    with pytest.raises(ValueError, match=r"^width must be a positive int, got 2.5$"):
        gan.build_dcgan_discriminator(width=2.5)
    with pytest.raises(ValueError, match=r"^dropout must be a number in \[0, 1\), got 1.0$"):
        gan.build_dcgan_discriminator(width=4, dropout=1.0)
    with pytest.raises(ValueError, match=r"^output_shape must be a non-empty tuple of positive ints, got \(28, -1\)$"):
        gan.build_mlp_generator(output_shape=(28, -1))
    with pytest.raises(ValueError, match=r"^hidden must be a non-empty tuple of positive ints, got \(\)$"):
        gan.build_mlp_discriminator(hidden=())
    with pytest.raises(ValueError, match=r"^output_activation must be 'tanh', 'sigmoid' or None, got 'relu'$"):
        gan.build_mlp_generator(output_activation="relu")
    with pytest.raises(ValueError, match=r"^num_classes must be a positive int, got 0$"):
        gan.build_conditional_generator(num_classes=0)
