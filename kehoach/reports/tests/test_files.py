"""The issued report's PDF and DOCX say exactly what the data says, and issues at the same moment
never share a number."""

import datetime
import io
import threading

import docx
import pypdfium2
import pytest
from django.db import connection

from kehoach.core.jobs import wait_for_threads
from kehoach.documents.models import OutgoingDocument
from kehoach.documents.services.register import document_file
from kehoach.reports import services
from kehoach.reports.models import Report

from .conftest import submit_and_issue

TODAY = datetime.date(2026, 4, 2)


def squash(text: str) -> str:
    return "".join(text.split())


def pdf_text(content: bytes) -> str:
    pdf = pypdfium2.PdfDocument(content)
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def issued(habac, users, accepted_q1):
    draft = services.report_create(
        actor=users["daumoi"], plan=habac, period_kind="quy", period_number=1, today=TODAY
    )
    return submit_and_issue(users, draft, on=TODAY)


def test_files_say_what_the_data_says(issued):
    entry = issued.document
    expected = [
        "ỦY BAN NHÂN DÂN",
        "XÃ HÀ BẮC",
        "Số: 01/BC-UBND",
        "Hà Bắc, ngày 02 tháng 4 năm 2026",
        "BÁO CÁO",
        issued.title,
        "TM. ỦY BAN NHÂN DÂN",
        issued.signer_name,
        "Thiếu cán bộ có chuyên môn công nghệ thông tin",
    ]
    for item in issued.data["indicators"]:
        expected.append(f"{item['code']}. {item['name']}")
        if item["value_text"]:
            expected.append(f"kết quả đạt {item['value_text']}")
    expected.extend(task["title"] for task in issued.data["tasks"])
    for content, extract in (
        (document_file(entry, "pdf"), pdf_text),
        (document_file(entry, "docx"), docx_text),
    ):
        text = squash(extract(content))
        missing = [e for e in expected if squash(e) not in text]
        assert not missing


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_take_different_numbers(habac, users, units, settings, tmp_path):
    from kehoach.tracking.choices import PeriodKind
    from kehoach.tracking.models import Period

    from .conftest import make_accepted_q1

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEHOACH_EXCHANGE_URL = ""
    make_accepted_q1(habac, users, units, Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=1))
    drafts = [
        services.report_create(actor=users["daumoi"], plan=habac, period_kind=k, period_number=n, today=TODAY)
        for k, n in (("quy", 1), ("thang", 1), ("thang", 2), ("thang", 3))
    ]
    drafts = [
        services.report_update(
            actor=users["daumoi"], report=d, data={"shortcomings": "Không có.", "next_steps": "Tiếp tục."}
        )
        for d in drafts
    ]
    drafts = [services.report_submit(actor=users["daumoi"], report=d, today=TODAY) for d in drafts]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(drafts))

    def sign(report: Report) -> None:
        try:
            barrier.wait()
            services.report_issue(actor=users["lanhdao"], report=report, issued_on=TODAY, today=TODAY)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wait_for_threads(60)
    assert errors == []
    numbers = sorted(OutgoingDocument.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
