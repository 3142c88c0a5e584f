"""Appointments for clients and clinicians, availability, and the ICS calendar feed."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mindbridge.access.domain import Action, Record, Role
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.care import service as care_service
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid, MindbridgeError, NotFound
from mindbridge.scheduling import service as scheduling_service
from mindbridge.scheduling.domain import (
    WEEKDAYS,
    CalendarEvent,
    SchedulingError,
    WeeklyWindow,
    to_ics,
)
from mindbridge.web.policy import AUTHENTICATED, CLIENT, CLINICIAN, access, client_data
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import (
    AppRuntime,
    Audit,
    CurrentUser,
    DbSession,
    client_access,
    require_role,
)

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]
ClinicianUser = Annotated[User, Depends(require_role(Role.CLINICIAN))]
MAX_SLOTS_SHOWN = 30


def _parse_start(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Invalid("Pick a time from the list.") from exc
    if at.tzinfo is None:
        raise Invalid("Pick a time from the list.")
    return at


def _appointments_page(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: User,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    now = utcnow()
    rules = scheduling_service.rules_from(rt.settings)
    offers = []
    if user.role == Role.CLIENT.value:
        for clinician in care_service.care_team(db, client_id=user.id):
            free = scheduling_service.open_slots(db, clinician=clinician, now=now, rules=rules)
            offers.append((clinician, free[:MAX_SLOTS_SHOWN]))
    return render(
        request,
        "scheduling/appointments.html",
        {
            "appointments": scheduling_service.upcoming(db, user=user, now=now),
            "offers": offers,
            "error": error,
            "title": "Appointments",
            "now": now,
        },
        status=status,
    )


@router.get("/appointments", response_class=HTMLResponse, **access(AUTHENTICATED))
def appointments(request: Request, db: DbSession, rt: AppRuntime, user: CurrentUser) -> Response:
    return _appointments_page(request, db, rt, user)


@router.post("/appointments", response_class=HTMLResponse, **access(CLIENT))
def book(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: ClientUser,
    audit: Audit,
    clinician_id: Annotated[int, Form()],
    starts_at: Annotated[str, Form()],
) -> Response:
    clinician = db.get(User, clinician_id)
    try:
        if clinician is None or clinician.role != Role.CLINICIAN.value:
            raise NotFound("No such clinician.")
        scheduling_service.book(
            db,
            audit,
            client=user,
            clinician=clinician,
            starts_at=_parse_start(starts_at),
            now=utcnow(),
            rules=scheduling_service.rules_from(rt.settings),
        )
    except MindbridgeError as exc:
        return _appointments_page(request, db, rt, user, error=exc.message, status=exc.status_code)
    return redirect("/appointments")


@router.post(
    "/appointments/{appointment_id}/cancel", response_class=HTMLResponse, **access(AUTHENTICATED)
)
def cancel(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: CurrentUser,
    audit: Audit,
    appointment_id: int,
) -> Response:
    appointment = scheduling_service.get_for(db, user, appointment_id)
    try:
        scheduling_service.cancel(
            db,
            audit,
            actor=user,
            appointment=appointment,
            now=utcnow(),
            rules=scheduling_service.rules_from(rt.settings),
        )
    except MindbridgeError as exc:
        return _appointments_page(request, db, rt, user, error=exc.message, status=exc.status_code)
    return redirect("/appointments")


@router.get(
    "/appointments/{appointment_id}/reschedule",
    response_class=HTMLResponse,
    **access(AUTHENTICATED),
)
def reschedule_page(
    request: Request, db: DbSession, rt: AppRuntime, user: CurrentUser, appointment_id: int
) -> Response:
    appointment = scheduling_service.get_for(db, user, appointment_id)
    clinician = db.get(User, appointment.clinician_id)
    assert clinician is not None
    free = scheduling_service.open_slots(
        db, clinician=clinician, now=utcnow(), rules=scheduling_service.rules_from(rt.settings)
    )
    return render(
        request,
        "scheduling/reschedule.html",
        {
            "appointment": appointment,
            "slots": free[:MAX_SLOTS_SHOWN],
            "title": "Reschedule",
        },
    )


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response_class=HTMLResponse,
    **access(AUTHENTICATED),
)
def reschedule(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: CurrentUser,
    audit: Audit,
    appointment_id: int,
    starts_at: Annotated[str, Form()],
) -> Response:
    appointment = scheduling_service.get_for(db, user, appointment_id)
    try:
        scheduling_service.reschedule(
            db,
            audit,
            actor=user,
            appointment=appointment,
            new_start=_parse_start(starts_at),
            now=utcnow(),
            rules=scheduling_service.rules_from(rt.settings),
        )
    except MindbridgeError as exc:
        return _appointments_page(request, db, rt, user, error=exc.message, status=exc.status_code)
    return redirect("/appointments")


@router.post(
    "/appointments/{appointment_id}/video-link", response_class=HTMLResponse, **access(CLINICIAN)
)
def video_link(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: ClinicianUser,
    audit: Audit,
    appointment_id: int,
    url: Annotated[str, Form()] = "",
) -> Response:
    appointment = scheduling_service.get_for(db, user, appointment_id)
    try:
        scheduling_service.set_video_link(
            db, audit, clinician=user, appointment=appointment, url=url
        )
    except MindbridgeError as exc:
        return _appointments_page(request, db, rt, user, error=exc.message, status=exc.status_code)
    return redirect("/schedule")


@router.get("/schedule", response_class=HTMLResponse, **access(CLINICIAN))
def schedule(
    request: Request, db: DbSession, user: ClinicianUser, saved: int = 0, error: str = ""
) -> Response:
    windows = {w.weekday: w for w in scheduling_service.windows_for(db, clinician_id=user.id)}
    return render(
        request,
        "scheduling/schedule.html",
        {
            "windows": windows,
            "weekdays": WEEKDAYS,
            "saved": saved,
            "error": error,
            "appointments": scheduling_service.upcoming(db, user=user, now=utcnow()),
            "title": "Schedule",
        },
    )


@router.post("/schedule/availability", response_class=HTMLResponse, **access(CLINICIAN))
async def set_availability(
    request: Request, db: DbSession, user: ClinicianUser, audit: Audit
) -> Response:
    form = await request.form()
    windows: list[WeeklyWindow] = []
    try:
        for day in range(7):
            start, end = str(form.get(f"start_{day}", "")), str(form.get(f"end_{day}", ""))
            if not start and not end:
                continue
            try:
                windows.append(
                    WeeklyWindow(
                        day,
                        time.fromisoformat(start),
                        time.fromisoformat(end),
                        int(str(form.get(f"slot_{day}", "50")) or 50),
                    )
                )
            except ValueError as exc:
                if isinstance(exc, SchedulingError):
                    raise Invalid(f"{WEEKDAYS[day]}: {exc}") from exc
                raise Invalid(f"{WEEKDAYS[day]}: use times like 09:00") from exc
    except Invalid as exc:
        return render(
            request,
            "scheduling/schedule.html",
            {
                "windows": {},
                "weekdays": WEEKDAYS,
                "error": exc.message,
                "appointments": scheduling_service.upcoming(db, user=user, now=utcnow()),
                "title": "Schedule",
            },
            status=422,
        )
    scheduling_service.set_availability(db, audit, clinician=user, windows=windows)
    return redirect("/schedule?saved=1")


@router.post(
    "/clients/{client_id}/appointments",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD, Action.WRITE)),
)
def book_for_client(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: CurrentUser,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD, Action.WRITE))],
    starts_at: Annotated[str, Form()] = "",
    clinician_id: Annotated[int | None, Form()] = None,
) -> Response:
    """A clinician books a session for a client on their caseload (or a client for themselves)."""
    client = db.get(User, grant.client_id)
    clinician = user if user.role == Role.CLINICIAN.value else db.get(User, clinician_id or 0)
    assert client is not None
    try:
        if clinician is None or clinician.role != Role.CLINICIAN.value:
            raise Invalid("Choose a clinician.")
        scheduling_service.book(
            db,
            grant.ctx,
            client=client,
            clinician=clinician,
            starts_at=_parse_start(starts_at),
            now=utcnow(),
            rules=scheduling_service.rules_from(rt.settings),
        )
    except MindbridgeError as exc:
        return render(
            request, "accounts/message.html", {"message": exc.message}, status=exc.status_code
        )
    return redirect(
        f"/clients/{client.id}" if user.role == Role.CLINICIAN.value else "/appointments"
    )


@router.get("/appointments.ics", **access(AUTHENTICATED))
def calendar(db: DbSession, user: CurrentUser) -> Response:
    """The user's own appointments as an iCalendar feed (no clinical content in it)."""
    now = utcnow()
    events = [
        CalendarEvent(
            uid=f"appointment-{a.id}@mindbridge",
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            summary=f"Session with {a.with_name}",
            url=a.video_link,
            cancelled=a.status == "cancelled",
        )
        for a in scheduling_service.upcoming(db, user=user, now=now, include_past_days=90)
    ]
    return Response(
        to_ics(events, now=now, name="mindbridge appointments"),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="appointments.ics"'},
    )
