"""The overview sections the workspace contributes itself: alerts timeline, questionnaire
trajectories, appointments and session notes. Each renders from the grant the overview obtained
for its resource, through the owning capability's service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Record, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.alerts.models import Alert
from mindbridge.assessments import service as assessments_service
from mindbridge.db import utcnow
from mindbridge.notes import service as notes_service
from mindbridge.runtime import Runtime
from mindbridge.scheduling import service as scheduling_service
from mindbridge.web.rendering import env
from mindbridge.workspace import triage
from mindbridge.workspace.sections import overview_section

ALERT_HISTORY = timedelta(days=366)
APPOINTMENT_HISTORY_DAYS = 90


def viewer_zone(db: Session, grant: ClientGrant) -> str:
    """The viewer's time zone (dates on the overview are the reader's, not the client's)."""
    actor = grant.ctx.actor
    user = db.get(User, actor.user_id) if actor else None
    name = user.timezone if user else "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def local_formatter(zone: str) -> Callable[[datetime | None], str]:
    """`3 Mar 2026, 14:00` in `zone` (UTC if the name is not a known zone)."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")

    def fmt(value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(tz)
        return f"{local.day} {local.strftime('%b %Y, %H:%M')}"

    return fmt


def _render(name: str, **context: object) -> Markup:
    # The environment autoescapes .html templates, so the output is safe to embed as is.
    return Markup(env.get_template(name).render(context))  # noqa: S704


def alerts_summary(alerts: list[Alert], now_open: int, overdue: int) -> str:
    if not alerts:
        return "No alerts in the last 12 months."
    levels = {level: sum(1 for a in alerts if a.level == level) for level in triage.ALERT_POINTS}
    parts = [f"{n} {level}" for level, n in levels.items() if n]
    text = f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''} in the last 12 months ("
    text += ", ".join(parts) + f"). {now_open} not yet resolved"
    if overdue:
        text += f", {overdue} past its response target"
    return text + "."


@overview_section("alerts", title="Alerts", order=10, resource=Record.CARE_RECORD)
def render_alerts(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    grant.require(Record.CARE_RECORD)
    now = utcnow()
    alerts = list(
        db.execute(
            select(Alert)
            .where(Alert.client_id == grant.client_id, Alert.created_at >= now - ALERT_HISTORY)
            .order_by(Alert.created_at.desc())
        ).scalars()
    )
    targets = rt.settings.alert_targets()
    unresolved = [a for a in alerts if a.status != "resolved"]
    overdue = [a for a in unresolved if a.status == "open" and a.due_at < now]
    return _render(
        "workspace/_alerts_section.html",
        alerts=alerts,
        targets=targets,
        now=now,
        overdue_ids={a.id for a in overdue},
        summary=alerts_summary(alerts, len(unresolved), len(overdue)),
        duration=triage.duration_text,
        local=local_formatter(viewer_zone(db, grant)),
    )


@overview_section(
    "questionnaires", title="Questionnaires", order=20, resource=Stream.QUESTIONNAIRES
)
def render_questionnaires(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    zone = viewer_zone(db, grant)
    trajectories = assessments_service.trajectories(db, grant, timezone=zone)
    return _render(
        "workspace/_questionnaires_section.html",
        trajectories=trajectories,
        client_id=grant.client_id,
        show_safety=True,
    )


@overview_section("appointments", title="Appointments", order=30, resource=Record.CARE_RECORD)
def render_appointments(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    grant.require(Record.CARE_RECORD)
    client = access_service.get_client(db, grant.client_id)
    now = utcnow()
    rows = scheduling_service.upcoming(
        db, user=client, now=now, include_past_days=APPOINTMENT_HISTORY_DAYS
    )
    booked = [a for a in rows if a.status == "booked"]
    upcoming = [a for a in booked if a.starts_at >= now]
    past = [a for a in booked if a.starts_at < now]
    if upcoming:
        summary = f"Next session {local_formatter(viewer_zone(db, grant))(upcoming[0].starts_at)}"
        summary += f" with {upcoming[0].with_name}; {len(upcoming)} booked ahead."
    else:
        summary = "No session booked ahead."
    summary += f" {len(past)} in the last {APPOINTMENT_HISTORY_DAYS} days."
    return _render(
        "workspace/_appointments_section.html",
        upcoming=upcoming,
        past=list(reversed(past)),
        cancelled=[a for a in rows if a.status == "cancelled"],
        summary=summary,
        local=local_formatter(viewer_zone(db, grant)),
    )


@overview_section("notes", title="Session notes", order=90, resource=Record.CLINICIAN_NOTES)
def render_notes(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    notes = notes_service.list_notes(db, grant, rt.vault)
    return _render(
        "workspace/_notes_section.html", notes=notes, local=local_formatter(viewer_zone(db, grant))
    )
