"""The docs site's generated pages, and the licence, citation and changelog files.

The Sphinx build itself (`make docs`, run by CI) fails on any warning and when a name in
``followon.__all__`` has no API page; these tests check, without Sphinx, that the generated
texts it builds from cover the code.
"""

from __future__ import annotations

import re
import sys

import pytest
import yaml

import followon
from followon.events import schema
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "docs" / "_ext"))
import docgen


def test_api_index_lists_every_public_name_once() -> None:
    groups = docgen.api_groups()
    listed = [name for names in groups.values() for name in names]
    assert sorted(listed) == sorted(followon.__all__)
    assert len(listed) == len(set(listed))
    entries = re.findall(r"^   (\S+)$", docgen.api_index(), re.M)
    assert sorted(entries) == sorted(followon.__all__)
    assert "load_events" in groups["events"]
    assert "PiecewiseHazard" in groups["hazard"]
    assert "EVENT_TYPES" in groups["events"]  # data: the package that exports it
    assert groups["_version"] == ["__version__"]


def test_every_public_name_has_a_summary_line() -> None:
    """autosummary's table shows each object's first docstring line: none may be empty."""
    for name in followon.__all__:
        obj = getattr(followon, name)
        if isinstance(obj, (tuple, dict, str, frozenset)):
            continue  # constants: test_every_public_constant_has_its_own_docstring
        doc = (obj.__doc__ or "").strip()
        assert doc, f"followon.{name} has no docstring"


def test_schema_page_follows_the_validator() -> None:
    columns = docgen.schema_columns()
    assert [c for c, _, _ in columns] == list(schema.CORE_COLUMNS)
    assert dict((c, k) for c, k, _ in columns)["count"] == "Int64"
    text = "\n".join(docgen.schema_rst())
    for value in (*schema.EVENT_TYPES, *schema.MISSILE_CLASSES, *schema.REQUIRED_COLUMNS):
        assert f"``{value}``" in text
    assert "1900-01-01 … 2199-12-31" in text


def test_schema_page_refuses_an_undocumented_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "CORE_COLUMNS", (*schema.CORE_COLUMNS, "confidence"))
    with pytest.raises(docgen.DocsError, match=r"undocumented: \['confidence'\]"):
        docgen.schema_columns()


def test_citation_matches_the_package() -> None:
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == followon.__version__
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert f'license = "{cff["license"]}"' in pyproject
    urls = {ref.get("url") for ref in cff["references"]}
    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    for url in urls - {None}:
        assert url in readme  # as data/README.md gives them
    assert len(urls - {None}) == 2  # NTI/CNS and CSIS


def test_license_is_mit() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 the followon authors\n")
    assert 'license = "MIT"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_changelog_keeps_a_changelog() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert re.search(r"^## \[Unreleased\]", text, re.M)
    assert set(re.findall(r"^### (\w+)$", text, re.M)) <= {
        "Added",
        "Changed",
        "Deprecated",
        "Removed",
        "Fixed",
        "Security",
    }


def test_every_public_constant_has_its_own_docstring() -> None:
    docs = docgen.data_docs()
    assert set(docs) == {
        "EVENT_TYPES",
        "MISSILE_CLASSES",
        "FORECAST_COLUMNS",
        "MODELS",
        "__version__",
    }
    assert docs["MODELS"].startswith("Registered models")
    assert docs["EVENT_TYPES"].startswith("The built-in values of ``type``")
