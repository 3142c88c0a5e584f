"""The audit chain detects edits, deletions and truncation; the database refuses edits."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from mindbridge.access.domain import Actor, Role
from mindbridge.audit import service as audit_service
from mindbridge.audit.domain import GENESIS, entry_hash, verify_chain
from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction

CTX = AuditContext(actor=Actor(1, Role.ADMIN), request_id="t")


def _append(rt, n: int) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        for i in range(n):
            audit_service.record(db, CTX, action="test.event", resource_type="thing", resource_id=i)


def _drop_guards(rt) -> None:  # type: ignore[no-untyped-def]
    """What an attacker with database access would do first."""
    with rt.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))


def test_fresh_chain_verifies(rt) -> None:  # type: ignore[no-untyped-def]
    _append(rt, 5)
    with transaction(rt.sessions) as db:
        report = audit_service.verify(db)
    assert report.ok and report.checked >= 5


def test_database_refuses_update_and_delete(rt) -> None:  # type: ignore[no-untyped-def]
    _append(rt, 1)
    for statement in ("UPDATE audit_events SET outcome='x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError), rt.engine.begin() as conn:
            conn.execute(text(statement))


@pytest.mark.parametrize(
    "tamper, expected",
    [
        ("UPDATE audit_events SET outcome='denied' WHERE id = 3", "altered"),
        ("DELETE FROM audit_events WHERE id = 3", "missing"),
        ("DELETE FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)", "head says"),
    ],
)
def test_tampering_is_detected(rt, tamper: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    _append(rt, 6)
    _drop_guards(rt)
    with rt.engine.begin() as conn:
        conn.execute(text(tamper))
    with transaction(rt.sessions) as db:
        report = audit_service.verify(db)
    assert not report.ok
    assert any(expected in p.problem for p in report.problems)


def test_rewriting_an_entry_and_its_hash_still_breaks_the_link(rt) -> None:  # type: ignore[no-untyped-def]
    _append(rt, 4)
    _drop_guards(rt)
    # A forger recomputes this entry's own hash, but the next entry still points at the old one.
    from mindbridge.audit.models import AuditEvent

    with transaction(rt.sessions) as db:
        event = db.get(AuditEvent, 2)
        assert event is not None
        event.outcome = "denied"
        event.hash = entry_hash(event.prev_hash, audit_service._fields(event))
    with transaction(rt.sessions) as db:
        report = audit_service.verify(db)
    assert [p.entry_id for p in report.problems] == [3]


def test_verify_chain_pure() -> None:
    entries = []
    prev = GENESIS
    for i in range(1, 4):
        e = {
            "id": i,
            "at": "t",
            "actor_id": 1,
            "actor_role": "admin",
            "action": "a",
            "resource_type": "r",
            "resource_id": "",
            "client_id": None,
            "purpose": "",
            "outcome": "success",
            "request_id": "",
            "detail": "{}",
            "prev_hash": prev,
        }
        e["hash"] = entry_hash(prev, e)
        prev = e["hash"]
        entries.append(e)
    assert verify_chain(entries, head_id=3, head_hash=prev).ok
    assert not verify_chain(entries[:2], head_id=3, head_hash=prev).ok


def test_cli_audit_verify_exit_codes(rt, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mindbridge.cli import app

    _append(rt, 3)
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    _drop_guards(rt)
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action='x' WHERE id = 2"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "TAMPERED entry 2" in result.output


def test_denied_reads_are_audited_through_the_app(rt, client, personas, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("other_clinician")
    assert client.get(f"/clients/{personas.client}").status_code == 404
    with transaction(rt.sessions) as db:
        rows = db.execute(
            text(
                "SELECT outcome, actor_id, request_id FROM audit_events "
                "WHERE client_id = :c ORDER BY id DESC"
            ),
            {"c": personas.client},
        ).all()
    assert rows[0][0] == "denied" and rows[0][1] == personas.other_clinician and rows[0][2]


def test_an_open_transaction_does_not_hold_the_chain(rt) -> None:  # type: ignore[no-untyped-def]
    """Entries are chained at commit: a long request that audited early does not block others
    from auditing and committing (they used to wait for its whole transaction)."""
    first = rt.sessions()
    try:
        audit_service.record(first, CTX, action="test.slow", resource_type="thing")
        first.execute(text("SELECT 1"))  # the request goes on reading
        second = rt.sessions()
        try:
            if second.bind.dialect.name == "sqlite":
                second.execute(text("PRAGMA busy_timeout=500"))
            else:
                second.execute(text("SET LOCAL lock_timeout = '500ms'"))
            audit_service.record(second, CTX, action="test.quick", resource_type="thing")
            second.commit()
        finally:
            second.close()
        first.commit()
    finally:
        first.close()
    with transaction(rt.sessions) as db:
        actions = db.execute(
            text("SELECT action FROM audit_events WHERE action LIKE 'test.%' ORDER BY id")
        ).scalars()
        assert list(actions) == ["test.quick", "test.slow"]
        assert audit_service.verify(db).ok


def test_a_rolled_back_transaction_leaves_no_entry(rt) -> None:  # type: ignore[no-untyped-def]
    db = rt.sessions()
    audit_service.record(db, CTX, action="test.dropped", resource_type="thing")
    db.rollback()
    audit_service.record(db, CTX, action="test.kept", resource_type="thing")
    db.commit()
    db.close()
    with transaction(rt.sessions) as db:
        actions = list(
            db.execute(text("SELECT action FROM audit_events WHERE action LIKE 'test.%'")).scalars()
        )
    assert actions == ["test.kept"]


def test_a_transaction_reads_its_own_entries(rt) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from mindbridge.audit.models import AuditEvent

    with transaction(rt.sessions) as db:
        before = db.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        audit_service.record(db, CTX, action="test.own", resource_type="thing")
        after = db.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert after == before + 1
