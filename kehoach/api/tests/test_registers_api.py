"""The registers API on the Hà Bắc seed: every register listed, rows read and written like the pages,
and indicator figures computed from the registers.

vhxh is staff of Phòng VH-XH, kinhte staff of Phòng KT, daumoi đầu mối of the plan, captren the city's
supervisor (reads, never writes); other_city's supervisor must never see Hà Bắc.
"""

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehoach.core.models import AuditEntry
from kehoach.plans.models import Indicator, Plan
from kehoach.registers.models import Initiative
from kehoach.registers.registry import REGISTRY
from kehoach.tracking.models import Measurement, Period
from kehoach.tracking.services.measurements import measurement_override
from kehoach.units.models import Unit, User
from kehoach.units.services import token_create

API = "/api/v1"
ROWS = "/registers/sang-kien/rows"


class Api:
    """A JSON client speaking for one user through a personal token (or anonymously)."""

    def __init__(self, user: User | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, raw = token_create(user=user, name="Kiểm thử API sổ theo dõi")
            self.headers = {"Authorization": f"Bearer {raw}"}

    @staticmethod
    def _json(response) -> Any:
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

    def post(self, url: str, body: Any) -> tuple[int, Any]:
        return self.send("post", url, body)

    def patch(self, url: str, body: Any) -> tuple[int, Any]:
        return self.send("patch", url, body)

    def delete(self, url: str) -> tuple[int, Any]:
        return self.send("delete", url)


@pytest.fixture
def api(users: dict[str, User]):
    """api("vhxh") → an Api client with that demo user's token."""
    return lambda username: Api(users[username])


def initiative(**overrides: Any) -> dict[str, Any]:
    """A recognised initiative as a client would send it: Vietnamese labels and dates."""
    body = {
        "title": "Số hóa hồ sơ một cửa",
        "authors": "Lê Văn Minh",
        "status": "Được công nhận",
        "scope": "Cấp xã",
        "decision_number": "15/QĐ-UBND",
        "decision_date": "10/05/2026",
        "decision_issuer": "UBND xã Hà Bắc",
        "score_novelty": "8,5",
    }
    body.update(overrides)
    return body


def created(client: Api, body: dict[str, Any], slug: str = "sang-kien") -> dict[str, Any]:
    status, row = client.post(f"/registers/{slug}/rows", body)
    assert status == 201, row
    return row


# Registers -------------------------------------------------------------------------------------------
def test_lists_every_register_with_its_columns(habac, api) -> None:
    status, body = api("vhxh").get("/registers")
    assert status == 200
    assert [r["slug"] for r in body] == list(REGISTRY)
    initiatives = next(r for r in body if r["slug"] == "sang-kien")
    assert initiatives["title"] == "Sáng kiến" and "sáng kiến" in initiatives["feeds"]
    columns = {c["field"]: c for c in initiatives["columns"]}
    assert columns["title"] == {
        "field": "title",
        "header": "Tên sáng kiến",
        "kind": "text",
        "required": True,
        "help": "",
        "choices": None,
    }
    assert columns["decision_date"]["kind"] == "date" and not columns["decision_date"]["required"]
    assert {"code": "cong_nhan", "label": "Được công nhận"} in columns["status"]["choices"]


def test_every_register_lists_its_rows(habac, api) -> None:
    client = api("vhxh")
    for slug in REGISTRY:
        status, body = client.get(f"/registers/{slug}/rows")
        assert status == 200, (slug, body)
        assert body == {"items": [], "count": 0}


def test_unknown_register(habac, api) -> None:
    status, body = api("vhxh").get("/registers/khong-co/rows")
    assert status == 404 and body["detail"] == "Không có sổ theo dõi này."
    status, body = api("vhxh").post("/registers/khong-co/rows", {"title": "x"})
    assert status == 404 and body["detail"] == "Không có sổ theo dõi này."


# Rows: create, read, update, delete ------------------------------------------------------------------
def test_initiative_round_trip(habac, api, units) -> None:
    client = api("vhxh")
    row = created(client, initiative())
    obj = Initiative.objects.get()
    assert row["id"] == obj.pk and row["url"] == obj.get_absolute_url()
    # No unit given: the first unit the user keeps registers for.
    assert row["unit"] == {"id": units["Phòng VH-XH"].pk, "name": units["Phòng VH-XH"].name}
    assert row["owner_unit_id"] == units["UBND xã Hà Bắc"].pk
    fields = row["fields"]
    assert fields["status"] == "cong_nhan" and fields["status_label"] == "Được công nhận"
    assert fields["scope"] == "xa" and fields["scope_label"] == "Cấp xã"
    assert fields["decision_date"] == "2026-05-10" and fields["applied_on"] is None
    assert fields["score_novelty"] == 8.5 and fields["score_effectiveness"] is None
    assert fields["unit"] == row["unit"]
    assert obj.score_novelty == Decimal("8.5") and obj.decision_date == datetime.date(2026, 5, 10)
    assert AuditEntry.objects.filter(object_id=str(obj.pk), action="create").exists()

    status, detail = client.get(f"{ROWS}/{obj.pk}")
    assert status == 200 and detail == row
    status, page = client.get(ROWS)
    assert status == 200 and page["count"] == 1 and page["items"][0] == row

    status, changed = client.patch(
        f"{ROWS}/{obj.pk}", {"authors": "Lê Văn Minh, Trần Thị Hương", "applied_on": "2026-04-01"}
    )
    assert status == 200, changed
    assert changed["fields"]["authors"] == "Lê Văn Minh, Trần Thị Hương"
    assert changed["fields"]["applied_on"] == "2026-04-01"
    assert changed["fields"]["decision_number"] == "15/QĐ-UBND"  # untouched
    assert AuditEntry.objects.filter(object_id=str(obj.pk), action="update").exists()

    status, body = client.delete(f"{ROWS}/{obj.pk}")
    assert status == 204 and body is None
    assert not Initiative.objects.exists()
    assert AuditEntry.objects.filter(object_id=str(obj.pk), action="delete").exists()
    status, body = client.get(f"{ROWS}/{obj.pk}")
    assert status == 404 and body["detail"] == f"Không tìm thấy sáng kiến có mã {obj.pk}."


def test_values_are_read_as_an_import_reads_cells(habac, api, units) -> None:
    """Codes as well as labels, JSON numbers, ISO dates, a unit by id or by name, a row read back as sent."""
    client = api("vhxh")
    row = created(
        client,
        initiative(
            status="cong_nhan",
            scope="thanh_pho",
            decision_date="2026-05-10",
            score_novelty=9.25,
            unit=units["Phòng VH-XH"].pk,
        ),
    )
    assert row["fields"]["scope_label"] == "Cấp thành phố" and row["fields"]["score_novelty"] == 9.25
    status, body = client.patch(f"{ROWS}/{row['id']}", {"unit": "Phòng Văn hóa - Xã hội"})
    assert status == 200 and body["unit"]["id"] == units["Phòng VH-XH"].pk
    # The unit as it is read ({id, name}) is taken back too.
    status, body = client.patch(f"{ROWS}/{row['id']}", {"unit": body["unit"]})
    assert status == 200, body


def test_related_rows_by_name_or_id(habac, api, units) -> None:
    """A village by its name (as the import takes it) or as it is read back ({id, name})."""
    client = api("vhxh")
    village = created(client, {"name": "Thôn Đông", "population": "1.250", "as_of": "01/01/2026"}, "thon")
    assert village["fields"]["population"] == 1250
    coverage = created(
        client,
        {"village": "thôn đông", "operator": "Viettel", "covered_from": "15/03/2026"},
        "phu-song-5g",
    )
    assert coverage["fields"]["village"] == {"id": village["id"], "name": "Thôn Đông"}
    assert coverage["fields"]["operator"] == "viettel"
    status, body = client.patch(
        f"/registers/phu-song-5g/rows/{coverage['id']}", {"village": {"id": village["id"]}, "note": "Đủ"}
    )
    assert status == 200 and body["fields"]["note"] == "Đủ"
    status, body = client.post(
        "/registers/phu-song-5g/rows",
        {"village": "Thôn Tây", "operator": "VNPT (VinaPhone)", "covered_from": "15/03/2026"},
    )
    assert status == 422
    assert body["errors"]["village"] == [
        "Thôn: xã chưa có thôn “Thôn Tây” trong sổ thôn; hãy thêm thôn trước."
    ]


def test_columns_looked_up_by_name_and_booleans(habac, api, units) -> None:
    """Attendance rows name their course and official as the import does; "unit" is taken though not a
    column of that register (every row has its keeping unit)."""
    client = api("vhxh")
    official = created(
        client,
        {"full_name": "Nguyễn Văn An", "category": "Công chức", "employed_from": "01/02/2020"},
        "can-bo",
    )
    assert official["fields"]["category_label"] == "Công chức"
    created(client, {"title": "Kỹ năng số cơ bản", "starts_on": "05/03/2026"}, "tap-huan-ky-nang-so")
    attendance = created(
        client,
        {"course_title": "Kỹ năng số cơ bản", "official_name": "nguyễn  văn an", "completed": True},
        "hoc-vien-tap-huan",
    )
    fields = attendance["fields"]
    assert fields["course_title"] == "Kỹ năng số cơ bản" and fields["official_name"] == "Nguyễn Văn An"
    assert fields["completed"] is True
    assert fields["official_unit"] == {"id": units["Phòng VH-XH"].pk, "name": units["Phòng VH-XH"].name}
    url = f"/registers/hoc-vien-tap-huan/rows/{attendance['id']}"
    status, body = client.patch(url, {"completed": "Không", "unit": units["Phòng VH-XH"].pk})
    assert status == 200 and body["fields"]["completed"] is False
    status, body = client.patch(url, {"completed": "có lẽ"})
    assert status == 422 and body["errors"] == {
        "completed": ["Hoàn thành: “có lẽ” phải là “Có” hoặc “Không”."]
    }


# Rows: refused input ---------------------------------------------------------------------------------
def test_refused_input_names_each_field_in_vietnamese(habac, api) -> None:
    client = api("vhxh")
    body = initiative(decision_date="31/02/2026", status="Đã duyệt", nonsense=1, status_label="x")
    del body["title"]
    status, response = client.post(ROWS, body)
    assert status == 422
    errors = response["errors"]
    assert errors["title"] == ["Tên sáng kiến: bắt buộc, không được để trống."]
    assert errors["decision_date"] == ["Ngày quyết định: “31/02/2026” không phải ngày hợp lệ (dd/mm/yyyy)."]
    assert errors["status"][0].startswith("Trạng thái: “Đã duyệt” không thuộc các giá trị: Đăng ký,")
    assert errors["nonsense"][0].startswith(
        "Sổ Sáng kiến không có trường “nonsense”. Các trường của sổ: title,"
    )
    assert errors["status_label"] == [
        "Trường “status_label” chỉ để đọc; hãy gửi “status” (mã hoặc tên của giá trị)."
    ]
    assert "Tên sáng kiến: bắt buộc" in response["detail"]
    status, response = client.post(ROWS, initiative(score_novelty="nhiều", unit="Phòng Không Có"))
    assert status == 422
    assert response["errors"] == {
        "score_novelty": ["Điểm tính mới: “nhiều” không phải là số."],
        "unit": ["Đơn vị: không tìm thấy đơn vị “Phòng Không Có”."],
    }
    assert not Initiative.objects.exists()


def test_the_models_rules_apply(habac, api) -> None:
    client = api("vhxh")
    status, body = client.post(ROWS, initiative(decision_number="", scope=""))
    assert status == 422
    assert body["errors"]["decision_number"] == ["Sáng kiến được công nhận cần ghi số quyết định công nhận."]
    assert body["errors"]["scope"] == ["Sáng kiến được công nhận cần ghi phạm vi ảnh hưởng."]
    row = created(client, initiative())
    status, body = client.patch(f"{ROWS}/{row['id']}", {"score_novelty": 150})
    assert status == 422 and body["errors"] == {"score_novelty": ["Điểm phải từ 0 đến 100."]}
    status, body = client.patch(f"{ROWS}/{row['id']}", {"title": None})
    assert status == 422 and body["errors"] == {"title": ["Tên sáng kiến: bắt buộc, không được để trống."]}
    assert Initiative.objects.get().score_novelty == Decimal("8.5")


def test_duplicates_are_refused(habac, api) -> None:
    client = api("vhxh")
    created(client, initiative())
    status, body = client.post(ROWS, initiative(authors="Người khác"))
    assert status == 422
    assert body["errors"]["decision_number"] == [
        "Đã có sáng kiến khác trùng số quyết định công nhận “15/QĐ-UBND” và tên sáng kiến "
        "“Số hóa hồ sơ một cửa”."
    ]
    assert Initiative.objects.count() == 1


# Rows: who reads and writes ---------------------------------------------------------------------------
def test_writing_follows_the_keeping_unit(habac, api, users) -> None:
    row = created(api("vhxh"), initiative())
    url = f"{ROWS}/{row['id']}"
    kinhte = api("kinhte")
    status, body = kinhte.get(url)
    assert status == 200  # the commune's staff read each other's registers
    status, body = kinhte.patch(url, {"authors": "Hoàng Văn Nam"})
    assert status == 403
    assert (
        body["detail"]
        == "Chỉ cán bộ của Phòng Văn hóa - Xã hội mới được cập nhật sổ theo dõi của đơn vị này."
    )
    assert kinhte.delete(url)[0] == 403
    # Nor can kinhte file a row under Phòng VH-XH.
    status, body = kinhte.post(ROWS, initiative(title="Khác", unit="Phòng Văn hóa - Xã hội"))
    assert status == 403
    # kinhte's own rows go to Phòng KT.
    own = created(kinhte, initiative(title="Sáng kiến của Phòng Kinh tế", decision_number="16/QĐ-UBND"))
    assert own["unit"]["name"] == "Phòng Kinh tế"

    captren = api("captren")
    assert captren.get(url)[0] == 200
    status, body = captren.get(ROWS)
    assert status == 200 and body["count"] == 2
    status, body = captren.post(ROWS, initiative(title="Cấp trên"))
    assert status == 403 and body["detail"] == "Bạn không thuộc đơn vị nào được cập nhật sổ theo dõi."
    assert captren.patch(url, {"authors": "Cấp trên"})[0] == 403
    assert captren.delete(url)[0] == 403
    assert Initiative.objects.get(pk=row["id"]).authors == "Lê Văn Minh"


def test_another_city_sees_nothing(habac, api, other_city) -> None:
    row = created(api("vhxh"), initiative())
    stranger = Api(other_city["supervisor"])
    status, body = stranger.get(ROWS)
    assert status == 200 and body == {"items": [], "count": 0}
    status, body = stranger.get(f"{ROWS}/{row['id']}")
    assert status == 403 and body["detail"] == "Bạn không có quyền xem sáng kiến này."
    assert stranger.patch(f"{ROWS}/{row['id']}", {"authors": "x"})[0] == 403
    assert stranger.delete(f"{ROWS}/{row['id']}")[0] == 403
    # Sóc Sơn's own đầu mối keeps Sóc Sơn's registers, not Hà Bắc's.
    socson = Api(other_city["coordinator"])
    own = created(socson, initiative(title="Sáng kiến Sóc Sơn"))
    assert own["owner_unit_id"] == other_city["commune"].pk
    status, body = socson.get(ROWS)
    assert [r["id"] for r in body["items"]] == [own["id"]]


def test_anonymous_is_refused(habac) -> None:
    anonymous = Api()
    for url in ("/registers", ROWS):
        status, body = anonymous.get(url)
        assert status == 401 and body["detail"].startswith("Chưa xác thực")
    assert anonymous.post(ROWS, initiative())[0] == 401


# Rows: filters and queries ---------------------------------------------------------------------------
def test_filters_are_the_pages(habac, api) -> None:
    client = api("vhxh")
    created(client, initiative())
    created(client, initiative(title="Đang xét", status="Đăng ký", decision_number="", scope=""))
    status, body = client.get(f"{ROWS}?status=cong_nhan")
    assert status == 200 and [r["fields"]["title"] for r in body["items"]] == ["Số hóa hồ sơ một cửa"]
    status, body = client.get(f"{ROWS}?q=dang+xet")
    assert [r["fields"]["title"] for r in body["items"]] == ["Đang xét"]
    status, body = client.get(f"{ROWS}?year=2026&scope=xa")
    assert body["count"] == 1
    status, body = client.get(f"{ROWS}?status=da_duyet")
    assert status == 422 and list(body["errors"]) == ["status"]
    assert "da_duyet" in body["errors"]["status"][0]


def _bulk(units: dict[str, Unit], count: int, start: int = 0) -> None:
    Initiative.objects.bulk_create(
        Initiative(
            title=f"Sáng kiến {n}",
            authors="Tác giả",
            unit=units["Phòng VH-XH"],
            owner_unit=units["UBND xã Hà Bắc"],
        )
        for n in range(start, start + count)
    )


def test_listing_queries_do_not_grow_with_rows(habac, api, units) -> None:
    client = api("vhxh")
    client.get(ROWS)  # warm the caches (content types, the token's user)
    _bulk(units, 3)
    with CaptureQueriesContext(connection) as few:
        status, body = client.get(ROWS)
    assert status == 200 and body["count"] == 3
    _bulk(units, 27, start=3)
    with CaptureQueriesContext(connection) as many:
        status, body = client.get(f"{ROWS}?page_size=30")
    assert status == 200 and body["count"] == 30 and len(body["items"]) == 30
    assert len(many) == len(few) <= 8, [q["sql"] for q in many.captured_queries]
    status, body = client.get(ROWS.replace("sang-kien", "phu-song-5g"))
    assert status == 200


def test_pages_of_fifty(habac, api, units) -> None:
    _bulk(units, 55)
    client = api("vhxh")
    status, body = client.get(ROWS)
    assert status == 200 and body["count"] == 55 and len(body["items"]) == 50
    status, body = client.get(f"{ROWS}?page=2")
    assert status == 200 and len(body["items"]) == 5


# Computed indicators ---------------------------------------------------------------------------------
@pytest.fixture
def q2(habac_computed: Plan) -> Period:
    return Period.objects.get(plan=habac_computed, kind="quy", number=2)


@pytest.fixture
def ct01(habac_computed: Plan) -> Indicator:
    return Indicator.objects.get(plan=habac_computed, code="CT01")


def test_computed_figure_traces_its_rows(
    habac_computed, api, users, q2, ct01, django_capture_on_commit_callbacks
) -> None:
    client = api("vhxh")
    url = f"/indicators/{ct01.pk}/computed?period={q2.pk}"
    status, body = client.get(url)
    assert status == 200 and body["value"] == 0 and body["rows"] == [] and body["stored"]
    with django_capture_on_commit_callbacks(execute=True):
        first = created(client, initiative())
        created(
            client, initiative(title="Cấp thành phố", decision_number="16/QĐ-UBND", scope="Cấp thành phố")
        )
        created(client, initiative(title="Sau kỳ", decision_number="17/QĐ-UBND", decision_date="20/06/2026"))
    status, body = client.get(url)
    assert status == 200, body
    assert body["indicator"]["code"] == "CT01" and body["period"]["id"] == q2.pk
    assert body["computation"] == "sang_kien_cap_xa"
    assert body["value"] == 1 and body["final_value"] == 1 and body["count"] == 1
    assert body["method"] == "Đếm 1 sáng kiến được công nhận cấp xã."
    assert body["rows"] == [
        {"label": "Số hóa hồ sơ một cửa (QĐ 15/QĐ-UBND, 10/05/2026)", "url": first["url"]}
    ]
    assert body["override"] is None and body["measurement_id"] is not None

    # captren reads the plan, so reads its figures.
    assert api("captren").get(url)[0] == 200

    measurement = Measurement.objects.get(pk=body["measurement_id"])
    measurement_override(
        actor=users["daumoi"], measurement=measurement, value=Decimal(3), reason="Hai sáng kiến chưa nhập sổ."
    )
    status, body = client.get(url)
    assert body["value"] == 1 and body["final_value"] == 3
    assert body["override"] == {"value": 3, "reason": "Hai sáng kiến chưa nhập sổ."}


def test_computed_figure_refusals(habac_computed, api, q2, ct01, other_city) -> None:
    client = api("vhxh")
    status, body = Api(other_city["supervisor"]).get(f"/indicators/{ct01.pk}/computed?period={q2.pk}")
    assert status == 403 and body["detail"] == "Bạn không có quyền xem kế hoạch này."
    foreign = Period.objects.create(
        plan=other_city["plan"],
        kind=q2.kind,
        year=q2.year,
        number=q2.number,
        starts_on=q2.starts_on,
        ends_on=q2.ends_on,
        due_on=q2.due_on,
    )
    status, body = client.get(f"/indicators/{ct01.pk}/computed?period={foreign.pk}")
    assert status == 404 and "không có kỳ báo cáo" in body["detail"]
    status, body = client.get(f"/indicators/{ct01.pk}/computed")
    assert status == 422
    status, body = client.get(f"/indicators/0/computed?period={q2.pk}")
    assert status == 404 and body["detail"] == "Không tìm thấy chỉ tiêu có mã 0."
    ct01.binding.delete()
    status, body = client.get(f"/indicators/{ct01.pk}/computed?period={q2.pk}")
    assert status == 404 and body["detail"] == "Chỉ tiêu CT01 không tính từ sổ theo dõi."


def test_a_period_without_a_stored_figure_is_computed_on_reading(
    habac_computed, api, q2, ct01, units
) -> None:
    Measurement.objects.filter(indicator=ct01, period=q2).delete()
    Initiative.objects.create(
        title="Nhập thẳng",
        authors="Tác giả",
        unit=units["Phòng VH-XH"],
        owner_unit=units["UBND xã Hà Bắc"],
        status="cong_nhan",
        scope="xa",
        decision_number="20/QĐ-UBND",
        decision_date=datetime.date(2026, 4, 2),
    )
    status, body = api("vhxh").get(f"/indicators/{ct01.pk}/computed?period={q2.pk}")
    assert status == 200 and body["stored"] is False and body["measurement_id"] is None
    assert body["value"] == 1 and [r["label"] for r in body["rows"]] == [
        "Nhập thẳng (QĐ 20/QĐ-UBND, 02/04/2026)"
    ]
    assert not Measurement.objects.filter(indicator=ct01, period=q2).exists()


# OpenAPI ---------------------------------------------------------------------------------------------
def test_openapi_lists_the_register_endpoints(db) -> None:
    schema = json.loads(Client().get(f"{API}/openapi.json").content)
    paths = schema["paths"]
    assert set(paths[f"{API}/registers"]) == {"get"}
    assert set(paths[f"{API}/registers/{{slug}}/rows"]) == {"get", "post"}
    assert set(paths[f"{API}/registers/{{slug}}/rows/{{row_id}}"]) == {"get", "patch", "delete"}
    assert set(paths[f"{API}/indicators/{{indicator_id}}/computed"]) == {"get"}
    body = paths[f"{API}/registers/{{slug}}/rows"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["type"] == "object"

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [node["$ref"]] if "$ref" in node else [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    names = set(schema["components"]["schemas"])
    assert {ref.rsplit("/", 1)[1] for ref in refs(paths)} <= names
