"""`mindbridge assess ...`: score and list instruments, export a Questionnaire, check a pack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from mindbridge.assessments.definitions import InstrumentDefinition, default_registry
from mindbridge.assessments.errors import AssessmentError, InvalidAnswerError
from mindbridge.assessments.fhir import DEFAULT_BASE, questionnaire
from mindbridge.assessments.packs import load_pack
from mindbridge.assessments.submissions import evaluate

assess_app = typer.Typer(help="Questionnaires: score, list, export to FHIR.", no_args_is_help=True)

_MISSING = {"", "-"}


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def parse_answers(definition: InstrumentDefinition, text: str) -> list[int | None]:
    """`1,2,,0` or `1,2,-,0`: empty or '-' marks an unanswered item."""
    tokens = [raw.strip() for raw in text.split(",")]
    if len(tokens) != len(definition.items):
        raise InvalidAnswerError(
            definition.id,
            f"expects {len(definition.items)} answers (one per item), got {len(tokens)}",
        )
    values: list[int | None] = []
    for link_id, token in zip(definition.link_ids, tokens, strict=True):
        if token in _MISSING:
            values.append(None)
            continue
        try:
            values.append(int(token))
        except ValueError:
            raise InvalidAnswerError(
                definition.id, f"answer {token!r} is not a whole number", link_id
            ) from None
    return values


_SAFETY_LINE = "SAFETY: the safety flow must open for this response."


@assess_app.command("score")
def score_command(
    instrument: Annotated[
        str, typer.Argument(help="Instrument id, e.g. PHQ-9 (case-insensitive).")
    ],
    answers: Annotated[
        str,
        typer.Option(
            "--answers", help="Comma-separated answers in item order; '' or '-' = missing."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score one set of answers and print total, band, subscales and flags."""
    try:
        definition = default_registry().resolve(instrument)
        evaluation = evaluate(definition, parse_answers(definition, answers))
    except AssessmentError as exc:
        raise _fail(str(exc)) from exc
    safety = evaluation.safety.open_flow
    result = evaluation.result
    if result is None:
        if safety:
            typer.echo(_SAFETY_LINE, err=True)
        missing = ", ".join(evaluation.missing_items)
        raise _fail(f"{definition.id}: not scored; missing item(s) {missing}: {evaluation.refusal}")
    if as_json:
        typer.echo(json.dumps({**result.to_dict(), "open_safety_flow": safety}))
        return
    typer.echo(
        f"{result.instrument} total {result.total} "
        f"({result.band.label}, {result.band.low}-{result.band.high})"
    )
    if result.percentage is not None:
        typer.echo(f"percentage {result.percentage:g}")
    for name, value in result.subscales.items():
        typer.echo(f"subscale {name}: {value}")
    if result.prorated:
        typer.echo(f"prorated: missing item(s) {', '.join(result.missing_items)}")
    typer.echo(f"flags: {', '.join(result.flags) if result.flags else 'none'}")
    if safety:
        typer.echo(_SAFETY_LINE)


@assess_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the shipped instruments."""
    rows: list[dict[str, Any]] = [
        {
            "id": d.id,
            "version": d.version,
            "name": d.published_name,
            "items": len(d.items),
            "range": [d.min_total, d.max_total],
            "recall": d.recall_period.text,
            "higher_is_better": d.higher_is_better,
        }
        for d in default_registry()
    ]
    if as_json:
        typer.echo(json.dumps({"instruments": rows}))
        return
    for row in rows:
        low, high = row["range"]
        typer.echo(f"{row['id']:<7} {row['items']:>2} items  {low}-{high:<3} {row['name']}")


@assess_app.command("questionnaire")
def questionnaire_command(
    instrument: Annotated[str, typer.Argument(help="Instrument id, e.g. PHQ-9.")],
    pack: Annotated[
        Path | None, typer.Option("--pack", help="Official-wording pack to render the items with.")
    ] = None,
    base: Annotated[
        str, typer.Option("--base", help="FHIR base URL for canonical urls.")
    ] = DEFAULT_BASE,
) -> None:
    """Print the instrument as a FHIR R4 Questionnaire (JSON)."""
    try:
        definition = default_registry().resolve(instrument)
        loaded = load_pack(pack) if pack is not None else None
        resource = questionnaire(definition, base=base, pack=loaded)
    except AssessmentError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(resource.model_dump_json(exclude_none=True))


@assess_app.command("check-pack")
def check_pack_command(
    path: Annotated[Path, typer.Argument(help="Pack JSON file supplied by the service.")],
) -> None:
    """Validate an official-wording pack against its instrument definition."""
    try:
        loaded = load_pack(path)
    except AssessmentError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(
        f"ok: {loaded.instrument_id} {loaded.version} ({loaded.language}), "
        f"{len(loaded.item_text)} items"
    )


def register(root: typer.Typer, eval_app: typer.Typer, bench_app: typer.Typer) -> None:
    root.add_typer(assess_app, name="assess")
