from django.template.loader import render_to_string
from django.urls import reverse

from kehoach.core.panels import register
from kehoach.plans.permissions import can_manage_plan

from .computations import COMPUTATIONS
from .models import IndicatorBinding


@register("indicator_detail")
def indicator_binding(request, indicator) -> str:
    binding = IndicatorBinding.objects.filter(indicator=indicator).first()
    choices = [(key, c.label) for key, c in COMPUTATIONS.items() if c.is_rate == indicator.is_rate]
    return render_to_string(
        "registers/panels/indicator_binding.html",
        {
            "indicator": indicator,
            "binding": binding,
            "computation": binding.spec if binding else None,
            "choices": choices,
            "can_manage": can_manage_plan(request.user, indicator.plan),
            "action": reverse("registers:binding", args=[indicator.pk]),
        },
        request=request,
    )
