"""Event history: schema, validation, readers and the bundled catalog (pandas only)."""

from followon.events.catalog import catalog_path, load_events, load_manifest, observed_until
from followon.events.readers import (
    DataWarning,
    read_cns_missile_database,
    read_csis_provocations,
    read_events,
)
from followon.events.schema import EVENT_TYPES, MISSILE_CLASSES, validate_events
from followon.events.summary import events_per_year

__all__ = [
    "EVENT_TYPES",
    "MISSILE_CLASSES",
    "DataWarning",
    "catalog_path",
    "events_per_year",
    "load_events",
    "load_manifest",
    "observed_until",
    "read_cns_missile_database",
    "read_csis_provocations",
    "read_events",
    "validate_events",
]
