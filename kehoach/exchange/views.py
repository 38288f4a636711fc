"""Pages: the log of deliveries to the city's reporting system, one delivery's attempts, "Gửi lại"."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kehoach.core.audit import history_for
from kehoach.core.views import paginate, query_without_page

from . import services
from .filters import DeliveryFilter
from .models import Delivery

STATE_BADGES = {
    Delivery.State.QUEUED: "secondary",
    Delivery.State.SENDING: "info",
    Delivery.State.DELIVERED: "success",
    Delivery.State.FAILED: "danger",
}
ATTEMPT_BADGES = {"ok": "success", "tam_loi": "warning", "loi": "danger"}
ATTEMPTS_SHOWN = 100


def _readable(user):
    return Delivery.objects.readable_by(user)


def _delivery(request, pk: int) -> Delivery:
    delivery = get_object_or_404(Delivery.objects.select_related("unit", "created_by"), pk=pk)
    if not services.can_read(request.user, delivery):
        raise PermissionDenied("Bạn không có quyền xem gói dữ liệu này.")
    return delivery


@login_required
def delivery_list(request):
    base = _readable(request.user)
    delivery_filter = DeliveryFilter(
        request.GET, queryset=base.select_related("unit").defer("payload", "receipt")
    )
    page = paginate(request, delivery_filter.qs.order_by("-created_at", "-id"))
    tally = dict(base.order_by().values_list("state").annotate(n=Count("id")))
    return render(
        request,
        "exchange/delivery_list.html",
        {
            "filter": delivery_filter,
            "page": page,
            "query": query_without_page(request),
            "endpoint": services.endpoint(),
            "badges": STATE_BADGES,
            "tally": [(state, tally.get(state, 0), STATE_BADGES[state]) for state in Delivery.State],
        },
    )


@login_required
def delivery_detail(request, pk: int):
    delivery = _delivery(request, pk)
    total = delivery.attempt_log.count()
    attempts = list(delivery.attempt_log.order_by("-started_at", "-id")[:ATTEMPTS_SHOWN])
    return render(
        request,
        "exchange/delivery_detail.html",
        {
            "delivery": delivery,
            "attempts": attempts,
            "attempts_total": total,
            "payload": json.dumps(delivery.payload, ensure_ascii=False, indent=2),
            "receipt": json.dumps(delivery.receipt, ensure_ascii=False, indent=2) if delivery.receipt else "",
            "endpoint": services.endpoint(),
            "badges": STATE_BADGES,
            "attempt_badges": ATTEMPT_BADGES,
            "can_retry": delivery.state == Delivery.State.FAILED
            and services.can_retry(request.user, delivery),
            "history": history_for(delivery)[:8],
        },
    )


@login_required
@require_POST
def delivery_retry(request, pk: int):
    delivery = _delivery(request, pk)
    try:
        delivery = services.retry(delivery=delivery, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if delivery.state == Delivery.State.DELIVERED:
            messages.success(request, "Đã gửi lại thành công.")
        else:
            messages.success(request, "Đã đưa gói dữ liệu vào hàng chờ gửi lại.")
    return redirect(delivery.get_absolute_url())
