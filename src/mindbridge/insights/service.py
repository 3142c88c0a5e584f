"""Gather what a viewer may see of one client (check-ins; text analyses and themes of the
streams they are granted) and turn it into insights. Nothing here writes."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mindbridge.access.domain import Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.checkins import service as checkins_service
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.insights import domain
from mindbridge.language import service as language_service

WINDOW_DAYS = 120  # patterns are about how someone is now, not years ago
TEXT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ThemeLine:
    label: str
    keywords: list[str]
    size: int
    trend: str
    source: str
    weekly: dict[str, int]


@dataclass(frozen=True)
class TextSummary:
    texts: int
    emotions: list[tuple[str, int]]  # detected emotion -> texts it was detected in
    stressed: int
    traps: list[tuple[str, int]]
    sources: list[str]


@dataclass(frozen=True)
class Report:
    insights: domain.Insights
    trajectory: list[tuple[date, float, float]]
    themes: list[ThemeLine] = field(default_factory=list)
    text: TextSummary | None = None
    last_checkin: datetime | None = None


def _tz(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def build(
    db: Session,
    checkins_grant: ClientGrant,
    vault: Vault,
    *,
    client: User,
    text_grants: Sequence[ClientGrant] = (),
    now: datetime | None = None,
) -> Report:
    """Insights over the last WINDOW_DAYS. `text_grants` are grants on the journal and/or
    check-in streams: only what they cover feeds emotions, traps and themes."""
    checkins_grant.require(Stream.CHECKINS)
    now = now or utcnow()
    since = now - timedelta(days=WINDOW_DAYS)
    items = checkins_service.list_checkins(db, checkins_grant, vault, since=since, with_notes=False)
    entries = [
        domain.Entry(
            day=c.local_date,
            weekday=c.local_weekday,
            hour=c.local_hour,
            mood=c.mood,
            anxiety=c.anxiety,
            sleep_hours=c.sleep_hours,
            tags=tuple(c.tags),
        )
        for c in items
    ]
    tz = _tz(client.timezone)
    themes: list[ThemeLine] = []
    themes_by_day: dict[date, set[str]] = defaultdict(set)
    recent: list[language_service.StoredAnalysis] = []
    sources: list[str] = []
    for grant in text_grants:
        stored = language_service.analyses(db, grant, vault, since=since)
        when = {(a.source, a.source_id): a.written_at for a in stored}
        recent += [a for a in stored if a.written_at >= now - timedelta(days=TEXT_WINDOW_DAYS)]
        for t in language_service.themes(db, grant, vault):
            sources.append(t.source)
            labels = {th.theme_id: th.label for th in t.report.themes}
            for source_id, theme_id in zip(t.source_ids, t.report.assignments, strict=False):
                written = when.get((t.source, source_id))
                if written is not None:
                    themes_by_day[written.astimezone(tz).date()].add(labels[theme_id])
            themes += [
                ThemeLine(th.label, th.keywords[:6], th.size, th.trend, t.source, th.weekly)
                for th in t.report.themes
            ]
    insights = domain.compute(entries, themes_by_day=themes_by_day)
    daily: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for e in entries:
        if e.day >= (now - timedelta(days=90)).astimezone(tz).date():
            daily[e.day].append((e.mood, e.anxiety))
    trajectory = [
        (d, sum(m for m, _ in v) / len(v), sum(a for _, a in v) / len(v))
        for d, v in sorted(daily.items())
    ]
    text = None
    if recent:
        emotions = Counter(
            e for a in recent for e in a.analysis.detected_emotions if e != "neutral"
        )
        # Only traps whose hand-written cue phrases matched: on everyday text the trap model
        # alone over-flags (see docs/models/distortions.md), the cue is words a person can see.
        traps = Counter(d.trap for a in recent for d in a.analysis.distortions if d.cues)
        text = TextSummary(
            texts=len(recent),
            emotions=emotions.most_common(5),
            stressed=sum(1 for a in recent if a.analysis.stress.stressed),
            traps=traps.most_common(4),
            sources=sorted({a.source for a in recent}),
        )
    return Report(
        insights=insights,
        trajectory=trajectory,
        themes=sorted(themes, key=lambda t: -t.size),
        text=text,
        last_checkin=items[-1].recorded_at if items else None,
    )
