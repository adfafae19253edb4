"""benchmarks/time_to_quality.py: the plain-PyTorch baselines are the package's networks (same trainable
parameter counts and shapes), and the ratios divide package by PyTorch at the same budget."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def ttq():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("time_to_quality", BENCH / "time_to_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.path.remove(str(BENCH))


def trainable(keras_model) -> list[int]:
    return sorted(int(np.prod(w.shape)) for w in keras_model.trainable_weights)


def torch_trainable(module) -> list[int]:
    return sorted(p.numel() for p in module.parameters())


def test_the_pytorch_dcgan_has_the_package_networks(ttq):
    from aigc_course.models import gan

    g, d = gan.build_dcgan_generator(16, 8), gan.build_dcgan_discriminator(8)
    tg, td = ttq.TorchGenerator(16, 8), ttq.TorchDiscriminator(8)
    assert torch_trainable(tg) == trainable(g) and torch_trainable(td) == trainable(d)
    images = tg(torch.zeros(3, 16))
    assert tuple(images.shape) == (3, 1, 28, 28) and tuple(td(images).shape) == (3, 1)


def test_the_pytorch_vae_has_the_package_networks(ttq):
    from aigc_course.models import vae

    enc = vae.build_conv_encoder(16, filters=(32, 64), dense=256)
    dec = vae.build_conv_decoder(16, filters=(64, 32), dense=256)
    net = ttq.TorchVAE(16)
    assert torch_trainable(net) == sorted(trainable(enc) + trainable(dec))
    logits, mu, log_var = net(torch.zeros(2, 1, 28, 28))
    assert tuple(logits.shape) == (2, 1, 28, 28) and tuple(mu.shape) == tuple(log_var.shape) == (2, 16)


def test_ratios_divide_package_by_pytorch_at_the_same_budget(ttq):
    rows = [{"model": "dcgan", "impl": "package", "budget_s": 60.0, "steps_per_s": 3.0, "fid": 30.0},
            {"model": "dcgan", "impl": "pytorch", "budget_s": 60.0, "steps_per_s": 2.0, "fid": 40.0},
            {"model": "dcgan", "impl": "package", "budget_s": 120.0, "steps_per_s": 3.0, "fid": 20.0,
             "interval_steps_per_s": None},
            {"model": "dcgan", "impl": "pytorch", "budget_s": 120.0, "steps_per_s": 4.0, "fid": 25.0}]
    assert ttq.ratios(rows) == [{"model": "dcgan", "budget_s": 60.0, "steps_per_s": 1.5, "fid": 0.75},
                                {"model": "dcgan", "budget_s": 120.0, "steps_per_s": 0.75, "fid": 0.8}]
