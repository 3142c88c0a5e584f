"""Alert lifecycle on the platform: the safety core's rules, transitions, audit, encryption,
configurable targets, the imminent-risk consent policy and escalation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from mindbridge.access.domain import Purpose, Stream
from mindbridge.alerts import service as alerts_service
from mindbridge.alerts import tasks as alerts_tasks
from mindbridge.alerts.models import Alert, AlertTransition
from mindbridge.audit.models import AuditEvent
from mindbridge.audit.service import AuditContext
from mindbridge.config import ConfigError, Settings, parse_alert_targets
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction, utcnow
from mindbridge.jobs import outbox
from mindbridge.jobs.models import OutboxEvent
from mindbridge.notifications.models import Notification
from tests.conftest import PERSONA_EMAILS, csrf_of, login

SYSTEM = AuditContext(actor=None, request_id="test")


def _raise(rt, personas, level: str = "elevated", **kw):  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        alert = alerts_service.raise_alert(
            db,
            SYSTEM,
            rt.vault,
            client_id=personas.client,
            level=level,
            source="journal",
            summary=f"{level} test alert",
            stream=kw.pop("stream", None),
            evidence={"text": "the words that worried us"},
            **kw,
        )
        return alert.id if alert else None


def _actions(rt, alert_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return list(
            db.execute(
                select(AuditEvent.action)
                .where(AuditEvent.resource_type == "alert", AuditEvent.resource_id == str(alert_id))
                .order_by(AuditEvent.id)
            ).scalars()
        )


def test_targets_setting_is_validated_and_used(rt, personas) -> None:  # type: ignore[no-untyped-def]
    assert parse_alert_targets("imminent=5, elevated=60")["elevated"] == timedelta(minutes=60)
    assert parse_alert_targets("")["deterioration"] == timedelta(minutes=4320)
    with pytest.raises(ValueError) as bad:
        parse_alert_targets("imminent=0,soon=3,elevated=x")
    message = str(bad.value)
    assert "imminent=0" in message and "soon=3" in message and "elevated=x" in message
    with pytest.raises(ValueError, match="more urgent"):
        parse_alert_targets("imminent=120,elevated=60")
    with pytest.raises(ValueError):
        Settings(alert_target_minutes="imminent=-1")
    assert isinstance(ConfigError("x"), RuntimeError)

    rt.settings.alert_target_minutes = "imminent=7,elevated=90,deterioration=600"
    alert_id = _raise(rt, personas, "imminent")
    with transaction(rt.sessions) as db:
        alert = db.get(Alert, alert_id)
        assert alert is not None
        assert alert.due_at - alert.created_at == timedelta(minutes=7)


def test_imminent_override_is_a_setting(rt, personas) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            SYSTEM,
            client_id=personas.client,
            wanted={(Stream.JOURNAL, Purpose.AUTOMATED_ALERTS): False},
        )
    overridden = _raise(rt, personas, "imminent", stream=Stream.JOURNAL)
    assert overridden is not None
    with transaction(rt.sessions) as db:
        assert db.get(Alert, overridden).consent_override  # type: ignore[union-attr]
        db.execute(update(Alert).values(status="resolved"))
    rt.settings.imminent_overrides_consent = False
    assert _raise(rt, personas, "imminent", stream=Stream.JOURNAL) is None


def test_acknowledge_then_resolve_with_encrypted_note(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    alert_id = _raise(rt, personas)
    login(client, PERSONA_EMAILS["clinician"])
    inbox = client.get("/alerts")
    assert inbox.status_code == 200 and "elevated test alert" in inbox.text
    assert f'action="/alerts/{alert_id}/acknowledge"' in inbox.text
    token = csrf_of(client, "/alerts")

    # Resolving before acknowledging is refused by the core's rules (409).
    early = client.post(f"/alerts/{alert_id}/resolve", data={"note": "x", "csrf_token": token})
    assert early.status_code == 409 and "acknowledge it first" in early.text

    ack = client.post(
        f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token}, follow_redirects=False
    )
    assert ack.status_code == 303
    again = client.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token})
    assert again.status_code == 409

    empty = client.post(f"/alerts/{alert_id}/resolve", data={"note": "  ", "csrf_token": token})
    assert empty.status_code == 422 and "needs a note" in empty.text
    done = client.post(
        f"/alerts/{alert_id}/resolve",
        data={"note": "Phoned the client; safe, seeing them tomorrow.", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303

    detail = client.get(f"/alerts/{alert_id}")
    assert detail.status_code == 200
    assert "the words that worried us" in detail.text  # evidence decrypted for the care team
    assert "Phoned the client; safe" in detail.text
    assert "open → acknowledged" in detail.text and "acknowledged → resolved" in detail.text

    with transaction(rt.sessions) as db:
        alert = db.get(Alert, alert_id)
        assert alert is not None and alert.status == "resolved"
        assert alert.acknowledged_by == personas.clinician == alert.resolved_by
        assert alert.resolution_note_enc and b"Phoned" not in alert.resolution_note_enc
        steps = [
            (t.from_status, t.to_status)
            for t in db.execute(
                select(AlertTransition)
                .where(AlertTransition.alert_id == alert_id)
                .order_by(AlertTransition.id)
            ).scalars()
        ]
        assert steps == [("", "open"), ("open", "acknowledged"), ("acknowledged", "resolved")]
        details = [
            e.detail
            for e in db.execute(
                select(AuditEvent).where(AuditEvent.resource_type == "alert")
            ).scalars()
        ]
        assert not any("Phoned" in str(d) or "worried" in str(d) for d in details)
    actions = _actions(rt, alert_id)
    assert actions.count("alert.acknowledge") == 1 and actions.count("alert.resolve") == 1
    assert actions.count("alert.view") >= 2  # the inbox view and the detail view
    assert client.get("/alerts").text.count(f'/alerts/{alert_id}"') == 0  # resolved: gone


def test_other_clinician_and_client_cannot_see_the_alert(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    alert_id = _raise(rt, personas)
    login(client, PERSONA_EMAILS["other_clinician"])
    assert "elevated test alert" not in client.get("/alerts").text
    assert client.get(f"/alerts/{alert_id}").status_code == 404
    token = csrf_of(client, "/alerts")
    assert (
        client.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token}).status_code
        == 404
    )
    client.post("/logout", data={"csrf_token": token})
    login(client, PERSONA_EMAILS["client"])
    assert client.get(f"/alerts/{alert_id}").status_code == 404
    with transaction(rt.sessions) as db:
        assert db.get(Alert, alert_id).status == "open"  # type: ignore[union-attr]


def test_caseload_links_to_the_inbox(client, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    assert 'href="/alerts"' in client.get("/caseload").text


def _escalation_notes(rt) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return [
            (n.user_id, n.kind)
            for n in db.execute(select(Notification).order_by(Notification.id)).scalars()
            if n.kind.startswith("alert.escalated")
        ]


def test_overdue_alert_escalates_on_call_then_admin_once_each(rt, personas) -> None:  # type: ignore[no-untyped-def]
    rt.settings.on_call_email = PERSONA_EMAILS["other_clinician"]
    alert_id = _raise(rt, personas, "imminent")
    outbox.dispatch_pending(rt.sessions)
    now = utcnow()
    assert alerts_tasks.run_escalations(rt.sessions, rt.settings, now=now) == 0  # not yet due
    later = now + timedelta(minutes=16)
    assert alerts_tasks.run_escalations(rt.sessions, rt.settings, now=later) == 1
    assert alerts_tasks.run_escalations(rt.sessions, rt.settings, now=later) == 0  # once
    outbox.dispatch_pending(rt.sessions)
    assert _escalation_notes(rt) == [(personas.other_clinician, "alert.escalated.on_call")]
    with transaction(rt.sessions) as db:
        alert = db.get(Alert, alert_id)
        assert alert is not None and alert.tier == "on_call" and alert.escalated_at == later

    much_later = later + timedelta(minutes=16)
    assert alerts_tasks.run_escalations(rt.sessions, rt.settings, now=much_later) == 1
    assert alerts_tasks.run_escalations(rt.sessions, rt.settings, now=much_later) == 0
    outbox.dispatch_pending(rt.sessions)
    assert _escalation_notes(rt)[1:] == [(personas.admin, "alert.escalated.admin")]
    with transaction(rt.sessions) as db:
        emails = [
            json.loads(e.payload)["to"]
            for e in db.execute(select(OutboxEvent).where(OutboxEvent.kind == "email")).scalars()
            if "overdue" in json.loads(e.payload)["subject"]
        ]
    assert emails == [PERSONA_EMAILS["other_clinician"], PERSONA_EMAILS["admin"]]
    assert _actions(rt, alert_id).count("alert.escalate") == 2


def test_acknowledged_alert_never_escalates_and_no_on_call_means_admins(rt, personas) -> None:  # type: ignore[no-untyped-def]
    rt.settings.on_call_email = None
    quiet = _raise(rt, personas, "imminent")
    with transaction(rt.sessions) as db:
        db.execute(update(Alert).where(Alert.id == quiet).values(status="acknowledged"))
    later = utcnow() + timedelta(days=30)
    assert alerts_tasks.run_escalations(rt.sessions, rt.settings, now=later) == 0
    _raise(rt, personas, "elevated")
    assert alerts_tasks.run_escalations(rt.sessions, rt.settings, now=later) == 1
    outbox.dispatch_pending(rt.sessions)
    assert _escalation_notes(rt) == [(personas.admin, "alert.escalated.on_call")]


def test_on_call_clinician_can_open_and_acknowledge_an_escalated_alert(  # type: ignore[no-untyped-def]
    rt, personas, client
) -> None:
    rt.settings.on_call_email = PERSONA_EMAILS["other_clinician"]
    alert_id = _raise(rt, personas, "imminent")
    login(client, PERSONA_EMAILS["other_clinician"])  # not on this client's care team
    assert client.get(f"/alerts/{alert_id}").status_code == 404  # not escalated yet
    later = utcnow() + timedelta(minutes=16)
    assert alerts_tasks.run_escalations(rt.sessions, rt.settings, now=later) == 1
    page = client.get(f"/alerts/{alert_id}")
    assert page.status_code == 200 and "the words that worried us" in page.text
    response = client.post(
        f"/alerts/{alert_id}/acknowledge",
        data={"csrf_token": csrf_of(client, f"/alerts/{alert_id}")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with transaction(rt.sessions) as db:
        alert = db.get(Alert, alert_id)
        assert alert is not None and alert.status == "acknowledged"
        purposes = (
            db.execute(select(AuditEvent.purpose).where(AuditEvent.resource_id == str(alert_id)))
            .scalars()
            .all()
        )
    assert alerts_service.ON_CALL_PURPOSE in purposes
    # The on-call role opens the alert, not the client's record.
    assert client.get(f"/clients/{personas.client}").status_code == 404


def test_inbox_states_the_response_targets(client, rt) -> None:  # type: ignore[no-untyped-def]
    rt.settings.alert_target_minutes = "imminent=15,elevated=1440,deterioration=4320"
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get("/alerts").text
    assert "imminent within 15 minutes" in page and "elevated within 1 day" in page
    assert "deterioration within 3 days" in page
