"""The `mindbridge` command: one typer root, with each capability registering its own commands."""

from __future__ import annotations

import importlib
from typing import Annotated, NoReturn

import typer
from pydantic import SecretStr

from mindbridge.access.domain import Role
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.config import ConfigError, Settings, get_settings
from mindbridge.db import transaction
from mindbridge.kit.errors import Invalid, MindbridgeError

app = typer.Typer(help="mindbridge: blended-care mental-health platform.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure models on labelled data.", no_args_is_help=True)
bench_app = typer.Typer(help="Run benchmarks and simulations.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")

CLI_AUDIT = AuditContext(actor=None, request_id="cli")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _settings() -> Settings:
    try:
        return get_settings()
    except ConfigError as exc:
        _fail(str(exc))


@app.command()
def serve(
    demo: Annotated[
        bool, typer.Option(help="Seed the demo clinic if the database is empty.")
    ] = False,
    worker: Annotated[bool, typer.Option(help="Run the job runner beside the web server.")] = True,
) -> None:
    """Migrate, (optionally) seed the demo, and serve the web app with its job runner."""
    import uvicorn

    from mindbridge import server
    from mindbridge.runtime import runtime

    settings = _settings()
    try:
        server.prepare(settings)
    except ConfigError as exc:
        _fail(str(exc))
    rt = runtime()
    password = server.ensure_demo(rt) if demo else None
    if worker and not settings.redis_url:
        server.start_worker_process()
    if settings.companion_text_models:
        # the companion names feelings and suggests thinking traps once these are loaded
        _warm_text_models()
    from mindbridge.web.app import create_app

    typer.echo(server.banner(settings, password))
    uvicorn.run(
        create_app(rt),
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=False,
    )


@app.command("worker")
def worker_command(workers: int = 2) -> None:
    """Run the job runner (Huey): SQLite queue by default, Redis with MINDBRIDGE_REDIS_URL."""
    import logging

    from mindbridge.jobs import worker

    settings = _settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if settings.language_analysis:
        _warm_text_models()
    worker.run_consumer(workers=workers)


def _warm_text_models() -> None:
    """Load the text models beside the consumer, so the first analysis waits for nothing and
    reminders and alerts are delivered while they load."""
    import logging
    import threading
    import time

    def load() -> None:
        from mindbridge import language

        start = time.perf_counter()
        try:
            language.warm_up()
        except Exception:  # the analyses wait in the outbox and are retried
            logging.getLogger("mindbridge.language").exception("text models failed to load")
            return
        logging.getLogger("mindbridge.language").info(
            "text models loaded in %.1f s", time.perf_counter() - start
        )

    threading.Thread(target=load, name="text-models", daemon=True).start()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    from mindbridge.migrations import upgrade

    settings = _settings()
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)
    typer.echo("database is up to date")


@app.command("demo")
def demo_command(
    password: Annotated[str | None, typer.Option(help="Password for every demo login.")] = None,
) -> None:
    """Seed the synthetic demo clinic into an empty database and print its logins."""
    from mindbridge import server
    from mindbridge.demo import seed as demo_seed
    from mindbridge.runtime import runtime

    settings = _settings()
    try:
        server.prepare(settings)
    except ConfigError as exc:
        _fail(str(exc))
    rt = runtime()
    with transaction(rt.sessions) as db:
        if not demo_seed.is_empty(db):
            _fail("the database already has accounts; the demo seeds only an empty one")
    if password:
        settings.demo_password = SecretStr(password)
    typer.echo(server.banner(settings, server.ensure_demo(rt), running=False))


@user_app.command("create")
def user_create(
    email: str,
    role: Annotated[Role, typer.Option()] = Role.CLIENT,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[
        str | None, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = None,
    clinician: Annotated[str | None, typer.Option(help="Clinician email (for a client).")] = None,
) -> None:
    """Create an account with a password."""
    from mindbridge.accounts import service as accounts_service
    from mindbridge.care import service as care_service
    from mindbridge.runtime import runtime

    _settings()
    try:
        with transaction(runtime().sessions) as db:
            user = accounts_service.create_user(
                db, CLI_AUDIT, email=email, role=role, display_name=name, password=password
            )
            if clinician:
                found = accounts_service.get_by_email(db, clinician)
                if found is None or found.role != Role.CLINICIAN.value:
                    raise Invalid(f"no clinician with email {clinician}")
                care_service.assign(db, clinician_id=found.id, client_id=user.id, by=None)
    except (MindbridgeError, ValueError) as exc:
        _fail(exc.message if isinstance(exc, MindbridgeError) else str(exc))
    typer.echo(f"created {role.value} {user.email} (id {user.id})")


@user_app.command("invite")
def user_invite(
    email: str,
    role: Annotated[Role, typer.Option()] = Role.CLIENT,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    base_url: Annotated[str, typer.Option(help="Public URL of this server.")] = "",
) -> None:
    """Create an account without a password and print (and email) its single-use invitation link."""
    from mindbridge.accounts import service as accounts_service
    from mindbridge.accounts.domain import TokenPurpose
    from mindbridge.notifications import service as notifications_service
    from mindbridge.runtime import runtime

    settings = _settings()
    url = (base_url or settings.base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    try:
        with transaction(runtime().sessions) as db:
            user = accounts_service.create_user(
                db, CLI_AUDIT, email=email, role=role, display_name=name
            )
            token = accounts_service.issue_token(db, CLI_AUDIT, user, TokenPurpose.INVITE)
            link = f"{url}/invite/{token}"
            notifications_service.send_email(
                db,
                to=user.email,
                subject="You're invited to mindbridge",
                body=f"Set your password within 7 days here:\n\n{link}\n",
            )
    except (MindbridgeError, ValueError) as exc:
        _fail(exc.message if isinstance(exc, MindbridgeError) else str(exc))
    typer.echo(link)


@keys_app.command("rotate")
def keys_rotate(
    add: Annotated[
        bool, typer.Option(help="Append a new key-encryption key to the ring file first.")
    ] = True,
) -> None:
    """Re-wrap every data key under the newest key-encryption key (the data is not rewritten)."""
    import secrets

    from mindbridge.runtime import build_runtime

    settings = _settings()
    if add:
        try:
            path = settings.kek_path()
        except ConfigError as exc:
            _fail(str(exc))
        settings.kek_bytes()  # make sure the ring exists
        ring = path.read_text()
        new_id = f"k{len([ln for ln in ring.splitlines() if ln.strip()]) + 1}"
        with path.open("a") as handle:
            handle.write(f"{new_id}:{secrets.token_hex(32)}\n")
    rt = build_runtime(settings)
    with transaction(rt.sessions) as db:
        count = rt.vault.rotate(db)
        audit_service.record(
            db,
            CLI_AUDIT,
            action="keys.rotate",
            resource_type="data_key",
            detail={"rewrapped": count, "active": rt.vault.ring.active_id},
        )
    typer.echo(f"re-wrapped {count} data keys under {rt.vault.ring.active_id}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit chain; exit 1 and list the problems if any entry was altered or deleted."""
    from mindbridge.runtime import runtime

    _settings()
    with transaction(runtime().sessions) as db:
        report = audit_service.verify(db)
    if report.ok:
        typer.echo(f"audit chain intact: {report.checked} entries")
        return
    for problem in report.problems:
        where = f"entry {problem.entry_id}" if problem.entry_id else "chain"
        typer.echo(f"TAMPERED {where}: {problem.problem}")
    raise typer.Exit(1)


# Each module exposes `register(root, eval_app, bench_app)`.
_DOMAIN_CLIS = (
    "mindbridge.safety.cli",
    "mindbridge.assessments.cli",
    "mindbridge.signals.cli",
    "mindbridge.recommender.cli",
    "mindbridge.companion.cli",
    "mindbridge.language.cli",
    "mindbridge.retention.cli",
)


def _register_domains() -> None:
    for name in _DOMAIN_CLIS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # capability not built yet
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        module.register(app, eval_app, bench_app)


_register_domains()

if __name__ == "__main__":
    app()
