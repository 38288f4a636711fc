"""Vietnamese text in the pre-Unicode encodings still met in older offices.

- TCVN3 (ABC, fonts ".VnTime"/".VnTimeH"): one byte per letter in 0xA1–0xFE. Capital letters
  with diacritics share the codes of the small ones (the capital comes from the "H" font), so a
  word written in capitals is put back in capitals after conversion.
- VNI (fonts "VNI-Times"): a base letter followed by a byte for the accent ("Vieät Nam").
- Windows-1258: a code page with combining tone marks (Python's "cp1258").

Bytes are read as Windows-1252, which is what such a file shows in a Unicode editor. Which
conversion applies is decided by how Vietnamese the result reads (common words), so Unicode text
is never converted by mistake.
"""

import re
import unicodedata

_TCVN3_SMALL = {
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
    0xA8: "ă",
    0xA9: "â",
    0xAA: "ê",
    0xAB: "ô",
    0xAC: "ơ",
    0xAD: "ư",
    0xAE: "đ",
    0xB5: "à",
    0xB6: "ả",
    0xB7: "ã",
    0xB8: "á",
    0xB9: "ạ",
    0xBB: "ằ",
    0xBC: "ẳ",
    0xBD: "ẵ",
    0xBE: "ắ",
    0xC6: "ặ",
    0xC7: "ầ",
    0xC8: "ẩ",
    0xC9: "ẫ",
    0xCA: "ấ",
    0xCB: "ậ",
    0xCC: "è",
    0xCE: "ẻ",
    0xCF: "ẽ",
    0xD0: "é",
    0xD1: "ẹ",
    0xD2: "ề",
    0xD3: "ể",
    0xD4: "ễ",
    0xD5: "ế",
    0xD6: "ệ",
    0xD7: "ì",
    0xD8: "ỉ",
    0xDC: "ĩ",
    0xDD: "í",
    0xDE: "ị",
    0xDF: "ò",
    0xE1: "ỏ",
    0xE2: "õ",
    0xE3: "ó",
    0xE4: "ọ",
    0xE5: "ồ",
    0xE6: "ổ",
    0xE7: "ỗ",
    0xE8: "ố",
    0xE9: "ộ",
    0xEA: "ờ",
    0xEB: "ở",
    0xEC: "ỡ",
    0xED: "ớ",
    0xEE: "ợ",
    0xEF: "ù",
    0xF1: "ủ",
    0xF2: "ũ",
    0xF3: "ú",
    0xF4: "ụ",
    0xF5: "ừ",
    0xF6: "ử",
    0xF7: "ữ",
    0xF8: "ứ",
    0xF9: "ự",
    0xFA: "ỳ",
    0xFB: "ỷ",
    0xFC: "ỹ",
    0xFD: "ý",
    0xFE: "ỵ",
}
_TCVN3 = str.maketrans({chr(k): v for k, v in _TCVN3_SMALL.items()})

# VNI: accents written after the base letter, small and capital forms.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_VNI_MARKS = {
    "ù": _ACUTE,
    "ø": _GRAVE,
    "û": _HOOK,
    "õ": _TILDE,
    "ï": _DOT,
    "â": _CIRC,
    "á": _CIRC + _ACUTE,
    "à": _CIRC + _GRAVE,
    "å": _CIRC + _HOOK,
    "ã": _CIRC + _TILDE,
    "ä": _CIRC + _DOT,
    "ê": _BREVE,
    "é": _BREVE + _ACUTE,
    "è": _BREVE + _GRAVE,
    "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}
_VNI_MARKS.update({k.upper(): v for k, v in list(_VNI_MARKS.items())})
_VNI_LETTERS = {
    "ô": "ơ",
    "Ô": "Ơ",
    "ö": "ư",
    "Ö": "Ư",
    "ñ": "đ",
    "Ñ": "Đ",
    "æ": "ỉ",
    "Æ": "Ỉ",
    "ó": "ĩ",
    "Ó": "Ĩ",
    "ò": "ị",
    "Ò": "Ị",
    "î": "ỵ",
    "Î": "Ỵ",
}
_VNI_BASES = set("aeiouyAEIOUYơƠưƯ")

_COMMON = frozenset(
    [
        "của",
        "và",
        "các",
        "được",
        "trong",
        "năm",
        "ngày",
        "thực",
        "hiện",
        "kế",
        "hoạch",
        "người",
        "những",
        "với",
        "cho",
        "theo",
        "đến",
        "này",
        "số",
        "tỉnh",
        "xã",
        "nhân",
        "dân",
        "công",
        "tác",
        "về",
        "là",
        "có",
        "không",
        "một",
        "để",
        "đã",
        "phát",
        "triển",
        "quản",
        "lý",
        "đơn",
        "vị",
        "cơ",
        "quan",
        "nhà",
        "nước",
        "việt",
        "nam",
        "thành",
        "phố",
        "ủy",
        "uỷ",
        "ban",
        "tổ",
        "chức",
        "quyết",
        "định",
        "chỉ",
        "tiêu",
        "mục",
        "nhiệm",
        "vụ",
        "giải",
        "pháp",
        "tăng",
        "cường",
        "phòng",
        "huyện",
        "trên",
        "địa",
        "bàn",
        "hành",
        "chính",
        "chuyển",
        "đổi",
        "khoa",
        "học",
        "nghệ",
        "tin",
        "báo",
        "cáo",
        "sở",
        "bộ",
        "cấp",
        "tế",
        "xây",
        "dựng",
        "triển",
        "khai",
    ]
)
_WORD = re.compile(r"\w+")


def vietnamese_score(text: str) -> float:
    """Share of words that are among the commonest Vietnamese words (0 for non-Vietnamese text)."""
    words = _WORD.findall(text[:200_000].lower())
    if not words:
        return 0.0
    return sum(w in _COMMON for w in words) / len(words)


def _recapitalise(text: str) -> str:
    """TCVN3 capitals come out small: "KÕ HO¹CH" → "Kế HOạCH" → "KẾ HOẠCH"."""

    def caps(word: str) -> int:
        """1: a word in capitals, 0: undecided (one capital letter), -1: not in capitals."""
        letters = [c for c in word if c.isascii() and c.isalpha()]
        if not letters or any(c.islower() for c in letters):
            return -1
        return 1 if len(letters) >= 2 else 0

    out_lines = []
    for line in text.split("\n"):
        parts = re.split(r"(\w+)", line)
        words = [i for i in range(1, len(parts), 2)]
        marks = {i: caps(parts[i]) for i in words}
        for k, i in enumerate(words):
            word = parts[i]
            if all(c.isascii() for c in word):
                continue
            state = marks[i]
            if state == 0:
                near = [marks[words[j]] for j in (k - 1, k + 1) if 0 <= j < len(words)]
                state = 1 if 1 in near else -1
            if state == 1:
                parts[i] = word.upper()
        out_lines.append("".join(parts))
    return "\n".join(out_lines)


def from_tcvn3(text: str) -> str:
    return _recapitalise(text.translate(_TCVN3))


def from_vni(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in _VNI_MARKS and out and out[-1] and out[-1][0] in _VNI_BASES:
            out[-1] += _VNI_MARKS[ch]
        else:
            out.append(_VNI_LETTERS.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(out))


def from_cp1258(data: bytes) -> str | None:
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None


def convert_legacy(text: str) -> tuple[str, str | None]:
    """The text in Unicode and the name of the legacy encoding it was in (None when it was Unicode)."""
    base = vietnamese_score(text)
    if base >= 0.15 or not any(0xA0 <= ord(c) <= 0xFF for c in text[:200_000]):
        return text, None
    best, best_name, best_score = text, None, base
    for name, convert in (("TCVN3", from_tcvn3), ("VNI", from_vni)):
        candidate = convert(text)
        score = vietnamese_score(candidate)
        if score > best_score + 0.05:
            best, best_name, best_score = candidate, name, score
    return best, best_name
