"""Companion turns over real HTTP: concurrent conversations against a uvicorn server on 127.0.0.1.

Run: .venv/bin/python benchmarks/companion_http.py            # 50 conversations x 14 turns

It builds a fresh SQLite database (migrated, 50 synthetic clients with one clinician, API tokens),
starts `uvicorn` in a child process on a free loopback port, and drives every conversation at
once with httpx (after one untimed warm-up conversation): greeting (with the recommender's
suggestions), "what should I do", a full grounding exercise (so outcomes, the reward and the
learned state are written), thanks and goodbye, with a think time between turns (uniform,
0.5-1.5 x `--think`, default 3 s: a quick typist reading a short reply). The number of requests
is fixed, so it stops by itself.

Server-side time is measured by an ASGI wrapper around the whole app (authentication, screening,
the turn, encryption, the commit), from the request's arrival to the response start, and sent
back in a `Server-Timing: app;dur=<ms>` header; the client collects those. The real safety
screener runs on every message.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

SCRIPT = [
    "hello",
    "what should I do",
    "no thanks",
    "grounding please",
    "4",
    "a lamp, a cup, a book, a door, a window",
    "my feet, the chair, my shirt, the floor",
    "birds, a car, the fridge",
    "coffee, soap",
    "water",
    "calmer",
    "7",
    "4",
    "thanks, bye",
]
KEK = "k1:" + "22" * 32
SECRET = "bench-secret-" + "cd" * 16


def _settings(data_dir: Path, url: str) -> Any:
    from mindbridge.config import Settings

    return Settings(
        data_dir=data_dir, database_url=url, kek=KEK, secret_key=SECRET, require_mfa=False
    )


def _prepare(data_dir: Path, url: str, n: int) -> list[str]:
    """Migrate, create the clinic and return one bearer token per client."""
    from mindbridge.access.domain import Purpose, Role, Stream
    from mindbridge.accounts import service as accounts_service
    from mindbridge.audit.service import AuditContext
    from mindbridge.care import service as care_service
    from mindbridge.consent import service as consent_service
    from mindbridge.db import transaction
    from mindbridge.migrations import upgrade
    from mindbridge.runtime import build_runtime

    upgrade(url)
    rt = build_runtime(_settings(data_dir, url))
    ctx = AuditContext(actor=None, request_id="bench")
    tokens = []
    with transaction(rt.sessions) as db:
        clinician = accounts_service.create_user(
            db, ctx, email="clinician@bench.example", role=Role.CLINICIAN, display_name="Dr Bench"
        )
        for i in range(n):
            user = accounts_service.create_user(
                db,
                ctx,
                email=f"client{i}@bench.example",
                role=Role.CLIENT,
                display_name=f"Client {i}",
            )
            care_service.assign(db, clinician_id=clinician.id, client_id=user.id, by=None)
            wanted = {(s, Purpose.CARE_TEAM): True for s in Stream}
            consent_service.set_consent(db, ctx, client_id=user.id, wanted=wanted)
            _, token = accounts_service.create_api_token(
                db, ctx, user, name="bench", scopes="read,write"
            )
            tokens.append(token)
    rt.engine.dispose()
    return tokens


def serve(data_dir: Path, url: str, port: int, log: Path) -> None:
    """The child process: the real app wrapped in a server-timing layer, under uvicorn."""
    import uvicorn

    from mindbridge.runtime import build_runtime, install
    from mindbridge.web.app import create_app

    rt = build_runtime(_settings(data_dir, url))
    install(rt)
    if rt.settings.companion_text_models:  # as `mindbridge serve` does (there in the background)
        from mindbridge import language

        language.warm_up()
    app = create_app(rt, kick=lambda: None)
    sink = log.open("a", encoding="utf-8")

    async def timed(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()

        async def wrapped(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000.0
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f"app;dur={ms:.3f}".encode()))
                message = {**message, "headers": headers}
                sink.write(f"{scope['path']} {ms:.3f}\n")
            await send(message)

        await app(scope, receive, wrapped)

    uvicorn.run(timed, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _conversation(
    client: Any, token: str, think_s: float, rng: random.Random, out: list[dict[str, float]]
) -> None:
    headers = {"authorization": f"Bearer {token}"}
    await asyncio.sleep(rng.uniform(0, think_s * 2))  # people do not all arrive at once
    for text in SCRIPT:
        start = time.perf_counter()
        response = await client.post(
            "/api/v1/companion/messages", json={"text": text}, headers=headers
        )
        wall = (time.perf_counter() - start) * 1000.0
        if response.status_code != 200:
            raise RuntimeError(f"{text!r}: {response.status_code} {response.text[:200]}")
        timing = response.headers.get("server-timing", "")
        server = float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")
        out.append({"server_ms": server, "client_ms": wall})
        await asyncio.sleep(rng.uniform(0.5 * think_s, 1.5 * think_s))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100.0 * (len(ordered) - 1))))
    return ordered[k]


async def _drive(port: int, tokens: list[str], think_s: float, seed: int) -> list[dict[str, float]]:
    import httpx

    rng = random.Random(seed)
    out: list[dict[str, float]] = []
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=60.0, limits=limits
    ) as client:
        await asyncio.gather(
            *(_conversation(client, t, think_s, random.Random(rng.random()), out) for t in tokens)
        )
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, proc: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds between turns")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--database-url", default="", help="an empty database to use instead of a temporary SQLite"
    )
    parser.add_argument(
        "--no-text-models",
        action="store_true",
        help="serve without the text models in the web process (MINDBRIDGE_COMPANION_TEXT_MODELS)",
    )
    parser.add_argument("--serve", nargs=4, metavar=("DATA_DIR", "URL", "PORT", "LOG"))
    args = parser.parse_args()
    if args.serve:
        data_dir, url, port, log = args.serve
        serve(Path(data_dir), url, int(port), Path(log))
        return

    with tempfile.TemporaryDirectory(prefix="mb-companion-http-") as tmp:
        data_dir = Path(tmp)
        url = args.database_url or f"sqlite:///{data_dir / 'bench.db'}"
        warm, *tokens = _prepare(data_dir, url, args.conversations + 1)
        port = _free_port()
        log = data_dir / "server-timing.log"
        env = {**os.environ, "MINDBRIDGE_DATA_DIR": str(data_dir)}
        env["MINDBRIDGE_COMPANION_TEXT_MODELS"] = "false" if args.no_text_models else "true"
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(data_dir), url, str(port), str(log)],
            env=env,
        )
        try:
            _wait(port, proc)
            # one untimed conversation first: the screener model and flow tables load lazily
            asyncio.run(_drive(port, [warm], 0.0, args.seed))
            load_before = os.getloadavg()
            started = time.perf_counter()
            samples = asyncio.run(_drive(port, tokens, args.think, args.seed))
            elapsed = time.perf_counter() - started
            load_after = os.getloadavg()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    server = [s["server_ms"] for s in samples]
    client = [s["client_ms"] for s in samples]
    result = {
        "database": url.split(":", 1)[0],
        "conversations": args.conversations,
        "turns": len(samples),
        "think_s": args.think,
        "seconds": round(elapsed, 1),
        "server_ms": {
            "p50": round(_pct(server, 50), 1),
            "p90": round(_pct(server, 90), 1),
            "p99": round(_pct(server, 99), 1),
            "max": round(max(server), 1),
            "mean": round(statistics.fmean(server), 1),
        },
        "client_ms": {"p50": round(_pct(client, 50), 1), "p99": round(_pct(client, 99), 1)},
        "target_p99_ms": 100,
        "text_models": not args.no_text_models,
        "cpus": os.cpu_count(),
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in load_after],
    }
    if args.json:
        print(json.dumps(result))
        return
    s = result["server_ms"]
    print(
        f"{result['turns']} turns in {args.conversations} concurrent conversations, "
        f"{result['seconds']} s: server p50 {s['p50']} ms, p90 {s['p90']} ms, "
        f"p99 {s['p99']} ms, max {s['max']} ms (target p99 <= 100 ms; text models "
        f"{'on' if result['text_models'] else 'off'}); "
        f"client p50 {result['client_ms']['p50']} ms, p99 {result['client_ms']['p99']} ms; "
        f"{result['cpus']} CPUs, load {result['load_before']} -> {result['load_after']}"
    )


if __name__ == "__main__":
    main()
