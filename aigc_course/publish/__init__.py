"""Publishing: the course as an offline website (``make book``) and the standalone HTML of reports.

``assets``: the JavaScript that renders mathematics (MathJax 3) and Mermaid diagrams offline, pinned and
fetched once from the npm registry; ``html``: a notebook as one standalone HTML page with both inlined;
``book``: the Sphinx + MyST-NB build of the whole course from cached executions.
"""
