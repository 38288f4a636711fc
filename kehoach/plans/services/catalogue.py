"""Links between a plan's indicators and its city's shared indicator catalogue.

The city compares communes on the catalogue entries their indicators are linked to, but each commune
words its indicators its own way ("Số lượng sáng kiến … phạm vi ảnh hưởng xã" for "Số sáng kiến …
cấp xã"), so the plan form and the importer propose the entries whose names are nearest; a person
confirms. How names are compared (`name_similarity`):

1. Words are read with their diacritics to drop filler words (`STOPWORDS`: "số", "lượng", "tỷ", "lệ",
   "được", "của", "trên", "địa", "bàn", "xã", …) and text in brackets, which in these plans qualifies
   an indicator ("(trừ hồ sơ mật)") rather than names it; a few abbreviations are spelled out (TTHC).
   Then each word is folded (`core.text.fold`), so names typed without accents still match.
2. Three measures on those words, averaged:
   - coverage: the share of the catalogue entry's words found in the indicator's name. The entry is
     the short generic name; communes add qualifiers ("theo quy định", "kết nối cổng"), which should
     not count against a match;
   - Dice overlap of the two word sets, so that of two entries both covered, the one closer in
     length wins ("… cấp thành phố" over "… cấp xã" for a name that says "cấp thành phố");
   - difflib's ratio on the joined words, which forgives typos ("thành phổ") and word order.
3. The name counts for 90% of the score, the unit of measure for 10%: the same unit (folded, "%" =
   "%") adds 0.1. A score is between 0 and 1 and is shown as "khớp 86%".

Entries scoring at least `MIN_SCORE` are proposed, best first, at most `MAX_PROPOSALS`; the best one is
chosen in advance when it scores at least `STRONG_SCORE`.
"""

import difflib
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.core.text import fold
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit

from ..models import CityIndicator, Indicator
from ..permissions import ensure_can_manage

MIN_SCORE = 0.5
STRONG_SCORE = 0.7
MAX_PROPOSALS = 3
NAME_WEIGHT = 0.9
UNIT_WEIGHT = 0.1

# Compared with their diacritics: folded, "số" (number) would also drop "sổ" (register) and "sở".
STOPWORDS = frozenset(
    {
        "số",
        "lượng",
        "tỷ",
        "tỉ",
        "lệ",
        "được",
        "các",
        "của",
        "trên",
        "địa",
        "bàn",
        "xã",
        "phường",
        "và",
        "theo",
        "tại",
        "về",
        "trong",
        "với",
        "cho",
        "có",
        "đạt",
        "những",
    }
)
ABBREVIATIONS = {
    "tthc": "thủ tục hành chính",
    "cbccvc": "cán bộ công chức viên chức",
    "cđs": "chuyển đổi số",
    "khcn": "khoa học công nghệ",
    "đmst": "đổi mới sáng tạo",
}
_BRACKETS = re.compile(r"\([^()]*\)")
_NOT_WORD = re.compile(r"[^\w]+")


def name_words(name: str | None) -> list[str]:
    """The words of an indicator name that tell it apart, folded, in order."""
    text = _BRACKETS.sub(" ", unicodedata.normalize("NFC", name or "").lower())
    words = []
    for word in _NOT_WORD.split(text):
        for part in ABBREVIATIONS.get(word, word).split():
            if part and part not in STOPWORDS:
                words.append(fold(part))
    return words


def name_similarity(name: str, entry_name: str, unit_of_measure: str = "", entry_unit: str = "") -> float:
    """How close an indicator is to a catalogue entry, 0–1 (the rule is in the module docstring)."""
    ours, theirs = name_words(name), name_words(entry_name)
    if not ours or not theirs:
        return 0.0
    common = len(set(ours) & set(theirs))
    coverage = common / len(set(theirs))
    dice = 2 * common / (len(set(ours)) + len(set(theirs)))
    ratio = difflib.SequenceMatcher(None, " ".join(ours), " ".join(theirs)).ratio()
    same_unit = bool(fold(unit_of_measure)) and fold(unit_of_measure) == fold(entry_unit)
    return NAME_WEIGHT * (coverage + dice + ratio) / 3 + (UNIT_WEIGHT if same_unit else 0.0)


def rank_catalogue(
    entries: list[CityIndicator], *, name: str | None, unit_of_measure: str | None = ""
) -> list[tuple[CityIndicator, float]]:
    """The entries worth proposing for this name, best first (ties in catalogue order)."""
    scored = [
        (entry, name_similarity(name or "", entry.name, unit_of_measure or "", entry.unit_of_measure))
        for entry in entries
    ]
    ranked = sorted(
        (pair for pair in scored if pair[1] >= MIN_SCORE),
        key=lambda pair: (-pair[1], pair[0].position, pair[0].code),
    )
    return ranked[:MAX_PROPOSALS]


def strong_proposal(proposals: list[tuple[CityIndicator, float]]) -> CityIndicator | None:
    """The entry to choose in advance, when the best proposal is close enough to trust."""
    if proposals and proposals[0][1] >= STRONG_SCORE:
        return proposals[0][0]
    return None


def proposal_label(entry: CityIndicator, score: float) -> str:
    return f"{entry.code} {entry.name} (khớp {round(score * 100)}%)"


def city_of(unit: Unit) -> Unit | None:
    """The nearest ancestor of kind "tinh": the city whose catalogue the unit's plans link to."""
    ids = unit.ancestor_ids
    if not ids:
        return None
    return Unit.objects.filter(pk__in=ids, kind=UnitKind.PROVINCE).order_by("-depth").first()


def catalogue_of(city: Unit | None) -> list[CityIndicator]:
    if city is None:
        return []
    return list(CityIndicator.objects.filter(city=city).order_by("position", "code", "pk"))


def propose_catalogue_link(
    *, city: Unit, name: str, unit_of_measure: str = ""
) -> list[tuple[CityIndicator, float]]:
    """The city's catalogue entries nearest to an indicator's name: at most 3, best first."""
    return rank_catalogue(catalogue_of(city), name=name, unit_of_measure=unit_of_measure)


def city_label(city: Unit | None) -> str:
    return (city.short_name or city.name) if city is not None else "thành phố"


def outside_catalogue_message(city: Unit | None) -> str:
    if city is None:
        return "Đơn vị ban hành kế hoạch không thuộc thành phố nào có danh mục chỉ tiêu dùng chung."
    return f"Chỉ tiêu dùng chung đã chọn không thuộc danh mục của {city_label(city)}."


def catalogue_problem(owner_unit: Unit, entry: CityIndicator | None) -> str:
    """Why `entry` cannot be linked to an indicator of a plan issued by `owner_unit`; "" when it can."""
    if entry is None:
        return ""
    city = city_of(owner_unit)
    if city is None or entry.city_id != city.pk:
        return outside_catalogue_message(city)
    return ""


@transaction.atomic
def indicator_link(*, actor, indicator: Indicator, city_indicator: CityIndicator | None) -> Indicator:
    """Link an indicator to an entry of its city's catalogue, or unlink it (None)."""
    plan = indicator.plan
    ensure_can_manage(actor, plan)
    indicator = (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("city_indicator")
        .get(pk=indicator.pk)
    )
    if problem := catalogue_problem(plan.owner_unit, city_indicator):
        raise ValidationError({"city_indicator": problem})
    before = snapshot(indicator)
    indicator.city_indicator = city_indicator
    indicator.save(update_fields=["city_indicator", "updated_at"])
    summary = (
        f"Liên kết chỉ tiêu {indicator.code} với chỉ tiêu dùng chung {city_indicator.code}"
        if city_indicator is not None
        else f"Bỏ liên kết chỉ tiêu {indicator.code} với danh mục chỉ tiêu dùng chung"
    )
    audit_change(
        actor=actor,
        obj=indicator,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after=snapshot(indicator),
        context=plan,
        summary=summary,
    )
    return indicator
