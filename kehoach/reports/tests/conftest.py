"""Hà Bắc with accepted data for Quý I/2026: a finished task, a task in progress with difficulties,
and accepted figures for CT01 (count) and CT04 (rate)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kehoach.plans.models import Indicator, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.tracking.choices import PeriodKind
from kehoach.tracking.models import Period
from kehoach.tracking.services import measurements as m_services
from kehoach.tracking.services import progress as p_services
from kehoach.tracking.services.evidence import evidence_add

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
VH_XH = "Phòng VH-XH"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEHOACH_EXCHANGE_URL = ""
    return settings.MEDIA_ROOT


@pytest.fixture
def q1(habac):
    return Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=1)


def task_at(plan, position: int) -> Task:
    return tasks_with_units(Task.objects.filter(plan=plan, position=position)).get()


@pytest.fixture
def accepted_q1(habac, users, units, q1):
    return make_accepted_q1(habac, users, units, q1)


def accept_lead_output(actor, daumoi, task, period, unit, *, completed_on, results, outputs):
    """A lead unit's report declaring the task's output, with evidence of it, accepted."""
    report = p_services.progress_report_open(actor=actor, task=task, period=period, unit=unit)
    evidence_add(actor=actor, upload=SimpleUploadedFile("bai.pdf", PDF), report=report, is_output=True)
    report = p_services.progress_report_save(
        actor=actor,
        report=report,
        version=None,
        data={
            "percent_complete": 100,
            "output_delivered": True,
            "completed_on": completed_on,
            "results": results,
            "outputs": outputs,
        },
    )
    return p_services.progress_report_accept(
        actor=daumoi, report=p_services.progress_report_submit(actor=actor, report=report)
    )


def make_accepted_q1(habac, users, units, q1) -> dict:
    """Accepted Q1 data: task 4 done with the outputs of both its lead units (Phòng VH-XH on 10/03,
    TT DVSNC on 05/03), task 5 at 40 % with difficulties and proposals, CT01 = 3 sáng kiến,
    CT04 = 35 %. Returns the objects for assertions."""
    vhxh, daumoi, unit = users["vhxh"], users["daumoi"], units[VH_XH]
    task4, task5 = task_at(habac, 4), task_at(habac, 5)

    accept_lead_output(
        vhxh,
        daumoi,
        task4,
        q1,
        unit,
        completed_on=datetime.date(2026, 3, 10),
        results="Đã đăng 12 bài tuyên truyền về Cuộc thi UPU",
        outputs="12 bài tuyên truyền",
    )
    accept_lead_output(
        users["dvsnc"],
        daumoi,
        task4,
        q1,
        units["TT DVSNC"],
        completed_on=datetime.date(2026, 3, 5),
        results="Đã phát 3 bản tin về Cuộc thi UPU trên hệ thống truyền thanh",
        outputs="3 bản tin truyền thanh",
    )

    report5 = p_services.progress_report_open(actor=vhxh, task=task5, period=q1, unit=unit)
    report5 = p_services.progress_report_save(
        actor=vhxh,
        report=report5,
        version=None,
        data={
            "percent_complete": 40,
            "results": "Đã xây dựng dự thảo kế hoạch chuyển đổi số",
            "difficulties": "Thiếu cán bộ có chuyên môn công nghệ thông tin",
            "proposals": "Đề nghị Sở hỗ trợ tập huấn kỹ năng số",
            "next_steps": "Hoàn thiện và ban hành kế hoạch chuyển đổi số",
        },
    )
    p_services.progress_report_accept(
        actor=daumoi, report=p_services.progress_report_submit(actor=vhxh, report=report5)
    )

    figures = {}
    for code, value in (("CT01", Decimal("3")), ("CT04", Decimal("35"))):
        indicator = Indicator.objects.get(plan=habac, code=code)
        m = m_services.measurement_open(actor=vhxh, indicator=indicator, period=q1, unit=unit)
        m = m_services.measurement_save(
            actor=vhxh, measurement=m, version=None, data={"value": value, "source": "Sổ theo dõi của phòng"}
        )
        figures[code] = m_services.measurement_accept(
            actor=daumoi, measurement=m_services.measurement_submit(actor=vhxh, measurement=m)
        )
    return {"task4": task4, "task5": task5, "figures": figures}


def submit_and_issue(users, report, *, on, today=None):
    """Đầu mối submits the draft for signature (trình ký), lãnh đạo signs it on `on`."""
    from kehoach.reports import services

    report = services.report_submit(actor=users["daumoi"], report=report, today=today or on)
    return services.report_issue(actor=users["lanhdao"], report=report, issued_on=on, today=today or on)
