"""Request tests for login, the unit pages and the profile page (API tokens)."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import DEMO_PASSWORD
from kehoach.core.models import AuditEntry
from kehoach.plans.choices import DeadlineKind, TaskUnitRole
from kehoach.plans.models import Indicator, Task, TaskUnit
from kehoach.units.models import ApiToken, Unit, User
from kehoach.units.services import token_authenticate, token_create

TODAY = datetime.date(2026, 11, 27)
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
COMMUNE_UNITS = [
    "Ủy ban nhân dân xã Hà Bắc",
    "Phòng Văn hóa - Xã hội",
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
    "Phòng Kinh tế",
    "Công an xã",
    "Trung tâm Phục vụ Hành chính công",
    "Trung tâm Dịch vụ sự nghiệp công",
    "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
]
TASK3 = "Xây dựng Kế hoạch ứng dụng CNTT và chuyển đổi số năm 2026"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    real = timezone.localdate

    def fake(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", fake)
    return TODAY


def page_text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def listed_units(response) -> list[str]:
    return [u.name for u in response.context["units"]]


# Login -------------------------------------------------------------------------------------------------


def test_login_page_is_in_vietnamese():
    response = Client().get("/dang-nhap/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="vi">' in body
    text = page_text(response)
    assert "Đăng nhập" in text and "Tên đăng nhập" in text and "Mật khẩu" in text
    assert 'name="csrfmiddlewaretoken"' in body


def test_demo_user_logs_in_and_lands_on_the_units_work(users):
    client = Client()
    response = client.post("/dang-nhap/", {"username": "pvhcc", "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain == [("/", 302), ("/viec-cua-don-vi/", 302)]
    assert response.wsgi_request.user.username == "pvhcc"
    text = page_text(response)
    assert "Đỗ Thị Mai" in text and "Đăng xuất" in text
    assert "Việc của đơn vị" in text and TASK3 in text


def test_login_goes_to_the_page_asked_for(habac, users):
    client = Client()
    response = client.get(f"/ke-hoach/{habac.pk}/")
    assert response["Location"] == f"/dang-nhap/?next=/ke-hoach/{habac.pk}/"
    response = client.post(
        "/dang-nhap/",
        {"username": "lanhdao", "password": DEMO_PASSWORD, "next": f"/ke-hoach/{habac.pk}/"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/ke-hoach/{habac.pk}/", 302)]
    assert "97/KH-UBND" in page_text(response)


def test_wrong_password_is_refused_in_vietnamese(users):
    client = Client()
    response = client.post("/dang-nhap/", {"username": "daumoi", "password": "sai-mat-khau"})
    assert response.status_code == 200
    text = page_text(response)
    assert "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác." in text
    assert "_auth_user_id" not in client.session
    assert 'value="daumoi"' in response.content.decode()


def test_logout(users, client_for):
    client = client_for(users["daumoi"])
    response = client.post("/dang-xuat/", follow=True)
    assert response.redirect_chain == [("/dang-nhap/", 302)]
    assert "_auth_user_id" not in client.session
    assert client.get("/tai-khoan/")["Location"] == "/dang-nhap/?next=/tai-khoan/"


def test_anonymous_is_sent_to_login_from_unit_and_profile_pages(habac, units, users):
    token, _ = token_create(user=users["daumoi"], name="Mã thử")
    client = Client()
    for url in [
        "/don-vi/",
        f"/don-vi/{units['TT PVHCC'].pk}/",
        "/tai-khoan/",
        f"/tai-khoan/ma-api/{token.pk}/thu-hoi/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/dang-nhap/?next={url}", url
    response = client.post(f"/tai-khoan/ma-api/{token.pk}/thu-hoi/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


# Unit list and unit pages: who reads what ------------------------------------------------------------


@pytest.mark.parametrize("username", [u for u in HABAC_USERS if u not in ("captren", "quantri")])
def test_commune_members_list_the_commune_tree(habac, users, client_for, username):
    response = client_for(users[username]).get("/don-vi/")
    assert response.status_code == 200
    assert sorted(listed_units(response)) == sorted(COMMUNE_UNITS)
    text = page_text(response)
    assert "Trung tâm Phục vụ Hành chính công · Phòng, ban, trung tâm, cơ quan" in text
    assert "Sở Khoa học và Công nghệ" not in text


def test_city_supervisor_lists_the_whole_city(habac, users, client_for, other_city):
    response = client_for(users["captren"]).get("/don-vi/")
    names = listed_units(response)
    assert set(COMMUNE_UNITS) <= set(names)
    assert "Ủy ban nhân dân thành phố Hải Phòng" in names
    assert "Sở Khoa học và Công nghệ thành phố Hải Phòng" in names
    assert not any("Hà Nội" in n or "Sóc Sơn" in n for n in names)


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_other_city_lists_only_its_own_units(habac, other_city, client_for, who):
    response = client_for(other_city[who]).get("/don-vi/")
    names = listed_units(response)
    assert "Ủy ban nhân dân xã Sóc Sơn" in names
    assert not any("Hà Bắc" in n or "Hải Phòng" in n for n in names)
    assert "Trung tâm Phục vụ Hành chính công" not in names


def test_user_without_membership_lists_no_unit(habac, client_for):
    lonely = User.objects.create_user("chua_phan_quyen", password="x")
    response = client_for(lonely).get("/don-vi/")
    assert listed_units(response) == []
    assert "Không có đơn vị nào bạn được xem." in page_text(response)
    assert client_for(lonely).get(f"/don-vi/{Unit.objects.get(short_name='TT PVHCC').pk}/").status_code == 403


@pytest.mark.parametrize("username", HABAC_USERS)
def test_every_habac_user_reads_the_unit_pages(habac, units, users, client_for, username):
    client = client_for(users[username])
    response = client.get(f"/don-vi/{units['TT PVHCC'].pk}/")
    assert response.status_code == 200
    assert TASK3 in page_text(response)
    response = client.get(f"/don-vi/{units['UBND xã Hà Bắc'].pk}/")
    assert response.status_code == 200
    assert "97/KH-UBND" in page_text(response)


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_other_city_cannot_read_habac_units(habac, units, other_city, client_for, who):
    client = client_for(other_city[who])
    for name in ["TT PVHCC", "UBND xã Hà Bắc", "Phòng VH-XH", "UBND thành phố Hải Phòng"]:
        response = client.get(f"/don-vi/{units[name].pk}/")
        assert response.status_code == 403, name
        text = page_text(response)
        assert "Bạn không có quyền xem đơn vị này." in text, name
        assert TASK3 not in text and "Đỗ Thị Mai" not in text


@pytest.mark.parametrize("username", HABAC_USERS)
def test_habac_users_cannot_read_hanoi_units(habac, users, other_city, client_for, username):
    client = client_for(users[username])
    expected = 200 if username == "quantri" else 403  # superusers read everything (units.access)
    for unit in (other_city["commune"], other_city["office"]):
        assert client.get(f"/don-vi/{unit.pk}/").status_code == expected


def test_unit_page_of_the_service_centre(habac, units, users, client_for):
    response = client_for(users["kinhte"]).get(f"/don-vi/{units['TT PVHCC'].pk}/")
    text = page_text(response)
    assert "Trung tâm Phục vụ Hành chính công" in text
    assert "thuộc Ủy ban nhân dân xã Hà Bắc" in text
    assert "Viết tắt: TT PVHCC" in text
    led = text[text.index("Nhiệm vụ chủ trì (1)") : text.index("Nhiệm vụ phối hợp (8)")]
    assert TASK3 in led and "Chờ điều kiện" in led and "thời hạn: Sau khi Thành phố ban hành Kế hoạch" in led
    for name in [
        "Kết quả giải quyết thủ tục hành chính được số hóa theo quy định",
        "Tỷ lệ mức độ hài lòng của người dân, doanh nghiệp trong giải quyết thủ tục hành chính",
        "Dữ liệu thông tin TTHC được khai thác",
    ]:
        assert name in text
    assert "phấn đấu đạt 90%" in text and "từ 90% trở lên" in text
    assert "Công khai kịp thời, đầy đủ bằng phương tiện điện tử" in text
    assert "Cán bộ Đỗ Thị Mai Cán bộ đơn vị · Viên chức Trung tâm Phục vụ Hành chính công" in text


def test_unit_page_of_the_commune(habac, units, users, client_for):
    response = client_for(users["pvhcc"]).get(f"/don-vi/{units['UBND xã Hà Bắc'].pk}/")
    assert response.context["work"] is None
    text = page_text(response)
    assert "Kế hoạch do UBND xã Hà Bắc ban hành" in text
    assert "97/KH-UBND – Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm 2026" in text
    children = text[text.index("Đơn vị trực thuộc") : text.index("Cán bộ")]
    for name in COMMUNE_UNITS[1:]:
        assert name in children
    assert "Nguyễn Anh Tuấn Lãnh đạo · Chủ tịch UBND xã" in text
    assert "Quản trị hệ thống Quản trị" in text


def test_unknown_unit_is_404(habac, users, client_for):
    assert client_for(users["daumoi"]).get("/don-vi/999999/").status_code == 404


# Query counts ----------------------------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_unit_pages_run_a_fixed_number_of_queries(
    habac, units, users, client_for, django_assert_max_num_queries
):
    client = client_for(users["daumoi"])
    urls = [f"/don-vi/{units['TT PVHCC'].pk}/", f"/don-vi/{units['UBND xã Hà Bắc'].pk}/", "/don-vi/"]
    for url in urls:
        client.get(url)
    seed = {url: _count(client, url) for url in urls}
    for url in urls:
        with django_assert_max_num_queries(20):
            client.get(url)
    for i in range(30):
        task = Task.objects.create(
            plan=habac,
            position=100 + i,
            title=f"Nhiệm vụ bổ sung {i}",
            deadline_text="Cả năm",
            deadline_kind=DeadlineKind.CONTINUOUS,
            deadline_date=TODAY.replace(month=12, day=31),
            due_on=TODAY.replace(month=12, day=31),
            coordinates_all_units=i % 2 == 0,
        )
        TaskUnit.objects.create(
            task=task, unit=units["TT PVHCC"], role=TaskUnitRole.LEAD if i % 3 else TaskUnitRole.COORDINATE
        )
        TaskUnit.objects.create(task=task, unit=units["Phòng KT"], role=TaskUnitRole.COORDINATE, position=1)
    for i in range(10):
        ind = Indicator.objects.create(
            plan=habac,
            code=f"BS{i}",
            name=f"Chỉ tiêu bổ sung {i}",
            target=5,
            unit_of_measure="%",
            lead_unit=units["TT PVHCC"] if i % 2 else units["Phòng KT"],
        )
        ind.coordinating_units.set(
            [units["TT PVHCC"], units["Công an xã"]] if i % 2 == 0 else [units["Công an xã"]]
        )
    assert {url: _count(client, url) for url in urls} == seed
    work = client.get(urls[0]).context["work"]
    assert len(work["led_tasks"]) == 1 + 20 and len(work["led_indicators"]) == 3 + 5
    assert len(work["coordinated_indicators"]) == 5


# Profile page and API tokens ---------------------------------------------------------------------------


def test_profile_lists_the_roles(users, client_for):
    response = client_for(users["daumoi"]).get("/tai-khoan/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Trần Thị Hương" in text and "Công chức Văn hóa - Xã hội (đầu mối)" in text
    assert "Đầu mối · Phòng Văn hóa - Xã hội" in text
    assert "Mã truy cập API" in text


def test_api_token_is_shown_once_then_only_its_prefix(users, client_for):
    client = client_for(users["daumoi"])
    response = client.post("/tai-khoan/", {"name": "Kết nối báo cáo thành phố"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=users["daumoi"])
    shown = re.search(r'<code class="[^"]*" id="new-token">(kh_[^<]+)</code>', response.content.decode())
    raw = shown.group(1)
    assert raw.startswith("kh_") and len(raw) > 30
    assert raw.startswith(token.prefix) and token.prefix == raw[:10]
    assert token.key_hash != raw and raw not in token.key_hash
    assert token_authenticate(raw) == users["daumoi"]
    text = page_text(response)
    assert "Đã tạo mã truy cập API. Hãy sao chép ngay: mã chỉ hiển thị một lần." in text
    assert "Mã mới (chỉ hiển thị một lần):" in text
    assert f"Kết nối báo cáo thành phố {token.prefix}…" in text

    response = client.get("/tai-khoan/")
    body = response.content.decode()
    assert raw not in body
    assert 'id="new-token"' not in body
    assert f"<code>{token.prefix}…</code>" in body
    assert "Thu hồi" in page_text(response)


def test_api_token_needs_a_name(users, client_for):
    client = client_for(users["daumoi"])
    response = client.post("/tai-khoan/", {"name": "   "})
    assert response.status_code == 200
    assert "Trường này là bắt buộc." in page_text(response)
    assert not ApiToken.objects.exists()
    assert 'id="new-token"' not in response.content.decode()


def test_api_token_is_revoked(users, client_for):
    client = client_for(users["daumoi"])
    token, raw = token_create(user=users["daumoi"], name="Kết nối thử")
    audit_before = AuditEntry.objects.count()
    response = client.post(f"/tai-khoan/ma-api/{token.pk}/thu-hoi/", follow=True)
    assert response.redirect_chain == [("/tai-khoan/", 302)]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_authenticate(raw) is None
    text = page_text(response)
    assert "Đã thu hồi mã “Kết nối thử”." in text
    assert f"đã thu hồi {timezone.localtime(token.revoked_at).strftime('%d/%m/%Y')}" in text
    assert f"/tai-khoan/ma-api/{token.pk}/thu-hoi/" not in response.content.decode()  # no second button
    entry = AuditEntry.objects.order_by("-pk").first()
    assert AuditEntry.objects.count() == audit_before + 1
    assert entry.actor == users["daumoi"] and entry.summary == "Thu hồi mã API"
    # Revoking twice, or by GET, does nothing.
    assert client.post(f"/tai-khoan/ma-api/{token.pk}/thu-hoi/").status_code == 404
    assert client.get(f"/tai-khoan/ma-api/{token.pk}/thu-hoi/").status_code == 405


def test_cannot_revoke_another_users_token(users, client_for):
    token, raw = token_create(user=users["vhxh"], name="Mã của người khác")
    for username in ["daumoi", "lanhdao", "quantri"]:
        response = client_for(users[username]).post(f"/tai-khoan/ma-api/{token.pk}/thu-hoi/")
        assert response.status_code == 404, username
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token_authenticate(raw) == users["vhxh"]
    # Nor see it on one's own profile.
    assert "Mã của người khác" not in page_text(client_for(users["daumoi"]).get("/tai-khoan/"))
