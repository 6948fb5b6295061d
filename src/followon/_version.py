__version__ = "0.1.0"
"""followon's version (PEP 440); results folders and the docs record it."""
