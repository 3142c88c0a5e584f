"""`mindbridge signals import`, `mindbridge eval actigraphy`, `mindbridge bench early-warning`,
`mindbridge bench signals`.

Each prints exactly one JSON object with --json (progress bars go to stderr).
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_DATA = Path("..") / "shared" / "data" / "depresjon"

DataOption = Annotated[
    Path,
    typer.Option("--data", help="Depresjon layout: condition/, control/, scores.csv"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _emit(result: dict[str, object], as_json: bool, lines: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(result, default=str))
    else:
        for line in lines:
            typer.echo(line)


def _check_data(path: Path) -> None:
    if not (path / "condition").is_dir() and not (path / "control").is_dir():
        raise typer.BadParameter(
            f"{path} has no condition/ or control/ folder", param_hint="--data"
        )


def eval_actigraphy(
    data: DataOption = DEFAULT_DATA,
    tz: Annotated[str, typer.Option(help="IANA zone the recordings were made in.")] = "Europe/Oslo",
    seed: Annotated[int, typer.Option(help="Seed of the inner CV folds.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Depressed vs control from actigraphy, leave-one-subject-out (subject level)."""
    from mindbridge.signals.actigraphy_eval import run

    _check_data(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run(data, tz, seed)
    predictions = result.pop("predictions")
    lines = [
        f"subjects {result['subjects']} (depressed {result['depressed']}), leave-one-subject-out",
        f"accuracy {result['accuracy']}  F1 (depressed) {result['f1']}  MCC {result['mcc']}",
        f"load + features {result['load_and_features_s']} s, total {result['seconds']} s",
    ]
    result["predictions"] = predictions
    _emit(result, as_json, lines)


def bench_early_warning(
    data: DataOption = DEFAULT_DATA,
    seed: Annotated[
        int | None, typer.Option(help="Evaluation seed (default: the reported one).")
    ] = None,
    clients: Annotated[int, typer.Option(min=2, help="Clients to simulate.")] = 100,
    methods: Annotated[
        str, typer.Option(help="Comma-separated subset.")
    ] = "mindbridge,fixed_thresholds,ruptures_pelt",
    as_json: JsonOption = False,
) -> None:
    """Semi-synthetic early-warning benchmark: our detector vs two baselines."""
    from mindbridge.signals.early_warning import EVAL_SEED, run

    _check_data(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run(
            data,
            seed=EVAL_SEED if seed is None else seed,
            clients=clients,
            methods=tuple(methods.split(",")),
        )
    lines = [
        f"seed {result['seed']} (tuned on {result['tuned_on_seeds']}), "
        f"{result['clients']} clients, {result['episodes']} episodes"
    ]
    for name, m in result["methods"].items():  # type: ignore[attr-defined]
        lines.append(
            f"{name:18s} sensitivity_7d {m['sensitivity_7d']}  "
            f"median delay {m['median_delay_days']} d  "
            f"false alerts/client-month {m['false_alerts_per_client_month']}"
        )
    _emit(result, as_json, lines)


def bench_signals(
    clients: Annotated[int, typer.Option(min=1)] = 10_000,
    days: Annotated[int, typer.Option(min=7)] = 180,
    workers: Annotated[int, typer.Option(min=1, help="Processes (chunks run in parallel).")] = 1,
    chunk: Annotated[int, typer.Option(min=64, help="Clients per chunk (bounds memory).")] = 2048,
    seed: int = 0,
    depresjon: Annotated[
        Path | None, typer.Option(help="Also time importing all of Depresjon + its features.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Time and peak memory of daily features + scores for CLIENTS x DAYS."""
    from mindbridge.signals import scale

    result: dict[str, object] = {}
    if depresjon is not None:
        _check_data(depresjon)
        result["depresjon"] = import_depresjon(depresjon)
    result |= scale.run(clients, days, seed=seed, chunk=chunk, workers=workers)
    lines = [
        f"{result['clients']} clients x {result['days']} days, {result['workers']} worker(s): "
        f"wall {result['wall_s']} s (pipeline cpu {result['pipeline_cpu_s']} s, "
        f"data generation {result['generate_cpu_s']} s), peak RSS {result['peak_rss_mb']} MB",
    ]
    if depresjon is not None:
        d = result["depresjon"]
        lines.insert(0, f"Depresjon import + features: {d['seconds']} s for {d['minutes']} minutes")  # type: ignore[index]
    _emit(result, as_json, lines)


def import_depresjon(data: Path, tz: str = "Europe/Oslo") -> dict[str, object]:
    """Parse every Depresjon file and compute its daily features (the import path, timed)."""
    from mindbridge.signals.clock import day_from_number, local_day_and_minute, zone
    from mindbridge.signals.daily import daily_from_observations
    from mindbridge.signals.features import compute_features
    from mindbridge.signals.ingest_actigraphy import parse_actigraphy_csv

    t0 = time.perf_counter()
    minutes = rejected = days = 0
    files = sorted(data.glob("*/*.csv"))
    for path in files:
        parsed = parse_actigraphy_csv(path, tz)
        batch = parsed.observations
        minutes += len(batch)
        rejected += len(parsed.rejected)
        if len(batch) == 0:
            continue
        ends, _ = local_day_and_minute(batch.start_s[[0, -1]], zone(tz))
        inputs = daily_from_observations(
            batch, tz, day_from_number(int(ends[0])), day_from_number(int(ends[1]))
        )
        days += compute_features(inputs).data.shape[2]
    return {
        "files": len(files),
        "minutes": minutes,
        "rejected_rows": rejected,
        "days": days,
        "seconds": round(time.perf_counter() - t0, 2),
    }


def import_command(
    file: Annotated[Path, typer.Argument(help="The file to import.", exists=True, dir_okay=False)],
    client: Annotated[str, typer.Option("--client", help="The client's email.")],
    fmt: Annotated[
        str, typer.Option("--format", help="generic | actigraphy | apple-health")
    ] = "generic",
    accept_valid_rows: Annotated[
        bool,
        typer.Option("--accept-valid-rows", help="Store the valid rows even if some are rejected."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a file of passive signals for a client: all or nothing, idempotent, then scored."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    from mindbridge.access import service as access_service
    from mindbridge.access.domain import Action, Role, Stream
    from mindbridge.accounts import service as accounts_service
    from mindbridge.audit.service import AuditContext
    from mindbridge.db import transaction
    from mindbridge.kit.errors import MindbridgeError
    from mindbridge.runtime import runtime
    from mindbridge.signals import service as signals_service

    if fmt not in signals_service.FILE_FORMATS:
        raise typer.BadParameter(
            f"choose one of {', '.join(signals_service.FILE_FORMATS)}", param_hint="--format"
        )
    rt = runtime()
    t0 = time.perf_counter()
    console = Console(stderr=True)
    with (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=as_json,
        ) as bar,
        transaction(rt.sessions) as db,
    ):
        task = bar.add_task(f"reading {file.name}", total=file.stat().st_size or None)
        user = accounts_service.get_by_email(db, client)
        if user is None or user.role != Role.CLIENT.value:
            typer.echo(f"error: no client with email {client}", err=True)
            raise typer.Exit(2)
        ctx = AuditContext(actor=accounts_service.actor_of(user), request_id="cli-signals-import")
        grant = access_service.authorize(
            db, ctx, client_id=user.id, resource=Stream.SIGNALS, action=Action.WRITE
        )

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        try:
            report = signals_service.import_file(
                db,
                grant,
                rt.vault,
                source=file,
                fmt=fmt,
                accept_valid_rows=accept_valid_rows,
                progress=progress,
            )
        except MindbridgeError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
        bar.update(task, description="stored and scored", completed=file.stat().st_size)
    result = report.to_dict() | {"seconds": round(time.perf_counter() - t0, 2)}
    lines = [f"{file.name}: {report.status}. {report.summary()}"]
    lines += [f"  line {r.line}: {r.reason}" for r in report.rejected]
    if report.result is not None:
        r = report.result
        score = "too early to judge" if r.score is None else f"{r.score:.2f}"
        lines.append(f"days {r.first} to {r.last}: latest deterioration score {score}")
        if r.explanation:
            lines.append(f"  {r.explanation}")
        if r.alerted:
            lines.append("  an alert was raised for the care team")
    lines.append(f"{result['seconds']} s")
    _emit(result, as_json, lines)
    if not report.written:
        raise typer.Exit(1)


def register(root: typer.Typer, eval_app: typer.Typer, bench_app: typer.Typer) -> None:
    signals_app = typer.Typer(help="Passive signals.", no_args_is_help=True)
    signals_app.command("import")(import_command)
    root.add_typer(signals_app, name="signals")
    eval_app.command("actigraphy")(eval_actigraphy)
    bench_app.command("early-warning")(bench_early_warning)
    bench_app.command("signals")(bench_signals)
