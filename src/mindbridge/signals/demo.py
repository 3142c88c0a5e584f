"""Demo history for passive signals: 90 days of sleep and hourly steps (and heart rate for one
client with a watch) for the first clients of the demo clinic, with realistic gaps.

- Most days are ordinary, with a few missing days and days the phone was left at home.
- One client's phone stopped syncing five days ago: the pages show those days as missing, and
  the client gets one nudge about syncing (not an alert).
- One client's activity falls and their sleep shifts later over the last two weeks: the
  detector catches it, and the alert reaches the care team's inbox through the same pipeline
  as a real import (`service.recompute` -> `alerts.service.raise_alert`).
- One client does not share signals with the care team: their page says "not shared".

Observations are written in bulk (hourly and nightly rows, not minutes) and then each client is
recomputed once, which keeps the seeder to about a second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from mindbridge.accounts import service as accounts_service
from mindbridge.audit.service import AuditContext
from mindbridge.demo.seed import DAYS, DemoContext, seeder
from mindbridge.signals import service as signals_service
from mindbridge.signals.catalog import STREAMS
from mindbridge.signals.clock import zone
from mindbridge.signals.models import SignalImport, SignalObservation
from mindbridge.signals.records import dedup_key

# demo client index -> pattern (index 6 revokes sharing signals with the care team in the seed)
PATTERNS = {
    0: "steady",
    1: "sync_gap",
    2: "steady",
    3: "watch",
    4: "deteriorating",
    5: "steady",
    6: "steady",
}
SYNC_GAP_DAYS = 5
DECLINE_DAYS = 16
PHONE = "demo:phone"
WATCH = "demo:watch"


@dataclass(frozen=True)
class Obs:
    stream: str
    start: datetime  # UTC
    end: datetime  # UTC
    value: float
    source: str


def _at(day: date, hours: float, tz: str) -> datetime:
    """Wall-clock hours from the local midnight starting `day`, as UTC."""
    local = datetime(day.year, day.month, day.day, tzinfo=zone(tz)) + timedelta(hours=hours)
    return local.astimezone(UTC)


def synthetic_days(
    rng: random.Random,
    tz: str,
    *,
    last_day: date,
    days: int,
    pattern: str = "steady",
    until: datetime | None = None,
    decline_days: int = DECLINE_DAYS,
) -> list[Obs]:
    """Nightly sleep and hourly waking-hours steps for `days` local days ending `last_day`.

    `pattern`: steady | sync_gap (nothing in the last SYNC_GAP_DAYS) | watch (adds hourly heart
    rate) | deteriorating (steps fall to about a third and sleep starts ~2 h later, ramping over
    the last `decline_days`). Nothing is generated after `until`.
    """
    out: list[Obs] = []
    usual_steps = rng.uniform(6_000, 10_000)
    bedtime = rng.uniform(22.5, 23.8)
    sleep_need = rng.uniform(6.8, 8.0)
    hourly = [0.02, 0.06, 0.08, 0.07, 0.06, 0.08, 0.07, 0.06, 0.06, 0.07, 0.09, 0.08, 0.07, 0.06]
    hourly += [0.04, 0.03]
    for i in range(days):
        day = last_day - timedelta(days=days - 1 - i)
        from_end = days - 1 - i
        if pattern == "sync_gap" and from_end < SYNC_GAP_DAYS:
            continue
        if rng.random() < 0.04:  # an ordinary missing day
            continue
        share = 0.0
        if pattern == "deteriorating" and from_end < decline_days:
            share = min(1.0, (decline_days - from_end) / (decline_days * 0.6))
        weekend = day.weekday() >= 5
        onset = bedtime + rng.gauss(0, 0.35) + (0.6 if weekend else 0) + 2.0 * share
        length = sleep_need + rng.gauss(0, 0.45) - 0.8 * share
        start = _at(day - timedelta(days=1), onset, tz)
        end = start + timedelta(hours=length)
        if until is None or end <= until:
            minutes = (end - start).total_seconds() // 60  # asleep for the whole span
            out.append(Obs("sleep_minutes", start, end, minutes, WATCH))
        factor = rng.lognormvariate(0, 0.18) * (0.85 if weekend else 1.0) * (1 - 0.65 * share)
        phone_at_home = rng.random() < 0.05
        for h, part in enumerate(hourly):
            hour = 7 + h
            if phone_at_home and 10 <= hour < 18:
                continue
            t0 = _at(day, hour, tz)
            if until is not None and t0 + timedelta(hours=1) > until:
                break
            steps = max(0, round(usual_steps * factor * part * rng.uniform(0.6, 1.4)))
            out.append(Obs("steps", t0, t0 + timedelta(hours=1), steps, PHONE))
        if pattern == "watch":
            rest = 60 + rng.gauss(0, 1.5)
            for hour in range(24):
                t0 = _at(day, hour + 0.5, tz)
                if until is not None and t0 > until:
                    break
                bpm = rest + (0 if hour < 7 else rng.uniform(5, 30))
                out.append(Obs("heart_rate", t0, t0, round(bpm), WATCH))
    return out


def observation_rows(
    client_id: int, observations: list[Obs], import_id: int
) -> list[dict[str, Any]]:
    rows = []
    for o in observations:
        start_s, end_s = int(o.start.timestamp()), int(o.end.timestamp())
        rows.append(
            {
                "client_id": client_id,
                "stream": o.stream,
                "start_at": o.start,
                "end_at": o.end,
                "value": float(o.value),
                "unit": STREAMS[o.stream].unit,
                "source": o.source,
                "dedup_key": dedup_key(o.stream, o.source, start_s, end_s),
                "import_id": import_id,
            }
        )
    return rows


@seeder("signals")
def seed_signals(demo: DemoContext) -> None:
    rows: list[dict[str, Any]] = []
    seeded: list[int] = []
    for index, pattern in PATTERNS.items():
        if index >= len(demo.clients):
            continue
        client = demo.clients[index]
        tz = signals_service.client_zone(client)
        today = demo.now.astimezone(zone(tz)).date()
        observations = synthetic_days(
            demo.rng, tz, last_day=today, days=DAYS, pattern=pattern, until=demo.now
        )
        batch = SignalImport(
            client_id=client.id,
            actor_id=client.id,
            received_at=demo.now - timedelta(hours=2),
            format="api",
            filename="demo-phone",
            status="imported",
            added=len(observations),
            stats={"items": len(observations)},
        )
        demo.db.add(batch)
        demo.db.flush()
        rows += observation_rows(client.id, observations, batch.id)
        seeded.append(index)
    demo.db.execute(insert(SignalObservation), rows)
    for index in seeded:
        client = demo.clients[index]
        ctx = AuditContext(accounts_service.actor_of(client), "demo-seed")
        signals_service.recompute(demo.db, ctx, demo.vault, client_id=client.id, now=demo.now)
    demo.extra["signals_deteriorating"] = demo.clients[4].id if len(demo.clients) > 4 else None
    demo.extra["signals_sync_gap"] = demo.clients[1].id if len(demo.clients) > 1 else None
