"""Time to quality: the package's chapter 04 DCGAN and chapter 06 VAE against the same networks written in
plain PyTorch (the loop a learner would write), each trained for fixed wall-clock budgets in one process.

Each implementation trains once up to the largest budget, the two taking turns segment by segment; at every
budget the clock stops, the model is judged with the course's metrics, and the clock starts again (evaluation time is not training time; the
package's first tracing / compilation is). ``steps_per_s`` is over all training so far,
``interval_steps_per_s`` over the time since the previous budget (the steady rate after the first).

- DCGAN (chapter 04, standard profile: width 64, latent 64, batch 128, 20 000 training images): FID,
  precision / recall, confident share and class histogram of 2 000 samples against 2 000 test images,
  all on the course's own Fashion-MNIST feature network; steps (one D and one G update) per second.
- VAE (chapter 06's convolutional VAE: latent 16, filters 32/64, dense 256, Adam 1e-3, batch 128, all
  60 000 training images): test -ELBO (nats per image, one z per image) on 5 000 test images; steps/s.

    KERAS_BACKEND=tensorflow python benchmarks/time_to_quality.py --json benchmarks/results/ttq-tensorflow.json
    KERAS_BACKEND=jax python benchmarks/time_to_quality.py --budgets 60,120 --models dcgan
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _common import write_json  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from aigc_course.data import load_fashion_mnist  # noqa: E402
from aigc_course.metrics import fid as fidm  # noqa: E402
from aigc_course.models import gan, vae  # noqa: E402
from aigc_course.training.callbacks import TimeBudget  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--budgets", default="60,120", help="training seconds at which to judge, comma-separated")
    p.add_argument("--models", default="dcgan,vae", help="dcgan, vae or both")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--width", type=int, default=64, help="DCGAN width")
    p.add_argument("--latent-dim", type=int, default=64, help="DCGAN latent size")
    p.add_argument("--n-train", type=int, default=20000, help="DCGAN training images")
    p.add_argument("--n-eval", type=int, default=2000, help="DCGAN samples and test images judged")
    p.add_argument("--n-test", type=int, default=5000, help="VAE test images")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None, help="write the results to this JSON file")
    args = p.parse_args(argv)
    try:
        args.budgets = sorted({float(b) for b in args.budgets.split(",")})
    except ValueError:
        p.error(f"--budgets must be comma-separated seconds, got {args.budgets!r}")
    if not args.budgets or args.budgets[0] <= 0:
        p.error(f"--budgets must be positive seconds, got {args.budgets}")
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    if not args.models or set(args.models) - {"dcgan", "vae"}:
        p.error(f"--models must name dcgan and/or vae, got {args.models}")
    return args


class Clock:
    """Training seconds and steps so far (evaluation time is not counted)."""

    def __init__(self):
        self.seconds, self.steps = 0.0, 0


# ------------------------------------------------------------------------------------------ DCGAN
class PackageDCGAN:
    name = "package"

    def __init__(self, args, x):
        keras.utils.set_random_seed(args.seed)
        self.model = gan.GAN(gan.build_dcgan_generator(args.latent_dim, args.width),
                             gan.build_dcgan_discriminator(args.width), latent_dim=args.latent_dim, seed=args.seed)
        self.model.compile()
        self.x, self.batch_size = x, args.batch_size
        self.clock = Clock()

    def train_until(self, seconds):
        if seconds <= self.clock.seconds:  # the previous segment already ran past this budget
            return
        budget = TimeBudget(seconds - self.clock.seconds)
        self.model.fit(self.x, batch_size=self.batch_size, epochs=10 ** 6, verbose=0, callbacks=[budget])
        self.clock.seconds += budget.elapsed
        self.clock.steps += budget.batches

    def samples(self, n):
        return self.model.generate(n, seed=1)


class TorchGenerator(nn.Module):
    def __init__(self, latent_dim, width):
        super().__init__()
        self.width = width
        self.dense = nn.Sequential(nn.Linear(latent_dim, 7 * 7 * 2 * width, bias=False),
                                   nn.BatchNorm1d(7 * 7 * 2 * width), nn.ReLU())
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1), nn.Tanh())

    def forward(self, z):
        return self.up(self.dense(z).view(-1, 2 * self.width, 7, 7))


class TorchDiscriminator(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(7 * 7 * 2 * width, 1))

    def forward(self, x):
        return self.net(x)


class PlainTorchLoop:
    """The loop a learner writes: batches from a shuffling DataLoader, ``step`` on each until the time is up."""

    def _next(self):
        try:
            return next(self._batches)[0]
        except StopIteration:
            self._batches = iter(self.loader)
            return next(self._batches)[0]

    def train_until(self, seconds):
        self.module.train()
        start = time.perf_counter()
        while self.clock.seconds + (time.perf_counter() - start) < seconds:
            self.step(self._next())
            self.clock.steps += 1
        self.clock.seconds += time.perf_counter() - start


class PlainTorchDCGAN(PlainTorchLoop):
    """The DCGAN as a learner writes it in PyTorch: two modules, two Adam(2e-4, 0.5), BCE with logits, a
    DataLoader, and the same alternation as the package (D on real and fake, then G, non-saturating)."""

    name = "pytorch"

    def __init__(self, args, x):
        torch.manual_seed(args.seed)
        self.latent_dim = args.latent_dim
        self.G, self.D = TorchGenerator(args.latent_dim, args.width), TorchDiscriminator(args.width)
        self.module = nn.ModuleList([self.G, self.D])
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.bce = nn.BCEWithLogitsLoss()
        data = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        self.loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data), batch_size=args.batch_size,
                                                  shuffle=True, drop_last=False)
        self.clock = Clock()
        self._batches = iter(())

    def step(self, real):
        n = real.shape[0]
        ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
        fake = self.G(torch.randn(n, self.latent_dim)).detach()
        self.opt_d.zero_grad()
        d_loss = self.bce(self.D(real), ones) + self.bce(self.D(fake), zeros)
        d_loss.backward()
        self.opt_d.step()
        self.opt_g.zero_grad()
        g_loss = self.bce(self.D(self.G(torch.randn(n, self.latent_dim))), ones)
        g_loss.backward()
        self.opt_g.step()

    @torch.no_grad()
    def samples(self, n):
        self.G.eval()
        z = torch.from_numpy(np.random.default_rng(1).standard_normal((n, self.latent_dim)).astype("float32"))
        return self.G(z).numpy().transpose(0, 2, 3, 1)


def judge_dcgan(images, real_eval) -> dict:
    pr = fidm.precision_recall(real_eval, images, value_range="tanh")
    conf = fidm.class_confidence_report(images, value_range="tanh")
    hist = conf["class_histogram"]
    return {"fid": fidm.fid(real_eval, images, value_range="tanh"), "precision": pr["precision"],
            "recall": pr["recall"], "confident_share": conf["confident_share"], "class_histogram": hist,
            "class_share_min": min(hist), "class_share_max": max(hist)}


# -------------------------------------------------------------------------------------------- VAE
class PackageVAE:
    name = "package"

    def __init__(self, args, x):
        keras.utils.set_random_seed(args.seed)
        self.model = vae.VAE(vae.build_conv_encoder(16, filters=(32, 64), dense=256),
                             vae.build_conv_decoder(16, filters=(64, 32), dense=256), seed=args.seed)
        self.model.compile(optimizer=keras.optimizers.Adam(1e-3))
        self.x, self.batch_size = x, args.batch_size
        self.clock = Clock()

    train_until = PackageDCGAN.train_until

    def neg_elbo(self, x_test):
        return vae.evaluate_elbo(self.model, x_test)


class TorchVAE(nn.Module):
    def __init__(self, latent_dim=16):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(7 * 7 * 64, 256), nn.ReLU())
        self.mu, self.log_var = nn.Linear(256, latent_dim), nn.Linear(256, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 256), nn.ReLU(), nn.Linear(256, 7 * 7 * 64), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 64, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.Conv2d(32, 1, 3, padding=1))

    def forward(self, x):
        h = self.encoder(x)
        mu, log_var = self.mu(h), self.log_var(h)
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        return self.decoder(z), mu, log_var

    @staticmethod
    def terms(x, logits, mu, log_var):
        recon = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=(1, 2, 3))
        kl = 0.5 * (mu ** 2 + log_var.exp() - log_var - 1).sum(dim=1)
        return recon, kl


class PlainTorchVAE(PlainTorchLoop):
    name = "pytorch"

    def __init__(self, args, x):
        torch.manual_seed(args.seed)
        self.net = self.module = TorchVAE()
        self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        data = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        self.loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data), batch_size=args.batch_size,
                                                  shuffle=True)
        self.clock = Clock()
        self._batches = iter(())

    def step(self, x):
        self.opt.zero_grad()
        recon, kl = self.net.terms(x, *self.net(x))
        (recon + kl).mean().backward()
        self.opt.step()

    @torch.no_grad()
    def neg_elbo(self, x_test):
        self.net.eval()
        x = torch.from_numpy(np.ascontiguousarray(x_test.transpose(0, 3, 1, 2)))
        total = 0.0
        for batch in x.split(500):
            recon, kl = self.net.terms(batch, *self.net(batch))
            total += float((recon + kl).sum())
        return total / len(x)


# ------------------------------------------------------------------------------------------ driver
def run_model(kind, args, on_row=None) -> list[dict]:
    if kind == "dcgan":
        x, _ = load_fashion_mnist("train", scale="tanh", limit=args.n_train)
        real_eval, _ = load_fashion_mnist("test", scale="tanh", limit=args.n_eval)
        impls = [PackageDCGAN(args, x), PlainTorchDCGAN(args, x)]
    else:
        x, _ = load_fashion_mnist("train", scale="unit")
        x_test, _ = load_fashion_mnist("test", scale="unit", limit=args.n_test)
        impls = [PackageVAE(args, x), PlainTorchVAE(args, x)]
    rows = []
    # Segments alternate (package to 60 s, PyTorch to 60 s, package to 120 s, ...), so that both see the
    # same machine load when the machine is shared.
    for budget in args.budgets:
        for impl in impls:
            before = (impl.clock.seconds, impl.clock.steps)
            impl.train_until(budget)
            spent = impl.clock.seconds - before[0]
            interval = round((impl.clock.steps - before[1]) / spent, 3) if spent > 0.5 else None
            start = time.perf_counter()
            if kind == "dcgan":
                quality = judge_dcgan(impl.samples(args.n_eval), real_eval)
            else:
                quality = {"test_neg_elbo": impl.neg_elbo(x_test)}
            rows.append({"model": kind, "impl": impl.name, "budget_s": budget,
                         "train_s": round(impl.clock.seconds, 2), "steps": impl.clock.steps,
                         "steps_per_s": round(impl.clock.steps / impl.clock.seconds, 3),
                         "interval_steps_per_s": interval,
                         **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in quality.items()},
                         "eval_s": round(time.perf_counter() - start, 2)})
            print(json.dumps(rows[-1]), flush=True)
            if on_row:
                on_row(rows[-1])
    return rows


def ratios(rows) -> list[dict]:
    """package / pytorch at each (model, budget) for steps/s and the quality numbers (lower FID and -ELBO
    are better, so a ratio <= 1 there means the package is at least as good)."""
    out = []
    keys = ("steps_per_s", "interval_steps_per_s", "fid", "precision", "recall", "confident_share", "test_neg_elbo")
    for row in rows:
        if row["impl"] != "package":
            continue
        base = next((r for r in rows if r["impl"] == "pytorch" and r["model"] == row["model"]
                     and r["budget_s"] == row["budget_s"]), None)
        if base is None:
            continue
        out.append({"model": row["model"], "budget_s": row["budget_s"],
                    **{k: round(row[k] / base[k], 3) for k in keys
                       if isinstance(row.get(k), (int, float)) and base.get(k)}})
    return out


def table(rows, ratio_rows) -> str:
    lines = []
    for kind in dict.fromkeys(r["model"] for r in rows):
        cols = (["steps_per_s", "interval_steps_per_s", "fid", "precision", "recall", "confident_share", "class_share_min", "class_share_max"]
                if kind == "dcgan" else ["steps_per_s", "interval_steps_per_s", "test_neg_elbo"])
        lines.append(f"\n{kind}: " + " | ".join(["impl", "budget_s", "steps", *cols]))
        for r in rows:
            if r["model"] == kind:
                lines.append("  " + " | ".join(str(r.get(c)) for c in ["impl", "budget_s", "steps", *cols]))
        for r in ratio_rows:
            if r["model"] == kind:
                lines.append("  ratio package/pytorch @ %gs: " % r["budget_s"]
                             + ", ".join(f"{k} {v}" for k, v in r.items() if k not in ("model", "budget_s")))
    return "\n".join(lines)


def main(argv=None) -> dict:
    args = parse_args(argv)
    info = {"backend": keras.backend.backend(), "keras": keras.__version__, "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
            "budgets_s": args.budgets, "batch_size": args.batch_size, "width": args.width,
            "latent_dim": args.latent_dim, "n_train": args.n_train, "n_eval": args.n_eval, "n_test": args.n_test}
    rows: list[dict] = []

    def keep(row):  # the JSON is rewritten after every row, so a run cut short keeps what it measured
        rows.append(row)
        if args.json:
            write_json(args.json, {**info, "rows": rows, "ratios": ratios(rows), "complete": False})

    for kind in args.models:
        run_model(kind, args, on_row=keep)
    result = {**info, "rows": rows, "ratios": ratios(rows), "complete": True}
    print(f"\nbackend {info['backend']}, batch {args.batch_size}, budgets {args.budgets} s (training time only)")
    print(table(rows, result["ratios"]))
    if args.json:
        write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()
