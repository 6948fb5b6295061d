"""Import a package's public names on first use (PEP 562), so a light command stays light.

A package ``__init__`` lists which module gives which names and hands the list to
:func:`lazy_names`; its ``TYPE_CHECKING`` block imports the same names for type checkers
(tests/test_startup.py checks that the two agree).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, lazy: Mapping[str, Sequence[str]], public: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package`` that import ``lazy`` names on demand.

    ``lazy`` maps a module (absolute name) to the names it gives; the first look-up of a name
    imports its module and stores the value in the package, so later look-ups are plain
    attribute reads. Any other name raises :class:`AttributeError` as a module would.
    """
    where = {name: module for module, names in lazy.items() for name in names}
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(public))

    return __getattr__, __dir__
