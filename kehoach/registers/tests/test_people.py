"""Cán bộ và kỹ năng số: the roster, courses and learners, Bình dân học vụ số, and the CT03 rate."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.registers.computations import COMPUTATIONS
from kehoach.registers.models import CourseAttendance, DigitalLiteracyCompletion, DigitalSkillCourse, Official
from kehoach.registers.registry import spec_for
from kehoach.registers.services.rows import row_save

D = datetime.date
KEEPER = {
    "Phòng VH-XH": "vhxh",
    "Văn phòng HĐND và UBND": "vanphong",
    "Phòng KT": "kinhte",
    "TT PVHCC": "pvhcc",
    "Công an xã": "congan",
}


@pytest.fixture
def keep(users, units):
    """keep(slug, unit short name, **data): a row written as the unit's own staff would."""

    def write(slug: str, unit: str, **data):
        return row_save(actor=users[KEEPER[unit]], spec=spec_for(slug), data={"unit": units[unit], **data})

    return write


SINCE = D(2020, 1, 1)


def official(keep, name, unit="Phòng VH-XH", *, since=SINCE, until=None, category="cong_chuc", **more):
    return keep(
        "can-bo",
        unit,
        full_name=name,
        employed_from=since,
        employed_until=until,
        category=category,
        **more,
    )


def course(keep, title, starts, ends=None, unit="Phòng VH-XH"):
    return keep("tap-huan-ky-nang-so", unit, title=title, starts_on=starts, ends_on=ends, form="truc_tiep")


def attend(keep, c, o, completed=True):
    return keep("hoc-vien-tap-huan", "Phòng VH-XH", course=c, official=o, completed=completed)


def rate(owner, until, **params):
    return COMPUTATIONS["can_bo_tap_huan_ky_nang_so"](owner=owner, year=2026, until=until, params=params)


@pytest.fixture
def roster(keep):
    """Hand-computed fixture (see each line) for the CT03 rate at 31/03/2026 and 01/04/2026."""
    people = {
        # Trained by a course that ends on the cut-off day itself: counts at 31/03.
        "A": official(keep, "Nguyễn Văn An"),
        # Trained by Bình dân học vụ số (matched to the roster by name).
        "B": official(
            keep, "Trần Thị Bình", "Văn phòng HĐND và UBND", since=D(2015, 3, 1), category="vien_chuc"
        ),
        # Attended, but did not complete: not trained.
        "C": official(keep, "Lê Văn Cường", "Phòng KT", since=D(2019, 1, 1), category="can_bo"),
        # Trained in January, left on 28/02: neither counted nor in the denominator.
        "D": official(keep, "Phạm Thị Dung", since=D(2018, 1, 1), until=D(2026, 2, 28)),
        # Starts work on 01/04, the day after the first cut-off: only in the 01/04 denominator.
        "E": official(keep, "Hoàng Văn Em", "TT PVHCC", since=D(2026, 4, 1)),
        # Người lao động: outside the indicator unless the binding includes them.
        "F": official(keep, "Đỗ Văn Phúc", category="nguoi_lao_dong"),
        # Course ends 01/04, the day after the cut-off: trained at 01/04 only.
        "G": official(keep, "Vũ Thị Giang", "Phòng KT", since=D(2010, 1, 1)),
        # Bình dân học vụ số finished last year: not trained this year.
        "H": official(keep, "Bùi Văn Hùng", "Công an xã", since=D(2012, 1, 1)),
    }
    c0 = course(keep, "Kỹ năng số cơ bản đợt 1", D(2026, 1, 15))
    c1 = course(keep, "Khai thác dữ liệu dân cư", D(2026, 3, 30), D(2026, 3, 31))
    c2 = course(keep, "An toàn thông tin", D(2026, 3, 31), D(2026, 4, 1))
    attend(keep, c1, people["A"])
    attend(keep, c1, people["C"], completed=False)
    attend(keep, c0, people["D"])
    attend(keep, c1, people["F"])
    attend(keep, c2, people["G"])
    attend(keep, c2, people["E"])
    keep(
        "binh-dan-hoc-vu-so",
        "Phòng VH-XH",
        full_name="Trần Thị  Bình",
        module="Học phần 1: Kỹ năng số thiết yếu",
        completed_on=D(2026, 2, 10),
    )
    keep(
        "binh-dan-hoc-vu-so",
        "Phòng VH-XH",
        full_name="Bùi Văn Hùng",
        module="Học phần 1: Kỹ năng số thiết yếu",
        completed_on=D(2025, 12, 31),
    )
    return people


def test_the_rate_counts_distinct_officials_in_post_at_the_cut_off(habac, units, roster):
    commune = units["UBND xã Hà Bắc"]
    march = rate(commune, D(2026, 3, 31))
    # In post on 31/03 (not người lao động): A, B, C, G, H = 5. Trained by then: A (course ends 31/03), B.
    assert (march.numerator, march.denominator, march.value) == (Decimal(2), Decimal(5), Decimal("40.00"))
    assert [r.label.split(" (")[0] for r in march.rows] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert march.rows[0].url == roster["A"].get_absolute_url()
    assert "Khai thác dữ liệu dân cư (31/03/2026)" in march.rows[0].label
    assert "Bình dân học vụ số: Học phần 1" in march.rows[1].label
    assert march.method == (
        "2 cán bộ, công chức, viên chức được tập huấn, bồi dưỡng kỹ năng số trên tổng số 5 "
        "cán bộ, công chức, viên chức đang công tác ngày 31/03/2026."
    )
    # On 01/04 E starts work and the course ending 01/04 counts: 4 of 6.
    april = rate(commune, D(2026, 4, 1))
    assert (april.numerator, april.denominator, april.value) == (Decimal(4), Decimal(6), Decimal("66.67"))
    # With người lao động: F counts too.
    workers = rate(commune, D(2026, 3, 31), include_workers=True)
    assert (workers.numerator, workers.denominator) == (Decimal(3), Decimal(6))


def test_an_official_attending_two_courses_counts_once(habac, units, keep):
    a = official(keep, "Nguyễn Văn An")
    attend(keep, course(keep, "Khóa 1", D(2026, 2, 1)), a)
    attend(keep, course(keep, "Khóa 2", D(2026, 3, 1)), a)
    result = rate(units["UBND xã Hà Bắc"], D(2026, 3, 31))
    assert (result.numerator, result.denominator, result.value) == (1, 1, Decimal("100.00"))
    assert "Khóa 1 (01/02/2026); Khóa 2 (01/03/2026)" in result.rows[0].label


def test_empty_registers_give_no_value_not_a_crash(habac, units, other_city):
    result = rate(units["UBND xã Hà Bắc"], D(2026, 3, 31))
    assert result.value is None and result.rows == [] and result.denominator == 0
    # A cut-off before the plan year is empty too.
    assert rate(units["UBND xã Hà Bắc"], D(2025, 12, 31)).value is None


def test_another_communes_rows_do_not_count(habac, units, roster, other_city):
    row = Official(
        owner_unit=other_city["commune"],
        unit=other_city["office"],
        full_name="Người Sóc Sơn",
        employed_from=D(2020, 1, 1),
    )
    row.save()
    assert rate(units["UBND xã Hà Bắc"], D(2026, 3, 31)).denominator == 5


def test_bdhvs_completions_match_the_roster_by_name_and_birth_date(habac, keep):
    one = official(keep, "Nguyễn Văn An", birth_date=D(1990, 1, 1))
    official(keep, "Nguyễn Văn An", "Phòng KT", birth_date=D(1985, 5, 5))
    official(keep, "Lê Thị Hoa")

    def completion(name, born=None, day=None):
        day = day or D(2026, 3, 1)
        return keep(
            "binh-dan-hoc-vu-so",
            "Phòng VH-XH",
            full_name=name,
            birth_date=born,
            module="HP1",
            completed_on=day,
        )

    assert completion("nguyễn văn an", D(1990, 1, 1)).official == one
    assert completion("Nguyễn Văn An", day=D(2026, 3, 2)).official is None  # two of that name
    assert completion("LÊ THỊ HOA").official.full_name == "Lê Thị Hoa"
    assert completion("Lê Thi Hoa").official is None  # another name, not a typo to guess


def test_validation_messages_are_vietnamese_and_keyed_by_field(habac, users, units, client_for, keep):
    client = client_for(users["vhxh"])
    page = client.post(
        "/so-theo-doi/can-bo/them/",
        {
            "full_name": "Nguyễn Văn An",
            "unit": units["Phòng VH-XH"].pk,
            "category": "cong_chuc",
            "employed_from": "01/03/2026",
            "employed_until": "01/02/2026",
            "birth_date": "05/03/2026",
        },
    ).content.decode()
    assert "Ngày thôi công tác không được trước ngày bắt đầu công tác." in page
    assert "Ngày sinh phải trước ngày bắt đầu công tác." in page
    assert not Official.objects.exists()
    page = client.post(
        "/so-theo-doi/tap-huan-ky-nang-so/them/",
        {
            "title": "Khóa 1",
            "unit": units["Phòng VH-XH"].pk,
            "starts_on": "10/03/2026",
            "ends_on": "09/03/2026",
            "hours": "0",
            "form": "truc_tiep",
        },
    ).content.decode()
    assert "Ngày kết thúc không được trước ngày bắt đầu." in page and "Số giờ phải lớn hơn 0." in page
    official(keep, "Lê Văn Cường", code="CB01")
    with pytest.raises(ValidationError) as error:
        official(keep, "Lê Văn Dũng", code="CB01")
    assert error.value.message_dict == {"code": ["Mã cán bộ “CB01” đã dùng cho Lê Văn Cường."]}


def test_a_one_day_course_ends_the_day_it_starts(habac, keep):
    assert course(keep, "Khóa một ngày", D(2026, 5, 4)).ends_on == D(2026, 5, 4)


def test_the_same_person_twice_is_refused(habac, keep):
    official(keep, "Nguyễn Văn An", birth_date=D(1990, 1, 1))
    with pytest.raises(ValidationError) as error:
        official(keep, "Nguyễn Văn An", "Phòng KT", birth_date=D(1990, 1, 1))
    assert error.value.message_dict["full_name"] == [
        "Đã có cán bộ khác trùng họ và tên “Nguyễn Văn An” và ngày sinh “01/01/1990”."
    ]
    # Same name, another birth date: another person.
    official(keep, "Nguyễn Văn An", "Phòng KT", birth_date=D(1991, 1, 1))


def test_learners_are_added_and_removed_on_the_course_page(habac, users, units, client_for, keep):
    a = official(keep, "Nguyễn Văn An")
    b = official(keep, "Trần Thị Bình", "Phòng KT")
    c = course(keep, "Khóa 1", D(2026, 3, 2))
    client = client_for(users["vhxh"])
    page = client.get(c.get_absolute_url()).content.decode()
    assert "Chưa có học viên." in page and "Trần Thị Bình" in page  # offered from the whole commune
    page = client.post(c.get_absolute_url(), {"panel": "hoc-vien", "action": "add", "official": b.pk}).content
    assert "Đã thêm Trần Thị Bình vào danh sách học viên." in page.decode()
    attendance = CourseAttendance.objects.get()
    assert (attendance.official, attendance.completed, attendance.unit) == (b, False, units["Phòng VH-XH"])
    page = client.post(
        c.get_absolute_url(), {"panel": "hoc-vien", "action": "add", "official": a.pk, "completed": "1"}
    ).content.decode()
    assert "Học viên: 2 người, 1 hoàn thành" in page
    # The same official twice: the service refuses it with the reason.
    from kehoach.registers.services.rows import row_save

    with pytest.raises(ValidationError) as error:
        row_save(
            actor=users["vhxh"],
            spec=spec_for("hoc-vien-tap-huan"),
            data={"course": c, "official": a, "completed": True, "unit": units["Phòng VH-XH"]},
        )
    assert error.value.messages == ["Nguyễn Văn An đã có trong danh sách học viên của khóa “Khóa 1”."]
    page = client.post(
        c.get_absolute_url(), {"panel": "hoc-vien", "action": "remove", "attendance": attendance.pk}
    ).content.decode()
    assert "Đã bỏ Trần Thị Bình khỏi danh sách học viên." in page
    assert list(CourseAttendance.objects.values_list("official__full_name", flat=True)) == ["Nguyễn Văn An"]
    # The official's page shows the training.
    assert "Khóa 1" in client.get(a.get_absolute_url()).content.decode()


def test_only_the_courses_unit_edits_its_learners(habac, users, units, client_for, keep, other_city):
    a = official(keep, "Nguyễn Văn An")
    c = course(keep, "Khóa 1", D(2026, 3, 2))
    kinhte = client_for(users["kinhte"])
    page = kinhte.get(c.get_absolute_url()).content.decode()
    assert "Thêm học viên" not in page
    response = kinhte.post(c.get_absolute_url(), {"panel": "hoc-vien", "action": "add", "official": a.pk})
    assert response.status_code == 403 and not CourseAttendance.objects.exists()
    assert kinhte.post(f"/so-theo-doi/can-bo/{a.pk}/sua/", {"full_name": "X"}).status_code == 403
    # Another city reads nothing of Hà Bắc.
    outsider = client_for(other_city["supervisor"])
    assert outsider.get(a.get_absolute_url()).status_code == 403
    assert outsider.get(c.get_absolute_url()).status_code == 403
    assert "Nguyễn Văn An" not in outsider.get("/so-theo-doi/can-bo/").content.decode()
    # The city above reads.
    assert client_for(users["captren"]).get(c.get_absolute_url()).status_code == 200


OFFICIALS = "Họ và tên,Ngày sinh,Đơn vị,Phân loại,Ngày bắt đầu công tác,Ngày thôi công tác\n"


def upload(client, slug, text, name="a.csv"):
    return client.post(f"/so-theo-doi/{slug}/nhap/", {"file": SimpleUploadedFile(name, text.encode())})


def confirm(client, slug):
    return client.post(f"/so-theo-doi/{slug}/nhap/", {"confirm": "1"})


def test_roster_import_is_all_or_nothing_with_row_errors(habac, users, client_for):
    client = client_for(users["vhxh"])
    bad = (
        OFFICIALS
        + "Nguyễn Văn An,01/01/1990,,Công chức,01/01/2020,\n"
        + "Trần Thị Bình,,,Thư ký,01/01/2020,\n"
        + "Lê Văn Cường,,,Cán bộ,,\n"
        + "Nguyễn Văn An,01/01/1990,,Công chức,01/01/2021,\n"
        + "Phạm Dung,,,Viên chức,01/01/2020,31/12/2019\n"
    )
    page = upload(client, "can-bo", bad).content.decode()
    assert "Dòng 3, cột Phân loại: “Thư ký” không thuộc các giá trị" in page
    assert "Dòng 4, cột Ngày bắt đầu công tác: bắt buộc, không được để trống." in page
    assert "Dòng 5, cột Họ và tên: trùng với dòng 2 trong tệp." in page
    assert (
        "Dòng 6, cột Ngày thôi công tác: Ngày thôi công tác không được trước ngày bắt đầu công tác." in page
    )
    assert confirm(client, "can-bo").status_code == 200
    assert not Official.objects.exists()
    good = (
        OFFICIALS + "Nguyễn Văn An,01/01/1990,,Công chức,01/01/2020,\nTrần Thị Bình,,,Viên chức,01/01/2020,\n"
    )
    upload(client, "can-bo", good)
    assert confirm(client, "can-bo").status_code == 302
    assert Official.objects.count() == 2


def test_a_roster_row_of_another_unit_is_refused_at_commit(habac, users, client_for):
    client = client_for(users["vhxh"])
    upload(client, "can-bo", OFFICIALS + "Nguyễn Văn An,,Phòng Kinh tế,Công chức,01/01/2020,\n")
    page = confirm(client, "can-bo").content.decode()
    assert "Chỉ cán bộ của" in page and not Official.objects.exists()


ATTENDANCE = "Khóa học,Họ và tên,Đơn vị,Hoàn thành\n"


def test_attendance_import_finds_course_and_official_by_name(habac, users, client_for, keep):
    official(keep, "Nguyễn Văn An")
    official(keep, "Nguyễn Văn An", "Phòng KT")
    official(keep, "Trần Thị Bình", "Văn phòng HĐND và UBND")
    course(keep, "Khóa 1", D(2026, 3, 2))
    client = client_for(users["vhxh"])
    bad = (
        ATTENDANCE
        + "Khóa 1,Trần Thị Bình,,Có\n"
        + "Khóa 1,Nguyễn Văn An,,Có\n"
        + "Khóa 9,Trần Thị Bình,,Có\n"
        + "Khóa 1,Lê Văn Cường,,Có\n"
        + "Khóa 1,Nguyễn Văn An,Phòng Văn hóa - Xã hội,Hoàn thành rồi\n"
    )
    page = upload(client, "hoc-vien-tap-huan", bad).content.decode()
    assert "Dòng 3, cột Họ và tên: Có 2 cán bộ tên “Nguyễn Văn An”; hãy ghi cột Đơn vị để phân biệt." in page
    assert "Dòng 4, cột Khóa học: Không có khóa tập huấn “Khóa 9” trong sổ của xã." in page
    assert "Dòng 5, cột Họ và tên: Không có cán bộ “Lê Văn Cường” trong danh sách cán bộ của xã." in page
    assert "Dòng 6, cột Hoàn thành: “Hoàn thành rồi” phải là “Có” hoặc “Không”." in page
    assert confirm(client, "hoc-vien-tap-huan").status_code == 200
    assert not CourseAttendance.objects.exists()
    good = ATTENDANCE + "khóa 1,Trần Thị Bình,,Có\nKhóa 1,Nguyễn Văn An,Phòng Kinh tế,Không\n"
    upload(client, "hoc-vien-tap-huan", good)
    assert confirm(client, "hoc-vien-tap-huan").status_code == 302
    assert sorted(CourseAttendance.objects.values_list("official__unit__short_name", "completed")) == [
        ("Phòng KT", False),
        ("Văn phòng HĐND và UBND", True),
    ]
    # The same learner again, from a file: refused with the row and the reason.
    page = upload(client, "hoc-vien-tap-huan", ATTENDANCE + "Khóa 1,Trần Thị Bình,,Có\n").content.decode()
    assert "Dòng 2, cột Họ và tên: Trần Thị Bình đã có trong danh sách học viên của khóa “Khóa 1”." in page


def test_attendance_listed_twice_in_one_file_writes_nothing(habac, users, client_for, keep):
    official(keep, "Nguyễn Văn An")
    course(keep, "Khóa 1", D(2026, 3, 2))
    client = client_for(users["vhxh"])
    upload(client, "hoc-vien-tap-huan", ATTENDANCE + "Khóa 1,Nguyễn Văn An,,Có\nKhóa 1,Nguyễn Văn An,,Có\n")
    page = confirm(client, "hoc-vien-tap-huan").content.decode()
    assert "Nguyễn Văn An đã có trong danh sách học viên của khóa “Khóa 1”." in page
    assert not CourseAttendance.objects.exists()


def test_two_courses_of_one_name_are_told_apart_by_their_date(habac, users, client_for, keep):
    official(keep, "Nguyễn Văn An")
    course(keep, "Kỹ năng số", D(2026, 3, 2))
    second = course(keep, "Kỹ năng số", D(2026, 6, 1))
    client = client_for(users["vhxh"])
    page = upload(client, "hoc-vien-tap-huan", ATTENDANCE + "Kỹ năng số,Nguyễn Văn An,,Có\n").content.decode()
    assert "Có 2 khóa tập huấn tên “Kỹ năng số”; hãy ghi cột Ngày bắt đầu khóa học." in page
    text = "Khóa học,Ngày bắt đầu khóa học,Họ và tên,Hoàn thành\nKỹ năng số,01/06/2026,Nguyễn Văn An,Có\n"
    upload(client, "hoc-vien-tap-huan", text)
    assert confirm(client, "hoc-vien-tap-huan").status_code == 302
    assert CourseAttendance.objects.get().course == second


def test_a_course_of_another_unit_cannot_take_learners_from_a_file(habac, users, client_for, keep):
    official(keep, "Nguyễn Văn An")
    course(keep, "Khóa KT", D(2026, 3, 2), unit="Phòng KT")
    page = upload(
        client_for(users["vhxh"]), "hoc-vien-tap-huan", ATTENDANCE + "Khóa KT,Nguyễn Văn An,,Có\n"
    ).content.decode()
    assert (
        "Dòng 2, cột Khóa học: Khóa tập huấn “Khóa KT” do Phòng Kinh tế theo dõi; "
        "danh sách học viên do đơn vị đó cập nhật." in page
    )


def test_bdhvs_import_with_row_errors_and_duplicates(habac, users, client_for, keep):
    official(keep, "Nguyễn Văn An")
    client = client_for(users["vhxh"])
    # Semicolons, as Excel writes CSV in Vietnamese locales.
    header = "Họ và tên;Ngày sinh;Học phần/khóa học;Ngày hoàn thành;Nền tảng\n"
    bad = (
        header
        + "Nguyễn Văn An;;Học phần 1;10/02/2026;\n"
        + "Nguyễn Văn An;;Học phần 1;10/02/2026;\n"
        + "Người Lạ;;Học phần 1;31/02/2026;\n"
        + ";;Học phần 2;10/02/2026;\n"
    )
    page = upload(client, "binh-dan-hoc-vu-so", bad).content.decode()
    assert "Dòng 3, cột Họ và tên: trùng với dòng 2 trong tệp." in page
    assert "Dòng 4, cột Ngày hoàn thành: “31/02/2026” không phải ngày hợp lệ (dd/mm/yyyy)." in page
    assert "Dòng 5, cột Họ và tên: bắt buộc, không được để trống." in page
    assert confirm(client, "binh-dan-hoc-vu-so").status_code == 200
    assert not DigitalLiteracyCompletion.objects.exists()
    upload(
        client,
        "binh-dan-hoc-vu-so",
        header + "Nguyễn Văn An;;Học phần 1;10/02/2026;\nNgười Lạ;;HP1;11/02/2026;\n",
    )
    assert confirm(client, "binh-dan-hoc-vu-so").status_code == 302
    rows = dict(DigitalLiteracyCompletion.objects.values_list("full_name", "official__full_name"))
    assert rows == {"Nguyễn Văn An": "Nguyễn Văn An", "Người Lạ": None}
    assert set(DigitalLiteracyCompletion.objects.values_list("platform", flat=True)) == {"Bình dân học vụ số"}
    page = client.get("/so-theo-doi/binh-dan-hoc-vu-so/?matched=0").content.decode()
    assert "Người Lạ" in page and "Nguyễn Văn An" not in page


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_reimport_unchanged(habac, users, units, client_for, keep, fmt):
    a = official(keep, "Nguyễn Văn An", birth_date=D(1990, 1, 2), code="CB01", position="Công chức VH-XH")
    official(keep, "Trần Thị Bình", since=D(2021, 2, 3), until=D(2026, 5, 6), category="vien_chuc")
    c = course(keep, "Kỹ năng số, đợt 1", D(2026, 3, 2), D(2026, 3, 3))
    c.hours, c.organiser, c.evidence = Decimal("7.5"), "Sở KH&CN", "Kế hoạch 12/KH-UBND, danh sách ký"
    c.save()
    attend(keep, c, a)
    keep(
        "binh-dan-hoc-vu-so",
        "Phòng VH-XH",
        full_name="Nguyễn Văn An",
        module="HP1",
        completed_on=D(2026, 2, 1),
    )
    client = client_for(users["vhxh"])

    def snapshot():
        return {
            "can-bo": sorted(
                Official.objects.values_list(
                    "full_name",
                    "code",
                    "birth_date",
                    "unit",
                    "position",
                    "category",
                    "employed_from",
                    "employed_until",
                )
            ),
            "tap-huan-ky-nang-so": sorted(
                DigitalSkillCourse.objects.values_list(
                    "title", "unit", "organiser", "starts_on", "ends_on", "hours", "form", "evidence"
                )
            ),
            "hoc-vien-tap-huan": sorted(
                CourseAttendance.objects.values_list(
                    "course__title", "official__full_name", "completed", "unit"
                )
            ),
            "binh-dan-hoc-vu-so": sorted(
                DigitalLiteracyCompletion.objects.values_list(
                    "full_name", "module", "completed_on", "platform", "official__full_name", "unit"
                )
            ),
        }

    before = snapshot()
    files = {slug: client.get(f"/so-theo-doi/{slug}/xuat.{fmt}").content for slug in before}
    for model in (DigitalLiteracyCompletion, CourseAttendance, DigitalSkillCourse, Official):
        model.objects.all().delete()
    for slug in ("can-bo", "tap-huan-ky-nang-so", "hoc-vien-tap-huan", "binh-dan-hoc-vu-so"):
        response = client.post(
            f"/so-theo-doi/{slug}/nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", files[slug])}
        )
        assert not re.search(r"Dòng \d+, ", response.content.decode()), slug
        assert confirm(client, slug).status_code == 302, slug
    assert snapshot() == before


def test_the_attendance_template_has_the_brief_columns(habac, users, client_for):
    from openpyxl import load_workbook

    content = client_for(users["vhxh"]).get("/so-theo-doi/hoc-vien-tap-huan/mau.xlsx").content
    headers = [c.value for c in load_workbook(io.BytesIO(content)).worksheets[0][1]]
    assert headers == ["Khóa học", "Ngày bắt đầu khóa học", "Họ và tên", "Đơn vị", "Hoàn thành"]


@pytest.mark.parametrize("slug", ["can-bo", "tap-huan-ky-nang-so", "hoc-vien-tap-huan", "binh-dan-hoc-vu-so"])
def test_list_pages_query_a_bounded_number_of_times(habac, users, client_for, keep, slug):
    client = client_for(users["vhxh"])
    c = course(keep, "Khóa 0", D(2026, 1, 5))

    def add(i):
        o = official(keep, f"Cán bộ {i}", "Phòng KT" if i % 2 else "Phòng VH-XH")
        attend(keep, c, o)
        course(keep, f"Khóa {i + 1}", D(2026, 2, 1 + i))
        keep(
            "binh-dan-hoc-vu-so",
            "Phòng VH-XH",
            full_name=f"Cán bộ {i}",
            module="HP1",
            completed_on=D(2026, 2, 1),
        )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/so-theo-doi/{slug}/").status_code == 200
        return len(queries)

    for i in range(2):
        add(i)
    few = count()
    for i in range(2, 12):
        add(i)
    assert count() == few


def test_the_pages_of_the_four_registers_open(habac, users, units, client_for, keep):
    a = official(keep, "Nguyễn Văn An")
    c = course(keep, "Khóa 1", D(2026, 3, 2))
    rows = {
        "can-bo": a,
        "tap-huan-ky-nang-so": c,
        "hoc-vien-tap-huan": attend(keep, c, a),
        "binh-dan-hoc-vu-so": keep(
            "binh-dan-hoc-vu-so",
            "Phòng VH-XH",
            full_name="Nguyễn Văn An",
            module="HP1",
            completed_on=D(2026, 2, 1),
        ),
    }
    client = client_for(users["vhxh"])
    for slug, row in rows.items():
        assert client.get(f"/so-theo-doi/{slug}/them/").status_code == 200, slug
        assert client.get(row.get_absolute_url()).status_code == 200, slug
        assert client.get(f"/so-theo-doi/{slug}/{row.pk}/sua/").status_code == 200, slug
    assert "Nguyễn Văn An (Phòng VH-XH)" in client.get("/so-theo-doi/binh-dan-hoc-vu-so/").content.decode()
    # The learner form refuses the same learner twice, once, on the official.
    page = client.post(
        "/so-theo-doi/hoc-vien-tap-huan/them/",
        {"course": c.pk, "official": a.pk, "completed": "on", "unit": units["Phòng VH-XH"].pk},
    ).content.decode()
    assert page.count("Nguyễn Văn An đã có trong danh sách học viên của khóa “Khóa 1”.") == 1
    page = client.post(
        "/so-theo-doi/hoc-vien-tap-huan/them/", {"unit": units["Phòng VH-XH"].pk}
    ).content.decode()
    assert page.count("Chưa chọn khóa tập huấn.") == 1 and page.count("Chưa chọn cán bộ.") == 1
