"""Home pages per role and the client overview. Thin: each reads through its capability."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Record, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.care import service as care_service
from mindbridge.checkins import service as checkins_service
from mindbridge.companion import homework as homework_service
from mindbridge.consent.domain import STREAM_LABELS
from mindbridge.db import utcnow
from mindbridge.kit.errors import MindbridgeError
from mindbridge.notes import service as notes_service
from mindbridge.notifications import service as notifications_service
from mindbridge.recommender import service as recommender_service
from mindbridge.scheduling import service as scheduling_service
from mindbridge.web.policy import ADMIN, CLIENT, CLINICIAN, access, client_data
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import (
    AppRuntime,
    Audit,
    CurrentUser,
    DbSession,
    client_access,
    require_role,
)
from mindbridge.workspace import overview as workspace_overview
from mindbridge.workspace import service as workspace_service
from mindbridge.workspace import triage

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]
ClinicianUser = Annotated[User, Depends(require_role(Role.CLINICIAN))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
MAX_SLOTS = 30
SECTION_STATE_LABELS = {
    "shown": "",
    "not_shared": "not shared",
    "not_visible": "not visible to you",
    "failed": "could not be shown",
}


@router.get("/today", response_class=HTMLResponse, **access(CLIENT))
def today(
    request: Request, db: DbSession, rt: AppRuntime, audit: Audit, user: ClientUser
) -> Response:
    now = utcnow()
    companion = access_service.authorize(db, audit, client_id=user.id, resource=Stream.COMPANION)
    offer = recommender_service.current_offer(db, companion, client=user, now=now, surface="today")
    return render(
        request,
        "workspace/today.html",
        {
            "team": care_service.care_team(db, client_id=user.id),
            "notifications": notifications_service.unread(db, user_id=user.id),
            "suggestion": offer.recommendation.top if offer else None,
            "last_checkin": checkins_service.last_checkin_at(db, client_id=user.id),
            "homework": homework_service.list_homework(
                db,
                companion,
                rt.vault,
                today=homework_service.local_today(now, user.timezone),
                include_closed=False,
            ),
            "title": "Today",
        },
    )


@router.get("/caseload", response_class=HTMLResponse, **access(CLINICIAN))
def caseload(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: ClinicianUser,
    q: str = "",
    show: str = "all",
) -> Response:
    """The clinician's home: the caseload ordered by need, with the reasons on each row."""
    now = utcnow()
    error, status = "", 200
    try:
        view = workspace_service.caseload_triage(
            db, audit, rt, clinician=user, now=now, query=q, show=show
        )
    except MindbridgeError as exc:
        error, status = exc.message, exc.status_code
        view = workspace_service.caseload_triage(db, audit, rt, clinician=user, now=now)
    return render(
        request,
        "workspace/caseload.html",
        {
            "view": view,
            "filters": view.filters,
            "targets": rt.settings.alert_targets(),
            "duration": triage.duration_text,
            "error": error,
            "title": "Caseload",
            "notifications": notifications_service.unread(db, user_id=user.id),
        },
        status=status,
    )


@router.get("/admin", response_class=HTMLResponse, **access(ADMIN))
def admin_home(request: Request, db: DbSession, user: AdminUser) -> Response:
    users = accounts_service.list_users(db)
    counts = {role.value: sum(1 for u in users if u.role == role.value) for role in Role}
    return render(request, "workspace/admin.html", {"counts": counts, "title": "Administration"})


@router.get(
    "/clients/{client_id}",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD)),
)
def client_overview(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: CurrentUser,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD))],
) -> Response:
    """One page per client: every registered section, each authorised for the viewer (audited)
    or marked "not shared"; booking and notes for the client's clinicians."""
    client_id = grant.client_id
    client = access_service.get_client(db, client_id)
    actor = accounts_service.actor_of(user)
    streams = {s: access_service.check(db, actor, client_id, s) for s in Stream}
    clinician = user.role == Role.CLINICIAN.value
    now = utcnow()
    slots = (
        scheduling_service.open_slots(
            db, clinician=user, now=now, rules=scheduling_service.rules_from(rt.settings)
        )[:MAX_SLOTS]
        if clinician
        else []
    )
    return render(
        request,
        "workspace/client.html",
        {
            "client": client,
            "team": care_service.care_team(db, client_id=client_id),
            "streams": streams,
            "labels": STREAM_LABELS,
            "sections": workspace_service.overview_sections(db, audit, rt, client_id=client_id),
            "state_labels": SECTION_STATE_LABELS,
            "can_write_notes": clinician,
            "can_book": clinician,
            "slots": slots,
            "local": workspace_overview.local_formatter(user.timezone),
            "back": "/caseload" if clinician else "/",
            "back_label": "Caseload" if clinician else "Home",
            "title": client.display_name,
        },
    )


@router.post(
    "/clients/{client_id}/notes",
    response_class=HTMLResponse,
    **access(client_data(Record.CLINICIAN_NOTES, Action.WRITE)),
)
def client_add_note(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CLINICIAN_NOTES, Action.WRITE))],
    body: Annotated[str, Form()] = "",
) -> Response:
    try:
        notes_service.add_note(db, grant, rt.vault, body=body)
    except MindbridgeError as exc:
        return render(
            request, "accounts/message.html", {"message": exc.message}, status=exc.status_code
        )
    return redirect(f"/clients/{grant.client_id}#notes")


@router.get("/admin/settings", response_class=HTMLResponse, **access(ADMIN))
def admin_settings(request: Request, rt: AppRuntime, user: AdminUser) -> Response:
    """What this server runs with (never secrets). Settings come from the environment."""
    s = rt.settings
    rows = [
        ("Database", rt.engine.dialect.name),
        ("Job queue", "Redis" if s.redis_url else "embedded (SQLite)"),
        ("Two-step login required for staff", "yes" if s.require_mfa else "no (demo mode)"),
        ("Session idle timeout", f"{s.session_idle_minutes} minutes"),
        ("Session absolute limit", f"{s.session_max_hours} hours"),
        ("Login throttling", f"{s.login_max_failures} failures in {s.login_window_minutes} min"),
        ("Break-glass grant lasts", f"{s.break_glass_minutes} minutes"),
        ("Active key-encryption key", rt.vault.ring.active_id),
        ("Email", f"SMTP {s.smtp_host}:{s.smtp_port}" if s.smtp_host else "written to mail.log"),
        ("Public URL", s.base_url or "not set"),
        (
            "Alert response targets",
            ", ".join(
                f"{level} {int(target.total_seconds() // 60)} min"
                for level, target in s.alert_targets().items()
            ),
        ),
        ("Overdue alerts go first to", s.on_call_email or "the admins"),
        (
            "Imminent-risk alerts without consent to automated alerts",
            "sent to the care team" if s.imminent_overrides_consent else "not sent",
        ),
        ("Text analysis in the job runner", "on" if s.language_analysis else "off"),
        ("Text models in the companion", "on" if s.companion_text_models else "off"),
        (
            "Exercises offered to clients",
            "only those signed off on the exercises page"
            if s.companion_signed_off_only
            else "all shipped exercises",
        ),
        (
            "Generative companion replies",
            f"{s.generative_model} at {s.generative_url} (with each client's consent)"
            if s.generative_url
            else "off",
        ),
        ("Data retention", "set on the retention page"),
    ]
    return render(request, "workspace/settings.html", {"rows": rows, "title": "Settings"})
