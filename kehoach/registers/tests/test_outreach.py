"""Tuyên truyền: articles and broadcasts with link or file, the list's summary, and the community
digital technology teams with members and activities."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.core.models import AuditEntry
from kehoach.registers.models import CommunityTechTeam, OutreachItem, TeamActivity, TeamMember, Village
from kehoach.registers.registry import spec_for
from kehoach.registers.services.rows import row_save

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ITEM_HEADER = "Loại,Tiêu đề,Ngày đăng/phát,Kênh,Chuyên mục,Đường dẫn\n"
TEAM_HEADER = "Tên tổ,Thôn,Ngày thành lập,Số quyết định thành lập\n"
SERIES = "Chuyển đổi số xã Hà Bắc"
UPU = "Cuộc thi viết thư quốc tế UPU"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def item_data(units, **overrides):
    data = {
        "kind": "bai_viet",
        "title": "Hà Bắc ra mắt Tổ công nghệ số cộng đồng",
        "date": "15/03/2026",
        "channel": "Trang thông tin điện tử xã",
        "series": SERIES,
        "link": "https://habac.haiphong.gov.vn/tin-tuc/to-cong-nghe-so",
        "unit": units["Phòng VH-XH"].pk,
    }
    data.update(overrides)
    return data


def item(user, unit, title, day, series="", kind="bai_viet", channel="Trang thông tin điện tử xã"):
    data = {"kind": kind, "title": title, "date": day, "channel": channel, "series": series, "unit": unit}
    return row_save(actor=user, spec=spec_for("tuyen-truyen"), data=data)


def upload(client, slug, text, name="a.csv"):
    return client.post(f"/so-theo-doi/{slug}/nhap/", {"file": SimpleUploadedFile(name, text.encode())})


@pytest.fixture
def villages(habac, users, units):
    user, unit = users["vhxh"], units["Phòng VH-XH"]
    return {
        name: row_save(
            actor=user, spec=spec_for("thon"), data={"name": name, "population": 900, "unit": unit}
        )
        for name in ("Thôn Đông", "Thôn Tây")
    }


@pytest.fixture
def team(villages, users, units):
    data = {
        "name": "Tổ công nghệ số cộng đồng thôn Đông",
        "village": villages["Thôn Đông"],
        "established_on": datetime.date(2026, 2, 1),
        "decision_number": "25/QĐ-UBND",
        "unit": units["Phòng VH-XH"],
    }
    return row_save(actor=users["vhxh"], spec=spec_for("to-cong-nghe-so"), data=data)


# Articles and broadcasts ------------------------------------------------------------------------


def test_an_article_with_its_file_is_kept_and_served_only_to_readers(
    habac, users, units, client_for, other_city, media
):
    client = client_for(users["vhxh"])
    response = client.post(
        "/so-theo-doi/tuyen-truyen/them/",
        item_data(units, file=SimpleUploadedFile("bai-bao.png", PNG, content_type="image/png")),
    )
    article = OutreachItem.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert (article.file_name, article.file_type) == ("bai-bao.png", "image/png")
    assert article.file.name.startswith("outreach/") and "bai-bao" not in article.file.name
    assert (media / article.file.name).read_bytes() == PNG
    page = client.get(article.get_absolute_url()).content.decode()
    assert f"/so-theo-doi/tuyen-truyen/{article.pk}/tep/" in page and "bai-bao.png" in page
    download = client_for(users["captren"]).get(f"/so-theo-doi/tuyen-truyen/{article.pk}/tep/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert 'filename="bai-bao.png"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert (
        client_for(other_city["supervisor"]).get(f"/so-theo-doi/tuyen-truyen/{article.pk}/tep/").status_code
        == 403
    )


def test_file_type_is_read_from_the_content(habac, users, units, client_for):
    fake = SimpleUploadedFile("bai-bao.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    page = client_for(users["vhxh"]).post("/so-theo-doi/tuyen-truyen/them/", item_data(units, file=fake))
    text = page.content.decode()
    assert "Tệp “bai-bao.pdf” không phải loại được phép (PDF, DOCX, XLSX, PNG, JPEG)" in text
    assert not OutreachItem.objects.exists()


def test_link_and_required_fields_are_checked(habac, users, units, client_for):
    page = client_for(users["vhxh"]).post(
        "/so-theo-doi/tuyen-truyen/them/", item_data(units, link="habac.gov.vn/bai", channel="", title="")
    )
    text = page.content.decode()
    assert "Đường dẫn không hợp lệ: hãy dán đầy đủ địa chỉ, bắt đầu bằng http:// hoặc https://." in text
    assert "Chưa nhập kênh đăng, phát." in text and "Chưa nhập tiêu đề." in text
    assert not OutreachItem.objects.exists()


def test_the_list_shows_counts_by_series_and_month(habac, users, units, client_for):
    user, unit = users["vhxh"], units["Phòng VH-XH"]
    item(user, unit, "Bài 1", datetime.date(2026, 3, 2), SERIES)
    item(user, unit, "Bài 2", datetime.date(2026, 3, 20), SERIES)
    item(
        user,
        unit,
        "Tin 1",
        datetime.date(2026, 4, 5),
        SERIES,
        kind="tin_phat_thanh",
        channel="Đài truyền thanh xã",
    )
    item(user, unit, "Thư UPU", datetime.date(2026, 4, 9), UPU)
    item(user, unit, "Tin khác", datetime.date(2026, 5, 1))
    client = client_for(users["captren"])
    page = client.get("/so-theo-doi/tuyen-truyen/").content.decode()
    assert "5 tin, bài" in page
    assert f"{SERIES}: 3" in page and f"{UPU}: 1" in page and "Chưa ghi chuyên mục: 1" in page
    assert "T3/2026: 2" in page and "T4/2026: 2" in page and "T5/2026: 1" in page
    # The summary follows the filters.
    page = client.get("/so-theo-doi/tuyen-truyen/", {"kind": "tin_phat_thanh"}).content.decode()
    assert "1 tin, bài" in page and "T4/2026: 1" in page and "T3/2026" not in page
    page = client.get("/so-theo-doi/tuyen-truyen/", {"series": UPU}).content.decode()
    assert "Thư UPU" in page and "Bài 1" not in page
    page = client.get("/so-theo-doi/tuyen-truyen/", {"channel": "Đài truyền thanh xã"}).content.decode()
    assert "Tin 1" in page and "Bài 2" not in page


def test_article_import_is_all_or_nothing_and_finds_duplicates(habac, users, units, client_for):
    client = client_for(users["vhxh"])
    bad = (
        ITEM_HEADER
        + f"Bài viết,Bài A,02/03/2026,Trang thông tin điện tử xã,{SERIES},https://habac.gov.vn/a\n"
        + f"Bài viết,Bài A,02/03/2026,Trang thông tin điện tử xã,{SERIES},\n"
        + "Tin phát thanh,Tin B,02/03/2026,,,\n"
        + "Video,Tin C,02/03/2026,Đài truyền thanh xã,,ftp://x\n"
    )
    page = upload(client, "tuyen-truyen", bad).content.decode()
    assert "Dòng 3, cột Tiêu đề: trùng với dòng 2 trong tệp." in page
    assert "Dòng 4, cột Kênh: bắt buộc, không được để trống." in page
    assert "Dòng 5, cột Loại: “Video” không thuộc các giá trị" in page
    client.post("/so-theo-doi/tuyen-truyen/nhap/", {"confirm": "1"})
    assert not OutreachItem.objects.exists()
    good = (
        ITEM_HEADER
        + f"Bài viết,Bài A,02/03/2026,Trang thông tin điện tử xã,{SERIES},https://habac.gov.vn/a\n"
    )
    upload(client, "tuyen-truyen", good)
    assert client.post("/so-theo-doi/tuyen-truyen/nhap/", {"confirm": "1"}).status_code == 302
    page = upload(client, "tuyen-truyen", good).content.decode()
    assert (
        "Dòng 2, cột Tiêu đề: Đã có tin, bài tuyên truyền khác trùng tiêu đề “Bài A” và ngày đăng, phát "
        "“02/03/2026” và kênh “Trang thông tin điện tử xã”."
    ) in page


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_reimport_unchanged(team, users, units, client_for, fmt):
    client = client_for(users["vhxh"])
    client.post("/so-theo-doi/tuyen-truyen/them/", item_data(units))
    item(
        users["vhxh"],
        units["Phòng VH-XH"],
        "Tin phát thanh",
        datetime.date(2026, 4, 1),
        kind="tin_phat_thanh",
    )
    fields = ("kind", "title", "date", "channel", "series", "link", "unit")
    team_fields = ("name", "village__name", "established_on", "decision_number", "unit")
    before = (
        sorted(OutreachItem.objects.values_list(*fields)),
        sorted(CommunityTechTeam.objects.values_list(*team_fields)),
    )
    items = client.get(f"/so-theo-doi/tuyen-truyen/xuat.{fmt}").content
    teams = client.get(f"/so-theo-doi/to-cong-nghe-so/xuat.{fmt}").content
    OutreachItem.objects.all().delete()
    CommunityTechTeam.objects.all().delete()
    for slug, content in (("tuyen-truyen", items), ("to-cong-nghe-so", teams)):
        client.post(f"/so-theo-doi/{slug}/nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", content)})
        assert client.post(f"/so-theo-doi/{slug}/nhap/", {"confirm": "1"}).status_code == 302
    after = (
        sorted(OutreachItem.objects.values_list(*fields)),
        sorted(CommunityTechTeam.objects.values_list(*team_fields)),
    )
    assert after == before


# Community digital technology teams -------------------------------------------------------------


def test_one_team_per_village_of_the_commune(team, villages, users, units, client_for, other_city):
    client = client_for(users["vhxh"])
    data = {"name": "Tổ hai", "village": villages["Thôn Đông"].pk, "unit": units["Phòng VH-XH"].pk}
    page = client.post("/so-theo-doi/to-cong-nghe-so/them/", data).content.decode()
    assert "Thôn “Thôn Đông” đã có tổ công nghệ số cộng đồng “Tổ công nghệ số cộng đồng thôn Đông”." in page
    assert "Thôn đã có tổ công nghệ số cộng đồng." not in page  # said once, by the row's own check
    foreign = Village.objects.create(
        owner_unit=other_city["commune"], unit=other_city["office"], name="Thôn Sóc"
    )
    page = client.post("/so-theo-doi/to-cong-nghe-so/them/", {**data, "village": foreign.pk}).content.decode()
    assert "Thôn không thuộc xã của bạn." in page
    with pytest.raises(ValidationError) as error:
        row_save(
            actor=users["vhxh"],
            spec=spec_for("to-cong-nghe-so"),
            data={"name": "Tổ Sóc", "village": foreign, "unit": units["Phòng VH-XH"]},
        )
    assert error.value.message_dict["village"] == ["Thôn không thuộc xã của đơn vị theo dõi."]
    assert (
        client.post(
            "/so-theo-doi/to-cong-nghe-so/them/", {**data, "village": villages["Thôn Tây"].pk}
        ).status_code
        == 302
    )
    # A village with a team is not deleted.
    response = client.post(f"/so-theo-doi/thon/{villages['Thôn Đông'].pk}/xoa/")
    assert response.status_code == 403 and "tổ công nghệ số cộng đồng" in response.content.decode()


def test_team_import_matches_villages(villages, users, client_for):
    client = client_for(users["vhxh"])
    bad = (
        TEAM_HEADER
        + "Tổ thôn Đông,thôn đông,01/02/2026,25/QĐ-UBND\nTổ thôn Xa,Thôn Xa,,\nTổ hai,Thôn Đông,,\n"
    )
    page = upload(client, "to-cong-nghe-so", bad).content.decode()
    assert "Dòng 3, cột Thôn: xã chưa có thôn “Thôn Xa” trong sổ thôn; hãy thêm thôn trước." in page
    assert "Dòng 4, cột Thôn: trùng với dòng 2 trong tệp." in page
    client.post("/so-theo-doi/to-cong-nghe-so/nhap/", {"confirm": "1"})
    assert not CommunityTechTeam.objects.exists()
    upload(client, "to-cong-nghe-so", TEAM_HEADER + "Tổ thôn Đông,thôn đông,01/02/2026,25/QĐ-UBND\n")
    assert client.post("/so-theo-doi/to-cong-nghe-so/nhap/", {"confirm": "1"}).status_code == 302
    assert CommunityTechTeam.objects.get().village == villages["Thôn Đông"]


def test_members_and_activities_are_kept_on_the_team_page(team, users, client_for):
    client = client_for(users["vhxh"])
    base = f"/so-theo-doi/to-cong-nghe-so/{team.pk}"
    response = client.post(
        f"{base}/thanh-vien/them/",
        {"full_name": "Nguyễn Văn An", "role": "to_truong", "phone": "0912 345 678"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#thanh-vien")
    member = TeamMember.objects.get()
    assert (member.team, member.phone) == (team, "0912345678")
    client.post(
        f"{base}/thanh-vien/them/", {"full_name": "Trần Thị Bình", "role": "thanh_vien", "phone": "12345"}
    )
    client.post(f"{base}/thanh-vien/them/", {"full_name": "", "role": "thanh_vien"})
    page = client.get(team.get_absolute_url()).content.decode()
    assert (
        "Số điện thoại phải có 10 chữ số, bắt đầu bằng 0" in page
        and "Chưa nhập họ và tên thành viên." in page
    )
    assert TeamMember.objects.count() == 1
    client.post(
        f"{base}/hoat-dong/them/",
        {"date": "2026-03-08", "description": "Hướng dẫn cài VNeID", "people_reached": "45"},
    )
    client.post(
        f"{base}/hoat-dong/them/",
        {"date": "2026-03-15", "description": "Hướng dẫn thanh toán số", "people_reached": "-2"},
    )
    activity = TeamActivity.objects.get()
    assert (activity.people_reached, activity.date) == (45, datetime.date(2026, 3, 8))
    page = client.get(team.get_absolute_url()).content.decode()
    assert "Số người được hỗ trợ không được âm." in page
    assert "Nguyễn Văn An" in page and "Hướng dẫn cài VNeID" in page and "đã hỗ trợ 45 lượt người" in page
    # Changes are on the team's history.
    summaries = list(
        AuditEntry.objects.filter(object_id=str(team.pk), action="update").values_list("summary", flat=True)
    )
    assert "Thêm thành viên: Nguyễn Văn An (Tổ trưởng), 0912345678" in summaries
    assert "Thêm hoạt động: 08/03/2026: Hướng dẫn cài VNeID" in summaries
    assert client.post(f"{base}/thanh-vien/{member.pk}/xoa/").status_code == 302
    assert client.post(f"{base}/hoat-dong/{activity.pk}/xoa/").status_code == 302
    assert not TeamMember.objects.exists() and not TeamActivity.objects.exists()
    assert AuditEntry.objects.filter(object_id=str(team.pk), summary__startswith="Xóa thành viên").exists()
    listing = client.get("/so-theo-doi/to-cong-nghe-so/").content.decode()
    assert "Tổ công nghệ số cộng đồng thôn Đông" in listing


def test_only_the_keeping_unit_edits_members(team, users, client_for, other_city):
    base = f"/so-theo-doi/to-cong-nghe-so/{team.pk}"
    data = {"full_name": "Lê Văn C", "role": "thanh_vien"}
    assert client_for(users["kinhte"]).post(f"{base}/thanh-vien/them/", data).status_code == 403
    assert client_for(other_city["supervisor"]).post(f"{base}/thanh-vien/them/", data).status_code == 403
    assert (
        client_for(users["captren"])
        .post(f"{base}/hoat-dong/them/", {"date": "2026-03-08", "description": "x"})
        .status_code
        == 403
    )
    assert not TeamMember.objects.exists() and not TeamActivity.objects.exists()
    page = client_for(users["captren"]).get(team.get_absolute_url()).content.decode()
    assert "Thành viên của tổ" in page and "thanh-vien/them" not in page


def test_list_queries_do_not_grow_with_rows(
    team, villages, users, units, client_for, django_assert_max_num_queries
):
    client = client_for(users["vhxh"])
    user, unit = users["vhxh"], units["Phòng VH-XH"]
    item(user, unit, "Bài 0", datetime.date(2026, 1, 5), SERIES)
    TeamMember.objects.create(team=team, full_name="A")
    urls = ("/so-theo-doi/tuyen-truyen/", "/so-theo-doi/to-cong-nghe-so/")
    counts = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[url] = len(queries)
    for i in range(1, 12):
        item(user, unit, f"Bài {i}", datetime.date(2026, i, 5), SERIES if i % 2 else UPU)
        place = row_save(actor=user, spec=spec_for("thon"), data={"name": f"Thôn {i}", "unit": unit})
        other = row_save(
            actor=user,
            spec=spec_for("to-cong-nghe-so"),
            data={"name": f"Tổ {i}", "village": place, "unit": unit},
        )
        TeamMember.objects.create(team=other, full_name=f"Thành viên {i}")
        TeamActivity.objects.create(team=other, date=datetime.date(2026, 3, 1), description="Hỗ trợ")
    for url, n in counts.items():
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200


def test_editing_keeps_or_clears_the_file(habac, users, units, client_for):
    client = client_for(users["vhxh"])
    client.post(
        "/so-theo-doi/tuyen-truyen/them/",
        item_data(units, file=SimpleUploadedFile("bai-bao.png", PNG, content_type="image/png")),
    )
    article = OutreachItem.objects.get()
    stored = article.file.name
    assert (
        client.post(
            f"/so-theo-doi/tuyen-truyen/{article.pk}/sua/", item_data(units, title="Tiêu đề mới")
        ).status_code
        == 302
    )
    article.refresh_from_db()
    assert (article.title, article.file.name, article.file_name) == ("Tiêu đề mới", stored, "bai-bao.png")
    response = client.post(
        f"/so-theo-doi/tuyen-truyen/{article.pk}/sua/", item_data(units, **{"file-clear": "on"})
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.file.name, article.file_name, article.file_type) == ("", "", "")
    assert client.get(f"/so-theo-doi/tuyen-truyen/{article.pk}/tep/").status_code == 404
