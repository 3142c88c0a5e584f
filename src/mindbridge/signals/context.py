"""What the recommender may know from passive signals: the last week's sleep and activity
against the person's own previous four weeks (read through a grant for the viewer)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Stream
from mindbridge.audit.service import AuditContext
from mindbridge.kit.errors import NotFound
from mindbridge.recommender.context import Wearable
from mindbridge.recommender.service import CONTEXT_PROVIDERS, ContextInputs
from mindbridge.signals.models import SignalDay

ACTIVITY = ("steps", "activity_counts")


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def wearable_summary(days: list[tuple[int, dict[str, object]]]) -> Wearable | None:
    """`days`: (days before today, features) pairs. Pure, for tests."""

    def series(name: str, lo: int, hi: int) -> list[float]:
        out = []
        for back, features in days:
            value = features.get(name)
            if lo <= back < hi and isinstance(value, int | float) and math.isfinite(value):
                out.append(float(value))
        return out

    sleep = _mean(series("sleep_h", 0, 7))
    activity_z = None
    for name in ACTIVITY:
        recent, before = series(name, 0, 7), series(name, 7, 35)
        if len(recent) >= 3 and len(before) >= 10:
            mu = sum(before) / len(before)
            sd = math.sqrt(sum((x - mu) ** 2 for x in before) / (len(before) - 1))
            if sd > 0:
                activity_z = (sum(recent) / len(recent) - mu) / sd
                break
    if sleep is None and activity_z is None:
        return None
    return Wearable(sleep_hours_mean=sleep, activity_z=activity_z)


def signals_context(db: Session, ctx: AuditContext, client_id: int, now: datetime) -> ContextInputs:
    try:
        access_service.authorize(db, ctx, client_id=client_id, resource=Stream.SIGNALS)
    except NotFound:
        return ContextInputs()
    today = now.date()
    rows = db.execute(
        select(SignalDay.day, SignalDay.features).where(
            SignalDay.client_id == client_id, SignalDay.day >= today - timedelta(days=35)
        )
    ).all()
    summary = wearable_summary([((today - day).days, dict(f or {})) for day, f in rows])
    return ContextInputs(wearable=summary) if summary else ContextInputs()


CONTEXT_PROVIDERS.append(signals_context)
