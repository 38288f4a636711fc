"""API authentication: a personal token in the Authorization header, or the browser's session."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from kehoach.units.models import User
from kehoach.units.services import token_authenticate

# Schemes accepted in "Authorization: <scheme> kh_…"; "Token" is what many HTTP clients send by habit.
TOKEN_SCHEMES = frozenset({"bearer", "token"})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kh_…` or `Authorization: Token kh_…`, checked against the stored hashes."""

    def __call__(self, request: HttpRequest) -> User | None:
        scheme, _, raw = request.headers.get(self.header, "").strip().partition(" ")
        if scheme.lower() not in TOKEN_SCHEMES:
            return None
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_authenticate(token)
