"""The companion's commands, registered on a stand-alone root (the lead adds them to mindbridge)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from mindbridge.companion.cli import register
from mindbridge.companion.flowspec import DEFAULT_FLOW_DIR

runner = CliRunner()
DATA = Path(__file__).with_name("data")


def app() -> typer.Typer:
    root = typer.Typer()
    eval_app = typer.Typer()
    bench_app = typer.Typer()
    root.add_typer(eval_app, name="eval")
    root.add_typer(bench_app, name="bench")
    register(root, eval_app, bench_app)
    return root


def test_check_flows_json() -> None:
    result = runner.invoke(app(), ["companion", "check-flows", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and len(data["flows"]) == 15


def test_check_flows_reports_a_broken_file(tmp_path: Path) -> None:
    text = (
        (DEFAULT_FLOW_DIR / "worry_time.toml")
        .read_text()
        .replace('goto = "session_intro"', 'goto = "nowhere"', 1)
    )
    (tmp_path / "worry_time.toml").write_text(text)
    result = runner.invoke(
        app(), ["companion", "check-flows", str(tmp_path), "--no-complete", "--json"]
    )
    assert result.exit_code == 1
    assert "unknown step 'nowhere'" in json.loads(result.stdout)["error"]


def test_eval_router_json() -> None:
    result = runner.invoke(
        app(), ["eval", "companion-router", str(DATA / "intents_test.jsonl"), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 175 and data["accuracy"] >= 0.97
