"""What each register is: its model, form, filters, list columns and the columns it imports and exports.

The generic pages (views.py), the XLSX/CSV import and export (io.py) and the API read these specs, so a
register is added by declaring one `RegisterSpec` in specs.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Column:
    """One column of the import/export file: a model field under a Vietnamese header."""

    field: str
    header: str
    required: bool = False
    # How a cell becomes a value: text, int, decimal, date, bool, choice (by label or code), unit (by name).
    kind: str = "text"
    help: str = ""
    # Optional lookup of a related row: (cell text, commune) → the object, or ValueError with the reason;
    # `show` is its inverse for export (object → cell text), so an export re-imports unchanged.
    resolve: Callable[[str, Any], Any] | None = None
    show: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class RegisterSpec:
    slug: str
    title: str
    model: type[models.Model]
    form_class: type
    filterset_class: type
    list_columns: tuple[tuple[str, Callable[[Any], Any]], ...]
    columns: tuple[Column, ...]
    # Fields that identify one real thing (same tax code, same GTIN, same person): duplicates refused.
    identity: tuple[str, ...] = ()
    feeds: str = ""
    select_related: tuple[str, ...] = ("unit",)
    prefetch_related: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)


REGISTRY: dict[str, RegisterSpec] = {}


def register(spec: RegisterSpec) -> RegisterSpec:
    REGISTRY[spec.slug] = spec
    return spec


def spec_for(slug: str) -> RegisterSpec:
    return REGISTRY[slug]
