"""The outline of a plan: headings (I., 1., a), -, +) and the paragraphs under them."""

import re
from dataclasses import dataclass, field

from kehoach.core.text import fold

from .layout import Para, Table, is_all_caps

_PART = re.compile(r"^(?:phần|PHẦN|Phần)\s+((?:thứ|THỨ)\s+\w+|[IVXL]+)\b\s*[.:\-–]?\s*(.*)$")
_ROMAN = re.compile(r"^([IVXL]{1,5})\s*[.:\-–)]\s*(.*)$")
_ARABIC = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)]\s*(.*)$")
_ARABIC_DEEP = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\s+(.*)$")
_LETTER = re.compile(r"^([a-zđ])\s*\)\s*(.*)$")
_DASH = re.compile(r"^[-–—•]\s*(.*)$")
_PLUS = re.compile(r"^[+*]\s*(.*)$")

LEVEL_PART, LEVEL_ROMAN, LEVEL_ARABIC, LEVEL_LETTER, LEVEL_DASH, LEVEL_PLUS, LEVEL_TEXT = 0, 1, 2, 4, 5, 6, 7


@dataclass
class Node:
    level: int
    marker: str
    text: str
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None
    table: Table | None = None
    index: int = 0  # position in the document

    @property
    def folded(self) -> str:
        return fold(self.text)

    def ancestors(self) -> list["Node"]:
        out, node = [], self.parent
        while node is not None and node.level >= 0:
            out.append(node)
            node = node.parent
        return out

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def full_text(self) -> str:
        """The item with the sub-items it introduces ("… tham mưu Ủy ban nhân dân tỉnh: + …")."""
        parts = [self.text]
        for child in self.children:
            if child.table is None:
                parts.append(child.full_text())
        return " ".join(p for p in parts if p)


def classify(text: str) -> tuple[int, str, str]:
    """(level, marker, text without marker) of a paragraph."""
    s = text.strip()
    if m := _PART.match(s):
        return LEVEL_PART, m.group(1), m.group(2).strip()
    if fold(s).startswith("phu luc") and len(s) < 40:
        return LEVEL_PART, "PHỤ LỤC", s
    if m := _ROMAN.match(s):
        return LEVEL_ROMAN, m.group(1), m.group(2).strip()
    if m := _ARABIC.match(s):
        depth = m.group(1).count(".")
        return LEVEL_ARABIC + min(depth, 1), m.group(1), m.group(2).strip()
    if m := _ARABIC_DEEP.match(s):
        return LEVEL_ARABIC + 1, m.group(1), m.group(2).strip()
    if m := _LETTER.match(s):
        return LEVEL_LETTER, m.group(1), m.group(2).strip()
    if m := _DASH.match(s):
        return LEVEL_DASH, "-", m.group(1).strip()
    if m := _PLUS.match(s):
        return LEVEL_PLUS, "+", m.group(1).strip()
    return LEVEL_TEXT, "", s


def build_tree(blocks: list) -> Node:
    """Paragraphs and tables → a tree; a heading holds what follows it up to the next heading of its
    level or above. A part heading alone on its line ("Phần I") takes the next capitalised line."""
    root = Node(-1, "", "")
    stack = [root]
    last: Node | None = None
    for i, block in enumerate(blocks):
        if isinstance(block, Table):
            node = Node(LEVEL_TEXT + 1, "", "", table=block, index=i)
            stack[-1].children.append(node)
            node.parent = stack[-1]
            continue
        assert isinstance(block, Para)
        level, marker, text = classify(block.text)
        if (
            last is not None
            and last.level <= LEVEL_ROMAN
            and not last.text
            and level == LEVEL_TEXT
            and is_all_caps(text)
        ):
            last.text = text
            continue
        if level == LEVEL_TEXT and is_all_caps(text) and last is not None and last.level == LEVEL_PART:
            last.text = f"{last.text} {text}".strip()
            continue
        node = Node(level, marker, text, index=i)
        while stack[-1].level >= level and len(stack) > 1:
            stack.pop()
        node.parent = stack[-1]
        stack[-1].children.append(node)
        if level < LEVEL_TEXT or text.endswith(":"):
            stack.append(node)
        last = node
    return root
