"""The registers the system keeps, one module each, declared once (see registry.py)."""

from . import initiatives  # noqa: F401
