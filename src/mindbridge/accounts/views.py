"""Login, logout, MFA, invitations, password reset, API tokens and the admin's user list."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mindbridge.access.domain import Role
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.domain import PasswordPolicyError, Throttle, TokenPurpose
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.kit.errors import MindbridgeError
from mindbridge.notifications import service as notifications_service
from mindbridge.web.policy import ADMIN, AUTHENTICATED, PUBLIC, access
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import (
    SESSION_COOKIE,
    AppRuntime,
    Audit,
    CurrentUser,
    DbSession,
    MaybeUser,
    PendingMfaUser,
    client_ip,
    require_role,
)

router = APIRouter()
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


def home_path(user: User) -> str:
    return {"client": "/today", "clinician": "/caseload", "admin": "/admin"}[user.role]


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@router.get("/", response_class=HTMLResponse, **access(PUBLIC))
def index(user: MaybeUser) -> Response:
    return redirect(home_path(user) if user else "/login")


@router.get("/login", response_class=HTMLResponse, **access(PUBLIC))
def login_page(request: Request, user: MaybeUser, next: str | None = None) -> Response:
    if user is not None:
        return redirect(home_path(user))
    return render(
        request, "accounts/login.html", {"next": _safe_next(next) or "", "title": "Log in"}
    )


@router.post("/login", response_class=HTMLResponse, **access(PUBLIC))
def login(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    throttle = Throttle(
        rt.settings.login_max_failures, timedelta(minutes=rt.settings.login_window_minutes)
    )
    try:
        result = accounts_service.authenticate(
            db, audit, email=email, password=password, ip=client_ip(request), throttle=throttle
        )
    except MindbridgeError as exc:
        return render(
            request,
            "accounts/login.html",
            {"error": exc.message, "email": email, "next": next, "title": "Log in"},
            status=exc.status_code if exc.status_code == 429 else 400,
        )
    user = result.user
    needs_setup = accounts_service.mfa_required_for(user, require_mfa=rt.settings.require_mfa)
    token = accounts_service.start_session(
        db,
        user,
        mfa_verified=not (user.mfa_enabled or needs_setup),
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    target = _safe_next(next) or home_path(user)
    if user.mfa_enabled:
        target = "/mfa?next=" + quote(target)
    elif needs_setup:
        target = "/mfa/setup"
    response = redirect(target)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=rt.settings.cookie_secure,
        max_age=rt.settings.session_max_hours * 3600,
    )
    return response


@router.post("/logout", **access(PUBLIC))
def logout(request: Request, db: DbSession, audit: Audit) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts_service.end_session(db, token)
        if audit.actor is not None:
            audit_service.record(
                db,
                audit,
                action="auth.logout",
                resource_type="user",
                resource_id=audit.actor.user_id,
            )
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/mfa", response_class=HTMLResponse, **access(PUBLIC))
def mfa_page(request: Request, user: PendingMfaUser, next: str | None = None) -> Response:
    return render(request, "accounts/mfa.html", {"next": _safe_next(next) or "", "title": "Verify"})


@router.post("/mfa", response_class=HTMLResponse, **access(PUBLIC))
def mfa_verify(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: PendingMfaUser,
    code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    ctx = AuditContext(accounts_service.actor_of(user), request.state.request_id)
    if not accounts_service.verify_totp(db, rt.vault, user, code):
        audit_service.record(
            db, ctx, action="auth.mfa", resource_type="user", resource_id=user.id, outcome="failure"
        )
        return render(
            request,
            "accounts/mfa.html",
            {"error": "That code didn't match. Try the newest one.", "next": next},
            status=400,
        )
    request.state.web_session.mfa_verified = True
    audit_service.record(db, ctx, action="auth.mfa", resource_type="user", resource_id=user.id)
    return redirect(_safe_next(next) or home_path(user))


@router.get("/mfa/setup", response_class=HTMLResponse, **access(PUBLIC))
def mfa_setup_page(
    request: Request, db: DbSession, rt: AppRuntime, user: PendingMfaUser
) -> Response:
    if user.mfa_enabled and not request.state.web_session.mfa_verified:
        return redirect("/mfa")
    secret = accounts_service.begin_totp_enrolment(db, rt.vault, user)
    uri = accounts_service.provisioning_uri(secret, user.email)
    qr = segno.make(uri).svg_data_uri(scale=4)
    return render(
        request,
        "accounts/mfa_setup.html",
        {"secret": secret, "qr": qr, "title": "Set up two-step login"},
    )


@router.post("/mfa/setup", response_class=HTMLResponse, **access(PUBLIC))
def mfa_setup(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: PendingMfaUser,
    code: Annotated[str, Form()] = "",
) -> Response:
    if user.mfa_enabled and not request.state.web_session.mfa_verified:
        return redirect("/mfa")
    if not accounts_service.verify_totp(db, rt.vault, user, code):
        return render(
            request,
            "accounts/mfa_setup.html",
            {
                "error": "That code didn't match. Scan the code again and retry.",
                "title": "Set up two-step login",
            },
            status=400,
        )
    user.mfa_enabled = True
    request.state.web_session.mfa_verified = True
    audit_service.record(
        db,
        AuditContext(accounts_service.actor_of(user), request.state.request_id),
        action="auth.mfa_enrol",
        resource_type="user",
        resource_id=user.id,
    )
    return redirect(home_path(user))


# --- invitations and password reset -------------------------------------------------------


@router.get("/invite/{token}", response_class=HTMLResponse, **access(PUBLIC))
def invite_page(request: Request, db: DbSession, token: str) -> Response:
    try:
        accounts_service.peek_token(db, token, TokenPurpose.INVITE)
    except MindbridgeError as exc:
        return render(request, "accounts/message.html", {"message": exc.message}, status=404)
    return render(
        request,
        "accounts/set_password.html",
        {"action": f"/invite/{token}", "title": "Welcome to mindbridge"},
    )


@router.post("/invite/{token}", response_class=HTMLResponse, **access(PUBLIC))
def invite_accept(
    request: Request, db: DbSession, audit: Audit, token: str, password: Annotated[str, Form()] = ""
) -> Response:
    return _redeem(request, db, audit, token, TokenPurpose.INVITE, password)


@router.get("/password/forgot", response_class=HTMLResponse, **access(PUBLIC))
def forgot_page(request: Request) -> Response:
    return render(request, "accounts/forgot.html", {"title": "Reset your password"})


@router.post("/password/forgot", response_class=HTMLResponse, **access(PUBLIC))
def forgot(
    request: Request, db: DbSession, audit: Audit, email: Annotated[str, Form()] = ""
) -> Response:
    user = accounts_service.get_by_email(db, email)
    if user is not None and user.is_active:
        token = accounts_service.issue_token(db, audit, user, TokenPurpose.RESET)
        link = f"{str(request.base_url).rstrip('/')}/password/reset/{token}"
        notifications_service.send_email(
            db,
            to=user.email,
            subject="Reset your mindbridge password",
            body=f"Someone asked to reset your password. If it was you, open this link within "
            f"an hour:\n\n{link}\n\nIf it wasn't you, ignore this email.",
        )
    # Same answer either way, so the form can't be used to find out who has an account.
    return render(
        request,
        "accounts/message.html",
        {"message": "If that address has an account, a reset link is on its way."},
    )


@router.get("/password/reset/{token}", response_class=HTMLResponse, **access(PUBLIC))
def reset_page(request: Request, db: DbSession, token: str) -> Response:
    try:
        accounts_service.peek_token(db, token, TokenPurpose.RESET)
    except MindbridgeError as exc:
        return render(request, "accounts/message.html", {"message": exc.message}, status=404)
    return render(
        request,
        "accounts/set_password.html",
        {"action": f"/password/reset/{token}", "title": "Choose a new password"},
    )


@router.post("/password/reset/{token}", response_class=HTMLResponse, **access(PUBLIC))
def reset(
    request: Request, db: DbSession, audit: Audit, token: str, password: Annotated[str, Form()] = ""
) -> Response:
    return _redeem(request, db, audit, token, TokenPurpose.RESET, password)


def _redeem(
    request: Request,
    db: DbSession,
    audit: AuditContext,
    token: str,
    purpose: TokenPurpose,
    password: str,
) -> Response:
    try:
        accounts_service.redeem_token(db, audit, token, purpose, new_password=password)
    except PasswordPolicyError as exc:
        return render(
            request,
            "accounts/set_password.html",
            {"action": request.url.path, "error": str(exc)},
            status=400,
        )
    except MindbridgeError as exc:
        return render(request, "accounts/message.html", {"message": exc.message}, status=404)
    return render(
        request,
        "accounts/message.html",
        {"message": "Your password is set. You can log in now.", "login_link": True},
    )


# --- API tokens --------------------------------------------------------------------------


@router.get("/settings/tokens", response_class=HTMLResponse, **access(AUTHENTICATED))
def tokens_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": accounts_service.list_api_tokens(db, user), "title": "API tokens"},
    )


@router.post("/settings/tokens", response_class=HTMLResponse, **access(AUTHENTICATED))
def tokens_create(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    audit: Audit,
    name: Annotated[str, Form()] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
    expires_in_days: Annotated[int | None, Form()] = None,
) -> Response:
    try:
        _row, token = accounts_service.create_api_token(
            db,
            audit,
            user,
            name=name,
            scopes=",".join(scopes or []),
            expires_in_days=expires_in_days or None,
        )
    except (MindbridgeError, ValueError) as exc:
        message = exc.message if isinstance(exc, MindbridgeError) else str(exc)
        return render(
            request,
            "accounts/tokens.html",
            {"tokens": accounts_service.list_api_tokens(db, user), "error": message},
            status=400,
        )
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": accounts_service.list_api_tokens(db, user), "new_token": token},
    )


@router.post("/settings/tokens/{token_id}/revoke", **access(AUTHENTICATED))
def tokens_revoke(db: DbSession, user: CurrentUser, audit: Audit, token_id: int) -> Response:
    accounts_service.revoke_api_token(db, audit, user, token_id)
    return redirect("/settings/tokens")


# --- admin: users -------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse, **access(ADMIN))
def users_page(request: Request, db: DbSession, admin: AdminUser) -> Response:
    users = accounts_service.list_users(db)
    clinicians = [u for u in users if u.role == Role.CLINICIAN.value]
    teams = {u.id: care_service.care_team(db, client_id=u.id) for u in users if u.role == "client"}
    return render(
        request,
        "accounts/users.html",
        {"users": users, "clinicians": clinicians, "teams": teams, "title": "Users"},
    )


@router.post("/admin/users", response_class=HTMLResponse, **access(ADMIN))
def users_invite(
    request: Request,
    db: DbSession,
    admin: AdminUser,
    audit: Audit,
    email: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "client",
    clinician_id: Annotated[int | None, Form()] = None,
) -> Response:
    try:
        user = accounts_service.create_user(
            db, audit, email=email, role=Role(role), display_name=display_name
        )
        if clinician_id and user.role == Role.CLIENT.value:
            care_service.assign(db, clinician_id=clinician_id, client_id=user.id, by=admin.id)
        token = accounts_service.issue_token(db, audit, user, TokenPurpose.INVITE)
    except (MindbridgeError, ValueError) as exc:
        message = exc.message if isinstance(exc, MindbridgeError) else str(exc)
        users = accounts_service.list_users(db)
        return render(
            request,
            "accounts/users.html",
            {
                "users": users,
                "error": message,
                "teams": {},
                "clinicians": [u for u in users if u.role == Role.CLINICIAN.value],
            },
            status=400,
        )
    link = f"{str(request.base_url).rstrip('/')}/invite/{token}"
    notifications_service.send_email(
        db,
        to=user.email,
        subject="You're invited to mindbridge",
        body=f"Hello {user.display_name},\n\nSet your password within 7 days here:\n\n{link}\n",
    )
    return redirect("/admin/users")
