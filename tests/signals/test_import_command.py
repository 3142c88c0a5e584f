"""`mindbridge signals import` on generated files: Depresjon-format actigraphy and an Apple
Health export.xml in the real schema; --json prints one object; a broken file writes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from mindbridge.cli import app
from mindbridge.signals.models import SignalImport, SignalObservation
from tests.conftest import PERSONA_EMAILS
from tests.signals.support import count
from tests.signals.test_ingest_apple import HR, SLEEP, STEPS, export, record

runner = CliRunner()
CLIENT = PERSONA_EMAILS["client"]


def _depresjon_file(path: Path, days: int = 2) -> int:
    """The Depresjon layout: timestamp, a day-first date column, counts a minute."""
    start = datetime(2026, 2, 2, 12, 0)
    lines = ["timestamp,date,activity"]
    for m in range(days * 1440):
        t = start + timedelta(minutes=m)
        night = t.hour < 7 or t.hour >= 23
        lines.append(
            f"{t:%Y-%m-%d %H:%M:%S},{t.day}/{t.month}/{t.year},{0 if night else 150 + m % 90}"
        )
    path.write_text("\n".join(lines) + "\n")
    return days * 1440


def _json(output: str) -> dict[str, object]:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    parsed = json.loads(lines[0])
    assert isinstance(parsed, dict)
    return parsed


def test_import_actigraphy_then_again_as_duplicates(rt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "condition_x.csv"
    minutes = _depresjon_file(path)
    args = ["signals", "import", str(path), "--client", CLIENT, "--format", "actigraphy"]
    first = runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    out = _json(first.stdout)
    assert (out["status"], out["added"], out["rejected_count"]) == ("imported", minutes, 0)
    assert out["scored_days"] == ["2026-02-02", "2026-02-04"]  # an old recording: scored to its end
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert f"0 new, 0 corrected, {minutes} already stored (duplicates)" in again.stdout
    assert count(rt, SignalObservation) == minutes and count(rt, SignalImport) == 2


def test_import_apple_health_export(rt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.xml"
    path.write_bytes(
        export(
            record(
                SLEEP,
                "HKCategoryValueSleepAnalysisAsleepCore",
                "2026-02-01 23:10:00 +0000",
                "2026-02-02 06:40:00 +0000",
            ),
            record(STEPS, "420", "2026-02-02 09:00:00 +0000", "2026-02-02 10:00:00 +0000", "count"),
            record(HR, "61", "2026-02-02 03:00:00 +0000", "2026-02-02 03:00:00 +0000", "count/min"),
            record(
                "HKQuantityTypeIdentifierBodyMass",
                "70",
                "2026-02-02 08:00:00 +0000",
                "2026-02-02 08:00:00 +0000",
                "kg",
            ),
        )
    )
    result = runner.invoke(
        app,
        ["signals", "import", str(path), "--client", CLIENT, "--format", "apple-health", "--json"],
    )
    assert result.exit_code == 0, result.output
    out = _json(result.stdout)
    assert out["added"] == 3 and out["stats"]["ignored_records"] == 1  # type: ignore[index]
    assert count(rt, SignalObservation) == 3


def test_broken_files_exit_1_and_write_nothing(rt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    truncated = tmp_path / "export.xml"
    truncated.write_bytes(
        export(
            record(STEPS, "5", "2026-02-02 09:00:00 +0000", "2026-02-02 10:00:00 +0000", "count")
        )[:-40]
    )
    result = runner.invoke(
        app, ["signals", "import", str(truncated), "--client", CLIENT, "--format", "apple-health"]
    )
    assert result.exit_code == 1 and "Nothing imported" in result.stdout
    bad = tmp_path / "bad.csv"
    _depresjon_file(bad, days=1)
    text = bad.read_text().splitlines()
    text[10] = "2026-02-02 12:09:00,2/2/2026,-3"
    text[20] = "not a time,2/2/2026,4"
    bad.write_text("\n".join(text) + "\n")
    out = runner.invoke(
        app, ["signals", "import", str(bad), "--client", CLIENT, "--format", "actigraphy", "--json"]
    )
    assert out.exit_code == 1
    report = _json(out.stdout)
    rejected = report["rejected"]
    assert isinstance(rejected, list) and report["status"] == "rejected"
    assert [r["line"] for r in rejected] == [11, 21]
    assert count(rt, SignalObservation) == 0
    unknown = runner.invoke(app, ["signals", "import", str(bad), "--client", "nobody@example.org"])
    assert unknown.exit_code == 2 and "no client" in unknown.output
