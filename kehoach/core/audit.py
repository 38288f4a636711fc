"""Change log for business data.

Services take a `snapshot` before and after a change and call `audit_change`; the diff is stored as
{field label: [before, after]} in display form, so history pages show it without joins.
"""

import ast
import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry
from .templatetags.vn import format_number


def display_value(value: Any) -> Any:
    """A value as the change log and conflict messages show it (dates dd/mm/yyyy, 1.234,5).

    Structured values (a JSON field such as a computed figure's "cách tính") read as Vietnamese text,
    never as the program's own notation."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        # 10.00 from the database and 10 from a form are the same value and must not show as a change.
        return format_number(value)
    if isinstance(value, list | tuple):
        return [display_value(v) for v in value]
    if isinstance(value, dict):
        return describe(value)
    return str(value)


# Keys of the structured values kept in JSON fields (a computed figure's "cách tính"), as people read
# them: "" shows the value alone, None leaves the key out (the rows behind a figure, with their links,
# are for the page that explains it, not the log).
KEY_LABELS: dict[str, str | None] = {
    "computation": "",
    "method": "",
    "count": "số dòng",
    "computed_at": "tính lúc",
    "rows": None,
}


def _readable_text(value: str) -> str:
    """An ISO date or time inside a structured value ("2026-11-10T08:00:00") as dd/mm/yyyy [HH:MM]."""
    if len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) == 10:
            return moment.strftime("%d/%m/%Y")
        return moment.strftime("%d/%m/%Y %H:%M")
    return value


def describe(value: dict[str, Any]) -> str | None:
    """A dict as one line of Vietnamese: "Số sáng kiến…; Đếm các dòng…; số dòng: 3; tính lúc: 10/11/2026
    08:00". None when there is nothing to say."""
    parts = []
    for key, item in value.items():
        label = KEY_LABELS.get(key, str(key).replace("_", " "))
        if label is None or item in (None, "", [], {}):
            continue
        shown = display_value(item)
        if isinstance(shown, list):
            shown = ", ".join(str(v) for v in shown if v not in (None, ""))
        elif isinstance(shown, str):
            shown = _readable_text(shown).rstrip(" .;")
        elif isinstance(shown, bool):
            shown = "có" if shown else "không"
        elif isinstance(shown, int):
            shown = format_number(shown)
        if shown in (None, ""):
            continue
        parts.append(f"{label}: {shown}" if label else str(shown))
    return "; ".join(parts) or None


def readable(value: Any) -> str:
    """A stored change-log value as the history page shows it; also reads the values of entries written
    before structured values were described (kept as "{'computation': …}")."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            parsed = None
        if isinstance(parsed, dict):
            return describe(parsed) or ""
    if isinstance(value, dict):
        return describe(value) or ""
    if isinstance(value, list | tuple):
        return "; ".join(readable(v) for v in value) if value else "(trống)"
    if value is None:
        return ""
    if value is True:
        return "Có"
    if value is False:
        return "Không"
    return str(value)


def snapshot(obj: models.Model, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Field label → display value for the concrete and many-to-many fields of `obj`."""
    data: dict[str, Any] = {}
    for field in obj._meta.get_fields():
        if field.auto_created or (not getattr(field, "concrete", False) and not field.many_to_many):
            continue
        if getattr(field, "editable", True) is False or field.name in {
            "search_text",
            "created_at",
            "updated_at",
        }:
            continue
        label = str(getattr(field, "verbose_name", field.name))
        if field.many_to_many:
            if obj.pk is None:
                continue
            data[label] = sorted(str(o) for o in getattr(obj, field.name).all())
        elif field.choices:
            data[label] = (
                getattr(obj, f"get_{field.name}_display")()
                if getattr(obj, field.attname) not in (None, "")
                else None
            )
        elif field.is_relation:
            data[label] = str(getattr(obj, field.name)) if getattr(obj, field.attname) is not None else None
        elif field.name.endswith("_amount") and getattr(obj, field.attname) is not None:
            # Money fields (by the *_amount convention) read as "15.000.000 đồng".
            data[label] = f"{format_number(getattr(obj, field.attname), 0)} đồng"
        else:
            data[label] = display_value(getattr(obj, field.attname))
    for key, value in (extra or {}).items():
        data[key] = display_value(value)
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    before, after = before or {}, after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in dict.fromkeys([*before, *after])
        if before.get(key) != after.get(key)
    }


def audit_change(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    context: models.Model | None = None,
    summary: str = "",
) -> AuditEntry | None:
    # Values given by hand (dates, decimals) are stored in the same display form as snapshots.
    changes = diff(
        {k: display_value(v) for k, v in (before or {}).items()},
        {k: display_value(v) for k, v in (after or {}).items()},
    )
    if action == AuditEntry.Action.UPDATE and not changes:
        return None
    ctx = context if context is not None else obj
    if ctx._meta.label_lower == "plans.plan":
        from .hooks import plan_changed

        plan_changed(ctx.pk)
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        context=context_key(ctx),
        action=action,
        summary=summary[:300],
        changes=changes,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def context_key(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def history_for(obj: models.Model, *, include_children: bool = False):
    """Entries about `obj` itself, or with `include_children` everything filed under it."""
    qs = AuditEntry.objects.select_related("actor", "content_type")
    if include_children:
        return qs.filter(context=context_key(obj))
    return qs.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_id=str(obj.pk)
    )
