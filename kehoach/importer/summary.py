"""A readable Vietnamese summary of an extracted plan, for `kehoach import-plan` without --json."""

from .contract import PlanContract

_KIND = {
    "date": "ngày cụ thể",
    "period": "theo kỳ",
    "continuous": "thường xuyên",
    "conditional": "theo điều kiện",
}
_CMP = {">=": "≥", "<=": "≤"}


def _date(iso: str | None) -> str:
    if not iso:
        return "—"
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _number(value) -> str:
    if value is None:
        return "—"
    text = f"{value:,}".replace(",", "\u202f") if isinstance(value, int) else f"{value}".replace(".", ",")
    return text.replace("\u202f", ".")


def summary(plan: PlanContract) -> str:
    out: list[str] = []
    out.append(f"Kế hoạch số: {plan['number'] or '—'}")
    out.append(f"Ngày ban hành: {_date(plan['date'])}" + (f" ({plan['place']})" if plan["place"] else ""))
    out.append(f"Cơ quan ban hành: {plan['issuer'] or '—'}")
    out.append(f"Trích yếu: {plan['title'] or '—'}")
    signer = plan["signer"]
    if signer:
        out.append(
            f"Người ký: {signer['name'] or '—'}"
            + (f" ({signer['position']})" if signer["position"] else "")
            + (f", {signer['authority']}" if signer.get("authority") else "")
        )
    out.append("")
    out.append(
        f"Căn cứ: {len(plan['references'])} · Mục tiêu: {len(plan['goals'])}"
        f" · Chỉ tiêu: {len(plan['indicators'])}"
        f" · Nhiệm vụ: {len(plan['tasks'])} · Giải pháp: {len(plan['measures'])}"
        f" · Đơn vị được phân công: {len(plan['responsibilities'])}"
    )
    if plan["references"]:
        out += ["", "CĂN CỨ"]
        for r in plan["references"]:
            line = f"  - {r['number'] or '(không số)'}"
            if r["date"]:
                line += f" ngày {_date(r['date'])}"
            if r["issuer"]:
                line += f" của {r['issuer']}"
            out.append(line)
    if plan["goals"]:
        out += ["", "MỤC TIÊU"]
        out += [f"  - {g}" for g in plan["goals"]]
    if plan["indicators"]:
        out += ["", "CHỈ TIÊU"]
        group = object()
        for ind in plan["indicators"]:
            if ind["group"] != group:
                group = ind["group"]
                if group:
                    out.append(f"  {group}")
            if ind["comparator"] == "between":
                target = f"{_number(ind['target'])} – {_number(ind['target_max'])}"
            elif ind["comparator"]:
                target = f"{_CMP[ind['comparator']]} {_number(ind['target'])}"
            else:
                target = "chưa rõ"
            unit = ind["unit"] or ""
            note = " (phấn đấu)" if ind["commitment"] == "aspiration" else ""
            out.append(
                f"    - {ind['name']}: {target}{unit if unit == '%' else ' ' + unit if unit else ''}{note}"
            )
    if plan["tasks"]:
        out += ["", "NHIỆM VỤ"]
        for i, t in enumerate(plan["tasks"], 1):
            out.append(f"  {i}. {t['title']}")
            out.append(f"     Chủ trì: {', '.join(t['lead_units']) or '—'}")
            if t["coordinating_units"]:
                out.append(f"     Phối hợp: {', '.join(t['coordinating_units'])}")
            if t["output"]:
                out.append(f"     Sản phẩm: {t['output']}")
            dl = t["deadline"]
            when = t["deadline_text"] or "—"
            if dl:
                when += f" ({_KIND.get(dl['kind'], dl['kind'])}" + (
                    f", đến {_date(dl['date'])})" if dl["date"] else ")"
                )
            out.append(f"     Thời hạn: {when}")
    if plan["measures"]:
        out += ["", "NHIỆM VỤ, GIẢI PHÁP"]
        section = object()
        for m in plan["measures"]:
            if m["section"] != section:
                section = m["section"]
                if section:
                    out.append(f"  {section}")
            out.append(f"    - {m['text']}")
    if plan["responsibilities"]:
        out += ["", "TỔ CHỨC THỰC HIỆN"]
        for r in plan["responsibilities"]:
            out.append(f"  {r['unit']}: {len(r['duties'])} nhiệm vụ")
    return "\n".join(out) + "\n"
