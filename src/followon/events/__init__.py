"""Event history: schema, validation, readers and the bundled catalog (pandas only)."""

from followon.events.catalog import (
    catalog_path,
    catalogued_from,
    load_events,
    load_manifest,
    observed_until,
    observed_until_by_producer,
    observed_until_sources,
)
from followon.events.overlay import (
    OverlayFile,
    add_overlay,
    data_dir,
    overlay_dir,
    overlay_files,
    remove_overlay,
)
from followon.events.readers import (
    DataWarning,
    read_cns_missile_database,
    read_csis_provocations,
    read_events,
)
from followon.events.schema import EVENT_TYPES, MISSILE_CLASSES, event_types, validate_events
from followon.events.summary import CatalogSummary, catalog_summary, events_per_year

__all__ = [
    "EVENT_TYPES",
    "MISSILE_CLASSES",
    "CatalogSummary",
    "DataWarning",
    "OverlayFile",
    "add_overlay",
    "catalog_path",
    "catalog_summary",
    "catalogued_from",
    "data_dir",
    "event_types",
    "events_per_year",
    "load_events",
    "load_manifest",
    "observed_until",
    "observed_until_by_producer",
    "observed_until_sources",
    "overlay_dir",
    "overlay_files",
    "read_cns_missile_database",
    "read_csis_provocations",
    "read_events",
    "remove_overlay",
    "validate_events",
]
