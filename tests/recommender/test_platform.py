"""The recommender on the platform: rules page and consent gating, guard rails as hard
constraints in what the companion offers, learning in the companion's transaction, audited
resets, inspectable state, and a shared layer fitted only from consenting clients."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from mindbridge.access.domain import Action, Actor, Purpose, Role, Stream
from mindbridge.audit.models import AuditEvent
from mindbridge.audit.service import AuditContext
from mindbridge.companion.models import CompanionOutcome
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction, utcnow
from mindbridge.recommender import service as recommender_service
from mindbridge.recommender.models import (
    RecommendationEvent,
    RecommendationOutcome,
    RecommenderControls,
    RecommenderState,
)
from mindbridge.recommender.policy import PersonState
from mindbridge.recommender.reward import Outcome, reward
from mindbridge.runtime import Runtime
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


def _rules(client, client_id: int, **fields: Any):  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {"csrf_token": csrf_of(client, f"/clients/{client_id}/recommendations")}
    data.update(fields)
    return client.post(f"/clients/{client_id}/recommendations", data=data, follow_redirects=False)


def _share(rt: Runtime, client_id: int, stream: Stream, purpose: Purpose, value: bool) -> None:
    with transaction(rt.sessions) as db:
        ctx = AuditContext(Actor(client_id, Role.CLIENT), "test")
        consent_service.set_consent(db, ctx, client_id=client_id, wanted={(stream, purpose): value})


def _offered(reply: dict[str, Any]) -> list[str]:
    return list(reply["suggestions"])


def test_rules_page_for_the_care_team_and_not_shared_without_consent(  # type: ignore[no-untyped-def]
    client, rt, personas
) -> None:
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/clients/{personas.client}/recommendations")
    assert page.status_code == 200
    assert "Save rules" in page.text and "What would be suggested now" in page.text
    assert "Sleep window (sleep restriction)" in page.text and "needs approval" in page.text
    _share(rt, personas.client, Stream.COMPANION, Purpose.CARE_TEAM, False)
    hidden = client.get(f"/clients/{personas.client}/recommendations")
    assert hidden.status_code == 200
    assert "not shared" in hidden.text and "Suggested, taken up and rated" not in hidden.text
    assert "Save rules" in hidden.text  # the rules are the care record, not the stream
    assert client.get(f"/clients/{personas.client}/recommendations/state").status_code == 404
    login(client, PERSONA_EMAILS["other_clinician"])
    assert client.get(f"/clients/{personas.client}/recommendations").status_code == 404


def test_guard_rails_are_hard_constraints_on_every_surface(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    excluded = ["paced_breathing", "grounding_54321", "psychoeducation", "mood_checkin"]
    saved = _rules(
        client,
        personas.client,
        pinned=["thought_record"],
        excluded=excluded,
        prioritised=["self_compassion"],
    )
    assert saved.status_code == 303
    homework = client.post(
        f"/clients/{personas.client}/homework",
        data={
            "exercise": "paced_breathing",
            "due": utcnow().date().isoformat(),
            "csrf_token": csrf_of(client, f"/clients/{personas.client}/homework"),
        },
    )
    assert homework.status_code == 422 and "blocked for this client" in homework.text

    login(client, PERSONA_EMAILS["client"])
    titles_excluded = {"Slow breathing", "5-4-3-2-1 grounding", "How it works", "Mood check-in"}
    for text in ["hello", "what should I do", "help", "I feel anxious", "I can't sleep"]:
        reply = _api(client, text)
        assert not set(_offered(reply)) & titles_excluded, (text, reply)
        if text in ("hello", "what should I do"):
            assert _offered(reply)[0] == "Thought record", reply  # the pin comes first
            assert "Your clinician asked you to practise this." in "\n".join(reply["reply"])
        _api(client, "no")
    asked = _api(client, "let's do some breathing")
    assert asked["flow"] is None and "set up together" in " ".join(asked["reply"])
    gated = _api(client, "can we do graded exposure")
    assert gated["flow"] is None and "set up together" in " ".join(gated["reply"])
    today = client.get("/today")
    assert today.status_code == 200 and "Thought record" in today.text

    with transaction(rt.sessions) as db:
        events = db.execute(select(RecommendationEvent)).scalars().all()
    assert events and all(not set(e.exercise_ids) & set(excluded) for e in events)
    assert all(e.top_id == "thought_record" for e in events)

    login(client, PERSONA_EMAILS["clinician"])
    approved = _rules(client, personas.client, approved=["graded_exposure"])
    assert approved.status_code == 303
    login(client, PERSONA_EMAILS["client"])
    _api(client, "no")
    started = _api(client, "can we do graded exposure")
    assert started["flow"] == "graded_exposure"  # the companion takes the same approval


def test_bad_rules_are_refused_with_the_field_named_and_nothing_written(  # type: ignore[no-untyped-def]
    client, rt, personas
) -> None:
    login(client, PERSONA_EMAILS["clinician"])
    clash = _rules(client, personas.client, pinned=["worry_time"], excluded=["worry_time"])
    assert clash.status_code == 422 and "pinned/excluded" in clash.text
    unknown = _rules(client, personas.client, excluded=["not_an_exercise"])
    assert unknown.status_code == 422 and "excluded: unknown exercise" in unknown.text
    flag = _rules(client, personas.client, clinical_flags=["vertigo"])
    assert flag.status_code == 422 and "clinical_flags" in flag.text
    login(client, PERSONA_EMAILS["client"])
    by_client = _rules(client, personas.client, excluded=["worry_time"])
    assert by_client.status_code == 422 and "Only the client&#39;s clinicians" in by_client.text
    with transaction(rt.sessions) as db:
        assert db.execute(select(func.count()).select_from(RecommenderControls)).scalar() == 0


def test_a_finished_exercise_updates_the_state_in_the_same_transaction(  # type: ignore[no-untyped-def]
    client, rt, personas
) -> None:
    login(client, PERSONA_EMAILS["clinician"])
    assert _rules(client, personas.client, pinned=["grounding_54321"]).status_code == 303
    login(client, PERSONA_EMAILS["client"])
    hello = _api(client, "hello")
    assert _offered(hello)[0] == "5-4-3-2-1 grounding"
    assert _api(client, "yes")["flow"] == "grounding_54321"
    replies = [_api(client, line) for line in GROUNDING_ANSWERS]
    assert any("This works anywhere" in m for m in replies[-1]["reply"])
    # the end of the exercise offers what to do next, without the one just done
    assert replies[-1]["suggestions"] and "5-4-3-2-1 grounding" not in replies[-1]["suggestions"]
    with transaction(rt.sessions) as db:
        (companion_row,) = db.execute(select(CompanionOutcome)).scalars().all()
        (learned,) = db.execute(select(RecommendationOutcome)).scalars().all()
        state_row = db.get(RecommenderState, personas.client)
        first_offer = (
            db.execute(select(RecommendationEvent).order_by(RecommendationEvent.id))
            .scalars()
            .first()
        )
    assert state_row is not None
    state = PersonState.from_dict(state_row.state)
    assert state.history("grounding_54321").tries == 1 and state.update_count == 1
    assert learned.companion_outcome_id == companion_row.id
    assert first_offer is not None and learned.recommendation_id == first_offer.id
    assert learned.taken_up and learned.was_top and learned.completed
    assert (learned.helpfulness, learned.mood_change) == (4, 3)
    assert learned.reward == reward(Outcome(True, 4, 4, 7))

    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/clients/{personas.client}/recommendations")
    assert "1 taken up" in page.text and "mean helpfulness 4.0/5" in page.text
    state_json = client.get(f"/clients/{personas.client}/recommendations/state").json()
    assert state_json["state"]["kind"] == "person_state"
    assert state_json["state"]["arms"]["grounding_54321"]["tries"] == 1


def test_reset_by_the_client_or_the_clinician_is_audited(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with transaction(rt.sessions) as db:
        from mindbridge.accounts.models import User

        user = db.get(User, personas.client)
        assert user is not None
        g = grant(db, personas.client, Role.CLIENT, personas.client, Stream.COMPANION, Action.WRITE)
        recommender_service.record_outcome(
            db,
            g,
            client=user,
            exercise_id="worry_time",
            outcome=Outcome(True, 5, 3, 6),
            started_at=now - timedelta(minutes=20),
            companion_outcome_id=None,
            now=now,
        )
    for persona in ("client", "clinician"):
        login(client, PERSONA_EMAILS[persona])
        url = f"/clients/{personas.client}/recommendations"
        done = client.post(
            f"{url}/reset", data={"csrf_token": csrf_of(client, url)}, follow_redirects=False
        )
        assert done.status_code == 303
    bad = client.post(
        f"/clients/{personas.client}/recommendations/reset",
        data={"exercise": "nope", "csrf_token": csrf_of(client, url)},
    )
    assert bad.status_code == 422 and "exercise: unknown" in bad.text
    with transaction(rt.sessions) as db:
        row = db.get(RecommenderState, personas.client)
        assert row is not None
        state = PersonState.from_dict(row.state)
        audits = (
            db.execute(select(AuditEvent).where(AuditEvent.action == "recommender.state.reset"))
            .scalars()
            .all()
        )
    assert state.history("worry_time").tries == 0 and state.reset_count == 2
    assert [json.loads(a.detail)["by_role"] for a in audits] == ["client", "clinician"]
    assert row.revision == 3  # the outcome, then two resets


def test_population_learns_only_from_consenting_clients(rt, personas) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with transaction(rt.sessions) as db:
        from mindbridge.accounts.models import User

        for who in (personas.client, personas.other_client):
            user = db.get(User, who)
            assert user is not None
            g = grant(db, who, Role.CLIENT, who, Stream.COMPANION, Action.WRITE)
            for exercise in ("worry_time", "self_compassion"):
                recommender_service.record_outcome(
                    db,
                    g,
                    client=user,
                    exercise_id=exercise,
                    outcome=Outcome(True, 5),
                    started_at=None,
                    companion_outcome_id=None,
                    now=now,
                )
    _share(rt, personas.other_client, Stream.COMPANION, Purpose.RESEARCH, True)
    ctx = AuditContext(None, "test")
    with transaction(rt.sessions) as db:
        first = recommender_service.rebuild_population(db, ctx, now=now)
        model = recommender_service.population(db)
    assert (first.events, first.clients, first.skipped_clients) == (2, 1, 1)
    assert model is not None and int(model.count.sum()) == 2
    _share(rt, personas.other_client, Stream.COMPANION, Purpose.RESEARCH, False)
    with transaction(rt.sessions) as db:
        second = recommender_service.rebuild_population(db, ctx, now=now)
        model = recommender_service.population(db)
    assert (second.events, second.clients, second.revision) == (0, 0, 2)
    assert model is not None and int(model.count.sum()) == 0


def test_context_uses_questionnaires_outcomes_time_and_optional_inputs(rt, personas) -> None:  # type: ignore[no-untyped-def]
    from mindbridge.accounts.models import User
    from mindbridge.assessments import service as assessments_service
    from mindbridge.recommender.context import CheckIn

    now = utcnow()
    phq9 = {"1": 2, "2": 2, "3": 3, "4": 1, "5": 1, "6": 1, "7": 1, "8": 1, "9": 0}
    with transaction(rt.sessions) as db:
        q = grant(
            db, personas.client, Role.CLIENT, personas.client, Stream.QUESTIONNAIRES, Action.WRITE
        )
        assessments_service.submit(db, q, rt.vault, instrument_id="PHQ-9", answers=phq9)
        db.add(
            CompanionOutcome(
                client_id=personas.client,
                flow_id="sleep_diary",
                flow_version="1",
                completed=True,
                helpfulness=5,
                outputs_enc=b"",
                completed_at=now - timedelta(days=1),
            )
        )
        db.flush()
        user = db.get(User, personas.client)
        assert user is not None
        c = grant(db, personas.client, Role.CLIENT, personas.client, Stream.COMPANION)
        extra = recommender_service.ContextInputs(
            checkins=(CheckIn(now - timedelta(hours=3), mood=3.0),), themes=frozenset({"sleep"})
        )
        context = recommender_service.build_context(db, c, client=user, now=now, inputs=[extra])
        # a capability registers a provider with one line
        recommender_service.CONTEXT_PROVIDERS.append(
            lambda db, ctx, client_id, at: recommender_service.ContextInputs(stress_probability=0.8)
        )
        try:
            provided = recommender_service.build_context(db, c, client=user, now=now)
        finally:
            recommender_service.CONTEXT_PROVIDERS.pop()
    _share(rt, personas.client, Stream.QUESTIONNAIRES, Purpose.CARE_TEAM, False)
    with transaction(rt.sessions) as db:  # a clinician not shown questionnaires: none used
        user = db.get(User, personas.client)
        assert user is not None
        seen = grant(db, personas.clinician, Role.CLINICIAN, personas.client, Stream.COMPANION)
        as_clinician = recommender_service.build_context(db, seen, client=user, now=now)
    assert as_clinician.questionnaires == {} and len(as_clinician.recent_exercises) == 1
    assert context.questionnaires == {"phq9": 12.0}
    assert context.subscales == {"phq9_sleep": 3.0, "phq2": 4.0}
    assert [e.exercise_id for e in context.recent_exercises] == ["sleep_diary"]
    assert context.local_hour is not None and context.themes == {"sleep"}
    assert len(context.checkins) == 1 and provided.stress_probability == 0.8
