"""What a person sees on a page, and the patterns that give away English or technical text in it.

Used by tests/test_visible_text.py, which walks the demo as each role. The text is taken from the HTML
the server sends (no browser): text nodes outside <script> and <style>, plus the attributes a person
reads or hears — title, placeholder, aria-label, alt, the label of a button-like <input> and the value
of a text box. Text inside <template> counts: the page shows it when a row is added.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SILENT = {"script", "style"}
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
TEXT_INPUTS = {"", "text", "search", "submit", "button", "reset"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Page:
    texts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.silent = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in SILENT:
            self.silent += 1
            return
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.page.texts.append(values[name])
        if tag == "input" and (values.get("type") or "").lower() in TEXT_INPUTS and values.get("value"):
            self.page.texts.append(values["value"])
        if tag == "a" and values.get("href"):
            self.page.links.append(values["href"])
        if values.get("hx-get"):
            self.page.links.append(values["hx-get"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SILENT:
            self.silent -= 1

    def handle_endtag(self, tag):
        if tag in SILENT and self.silent:
            self.silent -= 1

    def handle_data(self, data):
        if not self.silent and data.strip():
            self.page.texts.append(data)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    page = reader.page
    page.texts = [" ".join(text.split()) for text in page.texts]
    return page


# Words of an English interface. Matched as whole words, case-insensitively, so none of them may be a
# Vietnamese word written without diacritics ("in", "do", "to", "an", "con", "ban", "sang" are).
ENGLISH_WORDS = [
    "acknowledged", "action", "actions", "actor", "add", "added", "admin", "and", "are", "breadcrumb",
    "by", "cancel", "change", "changed", "choose", "clear", "content", "context", "count", "created",
    "delete", "deleted", "digest", "disabled", "draft", "edit", "enabled", "entries", "entry", "error",
    "failed", "false", "filter", "for", "from", "hide", "history", "home", "id", "indicator", "issued",
    "key", "link", "loading", "log", "login", "logout", "logs", "menu", "model", "next", "none", "null",
    "object", "pending", "period", "position", "previous", "queued", "remove", "resolved", "run",
    "running", "save", "search", "select", "selected", "show", "skip", "submit", "success", "superuser",
    "task", "the", "theme", "this", "toggle", "true", "type", "undefined", "unit", "unknown", "version",
    "view", "welcome", "with", "yes",
]  # fmt: skip

# Technical text that must never reach a person: (name, pattern).
PATTERNS = [
    ("setting", r"\b(?:KEHOACH|DJANGO|EMAIL|DATABASE)_[A-Z_]+\b|\b(?:SECRET_KEY|ALLOWED_HOSTS)\b"),
    (
        "python repr",
        r"""\{\s*['"][^'"]*['"]\s*:|\[\s*['"{(]"""  # {'key': …}, ['…'], [{…}]
        r"|<[\w.]+ object at 0x|<QuerySet|\b(?:Decimal|datetime\.\w+)\(",
    ),
    ("None/True/False", r"(?<![\w-])(?:None|True|False)(?![\w-])"),
    ("ISO datetime", r"\b\d{4}-\d{2}-\d{2}(?:T|\s+\d{1,2}:\d{2})"),
    ("ISO date", r"(?<![\w/-])\d{4}-\d{2}-\d{2}(?![\w/-])"),
    ("traceback", r'Traceback|\bException\b|\b\w+Error\b|File "'),
    (
        "identifier",
        r"(?<![\w./@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./@-])"  # snake_case: field names, codes
        # app.model, but not a file name
        r"|(?<![\w./@-])[a-z]+\.[a-z_]+(?<!\.pdf)(?<!\.docx)(?<!\.xlsx)(?<!\.txt)(?<!\.csv)(?![\w/@-])"
        r"|\b[a-z]+(?::[a-z]+)+:\d+(?::\d+)*\b|\b[a-z]+:\d+:\d+\b",  # keys: a:b:12, figure:12:3
    ),
    ("template", r"\{\{|\{%|%\(\w+\)s|\[object Object\]|\bNaN\b"),
    ("English", r"(?i)(?<![\w-])(?:" + "|".join(ENGLISH_WORDS) + r")(?![\w-])"),
]
PATTERNS = [(name, re.compile(pattern)) for name, pattern in PATTERNS]

# Addresses name things in code's alphabet on purpose: e-mail addresses and links are left out first.
ADDRESSES = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\bhttps?://\S+|\bwww\.\S+")


@dataclass(frozen=True)
class Finding:
    pattern: str  # the name of the pattern that matched
    excerpt: str  # the match with some context
    text: str  # the whole piece of visible text it is in


def findings(text: str) -> list[Finding]:
    """What gives away English or technical text in one piece of visible text."""
    cleaned = ADDRESSES.sub(" ", text)
    found = []
    for name, pattern in PATTERNS:
        for match in pattern.finditer(cleaned):
            start, end = max(match.start() - 30, 0), min(match.end() + 30, len(cleaned))
            found.append(Finding(name, cleaned[start:end], text))
    return found


# Links that are not pages to read: downloads, the API, logging out, actions behind a link.
NOT_PAGES = re.compile(
    r"\.(?:docx|pdf|xlsx|csv|json|png|jpe?g|zip|txt)$|/tai\.\w+$|/xuat\.\w+$|/mau\.xlsx$|/qr\.png$|"
    r"/api/|/dang-xuat/|/minh-chung/\d+/$|^/static/|^/media/|"
    # The admin is read through its index, each app's page and each list; the forms behind them, sorted,
    # filtered and pop-up lists are left out.
    r"^/quan-tri/(?:logout/|r/|jsi18n/|password_change/|.*/(?:add|change|delete|history|password)/)"
)


def page_links(base: str, page: Page) -> list[str]:
    """Same-site page links of a page as absolute paths (with their query), without fragments."""
    out = []
    for href in page.links:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.netloc not in ("", "testserver") or NOT_PAGES.search(parts.path):
            continue
        if parts.path.startswith("/quan-tri/") and parts.query:
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def shape(url: str) -> str:
    """Pages of one kind share a shape: /ke-hoach/1/ and /ke-hoach/57/ are both /ke-hoach/N/."""
    path = urlsplit(url).path
    return re.sub(r"\d+", "N", path)


@dataclass
class Visit:
    url: str
    status: int
    findings: list[Finding]


def walk(client, starts: list[str], *, limit: int = 400) -> list[Visit]:
    """Read every page reachable from `starts` through links and htmx GETs, breadth first.

    Two pages of each shape (same path but for numbers, see `shape`) are read: the second catches what
    differs between two objects of a kind; a third adds time and rarely anything else.
    """
    queue, queued, per_shape = list(starts), set(starts), {}
    visits = []
    while queue and len(visits) < limit:
        url = queue.pop(0)
        kind = shape(url)
        if per_shape.get(kind, 0) >= 2:
            continue
        per_shape[kind] = per_shape.get(kind, 0) + 1
        response = client.get(url)
        if response.status_code in (301, 302):
            target = response.headers["Location"]
            if target not in queued and urlsplit(target).netloc in ("", "testserver"):
                queued.add(target)
                queue.append(target)
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        page = read_page(response.content.decode())
        found = [finding for text in page.texts for finding in findings(text)]
        visits.append(Visit(url, response.status_code, found))
        for link in page_links(url, page):
            if link not in queued:
                queued.add(link)
                queue.append(link)
    return visits
