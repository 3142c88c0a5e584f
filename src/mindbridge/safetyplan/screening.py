"""`screen_and_record`: THE way any path that accepts client free text screens it first.

It runs the safety core's `screen`, audits every result above `none` (the screening, which may
quote the client, is encrypted into the alert's evidence, never into the audit detail), and
raises an alert for elevated or imminent risk through `alerts.service.raise_alert` (consent and
the imminent-risk policy apply there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mindbridge.access.domain import Purpose, Stream
from mindbridge.alerts import service as alerts_service
from mindbridge.alerts.models import Alert
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.crypto.service import Vault
from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.screening import Screening, screen


@dataclass(frozen=True)
class Recorded:
    screening: Screening
    alert: Alert | None  # the alert raised (or the open one it repeats), None if none was sent

    @property
    def level(self) -> RiskLevel:
        return self.screening.level

    @property
    def needs_crisis_response(self) -> bool:
        return self.screening.needs_crisis_response


def screen_and_record(
    db: Session,
    ctx: AuditContext,
    vault: Vault,
    *,
    client_id: int,
    text: str,
    context: Sequence[str] = (),
    source: str,
    stream: Stream | None,
) -> Recorded:
    screening = screen(text, context=context)
    level = screening.level
    if level is RiskLevel.NONE:
        return Recorded(screening, None)
    audit_service.record(
        db,
        ctx,
        action="safety.screen",
        resource_type="screening",
        client_id=client_id,
        purpose=Purpose.CARE_TEAM.value,
        detail={
            "level": level.value,
            "score": round(screening.score, 3),
            "model_version": screening.model_version,
            "source": source,
            "concern_for_other": screening.concern_for_other,
        },
    )
    alert = None
    if level.needs_crisis_response:
        alert = alerts_service.raise_alert(
            db,
            ctx,
            vault,
            client_id=client_id,
            level=level.value,
            source=source,
            summary=f"{level.value.capitalize()} risk language in {source.replace('_', ' ')}",
            stream=stream,
            evidence={"screening": screening.to_dict(), "text": text},
            dedup_key=f"{source}:{client_id}:{level.value}",
        )
    return Recorded(screening, alert)
