"""A forecast record: register forecasts when they are made, score them when the window closes.

:class:`ForecastLedger` (``followon register`` / ``followon score``) keeps a run's forecasts in
a hash-chained JSON Lines ledger and scores them against the catalog once each window is
observed; :func:`read_external` reads forecasts published by others (a CSV) so they are scored
on the same catalog and resolution rules. See docs/forecast-record.md.
"""

from followon.record.book import SCORE_COLUMNS, ForecastLedger, score_forecasts
from followon.record.external import CLIMATOLOGY_FROM, EXTERNAL_COLUMNS, read_external
from followon.record.ledger import (
    LEDGER_VERSION,
    RESOLVED_COLUMNS,
    default_ledger,
    read_ledger,
)

__all__ = [
    "CLIMATOLOGY_FROM",
    "EXTERNAL_COLUMNS",
    "LEDGER_VERSION",
    "RESOLVED_COLUMNS",
    "SCORE_COLUMNS",
    "ForecastLedger",
    "default_ledger",
    "read_external",
    "read_ledger",
    "score_forecasts",
]
