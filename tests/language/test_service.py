"""Text analysis on the platform: queued in the writer's transaction (ciphertext only), analysed
from the outbox, stored encrypted, read back only through the matching stream's grant, dropped
when the text is deleted, and switched off by the setting."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Stream
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction
from mindbridge.jobs import outbox
from mindbridge.jobs.models import OutboxEvent
from mindbridge.journal import domain as journal_domain
from mindbridge.journal import service as journal_service
from mindbridge.language import service as language_service
from mindbridge.language.models import TextAnalysis, ThemeSnapshot

TEXTS = [
    "My manager criticised the report in front of everyone and I felt humiliated at work.",
    "Another late night at the office finishing slides for the quarterly meeting.",
    "Work deadlines keep piling up and my boss expects replies at midnight.",
    "Lovely walk with my sister and her dog by the lake this afternoon.",
    "Dinner with my family, we laughed about old holidays together.",
    "My brother called and we talked for an hour about mum's birthday party.",
    "Presentation to the leadership team at work went better than I feared.",
]


def _grant(db, client_id: int, stream: Stream, action: Action = Action.READ):  # type: ignore[no-untyped-def]
    user = db.get(User, client_id)
    ctx = AuditContext(actor=accounts_service.actor_of(user), request_id="t")
    return access_service.authorize(db, ctx, client_id=client_id, resource=stream, action=action)


def test_journal_entries_are_analysed_and_themed(rt, personas, analyzer) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        grant = _grant(db, personas.client, Stream.JOURNAL, Action.WRITE)
        for text in TEXTS:
            journal_service.create(db, grant, rt.vault, data=journal_domain.validate("", text))
        events = (
            db.execute(select(OutboxEvent).where(OutboxEvent.kind == language_service.ANALYZE))
            .scalars()
            .all()
        )
        assert len(events) == len(TEXTS)
        assert all("manager" not in e.payload for e in events)  # ciphertext in the queue
    report = outbox.dispatch_pending(rt.sessions)
    assert report.failed == 0 and report.delivered >= len(TEXTS)
    with transaction(rt.sessions) as db:
        rows = db.execute(select(TextAnalysis)).scalars().all()
        assert len(rows) == len(TEXTS)
        assert all(b"emotions" not in r.analysis_enc for r in rows)  # encrypted at rest
        grant = _grant(db, personas.client, Stream.JOURNAL)
        stored = language_service.analyses(db, grant, rt.vault)
        assert [s.source for s in stored] == ["journal"] * len(TEXTS)
        first = stored[0].analysis
        assert set(first.emotions) and 0 <= first.stress.probability <= 1
        themes = language_service.themes(db, grant, rt.vault)
        assert len(themes) == 1 and themes[0].entries == len(TEXTS)
        assert len(themes[0].report.themes) >= 2
        # A check-ins grant sees check-in notes only, never the journal's analyses.
        assert (
            language_service.analyses(db, _grant(db, personas.client, Stream.CHECKINS), rt.vault)
            == []
        )
        with pytest.raises(PermissionError):
            language_service.analyses(
                db, _grant(db, personas.client, Stream.QUESTIONNAIRES), rt.vault
            )
        # Deleting an entry drops its analysis and refreshes the themes.
        write = _grant(db, personas.client, Stream.JOURNAL, Action.WRITE)
        journal_service.delete(db, write, entry_id=int(stored[0].source_id))
    outbox.dispatch_pending(rt.sessions)
    with transaction(rt.sessions) as db:
        assert len(db.execute(select(TextAnalysis)).all()) == len(TEXTS) - 1
        assert db.get(ThemeSnapshot, (personas.client, "journal")).entries == len(TEXTS) - 1  # type: ignore[union-attr]


def test_a_text_deleted_while_queued_is_not_analysed(rt, personas) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        write = _grant(db, personas.client, Stream.JOURNAL, Action.WRITE)
        saved = journal_service.create(
            db, write, rt.vault, data=journal_domain.validate("", "short lived")
        )
        journal_service.delete(db, write, entry_id=saved.entry.id)
        event = db.execute(
            select(OutboxEvent).where(OutboxEvent.kind == language_service.ANALYZE)
        ).scalar_one()
        language_service._analyze(db, json.loads(event.payload), event.id)  # no model needed
        assert db.execute(select(TextAnalysis)).first() is None


def test_the_setting_switches_analysis_off(rt, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rt.settings, "language_analysis", False)
    with transaction(rt.sessions) as db:
        write = _grant(db, personas.client, Stream.JOURNAL, Action.WRITE)
        journal_service.create(db, write, rt.vault, data=journal_domain.validate("", "hello"))
        assert (
            db.execute(
                select(OutboxEvent).where(OutboxEvent.kind == language_service.ANALYZE)
            ).first()
            is None
        )


def test_unknown_sources_are_refused(rt, personas) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    with transaction(rt.sessions) as db, pytest.raises(ValueError):
        language_service.request_analysis(
            db,
            rt.vault,
            client_id=personas.client,
            source="notes",
            source_id=1,
            text="x",
            written_at=datetime.now(UTC),
        )


def test_companion_messages_are_queued_for_analysis_after_screening(client, rt) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import PERSONA_EMAILS, csrf_of, login

    login(client, PERSONA_EMAILS["client"])
    headers = {"X-CSRF-Token": csrf_of(client, "/")}
    for text in ("hi", "I keep putting off my thesis and feel awful about it"):
        assert (
            client.post(
                "/api/v1/companion/messages", json={"text": text}, headers=headers
            ).status_code
            == 200
        )
    with transaction(rt.sessions) as db:
        payloads = [
            json.loads(p)
            for p in db.execute(
                select(OutboxEvent.payload).where(OutboxEvent.kind == language_service.ANALYZE)
            ).scalars()
        ]
    assert [p["source"] for p in payloads] == ["companion"]  # "hi" is too short to analyse
    assert "thesis" not in json.dumps(payloads)


def test_a_backlog_reclusters_once(rt, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mindbridge.language.domain import Analysis, Sentiment, Stress

    blank = Analysis(
        {},
        [],
        {},
        [],
        Sentiment("neutral", 0, 0, 0),
        Stress(0.1, False, 0.5),
        False,
        0,
        [],
        {},
        "t",
    )

    class Fake:
        def analyze_and_embed(self, texts):  # type: ignore[no-untyped-def]
            import numpy as np

            return [blank] * len(texts), np.ones((len(texts), 384), dtype=np.float32)

    import mindbridge.language.analyzer as analyzer

    monkeypatch.setattr(analyzer, "get_analyzer", lambda: Fake())
    refreshed: list[int] = []
    monkeypatch.setattr(
        language_service,
        "refresh_themes",
        lambda db, vault, **kw: refreshed.append(kw["client_id"]),
    )
    with transaction(rt.sessions) as db:
        write = _grant(db, personas.client, Stream.JOURNAL, Action.WRITE)
        for text in TEXTS:
            journal_service.create(db, write, rt.vault, data=journal_domain.validate("", text))
    assert outbox.dispatch_pending(rt.sessions).delivered == len(TEXTS)
    assert refreshed == [personas.client]
