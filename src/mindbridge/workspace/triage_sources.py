"""The triage providers the workspace owns: alerts, questionnaires (reliable deterioration and
overdue schedules) and upcoming sessions. Each reads the whole caseload in a few queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from mindbridge.access.domain import Record, Stream
from mindbridge.alerts.models import Alert
from mindbridge.assessments import service as assessments_service
from mindbridge.assessments import trajectories as trajectory_view
from mindbridge.assessments.definitions import default_registry
from mindbridge.assessments.models import AssessmentAssignment, AssessmentSubmission
from mindbridge.assessments.schedules import due_state
from mindbridge.scheduling.models import Appointment
from mindbridge.workspace import triage
from mindbridge.workspace.providers import TriageInput, triage_provider
from mindbridge.workspace.triage import Reason


def _ids(data: TriageInput) -> list[int]:
    return [g.client_id for g in data.grants]


@triage_provider("alerts", resource=Record.CARE_RECORD)
def alert_reasons(data: TriageInput) -> Mapping[int, Sequence[Reason]]:
    """Unresolved alerts, aged against the level's response target."""
    ids = _ids(data)
    found: dict[int, list[Reason]] = defaultdict(list)
    if not ids:
        return found
    targets = data.rt.settings.alert_targets()
    rows = data.db.execute(
        select(Alert).where(Alert.client_id.in_(ids), Alert.status != "resolved")
    ).scalars()
    for a in rows:
        found[a.client_id].append(
            triage.alert_reason(
                alert_id=a.id,
                level=a.level,
                status=a.status,
                created_at=a.created_at,
                due_at=a.due_at,
                target=targets.get(a.level, targets["deterioration"]),
                tier_escalated=a.tier,
                now=data.now,
            )
        )
    return found


@triage_provider("questionnaires", resource=Stream.QUESTIONNAIRES)
def questionnaire_reasons(data: TriageInput) -> Mapping[int, Sequence[Reason]]:
    """Reliable deterioration (latest score against the first, the trajectory's rule), and
    schedules past their grace period."""
    ids = _ids(data)
    found: dict[int, list[Reason]] = defaultdict(list)
    if not ids:
        return found
    registry = default_registry()
    zone = ZoneInfo(data.viewer_timezone)
    names = [d.id for d in assessments_service.instruments()]
    # Only the columns the rule needs: a caseload holds thousands of submissions.
    rows = data.db.execute(
        select(
            AssessmentSubmission.client_id,
            AssessmentSubmission.instrument_id,
            AssessmentSubmission.authored_at,
            AssessmentSubmission.total,
        ).where(
            AssessmentSubmission.client_id.in_(ids),
            AssessmentSubmission.instrument_id.in_(names),
        )
    ).all()
    scored: dict[tuple[int, str], list[tuple[datetime, int]]] = defaultdict(list)
    completed: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for client_id, instrument_id, authored_at, total in rows:
        completed[(client_id, instrument_id)].append(authored_at)
        if total is not None:
            scored[(client_id, instrument_id)].append((authored_at, total))
    for (client_id, name), series in sorted(scored.items()):
        definition = registry.get(name)
        threshold, _source = trajectory_view.reliable_threshold(definition)
        series.sort()
        (_, first), (latest_at, latest) = series[0], series[-1]
        marker = trajectory_view.classify(definition, first, latest, threshold)
        if marker == "deteriorated" and threshold is not None:
            local = latest_at.astimezone(zone)
            found[client_id].append(
                triage.deterioration_reason(
                    instrument=name,
                    first=first,
                    latest=latest,
                    latest_date=f"{local.day} {local.strftime('%b %Y')}",
                    threshold=threshold,
                )
            )
    schedules = [
        r
        for r in data.db.execute(
            select(AssessmentAssignment).where(
                AssessmentAssignment.client_id.in_(ids),
                or_(
                    AssessmentAssignment.ends_at.is_(None),
                    AssessmentAssignment.ends_at > data.now,
                ),
            )
        ).scalars()
        if r.instrument_id in registry
    ]
    for row in schedules:
        state = due_state(
            assessments_service.as_assignment(row),
            sorted(completed.get((row.client_id, row.instrument_id), [])),
            data.now,
        )
        if state.status == "overdue" and state.overdue_at is not None:
            found[row.client_id].append(
                triage.overdue_measure_reason(
                    instrument=row.instrument_id, overdue_at=state.overdue_at, now=data.now
                )
            )
    return found


@triage_provider("appointments", resource=Record.CARE_RECORD)
def appointment_reasons(data: TriageInput) -> Mapping[int, Sequence[Reason]]:
    """The next booked session in the coming 48 hours, in the viewer's time zone."""
    ids = _ids(data)
    found: dict[int, list[Reason]] = defaultdict(list)
    if not ids:
        return found
    zone = ZoneInfo(data.viewer_timezone)
    rows = data.db.execute(
        select(Appointment)
        .where(
            Appointment.client_id.in_(ids),
            Appointment.status == "booked",
            Appointment.starts_at >= data.now,
            Appointment.starts_at <= data.now + triage.APPOINTMENT_HORIZON,
        )
        .order_by(Appointment.starts_at)
    ).scalars()
    for a in rows:
        if a.client_id in found:
            continue
        local = a.starts_at.astimezone(zone)
        reason = triage.appointment_reason(
            starts_at=a.starts_at, now=data.now, local_text=local.strftime("%a %H:%M")
        )
        if reason is not None:
            found[a.client_id].append(reason)
    return found
