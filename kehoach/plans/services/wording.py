"""Targets as a Vietnamese document words them: "tối thiểu 10 sáng kiến", "phấn đấu đạt 90%"."""

from decimal import Decimal

from kehoach.core.templatetags.vn import format_number

from ..choices import Commitment, Comparator


def amount(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    number = format_number(value)
    # Administrative style writes whole counts below ten with a leading zero: "02 sáng kiến".
    if unit != "%" and value == value.to_integral_value() and 0 <= value < 10:
        number = f"{int(value):02d}"
    return f"{number}%" if unit == "%" else f"{number} {unit}".strip()


def target_in_words(indicator) -> str:
    unit = (indicator.unit_of_measure or "").strip()
    value = amount(indicator.target, unit)
    if indicator.comparator == Comparator.BETWEEN:
        low = format_number(indicator.target)
        text = f"từ {low} đến {amount(indicator.target_max, unit)}"
    elif indicator.comparator == Comparator.AT_MOST:
        text = f"không quá {value}"
    elif indicator.commitment == Commitment.ASPIRATION:
        return f"phấn đấu đạt {value}"
    elif unit == "%":
        text = value if indicator.target == 100 else f"từ {value} trở lên"
    else:
        text = f"tối thiểu {value}"
    if indicator.commitment == Commitment.ASPIRATION:
        return f"phấn đấu {text}"
    return text
