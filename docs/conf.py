"""Sphinx configuration of followon's documentation site (``make docs``)."""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path[:0] = [str(DOCS.parent / "src"), str(DOCS / "_ext")]  # this checkout's code first

from docgen import write_api_index  # noqa: E402

import followon  # noqa: E402

write_api_index(DOCS)  # api.rst: one autosummary entry per name in followon.__all__

project = "followon"
author = "the followon authors"
copyright = "2026, the followon authors"
release = version = followon.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "followon_docs",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
]

myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

templates_path = ["_templates"]  # autosummary/class.rst: each class page documents its methods
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False  # autosummary's class pages list the members
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "furo"
html_title = f"followon {release}"
html_static_path: list[str] = []
