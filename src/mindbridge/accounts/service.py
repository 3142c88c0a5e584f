"""Accounts: users, login with throttling, server-side sessions, TOTP, one-time and API tokens.

Services flush but never commit: the request or CLI command owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Actor, Role
from mindbridge.accounts.domain import (
    TOKEN_LIFETIMES,
    Scope,
    Throttle,
    TokenPurpose,
    check_password_policy,
    hash_password,
    needs_rehash,
    new_api_token,
    new_secret_token,
    parse_scopes,
    sha256_hex,
    verify_password,
)
from mindbridge.accounts.models import ApiToken, LoginAttempt, OneTimeToken, User, WebSession
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.crypto.service import SYSTEM_OWNER, Vault
from mindbridge.db import utcnow
from mindbridge.kit.errors import Conflict, Invalid, NotFound, TooManyRequests

TOTP_FIELD = "users.totp_secret"


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or " " in email:
        raise Invalid(f"{email!r} is not an email address.")
    return email


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), email=user.email)


def get_by_email(db: Session, email: str) -> User | None:
    return db.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()


def list_users(db: Session, *, role: Role | None = None) -> list[User]:
    query = select(User).order_by(User.role, User.display_name)
    if role:
        query = query.where(User.role == role.value)
    return list(db.execute(query).scalars())


def create_user(
    db: Session,
    ctx: AuditContext,
    *,
    email: str,
    role: Role,
    display_name: str,
    password: str | None = None,
    timezone: str = "UTC",
) -> User:
    email = normalise_email(email)
    if get_by_email(db, email):
        raise Conflict(f"An account for {email} already exists.")
    if password is not None:
        check_password_policy(password, email=email)
    user = User(
        email=email,
        role=role.value,
        display_name=display_name.strip() or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
        timezone=timezone,
    )
    db.add(user)
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="user.create",
        resource_type="user",
        resource_id=user.id,
        client_id=user.id if role is Role.CLIENT else None,
        purpose="administration",
        detail={"role": role.value},
    )
    return user


def set_password(db: Session, ctx: AuditContext, user: User, password: str) -> None:
    check_password_policy(password, email=user.email)
    user.password_hash = hash_password(password)
    revoke_sessions(db, user_id=user.id)
    audit_service.record(
        db, ctx, action="auth.password_set", resource_type="user", resource_id=user.id
    )


@dataclass(frozen=True)
class LoginResult:
    user: User
    needs_mfa: bool


def authenticate(
    db: Session, ctx: AuditContext, *, email: str, password: str, ip: str, throttle: Throttle
) -> LoginResult:
    email = email.strip().lower()
    now = utcnow()
    failures = list(
        db.execute(
            select(LoginAttempt.at).where(
                LoginAttempt.email == email,
                LoginAttempt.success.is_(False),
                LoginAttempt.at > now - throttle.window,
            )
        ).scalars()
    )
    wait = throttle.retry_after(failures, now)
    if wait is not None:
        audit_service.record(
            db,
            ctx,
            action="auth.login",
            resource_type="user",
            outcome="throttled",
            detail={"email": email, "ip": ip},
        )
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        raise TooManyRequests(f"Too many failed attempts. Try again in {minutes} minutes.")
    user = get_by_email(db, email)
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    db.add(LoginAttempt(email=email, ip=ip, success=ok))
    if not ok or user is None:
        audit_service.record(
            db,
            ctx,
            action="auth.login",
            resource_type="user",
            outcome="failure",
            resource_id=user.id if user else "",
            detail={"email": email, "ip": ip},
        )
        db.flush()
        raise Invalid("That email and password don't match an active account.")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    audit_service.record(
        db,
        AuditContext(actor_of(user), ctx.request_id),
        action="auth.login",
        resource_type="user",
        resource_id=user.id,
        detail={"ip": ip},
    )
    return LoginResult(user=user, needs_mfa=user.mfa_enabled)


def mfa_required_for(user: User, *, require_mfa: bool) -> bool:
    return require_mfa and user.role in (Role.CLINICIAN.value, Role.ADMIN.value)


# --- sessions -------------------------------------------------------------------------------


def start_session(db: Session, user: User, *, mfa_verified: bool, ip: str, user_agent: str) -> str:
    token, token_hash = new_secret_token()
    db.add(
        WebSession(
            token_hash=token_hash,
            user_id=user.id,
            mfa_verified=mfa_verified,
            ip=ip[:64],
            user_agent=user_agent[:255],
        )
    )
    db.flush()
    return token


def load_session(
    db: Session, token: str, *, idle: timedelta, max_age: timedelta
) -> tuple[WebSession, User] | None:
    row = db.get(WebSession, sha256_hex(token))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if now - row.last_seen_at > idle or now - row.created_at > max_age:
        row.revoked_at = now
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if now - row.last_seen_at > timedelta(seconds=30):
        row.last_seen_at = now
    return row, user


def end_session(db: Session, token: str) -> None:
    row = db.get(WebSession, sha256_hex(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def revoke_sessions(db: Session, *, user_id: int) -> None:
    for row in db.execute(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    ).scalars():
        row.revoked_at = utcnow()


# --- TOTP -----------------------------------------------------------------------------------


def begin_totp_enrolment(db: Session, vault: Vault, user: User) -> str:
    """Store a fresh (not yet enabled) secret and return it for the QR code."""
    secret = pyotp.random_base32()
    user.totp_secret_enc = vault.encrypt(db, SYSTEM_OWNER, secret, field=f"{TOTP_FIELD}:{user.id}")
    user.mfa_enabled = False
    return secret


def totp_secret(db: Session, vault: Vault, user: User) -> str | None:
    if user.totp_secret_enc is None:
        return None
    return vault.decrypt(db, SYSTEM_OWNER, user.totp_secret_enc, field=f"{TOTP_FIELD}:{user.id}")


def verify_totp(db: Session, vault: Vault, user: User, code: str) -> bool:
    secret = totp_secret(db, vault, user)
    code = code.strip().replace(" ", "")
    if not secret or not code.isdigit():
        return False
    return pyotp.TOTP(secret).verify(code, valid_window=1)


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="mindbridge")


# --- one-time tokens ------------------------------------------------------------------------


def issue_token(db: Session, ctx: AuditContext, user: User, purpose: TokenPurpose) -> str:
    token, token_hash = new_secret_token()
    db.add(
        OneTimeToken(
            token_hash=token_hash,
            user_id=user.id,
            purpose=purpose.value,
            expires_at=utcnow() + TOKEN_LIFETIMES[purpose],
        )
    )
    audit_service.record(
        db, ctx, action=f"auth.{purpose.value}_issued", resource_type="user", resource_id=user.id
    )
    db.flush()
    return token


def peek_token(db: Session, token: str, purpose: TokenPurpose) -> OneTimeToken:
    row = db.execute(
        select(OneTimeToken).where(OneTimeToken.token_hash == sha256_hex(token))
    ).scalar_one_or_none()
    if row is None or row.purpose != purpose.value or row.used_at is not None:
        raise NotFound("This link is not valid any more. Ask for a new one.")
    if row.expires_at <= utcnow():
        raise NotFound("This link has expired. Ask for a new one.")
    return row


def redeem_token(
    db: Session, ctx: AuditContext, token: str, purpose: TokenPurpose, *, new_password: str
) -> User:
    row = peek_token(db, token, purpose)
    user = db.get(User, row.user_id)
    if user is None:
        raise NotFound("This link is not valid any more.")
    set_password(db, AuditContext(actor_of(user), ctx.request_id), user, new_password)
    row.used_at = utcnow()
    db.flush()
    return user


# --- API tokens -----------------------------------------------------------------------------


def create_api_token(
    db: Session,
    ctx: AuditContext,
    user: User,
    *,
    name: str,
    scopes: str,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    scope_set = parse_scopes(scopes)
    if not name.strip():
        raise Invalid("Give the token a name so you can recognise it later.")
    token, token_hash = new_api_token()
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:120],
        token_hash=token_hash,
        scopes=",".join(sorted(s.value for s in scope_set)),
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.add(row)
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="auth.api_token_create",
        resource_type="api_token",
        resource_id=row.id,
        detail={"scopes": row.scopes},
    )
    return row, token


def authenticate_api_token(
    db: Session, token: str, *, needed: Scope
) -> tuple[User, ApiToken] | None:
    row = db.execute(
        select(ApiToken).where(ApiToken.token_hash == sha256_hex(token))
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
        return None
    if needed.value not in row.scopes.split(","):
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    row.last_used_at = now
    return user, row


def list_api_tokens(db: Session, user: User) -> list[ApiToken]:
    return list(
        db.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        ).scalars()
    )


def revoke_api_token(db: Session, ctx: AuditContext, user: User, token_id: int) -> None:
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("No such token.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit_service.record(
            db, ctx, action="auth.api_token_revoke", resource_type="api_token", resource_id=row.id
        )


def expires_label(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d") if at else "never"
