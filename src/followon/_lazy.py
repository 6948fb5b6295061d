"""Import a package's public names on first use (PEP 562), so a light command stays light.

A package ``__init__`` lists which module gives which names and hands the list to
:func:`lazy_names`; its ``TYPE_CHECKING`` block imports the same names for type checkers
(tests/test_startup.py checks that the two agree).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["jax_loaded", "lazy_names", "lazy_placeholders_hidden"]


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
            # a subpackage (``fo.evaluation.skill_table`` right after ``import followon``)
            if not name.startswith("_") and importlib.util.find_spec(f"{package}.{name}"):
                return importlib.import_module(f"{package}.{name}")
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(public))

    return __getattr__, __dir__


def jax_loaded() -> bool:
    """Whether JAX has really been imported in this process.

    ``"jax" in sys.modules`` is not enough: importing ArviZ (``arviz_base``) registers a lazy
    placeholder for ``jax`` there (``lazy_loader``), and touching it imports JAX (≈ 1–2 s and
    ≈ 120 MB) in a run that never sampled with it.
    """
    return "jax._src.api" in sys.modules


@contextmanager
def lazy_placeholders_hidden() -> Iterator[None]:
    """Take ``lazy_loader``'s placeholders of unimported modules out of ``sys.modules`` for a while.

    SciPy's array-API helpers ask ``sys.modules.get("jax")`` whether an array is a JAX array and
    read an attribute of what they find; with ArviZ's placeholder there that imports JAX
    (measured: 1.1 s in the first PSIS of a run that never samples with JAX). Inside this block
    they find nothing; the placeholders are put back afterwards, untouched.
    """
    hidden = {
        name: module
        for name, module in list(sys.modules.items())
        if type(module).__name__ == "_LazyModule"
    }
    for name in hidden:
        del sys.modules[name]
    try:
        yield
    finally:
        for name, module in hidden.items():
            sys.modules.setdefault(name, module)
