"""The `mindbridge` command: accounts, keys, audit and the demo clinic."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mindbridge.cli import app
from mindbridge.db import transaction

runner = CliRunner()


def test_user_create_and_duplicate(rt) -> None:  # type: ignore[no-untyped-def]
    ok = runner.invoke(
        app,
        [
            "user",
            "create",
            "Dana@Example.org",
            "--role",
            "clinician",
            "--name",
            "Dana",
            "--password",
            "a long passphrase here",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "created clinician dana@example.org" in ok.output
    dup = runner.invoke(
        app, ["user", "create", "dana@example.org", "--password", "another long one!"]
    )
    assert dup.exit_code == 2 and "already exists" in dup.output
    weak = runner.invoke(app, ["user", "create", "eve@example.org", "--password", "short"])
    assert weak.exit_code == 2 and "12 characters" in weak.output


def test_user_invite_prints_a_single_use_link(rt, client) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        app,
        ["user", "invite", "fay@example.org", "--name", "Fay", "--base-url", "http://testserver"],
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert re.fullmatch(r"http://testserver/invite/[A-Za-z0-9_-]{40,}", link)
    assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_keys_rotate_appends_a_key_and_keeps_data_readable(tmp_path, database_url) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINDBRIDGE_")}
    env.update(MINDBRIDGE_DATA_DIR=str(tmp_path), MINDBRIDGE_DATABASE_URL=database_url)
    cmd = [sys.executable, "-m", "mindbridge.cli"]
    subprocess.run(
        [*cmd, "user", "create", "gus@example.org", "--password", "a long passphrase here"],
        env=env,
        check=True,
        capture_output=True,
    )
    from mindbridge.config import Settings
    from mindbridge.runtime import build_runtime

    rt = build_runtime(Settings(data_dir=tmp_path, database_url=database_url))
    with transaction(rt.sessions) as db:
        blob = rt.vault.encrypt(db, "client:77", "kept across rotation", field="t")
    out = subprocess.run(
        [*cmd, "keys", "rotate"], env=env, check=True, capture_output=True, text=True
    )
    assert "under k2" in out.stdout
    assert (tmp_path / "kek").stat().st_mode & 0o777 == 0o600
    rotated = build_runtime(Settings(data_dir=tmp_path, database_url=database_url))
    assert rotated.vault.ring.active_id == "k2"
    with transaction(rotated.sessions) as db:
        assert rotated.vault.decrypt(db, "client:77", blob, field="t") == "kept across rotation"
    verify = subprocess.run([*cmd, "audit", "verify"], env=env, capture_output=True, text=True)
    assert verify.returncode == 0 and "intact" in verify.stdout


def test_bad_configuration_fails_with_a_clear_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINDBRIDGE_")}
    env.update(
        MINDBRIDGE_DATA_DIR=str(tmp_path),
        MINDBRIDGE_DATABASE_URL="mysql://x",
        MINDBRIDGE_PORT="99999",
    )
    out = subprocess.run(
        [sys.executable, "-m", "mindbridge.cli", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "MINDBRIDGE_DATABASE_URL" in out.stderr or "port" in out.stderr


@pytest.mark.slow
def test_demo_seeds_a_clinic_with_the_documented_logins(tmp_path: Path) -> None:
    from mindbridge.accounts.models import User
    from mindbridge.config import Settings
    from mindbridge.demo.seed import DEMO_ADMIN, DEMO_CLIENT, DEMO_CLINICIAN
    from mindbridge.runtime import build_runtime

    env = {k: v for k, v in os.environ.items() if not k.startswith("MINDBRIDGE_")}
    env.update(MINDBRIDGE_DATA_DIR=str(tmp_path))
    if os.environ.get("MINDBRIDGE_TEST_DATABASE_URL"):
        pytest.skip("the demo seeds the default SQLite database")
    out = subprocess.run(
        [sys.executable, "-m", "mindbridge.cli", "demo", "--password", "demo passphrase 42"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    for email in (DEMO_ADMIN, DEMO_CLINICIAN, DEMO_CLIENT):
        assert email in out.stdout
    rt = build_runtime(Settings(data_dir=tmp_path))
    with transaction(rt.sessions) as db:
        counts = dict(db.execute(select(User.role, func.count()).group_by(User.role)).all())
    # 40 clients in care, and one newcomer whose intake waits to be matched
    assert counts == {"admin": 1, "clinician": 3, "client": 41}
    again = subprocess.run(
        [sys.executable, "-m", "mindbridge.cli", "demo"], env=env, capture_output=True, text=True
    )
    assert again.returncode == 2 and "already has accounts" in again.stderr
