"""Vietnamese text helpers shared by every context."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces, for search that ignores accents.

    Stored alongside the original so SQLite and PostgreSQL match the same rows with a plain LIKE.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def search_terms(query: str | None) -> list[str]:
    """Split a user's query into folded words; punctuation is not a word."""
    return [word for word in re.split(r"[^\w]+", fold(query)) if word]


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()
