"""Unit names as plans write them: where a name starts, lists of names, abbreviations."""

import re
from collections import Counter

from kehoach.core.text import fold

# Words that start the name of a unit when a capitalised word follows ("Sở Y tế", "Ban Chỉ đạo";
# not "Ban hành", "Phòng chống").
_KIND_NEEDS_NAME = {
    "ban",
    "bo",
    "so",
    "cuc",
    "vu",
    "vien",
    "hoi",
    "doan",
    "bao",
    "dai",
    "truong",
    "chi cuc",
    "phong",
    "trung tam",
    "van phong",
    "tap chi",
    "kho bac",
    "ngan hang",
    "benh vien",
    "cong ty",
    "chi nhanh",
    "tram",
    "doi",
    "hop tac xa",
    "nha xuat ban",
    "tong cong ty",
    "cang vu",
    "chi doan",
    "to",
}
# Words that are a unit on their own ("Công an xã", "Tòa án nhân dân tỉnh").
_KIND_ALONE = {
    "cong an",
    "uy ban",
    "ubnd",
    "hdnd",
    "ubmttq",
    "mttq",
    "hoi dong",
    "mat tran",
    "lien doan",
    "thanh tra",
    "dang uy",
    "toa an",
    "bo chi huy",
    "ban chi huy",
    "quan su",
    "vien kiem sat",
    "thuong truc",
    "to cong tac",
    "ban thuong vu",
    "cac so",
    "cac phong",
    "cac co quan",
    "cac don vi",
    "cac to chuc",
    "cac ban",
    "cac xa",
    "cac dia phuong",
    "cac hoi",
    "cac doan the",
    "cac nganh",
    "cac cuc",
    "cac vu",
    "cac vien",
    "cac truong",
    "cac trung tam",
    "cac doanh nghiep",
    "doanh nghiep",
    "buu dien",
    "vien thong",
    "cac tinh",
    "cac bo",
}
_WORD = re.compile(r"[\w&]+")


def starts_with_unit(text: str) -> bool:
    """Whether `text` begins with the name of a unit ("Phòng Văn hóa - Xã hội", "Công an xã")."""
    words = text.strip().split()
    if not words or not (words[0][:1].isupper() or fold(words[0]) == "cac"):
        return False
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        head = fold(" ".join(words[:n]))
        head = re.sub(r"[^\w ]", "", head)
        if head in _KIND_ALONE:
            return True
        if head in _KIND_NEEDS_NAME and len(words) > n:
            nxt = words[n].lstrip('("“')
            if nxt[:1].isupper() or nxt.isupper():
                return True
            if nxt == "và" and len(words) > n + 1 and words[n + 1][:1].isupper():
                return True  # "Báo và Phát thanh, Truyền hình …"
    return False


def split_units(text: str) -> list[str]:
    """ "Phòng VH-XH; TT PVHCC" → two names; "Các phòng, cơ quan, đơn vị" stays one."""
    text = text.replace("¶", ";").strip().strip(".;, ")
    if not text:
        return []
    out: list[str] = []
    for part in re.split(r"\s*;\s*|\s*\n\s*", text):
        part = part.strip(" .,-")
        if not part:
            continue
        # "… và các đơn vị có liên quan" names a second group.
        pieces = re.split(r",?\s+và\s+(?=các\s)", part)
        for piece in pieces:
            commas = [c.strip(" .") for c in re.split(r"\s*,\s*", piece) if c.strip(" .")]
            if len(commas) > 1 and all(starts_with_unit(c) for c in commas):
                out.extend(commas)
            else:
                out.append(piece.strip(" ."))
    return [capitalise(u) for u in out if u]


def capitalise(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


# Abbreviations whose expansion is not spelled out in the plans that use them.
_KNOWN = {
    "TT": "Trung tâm",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
    "MTTQ": "Mặt trận Tổ quốc",
    "VP": "Văn phòng",
    "CNTT": "Công nghệ thông tin",
    "KH&CN": "Khoa học và Công nghệ",
    "KHCN": "Khoa học và Công nghệ",
    "VH-XH": "Văn hóa - Xã hội",
    "VHXH": "Văn hóa - Xã hội",
    "PVHCC": "Phục vụ Hành chính công",
    "DVSNC": "Dịch vụ sự nghiệp công",
    "TN&MT": "Tài nguyên và Môi trường",
    "TNMT": "Tài nguyên và Môi trường",
}
_ABBREV = re.compile(r"(?<![\w&-])([A-ZĐ]{1,6}(?:[&-][A-ZĐ]{1,6})*)(?![\w&-])")
_STOP = {"va", "&", "-"}


def _initials(words: list[str]) -> str:
    return "".join(fold(w)[0] for w in words if fold(w) not in _STOP and fold(w)[:1].isalpha())


class Expander:
    """Spells out the abbreviations of unit names the way the plan itself writes the full name."""

    def __init__(self, text: str):
        self._words = re.findall(r"[\w]+|-", text)
        self._cache: dict[str, str | None] = {}

    def _from_document(self, abbr: str) -> str | None:
        letters = fold(re.sub(r"[^\wĐđ]", "", abbr))
        if len(letters) < 3:
            return None
        found: Counter[str] = Counter()
        first: dict[str, str] = {}
        words = self._words
        for i, w in enumerate(words):
            if not w[:1].isupper() or fold(w)[0] != letters[0]:
                continue
            # grow a run of words (skipping "và" and "-") whose initials spell the abbreviation
            picked: list[str] = []
            j = i
            while j < len(words) and len(_initials(picked)) < len(letters):
                picked.append(words[j])
                j += 1
                if not letters.startswith(_initials(picked)):
                    break
            if _initials(picked) == letters and len(picked) <= 2 * len(letters) + 2:
                phrase = " ".join(picked).replace(" - ", " - ")
                key = fold(phrase)
                found[key] += 1
                first.setdefault(key, phrase)
        if not found:
            return None
        return first[found.most_common(1)[0][0]]

    def expand_token(self, abbr: str) -> str | None:
        if abbr not in self._cache:
            self._cache[abbr] = self._from_document(abbr) or _KNOWN.get(abbr)
        return self._cache[abbr]

    def expand(self, name: str) -> str:
        def repl(m: re.Match) -> str:
            token = m.group(1)
            if token in {"UBND", "HĐND"} or len(re.sub(r"[^A-ZĐ]", "", token)) < 2:
                return token
            full = self.expand_token(token)
            return full or token

        return " ".join(_ABBREV.sub(repl, name).split())
