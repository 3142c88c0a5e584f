"""The demo clinic's signals: gaps shown as missing, a sync gap that nudges, one deterioration
the pipeline catches (an alert in the clinician's inbox), and a fast seeder."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select

from mindbridge.access.domain import Actor, Role
from mindbridge.alerts import service as alerts_service
from mindbridge.alerts.models import Alert
from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction
from mindbridge.demo import seed as demo_seed
from mindbridge.signals.models import SignalDay, SignalNudge


def test_demo_seeds_a_caught_deterioration_and_a_sync_gap(rt, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert "mindbridge.signals.demo" in demo_seed.SEEDER_MODULES
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[[demo_seed.DemoContext], None]):  # type: ignore[no-untyped-def]
        def run(demo: demo_seed.DemoContext) -> None:
            demo.db.flush()
            start = time.perf_counter()
            fn(demo)
            timings[name] = time.perf_counter() - start

        return run

    import importlib

    for module in demo_seed.SEEDER_MODULES:
        importlib.import_module(module)
    monkeypatch.setattr(
        demo_seed,
        "_SEEDERS",
        [(name, timed(name, fn)) for name, fn in demo_seed.registered_seeders()],
    )
    with transaction(rt.sessions) as db:
        demo = demo_seed.seed_demo(db, rt.vault, password="demo password 1")
        falling = demo.extra["signals_deteriorating"]
        gap = demo.extra["signals_sync_gap"]
        clinician = demo.clinicians[0].id
        now = demo.now
    assert timings["signals"] < 3.0, timings

    with transaction(rt.sessions) as db:
        alerts = db.execute(select(Alert).where(Alert.source == "signals")).scalars().all()
        assert [a.client_id for a in alerts] == [falling]
        inbox = alerts_service.inbox(
            db,
            AuditContext(Actor(clinician, Role.CLINICIAN), "test"),
            clinician_id=clinician,
            now=now,
        )
        assert any(row.alert.source == "signals" for row in inbox)
        days = list(
            db.execute(
                select(SignalDay).where(SignalDay.client_id == gap).order_by(SignalDay.day)
            ).scalars()
        )
        assert len(days) >= 85
        assert all(d.features.get("steps") is None for d in days[-5:])  # missing, not zero
        assert sum(d.features.get("steps") is not None for d in days[:-5]) > 60
        nudged = db.execute(select(SignalNudge.source).where(SignalNudge.client_id == gap))
        assert set(nudged.scalars()) == {"sleep", "steps"}
        last = (
            db.execute(
                select(SignalDay)
                .where(SignalDay.client_id == falling)
                .order_by(SignalDay.day.desc())
            )
            .scalars()
            .first()
        )
        assert last is not None and last.score is not None and last.score >= 0.5
        assert "steps down" in last.explanation
