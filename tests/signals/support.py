"""Helpers for the signals platform tests: grants, consent, generated files and counts."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Actor, Purpose, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.audit.service import AuditContext
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction
from mindbridge.runtime import Runtime
from mindbridge.signals.demo import Obs, synthetic_days

NOW = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)  # a Friday evening in London


def grant(
    db: Session, client_id: int, action: Action = Action.READ, *, user_id: int | None = None
) -> ClientGrant:
    role = Role.CLIENT if user_id is None or user_id == client_id else Role.CLINICIAN
    ctx = AuditContext(Actor(user_id or client_id, role), "test")
    return access_service.authorize(
        db, ctx, client_id=client_id, resource=Stream.SIGNALS, action=action
    )


def consent(rt: Runtime, client_id: int, **choices: bool) -> None:
    """e.g. consent(rt, id, automated_alerts=True) for the signals stream."""
    wanted = {(Stream.SIGNALS, Purpose(name)): value for name, value in choices.items()}
    with transaction(rt.sessions) as db:
        ctx = AuditContext(Actor(client_id, Role.CLIENT), "test")
        consent_service.set_consent(db, ctx, client_id=client_id, wanted=wanted)


def count(rt: Runtime, model: Any, *where: Any) -> int:
    with transaction(rt.sessions) as db:
        return int(db.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def generic_csv(observations: list[Obs]) -> bytes:
    lines = ["timestamp,end,stream,value,unit,source"]
    for o in observations:
        unit = {"steps": "count", "sleep_minutes": "min", "heart_rate": "bpm"}[o.stream]
        lines.append(
            f"{o.start.isoformat()},{o.end.isoformat()},{o.stream},{o.value:g},{unit},{o.source}"
        )
    return ("\n".join(lines) + "\n").encode()


def days_of(
    pattern: str,
    *,
    last_day: date,
    days: int = 60,
    seed: int = 3,
    tz: str = "Europe/London",
    until: datetime = NOW,
) -> list[Obs]:
    return synthetic_days(
        random.Random(seed), tz, last_day=last_day, days=days, pattern=pattern, until=until
    )
