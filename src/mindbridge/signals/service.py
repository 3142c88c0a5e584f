"""Storing passive signals and acting on them: imports, recomputation, alerts and nudges.

Imports are all-or-nothing by default: a file with any rejected row writes no observation and
its report (every rejected row with its reason) is kept with the import record. Writing needs
the client's grant on `Stream.SIGNALS` and their consent to share signals for some purpose;
storing sensing data nobody may use would serve no one. After each import, and daily from the
job, the client's last `WINDOW_DAYS` are recomputed from the stored observations, so derived
rows can always be rebuilt. An alert goes to the care team through `alerts.service.raise_alert`
only when the detector's decision says so and the client consented to automated alerts; a drop
in completeness sends the client one nudge per gap instead.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mindbridge.access.domain import Action, Purpose, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.alerts import service as alerts_service
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.consent import service as consent_service
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.kit.errors import Conflict, Invalid
from mindbridge.notifications import service as notifications_service
from mindbridge.signals.alerts import AlertPolicy, PastAlert, decide_alert
from mindbridge.signals.api import BatchIn, parse_api_batch
from mindbridge.signals.catalog import STREAM_CODES, STREAMS
from mindbridge.signals.clock import zone
from mindbridge.signals.daily import daily_from_observations
from mindbridge.signals.detector import DetectorConfig, assess
from mindbridge.signals.explain import data_notices, explain
from mindbridge.signals.features import compute_features
from mindbridge.signals.ingest_actigraphy import parse_actigraphy_csv
from mindbridge.signals.ingest_apple import parse_apple_health
from mindbridge.signals.ingest_generic import parse_generic_csv, parse_generic_json
from mindbridge.signals.models import (
    SignalAlert,
    SignalDay,
    SignalImport,
    SignalNudge,
    SignalObservation,
)
from mindbridge.signals.records import ObservationBatch, ParseResult, ProgressCallback, RejectedRow
from mindbridge.signals.self_report import self_report_inputs

FILE_FORMATS = ("generic", "actigraphy", "apple-health")
WINDOW_DAYS = 120  # the detector needs ~35 days of baseline; 120 keeps a season of history
STALE_DAYS = 30  # data older than this (a historical import) is scored to its own last day
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
REPORT_FIELD = "signals.import_report"
ALERT_SOURCE = "signals"
ALERT_LEVEL = "deterioration"
_CHUNK = 500  # keys per IN (...) lookup: well under SQLite's and PostgreSQL's parameter limits


class ConsentRequired(Conflict):
    """Passive signals are stored only while the client shares them."""


@dataclass(frozen=True)
class RecomputeResult:
    first: date
    last: date
    score: float | None
    explanation: str
    alerted: bool
    alert_reason: str
    nudged: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport:
    """What an import did, for the page, the API and the CLI."""

    import_id: int
    status: str  # imported | partial | rejected
    format: str
    filename: str
    added: int
    updated: int
    duplicates: int
    rejected: tuple[RejectedRow, ...]
    fatal: str
    stats: dict[str, int] = field(default_factory=dict)
    result: RecomputeResult | None = None

    @property
    def written(self) -> bool:
        return self.status != "rejected"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "import_id": self.import_id,
            "status": self.status,
            "format": self.format,
            "filename": self.filename,
            "added": self.added,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "rejected_count": len(self.rejected),
            "rejected": [r.to_dict() for r in self.rejected],
            "fatal": self.fatal,
            "stats": dict(self.stats),
            "score": None,
            "explanation": "",
            "alerted": False,
        }
        if self.result is not None:
            out |= {
                "score": self.result.score,
                "explanation": self.result.explanation,
                "alerted": self.result.alerted,
                "scored_days": [self.result.first.isoformat(), self.result.last.isoformat()],
            }
        return out

    def summary(self) -> str:
        if self.fatal:
            return f"Nothing imported: {self.fatal}"
        if self.status == "rejected":
            return (
                f"Nothing imported: {len(self.rejected)} row(s) were rejected. "
                "Fix them and send the file again."
            )
        text = (
            f"{self.added} new, {self.updated} corrected, "
            f"{self.duplicates} already stored (duplicates)"
        )
        if self.rejected:
            text += f"; {len(self.rejected)} rejected row(s) left out"
        return text


def client_zone(client: User) -> str:
    """The client's IANA zone from their profile (UTC if it is not a known zone)."""
    try:
        zone(client.timezone)
    except ValueError:
        return "UTC"
    return client.timezone


def shares_signals(db: Session, *, client_id: int) -> bool:
    state = consent_service.current(db, client_id=client_id)
    return any(
        state.granted(Stream.SIGNALS, p) for p in (Purpose.CARE_TEAM, Purpose.AUTOMATED_ALERTS)
    )


def _require_write(db: Session, grant: ClientGrant) -> User:
    grant.require(Stream.SIGNALS, Action.WRITE)
    client = db.get(User, grant.client_id)
    assert client is not None  # the grant proves the client exists
    if not shares_signals(db, client_id=grant.client_id):
        raise ConsentRequired(
            "Passive signals are not turned on: share them with your care team or for "
            "automated alerts in 'My data & consent' first. Nothing was imported."
        )
    return client


# --- parsing -----------------------------------------------------------------------------------


def _looks_like_json(source: bytes | Path) -> bool:
    if isinstance(source, Path):
        if source.suffix.lower() == ".json":
            return True
        with source.open("rb") as handle:
            head = handle.read(64)
    else:
        head = source[:64]
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{")


def parse_file(
    fmt: str, source: bytes | Path, tz: str, *, progress: ProgressCallback | None = None
) -> ParseResult:
    """Parse a file (bytes from an upload, or a path for the CLI) in one of FILE_FORMATS."""
    if fmt == "generic":
        if _looks_like_json(source):
            data = source.read_bytes() if isinstance(source, Path) else source
            return parse_generic_json(data, tz, progress=progress)
        return parse_generic_csv(source, tz, progress=progress)
    if fmt == "actigraphy":
        return parse_actigraphy_csv(source, tz, progress=progress)
    if fmt == "apple-health":
        stream = source if isinstance(source, Path) else io.BytesIO(source)
        return parse_apple_health(stream, tz, progress=progress)
    raise Invalid(f"format: choose one of {', '.join(FILE_FORMATS)} (got {fmt!r})")


def import_file(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    source: bytes | Path,
    fmt: str,
    filename: str = "",
    accept_valid_rows: bool = False,
    progress: ProgressCallback | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Parse and store a file for the grant's client, then recompute their days."""
    client = _require_write(db, grant)
    if fmt not in FILE_FORMATS:
        raise Invalid(f"format: choose one of {', '.join(FILE_FORMATS)} (got {fmt!r})")
    parsed = parse_file(fmt, source, client_zone(client), progress=progress)
    name = filename or (source.name if isinstance(source, Path) else "")
    return store(
        db,
        grant,
        vault,
        parsed,
        fmt=fmt,
        filename=name,
        accept_valid_rows=accept_valid_rows,
        now=now,
    )


def import_api_batch(
    db: Session, grant: ClientGrant, vault: Vault, *, batch: BatchIn, now: datetime | None = None
) -> ImportReport:
    """Store a device's batch (client-generated ids make retries idempotent)."""
    client = _require_write(db, grant)
    parsed = parse_api_batch(batch, client_zone(client))
    return store(db, grant, vault, parsed, fmt="api", filename=batch.device_id, now=now)


# --- storing -----------------------------------------------------------------------------------


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _existing(
    db: Session, client_id: int, keys: Sequence[str]
) -> dict[str, tuple[int, str, int, int, float, str]]:
    found: dict[str, tuple[int, str, int, int, float, str]] = {}
    for i in range(0, len(keys), _CHUNK):
        rows = db.execute(
            select(
                SignalObservation.dedup_key,
                SignalObservation.id,
                SignalObservation.stream,
                SignalObservation.start_at,
                SignalObservation.end_at,
                SignalObservation.value,
                SignalObservation.source,
            ).where(
                SignalObservation.client_id == client_id,
                SignalObservation.dedup_key.in_(keys[i : i + _CHUNK]),
            )
        ).all()
        for key, oid, stream, start, end, value, source in rows:
            found[key] = (oid, stream, _epoch(start), _epoch(end), value, source)
    return found


def _write_observations(
    db: Session, client_id: int, batch: ObservationBatch, import_id: int | None
) -> tuple[int, int, int]:
    """Upsert on (client, dedup key): (added, updated, unchanged)."""
    keys = batch.dedup_keys()
    existing = _existing(db, client_id, keys)
    codes = {c: n for n, c in STREAM_CODES.items()}
    new_rows: list[dict[str, Any]] = []
    updated = unchanged = 0
    for i, key in enumerate(keys):
        stream = codes[int(batch.stream[i])]
        start_s, end_s = int(batch.start_s[i]), int(batch.end_s[i])
        value = float(batch.value[i])
        source = batch.sources[int(batch.source[i])][:128]  # the column's width
        old = existing.get(key)
        if old is not None:
            if old[1:] == (stream, start_s, end_s, value, source):
                unchanged += 1
                continue
            db.execute(
                update(SignalObservation)
                .where(SignalObservation.id == old[0])
                .values(
                    stream=stream,
                    start_at=datetime.fromtimestamp(start_s, UTC),
                    end_at=datetime.fromtimestamp(end_s, UTC),
                    value=value,
                    unit=STREAMS[stream].unit,
                    source=source,
                    import_id=import_id,
                )
                .execution_options(synchronize_session=False)
            )
            updated += 1
            continue
        existing[key] = (0, stream, start_s, end_s, value, source)
        new_rows.append(
            {
                "client_id": client_id,
                "stream": stream,
                "start_at": datetime.fromtimestamp(start_s, UTC),
                "end_at": datetime.fromtimestamp(end_s, UTC),
                "value": value,
                "unit": STREAMS[stream].unit,
                "source": source,
                "dedup_key": key,
                "import_id": import_id,
            }
        )
    statement = _insert_new(db)
    for i in range(0, len(new_rows), 5_000):
        db.execute(statement, new_rows[i : i + 5_000])
    return len(new_rows), updated, unchanged


def _insert_new(db: Session) -> Any:
    """INSERT that skips a key another import stored meanwhile (two uploads of the same file at
    once): the unique index decides, and neither request fails."""
    name = db.get_bind().dialect.name
    if name == "postgresql":
        return pg_insert(SignalObservation).on_conflict_do_nothing(
            index_elements=["client_id", "dedup_key"]
        )
    if name == "sqlite":
        return sqlite_insert(SignalObservation).on_conflict_do_nothing(
            index_elements=["client_id", "dedup_key"]
        )
    return insert(SignalObservation)


def store(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    parsed: ParseResult,
    *,
    fmt: str,
    filename: str = "",
    accept_valid_rows: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """Record the import and, unless it is refused, its observations; then recompute.

    Refused (nothing but the import record and its report written): a fatal parse error, or any
    rejected row unless `accept_valid_rows` was asked for explicitly.
    """
    grant.require(Stream.SIGNALS, Action.WRITE)
    now = now or utcnow()
    ctx = grant.ctx
    rejected = tuple(parsed.rejected)
    refused = parsed.fatal is not None or (bool(rejected) and not accept_valid_rows)
    status = "rejected" if refused else ("partial" if rejected else "imported")
    row = SignalImport(
        client_id=grant.client_id,
        actor_id=ctx.actor.user_id if ctx.actor else None,
        received_at=now,
        format=fmt,
        filename=filename[:255],
        status=status,
        rejected=len(rejected),
        fatal=parsed.fatal or "",
        stats=dict(parsed.stats),
        report_enc=(
            vault.encrypt(
                db,
                Vault.owner_for_client(grant.client_id),
                json.dumps([r.to_dict() for r in rejected]),
                field=REPORT_FIELD,
            )
            if rejected
            else None
        ),
    )
    db.add(row)
    db.flush()
    added = updated = unchanged = 0
    if not refused:
        added, updated, unchanged = _write_observations(
            db, grant.client_id, parsed.observations, row.id
        )
        row.added, row.updated, row.duplicates = added, updated, unchanged
    audit_service.record(
        db,
        ctx,
        action="signals.import",
        resource_type="signal_import",
        resource_id=row.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
        outcome="success" if not refused else "rejected",
        detail={
            "format": fmt,
            "status": status,
            "added": added,
            "updated": updated,
            "duplicates": unchanged,
            "rejected": len(rejected),
        },
    )
    result = None
    if not refused and (added or updated):
        result = recompute(db, ctx, vault, client_id=grant.client_id, now=now)
    return ImportReport(
        import_id=row.id,
        status=status,
        format=fmt,
        filename=row.filename,
        added=added,
        updated=updated,
        duplicates=unchanged,
        rejected=rejected,
        fatal=parsed.fatal or "",
        stats=dict(parsed.stats),
        result=result,
    )


# --- recomputing -------------------------------------------------------------------------------


def _local_midnight_utc(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC)


def load_batch(
    db: Session, *, client_id: int, since: datetime, until: datetime
) -> ObservationBatch:
    """A client's stored observations starting in [since, until), column-wise for the core."""
    rows = db.execute(
        select(
            SignalObservation.stream,
            SignalObservation.source,
            SignalObservation.start_at,
            SignalObservation.end_at,
            SignalObservation.value,
        )
        .where(
            SignalObservation.client_id == client_id,
            SignalObservation.start_at >= since,
            SignalObservation.start_at < until,
        )
        .order_by(SignalObservation.start_at)
    ).all()
    sources: dict[str, int] = {}
    n = len(rows)
    stream = np.empty(n, np.int8)
    source = np.empty(n, np.int32)
    start = np.empty(n, np.int64)
    end = np.empty(n, np.int64)
    value = np.empty(n, np.float64)
    for i, (s, src, a, b, v) in enumerate(rows):
        stream[i] = STREAM_CODES[s]
        source[i] = sources.setdefault(src, len(sources))
        start[i] = _epoch(a)
        end[i] = _epoch(b)
        value[i] = v
    return ObservationBatch(stream, source, list(sources), start, end, value, np.zeros(n, np.int64))


def _clean(x: float, digits: int = 3) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), digits)


def _window(db: Session, client_id: int, tz: str, today: date) -> tuple[date, date] | None:
    first_at, last_at = db.execute(
        select(func.min(SignalObservation.start_at), func.max(SignalObservation.start_at)).where(
            SignalObservation.client_id == client_id
        )
    ).one()
    if first_at is None or last_at is None:
        return None
    tzinfo = zone(tz)
    first_day = _aware(first_at).astimezone(tzinfo).date()
    last_day = _aware(last_at).astimezone(tzinfo).date()
    end = today if last_day >= today - timedelta(days=STALE_DAYS) else last_day
    start = max(first_day, end - timedelta(days=WINDOW_DAYS - 1))
    return (start, end) if start <= end else None


def _aware(moment: datetime) -> datetime:
    # aggregate results bypass the column type on SQLite and come back naive (they are UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def recompute(
    db: Session,
    ctx: AuditContext,
    vault: Vault,
    *,
    client_id: int,
    now: datetime | None = None,
    policy: AlertPolicy = AlertPolicy(),
    config: DetectorConfig = DetectorConfig(),
) -> RecomputeResult | None:
    """Rebuild the client's recent days from their observations; alert and nudge if due.

    Processing on behalf of the client's care (the import that caused it, or the daily job);
    the alert and nudge decisions are made only for the client's local today. Nothing is
    processed once the client stops sharing signals (what was computed before stays).
    """
    now = now or utcnow()
    client = db.get(User, client_id)
    if client is None or not shares_signals(db, client_id=client_id):
        return None
    tz = client_zone(client)
    today = now.astimezone(zone(tz)).date()
    window = _window(db, client_id, tz, today)
    if window is None:
        return None
    first, last = window
    batch = load_batch(
        db,
        client_id=client_id,
        since=_local_midnight_utc(first - timedelta(days=1), tz),
        until=_local_midnight_utc(last + timedelta(days=1), tz),
    )
    reported = self_report_inputs(db, vault, client_id=client_id, tz=tz, first=first, last=last)
    inputs = daily_from_observations(batch, tz, first, last, self_report=reported)
    features = compute_features(inputs)
    assessment = assess(features, config)
    days = (last - first).days + 1
    known = np.isnan(assessment.baseline.med[:, 0, :]).all(axis=0)  # per day
    has_baseline = [not bool(v) for v in np.atleast_1d(known)]  # any feature has a baseline
    # judged on the last whole day: today is still arriving and would look like a gap
    notices = data_notices(inputs, 0, days - 2) if days >= 2 else []
    rows: list[dict[str, Any]] = []
    scores: list[float] = []
    explanation_text = ""
    for i in range(days):
        score = float(assessment.score[0, i]) if has_baseline[i] else math.nan
        scores.append(score)
        text = explain(assessment, 0, i, inputs=inputs).text if has_baseline[i] else ""
        if i == days - 1:
            explanation_text = text
        rows.append(
            {
                "client_id": client_id,
                "day": first + timedelta(days=i),
                "features": {
                    name: _clean(features.values[0, i, j]) for j, name in enumerate(features.names)
                },
                "completeness": {
                    source: _clean(values[0, i], 2)
                    for source, values in inputs.completeness.items()
                },
                "score": _clean(score),
                "contributions": (
                    {g: round(v, 3) for g, v in assessment.contributions(0, i).items() if v > 0}
                    if has_baseline[i]
                    else {}
                ),
                "explanation": text,
                "notices": [n.to_dict() for n in notices] if i == days - 1 else [],
                "computed_at": now,
            }
        )
    db.execute(
        delete(SignalDay)
        .where(SignalDay.client_id == client_id, SignalDay.day >= first, SignalDay.day <= last)
        .execution_options(synchronize_session=False)
    )
    db.execute(insert(SignalDay), rows)
    latest = _clean(scores[-1])
    alerted, reason = False, "not today's data"
    nudged: list[str] = []
    if last == today:
        alerted, reason = _maybe_alert(
            db, ctx, vault, client_id=client_id, day=last, scores=scores, rows=rows, policy=policy
        )
        nudged = _nudge(db, client_id=client_id, notices=notices)
    audit_service.record(
        db,
        ctx,
        action="signals.recompute",
        resource_type="signal_days",
        client_id=client_id,
        purpose="processing",
        detail={"first": first.isoformat(), "last": last.isoformat(), "score": latest},
    )
    return RecomputeResult(first, last, latest, explanation_text, alerted, reason, tuple(nudged))


def _maybe_alert(
    db: Session,
    ctx: AuditContext,
    vault: Vault,
    *,
    client_id: int,
    day: date,
    scores: list[float],
    rows: list[dict[str, Any]],
    policy: AlertPolicy,
) -> tuple[bool, str]:
    consent = consent_service.current(db, client_id=client_id)
    if not consent.granted(Stream.SIGNALS, Purpose.AUTOMATED_ALERTS):
        return False, "no consent to automated alerts from signals"
    if math.isnan(scores[-1]):
        return False, "too early to judge (no baseline yet)"
    sent = list(db.execute(select(SignalAlert).where(SignalAlert.client_id == client_id)).scalars())
    if any(a.day == day for a in sent):
        return False, "already alerted today"
    decision = decide_alert(day, scores, [PastAlert(a.day, a.score) for a in sent], policy)
    if not decision.alert:
        return False, decision.reason
    score = scores[-1]
    today = rows[-1]
    alert = alerts_service.raise_alert(
        db,
        ctx,
        vault,
        client_id=client_id,
        level=ALERT_LEVEL,
        source=ALERT_SOURCE,
        summary=f"Passive signals changed from usual (deterioration score {score:.2f})",
        stream=Stream.SIGNALS,
        evidence={
            "day": day.isoformat(),
            "score": round(score, 3),
            "explanation": today["explanation"],
            "contributions": today["contributions"],
            "completeness": today["completeness"],
            "decision": decision.reason,
            "policy": policy.to_dict(),
        },
        source_ref=day.isoformat(),
        dedup_key=f"signals:{client_id}:{day.isoformat()}",
    )
    if alert is None:
        return False, "suppressed by consent"
    db.add(
        SignalAlert(
            client_id=client_id,
            day=day,
            score=round(score, 4),
            reason=decision.reason[:255],
            alert_id=alert.id,
        )
    )
    db.flush()
    return True, decision.reason


NUDGE_TITLE = "Your data hasn't synced lately"


def _nudge(db: Session, *, client_id: int, notices: Iterable[Any]) -> list[str]:
    """One in-app message per source and gap: a reminder about syncing, never an alert."""
    sent: list[str] = []
    for notice in notices:
        exists = db.get(SignalNudge, (client_id, notice.source, notice.since))
        if exists is not None:
            continue
        db.add(SignalNudge(client_id=client_id, source=notice.source, since=notice.since))
        notifications_service.notify(
            db,
            user_id=client_id,
            kind="signals.nudge",
            title=NUDGE_TITLE,
            body=notice.nudge,
            link="/me/signals",
        )
        sent.append(notice.source)
    if sent:
        db.flush()
    return sent


def clients_to_refresh(db: Session, *, now: datetime) -> list[int]:
    """Clients with observations in the last WINDOW_DAYS (the daily job's worklist)."""
    since = now - timedelta(days=WINDOW_DAYS)
    return list(
        db.execute(
            select(SignalObservation.client_id)
            .where(SignalObservation.start_at >= since)
            .distinct()
            .order_by(SignalObservation.client_id)
        ).scalars()
    )


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    id: int
    received_at: datetime
    format: str
    filename: str
    status: str
    added: int
    updated: int
    duplicates: int
    rejected: int
    fatal: str


@dataclass(frozen=True)
class SignalsView:
    """What a page shows: computed days (oldest first), alerts sent, recent imports."""

    client_id: int
    timezone: str
    days: list[SignalDay]
    alerts: list[SignalAlert]
    imports: list[ImportRow]

    @property
    def latest(self) -> SignalDay | None:
        return self.days[-1] if self.days else None


def view(db: Session, grant: ClientGrant, *, days: int = 60) -> SignalsView:
    """The client's recent signals (the grant was authorised and audited by its route)."""
    grant.require(Stream.SIGNALS)
    client = db.get(User, grant.client_id)
    assert client is not None
    recent = list(
        db.execute(
            select(SignalDay)
            .where(SignalDay.client_id == grant.client_id)
            .order_by(SignalDay.day.desc())
            .limit(days)
        ).scalars()
    )
    recent.reverse()
    alerts = list(
        db.execute(
            select(SignalAlert)
            .where(SignalAlert.client_id == grant.client_id)
            .order_by(SignalAlert.day.desc())
            .limit(20)
        ).scalars()
    )
    imports = [
        ImportRow(
            r.id,
            r.received_at,
            r.format,
            r.filename,
            r.status,
            r.added,
            r.updated,
            r.duplicates,
            r.rejected,
            r.fatal,
        )
        for r in db.execute(
            select(SignalImport)
            .where(SignalImport.client_id == grant.client_id)
            .order_by(SignalImport.received_at.desc(), SignalImport.id.desc())
            .limit(10)
        ).scalars()
    ]
    return SignalsView(grant.client_id, client_zone(client), recent, alerts, imports)


def rejection_report(
    db: Session, grant: ClientGrant, vault: Vault, *, import_id: int
) -> list[dict[str, Any]]:
    """Every rejected row of one of the client's imports (decrypted)."""
    grant.require(Stream.SIGNALS)
    row = db.get(SignalImport, import_id)
    if row is None or row.client_id != grant.client_id or row.report_enc is None:
        return []
    text = vault.decrypt(
        db, Vault.owner_for_client(grant.client_id), row.report_enc, field=REPORT_FIELD
    )
    loaded: list[dict[str, Any]] = json.loads(text)
    return loaded
