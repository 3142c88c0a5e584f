"""The demo client can try every exercise, in the browser (the chat page's Start buttons) and in
the terminal (`mindbridge chat --as ... --script` with `/start ID` lines)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mindbridge.cli import app as cli_app
from mindbridge.companion import service as companion_service
from mindbridge.db import transaction
from mindbridge.demo import seed as demo_seed
from tests.conftest import csrf_of, login

PASSWORD = "demo password 1"


def test_the_demo_client_can_try_every_exercise(rt, client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        demo_seed.seed_demo(db, rt.vault, password=PASSWORD)
    flows = sorted(companion_service.flow_library())
    assert len(flows) == 15

    login(client, demo_seed.DEMO_CLIENT, PASSWORD)
    page = client.get("/companion").text
    assert "Not available" not in page  # his clinician approved the two that need it
    for flow_id in flows:
        assert f'name="start" value="{flow_id}"' in page
        started = client.post(
            "/companion", data={"start": flow_id, "csrf_token": csrf_of(client, "/companion")}
        )
        assert started.status_code == 200, (flow_id, started.text[:300])
        assert "isn't available" not in started.text and "is not available" not in started.text
        stopped = client.post(
            "/companion", data={"message": "stop", "csrf_token": csrf_of(client, "/companion")}
        )
        assert stopped.status_code == 200

    script = tmp_path / "every-exercise.txt"
    lines = []
    for flow_id in flows:
        lines += [f"/start {flow_id}", "stop"]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli_app, ["chat", "--as", demo_seed.DEMO_CLIENT, "--script", str(script)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    starts = [r for r in rows if r["user"].startswith("/start ")]
    assert [r["flow"] for r in starts] == flows
    window = next(r for r in starts if r["flow"] == "cbti_sleep_restriction")
    assert "diary" not in window["reply"].lower() or "nights" in window["reply"].lower()


def test_the_sleep_window_uses_the_demo_diary(rt, client) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        demo_seed.seed_demo(db, rt.vault, password=PASSWORD)
    login(client, demo_seed.DEMO_CLIENT, PASSWORD)

    def say(text: str) -> str:
        response = client.post(
            "/api/v1/companion/messages",
            json={"text": text},
            headers={"X-CSRF-Token": csrf_of(client, "/companion")},
        )
        assert response.status_code == 200, response.text
        return "\n".join(response.json()["reply"])

    client.post(
        "/companion",
        data={"start": "cbti_sleep_restriction", "csrf_token": csrf_of(client, "/companion")},
    )
    assert "What time will you get up" in say("5")
    window = say("7am")
    assert "last 10 diary nights" in window and "get up at 7 am" in window, window
