"""Text of a plan → the import contract (design.md, "Plan import contract").

The rules follow how Vietnamese administrative documents are built (Nghị định 30/2020/NĐ-CP):
a header with the issuing body, "Số: …/KH-…" and "<place>, ngày … tháng … năm …"; the title under
"KẾ HOẠCH"; a preamble of "Căn cứ …" / "Thực hiện …"; sections I., II., III. with "Mục tiêu",
"Nhiệm vụ, giải pháp", "Tổ chức thực hiện"; "Nơi nhận" and the signature block
("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / name"); an appendix with the task table. What cannot be read with
confidence is left null: a wrong value is worse than a missing one.
"""

import datetime
import itertools
import re

from kehoach.core.text import fold

from .contract import (
    Indicator,
    Measure,
    PlanContract,
    Reference,
    Responsibility,
    Signer,
    Task,
    empty_contract,
)
from .layout import CELL_BREAK, Para, Table, is_all_caps, split_blocks
from .structure import (
    LEVEL_ARABIC,
    LEVEL_DASH,
    LEVEL_LETTER,
    LEVEL_ROMAN,
    LEVEL_TEXT,
    Node,
    build_tree,
)
from .units import Expander, capitalise, split_units, starts_with_unit
from .values import find_values, is_aspiration

MOTTO = re.compile(
    r"CỘNG\s+HÒA\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM|Độc\s+lập\s*[-–—]\s*Tự\s+do\s*[-–—]\s*Hạnh\s+phúc",
    re.IGNORECASE,
)
_BODY_START = re.compile(
    r"^(?:căn cứ|thực hiện|triển khai thực hiện|triển khai|theo đó|nhằm|để|trên cơ sở|ngày \d)\b",
    re.IGNORECASE,
)
# A document number: "97/KH-UBND", "12- KH/TU", "163/2024/QH15", "71/NQCP".
DOC_NUMBER = re.compile(
    r"(?<![\w/.\-])(?P<n>\d{1,5}(?:/\d{4})?)\s?(?P<sep>[/-])\s?"
    r"(?P<sym>[A-ZĐ][A-Za-zĐđ0-9&]*(?:\s?[-/]\s?[A-ZĐa-z0-9][A-Za-zĐđ0-9&]*)*)"
)
_DATE_NUM = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})"
_DATE_WORDS = r"(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
_ORGAN = re.compile(
    r"^(?:ỦY|UỶ)\s+BAN|^(?:BỘ|SỞ|BAN|VĂN PHÒNG|CỤC|TỔNG CỤC|TRUNG TÂM|ĐẢNG ỦY|ĐẢNG UỶ|HỘI ĐỒNG|VIỆN|ĐÀI|"
    r"TRƯỜNG|CÔNG AN|PHÒNG|TỈNH ỦY|TỈNH UỶ|HUYỆN ỦY|HUYỆN UỶ|THÀNH ỦY|THÀNH UỶ|CHI CỤC|KHO BẠC|THANH TRA)\b"
)
# Capital letters, Vietnamese ones included ("À-Ỹ" as a range would take in small letters too).
UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper())
_LEVELS = r"xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|đặc khu"


def _iso(day: str | int | None, month: str | int | None, year: str | int | None) -> str | None:
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _clean_number(n: str, sym: str, sep: str) -> str | None:
    sym = re.sub(r"\s+", "", sym)
    sym = re.sub(r"(?<=[A-ZĐ0-9]{2})(ngày|ngay|ng|n)$", "", sym)
    sym = sym.rstrip("-/.")
    if len(re.findall(r"[A-ZĐ]", sym)) < 2:
        return None
    return f"{n.replace(' ', '')}{sep}{sym}"


def _title_words(text: str) -> str:
    """ "HÀ BẮC" → "Hà Bắc" (place names are proper nouns: every word capitalised)."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


def sentence_case(text: str) -> str:
    """A title written in capitals → sentence case, keeping document numbers and acronyms."""
    if not is_all_caps(text):
        return text
    words = text.split()
    out = []
    for i, w in enumerate(words):
        if re.search(r"\d", w) or re.fullmatch(r"[IVXL]+", w) or (len(w) <= 4 and fold(w) in _ACRONYMS):
            out.append(w.replace("TTG", "TTg"))
        else:
            out.append(w.lower() if i else w[:1] + w[1:].lower())
    return " ".join(out)


def recase(text: str, body: str) -> str:
    """Give the words of a title put in sentence case the capitals the body writes them with
    ("của ban thường vụ tỉnh ủy" → "của Ban Thường vụ Tỉnh ủy")."""
    words = re.findall(r"\w+", body)
    forms: dict[tuple[str, str], dict[str, int]] = {}
    for a, b in itertools.pairwise(words):
        if (b[:1].isupper() and not b.isupper()) or b.islower():
            d = forms.setdefault((a.lower(), b.lower()), {})
            d[b] = d.get(b, 0) + 1
    capitalised: dict[str, int] = {}
    for w in words[1:]:
        if w[:1].isupper() and not w.isupper():
            capitalised[w.lower()] = capitalised.get(w.lower(), 0) + 1
        elif w.islower():
            capitalised[w] = -1000
    tokens = re.split(r"(\w+)", text)
    out = list(tokens)
    prev = None
    for k, tok in enumerate(tokens):
        if not re.fullmatch(r"\w+", tok):
            continue
        if prev is not None and tok.islower():
            d = forms.get((prev.lower(), tok))
            if d:
                out[k] = max(d.items(), key=lambda kv: kv[1])[0]
            elif capitalised.get(tok, 0) >= 1:
                out[k] = tok[:1].upper() + tok[1:]  # a name the body always writes with a capital
        prev = tok
    return "".join(out)


_ACRONYMS = {
    "ubnd",
    "hdnd",
    "cntt",
    "ocop",
    "ioc",
    "upu",
    "khcn",
    "cchc",
    "tthc",
    "ai",
    "5g",
    "4g",
    "xx",
    "xix",
}


class Extractor:
    def __init__(self, lines: list[str]):
        self.blocks = split_blocks(lines)
        self.out: PlanContract = empty_contract()
        self.paras = [b for b in self.blocks if isinstance(b, Para)]
        self.all_text = "\n".join(
            b.text if isinstance(b, Para) else "\n".join(" | ".join(r) for r in b.rows) for b in self.blocks
        )
        self.expander = Expander(self.all_text)
        self.meta: dict[str, str] = {}
        self.own_numbers: set[str] = set()

    # ------------------------------------------------------------------ driver
    def run(self) -> PlanContract:
        self._metadata_rows()
        self.body_start = self._find_body_start()
        self.header_blocks = self.blocks[: self.body_start]
        self._number_date_place()
        self._issuer()
        self._title()
        self._prose_metadata()
        self.tree = build_tree(self.blocks[self.body_start :])
        for node in self.tree.walk():
            node.index += self.body_start
        self.end_index = self._closing_index()
        self.year = self._plan_year()
        self._signer()
        self._references()
        self._objectives()
        self._tasks()
        self._measures()
        self._responsibilities()
        return self.out

    # ------------------------------------------------------------------ header
    def _metadata_rows(self) -> None:
        """A legal-document site's table before the document: "Số hiệu", "Ngày ban hành", "Người ký"…"""
        keys = {
            "so hieu": "number",
            "ngay ban hanh": "date",
            "co quan ban hanh": "issuer",
            "nguoi ky": "signer",
        }
        pairs: list[tuple[str, str]] = []
        for b in self.blocks[:40]:
            if isinstance(b, Table):
                pairs.extend((r[0], r[1]) for r in b.rows if len(r) >= 2)
            elif isinstance(b, Para):
                m = re.match(r"^(Số hiệu|Ngày ban hành|Cơ quan ban hành|Người ký)\s*:?\s+(.+)$", b.text)
                if m:
                    pairs.append((m.group(1), m.group(2)))
        for key, value in pairs:
            name = keys.get(fold(key).strip(" :"))
            if name and value.strip() and name not in self.meta:
                self.meta[name] = value.strip()

    def _find_body_start(self) -> int:
        """Index of the first block after the header and the title (the preamble or section I)."""
        anchor = None
        for i, b in enumerate(self.blocks[:60]):
            if not isinstance(b, Para):
                continue
            t = b.text.strip()
            if re.match(r"^KẾ\s*HOẠCH\b", t):
                anchor = i
                break
            if anchor is None and re.search(
                r",\s*ngày\s*(\d{1,2})?\s*[.…]*\s*tháng\s*\d{1,2}\s*năm\s*\d{4}", t
            ):
                anchor = i  # keep looking for "KẾ HOẠCH" below the date
        if anchor is not None:
            i = anchor + 1
            first = True
            is_kh = re.match(r"^KẾ\s*HOẠCH\s*$", self.blocks[anchor].text.strip())  # type: ignore[union-attr]
            while i < len(self.blocks):
                b = self.blocks[i]
                if not isinstance(b, Para):
                    i += 1
                    continue
                t = b.text.strip()
                if first and is_kh and len(t) < 300:
                    first = False
                    i += 1
                    continue
                first = False
                if re.match(r"^(?:Về việc|V/v|Ban hành)\s", t) and len(t) < 300:
                    i += 1  # the subject line of a decision that issues the plan
                    continue
                if is_all_caps(t) and not re.match(r"^(?:[IVX]{1,4}\s*[.:\-–)]|PHẦN\s+[IVX])", t):
                    i += 1
                    continue
                return i
            return len(self.blocks)
        for i, b in enumerate(self.blocks):
            if not isinstance(b, Para):
                continue
            t = b.text.strip()
            if (
                i == 0
                and not _BODY_START.match(t)
                and not re.match(r"^(?:[IVX]{1,4}\s*[.:\-–)]|PHẦN\s+[IVX]|Phần\s+[IVX])", t)
            ):
                continue
            if _BODY_START.match(t) or re.match(r"^(?:[IVX]{1,4}\s*[.:\-–)]|PHẦN\s+[IVX]|Phần\s+[IVX])", t):
                return i
            if not b.hard and len(t) > 200 and not is_all_caps(t):
                return i
        return len(self.blocks)

    def _header_text(self) -> str:
        parts = []
        for b in self.header_blocks:
            if isinstance(b, Para):
                parts.append(b.text)
            else:
                parts.extend(" ".join(c for c in r) for r in b.rows)
        return MOTTO.sub(" ", "\n".join(parts))

    def _number_date_place(self) -> None:
        text = self._header_text()
        sym = r"(?P<sym>[A-ZĐ][\w&.]*(?:[ \t]*[-/][ \t]*[\wĐ&.]+)*)"
        # "Số: 97/KH-UBND"; party documents write "Số 12-KH/ĐU"
        m = re.search(r"\bSố\s*:\s*(?P<n>\d[\d.]*(?:/\d{4})?)?\s*(?P<sep>[/-])\s*" + sym, text)
        if not m:
            m = re.search(r"(?<![\w])Số\s+(?P<n>\d[\d.]*(?:/\d{4})?)\s*(?P<sep>[/-])\s*" + sym, text)
        if m:
            if m.group("n"):
                number = _clean_number(m.group("n"), m.group("sym"), m.group("sep"))
                if number:
                    self.own_numbers.add(_key(number))
                # A plan issued with a decision ("QUYẾT ĐỊNH Ban hành Kế hoạch …") has no number of its own.
                if not self._decision_header():
                    self.out["number"] = number
            self.number_seen = True
        elif "number" in self.meta:
            nm = DOC_NUMBER.search(self.meta["number"])
            if nm:
                self.out["number"] = _clean_number(nm.group("n"), nm.group("sym"), nm.group("sep"))

        dm = re.search(
            r"(?P<pre>[^\n|,]{0,60}),\s*ngày\s*(?P<d>\d{1,2})?\s*[.…]*\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})",
            text,
        ) or re.search(
            r"(?P<pre>[^\n|,]{0,60}),\s*ngày\s*(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})", text
        )
        if dm:
            self.out["date"] = _iso(dm.group("d"), dm.group("m"), dm.group("y")) if dm.group("d") else None
            self.date_seen = True
            words = dm.group("pre").split()
            place: list[str] = []
            for w in reversed(words):
                if w[:1].isupper() and (len(w) == 1 or w[1:].islower()):
                    place.insert(0, w)
                else:
                    break
            if place:
                self.out["place"] = " ".join(place[-4:])
        elif "date" in self.meta:
            d = re.search(_DATE_NUM, self.meta["date"])
            if d:
                self.out["date"] = _iso(d.group(1), d.group(2), d.group(3))

    def _issuer(self) -> None:
        text = self._header_text()
        lines = [" ".join(re.sub(r"-{2,}", " ", ln).split()).strip(" |") for ln in text.split("\n")]
        lines = [re.sub(r"^UBND\b", "ỦY BAN NHÂN DÂN", ln) for ln in lines]
        lines = [ln for ln in lines if ln]
        organs = []
        for ln in lines[:40]:
            if (
                re.match(r"^Số\s*(?::|\d)", ln)
                or re.search(r",\s*ngày", ln)
                or re.match(r"^KẾ\s*HOẠCH|^QUYẾT\s*ĐỊNH", ln)
            ):
                break
            if is_all_caps(ln) and _ORGAN.match(ln):
                organs.append(ln)
            elif (
                organs
                and is_all_caps(ln)
                and re.match(rf"^({_LEVELS.upper()})\s", ln)
                and re.search(r"NHÂN\s+DÂN$", organs[-1])
            ):
                organs[-1] = f"{organs[-1]} {ln}"  # "ỦY BAN NHÂN DÂN" over "XÃ ĐỊNH HƯNG"
        m = None
        for ln in reversed(organs):  # "UBND HUYỆN X" above "UBND XÃ Y": the commune issued it
            m = re.match(rf"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\s+(?P<lvl>{_LEVELS.upper()})\s+(?P<name>.+)$", ln)
            if m:
                break
        if m is None:
            joined = " ".join(organs)
            m = re.search(
                rf"(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\s+(?P<lvl>{_LEVELS.upper()})\s+(?P<name>(?:[{UPPER}0-9]+\s?){{1,5}})",
                joined,
            )
        if m:
            name = " ".join(
                w for w in m.group("name").split() if (w.isupper() and w.isalpha()) or w.isdigit()
            )
            if name:
                ubnd = f"UBND {m.group('lvl').lower()} {_title_words(name)}"
                below = [o for o in organs if not re.match(r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN", o)]
                if below:  # "UBND TỈNH X" above "SỞ Y": the department issued it
                    self.out["issuer"] = (
                        recase(sentence_case(below[-1]), self.all_text)
                        + f" {m.group('lvl').lower()} {_title_words(name)}"
                    )
                else:
                    self.out["issuer"] = ubnd
                return
        if organs and re.match(r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN$", organs[-1]):
            im = re.match(rf"^({_LEVELS})\s+(.+)$", self.meta.get("issuer", "").strip(), re.IGNORECASE)
            if im:
                self.out["issuer"] = f"UBND {im.group(1).lower()} {im.group(2).strip()}"
            elif self.out["place"]:
                # "Ủy ban nhân dân tỉnh ban hành Kế hoạch …" under a header that names no place but
                # "Bình Dương, ngày …": the place of an administrative body is its own name.
                bm = re.search(
                    rf"(?:(?:Ủy|Uỷ|ỦY|UỶ) ban nhân dân|UBND)\s+({_LEVELS})\s+"
                    r"(?:đã\s+)?(?:ban hành|xây dựng)\s+[Kk]ế hoạch",
                    self.all_text[:5000],
                )
                if bm:
                    self.out["issuer"] = f"UBND {bm.group(1)} {self.out['place']}"
            return
        if organs and not re.match(r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN$", organs[-1]):
            self.out["issuer"] = recase(sentence_case(organs[-1]), self.all_text)

    def _title(self) -> None:
        blocks = self.header_blocks
        parts: list[str] = []
        for b in blocks:
            if isinstance(b, Para):
                dm = re.match(
                    r"^(?:QUYẾT\s*ĐỊNH\s+)?(?:(?:VỀ|Về)\s*(?:VIỆC|việc)\s+)?(?:BAN|Ban|ban)\s*(?:HÀNH|hành)\s+"
                    r"(?:KẾ\s*HOẠCH|Kế\s*hoạch)\s+(.+)$",
                    b.text.strip(),
                )
                if dm and self._decision_header():
                    subject = dm.group(1)
                    if is_all_caps(subject):
                        subject = recase(sentence_case(subject), self.all_text)
                    subject = re.sub(r"\s+(?:CHỦ TỊCH|BỘ TRƯỞNG|GIÁM ĐỐC)\b.*$", "", subject)
                    self.out["title"] = f"Kế hoạch {subject[:1].lower()}{subject[1:]}"
                    return
        for i, b in enumerate(blocks):
            if isinstance(b, Para) and re.match(r"^KẾ\s*HOẠCH\b", b.text.strip()):
                rest = re.sub(r"^KẾ\s*HOẠCH\s*", "", b.text.strip())
                if rest:
                    parts.append(rest)
                for nb in blocks[i + 1 :]:
                    if not isinstance(nb, Para) or len(parts) >= 6:
                        break
                    parts.append(nb.text.strip())
                break
        if not parts:
            # the subject line in capitals right before the body (no "KẾ HOẠCH" line)
            for b in reversed(blocks):
                if isinstance(b, Para) and is_all_caps(b.text) and not MOTTO.search(b.text):
                    if re.search(rf"^(?:ỦY|UỶ) BAN|^({_LEVELS.upper()}) |^KẾ\s*HOẠCH\s*$", b.text.strip()):
                        break
                    parts.insert(0, b.text.strip())
                else:
                    break
        if not parts and self.blocks:
            first = self.blocks[0]
            if isinstance(first, Para) and re.match(r"^Kế hoạch\s+\D", first.text) and len(first.text) < 250:
                self.out["title"] = first.text.strip()
                return
        if parts:
            lines = []
            if all(is_all_caps(p) for p in parts):
                parts = [" ".join(parts)]
            for j, p in enumerate(parts):
                p = sentence_case(p) if is_all_caps(p) else p
                if j and re.match(r"^(Của|Đến|Về|Và|Trên|Tại|Giai đoạn|Năm|Định hướng)\b", p):
                    p = p[:1].lower() + p[1:]
                lines.append(p)
            title = " ".join(" ".join(lines).split())
            if any(is_all_caps(p) for p in parts):
                title = recase(title, self.all_text)
            title = title[:1].upper() + title[1:]
            self.out["title"] = f"Kế hoạch {title}"

    def _decision_header(self) -> bool:
        """The plan comes as the annex of a decision ("QUYẾT ĐỊNH / Ban hành Kế hoạch …")."""
        return any(
            isinstance(b, Para) and re.match(r"^QUYẾT\s*ĐỊNH\s*$", b.text.strip()) for b in self.header_blocks
        )

    def _prose_metadata(self) -> None:
        """News pages and portals: "Ngày 24/10/2025, Văn phòng UBND tỉnh Lai Châu ban hành Kế hoạch số …"."""
        for b in self.paras[:12]:
            t = b.text
            m = re.search(
                r"\b[Nn]gày\s+(\d{1,2})\s*(?:/|\s+tháng\s+)\s*(\d{1,2})(?:\s*(?:/|\s+năm\s+)\s*(\d{4}))?\s*,?\s*"
                r"(?P<who>[^,.;]{3,90}?)\s+(?:đã\s+)?ban hành\s+(?P<what>(?:[Kk]ế hoạch|Quyết định)[^.;]*)",
                t,
            )
            if not m:
                continue
            qd = re.match(r"Quyết định\s+số\s+", m.group("what"))
            if qd:
                dn = DOC_NUMBER.match(m.group("what")[qd.end() :])
                if not dn or "hoạch" not in m.group("what")[:160]:
                    continue
                num = _clean_number(dn.group("n"), dn.group("sym"), dn.group("sep"))
                if num:
                    self.own_numbers.add(_key(num))  # the decision that promulgates the plan
            what = m.group("what")
            year = m.group(3)
            if not year:
                ym = re.search(r"năm\s+(\d{4})", what)
                year = ym.group(1) if ym else None
            if self.out["date"] is None and not getattr(self, "date_seen", False) and year:
                self.out["date"] = _iso(m.group(1), m.group(2), year)
            who = m.group("who").strip()
            if self.out["issuer"] is None and re.search(rf"\b({_LEVELS})\s+[{UPPER}]", who):
                self.out["issuer"] = re.sub(r"^(?:Ủy|Uỷ) ban nhân dân", "UBND", who)
            nm = re.match(r"[Kk]ế hoạch\s+số\s+", what)
            if nm and self.out["number"] is None and not getattr(self, "number_seen", False):
                dn = DOC_NUMBER.match(what[nm.end() :])
                if dn:
                    self.out["number"] = _clean_number(dn.group("n"), dn.group("sym"), dn.group("sep"))
            if self.out["title"] is None:
                subject = re.sub(r"^[Kk]ế hoạch\s+(?:số\s+\S+\s+)?", "", what).split(",")[0].strip()
                if subject:
                    self.out["title"] = f"Kế hoạch {subject}"
            break
        if self.out["issuer"] is None:
            for b in self.paras[:40]:
                for m in re.finditer(r"(xây dựng|ban hành)\s+[Kk]ế\s*hoạch", b.text):
                    before = b.text[: m.start()]
                    before = re.split(r"[.;:]\s|,\s(?=[A-ZĐ])", before)[-1]
                    im = re.search(
                        rf"((?:Văn phòng\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+({_LEVELS})"
                        rf"(?:\s+[{UPPER}]\w*){{1,4}})\s*$",
                        before.strip(),
                    )
                    if im:
                        self.out["issuer"] = re.sub(r"(?:Ủy|Uỷ) ban nhân dân", "UBND", im.group(1))
                        return

    # ------------------------------------------------------------------ body outline
    def _closing_index(self) -> int:
        """Where the body ends: "Nơi nhận", the signature block, or the appendix."""
        for i in range(self.body_start, len(self.blocks)):
            b = self.blocks[i]
            if isinstance(b, Para) and re.match(r"^(Nơi nhận|TM\.|KT\.|TL\.|TUQ\.)", b.text.strip()):
                return i
            if isinstance(b, Table) and b.rows and re.match(r"^\s*Nơi nhận", b.rows[0][0]):
                return i
        return len(self.blocks)

    def _plan_year(self) -> int | None:
        if self.out["date"]:
            return int(self.out["date"][:4])
        for text in (self.out["title"] or "", self.all_text[:3000]):
            m = re.search(r"năm\s+((?:19|20)\d\d)\b", text)
            if m:
                return int(m.group(1))
        return None

    def _top_sections(self) -> list[Node]:
        return [n for n in self.tree.children if n.index < self.end_index]

    def _in_body(self, node: Node) -> bool:
        return self.body_start <= node.index < self.end_index

    @staticmethod
    def _is_results(node: Node) -> bool:
        f = node.folded
        return bool(
            re.search(
                r"ket qua dat duoc|danh gia ket qua|tinh hinh thuc hien|ket qua thuc hien|danh gia tinh hinh",
                f,
            )
        )

    def _sections(self, predicate) -> list[Node]:
        """Headings (I., II., Phần) whose title satisfies `predicate`, outermost first."""
        found: list[Node] = []

        def visit(node: Node) -> None:
            for child in node.children:
                if child.level > LEVEL_ARABIC + 1 or child.table is not None:
                    continue
                if self._is_results(child):
                    continue
                if predicate(child.folded) and len(child.text) < 200:
                    found.append(child)
                else:
                    visit(child)

        visit(self.tree)
        return [n for n in found if self._in_body(n)]

    # ------------------------------------------------------------------ signer
    def _signer(self) -> None:
        positions = (
            r"(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|GIÁM\s+ĐỐC|BỘ\s+TRƯỞNG|THỨ\s+TRƯỞNG|TRƯỞNG\s+BAN|CHÁNH\s+VĂN\s+PHÒNG|"
            r"TRƯỞNG\s+PHÒNG|BÍ\s+THƯ|CỤC\s+TRƯỞNG|VIỆN\s+TRƯỞNG|CHỦ\s+NHIỆM|TỔNG\s+GIÁM\s+ĐỐC)"
            r"(?:\s+THƯỜNG\s+TRỰC)?"
        )
        chunks: list[str] = []
        for b in self.blocks[self.end_index :]:
            if isinstance(b, Para):
                if b.text.strip().startswith("PHỤ LỤC"):
                    break
                chunks.append(b.text)
            else:
                chunks.extend(c for r in b.rows for c in r)
        text = "\n".join(chunks)
        found = list(re.finditer(positions, text))
        signer: Signer | None = None
        if found:
            pos = found[-1]
            after = text[pos.end() : pos.end() + 200]
            name = None
            for nm in re.finditer(rf"[{UPPER}]\w*(?:\s+[{UPPER}]\w*){{1,4}}", after):
                words = nm.group(0).split()
                if all(w[:1].isupper() and w[1:].islower() for w in words):
                    name = nm.group(0)
                    break
            if name:
                signer = {"name": name, "position": _position_case(pos.group(0))}
                authority = _signing_authority(text[max(0, pos.start() - 300) : pos.start()])
                if authority:
                    signer["authority"] = authority
        if signer is None and "signer" in self.meta:
            signer = {"name": self.meta["signer"], "position": None}
        self.out["signer"] = signer

    # ------------------------------------------------------------------ references
    def _excluded_indexes(self) -> set[int]:
        """Blocks in a report on past results (their documents are not what the plan carries out)."""
        out: set[int] = set()
        for node in self.tree.walk():
            if self._is_results(node) and node.level <= LEVEL_ARABIC + 1:
                out.add(node.index)
                out.update(n.index for n in node.walk())
        return out

    def _references(self) -> None:
        own = _key(self.out["number"] or "")
        excluded = self._excluded_indexes()
        texts: list[str] = []
        if self.out["title"]:
            texts.append(self.out["title"])
        for i in range(self.body_start, self.end_index):
            b = self.blocks[i]
            if isinstance(b, Para) and i not in excluded:
                texts.append(b.text)
        for b in self.blocks[self.end_index :]:
            if isinstance(b, Table):
                texts.extend(" ".join(r) for r in b.rows[1:])
        preamble_end = self._preamble_end()
        amended = set()
        # A document the plan sets out to amend ("sửa đổi, bổ sung … Nghị định số 06/2022/NĐ-CP") is not
        # one it carries out; an amendment described inside a cited document does not count.
        for ti, text in enumerate(texts):
            if ti <= preamble_end:
                continue
            for m in re.finditer(r"(?:sửa đổi|bổ sung|thay thế)[^.;]{0,80}?", text):
                window = text[m.end() : m.end() + 60]
                dn = DOC_NUMBER.search(window)
                if dn and dn.start() < 40:
                    num = _clean_number(dn.group("n"), dn.group("sym"), dn.group("sep"))
                    if num:
                        amended.add(_key(num))
        refs: list[Reference] = []
        index: dict[str, int] = {}
        for ti, text in enumerate(texts):
            for m in DOC_NUMBER.finditer(text):
                num = _clean_number(m.group("n"), m.group("sym"), m.group("sep"))
                if not num:
                    continue
                key = _key(num)
                if (
                    key == own
                    or key in self.own_numbers
                    or key in amended
                    or "ttr" in key.split("/")[-1].split("-")[0]
                ):
                    continue
                before = fold(text[max(0, m.start() - 60) : m.start()])
                if re.search(r"(to trinh|de nghi|de xuat)[^;]*$", before) or re.search(
                    r"kem theo[^;]*$", before
                ):
                    continue
                if re.search(r"(so hieu|^so)\s*:?\s*$", before):
                    continue
                glued = len(re.sub(r"\s+", "", m.group("sym"))) - len(num.split(m.group("sep"), 1)[1])
                rest = text[m.end() - max(glued, 0) : m.end() + 200]
                date, issuer = _ref_date_issuer(rest)
                if key in index:
                    r = refs[index[key]]
                    if r["date"] is None and date:
                        r["date"] = date
                    continue
                if len(text) - m.end() < 3 and any(k.startswith(key) for k in index):
                    continue  # "Quyết định số 2629/QĐ-T" where the excerpt stops: one already listed
                index[key] = len(refs)
                refs.append({"number": num, "date": date, "issuer": issuer})
            if ti <= preamble_end:
                for lm in re.finditer(
                    r"\b(?:Luật|Bộ luật|Hiến pháp|Pháp lệnh)\s+[^;\n\d]{2,120}?\s+ngày\s+(?:"
                    + _DATE_NUM
                    + "|"
                    + _DATE_WORDS
                    + ")",
                    text,
                ):
                    g = lm.groups()
                    date = _iso(g[0], g[1], g[2]) if g[0] else _iso(g[3], g[4], g[5])
                    if date and ("law:" + date) not in index:
                        index["law:" + date] = len(refs)
                        refs.append({"number": None, "date": date, "issuer": None})
        self.out["references"] = refs

    def _preamble_end(self) -> int:
        """Index (in the reference texts) of the last paragraph of the preamble / "Căn cứ" list."""
        count = 1 if self.out["title"] else 0
        in_basis = False
        for i in range(self.body_start, self.end_index):
            b = self.blocks[i]
            if not isinstance(b, Para):
                continue
            t = b.text.strip()
            heading = re.match(r"^(?:[IVX]{1,4}\s*[.:\-–)]|PHẦN|Phần|\d{1,2}\s*[.)])\s*(.*)", t)
            if heading:
                if "can cu" in fold(heading.group(1))[:20]:
                    in_basis = True
                elif in_basis or count > (1 if self.out["title"] else 0):
                    return count - 1
                else:
                    return count - 1
            count += 1
        return count

    # ------------------------------------------------------------------ objectives
    def _objectives(self) -> None:
        def is_objective(f: str) -> bool:
            return ("muc tieu" in f or "chi tieu" in f) and not re.search(r"ket qua|tinh hinh|danh gia", f)

        sections = self._sections(is_objective)
        goals: list[str] = []
        indicators: list[Indicator] = []
        for section in sections:
            for node in section.walk():
                if node.table is not None:
                    indicators.extend(self._indicator_table(node.table, default_group=None))
                    continue
                if node.children and not node.text.endswith(":"):
                    continue  # a heading
                # an item that introduces sub-items ("- Phấn đấu đến năm 2025:") is read on its own;
                # its sub-items follow, each with the intro as context
                text = node.text
                found = self._indicators_in(text, node)
                if found:
                    indicators.extend(found)
                elif node.text.endswith(":"):
                    continue
                elif (node.level >= LEVEL_DASH or (node.level >= LEVEL_LETTER and len(text) > 60)) and (
                    not re.search(r"muc tieu|chi tieu", fold(text)[:30]) or len(text) > 80
                ):
                    goals.append(_sentence(text))
        if not sections:
            # an indicator table on its own (an appendix page), or a news report of the targets
            for b in self.blocks:
                if isinstance(b, Table):
                    indicators.extend(self._indicator_table(b, default_group=None))
            if not indicators and not self._has_outline():
                indicators.extend(self._prose_indicators())
        self.out["goals"] = [g for g in goals if g]
        self.out["indicators"] = indicators

    def _has_outline(self) -> bool:
        return any(n.level <= LEVEL_ARABIC for n in self.tree.walk() if n.table is None)

    def _group_of(self, node: Node) -> str | None:
        for anc in node.ancestors():
            if anc.level <= LEVEL_LETTER and anc.text and not anc.text.endswith(":"):
                g = re.sub(r"\s*\(\d+\s*chỉ tiêu\)\s*$", "", anc.text).strip(" :.")
                return sentence_case(g)
        return None

    def _context_aspiration(self, node: Node) -> bool:
        for anc in node.ancestors():
            if anc.text.endswith(":") and is_aspiration(anc.text):
                return True
        parent = node.parent
        if parent is not None:
            siblings = parent.children
            k = siblings.index(node)
            for prev in reversed(siblings[:k]):
                if prev.text.endswith(":") and not prev.children:
                    return is_aspiration(prev.text)
                if prev.level != node.level:
                    break
        return False

    def _indicators_in(self, text: str, node: Node | None, group: str | None = None) -> list[Indicator]:
        out: list[Indicator] = []
        if group is None and node is not None:
            group = self._group_of(node)
        context_aspiration = node is not None and self._context_aspiration(node)
        for sentence in _sentences(text):
            aspiration_sentence = False
            for part in re.split(r";\s*", sentence):
                clauses = list(_clauses(part))
                shared = ""
                if len(clauses) > 1:
                    last_post = _cut_post(clauses[-1][3])
                    pm = _PREDICATE.search(" " + last_post)
                    if pm:
                        shared = (" " + last_post)[pm.start() :].strip()
                for k, (_clause, value, pre, post) in enumerate(clauses):
                    name = _indicator_name(pre, post, count_unit=value.unit if value.unit != "%" else None)
                    if not name:
                        continue
                    if shared and k < len(clauses) - 1 and not _PREDICATE.search(f" {name} "):
                        name = f"{name} {shared}"
                    lead = pre + " " + value.qualifiers
                    aspiration = context_aspiration or is_aspiration(lead) or aspiration_sentence
                    if is_aspiration(lead):
                        aspiration_sentence = True
                    out.append(
                        {
                            "group": group,
                            "name": name,
                            "comparator": value.comparator,
                            "target": value.target,
                            "target_max": value.target_max,
                            "unit": value.unit,
                            "commitment": "aspiration" if aspiration else "required",
                        }
                    )
        return out

    def _indicator_table(self, table: Table, default_group: str | None) -> list[Indicator]:
        if not table.rows:
            return []
        head = [fold(c) for c in table.rows[0]]
        if not any("chi tieu" in h for h in head):
            return []
        if any("chu tri" in h or "phoi hop" in h for h in head):
            return []
        name_col = next(
            (i for i, h in enumerate(head) if re.search(r"ten chi tieu|noi dung|^chi tieu$", h)), None
        )
        if name_col is None:
            name_col = next((i for i, h in enumerate(head) if "chi tieu" in h), None)
        unit_col = next((i for i, h in enumerate(head) if re.search(r"don vi tinh|dvt|^don vi$", h)), None)
        value_col = next(
            (
                i
                for i, h in enumerate(head)
                if i != name_col
                and re.search(r"cu the|muc tieu|ke hoach|nam \d{4}|gia tri|chi tieu nam|^chi tieu", h)
            ),
            None,
        )
        if name_col is None or value_col is None:
            return []
        out: list[Indicator] = []
        group = default_group
        for row in table.rows[1:]:
            stt = row[0].strip() if row else ""
            cells = [c.replace(CELL_BREAK.strip(), " ").strip() for c in row]
            if re.fullmatch(r"[IVXL]{1,5}\.?|[A-Z]\.?", stt) and len(cells) > 1:
                group = re.sub(r"\s*\(\s*\d+\s*chỉ\s*tiêu\s*\)\s*$", "", cells[1]).strip() or group
                continue
            if not re.fullmatch(r"\d{1,3}(?:\.\d{1,2})*\.?", stt) or len(cells) <= name_col:
                continue
            name = " ".join(cells[name_col].split())
            if not name:
                continue
            value_text = cells[value_col] if value_col < len(cells) else ""
            unit_text = cells[unit_col] if unit_col is not None and unit_col < len(cells) else ""
            target = target_max = comparator = unit = None
            if value_text:
                probe = value_text if "%" in value_text or not unit_text else f"{value_text} {unit_text}"
                values = find_values(probe) or find_values(f"đạt {probe}")
                if values:
                    v = values[0]
                    target, target_max, comparator = v.target, v.target_max, v.comparator
                    unit = unit_text or v.unit
                    if unit and unit.strip() in {"%", "Tỷ lệ %", "tỷ lệ %"}:
                        unit = "%"
            out.append(
                {
                    "group": group,
                    "name": capitalise(name),
                    "comparator": comparator,
                    "target": target,
                    "target_max": target_max,
                    "unit": unit,
                    "commitment": "aspiration" if is_aspiration(value_text) else "required",
                }
            )
        return out

    def _prose_indicators(self) -> list[Indicator]:
        """A news article that reports a plan's targets in running text."""
        out: list[Indicator] = []
        group: str | None = None
        for b in self.paras:
            t = b.text
            if not re.search(r"\d\s*%", t):
                continue
            if not re.search(r"mục tiêu|phấn đấu|hướng đến|hướng tới|dự kiến|đạt|chỉ tiêu", t, re.IGNORECASE):
                continue
            gm = re.match(r"^(?:Về|Trong lĩnh vực|Đối với|Lĩnh vực)\s+(?:phát triển\s+)?([^,]{3,60}),", t)
            group = capitalise(gm.group(1).strip()) if gm else None
            out.extend(self._indicators_in(t, None, group=group))
        return out

    # ------------------------------------------------------------------ tasks
    def _tasks(self) -> None:
        tasks: list[Task] = []
        for b in self.blocks:
            if isinstance(b, Table):
                tasks.extend(self._task_table(b))
        self.out["tasks"] = tasks

    def _task_table(self, table: Table) -> list[Task]:
        header_row = None
        for k, row in enumerate(table.rows[:3]):
            head = [fold(c) for c in row]
            has_title = any(
                re.search(r"nhiem vu|noi dung|ten (de an|nhiem vu|hoat dong)|hoat dong", h) for h in head
            )
            has_unit = any(re.search(r"chu tri|phoi hop|co quan|don vi thuc hien", h) for h in head)
            if has_title and has_unit:
                header_row = k
                break
        if header_row is None:
            return []
        head = [fold(c) for c in table.rows[header_row]]

        def col(pattern: str, exclude: set[int] = frozenset()) -> int | None:  # type: ignore[assignment]
            return next((i for i, h in enumerate(head) if i not in exclude and re.search(pattern, h)), None)

        stt_col = col(r"^(stt|tt|so tt|so thu tu)\.?$")
        lead_col = col(r"chu tri")
        coord_col = col(r"phoi hop")
        if lead_col is None:
            lead_col = col(
                r"don vi thuc hien|co quan thuc hien|don vi|co quan",
                {coord_col} if coord_col is not None else set(),
            )
        used = {c for c in (stt_col, lead_col, coord_col) if c is not None}
        title_col = col(r"nhiem vu|noi dung|ten|hoat dong", used)
        used.add(title_col) if title_col is not None else None
        output_col = col(r"ket qua|san pham", used)
        deadline_col = col(r"thoi han|thoi gian|tien do|hoan thanh", used)
        if title_col is None:
            return []
        out: list[Task] = []
        for row in table.rows[header_row + 1 :]:
            if stt_col is not None:
                stt = row[stt_col].strip() if stt_col < len(row) else ""
                if not re.fullmatch(r"\d{1,3}(?:\.\d{1,2})*\.?", stt):
                    continue
            title = _cell(row, title_col)
            if not title:
                continue
            deadline_text = _cell(row, deadline_col)
            out.append(
                {
                    "title": title,
                    "lead_units": [
                        self.expander.expand(u) for u in split_units(_cell(row, lead_col, keep_breaks=True))
                    ],
                    "coordinating_units": [
                        self.expander.expand(u) for u in split_units(_cell(row, coord_col, keep_breaks=True))
                    ],
                    "output": _cell(row, output_col) or None,
                    "deadline_text": deadline_text or None,
                    "deadline": self._deadline(deadline_text),
                }
            )
        return out

    def _deadline(self, text: str):
        if not text:
            return None
        from kehoach.plans.deadlines import DeadlineError, parse_deadline

        try:
            d = parse_deadline(text, year=self.year or datetime.date.today().year)
        except DeadlineError:
            return None
        date = d.date.isoformat() if d.date else None
        if self.year is None and date and not re.search(r"\d{4}", text):
            date = None  # the plan's year is unknown, so "Cả năm" has no date
        return {"kind": str(d.kind), "date": date}

    # ------------------------------------------------------------------ measures
    def _measures(self) -> None:
        def is_tasks(f: str) -> bool:
            return bool(re.search(r"nhiem vu|giai phap", f)) and not re.search(
                r"phan cong|to chuc thuc hien|trach nhiem|muc tieu", f
            )

        measures: list[Measure] = []
        for section in self._sections(is_tasks):
            if section.level > LEVEL_ROMAN and section.parent is not self.tree:
                continue
            measures.extend(self._items_of(section))
        self.out["measures"] = measures

    def _items_of(self, section: Node) -> list[Measure]:
        out: list[Measure] = []

        def visit(node: Node, heading: Node) -> None:
            for child in node.children:
                if child.table is not None or not self._in_body(child):
                    continue
                if _is_closing(child.text):
                    continue
                is_heading = (
                    bool(child.children) and child.level <= LEVEL_LETTER and not child.text.endswith(":")
                )
                if is_heading:
                    visit(child, child)
                elif child.text:
                    out.append({"section": _section_title(heading), "text": _sentence(child.full_text())})

        visit(section, section)
        return out

    # ------------------------------------------------------------------ responsibilities
    def _responsibilities(self) -> None:
        def is_org(f: str) -> bool:
            return bool(
                re.search(
                    r"to chuc thuc hien|phan cong nhiem vu|trach nhiem thuc hien|phan cong trach nhiem", f
                )
            )

        entries: dict[str, Responsibility] = {}
        order: list[str] = []

        def add(unit: str, duties: list[str]) -> None:
            key = fold(unit)
            if key not in entries:
                entries[key] = {"unit": unit, "duties": []}
                order.append(key)
            entries[key]["duties"].extend(d for d in duties if d)

        def visit(node: Node) -> None:
            for child in node.children:
                if child.table is not None or not self._in_body(child) or _is_closing(child.text):
                    continue
                parsed = _unit_heading(child.text) if child.level < LEVEL_TEXT else None
                if parsed:
                    units, inline = parsed
                    duties = [_sentence(inline)] if inline else []
                    for sub in child.children:
                        if sub.table is None and not _is_closing(sub.text) and self._in_body(sub):
                            duties.append(_sentence(sub.full_text()))
                    for unit in units:
                        add(unit, list(duties))
                elif child.level <= LEVEL_LETTER and child.children:
                    visit(child)

        for section in self._sections(is_org):
            visit(section)
        self.out["responsibilities"] = [entries[k] for k in order]


# ---------------------------------------------------------------------- helpers


def _key(number: str) -> str:
    return re.sub(r"[\s\u2010-\u2015]", lambda m: "" if m.group(0).isspace() else "-", fold(number))


_DOC_KINDS = (
    r"(?:Kế hoạch|Quyết định|Nghị quyết|Nghị định|Chỉ thị|Chương trình|Thông tư|Thông báo|Kết luận"
    r"|Công văn|Văn bản|Hướng dẫn|Đề án|Luật|Pháp lệnh|Điều lệ|Quy định|Quy chế)"
)


def _ref_date_issuer(rest: str) -> tuple[str | None, str | None]:
    date = None
    m = re.match(r"^(?:ngày|ngay)?\s*[,]?\s*(?:ngày\s*:?\s*)?" + _DATE_NUM, rest.strip())
    if not m:
        m = re.match(r"^[,]?\s*(?:ngày|ngay)?\s*(?:ngày\s*)?" + _DATE_WORDS, rest.strip())
    issuer = None
    if m:
        date = _iso(m.group(1), m.group(2), m.group(3))
        tail = rest.strip()[m.end() :]
        im = re.match(
            rf"^\s*(?:của\s+)?((?:[{UPPER}]\w*)(?:[ \t]+\w+){{0,10}}?)"
            r"(?=\s+(?:về|phê duyệt|ban hành|thực hiện|triển khai|tại|quy định|hướng dẫn|khóa [IVX]"
            r"|sửa đổi)\b"
            # "… của Thủ tướng Chính phủ và Kế hoạch số 03-KH/TU …": the next document starts.
            rf"|\s+(?:và|cùng)\s+(?:các\s+)?{_DOC_KINDS}\b"
            r"|[;,.(\n“\"]|$)",
            tail,
        )
        if im and (tail.lstrip().startswith("của") or im.group(1)[:1].isupper()):
            issuer = im.group(1).strip() or None
            if issuer and re.match(r"^(Về|Và|Phê|Ban hành)\b", issuer):
                issuer = None
    return date, issuer


def _sentences(text: str) -> list[str]:
    parts = re.split(rf"(?<=[.!?])\s+(?=[{UPPER}0-9\-–])", text)
    return [p for p in parts if p.strip()]


_CLAUSE_VERBS = (
    r"đồng thời|đảm bảo|bảo đảm|phổ cập|triển khai|góp phần|nhằm|từng bước|hướng tới|tiến tới|phấn đấu|"
    r"trong đó|riêng|không để|đến năm|và đến năm"
)


def _clauses(part: str):
    """Split a phrase with several targets ("… 80% hồ sơ … và 70% hồ sơ …") and yield
    (clause, value, text before the value, text after it) for each target."""
    values = find_values(part)
    if not values:
        return
    bounds: list[int] = [0]
    for k in range(1, len(values)):
        prev, cur = values[k - 1], values[k]
        between = part[prev.end : cur.start]
        after_cur = part[cur.end :]
        next_start = values[k + 1].start if k + 1 < len(values) else len(part)
        value_first = len(after_cur[: next_start - cur.end].strip(" .,;:)")) > 3
        seps = [m for m in re.finditer(r",\s+|\s+và\s+|\s+-\s+", between)]
        if not seps:
            cut = prev.end
        elif value_first:
            cut = prev.end + seps[-1].start()
        else:
            cut = prev.end + seps[0].start()
        bounds.append(cut)
    bounds.append(len(part))
    for k, value in enumerate(values):
        lo, hi = bounds[k], bounds[k + 1]
        clause = part[lo:hi]
        pre = part[lo : value.start]
        post = part[value.end : hi]
        yield clause, value, pre, post


def _strip_lead(text: str) -> str:
    text = re.sub(r"^[\s,;:.\-–+]+|[\s,;:]+$", "", text)
    text = re.sub(r"^(?:và|với|,)\s+", "", text)
    return text.strip()


_LEAD_MARKERS = re.compile(
    r"(?:đặt mục tiêu|mục tiêu|hướng đến|hướng tới|phấn đấu đạt|phấn đấu|phần đầu|dự kiến|"
    r"đồng thời nâng|nâng|tăng|giảm)\s*(?:đạt\s*)?:?\s*",
    re.IGNORECASE,
)
_LEAD_MARKERS_C = re.compile(
    r"(?:đặt mục tiêu|mục tiêu|hướng đến|hướng tới|phấn đấu đạt|phấn đấu|phần đầu|dự kiến|"
    r"đồng thời nâng|nâng|khuyến khích|đạt|là|:)\s*",
    re.IGNORECASE,
)


_FILLERS = re.compile(
    r"^(?:(?:trong đó|riêng|đồng thời|có|đảm bảo|bảo đảm|phấn đấu có|phấn đấu đạt|phấn đấu|đạt|và)"
    r"(?:\s*,?\s+|\s*$))+",
    re.IGNORECASE,
)
_PREDICATE = re.compile(
    r"\s(?:được|đạt|có|sử dụng|tham gia|hoàn thành|ứng dụng|kết nối|thực hiện|triển khai|không)\s",
    re.IGNORECASE,
)


def _cut_post(post: str) -> str:
    """What follows the target, up to where another statement starts."""
    post = re.split(r"[;]|\.\s|\.$", post)[0]
    m = re.search(rf"(?:,|\s+và)\s+(?:{_CLAUSE_VERBS})\b", post)
    if m:
        post = post[: m.start()]
    return post


def _indicator_name(pre: str, post: str, count_unit: str | None = None) -> str | None:
    paren = ""
    post = _cut_post(post)
    pm = re.match(r"^\s*(\([^)]*\))\s*[.,]?\s*$", post)
    if pm:
        paren, post = pm.group(1), ""
    post = re.sub(r"^\s*trở lên\b", "", post)
    post_name = _strip_lead(post)
    if post_name and ":" in pre:
        pre = pre.rsplit(":", 1)[1]  # "… với các chỉ tiêu như: 100% cán bộ …"
    if post_name and re.search(r"[,;]\s*$", pre):
        pre = ""  # "Đẩy mạnh thanh toán không dùng tiền mặt, phấn đấu 50% hộ gia đình …"
    pre_core = _strip_lead(pre)
    pre_core = re.sub(r"^(?:Về|Trong lĩnh vực|Đối với lĩnh vực)\s+[^,]{2,60},\s*", "", pre_core)
    pre_core = _FILLERS.sub("", pre_core)
    post_name = _FILLERS.sub("", post_name)
    if not post_name and not _FILLERS.sub("", _strip_lead(pre)) and count_unit:
        post_name = count_unit  # "tối thiểu 05 mô hình" under a heading naming the measure
    if not post_name:
        lead = None
        for lead in _LEAD_MARKERS.finditer(pre_core):  # noqa: B007 - the last one is wanted
            pass
        if lead is not None and pre_core[lead.end() :].strip():
            pre_core = pre_core[lead.end() :]
        pre_core = re.sub(r"^(?:Đảm bảo|Bảo đảm|Có|Đạt|Phấn đấu)\s+", "", pre_core)
        name = pre_core
    elif not pre_core:
        name = f"{count_unit} {post_name}" if count_unit else post_name
    else:
        lead = None
        for lead in _LEAD_MARKERS_C.finditer(pre_core):  # noqa: B007 - the last one is wanted
            pass
        if lead is not None:
            rest = pre_core[lead.end() :].strip()
            name = f"{rest} {post_name}" if rest else post_name
        else:
            name = f"{pre_core} {post_name}"
    name = _strip_lead(name)
    if paren:
        name = f"{name} {paren}"
    if len(re.findall(r"\w+", name)) < 2:
        return None
    return capitalise(name)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    text = re.sub(r"\s*\./\.\s*$", ".", text)
    text = re.sub(r"^(?:có trách nhiệm|chịu trách nhiệm)\s*:?\s*", "", text)
    return capitalise(text.strip())


def _section_title(node: Node) -> str | None:
    t = node.text.strip().rstrip(":")
    return sentence_case(t) if t else None


def _is_closing(text: str) -> bool:
    return bool(
        re.match(r"^(Trong quá trình|Quá trình|Trên đây|Nơi nhận|Kế hoạch này có hiệu lực)", text.strip())
    )


_DUTY_VERBS = (
    r"chủ trì|phối hợp|có trách nhiệm|chịu trách nhiệm|là cơ quan|nghiên cứu|tham mưu|thực hiện|triển khai|"
    r"chỉ đạo|hướng dẫn|theo dõi|kịp thời|bố trí|đảm bảo|bảo đảm|căn cứ|xây dựng|tổ chức|tăng cường|"
    r"đẩy mạnh|rà soát|"
    r"cân đối|quản lý|phụ trách|giúp|được giao|tuyên truyền|vận động|giám sát|kiểm tra|hỗ trợ|phổ biến|"
    r"đôn đốc|tổng hợp|báo cáo|tiếp nhận|cung cấp|chuẩn bị|tích cực|chủ động|thường xuyên|lồng ghép|hướng dẫn"
)


def _unit_heading(text: str) -> tuple[list[str], str] | None:
    """ "Sở Y tế", "Bộ Chỉ huy Quân sự tỉnh: Chủ trì …", "Cục Viễn thám quốc gia chủ trì, …" →
    (units, duty written on the same line)."""
    t = re.sub(r"^(?:Đề nghị|Giao|Yêu cầu)\s+", "", text.strip())
    if not starts_with_unit(t):
        return None
    colon = t.find(":")
    verb = re.search(rf"\s(?:{_DUTY_VERBS})\b", t)
    if 0 < colon < 200:
        trimmed = re.sub(r"\s+(?:có|chịu) trách nhiệm\s*$", "", t[:colon])
        t = trimmed + t[colon:]
        colon = len(trimmed)
    colon_units = split_units(t[:colon]) if 0 < colon < 200 else []
    if colon_units and (
        verb is None or colon < verb.start() or all(starts_with_unit(u) for u in colon_units)
    ):
        head, rest = t[:colon], t[colon + 1 :]
    elif verb is not None and verb.start() < 250:
        head, rest = t[: verb.start()], t[verb.start() :]
    elif len(t.split()) <= 16 and not t.rstrip().endswith("."):
        head, rest = t, ""
    else:
        return None
    units = split_units(head)
    if not units or any(len(u.split()) > 16 for u in units):
        return None
    rest = re.sub(r"^\s*(?:có trách nhiệm|chịu trách nhiệm)\s*:?\s*", "", rest.strip())
    return units, capitalise(rest.strip())


def _cell(row: list[str], col: int | None, keep_breaks: bool = False) -> str:
    if col is None or col >= len(row):
        return ""
    text = row[col]
    if not keep_breaks:
        text = text.replace(CELL_BREAK.strip(), " ")
    return " ".join(text.split()).strip()


# "TM. ỦY BAN NHÂN DÂN" (on behalf of a collective body), "TL. CHỦ TỊCH", "TUQ. CHỦ TỊCH", "Q. CHỦ TỊCH":
# the line above the signer's position. "KT. …" is left out: it follows from a deputy's position. The
# capitals after the marker, up to the next marker or the end of the line ("… NCTường. TM. ỦY BAN NHÂN
# DÂN KT. CHỦ TỊCH" where a PDF puts the recipients and the signature on one line).
_AUTHORITY = re.compile(
    rf"\b((?:TM|TL|TUQ|Q)\s*\.\s*[{UPPER}][{UPPER} ]{{1,90}}?)\s*(?=\b(?:KT|TL|TUQ|Q)\s*\.|\W*$)"
)


def _signing_authority(block: str) -> str | None:
    """The topmost authority line of a signature block that ends where the position starts."""
    lines = block.rstrip().split("\n")
    # The block's own lines: upward from the position while they are in capitals; a line shared with
    # the text beside the signature is the last one looked at.
    own: list[str] = []
    for line in reversed(lines):
        if not line.strip():
            break
        own.insert(0, line)
        if not is_all_caps(line):
            break
    for line in own:
        m = _AUTHORITY.search(line)
        if m:
            words = m.group(1).split()
            return re.sub(r"^(TM|TL|TUQ|Q)\s*\.\s*", r"\1. ", " ".join(words))
    return None


def _position_case(text: str) -> str:
    words = text.split()
    out = []
    i = 0
    low = " ".join(words)
    table = {
        "CHỦ TỊCH": "Chủ tịch",
        "GIÁM ĐỐC": "Giám đốc",
        "BỘ TRƯỞNG": "Bộ trưởng",
        "THỨ TRƯỞNG": "Thứ trưởng",
        "TRƯỞNG BAN": "Trưởng ban",
        "CHÁNH VĂN PHÒNG": "Chánh Văn phòng",
        "TRƯỞNG PHÒNG": "Trưởng phòng",
        "BÍ THƯ": "Bí thư",
        "CỤC TRƯỞNG": "Cục trưởng",
        "VIỆN TRƯỞNG": "Viện trưởng",
        "CHỦ NHIỆM": "Chủ nhiệm",
        "TỔNG GIÁM ĐỐC": "Tổng Giám đốc",
        "THƯỜNG TRỰC": "Thường trực",
        "PHÓ": "Phó",
    }
    while i < len(words):
        for n in (3, 2, 1):
            chunk = " ".join(words[i : i + n])
            if chunk in table:
                out.append(table[chunk])
                i += n
                break
        else:
            out.append(words[i].capitalize())
            i += 1
    result = " ".join(out)
    return result[:1].upper() + result[1:] if low else result


def extract_plan(lines: list[str]) -> PlanContract:
    """Lines of a plan document (tables as "|"-separated rows) → the import contract."""
    return Extractor(lines).run()
