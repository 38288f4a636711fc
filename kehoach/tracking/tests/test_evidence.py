"""Evidence files: the type read from the content, never from the name; empty and oversized files
refused; added only while the report is editable and only by the unit's people; stored under
MEDIA_ROOT with a random name; deleted after commit; downloaded only by readers of the plan.
"""

import hashlib
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kehoach.core.audit import history_for
from kehoach.core.models import AuditEntry
from kehoach.plans.models import Indicator, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.tracking.choices import PeriodKind
from kehoach.tracking.models import Evidence, Period
from kehoach.tracking.services import measurements as measurement_services
from kehoach.tracking.services import progress as progress_services
from kehoach.tracking.services.evidence import evidence_add, evidence_delete
from kehoach.tracking.services.periods import period_close

VH_XH = "Phòng VH-XH"

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zip_of(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{type}"/></Types>'
)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DOCX = zip_of(
    {
        "[Content_Types].xml": CONTENT_TYPES.format(
            part="word/document.xml",
            type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ),
        "word/document.xml": "<w:document><w:body><w:p><w:r><w:t>Báo cáo</w:t></w:r></w:p></w:body>"
        "</w:document>",
    }
)
XLSX = zip_of(
    {
        "[Content_Types].xml": CONTENT_TYPES.format(
            part="xl/workbook.xml",
            type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        ),
        "xl/workbook.xml": "<workbook><sheets><sheet name='Số liệu' sheetId='1'/></sheets></workbook>",
    }
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00C\x00"
    + bytes(64)
    + b"\xff\xd9"
)
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + bytes(48)
    + b"This program cannot be run in DOS mode."
)
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def q2(habac):
    return Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=2)


@pytest.fixture
def task4(habac):
    return tasks_with_units(Task.objects.filter(plan=habac, position=4)).get()


@pytest.fixture
def report(users, units, task4, q2):
    """Phòng VH-XH's draft lead report on task 4 for Quý II."""
    return progress_services.progress_report_open(
        actor=users["vhxh"], task=task4, period=q2, unit=units[VH_XH]
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def add(actor, report, name="bai-tuyen-truyen.pdf", content=PDF, **kwargs) -> Evidence:
    return evidence_add(actor=actor, upload=upload(name, content), report=report, **kwargs)


def send(users, report):
    report = progress_services.progress_report_save(
        actor=users["vhxh"],
        report=report,
        data={"results": "Đã đăng bài", "percent_complete": 50},
        version=None,
    )
    return progress_services.progress_report_submit(actor=users["vhxh"], report=report)


# Types read from the content ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("bai-tuyen-truyen.pdf", PDF, PDF_TYPE),
        ("bao-cao.docx", DOCX, DOCX_TYPE),
        ("so-lieu.xlsx", XLSX, XLSX_TYPE),
        ("anh-hoi-nghi.png", PNG, "image/png"),
        ("anh-hoi-nghi.jpg", JPEG, "image/jpeg"),
        # The name does not decide: a PDF named .png is stored as the PDF it is.
        ("anh.png", PDF, PDF_TYPE),
        ("tep-khong-duoi", DOCX, DOCX_TYPE),
    ],
)
def test_allowed_types_are_detected_from_content(habac, users, report, media, name, content, content_type):
    evidence = add(users["vhxh"], report, name=name, content=content, description="  Bài đăng số 1  ")
    evidence.refresh_from_db()
    assert evidence.content_type == content_type
    assert evidence.original_name == name
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.description == "Bài đăng số 1"
    assert evidence.uploaded_by == users["vhxh"]
    assert evidence.progress_report == report
    path = Path(evidence.file.path)
    assert path.read_bytes() == content
    assert path.is_relative_to(media)
    entry = history_for(evidence).get()
    assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, users["vhxh"])


@pytest.mark.parametrize(
    "name, content",
    [
        ("bao-cao.pdf", EXE),
        ("bao-cao.pdf", GIF),
        ("anh.png", GIF),
        ("bao-cao.docx", zip_of({"readme.txt": "không phải docx"})),
        ("so-lieu.xlsx", zip_of({"[Content_Types].xml": "<Types/>", "data.csv": "1,2"})),
        ("bao-cao.docx", zip_of({"word/document.xml": "<w:document/>"})),
        ("bao-cao.docx", b"PK\x03\x04 this is not really a zip archive"),
        ("bao-cao.pdf", b"<html><body>%PDF-1.4</body></html>"),
        ("anh.jpg", "Báo cáo dạng văn bản".encode()),
    ],
)
def test_wrong_content_with_a_correct_name_is_refused(habac, users, report, media, name, content):
    with pytest.raises(ValidationError) as exc_info:
        add(users["vhxh"], report, name=name, content=content)
    [message] = exc_info.value.message_dict["file"]
    assert message.startswith(f"Tệp “{name}” không phải loại được phép (PDF, DOCX, XLSX, PNG, JPEG)")
    assert "kiểm tra nội dung tệp" in message
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_macro_enabled_document_is_not_a_docx(habac, users, report):
    docm = zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(
                part="word/document.xml", type="application/vnd.ms-word.document.macroEnabled.main+xml"
            ),
            "word/document.xml": "<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
        }
    )
    with pytest.raises(ValidationError):
        add(users["vhxh"], report, name="bao-cao.docm", content=docm)


def test_an_empty_file_is_refused(habac, users, report, media):
    with pytest.raises(ValidationError) as exc_info:
        add(users["vhxh"], report, name="rong.pdf", content=b"")
    assert exc_info.value.message_dict == {"file": ["Tệp “rong.pdf” rỗng."]}
    assert stored_files(media) == []


def test_a_file_over_the_limit_is_refused(habac, users, report, media, settings):
    settings.KEHOACH_EVIDENCE_MAX_BYTES = len(PDF)
    with pytest.raises(ValidationError) as exc_info:
        add(users["vhxh"], report, name="lon.pdf", content=PDF + b" ")
    [message] = exc_info.value.message_dict["file"]
    assert message.startswith("Tệp “lon.pdf” lớn hơn giới hạn")
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    # Exactly at the limit is fine.
    assert add(users["vhxh"], report, name="vua.pdf", content=PDF).size == len(PDF)


def test_the_default_limit_is_20_mb(habac, users, report, settings):
    settings.KEHOACH_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
    big = PDF + bytes(20 * 1024 * 1024)
    with pytest.raises(ValidationError) as exc_info:
        add(users["vhxh"], report, name="lon.pdf", content=big)
    assert exc_info.value.message_dict["file"] == ["Tệp “lon.pdf” lớn hơn giới hạn 20 MB."]


def test_the_limit_in_the_message_is_never_zero(habac, users, report, settings):
    settings.KEHOACH_EVIDENCE_MAX_BYTES = 500 * 1024
    with pytest.raises(ValidationError) as exc_info:
        add(users["vhxh"], report, name="lon.pdf", content=PDF + bytes(600 * 1024))
    assert "giới hạn 0 MB" not in exc_info.value.message_dict["file"][0]


# When and by whom --------------------------------------------------------------------------------


def test_the_units_daumoi_may_add_evidence(habac, users, report):
    assert add(users["daumoi"], report).uploaded_by == users["daumoi"]


@pytest.mark.parametrize("username", ["congan", "kinhte", "lanhdao", "captren", "quantri"])
def test_only_the_units_people_add_evidence(habac, users, report, media, username):
    with pytest.raises(PermissionDenied):
        add(users[username], report)
    assert stored_files(media) == []


def test_other_city_users_cannot_add_evidence(habac, other_city, report):
    with pytest.raises(PermissionDenied):
        add(other_city["coordinator"], report)


def test_no_evidence_once_submitted(habac, users, report, media):
    report = send(users, report)
    with pytest.raises(ValidationError, match="không thêm minh chứng được"):
        add(users["vhxh"], report)
    assert stored_files(media) == []


def test_no_evidence_once_accepted_and_again_when_returned(habac, users, report):
    report = send(users, report)
    report = progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    with pytest.raises(ValidationError, match="không thêm minh chứng được"):
        add(users["vhxh"], report)
    report = progress_services.progress_report_reopen(
        actor=users["daumoi"], report=report, reason="Thiếu ảnh"
    )
    assert add(users["vhxh"], report).progress_report_id == report.pk


def test_no_evidence_in_a_closed_period(habac, users, report, q2):
    period_close(actor=users["daumoi"], period=q2)
    report.refresh_from_db()
    with pytest.raises(ValidationError, match="kỳ đã khóa sổ"):
        add(users["vhxh"], report)


def test_evidence_of_a_measurement_is_never_an_output(habac, users, units, q2):
    measurement = measurement_services.measurement_open(
        actor=users["vhxh"],
        indicator=Indicator.objects.get(plan=habac, code="CT01"),
        period=q2,
        unit=units[VH_XH],
    )
    evidence = evidence_add(
        actor=users["vhxh"], upload=upload("quyet-dinh.pdf", PDF), measurement=measurement, is_output=True
    )
    assert evidence.measurement == measurement
    assert evidence.progress_report is None
    assert evidence.is_output is False


def test_evidence_belongs_to_exactly_one_record(habac, users, units, report, q2):
    measurement = measurement_services.measurement_open(
        actor=users["vhxh"],
        indicator=Indicator.objects.get(plan=habac, code="CT01"),
        period=q2,
        unit=units[VH_XH],
    )
    with pytest.raises(ValueError):
        evidence_add(actor=users["vhxh"], upload=upload("a.pdf", PDF), report=report, measurement=measurement)
    with pytest.raises(ValueError):
        evidence_add(actor=users["vhxh"], upload=upload("a.pdf", PDF))


# Storage -----------------------------------------------------------------------------------------


def test_files_are_stored_under_media_root_with_a_random_name(habac, users, report, media, settings):
    first = add(users["vhxh"], report, name="Báo cáo quý II.pdf")
    second = add(users["vhxh"], report, name="Báo cáo quý II.pdf")
    for evidence in (first, second):
        path = Path(evidence.file.path).resolve()
        assert path.is_relative_to(media.resolve())
        assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
        assert "Báo cáo" not in evidence.file.name
        assert not evidence.file.name.endswith(".pdf")
        assert evidence.file.name.startswith("evidence/")
    assert first.file.name != second.file.name
    assert len(stored_files(media)) == 2


def test_deleting_removes_the_file_after_commit(habac, users, report, django_capture_on_commit_callbacks):
    evidence = add(users["vhxh"], report)
    pk, path = evidence.pk, Path(evidence.file.path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence_delete(actor=users["vhxh"], evidence=evidence)
    assert not Evidence.objects.filter(pk=pk).exists()
    assert path.exists(), "the file stays until the transaction commits"
    for callback in callbacks:
        callback()
    assert not path.exists()
    entry = AuditEntry.objects.get(
        content_type__model="evidence", object_id=str(pk), action=AuditEntry.Action.DELETE
    )
    assert entry.actor == users["vhxh"]
    assert entry.changes == {"Tệp": ["bai-tuyen-truyen.pdf", None]}


def test_deleting_is_refused_once_submitted_and_the_file_stays(
    habac, users, report, django_capture_on_commit_callbacks
):
    evidence = add(users["vhxh"], report)
    send(users, report)
    evidence.refresh_from_db()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="không xóa minh chứng được"),
    ):
        evidence_delete(actor=users["vhxh"], evidence=evidence)
    assert callbacks == []
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert Path(evidence.file.path).exists()


def test_only_the_units_people_delete_evidence(habac, users, report):
    evidence = add(users["vhxh"], report)
    with pytest.raises(PermissionDenied):
        evidence_delete(actor=users["congan"], evidence=evidence)
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_output_evidence_removed_before_resubmission_blocks_completion(habac, users, units, task4, q2):
    """Deleting the output file of a returned report means it can no longer claim the output."""
    import datetime

    from django.utils import timezone

    vhxh = users["vhxh"]
    report = progress_services.progress_report_open(actor=vhxh, task=task4, period=q2, unit=units[VH_XH])
    evidence = add(vhxh, report, is_output=True)
    report = progress_services.progress_report_save(
        actor=vhxh,
        report=report,
        data={
            "results": "Xong",
            "percent_complete": 100,
            "output_delivered": True,
            "completed_on": timezone.localdate() - datetime.timedelta(days=1),
        },
        version=None,
    )
    report = progress_services.progress_report_submit(actor=vhxh, report=report)
    report = progress_services.progress_report_return(actor=users["daumoi"], report=report, reason="Sai tệp")
    evidence_delete(actor=vhxh, evidence=evidence)
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_submit(actor=vhxh, report=report)
    assert set(exc_info.value.message_dict) == {"evidence"}


# Download ----------------------------------------------------------------------------------------


@pytest.fixture
def stored(habac, users, report):
    return add(users["vhxh"], report, name="bai-tuyen-truyen.pdf")


@pytest.mark.parametrize("username", ["captren", "vhxh", "daumoi", "lanhdao", "congan", "quantri"])
def test_readers_of_the_plan_download_with_the_original_name(client_for, users, stored, username):
    response = client_for(users[username]).get(f"/minh-chung/{stored.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == PDF_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="bai-tuyen-truyen.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_download_keeps_a_vietnamese_file_name(habac, users, report, client_for):
    evidence = add(users["vhxh"], report, name="Ảnh hội nghị.png", content=PNG)
    response = client_for(users["captren"]).get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert f"filename*=utf-8''{quote('Ảnh hội nghị.png')}" in response["Content-Disposition"]


def test_download_is_forbidden_to_another_city(client_for, other_city, stored):
    response = client_for(other_city["supervisor"]).get(f"/minh-chung/{stored.pk}/")
    assert response.status_code == 403
    response = client_for(other_city["coordinator"]).get(f"/minh-chung/{stored.pk}/")
    assert response.status_code == 403


def test_anonymous_download_goes_to_login(client, stored):
    response = client.get(f"/minh-chung/{stored.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
    assert f"next=/minh-chung/{stored.pk}/" in response["Location"]


def test_download_of_a_missing_file_is_404(client_for, users, stored):
    Path(stored.file.path).unlink()
    assert client_for(users["captren"]).get(f"/minh-chung/{stored.pk}/").status_code == 404


def test_download_of_an_unknown_id_is_404(client_for, users, stored):
    assert client_for(users["captren"]).get(f"/minh-chung/{stored.pk + 1000}/").status_code == 404


def test_measurement_evidence_is_downloadable_too(habac, users, units, q2, client_for):
    measurement = measurement_services.measurement_open(
        actor=users["vhxh"],
        indicator=Indicator.objects.get(plan=habac, code="CT01"),
        period=q2,
        unit=units[VH_XH],
    )
    measurement_services.measurement_save(
        actor=users["vhxh"], measurement=measurement, data={"value": Decimal("2")}, version=None
    )
    evidence = evidence_add(actor=users["vhxh"], upload=upload("so-lieu.xlsx", XLSX), measurement=measurement)
    response = client_for(users["captren"]).get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE


def test_download_is_forbidden_to_another_commune_of_the_same_city(habac, units, stored, client_for):
    from kehoach.units.choices import Role, UnitKind
    from kehoach.units.models import Membership, Unit, User

    commune = Unit.objects.create(
        name="Ủy ban nhân dân xã An Hưng", kind=UnitKind.COMMUNE, parent=units["UBND thành phố Hải Phòng"]
    )
    office = Unit.objects.create(name="Phòng Văn hóa - Xã hội", kind=UnitKind.AGENCY, parent=commune)
    neighbour = User.objects.create_user("vhxh_anhung")
    Membership.objects.create(user=neighbour, unit=office, role=Role.STAFF)
    assert client_for(neighbour).get(f"/minh-chung/{stored.pk}/").status_code == 403
