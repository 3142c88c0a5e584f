"""Account rules that need no database: password policy, token formats, scopes, throttling."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# Argon2id with the library's RFC 9106 "low memory" profile: strong, and fast enough for tests.
_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
API_TOKEN_PREFIX = "mb_"  # noqa: S105 (a prefix, not a secret)


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


class TokenPurpose(StrEnum):
    INVITE = "invite"
    RESET = "reset"


TOKEN_LIFETIMES = {TokenPurpose.INVITE: timedelta(days=7), TokenPurpose.RESET: timedelta(hours=1)}


class PasswordPolicyError(ValueError):
    pass


def check_password_policy(password: str, *, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 256:
        raise PasswordPolicyError("Use at most 256 characters.")
    if email and email.split("@")[0].lower() in password.lower():
        raise PasswordPolicyError("Don't include your email name in the password.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        # Spend the same time as a real check so unknown accounts don't answer faster.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret_token() -> tuple[str, str]:
    """A URL-safe secret and the hash under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, sha256_hex(token)


def new_api_token() -> tuple[str, str]:
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, sha256_hex(token)


def parse_scopes(text: str) -> frozenset[Scope]:
    scopes = set()
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        try:
            scopes.add(Scope(part))
        except ValueError as exc:
            raise ValueError(f"unknown scope {part!r}; use read and/or write") from exc
    if not scopes:
        raise ValueError("a token needs at least one scope")
    return frozenset(scopes)


def scope_for_method(method: str) -> Scope:
    return Scope.READ if method.upper() in {"GET", "HEAD", "OPTIONS"} else Scope.WRITE


@dataclass(frozen=True)
class Throttle:
    """Failed logins per account within a window; after too many, wait until the oldest ages out."""

    max_failures: int
    window: timedelta

    def retry_after(self, failures: list[datetime], now: datetime) -> timedelta | None:
        recent = sorted(t for t in failures if now - t < self.window)
        if len(recent) < self.max_failures:
            return None
        return recent[-self.max_failures] + self.window - now
