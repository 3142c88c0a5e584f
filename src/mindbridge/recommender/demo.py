"""Demo history for the recommender and homework: the demo client (Charlie) has three weeks of
suggestions, the exercises taken up with their ratings and mood changes, a learned state built
from them through the production learning path, a clinician's rule, and one open homework item.

Rows are built directly (no request, no grant, no per-row audit), and only for a handful of
clients, so the seeder stays fast.
"""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np

from mindbridge.companion.homework import NOTE_FIELD
from mindbridge.companion.models import CompanionOutcome, HomeworkAssignment
from mindbridge.companion.service import OUTPUTS_FIELD
from mindbridge.crypto.service import Vault
from mindbridge.demo.seed import DemoContext, seeder
from mindbridge.recommender.catalogue import load_catalogue
from mindbridge.recommender.context import Context, PastExercise
from mindbridge.recommender.guardrails import Controls
from mindbridge.recommender.models import (
    RecommendationEvent,
    RecommendationOutcome,
    RecommenderControls,
    RecommenderState,
)
from mindbridge.recommender.policy import apply_event, new_state, outcome_event, recommend
from mindbridge.recommender.reward import Outcome

DAYS_OF_HISTORY = 21
CLIENTS = 4  # the demo client and three more on the demo clinician's caseload


@seeder("recommender")
def seed_recommender(demo: DemoContext) -> None:
    catalogue = load_catalogue()
    clinician = demo.clinicians[0]
    for index, client in enumerate(demo.clients[:CLIENTS]):
        rng = demo.rng
        owner = Vault.owner_for_client(client.id)
        controls = Controls(
            prioritised=frozenset({"behavioural_activation"}) if index == 0 else frozenset()
        )
        demo.db.add(
            RecommenderControls(
                client_id=client.id,
                controls=controls.to_dict(),
                clinical_flags=[],
                revision=1,
                updated_by=clinician.id,
                updated_at=demo.now - timedelta(days=DAYS_OF_HISTORY + 2),
            )
        )
        state = new_state(demo.now - timedelta(days=DAYS_OF_HISTORY + 1), catalogue)
        past: list[PastExercise] = []
        for day in range(DAYS_OF_HISTORY, 0, -2 if index == 0 else -4):
            at = demo.now - timedelta(days=day, hours=rng.randint(0, 6))
            phq9 = 15 - (DAYS_OF_HISTORY - day) * 0.3  # improving, as the questionnaires do
            context = Context(
                questionnaires={"phq9": round(phq9), "gad7": 9},
                local_hour=rng.choice((8, 13, 19)),
                recent_exercises=tuple(p for p in past if at - p.at <= timedelta(days=14)),
            )
            rec = recommend(
                state,
                context,
                controls,
                catalogue,
                at,
                rng=np.random.default_rng(rng.getrandbits(32)),
            )
            event = RecommendationEvent(
                client_id=client.id,
                surface=rng.choice(("greeting", "today", "after_exercise", "suggest")),
                top_id=rec.top.exercise_id,
                exercise_ids=list(rec.exercise_ids),
                recommendation=rec.to_dict(),
                created_at=at,
            )
            demo.db.add(event)
            demo.db.flush()
            if rng.random() < 0.3:  # offered, not taken up
                continue
            chosen = rec.exercise_ids[0 if rng.random() < 0.7 else 1]
            done = at + timedelta(minutes=rng.randint(5, 40))
            completed = rng.random() < 0.85
            before = float(rng.randint(3, 6))
            outcome = Outcome(
                completed=completed,
                helpfulness=rng.randint(3, 5) if completed else None,
                mood_before=before,
                mood_after=min(10.0, before + rng.randint(0, 3)) if completed else None,
            )
            row = CompanionOutcome(
                client_id=client.id,
                flow_id=chosen,
                flow_version="1",
                completed=completed,
                helpfulness=outcome.helpfulness,
                mood_before=outcome.mood_before,
                mood_after=outcome.mood_after,
                outputs_enc=demo.vault.encrypt(demo.db, owner, json.dumps({}), field=OUTPUTS_FIELD),
                completed_at=done,
            )
            demo.db.add(row)
            demo.db.flush()
            learned = outcome_event(rec, chosen, outcome, done)
            state = apply_event(state, learned)
            demo.db.add(
                RecommendationOutcome(
                    client_id=client.id,
                    recommendation_id=event.id,
                    companion_outcome_id=row.id,
                    exercise_id=chosen,
                    taken_up=True,
                    was_top=chosen == rec.top.exercise_id,
                    completed=completed,
                    helpfulness=outcome.helpfulness,
                    mood_change=(
                        outcome.mood_after - outcome.mood_before
                        if outcome.mood_after is not None and outcome.mood_before is not None
                        else None
                    ),
                    reward=learned.reward,
                    event=learned.to_dict(),
                    created_at=done,
                )
            )
            past.append(
                PastExercise(
                    chosen, done, completed, outcome.helpfulness, before, outcome.mood_after
                )
            )
        demo.db.add(
            RecommenderState(
                client_id=client.id, state=state.to_dict(), revision=1, updated_at=demo.now
            )
        )
    charlie = demo.clients[0]
    for flow_id, title, due_in, status in (
        ("behavioural_activation", "Plan one small activity", 2, "open"),
        ("thought_record", "Thought record", -5, "done"),
    ):
        demo.db.add(
            HomeworkAssignment(
                client_id=charlie.id,
                assigned_by=clinician.id,
                flow_id=flow_id,
                title=title,
                due=(demo.now + timedelta(days=due_in)).date(),
                note_enc=demo.vault.encrypt(
                    demo.db,
                    Vault.owner_for_client(charlie.id),
                    "Pick something small you used to enjoy, and plan when you'll do it."
                    if status == "open"
                    else "Try one on a moment that bothered you this week.",
                    field=NOTE_FIELD,
                ),
                status=status,
                created_at=demo.now - timedelta(days=8 if status == "done" else 1),
                completed_at=demo.now - timedelta(days=6) if status == "done" else None,
            )
        )
    demo.db.flush()
