"""Building client history for workspace tests and the benchmark, through the owning services."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Actor, Role, Stream
from mindbridge.accounts.models import User
from mindbridge.alerts import service as alerts_service
from mindbridge.alerts.models import Alert
from mindbridge.assessments import service as assessments_service
from mindbridge.audit.service import AuditContext
from mindbridge.crypto.service import Vault


def as_client(client_id: int) -> AuditContext:
    return AuditContext(Actor(client_id, Role.CLIENT), "test-history")


def answers_for(
    total: int, items: int, top: int = 3, keep_zero: frozenset[int] = frozenset()
) -> dict[str, int]:
    """`total` spread over the items, item numbers in `keep_zero` left at 0."""
    answers = {str(i): 0 for i in range(1, items + 1)}
    ids = [k for k in answers if int(k) not in keep_zero]
    left = total
    while left > 0:
        for k in ids:
            if left and answers[k] < top:
                answers[k] += 1
                left -= 1
    return answers


def submit(
    db: Session,
    vault: Vault,
    *,
    client_id: int,
    instrument: str,
    total: int,
    at: datetime,
    item9: int = 0,
) -> None:
    grant = access_service.authorize(
        db,
        as_client(client_id),
        client_id=client_id,
        resource=Stream.QUESTIONNAIRES,
        action=Action.WRITE,
    )
    items = 9 if instrument == "PHQ-9" else 7
    answers = answers_for(
        total - item9, items, keep_zero=frozenset({9}) if items == 9 else frozenset()
    )
    if items == 9:
        answers["9"] = item9
    assessments_service.submit(
        db, grant, vault, instrument_id=instrument, answers=answers, authored_at=at, now=at
    )


def alert(
    db: Session,
    vault: Vault,
    *,
    client_id: int,
    level: str = "elevated",
    age: timedelta = timedelta(0),
    now: datetime,
) -> Alert:
    row = alerts_service.raise_alert(
        db,
        as_client(client_id),
        vault,
        client_id=client_id,
        level=level,
        source="test",
        summary=f"{level} test alert",
        stream=None,
        targets=alerts_service.targets_from(None),
        imminent_overrides_consent=True,
    )
    assert row is not None
    row.created_at = now - age
    row.due_at = row.created_at + alerts_service.targets_from(None)[level]
    db.flush()
    return row


def display_name(db: Session, user_id: int) -> str:
    user = db.get(User, user_id)
    assert user is not None
    return user.display_name
