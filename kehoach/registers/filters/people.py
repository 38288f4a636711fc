import django_filters
from django.db.models import Q
from django.utils import timezone

from ..models.people import (
    CourseAttendance,
    CourseForm,
    DigitalLiteracyCompletion,
    DigitalSkillCourse,
    Official,
    OfficialCategory,
)
from .base import RegisterFilter

YES_NO = (("1", "Có"), ("0", "Không"))


class OfficialFilter(RegisterFilter):
    category = django_filters.ChoiceFilter(
        label="Phân loại", choices=OfficialCategory.choices, empty_label="Mọi loại"
    )
    employed = django_filters.ChoiceFilter(
        label="Tình trạng",
        choices=(("1", "Đang công tác"), ("0", "Đã thôi công tác")),
        empty_label="Mọi tình trạng",
        method="filter_employed",
    )

    class Meta:
        model = Official
        fields = ["q", "unit", "category", "employed"]

    def filter_employed(self, queryset, name, value):
        today = timezone.localdate()
        current = Q(employed_from__lte=today) & (
            Q(employed_until__isnull=True) | Q(employed_until__gte=today)
        )
        return queryset.filter(current) if value == "1" else queryset.exclude(current)


class DigitalSkillCourseFilter(RegisterFilter):
    kind = django_filters.ChoiceFilter(
        label="Hình thức", field_name="form", choices=CourseForm.choices, empty_label="Mọi hình thức"
    )
    year = django_filters.NumberFilter(label="Năm", field_name="starts_on", lookup_expr="year")

    class Meta:
        model = DigitalSkillCourse
        fields = ["q", "unit", "kind", "year"]


class CourseAttendanceFilter(RegisterFilter):
    course = django_filters.ModelChoiceFilter(
        label="Khóa tập huấn", queryset=DigitalSkillCourse.objects.none(), empty_label="Mọi khóa tập huấn"
    )
    completed = django_filters.ChoiceFilter(
        label="Hoàn thành", choices=YES_NO, empty_label="Hoàn thành hay chưa", method="filter_completed"
    )

    class Meta:
        model = CourseAttendance
        fields = ["q", "unit", "course", "completed"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["course"].queryset = DigitalSkillCourse.objects.readable_by(user)

    def filter_completed(self, queryset, name, value):
        return queryset.filter(completed=value == "1")


class DigitalLiteracyCompletionFilter(RegisterFilter):
    matched = django_filters.ChoiceFilter(
        label="Khớp danh sách cán bộ",
        choices=YES_NO,
        empty_label="Khớp hay chưa",
        method="filter_matched",
    )
    year = django_filters.NumberFilter(label="Năm hoàn thành", field_name="completed_on", lookup_expr="year")

    class Meta:
        model = DigitalLiteracyCompletion
        fields = ["q", "unit", "matched", "year"]

    def filter_matched(self, queryset, name, value):
        return queryset.filter(official__isnull=value != "1")
