"""Demo safety plans and alerts: plans for several clients (client@example.org first) and, for the
demo clinician's clients, an open elevated alert that is overdue, an acknowledged one and a
resolved one, each with its timeline."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from mindbridge.alerts.models import Alert, AlertTransition
from mindbridge.alerts.service import EVIDENCE_FIELD, NOTE_FIELD
from mindbridge.care import service as care_service
from mindbridge.crypto.service import Vault
from mindbridge.demo.seed import DEMO_CLINICIAN, DemoContext, seeder
from mindbridge.safety.safety_plan import SafetyPlan
from mindbridge.safetyplan.models import SafetyPlanVersion
from mindbridge.safetyplan.service import FIELD

PLANS: list[dict[str, Any]] = [
    {
        "warning_signs": ["Staying in bed past noon", "Not answering my phone"],
        "coping_strategies": ["A walk round the park", "Cold water on my face", "Music"],
        "social_distractions": [{"name": "The library on Station Road"}],
        "help_contacts": [{"name": "Sam (sister)", "phone": "+1 555 010 2233"}],
        "professionals": [{"name": "My clinician", "note": "message through mindbridge"}],
        "environment_safety": ["Ask Sam to keep my spare medication"],
        "reasons_for_living": ["My cat, Miso", "Seeing my niece grow up"],
    },
    {
        "warning_signs": ["Racing thoughts at night"],
        "coping_strategies": ["Breathing exercise", "Writing the worry down"],
        "help_contacts": [{"name": "Jo", "phone": "+44 7700 900123"}],
        "professionals": [{"name": "GP surgery", "phone": "+44 20 7946 0000"}],
        "reasons_for_living": ["My football team"],
    },
]


@seeder("safety")
def seed_safety(demo: DemoContext) -> None:
    # Safety plans for client@example.org and a few others.
    for i, client in enumerate(demo.clients[:6]):
        plan = SafetyPlan.create(
            **PLANS[i % len(PLANS)], updated_at=(demo.now - timedelta(days=20 - i)).isoformat()
        )
        demo.db.add(
            SafetyPlanVersion(
                client_id=client.id,
                version=1,
                plan_enc=demo.vault.encrypt(
                    demo.db,
                    Vault.owner_for_client(client.id),
                    json.dumps(plan.to_dict()),
                    field=FIELD,
                ),
                author_id=client.id,
                created_at=demo.now - timedelta(days=20 - i),
            )
        )
    clinician = next(c for c in demo.clinicians if c.email == DEMO_CLINICIAN)
    clients = care_service.caseload(demo.db, clinician_id=clinician.id)[:3]
    # (hours ago, state, summary): the open one is past its 24-hour target.
    story = [
        (30, "open", "Elevated risk language in journal"),
        (5, "acknowledged", "Elevated risk language in safety plan"),
        (72, "resolved", "PHQ-9 item 9 (thoughts of self-harm) answered above 0"),
    ]
    for client, (hours, state, summary) in zip(clients, story, strict=False):
        created = demo.now - timedelta(hours=hours)
        owner = Vault.owner_for_client(client.id)
        alert = Alert(
            client_id=client.id,
            level="elevated",
            source="demo",
            summary=summary,
            evidence_enc=demo.vault.encrypt(
                demo.db,
                owner,
                json.dumps({"note": "demo alert: no real client words"}),
                field=EVIDENCE_FIELD,
            ),
            status=state,
            created_at=created,
            due_at=created + timedelta(hours=24),
        )
        steps: list[tuple[str, str, datetime, int | None]] = [("", "open", created, None)]
        if state in ("acknowledged", "resolved"):
            alert.acknowledged_at = created + timedelta(hours=1)
            alert.acknowledged_by = clinician.id
            steps.append(("open", "acknowledged", alert.acknowledged_at, clinician.id))
        if state == "resolved":
            alert.resolved_at = created + timedelta(hours=3)
            alert.resolved_by = clinician.id
            alert.resolution_note_enc = demo.vault.encrypt(
                demo.db,
                owner,
                "Phoned the client; safe, safety plan reviewed, session brought forward.",
                field=NOTE_FIELD,
            )
            steps.append(("acknowledged", "resolved", alert.resolved_at, clinician.id))
        demo.db.add(alert)
        demo.db.flush()
        for before, after, at, actor in steps:
            demo.db.add(
                AlertTransition(
                    alert_id=alert.id, at=at, actor_id=actor, from_status=before, to_status=after
                )
            )
    demo.db.flush()
