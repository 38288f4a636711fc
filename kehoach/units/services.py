"""Writes to the unit tree, memberships and API tokens; unit-name matching for imports."""

import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.core.text import fold, nfc

from .models import ApiToken, Membership, Unit, User, hash_token

# Abbreviations Vietnamese documents use for unit names; expanded before comparing names.
ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "ubmttq": "uy ban mat tran to quoc",
    "mttq": "mat tran to quoc",
    "vn": "viet nam",
    "tt": "trung tam",
    "pvhcc": "phuc vu hanh chinh cong",
    "dvsnc": "dich vu su nghiep cong",
    "vh": "van hoa",
    "xh": "xa hoi",
    "vhxh": "van hoa xa hoi",
    "vp": "van phong",
    "kt": "kinh te",
    "ca": "cong an",
    "khcn": "khoa hoc va cong nghe",
    "kh&cn": "khoa hoc va cong nghe",
}


def name_key(name: str) -> str:
    words = re.split(r"[^\w&]+", fold(name))
    expanded = " ".join(ABBREVIATIONS.get(w, w) for w in words if w)
    expanded = expanded.replace("&", " va ")
    return " ".join(expanded.split())


def unit_names(unit: Unit) -> list[str]:
    return [n for n in [unit.name, unit.short_name, *unit.aliases.splitlines()] if n.strip()]


def unit_match(name: str, *, within: Unit, candidates: list[Unit] | None = None) -> Unit | None:
    """The unit of `within`'s subtree that `name` designates, by full name, short name or alias."""
    key = name_key(re.sub(r"^đề nghị\s+", "", nfc(name), flags=re.IGNORECASE))
    if not key:
        return None
    units = candidates if candidates is not None else list(Unit.objects.subtree_of(within))
    for unit in units:
        if any(name_key(n) == key for n in unit_names(unit)):
            return unit
    return None


@transaction.atomic
def unit_create(
    *, actor, name: str, kind: str, parent: Unit | None, short_name: str = "", aliases: str = ""
) -> Unit:
    unit = Unit(
        name=name.strip(), kind=kind, parent=parent, short_name=short_name.strip(), aliases=aliases.strip()
    )
    unit.full_clean()
    unit.save()
    audit_change(actor=actor, obj=unit, action=AuditEntry.Action.CREATE, after=snapshot(unit))
    return unit


@transaction.atomic
def membership_grant(*, actor, user: User, unit: Unit, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        audit_change(actor=actor, obj=membership, action=AuditEntry.Action.CREATE, after=snapshot(membership))
    return membership


TOKEN_PREFIX = "kh_"


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise ValidationError(
            {"name": "Đặt tên gợi nhớ cho mã truy cập (ví dụ: “Kết nối báo cáo thành phố”)."}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:10], key_hash=hash_token(raw))
    audit_change(
        actor=user,
        obj=token,
        action=AuditEntry.Action.CREATE,
        after={"Tên": token.name},
        summary="Tạo mã API",
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise ValidationError("Bạn chỉ thu hồi được mã truy cập của chính mình.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_change(
        actor=actor,
        obj=token,
        action=AuditEntry.Action.UPDATE,
        summary="Thu hồi mã API",
        before={"Trạng thái": "Đang dùng"},
        after={"Trạng thái": "Đã thu hồi"},
    )


def token_authenticate(raw: str) -> User | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Writing on every request would serialise API reads on SQLite; a minute's precision is enough.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
