"""A synthetic demo clinic: 3 clinicians, about 40 clients, 90 days of plausible history.

Capabilities add their own history by registering a seeder; `seed_demo` runs them all in order,
so the demo shows every feature that exists. Everything is generated from a fixed seed.
"""

from __future__ import annotations

import importlib
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Purpose, Role, Stream
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.domain import check_password_policy, hash_password
from mindbridge.accounts.models import User
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.consent import service as consent_service
from mindbridge.consent.domain import everyday_sharing
from mindbridge.consent.models import ConsentRecord
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.notes.models import SessionNote
from mindbridge.notes.service import FIELD as NOTE_FIELD

DEMO_ADMIN = "admin@example.org"
DEMO_CLINICIAN = "clinician@example.org"
DEMO_CLIENT = "client@example.org"
DAYS = 90

FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Riley",
    "Casey",
    "Morgan",
    "Taylor",
    "Jamie",
    "Robin",
    "Avery",
    "Quinn",
    "Rowan",
    "Sasha",
    "Noor",
    "Priya",
    "Mateo",
    "Lena",
    "Tomás",
    "Aisha",
    "Kenji",
    "Ines",
    "Olu",
    "Mira",
    "Felix",
    "Hana",
    "Yusuf",
    "Zoe",
    "Liam",
    "Ana",
    "Ravi",
    "Elif",
    "Marta",
    "Dev",
    "Chloe",
    "Omar",
    "Ivy",
    "Nils",
    "Sofia",
    "Kai",
    "Leah",
]
LAST = [
    "Rivera",
    "Chen",
    "Okafor",
    "Novak",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Kowalski",
    "Tanaka",
    "Silva",
    "Brennan",
    "Nguyen",
    "Osei",
    "Fischer",
    "Patel",
    "Costa",
]
TIMEZONES = [
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "America/Chicago",
    "Europe/Berlin",
    "America/Los_Angeles",
]
NOTE_LINES = [
    "Reviewed the week. Sleep has been irregular; agreed to keep a fixed wake time.",
    "Worked on noticing all-or-nothing thinking at work. Client found the thought record useful.",
    "Planned three small activities for the coming week, one social.",
    "Talked through a difficult conversation with a family member. Practised a calm opening line.",
    "Mood somewhat better this fortnight. Keep the walking routine; revisit the worry diary.",
    "Client reports less avoidance on the bus. Next step on the exposure ladder agreed.",
    "Discussed the safety plan; client updated the people they would contact.",
]


@dataclass
class DemoContext:
    db: Session
    vault: Vault
    rng: random.Random
    now: datetime
    admin: User
    clinicians: list[User]
    clients: list[User]
    password: str
    extra: dict[str, object] = field(default_factory=dict)


Seeder = Callable[[DemoContext], None]
_SEEDERS: list[tuple[str, Seeder]] = []
# Capabilities that add demo history; importing each registers its seeders, run in this order.
SEEDER_MODULES: tuple[str, ...] = (
    "mindbridge.assessments.demo",
    "mindbridge.scheduling.demo",
    "mindbridge.safetyplan.demo",
    "mindbridge.checkins.demo",
    "mindbridge.signals.demo",
    "mindbridge.recommender.demo",
    "mindbridge.companion.demo",
    "mindbridge.intake.demo",
)


def seeder(name: str) -> Callable[[Seeder], Seeder]:
    def register(fn: Seeder) -> Seeder:
        _SEEDERS.append((name, fn))
        return fn

    return register


def registered_seeders() -> list[tuple[str, Seeder]]:
    """Every capability's seeder, in registration order (imports the seeder modules first, so
    the list is complete however early it is asked for)."""
    for module in SEEDER_MODULES:
        importlib.import_module(module)
    return list(_SEEDERS)


def is_empty(db: Session) -> bool:
    return db.execute(select(func.count()).select_from(User)).scalar_one() == 0


def seed_demo(
    db: Session, vault: Vault, *, password: str | None = None, seed: int = 7
) -> DemoContext:
    rng = random.Random(seed)
    password = password or secrets.token_urlsafe(12)  # 16 characters
    ctx = AuditContext(actor=None, request_id="demo-seed")
    now = utcnow()

    check_password_policy(password)
    shared_hash = hash_password(password)  # one Argon2 run for all demo accounts keeps seeding fast

    def make(email: str, role: Role, name: str, tz: str = "Europe/London") -> User:
        user = accounts_service.create_user(
            db, ctx, email=email, role=role, display_name=name, timezone=tz
        )
        user.password_hash = shared_hash
        user.created_at = now - timedelta(days=DAYS + 5)
        return user

    admin = make(DEMO_ADMIN, Role.ADMIN, "Ada Admin")
    clinicians = [
        make(DEMO_CLINICIAN, Role.CLINICIAN, "Dr Clara Jensen"),
        make("clinician2@example.org", Role.CLINICIAN, "Marcus Bell, CBT therapist"),
        make("clinician3@example.org", Role.CLINICIAN, "Dr Amara Osei", "America/New_York"),
    ]
    clients: list[User] = []
    names = rng.sample([f"{first} {last}" for first in FIRST for last in LAST], 40)
    names[0] = "Charlie Client"
    for i, name in enumerate(names):
        email = DEMO_CLIENT if i == 0 else f"client{i + 1}@example.org"
        client = make(
            email, Role.CLIENT, name, "Europe/London" if i == 0 else rng.choice(TIMEZONES)
        )
        clients.append(client)
        clinician = clinicians[0] if i < 15 else clinicians[1 + (i % 2)]
        rel = care_service.assign(db, clinician_id=clinician.id, client_id=client.id, by=admin.id)
        rel.started_at = now - timedelta(days=DAYS - rng.randint(0, 10))
    db.flush()
    demo = DemoContext(db, vault, rng, now, admin, clinicians, clients, password)
    _seed_consent(demo)
    _seed_notes(demo)
    for module in SEEDER_MODULES:
        importlib.import_module(module)
    for _name, fn in _SEEDERS:
        fn(demo)
    db.flush()
    return demo


def _seed_consent(demo: DemoContext) -> None:
    """Most clients share everything with their care team; some keep the journal private, a few
    revoked a stream part-way through (so the demo shows 'not shared' and the consent history)."""
    for i, client in enumerate(demo.clients):
        actor = AuditContext(accounts_service.actor_of(client), "demo-seed")
        wanted = everyday_sharing()
        if i % 5 == 3:
            wanted[(Stream.JOURNAL, Purpose.CARE_TEAM)] = False
        consent_service.set_consent(demo.db, actor, client_id=client.id, wanted=wanted)
        if i % 7 == 6:
            consent_service.set_consent(
                demo.db,
                actor,
                client_id=client.id,
                wanted={(Stream.SIGNALS, Purpose.CARE_TEAM): False},
            )
    start = demo.now - timedelta(days=DAYS)
    for record in demo.db.execute(select(ConsentRecord)).scalars():
        record.recorded_at = start + timedelta(days=(record.version - 1) * 40, minutes=record.id)


def _seed_notes(demo: DemoContext) -> None:
    for client in demo.clients:
        team = care_service.care_team(demo.db, client_id=client.id)
        owner = Vault.owner_for_client(client.id)
        for day in range(DAYS - 4, 0, -14):
            body = demo.rng.choice(NOTE_LINES)
            demo.db.add(
                SessionNote(
                    client_id=client.id,
                    author_id=team[0].id,
                    created_at=demo.now - timedelta(days=day, hours=demo.rng.randint(0, 8)),
                    body_enc=demo.vault.encrypt(demo.db, owner, body, field=NOTE_FIELD),
                )
            )
