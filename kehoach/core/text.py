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


# Showing matches --------------------------------------------------------------------------------
#
# The database matches folded text; the page shows the original. `_folded_with_positions` folds a
# text letter by letter and remembers, for each folded letter, the original letter it came from, so
# a match found in the folded text is marked on the accented original ("chuyen" marks "chuyển").


def _fold_letter(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    if ch.isspace():
        return " "
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    letters: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for letter in _fold_letter(ch):
            if unicodedata.combining(letter):
                continue
            letters.append(letter)
            origin.append(index)
    return "".join(letters), origin


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the folded `terms` occur in `text`: merged (start, end) slices of the original text."""
    if not text or not terms:
        return []
    folded, origin = _folded_with_positions(text)
    spans: list[tuple[int, int]] = []
    for term in {t for t in terms if t}:
        start = folded.find(term)
        while start != -1:
            end = origin[start + len(term) - 1] + 1
            # A decomposed letter's accents (NFD input) stay inside the mark with their letter.
            while end < len(text) and not _fold_letter(text[end]):
                end += 1
            spans.append((origin[start], end))
            start = folded.find(term, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        # Words next to each other ("chuyển đổi số") make one mark, not three.
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str | None, terms: list[str]) -> str:
    """`text` as HTML, escaped, with every match of the folded `terms` inside <mark>."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    text = str(text or "")
    parts, last = [], 0
    for start, end in match_spans(text, terms):
        parts.append(escape(text[last:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))


def excerpt(text: str | None, terms: list[str], width: int = 160) -> str:
    """About `width` characters of `text` around its first match, cut at spaces, "…" where cut."""
    text = _SPACES.sub(" ", str(text or "")).strip()
    if len(text) <= width:
        return text
    spans = match_spans(text, terms)
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def matches(text: str | None, terms: list[str]) -> bool:
    """Whether the folded `text` contains every term (what the database query keeps)."""
    folded = fold(text)
    return bool(terms) and all(term in folded for term in terms)


def passage(terms: list[str], title: str, texts) -> str:
    """Under a title that does not hold every word: the text that holds most of them (first of equals)."""
    if matches(title, terms):
        return ""
    best, best_count = "", 0
    for text in texts:
        text = str(text or "")
        if not text or text == title:
            continue
        count = sum(1 for term in terms if matches(text, [term]))
        if count > best_count:
            best, best_count = text, count
    return best
