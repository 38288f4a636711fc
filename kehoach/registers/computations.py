"""Indicators computed from registers: each computation is a declared function over one register.

A computation takes the commune, the plan's year and the period's cut-off date and returns the
year-to-date value with the rows it counted ("12 sáng kiến: …" with links), so a computed figure can
always be traced down to the register rows. Bindings (models.IndicatorBinding) attach a computation
to an indicator; services/computed.py turns them into figures per period.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models

from kehoach.units.models import Unit


@dataclass(frozen=True)
class Row:
    label: str
    url: str = ""


@dataclass
class Computed:
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    rows: list[Row] = field(default_factory=list)
    # One sentence saying how the value was obtained, in Vietnamese.
    method: str = ""


@dataclass(frozen=True)
class Computation:
    key: str
    label: str
    # The register model(s) it reads: a change to any of them recomputes the bound indicators.
    models: tuple[type[models.Model], ...]
    func: Callable[..., Computed]
    is_rate: bool = False
    # Templates must show a computation, not call it.
    do_not_call_in_templates = True

    def __call__(self, *, owner: Unit, year: int, until: datetime.date, params: dict[str, Any]) -> Computed:
        return self.func(owner=owner, year=year, until=until, **params)


COMPUTATIONS: dict[str, Computation] = {}


def computation(key: str, label: str, *, models: tuple, is_rate: bool = False):
    def decorator(func: Callable[..., Computed]) -> Callable[..., Computed]:
        COMPUTATIONS[key] = Computation(key=key, label=label, models=models, func=func, is_rate=is_rate)
        return func

    return decorator


def count(rows: list[Row], *, noun: str) -> Computed:
    return Computed(value=Decimal(len(rows)), rows=rows, method=f"Đếm {len(rows)} {noun}.")


def ratio(numerator_rows: list[Row], denominator: int, *, noun: str, of: str) -> Computed:
    """A rate in %: the rows counted in the numerator are listed; the denominator is a total."""
    num = Decimal(len(numerator_rows))
    den = Decimal(denominator)
    value = (num * 100 / den).quantize(Decimal("0.01"), ROUND_HALF_UP) if den else None
    return Computed(
        value=value,
        numerator=num,
        denominator=den,
        rows=numerator_rows,
        method=f"{len(numerator_rows)} {noun} trên tổng số {denominator} {of}.",
    )


def year_window(year: int, until: datetime.date) -> tuple[datetime.date, datetime.date]:
    """From 1 January of the plan's year to the period's cut-off (never past 31 December)."""
    return datetime.date(year, 1, 1), min(until, datetime.date(year, 12, 31))
