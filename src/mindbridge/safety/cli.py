"""`mindbridge safety check`, `mindbridge safety resources` and `mindbridge eval risk`.

Only typer is imported here: the root command imports every capability's CLI at start-up,
so the detector is imported inside the commands that use it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

safety_app = typer.Typer(
    help="Crisis-language screening and safety resources.", no_args_is_help=True
)


@safety_app.command("check")
def check(
    text: Annotated[str, typer.Argument(help="The text to screen.")],
    context: Annotated[
        list[str] | None,
        typer.Option("--context", "-c", help="An earlier message (repeat; most recent last)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Screen TEXT and print its risk level and the evidence behind it."""
    from mindbridge.safety.screening import screen

    result = screen(text, context=context or ())
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
        return
    typer.echo(f"level: {result.level.value}")
    typer.echo(f"score: {result.score:.3f}")
    typer.echo(f"needs crisis response: {'yes' if result.needs_crisis_response else 'no'}")
    if result.concern_for_other:
        typer.echo("concern for someone else: yes")
    typer.echo("evidence:")
    for e in result.evidence:
        phrase = f' "{e.phrase}"' if e.phrase else ""
        detail = f" {e.detail}" if e.detail else ""
        typer.echo(f"  - [{e.source}] {e.rule}{phrase} ({e.qualifier}, {e.level.value}){detail}")


@safety_app.command("resources")
def show_resources(
    locale: Annotated[str, typer.Option(help="Locale such as en-US, en-GB, en-IE.")] = "en-US",
    directory: Annotated[
        Path | None, typer.Option(help="A crisis-resource JSON file (default: shipped).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the crisis resources shown for LOCALE."""
    from mindbridge.safety.resources import InvalidDirectory, load_directory

    try:
        picked = load_directory(directory).for_locale(locale)
    except (InvalidDirectory, OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps({"locale": locale, "resources": [r.to_dict() for r in picked]}))
        return
    for resource in picked:
        typer.echo(resource.contact_line())


def eval_risk(
    data: Annotated[
        Path,
        typer.Option(
            "--data",
            help="JSONL (text, label: 1 = needs the crisis response) or SDCNL CSV "
            "(title, selftext, is_suicide).",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
    heldout: Annotated[
        bool,
        typer.Option(
            "--heldout",
            help="SDCNL training file only: score just the seeded 20% held-out part the "
            "shipped model never saw.",
        ),
    ] = False,
) -> None:
    """Measure the detector: recall, precision, F1, ROC AUC, FPR, confusion and latency."""
    from mindbridge.safety.datasets import read_labelled, sdcnl_split
    from mindbridge.safety.evaluation import run

    if not data.is_file():
        typer.echo(f"error: no such file: {data}", err=True)
        raise typer.Exit(2)
    try:
        items = read_labelled(data)
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if heldout:
        _, held = sdcnl_split([i.label for i in items])
        items = [items[i] for i in held]
    report, _ = run(items)
    figures = report.to_dict()
    figures["positive"] = "needs_crisis_response (elevated or imminent)"
    if as_json:
        typer.echo(json.dumps(figures))
        return
    for key in ("n", "recall", "precision", "f1", "roc_auc", "fpr", "p50_ms", "p99_ms"):
        typer.echo(f"{key}: {figures[key]}")
    typer.echo(f"confusion: tp={report.tp} fp={report.fp} tn={report.tn} fn={report.fn}")


def register(root: typer.Typer, eval_app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `safety check|resources` and `eval risk`. No benchmark command: the benchmark is
    `benchmarks/safety_risk.py`, which needs the repository's evaluation files."""
    root.add_typer(safety_app, name="safety")
    eval_app.command("risk")(eval_risk)
