"""What the client reports themselves, as daily series beside the passive signals: check-in mood
and adherence, PHQ-9 totals, and the tone and stress of what they write.

Each series is used only while the client shares its stream with the care team, because the
deterioration score and its explanation are shown to the care team: a stream the client keeps
private must not reach them through the score.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy.orm import Session

from mindbridge.access.domain import Purpose, Stream
from mindbridge.assessments import repository as assessments_repository
from mindbridge.checkins import service as checkins_service
from mindbridge.consent import service as consent_service
from mindbridge.crypto.service import Vault
from mindbridge.language import service as language_service
from mindbridge.signals.clock import zone

FloatArray = np.ndarray


def self_report_inputs(
    db: Session, vault: Vault, *, client_id: int, tz: str, first: date, last: date
) -> dict[str, FloatArray]:
    days = (last - first).days + 1
    consent = consent_service.current(db, client_id=client_id)
    shared = consent.shared_with(Purpose.CARE_TEAM)
    since = datetime.combine(first - timedelta(days=1), time(), tzinfo=UTC)
    until = datetime.combine(last + timedelta(days=2), time(), tzinfo=UTC)
    out: dict[str, FloatArray] = {}

    def index(day: date) -> int | None:
        i = (day - first).days
        return i if 0 <= i < days else None

    if Stream.CHECKINS in shared:
        rows = checkins_service.daily_ratings(db, client_id=client_id, since=since, until=until)
        if rows:
            moods: dict[int, list[float]] = defaultdict(list)
            for local_day, rating in rows:
                i = index(local_day)
                if i is not None:
                    moods[i].append(float(rating))
            mood = np.full(days, np.nan)
            for i, ratings in moods.items():
                mood[i] = sum(ratings) / len(ratings)
            out["mood"] = mood
            # Adherence counts from the first check-in on: before it, no check-in is not a miss.
            started = index(min(d for d, _ in rows))
            checked = np.where(np.isnan(mood), 0.0, 1.0)
            if started is not None and started > 0:
                checked[:started] = np.nan
            out["checkin"] = checked
    if Stream.QUESTIONNAIRES in shared:
        phq9 = np.full(days, np.nan)
        for s in assessments_repository.submissions(db, client_id=client_id, instrument_id="PHQ-9"):
            i = index(s.authored_at.astimezone(zone(tz)).date())
            if i is not None and s.total is not None:
                phq9[i] = s.total
        if not np.isnan(phq9).all():
            out["phq9"] = phq9
    sources = [s for s, stream in language_service.SOURCE_STREAMS.items() if stream in shared]
    scores = language_service.daily_text_scores(
        db, vault, client_id=client_id, sources=sources, since=since, until=until
    )
    if scores:
        tone: dict[int, list[float]] = defaultdict(list)
        stress: dict[int, list[float]] = defaultdict(list)
        for written_at, sentiment, stress_p in scores:
            i = index(written_at.astimezone(zone(tz)).date())
            if i is not None:
                tone[i].append(sentiment)
                stress[i].append(stress_p)
        for name, per_day in (("sentiment", tone), ("stress", stress)):
            series = np.full(days, np.nan)
            for i, found in per_day.items():
                series[i] = sum(found) / len(found)
            out[name] = series
    return out
