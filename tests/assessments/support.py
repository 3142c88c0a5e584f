"""Helpers for the assessments platform tests: grants, consent changes and quick submissions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Actor, Purpose, Resource, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.audit.service import AuditContext
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction
from mindbridge.runtime import Runtime

PHQ9_ITEM9 = {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 1}


def grant(
    db: Session,
    user_id: int,
    role: Role,
    client_id: int,
    resource: Resource = Stream.QUESTIONNAIRES,
    action: Action = Action.READ,
) -> ClientGrant:
    ctx = AuditContext(Actor(user_id, role), "test")
    return access_service.authorize(db, ctx, client_id=client_id, resource=resource, action=action)


def consent(rt: Runtime, client_id: int, **choices: bool) -> None:
    """Change one client's consent, e.g. consent(rt, id, care_team=False, automated_alerts=True)
    for the questionnaires stream."""
    wanted = {(Stream.QUESTIONNAIRES, Purpose(name)): value for name, value in choices.items()}
    with transaction(rt.sessions) as db:
        ctx = AuditContext(Actor(client_id, Role.CLIENT), "test")
        consent_service.set_consent(db, ctx, client_id=client_id, wanted=wanted)


def count(rt: Runtime, model: Any, *where: Any) -> int:
    with transaction(rt.sessions) as db:
        return int(db.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def form_data(answers: dict[str, int | str | None], token: str, action: str) -> dict[str, str]:
    data = {f"item-{k}": str(v) for k, v in answers.items() if v is not None}
    data.update({"csrf_token": token, "action": action})
    return data


def drain_outbox(rt: Runtime) -> int:
    """Deliver until nothing is left (a delivered alert queues its notifications)."""
    from mindbridge.jobs.outbox import dispatch_pending

    total = 0
    for _ in range(5):
        delivered = dispatch_pending(rt.sessions).delivered
        total += delivered
        if not delivered:
            break
    return total
