"""`kehoach token USERNAME [--name NAME]`: the token is printed once and works against the API."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kehoach.units.models import ApiToken, User, hash_token
from kehoach.units.services import token_authenticate


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_creates_a_token_and_prints_it_once(users: dict[str, User]) -> None:
    out, err = run("daumoi", "--name", "Kết nối báo cáo thành phố")
    raw = out.strip()
    assert raw.startswith("kh_")
    assert out.count("\n") == 1, "stdout holds the token alone, for scripts"
    assert "không được hiển thị lại" in err
    assert "Kết nối báo cáo thành phố" in err

    token = ApiToken.objects.get(user=users["daumoi"])
    assert token.name == "Kết nối báo cáo thành phố"
    assert token.key_hash == hash_token(raw)
    assert raw not in {token.prefix, token.key_hash}
    assert token_authenticate(raw) == users["daumoi"]

    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == "daumoi"


def test_default_name(users: dict[str, User]) -> None:
    run("vhxh")
    assert ApiToken.objects.get(user=users["vhxh"]).name.startswith("Dòng lệnh, ")


def test_each_run_makes_a_new_token(users: dict[str, User]) -> None:
    first, _ = run("kinhte")
    second, _ = run("kinhte")
    assert first != second
    assert ApiToken.objects.filter(user=users["kinhte"]).count() == 2


def test_unknown_user(db) -> None:
    with pytest.raises(CommandError, match="Không có người dùng “khong-ton-tai”"):
        run("khong-ton-tai")
    assert not ApiToken.objects.exists()


def test_inactive_user(users: dict[str, User]) -> None:
    User.objects.filter(username="congan").update(is_active=False)
    with pytest.raises(CommandError, match="đang bị khóa"):
        run("congan")
