"""A notebook as one standalone HTML page that renders mathematics and Mermaid diagrams offline: the
lab template of nbconvert with MathJax 3 and Mermaid inlined (see ``assets``) instead of CDN links."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from . import assets

TEMPLATES = Path(__file__).with_name("templates")
_MATH = re.compile(r"\$|\\\(|\\\[|\\begin\{")
_MERMAID = re.compile(r"^\s*```\s*mermaid", re.M)


def _needs(nb) -> tuple[bool, bool]:
    """Whether the notebook holds mathematics / Mermaid (in markdown or in rich outputs)."""
    math = mermaid = False
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            texts += [str(data.get(k, "")) for k in ("text/markdown", "text/latex", "text/html")]
            mermaid = mermaid or "text/vnd.mermaid" in data
        for text in texts:
            math = math or bool(_MATH.search(text))
            mermaid = mermaid or bool(_MERMAID.search(text))
    return math, mermaid


def _script(key: str) -> str:
    """The asset's JavaScript, safe inside <script> (no closing tag), or "" with a warning when missing."""
    try:
        text = assets.asset_path(key).read_text(encoding="utf-8")
    except assets.AssetMissing as exc:
        print(f"warning: {exc} The HTML shows the source text instead.", file=sys.stderr)
        return ""
    return text.replace("</script", "<\\/script")


def export_html(nb, no_input: bool = False, name: str = "notebook") -> str:
    """The standalone HTML text of notebook node ``nb`` (code hidden when ``no_input``)."""
    from nbconvert import HTMLExporter

    nb = nb.copy()
    nb.metadata = {k: v for k, v in nb.metadata.items() if k != "widgets"}
    math, mermaid = _needs(nb)
    exporter = HTMLExporter(template_name="aigc", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = bool(no_input)
    exporter.exclude_input_prompt = bool(no_input)
    exporter.exclude_output_prompt = bool(no_input)
    resources = {"metadata": {"name": name}, "aigc_mathjax": _script("mathjax") if math else "",
                 "aigc_mermaid": _script("mermaid") if mermaid else ""}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def notebook_html(executed: Path, no_input: bool = False) -> Path:
    """Write ``executed`` as ``<same name>.html`` beside it; return that path."""
    import nbformat

    from .._io import atomic_write_text

    executed = Path(executed)
    nb = nbformat.read(str(executed), as_version=4)
    html = executed.with_suffix(".html")
    atomic_write_text(html, export_html(nb, no_input, executed.stem))
    return html
