"""Synthetic communes for the city view: deterministic, idempotent, well-formed, and isolated."""

import datetime
import hashlib
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from kehoach.core.models import AuditEntry
from kehoach.core.text import fold
from kehoach.demo.city import (
    CATALOGUE,
    TASKS,
    build_city,
    commune_names,
    commune_spec,
)
from kehoach.demo.services import CITY
from kehoach.plans.choices import DeadlineKind, PlanStatus, TaskUnitRole
from kehoach.plans.deadlines import parse_deadline
from kehoach.plans.models import CityIndicator, Indicator, Plan, Task, TaskUnit, Trigger
from kehoach.plans.services.tasks import refresh_schedule
from kehoach.reports.models import Report, ReportState
from kehoach.tracking.models import Measurement, Period, ProgressReport, ReportingConfig
from kehoach.tracking.selectors import tasks_in_period
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit

TODAY = datetime.date(2026, 12, 6)
HANOI = "Ủy ban nhân dân thành phố Hà Nội"


def build(communes: int, *, seed: int = 1, city_name: str = CITY) -> dict:
    return build_city(communes=communes, seed=seed, city_name=city_name, today=TODAY)


def synthetic_communes(city: Unit):
    # Hà Bắc comes from the shipped tree; every other commune these tests put under a city is generated.
    return Unit.objects.filter(parent=city, kind=UnitKind.COMMUNE).exclude(name__contains="Hà Bắc")


def digest(*querysets) -> str:
    """A checksum of ordered rows: equal when every listed value is equal, row for row."""
    result = hashlib.sha256()
    for queryset in querysets:
        for row in queryset:
            result.update(repr(row).encode())
    return result.hexdigest()


def facts(city: Unit) -> dict:
    """What the generated data says, without database ids or creation times."""
    communes = synthetic_communes(city)
    plans = Plan.objects.filter(owner_unit__in=communes)
    plan_key = ("plan__owner_unit__name", "plan__year")
    figures = Measurement.objects.filter(period__plan__in=plans).values_list(
        *(f"indicator__{k}" for k in plan_key),
        "indicator__code",
        "indicator__city_indicator__code",
        "period__kind",
        "period__number",
        "value",
        "numerator",
        "status",
        "submitted_at",
    )
    tasks = Task.objects.filter(plan__in=plans).values_list(
        *plan_key,
        "position",
        "title",
        "deadline_text",
        "starts_on",
        "due_on",
        "completed_on",
        "budget_amount",
    )
    progress = ProgressReport.objects.filter(period__plan__in=plans).values_list(
        *(f"task__{k}" for k in plan_key),
        "task__position",
        "unit__name",
        "period__kind",
        "period__number",
        "percent_complete",
        "status",
        "completed_on",
        "spent_amount",
    )
    return {
        "communes": sorted(communes.values_list("name", "short_name", "depth")),
        "departments": sorted(
            Unit.objects.filter(parent__in=communes).values_list("parent__name", "name", "kind", "position")
        ),
        "plans": sorted(plans.values_list("owner_unit__name", "year", "number", "issued_on", "signer_name")),
        "reports": sorted(
            Report.objects.filter(plan__in=plans).values_list(
                "plan__owner_unit__name", "plan__year", "period_kind", "period_number", "issued_at"
            )
        ),
        "counts": {
            model.__name__: model.objects.count()
            for model in (
                Unit,
                Plan,
                Task,
                TaskUnit,
                Trigger,
                Indicator,
                Period,
                Measurement,
                ProgressReport,
                Report,
            )
        },
        "digest": digest(
            figures.order_by(
                *(f"indicator__{k}" for k in plan_key), "indicator__code", "period__ends_on", "period__kind"
            ),
            tasks.order_by(*plan_key, "position"),
            progress.order_by(
                *(f"task__{k}" for k in plan_key),
                "task__position",
                "unit__name",
                "period__ends_on",
                "period__kind",
            ),
        ),
    }


# The pure generator ------------------------------------------------------------------------------------


def test_names_are_deterministic_unique_and_a_prefix_of_longer_runs():
    five = commune_names(1, CITY, 5)
    assert commune_names(1, CITY, 5) == five
    assert commune_names(1, CITY, 3) == five[:3]
    assert commune_names(2, CITY, 5) != five
    many = commune_names(1, CITY, 3321)
    assert len({n.place for n in many}) == 3321
    assert all(n.place != "Hà Bắc" for n in many)
    assert all(n.name.startswith(("Ủy ban nhân dân xã ", "Ủy ban nhân dân phường ")) for n in many)


def test_a_commune_is_drawn_the_same_way_every_time():
    name = commune_names(1, CITY, 3)[2]
    first = commune_spec(seed=1, city_name=CITY, index=2, name=name, today=TODAY)
    again = commune_spec(seed=1, city_name=CITY, index=2, name=name, today=TODAY)
    other = commune_spec(seed=2, city_name=CITY, index=2, name=name, today=TODAY)
    assert first == again
    assert first != other


def test_every_task_template_deadline_reads_as_one_kind_and_conditions_name_their_trigger():
    for template in TASKS:
        kinds = {parse_deadline(text.format(y=2026), year=2026).kind for text in template.deadlines}
        assert len(kinds) == 1, template.title
        assert (kinds == {DeadlineKind.CONDITIONAL}) == bool(template.trigger), template.title


# Building ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_building_again_from_scratch_gives_the_same_data():
    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            build(3)
            before = facts(Unit.objects.get(parent__isnull=True, name=CITY))
            raise Undo
    except Undo:
        pass
    assert not Unit.objects.filter(name=CITY).exists()
    build(3)
    assert facts(Unit.objects.get(parent__isnull=True, name=CITY)) == before
    assert before["counts"]["Measurement"] > 0


@pytest.mark.django_db
def test_a_second_run_adds_nothing_and_a_larger_one_adds_only_the_missing():
    first = build(3)
    assert first["created"] == 3
    city = first["city"]
    ids = set(synthetic_communes(city).values_list("pk", flat=True))
    before = facts(city)

    again = build(3)
    assert (again["created"], again["existing"], again["catalogue_created"]) == (0, 3, 0)
    assert facts(city) == before

    more = build(5)
    assert (more["created"], more["existing"]) == (2, 3)
    communes = synthetic_communes(city)
    assert sorted(communes.values_list("name", flat=True)) == sorted(
        n.name for n in commune_names(1, CITY, 5)
    )
    assert ids < set(communes.values_list("pk", flat=True))
    assert Plan.objects.filter(owner_unit__in=communes).count() == 5 * 2


@pytest.mark.django_db
def test_units_sit_in_the_tree_exactly_as_unit_save_would_put_them():
    city = build(4)["city"]
    subtree = set(Unit.objects.subtree_of(city).values_list("pk", flat=True))
    communes = list(synthetic_communes(city))
    departments = list(Unit.objects.filter(parent__in=communes))
    assert len(communes) == 4
    for commune in communes:
        assert commune.pk in subtree
        count = sum(1 for d in departments if d.parent_id == commune.pk)
        assert 5 <= count <= 7
    for unit in [*communes, *departments]:
        assert unit.pk in subtree
        assert unit.path == f"{unit.parent.path}{unit.pk}/"
        assert unit.depth == unit.path.count("/") - 2
        assert unit.search_text == fold(" ".join([unit.name, unit.short_name, unit.aliases]))
        assert unit.ancestor_ids[0] == city.pk
    # Saving through the model changes nothing: the bulk-written values are Unit.save's own.
    department = departments[0]
    path, search = department.path, department.search_text
    department.save()
    department.refresh_from_db()
    assert (department.path, department.search_text) == (path, search)
    assert Unit.objects.filter(search_text__contains=fold(communes[0].short_name)).exists()


@pytest.mark.django_db
def test_plans_tasks_and_figures_have_the_shape_the_city_view_reads():
    city = build(4)["city"]
    plans = list(Plan.objects.filter(owner_unit__in=synthetic_communes(city)).select_related("lead_unit"))
    assert len(plans) == 8
    kinds = Counter()
    for plan in plans:
        assert plan.status == PlanStatus.ISSUED and plan.number.endswith("/KH-UBND")
        assert plan.year in (2025, 2026)
        assert plan.lead_unit.name == "Phòng Văn hóa - Xã hội"
        assert ReportingConfig.objects.filter(plan=plan).exists()
        assert Period.objects.filter(plan=plan).count() == 6  # four quarters, six months, the year
        assert 8 <= plan.tasks.count() <= 14
        assert 6 <= plan.indicators.count() <= 10
        assert set(plan.tasks.values_list("deadline_kind", flat=True)) == set(DeadlineKind.values)
        for task in plan.tasks.select_related("trigger"):
            kinds[task.deadline_kind] += 1
            assert task.task_units.filter(role=TaskUnitRole.LEAD).exists()
            # starts_on / due_on are what the scheduling service derives from the deadline and trigger.
            expected = Task(
                deadline_kind=task.deadline_kind,
                deadline_date=task.deadline_date,
                trigger=task.trigger,
                lead_time_days=task.lead_time_days,
            )
            refresh_schedule(expected, starts_on=parse_deadline(task.deadline_text, year=plan.year).starts_on)
            assert (task.starts_on, task.due_on) == (expected.starts_on, expected.due_on), task.deadline_text
            if task.completed_on:
                assert task.completed_on < TODAY
                for lead in task.task_units.filter(role=TaskUnitRole.LEAD):
                    assert ProgressReport.objects.filter(
                        task=task,
                        unit=lead.unit,
                        status="chap_nhan",
                        percent_complete=100,
                        completed_on=task.completed_on,
                    ).exists()
        # Progress reports go only where the desk expects them (tasks owing a report in the period).
        for period in plan.periods.all():
            owing = set(tasks_in_period(plan, period).values_list("pk", flat=True))
            reported = set(ProgressReport.objects.filter(period=period).values_list("task_id", flat=True))
            assert reported <= owing
        for report in Report.objects.filter(plan=plan):
            period = plan.periods.get(kind=report.period_kind, number=report.period_number)
            assert report.state == ReportState.ISSUED
            assert period.ends_on < report.issued_at.date() < TODAY
        assert Measurement.objects.filter(period__plan=plan, period__ends_on__gte=TODAY).count() == 0
    assert Trigger.objects.filter(plan__in=plans, occurred_on__isnull=False).exists()
    last_year = Plan.objects.filter(pk__in=[p.pk for p in plans], year=2025)
    assert Measurement.objects.filter(period__plan__in=last_year, status="chap_nhan").count() > 0
    # Periodic reports go up for every past period, quý, 6 tháng and năm alike; few are missing.
    past = Period.objects.filter(plan__in=plans, due_on__lt=TODAY)
    issued = {(r.plan_id, r.period_kind, r.period_number) for r in Report.objects.filter(plan__in=plans)}
    missing = [p for p in past if (p.plan_id, p.kind, p.number) not in issued]
    assert {r[1] for r in issued} == {"quy", "6thang", "nam"}
    assert len(missing) <= len(past) // 4


@pytest.mark.django_db
def test_every_indicator_is_linked_to_the_city_catalogue():
    city = build(3)["city"]
    catalogue = CityIndicator.objects.filter(city=city)
    assert sorted(catalogue.values_list("code", flat=True)) == sorted(e.code for e in CATALOGUE)
    assert all(code.startswith("TP-") for code in catalogue.values_list("code", flat=True))
    indicators = Indicator.objects.filter(plan__owner_unit__in=synthetic_communes(city))
    assert indicators.exists()
    assert not indicators.filter(city_indicator__isnull=True).exists()
    assert set(indicators.values_list("city_indicator__city", flat=True)) == {city.pk}
    # Communes' values differ, so the city's ranking of them is not a tie.
    values = Measurement.objects.filter(
        indicator__in=indicators, period__kind="nam", period__year=2025
    ).values_list("value", flat=True)
    assert len(set(values)) > 3


@pytest.mark.django_db
def test_habac_is_left_as_it_was_except_for_its_catalogue_links(habac):
    commune = habac.owner_unit

    def state():
        return {
            "units": sorted(Unit.objects.subtree_of(commune).values_list("pk", "name", "path", "updated_at")),
            "tasks": sorted(
                Task.objects.filter(plan=habac).values_list(
                    "pk", "title", "due_on", "completed_on", "updated_at"
                )
            ),
            "indicators": sorted(
                Indicator.objects.filter(plan=habac).values_list("pk", "name", "target", "lead_unit")
            ),
            "periods": sorted(Period.objects.filter(plan=habac).values_list("pk", "ends_on", "closed_at")),
            "measurements": sorted(
                Measurement.objects.filter(period__plan=habac).values_list("pk", "value", "status")
            ),
            "reports": sorted(ProgressReport.objects.filter(period__plan=habac).values_list("pk", "status")),
            "plan": Plan.objects.filter(pk=habac.pk).values_list("number", "title", "updated_at").get(),
        }

    before = state()
    result = build(3)
    assert state() == before
    assert result["habac_linked"] == 11
    linked = dict(Indicator.objects.filter(plan=habac).values_list("code", "city_indicator__code"))
    assert linked == {
        "CT01": "TP-SHTT-01",
        "CT02": "TP-SHTT-02",
        "CT03": "TP-CDS-01",
        "CT04": "TP-CDS-02",
        "CT05": "TP-CDS-03",
        "CT06": "TP-CDS-04",
        "CT07": "TP-CDS-05",
        "CT08": "TP-CDS-06",
        "CT09": "TP-CDS-07",
        "CT10": "TP-TDC-01",
        "CT11": "TP-TDC-02",
    }
    assert (
        AuditEntry.objects.filter(
            context=f"plans.plan:{habac.pk}", summary__startswith="Liên kết chỉ tiêu"
        ).count()
        == 11
    )
    # Synthetic data leaves no trail in the change log.
    assert (
        not AuditEntry.objects.exclude(context=f"plans.plan:{habac.pk}")
        .filter(
            at__gte=Plan.objects.filter(owner_unit__in=synthetic_communes(result["city"]))
            .earliest("created_at")
            .created_at
        )
        .exists()
    )
    assert build(3)["habac_linked"] == 0


@pytest.mark.django_db
def test_a_second_city_has_its_own_catalogue_and_communes(other_city):
    haiphong = build(3)["city"]
    result = build(2, city_name=HANOI)
    hanoi = result["city"]
    assert hanoi.pk == other_city["city"].pk and not result["city_created"]
    hp_units = set(Unit.objects.subtree_of(haiphong).values_list("pk", flat=True))
    hn_units = set(Unit.objects.subtree_of(hanoi).values_list("pk", flat=True))
    assert not hp_units & hn_units
    assert synthetic_communes(hanoi).exclude(pk=other_city["commune"].pk).count() == 2
    assert CityIndicator.objects.filter(city=hanoi).count() == len(CATALOGUE)
    hn_indicators = Indicator.objects.filter(plan__owner_unit__parent=hanoi).exclude(plan=other_city["plan"])
    assert set(hn_indicators.values_list("city_indicator__city", flat=True)) == {hanoi.pk}
    # The city that already had a commune keeps it as it was.
    assert Plan.objects.filter(owner_unit=other_city["commune"]).count() == 1


@pytest.mark.django_db
def test_a_new_city_root_is_created_with_its_department():
    result = build(1, city_name="Ủy ban nhân dân tỉnh Ninh Bình")
    city = result["city"]
    assert result["city_created"]
    assert (city.kind, city.parent_id, city.short_name) == (UnitKind.PROVINCE, None, "UBND tỉnh Ninh Bình")
    assert Unit.objects.filter(parent=city, name="Sở Khoa học và Công nghệ tỉnh Ninh Bình").exists()


@pytest.mark.django_db
def test_command_reports_progress_in_vietnamese(capsys):
    call_command("demo_city", "--communes", "2", "--seed", "1", "--today", "06/12/2026")
    out = capsys.readouterr().out
    assert "Đã tạo 2/2 xã…" in out
    assert "Xong: tạo 2 xã, phường mới" in out
    call_command("demo_city", "--communes", "2", "--seed", "1", "--today", "06/12/2026")
    assert "2 xã, phường đã có sẵn" in capsys.readouterr().out
