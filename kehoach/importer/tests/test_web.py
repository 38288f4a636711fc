"""Importing a plan in the web app: upload → background read → review → publish or abandon."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from kehoach.core.models import AuditEntry
from kehoach.importer import jobs
from kehoach.importer.forms import post_data
from kehoach.importer.matching import _spells, _tokens, _words, match_names, suggest
from kehoach.importer.models import ImportJob
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import Indicator, Plan, Responsibility, Task
from kehoach.units.choices import Role, UnitKind
from kehoach.units.models import Membership, Unit, User

from .builders import CORPUS

PLAN_TEXT = """ỦY BAN NHÂN DÂN
XÃ HÀ BẮC
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 15/KH-UBND
Hà Bắc, ngày 10 tháng 3 năm 2026

KẾ HOẠCH
Chuyển đổi số xã Hà Bắc năm 2026

Căn cứ Kế hoạch số 350/KH-UBND ngày 30/12/2025 của Ủy ban nhân dân thành phố Hải Phòng về chuyển đổi số;
Ủy ban nhân dân xã ban hành Kế hoạch chuyển đổi số năm 2026 như sau:

I. MỤC TIÊU, CHỈ TIÊU
1. Mục tiêu
Đẩy mạnh chuyển đổi số toàn diện trên địa bàn xã, phục vụ người dân và doanh nghiệp.
2. Chỉ tiêu
- Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình đạt tối thiểu 80%.
- Phấn đấu có ít nhất 5 mô hình chuyển đổi số tiêu biểu.

II. NHIỆM VỤ, GIẢI PHÁP
1. Về chuyển đổi số
Triển khai các nền tảng số dùng chung của thành phố.

| STT | Nhiệm vụ | Đơn vị chủ trì | Đơn vị phối hợp | Sản phẩm | Thời hạn |
| 1 | Tuyên truyền về chuyển đổi số | Phòng VH-XH | TT PVHCC | Bài tuyên truyền | Quý II/2026 |
| 2 | Số hóa hồ sơ thủ tục hành chính | TT PVHCC | Các phòng, cơ quan, đơn vị | Hồ sơ số hóa | 30/6/2026 |
| 3 | Hướng dẫn dịch vụ công trực tuyến | Tổ công nghệ số cộng đồng | Phòng VH-XH | Lớp học | Thường xuyên |

III. TỔ CHỨC THỰC HIỆN
1. Phòng Văn hóa - Xã hội
Chủ trì, theo dõi, đôn đốc việc thực hiện Kế hoạch; tổng hợp báo cáo kết quả.
2. Trung tâm Phục vụ Hành chính công
Thực hiện số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.

Nơi nhận:
- UBND thành phố;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Anh Tuấn
"""
NEW_UNIT = "Tổ công nghệ số cộng đồng"


def plan_file(text: str = PLAN_TEXT, name: str = "ke-hoach-15.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def upload(client, units, file=None, **extra):
    data = {"file": file or plan_file(), "lead_unit": units["Phòng VH-XH"].pk, "field": "cds", **extra}
    return client.post(reverse("importer:upload"), data)


def counts() -> tuple[int, int, int, int, int]:
    return (
        Plan.objects.count(),
        Task.objects.count(),
        Indicator.objects.count(),
        Responsibility.objects.count(),
        Unit.objects.count(),
    )


def review_data(client, job) -> tuple[dict, object]:
    """What the review screen posts when nothing is changed, and the forms it was built from."""
    response = client.get(job.get_absolute_url())
    assert response.status_code == 200
    review = response.context["review"]
    return post_data(review), review


def unit_index(review, name: str) -> int:
    for i, form in enumerate(review.units.forms):
        if form.initial["name"] == name:
            return i
    raise AssertionError(
        f"{name} is not among the unit names: {[f.initial['name'] for f in review.units.forms]}"
    )


# The whole journey -------------------------------------------------------------------------------


def test_upload_review_publish(habac, users, units, client_for, media):
    client = client_for(users["daumoi"])
    before = counts()

    response = upload(client, units)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.DONE and job.progress == 100
    assert job.created_by == users["daumoi"]
    assert job.lead_unit == units["Phòng VH-XH"] and job.owner_unit == units["UBND xã Hà Bắc"]
    assert job.original_name == "ke-hoach-15.txt" and job.size == len(PLAN_TEXT.encode())
    stored = media / job.file.name
    assert job.file.name.startswith("imports/") and "ke-hoach" not in job.file.name and stored.exists()
    assert job.result["number"] == "15/KH-UBND" and job.result["date"] == "2026-03-10"
    assert job.result["year"] == 2026
    assert len(job.result["tasks"]) == 3 and len(job.result["indicators"]) == 2
    assert "| 3 | Hướng dẫn dịch vụ công" in job.source_text
    # Nothing of the plan exists before publish.
    assert counts() == before

    # The review screen: source on the left, the structure on the right, unmatched names shown.
    page = client.get(job.get_absolute_url())
    html = page.content.decode()
    assert "Số: 15/KH-UBND" in html  # the source text
    assert 'value="15/KH-UBND"' in html and 'value="10/03/2026"' in html
    assert "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình" in html
    assert "Số hóa hồ sơ thủ tục hành chính" in html
    assert "Chưa khớp" in html and NEW_UNIT in html
    assert "Phối hợp chung" in html and "Các phòng, cơ quan, đơn vị" in html
    rows = {r.name: r for r in page.context["rows"]}
    assert rows["Trung tâm Phục vụ Hành chính công"].unit == units["TT PVHCC"]
    assert rows["Phòng Văn hóa - Xã hội"].how == "exact"
    assert not rows[NEW_UNIT].decided

    # Edit an indicator target, delete the first task: only the job changes.
    data, review = review_data(client, job)
    assert data["ind-0-target"] == "80"
    data["ind-0-target"] = "85,5"
    data["task-0-DELETE"] = "on"
    response = client.post(job.get_absolute_url(), data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.result["indicators"][0]["target"] == 85.5
    assert [t["title"] for t in job.result["tasks"]] == [
        "Số hóa hồ sơ thủ tục hành chính",
        "Hướng dẫn dịch vụ công trực tuyến",
    ]
    assert job.result["tasks"][0]["deadline"] == {"kind": "date", "date": "2026-06-30"}
    assert counts() == before

    # Publish is refused while the unknown unit is neither matched nor confirmed new.
    data, review = review_data(client, job)
    data["issue"] = "1"
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    assert response.status_code == 200
    problems = response.context["problems"]
    assert any(p.startswith("Nhiệm vụ 2 (chủ trì): đơn vị “Tổ công nghệ số cộng đồng”") for p in problems), (
        problems
    )
    assert "Chưa công bố được kế hoạch" in response.content.decode()
    assert counts() == before
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.plan is None

    # Confirm "Tạo đơn vị mới" → publish creates everything.
    data, review = review_data(client, job)
    data[f"unit-{unit_index(review, NEW_UNIT)}-new"] = "on"
    data["issue"] = "1"
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    job.refresh_from_db()
    plan = job.plan
    assert plan is not None and job.status == ImportJob.Status.PUBLISHED
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.number == "15/KH-UBND" and plan.status == PlanStatus.ISSUED and plan.field == "cds"
    assert plan.owner_unit == units["UBND xã Hà Bắc"] and plan.lead_unit == units["Phòng VH-XH"]
    assert plan.issued_on.isoformat() == "2026-03-10" and plan.year == 2026
    new_unit = Unit.objects.get(name=NEW_UNIT)
    assert new_unit.parent == units["UBND xã Hà Bắc"] and new_unit.kind == UnitKind.AGENCY
    tasks = list(plan.tasks.order_by("position"))
    assert [t.title for t in tasks] == [t["title"] for t in job.result["tasks"]]
    assert list(tasks[0].lead_units) == [units["TT PVHCC"]]
    assert tasks[0].coordinates_all_units
    assert list(tasks[1].lead_units) == [new_unit]
    assert list(tasks[1].coordinating_units) == [units["Phòng VH-XH"]]
    indicators = list(plan.indicators.order_by("position"))
    assert len(indicators) == 2 and float(indicators[0].target) == 85.5
    assert indicators[1].commitment == "aspiration"
    assert [r.unit for r in plan.responsibilities.order_by("position")] == [
        units["Phòng VH-XH"],
        units["TT PVHCC"],
    ]
    assert plan.references.get().number == "350/KH-UBND"
    assert plan.references.get().issuer == "Ủy ban nhân dân thành phố Hải Phòng"
    # The signature block whole: "TM. ỦY BAN NHÂN DÂN" above the position survives review and publish.
    assert (plan.signer_authority, plan.signer_position, plan.signer_name) == (
        "TM. ỦY BAN NHÂN DÂN",
        "Chủ tịch",
        "Nguyễn Anh Tuấn",
    )
    # Audit: the plan's creation, the new unit, and the job's steps.
    assert AuditEntry.objects.filter(object_id=str(plan.pk), summary="Tạo kế hoạch từ văn bản").exists()
    assert AuditEntry.objects.filter(object_id=str(new_unit.pk), action=AuditEntry.Action.CREATE).exists()
    job_steps = list(
        AuditEntry.objects.filter(content_type__model="importjob", object_id=str(job.pk))
        .order_by("at", "id")
        .values_list("summary", flat=True)
    )
    assert job_steps[:2] == ["Tải lên văn bản kế hoạch để nhập", "Đã đọc văn bản"]
    assert "Lưu kết quả rà soát" in job_steps
    assert job_steps[-1].startswith("Công bố kế hoạch từ văn bản")

    # The plan page opens with the success message; publishing again does nothing.
    page = client.get(plan.get_absolute_url())
    assert "Đã tạo kế hoạch" in page.content.decode()
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    assert response.status_code == 302 and Plan.objects.count() == before[0] + 1


def test_near_match_is_suggested_and_accepted_by_choosing_it(habac, users, units, client_for, media):
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    job.result["responsibilities"][1]["unit"] = "Công an xã Hà Bắc"
    job.result["tasks"][2]["lead_units"] = ["Phòng VH - XH"]
    job.save()
    page = client.get(job.get_absolute_url())
    rows = {r.name: r for r in page.context["rows"]}
    assert rows["Công an xã Hà Bắc"].suggestions[0] == units["Công an xã"]
    assert not rows["Công an xã Hà Bắc"].decided
    assert "Đề xuất: <strong>Công an xã</strong>" in page.content.decode()

    data, review = review_data(client, job)
    data[f"unit-{unit_index(review, 'Công an xã Hà Bắc')}-unit"] = str(units["Công an xã"].pk)
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    assert response.status_code == 302, response.context and response.context["problems"]
    plan = ImportJob.objects.get().plan
    assert plan.status == PlanStatus.DRAFT  # "Ban hành ngay" not ticked
    assert [r.unit for r in plan.responsibilities.order_by("position")][1] == units["Công an xã"]
    # "Phòng VH - XH" leads and "Phòng VH-XH" coordinates: one unit, linked once, as lead.
    assert list(plan.tasks.order_by("position")[2].lead_units) == [units["Phòng VH-XH"]]
    assert list(plan.tasks.order_by("position")[2].coordinating_units) == []
    assert not Unit.objects.filter(name__in=["Công an xã Hà Bắc", NEW_UNIT]).exists()


def test_publish_error_saves_nothing(habac, users, units, client_for, media, monkeypatch):
    """The new unit is created inside the publish transaction: a later failure takes it back."""
    from django.core.exceptions import ValidationError

    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    before = counts()
    data, review = review_data(client, job)
    data[f"unit-{unit_index(review, NEW_UNIT)}-new"] = "on"

    def failing(**kwargs):
        Plan.objects.create(
            title="nửa chừng", year=2026, owner_unit=kwargs["owner_unit"], lead_unit=kwargs["lead_unit"]
        )
        raise ValidationError("Nhiệm vụ 3: không tìm thấy đơn vị “X” trong Ủy ban nhân dân xã Hà Bắc.")

    monkeypatch.setattr(jobs, "plan_create_from_contract", failing)
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    assert response.status_code == 200
    assert "Nhiệm vụ 3: không tìm thấy đơn vị “X”" in response.content.decode()
    assert counts() == before
    assert not Unit.objects.filter(name=NEW_UNIT).exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.plan is None
    # The reviewer's decision is kept for the next try.
    assert job.unit_choices[NEW_UNIT] == {"new": True}


def test_publish_names_rows_that_are_incomplete(habac, users, units, client_for, media):
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    before = counts()
    data, review = review_data(client, job)
    data[f"unit-{unit_index(review, NEW_UNIT)}-new"] = "on"
    data["task-2-deadline_text"] = ""
    data["task-1-deadline_text"] = "31/02/2026"
    data["ind-1-target"] = ""
    data["meta-title"] = ""
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    problems = response.context["problems"]
    assert "Thông tin văn bản: chưa nhập trích yếu của kế hoạch." in problems
    assert "Chỉ tiêu 2: chưa nhập giá trị mục tiêu." in problems
    assert "Nhiệm vụ 3: Chưa nhập thời hạn." in problems
    assert any(p.startswith("Nhiệm vụ 2: Ngày “31/02/2026” không có thật") for p in problems), problems
    assert counts() == before


def test_bad_form_values_are_named_by_row(habac, users, units, client_for, media):
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    saved = dict(job.result)
    data, _ = review_data(client, job)
    data["ind-1-target"] = "năm"
    data["meta-date"] = "2026-13-45x"
    response = client.post(job.get_absolute_url(), data)
    assert response.status_code == 200
    problems = response.context["problems"]
    assert any(p.startswith("Chỉ tiêu 2: Mục tiêu: Phải là số") for p in problems), problems
    assert any(
        p.startswith("Thông tin văn bản: Ngày ban hành: Ngày phải ghi theo dạng dd/mm/yyyy") for p in problems
    )
    job.refresh_from_db()
    assert job.result == saved


def test_rows_added_by_hand(habac, users, units, client_for, media):
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    data, review = review_data(client, job)
    extra = review.task.initial_form_count()  # the blank row after the extracted ones
    data[f"task-{extra}-title"] = "Xây dựng bản đồ số của xã"
    data[f"task-{extra}-lead_units"] = "Phòng KT"
    data[f"task-{extra}-coordinating_units"] = "Công an xã; TT DVSNC"
    data[f"task-{extra}-deadline_text"] = "Quý IV/2026"
    data["goal-1-text"] = "Nâng cao kỹ năng số cho người dân."
    response = client.post(job.get_absolute_url(), data)
    assert response.status_code == 302
    job.refresh_from_db()
    added = job.result["tasks"][-1]
    assert added["lead_units"] == ["Phòng KT"] and added["coordinating_units"] == ["Công an xã", "TT DVSNC"]
    assert added["deadline"] == {"kind": "period", "date": "2026-12-31"}
    assert job.result["goals"][-1] == "Nâng cao kỹ năng số cho người dân."
    rows = {r.name: r for r in match_names(job.result, job.owner_unit, job.unit_choices)}
    assert rows["Phòng KT"].unit == units["Phòng KT"] and rows["TT DVSNC"].how == "exact"


# Bad input ---------------------------------------------------------------------------------------


def test_png_named_txt_gives_the_message_and_no_plan(habac, users, units, client_for, media):
    client = client_for(users["daumoi"])
    before = counts()
    png = SimpleUploadedFile("ke-hoach.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, content_type="text/plain")
    response = upload(client, units, file=png)
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.ERROR and job.result is None
    assert "là ảnh PNG, không phải văn bản" in job.message
    page = client.get(job.get_absolute_url())
    html = page.content.decode()
    assert "Không đọc được văn bản." in html and "là ảnh PNG, không phải văn bản" in html
    # No review and no publish for a file that could not be read.
    response = client.post(reverse("importer:publish", args=[job.pk]), {"issue": "1"})
    assert response.status_code == 302
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "trống"), (b"   \n\n  ", "trống, không có nội dung để nhập")],
)
def test_empty_file(habac, users, units, client_for, media, content, message):
    client = client_for(users["daumoi"])
    before = counts()
    response = upload(client, units, file=SimpleUploadedFile("rong.txt", content, content_type="text/plain"))
    if response.status_code == 200:  # refused on the form: no job at all
        assert message in response.content.decode()
        assert not ImportJob.objects.exists()
    else:
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.ERROR and message in job.message
    assert counts() == before


def test_too_large_file_is_refused_on_the_form(habac, users, units, client_for, media, settings):
    settings.KEHOACH_IMPORT_MAX_BYTES = 1024
    client = client_for(users["daumoi"])
    response = upload(client, units, file=plan_file(PLAN_TEXT * 5))
    assert response.status_code == 200
    assert "quá lớn" in response.content.decode()
    assert not ImportJob.objects.exists() and not (media / "imports").exists()


def test_abandon_deletes_job_and_file(
    habac, users, units, client_for, media, django_capture_on_commit_callbacks
):
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    stored = media / job.file.name
    assert stored.exists()
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("importer:abandon", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("importer:upload")
    assert not ImportJob.objects.exists()
    assert not stored.exists() and list((media / "imports").iterdir()) == []
    assert counts() == before
    assert AuditEntry.objects.filter(object_id=str(job.pk), summary="Bỏ phiên nhập").exists()


# Who may do what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["vhxh", "lanhdao", "captren", "kinhte"])
def test_non_coordinators_get_403(habac, users, units, client_for, media, username):
    owner = client_for(users["daumoi"])
    upload(owner, units)
    job = ImportJob.objects.get()
    client = client_for(users[username])
    assert client.get(reverse("importer:upload")).status_code == 403
    assert upload(client, units).status_code == 403
    assert client.get(job.get_absolute_url()).status_code == 403
    assert client.get(reverse("importer:progress", args=[job.pk])).status_code == 403
    data, _ = review_data(owner, job)
    assert client.post(job.get_absolute_url(), data).status_code == 403
    assert client.post(reverse("importer:publish", args=[job.pk]), data).status_code == 403
    assert client.post(reverse("importer:abandon", args=[job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1 and not Plan.objects.filter(number="15/KH-UBND").exists()


def test_other_city_coordinator_cannot_see_or_use_habac_jobs(
    habac, users, units, client_for, media, other_city
):
    owner = client_for(users["daumoi"])
    upload(owner, units)
    job = ImportJob.objects.get()
    client = client_for(other_city["coordinator"])
    # Their own upload page works, for their own unit only.
    page = client.get(reverse("importer:upload"))
    assert page.status_code == 200 and "Hà Bắc" not in page.content.decode().split("<form")[1]
    response = upload(client, units)
    assert response.status_code == 200 and ImportJob.objects.count() == 1
    assert client.get(job.get_absolute_url()).status_code == 403
    data, _ = review_data(owner, job)
    assert client.post(reverse("importer:publish", args=[job.pk]), data).status_code == 403
    assert client.post(reverse("importer:abandon", args=[job.pk])).status_code == 403
    assert not Plan.objects.filter(number="15/KH-UBND", owner_unit=units["UBND xã Hà Bắc"]).exists()


def test_job_visible_to_coordinators_of_the_same_unit_only(habac, users, units, client_for, media):
    upload(client_for(users["daumoi"]), units)
    job = ImportJob.objects.get()
    colleague = User.objects.create_user("daumoi2", full_name="Đầu mối thứ hai")
    Membership.objects.create(user=colleague, unit=units["Phòng VH-XH"], role=Role.COORDINATOR)
    stranger = User.objects.create_user("daumoi_kt", full_name="Đầu mối Phòng Kinh tế")
    Membership.objects.create(user=stranger, unit=units["Phòng KT"], role=Role.COORDINATOR)
    assert client_for(colleague).get(job.get_absolute_url()).status_code == 200
    stranger_client = client_for(stranger)
    assert stranger_client.get(job.get_absolute_url()).status_code == 403
    # The upload page lists one's own jobs only.
    assert "ke-hoach-15.txt" not in stranger_client.get(reverse("importer:upload")).content.decode()
    assert "ke-hoach-15.txt" in client_for(users["daumoi"]).get(reverse("importer:upload")).content.decode()


def test_plan_list_offers_import_to_coordinators_only(habac, users, client_for):
    assert "Nhập từ văn bản" in client_for(users["daumoi"]).get(reverse("plans:list")).content.decode()
    assert "Nhập từ văn bản" not in client_for(users["vhxh"]).get(reverse("plans:list")).content.decode()


# Background reading ------------------------------------------------------------------------------


def test_progress_fragment_polls_while_reading_then_shows_done(
    habac, users, units, client_for, media, settings
):
    settings.KEHOACH_JOBS = "worker"
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED and job.result is None
    page = client.get(job.get_absolute_url())
    assert 'role="progressbar"' in page.content.decode()
    fragment = client.get(reverse("importer:progress", args=[job.pk]), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert 'role="progressbar"' in html and 'hx-trigger="every 1s"' in html and "Đang chờ xử lý" in html
    assert "HX-Refresh" not in fragment

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.READING, progress=50)
    html = client.get(reverse("importer:progress", args=[job.pk])).content.decode()
    assert 'aria-valuenow="50"' in html and "Đang đọc văn bản" in html

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED, progress=0)
    call_command("worker", "--once")
    fragment = client.get(reverse("importer:progress", args=[job.pk]), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "Đã đọc xong" in html and "hx-trigger" not in html and 'role="progressbar"' not in html
    assert fragment["HX-Refresh"] == "true"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.result["number"] == "15/KH-UBND"


def test_worker_claims_each_job_once_and_reclaims_stale_ones(
    habac, users, units, client_for, media, settings
):
    import datetime

    from django.utils import timezone

    settings.KEHOACH_JOBS = "worker"
    client = client_for(users["daumoi"])
    upload(client, units)
    upload(client, units, file=plan_file(name="khac.txt"))
    first, second = ImportJob.objects.order_by("created_at", "id")
    assert jobs.job_claim() == first.pk
    assert jobs.job_claim() == second.pk
    assert jobs.job_claim() is None
    # A job left "reading" by a dead worker is taken again after a while.
    ImportJob.objects.filter(pk=first.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    assert jobs.job_claim() == first.pk
    assert jobs.jobs_work(once=True) == 0
    jobs.job_run(first.pk)
    jobs.job_run(second.pk)
    assert set(ImportJob.objects.values_list("status", flat=True)) == {ImportJob.Status.DONE}


def test_stale_job_can_be_read_again(habac, users, units, client_for, media, settings):
    import datetime

    from django.utils import timezone

    settings.KEHOACH_JOBS = "worker"
    client = client_for(users["daumoi"])
    upload(client, units)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.READING, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page = client.get(job.get_absolute_url()).content.decode()
    assert "bị gián đoạn" in page and "hx-trigger" not in page
    settings.KEHOACH_JOBS = "sync"
    response = client.post(reverse("importer:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_thread_mode_reads_after_commit(settings, tmp_path, monkeypatch):
    """The default mode: a daemon thread reads the file once the upload has committed."""
    from kehoach.demo.services import ensure_demo_accounts, load_habac

    monkeypatch.setenv("KEHOACH_DEMO_PASSWORD", "mat-khau-thu-nghiem")
    load_habac()
    ensure_demo_accounts()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEHOACH_JOBS = "thread"
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="daumoi"))
    vhxh = Unit.objects.get(short_name="Phòng VH-XH")
    response = client.post(
        reverse("importer:upload"), {"file": plan_file(), "lead_unit": vhxh.pk, "field": "cds"}
    )
    assert response.status_code == 302
    assert jobs.wait_for_threads(timeout=30)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.result["number"] == "15/KH-UBND"


def test_jobs_mode_is_checked(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.KEHOACH_JOBS = "cron"
    with pytest.raises(ImproperlyConfigured):
        jobs.jobs_mode()


# Unit matching -----------------------------------------------------------------------------------


def test_abbreviations_spell_unit_names():
    assert _spells(_tokens("TT PVHCC"), _words("Trung tâm Phục vụ Hành chính công"))
    assert _spells(_tokens("Phòng VH-XH"), _words("Phòng Văn hóa - Xã hội"))
    assert _spells(_tokens("Phòng KT-HT"), _words("Phòng Kinh tế - Hạ tầng"))
    assert _spells(_tokens("Sở KH&CN"), _words("Sở Khoa học và Công nghệ"))
    assert not _spells(_tokens("Phòng KT"), _words("Phòng Văn hóa - Xã hội"))
    assert not _spells(_tokens("Công an xã"), _words("Công an xã"))  # no abbreviation: not a suggestion


def test_suggestions(habac, units):
    commune = units["UBND xã Hà Bắc"]
    candidates = list(Unit.objects.subtree_of(commune))
    assert suggest("Trung tâm phục vụ hành chính công xã Hà Bắc", candidates, commune)[0] == units["TT PVHCC"]
    assert suggest("Trung tam Dich vu su nghiep cong", candidates, commune)[0] == units["TT DVSNC"]
    assert suggest("Công an", candidates, commune)[0] == units["Công an xã"]
    assert suggest(NEW_UNIT, candidates, commune) == []
    kinh_te = Unit.objects.create(name="Phòng Kinh tế - Hạ tầng", kind=UnitKind.AGENCY, parent=commune)
    assert suggest("Phòng KT-HT", [*candidates, kinh_te], commune)[0] == kinh_te


# A real plan -------------------------------------------------------------------------------------


def test_habac_plan_from_the_corpus_publishes_with_every_unit_matched(habac, users, units, client_for, media):
    source = CORPUS / "00_habac-97-kh-ubnd-khcn-2026.txt"
    if not source.exists():
        pytest.skip(f"không có {source} (thư mục dùng chung): bỏ qua")
    client = client_for(users["daumoi"])
    upload(client, units, file=SimpleUploadedFile(source.name, source.read_bytes()), field="khcn")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.message
    rows = match_names(job.result, job.owner_unit)
    assert [r.name for r in rows if not r.decided] == []
    data, _ = review_data(client, job)
    data["issue"] = "1"
    # The seed already holds 97/KH-UBND, issued: a second one is refused (test_duplicates.py).
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    assert response.status_code == 200 and response.context["refused_duplicate"]
    assert Plan.objects.filter(number="97/KH-UBND").count() == 1
    # As a draft it may be replaced by the document: everything is read and matched.
    tasks, indicators = habac.tasks.count(), habac.indicators.count()
    Plan.objects.filter(pk=habac.pk).update(status=PlanStatus.DRAFT)
    response = client.post(reverse("importer:publish", args=[job.pk]), {**data, "replace": str(habac.pk)})
    assert response.status_code == 302, response.context["problems"]
    plan = ImportJob.objects.get().plan
    assert plan.number == "97/KH-UBND"
    assert plan.tasks.count() == tasks and plan.indicators.count() == indicators
    assert list(Plan.objects.filter(number="97/KH-UBND")) == [plan]
    assert plan.signer_authority == "TM. ỦY BAN NHÂN DÂN"
    assert plan.references.get(number="1703/QĐ-TTg").issuer == "Thủ tướng Chính phủ"


def test_a_text_that_is_no_plan_can_still_be_reviewed(habac, users, units, client_for, media):
    client = client_for(users["daumoi"])
    upload(client, units, file=plan_file("Xin chào các bạn.\nHẹn gặp lại.\n", name="thu.txt"))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.message
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200 and "Xin chào các bạn." in page.content.decode()
    data, _ = review_data(client, job)
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    assert "Thông tin văn bản: chưa nhập trích yếu của kế hoạch." in response.context["problems"]
    assert (
        not Plan.objects.filter(owner_unit=units["UBND xã Hà Bắc"], year=job.result["year"])
        .exclude(pk=habac.pk)
        .exists()
    )


def test_document_read_returns_contract_and_source_text():
    contract, text = jobs.document_read(PLAN_TEXT.encode(), name="ke-hoach.txt")
    assert contract["number"] == "15/KH-UBND"
    assert text.startswith("ỦY BAN NHÂN DÂN\nXÃ HÀ BẮC") and "| 2 | Số hóa hồ sơ" in text
