"""Availability, booking, cancelling and reminders. Services flush, never commit, and audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mindbridge.access.domain import Role
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.config import Settings
from mindbridge.jobs import outbox
from mindbridge.kit.errors import Conflict, Invalid, NotFound
from mindbridge.notifications import service as notifications_service
from mindbridge.scheduling.domain import (
    BookingRules,
    SchedulingError,
    Slot,
    WeeklyWindow,
    bookable,
    check_client_change,
    check_video_link,
    reminder_times,
    slots,
)
from mindbridge.scheduling.models import Appointment, AvailabilityWindow

REMINDER = "appointment.reminder"


def rules_from(settings: Settings) -> BookingRules:
    return BookingRules(
        min_notice=timedelta(hours=settings.booking_min_notice_hours),
        client_change_cutoff=timedelta(hours=settings.booking_min_notice_hours),
        reminder_offsets=tuple(timedelta(hours=h) for h in settings.reminder_hours()),
    )


def windows_for(db: Session, *, clinician_id: int) -> list[WeeklyWindow]:
    rows = db.execute(
        select(AvailabilityWindow).where(AvailabilityWindow.clinician_id == clinician_id)
    ).scalars()
    return [
        WeeklyWindow(
            r.weekday,
            time(r.start_minute // 60, r.start_minute % 60),
            time(r.end_minute // 60, r.end_minute % 60),
            r.slot_minutes,
        )
        for r in rows
    ]


def set_availability(
    db: Session, ctx: AuditContext, *, clinician: User, windows: list[WeeklyWindow]
) -> None:
    for row in db.execute(
        select(AvailabilityWindow).where(AvailabilityWindow.clinician_id == clinician.id)
    ).scalars():
        db.delete(row)
    for w in windows:
        db.add(
            AvailabilityWindow(
                clinician_id=clinician.id,
                weekday=w.weekday,
                start_minute=w.start.hour * 60 + w.start.minute,
                end_minute=w.end.hour * 60 + w.end.minute,
                slot_minutes=w.slot_minutes,
            )
        )
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="availability.set",
        resource_type="availability",
        resource_id=clinician.id,
        detail={"windows": len(windows)},
    )


def open_slots(db: Session, *, clinician: User, now: datetime, rules: BookingRules) -> list[Slot]:
    days = rules.horizon.days + 1
    taken = {
        a.starts_at
        for a in db.execute(
            select(Appointment).where(
                Appointment.clinician_id == clinician.id,
                Appointment.status == "booked",
                Appointment.starts_at >= now,
            )
        ).scalars()
    }
    return [
        s
        for s in slots(
            windows_for(db, clinician_id=clinician.id), clinician.timezone, now.date(), days
        )
        if bookable(s, now, rules) and s.starts_at not in taken
    ]


def _slot_key(clinician_id: int, starts_at: datetime) -> str:
    return f"{clinician_id}:{starts_at.isoformat()}"


def book(
    db: Session,
    ctx: AuditContext,
    *,
    client: User,
    clinician: User,
    starts_at: datetime,
    now: datetime,
    rules: BookingRules,
) -> Appointment:
    if not care_service.is_assigned(db, clinician_id=clinician.id, client_id=client.id):
        raise NotFound("No such clinician.")
    match = next(
        (
            s
            for s in open_slots(db, clinician=clinician, now=now, rules=rules)
            if s.starts_at == starts_at
        ),
        None,
    )
    if match is None:
        raise Conflict("That time is not available any more. Please pick another.")
    appointment = Appointment(
        client_id=client.id,
        clinician_id=clinician.id,
        starts_at=match.starts_at,
        ends_at=match.ends_at,
        slot_key=_slot_key(clinician.id, match.starts_at),
        created_by=ctx.actor.user_id if ctx.actor else None,
    )
    try:
        with db.begin_nested():
            db.add(appointment)
            db.flush()
    except IntegrityError as exc:  # someone booked it between our check and our insert
        raise Conflict("That time was just taken. Please pick another.") from exc
    for at in reminder_times(match.starts_at, now, rules):
        outbox.enqueue(
            db,
            REMINDER,
            {"appointment_id": appointment.id, "starts_at": match.starts_at.isoformat()},
            delay=at - now,
        )
    audit_service.record(
        db,
        ctx,
        action="appointment.book",
        resource_type="appointment",
        resource_id=appointment.id,
        client_id=client.id,
        purpose="care_team",
    )
    return appointment


def get_for(db: Session, actor: User, appointment_id: int) -> Appointment:
    """An appointment its client or clinician may act on; anyone else gets NotFound."""
    appointment = db.get(Appointment, appointment_id)
    if appointment is None or actor.id not in (appointment.client_id, appointment.clinician_id):
        raise NotFound("No such appointment.")
    return appointment


def cancel(
    db: Session,
    ctx: AuditContext,
    *,
    actor: User,
    appointment: Appointment,
    now: datetime,
    rules: BookingRules,
) -> None:
    if appointment.status != "booked":
        raise Invalid("This appointment is already cancelled.")
    if appointment.starts_at <= now:
        raise Invalid("This appointment has already started.")
    if actor.role == Role.CLIENT.value:
        try:
            check_client_change(appointment.starts_at, now, rules)
        except SchedulingError as exc:
            raise Invalid(str(exc)) from exc
    appointment.status = "cancelled"
    appointment.slot_key = None
    appointment.cancelled_at = now
    appointment.cancelled_by = actor.id
    other = appointment.clinician_id if actor.id == appointment.client_id else appointment.client_id
    notifications_service.notify(
        db,
        user_id=other,
        kind="appointment.cancelled",
        title=f"Appointment on {appointment.starts_at:%Y-%m-%d %H:%M} UTC was cancelled",
        link="/appointments",
    )
    audit_service.record(
        db,
        ctx,
        action="appointment.cancel",
        resource_type="appointment",
        resource_id=appointment.id,
        client_id=appointment.client_id,
        purpose="self" if actor.id == appointment.client_id else "care_team",
    )


def reschedule(
    db: Session,
    ctx: AuditContext,
    *,
    actor: User,
    appointment: Appointment,
    new_start: datetime,
    now: datetime,
    rules: BookingRules,
) -> Appointment:
    client = db.get(User, appointment.client_id)
    clinician = db.get(User, appointment.clinician_id)
    assert client is not None and clinician is not None
    if not any(
        s.starts_at == new_start for s in open_slots(db, clinician=clinician, now=now, rules=rules)
    ):
        raise Conflict("That time is not available. Please pick another.")
    cancel(db, ctx, actor=actor, appointment=appointment, now=now, rules=rules)
    db.flush()
    return book(
        db, ctx, client=client, clinician=clinician, starts_at=new_start, now=now, rules=rules
    )


def set_video_link(
    db: Session, ctx: AuditContext, *, clinician: User, appointment: Appointment, url: str
) -> None:
    if appointment.clinician_id != clinician.id:
        raise NotFound("No such appointment.")
    try:
        appointment.video_link = check_video_link(url)
    except SchedulingError as exc:
        raise Invalid(str(exc)) from exc
    audit_service.record(
        db,
        ctx,
        action="appointment.video_link",
        resource_type="appointment",
        resource_id=appointment.id,
        client_id=appointment.client_id,
        purpose="care_team",
    )


@dataclass(frozen=True)
class AppointmentView:
    id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    with_name: str
    video_link: str
    client_id: int


def upcoming(
    db: Session, *, user: User, now: datetime, include_past_days: int = 0
) -> list[AppointmentView]:
    mine = Appointment.client_id if user.role == Role.CLIENT.value else Appointment.clinician_id
    other = Appointment.clinician_id if user.role == Role.CLIENT.value else Appointment.client_id
    rows = db.execute(
        select(Appointment, User.display_name)
        .join(User, User.id == other)
        .where(mine == user.id, Appointment.ends_at >= now - timedelta(days=include_past_days))
        .order_by(Appointment.starts_at)
    ).all()
    return [
        AppointmentView(a.id, a.starts_at, a.ends_at, a.status, name, a.video_link, a.client_id)
        for a, name in rows
    ]


@outbox.handler(REMINDER)
def _remind(db: Session, payload: dict[str, Any], event_id: int) -> None:
    appointment = db.get(Appointment, payload["appointment_id"])
    if (
        appointment is None
        or appointment.status != "booked"
        or appointment.starts_at.isoformat() != payload["starts_at"]
    ):
        return  # cancelled or moved: this reminder is stale
    when = f"{appointment.starts_at:%Y-%m-%d %H:%M} UTC"
    for user_id in (appointment.client_id, appointment.clinician_id):
        user = db.get(User, user_id)
        if user is None:
            continue
        notifications_service.notify(
            db,
            user_id=user_id,
            kind="appointment.reminder",
            title=f"Reminder: appointment at {when}",
            link="/appointments",
        )
        notifications_service.send_email(
            db,
            to=user.email,
            subject="[mindbridge] Appointment reminder",
            body=f"You have an appointment at {when}. Details are in mindbridge.",
        )
