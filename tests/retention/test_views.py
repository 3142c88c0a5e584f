"""The admins' retention and consent pages: forms, 422s naming the field, and who gets in."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from mindbridge.audit.models import AuditEvent
from mindbridge.db import transaction
from mindbridge.retention.domain import KEEP, Kind
from mindbridge.retention.models import RetentionRule
from tests.conftest import csrf_of

VALID = {k.value: KEEP for k in Kind} | {"outbox_delivered": "60", "signal_observations": "365"}


def _rules(rt) -> dict[str, int | None]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return dict(db.execute(select(RetentionRule.kind, RetentionRule.days)).all())  # type: ignore[arg-type]


def _audit_count(rt, action: str) -> int:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        return int(db.execute(query).scalar_one())


def test_admin_sees_the_policy_and_what_never_expires(login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    page = client.get("/admin/retention")
    assert page.status_code == 200
    for text in ("Companion conversation transcripts", "Never removed", "The audit log", "Alerts"):
        assert text in page.text
    assert 'name="outbox_delivered" value="90"' in page.text
    assert 'name="companion_transcript" value="keep"' in page.text
    assert 'href="/admin/retention"' in client.get("/admin").text
    assert 'href="/admin/consent"' in client.get("/admin").text


def test_saving_the_form_stores_and_audits(rt, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    token = csrf_of(client, "/admin/retention")
    response = client.post(
        "/admin/retention", data=VALID | {"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/retention?saved=")
    rules = _rules(rt)
    assert rules["outbox_delivered"] == 60 and rules["signal_observations"] == 365
    assert rules["sessions_ended"] is None
    assert _audit_count(rt, "retention.policy.update") == 1
    page = client.get(response.headers["location"])
    assert "Saved." in page.text and 'name="outbox_delivered" value="60"' in page.text


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("companion_transcript", "30", "Companion conversation transcripts"),
        ("notifications_read", "-1", "Read in-app notifications"),
        ("signal_observations", "60", "Raw passive-signal observations"),
        ("login_attempts", "", "Login attempts"),
        ("tokens_spent", "ninety", "Used or expired invitation and reset links"),
    ],
)
def test_invalid_values_give_422_naming_the_field_and_write_nothing(  # type: ignore[no-untyped-def]
    rt, login_as, field, value, label
) -> None:
    client = login_as("admin")
    token = csrf_of(client, "/admin/retention")
    response = client.post("/admin/retention", data=VALID | {field: value, "csrf_token": token})
    assert response.status_code == 422
    assert "Nothing was saved" in response.text and label in response.text
    assert f'id="r-{field}-days" name="{field}" value="{value}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert _rules(rt) == {}
    assert _audit_count(rt, "retention.policy.update") == 0


def test_a_missing_field_is_refused(rt, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    token = csrf_of(client, "/admin/retention")
    data = {k: v for k, v in VALID.items() if k != "sessions_ended"}
    response = client.post("/admin/retention", data=data | {"csrf_token": token})
    assert response.status_code == 422 and "Ended login sessions" in response.text
    assert _rules(rt) == {}


def test_the_form_needs_its_csrf_token(rt, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    assert client.post("/admin/retention", data=VALID).status_code == 403
    assert _rules(rt) == {}


@pytest.mark.parametrize("persona", ["clinician", "other_clinician", "client", "other_client"])
def test_non_admins_get_404(rt, login_as, persona) -> None:  # type: ignore[no-untyped-def]
    client = login_as(persona)
    token = csrf_of(client, "/login")
    assert client.get("/admin/retention").status_code == 404
    assert client.get("/admin/consent").status_code == 404
    posted = client.post("/admin/retention", data=VALID | {"csrf_token": token})
    assert posted.status_code == 404
    assert _rules(rt) == {}
    assert _audit_count(rt, "consent.overview.read") == 0


def test_anonymous_is_sent_to_login(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/admin/retention", "/admin/consent"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_consent_overview_shows_counts_only_and_is_audited(rt, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    page = client.get("/admin/consent")
    assert page.status_code == 200
    assert "Daily check-ins" in page.text and "fewer than 5" in page.text
    assert "Other Client" not in page.text and "client@test.example" not in page.text
    assert _audit_count(rt, "consent.overview.read") == 1
    with transaction(rt.sessions) as db:
        entry = db.execute(
            select(AuditEvent).where(AuditEvent.action == "consent.overview.read")
        ).scalar_one()
    assert json.loads(entry.detail) == {"clients": 2}
