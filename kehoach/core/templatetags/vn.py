"""Vietnamese display filters: numbers 1.234,5, money in đồng, dates dd/mm/yyyy."""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()


def format_number(value, decimals: int | None = None) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if decimals is None:
        # 1234.50 from the database reads as 1.234,5; at most two decimals are shown.
        exponent = number.normalize().as_tuple().exponent
        decimals = 0 if number == number.to_integral_value() else min(max(-int(exponent), 0), 2)
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@register.filter
def vn_number(value, decimals=None):
    return format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def vn_money(value):
    if value is None or value == "":
        return ""
    return f"{format_number(value, 0)} đồng"


@register.filter
def vn_date(value):
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@register.filter
def join_if_list(value):
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) if value else "(trống)"
    if value is None or value == "":
        return ""
    if value is True:
        return "Có"
    if value is False:
        return "Không"
    return value


@register.filter
def audit_value(value):
    """A change-log value for people: lists joined, structured values in words (core.audit.readable)."""
    from kehoach.core.audit import readable

    return readable(value)


@register.simple_tag(takes_context=True)
def panels(context, slot, obj):
    from kehoach.core.panels import render

    return render(slot, context.get("request"), obj)


@register.filter
def highlight(value, terms):
    """The text, escaped, with the words of a search (folded terms, see core.text) inside <mark>."""
    from kehoach.core.text import highlight as mark

    return mark(value, list(terms or []))


@register.filter
def excerpt(value, terms):
    """A short passage of a long text around the first word of the search, with the words marked."""
    from kehoach.core.text import excerpt as cut
    from kehoach.core.text import highlight as mark

    terms = list(terms or [])
    return mark(cut(value, terms), terms)
