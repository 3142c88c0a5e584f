"""Caseload triage reasons from check-ins: check-ins that stopped, and a week of clearly lower
mood than the client's own recent weeks. Ratings only: notes are never read here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from mindbridge.access.domain import Stream
from mindbridge.checkins.models import Checkin
from mindbridge.workspace.providers import TriageInput, triage_provider
from mindbridge.workspace.triage import Reason, Tier

HISTORY = timedelta(days=35)
RECENT = timedelta(days=7)
SILENT_AFTER = timedelta(days=3)
USUAL_MIN = 5  # check-ins in the two weeks before the silence to call it "usual"
MOOD_DROP = 2.0  # points on the 0-10 scale, week vs the four weeks before
MIN_EACH = 4


def reasons_for(
    rows: Sequence[tuple[datetime, int]], *, now: datetime, client_id: int
) -> list[Reason]:
    """Pure rule over one client's (recorded_at, mood) pairs in the last HISTORY."""
    out: list[Reason] = []
    if not rows:
        return out
    last = max(t for t, _ in rows)
    silent = now - last
    before = [t for t, _ in rows if last - timedelta(days=14) <= t <= last]
    if silent >= SILENT_AFTER and len(before) >= USUAL_MIN:
        days = silent.days
        out.append(
            Reason(
                kind="checkins",
                tier=Tier.ROUTINE,
                points=40 + 5 * min(days, 14),
                text=f"No check-in for {days} days (checked in {len(before)} times in the "
                "two weeks before)",
                link=f"/clients/{client_id}/insights",
            )
        )
    recent = [m for t, m in rows if t >= now - RECENT]
    earlier = [m for t, m in rows if now - HISTORY <= t < now - RECENT]
    if len(recent) >= MIN_EACH and len(earlier) >= MIN_EACH:
        drop = sum(earlier) / len(earlier) - sum(recent) / len(recent)
        if drop >= MOOD_DROP:
            out.append(
                Reason(
                    kind="checkins",
                    tier=Tier.HIGH if drop >= 3 else Tier.ROUTINE,
                    points=int(60 + 30 * drop),
                    text=f"Mood {drop:.1f} points lower this week than the four weeks before "
                    f"({len(recent)} vs {len(earlier)} check-ins)",
                    link=f"/clients/{client_id}/insights",
                )
            )
    return out


@triage_provider("checkins", resource=Stream.CHECKINS)
def checkin_reasons(data: TriageInput) -> Mapping[int, Sequence[Reason]]:
    ids = [g.client_id for g in data.grants]
    if not ids:
        return {}
    per: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for client_id, when, mood in data.db.execute(
        select(Checkin.client_id, Checkin.recorded_at, Checkin.mood).where(
            Checkin.client_id.in_(ids), Checkin.recorded_at >= data.now - HISTORY
        )
    ):
        per[client_id].append((when, mood))
    return {cid: reasons_for(rows, now=data.now, client_id=cid) for cid, rows in per.items()}
