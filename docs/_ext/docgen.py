"""The text of followon's generated docs pages, from the code (no Sphinx needed: tests use it).

- :func:`api_index`: ``docs/api.rst``, one autosummary entry per name in ``followon.__all__``,
  grouped by the package that defines it;
- :func:`data_docs`: the docstrings of the public constants (``EVENT_TYPES``, ``MODELS``, ...),
  which Python keeps only in the source, after the assignment in the module that defines them;
- :func:`schema_rst`: the event-schema page body, from :mod:`followon.events.schema` (its module
  docstring's ``Columns`` section and its constants), so the page cannot drift from the validator.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
from pathlib import Path
from typing import Any


class DocsError(Exception):
    """The code and its generated docs page disagree (a column undocumented, a name ungrouped)."""


# The sections of the API page, in the order a reader meets them; each name in followon.__all__
# goes to the first group whose package defines it (``followon.events.schema`` -> "events").
GROUPS: tuple[tuple[str, str], ...] = (
    ("events", "Event catalog"),
    ("exposure", "Exposure tables"),
    ("hazard", "Models"),
    ("scenarios", "Scenarios and backtests"),
    ("evaluation", "Scores and checks"),
    ("reports", "Results folders"),
    ("record", "Forecast record"),
    ("plotting", "Figures"),
    ("errors", "Errors and warnings"),
    ("_version", "Version"),
)


def _home(name: str) -> str:
    """Return the followon subpackage (``events``, ``hazard``, ...) that defines ``name``."""
    import importlib

    import followon

    obj = getattr(followon, name)
    module = getattr(obj, "__module__", None) if inspect.isclass(obj) or callable(obj) else None
    if module and module.startswith("followon."):
        return module.split(".")[1]
    for package, _ in GROUPS:  # data (tuples, dicts, strings): the package that exports it
        mod = importlib.import_module(f"followon.{package}")
        if name in getattr(mod, "__all__", ()) or (package == "_version" and name in vars(mod)):
            return package
    raise DocsError(f"followon.{name}: no package of {[g for g, _ in GROUPS]} defines it")


def api_groups() -> dict[str, list[str]]:
    """Return ``followon.__all__`` grouped by defining package, in :data:`GROUPS` order."""
    import followon

    groups: dict[str, list[str]] = {package: [] for package, _ in GROUPS}
    for name in followon.__all__:
        home = _home(name)
        if home not in groups:
            raise DocsError(f"followon.{name}: defined in followon.{home}, not in GROUPS")
        groups[home].append(name)
    return groups


def api_index() -> str:
    """Return the text of ``api.rst``: an autosummary table per group."""
    lines = [
        ".. This file is written by docs/_ext/followon_docs.py from followon.__all__; do not edit.",
        "",
        "API reference",
        "=============",
        "",
        "Every public name, importable as ``followon.NAME`` (``import followon as fo``).",
        "",
        ".. currentmodule:: followon",
        "",
    ]
    titles = dict(GROUPS)
    for package, names in api_groups().items():
        if not names:
            continue
        title = titles[package]
        lines += [title, "-" * len(title), "", ".. autosummary::", "   :toctree: generated", ""]
        lines += [f"   {name}" for name in names]
        lines.append("")
    return "\n".join(lines)


def write_api_index(docs: Path) -> Path:
    """Write ``docs/api.rst`` if its text changed (an unchanged file keeps the build cache)."""
    path = docs / "api.rst"
    text = api_index()
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def schema_columns() -> list[tuple[str, str, str]]:
    """Return ``(column, type, description)`` for every core column, in the validator's order.

    Read from the ``Columns`` section of :mod:`followon.events.schema`'s docstring; a column of
    ``CORE_COLUMNS`` that the docstring does not describe (or the reverse) is an error, so the
    page and the validator cannot disagree.
    """
    from followon.events import schema

    doc = inspect.getdoc(schema) or ""
    match = re.search(r"^Columns\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", doc, re.M | re.S)
    if match is None:
        raise DocsError("followon.events.schema: its docstring has no 'Columns' section")
    documented: dict[str, tuple[str, str]] = {}
    name = ""
    for line in match.group(1).splitlines():
        head = re.match(r"^(\w+) : (.+)$", line)
        if head:
            name = head.group(1)
            documented[name] = (head.group(2).strip(), "")
        elif line.startswith("    ") and name:
            kind, text = documented[name]
            documented[name] = (kind, f"{text} {line.strip()}".strip())
    missing = [c for c in schema.CORE_COLUMNS if c not in documented]
    extra = [c for c in documented if c not in schema.CORE_COLUMNS]
    if missing or extra:
        raise DocsError(
            "followon.events.schema: the docstring's Columns section and CORE_COLUMNS differ "
            f"(undocumented: {missing}; not in CORE_COLUMNS: {extra})"
        )
    return [(c, *documented[c]) for c in schema.CORE_COLUMNS]


def _values(values: Any) -> str:
    return ", ".join(f"``{v}``" for v in values)


def schema_rst() -> list[str]:
    """Return the reStructuredText of the event-schema page body."""
    from followon.events import schema

    lines = [".. list-table::", "   :header-rows: 1", "   :widths: 15 20 65", ""]
    lines += ["   * - column", "     - type", "     - what"]
    for column, kind, text in schema_columns():
        lines += [f"   * - ``{column}``", f"     - {kind}", f"     - {_qualified(text)}"]
    first, last = schema.DATE_RANGE
    na = sorted(schema.NA_TOKENS)
    lines += [
        "",
        f"**Required columns**: {_values(schema.REQUIRED_COLUMNS)}.",
        "",
        f"**Event types** (``type``, built in): {_values(schema.EVENT_TYPES)}; files in the "
        "local overlay may declare more (:func:`followon.event_types`).",
        "",
        f"**Spans** (rows with an ``end_date``): {_values(sorted(schema.SPAN_TYPES))}.",
        "",
        f"**Missile classes** (``subtype`` of ``missile_launch``, most severe first): "
        f"{_values(schema.MISSILE_CLASSES)}.",
        "",
        f"**Outcomes** of launches and nuclear tests: {_values(schema.OUTCOMES)}.",
        "",
        f"**Dates**: {first:%Y-%m-%d} … {last:%Y-%m-%d}.",
        "",
        f"**Missing-value markers** refused in a required column (any case): {_values(na)}.",
    ]
    return lines


def data_docs() -> dict[str, str]:
    """Return the attribute docstring of every constant in ``followon.__all__``, by name.

    A constant's docstring is the string literal right after its assignment in the module that
    defines it (where autodoc, looking at ``followon/__init__.py``, does not find it).
    """
    import followon

    wanted = {
        name
        for name in followon.__all__
        if not (inspect.isclass(obj := getattr(followon, name)) or callable(obj))
    }
    found: dict[str, str] = {}
    for path in sorted(Path(followon.__file__).parent.rglob("*.py")):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for node, after in itertools.pairwise(body):
            targets = (
                node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            )
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if (
                isinstance(node, ast.Assign | ast.AnnAssign)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                for name in names & wanted:
                    found.setdefault(name, inspect.cleandoc(after.value.value))
    missing = sorted(wanted - found.keys())
    if missing:
        raise DocsError(
            f"no docstring after the assignment of followon.{', followon.'.join(missing)}"
        )
    return found


def _qualified(text: str) -> str:
    """Point the schema docstring's roles (:data:`EVENT_TYPES`) at their documented names."""
    import followon

    def full(match: re.Match[str]) -> str:
        role, target = match.groups()
        where = "followon" if target in followon.__all__ else "followon.events.schema"
        return f":{role}:`{where}.{target}`"

    return re.sub(r":(\w+):`(\w+)`", full, text)
