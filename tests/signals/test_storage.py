"""Storing imports on the real database: idempotent, atomic, consent-gated, time-zone correct."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from mindbridge.access.domain import Action
from mindbridge.accounts.models import User
from mindbridge.audit.models import AuditEvent
from mindbridge.db import transaction
from mindbridge.signals import service as signals_service
from mindbridge.signals.models import SignalDay, SignalImport, SignalObservation
from tests.signals.support import NOW, consent, count, days_of, generic_csv, grant

CSV = b"""timestamp,end,stream,value,unit,source
2026-03-18T08:00:00+00:00,2026-03-18T09:00:00+00:00,steps,420,count,phone
2026-03-18T09:00:00+00:00,2026-03-18T10:00:00+00:00,steps,380,count,phone
2026-03-17T23:10:00+00:00,2026-03-18T06:40:00+00:00,sleep_minutes,450,min,watch
"""


def _import(rt, client_id: int, data: bytes, **kw):  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        g = grant(db, client_id, Action.WRITE)
        return signals_service.import_file(
            db, g, rt.vault, source=data, fmt=kw.pop("fmt", "generic"), now=NOW, **kw
        )


def test_reimport_changes_nothing_and_a_correction_replaces(rt, personas) -> None:  # type: ignore[no-untyped-def]
    first = _import(rt, personas.client, CSV, filename="day.csv")
    assert (first.status, first.added, first.duplicates) == ("imported", 3, 0)
    again = _import(rt, personas.client, CSV)
    assert (again.status, again.added, again.updated, again.duplicates) == ("imported", 0, 0, 3)
    assert count(rt, SignalObservation) == 3
    corrected = _import(rt, personas.client, CSV.replace(b",420,", b",425,"))
    assert (corrected.added, corrected.updated, corrected.duplicates) == (0, 1, 2)
    with transaction(rt.sessions) as db:
        values = sorted(db.execute(select(SignalObservation.value)).scalars())
    assert values == [380.0, 425.0, 450.0]
    # another client's identical file is their own data, not a duplicate of this one
    other = _import(rt, personas.other_client, CSV)
    assert other.added == 3 and count(rt, SignalObservation) == 6


def test_a_file_with_bad_rows_writes_nothing_and_lists_every_row(rt, personas) -> None:  # type: ignore[no-untyped-def]
    broken = CSV + (
        b"2026-03-18T11:00:00+00:00,,steps,-5,count,phone\n"
        b"yesterday,,steps,10,count,phone\n"
        b"2026-03-18T12:00:00+00:00,,weight,70,kg,scale\n"
    )
    report = _import(rt, personas.client, broken, filename="broken.csv")
    assert report.status == "rejected" and not report.written
    assert [r.line for r in report.rejected] == [5, 6, 7]
    reasons = " | ".join(r.reason for r in report.rejected)
    assert "out of range" in reasons or "-5" in reasons
    assert "unreadable timestamp" in reasons and "weight" in reasons
    assert count(rt, SignalObservation) == 0 and count(rt, SignalDay) == 0
    with transaction(rt.sessions) as db:
        row = db.execute(select(SignalImport)).scalar_one()
        assert (row.status, row.rejected, row.added) == ("rejected", 3, 0)
        assert b"weight" not in (row.report_enc or b"")  # the report is stored encrypted
        stored = signals_service.rejection_report(
            db, grant(db, personas.client), rt.vault, import_id=row.id
        )
    assert [r["line"] for r in stored] == [5, 6, 7]
    # opt-in partial mode stores the valid rows and still reports the rest
    partial = _import(rt, personas.client, broken, accept_valid_rows=True)
    assert (partial.status, partial.added, len(partial.rejected)) == ("partial", 3, 3)
    assert count(rt, SignalObservation) == 3


def test_a_fatal_file_writes_nothing(rt, personas) -> None:  # type: ignore[no-untyped-def]
    report = _import(rt, personas.client, b"<HealthData><Record", fmt="apple-health")
    assert report.status == "rejected" and "XML" in report.fatal
    assert count(rt, SignalObservation) == 0


def test_no_consent_refuses_and_writes_nothing(rt, personas) -> None:  # type: ignore[no-untyped-def]
    consent(rt, personas.client, care_team=False, automated_alerts=False)
    with pytest.raises(signals_service.ConsentRequired, match="not turned on"):
        _import(rt, personas.client, CSV)
    assert count(rt, SignalObservation) == 0 and count(rt, SignalImport) == 0
    consent(rt, personas.client, automated_alerts=True)  # either purpose is enough
    assert _import(rt, personas.client, CSV).added == 3


def test_naive_times_are_read_in_the_clients_zone(rt, personas) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        db.get(User, personas.client).timezone = "America/New_York"  # type: ignore[union-attr]
    data = (
        b"timestamp,end,stream,value,unit\n"
        b"2026-01-10 23:30,2026-01-11 00:30,steps,300,count\n"
        b"2026-03-08 02:30,2026-03-08 03:30,steps,10,count\n"
    )
    report = _import(rt, personas.client, data)
    assert report.status == "rejected"
    assert [r.line for r in report.rejected] == [3]
    assert "does not exist in America/New_York" in report.rejected[0].reason
    ok = _import(rt, personas.client, data.rsplit(b"\n", 2)[0] + b"\n")
    assert ok.added == 1
    with transaction(rt.sessions) as db:
        start = db.execute(select(SignalObservation.start_at)).scalar_one()
    assert start == datetime(2026, 1, 11, 4, 30, tzinfo=UTC)


def test_import_recomputes_days_with_missing_as_missing(rt, personas) -> None:  # type: ignore[no-untyped-def]
    today = NOW.date()
    observations = [
        o
        for o in days_of("steady", last_day=today, days=40)
        if o.start.date() != today - timedelta(days=5)
    ]
    report = _import(rt, personas.client, generic_csv(observations))
    assert report.result is not None and report.result.last == today
    assert report.result.score is not None
    with transaction(rt.sessions) as db:
        days = {d.day: d for d in db.execute(select(SignalDay)).scalars()}
        audited = (
            db.execute(select(AuditEvent.action).where(AuditEvent.client_id == personas.client))
            .scalars()
            .all()
        )
    first = min(days)
    assert days[first].score is None and days[first].explanation == ""  # too early to judge
    assert days[first + timedelta(days=9)].score is None  # a baseline needs 10 days
    assert days[today].score is not None
    gap = days[today - timedelta(days=5)]
    assert gap.features["steps"] is None  # missing, not zero
    assert gap.completeness["steps"] == 0.0
    assert days[today - timedelta(days=6)].features["steps"] > 1000
    assert "signals.import" in audited and "signals.recompute" in audited


def test_a_row_stored_by_a_concurrent_import_is_skipped_not_an_error(  # type: ignore[no-untyped-def]
    rt, personas, monkeypatch
) -> None:
    _import(rt, personas.client, CSV)
    # as if another request stored the rows between this import's lookup and its insert
    monkeypatch.setattr(signals_service, "_existing", lambda db, client_id, keys: {})
    again = _import(rt, personas.client, CSV)
    assert again.status == "imported"
    assert count(rt, SignalObservation) == 3


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.integers(0, 23), min_size=1, max_size=12),
    st.lists(st.integers(0, 23), min_size=1, max_size=12),
)
def test_any_two_overlapping_imports_store_the_union_once(  # type: ignore[no-untyped-def]
    rt, personas, first: list[int], second: list[int]
) -> None:
    with transaction(rt.sessions) as db:
        db.execute(delete(SignalObservation))

    def hours(chosen: list[int]) -> bytes:
        rows = [
            f"2026-03-18T{h:02d}:00:00+00:00,2026-03-18T{h:02d}:59:00+00:00,steps,{h * 10},count"
            for h in sorted(set(chosen))
        ]
        return ("timestamp,end,stream,value,unit\n" + "\n".join(rows) + "\n").encode()

    a = _import(rt, personas.client, hours(first))
    b = _import(rt, personas.client, hours(second))
    assert a.added == len(set(first))
    assert b.added == len(set(second) - set(first))
    assert b.duplicates == len(set(second) & set(first))
    assert count(rt, SignalObservation) == len(set(first) | set(second))
    assert _import(rt, personas.client, hours(first + second)).added == 0
