"""The demo client has recommendation history with ratings, a learned state and one open
homework item, and the seeder stays fast."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select

from mindbridge.companion.models import HomeworkAssignment
from mindbridge.db import transaction
from mindbridge.demo import seed as demo_seed
from mindbridge.recommender import demo as recommender_demo
from mindbridge.recommender.models import (
    RecommendationEvent,
    RecommendationOutcome,
    RecommenderState,
)
from mindbridge.recommender.policy import PersonState


def test_demo_recommendation_history(rt, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert "mindbridge.recommender.demo" in demo_seed.SEEDER_MODULES
    assert recommender_demo.CLIENTS >= 1
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[[demo_seed.DemoContext], None]):  # type: ignore[no-untyped-def]
        def run(demo: demo_seed.DemoContext) -> None:
            demo.db.flush()
            start = time.perf_counter()
            fn(demo)
            timings[name] = time.perf_counter() - start

        return run

    monkeypatch.setattr(
        demo_seed,
        "_SEEDERS",
        [(name, timed(name, fn)) for name, fn in demo_seed.registered_seeders()],
    )
    with transaction(rt.sessions) as db:
        demo = demo_seed.seed_demo(db, rt.vault, password="demo password 1")
        charlie = next(c.id for c in demo.clients if c.email == demo_seed.DEMO_CLIENT)
    assert timings["recommender"] < 3.0, timings
    with transaction(rt.sessions) as db:
        events = (
            db.execute(select(RecommendationEvent).where(RecommendationEvent.client_id == charlie))
            .scalars()
            .all()
        )
        outcomes = (
            db.execute(
                select(RecommendationOutcome).where(RecommendationOutcome.client_id == charlie)
            )
            .scalars()
            .all()
        )
        homework = (
            db.execute(select(HomeworkAssignment).where(HomeworkAssignment.client_id == charlie))
            .scalars()
            .all()
        )
        row = db.get(RecommenderState, charlie)
    assert len(events) >= 8 and len(outcomes) >= 4
    assert any(o.helpfulness is not None for o in outcomes)
    assert all(o.recommendation_id in {e.id for e in events} for o in outcomes)
    assert [h.status for h in homework].count("open") == 1
    assert row is not None and PersonState.from_dict(row.state).update_count == len(outcomes)
