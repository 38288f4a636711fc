"""Unit-name matching for imports and the API token life cycle (units.services)."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from kehoach.core.audit import history_for
from kehoach.core.models import AuditEntry
from kehoach.units.models import ApiToken, User, hash_token
from kehoach.units.services import (
    TOKEN_PREFIX,
    name_key,
    token_authenticate,
    token_create,
    token_revoke,
    unit_match,
)

# unit_match -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("TT PVHCC", "Trung tâm Phục vụ Hành chính công"),
        ("Trung tâm DVSNC", "Trung tâm Dịch vụ sự nghiệp công"),
        ("TT DVSNC", "Trung tâm Dịch vụ sự nghiệp công"),
        ("Phòng VH-XH", "Phòng Văn hóa - Xã hội"),
        ("Phòng VHXH", "Phòng Văn hóa - Xã hội"),
        ("Phòng Văn hoá - Xã hội", "Phòng Văn hóa - Xã hội"),  # tone mark on "a", not on "o"
        ("phòng văn hóa – xã hội", "Phòng Văn hóa - Xã hội"),
        ("Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam xã", "Ủy ban Mặt trận Tổ quốc Việt Nam xã"),
        ("Uỷ ban MTTQ Việt Nam xã", "Ủy ban Mặt trận Tổ quốc Việt Nam xã"),
        ("Văn phòng HĐND-UBND", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân"),
        ("Công an xã", "Công an xã"),
        ("Phòng Kinh tế", "Phòng Kinh tế"),
        ("UBND xã Hà Bắc", "Ủy ban nhân dân xã Hà Bắc"),
    ],
)
def test_unit_match_finds_the_unit(units, written, expected):
    commune = units["UBND xã Hà Bắc"]
    unit = unit_match(written, within=commune)
    assert unit is not None, written
    assert unit.name == expected
    assert unit.path.startswith(commune.path)


def test_unit_match_accepts_decomposed_unicode(units):
    written = unicodedata.normalize("NFD", "Phòng Văn hóa - Xã hội")
    assert unit_match(written, within=units["UBND xã Hà Bắc"]) == units["Phòng VH-XH"]


@pytest.mark.parametrize(
    "written", ["Phòng Tài nguyên và Môi trường", "Trường Tiểu học Hà Bắc", "", "   ", "-"]
)
def test_unit_match_returns_none_for_unknown_names(units, written):
    assert unit_match(written, within=units["UBND xã Hà Bắc"]) is None


def test_unit_match_stays_inside_the_given_subtree(units):
    # The city department exists, but not inside the commune.
    assert unit_match("Sở KH&CN Hải Phòng", within=units["UBND xã Hà Bắc"]) is None
    assert (
        unit_match("Sở KH&CN Hải Phòng", within=units["UBND thành phố Hải Phòng"])
        == units["Sở KH&CN Hải Phòng"]
    )


def test_unit_match_picks_the_commune_of_the_caller(habac, units, other_city):
    """Both communes have a "Phòng Văn hóa - Xã hội": each import resolves to its own."""
    assert unit_match("Phòng Văn hóa - Xã hội", within=other_city["commune"]) == other_city["office"]
    assert unit_match("Phòng Văn hóa - Xã hội", within=units["UBND xã Hà Bắc"]) == units["Phòng VH-XH"]


def test_unit_match_uses_given_candidates(units):
    candidates = [units["Phòng KT"]]
    assert (
        unit_match("Phòng Kinh tế", within=units["UBND xã Hà Bắc"], candidates=candidates)
        == units["Phòng KT"]
    )
    assert unit_match("TT PVHCC", within=units["UBND xã Hà Bắc"], candidates=candidates) is None


def test_name_key_expands_abbreviations():
    assert name_key("TT PVHCC") == "trung tam phuc vu hanh chinh cong"
    assert name_key("Sở KH&CN") == "so khoa hoc va cong nghe"
    assert name_key("UBND xã") == "uy ban nhan dan xa"
    assert name_key("Phòng VH-XH") == name_key("Phòng Văn hoá – Xã hội") == "phong van hoa xa hoi"


# API tokens -------------------------------------------------------------------------------------


@pytest.fixture
def kinhte(users):
    return users["kinhte"]


def test_token_create_returns_secret_once_and_stores_only_its_hash(kinhte):
    token, raw = token_create(user=kinhte, name="  Kết nối báo cáo thành phố  ")
    assert raw.startswith(TOKEN_PREFIX)
    assert len(raw) > 40
    assert token.name == "Kết nối báo cáo thành phố"
    assert token.prefix == raw[:10]
    assert token.key_hash == hash_token(raw)
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.revoked_at is None
    [entry] = history_for(token)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == kinhte
    assert entry.changes == {"Tên": [None, "Kết nối báo cáo thành phố"]}


def test_two_tokens_have_different_secrets(kinhte):
    _, first = token_create(user=kinhte, name="A")
    _, second = token_create(user=kinhte, name="B")
    assert first != second


@pytest.mark.parametrize("name", ["", "   "])
def test_token_create_refuses_empty_name(kinhte, name):
    with pytest.raises(ValidationError) as exc:
        token_create(user=kinhte, name=name)
    assert "name" in exc.value.message_dict
    assert "Đặt tên gợi nhớ" in exc.value.message_dict["name"][0]
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(content_type__model="apitoken").exists()


def test_token_authenticate_returns_the_user_and_marks_use(kinhte):
    token, raw = token_create(user=kinhte, name="Tích hợp")
    assert token_authenticate(raw) == kinhte
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    # Within a minute the timestamp is not rewritten.
    assert token_authenticate(raw) == kinhte
    token.refresh_from_db()
    assert token.last_used_at == first_use


@pytest.mark.parametrize("raw", ["", None, "kh_", "kh_wrong-secret", "Bearer kh_x", "abc"])
def test_token_authenticate_refuses_unknown_tokens(kinhte, raw):
    token_create(user=kinhte, name="Tích hợp")
    assert token_authenticate(raw) is None


def test_token_authenticate_refuses_inactive_user(kinhte):
    _, raw = token_create(user=kinhte, name="Tích hợp")
    User.objects.filter(pk=kinhte.pk).update(is_active=False)
    assert token_authenticate(raw) is None


def test_revoked_token_no_longer_authenticates(kinhte):
    token, raw = token_create(user=kinhte, name="Tích hợp")
    _, other_raw = token_create(user=kinhte, name="Khác")
    token_revoke(actor=kinhte, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_authenticate(raw) is None
    assert token_authenticate(other_raw) == kinhte  # other tokens keep working
    update = history_for(token).filter(action=AuditEntry.Action.UPDATE).get()
    assert update.actor == kinhte
    assert update.changes == {"Trạng thái": ["Đang dùng", "Đã thu hồi"]}


def test_token_revoke_by_another_user_is_refused(users, kinhte):
    token, raw = token_create(user=kinhte, name="Tích hợp")
    with pytest.raises(ValidationError):
        token_revoke(actor=users["vhxh"], token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token_authenticate(raw) == kinhte


def test_superuser_may_revoke_any_token(users, kinhte):
    token, raw = token_create(user=kinhte, name="Tích hợp")
    token_revoke(actor=users["quantri"], token=token)
    assert token_authenticate(raw) is None
    assert history_for(token).filter(action=AuditEntry.Action.UPDATE).get().actor == users["quantri"]
