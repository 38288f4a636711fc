"""The registers the system keeps, one module each, declared once (see registry.py)."""

from . import (
    coverage,  # noqa: F401
    enterprises,  # noqa: F401
    initiatives,  # noqa: F401
    outreach,  # noqa: F401
    people,  # noqa: F401
    procedures,  # noqa: F401
    products,  # noqa: F401
    reporting,  # noqa: F401
)
