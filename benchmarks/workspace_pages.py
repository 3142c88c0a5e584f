"""How fast the clinician's two main pages are: the triage list for a caseload of 100, and the
client overview for a client with a year of data. Target: p95 under 300 ms each.

Run: .venv/bin/python benchmarks/workspace_pages.py [--repeat 40]
Builds a fresh SQLite database in a temporary folder (synthetic, seeded data), logs in as the
clinician through the real app (in-process HTTP, no network) and times each GET end to end,
including the audit rows each view writes. Prints the figures and the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Actor, Purpose, Record, Role, Stream
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.domain import hash_password
from mindbridge.alerts import service as alerts_service
from mindbridge.assessments import service as assessments_service
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.checkins.models import Checkin
from mindbridge.config import Settings
from mindbridge.consent import service as consent_service
from mindbridge.crypto.service import Vault
from mindbridge.db import transaction, utcnow
from mindbridge.journal.models import JournalEntry
from mindbridge.journal.service import BODY_FIELD, TITLE_FIELD
from mindbridge.migrations import upgrade
from mindbridge.notes import service as notes_service
from mindbridge.runtime import Runtime, build_runtime, install
from mindbridge.scheduling.models import Appointment
from mindbridge.web.app import create_app

PASSWORD = "benchmark password 1"
CLINICIAN = "bench.clinician@example.org"
CASELOAD = 100


def _answers(rng: random.Random, items: int, total: int) -> dict[str, int]:
    answers = dict.fromkeys((str(i) for i in range(1, items + 1)), 0)
    keys = [k for k in answers if not (items == 9 and k == "9")]
    for _ in range(total):
        free = [k for k in keys if answers[k] < 3]
        answers[rng.choice(free)] += 1
    return answers


def seed(rt: Runtime, rng: random.Random) -> tuple[int, int]:
    """A clinician with 100 clients; client 0 has a year of history (weekly questionnaires, two
    check-ins a day, a journal entry every three days). Returns the ids."""
    now = utcnow()
    system = AuditContext(None, "bench")
    with transaction(rt.sessions) as db:
        clinician = accounts_service.create_user(
            db, system, email=CLINICIAN, role=Role.CLINICIAN, display_name="Bench Clinician"
        )
        clinician.password_hash = hash_password(PASSWORD)
        clinician_ctx = AuditContext(accounts_service.actor_of(clinician), "bench")
        ids = []
        for i in range(CASELOAD):
            client = accounts_service.create_user(
                db,
                system,
                email=f"c{i}@example.org",
                role=Role.CLIENT,
                display_name=f"Client {i:03d}",
            )
            care_service.assign(db, clinician_id=clinician.id, client_id=client.id, by=None)
            consent_service.set_consent(
                db,
                system,
                client_id=client.id,
                wanted={(s, p): p is not Purpose.RESEARCH for s in Stream for p in Purpose},
            )
            ids.append(client.id)
        db.flush()
        for i, client_id in enumerate(ids):
            own = AuditContext(Actor(client_id, Role.CLIENT), "bench")
            grant = access_service.authorize(
                db, own, client_id=client_id, resource=Stream.QUESTIONNAIRES, action=Action.WRITE
            )
            weeks = 52 if i == 0 else 6
            start = rng.randint(4, 16)
            for w in range(weeks):
                at = now - timedelta(weeks=weeks - w, hours=rng.randint(0, 12))
                phq = max(0, min(24, start + rng.randint(-2, 2) + (w // 8 if i % 4 == 0 else 0)))
                for name, items, total in (("PHQ-9", 9, phq), ("GAD-7", 7, max(0, phq - 3))):
                    assessments_service.submit(
                        db,
                        grant,
                        rt.vault,
                        instrument_id=name,
                        answers=_answers(rng, items, total),
                        authored_at=at,
                        now=at,
                    )
            care = access_service.authorize(
                db,
                clinician_ctx,
                client_id=client_id,
                resource=Record.CARE_RECORD,
                action=Action.WRITE,
            )
            assessments_service.assign(
                db,
                care,
                instrument_id="PHQ-9",
                every=2,
                unit="weeks",
                starts_at=now - timedelta(weeks=weeks),
                now=now,
            )
            alerts = 12 if i == 0 else (1 if i % 5 == 0 else 0)
            for k in range(alerts):
                alert = alerts_service.raise_alert(
                    db,
                    own,
                    rt.vault,
                    client_id=client_id,
                    level=rng.choice(alerts_service.LEVELS),
                    source="bench",
                    summary="benchmark alert",
                    stream=None,
                    targets=alerts_service.targets_from(None),
                    imminent_overrides_consent=True,
                )
                assert alert is not None
                alert.created_at = now - timedelta(days=30 * k + 1)
                alert.due_at = alert.created_at + timedelta(hours=24)
                if k:
                    alert.status = "resolved"
            notes_grant = access_service.authorize(
                db,
                clinician_ctx,
                client_id=client_id,
                resource=Record.CLINICIAN_NOTES,
                action=Action.WRITE,
            )
            for _ in range(26 if i == 0 else 2):
                notes_service.add_note(
                    db, notes_grant, rt.vault, body="Reviewed the week; agreed one small step."
                )
            for w in range(26 if i == 0 else 1):
                starts = now + timedelta(days=14 * (w - 20) + 1, hours=i % 8)
                db.add(
                    Appointment(
                        client_id=client_id,
                        clinician_id=clinician.id,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=50),
                        status="booked",
                        slot_key=f"{clinician.id}:{starts.isoformat()}:{i}",
                    )
                )
            # Check-ins: twice a day for a year for client 0, a month for the rest.
            for back in range(365 if i == 0 else 30):
                for hour in (9, 21):
                    at = now - timedelta(days=back, hours=hour % 5)
                    db.add(
                        Checkin(
                            client_id=client_id,
                            recorded_at=at,
                            timezone="UTC",
                            local_date=at.date(),
                            local_weekday=at.weekday(),
                            local_hour=hour,
                            mood=rng.randint(2, 8),
                            anxiety=rng.randint(1, 8),
                            sleep_hours=rng.choice([5.0, 6.5, 7.0, 8.0]) if hour == 9 else None,
                            emotions=[],
                            tags=rng.sample(["work", "exercise", "alcohol", "family"], 1),
                            risk_level="none",
                            source="bench",
                        )
                    )
            if i == 0:
                owner = Vault.owner_for_client(client_id)
                for k in range(100):
                    at = now - timedelta(days=3 * k + 1)
                    db.add(
                        JournalEntry(
                            client_id=client_id,
                            title_enc=rt.vault.encrypt(db, owner, "", field=TITLE_FIELD),
                            body_enc=rt.vault.encrypt(
                                db, owner, "A long day at work again.", field=BODY_FIELD
                            ),
                            risk_level="none",
                            created_at=at,
                            updated_at=at,
                        )
                    )
        return clinician.id, ids[0]


def timed(client: TestClient, path: str, repeat: int) -> list[float]:
    client.get(path)  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def report(name: str, times: list[float]) -> float:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{name}: n={len(times)} median {statistics.median(times):.0f} ms, "
        f"p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms"
    )
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mindbridge-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    settings = Settings(
        data_dir=folder,
        database_url=url,
        kek="k1:" + "22" * 32,
        secret_key="bench-" + "cd" * 16,
        require_mfa=False,
    )  # type: ignore[call-arg]
    rt = build_runtime(settings)
    install(rt)
    started = time.perf_counter()
    _clinician, year_client = seed(rt, random.Random(20261202))
    print(f"seeded {CASELOAD} clients in {time.perf_counter() - started:.1f} s")
    app = create_app(rt, kick=lambda: None)
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
        assert token
        client.post(
            "/login", data={"email": CLINICIAN, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        triage = report(
            f"triage list, caseload of {CASELOAD}", timed(client, "/caseload", args.repeat)
        )
        overview = report(
            "client overview, a year of data (104 questionnaires, 730 check-ins, "
            "100 journal entries, 26 notes, 12 alerts, 26 sessions)",
            timed(client, f"/clients/{year_client}", args.repeat),
        )
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    target = 300
    ok = triage < target and overview < target
    print(f"target p95 < {target} ms: {'met' if ok else 'NOT met'}")
    install(None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
