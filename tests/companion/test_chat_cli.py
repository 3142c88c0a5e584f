"""`mindbridge chat --as EMAIL --script FILE`: a JSON line per message, stored like the web chat."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from mindbridge.cli import app
from mindbridge.companion.models import CompanionOutcome
from mindbridge.db import transaction
from tests.conftest import PERSONA_EMAILS

runner = CliRunner()


def test_chat_script_prints_json_lines(rt, personas, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "chat.txt"
    lines = ["hello", "call me Jo", "grounding please", "4", "a lamp", "", "a chair"]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["chat", "--as", PERSONA_EMAILS["client"], "--script", str(script)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["user"] for r in rows] == [line for line in lines if line]
    assert all(set(r) == {"user", "reply", "flow", "risk_level"} for r in rows)
    assert "How are you feeling today?" in rows[0]["reply"]
    assert "Jo" in rows[1]["reply"]
    assert rows[2]["flow"] == "grounding_54321"
    assert "Look around you" in rows[3]["reply"]
    # a second run carries on the same conversation; --new starts afresh but remembers the name
    again = tmp_path / "again.txt"
    again.write_text("hello\n", encoding="utf-8")
    fresh = runner.invoke(
        app, ["chat", "--as", PERSONA_EMAILS["client"], "--script", str(again), "--new"]
    )
    assert fresh.exit_code == 0, fresh.output
    assert json.loads(fresh.stdout.splitlines()[0])["reply"].startswith("Hi Jo")
    with transaction(rt.sessions) as db:
        assert db.execute(select(CompanionOutcome)).first() is None


def test_chat_refuses_a_non_client(rt, personas, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "chat.txt"
    script.write_text("hello\n", encoding="utf-8")
    result = runner.invoke(
        app, ["chat", "--as", PERSONA_EMAILS["clinician"], "--script", str(script)]
    )
    assert result.exit_code == 2


def test_chat_interactive_loop(rt, personas) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["chat", "--as", PERSONA_EMAILS["client"]], input="hello\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "companion> How are you feeling today?" in result.output
