"""The journal end to end: write, edit, search, delete as the owner (browser forms and API),
encrypted at rest, screened first on every save, and read by the care team only with consent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mindbridge.access.domain import Purpose, Stream
from mindbridge.alerts.models import Alert
from mindbridge.audit.service import AuditContext
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction
from mindbridge.journal.models import JournalEntry
from mindbridge.safetyplan import screening
from tests.conftest import PERSONA_EMAILS, csrf_of, login

BODY = "Walked to the allotment and planted the broad beans; felt steadier afterwards."


def _write(client, body: str = BODY, title: str = "") -> Any:  # type: ignore[no-untyped-def]
    return client.post(
        "/journal/new",
        data={"entry_title": title, "body": body, "csrf_token": csrf_of(client, "/journal/new")},
        follow_redirects=False,
    )


def test_write_edit_search_delete(client, rt) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    assert _write(client, title="Saturday").status_code == 303
    assert _write(client, body="Rain all day, stayed in and read.").status_code == 303
    listing = client.get("/journal")
    assert "Saturday" in listing.text and "Rain all day" in listing.text
    found = client.get("/journal", params={"q": "ALLOTMENT beans"})
    assert "1 entry containing" in found.text and "Rain all day" not in found.text
    with transaction(rt.sessions) as db:
        rows = db.execute(select(JournalEntry).order_by(JournalEntry.id)).scalars().all()
        assert len(rows) == 2 and b"allotment" not in rows[0].body_enc
        entry_id = rows[0].id
    edit = client.get(f"/journal/{entry_id}")
    assert edit.status_code == 200 and "broad beans" in edit.text
    response = client.post(
        f"/journal/{entry_id}",
        data={
            "entry_title": "Saturday",
            "body": BODY + " Later: watered them.",
            "version": "1",
            "csrf_token": csrf_of(client, f"/journal/{entry_id}"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    stale = client.post(
        f"/journal/{entry_id}",
        data={"body": "overwrite", "version": "1", "csrf_token": csrf_of(client, "/journal")},
    )
    assert stale.status_code == 409 and "overwrite" in stale.text  # kept, not lost
    assert "watered them" in client.get(f"/journal/{entry_id}").text
    token = csrf_of(client, "/journal")
    client.post(f"/journal/{entry_id}/delete", data={"csrf_token": token})
    assert "broad beans" not in client.get("/journal").text
    with transaction(rt.sessions) as db:
        assert len(db.execute(select(JournalEntry)).all()) == 1


def test_edits_are_screened_first(client, rt, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    real = screening.screen_and_record

    def spy(db, ctx, vault, **kw):  # type: ignore[no-untyped-def]
        calls.append(kw["text"])
        return real(db, ctx, vault, **kw)

    monkeypatch.setattr(screening, "screen_and_record", spy)
    login(client, PERSONA_EMAILS["client"])
    headers = {"X-CSRF-Token": csrf_of(client, "/")}
    created = client.post("/api/v1/journal", json={"body": "first words"}, headers=headers)
    assert created.status_code == 201
    entry_id = created.json()["id"]
    put = client.put(
        f"/api/v1/journal/{entry_id}", json={"body": "second words", "version": 1}, headers=headers
    )
    assert put.status_code == 200 and put.json()["version"] == 2
    form = client.post(
        f"/journal/{entry_id}",
        data={"body": "third words", "csrf_token": csrf_of(client, f"/journal/{entry_id}")},
        follow_redirects=False,
    )
    assert form.status_code == 303
    assert [c for c in calls if "words" in c] == ["first words", "second words", "third words"]


def test_crisis_entry_shows_response_and_alerts(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    response = _write(client, body="I can't go on. I want to end my life and I have a plan.")
    assert response.status_code == 200 and 'id="crisis"' in response.text
    with transaction(rt.sessions) as db:
        assert db.execute(select(Alert.client_id)).scalar_one() == personas.client


def test_api_round_trip_and_errors(client, rt) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    headers = {"X-CSRF-Token": csrf_of(client, "/")}
    bad = client.post("/api/v1/journal", json={"body": "<p> </p>"}, headers=headers)
    assert bad.status_code == 422 and "body" in bad.text
    made = client.post("/api/v1/journal", json={"title": "T", "body": "hello"}, headers=headers)
    entry_id = made.json()["id"]
    assert [e["title"] for e in client.get("/api/v1/journal").json()] == ["T"]
    conflict = client.put(
        f"/api/v1/journal/{entry_id}", json={"body": "x", "version": 7}, headers=headers
    )
    assert conflict.status_code == 409
    assert client.delete(f"/api/v1/journal/{entry_id}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/journal/{entry_id}", headers=headers).status_code == 404


def test_other_client_cannot_reach_an_entry(client, rt) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    _write(client)
    with transaction(rt.sessions) as db:
        entry_id = db.execute(select(JournalEntry.id)).scalar_one()
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    login(client, PERSONA_EMAILS["other_client"])
    assert client.get(f"/journal/{entry_id}").status_code == 404
    headers = {"X-CSRF-Token": csrf_of(client, "/")}
    assert client.delete(f"/api/v1/journal/{entry_id}", headers=headers).status_code == 404


def test_care_team_reads_only_when_shared(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    _write(client)
    assert "Only you can read your journal" in client.get("/journal").text
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    login(client, PERSONA_EMAILS["clinician"])
    url = f"/clients/{personas.client}/journal"
    assert client.get(url).status_code == 404  # the fixture client keeps the journal private
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            AuditContext(actor=None, request_id="t"),
            client_id=personas.client,
            wanted={(Stream.JOURNAL, Purpose.CARE_TEAM): True},
        )
    page = client.get(url)
    assert page.status_code == 200 and "broad beans" in page.text
