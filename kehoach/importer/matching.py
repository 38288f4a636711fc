"""Unit names as a plan writes them → units of the commune, for the review screen and publish.

A name is matched exactly (full name, short name or alias, abbreviations spelled out: `unit_match`),
or gets near-match suggestions that the reviewer accepts by choosing them: a spelling close to a
unit's name (difflib on `name_key`), or an abbreviation whose letters are the initials of a unit's
words ("Phòng KT-HT" → "Phòng Kinh tế - Hạ tầng"). Nothing is matched on a guess: a suggestion
is only shown, and a name with no unit becomes a new unit only when the reviewer confirms it.
"""

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from kehoach.core.text import fold, nfc
from kehoach.plans.services.contract import COLLECTIVE_UNITS
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit
from kehoach.units.services import name_key, unit_match, unit_names

SUGGEST_RATIO = 0.8
MAX_SUGGESTIONS = 3


def is_collective(name: str) -> bool:
    return fold(name) in COLLECTIVE_UNITS


@dataclass
class NameRow:
    """One distinct unit name of the contract and what it resolves to."""

    name: str
    uses: list[str] = field(default_factory=list)
    unit: Unit | None = None
    how: str = ""  # "exact" (found by name) | "chosen" (picked by the reviewer) | "new" | ""
    suggestions: list[Unit] = field(default_factory=list)
    collective: bool = False  # only ever "Các phòng, cơ quan, đơn vị" among coordinating units

    @property
    def is_new(self) -> bool:
        return self.how == "new"

    @property
    def decided(self) -> bool:
        return self.collective or self.unit is not None or self.is_new


def names_in(data: dict[str, Any]) -> list[tuple[str, list[str], bool]]:
    """Distinct unit names of tasks and responsibilities, in order: (name, where used, only collective)."""
    uses: dict[str, list[str]] = {}
    collective_only: dict[str, bool] = {}

    def add(name: str, where: str, coordinating: bool) -> None:
        name = nfc(name)
        if not name:
            return
        uses.setdefault(name, []).append(where)
        ok = coordinating and is_collective(name)
        collective_only[name] = collective_only.get(name, True) and ok

    for i, task in enumerate(data.get("tasks") or [], start=1):
        for name in task.get("lead_units") or []:
            add(name, f"Nhiệm vụ {i} (chủ trì)", False)
        for name in task.get("coordinating_units") or []:
            add(name, f"Nhiệm vụ {i} (phối hợp)", True)
    for i, item in enumerate(data.get("responsibilities") or [], start=1):
        add(item.get("unit") or "", f"Tổ chức thực hiện, mục {i}", False)
    return [(name, where, collective_only[name]) for name, where in uses.items()]


def _place_suffix(owner: Unit) -> re.Pattern | None:
    """ "xã Hà Bắc" at the end of a name: "Công an xã Hà Bắc" is the commune's "Công an xã"."""
    place = re.sub(
        r"^(uy ban nhan dan|ubnd)\s+(xa|phuong|dac khu|thi tran|thanh pho|tinh)\s+", "", fold(owner.name)
    )
    if not place or place == fold(owner.name):
        return None
    return re.compile(rf"(\s+(xa|phuong|dac khu|thi tran))?\s+{re.escape(place)}$")


def _tokens(name: str) -> list[tuple[str, bool]]:
    """(folded token, is an abbreviation) for the words of a name as written."""
    out = []
    for token in re.findall(r"[\w&]+", nfc(name)):
        letters = token.replace("&", "")
        abbreviation = len(letters) >= 2 and letters.isupper()
        out.append((fold(letters) if abbreviation else fold(token), abbreviation))
    return out


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", fold(name)) if w]


def _spells(tokens: list[tuple[str, bool]], words: list[str]) -> bool:
    """Whether the tokens, abbreviations standing for runs of words by their initials, are `words`."""
    if not any(abbr for _, abbr in tokens):
        return False

    def walk(i: int, j: int) -> bool:
        if i == len(tokens):
            return j == len(words)
        token, abbreviation = tokens[i]
        if j < len(words) and words[j] == token and walk(i + 1, j + 1):
            return True
        if not abbreviation:
            return False
        initials = ""
        k = j
        while k < len(words) and len(initials) < len(token):
            if words[k] != "va":  # "Khoa học và Công nghệ" is KHCN
                initials += words[k][0]
            k += 1
            if initials == token and walk(i + 1, k):
                return True
        return False

    return walk(0, 0)


def suggest(name: str, units: list[Unit], owner: Unit | None = None) -> list[Unit]:
    """Units whose name is close to `name`, best first (at most three)."""
    cleaned = re.sub(r"^đề nghị\s+", "", nfc(name), flags=re.IGNORECASE)
    key = name_key(cleaned)
    if not key:
        return []
    suffix = _place_suffix(owner) if owner else None
    short_key = suffix.sub("", key) if suffix else key
    tokens = _tokens(cleaned)
    scored: list[tuple[float, int, Unit]] = []
    for unit in units:
        best = 0.0
        for candidate in unit_names(unit):
            other = name_key(candidate)
            ratio = max(
                difflib.SequenceMatcher(None, key, other).ratio(),
                difflib.SequenceMatcher(None, short_key, other).ratio() if short_key else 0.0,
            )
            if _spells(tokens, _words(candidate)):
                ratio = max(ratio, 0.95)
            best = max(best, ratio)
        if best >= SUGGEST_RATIO:
            scored.append((best, -unit.depth, unit))
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [unit for _, _, unit in scored[:MAX_SUGGESTIONS]]


def match_names(data: dict[str, Any], owner: Unit, choices: dict[str, Any] | None = None) -> list[NameRow]:
    """Every unit name of the contract with its unit: the reviewer's choice, an exact match, or none."""
    choices = choices or {}
    units = list(Unit.objects.subtree_of(owner))
    by_id = {u.pk: u for u in units}
    rows = []
    for name, uses, collective in names_in(data):
        row = NameRow(name=name, uses=uses, collective=collective)
        if collective:
            rows.append(row)
            continue
        choice = choices.get(name) or {}
        exact = unit_match(name, within=owner, candidates=units)
        if choice.get("unit") and int(choice["unit"]) in by_id:
            row.unit = by_id[int(choice["unit"])]
            row.how = "exact" if exact is not None and exact.pk == row.unit.pk else "chosen"
        elif choice.get("new"):
            row.how = "new"
        elif exact is not None:
            row.unit, row.how = exact, "exact"
        if row.how != "exact":
            row.suggestions = suggest(name, units, owner)
        rows.append(row)
    return rows


ORGANISATION_WORDS = (
    "hoi ",
    "doan ",
    "mat tran",
    "uy ban mat tran",
    "ubmttq",
    "mttq",
    "cong doan",
    "chi hoi",
)


def new_unit_kind(name: str) -> str:
    """The kind of a unit created from a plan: mass organisations by their name, else an agency."""
    return UnitKind.ORGANISATION if fold(name).startswith(ORGANISATION_WORDS) else UnitKind.AGENCY
