"""Targets as plans write them: "tối thiểu 10 sáng kiến", "từ 50% trở lên", "60 - 70%", "phấn đấu đạt 90%"."""

import re
from dataclasses import dataclass

from kehoach.core.text import fold

_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
_QUALIFIER_WORDS = (
    r"tối thiểu|ít nhất|trên|hơn|từ|dưới|không quá|không vượt quá|tối đa|đạt|lên|xuống|còn|khoảng|"
    r"bằng|là|phấn đấu|phần đầu|phấn đầu|mức|ở mức|đạt mức|chiếm|trở lên|thấp hơn|cao hơn|nhiều hơn|ít hơn|"
    r"≥|≤|>=|<=|>|<"
)
VALUE = re.compile(
    rf"(?<![\w/.,\-])(?P<v1>{_NUM})\s*(?P<p1>%)?"
    rf"(?:\s*(?:-|–|đến|tới)\s*(?P<v2>{_NUM})\s*(?P<p2>%))?"
    r"(?![\w/]|\.\d|,\d)",
    re.IGNORECASE,
)
_QUALIFIERS_BEFORE = re.compile(rf"(?:(?:{_QUALIFIER_WORDS})\s*:?\s*)+$", re.IGNORECASE)
_TIME_AFTER = re.compile(r"^\s*(?:tháng|năm|ngày|giờ|phút|quý|tuần|lần thứ|khóa|khoá)\b", re.IGNORECASE)
_YEAR_BEFORE = re.compile(
    r"(?:năm|giai đoạn|đến|từ năm|trước|sau|khóa|khoá|số|thứ|lần|điều|khoản|mục|quý|tháng|ngày)\s*$",
    re.IGNORECASE,
)

# Count units that a number may be followed by ("02 doanh nghiệp", "10 sáng kiến").
_COUNT_UNITS_TEXT = """
doanh nghiệp;sản phẩm;sáng kiến;mô hình;hộ gia đình;hộ;người;lượt người;lượt;cuộc;lớp;bài viết;bài;
tin bài;tin;xã;phường;thôn;điểm;đề tài;nhiệm vụ;dịch vụ;hồ sơ;thủ tục;cơ sở;trường;học viên;cán bộ;
đơn vị;dự án;hợp tác xã;ha;km;tỷ đồng;triệu đồng;đồng;buổi;hội nghị;hội thảo;lớp tập huấn;chương trình;
ứng dụng;nền tảng;cơ sở dữ liệu;trạm;điểm phát sóng;thiết bị;máy;camera;tài khoản;giao dịch;văn bản;
báo cáo;sản phẩm OCOP;nhãn hiệu;sáng chế;giải pháp;công trình;đoàn;tổ;câu lạc bộ;chỉ tiêu;mục tiêu;phòng;bản
"""
COUNT_UNITS = sorted(_COUNT_UNITS_TEXT.replace("\n", "").split(";"), key=len, reverse=True)
COUNT_UNITS = [u.strip() for u in COUNT_UNITS if u.strip()]


@dataclass
class Value:
    start: int  # where the qualifiers before the number start
    end: int  # after the number (and the unit, for counts)
    num_start: int
    target: float | int
    target_max: float | int | None
    comparator: str
    unit: str | None
    qualifiers: str


def to_number(text: str) -> float | int:
    s = text.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", s):
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", ".")
    value = float(s)
    return int(value) if value.is_integer() else value


def _count_unit(after: str) -> str | None:
    low = after.lstrip()
    for unit in COUNT_UNITS:
        if low.lower().startswith(unit.lower()) and not re.match(r"\w", low[len(unit) : len(unit) + 1]):
            return low[: len(unit)]
    return None


def find_values(text: str) -> list[Value]:
    """Every target in `text`, with its comparator and unit; numbers that are years, dates, document
    numbers or parts of names ("5G", "Đề án 06") are left out."""
    out: list[Value] = []
    for m in VALUE.finditer(text):
        offset = max(0, m.start() - 120)
        before = text[offset : m.start()]
        after = text[m.end() :]
        pct = bool(m.group("p1") or m.group("p2"))
        v1 = m.group("v1")
        if not pct:
            if re.fullmatch(r"(19|20)\d\d", v1) or _TIME_AFTER.match(after) or _YEAR_BEFORE.search(before):
                continue
            prev_word = re.search(r"(\S+)\s*$", before)
            if prev_word and prev_word.group(1)[:1].isupper() and not _QUALIFIERS_BEFORE.search(before):
                continue  # "Đề án 06", "Chương trình 135"
            if re.search(r"[(\[]\s*$", before):
                continue  # "(02 chỉ tiêu)"
        elif m.group("v2") is None and re.match(r"\s*(?:-|–|đến)\s*\d", after):
            continue
        q = _QUALIFIERS_BEFORE.search(before)
        qualifiers = q.group(0) if q else ""
        start = offset + q.start() if q else m.start()
        end = m.end()
        unit: str | None = "%" if pct else None
        if not pct:
            unit = _count_unit(after)
            if unit is None:
                word = re.match(r"\s*([^\W\d_]+(?:\s+[^\W\d_]+)?)", after)
                if not word or not qualifiers:
                    continue
                unit = word.group(1)
            end = m.end() + len(after) - len(after.lstrip()) + len(unit)
        tail = text[end : end + 40]
        target = to_number(v1)
        target_max = None
        comparator = ">="
        fq = fold(qualifiers)
        if m.group("v2"):
            comparator, target_max = "between", to_number(m.group("v2"))
        elif re.search(
            r"\b(duoi|khong qua|khong vuot qua|toi da|xuong|thap hon|it hon|con)\b|≤|<", fq
        ) or re.match(r"\s*trở xuống", tail):
            comparator = "<="
        if (
            comparator != "between"
            and re.match(r"\s*(?:đến|tới)\s*(" + _NUM + r")\s*%", tail)
            and "tu" in fq.split()
        ):
            r = re.match(r"\s*(?:đến|tới)\s*(" + _NUM + r")\s*%", tail)
            assert r is not None
            comparator, target_max = "between", to_number(r.group(1))
            end += r.end()
        if re.match(r"\s*trở lên", text[end:]):
            end += re.match(r"\s*trở lên", text[end:]).end()  # type: ignore[union-attr]
        out.append(Value(start, end, m.start(), target, target_max, comparator, unit, qualifiers))
    return out


def is_aspiration(text: str) -> bool:
    return bool(re.search(r"\b(phan dau|phan đau)\b", fold(text)))
