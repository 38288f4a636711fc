from django import forms

from kehoach.plans.services.plans import owner_unit_for

from ..models.people import CourseAttendance, DigitalLiteracyCompletion, DigitalSkillCourse, Official
from .base import RegisterForm


def communes_of(units) -> list[int]:
    """The communes (owner units) of the user's keeping units: the rows a form may point to."""
    return sorted({owner_unit_for(u).pk for u in units}) if units is not None else []


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Official) -> str:
        unit = obj.unit.short_name or obj.unit.name
        born = f", sinh {obj.birth_date:%d/%m/%Y}" if obj.birth_date else ""
        return f"{obj.full_name} ({unit}{born})"


class OfficialForm(RegisterForm):
    class Meta:
        model = Official
        fields = [
            "full_name",
            "code",
            "birth_date",
            "unit",
            "position",
            "category",
            "employed_from",
            "employed_until",
        ]
        error_messages = {
            "full_name": {"required": "Chưa nhập họ và tên."},
            "employed_from": {"required": "Chưa nhập ngày bắt đầu công tác."},
        }


class DigitalSkillCourseForm(RegisterForm):
    class Meta:
        model = DigitalSkillCourse
        fields = ["title", "unit", "organiser", "starts_on", "ends_on", "hours", "form", "evidence"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": "Chưa nhập tên khóa tập huấn."},
            "starts_on": {"required": "Chưa nhập ngày bắt đầu."},
        }


class CourseAttendanceForm(RegisterForm):
    """One learner of a course; the course page's panel adds learners the same way."""

    class Meta:
        model = CourseAttendance
        fields = ["course", "official", "completed", "unit"]
        field_classes = {"official": OfficialChoiceField}

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, units=units, **kwargs)
        communes = communes_of(units)
        self.fields["course"].queryset = DigitalSkillCourse.objects.filter(owner_unit__in=communes)
        self.fields["official"].queryset = Official.objects.filter(owner_unit__in=communes).select_related(
            "unit"
        )
        self.fields["course"].required = True
        self.fields["official"].required = True
        self.fields["course"].error_messages["required"] = "Chưa chọn khóa tập huấn."
        self.fields["official"].error_messages["required"] = "Chưa chọn cán bộ."
        self.fields["unit"].help_text = "Đơn vị theo dõi khóa tập huấn."

    def _post_clean(self):
        # A missing course or official is said once, by the form; the model would say it again.
        if "course" in self._errors or "official" in self._errors:
            return
        super()._post_clean()


class DigitalLiteracyCompletionForm(RegisterForm):
    class Meta:
        model = DigitalLiteracyCompletion
        fields = [
            "full_name",
            "birth_date",
            "official",
            "module",
            "completed_on",
            "platform",
            "certificate",
            "unit",
        ]
        field_classes = {"official": OfficialChoiceField}
        error_messages = {
            "full_name": {"required": "Chưa nhập họ và tên."},
            "module": {"required": "Chưa nhập khóa học, học phần."},
            "completed_on": {"required": "Chưa nhập ngày hoàn thành."},
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, units=units, **kwargs)
        self.fields["official"].queryset = Official.objects.filter(
            owner_unit__in=communes_of(units)
        ).select_related("unit")
        self.fields["official"].empty_label = "— Tự khớp theo họ tên —"
