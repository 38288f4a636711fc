"""The plan as the commune issued it, as an `OfficialDocument` (NĐ 30/2020) for DOCX/PDF export.

The body follows the order a Kế hoạch is written in: căn cứ, I. mục tiêu/chỉ tiêu, II. nhiệm vụ,
giải pháp, III. tổ chức thực hiện; the task list goes to a landscape appendix. The data comes from
`selectors.plan_with_parts`, so building costs the same fixed number of queries as the plan page.
"""

import re

from kehoach.core.templatetags.vn import format_number
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
from kehoach.documents.naming import issuer_lines, place_name, recipients_lines, short_issuer, signature_parts

from . import selectors
from .choices import BudgetSource, PlanStatus
from .models import ALL_UNITS_LABEL, Plan, PlanReference, Task

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
# Vietnamese points run a, b, c, d, đ, e, g, …: đ after d, no f, j, w, z.
LETTERS = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t"]
APPENDIX_COLUMNS = [
    Column("STT", 0.5, "center"),
    Column("Nhiệm vụ", 3.2),
    Column("Đơn vị chủ trì", 1.7),
    Column("Đơn vị phối hợp", 1.7),
    Column("Thời gian thực hiện/hoàn thành", 1.5, "center"),
    Column("Kết quả/sản phẩm", 1.3),
    Column("Kinh phí (đồng)", 1.5, "center"),
]
# Document kinds by the code in their number ("350/KH-UBND", "12-KH/TU", "30/2020/NĐ-CP"): legal
# bases are cited with "Căn cứ", documents the plan carries out with "Thực hiện".
REFERENCE_KINDS = {
    "NĐ": ("Nghị định", "Căn cứ"),
    "NQ": ("Nghị quyết", "Căn cứ"),
    "QĐ": ("Quyết định", "Căn cứ"),
    "TT": ("Thông tư", "Căn cứ"),
    "KH": ("Kế hoạch", "Thực hiện"),
    "CT": ("Chỉ thị", "Thực hiện"),
    "CTR": ("Chương trình", "Thực hiện"),
    "KL": ("Kết luận", "Thực hiện"),
    "HD": ("Hướng dẫn", "Thực hiện"),
    "ĐA": ("Đề án", "Thực hiện"),
    "TB": ("Thông báo", "Thực hiện"),
    "CĐ": ("Công điện", "Thực hiện"),
}


def plan_document(plan: Plan) -> OfficialDocument:
    if not hasattr(plan, "grouped_indicators"):
        plan = selectors.plan_with_parts(plan)
    unit_name = plan.owner_unit.name
    issuer = plan.issuer_name or plan.owner_unit.short_name or short_issuer(unit_name)
    abstract = _abstract(plan.title)
    number = _number(plan, unit_name)

    body = _opening(plan, issuer, abstract)
    parts = [_goals_and_indicators(plan), _measures(plan), _organisation(plan)]
    for numeral, (title, blocks) in zip(ROMAN, [p for p in parts if p[1]], strict=False):
        body.append(Heading(f"{numeral}. {title}", level=1))
        body.extend(blocks)
    _close(body)

    return OfficialDocument(
        issuer_lines=issuer_lines(unit_name),
        number=number,
        place_date=place_date(plan.place or place_name(unit_name), plan.issued_on),
        kind="KẾ HOẠCH",
        title=abstract,
        body=body,
        recipients=recipients_lines(plan.recipients),
        signature=Signature(lines=_signature_lines(plan), name=plan.signer_name),
        appendices=[_task_appendix(plan, number, issuer, abstract)],
        draft=plan.status == PlanStatus.DRAFT,
    )


# Header --------------------------------------------------------------------------------------------


def _abstract(title: str) -> str:
    """The trích yếu under "KẾ HOẠCH": the title without its leading "Kế hoạch"."""
    rest = re.sub(r"^\s*kế\s+hoạch\s+", "", title, flags=re.IGNORECASE).strip()
    return rest[:1].upper() + rest[1:] if rest else title.strip()


def _symbol(unit_name: str) -> str:
    return "KH-UBND" if issuer_lines(unit_name)[:1] == ["ỦY BAN NHÂN DÂN"] else "KH"


def _number(plan: Plan, unit_name: str) -> str:
    """ "Số: 97/KH-UBND" from the plan's number, a leading zero below ten; blanks before issue."""
    value = plan.number.strip()
    if not value:
        return number_line(None, _symbol(unit_name))
    head, slash, symbol = value.partition("/")
    if slash and head.strip().isdigit() and symbol.strip():
        return number_line(int(head), symbol.strip())
    return f"Số: {value}"


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# Body ----------------------------------------------------------------------------------------------


def _reference_kind(number: str) -> tuple[str, str]:
    # The kind code follows the number (and year): "350/KH-UBND", "12-KH/TU", "30/2020/NĐ-CP". Only
    # that part is read, so an issuer code such as "…/UBND-TT" is not taken for a Thông tư.
    parts = [p for p in re.split(r"[/\-\s]+", number.strip()) if p and not p.isdigit()]
    if parts and parts[0].upper() in REFERENCE_KINDS:
        return REFERENCE_KINDS[parts[0].upper()]
    return "văn bản", "Thực hiện"


def _reference_text(ref: PlanReference) -> tuple[str, str]:
    """ "Thực hiện Kế hoạch số 350/KH-UBND ngày 30/12/2025 của UBND thành phố về …" and its verb."""
    kind, verb = _reference_kind(ref.number)
    title = " ".join(ref.title.split()).rstrip(".;")
    if ref.number:
        words = [verb, kind, f"số {ref.number}"]
        if title.lower().startswith(f"{kind.lower()} "):
            title = title[len(kind) + 1 :]
        about = title if title.lower().startswith("về ") else f"về {title}" if title else ""
    else:
        # Without a number the title names the document: "Căn cứ Luật Khoa học và Công nghệ".
        words, about = [verb, title], ""
    if ref.issued_on:
        words.append(f"ngày {_date(ref.issued_on)}")
    if ref.issuer:
        words.append(f"của {ref.issuer}")
    return verb, " ".join(w for w in [*words, about] if w)


def _opening(plan: Plan, issuer: str, abstract: str) -> list[Paragraph]:
    cited = [_reference_text(ref) for ref in plan.references.all()]
    # Legal bases come before the documents carried out, each group in the plan's order.
    cited = [text for verb, text in cited if verb == "Căn cứ"] + [
        text for verb, text in cited if verb != "Căn cứ"
    ]
    paragraphs = [Paragraph(text + (";" if i < len(cited) - 1 else ".")) for i, text in enumerate(cited)]
    paragraphs.append(Paragraph(f"{issuer} xây dựng Kế hoạch {abstract}, cụ thể như sau:"))
    return paragraphs


def _dash(text: str) -> Paragraph:
    text = text.strip()
    return Paragraph(text if text.startswith(("- ", "+ ")) else f"- {text}")


def _goals_and_indicators(plan: Plan) -> tuple[str, list]:
    goals = [_dash(goal.text) for goal in plan.goals.all() if goal.text.strip()]
    groups = plan.grouped_indicators
    if not groups:
        return "MỤC ĐÍCH, YÊU CẦU", goals
    indicators: list = []
    named = any(block["group"] is not None for block in groups)
    letters = iter(LETTERS)
    for block in groups:
        if named:
            name = block["group"].name if block["group"] else "Chỉ tiêu khác"
            indicators.append(Heading(f"{next(letters)}) {name}", level=3))
        for indicator in block["indicators"]:
            indicators.append(
                Paragraph(f"- {indicator.name.strip().rstrip('.;:')}: {indicator.target_in_words}.")
            )
    if not goals:
        return "CHỈ TIÊU", indicators
    return "MỤC TIÊU, CHỈ TIÊU", [
        Heading("1. Mục tiêu chung", level=2),
        *goals,
        Heading("2. Các chỉ tiêu", level=2),
        *indicators,
    ]


def _label(label: str, fallback: str) -> str:
    return label.strip().rstrip(".)") or fallback


def _measures(plan: Plan) -> tuple[str, list]:
    blocks: list = []
    for i, section in enumerate(plan.sections, start=1):
        blocks.append(Heading(f"{_label(section.label, str(i))}. {section.title}", level=2))
        blocks.extend(_dash(m.text) for m in section.items)
        for letter, sub in zip(LETTERS, section.subsections, strict=False):
            blocks.append(Heading(f"{_label(sub.label, letter)}) {sub.title}", level=3))
            blocks.extend(_dash(m.text) for m in sub.items)
    return "NHIỆM VỤ, GIẢI PHÁP", blocks


def _organisation(plan: Plan) -> tuple[str, list]:
    blocks: list = []
    for i, responsibility in enumerate(plan.responsibilities.all(), start=1):
        unit = responsibility.unit
        # Organisations outside the committee (Mặt trận, đoàn thể) are asked, not assigned.
        name = f"Đề nghị {unit.name}" if unit.kind == "to_chuc" else unit.name
        blocks.append(Heading(f"{i}. {name}", level=2))
        duties = [d.strip() for d in responsibility.duties if d and d.strip()]
        blocks.extend(_dash(d) if len(duties) > 1 else Paragraph(d) for d in duties)
    return "TỔ CHỨC THỰC HIỆN", blocks


def _close(body: list) -> None:
    """NĐ 30 ends the content with "./."."""
    for block in reversed(body):
        if isinstance(block, Paragraph):
            block.text = block.text.rstrip(" .;:") + "./."
            return


# Footer --------------------------------------------------------------------------------------------


def _signature_lines(plan: Plan) -> list[str]:
    return [line for line in signature_parts(plan.signer_authority, plan.signer_position) if line]


# Appendix ------------------------------------------------------------------------------------------


def _budget(task: Task) -> str:
    source = BudgetSource(task.budget_source).label if task.budget_source else ""
    if task.budget_amount is None:
        return source
    amount = format_number(task.budget_amount, 0)
    return f"{amount} ({source})" if source else amount


def _coordinating(task: Task) -> str:
    names = [ALL_UNITS_LABEL] if task.coordinates_all_units else []
    names += [u.name for u in task.coordinating_units]
    return "; ".join(names)


def _task_appendix(plan: Plan, number: str, issuer: str, abstract: str) -> Appendix:
    rows = [
        [
            str(i),
            task.title,
            "; ".join(u.name for u in task.lead_units),
            _coordinating(task),
            task.deadline_text,
            task.output,
            _budget(task),
        ]
        for i, task in enumerate(plan.tasks.all(), start=1)
    ]
    cited = number.removeprefix("Số: ").removeprefix("Số:")
    date = _date(plan.issued_on) or f"     /     /{plan.year}"
    return Appendix(
        label="Phụ lục",
        title=f"DANH MỤC NHIỆM VỤ CỤ THỂ THỰC HIỆN KẾ HOẠCH {abstract.upper()}",
        subtitle=f"(Kèm theo Kế hoạch số {cited} ngày {date} của {issuer})",
        blocks=[Table(columns=[Column(c.title, c.width, c.align) for c in APPENDIX_COLUMNS], rows=rows)],
        landscape=True,
    )
