"""The three commands through typer's CliRunner, with small sizes; --json prints one object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mindbridge.signals.cli import register


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root = typer.Typer()
    eval_app, bench_app = typer.Typer(), typer.Typer()
    root.add_typer(eval_app, name="eval")
    root.add_typer(bench_app, name="bench")
    register(root, eval_app, bench_app)
    return root


@pytest.fixture(scope="module")
def small_depresjon(depresjon: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five people per group, linked (not copied) from the shared data."""
    root = tmp_path_factory.mktemp("depresjon")
    for group in ("condition", "control"):
        (root / group).mkdir()
        for i in range(1, 6):
            (root / group / f"{group}_{i}.csv").symlink_to(depresjon / group / f"{group}_{i}.csv")
    return root


def _one_json(output: str) -> dict[str, object]:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    result = json.loads(lines[0])
    assert isinstance(result, dict)
    return result


def test_eval_actigraphy_json(app: typer.Typer, small_depresjon: Path) -> None:
    result = CliRunner().invoke(
        app, ["eval", "actigraphy", "--data", str(small_depresjon), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = _one_json(result.output)
    assert data["subjects"] == 10 and data["depressed"] == 5
    for key in ("accuracy", "f1", "mcc"):
        assert -1.0 <= float(data[key]) <= 1.0  # type: ignore[arg-type]
    assert set(data["predictions"]) == {
        f"{g}_{i}" for g in ("condition", "control") for i in range(1, 6)
    }  # type: ignore[arg-type]


def test_eval_actigraphy_rejects_a_wrong_folder(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "actigraphy", "--data", str(tmp_path), "--json"])
    assert result.exit_code != 0


def test_bench_early_warning_json(app: typer.Typer, depresjon: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "early-warning",
            "--data",
            str(depresjon),
            "--clients",
            "6",
            "--seed",
            "3",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = _one_json(result.output)
    assert data["clients"] == 6 and data["seed"] == 3
    assert set(data["methods"]) == {"mindbridge", "fixed_thresholds", "ruptures_pelt"}  # type: ignore[arg-type]
    for key in ("sensitivity_7d", "median_delay_days", "false_alerts_per_client_month"):
        assert key in data


def test_bench_signals_json(app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app, ["bench", "signals", "--clients", "100", "--days", "60", "--chunk", "64", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = _one_json(result.output)
    assert data["clients"] == 100 and data["client_days"] == 6000
    assert float(data["peak_rss_mb"]) > 0 and float(data["wall_s"]) > 0  # type: ignore[arg-type]


def test_bench_signals_text(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["bench", "signals", "--clients", "10", "--days", "30"])
    assert result.exit_code == 0 and "10 clients x 30 days" in result.output
