"""Report pages and API: who sees drafts and issued reports, editing and issuing through the browser
forms and JSON, downloads, and fixed query counts."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.documents.models import OutgoingDocument
from kehoach.reports import services
from kehoach.reports.models import EDITABLE_FIELDS, Report, ReportState
from kehoach.units.services import token_create

from .conftest import submit_and_issue

TODAY = datetime.date(2026, 4, 2)


@pytest.fixture
def draft(habac, users, accepted_q1) -> Report:
    return services.report_create(
        actor=users["daumoi"], plan=habac, period_kind="quy", period_number=1, today=TODAY
    )


@pytest.fixture
def issued(users, draft) -> Report:
    return submit_and_issue(users, draft, on=TODAY)


def bearer(user) -> dict:
    _, raw = token_create(user=user, name="Kiểm thử báo cáo")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# Pages ---------------------------------------------------------------------------------------------


def test_draft_visible_to_lead_department_and_leadership_only(draft, users, client_for, other_city):
    url = draft.get_absolute_url()
    for username in ("daumoi", "lanhdao"):
        page = client_for(users[username]).get(url)
        assert page.status_code == 200
        assert "DỰ THẢO" in page.content.decode() and "Thiếu cán bộ có chuyên môn" in page.content.decode()
    for user in (users["vhxh"], users["captren"], other_city["supervisor"]):
        assert client_for(user).get(url).status_code == 404


def test_issued_report_readable_by_every_reader_of_the_plan(issued, users, client_for, other_city):
    url = issued.get_absolute_url()
    for username in ("daumoi", "lanhdao", "vhxh", "captren"):
        page = client_for(users[username]).get(url)
        assert page.status_code == 200 and "01/BC-UBND" in page.content.decode()
    assert client_for(other_city["supervisor"]).get(url).status_code == 404
    listing = client_for(users["captren"]).get(reverse("reports:plan_reports", args=[issued.plan_id]))
    assert "01/BC-UBND" in listing.content.decode()


def test_create_edit_issue_through_the_pages(habac, users, client_for, accepted_q1, monkeypatch):
    daumoi = client_for(users["daumoi"])
    response = daumoi.post(reverse("reports:plan_reports", args=[habac.pk]), {"period": "quy:1"})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:edit", args=[report.pk])
    form = daumoi.get(reverse("reports:edit", args=[report.pk]))
    assert form.status_code == 200
    data = {f: getattr(report, f) for f in EDITABLE_FIELDS}
    data.update(version=report.version, proposals="Đề nghị thành phố bố trí kinh phí")
    assert daumoi.post(reverse("reports:edit", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    assert report.proposals == "Đề nghị thành phố bố trí kinh phí"
    # A second save from the old version is refused and keeps the typed text on screen.
    stale = daumoi.post(reverse("reports:edit", args=[report.pk]), {**data, "proposals": "Khác"})
    assert stale.status_code == 200 and "vừa được người khác sửa" in stale.content.decode()
    assert "Khác" in stale.content.decode()
    # Staff cannot edit; đầu mối submits for signature, cannot issue; lãnh đạo confirms and signs.
    assert client_for(users["vhxh"]).get(reverse("reports:edit", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    page = daumoi.get(report.get_absolute_url()).content.decode()
    assert f'name="version" value="{report.version}"' in page and "Trình ký" in page
    response = daumoi.post(reverse("reports:submit", args=[report.pk]), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.submitted_by == users["daumoi"]
    signed = {"issued_on": "02/04/2026", "version": report.version}
    assert daumoi.post(reverse("reports:issue", args=[report.pk]), signed).status_code == 403
    lanhdao = client_for(users["lanhdao"])
    confirm = lanhdao.get(reverse("reports:issue", args=[report.pk])).content.decode()
    assert f'name="version" value="{report.version}"' in confirm
    assert "01/BC-UBND" in confirm and "không hoàn tác" in confirm
    response = lanhdao.post(reverse("reports:issue", args=[report.pk]), signed)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.ISSUED and report.document.number_symbol == "01/BC-UBND"
    assert daumoi.get(reverse("reports:edit", args=[report.pk])).status_code == 403


def test_issue_page_shows_why_it_was_refused(draft, users, client_for):
    services.report_submit(actor=users["daumoi"], report=draft, today=TODAY)
    draft.refresh_from_db()
    response = client_for(users["lanhdao"]).post(
        reverse("reports:issue", args=[draft.pk]),
        {"issued_on": "10/03/2026", "version": draft.version},
        follow=True,
    )
    assert "chốt số liệu ngày 14/03/2026" in response.content.decode()
    assert not OutgoingDocument.objects.exists()


def test_downloads(issued, users, client_for):
    client = client_for(users["captren"])
    pdf = client.get(reverse("reports:download", args=[issued.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="01-BC-UBND-2026.pdf"' in pdf["Content-Disposition"]
    docx = client.get(reverse("reports:download", args=[issued.pk, "docx"]))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert client.get(reverse("reports:download", args=[issued.pk, "exe"])).status_code == 404
    register = client.get(reverse("documents:download", args=[issued.document.pk, "pdf"]))
    assert register.status_code == 200 and register.content.startswith(b"%PDF")


def test_plan_reports_page_query_count(habac, users, client_for, accepted_q1):
    client = client_for(users["daumoi"])
    url = reverse("reports:plan_reports", args=[habac.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.report_create(actor=users["daumoi"], plan=habac, period_kind="quy", period_number=1, today=TODAY)
    one = queries()
    for kind, number in (("quy", 2), ("6thang", 1), ("nam", 1)):
        services.report_create(
            actor=users["daumoi"], plan=habac, period_kind=kind, period_number=number, today=TODAY
        )
    assert queries() == one


# API -----------------------------------------------------------------------------------------------


def test_api_create_patch_issue(habac, users, client, accepted_q1):
    daumoi, lanhdao = bearer(users["daumoi"]), bearer(users["lanhdao"])
    response = client.post(
        f"/api/v1/plans/{habac.pk}/reports",
        json.dumps({"period_kind": "quy", "period_number": 1}),
        content_type="application/json",
        **daumoi,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "du_thao" and body["period_label"] == "Quý I/2026"
    report_id, version = body["id"], body["version"]
    patch = client.patch(
        f"/api/v1/reports/{report_id}",
        json.dumps({"version": version, "proposals": "Kiến nghị mới"}),
        content_type="application/json",
        **daumoi,
    )
    assert patch.status_code == 200 and patch.json()["proposals"] == "Kiến nghị mới"
    stale = client.patch(
        f"/api/v1/reports/{report_id}",
        json.dumps({"version": version, "proposals": "Cũ"}),
        content_type="application/json",
        **daumoi,
    )
    assert stale.status_code == 409 and "vừa được người khác sửa" in stale.json()["detail"]
    refused = client.post(
        f"/api/v1/reports/{report_id}/issue", json.dumps({}), content_type="application/json", **daumoi
    )
    assert refused.status_code == 403
    not_submitted = client.post(
        f"/api/v1/reports/{report_id}/issue", json.dumps({}), content_type="application/json", **lanhdao
    )
    assert not_submitted.status_code == 422 and "chưa được trình ký" in not_submitted.content.decode()
    submitted = client.post(
        f"/api/v1/reports/{report_id}/submit",
        json.dumps({"version": patch.json()["version"]}),
        content_type="application/json",
        **daumoi,
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "cho_ky" and submitted.json()["submitted_at"]
    issued = client.post(
        f"/api/v1/reports/{report_id}/issue",
        json.dumps({"issued_on": datetime.date.today().isoformat()}),
        content_type="application/json",
        **lanhdao,
    )
    assert issued.status_code == 200, issued.content
    assert issued.json()["document"]["number_symbol"] == "01/BC-UBND"
    assert {i["code"]: i["value"] for i in issued.json()["data"]["indicators"]}["CT01"] == "3"
    doc = client.get(f"/api/v1/reports/{report_id}/document", **bearer(users["captren"]))
    assert doc.status_code == 200 and doc.json()["number"] == "Số: 01/BC-UBND"
    listing = client.get(
        "/api/v1/documents?year=" + str(datetime.date.today().year), **bearer(users["captren"])
    )
    assert listing.status_code == 200 and listing.json()["items"][0]["number_symbol"] == "01/BC-UBND"


def test_api_bad_input_and_refusals(habac, users, client, other_city, draft):
    daumoi = bearer(users["daumoi"])
    bad = client.post(
        f"/api/v1/plans/{habac.pk}/reports",
        json.dumps({"period_kind": "quy", "period_number": 7}),
        content_type="application/json",
        **daumoi,
    )
    assert bad.status_code == 422 and "period_number" in bad.json()["errors"]
    staff = client.post(
        f"/api/v1/plans/{habac.pk}/reports",
        json.dumps({"period_kind": "nam", "period_number": 1}),
        content_type="application/json",
        **bearer(users["vhxh"]),
    )
    assert staff.status_code == 403
    assert client.get(f"/api/v1/reports/{draft.pk}", **bearer(users["captren"])).status_code == 404
    assert client.get(f"/api/v1/reports/{draft.pk}", **bearer(other_city["supervisor"])).status_code == 404
    assert client.get(f"/api/v1/reports/{draft.pk}").status_code == 401
    drafts_for_staff = client.get("/api/v1/reports", **bearer(users["vhxh"])).json()
    assert drafts_for_staff["count"] == 0
    assert client.get("/api/v1/reports", **daumoi).json()["count"] == 1


def test_city_leader_is_not_the_commune_leader(draft, habac, client_for):
    from kehoach.units.choices import Role
    from kehoach.units.models import Membership, User

    chairman = User.objects.create_user("chutich_tp", password="x", full_name="Chủ tịch thành phố")
    Membership.objects.create(user=chairman, unit=habac.owner_unit.parent, role=Role.LEADER)
    client = client_for(chairman)
    assert client.get(draft.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("reports:issue", args=[draft.pk]), {"issued_on": "02/04/2026", "version": 1}
    )
    assert response.status_code == 404
    assert client.get(reverse("documents:create")).status_code == 200  # the city's own register
    assert client.get("/api/v1/reports", **bearer(chairman)).json()["count"] == 0
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT


def test_signing_twice_says_it_is_already_issued(issued, users, client_for):
    response = client_for(users["lanhdao"]).post(
        reverse("reports:issue", args=[issued.pk]), {"issued_on": "02/04/2026", "version": 1}, follow=True
    )
    assert response.status_code == 200
    assert "Báo cáo đã được ban hành, số 01/BC-UBND." in response.content.decode()
    assert OutgoingDocument.objects.count() == 1
