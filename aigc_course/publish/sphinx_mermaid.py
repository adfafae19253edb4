"""A Sphinx extension: the ``mermaid`` directive (MyST's ```` ```mermaid ```` fences are turned into it by
``myst_fence_as_directive``) emits ``<pre class="mermaid">``, and pages that hold one load the bundled
``mermaid.min.js`` from ``_static`` and draw the diagrams in the browser, offline."""

from __future__ import annotations

import html

from docutils import nodes
from docutils.parsers.rst import Directive

SCRIPT = "mermaid.min.js"
RUN = ('document.addEventListener("DOMContentLoaded", () => {'
       ' mermaid.initialize({startOnLoad: false, maxTextSize: 100000, theme: "default"});'
       ' mermaid.run({querySelector: "pre.mermaid"}); });')


class Mermaid(Directive):
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self):
        code = "\n".join(self.content)
        return [nodes.raw("", f'<pre class="mermaid">{html.escape(code)}</pre>', format="html")]


def _page(app, pagename, templatename, context, doctree):
    if doctree is not None and any('class="mermaid"' in n.astext() for n in doctree.findall(nodes.raw)):
        app.add_js_file(SCRIPT)
        app.add_js_file(None, body=RUN)


def setup(app):
    app.add_directive("mermaid", Mermaid)
    app.connect("html-page-context", _page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
