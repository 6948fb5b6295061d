"""One small hierarchy of errors and warnings for followon.

Every error a user can cause with bad input is a :class:`FollowonError`; the CLI prints its
message (one line naming the file, the row or key, and what to do) and exits non-zero without
a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ConvergenceWarning",
    "DataError",
    "DifferentDataError",
    "DifferentModelError",
    "EvaluationError",
    "FollowonError",
    "FollowonWarning",
    "ModelError",
    "OutputError",
    "RecordError",
    "ScenarioError",
    "did_you_mean",
]


class FollowonError(Exception):
    """Base class of every error followon raises on purpose."""


class DataError(FollowonError, ValueError):
    """An event table (bundled or user-supplied) is malformed."""


class ScenarioError(FollowonError, ValueError):
    """A scenario file is malformed or cannot be run as written."""


class ModelError(FollowonError, ValueError):
    """A model was asked for something it cannot do (bad argument, not fitted, ...)."""


class OutputError(FollowonError, ValueError):
    """A results folder cannot be written where asked without destroying something else.

    Raised when ``--out`` (``out_dir``) is an existing file, or a non-empty folder without
    followon's marker file, and ``force`` was not given; or when the place cannot be written.
    """


class RecordError(FollowonError, ValueError):
    """A forecast cannot be registered or scored as asked (bad input; the CLI exits with 2).

    Raised when ``RESULTS_DIR`` is not a results folder ``followon run`` wrote, when a run is
    registered a second time, or when a ledger named with ``--ledger`` does not exist. A ledger
    or an external-forecast file that is malformed or edited is a
    :class:`DataError` instead.
    """


class DifferentModelError(ModelError):
    """A saved fit was loaded into a different model class."""


class DifferentDataError(ModelError):
    """A saved fit was loaded with a different exposure table than it was fitted to."""


class EvaluationError(FollowonError, ValueError):
    """Forecasts or outcomes given to a scoring rule or reliability diagram are malformed."""


class FollowonWarning(UserWarning):
    """Base class of followon's own warnings (tests turn these into errors)."""


class ConvergenceWarning(FollowonWarning):
    """MCMC diagnostics failed a gate (R-hat > 1.01, bulk ESS < 400, or divergences)."""


def did_you_mean(value: str, allowed: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for a near miss of ``value`` in ``allowed``, else ``""``.

    Examples
    --------
    >>> did_you_mean("missle_launch", ["missile_launch", "summit"])
    " (did you mean 'missile_launch'?)"
    """
    options = list(allowed)
    lowered = {a.lower(): a for a in options}
    if value.lower() in lowered:
        return f" (did you mean '{lowered[value.lower()]}'?)"
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean '{lowered[close[0]]}'?)" if close else ""
