from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mindbridge.cli import app

runner = CliRunner()
EVAL = Path(__file__).parent / "data" / "chat_eval.jsonl"
KEYS = {
    "n",
    "recall",
    "precision",
    "f1",
    "roc_auc",
    "fpr",
    "tp",
    "fp",
    "tn",
    "fn",
    "p50_ms",
    "p99_ms",
}


def test_check_prints_level_and_evidence() -> None:
    result = runner.invoke(app, ["safety", "check", "I have the pills", "-c", "I want to end it"])
    assert result.exit_code == 0, result.output
    assert "level: imminent" in result.output
    assert "[context]" in result.output and "[pattern] means" in result.output


def test_check_json_is_one_object() -> None:
    result = runner.invoke(app, ["safety", "check", "this commute is killing me", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["level"] == "none" and data["needs_crisis_response"] is False
    assert any(e["qualifier"] == "figurative" for e in data["evidence"])


def test_resources_command() -> None:
    result = runner.invoke(app, ["safety", "resources", "--locale", "en-IE", "--json"])
    assert result.exit_code == 0
    assert [r["id"] for r in json.loads(result.stdout)["resources"]] == [
        "ie-samaritans",
        "ie-emergency",
    ]
    bad = runner.invoke(app, ["safety", "resources", "--directory", "/nonexistent.json"])
    assert bad.exit_code == 2


def test_eval_risk_jsonl_json(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text("".join(EVAL.read_text().splitlines(keepends=True)[::10]))
    result = runner.invoke(app, ["eval", "risk", "--data", str(small), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= KEYS
    assert data["confusion"] == {k: data[k] for k in ("tp", "fp", "tn", "fn")}
    assert data["n"] == data["tp"] + data["fp"] + data["tn"] + data["fn"]


def test_eval_risk_plain_and_errors(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text('{"text": "I want to die", "label": 1}\n{"text": "hello", "label": 0}\n')
    result = runner.invoke(app, ["eval", "risk", "--data", str(small)])
    assert result.exit_code == 0 and "recall: 1.0" in result.output
    assert (
        runner.invoke(app, ["eval", "risk", "--data", str(tmp_path / "none.jsonl")]).exit_code == 2
    )
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"words": "x"}\n')
    assert runner.invoke(app, ["eval", "risk", "--data", str(broken)]).exit_code == 2


@pytest.mark.slow
def test_eval_risk_on_the_sdcnl_file(shared_data: Path) -> None:
    """Real data: the seeded held-out 20 % of SDCNL, which the shipped model never saw."""
    path = shared_data / "sdcnl" / "train.csv"
    result = runner.invoke(app, ["eval", "risk", "--data", str(path), "--heldout", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 303
    # Measured 0.7739 with the encoder stage (0.7714 without); below 0.74 is a regression.
    assert set(data) == KEYS | {"confusion", "positive"}
    assert data["roc_auc"] >= 0.74
    assert data["recall"] >= 0.70
