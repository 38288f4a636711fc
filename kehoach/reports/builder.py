"""The periodic report as an administrative document (Nghị định 30/2020), from `collect`'s data."""

import datetime
from typing import Any

from kehoach.documents.document import (
    Appendix,
    Column,
    Heading,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
    number_line,
    place_date,
)
from kehoach.documents.naming import issuer_lines, place_name, recipients_lines, short_issuer
from kehoach.plans.choices import TaskStatus
from kehoach.tracking.choices import Assessment

from .collect import period_phrase
from .models import Report

ROMAN = ("I", "II", "III", "IV", "V", "VI")
LETTERS = "abcdefghiklmnopqrstuvxy"
NO_TEXT = "Không có nội dung."

# Task groups of section I.3, in the order a report reads.
TASK_GROUPS = (
    ("Nhiệm vụ đã hoàn thành", (TaskStatus.DONE_ON_TIME, TaskStatus.DONE_LATE)),
    ("Nhiệm vụ đang thực hiện trong hạn", (TaskStatus.ON_TRACK,)),
    ("Nhiệm vụ quá hạn, chậm tiến độ", (TaskStatus.OVERDUE,)),
    ("Nhiệm vụ chưa đến thời gian thực hiện, chờ điều kiện", (TaskStatus.NOT_STARTED, TaskStatus.WAITING)),
)


def vn_date(value: str | None) -> str:
    if not value:
        return ""
    return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")


def plan_reference(data: dict[str, Any], issuer_short: str) -> str:
    plan = data["plan"]
    number = f"số {plan['number']}" if plan["number"] else ""
    date = f" ngày {vn_date(plan['issued_on'])}" if plan["issued_on"] else ""
    return f"Kế hoạch {number}{date} của {issuer_short}".replace("  ", " ")


def plan_subject(title: str, year: int) -> str:
    """ "Khoa học và Công nghệ xã Hà Bắc" from "Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm 2026":
    the report says "Kế hoạch" and the period (with its year) itself."""
    subject = title.strip()
    if subject.lower().startswith("kế hoạch "):
        subject = subject[len("kế hoạch ") :]
    suffix = f" năm {year}"
    if subject.lower().endswith(suffix):
        subject = subject[: -len(suffix)]
    return subject


def plan_named(data: dict[str, Any]) -> str:
    """ "Kế hoạch số 97/KH-UBND" (or the plan's subject when it has no number)."""
    plan = data["plan"]
    if plan["number"]:
        return f"Kế hoạch số {plan['number']}"
    return f"Kế hoạch {plan_subject(plan['title'], plan['year'])}"


def default_title(report: Report, data: dict[str, Any]) -> str:
    plan = data["plan"]
    phrase = period_phrase(report.period_kind, report.plan.year, report.period_number)
    subject = plan_subject(plan["title"], plan["year"])
    about = f" về {subject}" if plan["number"] else ""
    return f"Kết quả thực hiện {plan_named(data)}{about} {phrase}"


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(line) for line in lines(text)] or [Paragraph(NO_TEXT)]


def indicator_line(item: dict[str, Any]) -> str:
    uom = item["unit_of_measure"]
    if item["value"] is None:
        result = "chưa có số liệu được chấp nhận"
    else:
        value = item["value_text"] + ("%" if uom == "%" else f" {uom}" if uom else "")
        result = f"đạt {value} ({item['assessment_label'].lower()})"
    return f"- {item['code']}. {item['name']}: chỉ tiêu {item['target_text']}; kết quả {result}."


def task_line(item: dict[str, Any]) -> str:
    lead = ", ".join(item["lead_units"])
    text = f"- {item['title']}" + (f" ({lead})" if lead else "")
    details = []
    if item["results"]:
        details.append(" ".join(item["results"].split("\n")).rstrip("."))
    if item["outputs"]:
        details.append(f"Sản phẩm: {item['outputs'].rstrip('.')}")
    if item["status"] in (TaskStatus.OVERDUE, TaskStatus.ON_TRACK) and item["percent_complete"] is not None:
        details.append(f"Tỷ lệ hoàn thành: {item['percent_complete']}%")
    if item["status"] == TaskStatus.OVERDUE and item["due_on"]:
        details.append(f"Hạn hoàn thành: {vn_date(item['due_on'])}")
    return text + (": " + ". ".join(details) + "." if details else ".")


def summary_sentence(data: dict[str, Any]) -> tuple[str, str]:
    s = data["summary"]
    by_assessment = s["indicators_by_assessment"]
    indicator_parts = [
        f"{by_assessment[a.value]:02d} chỉ tiêu {a.label.lower()}"
        for a in Assessment
        if by_assessment[a.value]
    ]
    by_status = s["tasks_by_status"]
    task_parts = [f"{by_status[t.value]:02d} {t.label.lower()}" for t in TaskStatus if by_status[t.value]]
    indicators = f"Tổng số {s['indicators_total']:02d} chỉ tiêu" + (
        f", trong đó: {'; '.join(indicator_parts)}." if indicator_parts else "."
    )
    tasks = f"Tổng số {s['tasks_total']:02d} nhiệm vụ thuộc kỳ báo cáo" + (
        f", trong đó: {'; '.join(task_parts)}." if task_parts else "."
    )
    return indicators, tasks


def indicator_table(data: dict[str, Any]) -> Table:
    rows: list[list[str]] = []
    groups: list[int] = []
    current = None
    for n, item in enumerate(data["indicators"], start=1):
        if item["group"] and item["group"] != current:
            current = item["group"]
            groups.append(len(rows))
            rows.append([current, "", "", "", "", "", ""])
        rows.append(
            [
                f"{n}",
                f"{item['code']}. {item['name']}",
                item["unit_of_measure"],
                item["target_text"],
                item["value_text"] or "—",
                item["assessment_label"],
                item["lead_unit"],
            ]
        )
    return Table(
        columns=[
            Column("STT", 0.5, "center"),
            Column("Chỉ tiêu", 4, "left"),
            Column("Đơn vị tính", 1, "center"),
            Column("Mục tiêu năm", 1.6, "left"),
            Column("Kết quả kỳ báo cáo", 1.2, "right"),
            Column("Đánh giá", 1.2, "center"),
            Column("Đơn vị chủ trì", 1.6, "left"),
        ],
        rows=rows,
        groups=groups,
    )


def task_table(data: dict[str, Any]) -> Table:
    rows = []
    for n, item in enumerate(data["tasks"], start=1):
        percent = "" if item["percent_complete"] is None else f"{item['percent_complete']}%"
        result = "\n".join(
            x for x in (item["results"], item["outputs"] and f"Sản phẩm: {item['outputs']}") if x
        )
        rows.append(
            [
                f"{n}",
                item["title"],
                ", ".join(item["lead_units"]),
                item["deadline_text"],
                item["status_label"],
                percent,
                result,
            ]
        )
    return Table(
        columns=[
            Column("STT", 0.5, "center"),
            Column("Nhiệm vụ", 3.5, "left"),
            Column("Đơn vị chủ trì", 1.6, "left"),
            Column("Thời gian hoàn thành", 1.3, "center"),
            Column("Tình trạng", 1.4, "center"),
            Column("Tỷ lệ hoàn thành", 0.9, "center"),
            Column("Kết quả, sản phẩm", 3.5, "left"),
        ],
        rows=rows,
    )


def build_document(
    report: Report,
    data: dict[str, Any],
    *,
    number: int | None = None,
    symbol: str = "BC-UBND",
    issued_on: datetime.date | None = None,
) -> OfficialDocument:
    """The report as a document. Without a number and date it is the draft ("DỰ THẢO")."""
    plan = report.plan
    owner = plan.owner_unit
    issuer_name = plan.issuer_name or owner.name
    place = plan.place or place_name(issuer_name)
    issuer_short = short_issuer(issuer_name)
    phrase = period_phrase(report.period_kind, plan.year, report.period_number)
    indicators_summary, tasks_summary = summary_sentence(data)

    body: list = []
    subject = plan_subject(plan.title, plan.year)
    intro = report.introduction.strip() or (
        f"Thực hiện {plan_reference(data, issuer_short)} về {subject} năm {plan.year}; "
        f"{issuer_short} báo cáo kết quả thực hiện Kế hoạch {phrase} như sau:"
    )
    body.extend(paragraphs(intro))
    body.append(Heading("I. KẾT QUẢ THỰC HIỆN", 1))
    body.append(Heading("1. Công tác chỉ đạo, triển khai", 2))
    body.extend(paragraphs(report.direction))
    body.append(Heading("2. Kết quả thực hiện các chỉ tiêu", 2))
    body.append(Paragraph(indicators_summary))
    body.extend(Paragraph(indicator_line(item)) for item in data["indicators"])
    body.append(Heading("3. Kết quả thực hiện các nhiệm vụ", 2))
    body.append(Paragraph(tasks_summary))
    letter = 0
    for label, statuses in TASK_GROUPS:
        items = [t for t in data["tasks"] if t["status"] in statuses]
        if not items:
            continue
        body.append(Heading(f"{LETTERS[letter]}) {label}", 3))
        letter += 1
        body.extend(Paragraph(task_line(item)) for item in items)
    body.append(Paragraph("(Chi tiết tại Phụ lục I và Phụ lục II kèm theo)", italic=True))
    body.append(Heading("II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", 1))
    body.extend(paragraphs(report.shortcomings))
    body.append(Heading("III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", 1))
    body.extend(paragraphs(report.next_steps))
    body.append(Heading("IV. ĐỀ XUẤT, KIẾN NGHỊ", 1))
    body.extend(paragraphs(report.proposals))
    body.append(
        Paragraph(f"Trên đây là báo cáo kết quả thực hiện {plan_named(data)} {phrase} của {issuer_short}./.")
    )

    if number is not None and issued_on is not None:
        reference = (
            f"(Kèm theo Báo cáo số {number:02d}/{symbol} ngày {issued_on:%d/%m/%Y} của {issuer_short})"
        )
    else:
        reference = f"(Kèm theo Báo cáo số      /{symbol} của {issuer_short})"
    appendices = [
        Appendix(
            label="Phụ lục I",
            title=f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU {phrase.upper()}",
            subtitle=reference,
            blocks=[indicator_table(data)],
            landscape=True,
        ),
        Appendix(
            label="Phụ lục II",
            title=f"TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ {phrase.upper()}",
            subtitle=reference,
            blocks=[task_table(data)],
            landscape=True,
        ),
    ]
    signature_lines = [report.signer_authority, report.signer_delegation, report.signer_position]
    return OfficialDocument(
        issuer_lines=issuer_lines(issuer_name),
        number=number_line(number, symbol),
        place_date=place_date(place, issued_on),
        kind="BÁO CÁO",
        title=report.title,
        body=body,
        recipients=recipients_lines(report.recipients),
        signature=Signature(
            lines=[x.strip().upper() for x in signature_lines if x.strip()], name=report.signer_name
        ),
        appendices=appendices,
        draft=number is None,
    )
