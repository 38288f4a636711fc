"""Nothing typed is lost, and opening a form writes nothing.

"Lập báo cáo"/"Nhập số liệu" is a GET showing an empty form; the draft is created by the first save,
autosave (an htmx post a moment after typing stops) or attached file, with what the user typed.
Autosaves of one person fold into one history row; an attach through htmx answers with the evidence
card only and leaves the fields alone. Also: what a unit's home says it owes now.
"""

import io

import pytest
from django.test import Client
from django.utils import timezone

from kehoach.core.models import AuditEntry
from kehoach.plans.choices import DeadlineKind, TaskUnitRole
from kehoach.plans.models import Task, TaskUnit
from kehoach.tracking.choices import ReportStatus
from kehoach.tracking.models import Evidence, Measurement, Period, ProgressReport
from kehoach.tracking.services import progress as progress_services
from kehoach.tracking.services.periods import periods_owed
from kehoach.tracking.services.workflow import AUTOSAVE_SUMMARY

from .test_views import (
    TODAY,
    indicator,
    make_report,
    messages_of,
    page_text,
    task_at,
    tiny_pdf,
    unit,
)

VH_XH = "Phòng VH-XH"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """27/11/2026, as in test_views: Quý IV/2026 is being reported (due 19/12/2026)."""
    real = timezone.localdate
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, **kw: TODAY if value is None else real(value, **kw),
    )
    return TODAY


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def q4(habac) -> Period:
    return Period.objects.get(plan=habac, kind="quy", year=2026, number=4)


def new_url(task, period, unit_) -> str:
    return f"/bao-cao-tien-do/lap/?task={task.pk}&period={period.pk}&unit={unit_.pk}"


def typed(task, period, unit_, **fields) -> dict:
    """The new-report form as the page posts it: the ids, version 0 (nothing stored yet), the fields."""
    data = {"task": task.pk, "period": period.pk, "unit": unit_.pk, "version": "0", "percent_complete": "0"}
    data.update({k: str(v) for k, v in fields.items()})
    return data


def autosave(client: Client, url: str, data: dict):
    return client.post(url, {**data, "autosave": "1"}, HTTP_HX_REQUEST="true")


def pdf_upload(name="minh-chung.pdf"):
    handle = io.BytesIO(tiny_pdf())
    handle.name = name
    return handle


def history(record) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            content_type__model=type(record)._meta.model_name, object_id=str(record.pk)
        ).order_by("at", "id")
    )


# Opening writes nothing ----------------------------------------------------------------------------


def test_opening_a_new_report_writes_nothing(habac, users, client_for, q4):
    vhxh = client_for(users["vhxh"])
    task = task_at(habac, 5)
    audit_rows = AuditEntry.objects.count()

    response = vhxh.get(new_url(task, q4, unit(VH_XH)))

    assert response.status_code == 200
    text = page_text(response)
    assert "Chưa lưu" in text and "Lưu nháp" in text and "Thêm tệp" in text
    assert 'id="record-form"' in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert AuditEntry.objects.count() == audit_rows
    # Abandoned: still nothing. The task page and the desk offer the same link, a GET.
    assert vhxh.get(task.get_absolute_url()).status_code == 200
    assert not ProgressReport.objects.exists()
    # An older page's POST button without the form's fields only leads to the form.
    response = vhxh.post("/bao-cao-tien-do/lap/", {"task": task.pk, "period": q4.pk, "unit": unit(VH_XH).pk})
    assert response.status_code == 302 and response["Location"].startswith("/bao-cao-tien-do/lap/?")
    assert not ProgressReport.objects.exists()


def test_opening_an_existing_report_goes_to_it(habac, users, client_for, q4):
    report = make_report(habac, users, q4)
    response = client_for(users["vhxh"]).get(new_url(report.task, q4, unit(VH_XH)))
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()


def test_opening_refused_for_other_units_and_closed_periods(habac, users, client_for, q4):
    task = task_at(habac, 5)
    assert client_for(users["kinhte"]).get(new_url(task, q4, unit(VH_XH))).status_code == 403
    assert client_for(users["captren"]).get(new_url(task, q4, unit(VH_XH))).status_code == 403
    assert client_for(users["vhxh"]).get("/bao-cao-tien-do/lap/?task=x").status_code == 404
    Period.objects.filter(pk=q4.pk).update(closed_at="2026-11-20T00:00:00Z")
    response = client_for(users["vhxh"]).get(new_url(task, q4, unit(VH_XH)), follow=True)
    assert "Kỳ Quý IV/2026 đã khóa sổ: không lập báo cáo mới được." in messages_of(response)
    assert not ProgressReport.objects.exists()


# Autosave ------------------------------------------------------------------------------------------


def test_autosave_creates_the_draft_then_folds_into_one_history_row(habac, users, client_for, q4):
    vhxh = client_for(users["vhxh"])
    task = task_at(habac, 5)
    data = typed(task, q4, unit(VH_XH), percent_complete=40, results="Đã tổ chức 2 lớp")

    response = autosave(vhxh, "/bao-cao-tien-do/lap/", data)

    assert response.status_code == 200 and response["X-Autosave"] == "saved"
    report = ProgressReport.objects.get(task=task, period=q4, unit=unit(VH_XH))
    assert (report.status, report.percent_complete) == (ReportStatus.DRAFT, 40)
    assert report.results == "Đã tổ chức 2 lớp"
    body = response.content.decode()
    assert "Đã tự động lưu bản nháp" in body
    assert f'name="version" value="{report.version}" id="id_version" hx-swap-oob="true"' in body

    # Typing goes on: the page posts the same URL with the version it was told.
    for results in ("Đã tổ chức 3 lớp", "Đã tổ chức 4 lớp tập huấn"):
        data.update(version=str(report.version), results=results, percent_complete="60")
        assert autosave(vhxh, "/bao-cao-tien-do/lap/", data)["X-Autosave"] == "saved"
        report.refresh_from_db()
    assert (report.percent_complete, report.results) == (60, "Đã tổ chức 4 lớp tập huấn")
    # The same text again changes nothing, not even the version.
    version = report.version
    assert autosave(vhxh, report.get_absolute_url(), data)["X-Autosave"] == "saved"
    report.refresh_from_db()
    assert report.version == version

    rows = history(report)
    assert len(rows) == 1, "một phiên tự động lưu là một dòng lịch sử"
    assert rows[0].action == AuditEntry.Action.CREATE and rows[0].summary == AUTOSAVE_SUMMARY
    assert rows[0].changes["kết quả đạt được"] == [None, "Đã tổ chức 4 lớp tập huấn"]
    assert rows[0].changes["tỷ lệ hoàn thành (%)"] == [None, 60]

    # An explicit save is a row of its own; a later autosave starts a new session row.
    data.update(version=str(report.version), next_steps="Tổng kết năm")
    data.pop("autosave", None)
    response = vhxh.post(report.get_absolute_url(), {**data, "save": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    data.update(version=str(report.version), results="Đã tổ chức 5 lớp")
    autosave(vhxh, report.get_absolute_url(), data)
    data.update(version=str(report.version + 1), results="Đã tổ chức 6 lớp")
    autosave(vhxh, report.get_absolute_url(), data)
    rows = history(report)
    assert [r.summary for r in rows] == [AUTOSAVE_SUMMARY, "", AUTOSAVE_SUMMARY]
    assert rows[2].changes == {"kết quả đạt được": ["Đã tổ chức 4 lớp tập huấn", "Đã tổ chức 6 lớp"]}


def test_autosave_never_overwrites_someone_elses_draft(habac, users, client_for, q4):
    report = make_report(habac, users, q4)  # a colleague's draft, stored meanwhile
    vhxh = client_for(users["vhxh"])
    data = typed(report.task, q4, unit(VH_XH), results="Nội dung của tôi")

    response = autosave(vhxh, "/bao-cao-tien-do/lap/", data)

    assert response["X-Autosave"] == "conflict"
    assert "Nội dung bạn nhập vẫn còn" in page_text(response)
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert (fresh.results, fresh.version) == (report.results, report.version)
    # Saving explicitly shows the difference, with the user's text kept.
    response = vhxh.post("/bao-cao-tien-do/lap/", {**data, "save": ""})
    assert response.status_code == 200
    assert "Có người vừa lưu báo cáo này trong lúc bạn sửa." in page_text(response)
    assert "Nội dung của tôi" in response.content.decode()


def test_autosave_of_invalid_text_says_so_and_writes_nothing(habac, users, client_for, q4):
    vhxh = client_for(users["vhxh"])
    data = typed(task_at(habac, 5), q4, unit(VH_XH), percent_complete=150)
    response = autosave(vhxh, "/bao-cao-tien-do/lap/", data)
    assert response["X-Autosave"] == "invalid"
    assert "Chưa tự động lưu được" in page_text(response)
    assert not ProgressReport.objects.exists()


def test_autosave_refused_for_another_unit(habac, users, client_for, q4):
    report = make_report(habac, users, q4)
    data = typed(report.task, q4, unit(VH_XH), results="Ghi đè")
    assert autosave(client_for(users["kinhte"]), report.get_absolute_url(), data).status_code == 403
    assert autosave(client_for(users["kinhte"]), "/bao-cao-tien-do/lap/", data).status_code == 403
    assert ProgressReport.objects.get(pk=report.pk).results == report.results


# Evidence --------------------------------------------------------------------------------------


def test_attach_on_a_new_report_creates_it_with_the_typed_text(habac, users, client_for, q4, media):
    vhxh = client_for(users["vhxh"])
    task = task_at(habac, 5)
    data = typed(task, q4, unit(VH_XH), percent_complete=70, results="Đã triển khai 7/10 nội dung")

    response = vhxh.post(
        "/bao-cao-tien-do/lap/",
        {**data, "attach": "1", "file": pdf_upload(), "is_output": "on"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    body = response.content.decode()
    # Only the evidence card comes back: the fields being typed in are not in the answer.
    assert body.lstrip().startswith('<div class="card shadow-sm" id="minh-chung">')
    assert 'name="results"' not in body and "Đã triển khai 7/10" not in body
    assert "Đã đính kèm “minh-chung.pdf”." in page_text(response)
    report = ProgressReport.objects.get(task=task, period=q4, unit=unit(VH_XH))
    assert (report.percent_complete, report.results) == (70, "Đã triển khai 7/10 nội dung")
    assert f'value="{report.version}" id="id_version" hx-swap-oob="true"' in body
    assert response["X-Autosave"] == "saved"
    # The form's status line follows: it no longer says "Chưa lưu" once the draft is stored.
    assert 'id="autosave-status"' in body and "Đã lưu bản nháp cùng tệp đính kèm." in body
    evidence = Evidence.objects.get(progress_report=report)
    assert evidence.is_output and evidence.original_name == "minh-chung.pdf"
    # The card now posts to the stored report.
    assert f'hx-post="{report.get_absolute_url()}"' in body


def test_attach_on_a_stored_draft_touches_only_the_evidence(habac, users, client_for, q4, media):
    report = make_report(habac, users, q4)
    vhxh = client_for(users["vhxh"])
    data = typed(report.task, q4, unit(VH_XH), results="Chưa lưu, đang gõ")
    data["version"] = str(report.version)

    response = vhxh.post(
        report.get_absolute_url(), {**data, "attach": "1", "file": pdf_upload()}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200 and "X-Autosave" not in response
    assert 'name="results"' not in response.content.decode()
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert (fresh.results, fresh.version) == (report.results, report.version)
    assert Evidence.objects.filter(progress_report=report).count() == 1
    # A bad file: the card says why, nothing attached.
    gif = io.BytesIO(GIF)
    gif.name = "anh.gif"
    response = vhxh.post(
        report.get_absolute_url(), {**data, "attach": "1", "file": gif}, HTTP_HX_REQUEST="true"
    )
    assert "không phải loại được phép" in page_text(response)
    assert Evidence.objects.filter(progress_report=report).count() == 1
    # Deleting through htmx answers with the card too.
    evidence = Evidence.objects.get(progress_report=report)
    response = vhxh.post(f"/minh-chung/{evidence.pk}/xoa/", HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<div class="card shadow-sm" id="minh-chung">')
    assert "Đã xóa minh chứng “minh-chung.pdf”." in page_text(response)
    assert not Evidence.objects.exists()


def test_attach_without_javascript_saves_the_typed_text_with_the_file(habac, users, client_for, q4, media):
    vhxh = client_for(users["vhxh"])
    task = task_at(habac, 5)
    data = typed(task, q4, unit(VH_XH), percent_complete=35, results="Gõ rồi mới đính kèm")

    response = vhxh.post("/bao-cao-tien-do/lap/", {**data, "attach": "1", "file": pdf_upload()}, follow=True)

    report = ProgressReport.objects.get(task=task, period=q4, unit=unit(VH_XH))
    assert response.redirect_chain[-1][0] == report.get_absolute_url()
    assert "Đã lưu bản nháp và đính kèm “minh-chung.pdf”." in messages_of(response)
    assert (report.percent_complete, report.results) == (35, "Gõ rồi mới đính kèm")
    assert "Gõ rồi mới đính kèm" in response.content.decode()
    assert Evidence.objects.filter(progress_report=report).count() == 1
    # No file chosen: the page comes back with the text on screen, nothing lost.
    data.update(version=str(report.version), results="Sửa thêm")
    response = vhxh.post(report.get_absolute_url(), {**data, "attach": "1"})
    assert response.status_code == 200
    assert "Chưa chọn tệp." in page_text(response) and "Sửa thêm" in response.content.decode()


def test_new_figure_is_written_on_first_save_only(habac, users, client_for, q4):
    pvhcc = client_for(users["pvhcc"])
    ct07 = indicator(habac, "CT07")
    url = f"/so-lieu/lap/?indicator={ct07.pk}&period={q4.pk}&unit={unit('TT PVHCC').pk}"

    assert pvhcc.get(url).status_code == 200
    assert not Measurement.objects.exists()
    data = {"indicator": ct07.pk, "period": q4.pk, "unit": unit("TT PVHCC").pk, "version": "0", "value": "55"}
    assert autosave(pvhcc, "/so-lieu/lap/", data)["X-Autosave"] == "saved"
    m = Measurement.objects.get(indicator=ct07, period=q4)
    assert m.value == 55 and m.status == ReportStatus.DRAFT


# What the unit owes -----------------------------------------------------------------------------


def owed_card(response) -> str:
    body = response.content.decode()
    start = body.index('id="can-bao-cao"')
    return page_text_of(body[start : body.index("Nhiệm vụ chủ trì (", start)])


def page_text_of(fragment: str) -> str:
    class R:
        content = fragment.encode()

    return page_text(R)


def test_unit_home_lists_what_is_owed_this_period_with_its_deadline(habac, users, client_for, q4):
    assert periods_owed(habac, TODAY) == [Period.objects.get(plan=habac, kind="quy", number=3), q4]
    make_report(habac, users, q4, position=6)  # a draft: still owed
    response = client_for(users["vhxh"]).get("/viec-cua-don-vi/")

    text = owed_card(response)
    assert "Kỳ Quý IV/2026" in text and "Hạn gửi 19/12/2026" in text and "còn 22 ngày" in text
    assert "Còn 6 báo cáo tiến độ nhiệm vụ, 6 số liệu chỉ tiêu phải gửi đầu mối." in text
    assert "Triển khai kế hoạch chuyển đổi số xã năm 2026" in text
    assert "Tiếp tục bản nháp" in text and "Lập báo cáo" in text and "Nhập số liệu" in text
    body = response.content.decode()
    task5 = task_at(habac, 5)
    link = f"/bao-cao-tien-do/lap/?task={task5.pk}&amp;period={q4.pk}&amp;unit={unit(VH_XH).pk}"
    assert f'href="{link}"' in body
    # Quý III is past its deadline: what is still missing there shows as overdue.
    assert "Kỳ Quý III/2026" in text and "quá hạn 69 ngày" in text


def test_kinhte_home_shows_its_figures_and_its_coordinating_parts(habac, users, client_for, q4):
    # A task naming Phòng KT as coordinating unit: its part is owed like a lead unit's report.
    task = Task.objects.create(
        plan=habac,
        position=50,
        title="Hỗ trợ doanh nghiệp chuyển đổi số",
        output="Báo cáo",
        deadline_text="Năm 2026",
        deadline_kind=DeadlineKind.DATE,
        deadline_date=TODAY.replace(month=12, day=31),
        due_on=TODAY.replace(month=12, day=31),
    )
    TaskUnit.objects.create(task=task, unit=unit(VH_XH), role=TaskUnitRole.LEAD, position=0)
    TaskUnit.objects.create(task=task, unit=unit("Phòng KT"), role=TaskUnitRole.COORDINATE, position=1)

    text = owed_card(client_for(users["kinhte"]).get("/viec-cua-don-vi/"))

    assert "Kỳ Quý IV/2026" in text and "Hạn gửi 19/12/2026" in text
    assert "Báo cáo tiến độ · phối hợp Hỗ trợ doanh nghiệp chuyển đổi số" in text
    assert "Số liệu CT10" in text and "Số liệu CT11" in text
    # Tasks every unit coordinates are offered apart: a part may be sent, none is owed.
    assert "Nhiệm vụ phối hợp chung" in text and "Báo cáo phần phối hợp" in text


def test_unit_home_says_when_nothing_is_owed(habac, users, client_for, q4):
    # TT DVSNC owes one lead report in Quý IV; once sent the card still tells the period and its deadline.
    dvsnc = users["dvsnc"]
    task = task_at(habac, 4)
    report = progress_services.progress_report_open(actor=dvsnc, task=task, period=q4, unit=unit("TT DVSNC"))
    report = progress_services.progress_report_save(
        actor=dvsnc, report=report, data={"results": "Đã đăng 3 bài"}, version=report.version
    )
    progress_services.progress_report_submit(actor=dvsnc, report=report)

    text = owed_card(client_for(dvsnc).get("/viec-cua-don-vi/"))

    assert "Kỳ Quý IV/2026" in text and "Hạn gửi 19/12/2026" in text
    assert "Đã gửi đủ báo cáo và số liệu phải gửi kỳ này." in text
