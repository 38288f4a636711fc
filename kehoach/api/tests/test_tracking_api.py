"""The tracking API on the Hà Bắc seed: periods, desk, progress reports, indicator data and evidence.

vhxh is staff of Phòng VH-XH (lead unit of every task), daumoi its đầu mối (reviews), kinhte staff of
Phòng KT (coordinates every task), captren the city's supervisor (reads, never writes).
"""

import datetime
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kehoach.plans.models import Indicator, Plan, Task
from kehoach.tracking.choices import ReportStatus
from kehoach.tracking.models import Evidence, Period, ProgressReport
from kehoach.tracking.services.periods import periods_sync
from kehoach.units.models import Unit, User
from kehoach.units.services import token_create

API = "/api/v1"
TODAY = datetime.date(2026, 6, 15)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def periods(habac: Plan) -> dict[str, Period]:
    return {p.label: p for p in periods_sync(plan=habac)}


@pytest.fixture
def q2(periods: dict[str, Period]) -> Period:
    """Quý II/2026: data 15/03 → 14/06, due 19/06; 'today' is 15/06."""
    return periods["Quý II/2026"]


@pytest.fixture
def task(habac: Plan) -> Task:
    """Task 5 "Triển khai kế hoạch chuyển đổi số xã năm 2026": lead Phòng VH-XH, output "Báo cáo"."""
    return Task.objects.get(plan=habac, position=5)


@pytest.fixture
def rate(habac: Plan) -> Indicator:
    """CT03, officials trained (%): lead Phòng VH-XH, coordinating Văn phòng HĐND và UBND."""
    return Indicator.objects.get(plan=habac, code="CT03")


@pytest.fixture
def count(habac: Plan) -> Indicator:
    """CT01, initiatives recognised (a count): lead Phòng VH-XH."""
    return Indicator.objects.get(plan=habac, code="CT01")


class Api:
    """A JSON client speaking for one user through a personal token (or anonymously)."""

    def __init__(self, user: User | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, raw = token_create(user=user, name="Kiểm thử API theo dõi")
            self.headers = {"Authorization": f"Bearer {raw}"}

    def _json(self, response) -> Any:
        if response.status_code == 204 or not response.get("Content-Type", "").startswith("application/json"):
            return None
        return response.json()

    def get(self, url: str) -> tuple[int, Any]:
        response = self.client.get(f"{API}{url}", headers=self.headers)
        return response.status_code, self._json(response)

    def send(self, method: str, url: str, body: Any = None) -> tuple[int, Any]:
        response = getattr(self.client, method)(
            f"{API}{url}",
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=self.headers,
        )
        return response.status_code, self._json(response)

    def post(self, url: str, body: Any = None) -> tuple[int, Any]:
        return self.send("post", url, body)

    def patch(self, url: str, body: Any) -> tuple[int, Any]:
        return self.send("patch", url, body)

    def upload(
        self, url: str, content: bytes = PDF, name: str = "bao-cao.pdf", **fields: str
    ) -> tuple[int, Any]:
        data = {"file": SimpleUploadedFile(name, content), **fields}
        response = self.client.post(f"{API}{url}", data=data, headers=self.headers)
        return response.status_code, self._json(response)


@pytest.fixture
def api(users: dict[str, User]):
    """api("vhxh") → an Api client with that demo user's token."""
    return lambda username: Api(users[username])


def open_report(client: Api, task: Task, period: Period, unit: Unit) -> dict[str, Any]:
    status, body = client.post("/progress-reports", {"task": task.pk, "period": period.pk, "unit": unit.pk})
    assert status in (200, 201), body
    return body


def open_measurement(client: Api, indicator: Indicator, period: Period, unit: Unit) -> dict[str, Any]:
    status, body = client.post(
        "/measurements", {"indicator": indicator.pk, "period": period.pk, "unit": unit.pk}
    )
    assert status in (200, 201), body
    return body


def finished(client: Api, report: dict[str, Any]) -> dict[str, Any]:
    """Fill the lead report as done at 100% with its output attached, and submit it."""
    url = f"/progress-reports/{report['id']}"
    status, body = client.patch(
        url,
        {
            "version": report["version"],
            "percent_complete": 100,
            "results": "Đã ban hành và triển khai kế hoạch chuyển đổi số.",
            "output_delivered": True,
            "completed_on": "10/06/2026",
        },
    )
    assert status == 200, body
    status, body = client.upload(f"{url}/evidence", description="Báo cáo kết quả", is_output="true")
    assert status == 201, body
    status, body = client.post(f"{url}/submit")
    assert status == 200, body
    return body


# Periods -------------------------------------------------------------------------------------------
def test_plan_periods_are_laid_out_on_first_read(habac: Plan, api) -> None:
    Period.objects.filter(plan=habac).delete()
    status, body = api("vhxh").get(f"/plans/{habac.pk}/periods")
    assert status == 200
    assert body["count"] == 6
    periods = body["items"]
    assert [p["label"] for p in periods] == [
        "Quý I/2026",
        "Quý II/2026",
        "6 tháng đầu năm 2026",
        "Quý III/2026",
        "Quý IV/2026",
        "Năm 2026",
    ]
    q2 = periods[1]
    assert (q2["kind"], q2["kind_label"], q2["year"], q2["number"]) == ("quy", "Quý", 2026, 2)
    assert (q2["starts_on"], q2["ends_on"], q2["due_on"]) == ("2026-03-15", "2026-06-14", "2026-06-19")
    assert q2["closed"] is False and q2["closed_by"] is None
    assert api("captren").get(f"/periods/{q2['id']}")[1]["label"] == "Quý II/2026"


def test_plan_periods_are_paginated_and_filtered(habac: Plan, periods: dict[str, Period], api) -> None:
    daumoi = api("daumoi")

    def labels(query: str) -> list[str]:
        status, body = daumoi.get(f"/plans/{habac.pk}/periods{query}")
        assert status == 200, body
        return [p["label"] for p in body["items"]]

    assert labels("?kind=quy") == ["Quý I/2026", "Quý II/2026", "Quý III/2026", "Quý IV/2026"]
    assert labels("?kind=nam&year=2026") == ["Năm 2026"]
    assert labels("?year=2025") == []
    assert labels("?page_size=2&page=2") == ["6 tháng đầu năm 2026", "Quý III/2026"]
    assert labels("?closed=true") == []
    assert daumoi.post(f"/periods/{periods['Quý I/2026'].pk}/close")[0] == 200
    assert labels("?closed=true") == ["Quý I/2026"]
    assert len(labels("?closed=false")) == 5
    status, body = daumoi.get(f"/plans/{habac.pk}/periods?kind=tuan")
    assert status == 422 and body["errors"][0]["loc"] == ["query", "kind"]


# The whole workflow ---------------------------------------------------------------------------------
def test_unit_reports_daumoi_accepts_and_the_task_completes(
    habac: Plan, q2: Period, task: Task, units: dict[str, Unit], api, media
) -> None:
    vhxh, daumoi = api("vhxh"), api("daumoi")
    lead = units["Phòng VH-XH"]

    status, report = vhxh.post("/progress-reports", {"task": task.pk, "period": q2.pk, "unit": lead.pk})
    assert status == 201
    assert (report["role"], report["role_label"]) == ("chu_tri", "Chủ trì")
    assert (report["status"], report["status_label"]) == ("nhap", "Nháp")
    assert report["version"] == 1 and report["editable"] is True and report["locked"] is False
    assert report["task"]["id"] == task.pk and report["period"]["label"] == "Quý II/2026"
    assert report["plan_id"] == habac.pk and report["evidence"] == []
    assert report["url"] == f"/bao-cao-tien-do/{report['id']}/"
    # Opening again gives the same report.
    status, again = vhxh.post("/progress-reports", {"task": task.pk, "period": q2.pk, "unit": lead.pk})
    assert (status, again["id"]) == (200, report["id"])

    url = f"/progress-reports/{report['id']}"
    status, body = vhxh.patch(
        url,
        {
            "version": 1,
            "percent_complete": 100,
            "results": "Đã ban hành và triển khai kế hoạch chuyển đổi số.",
            "difficulties": "Thiếu kinh phí.",
            "output_delivered": True,
            "completed_on": "2026-06-10",
        },
    )
    assert status == 200, body
    assert body["version"] == 2
    assert body["percent_complete"] == 100 and body["completed_on"] == "2026-06-10"
    assert body["difficulties"] == "Thiếu kinh phí."

    status, evidence = vhxh.upload(f"{url}/evidence", description="Báo cáo kết quả", is_output="true")
    assert status == 201, evidence
    assert evidence["name"] == "bao-cao.pdf"
    assert evidence["content_type"] == "application/pdf"
    assert evidence["size"] == len(PDF)
    assert evidence["is_output"] is True
    assert evidence["url"] == f"/minh-chung/{evidence['id']}/"
    assert evidence["uploaded_by"]["username"] == "vhxh"
    assert [e["id"] for e in vhxh.get(url)[1]["evidence"]] == [evidence["id"]]
    stored = Evidence.objects.get(pk=evidence["id"]).file.path
    assert stored.startswith(str(media)) and not stored.endswith(".pdf")

    status, body = vhxh.post(f"{url}/submit")
    assert status == 200, body
    assert (body["status"], body["status_label"]) == ("da_gui", "Đã gửi")
    assert body["submitted_by"]["username"] == "vhxh" and body["editable"] is False

    # Staff of the lead unit report; only đầu mối accepts.
    status, body = vhxh.post(f"{url}/accept")
    assert status == 403
    assert body["detail"].startswith("Chỉ đơn vị đầu mối")

    status, body = daumoi.post(f"{url}/accept")
    assert status == 200, body
    assert (body["status"], body["locked"]) == ("chap_nhan", True)
    assert body["reviewed_by"]["username"] == "daumoi"

    status, body = vhxh.get(f"/tasks/{task.pk}")
    assert (body["status"], body["completed_on"]) == ("hoan_thanh", "2026-06-10")

    # The desk shows the accepted report in its slot.
    desk = daumoi.get(f"/periods/{q2.pk}/desk")[1]
    row = next(r for r in desk["tasks"] if r["task"]["id"] == task.pk)
    assert row["status"] == "hoan_thanh"
    slot = next(s for s in row["reports"] if s["unit"]["id"] == lead.pk)
    assert (slot["state"], slot["record_id"], slot["percent_complete"]) == ("chap_nhan", report["id"], 100)

    # The file comes back through the API to whoever reads the plan.
    response = Client().get(f"{API}/evidence/{evidence['id']}/file", headers=api("captren").headers)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"


def test_a_finished_task_needs_its_output_evidence(
    q2: Period, task: Task, units: dict[str, Unit], api
) -> None:
    vhxh = api("vhxh")
    report = open_report(vhxh, task, q2, units["Phòng VH-XH"])
    url = f"/progress-reports/{report['id']}"
    vhxh.patch(url, {"version": 1, "percent_complete": 100, "results": "Xong.", "output_delivered": True})
    status, body = vhxh.post(f"{url}/submit")
    assert status == 422
    assert body["errors"]["completed_on"] == ["Cần ghi ngày hoàn thành nhiệm vụ."]
    assert body["errors"]["evidence"] == [
        "Cần đính kèm minh chứng là “Báo cáo” (đánh dấu “là kết quả/sản phẩm”)."
    ]
    assert "Cần ghi ngày hoàn thành nhiệm vụ." in body["detail"]
    assert ProgressReport.objects.get(pk=report["id"]).status == ReportStatus.DRAFT


def test_return_and_reopen_need_a_reason(q2: Period, task: Task, units: dict[str, Unit], api) -> None:
    vhxh, daumoi = api("vhxh"), api("daumoi")
    report = finished(vhxh, open_report(vhxh, task, q2, units["Phòng VH-XH"]))
    url = f"/progress-reports/{report['id']}"

    status, body = daumoi.post(f"{url}/return", {"reason": "  "})
    assert status == 422
    assert body["errors"] == {"reason": ["Cần ghi lý do trả lại để đơn vị biết phải sửa gì."]}
    assert daumoi.post(f"{url}/return")[0] == 422  # no body at all
    status, body = daumoi.post(f"{url}/return", {"reason": "Bổ sung số liệu quý II."})
    assert status == 200
    assert (body["status"], body["return_reason"], body["editable"]) == (
        "tra_lai",
        "Bổ sung số liệu quý II.",
        True,
    )
    assert vhxh.post(f"{url}/submit")[0] == 200
    assert daumoi.post(f"{url}/accept")[0] == 200
    assert Task.objects.get(pk=task.pk).completed_on == datetime.date(2026, 6, 10)

    status, body = daumoi.post(f"{url}/reopen", {"reason": "Sai ngày hoàn thành."})
    assert status == 200
    assert (body["status"], body["return_reason"]) == ("tra_lai", "Sai ngày hoàn thành.")
    assert Task.objects.get(pk=task.pk).completed_on is None
    assert vhxh.post(f"{url}/reopen", {"reason": "x"})[0] == 403


def test_coordinating_unit_writes_its_own_part(q2: Period, task: Task, units: dict[str, Unit], api) -> None:
    kinhte = api("kinhte")
    report = open_report(kinhte, task, q2, units["Phòng KT"])
    assert (report["role"], report["unit"]["short_name"]) == ("phoi_hop", "Phòng KT")
    status, body = kinhte.patch(f"/progress-reports/{report['id']}", {"version": 1, "output_delivered": True})
    assert status == 422
    assert body["errors"] == {
        "output_delivered": ["Chỉ đơn vị chủ trì xác nhận đã có kết quả/sản phẩm của nhiệm vụ."]
    }
    # Phòng KT cannot open Phòng VH-XH's report.
    status, body = kinhte.post(
        "/progress-reports", {"task": task.pk, "period": q2.pk, "unit": units["Phòng VH-XH"].pk}
    )
    assert status == 403
    assert "Phòng Văn hóa - Xã hội" in body["detail"]


# Conflicts ------------------------------------------------------------------------------------------
def test_saving_from_an_old_version_is_a_409_with_the_differences(
    q2: Period, task: Task, units: dict[str, Unit], api
) -> None:
    vhxh, daumoi = api("vhxh"), api("daumoi")
    report = open_report(vhxh, task, q2, units["Phòng VH-XH"])
    url = f"/progress-reports/{report['id']}"
    status, mine = vhxh.patch(
        url, {"version": 1, "percent_complete": 40, "results": "Bản của VH-XH", "completed_on": "2026-06-01"}
    )
    assert (status, mine["version"]) == (200, 2)

    # đầu mối started from version 1 too; the same date written as dd/mm/yyyy is no difference.
    status, body = daumoi.patch(
        url,
        {"version": 1, "percent_complete": 60, "results": "Bản của đầu mối", "completed_on": "01/06/2026"},
    )
    assert status == 409
    assert body["current_version"] == 2
    assert body["detail"].startswith("Báo cáo tiến độ vừa được")
    assert {c["field"]: (c["current"], c["yours"]) for c in body["changes"]} == {
        "percent_complete": (40, 60),
        "results": ("Bản của VH-XH", "Bản của đầu mối"),
    }
    assert {c["label"] for c in body["changes"]} == {"Tỷ lệ hoàn thành (%)", "Kết quả đạt được"}
    stored = ProgressReport.objects.get(pk=report["id"])
    assert (stored.percent_complete, stored.results, stored.version) == (40, "Bản của VH-XH", 2)

    # With the current version the save goes through.
    status, body = daumoi.patch(url, {"version": 2, "results": "Bản của đầu mối"})
    assert (status, body["version"], body["results"]) == (200, 3, "Bản của đầu mối")


# Validation -----------------------------------------------------------------------------------------
def test_bad_report_values_get_422_in_vietnamese(q2: Period, task: Task, units: dict[str, Unit], api) -> None:
    vhxh = api("vhxh")
    report = open_report(vhxh, task, q2, units["Phòng VH-XH"])
    url = f"/progress-reports/{report['id']}"

    status, body = vhxh.patch(url, {"version": 1, "percent_complete": 150})
    assert status == 422
    assert body == {
        "detail": "Tỷ lệ hoàn thành phải từ 0 đến 100%.",
        "errors": {"percent_complete": ["Tỷ lệ hoàn thành phải từ 0 đến 100%."]},
    }
    status, body = vhxh.patch(
        url,
        {
            "version": 1,
            "percent_complete": "năm mươi",
            "completed_on": "31/02/2026",
            "output_delivered": "có",
            "results": 5,
            "status": "chap_nhan",
        },
    )
    assert status == 422
    assert body["errors"] == {
        "percent_complete": ["Tỷ lệ hoàn thành (%) phải là số nguyên."],
        "completed_on": ["Ngày hoàn thành không hợp lệ: ghi theo dạng dd/mm/yyyy hoặc YYYY-MM-DD."],
        "output_delivered": ["Đã có kết quả/sản phẩm theo kế hoạch: phải là true hoặc false."],
        "results": ["Kết quả đạt được phải là chuỗi ký tự."],
        "status": ["Trường “status” không có hoặc không sửa được qua API."],
    }
    status, body = vhxh.patch(url, {"percent_complete": 50})
    assert status == 422
    assert list(body["errors"]) == ["version"]
    assert body["errors"]["version"][0].startswith("Cần gửi “version”")
    status, body = vhxh.patch(url, {"version": 1, "completed_on": "2026-07-01"})
    assert (status, body["errors"]) == (
        422,
        {"completed_on": ["Ngày hoàn thành không được sau ngày hôm nay."]},
    )
    # Nothing was half-saved.
    stored = ProgressReport.objects.get(pk=report["id"])
    assert (stored.version, stored.percent_complete, stored.completed_on) == (1, 0, None)

    status, body = vhxh.post("/progress-reports", {"task": "năm", "period": q2.pk})
    assert status == 422
    assert body["errors"] == {
        "task": ["Mã nhiệm vụ phải là số nguyên dương."],
        "unit": ["Cần chọn đơn vị."],
    }


def test_bad_figures_get_422_in_vietnamese(
    q2: Period, rate: Indicator, count: Indicator, units: dict[str, Unit], api
) -> None:
    vhxh = api("vhxh")
    lead = units["Phòng VH-XH"]
    m = open_measurement(vhxh, rate, q2, lead)
    url = f"/measurements/{m['id']}"
    assert (m["indicator"]["code"], m["indicator"]["unit"], m["indicator"]["is_rate"]) == ("CT03", "%", True)

    status, body = vhxh.patch(url, {"version": 1, "numerator": 12, "denominator": 10})
    assert (status, body["errors"]) == (422, {"numerator": ["Tử số không được lớn hơn mẫu số."]})
    status, body = vhxh.patch(url, {"version": 1, "value": "mười hai"})
    assert (status, body["errors"]) == (
        422,
        {"value": ["Giá trị phải là số (ví dụ 12 hoặc 12,5), không có chữ."]},
    )
    status, body = vhxh.patch(url, {"version": 1, "value": 120})
    assert (status, body["errors"]) == (422, {"value": ["Tỷ lệ phải nằm trong khoảng từ 0 đến 100%."]})
    status, body = vhxh.patch(url, {"version": 1, "value": "12,345"})
    assert (status, body["errors"]) == (422, {"value": ["Giá trị có tối đa 2 chữ số sau dấu thập phân."]})
    status, body = vhxh.patch(url, {"version": 1, "value": 1e20})
    assert (status, body["errors"]) == (422, {"value": ["Giá trị quá lớn."]})
    status, body = vhxh.patch(url, {"version": 1, "source": "x" * 301})
    assert (status, body["errors"]) == (
        422,
        {"source": ["Nguồn số liệu dài tối đa 300 ký tự (đang có 301)."]},
    )

    status, body = vhxh.patch(
        url, {"version": 1, "numerator": "45", "denominator": 50, "note": "Tập huấn quý II"}
    )
    assert status == 200, body
    assert (body["value"], body["numerator"], body["denominator"], body["version"]) == (90.0, 45.0, 50.0, 2)
    status, body = vhxh.post(f"{url}/submit")
    assert (status, body["errors"]) == (422, {"source": ["Cần ghi nguồn số liệu."]})

    counted = open_measurement(vhxh, count, q2, lead)
    status, body = vhxh.patch(f"/measurements/{counted['id']}", {"version": 1, "value": "2,5"})
    assert (status, body["errors"]) == (
        422,
        {"value": ["Chỉ tiêu đếm số sáng kiến: giá trị phải là số nguyên."]},
    )
    status, body = vhxh.patch(
        f"/measurements/{counted['id']}", {"version": 1, "numerator": 1, "denominator": 2}
    )
    assert status == 422
    assert body["errors"]["numerator"][0].startswith("Chỉ tiêu này không phải tỷ lệ")
    status, body = vhxh.patch(f"/measurements/{counted['id']}", {"version": 1, "value": "3"})
    assert (status, body["value"]) == (200, 3.0)


def test_figures_accepted_feed_the_desk(q2: Period, rate: Indicator, units: dict[str, Unit], api) -> None:
    vhxh, daumoi, vanphong = api("vhxh"), api("daumoi"), api("vanphong")
    for client, unit, numerator in (
        (vhxh, units["Phòng VH-XH"], 45),
        (vanphong, units["Văn phòng HĐND và UBND"], 15),
    ):
        m = open_measurement(client, rate, q2, unit)
        url = f"/measurements/{m['id']}"
        status, body = client.patch(
            url, {"version": 1, "numerator": numerator, "denominator": 50, "source": "Sổ theo dõi tập huấn"}
        )
        assert status == 200, body
        upload_status, evidence = client.upload(f"{url}/evidence", is_output="true")
        assert upload_status == 201
        assert evidence["is_output"] is False  # only a task's report carries its output
        assert client.post(f"{url}/submit")[0] == 200
        assert vhxh.post(f"{url}/accept")[0] == 403
        status, body = daumoi.post(f"{url}/accept")
        assert (status, body["status"]) == (200, "chap_nhan")

    desk = daumoi.get(f"/periods/{q2.pk}/desk")[1]
    assert desk["can_review"] is True and desk["period"]["id"] == q2.pk
    row = next(r for r in desk["indicators"] if r["indicator"]["code"] == "CT03")
    assert row["value"] == 60.0  # (45 + 15) / (50 + 50)
    assert row["assessment"] in {"dung_tien_do", "co_nguy_co", "cham"}
    assert row["assessment_label"]
    assert [s["state"] for s in row["measurements"]] == ["chap_nhan", "chap_nhan"]
    assert api("vhxh").get(f"/periods/{q2.pk}/desk")[1]["can_review"] is False


# Evidence -------------------------------------------------------------------------------------------
def test_evidence_is_checked_by_its_content(q2: Period, task: Task, units: dict[str, Unit], api) -> None:
    vhxh = api("vhxh")
    report = open_report(vhxh, task, q2, units["Phòng VH-XH"])
    url = f"/progress-reports/{report['id']}/evidence"
    status, body = vhxh.upload(url, content=b"MZ\x90\x00 not a pdf", name="gia-mao.pdf")
    assert status == 422
    assert body["errors"]["file"][0].startswith("Tệp “gia-mao.pdf” không phải loại được phép")
    response = vhxh.client.post(f"{API}{url}", data={"description": "thiếu tệp"}, headers=vhxh.headers)
    assert response.status_code == 422
    assert response.json()["errors"] == {"file": ["Chưa chọn tệp minh chứng (trường “file”)."]}
    status, body = vhxh.upload(url, is_output="có lẽ")
    assert (status, body["errors"]) == (422, {"is_output": ["“is_output” phải là true hoặc false."]})
    assert not Evidence.objects.exists()

    status, evidence = vhxh.upload(url)
    assert status == 201 and evidence["is_output"] is False
    assert api("captren").send("delete", f"/evidence/{evidence['id']}")[0] == 403
    assert vhxh.get(f"/evidence/{evidence['id']}")[1]["name"] == "bao-cao.pdf"
    assert vhxh.send("delete", f"/evidence/{evidence['id']}")[0] == 204
    assert vhxh.get(f"/evidence/{evidence['id']}")[0] == 404


# Permissions ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/plans/1/periods"),
        ("get", "/periods/1/desk"),
        ("get", "/periods/1/missing"),
        ("get", "/progress-reports"),
        ("get", "/progress-reports/1"),
        ("post", "/progress-reports"),
        ("patch", "/progress-reports/1"),
        ("post", "/progress-reports/1/accept"),
        ("get", "/measurements"),
        ("post", "/measurements/1/submit"),
        ("post", "/periods/1/close"),
        ("post", "/progress-reports/1/evidence"),
        ("get", "/evidence/1/file"),
    ],
)
def test_anonymous_gets_401(habac: Plan, method: str, url: str) -> None:
    status, body = Api().send(method, url, {}) if method != "get" else Api().get(url)
    assert status == 401
    assert body["detail"].startswith("Chưa xác thực")


def test_supervisor_reads_but_never_writes(
    q2: Period, task: Task, rate: Indicator, units: dict[str, Unit], api
) -> None:
    vhxh, captren = api("vhxh"), api("captren")
    report = open_report(vhxh, task, q2, units["Phòng VH-XH"])
    m = open_measurement(vhxh, rate, q2, units["Phòng VH-XH"])
    assert captren.get(f"/progress-reports/{report['id']}")[0] == 200
    assert captren.get("/progress-reports")[1]["count"] == 1
    assert captren.get(f"/periods/{q2.pk}/desk")[0] == 200

    lead = units["Phòng VH-XH"].pk
    for method, url, body in [
        ("post", "/progress-reports", {"task": task.pk, "period": q2.pk, "unit": lead}),
        ("patch", f"/progress-reports/{report['id']}", {"version": 1, "results": "Cấp trên sửa"}),
        ("post", f"/progress-reports/{report['id']}/submit", None),
        ("post", f"/progress-reports/{report['id']}/accept", None),
        ("post", f"/measurements/{m['id']}/submit", None),
        ("patch", f"/measurements/{m['id']}", {"version": 1, "value": 10}),
        ("post", f"/periods/{q2.pk}/close", None),
    ]:
        status, answer = captren.send(method, url, body)
        assert status == 403, (url, answer)
        assert answer["detail"].startswith("Chỉ ")
    status, answer = captren.upload(f"/progress-reports/{report['id']}/evidence")
    assert status == 403
    assert ProgressReport.objects.get(pk=report["id"]).version == 1


def test_the_other_city_reads_nothing_of_ha_bac(
    habac: Plan, q2: Period, task: Task, rate: Indicator, units: dict[str, Unit], other_city, api
) -> None:
    vhxh = api("vhxh")
    report = finished(vhxh, open_report(vhxh, task, q2, units["Phòng VH-XH"]))
    m = open_measurement(vhxh, rate, q2, units["Phòng VH-XH"])
    evidence_id = report["evidence"][0]["id"]
    for user in (other_city["supervisor"], other_city["coordinator"]):
        client = Api(user)
        assert client.get("/progress-reports")[1] == {"items": [], "count": 0}
        assert client.get("/measurements")[1] == {"items": [], "count": 0}
        for url, what in [
            (f"/plans/{habac.pk}/periods", "kế hoạch"),
            (f"/periods/{q2.pk}", "kỳ báo cáo"),
            (f"/periods/{q2.pk}/desk", "kỳ báo cáo"),
            (f"/periods/{q2.pk}/missing", "kỳ báo cáo"),
            (f"/progress-reports/{report['id']}", "báo cáo tiến độ"),
            (f"/measurements/{m['id']}", "số liệu chỉ tiêu"),
            (f"/evidence/{evidence_id}", "minh chứng"),
            (f"/evidence/{evidence_id}/file", "minh chứng"),
        ]:
            status, body = client.get(url)
            assert (status, body) == (403, {"detail": f"Bạn không có quyền xem {what} này."}), url
        assert client.post(f"/progress-reports/{report['id']}/accept")[0] == 403
        assert client.post(f"/periods/{q2.pk}/close")[0] == 403
    assert ProgressReport.objects.get(pk=report["id"]).status == ReportStatus.SUBMITTED


def test_missing_objects_get_404(users: dict[str, User], q2: Period, task: Task, units, api) -> None:
    vhxh = api("vhxh")
    for url, what in [
        ("/progress-reports/999999", "báo cáo tiến độ"),
        ("/measurements/999999", "số liệu chỉ tiêu"),
        ("/periods/999999/desk", "kỳ báo cáo"),
        ("/evidence/999999", "minh chứng"),
        ("/plans/999999/periods", "kế hoạch"),
    ]:
        status, body = vhxh.get(url)
        assert (status, body["detail"]) == (404, f"Không tìm thấy {what} có mã 999999."), url
    status, body = vhxh.post(
        "/progress-reports", {"task": task.pk, "period": 999999, "unit": units["Phòng VH-XH"].pk}
    )
    assert (status, body["detail"]) == (404, "Không tìm thấy kỳ báo cáo có mã 999999.")


def test_session_writes_need_the_csrf_token(q2: Period, task: Task, units: dict[str, Unit], users) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["vhxh"])
    body = {"task": task.pk, "period": q2.pk, "unit": units["Phòng VH-XH"].pk}
    response = client.post(f"{API}/progress-reports", data=body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Yêu cầu ghi bằng phiên đăng nhập cần mã CSRF")
    assert not ProgressReport.objects.exists()

    # Reads need no token; with the token from the cookie the write goes through.
    assert client.get(f"{API}/progress-reports").status_code == 200
    client.get("/dang-nhap/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"{API}/progress-reports", data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201
    # A personal token needs no CSRF token.
    token_client = Api(users["vhxh"], Client(enforce_csrf_checks=True))
    assert token_client.post(f"/progress-reports/{response.json()['id']}/submit")[0] == 422  # results empty


# Closed periods -------------------------------------------------------------------------------------
def test_a_closed_period_refuses_writes(
    q2: Period, task: Task, rate: Indicator, units: dict[str, Unit], api
) -> None:
    vhxh, daumoi = api("vhxh"), api("daumoi")
    lead = units["Phòng VH-XH"]
    report = open_report(vhxh, task, q2, lead)
    m = open_measurement(vhxh, rate, q2, lead)

    assert vhxh.post(f"/periods/{q2.pk}/close")[0] == 403
    status, period = daumoi.post(f"/periods/{q2.pk}/close")
    assert status == 200
    assert period["closed"] is True and period["closed_by"]["username"] == "daumoi"
    status, body = daumoi.post(f"/periods/{q2.pk}/close")
    assert (status, body["errors"]) == (422, {"__all__": ["Kỳ Quý II/2026 đã khóa sổ."]})

    closed = "Kỳ Quý II/2026 đã khóa sổ: không sửa hoặc gửi báo cáo được."
    status, body = vhxh.patch(f"/progress-reports/{report['id']}", {"version": 1, "results": "Muộn"})
    assert (status, body) == (422, {"detail": closed, "errors": {"__all__": [closed]}})
    assert vhxh.patch(f"/measurements/{m['id']}", {"version": 1, "value": 10})[0] == 422
    assert vhxh.post(f"/progress-reports/{report['id']}/submit")[0] == 422
    status, body = vhxh.upload(f"/progress-reports/{report['id']}/evidence")
    assert status == 422 and "khóa sổ" in body["detail"]
    other_task = Task.objects.get(plan=task.plan, position=6)
    status, body = vhxh.post("/progress-reports", {"task": other_task.pk, "period": q2.pk, "unit": lead.pk})
    assert (status, body["detail"]) == (422, "Kỳ Quý II/2026 đã khóa sổ: không lập báo cáo mới được.")
    assert api("vhxh").get(f"/progress-reports/{report['id']}")[1]["locked"] is True

    status, body = daumoi.post(f"/periods/{q2.pk}/reopen", {"reason": ""})
    assert (status, body["errors"]) == (422, {"reason": ["Cần ghi lý do mở lại kỳ báo cáo."]})
    status, body = daumoi.post(f"/periods/{q2.pk}/reopen", {"reason": "Bổ sung số liệu"})
    assert (status, body["closed"]) == (200, False)
    assert vhxh.patch(f"/progress-reports/{report['id']}", {"version": 1, "results": "Bổ sung"})[0] == 200


# Missing data ---------------------------------------------------------------------------------------
def test_missing_lists_who_owes_what(q2: Period, task: Task, units: dict[str, Unit], api) -> None:
    vhxh = api("vhxh")
    lead = units["Phòng VH-XH"]

    def owed() -> dict[str, Any]:
        status, body = vhxh.get(f"/periods/{q2.pk}/missing")
        assert status == 200
        return body

    body = owed()
    assert body["overdue"] is False and body["period"]["label"] == "Quý II/2026"
    row = next(r for r in body["units"] if r["unit"]["id"] == lead.pk)
    item = next(t for t in row["tasks"] if t["id"] == task.pk)
    assert (item["state"], item["state_label"], item["record_id"]) == ("chua_lap", "Chưa lập", None)
    assert {i["title"] for i in row["indicators"]} >= {Indicator.objects.get(code="CT03").name}

    finished(vhxh, open_report(vhxh, task, q2, lead))
    row = next(r for r in owed()["units"] if r["unit"]["id"] == lead.pk)
    assert task.pk not in [t["id"] for t in row["tasks"]]

    desk = vhxh.get(f"/periods/{q2.pk}/desk?state=da_gui")[1]
    assert [r["task"]["id"] for r in desk["tasks"]] == [task.pk]
    assert desk["indicators"] == []
    desk = vhxh.get(f"/periods/{q2.pk}/desk?unit={units['Phòng KT'].pk}")[1]
    assert {s["unit"]["id"] for r in desk["indicators"] for s in r["measurements"]} == {units["Phòng KT"].pk}
    assert vhxh.get(f"/periods/{q2.pk}/desk?state=khong-co")[0] == 422


# Lists, filters and query counts --------------------------------------------------------------------
def fill(plan: Plan, periods: dict[str, Period], units: dict[str, Unit], users, *, parts: bool) -> dict:
    """Phòng VH-XH's reports on every open task for three periods (one submitted), its figures, and
    with `parts` the coordinating part of Phòng KT on each task."""
    from kehoach.tracking.selectors import tasks_in_period
    from kehoach.tracking.services.measurements import measurement_open
    from kehoach.tracking.services.progress import (
        progress_report_open,
        progress_report_save,
        progress_report_submit,
    )

    vhxh, lead = users["vhxh"], units["Phòng VH-XH"]
    chosen = [periods["Quý I/2026"], periods["Quý II/2026"], periods["Quý III/2026"]]
    for period in chosen:
        for task in tasks_in_period(plan, period):
            progress_report_open(actor=vhxh, task=task, period=period, unit=lead)
            if parts:
                progress_report_open(actor=users["kinhte"], task=task, period=period, unit=units["Phòng KT"])
        for indicator in Indicator.objects.filter(plan=plan, lead_unit=lead):
            measurement_open(actor=vhxh, indicator=indicator, period=period, unit=lead)
    report = ProgressReport.objects.filter(period=chosen[1], unit=lead).order_by("task__position").first()
    report = progress_report_save(actor=vhxh, report=report, data={"results": "Đã làm"}, version=1)
    progress_report_submit(actor=vhxh, report=report)
    return {"periods": chosen, "submitted": report}


@pytest.fixture
def many(habac: Plan, periods: dict[str, Period], units: dict[str, Unit], users) -> dict[str, Any]:
    return fill(habac, periods, units, users, parts=True)


def test_report_list_filters(habac: Plan, many: dict[str, Any], units: dict[str, Unit], api) -> None:
    client = api("daumoi")

    def ids(url: str) -> list[int]:
        status, body = client.get(url)
        assert status == 200, body
        return [r["id"] for r in body["items"]]

    everything = ProgressReport.objects.count()
    assert client.get("/progress-reports?page_size=200")[1]["count"] == everything == 2 * 6 * 3
    q1, q2, _ = many["periods"]
    lead, kt = units["Phòng VH-XH"], units["Phòng KT"]
    assert len(ids(f"/progress-reports?period={q2.pk}&page_size=200")) == 12
    assert len(ids(f"/progress-reports?period={q2.pk}&unit={kt.pk}")) == 6
    assert ids("/progress-reports?status=da_gui") == [many["submitted"].pk]
    task = many["submitted"].task
    assert set(ids(f"/progress-reports?task={task.pk}&unit={lead.pk}")) == set(
        ProgressReport.objects.filter(task=task, unit=lead).values_list("pk", flat=True)
    )
    assert len(ids(f"/progress-reports?plan={habac.pk}&page_size=200")) == everything
    assert ids("/progress-reports?plan=999999") == []
    first = client.get(f"/progress-reports?period={q1.pk}&page_size=5")[1]
    assert first["items"][0]["period"]["label"] == "Quý I/2026" and len(first["items"]) == 5
    status, body = client.get("/progress-reports?status=khong-co")
    assert status == 422 and body["errors"][0]["loc"] == ["query", "status"]

    measurements = client.get(f"/measurements?period={q2.pk}&unit={lead.pk}")[1]
    assert [m["indicator"]["code"] for m in measurements["items"]] == ["CT01", "CT02", "CT03", "CT04"]
    rate = Indicator.objects.get(plan=habac, code="CT03")
    assert client.get(f"/measurements?indicator={rate.pk}")[1]["count"] == 3
    assert client.get("/measurements?status=chap_nhan")[1]["count"] == 0


# Session and user (2), the access rules (2), then count and page: lists do not grow with rows.
LIST_BUDGET = {"/progress-reports?page_size=200": 6, "/measurements?page_size=200": 6}


@pytest.mark.parametrize("url", LIST_BUDGET)
def test_list_queries_do_not_grow_with_rows(
    habac: Plan, periods, users, client_for, django_assert_max_num_queries, request, url: str
) -> None:
    client = client_for(users["daumoi"])
    with django_assert_max_num_queries(LIST_BUDGET[url]):
        assert client.get(f"{API}{url}").json()["count"] == 0
    request.getfixturevalue("many")
    with django_assert_max_num_queries(LIST_BUDGET[url]):
        assert client.get(f"{API}{url}").json()["count"] > 10
    # A token replaces the session's two queries with its lookup and at most one last-used update.
    token_client = Api(users["daumoi"])
    with django_assert_max_num_queries(LIST_BUDGET[url]):
        assert token_client.get(url)[1]["count"] > 10


def _desk_query_counts(habac: Plan, periods, users, client_for, request, fixture: str) -> tuple[dict, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users["daumoi"])
    period = periods["Quý II/2026"]

    def measure(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}{url}").status_code == 200
        return len(queries)

    urls = [f"/periods/{period.pk}/desk", f"/periods/{period.pk}/missing", f"/plans/{habac.pk}/periods"]
    before = {url: measure(url) for url in urls}
    request.getfixturevalue(fixture)
    return before, {url: measure(url) for url in urls}


def test_desk_and_periods_queries_do_not_grow_with_rows(
    habac: Plan, periods, users, client_for, request
) -> None:
    # Lead reports, figures and the coordinating parts of Phòng KT (each its own slot on the desk).
    before, after = _desk_query_counts(habac, periods, users, client_for, request, "many")
    assert after == before
    assert max(after.values()) <= 12


def test_slot_states_match_report_statuses() -> None:
    from typing import get_args

    from kehoach.api.tracking_schemas import SlotState

    assert set(get_args(SlotState)) == {"chua_lap", *ReportStatus.values}


def test_openapi_lists_the_tracking_endpoints(db) -> None:
    schema = json.loads(Client().get(f"{API}/openapi.json").content)
    paths = schema["paths"]
    assert set(paths[f"{API}/progress-reports/{{report_id}}"]) == {"get", "patch"}
    assert set(paths[f"{API}/measurements"]) == {"get", "post"}
    assert (
        "multipart/form-data"
        in paths[f"{API}/progress-reports/{{report_id}}/evidence"]["post"]["requestBody"]["content"]
    )
    assert "409" in paths[f"{API}/progress-reports/{{report_id}}"]["patch"]["responses"]
