"""Enforcement against the real database: exactly the expired rows go, nothing else does."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from mindbridge.access.domain import Actor, Role
from mindbridge.accounts.models import LoginAttempt, OneTimeToken, WebSession
from mindbridge.alerts.models import Alert
from mindbridge.audit.models import AuditEvent
from mindbridge.audit.service import AuditContext
from mindbridge.companion.models import CompanionDocument
from mindbridge.consent.models import ConsentRecord
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.models import OutboxEvent
from mindbridge.kit.errors import NotFound
from mindbridge.notifications.models import Notification
from mindbridge.retention import runner
from mindbridge.retention import service as retention_service
from mindbridge.retention.domain import KEEP, Kind
from mindbridge.retention.models import RetentionRule
from mindbridge.signals.models import SignalDay, SignalObservation

SYSTEM = AuditContext(actor=None, request_id="test:retention")
POLICY = {
    "companion_transcript": "90",
    "notifications_read": "30",
    "signal_observations": "130",
    "outbox_delivered": "30",
    "sessions_ended": "30",
    "tokens_spent": "30",
    "login_attempts": "30",
}
# What the rows made by `_populate` must lose, per kind, under POLICY.
EXPECTED = {
    Kind.COMPANION_TRANSCRIPT: 1,
    Kind.NOTIFICATIONS_READ: 1,
    Kind.SIGNAL_OBSERVATIONS: 2,
    Kind.OUTBOX_DELIVERED: 1,
    Kind.SESSIONS_ENDED: 2,
    Kind.TOKENS_SPENT: 2,
    Kind.LOGIN_ATTEMPTS: 1,
}


def admin_ctx(personas) -> AuditContext:  # type: ignore[no-untyped-def]
    return AuditContext(actor=Actor(personas.admin, Role.ADMIN), request_id="test")


def _days(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


def _observation(client_id: int, key: str, at: datetime) -> SignalObservation:
    return SignalObservation(
        client_id=client_id,
        stream="steps",
        start_at=at,
        end_at=at + timedelta(hours=1),
        value=100.0,
        unit="count",
        source="test",
        dedup_key=key,
    )


def _populate(db, personas, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Rows on both sides of each cut-off, plus records that must never expire."""
    c, o = personas.client, personas.other_client
    db.add_all(
        [
            # transcripts: one idle past 90 days goes; a recent one and the memory stay
            CompanionDocument(
                client_id=c, kind="conversation", document_enc=b"x", updated_at=_days(now, 91)
            ),
            CompanionDocument(
                client_id=o, kind="conversation", document_enc=b"x", updated_at=_days(now, 89)
            ),
            CompanionDocument(
                client_id=c, kind="memory", document_enc=b"x", updated_at=_days(now, 900)
            ),
            # notifications: read long ago goes; read recently and unread stay
            Notification(user_id=c, kind="t", title="old read", read_at=_days(now, 31)),
            Notification(user_id=c, kind="t", title="new read", read_at=_days(now, 29)),
            Notification(
                user_id=c, kind="t", title="unread", created_at=_days(now, 900), read_at=None
            ),
            # outbox: delivered long ago goes; recent, pending and failed ones stay
            OutboxEvent(kind="t", payload="{}", delivered_at=_days(now, 31)),
            OutboxEvent(kind="t", payload="{}", delivered_at=_days(now, 29)),
            OutboxEvent(kind="t", payload="{}", created_at=_days(now, 900)),
            OutboxEvent(kind="t", payload="{}", failed_at=_days(now, 900)),
            # sessions: revoked or last used long ago go; live and recently ended stay
            WebSession(token_hash="s-revoked-old", user_id=c, revoked_at=_days(now, 31)),
            WebSession(
                token_hash="s-idle-old",
                user_id=c,
                created_at=_days(now, 40),
                last_seen_at=_days(now, 31),
            ),
            WebSession(token_hash="s-live", user_id=c, last_seen_at=now),
            WebSession(
                token_hash="s-ended-recently",
                user_id=c,
                last_seen_at=_days(now, 2),
                revoked_at=_days(now, 1),
            ),
            # tokens: used or expired long ago go; recent and still valid stay
            OneTimeToken(
                token_hash="t-used-old",
                user_id=c,
                purpose="reset",
                expires_at=_days(now, 20),
                used_at=_days(now, 31),
            ),
            OneTimeToken(
                token_hash="t-expired-old", user_id=c, purpose="invite", expires_at=_days(now, 31)
            ),
            OneTimeToken(
                token_hash="t-used-new",
                user_id=c,
                purpose="reset",
                expires_at=_days(now, 40),
                used_at=_days(now, 29),
            ),
            OneTimeToken(
                token_hash="t-valid", user_id=c, purpose="invite", expires_at=_days(now, -3)
            ),
            LoginAttempt(email="a@b.c", success=False, at=_days(now, 31)),
            LoginAttempt(email="a@b.c", success=True, at=_days(now, 29)),
            # signals: the client's recent data keeps a 130-day window; older raw data goes
            _observation(c, "c-newest", _days(now, 1)),
            _observation(c, "c-125", _days(now, 125)),
            _observation(c, "c-135", _days(now, 135)),
            # a historical import scored to its own last day keeps the window before that day
            _observation(o, "o-newest", _days(now, 300)),
            _observation(o, "o-420", _days(now, 420)),
            _observation(o, "o-440", _days(now, 440)),
            SignalDay(client_id=c, day=_days(now, 400).date(), features={"steps": 1.0}),
            # never expire, however old
            Alert(
                client_id=c,
                level="elevated",
                source="journal",
                summary="old alert",
                created_at=_days(now, 4000),
                due_at=_days(now, 3999),
            ),
        ]
    )


def _count(db, table) -> int:  # type: ignore[no-untyped-def]
    return int(db.execute(select(func.count()).select_from(table)).scalar_one())


TABLES = (
    CompanionDocument,
    Notification,
    OutboxEvent,
    WebSession,
    OneTimeToken,
    LoginAttempt,
    SignalObservation,
    SignalDay,
    Alert,
    ConsentRecord,
)


def _counts(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return {t.__tablename__: _count(db, t) for t in TABLES}


def _audits(rt, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return list(db.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


@pytest.fixture
def populated(rt, personas) -> datetime:  # type: ignore[no-untyped-def]
    now = utcnow()
    with transaction(rt.sessions) as db:
        retention_service.save_policy(db, admin_ctx(personas), form=POLICY)
        _populate(db, personas, now)
    return now


def test_enforce_deletes_exactly_the_expired_rows(rt, personas, populated) -> None:  # type: ignore[no-untyped-def]
    before = _counts(rt)
    with transaction(rt.sessions) as db:
        audit_rows = _count(db, AuditEvent)
    report = runner.run(rt.sessions, SYSTEM, now=populated)
    assert {r.kind: r.count for r in report.results} == EXPECTED
    assert not report.failed and report.total == sum(EXPECTED.values())
    after = _counts(rt)
    lost = {name: before[name] - after[name] for name in before}
    assert lost == {
        "companion_documents": 1,
        "notifications": 1,
        "outbox_events": 1,
        "web_sessions": 2,
        "one_time_tokens": 2,
        "login_attempts": 1,
        "signal_observations": 2,
        "signal_days": 0,
        "alerts": 0,
        "consent_records": 0,
    }
    with transaction(rt.sessions) as db:
        left = set(db.execute(select(SignalObservation.dedup_key)).scalars())
        assert left == {"c-newest", "c-125", "o-newest", "o-420"}
        docs = set(db.execute(select(CompanionDocument.client_id, CompanionDocument.kind)).all())
        assert (personas.client, "conversation") not in docs
        assert (personas.client, "memory") in docs
        assert (personas.other_client, "conversation") in docs
        sessions = set(db.execute(select(WebSession.token_hash)).scalars())
        assert {"s-live", "s-ended-recently"} <= sessions
        assert not {"s-revoked-old", "s-idle-old"} & sessions
        tokens = set(db.execute(select(OneTimeToken.token_hash)).scalars())
        assert tokens == {"t-used-new", "t-valid"}
        # nothing was taken from the audit log: one entry per kind was added
        assert _count(db, AuditEvent) == audit_rows + len(Kind)
    entries = _audits(rt, "retention.enforce")
    assert {e.resource_id: json.loads(e.detail)["deleted"] for e in entries} == {
        k.value: n for k, n in EXPECTED.items()
    }
    assert all(set(json.loads(e.detail)) == {"deleted", "cutoff", "days"} for e in entries)


def test_dry_run_counts_and_deletes_nothing(rt, personas, populated) -> None:  # type: ignore[no-untyped-def]
    before = _counts(rt)
    report = runner.run(rt.sessions, SYSTEM, now=populated, dry_run=True)
    assert report.dry_run
    assert {r.kind: r.count for r in report.results} == EXPECTED
    assert _counts(rt) == before
    assert _audits(rt, "retention.enforce") == []


def test_a_second_run_finds_nothing_more(rt, personas, populated) -> None:  # type: ignore[no-untyped-def]
    runner.run(rt.sessions, SYSTEM, now=populated)
    again = runner.run(rt.sessions, SYSTEM, now=populated)
    assert again.total == 0


def test_keep_never_deletes(rt, personas) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    keep_all = {k.value: KEEP for k in Kind}
    with transaction(rt.sessions) as db:
        retention_service.save_policy(db, admin_ctx(personas), form=keep_all)
        _populate(db, personas, now)
    before = _counts(rt)
    report = runner.run(rt.sessions, SYSTEM, now=now + timedelta(days=10_000))
    assert report.total == 0 and all(r.cutoff is None for r in report.results)
    assert _counts(rt) == before
    assert _audits(rt, "retention.enforce") == []


def test_the_default_policy_removes_only_technical_records(rt, personas) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with transaction(rt.sessions) as db:
        _populate(db, personas, now)
    report = runner.run(rt.sessions, SYSTEM, now=now + timedelta(days=365))
    removed = {r.kind for r in report.results if r.count}
    assert removed <= {
        Kind.OUTBOX_DELIVERED,
        Kind.SESSIONS_ENDED,
        Kind.TOKENS_SPENT,
        Kind.LOGIN_ATTEMPTS,
    }
    with transaction(rt.sessions) as db:
        assert _count(db, SignalObservation) == 6
        assert _count(db, CompanionDocument) == 3
        assert _count(db, Alert) == 1


def test_saving_audits_old_and_new_and_a_no_op_writes_nothing(rt, personas) -> None:  # type: ignore[no-untyped-def]
    ctx = admin_ctx(personas)
    form = {k.value: KEEP for k in Kind} | {"outbox_delivered": "45"}
    with transaction(rt.sessions) as db:
        changed = retention_service.save_policy(db, ctx, form=form)
    assert changed == 4  # sessions, tokens, login attempts 90 → keep; outbox 90 → 45
    with transaction(rt.sessions) as db:
        assert retention_service.policy(db).get(Kind.OUTBOX_DELIVERED) == 45
        assert retention_service.save_policy(db, ctx, form=form) == 0
    (entry,) = _audits(rt, "retention.policy.update")
    detail = json.loads(entry.detail)
    assert detail["old"]["outbox_delivered"] == "90" and detail["new"]["outbox_delivered"] == "45"
    assert detail["new"]["sessions_ended"] == KEEP


def test_invalid_policy_writes_nothing(rt, personas) -> None:  # type: ignore[no-untyped-def]
    form = {k.value: "200" for k in Kind} | {"notifications_read": "7"}
    with pytest.raises(retention_service.PolicyInvalid) as err, transaction(rt.sessions) as db:
        retention_service.save_policy(db, admin_ctx(personas), form=form)
    assert set(err.value.errors) == {"notifications_read"}
    with transaction(rt.sessions) as db:
        assert _count(db, RetentionRule) == 0
    assert _audits(rt, "retention.policy.update") == []


def test_only_admins_save_the_policy_or_read_the_overview(rt, personas) -> None:  # type: ignore[no-untyped-def]
    clinician = AuditContext(actor=Actor(personas.clinician, Role.CLINICIAN))
    with transaction(rt.sessions) as db:
        with pytest.raises(NotFound):
            retention_service.save_policy(db, clinician, form={})
        with pytest.raises(NotFound):
            retention_service.consent_overview(db, clinician)
        with pytest.raises(NotFound):
            retention_service.save_policy(db, SYSTEM, form={})


def test_consent_overview_counts_active_clients(rt, personas) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        overview = retention_service.consent_overview(db, admin_ctx(personas))
    assert overview.clients == 2
    cells = {(c.stream.value, c.purpose.value): c for c in overview.counts}
    assert (cells["checkins", "care_team"].sharing, cells["checkins", "care_team"].not_sharing) == (
        2,
        0,
    )
    assert cells["journal", "care_team"].sharing == 0
    assert cells["checkins", "research"].sharing == 0
    assert cells["checkins", "care_team"].sharing_text == "fewer than 5"
    assert cells["checkins", "care_team"].not_sharing_text == "0"
    (entry,) = _audits(rt, "consent.overview.read")
    assert json.loads(entry.detail) == {"clients": 2} and entry.client_id is None
