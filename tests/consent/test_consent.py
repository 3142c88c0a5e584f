"""Consent is versioned, takes effect on the very next read, and is the client's alone to change."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from mindbridge.access.domain import Purpose, Stream
from mindbridge.consent.domain import ConsentFact, ConsentState
from tests.conftest import PERSONA_EMAILS, csrf_of, login

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@given(st.lists(st.tuples(st.sampled_from(list(Stream)), st.booleans()), max_size=30))
def test_latest_version_wins(choices: list[tuple[Stream, bool]]) -> None:
    facts, versions = [], {}
    for stream, granted in choices:
        versions[stream] = versions.get(stream, 0) + 1
        facts.append(ConsentFact(stream, Purpose.CARE_TEAM, granted, versions[stream], T0))
    state = ConsentState.from_records(reversed(facts))
    for stream in Stream:
        last = [g for s, g in choices if s is stream]
        assert state.granted(stream, Purpose.CARE_TEAM) is (last[-1] if last else False)


def test_default_is_not_shared() -> None:
    assert ConsentState.from_records([]).shared_with(Purpose.CARE_TEAM) == frozenset()


def test_revoked_stream_disappears_from_the_next_read(client, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/clients/{personas.client}")
    assert page.text.count(">shared<") == 4 and "not shared" in page.text  # journal kept private
    client.post("/logout", data={"csrf_token": csrf_of(client, "/caseload")})

    login(client, PERSONA_EMAILS["client"])
    form = {
        f"{s.value}:{Purpose.CARE_TEAM.value}": "on"
        for s in Stream
        if s not in (Stream.JOURNAL, Stream.CHECKINS)
    }
    form["csrf_token"] = csrf_of(client, "/consent")
    saved = client.post("/consent", data=form)
    assert "1 choice changed" in saved.text
    assert "checkins" in saved.text  # the history shows the new version
    client.post("/logout", data={"csrf_token": csrf_of(client, "/today")})

    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/clients/{personas.client}")
    assert page.text.count(">shared<") == 3
    consent = client.get(f"/api/v1/clients/{personas.client}/consent").json()
    checkins = next(
        i for i in consent["items"] if i["stream"] == "checkins" and i["purpose"] == "care_team"
    )
    assert checkins == {
        "stream": "checkins",
        "purpose": "care_team",
        "granted": False,
        "version": 2,
    }


def test_only_the_client_changes_consent(client, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    body = {"items": [{"stream": "journal", "purpose": "care_team", "granted": True, "version": 0}]}
    token = csrf_of(client, "/caseload")
    r = client.put(
        f"/api/v1/clients/{personas.client}/consent", json=body, headers={"x-csrf-token": token}
    )
    assert r.status_code == 404
    client.post("/logout", data={"csrf_token": token})
    login(client, PERSONA_EMAILS["client"])
    r = client.put(
        f"/api/v1/clients/{personas.client}/consent",
        json=body,
        headers={"x-csrf-token": csrf_of(client, "/today")},
    )
    assert r.status_code == 200
    journal = [
        i for i in r.json()["items"] if i["stream"] == "journal" and i["purpose"] == "care_team"
    ]
    assert journal[0]["granted"] is True and journal[0]["version"] == 1  # first record


def test_model_replies_is_a_companion_choice_only() -> None:
    from mindbridge.consent.domain import choices

    pairs = choices()
    assert (Stream.COMPANION, Purpose.MODEL_REPLIES) in pairs
    assert [p for s, p in pairs if p is Purpose.MODEL_REPLIES] == [Purpose.MODEL_REPLIES]
    assert (Stream.COMPANION, Purpose.MODEL_REPLIES) not in choices(model_replies=False)
    assert len(pairs) == len(set(pairs)) == len(Stream) * 3 + 1


def test_the_model_replies_choice_shows_only_where_a_model_is_configured(  # type: ignore[no-untyped-def]
    rt, client, personas
) -> None:
    login(client, PERSONA_EMAILS["client"])
    assert 'name="companion:model_replies"' not in client.get("/consent").text
    rt.settings.generative_url = "http://127.0.0.1:9/v1"
    rt.settings.generative_model = "local-model"
    page = client.get("/consent").text
    assert 'name="companion:model_replies"' in page
    assert 'name="journal:model_replies"' not in page


def test_saving_the_page_keeps_choices_it_did_not_show(rt, client, personas) -> None:  # type: ignore[no-untyped-def]
    """A server without a model does not silently revoke a consent given while it had one."""
    login(client, PERSONA_EMAILS["client"])
    token = csrf_of(client, "/today")
    body = {"items": [{"stream": "companion", "purpose": "model_replies", "granted": True}]}
    body["items"][0]["version"] = 0
    r = client.put(
        f"/api/v1/clients/{personas.client}/consent", json=body, headers={"x-csrf-token": token}
    )
    assert r.status_code == 200
    form = {"csrf_token": csrf_of(client, "/consent"), "companion:care_team": "on"}
    client.post("/consent", data=form)
    items = client.get(f"/api/v1/clients/{personas.client}/consent").json()["items"]
    kept = [i for i in items if i["purpose"] == "model_replies"]
    assert kept == [
        {"stream": "companion", "purpose": "model_replies", "granted": True, "version": 1}
    ]


def test_the_api_refuses_a_choice_that_does_not_exist(client, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    body = {
        "items": [
            {"stream": "journal", "purpose": "model_replies", "granted": True, "version": 0},
            {"stream": "companion", "purpose": "care_team", "granted": False, "version": 0},
        ]
    }
    r = client.put(
        f"/api/v1/clients/{personas.client}/consent",
        json=body,
        headers={"x-csrf-token": csrf_of(client, "/today")},
    )
    assert r.status_code == 422
    assert "journal/model_replies" in r.text
    items = client.get(f"/api/v1/clients/{personas.client}/consent").json()["items"]
    companion = next(i for i in items if i["stream"] == "companion" and i["purpose"] == "care_team")
    assert companion["granted"] is True  # nothing was written
