"""The companion's channels: the chat page (no JavaScript), the REST API, screen-first crisis
handling mid-exercise (fixed text, alert, audit, flow paused), and the care team's view."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from mindbridge.access.domain import Purpose, Stream
from mindbridge.alerts.models import Alert
from mindbridge.audit.models import AuditEvent
from mindbridge.audit.service import AuditContext
from mindbridge.companion.models import CompanionOutcome
from mindbridge.companion.views import timer_view
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction
from mindbridge.safety.screening import screen
from mindbridge.safety.templates import crisis_message_for
from tests.conftest import PERSONA_EMAILS, Personas, csrf_of, login

GROUNDING = [
    "grounding please",
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
    token = csrf_of(client, "/companion")
    response = client.post(
        "/api/v1/companion/messages", json={"text": text}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_greeting_through_the_web_form_without_javascript(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/companion")
    assert page.status_code == 200
    assert 'action="/companion"' in page.text and 'name="message"' in page.text
    assert '<a href="/companion">Companion</a>' in page.text
    sent = client.post(
        "/companion", data={"message": "hello", "csrf_token": csrf_of(client, "/companion")}
    )
    assert sent.status_code == 200
    assert "How are you feeling today?" in sent.text
    again = client.get("/companion")  # the conversation is kept between requests
    assert "hello" in again.text and "How are you feeling today?" in again.text
    empty = client.post(
        "/companion", data={"message": "  ", "csrf_token": csrf_of(client, "/companion")}
    )
    assert empty.status_code == 422 and "Type a message first." in empty.text


def test_api_greeting_and_a_full_exercise_stores_its_outcome(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    hello = _api(client, "hello")
    assert set(hello) == {"reply", "flow", "risk_level", "suggestions"}
    assert "How are you feeling today?" in hello["reply"] and hello["risk_level"] == "none"
    replies = [_api(client, line) for line in GROUNDING]
    assert replies[0]["flow"] == "grounding_54321"
    assert "Look around you" in replies[1]["reply"][-1]  # state survived across requests
    assert any("This works anywhere" in m for m in replies[-1]["reply"])
    with transaction(rt.sessions) as db:
        rows = list(db.execute(select(CompanionOutcome)).scalars())
    assert len(rows) == 1
    row = rows[0]
    assert (row.client_id, row.flow_id, row.completed) == (personas.client, "grounding_54321", True)
    assert (row.mood_before, row.mood_after, row.helpfulness) == (4, 7, 4)
    assert b"calmer" not in row.outputs_enc


def test_api_refuses_other_roles_and_anonymous(client, personas) -> None:  # type: ignore[no-untyped-def]
    anonymous = client.post(
        "/api/v1/companion/messages", json={"text": "hi"}, headers={"Authorization": "Bearer x"}
    )
    assert anonymous.status_code == 401
    login(client, PERSONA_EMAILS["clinician"])
    token = csrf_of(client, "/")
    response = client.post(
        "/api/v1/companion/messages", json={"text": "hi"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 404


def _consent(rt, client_id: int, purpose: Purpose, granted: bool) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            AuditContext(actor=None, request_id="test"),
            client_id=client_id,
            wanted={(Stream.COMPANION, purpose): granted},
        )


def test_crisis_mid_flow_gives_fixed_text_alert_audit_and_pauses(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    _consent(rt, personas.client, Purpose.AUTOMATED_ALERTS, True)
    login(client, PERSONA_EMAILS["client"])
    for line in GROUNDING[:3]:
        _api(client, line)
    context = ("grounding please", "4", "a lamp, a cup, a book, a door, a window")
    text = "I want to kill myself"
    crisis = _api(client, text)
    assert crisis["risk_level"] in {"elevated", "imminent"}
    with transaction(rt.sessions) as db:
        alerts = list(db.execute(select(Alert)).scalars())
        audits = list(
            db.execute(select(AuditEvent).where(AuditEvent.action == "safety.screen")).scalars()
        )
    assert [(a.client_id, a.source) for a in alerts] == [(personas.client, "companion")]
    assert any("companion" in str(a.detail) and a.client_id == personas.client for a in audits)
    assert audits and all(text not in str(a.detail) for a in audits)
    expected = crisis_message_for(
        screen(text, context=context),
        locale="en-US",
        has_safety_plan=False,
        care_team_alerted=True,
    )
    assert expected is not None
    assert crisis["reply"] == [expected.text()]  # exactly the fixed template
    page = client.get("/companion")
    assert "Help now / My safety plan" in page.text
    # the flow is paused, and resumes at its question once the person is safe
    for line in ["I'm safe now", "I'm safe now, I won't act on it", "continue"]:
        resumed = _api(client, line)
        if resumed["flow"] == "grounding_54321" and "4 things you can feel" in " ".join(
            resumed["reply"]
        ):
            break
    else:
        raise AssertionError(f"flow did not resume: {resumed}")


def test_clinician_sees_outcomes_only_with_companion_consent(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    for line in GROUNDING:
        _api(client, line)
    client.post("/logout", data={"csrf_token": csrf_of(client, "/companion")})
    url = f"/clients/{personas.client}/companion"
    login(client, PERSONA_EMAILS["clinician"])
    with transaction(rt.sessions) as db:
        shared = consent_service.current(db, client_id=personas.client).granted(
            Stream.COMPANION, Purpose.CARE_TEAM
        )
    page = client.get(url)
    if shared:
        assert page.status_code == 200 and "grounding_54321" in page.text
        _consent(rt, personas.client, Purpose.CARE_TEAM, False)
        page = client.get(url)
    assert page.status_code == 404 and "grounding_54321" not in page.text
    login(client, PERSONA_EMAILS["other_clinician"])
    assert client.get(url).status_code == 404


# ---- the chat page with htmx, and the exercise timer ----------------------------------------

HTMX = {"HX-Request": "true"}


def _post(client: TestClient, headers: dict[str, str] | None = None, **fields: str) -> Any:
    data = {"csrf_token": csrf_of(client, "/companion"), **fields}
    return client.post("/companion", data=data, headers=headers or {})


def test_htmx_post_returns_only_the_new_exchange_and_stores_it(
    client: TestClient, personas: Personas
) -> None:
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/companion")
    assert 'hx-post="/companion"' in page.text and 'hx-target="#chat-log"' in page.text
    assert 'role="log"' in page.text and 'aria-live="polite"' in page.text
    assert '<script src="/static/companion-timer.js" defer></script>' in page.text
    assert 'id="chat-empty"' in page.text

    first = _post(client, HTMX, message="hello")
    assert first.status_code == 200, first.text
    assert "<html" not in first.text and "<h1>" not in first.text
    assert first.headers["Vary"] == "HX-Request"
    assert '<div class="chat-line chat-you">' in first.text and "hello" in first.text
    assert "How are you feeling today?" in first.text
    assert '<p id="chat-empty" hx-swap-oob="delete"></p>' in first.text  # the first exchange
    assert '<div id="chat-suggestions" hx-swap-oob="true">' in first.text
    assert '<div id="chat-timer" hx-swap-oob="true">' in first.text
    assert '<div id="chat-error" hx-swap-oob="true"></div>' in first.text

    second = _post(client, HTMX, message="I want to do a breathing exercise")
    assert second.status_code == 200
    assert "How are you feeling today?" not in second.text  # only the new exchange
    assert "chat-empty" not in second.text
    assert "Slow breathing" in second.text
    assert 'name="quick" value="5"' in second.text  # new quick replies (mood 0-10)

    page = client.get("/companion")  # both turns were stored
    assert "hello" in page.text and "How are you feeling today?" in page.text
    assert "I want to do a breathing exercise" in page.text and "chat-empty" not in page.text


def test_plain_post_returns_the_whole_page_and_quick_replies_work_without_javascript(
    client: TestClient, personas: Personas
) -> None:
    login(client, PERSONA_EMAILS["client"])
    sent = _post(client, message="I want to do a breathing exercise")
    assert sent.status_code == 200 and "<html" in sent.text and "<h1>Companion</h1>" in sent.text
    assert sent.headers["Vary"] == "HX-Request" and "hx-swap-oob" not in sent.text
    # a quick-reply button posts `quick`; the empty message box is posted alongside it
    tapped = _post(client, quick="5", message="")
    assert tapped.status_code == 200, tapped.text
    assert "How long would you like: 1, 3 or 5 minutes?" in tapped.text
    page = client.get("/companion")
    assert "<strong>You:</strong> 5" in page.text


def _to_the_timer(client: TestClient, headers: dict[str, str]) -> Any:
    for line in ("I want to do a breathing exercise", "5"):
        assert _post(client, headers, message=line).status_code == 200
    return _post(client, headers, message="1 minute")


def test_a_timer_action_renders_the_timer_with_its_settings_and_a_text_fallback(
    client: TestClient, personas: Personas
) -> None:
    login(client, PERSONA_EMAILS["client"])
    partial = _to_the_timer(client, HTMX)
    assert partial.status_code == 200 and "<html" not in partial.text
    for attribute in (
        "data-timer",
        'data-kind="paced_breathing"',
        'data-seconds="60"',
        'data-breaths-per-minute="6"',
        'data-inhale-seconds="4"',
        'data-exhale-seconds="6"',
        'data-label="Slow breathing"',
    ):
        assert attribute in partial.text, attribute
    fallback = (
        "Breathe in for 4 seconds, then out for 6: about 6 breaths a minute. "
        "Keep going for 1 minute."
    )
    assert fallback in partial.text
    assert '<div class="timer-run" hidden>' in partial.text
    assert "data-timer-start" in partial.text and "data-timer-pause" in partial.text
    # a reload mid-exercise shows the same timer and quick replies
    reloaded = client.get("/companion")
    assert 'data-kind="paced_breathing"' in reloaded.text and fallback in reloaded.text
    assert 'name="quick" value="Done"' in reloaded.text
    # the next turn has no timer: the out-of-band swap empties its slot
    done = _post(client, HTMX, quick="Done")
    assert '<div id="chat-timer" hx-swap-oob="true">' in done.text and "data-timer" not in done.text

    assert "data-timer" not in client.get("/companion").text  # nor does a reload now
    # "another round?" "Yes" runs the timer again: this time on the page without JavaScript
    whole = _post(client, quick="Yes")
    assert "<html" in whole.text and 'data-kind="paced_breathing"' in whole.text
    assert "Breathe in for 4 seconds" in whole.text


def test_refused_messages_show_in_the_page_with_and_without_htmx(
    client: TestClient, personas: Personas
) -> None:
    login(client, PERSONA_EMAILS["client"])
    empty = _post(client, HTMX, message="   ")
    assert empty.status_code == 422
    assert "<html" not in empty.text
    assert '<div class="error" role="alert"><p>Type a message first.</p></div>' in empty.text
    assert empty.headers["HX-Retarget"] == "#chat-error"
    assert empty.headers["HX-Reswap"] == "innerHTML"
    long = _post(client, HTMX, message="a" * 2001)
    assert long.status_code == 422 and "under 2000 characters" in long.text
    assert "<html" not in long.text
    plain = _post(client, message="a" * 2001)
    assert plain.status_code == 422 and "<html" in plain.text
    assert 'role="alert"' in plain.text and "under 2000 characters" in plain.text
    page = client.get("/companion")  # nothing was stored
    assert "Say hello to start." in page.text


def test_timer_view_reads_every_timer_kind() -> None:
    view = timer_view(
        [
            {"kind": "flow_started", "data": {"flow_id": "x"}},
            {"kind": "timer", "data": {"kind": "countdown", "seconds": 30}},
            {
                "kind": "timer",
                "data": {
                    "kind": "tense_release",
                    "seconds": 20,
                    "tense_seconds": 5,
                    "release_seconds": 15,
                    "label": "Hands",
                },
            },
        ]
    )
    assert view is not None and view.label == "Hands"  # the latest timer wins
    assert ("kind", "tense_release") in view.attrs and ("release-seconds", "15") in view.attrs
    assert view.text.startswith("Tense the muscles for 5 seconds") and "20 seconds" in view.text
    box = timer_view(
        [
            {
                "kind": "timer",
                "data": {
                    "kind": "paced_breathing",
                    "seconds": 90,
                    "breaths_per_minute": 3.75,
                    "inhale_seconds": 4.0,
                    "exhale_seconds": 4.0,
                    "hold_seconds": 4.0,
                },
            }
        ]
    )
    assert box is not None and ("hold-seconds", "4") in box.attrs
    assert box.text == (
        "Breathe in for 4 seconds, hold for 4, then out for 4 and hold for 4: about 3.75 "
        "breaths a minute. Keep going for 1 minute 30 seconds."
    )
    countdown = timer_view([{"kind": "timer", "data": {"kind": "countdown", "seconds": 120}}])
    assert countdown is not None and countdown.label == "Timer"
    assert countdown.text == "Take your time: 2 minutes."
    assert timer_view([{"kind": "handoff", "data": {}}]) is None


def test_crisis_through_htmx_swaps_in_the_help_now_link(
    client: TestClient, personas: Personas
) -> None:
    login(client, PERSONA_EMAILS["client"])
    calm = _post(client, HTMX, message="hello")
    assert "Help now / My safety plan" not in calm.text
    crisis = _post(client, HTMX, message="I want to kill myself")
    assert crisis.status_code == 200 and "<html" not in crisis.text
    slot = crisis.text.split('<div id="chat-crisis" hx-swap-oob="true">', 1)[1].split("</div>")[0]
    assert '<a class="help-now" href="/help">Help now / My safety plan</a>' in slot
