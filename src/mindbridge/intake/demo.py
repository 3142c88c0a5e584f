"""Demo intake: matching profiles for the three demo clinicians, and one new person whose intake
is sent and waiting to be matched (log in as the admin and open Intake and matching)."""

from __future__ import annotations

from datetime import timedelta

from mindbridge.access.domain import Role
from mindbridge.accounts import service as accounts_service
from mindbridge.audit.service import AuditContext
from mindbridge.consent import service as consent_service
from mindbridge.consent.domain import everyday_sharing
from mindbridge.demo.seed import DemoContext, seeder
from mindbridge.intake import service as intake_service

DEMO_INTAKE = "newcomer@example.org"
PROFILES = (
    {
        "specialties": ["low_mood", "anxiety", "sleep", "risk", "grief"],
        "languages": ["en", "da"],
        "modalities": ["video", "in_person"],
        "gender": "woman",
        "times": ["weekday_morning", "weekday_afternoon"],
        "capacity": "20",
    },
    {
        "specialties": ["anxiety", "panic", "social_anxiety", "ocd", "work_stress"],
        "languages": ["en", "es"],
        "modalities": ["video", "phone"],
        "gender": "man",
        "times": ["weekday_afternoon", "weekday_evening"],
        "capacity": "18",
    },
    {
        "specialties": ["trauma", "low_mood", "relationships", "self_esteem", "risk"],
        "languages": ["en", "fr"],
        "modalities": ["video"],
        "gender": "woman",
        "times": ["weekday_evening", "weekend"],
        "capacity": "16",
    },
)
PHQ9 = {"1": 2, "2": 2, "3": 3, "4": 2, "5": 1, "6": 2, "7": 1, "8": 0, "9": 0}  # 13
GAD7 = {"1": 2, "2": 2, "3": 2, "4": 1, "5": 1, "6": 2, "7": 1}  # 11


@seeder("intake")
def seed_intake(demo: DemoContext) -> None:
    admin_ctx = AuditContext(accounts_service.actor_of(demo.admin), "demo-seed")
    for clinician, profile in zip(demo.clinicians, PROFILES, strict=False):
        intake_service.save_profile(
            demo.db,
            admin_ctx,
            clinician_id=clinician.id,
            specialties=profile["specialties"],
            languages=profile["languages"],
            modalities=profile["modalities"],
            gender=str(profile["gender"]),
            times=profile["times"],
            capacity=str(profile["capacity"]),
            accepting=True,
        )
    person = accounts_service.create_user(
        demo.db,
        AuditContext(None, "demo-seed"),
        email=DEMO_INTAKE,
        role=Role.CLIENT,
        display_name="Robin Newcomer",
        timezone="America/New_York",
    )
    person.password_hash = demo.clients[0].password_hash
    ctx = AuditContext(accounts_service.actor_of(person), "demo-seed")
    consent_service.set_consent(
        demo.db,
        ctx,
        client_id=person.id,
        wanted=everyday_sharing(),
    )
    when = demo.now - timedelta(days=1, hours=3)
    fields = {intake_service.field_name("PHQ-9", k): str(v) for k, v in PHQ9.items()}
    fields |= {intake_service.field_name("GAD-7", k): str(v) for k, v in GAD7.items()}
    intake_service.save_measures(
        demo.db, ctx, demo.vault, person=person, fields=fields, on_call_email=None, now=when
    )
    intake_service.save_concerns(
        demo.db,
        ctx,
        demo.vault,
        person=person,
        areas=["anxiety", "work_stress", "sleep"],
        text="Since starting a new job I lie awake going over everything I said in meetings.",
        on_call_email=None,
    )
    intake_service.save_preferences(
        demo.db,
        ctx,
        person=person,
        language="en",
        gender="any",
        modality="video",
        times=["weekday_evening", "weekday_afternoon"],
        timezone="America/New_York",
    )
    intake_service.send(demo.db, ctx, person=person, share=True, now=when + timedelta(minutes=20))
