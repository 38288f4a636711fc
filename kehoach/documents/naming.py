"""Names as an administrative document writes them: the issuer lines of the header, the place name of
the date line, and file names for downloads.
"""

import re
import unicodedata
from urllib.parse import quote

_PEOPLES_COMMITTEE = re.compile(r"^(?:ủy|uỷ)\s+ban\s+nhân\s+dân\s+|^ubnd\s+", re.IGNORECASE)
# Longest first: "thị xã" must not be read as "xã", "thành phố" before its abbreviation.
_LEVELS = [
    ("thị trấn", "THỊ TRẤN"),
    ("thị xã", "THỊ XÃ"),
    ("thành phố", "THÀNH PHỐ"),
    ("tp.", "THÀNH PHỐ"),
    ("tp", "THÀNH PHỐ"),
    ("đặc khu", "ĐẶC KHU"),
    ("phường", "PHƯỜNG"),
    ("huyện", "HUYỆN"),
    ("quận", "QUẬN"),
    ("tỉnh", "TỈNH"),
    ("xã", "XÃ"),
]
_LEVEL = re.compile(r"^(" + "|".join(re.escape(word) for word, _ in _LEVELS) + r")\s+(\S.*)$", re.IGNORECASE)
PEOPLES_COMMITTEE = "ỦY BAN NHÂN DÂN"


def _clean(text: str) -> str:
    # Typed or pasted text may carry decomposed diacritics; NFC keeps upper-casing and matching exact.
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _split(unit_name: str) -> tuple[str, str, str] | None:
    """("ỦY BAN NHÂN DÂN", "XÃ", "Hà Bắc") for a people's committee, None for any other unit."""
    name = _clean(unit_name)
    prefix = _PEOPLES_COMMITTEE.match(name)
    if not prefix:
        return None
    rest = name[prefix.end() :]
    level = _LEVEL.match(rest)
    if not level:
        return PEOPLES_COMMITTEE, "", rest
    canonical = dict(_LEVELS)[level.group(1).lower()]
    return PEOPLES_COMMITTEE, canonical, level.group(2)


def issuer_lines(unit_name: str) -> list[str]:
    """The issuer block of NĐ 30: ["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"] for "UBND xã Hà Bắc".

    Any other unit is written as its upper-cased name on one line; str.upper keeps the diacritics.
    """
    parts = _split(unit_name)
    if parts is None:
        name = _clean(unit_name)
        return [name.upper()] if name else []
    committee, level, place = parts
    second = f"{level} {place.upper()}".strip()
    return [committee, second] if second else [committee]


def place_name(unit_name: str) -> str:
    """The địa danh of the date line: "Hà Bắc" for "Ủy ban nhân dân xã Hà Bắc"; else the name itself."""
    parts = _split(unit_name)
    return parts[2] if parts else _clean(unit_name)


def short_issuer(unit_name: str) -> str:
    """ "UBND xã Hà Bắc" for "Ủy ban nhân dân xã Hà Bắc", as appendix subtitles cite the issuer."""
    parts = _split(unit_name)
    if parts is None:
        return _clean(unit_name)
    _, level, place = parts
    return " ".join(p for p in ["UBND", level.lower(), place] if p)


def ascii_name(text: str) -> str:
    """ "KH-97-KH-UBND-2026" from "KH 97/KH-UBND 2026": letters without diacritics, đ → d, dashes between."""
    text = _clean(text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9._]+", "-", text).strip("-.") or "tai-lieu"


def content_disposition(filename: str, ascii_filename: str = "") -> str:
    """An attachment header every browser reads: an ASCII `filename` and the Vietnamese `filename*`
    (RFC 5987/6266). Slashes of document numbers cannot appear in file names and become dashes."""
    filename = _clean(filename).replace("/", "-")
    if not ascii_filename:
        stem, dot, ext = filename.rpartition(".")
        ascii_filename = f"{ascii_name(stem)}.{ascii_name(ext)}" if dot else ascii_name(filename)
    return f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename, safe='')}"


def recipients_lines(text: str) -> list[str]:
    """ "Nơi nhận" as NĐ 30 writes it: one recipient per line "- …;", the archive "- Lưu: …." last
    (added as "Lưu: VT" when missing). Bullets and stray punctuation of typed text are dropped."""
    items = []
    for line in (text or "").splitlines():
        item = line.strip().lstrip("-–+•").strip()
        if not item:
            continue
        # "Sở KH&CN thành phố; (để b/c)" → "Sở KH&CN thành phố (để b/c)"
        item = re.sub(r"[;,]\s*\(", " (", item).rstrip(" ;,.")
        items.append(item)
    kept = [i for i in items if not i.lower().startswith("lưu")]
    archive = next((i for i in items if i.lower().startswith("lưu")), "Lưu: VT")
    return [f"- {item};" for item in kept] + [f"- {archive}."]


def signature_parts(authority: str, position: str) -> tuple[str, str, str]:
    """(thẩm quyền, ký thay, chức vụ) in upper case: a deputy signs "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH";
    "KT. Chủ tịch, Phó Chủ tịch" typed in one field is split."""
    authority = " ".join((authority or "").split()).upper()
    position = " ".join((position or "").split())
    if position.upper().startswith("KT."):
        parts = [p.strip().upper() for p in re.split(r"[,\n]", position) if p.strip()]
        return authority, parts[0], " ".join(parts[1:])
    deputy = re.match(r"^phó\s+(.+)$", position, flags=re.IGNORECASE)
    if deputy:
        return authority, f"KT. {deputy.group(1).upper()}", position.upper()
    return authority, "", position.upper()
