"""The upload form and the review forms: the contract (design.md) as Django forms and formsets.

`ReviewForms` turns a job's contract into one metadata form and a formset per list (references,
goals, indicators, tasks, measures, responsibilities; each row editable, removable, or added by
hand) plus a formset of unit choices, and turns the posted forms back into a contract. The forms
check formats (dates dd/mm/yyyy, numbers 1.234,5, lengths that fit the plan tables); what a plan
needs before it is published is checked by `publish_problems`, which names the row.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from kehoach.core.forms import VietnameseDecimalField
from kehoach.core.templatetags.vn import format_number
from kehoach.plans.choices import Commitment, Comparator, DeadlineKind, PlanField
from kehoach.plans.deadlines import DeadlineError, parse_deadline
from kehoach.plans.models import CityIndicator
from kehoach.plans.services.catalogue import (
    outside_catalogue_message,
    proposal_label,
    rank_catalogue,
    strong_proposal,
)
from kehoach.units.models import Unit

from .matching import NameRow
from .readers import max_bytes

DATE_FORMAT = "%d/%m/%Y"
SEPARATOR = "; "
NO_LINK = "— Không liên kết —"


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control form-control-sm")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"


def _size_text(size: int) -> str:
    return f"{format_number(round(size / (1024 * 1024), 1))} MB"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp kế hoạch",
        help_text="Văn bản Word (.docx), PDF có lớp chữ hoặc tệp văn bản (.txt).",
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ".docx,.pdf,.txt"}),
        error_messages={"required": "Chưa chọn tệp kế hoạch.", "empty": "Tệp được chọn trống."},
    )
    lead_unit = forms.ModelChoiceField(
        label="Đơn vị đầu mối",
        queryset=Unit.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": "Chưa chọn đơn vị đầu mối.",
            "invalid_choice": "Đơn vị đầu mối không hợp lệ.",
        },
    )
    field = forms.ChoiceField(
        label="Lĩnh vực",
        choices=PlanField.choices,
        initial=PlanField.DIGITAL,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, lead_units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = lead_units if lead_units is not None else Unit.objects.none()
        self.fields["file"].help_text += f" Tối đa {_size_text(max_bytes())}."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name or "tệp"
        if upload.size > max_bytes():
            raise forms.ValidationError(
                f"Tệp “{name}” quá lớn ({_size_text(upload.size)}); "
                f"chỉ nhận tệp đến {_size_text(max_bytes())}."
            )
        if upload.size == 0:
            raise forms.ValidationError(f"Tệp “{name}” trống, không có nội dung để nhập.")
        return upload


# Review -----------------------------------------------------------------------------------------


class VietnameseDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", [DATE_FORMAT, "%d-%m-%Y", "%Y-%m-%d"])
        kwargs.setdefault(
            "widget",
            forms.DateInput(format=DATE_FORMAT, attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        )
        kwargs.setdefault(
            "error_messages", {"invalid": "Ngày phải ghi theo dạng dd/mm/yyyy, ví dụ 28/02/2026."}
        )
        super().__init__(**kwargs)


def _text(label: str, max_length: int, *, rows: int = 0, **kwargs) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=widget,
        error_messages={"max_length": f"{label} dài quá {max_length} ký tự."},
        **kwargs,
    )


class MetaForm(BootstrapMixin, forms.Form):
    number = _text("Số, ký hiệu", 60)
    date = VietnameseDateField(label="Ngày ban hành")
    place = _text("Địa danh", 100)
    issuer = _text("Cơ quan ban hành", 255)
    title = _text("Trích yếu", 500, rows=2)
    signer_authority = _text("Thẩm quyền ký", 100)  # "TM. ỦY BAN NHÂN DÂN"
    signer_name = _text("Người ký", 150)
    signer_position = _text("Chức vụ người ký", 150)
    year = forms.IntegerField(
        label="Năm kế hoạch",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(),
        error_messages={
            "required": "Chưa nhập năm kế hoạch.",
            "invalid": "Năm kế hoạch phải là số, ví dụ 2026.",
            "min_value": "Năm kế hoạch phải trong khoảng 2000–2100.",
            "max_value": "Năm kế hoạch phải trong khoảng 2000–2100.",
        },
    )


class ReferenceForm(BootstrapMixin, forms.Form):
    number = _text("Số, ký hiệu", 60)
    date = VietnameseDateField(label="Ngày")
    issuer = _text("Cơ quan ban hành", 255)
    title = _text("Trích yếu", 500)


class GoalForm(BootstrapMixin, forms.Form):
    text = _text("Mục tiêu", 5000, rows=2)


class IndicatorForm(BootstrapMixin, forms.Form):
    group = _text("Nhóm chỉ tiêu", 300)
    name = _text("Tên chỉ tiêu", 500, rows=2)
    comparator = forms.ChoiceField(label="So sánh", choices=Comparator.choices, initial=">=")
    target = VietnameseDecimalField(label="Mục tiêu", required=False, max_digits=14, decimal_places=2)
    target_max = VietnameseDecimalField(label="Tối đa", required=False, max_digits=14, decimal_places=2)
    unit = _text("Đơn vị tính", 50)
    commitment = forms.ChoiceField(label="Cam kết", choices=Commitment.choices, initial="required")
    city_indicator = forms.ChoiceField(label="Chỉ tiêu dùng chung của thành phố", required=False)
    catalogue_hint = ""

    def __init__(self, *args, catalogue: list[CityIndicator] = (), catalogue_error: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if not catalogue:
            # The owner's city keeps no catalogue: nothing to link to.
            del self.fields["city_indicator"]
            return
        field = self.fields["city_indicator"]
        field.choices = [("", NO_LINK), *[(str(entry.pk), str(entry)) for entry in catalogue]]
        field.error_messages["invalid_choice"] = catalogue_error

    def propose(self, proposals: list[tuple[CityIndicator, float]]) -> None:
        """Put the proposals for this row's name first in its select, and in words under it."""
        if "city_indicator" not in self.fields:
            return
        if not proposals:
            self.catalogue_hint = "Không có chỉ tiêu dùng chung nào có tên gần giống."
            return
        self.catalogue_hint = "Đề xuất theo tên: " + "; ".join(proposal_label(e, s) for e, s in proposals)
        field = self.fields["city_indicator"]
        proposed = {str(e.pk) for e, _ in proposals}
        field.choices = [
            ("", NO_LINK),
            ("Đề xuất theo tên", [(str(e.pk), proposal_label(e, s)) for e, s in proposals]),
            ("Các chỉ tiêu khác của danh mục", [c for c in field.choices[1:] if c[0] not in proposed]),
        ]

    def clean(self):
        data = super().clean()
        low, high = data.get("target"), data.get("target_max")
        if (
            data.get("comparator") == Comparator.BETWEEN
            and low is not None
            and high is not None
            and high < low
        ):
            self.add_error("target_max", "Giá trị tối đa phải lớn hơn hoặc bằng giá trị mục tiêu.")
        return data


class TaskForm(BootstrapMixin, forms.Form):
    title = _text("Nhiệm vụ", 500, rows=2)
    lead_units = _text("Chủ trì", 1000, help_text="Nhiều đơn vị thì ngăn bằng dấu chấm phẩy (;).")
    coordinating_units = _text("Phối hợp", 2000, help_text="Nhiều đơn vị thì ngăn bằng dấu chấm phẩy (;).")
    output = _text("Kết quả/sản phẩm", 300)
    deadline_text = _text("Thời hạn", 200)


class MeasureForm(BootstrapMixin, forms.Form):
    section = _text("Mục", 300)
    text = _text("Nội dung", 5000, rows=2)


class ResponsibilityForm(BootstrapMixin, forms.Form):
    unit = _text("Đơn vị", 255)
    duties = _text("Nhiệm vụ (mỗi dòng một việc)", 20000, rows=3)


class UnitChoiceForm(BootstrapMixin, forms.Form):
    name = forms.CharField(widget=forms.HiddenInput, max_length=1000)
    unit = forms.ChoiceField(label="Đơn vị trong hệ thống", required=False)
    new = forms.BooleanField(label="Tạo đơn vị mới", required=False)

    def __init__(self, *args, unit_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "— Chưa chọn —"), *unit_choices]

    def clean(self):
        data = super().clean()
        if data.get("unit") and data.get("new"):
            self.add_error("new", "Đã chọn đơn vị có sẵn: bỏ đánh dấu “Tạo đơn vị mới”, hoặc bỏ chọn đơn vị.")
        return data


# prefix → (form class, label of a row in messages, contract key)
LISTS = {
    "ref": (ReferenceForm, "Căn cứ", "references"),
    "goal": (GoalForm, "Mục tiêu", "goals"),
    "ind": (IndicatorForm, "Chỉ tiêu", "indicators"),
    "task": (TaskForm, "Nhiệm vụ", "tasks"),
    "measure": (MeasureForm, "Giải pháp", "measures"),
    "resp": (ResponsibilityForm, "Tổ chức thực hiện, mục", "responsibilities"),
}
FORMSETS = {
    prefix: forms.formset_factory(form, extra=1, can_delete=True) for prefix, (form, _, _) in LISTS.items()
}
UnitChoiceFormSet = forms.formset_factory(UnitChoiceForm, extra=0)


def _iso_to_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def guess_year(data: dict[str, Any]) -> int:
    if data.get("year"):
        return int(data["year"])
    if match := re.search(r"\b(20\d\d)\b", data.get("title") or ""):
        return int(match.group(1))
    issued = _iso_to_date(data.get("date"))
    return issued.year if issued else timezone.localdate().year


def _units_text(names) -> str:
    return SEPARATOR.join(n for n in names or [] if n)


def _split_units(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("\n", ";").split(";") if part.strip()]


def initial_rows(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The contract's lists as the formsets' initial rows."""
    return {
        "ref": [
            {
                "number": r.get("number") or "",
                "date": _iso_to_date(r.get("date")),
                "issuer": r.get("issuer") or "",
                "title": r.get("title") or "",
            }
            for r in data.get("references") or []
        ],
        "goal": [{"text": g} for g in data.get("goals") or []],
        "ind": [
            {
                "group": i.get("group") or "",
                "name": i.get("name") or "",
                "comparator": i.get("comparator") or ">=",
                "target": _number(i.get("target")),
                "target_max": _number(i.get("target_max")),
                "unit": i.get("unit") or "",
                "commitment": i.get("commitment") or "required",
            }
            for i in data.get("indicators") or []
        ],
        "task": [
            {
                "title": t.get("title") or "",
                "lead_units": _units_text(t.get("lead_units")),
                "coordinating_units": _units_text(t.get("coordinating_units")),
                "output": t.get("output") or "",
                "deadline_text": t.get("deadline_text") or "",
            }
            for t in data.get("tasks") or []
        ],
        "measure": [
            {"section": m.get("section") or "", "text": m.get("text") or ""}
            for m in data.get("measures") or []
        ],
        "resp": [
            {"unit": r.get("unit") or "", "duties": "\n".join(r.get("duties") or [])}
            for r in data.get("responsibilities") or []
        ],
    }


def initial_meta(data: dict[str, Any]) -> dict[str, Any]:
    signer = data.get("signer") or {}
    return {
        "number": data.get("number") or "",
        "date": _iso_to_date(data.get("date")),
        "place": data.get("place") or "",
        "issuer": data.get("issuer") or "",
        "title": data.get("title") or "",
        "signer_authority": signer.get("authority") or "",
        "signer_name": signer.get("name") or "",
        "signer_position": signer.get("position") or "",
        "year": guess_year(data),
    }


def deadline_of(text: str | None, year: int) -> tuple[dict[str, Any] | None, str]:
    """The contract's deadline object for a deadline text, and the reason when it cannot be read."""
    if not (text or "").strip():
        return None, "Chưa nhập thời hạn."
    try:
        deadline = parse_deadline(text, year=year)
    except DeadlineError as error:
        return None, str(error)
    return {"kind": str(deadline.kind), "date": deadline.date.isoformat() if deadline.date else None}, ""


def _deadline_label(deadline: dict[str, Any] | None) -> str:
    if not deadline:
        return ""
    label = DeadlineKind(deadline["kind"]).label
    if deadline.get("date") and deadline["kind"] != DeadlineKind.CONTINUOUS:
        label += f", hạn {datetime.date.fromisoformat(deadline['date']).strftime(DATE_FORMAT)}"
    return label


def _signer(meta: dict[str, Any]) -> dict[str, Any] | None:
    authority = " ".join(meta["signer_authority"].split())
    if not (meta["signer_name"] or meta["signer_position"] or authority):
        return None
    signer = {"name": meta["signer_name"] or None, "position": meta["signer_position"] or None}
    return {**signer, "authority": authority} if authority else signer


class ReviewForms:
    """Every form of the review screen, bound to a POST or filled from a contract."""

    def __init__(
        self,
        data: dict[str, Any],
        *,
        rows: list[NameRow],
        units: list[Unit],
        post=None,
        catalogue: list[CityIndicator] = (),
    ):
        self.data = data
        self.rows = rows
        self.catalogue = list(catalogue)
        self._proposals: dict[tuple[str, str], list[tuple[CityIndicator, float]]] = {}
        depth = min((u.depth for u in units), default=0)
        unit_choices = [(str(u.pk), "— " * (u.depth - depth) + u.name) for u in units]
        self.meta = MetaForm(post, initial=initial_meta(data), prefix="meta")
        initial = initial_rows(data)
        self._initial_links(initial["ind"], data.get("indicators") or [])
        form_kwargs: dict[str, dict[str, Any]] = {prefix: {} for prefix in LISTS}
        if self.catalogue:
            form_kwargs["ind"] = {
                "catalogue": self.catalogue,
                "catalogue_error": outside_catalogue_message(self.catalogue[0].city),
            }
        self.lists = {
            prefix: FORMSETS[prefix](
                post, initial=initial[prefix], prefix=prefix, form_kwargs=form_kwargs[prefix]
            )
            for prefix in LISTS
        }
        for form in self.lists["ind"].forms:
            form.propose(self.proposals(form["name"].value(), form["unit"].value()))
        for prefix, formset in self.lists.items():  # templates read review.task, review.ind …
            setattr(self, prefix, formset)
        self.units = UnitChoiceFormSet(
            post,
            initial=[
                {
                    "name": row.name,
                    "unit": str(row.unit.pk) if row.unit is not None else "",
                    "new": row.is_new,
                }
                for row in rows
                if not row.collective
            ],
            prefix="unit",
            form_kwargs={"unit_choices": unit_choices},
        )
        for form, row in zip(self.units.forms, [r for r in rows if not r.collective], strict=False):
            form.row = row
            if row.suggestions:
                suggested = [(str(u.pk), u.name) for u in row.suggestions]
                form.fields["unit"].choices = [
                    ("", "— Chưa chọn —"),
                    ("Đề xuất", suggested),
                    ("Tất cả đơn vị", unit_choices),
                ]
        year = guess_year(data)
        for form, task in zip(self.task.forms, data.get("tasks") or [], strict=False):
            deadline, form.deadline_problem = deadline_of(task.get("deadline_text"), year)
            form.deadline_label = _deadline_label(deadline)

    def proposals(self, name: str | None, unit: str | None) -> list[tuple[CityIndicator, float]]:
        key = (name or "", unit or "")
        if key not in self._proposals:
            self._proposals[key] = rank_catalogue(self.catalogue, name=key[0], unit_of_measure=key[1])
        return self._proposals[key]

    def _initial_links(self, rows: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
        """Each indicator's catalogue entry as first shown: the reviewer's choice once saved (None: no
        link), else the best proposal by name when it is strong."""
        if not self.catalogue:
            return
        for row, item in zip(rows, items, strict=False):
            if "city_indicator" in item:
                row["city_indicator"] = str(item["city_indicator"] or "")
            else:
                best = strong_proposal(self.proposals(row["name"], row["unit"]))
                row["city_indicator"] = str(best.pk) if best is not None else ""

    def all(self):
        return [self.meta, *self.lists.values(), self.units]

    def is_valid(self) -> bool:
        return all(f.is_valid() for f in self.all())

    def problems(self) -> list[str]:
        """Form errors as messages naming the row: "Nhiệm vụ 3: Thời hạn dài quá 200 ký tự."."""
        out = []
        for name, errors in self.meta.errors.items():
            label = self.meta.fields[name].label if name in self.meta.fields else ""
            out += [f"Thông tin văn bản: {label + ': ' if label else ''}{e}" for e in errors]
        for prefix, formset in self.lists.items():
            row_label = LISTS[prefix][1]
            out += [f"{row_label}: {e}" for e in formset.non_form_errors()]
            for i, form in enumerate(formset.forms, start=1):
                for name, errors in form.errors.items():
                    label = form.fields[name].label if name in form.fields else ""
                    out += [f"{row_label} {i}: {label + ': ' if label else ''}{e}" for e in errors]
        for form in self.units.forms:
            for errors in form.errors.values():
                out += [f"Đơn vị “{form['name'].value()}”: {e}" for e in errors]
        return out

    @staticmethod
    def _kept(formset) -> list[dict[str, Any]]:
        rows = []
        for form in formset.forms:
            cleaned = getattr(form, "cleaned_data", None) or {}
            if not cleaned or cleaned.get("DELETE"):
                continue
            values = {k: v for k, v in cleaned.items() if k != "DELETE"}
            if any(
                v not in (None, "", [], False)
                for k, v in values.items()
                if k not in ("comparator", "commitment")
            ):
                rows.append(values)
        return rows

    def result(self) -> dict[str, Any]:
        """The edited contract (call after is_valid). Keys the screen does not edit are kept."""
        meta = self.meta.cleaned_data
        year = meta["year"]
        out = dict(self.data)
        out.update(
            {
                "number": meta["number"].replace(" ", "") or None,
                "date": meta["date"].isoformat() if meta["date"] else None,
                "place": meta["place"] or None,
                "issuer": meta["issuer"] or None,
                "title": meta["title"] or None,
                "signer": _signer(meta),
                "year": year,
                "references": [
                    {
                        "number": r["number"].replace(" ", "") or None,
                        "date": r["date"].isoformat() if r["date"] else None,
                        "issuer": r["issuer"] or None,
                        **({"title": r["title"]} if r["title"] else {}),
                    }
                    for r in self._kept(self.lists["ref"])
                ],
                "goals": [r["text"] for r in self._kept(self.lists["goal"]) if r["text"]],
                "indicators": [
                    {
                        "group": r["group"] or None,
                        "name": r["name"],
                        "comparator": r["comparator"] or ">=",
                        "target": _json_number(r["target"]),
                        "target_max": _json_number(r["target_max"]),
                        "unit": r["unit"] or None,
                        "commitment": r["commitment"] or "required",
                        # Only where the screen offered the choice: absent, the key means "not decided".
                        **(
                            {"city_indicator": int(r["city_indicator"]) if r["city_indicator"] else None}
                            if "city_indicator" in r
                            else {}
                        ),
                    }
                    for r in self._kept(self.lists["ind"])
                ],
                "tasks": [
                    {
                        "title": r["title"],
                        "lead_units": _split_units(r["lead_units"]),
                        "coordinating_units": _split_units(r["coordinating_units"]),
                        "output": r["output"] or None,
                        "deadline_text": r["deadline_text"] or None,
                        "deadline": deadline_of(r["deadline_text"], year)[0],
                    }
                    for r in self._kept(self.lists["task"])
                ],
                "measures": [
                    {"section": r["section"] or None, "text": r["text"]}
                    for r in self._kept(self.lists["measure"])
                ],
                "responsibilities": [
                    {"unit": r["unit"], "duties": [d.strip() for d in r["duties"].splitlines() if d.strip()]}
                    for r in self._kept(self.lists["resp"])
                ],
            }
        )
        return out

    def unit_choices(self) -> dict[str, Any]:
        """The reviewer's unit decisions by name (call after is_valid)."""
        out: dict[str, Any] = {}
        for form in self.units.forms:
            cleaned = form.cleaned_data
            if cleaned.get("unit"):
                out[cleaned["name"]] = {"unit": int(cleaned["unit"])}
            elif cleaned.get("new"):
                out[cleaned["name"]] = {"new": True}
        return out


def post_data(review: ReviewForms) -> dict[str, Any]:
    """What the review screen posts when nothing is changed (used by tests and scripted clients)."""
    data: dict[str, Any] = {}
    for form_or_set in review.all():
        forms_ = (
            [form_or_set]
            if isinstance(form_or_set, forms.Form)
            else [
                form_or_set.management_form,
                *form_or_set.forms,
            ]
        )
        for form in forms_:
            for bound in form:
                value = bound.value()
                if isinstance(bound.field.widget, forms.CheckboxInput):
                    if value:
                        data[bound.html_name] = "on"
                    continue
                if value is None:
                    value = ""
                elif isinstance(value, datetime.date):
                    value = value.strftime(DATE_FORMAT)
                elif isinstance(value, Decimal):
                    value = format_number(value)
                data[bound.html_name] = str(value)
    return data


def publish_problems(data: dict[str, Any]) -> list[str]:
    """What the contract still lacks for a plan, each naming its row; empty when it can be published."""
    out = []
    year = guess_year(data)
    if not (data.get("title") or "").strip():
        out.append("Thông tin văn bản: chưa nhập trích yếu của kế hoạch.")
    for i, item in enumerate(data.get("indicators") or [], start=1):
        if not (item.get("name") or "").strip():
            out.append(f"Chỉ tiêu {i}: chưa nhập tên chỉ tiêu.")
        if item.get("target") is None:
            out.append(f"Chỉ tiêu {i}: chưa nhập giá trị mục tiêu.")
        if item.get("comparator") == Comparator.BETWEEN and item.get("target_max") is None:
            out.append(f"Chỉ tiêu {i}: chỉ tiêu “trong khoảng” cần cả giá trị tối đa.")
    for i, task in enumerate(data.get("tasks") or [], start=1):
        if not (task.get("title") or "").strip():
            out.append(f"Nhiệm vụ {i}: chưa nhập tên nhiệm vụ.")
        if not task.get("lead_units"):
            out.append(f"Nhiệm vụ {i}: chưa có đơn vị chủ trì.")
        _, problem = deadline_of(task.get("deadline_text"), year)
        if problem:
            out.append(f"Nhiệm vụ {i}: {problem}")
    for i, measure in enumerate(data.get("measures") or [], start=1):
        if not (measure.get("text") or "").strip():
            out.append(f"Giải pháp {i}: chưa nhập nội dung.")
    for i, item in enumerate(data.get("responsibilities") or [], start=1):
        if not (item.get("unit") or "").strip():
            out.append(f"Tổ chức thực hiện, mục {i}: chưa nhập đơn vị.")
    return out
