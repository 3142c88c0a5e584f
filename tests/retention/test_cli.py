"""`mindbridge retention enforce [--dry-run] [--json]`."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select
from typer.testing import CliRunner

from mindbridge.cli import app
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.models import OutboxEvent
from mindbridge.retention.domain import Kind

runner = CliRunner()


def _outbox(rt) -> int:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return int(db.execute(select(func.count()).select_from(OutboxEvent)).scalar_one())


def test_enforce_dry_run_then_for_real(rt) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        db.add(OutboxEvent(kind="t", payload="{}", delivered_at=utcnow() - timedelta(days=91)))
        db.add(OutboxEvent(kind="t", payload="{}", delivered_at=utcnow() - timedelta(days=89)))
    before = _outbox(rt)

    dry = runner.invoke(app, ["retention", "enforce", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert report["dry_run"] is True
    kinds = {k["kind"]: k for k in report["kinds"]}
    assert set(kinds) == {k.value for k in Kind}
    assert kinds["outbox_delivered"]["count"] == 1 and kinds["outbox_delivered"]["days"] == "90"
    assert kinds["companion_transcript"]["cutoff"] is None  # default: keep
    assert _outbox(rt) == before

    real = runner.invoke(app, ["retention", "enforce"])
    assert real.exit_code == 0, real.output
    assert "Delivered background events: removed 1 older than" in real.output
    assert "Companion conversation transcripts: kept" in real.output
    assert _outbox(rt) == before - 1


def test_the_command_is_listed() -> None:
    result = runner.invoke(app, ["retention", "--help"])
    assert result.exit_code == 0 and "enforce" in result.output
