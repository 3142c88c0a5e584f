"""Measurement-based care on the platform: submitting, drafts, the safety link, schedules,
trajectories, outcomes and FHIR exchange.

Services take a `ClientGrant` for client data, flush but never commit (the request or job owns
the transaction), validate everything before they write, and audit every read and write.
Questionnaires are the client's own stream: only the client writes them; the care team reads
them only while the client shares the stream.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Purpose, Record, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.alerts import service as alerts_service
from mindbridge.alerts.models import Alert
from mindbridge.assessments import repository
from mindbridge.assessments import trajectories as trajectory_view
from mindbridge.assessments.change import Measurement
from mindbridge.assessments.definitions import InstrumentDefinition, default_registry
from mindbridge.assessments.drafts import DraftResponse
from mindbridge.assessments.errors import (
    AssessmentError,
    InvalidAnswerError,
    UnknownInstrumentError,
)
from mindbridge.assessments.fhir import (
    DEFAULT_BASE,
    history_bundle,
    submission_from_questionnaire_response,
)
from mindbridge.assessments.models import (
    AssessmentAssignment,
    AssessmentDraft,
    AssessmentReminder,
    AssessmentSubmission,
)
from mindbridge.assessments.outcomes import (
    GAD7,
    PHQ9,
    Episode,
    EpisodeOutcome,
    OutcomeSummary,
    episode_outcome,
    summarise,
    summarise_by_clinician,
)
from mindbridge.assessments.safety import SafetySignal, safety_signal
from mindbridge.assessments.schedules import (
    Assignment,
    Cadence,
    DueState,
    Reminder,
    Unit,
    due_state,
    reminder_owed,
)
from mindbridge.assessments.scoring import validate_answer
from mindbridge.assessments.submissions import Submission, evaluate
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.consent import service as consent_service
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid, NotFound
from mindbridge.notifications import service as notifications_service

SAFETY_PLAN_URL = "/safety-plan"
# The API's one-line version of the crisis panel (the page shows assessments/_crisis_panel.html).
CRISIS_SUPPORT = (
    "If you might act on thoughts of ending your life or harming yourself, get help now: in the "
    "US call or text 988 (or chat at 988lifeline.org); in the UK and Ireland call Samaritans on "
    "116 123; in an emergency call 911, 999 or 112."
)
ALERT_LEVEL = "elevated"
ALERT_SOURCE = "questionnaire"
# Imported answers older than this are history: stored and shown, but they raise no new alert.
IMPORT_ALERT_WINDOW = timedelta(days=14)
FUTURE_SKEW = timedelta(minutes=5)
MAX_IMPORT_ENTRIES = 500
UNITS = ("days", "weeks", "months")
AlertState = Literal["raised", "suppressed", ""]


# ---- errors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One rejected piece of input: where (entry, item) and why, in words a person can act on."""

    message: str
    item: str | None = None
    entry: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"entry": self.entry, "item": self.item, "message": self.message}


class AnswersRejected(Invalid):
    """Some answers are not valid; nothing was stored."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems) or "Answers are not valid.")


# ---- instruments ----------------------------------------------------------------------------


def instruments() -> list[InstrumentDefinition]:
    """Every shipped instrument, PHQ-9 and GAD-7 first (the ones outcomes are measured on)."""
    order = {PHQ9: 0, GAD7: 1}
    return sorted(default_registry(), key=lambda d: (order.get(d.id, 2), d.id))


def instrument(name: str) -> InstrumentDefinition:
    """Lenient lookup (`phq9`, `PHQ-9`); an unknown name is NotFound."""
    try:
        return default_registry().resolve(name)
    except UnknownInstrumentError:
        raise NotFound("No such questionnaire.") from None


def fhir_base(base_url: str | None) -> str:
    return f"{base_url.rstrip('/')}/fhir" if base_url else DEFAULT_BASE


# ---- answers --------------------------------------------------------------------------------

_WHOLE = re.compile(r"^-?\d{1,3}$")


def parse_form_answers(
    definition: InstrumentDefinition, form: Mapping[str, Any]
) -> dict[str, int | None]:
    """Read `item-<linkId>` fields of a plain HTML form; report every bad field at once."""
    raw: dict[str, object] = {}
    problems: list[Problem] = []
    for link_id in definition.link_ids:
        value = form.get(f"item-{link_id}")
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            raw[link_id] = None
        elif _WHOLE.match(text):
            raw[link_id] = int(text)
        else:
            problems.append(
                Problem(
                    f"{definition.id} item {link_id}: answer {text!r} is not a whole number",
                    link_id,
                )
            )
    try:
        checked = check_answers(definition, raw)
    except AnswersRejected as exc:
        problems += exc.problems
    if problems:
        order = {link_id: i for i, link_id in enumerate(definition.link_ids)}
        raise AnswersRejected(sorted(problems, key=lambda p: order.get(p.item or "", -1)))
    return checked


def check_answers(definition: InstrumentDefinition, answers: object) -> dict[str, int | None]:
    """Validate every answer (mapping by linkId, or a list in item order), collecting problems."""
    if isinstance(answers, Sequence) and not isinstance(answers, str | bytes):
        values = list(answers)
        if len(values) != len(definition.items):
            raise AnswersRejected(
                [
                    Problem(
                        f"{definition.id}: expects {len(definition.items)} answers (one per "
                        f"item), got {len(values)}"
                    )
                ]
            )
        answers = dict(zip(definition.link_ids, values, strict=True))
    if not isinstance(answers, Mapping):
        raise AnswersRejected([Problem(f"{definition.id}: answers must be a list or a mapping")])
    result: dict[str, int | None] = dict.fromkeys(definition.link_ids)
    problems: list[Problem] = []
    for key, value in answers.items():
        link_id = str(key)
        if value is None:
            if link_id not in result:
                problems.append(Problem(f"{definition.id}: unknown item {link_id!r}", link_id))
            continue
        try:
            result[link_id] = validate_answer(definition, link_id, value)
        except InvalidAnswerError as exc:
            problems.append(Problem(str(exc), link_id))
    if problems:
        raise AnswersRejected(problems)
    return result


# ---- the safety link ------------------------------------------------------------------------


@dataclass(frozen=True)
class SafetyOutcome:
    open_flow: bool
    reasons: tuple[str, ...] = ()
    alert: AlertState = ""  # raised, suppressed (no consent to automated alerts), or not needed

    @classmethod
    def stored(cls, open_flow: bool, reasons: Sequence[str], alert: str) -> SafetyOutcome:
        """Rebuild from a stored row's `safety_alert` column."""
        state: AlertState = "raised" if alert == "raised" else "suppressed" if alert else ""
        return cls(open_flow, tuple(reasons), state)

    @property
    def care_team_alerted(self) -> bool | None:
        if not self.open_flow:
            return None
        return self.alert == "raised"


def _alert_key(definition: InstrumentDefinition, link_id: str, uid: str) -> str:
    return f"{definition.id.lower().replace('-', '')}-item{link_id}:{uid}"


def _open_safety_flow(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    definition: InstrumentDefinition,
    signal: SafetySignal,
    *,
    uid: str,
    kind: str,
    total: int | None = None,
) -> SafetyOutcome:
    """Alert the care team through the outbox, whatever the total; one alert per response.

    The dedup key is the response's uid, and a finished draft keeps its uid, so saving a draft
    and then submitting it raise one alert, not two.
    """
    if not signal.open_flow:
        return SafetyOutcome(False)
    state: AlertState = "suppressed"
    for link_id, answer in signal.triggering_answers.items():
        alert = alerts_service.raise_alert(
            db,
            grant.ctx,
            vault,
            client_id=grant.client_id,
            level=ALERT_LEVEL,
            source=ALERT_SOURCE,
            summary=f"{definition.id} item {link_id} (thoughts of self-harm) answered above 0",
            stream=Stream.QUESTIONNAIRES,
            evidence={
                "instrument": definition.id,
                "item": link_id,
                "answer": answer,
                "response": uid,
                "kind": kind,
                "total": total,
            },
            source_ref=uid,
            dedup_key=_alert_key(definition, link_id, uid),
        )
        if alert is not None:
            state = "raised"
    return SafetyOutcome(True, signal.reasons, state)


def safety_of(definition: InstrumentDefinition, answers: Mapping[str, Any]) -> SafetySignal:
    return safety_signal(definition, {k: v for k, v in answers.items() if v is not None})


# ---- submitting and drafts ------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    submission: AssessmentSubmission | None  # None when the form was kept as a draft
    draft: AssessmentDraft | None
    safety: SafetyOutcome
    missing_items: tuple[str, ...] = ()
    refusal: str | None = None

    @property
    def complete(self) -> bool:
        return self.submission is not None


def _client_key(grant: ClientGrant) -> str:
    return str(grant.client_id)


def _store_draft(
    db: Session,
    grant: ClientGrant,
    definition: InstrumentDefinition,
    answers: Mapping[str, int | None],
    now: datetime,
) -> AssessmentDraft:
    row = repository.draft(db, client_id=grant.client_id, instrument_id=definition.id)
    kept = {k: v for k, v in answers.items() if v is not None}
    if row is None or row.instrument_version != definition.version:
        if row is not None:
            db.delete(row)
            db.flush()
        row = AssessmentDraft(
            uid=str(uuid.uuid4()),
            client_id=grant.client_id,
            instrument_id=definition.id,
            instrument_version=definition.version,
            answers=kept,
            started_at=now,
            updated_at=now,
        )
        db.add(row)
    else:
        row.answers = kept
        row.updated_at = now
    db.flush()
    return row


def save_draft(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    instrument_id: str,
    answers: Mapping[str, int | None],
    now: datetime | None = None,
) -> tuple[AssessmentDraft, SafetyOutcome]:
    """Keep what was answered so far; a positive self-harm answer opens the safety flow now."""
    grant.require(Stream.QUESTIONNAIRES, Action.WRITE)
    definition = instrument(instrument_id)
    checked = check_answers(definition, answers)
    now = now or utcnow()
    row = _store_draft(db, grant, definition, checked, now)
    draft = DraftResponse.from_dict(
        {
            "id": row.uid,
            "client_id": _client_key(grant),
            "instrument_id": row.instrument_id,
            "instrument_version": row.instrument_version,
            "started_at": row.started_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
            "answers": row.answers,
        }
    )
    safety = _open_safety_flow(
        db, grant, vault, definition, draft.safety(definition), uid=row.uid, kind="draft"
    )
    if safety.alert:
        row.safety_alert = safety.alert
    audit_service.record(
        db,
        grant.ctx,
        action="assessments.draft.save",
        resource_type="assessment_draft",
        resource_id=row.uid,
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"instrument": definition.id, "answered": len(row.answers)},
    )
    return row, safety


def get_draft(db: Session, grant: ClientGrant, *, instrument_id: str) -> AssessmentDraft | None:
    grant.require(Stream.QUESTIONNAIRES)
    definition = instrument(instrument_id)
    row = repository.draft(db, client_id=grant.client_id, instrument_id=definition.id)
    if row is not None:
        audit_service.record(
            db,
            grant.ctx,
            action="assessments.draft.read",
            resource_type="assessment_draft",
            resource_id=row.uid,
            client_id=grant.client_id,
            purpose=grant.purpose,
        )
    return row


def submit(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    instrument_id: str,
    answers: object,
    authored_at: datetime | None = None,
    source: str = "mindbridge",
    now: datetime | None = None,
) -> SubmitResult:
    """Score and store a completed questionnaire.

    Invalid answers raise `AnswersRejected` and nothing is written. A form the instrument will not
    score yet (missing items) is kept as a draft instead, and the safety flow still opens on a
    positive self-harm answer: a refused score never hides a safety trigger.
    """
    grant.require(Stream.QUESTIONNAIRES, Action.WRITE)
    definition = instrument(instrument_id)
    checked = check_answers(definition, answers)
    now = now or utcnow()
    if authored_at is not None:
        if authored_at.tzinfo is None:
            raise Invalid("authored_at needs a time zone offset.")
        if authored_at > now + FUTURE_SKEW:
            raise Invalid("authored_at is in the future.")
    evaluation = evaluate(definition, checked)
    if evaluation.result is None:
        kept, safety = save_draft(
            db, grant, vault, instrument_id=definition.id, answers=checked, now=now
        )
        return SubmitResult(None, kept, safety, evaluation.missing_items, evaluation.refusal)

    draft_row = repository.draft(db, client_id=grant.client_id, instrument_id=definition.id)
    uid = draft_row.uid if draft_row is not None else str(uuid.uuid4())
    result = evaluation.result
    row = AssessmentSubmission(
        uid=uid,
        client_id=grant.client_id,
        instrument_id=definition.id,
        instrument_version=definition.version,
        answers=dict(checked),
        authored_at=authored_at or now,
        recorded_at=now,
        source=source,
        entered_by=grant.ctx.actor.user_id if grant.ctx.actor else None,
        total=result.total,
        band_code=result.band.code,
        band_label=result.band.label,
        flags=list(result.flags),
        result=result.to_dict(),
    )
    db.add(row)
    db.flush()
    safety = _open_safety_flow(
        db,
        grant,
        vault,
        definition,
        evaluation.safety,
        uid=uid,
        kind="submission",
        total=result.total,
    )
    row.safety_alert = safety.alert
    if draft_row is not None:
        db.delete(draft_row)
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="assessments.submission.create",
        resource_type="assessment_submission",
        resource_id=uid,
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"instrument": definition.id, "source": source, "safety": safety.open_flow},
    )
    return SubmitResult(row, None, safety, result.missing_items, None)


def list_submissions(
    db: Session, grant: ClientGrant, *, instrument_id: str | None = None
) -> list[AssessmentSubmission]:
    grant.require(Stream.QUESTIONNAIRES)
    rows = repository.submissions(db, client_id=grant.client_id, instrument_id=instrument_id)
    audit_service.record(
        db,
        grant.ctx,
        action="assessments.submissions.read",
        resource_type="assessment_submission",
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"count": len(rows), "instrument": instrument_id},
    )
    return rows


def get_submission(db: Session, grant: ClientGrant, *, uid: str) -> AssessmentSubmission | None:
    grant.require(Stream.QUESTIONNAIRES)
    row = repository.submission_by_uid(db, client_id=grant.client_id, uid=uid[:64])
    if row is not None:
        audit_service.record(
            db,
            grant.ctx,
            action="assessments.submission.read",
            resource_type="assessment_submission",
            resource_id=row.uid,
            client_id=grant.client_id,
            purpose=grant.purpose,
        )
    return row


def previous_scored(
    rows: Sequence[AssessmentSubmission], current: AssessmentSubmission
) -> AssessmentSubmission | None:
    """The last scored submission of the same instrument before `current`."""
    earlier = [
        r
        for r in rows
        if r.instrument_id == current.instrument_id
        and r.total is not None
        and (r.authored_at, r.id) < (current.authored_at, current.id)
    ]
    return earlier[-1] if earlier else None


def as_submission(row: AssessmentSubmission) -> Submission:
    return Submission.from_dict(
        {
            "id": row.uid,
            "client_id": str(row.client_id),
            "instrument_id": row.instrument_id,
            "instrument_version": row.instrument_version,
            "answers": row.answers,
            "authored_at": row.authored_at.isoformat(),
            "source": row.source,
        }
    )


# ---- trajectories ---------------------------------------------------------------------------


def trajectories(
    db: Session, grant: ClientGrant, *, timezone: str = "UTC"
) -> list[trajectory_view.Trajectory]:
    """One trajectory per instrument the client has answered, PHQ-9 and GAD-7 first."""
    rows = list_submissions(db, grant)
    by_instrument: dict[str, list[trajectory_view.Point]] = {}
    for row in rows:
        by_instrument.setdefault(row.instrument_id, []).append(
            trajectory_view.Point(
                uid=row.uid,
                taken_at=row.authored_at,
                total=row.total,
                band_label=row.band_label,
                flags=tuple(row.flags or ()),
            )
        )
    order = {PHQ9: 0, GAD7: 1}
    registry = default_registry()
    return [
        trajectory_view.build(registry.get(name), points, timezone=timezone)
        for name, points in sorted(
            by_instrument.items(), key=lambda kv: (order.get(kv[0], 9), kv[0])
        )
        if name in registry
    ]


# ---- schedules ------------------------------------------------------------------------------


def cadence_of(row: AssessmentAssignment) -> Cadence:
    return Cadence(
        every=row.every,
        unit=cast(Unit, row.unit),
        at_start=row.at_start,
        grace_days=row.grace_days,
        reminder_offsets_days=tuple(row.reminder_offsets_days or ()),
    )


def as_assignment(row: AssessmentAssignment) -> Assignment:
    return Assignment(
        id=str(row.id),
        client_id=str(row.client_id),
        instrument_id=row.instrument_id,
        cadence=cadence_of(row),
        starts_at=row.starts_at,
        timezone=row.timezone,
        ends_at=row.ends_at,
        assigned_by=str(row.assigned_by) if row.assigned_by else None,
    )


def cadence_text(row: AssessmentAssignment) -> str:
    if row.every is None:
        return "once"
    unit = row.unit if row.every != 1 else row.unit.rstrip("s")
    return f"every {row.every} {unit}" if row.every != 1 else f"every {unit}"


@dataclass(frozen=True)
class ScheduleItem:
    assignment: AssessmentAssignment
    definition: InstrumentDefinition
    cadence: str
    state: DueState | None  # None when the viewer may not see questionnaire answers
    has_draft: bool = False


def assign(
    db: Session,
    grant: ClientGrant,
    *,
    instrument_id: str,
    every: int | None,
    unit: str = "days",
    starts_at: datetime | None = None,
    grace_days: int = 3,
    timezone: str | None = None,
    now: datetime | None = None,
) -> AssessmentAssignment:
    """A clinician sets (or changes) a client's schedule for one instrument.

    Setting a schedule for an instrument that already has one ends the old one, so there is only
    ever one live cadence per instrument.
    """
    grant.require(Record.CARE_RECORD, Action.WRITE)
    actor = grant.ctx.actor
    if actor is None or actor.role is not Role.CLINICIAN:
        raise Invalid("Only the client's clinicians set questionnaire schedules.")
    try:
        definition = instrument(instrument_id)
    except NotFound:
        raise Invalid("Choose a questionnaire from the list.") from None
    if unit not in UNITS:
        raise Invalid(f"Choose days, weeks or months, not {unit!r}.")
    if every is not None and not 1 <= every <= 365:
        raise Invalid("The interval must be between 1 and 365.")
    if not 0 <= grace_days <= 30:
        raise Invalid("Grace days must be between 0 and 30.")
    now = now or utcnow()
    client = access_service.get_client(db, grant.client_id)
    zone = timezone or client.timezone or "UTC"
    try:
        cadence = Cadence(every=every, unit=cast(Unit, unit), grace_days=grace_days)
        Assignment("new", str(grant.client_id), definition.id, cadence, starts_at or now, zone)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    for old in repository.assignments(db, client_id=grant.client_id, active_at=now):
        if old.instrument_id == definition.id:
            old.ends_at = now
    row = AssessmentAssignment(
        client_id=grant.client_id,
        instrument_id=definition.id,
        every=every,
        unit=unit,
        at_start=True,
        grace_days=grace_days,
        reminder_offsets_days=list(cadence.reminder_offsets_days),
        starts_at=starts_at or now,
        timezone=zone,
        assigned_by=actor.user_id,
        created_at=now,
    )
    db.add(row)
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="assessments.assignment.create",
        resource_type="assessment_assignment",
        resource_id=row.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"instrument": definition.id, "every": every, "unit": unit},
    )
    return row


def end_assignment(
    db: Session, grant: ClientGrant, *, assignment_id: int, now: datetime | None = None
) -> AssessmentAssignment:
    grant.require(Record.CARE_RECORD, Action.WRITE)
    actor = grant.ctx.actor
    if actor is None or actor.role is not Role.CLINICIAN:
        raise Invalid("Only the client's clinicians change questionnaire schedules.")
    row = repository.assignment(db, client_id=grant.client_id, assignment_id=assignment_id)
    now = now or utcnow()
    if row is None or (row.ends_at is not None and row.ends_at <= now):
        raise Invalid("That schedule does not exist or has already ended.")
    row.ends_at = now
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="assessments.assignment.end",
        resource_type="assessment_assignment",
        resource_id=row.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
    )
    return row


def assignments_for(
    db: Session, grant: ClientGrant, *, now: datetime | None = None
) -> list[ScheduleItem]:
    """The live schedules, without due states: for a care team that cannot see the answers."""
    grant.require(Record.CARE_RECORD)
    registry = default_registry()
    rows = repository.assignments(db, client_id=grant.client_id, active_at=now or utcnow())
    return [
        ScheduleItem(row, registry.get(row.instrument_id), cadence_text(row), None)
        for row in rows
        if row.instrument_id in registry
    ]


def schedule(db: Session, grant: ClientGrant, *, now: datetime | None = None) -> list[ScheduleItem]:
    """The live schedules with their due state (upcoming, due, overdue, completed)."""
    grant.require(Stream.QUESTIONNAIRES)
    now = now or utcnow()
    registry = default_registry()
    rows = [
        r
        for r in repository.assignments(db, client_id=grant.client_id, active_at=now)
        if r.instrument_id in registry
    ]
    times = repository.completion_times(
        db, pairs=[(grant.client_id, r.instrument_id) for r in rows]
    )
    drafts = {d.instrument_id for d in repository.drafts(db, client_id=grant.client_id)}
    items = [
        ScheduleItem(
            row,
            registry.get(row.instrument_id),
            cadence_text(row),
            due_state(as_assignment(row), times.get((grant.client_id, row.instrument_id), []), now),
            row.instrument_id in drafts,
        )
        for row in rows
    ]
    audit_service.record(
        db,
        grant.ctx,
        action="assessments.schedule.read",
        resource_type="assessment_assignment",
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"count": len(items)},
    )
    rank = {"overdue": 0, "due": 1, "upcoming": 2, "completed": 3, "ended": 4}
    return sorted(
        items,
        key=lambda i: (
            rank[i.state.status] if i.state else 5,
            i.state.due_at if i.state and i.state.due_at else now,
        ),
    )


def open_alerts(db: Session, grant: ClientGrant) -> list[Alert]:
    """Unresolved alerts this package raised for the client (part of the care record)."""
    grant.require(Record.CARE_RECORD)
    return repository.open_alerts(db, client_id=grant.client_id, source=ALERT_SOURCE)


def drafts_for(db: Session, grant: ClientGrant) -> list[AssessmentDraft]:
    grant.require(Stream.QUESTIONNAIRES)
    return repository.drafts(db, client_id=grant.client_id)


# ---- reminders (the job calls these; each reminder is its own transaction) -------------------

QUIET_FROM, QUIET_UNTIL = 21, 8  # no reminders between 21:00 and 08:00 on the client's clock


def owed_reminders(db: Session, *, now: datetime) -> list[tuple[Reminder, str]]:
    """Reminders owed now, each with the client's time zone (for quiet hours)."""
    registry = default_registry()
    rows = [r for r in repository.active_assignments(db, now=now) if r.instrument_id in registry]
    times = repository.completion_times(db, pairs=[(r.client_id, r.instrument_id) for r in rows])
    sent = repository.sent_reminder_keys(db, assignment_ids=[r.id for r in rows])
    owed: list[tuple[Reminder, str]] = []
    for row in rows:
        reminder = reminder_owed(
            as_assignment(row), times.get((row.client_id, row.instrument_id), []), sent, now
        )
        if reminder is not None:
            owed.append((reminder, row.timezone))
    return owed


def in_quiet_hours(timezone: str, now: datetime) -> bool:
    hour = now.astimezone(ZoneInfo(timezone)).hour
    return hour >= QUIET_FROM or hour < QUIET_UNTIL


def send_reminder(db: Session, reminder: Reminder, *, now: datetime) -> AssessmentReminder:
    """Record the reminder's key and queue its in-app notice and email, in one transaction.

    The key is unique, so a second worker sending the same reminder fails its flush and rolls
    back its notifications with it: each reminder reaches the client once.
    """
    client = access_service.get_client(db, int(reminder.client_id))
    definition = default_registry().get(reminder.instrument_id)
    row = AssessmentReminder(
        key=reminder.key,
        assignment_id=int(reminder.assignment_id),
        client_id=client.id,
        kind=reminder.kind,
        due_at=reminder.due_at,
        sent_at=now,
    )
    db.add(row)
    db.flush()
    late = reminder.kind in ("late", "overdue")
    notifications_service.notify(
        db,
        user_id=client.id,
        kind="assessments.reminder",
        title=(
            f"Your {definition.id} questionnaire is waiting"
            if late
            else f"Your {definition.id} questionnaire is ready"
        ),
        body="It takes a few minutes. Your answers help you and your clinician see how things "
        "are going.",
        link=f"/questionnaires/{definition.id}",
    )
    # Email leaves the platform: it names no questionnaire and no score.
    notifications_service.send_email(
        db,
        to=client.email,
        subject="[mindbridge] A questionnaire is ready for you",
        body="You have a short questionnaire waiting in mindbridge. Log in to fill it in when "
        "it suits you.\n\n(For your privacy, no details are sent by email.)",
    )
    audit_service.record(
        db,
        AuditContext(actor=None, request_id="assessments-reminders"),
        action="assessments.reminder.send",
        resource_type="assessment_reminder",
        resource_id=row.id,
        client_id=client.id,
        purpose="care_team",
        detail={"instrument": definition.id, "kind": reminder.kind},
        actor_override=(None, "system"),
    )
    return row


# ---- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientOutcome:
    client_id: int
    name: str
    outcome: EpisodeOutcome


@dataclass(frozen=True)
class CaseloadOutcomes:
    summary: OutcomeSummary
    clients: list[ClientOutcome]
    not_shared: list[str]  # names of clients who do not share questionnaires with the care team


def caseload_outcomes(db: Session, ctx: AuditContext, *, clinician_id: int) -> CaseloadOutcomes:
    """NHS Talking Therapies outcomes over a clinician's caseload, one episode per client.

    Each client's scores are read through an audited grant; clients who do not share their
    questionnaires are listed, not counted.
    """
    actor = ctx.actor
    if actor is None or actor.role is not Role.CLINICIAN:
        raise NotFound("Not found.")
    clients = care_service.caseload(db, clinician_id=clinician_id)
    grants: list[tuple[ClientGrant, str]] = []
    hidden: list[str] = []
    for client in clients:
        if access_service.check(db, actor, client.id, Stream.QUESTIONNAIRES).allowed:
            grant = access_service.authorize(
                db, ctx, client_id=client.id, resource=Stream.QUESTIONNAIRES
            )
            grants.append((grant, client.display_name))
        else:
            hidden.append(client.display_name)
    rows = repository.submissions_for_clients(
        db, client_ids=[g.client_id for g, _ in grants], instrument_ids=(PHQ9, GAD7)
    )
    results: list[ClientOutcome] = []
    for grant, name in grants:
        measurements = tuple(
            Measurement(r.instrument_id, r.total, r.authored_at, r.uid)
            for r in rows.get(grant.client_id, [])
            if r.total is not None
        )
        episode = Episode(
            id=str(grant.client_id),
            client_id=str(grant.client_id),
            clinician_id=str(clinician_id),
            service_id=None,
            measurements=measurements,
        )
        results.append(ClientOutcome(grant.client_id, name, episode_outcome(episode)))
        audit_service.record(
            db,
            ctx,
            action="assessments.outcomes.read",
            resource_type="assessment_submission",
            client_id=grant.client_id,
            purpose=grant.purpose,
            detail={"count": len(measurements)},
        )
    return CaseloadOutcomes(summarise(r.outcome for r in results), results, hidden)


SMALL_CELL = 5  # counts below this are shown as "fewer than 5" in service reports


@dataclass(frozen=True)
class ServiceOutcomes:
    """Service-wide outcomes for admins: aggregate counts only, no client appears by name."""

    summary: OutcomeSummary
    by_clinician: list[tuple[str, OutcomeSummary]]
    excluded_not_shared: int
    small_cell: int = SMALL_CELL


def service_outcomes(db: Session, ctx: AuditContext) -> ServiceOutcomes:
    """NHS Talking Therapies outcomes per clinician and for the whole service.

    Only clients who share questionnaires with their care team are counted; the report holds
    counts, never names or scores, and the page suppresses small cells.
    """
    if ctx.actor is None or ctx.actor.role is not Role.ADMIN:
        raise NotFound("Not found.")
    episodes: list[EpisodeOutcome] = []
    names: dict[str, str] = {}
    excluded = 0
    for clinician in care_service.clinicians(db):
        names[str(clinician.id)] = clinician.display_name
        clients = care_service.caseload(db, clinician_id=clinician.id)
        sharing = []
        for client in clients:
            shared = consent_service.current(db, client_id=client.id).granted(
                Stream.QUESTIONNAIRES, Purpose.CARE_TEAM
            )
            if shared:
                sharing.append(client.id)
            else:
                excluded += 1
        rows = repository.submissions_for_clients(
            db, client_ids=sharing, instrument_ids=(PHQ9, GAD7)
        )
        for client_id in sharing:
            measurements = tuple(
                Measurement(r.instrument_id, r.total, r.authored_at, r.uid)
                for r in rows.get(client_id, [])
                if r.total is not None
            )
            episodes.append(
                episode_outcome(
                    Episode(
                        id=f"{clinician.id}:{client_id}",
                        client_id=str(client_id),
                        clinician_id=str(clinician.id),
                        service_id="service",
                        measurements=measurements,
                    )
                )
            )
    audit_service.record(
        db,
        ctx,
        action="assessments.outcomes.service_report",
        resource_type="report",
        purpose="administration",
        detail={"episodes": len(episodes), "excluded": excluded},
    )
    by_clinician = [
        (names.get(key, key), summary) for key, summary in summarise_by_clinician(episodes).items()
    ]
    return ServiceOutcomes(summarise(episodes), by_clinician, excluded)


# ---- FHIR -----------------------------------------------------------------------------------


def export_bundle(db: Session, grant: ClientGrant, *, base: str = DEFAULT_BASE) -> Bundle:
    """The client's whole questionnaire history as a FHIR R4 collection Bundle."""
    grant.require(Stream.QUESTIONNAIRES)
    rows = repository.submissions(db, client_id=grant.client_id)
    bundle = history_bundle(
        [as_submission(r) for r in rows],
        base=base,
        timestamp=utcnow(),
        bundle_id=str(uuid.uuid4()),
    )
    audit_service.record(
        db,
        grant.ctx,
        action="assessments.fhir.export",
        resource_type="assessment_submission",
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"count": len(rows)},
    )
    return bundle


class ImportRejected(Invalid):
    """The import was refused as a whole; every problem is listed and nothing was stored."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"Import refused: {len(self.problems)} problem(s); nothing was stored.")


@dataclass(frozen=True)
class ImportReport:
    imported: list[AssessmentSubmission]
    already_present: list[str]
    subject: str | None
    alerts_raised: int
    historical_safety_answers: int  # positive self-harm answers too old to alert on


def _response_dicts(payload: Mapping[str, Any]) -> list[tuple[int | None, dict[str, Any]]]:
    kind = payload.get("resourceType")
    if kind == "QuestionnaireResponse":
        return [(None, dict(payload))]
    if kind != "Bundle":
        raise ImportRejected(
            [Problem(f"expected a Bundle or a QuestionnaireResponse, got {kind!r}")]
        )
    try:
        Bundle.model_validate(payload)
    except ValidationError as exc:
        raise ImportRejected(_validation_problems(exc, None)) from None
    found: list[tuple[int | None, dict[str, Any]]] = []
    for index, entry in enumerate(payload.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if (
            isinstance(resource, Mapping)
            and resource.get("resourceType") == "QuestionnaireResponse"
        ):
            found.append((index, dict(resource)))
    if not found:
        raise ImportRejected([Problem("the Bundle holds no QuestionnaireResponse")])
    if len(found) > MAX_IMPORT_ENTRIES:
        raise ImportRejected([Problem(f"at most {MAX_IMPORT_ENTRIES} responses per import")])
    return found


def _validation_problems(exc: ValidationError, entry: int | None) -> list[Problem]:
    return [
        Problem(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}", None, entry)
        for err in exc.errors()[:50]
    ]


def _leaf_items(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every answered item, lifted out of groups, without its own nested items."""
    found: list[dict[str, Any]] = []
    for item in items:
        if item.get("answer"):
            found.append(
                {
                    **{k: v for k, v in item.items() if k not in ("item", "answer")},
                    "answer": [{k: v for k, v in a.items() if k != "item"} for a in item["answer"]],
                }
            )
            for answer in item["answer"]:
                found += _leaf_items(answer.get("item") or [])
        found += _leaf_items(item.get("item") or [])
    return found


def _check_response(
    data: dict[str, Any], entry: int | None
) -> tuple[Submission | None, list[Problem]]:
    """Parse one QuestionnaireResponse; on failure, find every bad item, not just the first."""
    try:
        QuestionnaireResponse.model_validate(data)
    except ValidationError as exc:
        return None, _validation_problems(exc, entry)
    try:
        return submission_from_questionnaire_response(data), []
    except (AssessmentError, ValueError) as first:
        header = {k: v for k, v in data.items() if k != "item"}
        try:
            submission_from_questionnaire_response(header)
        except (AssessmentError, ValueError) as exc:
            return None, [Problem(str(exc), None, entry)]
        problems: list[Problem] = []
        for item in _leaf_items(data.get("item") or []):
            try:
                submission_from_questionnaire_response({**header, "item": [item]})
            except (AssessmentError, ValueError) as exc:
                problems.append(Problem(str(exc), str(item.get("linkId")), entry))
        return None, problems or [Problem(str(first), None, entry)]


def import_fhir(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    payload: Mapping[str, Any],
    now: datetime | None = None,
) -> ImportReport:
    """Store the QuestionnaireResponses of a Bundle (or a single one) for this client.

    All or nothing: every response is checked first and every problem reported; a response
    already stored under the same id with the same answers is skipped, so re-importing an
    export is harmless. One import holds one subject. Positive self-harm answers from the last
    14 days open the safety flow like a fresh submission; older ones are stored as history.
    """
    grant.require(Stream.QUESTIONNAIRES, Action.WRITE)
    now = now or utcnow()
    responses = _response_dicts(payload)
    parsed: list[tuple[int | None, Submission]] = []
    problems: list[Problem] = []
    for entry, data in responses:
        submission, found = _check_response(data, entry)
        problems += found
        if submission is not None:
            parsed.append((entry, submission))
    subjects = {s.client_id for _, s in parsed}
    if len(subjects) > 1:
        problems.append(
            Problem(
                f"the responses are about {len(subjects)} different patients; import one "
                "person's history at a time"
            )
        )
    seen: set[str] = set()
    for entry, s in parsed:
        if s.id in seen:
            problems.append(Problem(f"response id {s.id!r} appears twice", None, entry))
        seen.add(s.id)
        if s.authored_at > now + FUTURE_SKEW:
            problems.append(Problem(f"response {s.id!r} is dated in the future", None, entry))
    existing = repository.existing_uids(db, client_id=grant.client_id, uids=seen)
    fresh: list[tuple[int | None, Submission]] = []
    duplicates: list[str] = []
    for entry, s in parsed:
        stored = existing.get(s.id)
        if stored is None:
            fresh.append((entry, s))
        elif {k: v for k, v in stored.answers.items() if v is not None} == {
            k: v for k, v in s.answers.items() if v is not None
        }:
            duplicates.append(s.id)
        else:
            problems.append(
                Problem(f"a different response with id {s.id!r} is already stored", None, entry)
            )
    if problems:
        raise ImportRejected(problems)

    registry = default_registry()
    imported: list[AssessmentSubmission] = []
    alerts = historical = 0
    for _entry, s in fresh:
        definition = registry.get(s.instrument_id)
        evaluation = evaluate(definition, s.answers)
        result = evaluation.result
        row = AssessmentSubmission(
            uid=s.id,
            client_id=grant.client_id,
            instrument_id=s.instrument_id,
            instrument_version=s.instrument_version,
            answers=dict(s.answers),
            authored_at=s.authored_at,
            recorded_at=now,
            source="fhir-import",
            entered_by=grant.ctx.actor.user_id if grant.ctx.actor else None,
            total=result.total if result else None,
            band_code=result.band.code if result else None,
            band_label=result.band.label if result else None,
            flags=list(result.flags) if result else list(evaluation.safety.reasons),
            result=result.to_dict() if result else None,
            refusal=evaluation.refusal,
        )
        db.add(row)
        db.flush()
        if evaluation.safety.open_flow:
            if now - s.authored_at <= IMPORT_ALERT_WINDOW:
                safety = _open_safety_flow(
                    db,
                    grant,
                    vault,
                    definition,
                    evaluation.safety,
                    uid=s.id,
                    kind="import",
                    total=result.total if result else None,
                )
                row.safety_alert = safety.alert
                alerts += safety.alert == "raised"
            else:
                historical += 1
        imported.append(row)
    audit_service.record(
        db,
        grant.ctx,
        action="assessments.fhir.import",
        resource_type="assessment_submission",
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"imported": len(imported), "already_present": len(duplicates)},
    )
    return ImportReport(
        imported, duplicates, next(iter(subjects)) if subjects else None, alerts, historical
    )
