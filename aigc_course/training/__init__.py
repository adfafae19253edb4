"""Training helpers: callbacks (image snapshots, per-step loss history, time budget, progress) and
``fit_steps``, which trains for exactly N optimizer steps whatever the data size (controlled comparisons).

The models themselves, including the GANs with their per-backend train steps, live in ``aigc_course.models``."""

from .steps import batch_indices, fit_steps  # noqa: E402,F401
