"""Metrics: the shipped Fashion-MNIST feature network, FID/KID, precision/recall, text metrics.

Import the module you need: ``from aigc_course.metrics import features, fid, text``."""
