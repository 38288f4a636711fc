"""Random and mutated documents: the importer answers with a result or a DocumentError, nothing else."""

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from kehoach.importer.errors import DocumentError
from kehoach.importer.extract import extract_plan
from kehoach.importer.readers import read_bytes

from .test_extract import PLAN

# Hypothesis keeps caches in a folder; keep it out of the work tree.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="kehoach-hypothesis-"))

FRAGMENTS = [
    "Căn cứ ",
    "Thực hiện ",
    "Số: ",
    "/KH-UBND",
    " ngày ",
    " tháng ",
    " năm 2026",
    "KẾ HOẠCH\n",
    "I. MỤC TIÊU\n",
    "II. NHIỆM VỤ, GIẢI PHÁP\n",
    "III. TỔ CHỨC THỰC HIỆN\n",
    "1. ",
    "a) ",
    "- ",
    "+ ",
    "phấn đấu ",
    "tối thiểu ",
    "trên ",
    "dưới ",
    "từ ",
    " trở lên",
    "100%",
    "60 - 70%",
    "02 doanh nghiệp",
    "Quyết định số 5/QĐ-TTg",
    "Tờ trình số 1/TTr-VP",
    "|",
    " | ",
    "\t",
    "\n",
    "\n\n",
    "STT\tNhiệm vụ\tChủ trì\tPhối hợp\tThời hạn\n",
    "| TT | Nhiệm vụ | Cơ quan chủ trì | Thời gian |\n",
    "Nơi nhận:\n",
    "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n",
    "Sau khi Thành phố ban hành",
    "Quý II/2026",
    "Cả năm",
    "Sở Y tế: ",
    "Đề nghị ",
    "(",
    ")",
    "“",
    "”",
    ";",
    ":",
    ".",
    ",",
    "Ð",
    "HỊA",
    "**",
    "¶",
    "\u00a0",
    "\ufeff",
    "Phần I\n",
    "ĐÁNH GIÁ KẾT QUẢ\n",
]

documents = st.one_of(
    st.text(max_size=600),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=80).map("".join),
)


def _mutate(text: str, cuts: list[tuple[int, int, str]]) -> str:
    for start, length, insert in cuts:
        k = start % (len(text) + 1)
        text = text[:k] + insert + text[k + length :]
    return text


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_random_text_never_crashes_the_extractor(text):
    plan = extract_plan(text.split("\n"))
    assert set(plan) >= {
        "number",
        "date",
        "references",
        "indicators",
        "tasks",
        "measures",
        "responsibilities",
    }


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 300), st.sampled_from(FRAGMENTS)), max_size=12)
)
def test_mutated_plan_never_crashes_the_extractor(cuts):
    extract_plan(_mutate(PLAN, cuts).split("\n"))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000) | documents.map(lambda t: t.encode("utf-8", "replace")))
def test_random_bytes_give_a_result_or_a_document_error(data):
    try:
        lines = read_bytes(data, name="thu.txt")
    except DocumentError:
        return
    extract_plan(lines)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 20000), st.integers(0, 64), st.binary(max_size=16)), min_size=1, max_size=8
    )
)
def test_damaged_docx_and_pdf_give_a_document_error(damage):
    from .builders import build_docx

    docx = build_docx(PLAN)
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "Ke hoach so 15/KH-UBND. I. MUC TIEU - 100% can bo duoc tap huan.")
    pdf_bytes = bytes(pdf.output())
    for original in (docx, pdf_bytes):
        data = bytearray(original)
        for start, length, insert in damage:
            k = start % len(data)
            data[k : k + length] = insert
        try:
            lines = read_bytes(bytes(data), name="hong")
        except DocumentError:
            continue
        extract_plan(lines)
