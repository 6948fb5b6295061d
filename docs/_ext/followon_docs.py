"""Sphinx extension of followon's docs (the page texts come from :mod:`docgen`).

- the ``event-schema`` directive renders the event table's columns, their types and the
  allowed values from :mod:`followon.events.schema`;
- the public constants get their own docstrings (:func:`docgen.data_docs`);
- links to repository files outside ``docs/`` point to the pages that include them;
- at the end of an HTML build, every name in ``followon.__all__`` must have its page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docgen import data_docs, schema_rst
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective


class EventSchema(SphinxDirective):
    """``.. event-schema::`` — the event table's columns and allowed values, from the code."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Parse the generated reStructuredText into this document."""
        from followon.events import schema

        self.env.note_dependency(schema.__file__)
        container = nodes.container()
        self.state.nested_parse(StringList(schema_rst(), "event-schema"), 0, container)
        return list(container.children)


# Links from docs pages to files outside docs/ (right on GitHub) and the site page showing each.
SITE_PAGES = {"../data/README.md": "sources.md", "../benchmarks/RESULTS.md": "benchmarks.md"}


def _site_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """Adapt a page's Markdown to the site as it is read (the files themselves are unchanged).

    Links to ``data/README.md`` and ``benchmarks/RESULTS.md`` go to the pages that include
    them; a gallery run's ``report.md`` (written by ``followon run``, linked from the gallery,
    in no table of contents) is marked an orphan page.
    """
    text = source[0]
    for target, page in SITE_PAGES.items():
        text = text.replace(f"]({target})", f"]({page})")
    if docname.startswith("gallery/") and docname.endswith("/report"):
        text = "---\norphan: true\n---\n" + text
    source[0] = text


def _data_docstring(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Give ``followon.EVENT_TYPES`` & co. their own docstrings, not their type's."""
    short = name.removeprefix("followon.")
    if what == "data" and short in (docs := data_docs()):
        lines[:] = docs[short].splitlines()


def _check_api_pages(app: Sphinx, exception: Exception | None) -> None:
    """Fail the HTML build when a name in ``followon.__all__`` has no generated page."""
    if exception is not None or app.builder.format != "html":
        return
    import followon

    out = Path(app.outdir) / "generated"
    missing = [n for n in followon.__all__ if not (out / f"followon.{n}.html").exists()]
    if missing:
        raise ExtensionError(f"no API page for followon.{', followon.'.join(missing)}")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive and the API-page check."""
    app.add_directive("event-schema", EventSchema)
    app.connect("source-read", _site_source)
    app.connect("autodoc-process-docstring", _data_docstring)
    app.connect("build-finished", _check_api_pages)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
