"""Give the C heap's freed pages back to the operating system after a fit.

Compiling a sampler (XLA, PyTensor) allocates and frees hundreds of megabytes of small C
objects; glibc's ``malloc`` keeps the freed pages in its arenas, so the process' resident size
only grows over a run of many fits, and the next compilation adds its peak on top.
``malloc_trim(0)`` hands the free pages back (measured on the clustering hypothesis of
``scenarios/plenum-2024-06.yaml``: 720 → 580 MB after a fit, benchmarks/RESULTS.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Any

__all__ = ["release_freed_memory"]


@cache
def _libc() -> Any:
    """glibc, or None where there is no ``malloc_trim`` (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_freed_memory() -> bool:
    """Return the C heap's free pages to the OS (glibc ``malloc_trim``); False where unavailable.

    Cheap (a few milliseconds) and safe at any time: it frees nothing that is in use.
    """
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
