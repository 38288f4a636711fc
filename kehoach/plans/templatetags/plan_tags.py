from django import template
from django.utils.html import format_html

from ..choices import TaskStatus
from ..status import STATUS_BADGES

register = template.Library()


@register.simple_tag
def status_badge(status):
    status = TaskStatus(status)
    return format_html(
        '<span class="badge text-bg-{} status-badge">{}</span>', STATUS_BADGES[status], status.label
    )


@register.filter
def unit_names(units):
    return "; ".join(getattr(u, "short_name", "") or str(u) for u in units)
