"""Homework a clinician assigns: one companion exercise by a due date, with an optional note.

The table is the record; the companion's memory holds a copy of each open item (id
`assigned-<row id>`) refreshed on every turn, so the conversation engine offers and runs it like
any other homework, and finishing it marks the row done with a link to the exercise's outcome.
Assigning respects the same guard rails as recommending: an exercise the client's rules block
cannot be set as homework.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Action, Record, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.companion import reminders
from mindbridge.companion.flowspec import default_flows
from mindbridge.companion.models import CompanionOutcome, HomeworkAssignment
from mindbridge.companion.state import Homework, Memory
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid, NotFound
from mindbridge.recommender import service as recommender_service

PREFIX = "assigned-"
NOTE_FIELD = "homework_assignments.note"
OUTPUTS_FIELD = "companion_outcomes.outputs"
MAX_NOTE = 1000
MAX_REPEAT_DAYS = 60  # a daily homework runs at most this long past its first due date


def local_today(now: datetime, tz: str) -> date:
    try:
        return now.astimezone(ZoneInfo(tz)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()


@dataclass(frozen=True)
class HomeworkView:
    id: int
    flow_id: str
    title: str
    due: date
    status: str
    overdue: bool
    note: str
    assigned_by: str
    created_at: datetime
    completed_at: datetime | None
    outcome: dict[str, object] | None  # mood, rating and answers: only with companion access
    repeat_until: date | None = None  # daily until this date (None: once)
    done_count: int = 0


def assign(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    flow_id: str,
    due: date,
    note: str = "",
    today: date,
    repeat_until: date | None = None,
) -> HomeworkAssignment:
    """A clinician on the care team sets an exercise as homework (validated before writing);
    with `repeat_until` it is daily homework ("the sleep diary every morning this week")."""
    grant.require(Record.CARE_RECORD, Action.WRITE)
    actor = grant.ctx.actor
    if actor is None or actor.role is not Role.CLINICIAN:
        raise Invalid("Only the client's clinicians assign homework.")
    flows = default_flows()
    if flow_id not in flows:
        raise Invalid("exercise: choose an exercise from the list.")
    if due < today:
        raise Invalid("due: the due date cannot be in the past.")
    if (due - today).days > 90:
        raise Invalid("due: set a due date within 90 days.")
    if repeat_until is not None and repeat_until <= due:
        raise Invalid("repeat_until: a daily homework must repeat until a later date than due.")
    if repeat_until is not None and (repeat_until - due).days > MAX_REPEAT_DAYS:
        raise Invalid(f"repeat_until: repeat for at most {MAX_REPEAT_DAYS} days.")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"note: keep the note under {MAX_NOTE} characters.")
    rules = recommender_service.guard_rails(db, grant)
    if flow_id in rules.held:
        raise Invalid(
            f"exercise: {flows[flow_id].title} is {rules.held[flow_id]}. "
            "Read it and sign it off on the exercises page first."
        )
    blocked = rules.blocked()
    if flow_id in blocked:
        raise Invalid(
            f"exercise: {flows[flow_id].title} is blocked for this client ({blocked[flow_id]}). "
            "Change the exercise rules first."
        )
    row = HomeworkAssignment(
        client_id=grant.client_id,
        assigned_by=actor.user_id,
        flow_id=flow_id,
        title=flows[flow_id].title,
        due=due,
        repeat_until=repeat_until,
        done_count=0,
        note_enc=(
            vault.encrypt(db, Vault.owner_for_client(grant.client_id), note, field=NOTE_FIELD)
            if note
            else None
        ),
        status="open",
    )
    db.add(row)
    db.flush()
    _remind(db, row, now=utcnow())
    audit_service.record(
        db,
        grant.ctx,
        action="homework.assign",
        resource_type="homework_assignment",
        resource_id=row.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={
            "flow": flow_id,
            "due": due.isoformat(),
            "repeat_until": repeat_until.isoformat() if repeat_until else None,
            "note": bool(note),
        },
    )
    return row


def cancel(db: Session, grant: ClientGrant, *, homework_id: int) -> None:
    grant.require(Record.CARE_RECORD, Action.WRITE)
    actor = grant.ctx.actor
    if actor is None or actor.role is not Role.CLINICIAN:
        raise Invalid("Only the client's clinicians change homework.")
    row = db.get(HomeworkAssignment, homework_id)
    if row is None or row.client_id != grant.client_id:
        raise NotFound("No such homework.")
    if row.status != "open":
        raise Invalid("Only open homework can be withdrawn.")
    row.status = "cancelled"
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="homework.cancel",
        resource_type="homework_assignment",
        resource_id=row.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
    )


def _names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    return {r.id: r.display_name for r in rows}


def list_homework(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    today: date,
    companion_grant: ClientGrant | None = None,
    include_closed: bool = True,
) -> list[HomeworkView]:
    """The client's homework, open first by due date; outcomes only with `companion_grant`."""
    if grant.resource not in (Record.CARE_RECORD, Stream.COMPANION):
        raise PermissionError(f"grant for {grant.resource} used for homework")
    if companion_grant is not None:
        companion_grant.require(Stream.COMPANION)
    query = select(HomeworkAssignment).where(HomeworkAssignment.client_id == grant.client_id)
    if not include_closed:
        query = query.where(HomeworkAssignment.status == "open")
    rows = list(db.execute(query.order_by(HomeworkAssignment.due, HomeworkAssignment.id)).scalars())
    owner = Vault.owner_for_client(grant.client_id)
    names = _names(db, {r.assigned_by for r in rows if r.assigned_by is not None})
    outcomes: dict[int, CompanionOutcome] = {}
    linked = [r.companion_outcome_id for r in rows if r.companion_outcome_id is not None]
    if companion_grant is not None and linked:
        outcomes = {
            o.id: o
            for o in db.execute(
                select(CompanionOutcome).where(CompanionOutcome.id.in_(linked))
            ).scalars()
        }
    views = []
    for row in rows:
        note = vault.decrypt(db, owner, row.note_enc, field=NOTE_FIELD) if row.note_enc else ""
        outcome: dict[str, object] | None = None
        found = outcomes.get(row.companion_outcome_id or -1)
        if found is not None:
            try:
                answers = json.loads(
                    vault.decrypt(db, owner, found.outputs_enc, field=OUTPUTS_FIELD)
                )
            except ValueError:
                answers = {}
            outcome = {
                "mood_before": found.mood_before,
                "mood_after": found.mood_after,
                "helpfulness": found.helpfulness,
                "answers": answers,
            }
        views.append(
            HomeworkView(
                id=row.id,
                flow_id=row.flow_id,
                title=row.title,
                due=row.due,
                status=row.status,
                overdue=row.status == "open" and row.due < today,
                note=note,
                assigned_by=names.get(row.assigned_by or -1, "your clinician"),
                created_at=row.created_at,
                completed_at=row.completed_at,
                outcome=outcome,
                repeat_until=row.repeat_until,
                done_count=row.done_count,
            )
        )
    views.sort(key=lambda v: (v.status != "open", v.due, v.id))
    audit_service.record(
        db,
        grant.ctx,
        action="homework.read",
        resource_type="homework_assignment",
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"count": len(views), "with_outcomes": companion_grant is not None},
    )
    return views


def sync_memory(db: Session, vault: Vault, *, client_id: int, memory: Memory) -> Memory:
    """Copy the open assigned homework, with its note, into memory (and drop items no longer
    open). The memory is stored encrypted like the note itself."""
    rows = db.execute(
        select(HomeworkAssignment)
        .where(HomeworkAssignment.client_id == client_id, HomeworkAssignment.status == "open")
        .order_by(HomeworkAssignment.due, HomeworkAssignment.id)
    ).scalars()
    own = [h for h in memory.homework if not h.id.startswith(PREFIX)]
    previous = {h.id: h for h in memory.homework if h.id.startswith(PREFIX)}
    assigned = []
    for row in rows:
        key = f"{PREFIX}{row.id}"
        item = previous.get(key) or Homework(
            id=key, flow_id=row.flow_id, title=row.title, due="", assigned_by="clinician"
        )
        item.due = row.due.isoformat()
        item.repeat_until = row.repeat_until.isoformat() if row.repeat_until else None
        item.done_count = row.done_count
        item.status = "open"
        item.note = (
            vault.decrypt(db, Vault.owner_for_client(client_id), row.note_enc, field=NOTE_FIELD)
            if row.note_enc
            else None
        )
        assigned.append(item)
    memory.homework = [*own, *assigned]
    return memory


def mark_done(
    db: Session,
    grant: ClientGrant,
    *,
    homework_key: str,
    companion_outcome_id: int | None,
    now: datetime,
    next_due: str | None = None,
) -> HomeworkAssignment | None:
    """The companion finished an assigned item: link the outcome, and close the row, or for
    daily homework move it to `next_due` (the companion's next day) while that is not past
    `repeat_until`, with a reminder for that morning."""
    grant.require(Stream.COMPANION, Action.WRITE)
    if not homework_key.startswith(PREFIX):
        return None
    try:
        row = db.get(HomeworkAssignment, int(homework_key.removeprefix(PREFIX)))
    except ValueError:
        return None
    if row is None or row.client_id != grant.client_id or row.status != "open":
        return None
    row.done_count += 1
    row.completed_at = now
    row.companion_outcome_id = companion_outcome_id
    again = _next_day(row, next_due)
    if again is None:
        row.status = "done"
    else:
        row.due = again
        _remind(db, row, now=now)
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="homework.complete" if again is None else "homework.progress",
        resource_type="homework_assignment",
        resource_id=row.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"done_count": row.done_count, "next_due": again.isoformat() if again else None},
    )
    return row


def _remind(db: Session, row: HomeworkAssignment, *, now: datetime) -> None:
    """A reminder on the morning the item is next due, on the client's clock."""
    client = db.get(User, row.client_id)
    reminders.homework_reminder(
        db,
        client_id=row.client_id,
        assignment_id=row.id,
        due=row.due,
        tz=client.timezone if client is not None else "UTC",
        now=now,
    )


def _next_day(row: HomeworkAssignment, next_due: str | None) -> date | None:
    """The next due date of a daily homework, or None when it is finished."""
    if row.repeat_until is None or not next_due:
        return None
    try:
        again = date.fromisoformat(next_due)
    except ValueError:
        return None
    return again if row.due < again <= row.repeat_until else None
