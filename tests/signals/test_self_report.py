"""Check-in mood feeds the deterioration score beside the passive signals, only while the client
shares check-ins with the care team (the score is shown to them)."""

from __future__ import annotations

from datetime import timedelta

from mindbridge.access.domain import Action, Actor, Purpose, Role, Stream
from mindbridge.audit.service import AuditContext
from mindbridge.checkins.models import Checkin
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction
from mindbridge.signals import service as signals_service
from tests.signals.support import NOW, days_of, generic_csv, grant

TODAY = NOW.date()


def _setup(rt, client_id: int) -> None:  # type: ignore[no-untyped-def]
    data = generic_csv(days_of("steady", last_day=TODAY, days=60, tz="UTC"))
    with transaction(rt.sessions) as db:
        g = grant(db, client_id, Action.WRITE)
        signals_service.import_file(db, g, rt.vault, source=data, fmt="generic", now=NOW)
        for back in range(60, 0, -1):
            day = NOW - timedelta(days=back)
            mood = 2 if back <= 7 else 7 + (back % 2)
            db.add(
                Checkin(
                    client_id=client_id,
                    recorded_at=day,
                    timezone="UTC",
                    local_date=day.date(),
                    local_weekday=day.weekday(),
                    local_hour=day.hour,
                    mood=mood,
                    anxiety=5,
                    emotions=[],
                    tags=[],
                    risk_level="none",
                    source="test",
                )
            )


def _recompute(rt, client_id: int):  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return signals_service.recompute(
            db, AuditContext(None, "test"), rt.vault, client_id=client_id, now=NOW
        )


def test_low_checkin_mood_raises_the_score_and_is_explained(rt, personas) -> None:  # type: ignore[no-untyped-def]
    _setup(rt, personas.client)
    shared = _recompute(rt, personas.client)
    assert shared is not None and "mood" in shared.explanation
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            AuditContext(Actor(personas.client, Role.CLIENT), "test"),
            client_id=personas.client,
            wanted={(Stream.CHECKINS, Purpose.CARE_TEAM): False},
        )
    private = _recompute(rt, personas.client)
    assert private is not None and "mood" not in private.explanation
    assert shared.score is not None and private.score is not None
    assert shared.score > private.score
