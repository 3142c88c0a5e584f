"""Demo history for questionnaires: 90 days of PHQ-9 and GAD-7 every 14 days for every demo
client, with fortnightly schedules. Trajectories are chosen so the measures pages and the
caseload outcomes show every case: clear reliable improvement (the demo client, Charlie, among
them), no reliable change, and reliable deterioration for a few.

Rows are built directly (scored by the pure core) rather than through the service, because the
seed has no request, no grant and needs no per-row audit; it stays well under a second.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from mindbridge.access.domain import Stream
from mindbridge.accounts import service as accounts_service
from mindbridge.alerts import service as alerts_service
from mindbridge.assessments.definitions import InstrumentDefinition, default_registry
from mindbridge.assessments.models import AssessmentAssignment, AssessmentSubmission
from mindbridge.assessments.schedules import Cadence
from mindbridge.assessments.scoring import score
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.demo.seed import DAYS, DemoContext, seeder

EVERY_DAYS = 14
SELF_HARM_CLIENT = 2  # this client's latest PHQ-9 has item 9 above 0: the demo shows the alert
# (PHQ-9 start, end), (GAD-7 start, end) per trajectory kind.
TRAJECTORIES = {
    "improving": ((17, 6), (14, 5)),
    "recovering_slowly": ((13, 8), (11, 6)),
    "flat": ((11, 10), (9, 9)),
    "mild_stable": ((6, 5), (5, 4)),
    "deteriorating": ((8, 16), (6, 13)),
}


def _kind(index: int) -> str:
    if index == 0:
        return "improving"  # the demo client, Charlie
    if index % 9 == 4:
        return "deteriorating"
    return ("improving", "recovering_slowly", "flat", "improving", "mild_stable")[index % 5]


def _answers(
    definition: InstrumentDefinition, total: int, rng: random.Random, *, keep_zero: set[str]
) -> dict[str, int | None]:
    """Spread `total` over the items at random, within each item's range."""
    ids = [i for i in definition.link_ids if i not in keep_zero]
    top = definition.max_value
    total = max(0, min(total, top * len(ids)))
    answers = dict.fromkeys(definition.link_ids, 0)
    for _ in range(total):
        open_items = [i for i in ids if answers[i] < top]
        answers[rng.choice(open_items)] += 1
    return dict(answers)


def _row(
    demo: DemoContext,
    definition: InstrumentDefinition,
    client_id: int,
    answers: dict[str, int | None],
    when: datetime,
) -> dict[str, Any]:
    result = score(definition, answers)
    return {
        "uid": str(uuid.UUID(int=demo.rng.getrandbits(128), version=4)),
        "client_id": client_id,
        "instrument_id": definition.id,
        "instrument_version": definition.version,
        "answers": answers,
        "authored_at": when,
        "recorded_at": when,
        "source": "mindbridge",
        "entered_by": client_id,
        "total": result.total,
        "band_code": result.band.code,
        "band_label": result.band.label,
        "flags": list(result.flags),
        "result": result.to_dict(),
        "refusal": None,
        "safety_alert": "",
    }


@seeder("assessments")
def seed_assessments(demo: DemoContext) -> None:
    registry = default_registry()
    phq9, gad7 = registry.get("PHQ-9"), registry.get("GAD-7")
    submissions: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    cadence = Cadence(every=EVERY_DAYS)
    for index, client in enumerate(demo.clients):
        kind = _kind(index)
        (p0, p1), (g0, g1) = TRAJECTORIES[kind]
        # Charlie's last forms were 14 days ago, so both are due today; others are spread out.
        lag = 6 if index == 0 else demo.rng.randint(0, 13)
        first = demo.now - timedelta(days=DAYS - lag, hours=demo.rng.randint(0, 6))
        times = [first + timedelta(days=EVERY_DAYS * k) for k in range(7)]
        times = [t for t in times if t <= demo.now - timedelta(days=1)]
        if index % 11 == 7:  # a few clients have fallen behind: their form is overdue
            times = times[:-1]
        steps = max(1, len(times) - 1)
        for k, when in enumerate(times):
            share = k / steps
            noise = demo.rng.choice((-1, 0, 0, 1)) if 0 < k < steps else 0
            phq_total = round(p0 + (p1 - p0) * share) + noise
            gad_total = round(g0 + (g1 - g0) * share) + noise
            answers = _answers(phq9, phq_total, demo.rng, keep_zero={"9"})
            if index == SELF_HARM_CLIENT and k == len(times) - 1:
                answers["9"] = 1
            phq_row = _row(demo, phq9, client.id, answers, when)
            submissions.append(phq_row)
            if answers["9"]:
                _alert(demo, client.id, phq_row)
            submissions.append(
                _row(
                    demo,
                    gad7,
                    client.id,
                    _answers(gad7, gad_total, demo.rng, keep_zero=set()),
                    when + timedelta(minutes=6),
                )
            )
        team = care_service.care_team(demo.db, client_id=client.id)
        for definition in (phq9, gad7):
            assignments.append(
                {
                    "client_id": client.id,
                    "instrument_id": definition.id,
                    "every": cadence.every,
                    "unit": cadence.unit,
                    "at_start": True,
                    "grace_days": cadence.grace_days,
                    "reminder_offsets_days": list(cadence.reminder_offsets_days),
                    "starts_at": first,
                    "ends_at": None,
                    "timezone": client.timezone,
                    "assigned_by": team[0].id if team else None,
                    "created_at": first,
                }
            )
    # Bulk inserts (no per-row RETURNING): keeps the seed fast on PostgreSQL too.
    demo.db.execute(insert(AssessmentSubmission), submissions)
    demo.db.execute(insert(AssessmentAssignment), assignments)


def _alert(demo: DemoContext, client_id: int, row: dict[str, Any]) -> None:
    """Raise the alert a real submission would have raised (delivered when the worker runs)."""
    client = next(c for c in demo.clients if c.id == client_id)
    ctx = AuditContext(accounts_service.actor_of(client), "demo-seed")
    alert = alerts_service.raise_alert(
        demo.db,
        ctx,
        demo.vault,
        client_id=client_id,
        level="elevated",
        source="questionnaire",
        summary="PHQ-9 item 9 (thoughts of self-harm) answered above 0",
        stream=Stream.QUESTIONNAIRES,
        evidence={"instrument": "PHQ-9", "item": "9", "answer": 1, "response": row["uid"]},
        source_ref=row["uid"],
        dedup_key=f"phq9-item9:{row['uid']}",
    )
    row["safety_alert"] = "raised" if alert is not None else "suppressed"
