__version__ = "0.1.0"
"""The followon version (PEP 440); the package build reads it from this file."""
