"""Safety plans: client and care-team editing, encryption and versions, screening of every edit
(elevated -> care team should look, imminent -> crisis response + imminent alert), print view,
the help page, the crisis panel, the one-tap link and the admins' crisis directory."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from mindbridge.alerts.models import Alert
from mindbridge.audit.models import AuditEvent
from mindbridge.db import transaction
from mindbridge.safetyplan.models import CrisisDirectoryVersion, SafetyPlanVersion
from tests.conftest import PERSONA_EMAILS, csrf_of, login

CALM = {
    "warning_signs": "Not sleeping\nSkipping meals",
    "coping_strategies": "Going for a walk\nMusic",
    "social_distractions": "Cafe on Main Street",
    "help_contacts": "Anna, +1 555 010 1234, my sister",
    "professionals": "Dr Lee, +1 555 010 9999",
    "environment_safety": "Give my spare medication to Anna",
    "reasons_for_living": "My dog",
}


def _save(client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(
        url, data={**data, "csrf_token": csrf_of(client, url)}, follow_redirects=False
    )


def _alerts(rt) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return [(a.level, a.source) for a in db.execute(select(Alert).order_by(Alert.id)).scalars()]


def test_client_builds_plan_stored_encrypted_and_versioned(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/safety-plan")
    assert page.status_code == 200
    for title in ("1. My warning signs", "6. Making my surroundings safer"):
        assert title in page.text
    saved = _save(client, "/safety-plan", CALM)
    assert saved.status_code == 303 and saved.headers["location"] == "/safety-plan?saved=1"
    shown = client.get("/safety-plan?saved=1").text
    assert "Going for a walk" in shown and "Anna, +1 555 010 1234, my sister" in shown
    assert (
        _save(
            client, "/safety-plan", CALM | {"reasons_for_living": "My dog\nMy garden"}
        ).status_code
        == 303
    )
    with transaction(rt.sessions) as db:
        rows = list(
            db.execute(select(SafetyPlanVersion).order_by(SafetyPlanVersion.version)).scalars()
        )
    assert [r.version for r in rows] == [1, 2]
    assert all(b"Going for a walk" not in r.plan_enc for r in rows)
    assert _alerts(rt) == []  # nothing worrying: no alert

    printable = client.get("/safety-plan/print")
    assert printable.status_code == 200 and "My garden" in printable.text
    assert "@media print" in printable.text and "/static/app.css" not in printable.text
    text = client.get("/safety-plan/print?format=text")
    assert text.headers["content-type"].startswith("text/plain") and "Anna" in text.text


def test_invalid_plan_lists_every_problem_and_saves_nothing(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    bad = _save(
        client, "/safety-plan", CALM | {"help_contacts": "Anna, call me maybe\nBob, not-a-number"}
    )
    assert bad.status_code == 422
    assert bad.text.count("doesn&#39;t look like a phone number") == 2
    assert "Anna, call me maybe" in bad.text  # what they typed is kept
    with transaction(rt.sessions) as db:
        assert db.execute(select(SafetyPlanVersion)).first() is None


def test_elevated_alerts_care_team_imminent_opens_crisis(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    past = CALM | {"warning_signs": "When I think everyone would be better off without me"}
    assert _save(client, "/safety-plan", past).status_code == 303
    assert _alerts(rt) == [("elevated", "safety_plan")]
    now = past | {"coping_strategies": "I have the pills and I am going to take them all tonight"}
    crisis = _save(client, "/safety-plan", now)
    assert crisis.status_code == 200
    assert 'id="crisis-title"' in crisis.text and 'data-template="imminent.v1"' in crisis.text
    assert "988" in crisis.text  # the client's locale is en-US
    assert _alerts(rt) == [("elevated", "safety_plan"), ("imminent", "safety_plan")]
    with transaction(rt.sessions) as db:
        screens = list(
            db.execute(select(AuditEvent).where(AuditEvent.action == "safety.screen")).scalars()
        )
        assert [json.loads(e.detail)["level"] for e in screens] == ["elevated", "imminent"]
        assert not any("pills" in e.detail for e in screens)
        alert = db.execute(select(Alert).where(Alert.level == "imminent")).scalar_one()
        assert b"pills" not in (alert.evidence_enc or b"")
        latest = db.execute(select(func.max(SafetyPlanVersion.version))).scalar_one()
        assert latest == 2


def test_care_team_clinician_co_edits_others_cannot(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    url = f"/clients/{personas.client}/safety-plan"
    login(client, PERSONA_EMAILS["clinician"])
    assert client.get(url).status_code == 200
    assert _save(client, url, CALM).status_code == 303
    token = csrf_of(client, "/caseload")
    client.post("/logout", data={"csrf_token": token})
    login(client, PERSONA_EMAILS["client"])
    assert "Going for a walk" in client.get("/safety-plan").text
    token = csrf_of(client, "/safety-plan")
    client.post("/logout", data={"csrf_token": token})
    login(client, PERSONA_EMAILS["other_clinician"])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, data={**CALM, "csrf_token": csrf_of(client, "/caseload")}).status_code
        == 404
    )


def test_one_tap_help_from_every_client_page(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    for path in ("/today", "/appointments", "/consent", "/safety-plan", "/questionnaires"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'class="help-now" href="/help"' in page.text, path
        assert 'href="/safety-plan"' in page.text, path
    help_page = client.get("/help")
    assert help_page.status_code == 200 and 'data-template="elevated.v1"' in help_page.text
    assert "988" in help_page.text and 'href="/safety-plan"' in help_page.text
    consent = client.get("/consent").text
    assert "even if you have turned automatic alerts off" in consent
    rt.settings.imminent_overrides_consent = False
    assert "even if you have turned automatic alerts off" not in client.get("/consent").text


def test_help_page_is_public_and_follows_the_locale(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/help").status_code == 200
    with transaction(rt.sessions) as db:
        from mindbridge.accounts.models import User

        user = db.get(User, personas.client)
        assert user is not None
        user.locale = "en-GB"
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/help").text
    assert "116 123" in page and "999" in page


def test_admin_edits_crisis_directory_with_every_problem_reported(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["admin"])
    page = client.get("/admin/crisis-resources")
    assert page.status_code == 200 and "988" in page.text
    token = csrf_of(client, "/admin/crisis-resources")
    broken = {
        "resources": [
            {
                "id": "BAD",
                "name": "x",
                "kind": "emergency",
                "regions": ["US"],
                "chat_url": "http://a",
            }
        ]
    }
    bad = client.post(
        "/admin/crisis-resources", data={"document": json.dumps(broken), "csrf_token": token}
    )
    assert bad.status_code == 422
    for words in ("lower-case", "https://", "needs a phone number", "fallback"):
        assert words in bad.text, words
    assert (
        client.post(
            "/admin/crisis-resources", data={"document": "{not json", "csrf_token": token}
        ).status_code
        == 422
    )
    good = {
        "resources": [
            {
                "id": "emergency",
                "name": "Emergency services",
                "kind": "emergency",
                "regions": ["*"],
                "phone": "112",
            },
            {
                "id": "test-line",
                "name": "Test Helpline",
                "kind": "crisis_line",
                "regions": ["US"],
                "phone": "555 0100",
            },
        ]
    }
    ok = client.post(
        "/admin/crisis-resources",
        data={"document": json.dumps(good), "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with transaction(rt.sessions) as db:
        assert len(list(db.execute(select(CrisisDirectoryVersion)).scalars())) == 1
        audited = db.execute(
            select(AuditEvent).where(AuditEvent.action == "crisis_resources.save")
        ).scalar_one()
        assert json.loads(audited.detail)["resources"] == 2
    assert "Test Helpline" in client.get("/help").text
    login(client, PERSONA_EMAILS["clinician"])
    assert client.get("/admin/crisis-resources").status_code == 404


def test_demo_seeds_plans_and_alerts_in_every_state(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    import pytest

    if os.environ.get("MINDBRIDGE_TEST_DATABASE_URL"):
        pytest.skip("the demo test seeds a SQLite database")
    from mindbridge.config import Settings
    from mindbridge.demo.seed import DEMO_CLIENT
    from mindbridge.migrations import upgrade
    from mindbridge.runtime import build_runtime

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    rt = build_runtime(
        Settings(data_dir=tmp_path, database_url=url, kek="k1:" + "ab" * 32, secret_key="s" * 32)
    )
    from mindbridge.accounts.models import User
    from mindbridge.alerts import service as alerts_service
    from mindbridge.demo import seed as demo_seed

    with transaction(rt.sessions) as db:
        demo_seed.seed_demo(db, rt.vault, password="demo passphrase 42")
    with transaction(rt.sessions) as db:
        client_id = db.execute(select(User.id).where(User.email == DEMO_CLIENT)).scalar_one()
        plans = {r.client_id for r in db.execute(select(SafetyPlanVersion)).scalars()}
        assert client_id in plans and len(plans) >= 3
        alerts = list(db.execute(select(Alert).where(Alert.source == "demo")).scalars())
        assert sorted(a.status for a in alerts) == ["acknowledged", "open", "resolved"]
        core = [alerts_service.to_core(a) for a in alerts]
        from mindbridge.db import utcnow
        from mindbridge.safety.alerts import is_overdue

        assert sum(is_overdue(c, utcnow()) for c in core) == 1
    rt.engine.dispose()
