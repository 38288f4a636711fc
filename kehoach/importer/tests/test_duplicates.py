"""Publishing an import of a plan the system already has: warned on the review screen, refused by the
service (same number and issuing body), a draft replaced only on the reviewer's choice."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kehoach.core.models import AuditEntry
from kehoach.importer import jobs
from kehoach.importer.duplicates import find_duplicates, number_key, title_key
from kehoach.importer.models import ImportJob
from kehoach.plans.choices import PlanField, PlanStatus
from kehoach.plans.models import Indicator, Plan, Task

from .test_extract import HABAC_EXCERPT
from .test_web import NEW_UNIT, plan_file, review_data, unit_index, upload


def publish_data(client, job, **extra) -> dict:
    """The review screen's post with the unknown unit of PLAN_TEXT confirmed as new."""
    data, review = review_data(client, job)
    names = [f.initial["name"] for f in review.units.forms]
    if NEW_UNIT in names:
        data[f"unit-{unit_index(review, NEW_UNIT)}-new"] = "on"
    return {**data, **extra}


def draft(units, **fields) -> Plan:
    values = {
        "number": "15/KH-UBND",
        "title": "Kế hoạch Chuyển đổi số xã Hà Bắc năm 2026",
        "year": 2026,
        "owner_unit": units["UBND xã Hà Bắc"],
        "lead_unit": units["Phòng VH-XH"],
        "field": PlanField.DIGITAL,
        "status": PlanStatus.DRAFT,
        **fields,
    }
    return Plan.objects.create(**values)


# What counts as the same plan --------------------------------------------------------------------


def test_keys_ignore_spaces_case_dashes_and_diacritics():
    assert number_key("97 /KH–UBND") == number_key("97/kh-ubnd") == "97/kh-ubnd"
    assert title_key("Kế hoạch  Khoa học và Công nghệ xã Hà Bắc năm 2026.") == title_key(
        "KHOA HỌC VÀ CÔNG NGHỆ XÃ HÀ BẮC NĂM 2026"
    )


def test_find_duplicates(habac, units, other_city):
    commune = units["UBND xã Hà Bắc"]
    same = find_duplicates({"number": "97 / KH-UBND", "title": "Khác hẳn"}, owner_unit=commune, year=2026)
    assert [(d.plan, d.same_number, d.replaceable) for d in same] == [(habac, True, False)]
    # Same title, no number: probably the same document.
    title = find_duplicates(
        {"number": None, "title": "Kế hoạch khoa hoc va cong nghe xa Ha Bac nam 2026"},
        owner_unit=commune,
        year=2026,
    )
    assert [(d.plan, d.same_number) for d in title] == [(habac, False)]
    # Numbers start again every year; another issuing body has its own numbers.
    assert (
        find_duplicates({"number": "97/KH-UBND", "date": "2027-02-01"}, owner_unit=commune, year=2027) == []
    )
    assert find_duplicates({"number": "97/KH-UBND"}, owner_unit=other_city["commune"], year=2026) == []
    assert (
        find_duplicates(
            {"number": "98/KH-UBND", "title": "Kế hoạch cải cách hành chính năm 2026"},
            owner_unit=commune,
            year=2026,
        )
        == []
    )


# The journey -------------------------------------------------------------------------------------


def test_importing_an_issued_plan_again_is_refused_with_the_choice_to_open_it(
    habac, users, units, client_for, media
):
    client = client_for(users["daumoi"])
    upload(client, units, file=plan_file(HABAC_EXCERPT, name="ke-hoach-97.txt"), field="khcn")
    job = ImportJob.objects.get()
    tasks_before, plans_before = Task.objects.count(), Plan.objects.count()

    # Warned before publishing, with the existing plan to open and no way to replace an issued plan.
    page = client.get(job.get_absolute_url())
    html = page.content.decode()
    assert [d.plan for d in page.context["duplicates"]] == [habac]
    assert 'id="ke-hoach-trung"' in html and "Kế hoạch này đã có trong hệ thống." in html
    assert habac.get_absolute_url() in html and "Mở kế hoạch đã có" in html
    assert "Thay bản dự thảo" not in html and "vẫn công bố" not in html

    for extra in ({}, {"confirm_duplicate": "1"}, {"replace": str(habac.pk)}):
        response = client.post(
            reverse("importer:publish", args=[job.pk]), publish_data(client, job, issue="1", **extra)
        )
        assert response.status_code == 200
        assert response.context["refused_duplicate"], extra
        assert "Chưa công bố: kế hoạch này đã có trong hệ thống." in response.content.decode()
        assert "Kế hoạch đã ban hành không được thay thế" in response.content.decode()
    assert (Task.objects.count(), Plan.objects.count()) == (tasks_before, plans_before)
    habac.refresh_from_db()
    assert habac.status == PlanStatus.ISSUED
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.plan is None


def test_the_service_refuses_whoever_calls_it(habac, users, units, client_for, media):
    upload(client_for(users["daumoi"]), units, file=plan_file(HABAC_EXCERPT, name="ke-hoach-97.txt"))
    job = ImportJob.objects.get()
    with pytest.raises(jobs.DuplicatePlan) as refused:
        jobs.job_publish(actor=users["daumoi"], job=job, issue=True)
    assert [d.plan for d in refused.value.duplicates] == [habac]
    assert "97/KH-UBND" in refused.value.messages[0] and "đã có trong hệ thống" in refused.value.messages[0]
    assert Plan.objects.filter(number="97/KH-UBND").count() == 1


def test_a_draft_is_replaced_on_the_reviewers_choice(habac, users, units, client_for, media):
    old = draft(units)
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()

    html = client.get(job.get_absolute_url()).content.decode()
    assert "Thay bản dự thảo bằng văn bản này" in html and f'name="replace" value="{old.pk}"' in html
    response = client.post(reverse("importer:publish", args=[job.pk]), publish_data(client, job))
    assert response.status_code == 200 and response.context["refused_duplicate"]
    assert Plan.objects.filter(pk=old.pk).exists()

    response = client.post(
        reverse("importer:publish", args=[job.pk]), publish_data(client, job, replace=str(old.pk))
    )
    job.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == job.plan.get_absolute_url()
    assert not Plan.objects.filter(pk=old.pk).exists()
    assert list(Plan.objects.filter(number="15/KH-UBND")) == [job.plan]
    assert job.plan.tasks.count() == 3
    deleted = AuditEntry.objects.get(object_id=str(old.pk), action=AuditEntry.Action.DELETE)
    assert deleted.summary == "Thay bản dự thảo bằng kế hoạch nhập từ văn bản “ke-hoach-15.txt”"
    published = AuditEntry.objects.filter(content_type__model="importjob", object_id=str(job.pk)).latest("at")
    assert published.changes["Thay bản dự thảo"][1] == str(old)
    assert "Bản dự thảo cũ đã được thay" in client.get(job.plan.get_absolute_url()).content.decode()


def test_a_draft_with_reports_is_not_replaced(habac, users, units, client_for, media):
    from kehoach.tracking.models import Measurement
    from kehoach.tracking.services.periods import periods_sync

    old = draft(units)
    indicator = Indicator.objects.create(plan=old, position=1, code="CT01", name="Số mô hình", target=5)
    period = periods_sync(plan=old)[0]
    Measurement.objects.create(indicator=indicator, period=period, unit=units["Phòng VH-XH"], value=2)
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    response = client.post(
        reverse("importer:publish", args=[job.pk]), publish_data(client, job, replace=str(old.pk))
    )
    assert response.status_code == 200 and response.context["refused_duplicate"]
    assert "đã có báo cáo, số liệu nên không thay thế được" in response.content.decode()
    assert Plan.objects.filter(pk=old.pk).exists() and Plan.objects.filter(number="15/KH-UBND").count() == 1


def test_a_draft_of_a_plan_the_coordinator_does_not_manage_is_not_replaced(
    habac, users, units, client_for, media
):
    old = draft(units, lead_unit=units["Văn phòng HĐND và UBND"])
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    job.unit_choices = {NEW_UNIT: {"new": True}}
    job.save()
    with pytest.raises(PermissionDenied):
        jobs.job_publish(actor=users["daumoi"], job=job, issue=False, replace=old.pk)
    assert Plan.objects.filter(pk=old.pk).exists()


def test_a_near_identical_title_needs_confirmation(habac, users, units, client_for, media):
    existing = draft(
        units, number="", title="Kế hoạch chuyển đổi số  xã Ha Bac năm 2026", status=PlanStatus.ISSUED
    )
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Kế hoạch này có thể đã có trong hệ thống." in html and "Đây là kế hoạch khác, vẫn công bố" in html
    response = client.post(reverse("importer:publish", args=[job.pk]), publish_data(client, job, issue="1"))
    assert response.status_code == 200 and response.context["refused_duplicate"]
    assert Plan.objects.filter(number="15/KH-UBND").count() == 0

    response = client.post(
        reverse("importer:publish", args=[job.pk]),
        publish_data(client, job, issue="1", confirm_duplicate="1"),
    )
    assert response.status_code == 302
    assert (
        Plan.objects.filter(number="15/KH-UBND").count() == 1 and Plan.objects.filter(pk=existing.pk).exists()
    )
