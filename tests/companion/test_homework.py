"""Homework through real HTTP: a clinician sets it, the client sees it on /today, the companion
brings it up on greeting and walks through it, and completion (with the answers only while the
client shares the companion) goes back to the clinician; overdue items show; the overview
sections summarise; one-tap starts and "talk to a person" still work with suggestions wired."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from mindbridge.access.domain import Actor, Purpose, Record, Role, Stream
from mindbridge.audit.service import AuditContext
from mindbridge.companion.models import HomeworkAssignment
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.models import OutboxEvent
from mindbridge.workspace import sections
from tests.assessments.support import grant
from tests.conftest import PERSONA_EMAILS, csrf_of, login

GROUNDING_ANSWERS = [
    "4",
    "a lamp, a cup, a book, a door, a window",
    "my feet, the chair, my shirt, the floor",
    "birds, a car, the fridge",
    "coffee, soap",
    "water",
    "calmer",
    "7",
    "4",
]


def _api(client, text: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/companion/messages",
        json={"text": text},
        headers={"X-CSRF-Token": csrf_of(client, "/companion")},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _assign(client, client_id: int, **data: str):  # type: ignore[no-untyped-def]
    url = f"/clients/{client_id}/homework"
    return client.post(
        url, data={**data, "csrf_token": csrf_of(client, url)}, follow_redirects=False
    )


def test_homework_round_trip_through_http(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    due = (utcnow() + timedelta(days=3)).date().isoformat()
    made = _assign(
        client,
        personas.client,
        exercise="grounding_54321",
        due=due,
        note="Try it on the bus before work.",
    )
    assert made.status_code == 303
    with transaction(rt.sessions) as db:
        (row,) = db.execute(select(HomeworkAssignment)).scalars().all()
        assert b"bus" not in (row.note_enc or b"")  # the note is encrypted at rest

    login(client, PERSONA_EMAILS["client"])
    today = client.get("/today")
    assert "Your homework" in today.text and "5-4-3-2-1 grounding" in today.text
    assert "Try it on the bus before work." in today.text and f"due {due}" in today.text

    hello = _api(client, "hello")
    assert any("5-4-3-2-1 grounding" in m and due in m for m in hello["reply"]), hello
    assert any('added: "Try it on the bus before work."' in m for m in hello["reply"]), hello
    assert _api(client, "yes")["flow"] == "grounding_54321"
    replies = [_api(client, line) for line in GROUNDING_ANSWERS]
    assert any("That's your homework done" in m for m in replies[-1]["reply"])

    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/clients/{personas.client}/homework")
    assert page.status_code == 200
    assert "done " in page.text and "helpfulness 4/5" in page.text and "change: calmer" in page.text

    with transaction(rt.sessions) as db:
        ctx = AuditContext(Actor(personas.client, Role.CLIENT), "test")
        consent_service.set_consent(
            db,
            ctx,
            client_id=personas.client,
            wanted={(Stream.COMPANION, Purpose.CARE_TEAM): False},
        )
    private = client.get(f"/clients/{personas.client}/homework")
    assert private.status_code == 200 and "not shared" in private.text
    assert "calmer" not in private.text and "helpfulness 4/5" not in private.text
    assert "done " in private.text  # completion itself is the care record
    login(client, PERSONA_EMAILS["other_clinician"])
    assert client.get(f"/clients/{personas.client}/homework").status_code == 404


def test_overdue_and_validation_and_withdrawal(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    past = (utcnow() - timedelta(days=2)).date().isoformat()
    refused = _assign(client, personas.client, exercise="worry_time", due=past)
    assert refused.status_code == 422 and "due: the due date cannot be in the past" in refused.text
    bad_date = _assign(client, personas.client, exercise="worry_time", due="next week")
    assert bad_date.status_code == 422 and "due:" in bad_date.text
    unknown = _assign(client, personas.client, exercise="juggling", due=past)
    assert unknown.status_code == 422 and "exercise:" in unknown.text
    gated = _assign(
        client,
        personas.client,
        exercise="cbti_sleep_restriction",
        due=utcnow().date().isoformat(),
    )
    assert gated.status_code == 422 and "needs clinician approval" in gated.text
    ok = _assign(client, personas.client, exercise="worry_time", due=utcnow().date().isoformat())
    assert ok.status_code == 303
    with transaction(rt.sessions) as db:
        (row,) = db.execute(select(HomeworkAssignment)).scalars().all()
        row.due = row.due - timedelta(days=3)  # time passes
        homework_id = row.id
    page = client.get(f"/clients/{personas.client}/homework")
    assert "overdue" in page.text
    login(client, PERSONA_EMAILS["client"])
    assert "overdue" in client.get("/today").text
    by_client = _assign(
        client, personas.client, exercise="worry_time", due=utcnow().date().isoformat()
    )
    assert by_client.status_code == 422
    login(client, PERSONA_EMAILS["clinician"])
    url = f"/clients/{personas.client}/homework"
    gone = client.post(
        f"{url}/{homework_id}/cancel",
        data={"csrf_token": csrf_of(client, url)},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    login(client, PERSONA_EMAILS["client"])
    assert "Your homework" not in client.get("/today").text
    with transaction(rt.sessions) as db:
        assert len(db.execute(select(HomeworkAssignment)).scalars().all()) == 1


def test_one_tap_start_from_today_and_talk_to_a_person(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    today = client.get("/today")
    assert "Suggested for you" in today.text and 'name="start"' in today.text
    started = client.post(
        "/companion",
        data={"start": "paced_breathing", "csrf_token": csrf_of(client, "/companion")},
    )
    assert started.status_code == 200 and "let&#39;s start: Slow breathing" in started.text
    unknown = client.post(
        "/companion", data={"start": "juggling", "csrf_token": csrf_of(client, "/companion")}
    )
    assert unknown.status_code == 422
    _api(client, "stop")
    hello = _api(client, "hello")
    assert len(hello["suggestions"]) == 3  # the top suggestion and two alternatives
    person = _api(client, "talk to a person")
    assert "let Clinician know" in " ".join(person["reply"])
    with transaction(rt.sessions) as db:
        events = db.execute(select(OutboxEvent).where(OutboxEvent.kind == "notify")).scalars()
        payloads = [json.loads(e.payload) for e in events]
    handoffs = [p["user_id"] for p in payloads if p["kind"] == "companion_handoff"]
    assert handoffs == [personas.clinician]


def test_overview_sections_summarise(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    assert (
        _assign(
            client, personas.client, exercise="worry_time", due=utcnow().date().isoformat()
        ).status_code
        == 303
    )
    login(client, PERSONA_EMAILS["client"])
    assert "worry time" in " ".join(_api(client, "hello")["reply"]).lower()  # homework first
    assert len(_api(client, "what should I do")["suggestions"]) == 3
    found = {s.key: s for s in sections.sections()}
    assert found["recommendations"].order == 60 and found["homework"].order == 65
    assert found["recommendations"].resource is Stream.COMPANION
    assert found["homework"].resource is Record.CARE_RECORD
    with transaction(rt.sessions) as db:
        g = grant(db, personas.clinician, Role.CLINICIAN, personas.client, Stream.COMPANION)
        rec = str(found["recommendations"].render(db, g, rt))
        h = grant(db, personas.clinician, Role.CLINICIAN, personas.client, Record.CARE_RECORD)
        hw = str(found["homework"].render(db, h, rt))
    assert "Last suggested" in rec and "1 suggestions" in rec
    assert "1 open (0 overdue), 0 done" in hw


BREATHING = ["5", "3 minutes", "done", "no thanks", "7", "4"]


def test_daily_homework_comes_back_the_next_day_until_its_end(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    from mindbridge.companion import reminders

    login(client, PERSONA_EMAILS["clinician"])
    today = utcnow().date()
    bad = _assign(
        client,
        personas.client,
        exercise="paced_breathing",
        due=today.isoformat(),
        repeat_until=today.isoformat(),
    )
    assert bad.status_code == 422 and "repeat_until" in bad.text
    made = _assign(
        client,
        personas.client,
        exercise="paced_breathing",
        due=today.isoformat(),
        repeat_until=(today + timedelta(days=1)).isoformat(),
    )
    assert made.status_code == 303
    page = client.get(f"/clients/{personas.client}/homework").text
    assert f"every day until {(today + timedelta(days=1)).isoformat()}; done 0 times" in page
    client.post("/logout", data={"csrf_token": csrf_of(client, "/caseload")})

    login(client, PERSONA_EMAILS["client"])

    def do_it() -> None:
        client.post(
            "/companion",
            data={"start": "paced_breathing", "csrf_token": csrf_of(client, "/companion")},
        )
        for text in BREATHING:
            _api(client, text)

    do_it()
    with transaction(rt.sessions) as db:
        row = db.execute(select(HomeworkAssignment)).scalar_one()
        assert (row.status, row.due, row.done_count) == ("open", today + timedelta(days=1), 1)
        assert row.companion_outcome_id is not None
        nudges = db.execute(select(OutboxEvent).where(OutboxEvent.kind == reminders.KIND)).scalars()
        mornings = {e.available_at.date() for e in nudges}
        assert today + timedelta(days=1) in mornings  # the reminder for the next day
    with transaction(rt.sessions) as db:  # the last day comes (the client's clock moves on)
        row = db.execute(select(HomeworkAssignment)).scalar_one()
        row.due = row.repeat_until = today
    do_it()
    with transaction(rt.sessions) as db:
        row = db.execute(select(HomeworkAssignment)).scalar_one()
        assert (row.status, row.done_count) == ("done", 2)
