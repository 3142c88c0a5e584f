"""Text analysis on the platform: queue a screened text, analyse it in the job runner, store the
result encrypted, keep each client's theme report current, and read both back through grants.

Analysis runs from the outbox, never on the request path: the models take seconds to load and
a check-in must save in milliseconds. The text travels in the outbox payload encrypted with the
client's data key, so nothing readable sits in the queue. Callers must have screened the text
(`safetyplan.screening.screen_and_record`) before asking for its analysis.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Stream
from mindbridge.access.service import ClientGrant
from mindbridge.crypto.service import ERASED, Vault
from mindbridge.db import utcnow
from mindbridge.jobs import outbox
from mindbridge.jobs.models import OutboxEvent
from mindbridge.language.domain import Analysis, ThemeReport
from mindbridge.language.models import TextAnalysis, ThemeSnapshot
from mindbridge.runtime import runtime

ANALYZE = "language.analyze"
THEMES = "language.themes"
# Which consent stream each source belongs to: a reader sees an analysis only with that grant.
SOURCE_STREAMS: dict[str, Stream] = {
    "checkin": Stream.CHECKINS,
    "journal": Stream.JOURNAL,
    "companion": Stream.COMPANION,
}
THEME_SOURCES = ("journal", "checkin")  # companion turns are too short to cluster usefully
MIN_THEME_ENTRIES = 6  # below this, clusters describe noise, not themes
PENDING_FIELD = "outbox.language.text"
ANALYSIS_FIELD = "text_analyses.analysis"
EMBEDDING_FIELD = "text_analyses.embedding"
REPORT_FIELD = "theme_snapshots.report"

# A capability registers how to tell whether a source text still exists, so an entry deleted
# while its analysis waited in the queue is not analysed after all.
Exists = Callable[[Session, int, str], bool]
_EXISTS: dict[str, Exists] = {}


def register_source(source: str, exists: Exists) -> None:
    if source not in SOURCE_STREAMS:
        raise ValueError(f"unknown text source {source!r}")
    _EXISTS[source] = exists


def request_analysis(
    db: Session,
    vault: Vault,
    *,
    client_id: int,
    source: str,
    source_id: str | int,
    text: str,
    written_at: datetime,
) -> bool:
    """Queue one screened text for analysis (in the caller's transaction). False when switched
    off by MINDBRIDGE_LANGUAGE_ANALYSIS=false or the text is blank."""
    if source not in SOURCE_STREAMS:
        raise ValueError(f"unknown text source {source!r}")
    if not runtime().settings.language_analysis or not text.strip():
        return False
    blob = vault.encrypt(db, Vault.owner_for_client(client_id), text, field=PENDING_FIELD)
    outbox.enqueue(
        db,
        ANALYZE,
        {
            "client_id": client_id,
            "source": source,
            "source_id": str(source_id),
            "written_at": written_at.isoformat(),
            "text": base64.b64encode(blob).decode(),
        },
    )
    return True


def forget(db: Session, *, client_id: int, source: str, source_id: str | int) -> None:
    """Drop the analysis of a deleted text, and refresh that source's themes."""
    db.execute(
        delete(TextAnalysis).where(
            TextAnalysis.client_id == client_id,
            TextAnalysis.source == source,
            TextAnalysis.source_id == str(source_id),
        )
    )
    if source in THEME_SOURCES:
        outbox.enqueue(db, THEMES, {"client_id": client_id, "source": source})


def _encode_embedding(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype=np.float16).tobytes()).decode()


def _decode_embedding(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float16).astype(np.float32)


@outbox.handler(ANALYZE, background=True)
def _analyze(db: Session, payload: dict[str, object], event_id: int) -> None:
    client_id = int(str(payload["client_id"]))
    source = str(payload["source"])
    source_id = str(payload["source_id"])
    exists = _EXISTS.get(source)
    if exists is not None and not exists(db, client_id, source_id):
        return
    vault = runtime().vault
    owner = Vault.owner_for_client(client_id)
    text = vault.decrypt(db, owner, base64.b64decode(str(payload["text"])), field=PENDING_FIELD)
    if text == ERASED:
        return
    from mindbridge.language.analyzer import get_analyzer

    analyses, embeddings = get_analyzer().analyze_and_embed([text])
    analysis = analyses[0]
    analysis_enc = vault.encrypt(db, owner, analysis.to_json(), field=ANALYSIS_FIELD)
    embedding_enc = vault.encrypt(
        db, owner, _encode_embedding(embeddings[0]), field=EMBEDDING_FIELD
    )
    row = db.execute(
        select(TextAnalysis).where(
            TextAnalysis.client_id == client_id,
            TextAnalysis.source == source,
            TextAnalysis.source_id == source_id,
        )
    ).scalar_one_or_none()
    if row is None:
        row = TextAnalysis(client_id=client_id, source=source, source_id=source_id)
    row.written_at = datetime.fromisoformat(str(payload["written_at"]))
    row.analysis_enc = analysis_enc
    row.embedding_enc = embedding_enc
    row.model_version = analysis.model_version[:200]
    row.analysed_at = utcnow()
    db.add(row)
    db.flush()
    if source in THEME_SOURCES and not _more_waiting(db, event_id, client_id, source):
        refresh_themes(db, vault, client_id=client_id, source=source)


def _more_waiting(db: Session, event_id: int, client_id: int, source: str) -> bool:
    """Whether a later analysis of the same client's source is still queued: it will recluster
    then, so a backlog (a demo seed, an offline phone syncing) reclusters once, not per text.
    Payloads are written with sorted keys, so client and source sit side by side."""
    marker = json.dumps({"client_id": client_id, "source": source}, sort_keys=True)[1:-1]
    later = db.execute(
        select(OutboxEvent.id)
        .where(
            OutboxEvent.kind == ANALYZE,
            OutboxEvent.id > event_id,
            OutboxEvent.delivered_at.is_(None),
            OutboxEvent.failed_at.is_(None),
            OutboxEvent.payload.contains(marker, autoescape=True),
        )
        .limit(1)
    ).first()
    return later is not None


@outbox.handler(THEMES, background=True)
def _themes(db: Session, payload: dict[str, object], event_id: int) -> None:
    refresh_themes(
        db, runtime().vault, client_id=int(str(payload["client_id"])), source=str(payload["source"])
    )


# Source texts are read back through this hook (registered by the owning capability), so the
# theme keywords come from the current text, not from a copy kept here.
TextLoader = Callable[[Session, Vault, int, list[str]], dict[str, str]]
_LOADERS: dict[str, TextLoader] = {}


def register_text_loader(source: str, loader: TextLoader) -> None:
    _LOADERS[source] = loader


def refresh_themes(db: Session, vault: Vault, *, client_id: int, source: str) -> None:
    """Recluster one client's analysed texts of one source from their stored embeddings."""
    from mindbridge.language.theme_report import build_report

    rows = list(
        db.execute(
            select(TextAnalysis)
            .where(TextAnalysis.client_id == client_id, TextAnalysis.source == source)
            .order_by(TextAnalysis.written_at, TextAnalysis.id)
        ).scalars()
    )
    snapshot = db.get(ThemeSnapshot, (client_id, source))
    loader = _LOADERS.get(source)
    texts = loader(db, vault, client_id, [r.source_id for r in rows]) if loader else {}
    rows = [r for r in rows if r.source_id in texts]
    if len(rows) < MIN_THEME_ENTRIES:
        if snapshot is not None:
            db.delete(snapshot)
        return
    owner = Vault.owner_for_client(client_id)
    vectors = np.stack(
        [
            _decode_embedding(vault.decrypt(db, owner, r.embedding_enc, field=EMBEDDING_FIELD))
            for r in rows
        ]
    )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    report = build_report([r.written_at for r in rows], [texts[r.source_id] for r in rows], vectors)
    stored = {"source_ids": [r.source_id for r in rows], "report": report.to_dict()}
    report_enc = vault.encrypt(db, owner, json.dumps(stored), field=REPORT_FIELD)
    if snapshot is None:
        snapshot = ThemeSnapshot(client_id=client_id, source=source)
    snapshot.entries = len(rows)
    snapshot.report_enc = report_enc
    snapshot.computed_at = utcnow()
    db.add(snapshot)
    db.flush()


# --- reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredAnalysis:
    source: str
    source_id: str
    written_at: datetime
    analysis: Analysis


@dataclass(frozen=True)
class Themes:
    source: str
    entries: int
    computed_at: datetime
    report: ThemeReport
    source_ids: list[str]  # the text behind each assignment, in report order


def _sources_for(grant: ClientGrant) -> list[str]:
    return [s for s, stream in SOURCE_STREAMS.items() if stream == grant.resource]


def analyses(
    db: Session, grant: ClientGrant, vault: Vault, *, since: datetime | None = None
) -> list[StoredAnalysis]:
    """The analyses of the stream the grant covers, oldest first."""
    sources = _sources_for(grant)
    if not sources:
        raise PermissionError(f"no text source belongs to {grant.resource}")
    query = select(TextAnalysis).where(
        TextAnalysis.client_id == grant.client_id, TextAnalysis.source.in_(sources)
    )
    if since is not None:
        query = query.where(TextAnalysis.written_at >= since)
    owner = Vault.owner_for_client(grant.client_id)
    out: list[StoredAnalysis] = []
    for row in db.execute(query.order_by(TextAnalysis.written_at, TextAnalysis.id)).scalars():
        plain = vault.decrypt(db, owner, row.analysis_enc, field=ANALYSIS_FIELD)
        if plain == ERASED:
            continue
        out.append(
            StoredAnalysis(
                row.source, row.source_id, row.written_at, Analysis.from_dict(json.loads(plain))
            )
        )
    return out


def daily_text_scores(
    db: Session,
    vault: Vault,
    *,
    client_id: int,
    sources: list[str],
    since: datetime,
    until: datetime,
) -> list[tuple[datetime, float, float]]:
    """(written_at, sentiment score, stress probability) per analysed text of `sources`, for
    processing on behalf of the client's care; callers check what the client shares."""
    if not sources:
        return []
    owner = Vault.owner_for_client(client_id)
    out = []
    for row in db.execute(
        select(TextAnalysis).where(
            TextAnalysis.client_id == client_id,
            TextAnalysis.source.in_(sources),
            TextAnalysis.written_at >= since,
            TextAnalysis.written_at < until,
        )
    ).scalars():
        plain = vault.decrypt(db, owner, row.analysis_enc, field=ANALYSIS_FIELD)
        if plain == ERASED:
            continue
        data = json.loads(plain)
        out.append(
            (
                row.written_at,
                float(data["sentiment"]["score"]),
                float(data["stress"]["probability"]),
            )
        )
    return out


def analysis_of(
    db: Session, grant: ClientGrant, vault: Vault, *, source: str, source_id: str | int
) -> Analysis | None:
    if SOURCE_STREAMS.get(source) != grant.resource:
        raise PermissionError(f"grant for {grant.resource} used for {source}")
    row = db.execute(
        select(TextAnalysis).where(
            TextAnalysis.client_id == grant.client_id,
            TextAnalysis.source == source,
            TextAnalysis.source_id == str(source_id),
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    plain = vault.decrypt(
        db, Vault.owner_for_client(grant.client_id), row.analysis_enc, field=ANALYSIS_FIELD
    )
    return None if plain == ERASED else Analysis.from_dict(json.loads(plain))


def themes(db: Session, grant: ClientGrant, vault: Vault) -> list[Themes]:
    """The stored theme reports of the stream the grant covers."""
    out: list[Themes] = []
    for source in _sources_for(grant):
        snapshot = db.get(ThemeSnapshot, (grant.client_id, source))
        if snapshot is None:
            continue
        plain = vault.decrypt(
            db, Vault.owner_for_client(grant.client_id), snapshot.report_enc, field=REPORT_FIELD
        )
        if plain == ERASED:
            continue
        data = json.loads(plain)
        out.append(
            Themes(
                source=source,
                entries=snapshot.entries,
                computed_at=snapshot.computed_at,
                report=ThemeReport.from_dict(data["report"]),
                source_ids=[str(s) for s in data["source_ids"]],
            )
        )
    return out
