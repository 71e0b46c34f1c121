"""Overgang: a platform for Critical Time Intervention courses."""

__version__ = "0.1.0"
