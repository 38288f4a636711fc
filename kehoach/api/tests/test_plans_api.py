"""The plan API on the Hà Bắc seed: plans, references, goals, indicators and groups, tasks,
responsibilities and triggers, written with the permissions of the pages.

daumoi is the đầu mối of Phòng VH-XH, the plan's lead unit: the only demo user who changes the plan.
vhxh and kinhte are staff, lanhdao the commune's leader, captren the city's supervisor: they read and
get 403. Hà Nội's users (other_city) get 404 for everything of Hà Bắc, as for what does not exist.
"""

import datetime
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client

from kehoach.core.models import AuditEntry
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import (
    Goal,
    Indicator,
    IndicatorGroup,
    Plan,
    PlanReference,
    Responsibility,
    Task,
    TaskUnit,
    Trigger,
)
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit, User
from kehoach.units.services import token_create

API = "/api/v1"
TODAY = datetime.date(2026, 6, 15)
MANAGE_ONLY = "Chỉ đơn vị đầu mối của kế hoạch mới được thay đổi kế hoạch này."
COORDINATORS_ONLY = "Chỉ cán bộ đầu mối mới được tạo kế hoạch."
HA_BAC = "Ủy ban nhân dân xã Hà Bắc"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


class Api:
    """A JSON client speaking for one user through a personal token (or anonymously)."""

    def __init__(self, user: User | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, raw = token_create(user=user, name="Kiểm thử API kế hoạch")
            self.headers = {"Authorization": f"Bearer {raw}"}

    def send(self, method: str, url: str, body: Any = None) -> tuple[int, Any]:
        response = getattr(self.client, method)(
            f"{API}{url}",
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=self.headers,
        )
        content = response.json() if response.status_code != 204 else None
        return response.status_code, content

    def get(self, url: str) -> tuple[int, Any]:
        response = self.client.get(f"{API}{url}", headers=self.headers)
        return response.status_code, response.json()

    def post(self, url: str, body: Any = None) -> tuple[int, Any]:
        return self.send("post", url, body)

    def patch(self, url: str, body: Any) -> tuple[int, Any]:
        return self.send("patch", url, body)

    def put(self, url: str, body: Any) -> tuple[int, Any]:
        return self.send("put", url, body)

    def delete(self, url: str) -> tuple[int, Any]:
        return self.send("delete", url)


@pytest.fixture
def api(users: dict[str, User]):
    """api("daumoi") → an Api client with that demo user's token."""
    return lambda username: Api(users[username])


@pytest.fixture
def daumoi(api) -> Api:
    return api("daumoi")


def audit(model: type[models.Model], pk: int, action: str) -> AuditEntry | None:
    """The latest audit entry of that action about that object."""
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(pk), action=action
        )
        .order_by("-id")
        .first()
    )


PLAN_PARTS = (Plan, PlanReference, Goal, Indicator, IndicatorGroup, Task, TaskUnit, Responsibility, Trigger)


def _state() -> dict[str, Any]:
    counts = {model.__name__: model.objects.count() for model in (*PLAN_PARTS, AuditEntry)}
    stamps = {
        model.__name__: list(model.objects.order_by("pk").values_list("pk", "updated_at"))
        for model in (Plan, Indicator, Task, Responsibility, Trigger)
    }
    return {"counts": counts, "stamps": stamps}


@contextmanager
def nothing_saved() -> Iterator[None]:
    """Nothing of the plan side is created, changed or deleted, and nothing is audited."""
    before = _state()
    yield
    assert _state() == before


def errors_of(body: dict[str, Any]) -> dict[str, list[str]]:
    assert set(body) == {"detail", "errors"}, body
    return body["errors"]


# Plans ----------------------------------------------------------------------------------------------
def test_daumoi_creates_a_plan(habac: Plan, users, units: dict[str, Unit], daumoi: Api) -> None:
    status, body = daumoi.post(
        "/plans",
        {
            "number": "120/KH-UBND",
            "title": "Kế hoạch chuyển đổi số xã Hà Bắc năm 2026",
            "field": "cds",
            "issued_on": "15/05/2026",
            "recipients": ["Sở Khoa học và Công nghệ;", "Lưu: VT."],
            "signer_name": "Nguyễn Anh Tuấn",
        },
    )
    assert status == 201, body
    plan = Plan.objects.get(pk=body["id"])
    # Defaults of the page: this year, the user's own unit as lead, a draft; the commune issues it.
    assert (plan.year, plan.status, plan.field) == (2026, PlanStatus.DRAFT, "cds")
    assert plan.lead_unit == units["Phòng VH-XH"] and plan.owner_unit == units["UBND xã Hà Bắc"]
    assert plan.issuer_name == HA_BAC and plan.issued_on == datetime.date(2026, 5, 15)
    assert plan.recipients == "Sở Khoa học và Công nghệ;\nLưu: VT."
    assert body["recipients"] == ["Sở Khoa học và Công nghệ;", "Lưu: VT."]
    assert (body["status"], body["status_label"], body["tasks"]) == ("du_thao", "Dự thảo", [])
    entry = audit(Plan, plan.pk, AuditEntry.Action.CREATE)
    assert entry is not None and entry.actor == users["daumoi"] and entry.summary == "Tạo kế hoạch"
    assert entry.changes["trích yếu"] == [None, "Kế hoạch chuyển đổi số xã Hà Bắc năm 2026"]


def test_session_writes_need_the_csrf_token(habac: Plan, users) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["daumoi"])
    body = json.dumps({"title": "Kế hoạch thử"})
    with nothing_saved():
        response = client.post(f"{API}/plans", data=body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Yêu cầu ghi bằng phiên đăng nhập cần mã CSRF")
    client.get("/dang-nhap/")
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    response = client.post(f"{API}/plans", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 201
    assert audit(Plan, response.json()["id"], AuditEntry.Action.CREATE).actor == users["daumoi"]


@pytest.mark.parametrize("username", ["vhxh", "kinhte", "lanhdao", "captren", "quantri"])
def test_only_a_coordinator_creates_plans(habac: Plan, api, username: str) -> None:
    client = api(username)  # creating the token is audited: before, not inside, the check
    with nothing_saved():
        status, body = client.post("/plans", {"title": "Kế hoạch không được tạo"})
    assert (status, body) == (403, {"detail": COORDINATORS_ONLY})


def test_another_citys_coordinator_cannot_give_a_plan_to_ha_bac(
    habac: Plan, other_city, units: dict[str, Unit]
) -> None:
    socson = Api(other_city["coordinator"])
    with nothing_saved():
        status, body = socson.post("/plans", {"title": "Kế hoạch", "lead_unit": units["Phòng VH-XH"].pk})
    assert status == 422
    # The same answer as for a unit that does not exist: nothing tells that the id is Hà Bắc's.
    message = "Không tìm thấy đơn vị có mã {} trong các đơn vị bạn làm đầu mối."
    assert errors_of(body) == {"lead_unit": [message.format(units["Phòng VH-XH"].pk)]}
    status, body = socson.post("/plans", {"title": "Kế hoạch", "lead_unit": 999999})
    assert errors_of(body) == {"lead_unit": [message.format(999999)]}
    status, body = socson.post("/plans", {"title": "Kế hoạch chuyển đổi số Sóc Sơn 2027", "year": 2027})
    assert status == 201 and body["owner_unit"]["id"] == other_city["commune"].pk


def test_anonymous_gets_401(habac: Plan) -> None:
    with nothing_saved():
        status, body = Api().post("/plans", {"title": "Kế hoạch"})
        assert status == 401 and body["detail"].startswith("Chưa xác thực")
        assert Api().patch(f"/plans/{habac.pk}", {"title": "x"})[0] == 401
        assert Api().delete(f"/tasks/{Task.objects.filter(plan=habac).first().pk}")[0] == 401


def test_plan_input_is_refused_per_field_in_vietnamese(habac: Plan, daumoi: Api) -> None:
    with nothing_saved():
        status, body = daumoi.post(
            "/plans",
            {"title": "", "year": "hai nghìn", "field": "vu-tru", "issued_on": "31/02/2026", "color": "đỏ"},
        )
    assert status == 422
    errors = errors_of(body)
    assert errors["title"] == ["Chưa nhập trích yếu của kế hoạch."]
    assert errors["year"] == ["Năm kế hoạch phải là số, ví dụ 2026."]
    assert errors["color"] == ["Trường “color” không có hoặc không sửa được qua API."]
    assert set(errors) == {"title", "year", "field", "issued_on", "color"}
    assert errors["field"] == [
        "Hãy chọn một lựa chọn hợp lệ. vu-tru không phải là một trong các lựa chọn khả thi."
    ]
    assert errors["issued_on"] == ["Nhập một ngày hợp lệ."]
    assert "Chưa nhập trích yếu của kế hoạch." in body["detail"]

    with nothing_saved():
        status, body = daumoi.post("/plans", {"title": "Kế hoạch", "year": 1999, "recipients": [1, 2]})
    assert errors_of(body) == {
        "year": ["Năm kế hoạch phải trong khoảng 2000–2100."],
        "recipients": ["Nơi nhận phải là danh sách các chuỗi ký tự."],
    }
    with nothing_saved():
        status, body = daumoi.post("/plans", {"title": ["Kế hoạch"], "status": True})
    assert errors_of(body) == {
        "title": ["Trích yếu phải là chuỗi ký tự."],
        "status": ["Trạng thái phải là chuỗi ký tự."],
    }


def test_daumoi_edits_and_publishes_a_plan(habac: Plan, users, daumoi: Api) -> None:
    status, draft = daumoi.post("/plans", {"title": "Kế hoạch ứng dụng AI năm 2026", "field": "khcn"})
    assert status == 201
    status, body = daumoi.patch(f"/plans/{draft['id']}", {"status": "ban_hanh", "number": "130/KH-UBND"})
    assert status == 200, body
    assert (body["status"], body["status_label"], body["number"]) == (
        "ban_hanh",
        "Đã ban hành",
        "130/KH-UBND",
    )
    plan = Plan.objects.get(pk=draft["id"])
    # Only what was sent changed: the rest is as the edit page shows it.
    assert (plan.status, plan.title, plan.field, plan.year) == ("ban_hanh", draft["title"], "khcn", 2026)
    entry = audit(Plan, plan.pk, AuditEntry.Action.UPDATE)
    assert entry.actor == users["daumoi"]
    assert entry.changes == {"số, ký hiệu": ["", "130/KH-UBND"], "trạng thái": ["Dự thảo", "Đã ban hành"]}


def test_changing_the_plan_year_reschedules_its_tasks(habac: Plan, daumoi: Api) -> None:
    status, body = daumoi.patch(f"/plans/{habac.pk}", {"year": 2027})
    assert status == 200, body
    due = {t["position"]: t["due_on"] for t in body["tasks"]}
    assert due[5] == "2027-12-31" and due[4] == "2026-12-31"  # "Cả năm" follows the year, "Năm 2026" not
    assert audit(Plan, habac.pk, AuditEntry.Action.UPDATE).changes == {"năm kế hoạch": [2026, 2027]}
    task = Task.objects.get(plan=habac, position=5)
    assert task.due_on == datetime.date(2027, 12, 31)
    assert (
        audit(Task, task.pk, AuditEntry.Action.UPDATE).summary == "Tính lại thời hạn theo năm kế hoạch 2027"
    )


def test_plan_edit_refusals(habac: Plan, daumoi: Api, units: dict[str, Unit], other_city) -> None:
    with nothing_saved():
        status, body = daumoi.patch(
            f"/plans/{habac.pk}", {"title": " ", "lead_unit": other_city["office"].pk, "year": None}
        )
    assert status == 422
    assert errors_of(body) == {
        "title": ["Chưa nhập trích yếu của kế hoạch."],
        "lead_unit": [
            f"Không tìm thấy đơn vị có mã {other_city['office'].pk} trong các đơn vị bạn làm đầu mối."
        ],
        "year": ["Chưa nhập năm kế hoạch."],
    }
    # Phòng KT is in the commune but daumoi is not its đầu mối: the edit page does not offer it either.
    with nothing_saved():
        status, body = daumoi.patch(f"/plans/{habac.pk}", {"lead_unit": units["Phòng KT"].pk})
    assert status == 422 and list(errors_of(body)) == ["lead_unit"]
    status, body = daumoi.patch("/plans/999999", {"title": "x"})
    assert (status, body) == (404, {"detail": "Không tìm thấy kế hoạch có mã 999999."})


def test_references_are_replaced_as_a_whole(habac: Plan, users, daumoi: Api) -> None:
    rows = [
        {"number": "57-NQ/TW", "issued_on": "22/12/2024", "issuer": "Bộ Chính trị", "title": "Về đột phá"},
        {"number": "", "title": "Kế hoạch của Ủy ban nhân dân thành phố"},
    ]
    status, body = daumoi.put(f"/plans/{habac.pk}/references", {"references": rows})
    assert status == 200, body
    assert [(r["position"], r["number"], r["issued_on"]) for r in body["references"]] == [
        (1, "57-NQ/TW", "2024-12-22"),
        (2, "", None),
    ]
    assert list(PlanReference.objects.filter(plan=habac).values_list("title", flat=True)) == [
        "Về đột phá",
        "Kế hoạch của Ủy ban nhân dân thành phố",
    ]
    entry = audit(Plan, habac.pk, AuditEntry.Action.UPDATE)
    assert entry.summary == "Cập nhật căn cứ" and entry.actor == users["daumoi"]
    assert len(entry.changes["Căn cứ"][0]) == 11 and len(entry.changes["Căn cứ"][1]) == 2


def test_references_input_errors_name_the_row(habac: Plan, daumoi: Api) -> None:
    with nothing_saved():
        status, body = daumoi.put(
            f"/plans/{habac.pk}/references",
            {
                "references": [
                    {"number": "1/QĐ", "issued_on": "31/02/2026"},
                    {"issuer": "Bộ Khoa học và Công nghệ"},
                    "57-NQ/TW",
                    {"number": 57, "page": 3},
                ]
            },
        )
    assert status == 422
    errors = errors_of(body)
    assert set(errors) == {
        "references.0.issued_on",
        "references.1",
        "references.2",
        "references.3.number",
        "references.3.page",
    }
    assert errors["references.0.issued_on"][0].startswith("Căn cứ thứ 1: ")
    assert errors["references.1"] == ["Căn cứ thứ 2: Mỗi căn cứ cần có số, ký hiệu hoặc trích yếu."]
    assert errors["references.3.page"] == ["Căn cứ thứ 4: không có trường “page”."]
    assert errors["references.3.number"] == ["Căn cứ thứ 4: “number” phải là chuỗi ký tự."]
    assert errors["references.2"] == [
        "Căn cứ thứ 3 phải là một đối tượng {number, issued_on, issuer, title}."
    ]
    assert PlanReference.objects.filter(plan=habac).count() == 11
    with nothing_saved():
        status, body = daumoi.put(f"/plans/{habac.pk}/references", {"references": "57-NQ/TW"})
    assert errors_of(body) == {"references": ["Căn cứ phải là một danh sách (có thể rỗng)."]}


def test_goals_are_replaced_as_a_whole(habac: Plan, daumoi: Api) -> None:
    goals = ["Phát triển  kinh tế số", "  Xây dựng chính quyền số  ", ""]
    status, body = daumoi.put(f"/plans/{habac.pk}/goals", {"goals": goals})
    assert status == 200, body
    assert body["goals"] == ["Phát triển kinh tế số", "Xây dựng chính quyền số"]
    assert list(Goal.objects.filter(plan=habac).values_list("text", flat=True)) == body["goals"]
    assert audit(Plan, habac.pk, AuditEntry.Action.UPDATE).summary == "Cập nhật mục tiêu"
    with nothing_saved():
        status, body = daumoi.put(f"/plans/{habac.pk}/goals", {"goals": ["Một", 2]})
    assert errors_of(body) == {"goals": ["Mục tiêu phải là danh sách các chuỗi ký tự."]}


# Indicators -------------------------------------------------------------------------------------------
@pytest.fixture
def ct03(habac: Plan) -> Indicator:
    """CT03: officials trained (%), lead Phòng VH-XH, coordinating Văn phòng HĐND và UBND."""
    return Indicator.objects.get(plan=habac, code="CT03")


def test_indicator_detail(habac: Plan, ct03: Indicator, units: dict[str, Unit], api) -> None:
    status, body = api("captren").get(f"/indicators/{ct03.pk}")
    assert status == 200
    assert (body["code"], body["unit"], body["target"], body["is_rate"]) == ("CT03", "%", 100.0, True)
    assert body["target_in_words"] == ct03.target_in_words and body["target_in_words"]
    assert body["baseline"] is None and body["method"] == ct03.method
    assert body["lead_unit"]["id"] == units["Phòng VH-XH"].pk
    assert [u["id"] for u in body["coordinating_units"]] == [units["Văn phòng HĐND và UBND"].pk]
    assert body["plan"]["id"] == habac.pk and body["group"]["name"] == "Nhóm chỉ tiêu chuyển đổi số"
    assert body["url"] == f"/chi-tieu/{ct03.pk}/"


def test_indicator_lists_filter_and_paginate(habac: Plan, units: dict[str, Unit], api) -> None:
    client = api("kinhte")

    def codes(url: str) -> list[str]:
        status, body = client.get(url)
        assert status == 200, body
        return [i["code"] for i in body["items"]]

    every = [f"CT{n:02d}" for n in range(1, 12)]
    assert codes("/indicators") == every
    assert codes(f"/plans/{habac.pk}/indicators") == every
    assert codes(f"/indicators?plan={habac.pk}&lead_unit={units['TT PVHCC'].pk}") == ["CT07", "CT08", "CT09"]
    group = IndicatorGroup.objects.get(plan=habac, position=3)
    assert codes(f"/plans/{habac.pk}/indicators?group={group.pk}") == ["CT10", "CT11"]
    assert codes("/indicators?code=CT05") == ["CT05"]
    assert codes("/indicators?plan=999999") == []
    first = client.get("/indicators?page_size=4")[1]
    third = client.get("/indicators?page_size=4&page=3")[1]
    assert first["count"] == third["count"] == 11
    assert [i["code"] for i in third["items"]] == ["CT09", "CT10", "CT11"]
    status, body = client.get("/indicators?group=nhom-2")
    assert status == 422 and body["errors"][0]["loc"] == ["query", "group"]


def test_daumoi_adds_an_indicator(habac: Plan, users, units: dict[str, Unit], daumoi: Api) -> None:
    group = IndicatorGroup.objects.get(plan=habac, position=2)
    status, body = daumoi.post(
        f"/plans/{habac.pk}/indicators",
        {
            "name": "Tỷ lệ hồ sơ trực tuyến toàn trình",
            "target": "85,5",
            "baseline": 60,
            "unit": "%",
            "group": group.pk,
            "lead_unit": units["TT PVHCC"].pk,
            "coordinating_units": [units["Phòng VH-XH"].pk, units["Công an xã"].pk],
            "method": "Số hồ sơ toàn trình / tổng số hồ sơ",
        },
    )
    assert status == 201, body
    indicator = Indicator.objects.get(pk=body["id"])
    assert (indicator.code, indicator.position) == ("CT12", 12)  # numbered after the others, as the page does
    assert (indicator.target, indicator.baseline, indicator.unit_of_measure) == (Decimal("85.5"), 60, "%")
    assert indicator.group == group and indicator.lead_unit == units["TT PVHCC"]
    assert set(indicator.coordinating_units.all()) == {units["Phòng VH-XH"], units["Công an xã"]}
    assert body["target_in_words"] == "từ 85,5% trở lên"
    assert {u["short_name"] for u in body["coordinating_units"]} == {"Phòng VH-XH", "Công an xã"}
    entry = audit(Indicator, indicator.pk, AuditEntry.Action.CREATE)
    assert entry.actor == users["daumoi"] and entry.context == f"plans.plan:{habac.pk}"


def test_indicator_input_is_refused_per_field(habac: Plan, ct03: Indicator, units, daumoi: Api) -> None:
    url = f"/plans/{habac.pk}/indicators"
    with nothing_saved():
        status, body = daumoi.post(
            url, {"name": "", "target": "mười", "unit": "%", "lead_unit": 999999, "coordinating_units": "KT"}
        )
    assert status == 422
    assert errors_of(body) == {
        "name": ["Chưa nhập tên chỉ tiêu."],
        "target": ["Giá trị mục tiêu phải là số."],
        "lead_unit": [f"Không tìm thấy đơn vị có mã 999999 trong các đơn vị thuộc {HA_BAC}."],
        "coordinating_units": ["Đơn vị phối hợp phải là danh sách mã số, ví dụ [12, 15]."],
    }
    # The service's own rules come back the same way, under the API's names.
    with nothing_saved():
        status, body = daumoi.post(url, {"name": "Tỷ lệ", "target": 120, "unit": "%", "code": "CT01"})
    assert errors_of(body) == {
        "target": ["Tỷ lệ phải nằm trong khoảng từ 0 đến 100%."],
        "code": ["Mã chỉ tiêu CT01 đã được dùng trong kế hoạch này."],
    }
    with nothing_saved():
        status, body = daumoi.post(
            url, {"name": "Doanh nghiệp", "target": 2, "unit": "", "comparator": "between"}
        )
    assert errors_of(body) == {"unit": ["Chưa nhập đơn vị tính (ví dụ: %, sáng kiến, doanh nghiệp)."]}
    # A unit of another city is "not found", as one that does not exist.
    with nothing_saved():
        status, body = daumoi.patch(
            f"/indicators/{ct03.pk}", {"coordinating_units": [units["Phòng KT"].pk, 0]}
        )
    assert status == 422 and list(errors_of(body)) == ["coordinating_units"]


def test_daumoi_edits_and_deletes_an_indicator(
    habac: Plan, ct03: Indicator, units, users, daumoi: Api
) -> None:
    status, body = daumoi.patch(f"/indicators/{ct03.pk}", {"target": 95, "commitment": "aspiration"})
    assert status == 200, body
    ct03.refresh_from_db()
    assert (ct03.target, ct03.commitment) == (Decimal("95"), "aspiration")
    # What was not sent stays, the coordinating units among it.
    assert list(ct03.coordinating_units.all()) == [units["Văn phòng HĐND và UBND"]]
    assert (ct03.code, ct03.unit_of_measure, ct03.lead_unit) == ("CT03", "%", units["Phòng VH-XH"])
    entry = audit(Indicator, ct03.pk, AuditEntry.Action.UPDATE)
    assert entry.actor == users["daumoi"]
    assert entry.changes == {"giá trị mục tiêu": ["100", "95"], "mức cam kết": ["Bắt buộc", "Phấn đấu"]}

    status, body = daumoi.patch(f"/indicators/{ct03.pk}", {"comparator": "between", "target_max": 99})
    assert status == 200 and body["target_in_words"] == "phấn đấu từ 95 đến 99%"
    status, body = daumoi.patch(f"/indicators/{ct03.pk}", {"target_max": None})
    assert errors_of(body) == {"target_max": ["Chỉ tiêu dạng khoảng cần giá trị tối đa."]}

    assert daumoi.delete(f"/indicators/{ct03.pk}") == (204, None)
    assert not Indicator.objects.filter(pk=ct03.pk).exists()
    assert audit(Indicator, ct03.pk, AuditEntry.Action.DELETE).actor == users["daumoi"]
    assert daumoi.get(f"/indicators/{ct03.pk}")[0] == 404


def test_indicator_groups(habac: Plan, users, daumoi: Api, api) -> None:
    status, body = api("vhxh").get(f"/plans/{habac.pk}/indicator-groups")
    assert status == 200 and body["count"] == 3
    assert [g["position"] for g in body["items"]] == [1, 2, 3]

    status, group = daumoi.post(f"/plans/{habac.pk}/indicator-groups", {"name": " Nhóm chỉ tiêu về AI "})
    assert status == 201, group
    assert (group["name"], group["position"], group["plan_id"]) == ("Nhóm chỉ tiêu về AI", 4, habac.pk)
    assert audit(IndicatorGroup, group["id"], AuditEntry.Action.CREATE).actor == users["daumoi"]

    status, body = daumoi.patch(
        f"/indicator-groups/{group['id']}", {"name": "Nhóm chỉ tiêu trí tuệ nhân tạo"}
    )
    assert status == 200 and body["name"] == "Nhóm chỉ tiêu trí tuệ nhân tạo"
    assert IndicatorGroup.objects.get(pk=group["id"]).name == "Nhóm chỉ tiêu trí tuệ nhân tạo"
    assert audit(IndicatorGroup, group["id"], AuditEntry.Action.UPDATE).changes == {
        "tên nhóm": ["Nhóm chỉ tiêu về AI", "Nhóm chỉ tiêu trí tuệ nhân tạo"]
    }
    assert daumoi.get(f"/indicator-groups/{group['id']}")[1]["name"] == "Nhóm chỉ tiêu trí tuệ nhân tạo"

    with nothing_saved():
        status, body = daumoi.post(f"/plans/{habac.pk}/indicator-groups", {"name": "  "})
    assert errors_of(body) == {"name": ["Chưa nhập tên nhóm chỉ tiêu."]}
    with nothing_saved():
        status, body = daumoi.patch(f"/indicator-groups/{group['id']}", {"name": "x" * 256})
    assert status == 422 and list(errors_of(body)) == ["name"]


# Tasks ----------------------------------------------------------------------------------------------
def test_daumoi_adds_a_task(habac: Plan, users, units: dict[str, Unit], daumoi: Api) -> None:
    kt, vhxh, police = units["Phòng KT"], units["Phòng VH-XH"], units["Công an xã"]
    status, body = daumoi.post(
        f"/plans/{habac.pk}/tasks",
        {
            "title": "Số hóa hồ sơ hộ tịch",
            "output": "Cơ sở dữ liệu hộ tịch",
            "deadline_text": "30/9/2026",
            "lead_units": [kt.pk, vhxh.pk],
            "coordinating_units": [police.pk],
            "budget_amount": "15.000.000",
            "budget_source": "ns_xa",
            "description": "Nhập liệu sổ hộ tịch từ năm 2000.",
        },
    )
    assert status == 201, body
    task = Task.objects.get(pk=body["id"])
    assert (task.position, task.deadline_kind, task.due_on) == (10, "date", datetime.date(2026, 9, 30))
    assert (task.budget_amount, task.budget_source) == (15_000_000, "ns_xa")
    # Lead units keep the order they were sent in, not the tree's.
    assert [u["short_name"] for u in body["lead_units"]] == ["Phòng KT", "Phòng VH-XH"]
    assert [u.pk for u in task.lead_units] == [kt.pk, vhxh.pk]
    assert [u.pk for u in task.coordinating_units] == [police.pk]
    assert (body["status"], body["description"], body["trigger"]) == (
        "dang_thuc_hien",
        task.description,
        None,
    )
    entry = audit(Task, task.pk, AuditEntry.Action.CREATE)
    assert entry.actor == users["daumoi"]
    assert entry.changes["Đơn vị chủ trì"] == [None, ["Phòng Kinh tế", "Phòng Văn hóa - Xã hội"]]


def test_task_waiting_on_a_new_trigger_gets_its_deadline_when_recorded(
    habac: Plan, users, units: dict[str, Unit], daumoi: Api
) -> None:
    status, body = daumoi.post(
        f"/plans/{habac.pk}/tasks",
        {
            "title": "Triển khai hướng dẫn của thành phố",
            "deadline_text": "Sau khi Thành phố ban hành hướng dẫn",
            "new_trigger": "Thành phố ban hành hướng dẫn",
            "lead_units": [units["Phòng VH-XH"].pk],
            "lead_time_days": 45,
        },
    )
    assert status == 201, body
    assert (body["status"], body["due_on"]) == ("cho_dieu_kien", None)
    trigger = Trigger.objects.get(pk=body["trigger"]["id"])
    assert trigger.description == "Thành phố ban hành hướng dẫn"
    assert audit(Trigger, trigger.pk, AuditEntry.Action.CREATE).actor == users["daumoi"]

    status, body = daumoi.post(
        f"/triggers/{trigger.pk}/record", {"occurred_on": "01/06/2026", "document_number": "12/HD-UBND"}
    )
    assert status == 200, body
    assert body["fulfilled"] is True and body["occurred_on"] == "2026-06-01"
    assert body["recorded_by"]["username"] == "daumoi"
    assert [(t["starts_on"], t["due_on"]) for t in body["tasks"]] == [("2026-06-01", "2026-07-16")]
    task = Task.objects.get(trigger=trigger)
    assert task.due_on == datetime.date(2026, 7, 16)
    assert audit(Trigger, trigger.pk, AuditEntry.Action.EVENT).summary.startswith("Ghi nhận điều kiện")
    assert audit(Task, task.pk, AuditEntry.Action.UPDATE).changes["Hạn hoàn thành"] == [None, "16/07/2026"]


def test_task_input_is_refused_per_field_and_nothing_is_half_saved(
    habac: Plan, units: dict[str, Unit], other_city, daumoi: Api
) -> None:
    url = f"/plans/{habac.pk}/tasks"
    vhxh, kt = units["Phòng VH-XH"].pk, units["Phòng KT"].pk
    with nothing_saved():
        status, body = daumoi.post(
            url,
            {
                "title": "",
                "deadline_text": "30/9/2026",
                "lead_units": [vhxh, other_city["office"].pk],
                "budget_amount": "nhiều tiền",
                "trigger": 999999,
                "coordinates_all_units": "có",
            },
        )
    assert status == 422
    assert errors_of(body) == {
        "title": ["Chưa nhập tên nhiệm vụ."],
        "lead_units": [
            f"Không tìm thấy đơn vị có mã {other_city['office'].pk} trong các đơn vị thuộc {HA_BAC}."
        ],
        "budget_amount": ["Kinh phí phải là số tiền bằng đồng, ví dụ 15.000.000."],
        "trigger": ["Không tìm thấy sự kiện điều kiện có mã 999999 trong kế hoạch này."],
        "coordinates_all_units": ["Mọi phòng, cơ quan, đơn vị phối hợp phải là true hoặc false."],
    }
    task = {"title": "Nhiệm vụ", "deadline_text": "30/9/2026", "lead_units": [vhxh]}
    for extra, field, message in [
        ({"lead_units": []}, "lead_units", "Nhiệm vụ cần ít nhất một đơn vị chủ trì."),
        (
            {"deadline_text": ""},
            "deadline_text",
            "Chưa nhập thời hạn (ví dụ: Quý II/2026, 30/06/2026, Cả năm).",
        ),
        ({"budget_amount": 5_000_000}, "budget_source", "Có kinh phí thì phải ghi rõ nguồn kinh phí."),
        ({"lead_units": [vhxh, vhxh]}, "lead_units", "Phòng Văn hóa - Xã hội được ghi hai lần."),
        (
            {"coordinating_units": [vhxh]},
            "coordinating_units",
            "Phòng Văn hóa - Xã hội đã là đơn vị chủ trì, không ghi thêm là phối hợp.",
        ),
        # The owner itself is not a unit a task is given to, on the page or here.
        (
            {"lead_units": [habac.owner_unit_id]},
            "lead_units",
            f"Không tìm thấy đơn vị có mã {habac.owner_unit_id} trong các đơn vị thuộc {HA_BAC}.",
        ),
        (
            {"deadline_text": "Sau khi tỉnh ban hành", "lead_units": [kt]},
            "trigger",
            "Nhiệm vụ có thời hạn theo điều kiện cần chọn sự kiện điều kiện.",
        ),
        (
            {"new_trigger": "Tỉnh ban hành kế hoạch"},
            "new_trigger",
            "Chỉ ghi sự kiện điều kiện khi thời hạn là “Sau khi …” (chờ một sự kiện).",
        ),
    ]:
        with nothing_saved():
            status, body = daumoi.post(url, {**task, **extra})
        assert (status, errors_of(body)) == (422, {field: [message]}), extra


def test_daumoi_edits_and_deletes_a_task(habac: Plan, users, units: dict[str, Unit], daumoi: Api) -> None:
    task = Task.objects.get(plan=habac, position=3)  # waits on the city's plan; led by VH-XH and TT PVHCC
    before = [u.pk for u in task.lead_units]
    status, body = daumoi.patch(
        f"/tasks/{task.pk}", {"output": "Kế hoạch triển khai", "budget_note": "Lồng ghép"}
    )
    assert status == 200, body
    task.refresh_from_db()
    assert (task.output, task.budget_note, task.deadline_kind) == (
        "Kế hoạch triển khai",
        "Lồng ghép",
        "conditional",
    )
    assert [u.pk for u in Task.objects.get(pk=task.pk).lead_units] == before
    assert task.trigger_id is not None and body["trigger"]["id"] == task.trigger_id
    entry = audit(Task, task.pk, AuditEntry.Action.UPDATE)
    assert entry.actor == users["daumoi"]
    assert set(entry.changes) == {"kết quả/sản phẩm", "ghi chú nguồn lực"}
    assert entry.changes["kết quả/sản phẩm"][1] == "Kế hoạch triển khai"
    assert entry.changes["ghi chú nguồn lực"] == ["", "Lồng ghép"]

    # A fixed date frees the task from the trigger it waited on.
    status, body = daumoi.patch(f"/tasks/{task.pk}", {"deadline_text": "Quý III/2026"})
    assert status == 200 and (body["trigger"], body["due_on"]) == (None, "2026-09-30")
    assert Task.objects.get(pk=task.pk).trigger_id is None

    assert daumoi.delete(f"/tasks/{task.pk}") == (204, None)
    assert not Task.objects.filter(pk=task.pk).exists()
    assert audit(Task, task.pk, AuditEntry.Action.DELETE).actor == users["daumoi"]


def test_task_detail_has_the_edit_fields(habac: Plan, api) -> None:
    task = Task.objects.get(plan=habac, position=1)
    status, body = api("kinhte").get(f"/tasks/{task.pk}")
    assert status == 200
    assert body["trigger"] == {
        "id": task.trigger_id,
        "description": "Thành phố ban hành Kế hoạch",
        "occurred_on": None,
    }
    assert body["lead_time_days"] is None and body["url"] == f"/nhiem-vu/{task.pk}/"


def test_task_list_filters_by_deadline_kind(habac: Plan, api) -> None:
    status, body = api("daumoi").get("/tasks?kind=conditional")
    assert status == 200 and sorted(t["position"] for t in body["items"]) == [1, 2, 3]
    status, body = api("daumoi").get(f"/plans/{habac.pk}/tasks?kind=continuous")
    assert sorted(t["position"] for t in body["items"]) == [5, 6, 7, 8, 9]
    assert api("daumoi").get("/tasks?kind=mai-mai")[0] == 422


# Responsibilities -------------------------------------------------------------------------------------
@pytest.fixture
def militia(habac: Plan) -> Unit:
    """A unit of the commune without a part in "Tổ chức thực hiện" yet."""
    return Unit.objects.create(name="Ban Chỉ huy Quân sự xã", kind=UnitKind.AGENCY, parent=habac.owner_unit)


def test_responsibilities(
    habac: Plan, users, units: dict[str, Unit], militia: Unit, daumoi: Api, api
) -> None:
    status, body = api("lanhdao").get(f"/plans/{habac.pk}/responsibilities")
    assert status == 200 and body["count"] == 7
    status, body = api("lanhdao").get(f"/plans/{habac.pk}/responsibilities?unit={units['Phòng KT'].pk}")
    assert [r["unit"]["short_name"] for r in body["items"]] == ["Phòng KT"]

    duties = ["Bảo đảm an ninh mạng  trên địa bàn", "Phối hợp diễn tập"]
    status, body = daumoi.post(f"/plans/{habac.pk}/responsibilities", {"unit": militia.pk, "duties": duties})
    assert status == 201, body
    assert (body["position"], body["duties"]) == (
        8,
        ["Bảo đảm an ninh mạng trên địa bàn", "Phối hợp diễn tập"],
    )
    responsibility = Responsibility.objects.get(pk=body["id"])
    assert responsibility.unit == militia
    assert audit(Responsibility, responsibility.pk, AuditEntry.Action.CREATE).actor == users["daumoi"]

    status, body = daumoi.patch(
        f"/responsibilities/{responsibility.pk}", {"duties": ["Diễn tập an ninh mạng"]}
    )
    assert status == 200 and body["unit"]["id"] == militia.pk
    assert Responsibility.objects.get(pk=responsibility.pk).duties == ["Diễn tập an ninh mạng"]
    assert audit(Responsibility, responsibility.pk, AuditEntry.Action.UPDATE).actor == users["daumoi"]
    assert daumoi.get(f"/responsibilities/{responsibility.pk}")[1]["duties"] == ["Diễn tập an ninh mạng"]

    with nothing_saved():
        status, body = daumoi.post(
            f"/plans/{habac.pk}/responsibilities", {"unit": units["Phòng KT"].pk, "duties": ["Thêm"]}
        )
    assert errors_of(body) == {"unit": ["Kế hoạch đã có phần trách nhiệm của Phòng Kinh tế."]}
    with nothing_saved():
        status, body = daumoi.post(
            f"/plans/{habac.pk}/responsibilities", {"unit": habac.owner_unit_id, "duties": []}
        )
    assert errors_of(body) == {
        "unit": [f"Không tìm thấy đơn vị có mã {habac.owner_unit_id} trong các đơn vị thuộc {HA_BAC}."],
        "duties": ["Cần ghi ít nhất một nhiệm vụ cho đơn vị."],
    }
    with nothing_saved():
        status, body = daumoi.patch(f"/responsibilities/{responsibility.pk}", {"duties": "Một nhiệm vụ"})
    assert errors_of(body) == {"duties": ["Nhiệm vụ được giao phải là danh sách các chuỗi ký tự."]}

    assert daumoi.delete(f"/responsibilities/{responsibility.pk}") == (204, None)
    assert not Responsibility.objects.filter(pk=responsibility.pk).exists()
    assert audit(Responsibility, responsibility.pk, AuditEntry.Action.DELETE).actor == users["daumoi"]


# Triggers ---------------------------------------------------------------------------------------------
def test_triggers(habac: Plan, users, daumoi: Api, api) -> None:
    seeded = Trigger.objects.get(plan=habac)
    status, body = api("captren").get(f"/plans/{habac.pk}/triggers")
    assert status == 200 and body["count"] == 1
    assert [t["position"] for t in body["items"][0]["tasks"]] == [1, 2, 3]
    assert api("captren").get(f"/plans/{habac.pk}/triggers?fulfilled=true")[1]["count"] == 0

    status, body = daumoi.post(f"/plans/{habac.pk}/triggers", {"description": "Tỉnh ban hành quy chế"})
    assert status == 201 and (body["fulfilled"], body["tasks"]) == (False, [])
    assert audit(Trigger, body["id"], AuditEntry.Action.CREATE).actor == users["daumoi"]
    status, body = daumoi.patch(f"/triggers/{body['id']}", {"description": "Thành phố ban hành quy chế"})
    assert status == 200 and Trigger.objects.get(pk=body["id"]).description == "Thành phố ban hành quy chế"

    with nothing_saved():
        status, body = daumoi.post(f"/plans/{habac.pk}/triggers", {"description": "x" * 301})
    assert status == 422 and list(errors_of(body)) == ["description"]
    with nothing_saved():
        status, body = daumoi.post(f"/triggers/{seeded.pk}/record", {"occurred_on": "20/06/2026"})
    assert errors_of(body) == {
        "document_number": ["Chưa nhập số, ký hiệu văn bản."],
    }
    with nothing_saved():
        status, body = daumoi.post(
            f"/triggers/{seeded.pk}/record", {"occurred_on": "20/06/2026", "document_number": "5/KH"}
        )
    assert errors_of(body) == {"occurred_on": ["Ngày ban hành văn bản không được sau ngày hôm nay."]}

    status, body = daumoi.post(
        f"/triggers/{seeded.pk}/record",
        {"occurred_on": "2026-05-20", "document_number": "88/KH-UBND", "document_issuer": "UBND thành phố"},
    )
    assert status == 200, body
    assert {t["due_on"] for t in body["tasks"]} == {"2026-06-19"}  # 30 days after, the default lead time
    assert set(Task.objects.filter(trigger=seeded).values_list("due_on", flat=True)) == {
        datetime.date(2026, 6, 19)
    }
    assert api("captren").get(f"/plans/{habac.pk}/triggers?fulfilled=true")[1]["count"] == 1
    assert api("captren").get(f"/plans/{habac.pk}/triggers?fulfilled=false")[1]["count"] == 1


# Who may do what: the same writes for everyone ---------------------------------------------------------
def _writes(habac: Plan, units: dict[str, Unit]) -> list[tuple[str, str, Any]]:
    indicator = Indicator.objects.get(plan=habac, code="CT01")
    group = IndicatorGroup.objects.get(plan=habac, position=1)
    task = Task.objects.get(plan=habac, position=5)
    responsibility = Responsibility.objects.get(plan=habac, unit=units["Phòng KT"])
    trigger = Trigger.objects.get(plan=habac)
    lead = units["Phòng VH-XH"].pk
    p = habac.pk
    return [
        ("patch", f"/plans/{p}", {"status": "du_thao"}),
        ("put", f"/plans/{p}/references", {"references": []}),
        ("put", f"/plans/{p}/goals", {"goals": ["Mục tiêu"]}),
        ("post", f"/plans/{p}/indicators", {"name": "Chỉ tiêu", "target": 1, "unit": "sáng kiến"}),
        ("patch", f"/indicators/{indicator.pk}", {"target": 1}),
        ("delete", f"/indicators/{indicator.pk}", None),
        ("post", f"/plans/{p}/indicator-groups", {"name": "Nhóm"}),
        ("patch", f"/indicator-groups/{group.pk}", {"name": "Nhóm"}),
        ("post", f"/plans/{p}/tasks", {"title": "Việc", "deadline_text": "Cả năm", "lead_units": [lead]}),
        ("patch", f"/tasks/{task.pk}", {"title": "Việc"}),
        ("delete", f"/tasks/{task.pk}", None),
        ("post", f"/plans/{p}/responsibilities", {"unit": lead, "duties": ["Việc"]}),
        ("patch", f"/responsibilities/{responsibility.pk}", {"duties": ["Việc"]}),
        ("delete", f"/responsibilities/{responsibility.pk}", None),
        ("post", f"/plans/{p}/triggers", {"description": "Sự kiện"}),
        ("patch", f"/triggers/{trigger.pk}", {"description": "Sự kiện"}),
        ("post", f"/triggers/{trigger.pk}/record", {"occurred_on": "2026-06-01", "document_number": "1/KH"}),
    ]


@pytest.mark.parametrize("username", ["vhxh", "kinhte", "lanhdao", "captren", "quantri"])
def test_readers_who_do_not_coordinate_get_403(habac: Plan, units, api, username: str) -> None:
    client = api(username)
    for method, url, body in _writes(habac, units):
        with nothing_saved():
            status, answer = client.send(method, url, body)
        assert (status, answer) == (403, {"detail": MANAGE_ONLY}), (method, url)
    # Permission is answered before the input is looked at.
    status, answer = client.post(f"/plans/{habac.pk}/tasks", {"lead_units": "?"})
    assert status == 403


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_another_city_gets_404_as_if_nothing_existed(habac: Plan, units, other_city, who: str) -> None:
    client = Api(other_city[who])
    for method, url, body in _writes(habac, units):
        with nothing_saved():
            status, answer = client.send(method, url, body)
        assert status == 404, (method, url)
        assert re.fullmatch(r"Không tìm thấy .+ có mã \d+\.", answer["detail"]), answer
    reads = [
        f"/plans/{habac.pk}/indicators",
        f"/indicators/{Indicator.objects.get(plan=habac, code='CT01').pk}",
        f"/plans/{habac.pk}/indicator-groups",
        f"/indicator-groups/{IndicatorGroup.objects.filter(plan=habac).first().pk}",
        f"/plans/{habac.pk}/responsibilities",
        f"/responsibilities/{Responsibility.objects.filter(plan=habac).first().pk}",
        f"/plans/{habac.pk}/triggers",
        f"/triggers/{Trigger.objects.get(plan=habac).pk}",
    ]
    for url in reads:
        status, answer = client.get(url)
        assert status == 404 and answer["detail"].startswith("Không tìm thấy"), url
    # The same words as for an id that does not exist at all.
    assert client.get(f"/indicators/{Indicator.objects.get(plan=habac, code='CT01').pk}")[1]["detail"] == (
        f"Không tìm thấy chỉ tiêu có mã {Indicator.objects.get(plan=habac, code='CT01').pk}."
    )
    assert client.get("/indicators/999999")[1] == {"detail": "Không tìm thấy chỉ tiêu có mã 999999."}
    assert client.get("/indicators")[1] == {"items": [], "count": 0}


@pytest.mark.parametrize("username", ["vhxh", "captren"])
def test_readers_read_every_new_list(habac: Plan, api, username: str) -> None:
    client = api(username)
    for url in ["indicators", "indicator-groups", "responsibilities", "triggers"]:
        status, body = client.get(f"/plans/{habac.pk}/{url}")
        assert status == 200 and body["count"] > 0, url


def test_anonymous_gets_401_on_every_write(habac: Plan, units) -> None:
    for method, url, body in _writes(habac, units):
        with nothing_saved():
            status, answer = Api().send(method, url, body)
        assert status == 401 and answer["detail"].startswith("Chưa xác thực"), (method, url)


# Query counts -----------------------------------------------------------------------------------------
def grow(plan: Plan, units: dict[str, Unit], count: int = 15) -> None:
    """Rows enough to show a query per row: indicators with partners, groups, responsibilities, triggers."""
    partners = [units["Phòng KT"], units["Công an xã"]]
    for i in range(count):
        group = IndicatorGroup.objects.create(plan=plan, position=10 + i, name=f"Nhóm {i}")
        indicator = Indicator.objects.create(
            plan=plan, group=group, code=f"X{i:02d}", name=f"Chỉ tiêu {i}", target=i, unit_of_measure="%",
            lead_unit=units["Phòng VH-XH"], position=20 + i,
        )  # fmt: skip
        indicator.coordinating_units.set(partners)
        unit = Unit.objects.create(name=f"Tổ công tác {i}", kind=UnitKind.AGENCY, parent=plan.owner_unit)
        Responsibility.objects.create(plan=plan, unit=unit, position=10 + i, duties=["Việc"])
        trigger = Trigger.objects.create(plan=plan, description=f"Sự kiện {i}")
        Task.objects.create(
            plan=plan, position=50 + i, title=f"Việc chờ {i}", deadline_text="Sau khi có sự kiện",
            deadline_kind="conditional", trigger=trigger,
        )  # fmt: skip


# Session and user (2), the access rules (2), then count, page and prefetches (+1 for the plan).
LIST_BUDGET = {
    "/indicators": 7,
    "/plans/{plan}/indicators": 8,
    "/plans/{plan}/indicator-groups": 7,
    "/plans/{plan}/responsibilities": 7,
    "/plans/{plan}/triggers": 8,
    "/plans/{plan}/periods": 8,
}


@pytest.mark.parametrize("url", LIST_BUDGET)
def test_list_queries_do_not_grow_with_rows(
    habac: Plan, users, units, client_for, django_assert_max_num_queries, url: str
) -> None:
    from kehoach.tracking.services.periods import periods_sync

    periods_sync(plan=habac)
    client = client_for(users["daumoi"])
    limit = LIST_BUDGET[url]
    url = f"{API}{url.format(plan=habac.pk)}?page_size=200"
    with django_assert_max_num_queries(limit):
        before = client.get(url).json()
    grow(habac, units)
    with django_assert_max_num_queries(limit):
        after = client.get(url).json()
    assert after["count"] > before["count"] or url.endswith("periods?page_size=200")


# OpenAPI and docs -------------------------------------------------------------------------------------
def test_openapi_describes_the_plan_endpoints(db) -> None:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    expected = {
        "/plans": {"get", "post"},
        "/plans/{plan_id}": {"get", "patch"},
        "/plans/{plan_id}/references": {"put"},
        "/plans/{plan_id}/goals": {"put"},
        "/indicators": {"get"},
        "/plans/{plan_id}/indicators": {"get", "post"},
        "/indicators/{indicator_id}": {"get", "patch", "delete"},
        "/plans/{plan_id}/indicator-groups": {"get", "post"},
        "/indicator-groups/{group_id}": {"get", "patch"},
        "/plans/{plan_id}/tasks": {"get", "post"},
        "/tasks/{task_id}": {"get", "patch", "delete"},
        "/plans/{plan_id}/responsibilities": {"get", "post"},
        "/responsibilities/{responsibility_id}": {"get", "patch", "delete"},
        "/plans/{plan_id}/triggers": {"get", "post"},
        "/triggers/{trigger_id}": {"get", "patch"},
        "/triggers/{trigger_id}/record": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[f"{API}{path}"]) == methods, path
        for method in methods:
            operation = paths[f"{API}{path}"][method]
            assert operation["summary"] and operation["tags"], (path, method)
            if method != "get":
                assert {"401", "403", "404"} <= set(operation["responses"]), (path, method)
            if method in {"post", "patch", "put"}:
                assert "422" in operation["responses"], (path, method)
    body = paths[f"{API}/plans/{{plan_id}}/tasks"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/TaskIn")
    # Reads that moved to the plan router keep their operation ids.
    assert paths[f"{API}/plans"]["get"]["operationId"] == "kehoach_api_router_plan_list"


def test_docs_page_loads_nothing_from_the_internet(db) -> None:
    response = Client().get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert all(asset.startswith("/") for asset in assets), assets
    assert not re.search(r"https?://", html.replace('"http://www.w3.org', "")), (
        "a CDN or remote URL in the docs"
    )
