"""`mindbridge retention enforce [--dry-run] [--json]`: apply the retention policy now.

The same run as the nightly job (one transaction per kind, one audit row per kind). Exit 1 if a
kind failed.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

retention_app = typer.Typer(help="Data retention.", no_args_is_help=True)


@retention_app.command("enforce")
def enforce(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be removed; remove nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Remove the data the admins' retention policy says has expired."""
    from mindbridge.audit.service import AuditContext
    from mindbridge.db import utcnow
    from mindbridge.retention import runner
    from mindbridge.retention.domain import RULES
    from mindbridge.runtime import runtime

    ctx = AuditContext(actor=None, request_id="cli:retention")
    report = runner.run(runtime().sessions, ctx, now=utcnow(), dry_run=dry_run)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict()) + "\n")
    else:
        verb = "would remove" if dry_run else "removed"
        for r in report.results:
            label = RULES[r.kind].label
            if r.error:
                typer.echo(f"{label}: FAILED {r.error}")
            elif r.cutoff is None:
                typer.echo(f"{label}: kept (policy: keep)")
            else:
                typer.echo(f"{label}: {verb} {r.count} older than {r.cutoff:%Y-%m-%d %H:%M} UTC")
        typer.echo(f"{verb} {report.total} rows in all")
    if report.failed:
        raise typer.Exit(1)


def register(root: typer.Typer, eval_app: typer.Typer, bench_app: typer.Typer) -> None:
    root.add_typer(retention_app, name="retention")
