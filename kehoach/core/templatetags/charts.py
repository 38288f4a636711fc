"""Charts: an ECharts canvas backed by an accessible data table, and server-drawn SVG sparklines.

A view builds a plain dict (the spec); numbers may be int, float or Decimal, and None is a gap
("Chưa có số liệu")::

    from django.urls import reverse

    from kehoach.core.templatetags.charts import STATUS_COLORS
    from kehoach.plans.choices import TaskStatus
    from kehoach.plans.status import STATUS_BADGES

    def tasks_by_unit(units, counts):  # counts[(unit.pk, status)] → number of tasks
        return {
            "type": "stacked_bar",  # or "bar", "line"
            "horizontal": True,  # categories on the y axis
            "categories": [u.short_name or u.name for u in units],
            "series": [
                {
                    "name": status.label,
                    "data": [counts.get((u.pk, status), 0) for u in units],
                    "color": STATUS_COLORS[STATUS_BADGES[status]],  # same colour as the status badge
                }
                for status in TaskStatus
            ],
            "links": [f"{reverse('plans:tasks')}?unit={u.pk}" for u in units],  # drill-down, optional
        }

    rates = {
        "type": "line",
        "categories": ["Quý I/2026", "Quý II/2026", "Quý III/2026"],
        "series": [{"name": "Tỷ lệ hoàn thành", "data": [62, Decimal("70.5"), None]}],
        "unit": "%",  # optional, shown after numbers
        "target": 90,  # optional dashed "Mục tiêu: 90%" line
        "height": 260,  # optional, px
    }

and the template::

    {% load charts %}
    {% chart_assets %}                      {# once per page: charts.css, echarts.min.js, charts.js #}
    {% chart by_unit "Nhiệm vụ theo trạng thái của từng đơn vị" %}
    {% chart rates "Tỷ lệ hoàn thành theo quý" %}
    {% sparkline values 90 %}               {# no JavaScript needed; the target is optional #}

A spec may also name the first column of the data table ("category_label", "Hạng mục" by default).
"""

import json
import math
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .vn import format_number

register = template.Library()

# Bootstrap 5.3 theme colours, so a status has the same colour in a chart as in its badge
# (see kehoach.plans.status.STATUS_BADGES for the status → name mapping).
STATUS_COLORS = {
    "primary": "#0d6efd",
    "secondary": "#6c757d",
    "success": "#198754",
    "info": "#0dcaf0",
    "warning": "#ffc107",
    "danger": "#dc3545",
}

CHART_TYPES = ("bar", "line", "stacked_bar")
DEFAULT_HEIGHT = 260
NO_DATA = "Chưa có số liệu"

# The same characters django.utils.html.json_script escapes: "</script>" or "<!--" inside a value
# must never reach the HTML parser as markup, whatever context the JSON is later moved to.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _number(value) -> int | float | None:
    """A JSON-friendly number, or None for a gap; Decimals from the database become int/float."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _safe_link(url) -> str | None:
    """Only http(s) and site-relative links: a spec must not be able to carry javascript: URLs."""
    if not url:
        return None
    url = str(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("", "http", "https") else None


def with_unit(text: str, unit: str) -> str:
    if not text or not unit:
        return text
    # Vietnamese writes "90%" but "12 người".
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def clean_spec(spec: dict) -> dict:
    """The spec as the browser receives it: numbers normalised, unknown chart types refused."""
    kind = spec.get("type", "bar")
    if kind not in CHART_TYPES:
        raise ValueError(f"Unknown chart type {kind!r}; expected one of {CHART_TYPES}")
    categories = [str(c) for c in spec.get("categories", [])]
    series = []
    for item in spec.get("series", []):
        data = [_number(v) for v in item.get("data", [])]
        data += [None] * (len(categories) - len(data))
        cleaned = {"name": str(item.get("name", "")), "data": data[: len(categories)]}
        if item.get("color"):
            cleaned["color"] = str(item["color"])
        series.append(cleaned)
    cleaned = {"type": kind, "horizontal": bool(spec.get("horizontal")), "categories": categories}
    cleaned["series"] = series
    if spec.get("unit"):
        cleaned["unit"] = str(spec["unit"])
    if spec.get("links"):
        links = [_safe_link(url) for url in spec["links"]]
        cleaned["links"] = (links + [None] * len(categories))[: len(categories)]
    if _number(spec.get("target")) is not None:
        cleaned["target"] = _number(spec["target"])
    height = _number(spec.get("height"))
    cleaned["height"] = int(height) if height and height > 0 else DEFAULT_HEIGHT
    if spec.get("title"):
        cleaned["title"] = str(spec["title"])
    return cleaned


def spec_json(spec: dict) -> str:
    """JSON for a data-* attribute; the template's autoescaping then takes care of the quotes."""
    return json.dumps(spec, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)


@register.inclusion_tag("core/chart.html")
def chart(spec, caption=""):
    cleaned = clean_spec(spec)
    caption = str(caption or cleaned.get("title", ""))
    unit = cleaned.get("unit", "")
    links = cleaned.get("links") or [None] * len(cleaned["categories"])
    rows = [
        {
            "category": category,
            "link": links[index],
            "cells": [with_unit(format_number(s["data"][index]), unit) or "—" for s in cleaned["series"]],
        }
        for index, category in enumerate(cleaned["categories"])
    ]
    target = cleaned.get("target")
    return {
        "caption": caption,
        "spec_json": spec_json(cleaned),
        "height": cleaned["height"],
        "category_label": str(spec.get("category_label") or "Hạng mục"),
        "series_names": [s["name"] for s in cleaned["series"]],
        "rows": rows,
        "target": with_unit(format_number(target), unit) if target is not None else "",
    }


def _coord(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


@register.simple_tag
def sparkline(values, target=None, width=120, height=28):
    """An inline SVG trend line: gaps for missing values, a dot on the latest one."""
    numbers = [_number(v) for v in (values or [])]
    present = [n for n in numbers if n is not None]
    if not present:
        return format_html(
            '<span class="kh-sparkline kh-sparkline-empty" role="img" aria-label="{}">—</span>', NO_DATA
        )
    target = _number(target)
    width, height = int(width), int(height)
    pad = 3  # room for the end dot and the stroke
    low = min([*present, target] if target is not None else present)
    high = max([*present, target] if target is not None else present)
    span = high - low

    def x(index: int) -> float:
        if len(numbers) == 1:
            return width / 2
        return pad + index * (width - 2 * pad) / (len(numbers) - 1)

    def y(value: float) -> float:
        if math.isclose(span, 0):
            return height / 2
        return height - pad - (value - low) * (height - 2 * pad) / span

    segments, current = [], []
    for index, value in enumerate(numbers):
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((x(index), y(value)))
    if current:
        segments.append(current)

    parts = []
    if target is not None:
        parts.append(
            format_html(
                '<line class="kh-sparkline-target" x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" '
                'stroke-opacity=".35" stroke-width="1" stroke-dasharray="3 2"/>',
                _coord(pad),
                _coord(y(target)),
                _coord(width - pad),
                _coord(y(target)),
            )
        )
    for segment in segments:
        if len(segment) == 1:
            # A lone value between gaps has no line to sit on; a small dot keeps it visible.
            px, py = segment[0]
            parts.append(
                format_html('<circle cx="{}" cy="{}" r="1.2" fill="currentColor"/>', _coord(px), _coord(py))
            )
        else:
            points = " ".join(f"{_coord(px)},{_coord(py)}" for px, py in segment)
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="1.5" '
                    'stroke-linejoin="round" stroke-linecap="round"/>',
                    points,
                )
            )
    last_x, last_y = segments[-1][-1]
    parts.append(
        format_html(
            '<circle class="kh-sparkline-last" cx="{}" cy="{}" r="2.5" fill="currentColor"/>',
            _coord(last_x),
            _coord(last_y),
        )
    )

    label = "Xu hướng: " + "; ".join(NO_DATA.lower() if n is None else format_number(n) for n in numbers)
    if target is not None:
        label += f". Mục tiêu: {format_number(target)}"
    return format_html(
        '<svg class="kh-sparkline" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
        'viewBox="0 0 {} {}" role="img" aria-label="{}" focusable="false">{}</svg>',
        width,
        height,
        width,
        height,
        label,
        mark_safe("".join(parts)),
    )


@register.simple_tag
def chart_assets():
    return format_html(
        '<link rel="stylesheet" href="{}">\n'
        '<script src="{}" defer></script>\n'
        '<script src="{}" defer></script>',
        static("css/charts.css"),
        static("vendor/echarts/echarts.min.js"),
        static("js/charts.js"),
    )
