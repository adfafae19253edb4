"""Hands-on safety tools of chapter 12: a detector of generated images (``detect``), an invisible
watermark (``watermark``) and the image changes that attack it (``attacks``), and a membership-inference
test (``privacy``). ROC AUC lives in ``aigc_course.metrics.roc``.

Import the module you need: ``from aigc_course.safety import attacks, detect, privacy, watermark``."""
