"""Plans already in the system that publishing an import would create a second time.

- Same document: the same issuing body gave the same number in the same year ("97/KH-UBND" of
  UBND xã Hà Bắc, 2026; spaces, dashes, case and diacritics aside). Publishing it again is refused.
  A draft with nothing reported against it may be replaced by the import; an issued plan never is.
- Probably the same document: the same body and year, another or no number, and a near-identical
  title (diacritics, spaces, punctuation and case aside). Publishing needs the reviewer's
  confirmation, or the draft is replaced.

`find_duplicates` is read by the review screen (to warn before publishing) and by `job_publish`,
which enforces the rules, so every way of publishing gets the same check.
"""

import datetime
import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from kehoach.core.audit import display_value
from kehoach.core.text import fold
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import Plan
from kehoach.units.models import Unit

TITLE_SIMILARITY = 0.9  # folded titles this close are "near-identical"


def number_key(number: str | None) -> str:
    """ "97 /KH-UBND", "97/kh–ubnd" → "97/kh-ubnd"."""
    return re.sub(r"\s+", "", fold(number).replace("–", "-").replace("—", "-"))


def title_key(title: str | None) -> str:
    """Folded words of a title without its leading "Kế hoạch" (the importer adds it, people may not)."""
    words = re.findall(r"\w+", fold(title))
    if words[:2] == ["ke", "hoach"]:
        words = words[2:]
    return " ".join(words)


def _similar_titles(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return a == b or difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= TITLE_SIMILARITY


@dataclass(frozen=True)
class Duplicate:
    plan: Plan
    same_number: bool  # else: same year, near-identical title
    has_work: bool  # progress reports, figures or periodic reports recorded against it

    @property
    def is_draft(self) -> bool:
        return self.plan.status == PlanStatus.DRAFT

    @property
    def replaceable(self) -> bool:
        return self.is_draft and not self.has_work

    @property
    def label(self) -> str:
        plan = self.plan
        number = f"số {plan.number} " if plan.number else ""
        issued = f", ngày {display_value(plan.issued_on)}" if plan.issued_on else ""
        return f"Kế hoạch {number}“{plan.title}”{issued} ({plan.get_status_display().lower()})"

    @property
    def message(self) -> str:
        plan = self.plan
        issuer = plan.issuer_name or str(plan.owner_unit)
        if self.same_number:
            found = f"{self.label} của {issuer} đã có trong hệ thống, cùng số và cơ quan ban hành"
            if not self.is_draft:
                return (
                    f"{found}. Kế hoạch đã ban hành không được thay thế và không công bố thêm bản thứ hai: "
                    "mở kế hoạch đã có; nếu hệ thống đọc sai số, sửa “Số, ký hiệu” rồi công bố lại."
                )
            if self.has_work:
                return (
                    f"{found}. Bản dự thảo này đã có báo cáo, số liệu nên không thay thế được: "
                    "mở kế hoạch đã có để sửa."
                )
            return f"{found}. Mở bản dự thảo, hoặc thay bản dự thảo bằng văn bản đang nhập."
        found = f"{self.label} của {issuer} năm {plan.year} có trích yếu gần như trùng với văn bản đang nhập"
        if self.replaceable:
            return (
                f"{found}. Mở kế hoạch đã có, thay bản dự thảo bằng văn bản đang nhập, "
                "hoặc xác nhận đây là một kế hoạch khác."
            )
        return f"{found}. Mở kế hoạch đã có, hoặc xác nhận đây là một kế hoạch khác."


def _issued_year(data: dict[str, Any]) -> int | None:
    try:
        return datetime.date.fromisoformat(data["date"]).year if data.get("date") else None
    except (TypeError, ValueError):
        return None


def find_duplicates(data: dict[str, Any], *, owner_unit: Unit, year: int) -> list[Duplicate]:
    """Plans of `owner_unit` that the contract `data` (of plan year `year`) would duplicate, same
    number first. Two queries whatever the number of plans."""
    number = number_key(data.get("number"))
    title = title_key(data.get("title"))
    issued_year = _issued_year(data)
    if not number and not title:
        return []
    years = {year} | ({issued_year} if issued_year else set())
    candidates = list(
        Plan.objects.filter(owner_unit=owner_unit)
        .filter(Q(year__in=years) | Q(issued_on__year__in=years))
        .select_related("owner_unit")
        .order_by("-status", "pk")  # "du_thao" before "ban_hanh": the replaceable first
    )
    found: list[tuple[Plan, bool]] = []
    for plan in candidates:
        if plan.issued_on and issued_year:
            same_year = plan.issued_on.year == issued_year  # numbers start again every year
        else:
            same_year = plan.year == year
        if number and same_year and number_key(plan.number) == number:
            found.append((plan, True))
        elif plan.year == year and _similar_titles(title, title_key(plan.title)):
            found.append((plan, False))
    if not found:
        return []
    worked = set(
        Plan.objects.filter(pk__in=[plan.pk for plan, _ in found])
        .filter(
            Q(tasks__progress_reports__isnull=False)
            | Q(indicators__measurements__isnull=False)
            | Q(reports__isnull=False)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    found.sort(key=lambda item: not item[1])
    return [Duplicate(plan=plan, same_number=same, has_work=plan.pk in worked) for plan, same in found]
