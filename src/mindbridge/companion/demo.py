"""The demo client can try every exercise: his clinician approved the two that need approval
(sleep window, fear ladder), and his companion remembers ten nights of sleep diary, so the sleep
window is computed from real-looking nights instead of asking for a week of diary first.

Runs after the recommender's seeder, which wrote his exercise rules.
"""

from __future__ import annotations

from datetime import timedelta

from mindbridge.companion import service as companion_service
from mindbridge.companion.sleep import diary_night
from mindbridge.companion.state import Memory
from mindbridge.demo.seed import DemoContext, seeder
from mindbridge.recommender.guardrails import Controls
from mindbridge.recommender.models import RecommenderControls

APPROVED = ("cbti_sleep_restriction", "graded_exposure")
DIARY_NIGHTS = 10


@seeder("companion")
def seed_companion(demo: DemoContext) -> None:
    charlie = demo.clients[0]
    row = demo.db.get(RecommenderControls, charlie.id)
    controls = Controls.from_dict(row.controls) if row is not None else Controls()
    approvals = {**controls.approvals, **{flow: frozenset[str]() for flow in APPROVED}}
    approved = Controls(controls.pinned, controls.excluded, controls.prioritised, approvals)
    if row is None:
        demo.db.add(
            RecommenderControls(
                client_id=charlie.id,
                controls=approved.to_dict(),
                clinical_flags=[],
                revision=1,
                updated_by=demo.clinicians[0].id,
                updated_at=demo.now - timedelta(days=14),
            )
        )
    else:
        row.controls = approved.to_dict()
        row.revision += 1
        row.updated_at = demo.now - timedelta(days=14)
    memory = Memory(name=charlie.display_name.split(" ")[0])
    rng = demo.rng
    for back in range(DIARY_NIGHTS, 0, -1):
        night = (demo.now - timedelta(days=back)).date()
        bedtime = 23 * 60 + rng.choice((0, 15, 30, 45))
        memory.add_diary_night(
            diary_night(
                bedtime=bedtime % (24 * 60),
                latency=rng.choice((20, 30, 45, 60)),
                awake=rng.choice((15, 30, 45, 60)),
                final_wake=6 * 60 + rng.choice((15, 30, 45)),
                out_of_bed=7 * 60 + rng.choice((0, 15)),
                date=night.isoformat(),
            )
        )
    companion_service.save_memory(demo.db, demo.vault, client_id=charlie.id, memory=memory)
    demo.db.flush()
