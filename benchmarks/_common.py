"""What the benchmark scripts share."""

import json
import os


def write_json(path, result: dict) -> None:
    """Write ``result`` to ``path`` (folders created), indented."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
