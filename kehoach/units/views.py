from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kehoach.plans.models import Plan
from kehoach.plans.selectors import unit_work

from .access import access_for
from .forms import TokenForm
from .models import ApiToken, Unit
from .services import token_create
from .services import token_revoke as revoke


@login_required
def unit_list(request):
    units = list(Unit.objects.readable_by(request.user).select_related("parent"))
    return render(request, "units/unit_list.html", {"units": units})


@login_required
def unit_detail(request, pk: int):
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    if not access_for(request.user).can_read_unit(unit):
        raise PermissionDenied("Bạn không có quyền xem đơn vị này.")
    readable = Plan.objects.readable_by(request.user)
    work = None if unit.is_administrative else unit_work([unit], readable=readable)
    today = timezone.localdate()
    if work:
        for task in work["led_tasks"] + work["coordinated_tasks"]:
            task.current_status = task.status(today)
    children = Unit.objects.filter(parent=unit).order_by("position", "name")
    members = unit.memberships.select_related("user").order_by("role", "user__full_name")
    plans = (
        readable.filter(owner_unit=unit).select_related("lead_unit")[:20] if unit.is_administrative else []
    )
    return render(
        request,
        "units/unit_detail.html",
        {"unit": unit, "work": work, "children": children, "members": members, "plans": plans},
    )


@login_required
def profile(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.messages[0])
        else:
            messages.success(request, "Đã tạo mã truy cập API. Hãy sao chép ngay: mã chỉ hiển thị một lần.")
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    memberships = request.user.memberships.select_related("unit")
    return render(
        request,
        "units/profile.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "memberships": memberships},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    revoke(actor=request.user, token=token)
    messages.success(request, f"Đã thu hồi mã “{token.name}”.")
    return redirect("units:profile")
