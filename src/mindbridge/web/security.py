"""Request plumbing: a unit of work per request, sessions and API tokens, CSRF, security headers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import Response

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Actor, Resource, Role
from mindbridge.access.service import ClientGrant
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.domain import scope_for_method
from mindbridge.accounts.models import User, WebSession
from mindbridge.audit.service import AuditContext
from mindbridge.runtime import Runtime

SESSION_COOKIE = "mb_session"
CSRF_COOKIE = "mb_csrf"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class LoginRequired(Exception):
    """Raised for pages: the handler redirects to the login page."""


class MfaRequired(Exception):
    def __init__(self, setup: bool) -> None:
        self.setup = setup


class UnitOfWork(BaseHTTPMiddleware):
    """One database session per request, committed unless the handler crashed.

    Handled errors (404, 422...) still commit, so denial audits and failed-login counts persist;
    services therefore validate before they write. Outbox deliveries are kicked after commit.
    """

    def __init__(self, app: object, rt: Runtime, kick: Callable[[], None]) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.rt = rt
        self.kick = kick

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        db = self.rt.sessions()
        request.state.db = db
        request.state.user = None
        request.state.web_session = None
        try:
            response = await call_next(request)
            wrote_outbox = any(type(o).__name__ == "OutboxEvent" for o in db.new)
            db.commit()
        except BaseException:
            db.rollback()
            raise
        finally:
            db.close()
        if wrote_outbox or getattr(request.state, "kick_outbox", None):
            self.kick()
        response.headers["X-Request-ID"] = request.state.request_id
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        return response


def get_db(request: Request) -> Session:
    db: Session = request.state.db
    return db


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


DbSession = Annotated[Session, Depends(get_db)]
AppRuntime = Annotated[Runtime, Depends(get_runtime)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _resolve_user(request: Request, db: Session, rt: Runtime) -> User | None:
    if request.state.user is not None:
        user: User = request.state.user
        return user
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        found = accounts_service.authenticate_api_token(
            db, auth[7:].strip(), needed=scope_for_method(request.method)
        )
        if found is None:
            raise HTTPException(401, "Invalid, expired, revoked or under-scoped API token.")
        request.state.user = found[0]
        request.state.via_token = True
        return found[0]
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    loaded = accounts_service.load_session(
        db,
        token,
        idle=timedelta(minutes=rt.settings.session_idle_minutes),
        max_age=timedelta(hours=rt.settings.session_max_hours),
    )
    if loaded is None:
        return None
    session_row, user = loaded
    request.state.web_session = session_row
    request.state.user = user
    return user


def optional_user(request: Request, db: DbSession, rt: AppRuntime) -> User | None:
    user = _resolve_user(request, db, rt)
    if user is None:
        return None
    session_row: WebSession | None = request.state.web_session
    half_logged_in = session_row is not None and not session_row.mfa_verified
    if half_logged_in and (
        user.mfa_enabled
        or accounts_service.mfa_required_for(user, require_mfa=rt.settings.require_mfa)
    ):
        return None  # only the MFA pages see this session
    return user


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def current_user(request: Request, db: DbSession, rt: AppRuntime) -> User:
    user = _resolve_user(request, db, rt)
    if user is None:
        if _is_api(request):
            raise HTTPException(401, "Log in or send an API token.")
        raise LoginRequired()
    session_row: WebSession | None = request.state.web_session
    if session_row is not None and not session_row.mfa_verified:
        if _is_api(request) and (
            user.mfa_enabled
            or accounts_service.mfa_required_for(user, require_mfa=rt.settings.require_mfa)
        ):
            raise HTTPException(401, "Complete two-step login first.")
        if user.mfa_enabled:
            raise MfaRequired(setup=False)
        if accounts_service.mfa_required_for(user, require_mfa=rt.settings.require_mfa):
            raise MfaRequired(setup=True)
    return user


CurrentUser = Annotated[User, Depends(current_user)]
MaybeUser = Annotated[User | None, Depends(optional_user)]


def pending_mfa_user(request: Request, db: DbSession, rt: AppRuntime) -> User:
    """The user of a session that passed the password but not yet the second factor."""
    user = _resolve_user(request, db, rt)
    if user is None or request.state.web_session is None:
        raise LoginRequired()
    return user


PendingMfaUser = Annotated[User, Depends(pending_mfa_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    allowed = {r.value for r in roles}

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise HTTPException(404, "Not found.")
        return user

    return check


def audit_context(request: Request, user: MaybeUser) -> AuditContext:
    actor = accounts_service.actor_of(user) if user is not None else None
    return AuditContext(actor=actor, request_id=request.state.request_id)


Audit = Annotated[AuditContext, Depends(audit_context)]


def actor_of_request(user: CurrentUser) -> Actor:
    return accounts_service.actor_of(user)


# --- CSRF -----------------------------------------------------------------------------------


def csrf_token(request: Request, rt: Runtime) -> str:
    """HMAC of the visitor's CSRF cookie (set on first visit), bound to the server secret."""
    cookie = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not cookie:
        cookie = secrets.token_urlsafe(24)
        request.state.new_csrf_cookie = cookie
    return hmac.new(rt.secret_key, b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()


async def csrf_protect(request: Request) -> None:
    """Every state-changing request from a browser must carry the token (form field or header)."""
    if request.method not in UNSAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return  # API tokens are not sent automatically by browsers: no CSRF exposure
    rt: Runtime = request.app.state.runtime
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            raise HTTPException(403, "Cross-origin request refused.")
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not cookie or not sent:
        raise HTTPException(403, "Missing security token. Reload the page and try again.")
    expected = hmac.new(rt.secret_key, b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "Security token mismatch. Reload the page and try again.")


def client_access(resource: Resource, action: Action = Action.READ) -> Callable[..., ClientGrant]:
    """Dependency for /clients/{client_id}/... routes: log-in, authorise and audit first.

    It runs before the request body is validated, so someone who may not see a client gets the
    same 404 whatever they send.
    """

    def dependency(
        request: Request, client_id: int, user: CurrentUser, db: DbSession
    ) -> ClientGrant:
        ctx = AuditContext(accounts_service.actor_of(user), request.state.request_id)
        return access_service.authorize(
            db, ctx, client_id=client_id, resource=resource, action=action
        )

    return dependency
