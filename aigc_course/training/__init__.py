"""Training helpers: callbacks (image snapshots, per-step loss history, time budget, progress).

The models themselves, including the GANs with their per-backend train steps, live in ``aigc_course.models``."""
