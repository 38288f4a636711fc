"""The plan import contract (design.md) in both directions.

`plan_create_from_contract` turns a contract object into a plan in one transaction; the Hà Bắc seed
and the document importer both go through it. Beyond the contract, an indicator may carry
"city_indicator": the id of the city catalogue entry the import's reviewer linked it to.
`plan_to_contract` writes a stored plan back out in the same shape, which the API, exports and the
seed test use.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.core.text import fold
from kehoach.units.models import Unit
from kehoach.units.services import unit_match

from ..choices import PlanStatus, TaskUnitRole
from ..deadlines import parse_deadline
from ..models import (
    ALL_UNITS_LABEL,
    CityIndicator,
    Goal,
    Indicator,
    IndicatorGroup,
    Measure,
    MeasureSection,
    Plan,
    PlanReference,
    Responsibility,
    Task,
    TaskUnit,
    Trigger,
)
from .catalogue import catalogue_of, city_of, outside_catalogue_message
from .tasks import refresh_schedule

COLLECTIVE_UNITS = {fold(ALL_UNITS_LABEL), fold("Các phòng, ban, ngành, đơn vị"), fold("Các cơ quan, đơn vị")}


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _trigger_description(deadline_text: str) -> str:
    text = re.sub(r"^(ngay\s+)?sau khi\s+", "", deadline_text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"^(Ngày\s+)?Sau khi\s+", "", text)
    return text[:1].upper() + text[1:]


class UnitResolver:
    """Names as a plan writes them → units of the issuing body, failing loudly on unknown names."""

    def __init__(self, owner: Unit):
        self.owner = owner
        self.units = list(Unit.objects.subtree_of(owner))

    def __call__(self, name: str, *, where: str) -> Unit:
        unit = unit_match(name, within=self.owner, candidates=self.units)
        if unit is None:
            raise ValidationError(f"{where}: không tìm thấy đơn vị “{name}” trong {self.owner}.")
        return unit


class CatalogueLinks:
    """An indicator's optional "city_indicator" (a catalogue entry id) → the entry, which must be in the
    catalogue of the issuing body's city; the catalogue is read once, and only if some indicator links."""

    def __init__(self, owner: Unit):
        self.owner = owner
        self.city: Unit | None = None
        self.entries: dict[int, CityIndicator] | None = None

    def __call__(self, ref: Any, *, where: str) -> CityIndicator | None:
        if ref in (None, ""):
            return None
        if self.entries is None:
            self.city = city_of(self.owner)
            self.entries = {entry.pk: entry for entry in catalogue_of(self.city)}
        key = str(ref).strip()
        entry = self.entries.get(int(key)) if key.isdigit() else None
        if entry is None:
            message = outside_catalogue_message(self.city)
            raise ValidationError(f"{where}: {message[:1].lower()}{message[1:]}")
        return entry


@transaction.atomic
def plan_create_from_contract(
    *,
    actor,
    data: dict[str, Any],
    owner_unit: Unit,
    lead_unit: Unit,
    field: str,
    status: str = PlanStatus.ISSUED,
) -> Plan:
    resolve = UnitResolver(owner_unit)
    issued_on = _date(data.get("date"))
    year = data.get("year") or _plan_year(data, issued_on)
    signer = data.get("signer") or {}
    plan = Plan.objects.create(
        number=data.get("number") or "",
        issued_on=issued_on,
        place=data.get("place") or "",
        title=data["title"],
        field=field,
        year=year,
        owner_unit=owner_unit,
        issuer_name=data.get("issuer") or owner_unit.short_name or owner_unit.name,
        lead_unit=lead_unit,
        signer_name=signer.get("name") or "",
        signer_position=signer.get("position") or "",
        signer_authority=signer.get("authority") or "",
        recipients="\n".join(data.get("recipients") or []),
        status=status,
    )
    PlanReference.objects.bulk_create(
        PlanReference(
            plan=plan,
            position=i,
            number=ref.get("number") or "",
            issued_on=_date(ref.get("date")),
            issuer=ref.get("issuer") or "",
            title=ref.get("title") or "",
        )
        for i, ref in enumerate(data.get("references") or [], start=1)
    )
    Goal.objects.bulk_create(
        Goal(plan=plan, position=i, text=g) for i, g in enumerate(data.get("goals") or [], 1)
    )
    plan.refresh_search_text()

    groups: dict[str | None, IndicatorGroup | None] = {None: None}
    link = CatalogueLinks(owner_unit)
    for i, item in enumerate(data.get("indicators") or [], start=1):
        name = item.get("group")
        if name not in groups:
            groups[name] = IndicatorGroup.objects.create(plan=plan, position=len(groups), name=name)
        indicator = Indicator.objects.create(
            plan=plan,
            group=groups[name],
            position=i,
            code=item.get("code") or f"CT{i:02d}",
            name=item["name"],
            comparator=item.get("comparator") or ">=",
            target=Decimal(str(item["target"])) if item.get("target") is not None else Decimal(0),
            target_max=Decimal(str(item["target_max"])) if item.get("target_max") is not None else None,
            unit_of_measure=item.get("unit") or "",
            commitment=item.get("commitment") or "required",
            method=item.get("method") or "",
            lead_unit=resolve(item["lead_unit"], where=f"Chỉ tiêu {i}") if item.get("lead_unit") else None,
            city_indicator=link(item.get("city_indicator"), where=f"Chỉ tiêu {i}"),
        )
        if item.get("coordinating_units"):
            indicator.coordinating_units.set(
                [resolve(n, where=f"Chỉ tiêu {i}") for n in item["coordinating_units"]]
            )

    _create_measures(plan, data.get("measure_sections") or [], data.get("measures") or [])

    for i, item in enumerate(data.get("responsibilities") or [], start=1):
        Responsibility.objects.create(
            plan=plan,
            position=i,
            unit=resolve(item["unit"], where=f"Tổ chức thực hiện, mục {i}"),
            duties=list(item.get("duties") or []),
        )

    triggers: dict[str, Trigger] = {}
    for i, item in enumerate(data.get("tasks") or [], start=1):
        where = f"Nhiệm vụ {i}"
        deadline = parse_deadline(item["deadline_text"], year=year)
        trigger = None
        if deadline.kind == "conditional":
            description = _trigger_description(item["deadline_text"])
            trigger = triggers.get(description)
            if trigger is None:
                trigger = triggers[description] = Trigger.objects.create(plan=plan, description=description)
        coordinating = item.get("coordinating_units") or []
        collective = [n for n in coordinating if fold(n) in COLLECTIVE_UNITS]
        task = Task(
            plan=plan,
            position=item.get("position") or i,
            title=item["title"],
            output=item.get("output") or "",
            deadline_text=item["deadline_text"],
            deadline_kind=deadline.kind,
            deadline_date=deadline.date,
            trigger=trigger,
            coordinates_all_units=bool(collective),
            budget_amount=item.get("budget_amount"),
            budget_source=item.get("budget_source") or "",
            budget_note=item.get("budget_note") or "",
        )
        refresh_schedule(task, starts_on=deadline.starts_on)
        task.save()
        links = [(resolve(n, where=where), TaskUnitRole.LEAD) for n in item.get("lead_units") or []]
        links += [
            (resolve(n, where=where), TaskUnitRole.COORDINATE) for n in coordinating if n not in collective
        ]
        TaskUnit.objects.bulk_create(
            TaskUnit(task=task, unit=unit, role=role, position=pos) for pos, (unit, role) in enumerate(links)
        )
    audit_change(
        actor=actor,
        obj=plan,
        action=AuditEntry.Action.CREATE,
        after=snapshot(plan),
        summary="Tạo kế hoạch từ văn bản",
    )
    return plan


def _plan_year(data: dict[str, Any], issued_on: datetime.date | None) -> int:
    if match := re.search(r"\b(20\d\d)\b", data.get("title") or ""):
        return int(match.group(1))
    return issued_on.year if issued_on else datetime.date.today().year


def _create_measures(plan: Plan, outline: list[dict[str, Any]], measures: list[dict[str, Any]]) -> None:
    sections: dict[str, MeasureSection] = {}
    position = 0

    def add(title: str, label: str = "", parent: MeasureSection | None = None) -> MeasureSection:
        nonlocal position
        position += 1
        section = MeasureSection.objects.create(
            plan=plan, parent=parent, position=position, label=label, title=title
        )
        sections[title] = section
        return section

    for entry in outline:
        parent = add(entry["title"], entry.get("label", ""))
        for child in entry.get("children", []):
            add(child["title"], child.get("label", ""), parent)
    counts: dict[int, int] = {}
    for item in measures:
        title = item.get("section") or "Nhiệm vụ, giải pháp"
        section = sections.get(title) or add(title)
        counts[section.pk] = counts.get(section.pk, 0) + 1
        Measure.objects.create(section=section, position=counts[section.pk], text=item["text"])


def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def plan_to_contract(plan: Plan) -> dict[str, Any]:
    """The plan in the import contract's shape (units by full name)."""
    plan = (
        Plan.objects.select_related("owner_unit", "lead_unit")
        .prefetch_related(
            "references",
            "goals",
            "indicators__group",
            "responsibilities__unit",
            "tasks__task_units__unit",
            "measure_sections__measures",
        )
        .get(pk=plan.pk)
    )
    measures = [
        {"section": section.title, "text": measure.text}
        for section in plan.measure_sections.all()
        for measure in section.measures.all()
    ]
    return {
        "number": plan.number or None,
        "date": plan.issued_on.isoformat() if plan.issued_on else None,
        "place": plan.place or None,
        "issuer": plan.issuer_name or None,
        "title": plan.title,
        "signer": {"name": plan.signer_name, "position": plan.signer_position} if plan.signer_name else None,
        "references": [
            {
                "number": ref.number or None,
                "date": ref.issued_on.isoformat() if ref.issued_on else None,
                "issuer": ref.issuer or None,
            }
            for ref in plan.references.all()
        ],
        "goals": [goal.text for goal in plan.goals.all()],
        "indicators": [
            {
                "group": ind.group.name if ind.group else None,
                "name": ind.name,
                "comparator": ind.comparator,
                "target": _num(ind.target),
                "target_max": _num(ind.target_max),
                "unit": ind.unit_of_measure,
                "commitment": ind.commitment,
            }
            for ind in plan.indicators.all()
        ],
        "tasks": [
            {
                "title": task.title,
                "lead_units": [u.name for u in task.lead_units],
                "coordinating_units": ([ALL_UNITS_LABEL] if task.coordinates_all_units else [])
                + [u.name for u in task.coordinating_units],
                "output": task.output,
                "deadline_text": task.deadline_text,
                "deadline": {
                    "kind": task.deadline_kind,
                    "date": task.deadline_date.isoformat() if task.deadline_date else None,
                },
            }
            for task in plan.tasks.all()
        ],
        "measures": measures,
        "responsibilities": [
            {"unit": r.unit.name, "duties": list(r.duties)} for r in plan.responsibilities.all()
        ],
    }
