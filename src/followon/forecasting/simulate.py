"""Moved to :mod:`followon.hazard.simulate`; kept so old imports keep working."""

from followon.hazard.simulate import simulate_paths

__all__ = ["simulate_paths"]
