"""The read-only API on the Hà Bắc seed: authentication, scoping, content, filters and query counts."""

import datetime
import json
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from kehoach.plans.choices import DeadlineKind, TaskUnitRole
from kehoach.plans.models import Plan, Task, TaskUnit
from kehoach.units.models import Unit, User
from kehoach.units.services import token_create, token_revoke

API = "/api/v1"
TODAY = datetime.date(2026, 6, 15)
DEMO_ROLES = ["lanhdao", "daumoi", "vhxh", "kinhte", "captren", "quantri"]
HABAC_MEMBERS = [
    "lanhdao",
    "daumoi",
    "vhxh",
    "kinhte",
    "captren",
]  # quantri is a superuser and reads everything


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """Task status depends on today's date: pin it inside the plan's year."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def get(client: Client, url: str, **headers: str) -> tuple[int, Any]:
    response = client.get(f"{API}{url}", headers=headers)
    return response.status_code, response.json()


def bearer(user: User, scheme: str = "Bearer") -> dict[str, str]:
    _, raw = token_create(user=user, name="Kiểm thử API")
    return {"Authorization": f"{scheme} {raw}"}


def task_at(plan: Plan, position: int) -> Task:
    return Task.objects.get(plan=plan, position=position)


# Authentication ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", ["/me", "/units", "/units/1", "/plans", "/plans/1", "/plans/1/tasks", "/tasks", "/tasks/1"]
)
def test_anonymous_gets_401_in_vietnamese(habac: Plan, url: str) -> None:
    response = Client().get(f"{API}{url}")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Chưa xác thực")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
def test_token_auth_accepts_both_header_forms(users: dict[str, User], scheme: str) -> None:
    status, body = get(Client(), "/me", **bearer(users["daumoi"], scheme))
    assert status == 200
    assert body["username"] == "daumoi"


def test_token_auth_reads_within_the_users_scope(habac: Plan, users: dict[str, User]) -> None:
    status, body = get(Client(), "/plans", **bearer(users["kinhte"]))
    assert status == 200
    assert [p["number"] for p in body["items"]] == ["97/KH-UBND"]


def test_revoked_token_gets_401(users: dict[str, User]) -> None:
    user = users["daumoi"]
    token, raw = token_create(user=user, name="Sẽ thu hồi")
    assert get(Client(), "/me", Authorization=f"Bearer {raw}")[0] == 200
    token_revoke(actor=user, token=token)
    status, body = get(Client(), "/me", Authorization=f"Bearer {raw}")
    assert status == 401
    assert "Chưa xác thực" in body["detail"]


@pytest.mark.parametrize(
    "header", ["Bearer kh_khong-dung", "Bearer ", "Token", "Basic ZGF1bW9pOm1rCg==", "kh_thieu-scheme"]
)
def test_wrong_or_malformed_token_gets_401(habac: Plan, header: str) -> None:
    assert get(Client(), "/me", Authorization=header)[0] == 401


def test_token_of_inactive_user_gets_401(users: dict[str, User]) -> None:
    user = users["vhxh"]
    headers = bearer(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert get(Client(), "/me", **headers)[0] == 401


def test_session_auth(users: dict[str, User], client_for) -> None:
    status, body = get(client_for(users["lanhdao"]), "/me")
    assert status == 200
    assert body["username"] == "lanhdao"
    assert body["full_name"] == "Nguyễn Anh Tuấn"
    assert body["memberships"] == [
        {
            "unit": {
                "id": body["memberships"][0]["unit"]["id"],
                "name": "Ủy ban nhân dân xã Hà Bắc",
                "short_name": "UBND xã Hà Bắc",
            },
            "role": "lanh_dao",
            "role_label": "Lãnh đạo",
        }
    ]


# Scope ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("username", DEMO_ROLES)
def test_every_demo_role_reads_the_plan_and_its_tasks(
    habac: Plan, users: dict[str, User], client_for, username: str
) -> None:
    client = client_for(users[username])
    status, plans = get(client, "/plans")
    assert status == 200
    assert "97/KH-UBND" in [p["number"] for p in plans["items"]]

    status, plan = get(client, f"/plans/{habac.pk}")
    assert status == 200
    assert plan["number"] == "97/KH-UBND"

    status, tasks = get(client, f"/plans/{habac.pk}/tasks")
    assert status == 200
    assert tasks["count"] == 9

    task = task_at(habac, 3)
    status, body = get(client, f"/tasks/{task.pk}")
    assert status == 200
    assert body["title"] == task.title

    status, body = get(client, f"/units/{habac.owner_unit_id}")
    assert status == 200
    assert body["short_name"] == "UBND xã Hà Bắc"


def test_other_city_sees_nothing_of_ha_bac(habac: Plan, other_city: dict[str, Any], client_for) -> None:
    client = client_for(other_city["supervisor"])
    status, plans = get(client, "/plans")
    assert status == 200
    assert [p["id"] for p in plans["items"]] == [other_city["plan"].pk]
    assert get(client, "/plans?q=ha bac")[1] == {"items": [], "count": 0}
    assert get(client, "/tasks")[1] == {"items": [], "count": 0}
    assert not {u["id"] for u in get(client, "/units?page_size=200")[1]["items"]} & {habac.owner_unit_id}

    task = task_at(habac, 1)
    for url, what in [
        (f"/plans/{habac.pk}", "kế hoạch"),
        (f"/plans/{habac.pk}/tasks", "kế hoạch"),
        (f"/tasks/{task.pk}", "nhiệm vụ"),
        (f"/units/{habac.owner_unit_id}", "đơn vị"),
    ]:
        status, body = get(client, url)
        assert status == 403, url
        assert body == {"detail": f"Bạn không có quyền xem {what} này."}


@pytest.mark.parametrize("username", HABAC_MEMBERS)
def test_ha_bac_users_get_403_on_the_other_city(
    users: dict[str, User], other_city: dict[str, Any], client_for, username: str
) -> None:
    client = client_for(users[username])
    other_plan = other_city["plan"]
    assert get(client, f"/plans/{other_plan.pk}")[0] == 403
    assert get(client, f"/plans/{other_plan.pk}/tasks")[0] == 403
    assert get(client, f"/units/{other_city['commune'].pk}")[0] == 403
    assert other_plan.pk not in [p["id"] for p in get(client, "/plans")[1]["items"]]


def test_superuser_reads_every_city(users: dict[str, User], other_city: dict[str, Any], client_for) -> None:
    status, plans = get(client_for(users["quantri"]), "/plans")
    assert status == 200
    assert plans["count"] == 2


@pytest.mark.parametrize("url", ["/plans/999999", "/plans/999999/tasks", "/tasks/999999", "/units/999999"])
def test_missing_objects_get_404_in_vietnamese(users: dict[str, User], client_for, url: str) -> None:
    status, body = get(client_for(users["daumoi"]), url)
    assert status == 404
    assert body["detail"].startswith("Không tìm thấy")


def test_invalid_filter_gets_422_in_vietnamese(users: dict[str, User], client_for) -> None:
    status, body = get(client_for(users["daumoi"]), "/tasks?status=khong-co")
    assert status == 422
    assert body["detail"].startswith("Tham số không hợp lệ")
    assert body["errors"][0]["loc"] == ["query", "status"]


# Content -------------------------------------------------------------------------------------------
def test_plan_detail_has_every_part_of_the_seed(
    habac: Plan, users: dict[str, User], units: dict[str, Unit], client_for
) -> None:
    status, plan = get(client_for(users["vhxh"]), f"/plans/{habac.pk}")
    assert status == 200
    assert len(plan["indicators"]) == 11
    assert len(plan["tasks"]) == 9
    assert len(plan["indicator_groups"]) == 3
    assert len(plan["references"]) == 11
    assert len(plan["responsibilities"]) == 7
    assert len(plan["goals"]) == 2
    assert len(plan["measures"]) == 17
    assert plan["field"] == "khcn"
    assert plan["status"] == "ban_hanh"
    assert plan["status_label"] == "Đã ban hành"
    assert plan["owner_unit"]["id"] == units["UBND xã Hà Bắc"].pk
    assert plan["lead_unit"]["id"] == units["Phòng VH-XH"].pk

    group_ids = {g["id"] for g in plan["indicator_groups"]}
    for indicator in plan["indicators"]:
        assert indicator["code"]
        assert indicator["comparator"] in {">=", "<=", "between"}
        assert indicator["commitment"] in {"required", "aspiration"}
        assert indicator["target_in_words"]
        assert indicator["group_id"] in group_ids
        assert isinstance(indicator["target"], float)
    assert all(m["section"] and m["text"] for m in plan["measures"])
    assert all(r["unit"]["name"] and r["duties"] for r in plan["responsibilities"])

    tasks = {t["position"]: t for t in plan["tasks"]}
    assert sorted(tasks) == list(range(1, 10))
    assert [u["short_name"] for u in tasks[3]["lead_units"]] == ["Phòng VH-XH", "TT PVHCC"]
    assert tasks[3]["coordinates_all_units"] is True
    assert tasks[3]["plan"]["id"] == habac.pk


def test_task_status_follows_the_seed(habac: Plan, users: dict[str, User], client_for) -> None:
    status, body = get(client_for(users["daumoi"]), f"/plans/{habac.pk}/tasks")
    assert status == 200
    by_position = {t["position"]: t for t in body["items"]}
    for position in (1, 2, 3):
        assert by_position[position]["status"] == "cho_dieu_kien"
        assert by_position[position]["status_label"] == "Chờ điều kiện"
        assert by_position[position]["deadline_kind"] == "conditional"
        assert by_position[position]["due_on"] is None
    for position in range(4, 10):
        assert by_position[position]["status"] == "dang_thuc_hien"
        assert by_position[position]["status_label"] == "Đang thực hiện (trong hạn)"
        assert by_position[position]["due_on"] == "2026-12-31"


def test_task_status_moves_with_today(
    habac: Plan, users: dict[str, User], client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2027, 1, 5))
    client = client_for(users["daumoi"])
    body = get(client, "/tasks?status=qua_han")[1]
    assert sorted(t["position"] for t in body["items"]) == [4, 5, 6, 7, 8, 9]
    assert {t["status"] for t in body["items"]} == {"qua_han"}


def test_me_lists_memberships(users: dict[str, User], client_for) -> None:
    body = get(client_for(users["captren"]), "/me")[1]
    assert body["username"] == "captren"
    assert [(m["role"], m["role_label"]) for m in body["memberships"]] == [("cap_tren", "Cấp trên")]
    assert body["memberships"][0]["unit"]["name"] == "Sở Khoa học và Công nghệ thành phố Hải Phòng"


# Filters -------------------------------------------------------------------------------------------
def test_plan_search_ignores_diacritics(habac: Plan, users: dict[str, User], client_for) -> None:
    client = client_for(users["lanhdao"])
    assert [p["id"] for p in get(client, "/plans?q=ke hoach khoa hoc")[1]["items"]] == [habac.pk]
    assert [p["id"] for p in get(client, "/plans?q=KẾ HOẠCH Hà Bắc")[1]["items"]] == [habac.pk]
    # Found through its goals ("… đổi mới sáng tạo và chuyển đổi số vào sự phát triển chung của xã").
    assert get(client, "/plans?q=ke hoach chuyen doi so")[1]["count"] == 1
    assert get(client, "/plans?q=ke hoach nong thon moi")[1]["count"] == 0
    assert get(client, "/plans?year=2026&field=khcn&status=ban_hanh")[1]["count"] == 1
    assert get(client, "/plans?year=2025")[1]["count"] == 0
    assert get(client, "/plans?field=cds")[1]["count"] == 0
    assert get(client, f"/plans?owner_unit={habac.owner_unit_id}")[1]["count"] == 1
    # A department is not an issuing body: the filter refuses it, as the HTML filter does.
    status, body = get(client, f"/plans?owner_unit={habac.lead_unit_id}")
    assert status == 422
    assert body["errors"][0]["loc"] == ["query", "owner_unit"]


def test_task_filters(habac: Plan, users: dict[str, User], units: dict[str, Unit], client_for) -> None:
    client = client_for(users["daumoi"])

    def positions(url: str) -> list[int]:
        status, body = get(client, url)
        assert status == 200, body
        return sorted(t["position"] for t in body["items"])

    assert positions("/tasks?status=cho_dieu_kien") == [1, 2, 3]
    assert positions("/tasks?status=dang_thuc_hien") == [4, 5, 6, 7, 8, 9]
    assert positions("/tasks?status=hoan_thanh") == []
    assert positions(f"/tasks?unit={units['TT PVHCC'].pk}") == [3]
    assert positions(f"/tasks?unit={units['TT DVSNC'].pk}") == [4]
    assert positions(f"/tasks?unit={units['Phòng VH-XH'].pk}") == list(range(1, 10))
    assert positions(f"/tasks?plan={habac.pk}&status=cho_dieu_kien") == [1, 2, 3]
    assert positions("/tasks?due_from=2026-12-01") == [4, 5, 6, 7, 8, 9]
    assert positions("/tasks?due_to=2026-06-30") == []
    assert positions("/tasks?q=binh dan hoc vu so") == [6]
    assert positions(f"/plans/{habac.pk}/tasks?unit={units['TT PVHCC'].pk}") == [3]
    assert positions(f"/plans/{habac.pk}/tasks?status=cho_dieu_kien") == [1, 2, 3]


def test_unit_list_and_filters(
    habac: Plan, users: dict[str, User], units: dict[str, Unit], client_for
) -> None:
    client = client_for(users["vhxh"])
    body = get(client, "/units?q=trung tam phuc vu hanh chinh")[1]
    assert [u["id"] for u in body["items"]] == [units["TT PVHCC"].pk]
    assert body["items"][0]["kind"] == "co_quan"
    children = get(client, f"/units?parent={habac.owner_unit_id}")[1]
    assert children["count"] >= 7
    assert {u["parent_id"] for u in children["items"]} == {habac.owner_unit_id}
    # A commune member reads its commune's subtree, not the city's other branches.
    assert habac.owner_unit.parent_id not in [
        u["id"] for u in get(client, "/units?page_size=200")[1]["items"]
    ]


def test_pagination(habac: Plan, users: dict[str, User], client_for) -> None:
    client = client_for(users["daumoi"])
    first = get(client, "/tasks?page_size=4")[1]
    third = get(client, "/tasks?page_size=4&page=3")[1]
    assert first["count"] == third["count"] == 9
    assert [t["position"] for t in first["items"]] == [1, 2, 3, 4]
    assert [t["position"] for t in third["items"]] == [9]
    assert get(client, "/tasks?page=2")[1]["items"] == []


# Query counts --------------------------------------------------------------------------------------
def add_tasks(plan: Plan, units: dict[str, Unit], count: int = 20) -> None:
    lead, partner, other = units["Phòng KT"], units["TT PVHCC"], units["Công an xã"]
    for i in range(count):
        task = Task.objects.create(
            plan=plan,
            position=100 + i,
            title=f"Nhiệm vụ bổ sung {i}",
            output="Báo cáo",
            deadline_text="30/9/2026",
            deadline_kind=DeadlineKind.DATE,
            deadline_date=datetime.date(2026, 9, 30),
            due_on=datetime.date(2026, 9, 30),
        )
        TaskUnit.objects.bulk_create(
            [
                TaskUnit(task=task, unit=lead, role=TaskUnitRole.LEAD, position=0),
                TaskUnit(task=task, unit=partner, role=TaskUnitRole.COORDINATE, position=1),
                TaskUnit(task=task, unit=other, role=TaskUnitRole.COORDINATE, position=2),
            ]
        )


def add_plans(plan: Plan, count: int = 20) -> None:
    for i in range(count):
        Plan.objects.create(
            number=f"{i}/KH-UBND",
            title=f"Kế hoạch bổ sung {i}",
            year=2026,
            owner_unit=plan.owner_unit,
            lead_unit=plan.lead_unit,
        )


# Every request pays session and user (2) and the access rules (2); then the endpoint's own queries:
# count + page (+ task units with their units), or the object + one query per prefetched part.
QUERY_BUDGET = {
    "/plans": 6,
    "/plans/{plan}": 14,
    "/tasks": 7,
    "/plans/{plan}/tasks": 9,  # one more: the plan filter checks the plan is readable
    "/units": 6,
}


@pytest.mark.parametrize("url", QUERY_BUDGET)
def test_query_count_does_not_grow_with_rows(
    habac: Plan,
    users: dict[str, User],
    units: dict[str, Unit],
    client_for,
    django_assert_max_num_queries,
    url: str,
) -> None:
    client = client_for(users["daumoi"])
    limit = QUERY_BUDGET[url]
    url = url.format(plan=habac.pk)
    with django_assert_max_num_queries(limit):
        before = get(client, url)[1]
    add_tasks(habac, units)
    add_plans(habac)
    with django_assert_max_num_queries(limit):
        after = get(client, url)[1]
    grown = after.get("count", len(after.get("tasks", [])))
    assert grown > before.get("count", len(before.get("tasks", []))) or url == "/units"


def test_token_requests_stay_within_the_same_budget(
    habac: Plan, users: dict[str, User], units: dict[str, Unit], django_assert_max_num_queries
) -> None:
    headers = bearer(users["daumoi"])
    add_tasks(habac, units)
    # Token lookup (1) and at most one last-used update (1) replace the session's two queries.
    with django_assert_max_num_queries(QUERY_BUDGET["/tasks"]):
        status, body = get(Client(), "/tasks", **headers)
    assert status == 200
    assert body["count"] == 29
    lead_names = {u["short_name"] for t in body["items"] if t["position"] >= 100 for u in t["lead_units"]}
    assert lead_names == {"Phòng KT"}


# OpenAPI and docs ----------------------------------------------------------------------------------
def test_openapi_schema(db) -> None:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = set(schema["paths"])
    read_only = {f"{API}/me", f"{API}/units", f"{API}/units/{{unit_id}}", f"{API}/tasks"}
    assert read_only <= paths
    assert all(set(schema["paths"][path]) == {"get"} for path in read_only)
    # Plans and tasks are written through the API too (kehoach/api/plans.py).
    assert set(schema["paths"][f"{API}/plans"]) == {"get", "post"}
    assert set(schema["paths"][f"{API}/plans/{{plan_id}}"]) == {"get", "patch"}
    assert set(schema["paths"][f"{API}/plans/{{plan_id}}/tasks"]) == {"get", "post"}
    assert set(schema["paths"][f"{API}/tasks/{{task_id}}"]) == {"get", "patch", "delete"}
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_docs_page_uses_bundled_static_files(db) -> None:
    response = Client().get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr.net" not in html
    assert finders.find("ninja/swagger-ui-bundle.js")
    assert finders.find("ninja/swagger-ui.css")
