"""Reminders (đôn đốc): the daily job that tells people what needs their attention.

`reminders_run` turns the state of every issued plan into in-app notifications:
- a deadline within N days (settings.KEHOACH_REMIND_DAYS_BEFORE) → the lead units' people and the
  coordinating units' people (for a task coordinated by "Các phòng, cơ quan, đơn vị": every
  non-administrative unit of the plan's commune), since their share of the work is due too;
- an overdue task → the lead units' people and the plan's đầu mối (the lead units answer for it);
- a report still missing after a period's cut-off → each unit concerned (one list per period) and
  đầu mối (one summary per period).
Reports returned by đầu mối are notified when they are returned (services/progress.py, measurements.py).

`digest_send` then e-mails each user with an address at most one digest a day holding every
notification they have not yet read or received by e-mail.

Each notification has a key unique per user, so running the job again (the same day, the next day,
twice by mistake) never repeats a reminder; a moved deadline is a new reminder.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from kehoach.plans.choices import PlanStatus, TaskStatus
from kehoach.plans.models import ALL_UNITS_LABEL, Plan, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.units.choices import ADMINISTRATIVE_KINDS, Role
from kehoach.units.models import Membership, Unit, User

from .. import selectors
from ..choices import NotificationKind
from ..models import DigestLog, Notification, Period
from .notifications import notify_many, plan_reviewers

logger = logging.getLogger(__name__)

# Order of the sections of a digest: what is most pressing first.
DIGEST_ORDER = [
    NotificationKind.ALERT,
    NotificationKind.NUDGE,
    NotificationKind.OVERDUE,
    NotificationKind.MISSING,
    NotificationKind.RETURNED,
    NotificationKind.DUE_SOON,
    NotificationKind.SUBMITTED,
]
# A digest lists at most this many notifications; the rest are counted and linked.
DIGEST_MAX_ITEMS = 50


def vn_date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _period_phrase(period: Period) -> str:
    """The label as it reads inside a sentence: "quý II/2026", "6 tháng đầu năm 2026", "năm 2026"."""
    label = period.label
    return label[0].lower() + label[1:]


def _plan_name(plan: Plan) -> str:
    return f"Kế hoạch số {plan.number}" if plan.number else plan.title


def _unit_names(units) -> str:
    return ", ".join(str(u.short_name or u.name) for u in units) or "(chưa giao)"


def _task_lines(task: Task, *, coordinators: bool = False) -> list[str]:
    lines = [f"Đơn vị chủ trì: {_unit_names(task.lead_units)}."]
    if coordinators and (task.coordinates_all_units or task.coordinating_units):
        names = ALL_UNITS_LABEL if task.coordinates_all_units else _unit_names(task.coordinating_units)
        lines.append(f"Đơn vị phối hợp: {names}.")
    if task.output:
        lines.append(f"Kết quả/sản phẩm: {task.output}.")
    lines.append(f"Thuộc {_plan_name(task.plan)}.")
    return lines


def _due_soon_item(task: Task, today: datetime.date, people: list[User]) -> dict:
    days = (task.due_on - today).days
    left = "hôm nay là hạn cuối" if days == 0 else f"còn {days} ngày"
    return {
        "users": people,
        "kind": NotificationKind.DUE_SOON,
        "key": f"due_soon:{task.pk}:{task.due_on.isoformat()}",
        "title": f"Sắp đến hạn {vn_date(task.due_on)} ({left}): {task.title}",
        "body": "\n".join(
            [
                f"Nhiệm vụ “{task.title}” phải hoàn thành trước ngày {vn_date(task.due_on)} ({left}).",
                *_task_lines(task, coordinators=True),
                (
                    "Đề nghị đơn vị chủ trì hoàn thành và gửi báo cáo tiến độ kèm minh chứng kết quả/sản "
                    "phẩm; đơn vị phối hợp thực hiện phần việc được giao và báo cáo kết quả phối hợp."
                    if task.coordinates_all_units or task.coordinating_units
                    else "Đề nghị đơn vị hoàn thành và gửi báo cáo tiến độ kèm minh chứng kết quả/sản phẩm."
                ),
            ]
        ),
        "url": task.get_absolute_url(),
    }


def _overdue_item(task: Task, today: datetime.date, people: list[User]) -> dict:
    days = (today - task.due_on).days
    return {
        "users": people,
        "kind": NotificationKind.OVERDUE,
        "key": f"overdue:{task.pk}:{task.due_on.isoformat()}",
        "title": f"Quá hạn từ {vn_date(task.due_on)}: {task.title}",
        "body": "\n".join(
            [
                f"Nhiệm vụ “{task.title}” đã quá hạn {days} ngày (hạn {vn_date(task.due_on)}) "
                "mà chưa hoàn thành.",
                *_task_lines(task),
                "Đề nghị đơn vị chủ trì khẩn trương thực hiện, báo cáo tiến độ "
                "và nêu rõ khó khăn, vướng mắc.",
            ]
        ),
        "url": task.get_absolute_url(),
    }


def _missing_items(
    plan: Plan, period: Period, rows: list[dict], people: dict[int, list[User]], reviewers: list[User]
) -> tuple[list[dict], list[dict]]:
    """One list per unit of what it still owes for the period, and one summary for đầu mối."""
    phrase = _period_phrase(period)
    deadline = f"Số liệu chốt ngày {vn_date(period.ends_on)}; hạn gửi báo cáo ngày {vn_date(period.due_on)}."
    desk_url = reverse("tracking:desk", args=[plan.pk, period.pk])
    unit_items, summary_lines = [], []
    for row in rows:
        unit, tasks, indicators = row["unit"], row["tasks"], row["indicators"]
        counts = ", ".join(
            part
            for part in (
                f"{len(tasks)} nhiệm vụ" if tasks else "",
                f"{len(indicators)} chỉ tiêu" if indicators else "",
            )
            if part
        )
        lines = [f"{_plan_name(plan)}, kỳ báo cáo {phrase}. {deadline}"]
        if tasks:
            lines.append("Nhiệm vụ chưa gửi báo cáo tiến độ:")
            lines += [f"- {task.title} ({slot.state_label.lower()})" for task, slot in tasks]
        if indicators:
            lines.append("Chỉ tiêu chưa gửi số liệu:")
            lines += [f"- {ind.code} {ind.name} ({slot.state_label.lower()})" for ind, slot in indicators]
        unit_items.append(
            {
                "users": people.get(unit.pk, []),
                "kind": NotificationKind.MISSING,
                "key": f"missing:{period.pk}:{unit.pk}",
                "title": f"{unit.short_name or unit.name} chưa gửi báo cáo {phrase}: {counts}",
                "body": "\n".join(lines),
                "url": f"{desk_url}?don_vi={unit.pk}",
            }
        )
        summary_lines.append(f"- {unit.short_name or unit.name}: {counts}")
    summary = []
    if rows:
        summary.append(
            {
                "users": reviewers,
                "kind": NotificationKind.MISSING,
                "key": f"missing-summary:{period.pk}",
                "title": f"Kỳ báo cáo {phrase}: {len(rows)} đơn vị chưa gửi đủ báo cáo",
                "body": "\n".join([f"{_plan_name(plan)}. {deadline}", "Đơn vị còn thiếu:", *summary_lines]),
                "url": reverse("tracking:missing", args=[plan.pk, period.pk]),
            }
        )
    return unit_items, summary


def _people(unit_ids: set[int], commune: Unit | None) -> tuple[dict[int, list[User]], list[User]]:
    """Active staff and đầu mối by unit, and those of every non-administrative unit of `commune`.

    One query whatever the number of units: the commune's units are read in the same query, so a
    plan costs the same number of queries with or without tasks coordinated by every unit.
    """
    wanted = Q(unit_id__in=unit_ids)
    if commune is not None:
        # The same rule as reporter_role (services/progress.py): under the plan's commune, not a
        # level of government itself.
        wanted |= Q(unit__path__startswith=commune.path) & ~Q(unit__kind__in=ADMINISTRATIVE_KINDS)
    memberships = (
        Membership.objects.filter(wanted, user__is_active=True, role__in=[Role.STAFF, Role.COORDINATOR])
        .select_related("user", "unit")
        .order_by("unit__path", "user_id")
    )
    by_unit: dict[int, dict[int, User]] = {}
    everyone: dict[int, User] = {}
    for membership in memberships:
        unit = membership.unit
        by_unit.setdefault(unit.pk, {})[membership.user_id] = membership.user
        if commune is not None and unit.path.startswith(commune.path) and not unit.is_administrative:
            everyone[membership.user_id] = membership.user
    return {pk: list(users.values()) for pk, users in by_unit.items()}, list(everyone.values())


def _plan_reminders(plan: Plan, today: datetime.date, days_before: int) -> dict[str, int]:
    """All reminders of one plan, in one transaction and a number of queries fixed per period."""
    tasks = list(
        tasks_with_units(
            Task.objects.filter(
                plan=plan,
                completed_on__isnull=True,
                due_on__isnull=False,
                due_on__lte=today + datetime.timedelta(days=days_before),
            )
        ).order_by("position", "pk")
    )
    periods = Period.objects.filter(plan=plan, ends_on__lt=today, closed_at__isnull=True).order_by(
        "ends_on", "-starts_on"
    )
    periods = list(periods)
    by_period = selectors.missing_many(plan, periods, today=today)
    missing = [(period, by_period[period.pk]) for period in periods]

    # The status is decided in one place (plans/status.py); a due date today is not overdue yet.
    overdue = [task for task in tasks if task.status(today) == TaskStatus.OVERDUE]
    overdue_ids = {task.pk for task in overdue}
    due_soon = [task for task in tasks if task.pk not in overdue_ids and task.due_on >= today]
    unit_ids = {u.pk for task in tasks for u in task.lead_units}
    unit_ids |= {u.pk for task in due_soon for u in task.coordinating_units}
    unit_ids |= {row["unit"].pk for _, rows in missing for row in rows}
    commune = plan.owner_unit if any(task.coordinates_all_units for task in due_soon) else None
    people, commune_people = _people(unit_ids, commune)
    reviewers = plan_reviewers(plan)

    def lead_people(task: Task) -> list[User]:
        return [p for unit in task.lead_units for p in people.get(unit.pk, [])]

    def coordinating_people(task: Task) -> list[User]:
        if task.coordinates_all_units:
            return commune_people
        return [p for unit in task.coordinating_units for p in people.get(unit.pk, [])]

    # Only a task not yet overdue reminds its coordinating units: an overdue one is for the lead units
    # to answer, and đầu mối to follow up.
    items: list[dict] = [_overdue_item(task, today, lead_people(task) + reviewers) for task in overdue]
    items += [_due_soon_item(task, today, lead_people(task) + coordinating_people(task)) for task in due_soon]
    summaries: list[dict] = []
    for period, rows in missing:
        unit_items, summary = _missing_items(plan, period, rows, people, reviewers)
        items += unit_items
        summaries += summary

    created = notify_many(items + summaries)
    summary_keys = {s["key"] for s in summaries}
    names = {
        NotificationKind.DUE_SOON: "due_soon",
        NotificationKind.OVERDUE: "overdue",
        NotificationKind.MISSING: "missing",
    }
    counts = dict.fromkeys(names.values(), 0) | {"missing_summary": 0}
    for row in created:
        counts["missing_summary" if row.key in summary_keys else names[row.kind]] += 1
    return counts


def reminders_run(*, today: datetime.date) -> dict[str, int]:
    """Create the day's reminders for every issued plan. Idempotent: what exists is not created again.

    Returns how many notifications were created, by rule, with their total, the plans checked and
    the plans that failed (logged and left for the next run; the others go on).
    """
    days_before = int(getattr(settings, "KEHOACH_REMIND_DAYS_BEFORE", 7))
    totals = {"plans": 0, "failed_plans": 0, "due_soon": 0, "overdue": 0, "missing": 0, "missing_summary": 0}
    plans = (
        Plan.objects.filter(status=PlanStatus.ISSUED).select_related("lead_unit", "owner_unit").order_by("pk")
    )
    for plan in plans:
        try:
            with transaction.atomic():
                counts = _plan_reminders(plan, today, days_before)
        except Exception:
            logger.exception("Không tạo được thông báo nhắc việc cho kế hoạch %s (id %s).", plan, plan.pk)
            totals["failed_plans"] += 1
            continue
        totals["plans"] += 1
        for key, value in counts.items():
            totals[key] += value
    totals["created"] = sum(totals[k] for k in ("due_soon", "overdue", "missing", "missing_summary"))
    return totals


# --- E-mail digest -------------------------------------------------------------------------------------


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.KEHOACH_BASE_URL.rstrip('/')}/{url.lstrip('/')}"


def digest_subject(today: datetime.date, count: int) -> str:
    return f"[kehoach] Nhắc việc ngày {vn_date(today)}: {count} việc cần chú ý"


def digest_message(
    user: User, notifications: list[Notification], today: datetime.date
) -> EmailMultiAlternatives:
    """The day's e-mail for one user: plain text and simple HTML, grouped by kind, with absolute links."""
    rank = {kind: i for i, kind in enumerate(DIGEST_ORDER)}
    shown = sorted(notifications, key=lambda n: (rank.get(n.kind, len(rank)), n.created_at, n.pk))
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for n in shown[:DIGEST_MAX_ITEMS]:
        n.absolute_url = absolute_url(n.url)
        by_kind[n.kind].append(n)
    order = [*DIGEST_ORDER, *(k for k in by_kind if k not in DIGEST_ORDER)]
    labels = dict(NotificationKind.choices)
    sections = [
        {"label": labels.get(kind, kind), "items": by_kind[kind]} for kind in order if by_kind.get(kind)
    ]
    context = {
        "user": user,
        "today": today,
        "count": len(notifications),
        "sections": sections,
        "more": max(len(notifications) - DIGEST_MAX_ITEMS, 0),
        "notifications_url": absolute_url(reverse("tracking:notifications")),
        "site_url": absolute_url("/"),
    }
    message = EmailMultiAlternatives(
        subject=digest_subject(today, len(notifications)),
        body=render_to_string("tracking/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("tracking/email/digest.html", context), "text/html")
    return message


def _pending_by_user(today: datetime.date) -> dict[int, list[Notification]]:
    """Unread notifications not yet e-mailed, of active users with an address and no digest today."""
    pending = (
        Notification.objects.filter(emailed_on__isnull=True, read_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .exclude(user__in=DigestLog.objects.filter(day=today).values("user"))
        .select_related("user")
        .order_by("user_id", "created_at", "id")
    )
    result: dict[int, list[Notification]] = defaultdict(list)
    for n in pending:
        result[n.user_id].append(n)
    return result


def digest_send(*, today: datetime.date) -> dict[str, int]:
    """E-mail each user at most one digest for `today` with what they have not yet read or received.

    A digest is recorded (DigestLog, Notification.emailed_on) only after the mail server took it, in
    one transaction; a failed send leaves everything as it was so the next run tries again.
    """
    result = {"sent": 0, "failed": 0, "notifications": 0}
    pending = _pending_by_user(today)
    if not pending:
        return result
    connection = mailers.default
    try:
        connection.open()
    except Exception:
        logger.exception("Không kết nối được máy chủ thư; %d thư nhắc việc sẽ gửi lại lần sau.", len(pending))
        result["failed"] = len(pending)
        return result
    try:
        for notifications in pending.values():
            user = notifications[0].user
            try:
                sent = connection.send_messages([digest_message(user, notifications, today)])
            except Exception:
                logger.exception("Không gửi được thư nhắc việc cho %s <%s>.", user.username, user.email)
                sent = 0
                # The connection may be broken: drop it so the next send opens a fresh one.
                _close_quietly(connection)
            if not sent:
                result["failed"] += 1
                continue
            _record_digest(user, [n.pk for n in notifications], today)
            result["sent"] += 1
            result["notifications"] += len(notifications)
    finally:
        _close_quietly(connection)
    return result


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:
        logger.warning("Đóng kết nối máy chủ thư không thành công.", exc_info=True)


def _record_digest(user: User, ids: list[int], today: datetime.date) -> None:
    try:
        with transaction.atomic():
            DigestLog.objects.create(user=user, day=today, count=len(ids))
            Notification.objects.filter(pk__in=ids, emailed_on__isnull=True).update(emailed_on=today)
    except IntegrityError:
        # Another run sent this user a digest today at the same moment; ours went out too, so its
        # notifications are e-mailed all the same.
        Notification.objects.filter(pk__in=ids, emailed_on__isnull=True).update(emailed_on=today)
