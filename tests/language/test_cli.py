"""The eval/analyze/train commands through typer, on small slices of the real files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mindbridge.language.cli import register

runner = CliRunner()


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    root = typer.Typer()
    eval_app = typer.Typer()
    bench_app = typer.Typer()
    root.add_typer(eval_app, name="eval")
    root.add_typer(bench_app, name="bench")
    register(root, eval_app, bench_app)
    return root


def _json(cli: typer.Typer, args: list[str]) -> dict[str, object]:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stdout  # exactly one JSON object
    data: dict[str, object] = json.loads(lines[0])
    return data


def _head(src: Path, dst: Path, n: int) -> Path:
    with src.open(encoding="utf-8") as handle:
        dst.write_text("".join(next(handle) for _ in range(n)), encoding="utf-8")
    return dst


def test_eval_emotions_both_taxonomies(
    cli: typer.Typer, analyzer: object, shared_data: Path, tmp_path: Path
) -> None:
    fine = _head(shared_data / "goemotions" / "dev.tsv", tmp_path / "dev.tsv", 40)
    out = _json(cli, ["eval", "emotions", "--data", str(fine), "--json"])
    assert out["n"] == 40
    assert 0.0 <= float(out["macro_f1"]) <= float(out["micro_f1"]) + 1.0  # type: ignore[arg-type]
    assert 0.2 < float(out["micro_f1"]) <= 1.0  # type: ignore[arg-type]
    ekman = _head(shared_data / "goemotions" / "ekman" / "dev.tsv", tmp_path / "ek.tsv", 40)
    out = _json(cli, ["eval", "emotions", "--data", str(ekman), "--taxonomy", "ekman", "--json"])
    assert out["n"] == 40 and len(out["per_label"]) == 7  # type: ignore[arg-type]
    assert 0.3 < float(out["micro_f1"]) <= 1.0  # type: ignore[arg-type]


def test_eval_stress(cli: typer.Typer, analyzer: object, shared_data: Path, tmp_path: Path) -> None:
    with (shared_data / "dreaddit" / "train.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for _, r in zip(range(30), csv.DictReader(handle), strict=False)]
    path = tmp_path / "d.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows({"text": r["text"], "label": r["label"]} for r in rows)
    out = _json(cli, ["eval", "stress", "--data", str(path), "--json"])
    assert out["n"] == 30
    assert {"f1", "precision", "recall"} <= out.keys()
    assert float(out["f1"]) > 0.5  # type: ignore[arg-type]


def test_eval_distortions_uses_the_split_rule(
    cli: typer.Typer, analyzer: object, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "thinking_traps" / "thinking_traps.jsonl"
    path = _head(source, tmp_path / "t.jsonl", 60)
    test = _json(cli, ["eval", "distortions", "--data", str(path), "--json"])
    every = _json(cli, ["eval", "distortions", "--data", str(path), "--split", "all", "--json"])
    train = _json(cli, ["eval", "distortions", "--data", str(path), "--split", "train", "--json"])
    assert test["split"] == "test"
    assert int(test["n"]) + int(train["n"]) == int(every["n"])  # type: ignore[call-overload]
    assert int(test["rows"]) + int(train["rows"]) == 60  # type: ignore[call-overload]
    assert {"macro_f1", "distorted_f1"} <= test.keys()


def test_analyze_command(cli: typer.Typer, analyzer: object) -> None:
    out = _json(cli, ["analyze", "I must be perfect or everyone will hate me", "--json"])
    assert set(out) >= {"emotions", "ekman", "sentiment", "stress", "distortions"}
    assert out["safety"]["level"] == "none"  # type: ignore[index]
    plain = runner.invoke(cli, ["analyze", "What a calm, pleasant day"])
    assert plain.exit_code == 0 and "sentiment:" in plain.stdout
    assert plain.stdout.startswith("safety screen: none")


def test_analyze_screens_first(cli: typer.Typer, analyzer: object) -> None:
    out = _json(cli, ["analyze", "I want to kill myself tonight", "--json"])
    assert out["safety"]["level"] in {"elevated", "imminent"}  # type: ignore[index]


def test_bad_options_are_rejected(cli: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_text("hi\t1\tid\n")
    result = runner.invoke(cli, ["eval", "emotions", "--data", str(path), "--taxonomy", "x"])
    assert result.exit_code != 0
    assert runner.invoke(cli, ["train", "--help"]).exit_code == 0
