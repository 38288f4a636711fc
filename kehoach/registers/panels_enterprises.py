"""The steps panel of an enterprise's page: add or remove a step of the measurement assurance programme.

Steps are rows of their own register ("buoc-dam-bao-do-luong"), so they are written through the same
service as imports and the generic pages: same validation, duplicates, audit and recomputation.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST

from kehoach.units.access import access_for

from .forms.enterprises import StepPanelForm
from .models import Enterprise, ProgrammeStep
from .registry import spec_for
from .services.rows import row_delete, row_save


def _enterprise(request, pk: int) -> Enterprise:
    enterprise = get_object_or_404(Enterprise.objects.select_related("owner_unit", "unit"), pk=pk)
    if not access_for(request.user).can_read_unit(enterprise.owner_unit):
        raise PermissionDenied("Bạn không có quyền xem doanh nghiệp này.")
    return enterprise


def _back(enterprise: Enterprise):
    return redirect(f"{enterprise.get_absolute_url()}#cac-buoc")


@login_required
@require_POST
def step_add(request, pk: int):
    enterprise = _enterprise(request, pk)
    form = StepPanelForm(request.POST, auto_id="id_step_%s")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _back(enterprise)
    data = {**form.cleaned_data, "enterprise": enterprise, "unit": enterprise.unit}
    try:
        step = row_save(actor=request.user, spec=spec_for("buoc-dam-bao-do-luong"), data=data)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Đã thêm bước “{step.get_step_display()}” ngày {step.date:%d/%m/%Y}.")
    return _back(enterprise)


@login_required
@require_POST
def step_remove(request, pk: int, step_pk: int):
    enterprise = _enterprise(request, pk)
    step = get_object_or_404(ProgrammeStep.objects.select_related("unit"), pk=step_pk, enterprise=enterprise)
    row_delete(actor=request.user, spec=spec_for("buoc-dam-bao-do-luong"), instance=step)
    messages.success(request, f"Đã xóa bước “{step.get_step_display()}” ngày {step.date:%d/%m/%Y}.")
    return _back(enterprise)


urlpatterns = [
    path("so-theo-doi/doanh-nghiep/<int:pk>/buoc/them/", step_add, name="enterprise_step_add"),
    path(
        "so-theo-doi/doanh-nghiep/<int:pk>/buoc/<int:step_pk>/xoa/",
        step_remove,
        name="enterprise_step_remove",
    ),
]
