"""`mindbridge bench recommender` through typer's runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mindbridge.cli import app

runner = CliRunner()


def test_bench_json_prints_one_object() -> None:
    result = runner.invoke(
        app, ["bench", "recommender", "--json", "--people", "40", "--days", "12", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["settings"] == {"people": 40, "days": 12, "seed": 4, "horizon": 30}
    assert {"regret_reduction_vs_rules", "policy_max_group_gap", "latency", "targets"} <= set(data)
    assert data["policies"]["policy"]["groups"]["C"]["people"] > 0


def test_bench_text_shows_the_table() -> None:
    result = runner.invoke(app, ["bench", "recommender", "--people", "30", "--days", "8"])
    assert result.exit_code == 0, result.output
    assert "regret_reduction_vs_rules" in result.stdout
    assert "best fixed" in result.stdout


def test_bench_rejects_a_tiny_population() -> None:
    result = runner.invoke(app, ["bench", "recommender", "--people", "3"])
    assert result.exit_code != 0


def test_pool_command_refits_the_shared_layer(rt) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["recommender", "pool"])
    assert result.exit_code == 0, result.output
    assert "shared layer revision 1: 0 outcomes from 0 consenting clients" in result.stdout


def test_nightly_refit_runs_in_its_own_transaction(rt) -> None:  # type: ignore[no-untyped-def]
    from mindbridge.jobs import worker
    from mindbridge.recommender import tasks

    assert "mindbridge.recommender.tasks" in worker.HANDLER_MODULES
    assert tasks.refit_population.call_local() == 0
