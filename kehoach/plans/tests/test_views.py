"""Request tests for the plan pages: access per role, content, search and filters, writes by the đầu mối,
validation, refused writes, query counts and the mobile/print basics.

Every test goes through the Django test client and checks what a user would see (page text, messages)
and what ended up in the database (rows, audit history), not only status codes.
"""

import datetime
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehoach.core.models import AuditEntry
from kehoach.plans.choices import BudgetSource, DeadlineKind, PlanField, PlanStatus, TaskUnitRole
from kehoach.plans.models import (
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
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit, User

D = datetime.date
TODAY = D(2026, 11, 27)

HABAC_USERS = [
    "lanhdao",
    "daumoi",
    "vhxh",
    "vanphong",
    "kinhte",
    "congan",
    "pvhcc",
    "dvsnc",
    "mttq",
    "captren",
    "quantri",
]
DAUMOI_NAME = "Trần Thị Hương"
VH_XH = "Phòng Văn hóa - Xã hội"
TASK3 = "Xây dựng Kế hoạch ứng dụng CNTT và chuyển đổi số năm 2026"
TASK5 = "Triển khai kế hoạch chuyển đổi số xã năm 2026"
EDIT_LINKS = [
    "Sửa thông tin",
    "Sửa căn cứ",
    "Sửa mục tiêu",
    "+ Thêm chỉ tiêu",
    "+ Thêm nhiệm vụ",
    "Ghi nhận sự kiện",
    "+ Thêm đơn vị",
]


# Helpers -------------------------------------------------------------------------------------------


def freeze_today(monkeypatch: pytest.MonkeyPatch, day: datetime.date) -> None:
    """Pin timezone.localdate() (used by status, views, filters and services) to `day`."""
    real = timezone.localdate

    def fake(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", fake)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    freeze_today(monkeypatch, TODAY)
    return TODAY


def page_text(response) -> str:
    """The visible text of an HTML response, entities decoded and whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def section(response, element_id: str) -> str:
    """Text of the element with id=`element_id` up to the next card of the page (good enough for cards)."""
    body = response.content.decode()
    start = body.index(f'id="{element_id}"')
    end = body.find('<div class="card shadow-sm"', start + 1)
    fragment = body[start : end if end != -1 else None]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def table_rows(response, table_class: str) -> list[list[str]]:
    """Cells (as text) of each body row of the first table whose class contains `table_class`."""
    body = response.content.decode()
    match = re.search(rf'<table class="[^"]*\b{table_class}\b[^"]*">(.*?)</table>', body, flags=re.S)
    assert match, f"no table .{table_class}"
    tbody = match.group(1).split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", tbody, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        rows.append([re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", c))).strip() for c in cells])
    return rows


def history_entries(response) -> list[str]:
    """Each entry of the "Lịch sử thay đổi" card, as text."""
    body = response.content.decode()
    start = body.index('id="lich-su"')
    card = body[start:]
    card = card[: card.find("</ul>\n</div>") if "</ul>\n</div>" in card else None]
    items = card.split('<li class="list-group-item history-change">')[1:]
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", item))).strip() for item in items]


def history_changes(response) -> list[tuple[str | None, str]]:
    """(before, after) of every change line in the history card: <del>before</del> → <ins>after</ins>."""
    body = response.content.decode()
    start = body.index('id="lich-su"')
    pairs = []
    for line in re.findall(r"<li>(.*?)</li>", body[start:], flags=re.S):
        before = re.search(r"<del>(.*?)</del>", line, flags=re.S)
        after = re.search(r"<ins>(.*?)</ins>", line, flags=re.S)
        if after:
            pairs.append((html.unescape(before.group(1)) if before else None, html.unescape(after.group(1))))
    return pairs


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


WATCHED = [
    Plan,
    PlanReference,
    Goal,
    IndicatorGroup,
    Indicator,
    Indicator.coordinating_units.through,
    MeasureSection,
    Measure,
    Responsibility,
    Trigger,
    Task,
    TaskUnit,
    AuditEntry,
]


def db_fingerprint() -> dict[str, list[str]]:
    """Every row of the plan tables and the audit log: equal fingerprints mean nothing was written."""
    return {model._meta.label: sorted(map(repr, model.objects.values_list())) for model in WATCHED}


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in WATCHED}


def task_at(plan: Plan, position: int) -> Task:
    return Task.objects.get(plan=plan, position=position)


def indicator(plan: Plan, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


def plan_form_data(units, **overrides) -> dict:
    data = {
        "number": "120/KH-UBND",
        "issued_on": "15/03/2026",
        "place": "Hà Bắc",
        "title": "Kế hoạch chuyển đổi số xã Hà Bắc năm 2026",
        "field": PlanField.DIGITAL,
        "year": "2026",
        "lead_unit": units["Phòng VH-XH"].pk,
        "issuer_name": "UBND xã Hà Bắc",
        "signer_name": "Nguyễn Anh Tuấn",
        "signer_position": "Chủ tịch",
        "signer_authority": "TM. ỦY BAN NHÂN DÂN",
        "recipients": "Như trên;\nLưu: VT.",
        "status": PlanStatus.DRAFT,
    }
    data.update(overrides)
    return data


def plan_edit_data(plan: Plan, **overrides) -> dict:
    data = {
        "number": plan.number,
        "issued_on": plan.issued_on.strftime("%d/%m/%Y") if plan.issued_on else "",
        "place": plan.place,
        "title": plan.title,
        "field": plan.field,
        "year": str(plan.year),
        "lead_unit": plan.lead_unit_id,
        "issuer_name": plan.issuer_name,
        "signer_name": plan.signer_name,
        "signer_position": plan.signer_position,
        "signer_authority": plan.signer_authority,
        "recipients": plan.recipients,
        "status": plan.status,
    }
    data.update(overrides)
    return data


def task_form_data(units, **overrides) -> dict:
    data = {
        "position": "",
        "title": "Tổ chức hội thảo khoa học cấp xã",
        "description": "",
        "output": "Hội thảo",
        "deadline_text": "Quý II/2026",
        "lead_time_days": "",
        "budget_amount": "",
        "budget_source": "",
        "budget_note": "",
        "lead_units": [units["Phòng VH-XH"].pk],
        "coordinating_units": [units["Phòng KT"].pk],
        "trigger": "",
        "new_trigger": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def task_edit_data(task: Task, **overrides) -> dict:
    data = {
        "position": str(task.position),
        "title": task.title,
        "description": task.description,
        "output": task.output,
        "deadline_text": task.deadline_text,
        "lead_time_days": "" if task.lead_time_days is None else str(task.lead_time_days),
        "budget_amount": "" if task.budget_amount is None else str(task.budget_amount),
        "budget_source": task.budget_source,
        "budget_note": task.budget_note,
        "lead_units": [u.pk for u in task.lead_units],
        "coordinating_units": [u.pk for u in task.coordinating_units],
        "trigger": task.trigger_id or "",
        "new_trigger": "",
    }
    if task.coordinates_all_units:
        data["coordinates_all_units"] = "on"
    data.update(overrides)
    return data


def indicator_form_data(plan: Plan, units, **overrides) -> dict:
    data = {
        "group": IndicatorGroup.objects.get(plan=plan, name="Nhóm chỉ tiêu chuyển đổi số").pk,
        "code": "",
        "name": "Tỷ lệ hộ gia đình có cáp quang",
        "comparator": ">=",
        "target": "12,5",
        "target_max": "",
        "unit_of_measure": "%",
        "commitment": "required",
        "baseline": "",
        "lead_unit": units["Phòng VH-XH"].pk,
        "coordinating_units": [units["Phòng KT"].pk],
        "method": "Số hộ có cáp quang ÷ tổng số hộ.",
    }
    data.update(overrides)
    return data


def indicator_edit_data(ind: Indicator, **overrides) -> dict:
    def num(value):
        return "" if value is None else str(value).replace(".", ",")

    data = {
        "group": ind.group_id or "",
        "code": ind.code,
        "name": ind.name,
        "comparator": ind.comparator,
        "target": num(ind.target),
        "target_max": num(ind.target_max),
        "unit_of_measure": ind.unit_of_measure,
        "commitment": ind.commitment,
        "baseline": num(ind.baseline),
        "lead_unit": ind.lead_unit_id or "",
        "coordinating_units": [u.pk for u in ind.coordinating_units.all()],
        "method": ind.method,
    }
    data.update(overrides)
    return data


def reference_formset_data(plan: Plan, *, change=None, delete=(), add=()) -> dict:
    """POST data for the references formset: every stored reference, `change` {index: {field: value}},
    `delete` indices, then the `add`ed rows."""
    refs = list(plan.references.all())
    rows = []
    for i, ref in enumerate(refs):
        row = {
            "number": ref.number,
            "issued_on": ref.issued_on.isoformat() if ref.issued_on else "",
            "issuer": ref.issuer,
            "title": ref.title,
        }
        row.update((change or {}).get(i, {}))
        if i in delete:
            row["DELETE"] = "on"
        rows.append(row)
    rows += [dict(r) for r in add]
    data = {
        "ref-TOTAL_FORMS": str(len(rows)),
        "ref-INITIAL_FORMS": str(len(refs)),
        "ref-MIN_NUM_FORMS": "0",
        "ref-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"ref-{i}-{key}"] = value
    return data


@pytest.fixture
def daumoi_client(users, client_for) -> Client:
    return client_for(users["daumoi"])


@pytest.fixture
def seed_trigger(habac) -> Trigger:
    return Trigger.objects.get(plan=habac)


@pytest.fixture
def digital_plan(habac, units) -> Plan:
    """A second Hà Bắc plan, with one task that only Công an xã works on."""
    plan = Plan.objects.create(
        number="130/KH-UBND",
        title="Kế hoạch chuyển đổi số xã Hà Bắc năm 2026",
        year=2026,
        owner_unit=units["UBND xã Hà Bắc"],
        lead_unit=units["Phòng VH-XH"],
        issuer_name="UBND xã Hà Bắc",
        field=PlanField.DIGITAL,
        status=PlanStatus.ISSUED,
        issued_on=D(2026, 3, 10),
    )
    task = Task.objects.create(
        plan=plan,
        position=1,
        title="Làm sạch dữ liệu dân cư phục vụ Đề án 06",
        output="Báo cáo",
        deadline_text="Quý II/2026",
        deadline_kind=DeadlineKind.PERIOD,
        deadline_date=D(2026, 6, 30),
        starts_on=D(2026, 4, 1),
        due_on=D(2026, 6, 30),
    )
    TaskUnit.objects.create(task=task, unit=units["Công an xã"], role=TaskUnitRole.LEAD)
    return plan


def all_page_urls(plan: Plan) -> list[str]:
    task = task_at(plan, 3)
    ind = indicator(plan, "CT07")
    unit = Unit.objects.get(short_name="TT PVHCC")
    return [
        "/",
        "/viec-cua-don-vi/",
        "/ke-hoach/",
        "/ke-hoach/tao-moi/",
        f"/ke-hoach/{plan.pk}/",
        f"/ke-hoach/{plan.pk}/lich-su/",
        f"/chi-tieu/{ind.pk}/",
        "/nhiem-vu/",
        f"/nhiem-vu/{task.pk}/",
        "/don-vi/",
        f"/don-vi/{unit.pk}/",
        "/tai-khoan/",
        *write_urls(plan)[0],
    ]


def write_urls(plan: Plan) -> tuple[list[str], list[str]]:
    """(form URLs answering GET and POST, POST-only delete URLs) of the plan."""
    trigger = Trigger.objects.get(plan=plan)
    task = task_at(plan, 1)
    ind = indicator(plan, "CT01")
    resp = Responsibility.objects.get(plan=plan, unit__name="Công an xã")
    p = plan.pk
    forms = [
        f"/ke-hoach/{p}/sua/",
        f"/ke-hoach/{p}/can-cu/",
        f"/ke-hoach/{p}/muc-tieu/",
        f"/ke-hoach/{p}/chi-tieu/them/",
        f"/ke-hoach/{p}/chi-tieu/{ind.pk}/sua/",
        f"/ke-hoach/{p}/nhiem-vu/them/",
        f"/ke-hoach/{p}/nhiem-vu/{task.pk}/sua/",
        f"/ke-hoach/{p}/dieu-kien/{trigger.pk}/ghi-nhan/",
        f"/ke-hoach/{p}/trach-nhiem/them/",
        f"/ke-hoach/{p}/trach-nhiem/{resp.pk}/sua/",
    ]
    deletes = [
        f"/ke-hoach/{p}/chi-tieu/{ind.pk}/xoa/",
        f"/ke-hoach/{p}/nhiem-vu/{task.pk}/xoa/",
        f"/ke-hoach/{p}/trach-nhiem/{resp.pk}/xoa/",
    ]
    return forms, deletes


def valid_payloads(plan: Plan, units) -> dict[str, dict]:
    """For each form URL, a payload the đầu mối could save: refusals must come from permissions."""
    forms, _ = write_urls(plan)
    task = Task.objects.prefetch_related("task_units__unit").get(pk=task_at(plan, 1).pk)
    new_unit, _ = Unit.objects.get_or_create(
        name="Đoàn Thanh niên Cộng sản Hồ Chí Minh xã",
        parent=units["UBND xã Hà Bắc"],
        defaults={"kind": UnitKind.ORGANISATION},
    )
    payloads = [
        plan_edit_data(plan, title="Trích yếu đã bị sửa"),
        reference_formset_data(plan, delete=(0,)),
        {"goals": "Một mục tiêu mới."},
        indicator_form_data(plan, units, target="50"),
        indicator_edit_data(indicator(plan, "CT01"), target="99"),
        task_form_data(units),
        task_edit_data(task, budget_amount="1.000.000", budget_source=BudgetSource.COMMUNE),
        {
            "document_number": "123/KH-UBND",
            "occurred_on": "15/06/2026",
            "document_issuer": "",
            "document_title": "",
        },
        {"unit": new_unit.pk, "duties": "Tuyên truyền trong đoàn viên."},
        {"unit": units["Công an xã"].pk, "duties": "Nhiệm vụ đã bị sửa."},
    ]
    return dict(zip(forms, payloads, strict=True))


# 1. Anonymous users ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page_from_every_page(habac):
    client = Client()
    _, deletes = write_urls(habac)
    for url in all_page_urls(habac) + deletes:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/dang-nhap/?next={url}", url


def test_anonymous_posts_are_redirected_and_save_nothing(habac, units):
    client = Client()
    before = db_fingerprint()
    payloads = valid_payloads(habac, units)
    _, deletes = write_urls(habac)
    for url, data in [
        *payloads.items(),
        *((u, {}) for u in deletes),
        ("/ke-hoach/tao-moi/", plan_form_data(units)),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dang-nhap/?next="), url
    assert db_fingerprint() == before


# 2. Read access per role ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", HABAC_USERS)
def test_every_habac_user_reads_the_plan_pages(habac, users, client_for, username):
    client = client_for(users[username])
    task = task_at(habac, 3)
    ind = indicator(habac, "CT07")

    response = client.get("/ke-hoach/")
    assert response.status_code == 200
    assert "97/KH-UBND" in page_text(response)
    assert "Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm 2026" in page_text(response)

    response = client.get(f"/ke-hoach/{habac.pk}/")
    assert response.status_code == 200
    assert "Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm 2026" in page_text(response)

    response = client.get(f"/nhiem-vu/{task.pk}/")
    assert response.status_code == 200
    assert TASK3 in page_text(response)

    response = client.get(f"/chi-tieu/{ind.pk}/")
    assert response.status_code == 200
    assert "Kết quả giải quyết thủ tục hành chính được số hóa theo quy định" in page_text(response)

    response = client.get(f"/ke-hoach/{habac.pk}/lich-su/")
    assert response.status_code == 200
    assert "Tạo kế hoạch từ văn bản" in page_text(response)

    response = client.get("/nhiem-vu/")
    assert response.status_code == 200
    assert len(table_rows(response, "table-responsive-stack")) == 9

    response = client.get("/viec-cua-don-vi/")
    assert response.status_code == 200
    assert "Việc của đơn vị" in page_text(response)


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_other_city_sees_nothing_of_habac(habac, units, other_city, client_for, who):
    client = client_for(other_city[who])
    response = client.get("/ke-hoach/")
    assert response.status_code == 200
    text = page_text(response)
    assert "97/KH-UBND" not in text and "Hà Bắc" not in text
    assert "15/KH-UBND" in text  # their own plan

    response = client.get(f"/ke-hoach/?q=ha+bac&owner_unit={units['UBND xã Hà Bắc'].pk}")
    assert "97/KH-UBND" not in page_text(response)
    assert "Không có kế hoạch nào phù hợp." in page_text(response)

    response = client.get("/nhiem-vu/")
    assert "Không có nhiệm vụ nào phù hợp." in page_text(response)

    task = task_at(habac, 3)
    for url in [
        f"/ke-hoach/{habac.pk}/",
        f"/ke-hoach/{habac.pk}/lich-su/",
        f"/nhiem-vu/{task.pk}/",
        f"/chi-tieu/{indicator(habac, 'CT07').pk}/",
        f"/don-vi/{units['TT PVHCC'].pk}/",
        f"/don-vi/{units['UBND xã Hà Bắc'].pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Không có quyền truy cập" in page_text(response), url
        assert "97/KH-UBND" not in page_text(response), url

    response = client.get(f"/viec-cua-don-vi/?don_vi={units['TT PVHCC'].pk}")
    assert response.status_code == 404
    assert TASK3 not in page_text(response)


@pytest.mark.parametrize("username", [u for u in HABAC_USERS if u != "quantri"])
def test_habac_users_cannot_read_the_hanoi_plan(habac, users, other_city, client_for, username):
    client = client_for(users[username])
    response = client.get(f"/ke-hoach/{other_city['plan'].pk}/")
    assert response.status_code == 403
    assert "Bạn không có quyền xem kế hoạch này." in page_text(response)
    assert "Sóc Sơn" not in page_text(client.get("/ke-hoach/"))


def test_captren_reads_habac_but_not_hanoi(habac, users, other_city, client_for):
    client = client_for(users["captren"])
    assert client.get(f"/ke-hoach/{habac.pk}/").status_code == 200
    assert client.get(f"/ke-hoach/{other_city['plan'].pk}/").status_code == 403
    text = page_text(client.get("/ke-hoach/"))
    assert "97/KH-UBND" in text and "15/KH-UBND" not in text


def test_superuser_reads_every_city_as_documented(habac, users, other_city, client_for):
    # units.access: "superusers read everything and have the Django admin, but act in the app only
    # through roles".
    client = client_for(users["quantri"])
    assert client.get(f"/ke-hoach/{other_city['plan'].pk}/").status_code == 200
    text = page_text(client.get("/ke-hoach/"))
    assert "97/KH-UBND" in text and "15/KH-UBND" in text


def test_user_without_membership_sees_nothing(habac, units, client_for):
    lonely = User.objects.create_user("chua_phan_quyen", password="x", full_name="Chưa Phân Quyền")
    client = client_for(lonely)
    text = page_text(client.get("/ke-hoach/"))
    assert "Không có kế hoạch nào phù hợp." in text and "97/KH-UBND" not in text
    assert "Không có nhiệm vụ nào phù hợp." in page_text(client.get("/nhiem-vu/"))
    response = client.get("/viec-cua-don-vi/")
    assert response.status_code == 200
    assert "Bạn chưa thuộc phòng, ban, đơn vị nào" in page_text(response)
    assert TASK3 not in page_text(response)
    for url in [
        f"/ke-hoach/{habac.pk}/",
        f"/nhiem-vu/{task_at(habac, 3).pk}/",
        f"/chi-tieu/{indicator(habac, 'CT07').pk}/",
        f"/don-vi/{units['TT PVHCC'].pk}/",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.get("/ke-hoach/tao-moi/").status_code == 403


# 3. The plan page ----------------------------------------------------------------------------------------


def test_plan_page_shows_the_whole_plan(habac, users, client_for):
    response = client_for(users["vhxh"]).get(f"/ke-hoach/{habac.pk}/")
    assert response.status_code == 200
    text = page_text(response)

    # Identity of the document.
    assert "Số, ký hiệu 97/KH-UBND" in text
    assert "Ngày ban hành Hà Bắc, ngày 28/02/2026" in text
    assert "Cơ quan ban hành UBND xã Hà Bắc" in text
    assert "Người ký TM. ỦY BAN NHÂN DÂN, Chủ tịch Nguyễn Anh Tuấn" in text
    assert f"Đơn vị đầu mối {VH_XH}" in text

    # The 11 references in order.
    refs = section(response, "can-cu")
    assert "Căn cứ (11)" in refs
    numbers = [
        "350/KH-UBND",
        "12-KH/TU",
        "48/KH-UBND",
        "03-Ctr/ĐU",
        "12/KH-UBND",
        "57/NQ-CP",
        "02-KH/BCĐTW",
        "289/KH-UBND",
        "1703/QĐ-TTg",
        "03-KH/TU",
        "38-CT/TW",
    ]
    positions = [refs.index(n) for n in numbers]
    assert positions == sorted(positions)
    assert "350/KH-UBND ngày 30/12/2025 của Ủy ban nhân dân thành phố Hải Phòng" in refs

    # Both goals.
    goals = section(response, "muc-tieu")
    assert goals.count("<p>") == 0 and "Phấn đấu hoàn thành tốt mọi nhiệm vụ được giao" in goals
    assert "Thực hiện hiệu quả, đảm bảo tiến độ và hoàn thành tốt các nhiệm vụ" in goals

    # The 11 indicators in their 3 groups, targets in words.
    indicators = section(response, "chi-tieu")
    assert "Chỉ tiêu (11)" in indicators
    groups = [
        "Nhóm chỉ tiêu về sở hữu trí tuệ",
        "Nhóm chỉ tiêu chuyển đổi số",
        "Nhóm chỉ tiêu tiêu chuẩn đo lường chất lượng",
    ]
    group_at = [indicators.index(g) for g in groups]
    assert group_at == sorted(group_at)
    codes_at = [indicators.index(f"CT{i:02d}") for i in range(1, 12)]
    assert codes_at == sorted(codes_at)
    assert group_at[0] < codes_at[0] < codes_at[1] < group_at[1] < codes_at[2]
    assert codes_at[8] < group_at[2] < codes_at[9]
    for words in [
        "tối thiểu 10 sáng kiến",
        "phấn đấu đạt 90%",
        "từ 50% trở lên",
        "phấn đấu đạt 02 sáng kiến",
        "tối thiểu 02 doanh nghiệp",
        "từ 90% trở lên",
    ]:
        assert words in indicators, words

    # Measures under their headings.
    measures = section(response, "giai-phap")
    for heading in [
        "1. Hoàn thiện cơ chế, chính sách và tăng cường quản lý nhà nước",
        "2. Về chuyển đổi số",
        "a) Về hoạt động bưu chính",
        "b) Về lĩnh vực viễn thông",
    ]:
        assert heading in measures, heading
    assert (
        measures.index("Về hoạt động bưu chính")
        < measures.index("cuộc thi viết thư quốc tế UPU năm 2026")
        < (measures.index("Về lĩnh vực viễn thông"))
    )

    # The 9 tasks: STT, title, lead, coordinating, output, deadline, status.
    rows = table_rows(response, "table-tasks")
    assert [r[0] for r in rows] == [str(i) for i in range(1, 10)]
    assert rows[2][1] == TASK3
    assert rows[2][2] == f"{VH_XH} ; Trung tâm Phục vụ Hành chính công"
    assert rows[2][3] == "Các phòng, cơ quan, đơn vị"
    assert rows[2][4] == "Kế hoạch"
    assert rows[2][5] == "Sau khi Thành phố ban hành Kế hoạch"
    assert [r[6] for r in rows[:3]] == ["Chờ điều kiện"] * 3
    assert rows[3][1] == "Tuyên truyền triển khai Cuộc thi viết thư quốc tế UPU"
    assert rows[3][4] == "Bài tuyên truyền"
    assert rows[3][5] == "Năm 2026 hạn 31/12/2026"
    assert rows[4][5] == "Cả năm hạn 31/12/2026"
    assert [r[6] for r in rows[3:]] == ["Đang thực hiện (trong hạn)"] * 6
    assert "3 chờ điều kiện" in text and "6 đang thực hiện (trong hạn)" in text
    assert "Thành phố ban hành Kế hoạch: đang chờ" in text

    # The 7 responsibilities.
    duties = section(response, "trach-nhiem")
    for i, unit in enumerate(
        [
            "Phòng Văn hóa - Xã hội",
            "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
            "Phòng Kinh tế",
            "Công an xã",
            "Trung tâm Phục vụ Hành chính công",
            "Trung tâm Dịch vụ sự nghiệp công",
            "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
        ],
        start=1,
    ):
        assert f"{i}. {unit}" in duties, unit
    assert "Tổ công tác Đề án 06" in duties

    # Signature block and history.
    assert "Nơi nhận:" in text
    assert "Lịch sử thay đổi" in text and "Tạo kế hoạch từ văn bản" in text


def test_plan_page_in_2027_shows_the_continuous_tasks_overdue(habac, users, client_for, monkeypatch):
    freeze_today(monkeypatch, D(2027, 1, 5))
    rows = table_rows(client_for(users["lanhdao"]).get(f"/ke-hoach/{habac.pk}/"), "table-tasks")
    assert [r[6] for r in rows] == ["Chờ điều kiện"] * 3 + ["Đang thực hiện (quá hạn)"] * 6


ON_TIME_DEFINITION = (
    "Tỷ lệ đúng hạn: số nhiệm vụ hoàn thành đúng hạn ÷ số nhiệm vụ đã đến hạn hoặc đã hoàn thành."
)


def plan_figures(response) -> str:
    """Text of the plan's figures (done, overdue, on-time rate) at the top of its page."""
    return section(response, "ket-qua-thuc-hien").removeprefix('id="ket-qua-thuc-hien">').strip()


def test_plan_page_headline_is_tasks_done_of_all_tasks(habac, users, client_for):
    # One task done on time, eight open, none past its deadline: the reporting formula
    # done ÷ (done + overdue) would read 100%; the page leads with 1/9 instead.
    Task.objects.filter(pk=task_at(habac, 5).pk).update(completed_on=D(2026, 10, 1))
    response = client_for(users["lanhdao"]).get(f"/ke-hoach/{habac.pk}/")
    figures = plan_figures(response)

    assert figures.startswith("1/9 nhiệm vụ đã hoàn thành Số nhiệm vụ đã hoàn thành (đúng hạn hoặc trễ hạn)")
    assert "0 nhiệm vụ quá hạn Số nhiệm vụ đã quá hạn hoàn thành mà chưa hoàn thành." in figures
    assert f"Tỷ lệ đúng hạn 100% {ON_TIME_DEFINITION} (1/1 nhiệm vụ)" in figures
    # No percentage stands for completion: the only 100% is the on-time rate, named and defined.
    assert figures.count("%") == 1
    assert "Tỷ lệ hoàn thành" not in page_text(response)
    assert "1 hoàn thành đúng hạn" in page_text(response)


def test_plan_page_figures_in_2027_count_the_overdue_tasks(habac, users, client_for, monkeypatch):
    freeze_today(monkeypatch, D(2027, 1, 5))
    Task.objects.filter(pk=task_at(habac, 5).pk).update(completed_on=D(2026, 12, 20))
    figures = plan_figures(client_for(users["lanhdao"]).get(f"/ke-hoach/{habac.pk}/"))
    assert "1/9 nhiệm vụ đã hoàn thành" in figures
    assert "5 nhiệm vụ quá hạn" in figures
    # 1 on time ÷ 6 tasks due (the done one and the five overdue).
    assert f"Tỷ lệ đúng hạn 16,7% {ON_TIME_DEFINITION} (1/6 nhiệm vụ)" in figures


def test_plan_page_figures_before_any_task_is_due(habac, users, client_for):
    figures = plan_figures(client_for(users["lanhdao"]).get(f"/ke-hoach/{habac.pk}/"))
    assert "0/9 nhiệm vụ đã hoàn thành" in figures and "0 nhiệm vụ quá hạn" in figures
    assert f"Tỷ lệ đúng hạn — {ON_TIME_DEFINITION} Chưa có nhiệm vụ nào đến hạn." in figures


@pytest.mark.parametrize("username", HABAC_USERS)
def test_edit_links_are_for_the_coordinator_only(habac, users, client_for, username):
    client = client_for(users[username])
    text = page_text(client.get(f"/ke-hoach/{habac.pk}/"))
    task_text = page_text(client.get(f"/nhiem-vu/{task_at(habac, 1).pk}/"))
    ind_text = page_text(client.get(f"/chi-tieu/{indicator(habac, 'CT01').pk}/"))
    plan_list = page_text(client.get("/ke-hoach/"))
    if username == "daumoi":
        for link in EDIT_LINKS:
            assert link in text, link
        assert "Sửa nhiệm vụ" in task_text and "Sửa chỉ tiêu" in ind_text
        assert "+ Tạo kế hoạch" in plan_list
    else:
        for link in EDIT_LINKS:
            assert link not in text, link
        assert "Sửa nhiệm vụ" not in task_text and "Sửa chỉ tiêu" not in ind_text
        assert "+ Tạo kế hoạch" not in plan_list


# 4. Việc của đơn vị --------------------------------------------------------------------------------------


def test_my_work_of_the_service_centre(habac, users, client_for):
    response = client_for(users["pvhcc"]).get("/viec-cua-don-vi/")
    assert response.status_code == 200
    work = response.context["work"]
    assert [t.title for t in work["led_tasks"]] == [TASK3]
    assert len(work["coordinated_tasks"]) == 8
    assert {i.code for i in work["led_indicators"]} == {"CT07", "CT08", "CT09"}
    text = page_text(response)
    assert "Trung tâm Phục vụ Hành chính công" in text
    led = text[text.index("Nhiệm vụ chủ trì (1)") : text.index("Nhiệm vụ phối hợp (8)")]
    assert TASK3 in led and "Chờ điều kiện" in led
    assert TASK5 not in led
    for name in [
        "Kết quả giải quyết thủ tục hành chính được số hóa theo quy định",
        "Tỷ lệ mức độ hài lòng của người dân, doanh nghiệp trong giải quyết thủ tục hành chính",
    ]:
        assert f"Chủ trì {name} : " in text
    assert "phấn đấu đạt 90%" in text
    assert "Công khai kịp thời, đầy đủ bằng phương tiện điện tử" in text


def test_my_work_of_the_police_lists_coordinated_tasks_and_duties(habac, users, client_for):
    response = client_for(users["congan"]).get("/viec-cua-don-vi/")
    work = response.context["work"]
    assert work["led_tasks"] == []
    assert [t.position for t in work["coordinated_tasks"]] == list(range(1, 10))
    text = page_text(response)
    assert "Nhiệm vụ chủ trì (0) Không có nhiệm vụ chủ trì." in text
    coordinated = text[text.index("Nhiệm vụ phối hợp (9)") :]
    assert TASK3 in coordinated and "phối hợp: các phòng, cơ quan, đơn vị" in coordinated
    assert "Tổ công tác Đề án 06" in text
    assert "Không có chỉ tiêu được giao." in text


def test_my_work_counts_the_indicators(habac, users, client_for):
    text = page_text(client_for(users["pvhcc"]).get("/viec-cua-don-vi/"))
    assert "Chỉ tiêu (3)" in text
    text = page_text(client_for(users["daumoi"]).get("/viec-cua-don-vi/"))
    assert "Chỉ tiêu (6)" in text  # leads CT01–CT04, coordinates CT10–CT11


def test_my_work_for_a_chosen_unit(habac, units, users, client_for):
    client = client_for(users["lanhdao"])
    response = client.get("/viec-cua-don-vi/")
    assert response.status_code == 200
    assert response.context["work"] is None  # the leader belongs to the commune itself
    response = client.get(f"/viec-cua-don-vi/?don_vi={units['TT PVHCC'].pk}")
    assert response.status_code == 200
    assert [t.title for t in response.context["work"]["led_tasks"]] == [TASK3]
    assert f'<option value="{units["TT PVHCC"].pk}" selected>' in response.content.decode()


def test_my_work_for_a_unit_outside_the_readers_scope_is_404(habac, units, users, other_city, client_for):
    client = client_for(users["pvhcc"])
    assert client.get(f"/viec-cua-don-vi/?don_vi={other_city['office'].pk}").status_code == 404
    assert client.get(f"/viec-cua-don-vi/?don_vi={units['UBND thành phố Hải Phòng'].pk}").status_code == 404
    assert client.get("/viec-cua-don-vi/?don_vi=999999").status_code == 404


def test_my_work_with_a_non_numeric_unit_is_404(habac, users, client_for):
    client = client_for(users["pvhcc"])
    client.raise_request_exception = False
    assert client.get("/viec-cua-don-vi/?don_vi=abc").status_code == 404


# 5. Search and filters -----------------------------------------------------------------------------------


def task_titles(response) -> list[str]:
    return [t.title for t in response.context["page"]]


@pytest.mark.parametrize("query", ["chuyen doi so", "CHUYỂN ĐỔI", "Chuyển đổi số", "chuyển  đổi-số"])
def test_task_search_ignores_case_and_diacritics(habac, users, client_for, query):
    response = client_for(users["kinhte"]).get("/nhiem-vu/", {"q": query})
    titles = task_titles(response)
    assert TASK5 in titles
    assert TASK3 in titles  # "…ứng dụng CNTT và chuyển đổi số năm 2026"
    assert "Tuyên truyền triển khai Cuộc thi viết thư quốc tế UPU" not in titles
    assert TASK5 in page_text(response)
    assert f'value="{query}"' in response.content.decode() or query != query.strip()


def test_task_search_without_match(habac, users, client_for):
    response = client_for(users["kinhte"]).get("/nhiem-vu/", {"q": "khong co nhiem vu nay"})
    assert task_titles(response) == []
    assert "Không có nhiệm vụ nào phù hợp." in page_text(response)


def test_plan_search(habac, digital_plan, users, client_for):
    client = client_for(users["vanphong"])
    response = client.get("/ke-hoach/", {"q": "ke hoach khoa hoc"})
    assert [p.number for p in response.context["page"]] == ["97/KH-UBND"]
    # The plan that says it in its title first; then 97/KH-UBND, whose goals speak of chuyển đổi số,
    # shown with the passage that matched.
    response = client.get("/ke-hoach/", {"q": "ke hoach chuyen doi so"})
    assert [p.number for p in response.context["page"]] == ["130/KH-UBND", "97/KH-UBND"]
    text = page_text(response)
    assert "Kế hoạch chuyển đổi số xã Hà Bắc năm 2026" in text
    assert "đổi mới sáng tạo và chuyển đổi số vào sự phát triển chung của xã" in text
    response = client.get("/ke-hoach/", {"q": "130/KH chuyen doi so"})
    assert [p.number for p in response.context["page"]] == ["130/KH-UBND"]
    response = client.get("/ke-hoach/", {"q": "97/KH"})
    assert [p.number for p in response.context["page"]] == ["97/KH-UBND"]
    response = client.get("/ke-hoach/", {"q": "HÀ BẮC"})
    assert {p.number for p in response.context["page"]} == {"97/KH-UBND", "130/KH-UBND"}


def test_plan_search_does_not_reach_other_cities(habac, other_city, users, client_for):
    response = client_for(users["daumoi"]).get("/ke-hoach/", {"q": "chuyen doi so"})
    assert "Sóc Sơn" not in page_text(response)


def test_plan_list_filters(habac, digital_plan, users, client_for):
    client = client_for(users["daumoi"])
    response = client.get("/ke-hoach/", {"field": PlanField.DIGITAL})
    assert [p.number for p in response.context["page"]] == ["130/KH-UBND"]
    response = client.get("/ke-hoach/", {"year": "2026"})
    assert {p.number for p in response.context["page"]} == {"97/KH-UBND", "130/KH-UBND"}
    response = client.get("/ke-hoach/", {"year": "2025"})
    assert "Không có kế hoạch nào phù hợp." in page_text(response)


def test_task_filter_by_status(habac, users, client_for):
    response = client_for(users["daumoi"]).get("/nhiem-vu/", {"status": "cho_dieu_kien"})
    assert sorted(t.position for t in response.context["page"]) == [1, 2, 3]
    text = page_text(response)
    assert "Chờ điều kiện: 3" in text
    assert "Đang thực hiện (trong hạn):" not in text


def test_task_filter_by_status_overdue_after_the_year(habac, users, client_for, monkeypatch):
    freeze_today(monkeypatch, D(2027, 1, 2))
    response = client_for(users["daumoi"]).get("/nhiem-vu/", {"status": "qua_han"})
    assert sorted(t.position for t in response.context["page"]) == [4, 5, 6, 7, 8, 9]
    assert "Đang thực hiện (quá hạn): 6" in page_text(response)


def test_task_filter_by_unit_lists_the_tasks_that_name_the_unit(
    habac, digital_plan, units, users, client_for
):
    # TaskFilter.filter_unit: tasks that name the unit as lead or coordinating unit; "Các phòng, cơ quan,
    # đơn vị" does not count here (it would match every task).
    client = client_for(users["daumoi"])
    response = client.get("/nhiem-vu/", {"unit": units["TT PVHCC"].pk})
    assert response.status_code == 200
    assert task_titles(response) == [TASK3]
    assert f'<option value="{units["TT PVHCC"].pk}" selected>' in response.content.decode()
    response = client.get("/nhiem-vu/", {"unit": units["Công an xã"].pk})
    assert task_titles(response) == ["Làm sạch dữ liệu dân cư phục vụ Đề án 06"]
    response = client.get("/nhiem-vu/", {"unit": units["Phòng KT"].pk})
    assert task_titles(response) == []
    assert "Không có nhiệm vụ nào phù hợp." in page_text(response)


def test_task_filter_by_unit_includes_coordinating_units(habac, units, users, client_for):
    TaskUnit.objects.create(task=task_at(habac, 5), unit=units["Phòng KT"], role=TaskUnitRole.COORDINATE)
    response = client_for(users["daumoi"]).get("/nhiem-vu/", {"unit": units["Phòng KT"].pk})
    assert task_titles(response) == [TASK5]
    response = client_for(users["daumoi"]).get("/nhiem-vu/", {"unit": units["TT DVSNC"].pk})
    # TT DVSNC co-leads task 4.
    assert task_titles(response) == ["Tuyên truyền triển khai Cuộc thi viết thư quốc tế UPU"]


def test_task_filter_by_due_dates(habac, digital_plan, users, client_for):
    client = client_for(users["daumoi"])
    response = client.get("/nhiem-vu/", {"due_from": "2026-12-01", "due_to": "2026-12-31"})
    assert sorted(t.position for t in response.context["page"]) == [4, 5, 6, 7, 8, 9]
    response = client.get("/nhiem-vu/", {"due_to": "30/06/2026"})
    assert task_titles(response) == ["Làm sạch dữ liệu dân cư phục vụ Đề án 06"]
    assert "hạn 30/06/2026" in page_text(response)
    response = client.get("/nhiem-vu/", {"due_from": "2027-01-01"})
    assert task_titles(response) == []


def test_task_filter_by_plan(habac, digital_plan, users, client_for):
    client = client_for(users["daumoi"])
    response = client.get("/nhiem-vu/", {"plan": digital_plan.pk})
    assert task_titles(response) == ["Làm sạch dữ liệu dân cư phục vụ Đề án 06"]
    response = client.get("/nhiem-vu/", {"plan": habac.pk})
    assert len(task_titles(response)) == 9
    response = client.get("/nhiem-vu/", {"plan": habac.pk, "q": "chuyen doi so", "kind": "continuous"})
    assert task_titles(response) == [TASK5]


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"status": "bad"},
            "Hãy chọn một lựa chọn hợp lệ. bad không phải là một trong các lựa chọn khả thi.",
        ),
        ({"due_from": "hôm qua"}, "Nhập một ngày hợp lệ."),
        ({"due_to": "31/13/2026"}, "Nhập một ngày hợp lệ."),
        ({"unit": "abc"}, "Hãy chọn một lựa chọn hợp lệ."),
        ({"plan": "999999"}, "Hãy chọn một lựa chọn hợp lệ."),
        ({"kind": "someday"}, "Hãy chọn một lựa chọn hợp lệ."),
    ],
)
def test_invalid_task_filter_shows_a_vietnamese_message(habac, users, client_for, params, message):
    response = client_for(users["daumoi"]).get("/nhiem-vu/", params)
    assert response.status_code == 200
    text = page_text(response)
    assert "Bộ lọc không hợp lệ:" in text
    assert message in text


def test_filter_by_another_citys_plan_is_invalid_not_leaking(habac, other_city, users, client_for):
    response = client_for(users["daumoi"]).get("/nhiem-vu/", {"plan": other_city["plan"].pk})
    assert response.status_code == 200
    assert "Bộ lọc không hợp lệ:" in page_text(response)
    assert all(t.plan_id == habac.pk for t in response.context["page"])


@pytest.mark.parametrize(
    "params", [{"year": "abc"}, {"status": "xyz"}, {"owner_unit": "abc"}, {"page": "abc"}]
)
def test_invalid_plan_filter_is_not_a_500(habac, users, client_for, params):
    response = client_for(users["daumoi"]).get("/ke-hoach/", params)
    assert response.status_code == 200
    assert "97/KH-UBND" in page_text(response)
    if "page" not in params:
        assert "Bộ lọc không hợp lệ:" in page_text(response)


# 6. Writes by the đầu mối --------------------------------------------------------------------------------


def test_coordinator_creates_a_plan(habac, units, daumoi_client):
    response = daumoi_client.get("/ke-hoach/tao-moi/")
    assert response.status_code == 200
    assert "Tạo kế hoạch mới" in page_text(response)
    assert response.context["form"]["year"].value() == 2026

    response = daumoi_client.post("/ke-hoach/tao-moi/", plan_form_data(units), follow=True)
    plan = Plan.objects.get(number="120/KH-UBND")
    assert response.redirect_chain == [(f"/ke-hoach/{plan.pk}/", 302)]
    assert plan.title == "Kế hoạch chuyển đổi số xã Hà Bắc năm 2026"
    assert plan.owner_unit == units["UBND xã Hà Bắc"]
    assert plan.lead_unit == units["Phòng VH-XH"]
    assert plan.issued_on == D(2026, 3, 15)
    assert (plan.year, plan.field, plan.status) == (2026, PlanField.DIGITAL, PlanStatus.DRAFT)
    assert messages_of(response) == ["Đã tạo kế hoạch “Kế hoạch chuyển đổi số xã Hà Bắc năm 2026”."]
    text = page_text(response)
    assert "Đã tạo kế hoạch “Kế hoạch chuyển đổi số xã Hà Bắc năm 2026”." in text
    assert "Hà Bắc, ngày 15/03/2026" in text
    [entry] = history_entries(response)
    assert entry.startswith("Tạo mới · 120/KH-UBND – Kế hoạch chuyển đổi số xã Hà Bắc năm 2026")
    assert f"— {DAUMOI_NAME}, " in entry
    assert (None, "Kế hoạch chuyển đổi số xã Hà Bắc năm 2026") in history_changes(response)
    assert (None, "15/03/2026") in history_changes(response)
    # The new plan is listed and searchable.
    assert "120/KH-UBND" in page_text(daumoi_client.get("/ke-hoach/", {"q": "chuyen doi so ha bac"}))


def test_coordinator_edits_a_plan(habac, daumoi_client):
    old_title = habac.title
    response = daumoi_client.get(f"/ke-hoach/{habac.pk}/sua/")
    assert response.status_code == 200
    assert response.context["form"]["title"].value() == old_title

    data = plan_edit_data(
        habac, title="Kế hoạch KH&CN và ĐMST xã Hà Bắc năm 2026", signer_name="Nguyễn Văn Bình"
    )
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/sua/", data, follow=True)
    assert response.redirect_chain == [(f"/ke-hoach/{habac.pk}/", 302)]
    habac.refresh_from_db()
    assert habac.title == "Kế hoạch KH&CN và ĐMST xã Hà Bắc năm 2026"
    assert habac.signer_name == "Nguyễn Văn Bình"
    assert messages_of(response) == ["Đã lưu thông tin kế hoạch."]
    entry = history_entries(response)[0]
    assert entry.startswith("Sửa · 97/KH-UBND") and f"— {DAUMOI_NAME}, " in entry
    changes = history_changes(response)
    assert (old_title, "Kế hoạch KH&CN và ĐMST xã Hà Bắc năm 2026") in changes
    assert ("Nguyễn Anh Tuấn", "Nguyễn Văn Bình") in changes
    assert "Trích yếu:" in entry and "Người ký:" in entry
    assert habac.search_text.startswith("97/kh-ubnd ke hoach kh&cn va dmst")


def test_coordinator_changes_the_plan_year(habac, daumoi_client):
    response = daumoi_client.post(
        f"/ke-hoach/{habac.pk}/sua/", plan_edit_data(habac, year="2027"), follow=True
    )
    assert response.status_code == 200
    habac.refresh_from_db()
    assert habac.year == 2027
    assert task_at(habac, 5).due_on == D(2027, 12, 31)  # "Cả năm" follows the plan's year
    assert task_at(habac, 4).due_on == D(2026, 12, 31)  # "Năm 2026" names its own year
    assert (2026, 2027) in [(int(b), int(a)) for b, a in history_changes(response) if b and b.isdigit()]
    task_page = daumoi_client.get(f"/nhiem-vu/{task_at(habac, 5).pk}/")
    assert "Hạn hoàn thành 31/12/2027" in page_text(task_page)
    assert ("31/12/2026", "31/12/2027") in history_changes(task_page)
    assert f"— {DAUMOI_NAME}, " in history_entries(task_page)[0]


def test_coordinator_adds_an_indicator_with_a_vietnamese_decimal(habac, units, daumoi_client):
    response = daumoi_client.get(f"/ke-hoach/{habac.pk}/chi-tieu/them/")
    assert response.status_code == 200 and "Thêm chỉ tiêu" in page_text(response)

    response = daumoi_client.post(
        f"/ke-hoach/{habac.pk}/chi-tieu/them/", indicator_form_data(habac, units), follow=True
    )
    ind = Indicator.objects.get(plan=habac, name="Tỷ lệ hộ gia đình có cáp quang")
    assert response.redirect_chain == [(f"/chi-tieu/{ind.pk}/", 302)]
    assert ind.target == Decimal("12.5")
    assert ind.code == "CT12" and ind.position == 12
    assert ind.group.name == "Nhóm chỉ tiêu chuyển đổi số"
    assert list(ind.coordinating_units.all()) == [units["Phòng KT"]]
    assert messages_of(response) == ["Đã lưu chỉ tiêu “Tỷ lệ hộ gia đình có cáp quang”."]
    text = page_text(response)
    assert "Từ 12,5% trở lên" in text
    assert "Giá trị mục tiêu 12,5 %" in text
    entry = history_entries(response)[0]
    assert entry.startswith("Tạo mới · Tỷ lệ hộ gia đình có cáp quang") and f"— {DAUMOI_NAME}, " in entry
    assert (None, "Tỷ lệ hộ gia đình có cáp quang") in history_changes(response)
    # On the plan page, in its group, with the target in words.
    plan_page = daumoi_client.get(f"/ke-hoach/{habac.pk}/")
    indicators = section(plan_page, "chi-tieu")
    assert "Chỉ tiêu (12)" in indicators
    assert "CT12 Tỷ lệ hộ gia đình có cáp quang từ 12,5% trở lên" in indicators
    assert (
        indicators.index("CT09")
        < indicators.index("CT12")
        < indicators.index("Nhóm chỉ tiêu tiêu chuẩn đo lường chất lượng")
    )


def test_decimal_target_reads_as_typed(habac, units, daumoi_client):
    daumoi_client.post(f"/ke-hoach/{habac.pk}/chi-tieu/them/", indicator_form_data(habac, units))
    ind = Indicator.objects.get(plan=habac, name="Tỷ lệ hộ gia đình có cáp quang")
    assert "Từ 12,5% trở lên" in page_text(daumoi_client.get(f"/chi-tieu/{ind.pk}/"))
    assert "CT12 Tỷ lệ hộ gia đình có cáp quang từ 12,5% trở lên" in section(
        daumoi_client.get(f"/ke-hoach/{habac.pk}/"), "chi-tieu"
    )


def test_indicator_history_shows_numbers_the_vietnamese_way(habac, units, daumoi_client):
    response = daumoi_client.post(
        f"/ke-hoach/{habac.pk}/chi-tieu/them/", indicator_form_data(habac, units), follow=True
    )
    assert (None, "12,5") in history_changes(response)
    ind = indicator(habac, "CT04")
    response = daumoi_client.post(
        f"/ke-hoach/{habac.pk}/chi-tieu/{ind.pk}/sua/", indicator_edit_data(ind, target="60"), follow=True
    )
    assert ("50", "60") in history_changes(response)


def test_coordinator_edits_an_indicator(habac, units, daumoi_client):
    ind = indicator(habac, "CT04")
    url = f"/ke-hoach/{habac.pk}/chi-tieu/{ind.pk}/sua/"
    response = daumoi_client.get(url)
    assert (
        response.status_code == 200
        and response.context["form"]["name"].value() == "Tỷ lệ phủ sóng 5G trên địa bàn xã"
    )
    data = indicator_edit_data(ind, target="60", commitment="aspiration")
    response = daumoi_client.post(url, data, follow=True)
    ind.refresh_from_db()
    assert ind.target == Decimal("60") and ind.commitment == "aspiration" and ind.code == "CT04"
    text = page_text(response)
    assert "Phấn đấu đạt 60%" in text
    entry = history_entries(response)[0]
    assert entry.startswith("Sửa · Tỷ lệ phủ sóng 5G") and f"— {DAUMOI_NAME}, " in entry
    assert ("Bắt buộc", "Phấn đấu") in history_changes(response)
    assert any(
        before.startswith("50") and after.startswith("60")
        for before, after in history_changes(response)
        if before
    )


def test_coordinator_deletes_an_indicator(habac, daumoi_client):
    ind = indicator(habac, "CT11")
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/chi-tieu/{ind.pk}/xoa/", follow=True)
    assert response.redirect_chain == [(f"/ke-hoach/{habac.pk}/", 302)]
    assert not Indicator.objects.filter(pk=ind.pk).exists()
    assert messages_of(response) == [f"Đã xóa chỉ tiêu “{ind.name}”."]
    assert "Chỉ tiêu (10)" in section(response, "chi-tieu")
    assert history_entries(response)[0].startswith(f"Xóa · {ind.name}")


def test_coordinator_sets_a_task_budget(habac, daumoi_client):
    task = Task.objects.prefetch_related("task_units__unit").get(pk=task_at(habac, 5).pk)
    url = f"/ke-hoach/{habac.pk}/nhiem-vu/{task.pk}/sua/"
    response = daumoi_client.get(url)
    assert response.status_code == 200 and response.context["form"]["title"].value() == TASK5

    data = task_edit_data(
        task,
        budget_amount="15.000.000",
        budget_source=BudgetSource.COMMUNE,
        budget_note="Theo dự toán được giao",
    )
    response = daumoi_client.post(url, data, follow=True)
    assert response.redirect_chain == [(f"/nhiem-vu/{task.pk}/", 302)]
    task.refresh_from_db()
    assert task.budget_amount == 15_000_000
    assert task.budget_source == BudgetSource.COMMUNE
    assert task.coordinates_all_units is True
    assert list(TaskUnit.objects.filter(task=task).values_list("unit__name", "role")) == [
        (VH_XH, TaskUnitRole.LEAD)
    ]
    assert messages_of(response) == [f"Đã lưu nhiệm vụ “{TASK5}”."]
    text = page_text(response)
    assert "Kinh phí 15.000.000 đồng" in text
    assert "Nguồn kinh phí Ngân sách xã" in text
    assert "Ghi chú Theo dự toán được giao" in text
    entry = history_entries(response)[0]
    assert entry.startswith(f"Sửa · {TASK5}") and f"— {DAUMOI_NAME}, " in entry
    changes = history_changes(response)
    assert (None, "Ngân sách xã") in changes
    assert (None, "Theo dự toán được giao") in changes
    assert any(after == "15.000.000 đồng" for _, after in changes)
    # The edit form shows the amount the Vietnamese way.
    assert 'value="15.000.000"' in daumoi_client.get(url).content.decode()


def test_task_history_shows_the_budget_the_vietnamese_way(habac, daumoi_client):
    task = Task.objects.prefetch_related("task_units__unit").get(pk=task_at(habac, 5).pk)
    data = task_edit_data(task, budget_amount="15.000.000", budget_source=BudgetSource.COMMUNE)
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/{task.pk}/sua/", data, follow=True)
    assert any(after.startswith("15.000.000") for _, after in history_changes(response))


def test_coordinator_adds_a_task_due_by_quarter(habac, units, daumoi_client):
    response = daumoi_client.get(f"/ke-hoach/{habac.pk}/nhiem-vu/them/")
    assert response.status_code == 200 and "Thêm nhiệm vụ" in page_text(response)
    data = task_form_data(
        units,
        deadline_text="Quý II/2026",
        budget_amount="2.500.000 đ",
        budget_source=BudgetSource.RECURRENT,
        coordinating_units=[units["Phòng KT"].pk, units["TT PVHCC"].pk],
    )
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/them/", data, follow=True)
    task = Task.objects.get(plan=habac, title="Tổ chức hội thảo khoa học cấp xã")
    assert response.redirect_chain == [(f"/nhiem-vu/{task.pk}/", 302)]
    assert (task.position, task.deadline_kind, task.due_on, task.starts_on) == (
        10,
        DeadlineKind.PERIOD,
        D(2026, 6, 30),
        D(2026, 4, 1),
    )
    assert task.budget_amount == 2_500_000
    assert [u.name for u in task.lead_units] == [VH_XH]
    assert [u.short_name for u in task.coordinating_units] == ["Phòng KT", "TT PVHCC"]
    text = page_text(response)
    assert "Hạn hoàn thành 30/06/2026" in text
    assert "Thời hạn Quý II/2026 (theo kỳ)" in text
    assert "Đang thực hiện (quá hạn)" in text  # today is 27/11/2026
    assert "Kinh phí 2.500.000 đồng" in text
    entry = history_entries(response)[0]
    assert entry.startswith("Tạo mới · Tổ chức hội thảo khoa học cấp xã") and f"— {DAUMOI_NAME}, " in entry
    changes = history_changes(response)
    assert (None, "Quý II/2026") in changes and (None, "30/06/2026") in changes
    assert (None, "Phòng Kinh tế; Trung tâm Phục vụ Hành chính công") in changes
    # Listed on the plan page as task 10 and in the TT PVHCC's work.
    rows = table_rows(daumoi_client.get(f"/ke-hoach/{habac.pk}/"), "table-tasks")
    assert rows[9][:2] == ["10", "Tổ chức hội thảo khoa học cấp xã"]
    assert rows[9][5] == "Quý II/2026 hạn 30/06/2026"


def test_coordinator_adds_a_conditional_task_with_a_new_trigger(habac, units, daumoi_client):
    triggers_before = Trigger.objects.filter(plan=habac).count()
    data = task_form_data(
        units,
        title="Xây dựng Kế hoạch phát triển hệ sinh thái khởi nghiệp",
        deadline_text="Sau khi Thành phố ban hành Kế hoạch",
        lead_time_days="45",
        new_trigger="Thành phố ban hành Kế hoạch phát triển hệ sinh thái khởi nghiệp",
    )
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/them/", data, follow=True)
    task = Task.objects.get(title="Xây dựng Kế hoạch phát triển hệ sinh thái khởi nghiệp")
    assert response.redirect_chain == [(f"/nhiem-vu/{task.pk}/", 302)]
    assert Trigger.objects.filter(plan=habac).count() == triggers_before + 1
    assert task.trigger.description == "Thành phố ban hành Kế hoạch phát triển hệ sinh thái khởi nghiệp"
    assert (task.deadline_kind, task.due_on, task.lead_time_days) == (DeadlineKind.CONDITIONAL, None, 45)
    text = page_text(response)
    assert "Chờ điều kiện" in text
    assert "Thành phố ban hành Kế hoạch phát triển hệ sinh thái khởi nghiệp: chưa xảy ra" in text
    assert "Thời gian thực hiện sau sự kiện: 45 ngày" in text
    assert "Hạn hoàn thành chưa xác định" in text
    plan_page = daumoi_client.get(f"/ke-hoach/{habac.pk}/")
    plan_text = page_text(plan_page)
    assert "Thành phố ban hành Kế hoạch phát triển hệ sinh thái khởi nghiệp: đang chờ" in plan_text
    entries = history_entries(plan_page)
    assert entries[0].startswith("Tạo mới · Xây dựng Kế hoạch phát triển hệ sinh thái khởi nghiệp")
    assert entries[1].startswith("Tạo mới · Thành phố ban hành Kế hoạch phát triển hệ sinh thái khởi nghiệp")
    assert all(f"— {DAUMOI_NAME}, " in e for e in entries[:2])


def test_coordinator_adds_a_conditional_task_on_the_seed_trigger(habac, units, seed_trigger, daumoi_client):
    data = task_form_data(
        units,
        title="Ban hành Kế hoạch ứng dụng AI",
        deadline_text="Sau khi Thành phố ban hành Kế hoạch",
        trigger=seed_trigger.pk,
    )
    daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/them/", data)
    task = Task.objects.get(title="Ban hành Kế hoạch ứng dụng AI")
    assert task.trigger == seed_trigger
    assert Trigger.objects.filter(plan=habac).count() == 1
    assert seed_trigger.tasks.count() == 4


def test_typed_trigger_is_not_kept_for_a_task_with_a_date(habac, units, daumoi_client):
    before = Trigger.objects.count()
    data = task_form_data(units, deadline_text="Quý II/2026", new_trigger="Sự kiện không dùng đến")
    daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/them/", data)
    assert Trigger.objects.count() == before


def test_coordinator_records_the_seed_trigger(habac, seed_trigger, daumoi_client):
    url = f"/ke-hoach/{habac.pk}/dieu-kien/{seed_trigger.pk}/ghi-nhan/"
    response = daumoi_client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert "Ghi nhận: Thành phố ban hành Kế hoạch" in text
    for position in (1, 2, 3):
        assert f"{position}. {task_at(habac, position).title} — thực hiện trong 30 ngày sau sự kiện" in text

    data = {
        "document_number": "123/KH-UBND",
        "occurred_on": "15/06/2026",
        "document_issuer": "Ủy ban nhân dân thành phố Hải Phòng",
        "document_title": "Kế hoạch KH&CN 2026-2030",
    }
    response = daumoi_client.post(url, data, follow=True)
    assert response.redirect_chain == [(f"/ke-hoach/{habac.pk}/", 302)]
    seed_trigger.refresh_from_db()
    assert (seed_trigger.document_number, seed_trigger.occurred_on) == ("123/KH-UBND", D(2026, 6, 15))
    assert seed_trigger.recorded_by.username == "daumoi"
    for position in (1, 2, 3):
        task = task_at(habac, position)
        assert (task.starts_on, task.due_on) == (D(2026, 6, 15), D(2026, 7, 15))
    assert messages_of(response) == [
        "Đã ghi nhận “Thành phố ban hành Kế hoạch”: 3 nhiệm vụ đã có hạn hoàn thành."
    ]
    rows = table_rows(response, "table-tasks")
    for row in rows[:3]:
        assert row[5] == "Sau khi Thành phố ban hành Kế hoạch hạn 15/07/2026"
        assert row[6] == "Đang thực hiện (quá hạn)"
    text = page_text(response)
    assert "3 đang thực hiện (quá hạn)" in text and "chờ điều kiện" not in text
    assert (
        "Thành phố ban hành Kế hoạch: đã có – văn bản 123/KH-UBND ngày 15/06/2026 "
        "của Ủy ban nhân dân thành phố Hải Phòng"
    ) in text
    entries = history_entries(response)
    assert any(
        "Ghi nhận điều kiện: Thành phố ban hành Kế hoạch (123/KH-UBND)" in e and f"— {DAUMOI_NAME}, " in e
        for e in entries
    )
    assert (None, "123/KH-UBND") in history_changes(response)
    # The task page shows the deadline, the document and its own history.
    task_page = daumoi_client.get(f"/nhiem-vu/{task_at(habac, 1).pk}/")
    task_text = page_text(task_page)
    assert "Hạn hoàn thành 15/07/2026" in task_text
    assert "đã có văn bản 123/KH-UBND ngày 15/06/2026" in task_text
    assert "Đang thực hiện (quá hạn)" in task_text
    assert "Có hạn hoàn thành sau khi ghi nhận “Thành phố ban hành Kế hoạch”" in history_entries(task_page)[0]
    assert (None, "15/07/2026") in history_changes(task_page)


def test_recorded_trigger_in_time_is_on_track(habac, seed_trigger, daumoi_client, monkeypatch):
    freeze_today(monkeypatch, D(2026, 6, 20))
    url = f"/ke-hoach/{habac.pk}/dieu-kien/{seed_trigger.pk}/ghi-nhan/"
    response = daumoi_client.post(
        url, {"document_number": "123/KH-UBND", "occurred_on": "2026-06-15"}, follow=True
    )
    rows = table_rows(response, "table-tasks")
    assert [r[6] for r in rows[:3]] == ["Đang thực hiện (trong hạn)"] * 3


def test_trigger_dated_in_the_future_is_refused(habac, seed_trigger, daumoi_client):
    before = db_fingerprint()
    url = f"/ke-hoach/{habac.pk}/dieu-kien/{seed_trigger.pk}/ghi-nhan/"
    response = daumoi_client.post(url, {"document_number": "123/KH-UBND", "occurred_on": "01/12/2026"})
    assert response.status_code == 200
    assert "Ngày ban hành văn bản không được sau ngày hôm nay." in page_text(response)
    response = daumoi_client.post(url, {"document_number": "", "occurred_on": "31/02/2026"})
    text = page_text(response)
    assert "Chưa nhập số, ký hiệu văn bản." in text
    assert "Ngày ban hành không hợp lệ (dd/mm/yyyy)." in text
    assert db_fingerprint() == before


def test_coordinator_adds_and_edits_a_responsibility(habac, units, daumoi_client):
    youth = Unit.objects.create(
        name="Đoàn Thanh niên Cộng sản Hồ Chí Minh xã",
        short_name="Đoàn TN xã",
        kind=UnitKind.ORGANISATION,
        parent=units["UBND xã Hà Bắc"],
    )
    response = daumoi_client.get(f"/ke-hoach/{habac.pk}/trach-nhiem/them/")
    assert response.status_code == 200 and "Thêm trách nhiệm đơn vị" in page_text(response)
    data = {
        "unit": youth.pk,
        "duties": "Tuyên truyền trong đoàn viên.\r\n\r\nThành lập tổ thanh niên  tình nguyện số.",
    }
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/trach-nhiem/them/", data, follow=True)
    assert response.redirect_chain == [(f"/ke-hoach/{habac.pk}/#trach-nhiem", 302)]
    resp = Responsibility.objects.get(plan=habac, unit=youth)
    assert resp.duties == ["Tuyên truyền trong đoàn viên.", "Thành lập tổ thanh niên tình nguyện số."]
    assert resp.position == 8
    assert messages_of(response) == ["Đã lưu trách nhiệm của đơn vị."]
    assert "8. Đoàn Thanh niên Cộng sản Hồ Chí Minh xã" in section(response, "trach-nhiem")
    entry = history_entries(response)[0]
    assert entry.startswith("Tạo mới · Trách nhiệm của Đoàn Thanh niên") and f"— {DAUMOI_NAME}, " in entry
    assert (
        None,
        "Tuyên truyền trong đoàn viên.; Thành lập tổ thanh niên tình nguyện số.",
    ) in history_changes(response)

    police = Responsibility.objects.get(plan=habac, unit__name="Công an xã")
    old = police.duties
    url = f"/ke-hoach/{habac.pk}/trach-nhiem/{police.pk}/sua/"
    response = daumoi_client.get(url)
    assert response.context["form"]["duties"].value() == "\n\n".join(old)
    response = daumoi_client.post(
        url, {"unit": police.unit_id, "duties": "Làm sạch dữ liệu dân cư."}, follow=True
    )
    police.refresh_from_db()
    assert police.duties == ["Làm sạch dữ liệu dân cư."]
    assert "4. Công an xã" in section(response, "trach-nhiem")
    assert "Làm sạch dữ liệu dân cư." in section(response, "trach-nhiem")
    entry = history_entries(response)[0]
    assert entry.startswith("Sửa · Trách nhiệm của Công an xã") and f"— {DAUMOI_NAME}, " in entry
    assert ("; ".join(old), "Làm sạch dữ liệu dân cư.") in history_changes(response)


def test_coordinator_deletes_a_responsibility(habac, daumoi_client):
    resp = Responsibility.objects.get(plan=habac, unit__name="Công an xã")
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/trach-nhiem/{resp.pk}/xoa/", follow=True)
    assert not Responsibility.objects.filter(pk=resp.pk).exists()
    assert messages_of(response) == ["Đã xóa phần trách nhiệm của đơn vị."]
    assert "Công an xã" not in section(response, "trach-nhiem")
    assert history_entries(response)[0].startswith("Xóa · Trách nhiệm của Công an xã")


def test_coordinator_edits_the_references(habac, daumoi_client):
    response = daumoi_client.get(f"/ke-hoach/{habac.pk}/can-cu/")
    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 13  # 11 stored + 2 empty rows
    old = [r.number for r in habac.references.all()]
    data = reference_formset_data(
        habac,
        change={0: {"title": "Kế hoạch KH&CN thành phố năm 2026"}},
        delete=(10,),
        add=[
            {"number": "57/NQ-TW", "issued_on": "22/12/2024", "issuer": "Bộ Chính trị", "title": ""},
            {"number": "", "issued_on": "", "issuer": "", "title": ""},
        ],
    )
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/can-cu/", data, follow=True)
    assert response.redirect_chain == [(f"/ke-hoach/{habac.pk}/", 302)]
    refs = list(habac.references.order_by("position"))
    assert [r.number for r in refs] == [*old[:10], "57/NQ-TW"]
    assert refs[0].title == "Kế hoạch KH&CN thành phố năm 2026"
    assert refs[-1].issued_on == D(2024, 12, 22)
    assert messages_of(response) == ["Đã lưu 11 căn cứ."]
    refs_text = section(response, "can-cu")
    assert "Kế hoạch KH&CN thành phố năm 2026 – 350/KH-UBND ngày 30/12/2025" in refs_text
    assert "57/NQ-TW ngày 22/12/2024 của Bộ Chính trị" in refs_text
    assert "38-CT/TW" not in refs_text
    entry = history_entries(response)[0]
    assert "Cập nhật căn cứ" in entry and f"— {DAUMOI_NAME}, " in entry
    before, after = next((b, a) for b, a in history_changes(response) if b and b.startswith("350/KH-UBND"))
    assert [item.split(" – ")[0] for item in before.split("; ")] == old
    assert [item.split(" – ")[0] for item in after.split("; ")] == [*old[:10], "57/NQ-TW"]
    assert "57/NQ-TW – 22/12/2024 – Bộ Chính trị" in after


def test_reference_change_of_issuer_and_date_is_in_the_history(habac, daumoi_client):
    entries_before = AuditEntry.objects.count()
    data = reference_formset_data(
        habac, change={1: {"issuer": "Thành ủy Hải Phòng", "issued_on": "2025-08-27"}}
    )
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/can-cu/", data, follow=True)
    ref = habac.references.get(number="12-KH/TU")
    assert (ref.issuer, ref.issued_on) == ("Thành ủy Hải Phòng", D(2025, 8, 27))
    assert AuditEntry.objects.count() == entries_before + 1
    assert any("Thành ủy Hải Phòng" in after for _, after in history_changes(response))


def test_reference_without_number_or_title_is_refused(habac, daumoi_client):
    before = db_fingerprint()
    data = reference_formset_data(
        habac, add=[{"number": "", "issued_on": "01/01/2026", "issuer": "Sở", "title": ""}]
    )
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/can-cu/", data)
    assert response.status_code == 200
    assert "Dòng 12: Mỗi căn cứ cần có số, ký hiệu hoặc trích yếu." in page_text(response)
    assert db_fingerprint() == before


def test_coordinator_edits_the_goals(habac, daumoi_client):
    old = [g.text for g in habac.goals.all()]
    response = daumoi_client.get(f"/ke-hoach/{habac.pk}/muc-tieu/")
    assert response.status_code == 200 and "Mục tiêu của kế hoạch" in page_text(response)
    assert response.context["form"]["goals"].value() == "\n\n".join(old)
    goals = "Mục tiêu thứ nhất.\r\n\r\nMục tiêu   thứ hai,\r\nviết trên hai dòng.\r\n\r\n\r\n"
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/muc-tieu/", {"goals": goals}, follow=True)
    assert [g.text for g in habac.goals.all()] == [
        "Mục tiêu thứ nhất.",
        "Mục tiêu thứ hai, viết trên hai dòng.",
    ]
    assert messages_of(response) == ["Đã lưu mục tiêu."]
    goals_text = section(response, "muc-tieu")
    assert "Mục tiêu thứ nhất. Mục tiêu thứ hai, viết trên hai dòng." in goals_text
    assert "Phấn đấu hoàn thành tốt" not in goals_text
    entry = history_entries(response)[0]
    assert "Cập nhật mục tiêu" in entry and f"— {DAUMOI_NAME}, " in entry
    [(before, after)] = [c for c in history_changes(response) if c[1].startswith("Mục tiêu thứ nhất.")]
    assert after == "Mục tiêu thứ nhất.; Mục tiêu thứ hai, viết trên hai dòng."
    assert before.startswith(old[0][:80]) and old[1][:80] in before


def test_goal_history_keeps_the_whole_goal(habac, daumoi_client):
    old = [g.text for g in habac.goals.all()]
    changed = old[0].replace("kinh tế số", "kinh tế số, xã hội số")
    assert changed != old[0] and changed[:80] == old[0][:80]
    response = daumoi_client.post(
        f"/ke-hoach/{habac.pk}/muc-tieu/", {"goals": "\n\n".join([changed, old[1]])}, follow=True
    )
    assert [g.text for g in habac.goals.all()] == [changed, old[1]]
    assert ("; ".join(old), "; ".join([changed, old[1]])) in history_changes(response)


def test_coordinator_deletes_a_task(habac, daumoi_client):
    task = task_at(habac, 9)
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/{task.pk}/xoa/", follow=True)
    assert not Task.objects.filter(pk=task.pk).exists()
    assert not TaskUnit.objects.filter(task_id=task.pk).exists()
    assert messages_of(response) == [f"Đã xóa nhiệm vụ “{task.title}”."]
    assert len(table_rows(response, "table-tasks")) == 8
    assert history_entries(response)[0].startswith(f"Xóa · {task.title}")


def test_plan_history_page_lists_every_change(habac, units, daumoi_client):
    daumoi_client.post(f"/ke-hoach/{habac.pk}/muc-tieu/", {"goals": "Một mục tiêu."})
    daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/them/", task_form_data(units))
    response = daumoi_client.get(f"/ke-hoach/{habac.pk}/lich-su/")
    entries = history_entries(response)
    assert entries[0].startswith("Tạo mới · Tổ chức hội thảo khoa học cấp xã")
    assert "Cập nhật mục tiêu" in entries[1]
    assert entries[-1].startswith("Tạo mới · 97/KH-UBND") and "— Hệ thống, " in entries[-1]


# 7. Validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": ""}, "Chưa nhập trích yếu của kế hoạch."),
        ({"year": "abc"}, "Năm kế hoạch phải là số, ví dụ 2026."),
        ({"year": "1999"}, "Năm kế hoạch phải trong khoảng 2000–2100."),
        ({"year": ""}, "Chưa nhập năm kế hoạch."),
        ({"lead_unit": ""}, "Chưa chọn đơn vị đầu mối."),
    ],
)
def test_plan_create_refuses_bad_input(habac, units, daumoi_client, overrides, message):
    before = db_fingerprint()
    response = daumoi_client.post("/ke-hoach/tao-moi/", plan_form_data(units, **overrides))
    assert response.status_code == 200
    text = page_text(response)
    assert "Tạo kế hoạch mới" in text
    assert message in text
    assert db_fingerprint() == before
    # The typed values are kept.
    assert "120/KH-UBND" in response.content.decode()


def test_plan_create_refuses_a_lead_unit_the_coordinator_does_not_lead(habac, units, daumoi_client):
    before = db_fingerprint()
    response = daumoi_client.post("/ke-hoach/tao-moi/", plan_form_data(units, lead_unit=units["Phòng KT"].pk))
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ." in page_text(response)
    assert db_fingerprint() == before


def test_plan_edit_refuses_bad_input_and_keeps_the_plan(habac, daumoi_client):
    before = db_fingerprint()
    response = daumoi_client.post(
        f"/ke-hoach/{habac.pk}/sua/", plan_edit_data(habac, title="", year="năm nay")
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Sửa thông tin kế hoạch" in text
    assert "Chưa nhập trích yếu của kế hoạch." in text
    assert "Năm kế hoạch phải là số, ví dụ 2026." in text
    # The header shows the stored plan, not the typed (invalid) values.
    assert "97/KH-UBND – Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm 2026" in text
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"deadline_text": "hôm nào đó"}, "Không hiểu thời hạn “hôm nào đó”."),
        ({"deadline_text": ""}, "Chưa nhập thời hạn (ví dụ: Quý II/2026, 30/06/2026, Cả năm)."),
        ({"deadline_text": "31/02/2026"}, "Ngày “31/02/2026” không có thật (ngày 31/02/2026)."),
        ({"title": ""}, "Chưa nhập tên nhiệm vụ."),
        ({"budget_amount": "abc"}, "Kinh phí phải là số tiền bằng đồng, ví dụ 15.000.000."),
        ({"budget_amount": "-5.000"}, "Kinh phí không được âm."),
        ({"budget_amount": "5.000.000", "budget_source": ""}, "Có kinh phí thì phải ghi rõ nguồn kinh phí."),
        ({"lead_units": []}, "Nhiệm vụ cần ít nhất một đơn vị chủ trì."),
        (
            {"deadline_text": "Sau khi Thành phố ban hành Kế hoạch", "new_trigger": ""},
            "Nhiệm vụ có thời hạn theo điều kiện cần chọn sự kiện điều kiện.",
        ),
    ],
)
def test_task_create_refuses_bad_input_and_saves_nothing(habac, units, daumoi_client, overrides, message):
    before = db_fingerprint()
    data = task_form_data(units, **{"new_trigger": "Thành phố ban hành Kế hoạch mới", **overrides})
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/them/", data)
    assert response.status_code == 200
    text = page_text(response)
    assert "Thêm nhiệm vụ" in text
    assert message in text
    assert db_fingerprint() == before  # no Task, TaskUnit, Trigger or audit row


def test_conditional_task_with_new_trigger_and_unit_clash_saves_nothing(habac, units, daumoi_client):
    # The trigger is written before the units are checked: the whole action must roll back.
    before = db_fingerprint()
    data = task_form_data(
        units,
        deadline_text="Sau khi Thành phố ban hành Kế hoạch",
        new_trigger="Thành phố ban hành Kế hoạch mới",
        lead_units=[units["Phòng VH-XH"].pk],
        coordinating_units=[units["Phòng VH-XH"].pk, units["Phòng KT"].pk],
    )
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/them/", data)
    assert response.status_code == 200
    assert "Phòng Văn hóa - Xã hội đã là đơn vị chủ trì, không ghi thêm là phối hợp." in page_text(response)
    assert db_fingerprint() == before


def test_task_edit_refuses_same_unit_leading_and_coordinating(habac, units, daumoi_client):
    task = Task.objects.prefetch_related("task_units__unit").get(pk=task_at(habac, 3).pk)
    before = db_fingerprint()
    data = task_edit_data(
        task, coordinating_units=[units["TT PVHCC"].pk], budget_amount="1.000", budget_source="ns_xa"
    )
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/{task.pk}/sua/", data)
    assert response.status_code == 200
    text = page_text(response)
    assert "Trung tâm Phục vụ Hành chính công đã là đơn vị chủ trì, không ghi thêm là phối hợp." in text
    assert db_fingerprint() == before


def test_unit_clash_message_is_on_the_coordinating_field(habac, units, daumoi_client):
    data = task_form_data(units, coordinating_units=[units["Phòng VH-XH"].pk])
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/them/", data)
    assert response.context["form"].errors.get("coordinating_units") == [
        "Phòng Văn hóa - Xã hội đã là đơn vị chủ trì, không ghi thêm là phối hợp."
    ]


def test_task_edit_with_bad_deadline_keeps_the_task(habac, units, daumoi_client):
    task = Task.objects.prefetch_related("task_units__unit").get(pk=task_at(habac, 5).pk)
    before = db_fingerprint()
    data = task_edit_data(task, title="Tên mới", deadline_text="hôm nào đó", new_trigger="Sự kiện mới")
    response = daumoi_client.post(f"/ke-hoach/{habac.pk}/nhiem-vu/{task.pk}/sua/", data)
    assert response.status_code == 200
    assert "Không hiểu thời hạn “hôm nào đó”." in page_text(response)
    assert db_fingerprint() == before
    assert TASK5 in page_text(daumoi_client.get(f"/nhiem-vu/{task.pk}/"))


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"target": "120"}, "target", "Tỷ lệ phải nằm trong khoảng từ 0 đến 100%."),
        ({"target": "mười"}, "target", "Giá trị mục tiêu phải là số."),
        ({"target": ""}, "target", "Chưa nhập giá trị mục tiêu."),
        ({"name": ""}, "name", "Chưa nhập tên chỉ tiêu."),
        (
            {"unit_of_measure": ""},
            "unit_of_measure",
            "Chưa nhập đơn vị tính (ví dụ: %, sáng kiến, doanh nghiệp).",
        ),
        (
            {"comparator": "between", "target": "60", "target_max": ""},
            "target_max",
            "Chỉ tiêu dạng khoảng cần giá trị tối đa.",
        ),
        (
            {"comparator": "between", "target": "60", "target_max": "50"},
            "target_max",
            "Giá trị tối đa phải lớn hơn giá trị mục tiêu.",
        ),
        ({"code": "CT01"}, "code", "Mã chỉ tiêu CT01 đã được dùng trong kế hoạch này."),
        ({"unit_of_measure": "sáng kiến", "target": "-1"}, "target", "Giá trị mục tiêu không được âm."),
    ],
)
def test_indicator_create_refuses_bad_input(habac, units, daumoi_client, overrides, field, message):
    before = db_fingerprint()
    response = daumoi_client.post(
        f"/ke-hoach/{habac.pk}/chi-tieu/them/", indicator_form_data(habac, units, **overrides)
    )
    assert response.status_code == 200
    assert message in page_text(response)
    assert message in response.context["form"].errors.get(field, []), response.context["form"].errors
    assert db_fingerprint() == before


def test_indicator_edit_refuses_a_rate_above_100(habac, daumoi_client):
    ind = indicator(habac, "CT08")
    before = db_fingerprint()
    response = daumoi_client.post(
        f"/ke-hoach/{habac.pk}/chi-tieu/{ind.pk}/sua/", indicator_edit_data(ind, target="120")
    )
    assert response.status_code == 200
    assert "Tỷ lệ phải nằm trong khoảng từ 0 đến 100%." in page_text(response)
    assert db_fingerprint() == before
    assert "Phấn đấu đạt 90%" in page_text(daumoi_client.get(f"/chi-tieu/{ind.pk}/"))


def test_responsibility_refuses_a_second_entry_for_a_unit_and_empty_duties(habac, units, daumoi_client):
    before = db_fingerprint()
    url = f"/ke-hoach/{habac.pk}/trach-nhiem/them/"
    response = daumoi_client.post(url, {"unit": units["Công an xã"].pk, "duties": "Việc khác."})
    assert response.status_code == 200
    assert "Kế hoạch đã có phần trách nhiệm của Công an xã." in page_text(response)
    response = daumoi_client.post(url, {"unit": units["Công an xã"].pk, "duties": "  \r\n  "})
    assert "Cần ghi ít nhất một nhiệm vụ cho đơn vị." in page_text(response)
    response = daumoi_client.post(url, {"unit": "", "duties": "Việc."})
    assert "Chưa chọn đơn vị." in page_text(response)
    assert db_fingerprint() == before


def test_forms_of_another_plan_object_are_404(habac, digital_plan, daumoi_client):
    # An indicator/task/responsibility/trigger of plan A cannot be edited through plan B's URLs.
    other = digital_plan.pk
    ind = indicator(habac, "CT01")
    task = task_at(habac, 1)
    resp = Responsibility.objects.filter(plan=habac).first()
    trigger = Trigger.objects.get(plan=habac)
    for url in [
        f"/ke-hoach/{other}/chi-tieu/{ind.pk}/sua/",
        f"/ke-hoach/{other}/nhiem-vu/{task.pk}/sua/",
        f"/ke-hoach/{other}/trach-nhiem/{resp.pk}/sua/",
        f"/ke-hoach/{other}/dieu-kien/{trigger.pk}/ghi-nhan/",
    ]:
        assert daumoi_client.get(url).status_code == 404, url
    before = db_fingerprint()
    for url in [
        f"/ke-hoach/{other}/chi-tieu/{ind.pk}/xoa/",
        f"/ke-hoach/{other}/nhiem-vu/{task.pk}/xoa/",
        f"/ke-hoach/{other}/trach-nhiem/{resp.pk}/xoa/",
    ]:
        assert daumoi_client.post(url).status_code == 404, url
    assert db_fingerprint() == before


# 8. Refused writes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["vhxh", "lanhdao", "captren", "quantri", "other_coordinator"])
def test_non_coordinators_cannot_write_the_habac_plan(habac, units, users, other_city, client_for, who):
    user = other_city["coordinator"] if who == "other_coordinator" else users[who]
    client = client_for(user)
    payloads = valid_payloads(habac, units)
    forms, deletes = write_urls(habac)
    before = db_fingerprint()
    for url in forms:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Không có quyền truy cập" in page_text(response), url
        response = client.post(url, payloads[url])
        assert response.status_code == 403, url
    for url in deletes:
        assert client.get(url).status_code == 405, url  # delete URLs only answer POST, for everyone
        assert client.post(url).status_code == 403, url
    if who != "other_coordinator":
        assert client.get("/ke-hoach/tao-moi/").status_code == 403
        response = client.post("/ke-hoach/tao-moi/", plan_form_data(units))
        assert response.status_code == 403
        assert "Chỉ cán bộ đầu mối mới được tạo kế hoạch." in page_text(response)
    assert db_fingerprint() == before


def test_other_city_coordinator_cannot_create_a_plan_for_habac(habac, units, other_city, client_for):
    client = client_for(other_city["coordinator"])
    response = client.get("/ke-hoach/tao-moi/")
    assert response.status_code == 200
    assert list(response.context["form"].fields["lead_unit"].queryset) == [other_city["office"]]
    before = db_fingerprint()
    response = client.post("/ke-hoach/tao-moi/", plan_form_data(units))
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ." in page_text(response)
    assert db_fingerprint() == before
    # Their own office is fine, and the plan belongs to their commune.
    response = client.post("/ke-hoach/tao-moi/", plan_form_data(units, lead_unit=other_city["office"].pk))
    plan = Plan.objects.get(number="120/KH-UBND")
    assert plan.owner_unit == other_city["commune"]
    assert response.status_code == 302


# 10. Query counts ----------------------------------------------------------------------------------------


def add_rows(plan: Plan, units) -> None:
    """30 more tasks with lead and coordinating units, 10 more indicators with coordinating units."""
    leads = [units["Phòng VH-XH"], units["TT PVHCC"], units["Công an xã"]]
    group = IndicatorGroup.objects.filter(plan=plan).first()
    for i in range(30):
        task = Task.objects.create(
            plan=plan,
            position=100 + i,
            title=f"Nhiệm vụ bổ sung số {i}",
            output="Báo cáo",
            deadline_text="Cả năm",
            deadline_kind=DeadlineKind.CONTINUOUS,
            deadline_date=D(2026, 12, 31),
            starts_on=D(2026, 1, 1),
            due_on=D(2026, 12, 31),
            coordinates_all_units=i % 3 == 0,
        )
        TaskUnit.objects.create(task=task, unit=leads[i % 3], role=TaskUnitRole.LEAD, position=0)
        TaskUnit.objects.create(task=task, unit=leads[(i + 1) % 3], role=TaskUnitRole.COORDINATE, position=0)
        TaskUnit.objects.create(task=task, unit=units["Phòng KT"], role=TaskUnitRole.COORDINATE, position=1)
    for i in range(10):
        ind = Indicator.objects.create(
            plan=plan,
            group=group if i % 2 else None,
            position=100 + i,
            code=f"BS{i:02d}",
            name=f"Chỉ tiêu bổ sung số {i}",
            target=Decimal(10 + i),
            unit_of_measure="sáng kiến",
            lead_unit=leads[i % 3],
        )
        ind.coordinating_units.set([leads[(i + 1) % 3], units["Phòng KT"]])
    Responsibility.objects.create(
        plan=plan,
        position=99,
        unit=Unit.objects.create(
            name="Đoàn Thanh niên xã", kind=UnitKind.ORGANISATION, parent=units["UBND xã Hà Bắc"]
        ),
        duties=["Một việc."],
    )


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_page_query_counts_are_bounded_and_do_not_grow(
    habac, units, users, client_for, django_assert_max_num_queries
):
    client = client_for(users["daumoi"])
    # URL → the most queries it may run (session, user and access included), whatever the plan's size.
    bounds = {
        f"/ke-hoach/{habac.pk}/": 25,
        "/ke-hoach/": 15,
        "/nhiem-vu/": 20,
        "/viec-cua-don-vi/": 35,
        f"/viec-cua-don-vi/?don_vi={units['TT PVHCC'].pk}": 35,
        f"/nhiem-vu/{task_at(habac, 3).pk}/": 25,
        f"/chi-tieu/{indicator(habac, 'CT07').pk}/": 25,
    }
    urls = list(bounds)
    for url in urls:  # warm the per-process caches (content types, …)
        client.get(url)
    seed_counts = {url: count_queries(client, url) for url in urls}
    for url, bound in bounds.items():
        with django_assert_max_num_queries(bound):
            client.get(url)
    add_rows(habac, units)
    grown_counts = {url: count_queries(client, url) for url in urls}
    assert grown_counts == seed_counts
    # The pages really show the new rows.
    plan_page = client.get(f"/ke-hoach/{habac.pk}/")
    assert len(table_rows(plan_page, "table-tasks")) == 39
    assert "Chỉ tiêu (21)" in section(plan_page, "chi-tieu")
    assert len(client.get("/nhiem-vu/").context["page"]) == 39


# 11. Mobile and print ------------------------------------------------------------------------------------


def test_plan_page_is_ready_for_phones_and_print(habac, users, client_for):
    response = client_for(users["lanhdao"]).get(f"/ke-hoach/{habac.pk}/")
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    assert "/static/css/kehoach.css" in body
    assert 'class="table table-sm table-hover mb-0 table-tasks table-responsive-stack"' in body
    assert 'onclick="window.print()"' in body
    css = (Path(settings.BASE_DIR) / "static" / "css" / "kehoach.css").read_text(encoding="utf-8")
    assert "@media print" in css
    print_rules = css[css.index("@media print") :]
    assert ".no-print" in print_rules and "display: none" in print_rules
