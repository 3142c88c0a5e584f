"""Companion commands: check flow files, train and measure the router.

mindbridge chat --as EMAIL [--script FILE] [--new]
mindbridge companion check-flows [DIR] [--json]
mindbridge companion train-router
mindbridge eval companion-router FILE [--json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from mindbridge.companion.flowspec import DEFAULT_FLOW_DIR, FLOW_IDS, FlowError, load_flows
from mindbridge.companion.router import Router, evaluate, read_examples

companion_app = typer.Typer(help="The companion: exercise flows and chat.", no_args_is_help=True)


@companion_app.command("check-flows")
def check_flows(
    directory: Annotated[
        Path, typer.Argument(help="Folder of *.toml flow files.")
    ] = DEFAULT_FLOW_DIR,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    complete: Annotated[
        bool, typer.Option(help="Require every exercise id the recommender uses.")
    ] = True,
) -> None:
    """Validate flow files the way the companion loads them; exit 1 on the first fault."""
    try:
        flows = load_flows(directory, FLOW_IDS if complete else ())
    except FlowError as exc:
        if as_json:
            sys.stdout.write(json.dumps({"ok": False, "error": str(exc)}) + "\n")
        else:
            typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    summary = {
        f.id: {"version": f.version, "steps": len(f.steps), "review_status": f.review_status}
        for f in flows.values()
    }
    if as_json:
        sys.stdout.write(json.dumps({"ok": True, "flows": summary}) + "\n")
        return
    for flow_id, info in summary.items():
        typer.echo(
            f"{flow_id:32} v{info['version']:8} {info['steps']:3} steps  {info['review_status']}"
        )
    typer.echo(f"{len(summary)} flows valid")


@companion_app.command("train-router")
def train_router() -> None:
    """Retrain the router's classifier from data/intents_train.jsonl (seeded, ~2 min)."""
    from mindbridge.companion.train_router import train

    typer.echo(json.dumps(train(), indent=2))


def eval_router(
    data: Annotated[Path, typer.Argument(help='JSONL of {"text", "intent"} rows.')],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    lexicon_only: Annotated[bool, typer.Option(help="Leave the classifier out.")] = False,
) -> None:
    """Accuracy of the intent router on a labelled file, overall and per intent."""
    router = Router.default()
    if lexicon_only:
        router = Router(None, router.thresholds)
    result = evaluate(router, read_examples(data))
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    typer.echo(f"accuracy {result['accuracy']:.3f} on {result['n']} messages ({data.name})")
    for error in result["errors"]:
        typer.echo(f"  {error['text']!r}: expected {error['expected']}, got {error['got']}")


def chat(
    email: Annotated[str, typer.Option("--as", help="The client to talk as (their email).")],
    script: Annotated[
        Path | None,
        typer.Option(help="One message per line; print each reply as a JSON line."),
    ] = None,
    new: Annotated[
        bool, typer.Option("--new", help="Start a fresh conversation (memory is kept).")
    ] = False,
) -> None:
    """Talk to the companion as a client, with the same screening and storage as the web chat.

    Besides messages: `/exercises` lists every exercise, `/start ID` starts one (as the web
    page's Start buttons do)."""
    from mindbridge.access import service as access_service
    from mindbridge.access.domain import Action, Role, Stream
    from mindbridge.accounts import service as accounts_service
    from mindbridge.audit.service import AuditContext
    from mindbridge.companion import service as companion_service
    from mindbridge.db import transaction, utcnow
    from mindbridge.kit.errors import Invalid
    from mindbridge.runtime import runtime

    rt = runtime()
    if rt.settings.companion_text_models:
        # a terminal chat can wait a few seconds at the start; a web turn never waits
        from mindbridge import language

        typer.echo("loading the text models...", err=True)
        try:
            language.warm_up()
        except Exception as exc:  # the companion answers without them
            typer.echo(f"note: text models not loaded ({exc}); going on without", err=True)

    def turn(text: str, *, reset: bool = False) -> companion_service.Reply | None:
        with transaction(rt.sessions) as db:
            user = accounts_service.get_by_email(db, email)
            if user is None or user.role != Role.CLIENT.value:
                typer.echo(f"error: no client with email {email}", err=True)
                raise typer.Exit(2)
            ctx = AuditContext(actor=accounts_service.actor_of(user), request_id="cli-chat")
            grant = access_service.authorize(
                db, ctx, client_id=user.id, resource=Stream.COMPANION, action=Action.WRITE
            )
            if reset:
                companion_service.new_conversation(db, grant)
                return None
            if text.strip() == "/exercises":
                for item in companion_service.exercise_menu(db, grant):
                    state = f"not available: {item.unavailable}" if item.unavailable else "/start"
                    typer.echo(f"  {item.flow_id}: {item.title}, {item.minutes} min ({state})")
                return None
            try:
                if text.startswith("/start "):  # a one-tap start, as on the web: nothing to screen
                    reply = companion_service.start_exercise(
                        db,
                        grant,
                        rt.vault,
                        client=user,
                        flow_id=text.removeprefix("/start ").strip(),
                        now=utcnow(),
                    )
                else:
                    reply = companion_service.take_turn(
                        db, grant, rt.vault, client=user, text=text, now=utcnow()
                    )
            except Invalid as exc:
                typer.echo(f"error: {exc.message}", err=True)
                return None
        # alerts, hand-offs and reminders this turn queued: ask the job runner to deliver now
        # (harmless without one; the runner's sweep delivers them within a minute)
        from mindbridge.jobs import worker

        worker.kick()
        return reply

    if new:
        turn("", reset=True)
    if script is not None:
        for line in script.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            reply = turn(line)
            if reply is None:
                continue
            row = {
                "user": line,
                "reply": "\n".join(reply.reply),
                "flow": reply.flow,
                "risk_level": reply.risk_level,
            }
            sys.stdout.write(json.dumps(row) + "\n")
        return
    typer.echo(
        "Talking to the companion. /exercises lists every exercise, /start ID starts one, "
        "/quit (or Ctrl-D) leaves."
    )
    while True:
        try:
            line = input("you> ")
        except EOFError:
            break
        if line.strip() in {"/quit", "/exit"}:
            break
        reply = turn(line)
        if reply is None:
            continue
        for message in reply.reply:
            typer.echo(f"companion> {message}")
        if reply.suggestions:
            typer.echo("           [" + " | ".join(reply.suggestions) + "]")


def register(root: typer.Typer, eval_app: typer.Typer, bench_app: typer.Typer) -> None:
    root.add_typer(companion_app, name="companion")
    root.command("chat")(chat)
    eval_app.command("companion-router")(eval_router)
