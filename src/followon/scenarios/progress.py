"""Progress lines of a scenario run: one line per fit, written when it starts and ends.

``[3/9] any_missile / clustering: fitting (numpyro NUTS) … 4.1 s`` — the line is begun when
the fit starts and finished with its time when it ends. Warnings raised while a line is open
are held back and shown after the line ends, so they never split it (a warning repeated
within the run is shown once, as the default filter would).
"""

from __future__ import annotations

import contextlib
import sys
import time
import warnings
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = ["FitProgress", "method_label"]

_NUTS = {"pymc": "PyMC NUTS", "nutpie": "nutpie NUTS", "numpyro": "numpyro NUTS"}


def method_label(method: str) -> str:
    """How a progress line names a fitting method (``numpyro`` → ``numpyro NUTS``)."""
    return _NUTS.get(method, method)


class FitProgress:
    """Write progress lines to ``stream`` (stderr) when ``enabled``; otherwise do nothing.

    Parameters
    ----------
    total : int
        The number of main fits (outcomes × hypotheses): the ``[i/total]`` counter.
    enabled : bool
    stream : file, optional
        Default: ``sys.stderr`` at the time of writing.
    """

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream
        self.count = 0
        self._seen: set[tuple[Any, ...]] = set()

    @contextlib.contextmanager
    def fit(self, outcome: str, hypothesis: str, method: str) -> Iterator[None]:
        """One main fit: ``[i/total] outcome / hypothesis: fitting (method) … s``."""
        self.count += 1
        head = f"[{self.count}/{self.total}] {outcome} / {hypothesis}"
        with self.step(f"{head}: fitting ({method_label(method)})"):
            yield

    @contextlib.contextmanager
    def refits(self, outcome: str, hypothesis: str, what: str, method: str) -> Iterator[None]:
        """Refits after the main fit (comparison blocks, prior sensitivity), indented."""
        pad = " " * (len(f"[{self.total}/{self.total}]") + 1)
        with self.step(f"{pad}{outcome} / {hypothesis}: {what} ({method_label(method)})"):
            yield

    @contextlib.contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Write ``text …`` now and the elapsed seconds when the block ends."""
        if not self.enabled:
            yield
            return
        stream = self.stream or sys.stderr
        stream.write(f"{text} …")
        stream.flush()
        start = time.perf_counter()
        ended = " failed"
        with warnings.catch_warnings(record=True) as held:
            try:
                yield
                ended = f" {time.perf_counter() - start:.1f} s"
            finally:
                stream.write(ended + "\n")
                stream.flush()
        for w in held:  # a warning repeated within the run is shown once, as it was without lines
            key = (str(w.message), w.category, w.filename, w.lineno)
            if key not in self._seen:
                self._seen.add(key)
                warnings.showwarning(w.message, w.category, w.filename, w.lineno, w.file, w.line)
