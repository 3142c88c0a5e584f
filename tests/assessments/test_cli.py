"""The `mindbridge assess` commands, driven through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mindbridge.assessments.cli import register


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer()
    register(root, typer.Typer(), typer.Typer())
    return root


runner = CliRunner()


def test_score_json_has_the_required_keys(app) -> None:
    out = runner.invoke(
        app, ["assess", "score", "PHQ-9", "--answers", "1,2,0,1,2,1,0,0,1", "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["instrument"] == "PHQ-9"
    assert data["total"] == 8
    assert data["band"]["label"] == "Mild"
    assert "self_harm_item" in data["flags"]
    assert data["open_safety_flow"] is True


def test_score_without_self_harm(app) -> None:
    out = runner.invoke(
        app, ["assess", "score", "phq9", "--answers", "3,3,3,3,3,3,3,3,0", "--json"]
    )
    data = json.loads(out.stdout)
    assert (data["total"], data["band"]["code"]) == (24, "severe")
    assert "self_harm_item" not in data["flags"]


@pytest.mark.parametrize(
    ("instrument", "answers", "total"),
    [
        ("PHQ-2", "2,1", 3),
        ("GAD-7", "1,1,1,1,1,1,1", 7),
        ("GAD-2", "0,0", 0),
        ("WHO-5", "5,5,5,5,5", 25),
        ("PCL-5", ",".join(["2"] * 20), 40),
        ("PSS-10", ",".join(["0"] * 10), 16),
        ("K10", ",".join(["5"] * 10), 50),
    ],
)
def test_score_every_shipped_instrument(app, instrument: str, answers: str, total: int) -> None:
    out = runner.invoke(app, ["assess", "score", instrument, "--answers", answers, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["total"] == total


def test_human_output(app) -> None:
    out = runner.invoke(app, ["assess", "score", "WHO-5", "--answers", "3,3,3,2,2"])
    assert out.exit_code == 0
    assert "WHO-5 total 13" in out.stdout and "percentage 52" in out.stdout
    safety = runner.invoke(app, ["assess", "score", "PHQ-9", "--answers", "0,0,0,0,0,0,0,0,2"])
    assert "SAFETY" in safety.stdout


@pytest.mark.parametrize("missing", ["1,1,,1,1,1,1,1,1,1", "1,1,-,1,1,1,1,1,1,1"])
def test_missing_answers_as_empty_or_dash(app, missing: str) -> None:
    out = runner.invoke(app, ["assess", "score", "K10", "--answers", missing, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["total"], data["prorated"], data["missing_items"]) == (10, True, ["3"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["PHQ-9", "--answers", "1,2,3"], "expects 9 answers"),
        (["PHQ-9", "--answers", "1,1,1,1,1,1,1,1,4"], "PHQ-9 item 9: answer 4 is out of range"),
        (["PHQ-9", "--answers", "1,1,x,1,1,1,1,1,1"], "PHQ-9 item 3: answer 'x'"),
        (["PHQ-9", "--answers", "1,1,,1,1,1,1,1,1"], "not scored; missing item(s) 3"),
        (["ISI", "--answers", "1"], "unknown instrument 'ISI'"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(app, args: list[str], message: str) -> None:
    out = runner.invoke(app, ["assess", "score", *args, "--json"])
    assert out.exit_code == 1
    assert message in out.stderr
    assert out.stdout == ""


def test_refused_score_still_reports_safety(app) -> None:
    out = runner.invoke(app, ["assess", "score", "PHQ-9", "--answers", "1,,1,1,1,1,1,1,3"])
    assert out.exit_code == 1
    assert "SAFETY" in out.stderr


def test_list(app) -> None:
    out = runner.invoke(app, ["assess", "list", "--json"])
    assert out.exit_code == 0
    ids = [row["id"] for row in json.loads(out.stdout)["instruments"]]
    assert sorted(ids) == sorted(
        ["PHQ-9", "PHQ-2", "GAD-7", "GAD-2", "WHO-5", "PCL-5", "PSS-10", "K10"]
    )
    text = runner.invoke(app, ["assess", "list"])
    assert "PCL-5" in text.stdout and "10-50" in text.stdout


def test_questionnaire_and_check_pack(app, tmp_path: Path) -> None:
    out = runner.invoke(app, ["assess", "questionnaire", "gad-7"])
    assert out.exit_code == 0
    assert json.loads(out.stdout)["resourceType"] == "Questionnaire"
    pack = tmp_path / "pack.json"
    pack.write_text(
        json.dumps(
            {
                "instrument": "GAD-2",
                "version": "1.0.0",
                "language": "en",
                "items": {"1": "Placeholder one", "2": "Placeholder two"},
            }
        ),
        encoding="utf-8",
    )
    ok = runner.invoke(app, ["assess", "check-pack", str(pack)])
    assert ok.exit_code == 0 and "ok: GAD-2" in ok.stdout
    rendered = runner.invoke(app, ["assess", "questionnaire", "GAD-2", "--pack", str(pack)])
    assert json.loads(rendered.stdout)["item"][0]["text"] == "Placeholder one"
    pack.write_text(json.dumps({"instrument": "GAD-2"}), encoding="utf-8")
    bad = runner.invoke(app, ["assess", "check-pack", str(pack)])
    assert bad.exit_code == 1 and "'version' is required" in bad.stderr
