from ..models.procedures import ProcedureMonth
from .base import RegisterForm


class ProcedureMonthForm(RegisterForm):
    class Meta:
        model = ProcedureMonth
        fields = [
            "year",
            "month",
            "unit",
            "received",
            "received_online",
            "reused_data",
            "results_issued",
            "results_electronic",
            "results_digitised",
            "survey_total",
            "survey_satisfied",
            "work_records_total",
            "work_records_classified",
            "work_records_online",
            "source",
        ]
        error_messages = {
            "year": {"required": "Chưa nhập năm.", "invalid": "Năm phải là số, ví dụ 2026."},
            "month": {"required": "Chưa nhập tháng.", "invalid": "Tháng phải là số từ 1 đến 12."},
        }
