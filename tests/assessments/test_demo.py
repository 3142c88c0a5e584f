"""The demo clinic's questionnaire history: Charlie improves, someone deteriorates, forms are due,
one item-9 answer shows the alert, and the seeder stays fast."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select

from mindbridge.access.domain import Role
from mindbridge.alerts.models import Alert
from mindbridge.assessments import demo as assessments_demo
from mindbridge.assessments import service as assessments_service
from mindbridge.assessments.models import AssessmentAssignment, AssessmentSubmission
from mindbridge.db import transaction
from mindbridge.demo import seed as demo_seed
from tests.assessments.support import grant


def test_demo_histories(rt, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert "mindbridge.assessments.demo" in demo_seed.SEEDER_MODULES
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[[demo_seed.DemoContext], None]):  # type: ignore[no-untyped-def]
        def run(demo: demo_seed.DemoContext) -> None:
            demo.db.flush()  # time this seeder alone, not the rows earlier seeders left pending
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
        clients = [(c.id, c.email) for c in demo.clients]
    assert timings["assessments"] < 5.0, timings

    with transaction(rt.sessions) as db:
        charlie = next(cid for cid, email in clients if email == demo_seed.DEMO_CLIENT)
        own = grant(db, charlie, Role.CLIENT, charlie)
        trajectories = {t.instrument_id: t for t in assessments_service.trajectories(db, own)}
        phq9 = trajectories["PHQ-9"]
        assert phq9.outcome == "improved" and trajectories["GAD-7"].outcome == "improved"
        assert phq9.first is not None and phq9.latest is not None
        assert phq9.first.total >= 15 and phq9.latest.total <= 7  # type: ignore[operator]
        due = {i.definition.id: i.state.status for i in assessments_service.schedule(db, own)}  # type: ignore[union-attr]
        assert due["PHQ-9"] in ("due", "overdue")

        outcomes = []
        for cid, _email in clients:
            g = grant(db, cid, Role.CLIENT, cid)
            outcomes += [t.outcome for t in assessments_service.trajectories(db, g)]
        assert outcomes.count("deteriorated") >= 2 and outcomes.count("improved") >= 10
        assert outcomes.count("") >= 10

        in_care = {cid for cid, _email in clients}  # the intake newcomer answers at intake
        rows = db.execute(select(AssessmentSubmission)).scalars().all()
        pairs = {(r.client_id, r.instrument_id) for r in rows if r.client_id in in_care}
        assert len(pairs) == 2 * len(clients)
        assert len(db.execute(select(AssessmentAssignment)).scalars().all()) == 2 * len(clients)
        alert = db.execute(select(Alert).where(Alert.source == "questionnaire")).scalar_one()
        assert alert.client_id == clients[assessments_demo.SELF_HARM_CLIENT][0]
