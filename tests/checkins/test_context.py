"""The recommender's context from check-ins, writing and wearables: filled from the streams
the viewer may read, empty for the ones they may not."""

from __future__ import annotations

from datetime import timedelta

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Actor, Purpose, Role, Stream
from mindbridge.audit.service import AuditContext
from mindbridge.checkins import context as checkins_context
from mindbridge.checkins import domain
from mindbridge.checkins import service as checkins_service
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction, utcnow
from mindbridge.recommender import service as recommender_service
from mindbridge.signals.context import wearable_summary


def test_checkins_reach_the_recommender_only_while_shared(rt, personas) -> None:  # type: ignore[no-untyped-def]
    own = AuditContext(Actor(personas.client, Role.CLIENT), "t")
    clinician = AuditContext(Actor(personas.clinician, Role.CLINICIAN), "t")
    now = utcnow()
    with transaction(rt.sessions) as db:
        grant = access_service.authorize(
            db, own, client_id=personas.client, resource=Stream.CHECKINS, action=Action.WRITE
        )
        user = access_service.get_client(db, personas.client)
        for hours, sleep in ((30, 5.0), (6, 4.5)):
            data = domain.validate({"mood": 3, "anxiety": 7, "sleep_hours": sleep})
            data = domain.CheckinInput(
                **{**data.__dict__, "recorded_at": now - timedelta(hours=hours)}
            )
            checkins_service.record(db, grant, rt.vault, client=user, data=data)
        seen = checkins_context.checkin_context(db, clinician, personas.client, now)
        assert [c.sleep_hours for c in seen.checkins] == [5.0, 4.5]
        consent_service.set_consent(
            db, own, client_id=personas.client, wanted={(Stream.CHECKINS, Purpose.CARE_TEAM): False}
        )
        assert checkins_context.checkin_context(db, clinician, personas.client, now).checkins == ()
        assert len(checkins_context.checkin_context(db, own, personas.client, now).checkins) == 2
    assert checkins_context.checkin_context in recommender_service.CONTEXT_PROVIDERS


def test_wearable_summary_compares_with_the_persons_own_weeks() -> None:
    days = [
        (
            b,
            {
                "sleep_h": 5.0 if b < 7 else 7.5,
                "steps": 3000.0 if b < 7 else 8000.0 + (b % 3) * 500,
            },
        )
        for b in range(35)
    ]
    summary = wearable_summary(days)
    assert summary is not None and summary.sleep_hours_mean == 5.0
    assert summary.activity_z is not None and summary.activity_z < -3
    assert wearable_summary([(1, {"sleep_h": None})]) is None
