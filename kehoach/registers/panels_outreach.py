"""Tuyên truyền pages beyond the generic ones: an article's attached file, and a team's members and
activities edited on the team's page (simple rows of the team, audited on the team's history)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST

from kehoach.core.audit import audit_change
from kehoach.core.models import AuditEntry
from kehoach.units.access import access_for

from .forms.outreach import TeamActivityForm, TeamMemberForm
from .models import CommunityTechTeam, OutreachItem, TeamActivity, TeamMember
from .permissions import ensure_can_keep


@login_required
def outreach_file(request, pk: int):
    item = get_object_or_404(OutreachItem.objects.select_related("owner_unit"), pk=pk)
    if not access_for(request.user).can_read_unit(item.owner_unit):
        raise PermissionDenied("Bạn không có quyền xem tin, bài này.")
    if not item.file:
        raise Http404("Tin, bài này không có tệp đính kèm.")
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Tệp đính kèm không còn trên máy chủ.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=item.file_name or "tep",
        content_type=item.file_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _team(request, pk: int) -> CommunityTechTeam:
    team = get_object_or_404(CommunityTechTeam.objects.select_related("owner_unit", "unit"), pk=pk)
    if not access_for(request.user).can_read_unit(team.owner_unit):
        raise PermissionDenied("Bạn không có quyền xem tổ này.")
    ensure_can_keep(request.user, team.unit)
    return team


def _back(team: CommunityTechTeam, anchor: str):
    return redirect(f"{team.get_absolute_url()}#{anchor}")


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@transaction.atomic
def _add(request, team, form_class, label: str, auto_id: str):
    """Validate and save a member or an activity; the change is written on the team's history."""
    form = form_class(request.POST, auto_id=auto_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return None
    row = form.save(commit=False)
    row.team = team
    try:
        row.full_clean()
    except ValidationError as error:
        _errors(request, error)
        return None
    row.save()
    audit_change(
        actor=request.user,
        obj=team,
        action=AuditEntry.Action.UPDATE,
        before={label: None},
        after={label: str(row)},
        summary=f"Thêm {label.lower()}: {row}",
    )
    return row


@transaction.atomic
def _remove(request, team, row, label: str) -> None:
    audit_change(
        actor=request.user,
        obj=team,
        action=AuditEntry.Action.UPDATE,
        before={label: str(row)},
        after={label: None},
        summary=f"Xóa {label.lower()}: {row}",
    )
    row.delete()


@login_required
@require_POST
def member_add(request, pk: int):
    team = _team(request, pk)
    if member := _add(request, team, TeamMemberForm, "Thành viên", "id_member_%s"):
        messages.success(request, f"Đã thêm thành viên {member.full_name}.")
    return _back(team, "thanh-vien")


@login_required
@require_POST
def member_remove(request, pk: int, member_pk: int):
    team = _team(request, pk)
    member = get_object_or_404(TeamMember, pk=member_pk, team=team)
    _remove(request, team, member, "Thành viên")
    messages.success(request, f"Đã xóa thành viên {member.full_name}.")
    return _back(team, "thanh-vien")


@login_required
@require_POST
def activity_add(request, pk: int):
    team = _team(request, pk)
    if _add(request, team, TeamActivityForm, "Hoạt động", "id_activity_%s"):
        messages.success(request, "Đã ghi hoạt động của tổ.")
    return _back(team, "hoat-dong")


@login_required
@require_POST
def activity_remove(request, pk: int, activity_pk: int):
    team = _team(request, pk)
    activity = get_object_or_404(TeamActivity, pk=activity_pk, team=team)
    _remove(request, team, activity, "Hoạt động")
    messages.success(request, "Đã xóa hoạt động.")
    return _back(team, "hoat-dong")


urlpatterns = [
    path("so-theo-doi/tuyen-truyen/<int:pk>/tep/", outreach_file, name="outreach_file"),
    path("so-theo-doi/to-cong-nghe-so/<int:pk>/thanh-vien/them/", member_add, name="team_member_add"),
    path(
        "so-theo-doi/to-cong-nghe-so/<int:pk>/thanh-vien/<int:member_pk>/xoa/",
        member_remove,
        name="team_member_remove",
    ),
    path("so-theo-doi/to-cong-nghe-so/<int:pk>/hoat-dong/them/", activity_add, name="team_activity_add"),
    path(
        "so-theo-doi/to-cong-nghe-so/<int:pk>/hoat-dong/<int:activity_pk>/xoa/",
        activity_remove,
        name="team_activity_remove",
    ),
]
