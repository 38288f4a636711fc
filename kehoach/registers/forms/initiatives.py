from django import forms

from ..models import Initiative
from .base import RegisterForm


class InitiativeForm(RegisterForm):
    class Meta:
        model = Initiative
        fields = [
            "title",
            "authors",
            "unit",
            "field",
            "description",
            "applied_on",
            "score_novelty",
            "score_applicability",
            "score_effectiveness",
            "status",
            "scope",
            "decision_number",
            "decision_date",
            "decision_issuer",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": "Chưa nhập tên sáng kiến."},
            "authors": {"required": "Chưa nhập tác giả."},
        }
