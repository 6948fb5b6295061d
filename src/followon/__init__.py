"""followon: Bayesian hazard models of what a state does after a summit or a party meeting.

The first case is North Korea. ``load_events`` gives the bundled, sourced event catalog.
"""

from followon._version import __version__
from followon.errors import DataError, FollowonError, FollowonWarning
from followon.events import (
    EVENT_TYPES,
    MISSILE_CLASSES,
    DataWarning,
    events_per_year,
    load_events,
    load_manifest,
    observed_until,
    read_cns_missile_database,
    read_csis_provocations,
    read_events,
    validate_events,
)

__all__ = [
    "EVENT_TYPES",
    "MISSILE_CLASSES",
    "DataError",
    "DataWarning",
    "FollowonError",
    "FollowonWarning",
    "__version__",
    "events_per_year",
    "load_events",
    "load_manifest",
    "observed_until",
    "read_cns_missile_database",
    "read_csis_provocations",
    "read_events",
    "validate_events",
]
