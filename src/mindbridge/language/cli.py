"""`mindbridge train ...`, `mindbridge eval emotions|stress|distortions` and `mindbridge analyze`.

Heavy imports (torch, the encoder) happen inside the commands so `mindbridge --help` stays fast.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

DEFAULT_DATA = Path("../shared/data")

train_app = typer.Typer(
    help="Train the shipped text models from the shared data (seeded, reproducible).",
    no_args_is_help=True,
)


def _emit(result: dict[str, Any], as_json: bool, keys: tuple[str, ...]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    for key in keys:
        if key in result:
            typer.echo(f"{key}: {result[key]}")


def _log(message: str) -> None:
    typer.echo(message, err=True)


def _models_out(out: Path | None) -> Path:
    from mindbridge.language.analyzer import MODELS_DIR

    return out if out is not None else MODELS_DIR


DataDir = Annotated[
    Path, typer.Option("--data", help="The shared data folder (holds goemotions/, dreaddit/, ...).")
]
OutDir = Annotated[
    Path | None,
    typer.Option("--out", help="Where to write the artefact (default: the package's models/)."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@train_app.command("emotions")
def train_emotions_cmd(
    data: DataDir = DEFAULT_DATA, out: OutDir = None, as_json: JsonFlag = False
) -> None:
    """GoEmotions 28-label model (+ Ekman thresholds), from goemotions/train.tsv only."""
    from mindbridge.language.training import train_emotions

    start = time.monotonic()
    trained = train_emotions(data, _models_out(out), log=_log)
    result = {
        "model": "emotions",
        "seconds": round(time.monotonic() - start, 1),
        **trained.card["metrics"],
    }
    _emit(result, as_json, tuple(result))


@train_app.command("stress")
def train_stress_cmd(
    data: DataDir = DEFAULT_DATA, out: OutDir = None, as_json: JsonFlag = False
) -> None:
    """Dreaddit stress model, fit on a seeded 80% of dreaddit/train.csv; reports the other 20%."""
    from mindbridge.language.training import train_stress

    start = time.monotonic()
    trained = train_stress(data, _models_out(out), log=_log)
    result = {
        "model": "stress",
        "seconds": round(time.monotonic() - start, 1),
        **trained.card["metrics"],
    }
    _emit(result, as_json, tuple(result))


@train_app.command("distortions")
def train_distortions_cmd(
    data: DataDir = DEFAULT_DATA,
    out: OutDir = None,
    traps_file: Annotated[
        Path | None,
        typer.Option(help="A thinking-traps JSONL to train on instead (e.g. licensed data)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Thinking-trap model from the TRAIN rows of thinking_traps.jsonl (non-commercial data)."""
    from mindbridge.language.training import train_distortions_from

    path = traps_file or data / "thinking_traps" / "thinking_traps.jsonl"
    start = time.monotonic()
    trained = train_distortions_from(path, _models_out(out), log=_log)
    result = {
        "model": "distortions",
        "seconds": round(time.monotonic() - start, 1),
        **trained.card["metrics"],
    }
    _emit(result, as_json, tuple(result))


def eval_emotions_cmd(
    data: Annotated[
        Path, typer.Option("--data", exists=True, dir_okay=False, help="GoEmotions-format TSV.")
    ],
    taxonomy: Annotated[str, typer.Option(help="original (28 labels) or ekman (7).")] = "original",
    cache: Annotated[bool, typer.Option(help="Reuse the /tmp feature cache.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Macro and micro F1 of the emotion model on a labelled GoEmotions-format file."""
    from mindbridge.language.evaluation import eval_emotions

    if taxonomy not in {"original", "ekman"}:
        raise typer.BadParameter("taxonomy must be original or ekman")
    result = eval_emotions(data, taxonomy, cache=cache)
    _emit(result, as_json, ("task", "n", "macro_f1", "micro_f1"))


def eval_stress_cmd(
    data: Annotated[
        Path, typer.Option("--data", exists=True, dir_okay=False, help="Dreaddit-format CSV.")
    ],
    split: Annotated[
        str,
        typer.Option(
            help="all rows, or heldout: the seeded 20% of dreaddit/train.csv never fit on."
        ),
    ] = "all",
    cache: Annotated[bool, typer.Option(help="Reuse the /tmp feature cache.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """F1, precision and recall of the stress model (positive class = stress)."""
    from mindbridge.language.evaluation import eval_stress

    if split not in {"all", "heldout"}:
        raise typer.BadParameter("split must be all or heldout")
    result = eval_stress(data, split, cache=cache)
    _emit(result, as_json, ("task", "split", "n", "f1", "precision", "recall"))


def eval_distortions_cmd(
    data: Annotated[
        Path, typer.Option("--data", exists=True, dir_okay=False, help="Thinking-traps JSONL.")
    ],
    split: Annotated[
        str, typer.Option(help="test (sha256 first hex digit d/e/f), train, or all.")
    ] = "test",
    cache: Annotated[bool, typer.Option(help="Reuse the /tmp feature cache.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Macro F1 over the thinking traps and distorted-vs-not F1, per thought."""
    from mindbridge.language.evaluation import eval_distortions

    if split not in {"train", "test", "all"}:
        raise typer.BadParameter("split must be train, test or all")
    result = eval_distortions(data, split, cache=cache)
    _emit(result, as_json, ("task", "split", "n", "macro_f1", "distorted_f1"))


def analyze_cmd(
    text: Annotated[str, typer.Argument(help="The text to analyse (it is safety-screened first).")],
    distortions: Annotated[
        bool, typer.Option(help="Run the thinking-trap models (meant for thought records).")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Emotions, Ekman groups, sentiment, stress and thinking traps of one text."""
    from mindbridge.language.analyzer import analyze
    from mindbridge.safety.screening import screen

    # Safety first: the screen reads the text before any model does, and its verdict leads.
    screening = screen(text)
    result = analyze(text, distortions=distortions)
    if as_json:
        payload = json.loads(result.to_json())
        payload["safety"] = {"level": screening.level.value, "score": round(screening.score, 4)}
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    typer.echo(f"safety screen: {screening.level.value}")
    if screening.needs_crisis_response:
        typer.echo(
            "This text shows risk language: use `mindbridge safety check` for the fixed response."
        )
    top = sorted(result.emotions.items(), key=lambda kv: -kv[1])[:5]
    typer.echo("emotions: " + ", ".join(f"{k} {v:.2f}" for k, v in top))
    typer.echo(f"detected: {', '.join(result.detected_emotions) or '-'}")
    typer.echo(f"ekman: {', '.join(result.detected_ekman) or '-'}")
    s = result.sentiment
    typer.echo(f"sentiment: {s.label} ({s.score:+.2f}; from emotion mass)")
    state = "stressed" if result.stress.stressed else "not stressed"
    typer.echo(f"stress: {result.stress.probability:.2f} ({state})")
    for d in result.distortions:
        shown = ", ".join(d.cues or d.terms) or "-"
        typer.echo(f"thinking trap: {d.trap} {d.probability:.2f} (words: {shown})")
    typer.echo(result.notice)


def register(root: typer.Typer, eval_app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `train`, `analyze` and the three `eval` commands to the root CLI."""
    del bench_app  # benchmarks are scripts in benchmarks/language_*.py
    root.add_typer(train_app, name="train")
    root.command("analyze")(analyze_cmd)
    eval_app.command("emotions")(eval_emotions_cmd)
    eval_app.command("stress")(eval_stress_cmd)
    eval_app.command("distortions")(eval_distortions_cmd)
