"""Starting the platform: migrate, optionally seed the demo, run the web server and job runner."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from pathlib import Path

from mindbridge.config import ConfigError, Settings
from mindbridge.db import transaction
from mindbridge.migrations import upgrade
from mindbridge.runtime import Runtime

DEMO_PASSWORD_FILE = "demo-password"  # noqa: S105 (a file name)


def prepare(settings: Settings) -> None:
    settings.ensure_data_dir()
    if settings.instrument_packs_dir is not None:
        from mindbridge.assessments.errors import PackError
        from mindbridge.assessments.packs import load_pack_dir

        try:
            load_pack_dir(settings.instrument_packs_dir)
        except PackError as exc:
            raise ConfigError(
                "MINDBRIDGE_INSTRUMENT_PACKS_DIR: " + "; ".join(exc.problems)
            ) from exc
    upgrade(settings.resolved_database_url)


def ensure_demo(rt: Runtime) -> str | None:
    """Seed the demo clinic into an empty database; return the demo password (kept 0600)."""
    from mindbridge.demo import seed as demo_seed

    path = rt.settings.data_dir / DEMO_PASSWORD_FILE
    with transaction(rt.sessions) as db:
        if not demo_seed.is_empty(db):
            return path.read_text().strip() if path.exists() else None
        password = (
            rt.settings.demo_password.get_secret_value() if rt.settings.demo_password else None
        )
        demo = demo_seed.seed_demo(db, rt.vault, password=password)
    _write_private(path, demo.password)
    return demo.password


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")


def start_worker_process() -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "mindbridge.cli", "worker"])

    def stop() -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    atexit.register(stop)
    return proc


def banner(settings: Settings, password: str | None, *, running: bool = True) -> str:
    from mindbridge.demo.seed import DEMO_ADMIN, DEMO_CLIENT, DEMO_CLINICIAN

    url = settings.base_url or f"http://{settings.host}:{settings.port}"
    head = (
        f"mindbridge is running at {url}" if running else f"demo clinic seeded; serve it at {url}"
    )
    lines = [head, f"  data directory: {settings.data_dir}"]
    if password:
        lines += [
            "  demo logins (password for all: " + password + ")",
            f"    admin      {DEMO_ADMIN}",
            f"    clinician  {DEMO_CLINICIAN}",
            f"    client     {DEMO_CLIENT}",
        ]
    if not settings.require_mfa:
        lines.append("  two-step login is NOT required (demo mode)")
    return "\n".join(lines)
