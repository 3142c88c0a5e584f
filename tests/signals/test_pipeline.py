"""After an import and in the daily job: the alert is raised once, through the alerts
capability, only with consent, and the cool-down holds across runs; a completeness drop nudges
the client instead."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mindbridge.access.domain import Action
from mindbridge.alerts.models import Alert
from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.models import OutboxEvent
from mindbridge.signals import service as signals_service
from mindbridge.signals import tasks as signals_tasks
from mindbridge.signals.models import SignalAlert, SignalDay, SignalNudge
from tests.signals.support import NOW, consent, count, days_of, generic_csv, grant

TODAY = NOW.date()


def _import(rt, client_id: int, pattern: str):  # type: ignore[no-untyped-def]
    data = generic_csv(days_of(pattern, last_day=TODAY, days=60, tz="UTC"))
    with transaction(rt.sessions) as db:
        g = grant(db, client_id, Action.WRITE)
        return signals_service.import_file(db, g, rt.vault, source=data, fmt="generic", now=NOW)


def _nudges(rt) -> list[str]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        payloads = db.execute(select(OutboxEvent.payload).where(OutboxEvent.kind == "notify"))
        return [p for p in payloads.scalars() if "signals.nudge" in p]


def test_alert_is_raised_once_and_the_cool_down_holds_across_runs(rt, personas) -> None:  # type: ignore[no-untyped-def]
    consent(rt, personas.client, automated_alerts=True)
    report = _import(rt, personas.client, "deteriorating")
    assert report.result is not None and report.result.alerted, report.result
    assert report.result.score is not None and report.result.score >= 0.5
    assert "steps down" in report.result.explanation
    with transaction(rt.sessions) as db:
        alert = db.execute(select(Alert)).scalar_one()
        assert (alert.level, alert.source, alert.client_id) == (
            "deterioration",
            "signals",
            personas.client,
        )
        assert "steps" not in alert.summary  # no health detail in lists and email
        outbox_kinds = db.execute(select(OutboxEvent.kind)).scalars().all()
    assert "alert.deliver" in outbox_kinds

    run = signals_tasks.refresh_all(rt.sessions, rt.vault, now=NOW)  # same day, again
    assert (run.clients, run.alerts, run.failed) == (1, 0, 0)
    for later in (1, 3):  # fresh processes on later days: the stored alert keeps the cool-down
        with transaction(rt.sessions) as db:
            result = signals_service.recompute(
                db,
                AuditContext(None, "test"),
                rt.vault,
                client_id=personas.client,
                now=NOW + timedelta(days=later),
            )
        assert result is not None and not result.alerted
        assert result.score is not None and result.score >= 0.5
        assert "cool-down" in result.alert_reason
    assert count(rt, Alert) == 1 and count(rt, SignalAlert) == 1


def test_no_automated_alert_consent_means_no_alert(rt, personas) -> None:  # type: ignore[no-untyped-def]
    report = _import(rt, personas.client, "deteriorating")  # the fixture shares with care team only
    assert report.result is not None and report.result.score is not None
    assert report.result.score >= 0.5 and not report.result.alerted
    assert "consent" in report.result.alert_reason
    assert count(rt, Alert) == 0 and count(rt, SignalAlert) == 0


def test_a_steady_client_gets_no_alert(rt, personas) -> None:  # type: ignore[no-untyped-def]
    consent(rt, personas.client, automated_alerts=True)
    report = _import(rt, personas.client, "steady")
    assert report.result is not None and not report.result.alerted
    assert count(rt, Alert) == 0


def test_a_sync_gap_nudges_the_client_once_and_alerts_nobody(rt, personas) -> None:  # type: ignore[no-untyped-def]
    consent(rt, personas.client, automated_alerts=True)
    report = _import(rt, personas.client, "sync_gap")
    assert report.result is not None and set(report.result.nudged) == {"sleep", "steps"}
    nudges = _nudges(rt)
    assert len(nudges) == 2 and all(f'"user_id": {personas.client}' in n for n in nudges)
    assert any("syncing" in n or "synced" in n for n in nudges)
    signals_tasks.refresh_all(rt.sessions, rt.vault, now=NOW + timedelta(hours=6))
    assert len(_nudges(rt)) == 2 and count(rt, SignalNudge) == 2
    assert count(rt, Alert) == 0


def test_nothing_is_processed_once_the_client_stops_sharing(rt, personas) -> None:  # type: ignore[no-untyped-def]
    observations = days_of("sync_gap", last_day=TODAY, days=60, tz="UTC")
    with transaction(rt.sessions) as db:  # stored earlier, while the client shared signals
        parsed = signals_service.parse_file("generic", generic_csv(observations), "UTC")
        signals_service._write_observations(db, personas.client, parsed.observations, None)
    consent(rt, personas.client, care_team=False)  # signals now shared with nobody
    run = signals_tasks.refresh_all(rt.sessions, rt.vault, now=NOW)
    assert (run.clients, run.nudges) == (1, 0) and _nudges(rt) == []
    assert count(rt, SignalDay) == 0
    consent(rt, personas.client, care_team=True)
    assert signals_tasks.refresh_all(rt.sessions, rt.vault, now=NOW).nudges == 2


def test_the_periodic_task_alerts_and_the_alert_page_shows_the_reasons(  # type: ignore[no-untyped-def]
    rt, personas, client
) -> None:
    from tests.conftest import PERSONA_EMAILS, login

    consent(rt, personas.client, automated_alerts=True)
    now = utcnow()
    observations = days_of("deteriorating", last_day=now.date(), days=60, tz="UTC", until=now)
    with transaction(rt.sessions) as db:  # stored without the import's own recompute
        parsed = signals_service.parse_file("generic", generic_csv(observations), "UTC")
        signals_service._write_observations(db, personas.client, parsed.observations, None)
    assert count(rt, Alert) == 0
    assert signals_tasks.signals_daily.call_local() == 1  # one client recomputed
    assert signals_tasks.signals_daily.call_local() == 1  # again: nothing new is sent
    with transaction(rt.sessions) as db:
        alert = db.execute(select(Alert)).scalar_one()
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/alerts/{alert.id}")
    assert page.status_code == 200 and "Passive signals changed from usual" in page.text
    assert "steps down" in page.text
