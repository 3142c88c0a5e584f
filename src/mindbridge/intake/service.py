"""Intake and matching on the platform. Functions flush, never commit, validate before they
write, and audit every read and write.

The person's PHQ-9 and GAD-7 are stored as ordinary questionnaire submissions through
`assessments.service.submit` (their own stream, written through their own grant), so a self-harm
answer opens the same safety flow as anywhere else; the concerns text is screened with
`screen_and_record` before it is stored, and stored encrypted. A person at intake has no care team
yet, so a safety answer also tells the on-call clinician (or the administrators) straight away.

Intake coordinators (administrators) read an intake only once the person has sent it and agreed
that it may be used to match them, or when it carries a safety answer; every read is audited
with the purpose `intake_matching`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.alerts import service as alerts_service
from mindbridge.assessments import service as assessments_service
from mindbridge.assessments.service import AnswersRejected, SafetyOutcome
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.intake import matching
from mindbridge.intake.models import ClinicianProfile, Intake, IntakeMatch
from mindbridge.kit.errors import Conflict, Invalid, NotFound
from mindbridge.notifications import service as notifications_service
from mindbridge.safety.alerts import EscalationTier
from mindbridge.safetyplan import screening

FIELD = "intake.concerns"
PURPOSE = "intake_matching"
INSTRUMENTS = ("PHQ-9", "GAD-7")
MAX_CONCERNS = 4000
MAX_CAPACITY = 200


def field_name(instrument: str, link_id: str) -> str:
    """The form field of one item on the intake's combined questionnaire form."""
    return f"{instrument}/item-{link_id}"


def _person(ctx: AuditContext, person: User) -> None:
    if ctx.actor is None or ctx.actor.user_id != person.id or person.role != Role.CLIENT.value:
        raise NotFound("Not found.")


def current(db: Session, *, person_id: int) -> Intake | None:
    """The person's latest intake, if any."""
    return db.execute(
        select(Intake).where(Intake.person_id == person_id).order_by(Intake.id.desc()).limit(1)
    ).scalar_one_or_none()


def _open(db: Session, ctx: AuditContext, person: User) -> Intake:
    """The draft to write into; a sent intake can no longer be changed."""
    _person(ctx, person)
    intake = current(db, person_id=person.id)
    if intake is not None and intake.status != "draft":
        raise Conflict("Your intake has been sent; contact the service to change it.")
    if intake is None:
        intake = Intake(person_id=person.id, timezone=person.timezone, times=[], concern_areas=[])
        db.add(intake)
        db.flush()
        audit_service.record(
            db,
            ctx,
            action="intake.start",
            resource_type="intake",
            resource_id=intake.id,
            client_id=person.id,
            purpose="self",
        )
    return intake


def _flag(
    db: Session, ctx: AuditContext, intake: Intake, *, why: str, on_call_email: str | None
) -> None:
    """Record a safety answer on the intake and tell someone now: there is no care team yet."""
    first = not intake.safety_flag
    intake.safety_flag = True
    if why not in intake.safety_reasons:
        intake.safety_reasons = [*intake.safety_reasons, why]
    audit_service.record(
        db,
        ctx,
        action="intake.safety_flag",
        resource_type="intake",
        resource_id=intake.id,
        client_id=intake.person_id,
        purpose=PURPOSE,
        detail={"why": why},
    )
    if not first:
        return
    for user in alerts_service.escalation_recipients(
        db, EscalationTier.ON_CALL, on_call_email=on_call_email
    ):
        notifications_service.notify(
            db,
            user_id=user.id,
            kind="intake.safety",
            title=f"Intake #{intake.id} has a safety answer and no care team yet",
            body="Review it and make contact today.",
            link=f"/admin/intake/{intake.id}",
        )
        notifications_service.send_email(
            db,
            to=user.email,
            subject=f"[mindbridge] intake #{intake.id} needs prompt review",
            body="An intake includes a safety answer and the person has no care team yet. "
            "Open mindbridge to review it. (No details are sent by email.)",
        )


# ---- the person's steps -------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuresOutcome:
    missing: dict[str, tuple[str, ...]]  # instrument -> items still to answer (kept as a draft)
    safety: SafetyOutcome | None  # the safety flow, when an answer opened it

    @property
    def complete(self) -> bool:
        return not self.missing


def save_measures(
    db: Session,
    ctx: AuditContext,
    vault: Vault,
    *,
    person: User,
    fields: Mapping[str, str],
    on_call_email: str | None,
    now: datetime | None = None,
) -> MeasuresOutcome:
    """Score and store the intake's PHQ-9 and GAD-7 (both checked before either is stored).

    As on the questionnaire pages, a form missing some answers is kept as a draft and a positive
    self-harm answer opens the safety flow even then.
    """
    _person(ctx, person)
    parsed: dict[str, dict[str, int | None]] = {}
    problems: list[str] = []
    for name in INSTRUMENTS:
        definition = assessments_service.instrument(name)
        prefix = f"{definition.id}/"
        own = {k.removeprefix(prefix): v for k, v in fields.items() if k.startswith(prefix)}
        try:
            answers = assessments_service.parse_form_answers(definition, own)
        except AnswersRejected as exc:
            problems += [p.message for p in exc.problems]
            continue
        if all(v is None for v in answers.values()):
            problems.append(f"{definition.id}: answer the questions")
            continue
        parsed[definition.id] = answers
    if problems:
        raise Invalid("; ".join(problems))
    intake = _open(db, ctx, person)
    now = now or utcnow()
    missing: dict[str, tuple[str, ...]] = {}
    safety: SafetyOutcome | None = None
    grant = access_service.authorize(
        db, ctx, client_id=person.id, resource=Stream.QUESTIONNAIRES, action=Action.WRITE
    )
    for name, answers in parsed.items():
        result = assessments_service.submit(
            db, grant, vault, instrument_id=name, answers=answers, now=now
        )
        if result.safety.open_flow:
            safety = result.safety
            _flag(db, ctx, intake, why=f"{name} self-harm item", on_call_email=on_call_email)
        if result.submission is None:
            missing[name] = result.missing_items
            continue
        row = result.submission
        if name == "PHQ-9":
            intake.phq9_uid, intake.phq9_total, intake.phq9_band = (
                row.uid,
                row.total,
                row.band_label,
            )
        else:
            intake.gad7_uid, intake.gad7_total, intake.gad7_band = (
                row.uid,
                row.total,
                row.band_label,
            )
    intake.updated_at = now
    db.flush()
    return MeasuresOutcome(missing, safety)


def save_concerns(
    db: Session,
    ctx: AuditContext,
    vault: Vault,
    *,
    person: User,
    areas: Sequence[str],
    text: str,
    on_call_email: str | None,
) -> screening.Recorded | None:
    """What brings the person here: areas from the list and, optionally, their own words
    (screened first, then stored encrypted). Returns the screening when there was text."""
    _person(ctx, person)
    unknown = sorted(set(areas) - set(matching.PERSON_CONCERNS))
    text = text.strip()
    problems = []
    if unknown:
        problems.append(f"concern areas: {', '.join(unknown)} not in the list")
    if len(text) > MAX_CONCERNS:
        problems.append(f"concerns: at most {MAX_CONCERNS} characters")
    if not areas and not text:
        problems.append("concerns: choose at least one area or describe what brings you here")
    if problems:
        raise Invalid("; ".join(problems))
    intake = _open(db, ctx, person)
    recorded = None
    if text:
        recorded = screening.screen_and_record(
            db, ctx, vault, client_id=person.id, text=text, source="intake", stream=None
        )
        if recorded.needs_crisis_response:
            _flag(db, ctx, intake, why="concerns text", on_call_email=on_call_email)
    intake.concern_areas = sorted(set(areas))
    intake.concerns_enc = (
        vault.encrypt(db, Vault.owner_for_client(person.id), text, field=FIELD) if text else None
    )
    intake.concerns_done = True
    intake.updated_at = utcnow()
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="intake.concerns.save",
        resource_type="intake",
        resource_id=intake.id,
        client_id=person.id,
        purpose="self",
        detail={"areas": len(intake.concern_areas), "text": bool(text)},
    )
    return recorded


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(name)


def save_preferences(
    db: Session,
    ctx: AuditContext,
    *,
    person: User,
    language: str,
    gender: str,
    modality: str,
    times: Sequence[str],
    timezone: str,
) -> Intake:
    """Language, therapist gender, how to meet, when, and the person's time zone (which also
    becomes their account's time zone, so reminders arrive at sensible hours)."""
    _person(ctx, person)
    problems = []
    if language not in matching.LANGUAGES:
        problems.append("language: choose a language from the list")
    if gender != matching.ANY and gender not in matching.GENDERS:
        problems.append("therapist gender: choose from the list")
    if modality != matching.ANY and modality not in matching.MODALITIES:
        problems.append("how to meet: choose video, phone, in person or any")
    unknown = sorted(set(times) - set(matching.TIMES))
    if unknown or not times:
        problems.append("availability: choose at least one time from the list")
    if not valid_zone(timezone.strip()):
        problems.append(
            f"time zone: {timezone.strip() or 'none given'} is not a time zone like Europe/London"
        )
    if problems:
        raise Invalid("; ".join(problems))
    intake = _open(db, ctx, person)
    intake.language, intake.therapist_gender, intake.modality = language, gender, modality
    intake.times = sorted(set(times))
    intake.timezone = timezone.strip()
    person.timezone = intake.timezone
    intake.preferences_done = True
    intake.updated_at = utcnow()
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="intake.preferences.save",
        resource_type="intake",
        resource_id=intake.id,
        client_id=person.id,
        purpose="self",
    )
    return intake


def missing_steps(intake: Intake | None) -> list[str]:
    if intake is None:
        return ["questionnaires", "concerns", "preferences"]
    steps = []
    if intake.phq9_total is None or intake.gad7_total is None:
        steps.append("questionnaires")
    if not intake.concerns_done:
        steps.append("concerns")
    if not intake.preferences_done:
        steps.append("preferences")
    return steps


def send(
    db: Session, ctx: AuditContext, *, person: User, share: bool, now: datetime | None = None
) -> Intake:
    """Send the finished intake to the service to be matched with a clinician."""
    _person(ctx, person)
    intake = current(db, person_id=person.id)
    if intake is not None and intake.status != "draft":
        raise Conflict("Your intake has already been sent.")
    problems = [f"{step}: not finished yet" for step in missing_steps(intake)]
    if not share:
        problems.append("agreement: tick the box to let the service use your intake to match you")
    if problems or intake is None:
        raise Invalid("; ".join(problems))
    now = now or utcnow()
    intake.status = "submitted"
    intake.share_for_matching = True
    intake.submitted_at = intake.updated_at = now
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="intake.submit",
        resource_type="intake",
        resource_id=intake.id,
        client_id=person.id,
        purpose="self",
        detail={"safety": intake.safety_flag},
    )
    for admin in db.execute(
        select(User).where(User.role == Role.ADMIN.value, User.is_active.is_(True))
    ).scalars():
        notifications_service.notify(
            db,
            user_id=admin.id,
            kind="intake.submitted",
            title=f"Intake #{intake.id} is waiting to be matched",
            link=f"/admin/intake/{intake.id}",
        )
    return intake


# ---- coordinators: the queue, one intake, matches ------------------------------------------


def _admin(ctx: AuditContext) -> int:
    if ctx.actor is None or ctx.actor.role is not Role.ADMIN:
        raise NotFound("Not found.")
    return ctx.actor.user_id


@dataclass(frozen=True)
class QueueRow:
    intake: Intake
    name: str
    email: str


def queue(db: Session, ctx: AuditContext) -> list[QueueRow]:
    """Intakes waiting to be matched (and drafts with a safety answer), safety first, then the
    longest waiting. Listing the names is audited."""
    _admin(ctx)
    rows = db.execute(
        select(Intake, User)
        .join(User, User.id == Intake.person_id)
        .where(
            (Intake.status == "submitted")
            | ((Intake.status == "draft") & Intake.safety_flag.is_(True))
        )
    ).all()
    ordered = sorted(
        rows,
        key=lambda r: (not r[0].safety_flag, r[0].submitted_at or r[0].created_at, r[0].id),
    )
    audit_service.record(
        db,
        ctx,
        action="intake.list",
        resource_type="intake",
        purpose=PURPOSE,
        detail={"intakes": [r[0].id for r in ordered]},
    )
    return [QueueRow(i, u.display_name, u.email) for i, u in ordered]


@dataclass(frozen=True)
class IntakeDetail:
    intake: Intake
    person: User
    concerns: str
    matches: list[matching.Match]
    unprofiled: list[User]  # clinicians with no matching profile yet
    match: IntakeMatch | None


def _visible(db: Session, intake_id: int) -> Intake:
    intake = db.get(Intake, intake_id)
    if intake is None or (intake.status == "draft" and not intake.safety_flag):
        raise NotFound("No such intake.")
    return intake


def needs_of(intake: Intake) -> matching.Needs:
    return matching.Needs(
        concerns=frozenset(intake.concern_areas),
        language=intake.language,
        gender=intake.therapist_gender,
        modality=intake.modality,
        times=frozenset(intake.times),
        timezone=intake.timezone if valid_zone(intake.timezone) else "UTC",
        phq9=intake.phq9_total,
        gad7=intake.gad7_total,
        safety_flag=intake.safety_flag,
    )


def offers(db: Session) -> tuple[list[matching.Offer], list[User]]:
    """Every active clinician with a matching profile, with their current caseload size."""
    clinicians = [c for c in care_service.clinicians(db) if c.is_active]
    profiles = {p.clinician_id: p for p in db.execute(select(ClinicianProfile)).scalars()}
    found, missing = [], []
    for c in clinicians:
        p = profiles.get(c.id)
        if p is None:
            missing.append(c)
            continue
        found.append(
            matching.Offer(
                clinician_id=c.id,
                name=c.display_name,
                specialties=frozenset(p.specialties),
                languages=frozenset(p.languages),
                modalities=frozenset(p.modalities),
                gender=p.gender,
                times=frozenset(p.times),
                timezone=c.timezone if valid_zone(c.timezone) else "UTC",
                capacity=p.capacity,
                caseload=len(care_service.caseload(db, clinician_id=c.id)),
                accepting=p.accepting,
            )
        )
    return found, missing


def detail(
    db: Session, ctx: AuditContext, vault: Vault, *, intake_id: int, now: datetime | None = None
) -> IntakeDetail:
    """One intake for its coordinator: answers, concerns (decrypted) and ranked matches."""
    _admin(ctx)
    intake = _visible(db, intake_id)
    person = db.get(User, intake.person_id)
    assert person is not None
    concerns = (
        vault.decrypt(db, Vault.owner_for_client(person.id), intake.concerns_enc, field=FIELD)
        if intake.concerns_enc
        else ""
    )
    audit_service.record(
        db,
        ctx,
        action="intake.read",
        resource_type="intake",
        resource_id=intake.id,
        client_id=person.id,
        purpose=PURPOSE,
    )
    found, missing = offers(db)
    accepted = (
        db.execute(
            select(IntakeMatch).where(IntakeMatch.intake_id == intake.id).order_by(IntakeMatch.id)
        )
        .scalars()
        .first()
    )
    return IntakeDetail(
        intake,
        person,
        concerns,
        matching.rank(needs_of(intake), found, at=now or utcnow()),
        missing,
        accepted,
    )


def accept(
    db: Session,
    ctx: AuditContext,
    *,
    intake_id: int,
    clinician_id: int,
    now: datetime | None = None,
) -> IntakeMatch:
    """Accept one of the ranked matches: the clinician joins the person's care team."""
    admin_id = _admin(ctx)
    intake = _visible(db, intake_id)
    if intake.status != "submitted":
        raise Conflict("Only a sent intake that is not matched yet can be matched.")
    now = now or utcnow()
    found, _missing = offers(db)
    ranked = {m.clinician_id: m for m in matching.rank(needs_of(intake), found, at=now)}
    chosen = ranked.get(clinician_id)
    if chosen is None:
        raise Invalid("clinician: choose one of the clinicians listed for this intake")
    if not chosen.eligible:
        raise Invalid(
            f"clinician: {chosen.name} cannot take this person ({'; '.join(chosen.blockers)})"
        )
    care_service.assign(db, clinician_id=clinician_id, client_id=intake.person_id, by=admin_id)
    intake.status = "matched"
    intake.matched_at = intake.updated_at = now
    row = IntakeMatch(
        intake_id=intake.id,
        clinician_id=clinician_id,
        score=chosen.score,
        reasons=list(chosen.reasons),
        accepted_by=admin_id,
        accepted_at=now,
    )
    db.add(row)
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="intake.match.accept",
        resource_type="intake",
        resource_id=intake.id,
        client_id=intake.person_id,
        purpose=PURPOSE,
        detail={"clinician": clinician_id, "score": chosen.score},
    )
    notifications_service.notify(
        db,
        user_id=intake.person_id,
        kind="intake.matched",
        title=f"You have been matched with {chosen.name}",
        body="They will be in touch to arrange your first session.",
        link="/appointments",
    )
    notifications_service.notify(
        db,
        user_id=clinician_id,
        kind="intake.matched",
        title="A new client has joined your caseload from intake",
        link=f"/clients/{intake.person_id}",
    )
    return row


def for_care_team(db: Session, grant: ClientGrant, vault: Vault) -> tuple[Intake, str] | None:
    """The matched intake, for the client's care team (their overview)."""
    grant.require(grant.resource)
    intake = db.execute(
        select(Intake)
        .where(Intake.person_id == grant.client_id, Intake.status == "matched")
        .order_by(Intake.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if intake is None:
        return None
    text = (
        vault.decrypt(db, Vault.owner_for_client(grant.client_id), intake.concerns_enc, field=FIELD)
        if intake.concerns_enc
        else ""
    )
    return intake, text


# ---- clinicians' matching profiles ------------------------------------------------------------


def profiles(db: Session) -> list[tuple[User, ClinicianProfile | None, int]]:
    """Each clinician with their profile (if any) and current caseload size."""
    rows = {p.clinician_id: p for p in db.execute(select(ClinicianProfile)).scalars()}
    return [
        (c, rows.get(c.id), len(care_service.caseload(db, clinician_id=c.id)))
        for c in care_service.clinicians(db)
    ]


def save_profile(
    db: Session,
    ctx: AuditContext,
    *,
    clinician_id: int,
    specialties: Sequence[str],
    languages: Sequence[str],
    modalities: Sequence[str],
    gender: str,
    times: Sequence[str],
    capacity: str,
    accepting: bool,
) -> ClinicianProfile:
    admin_id = _admin(ctx)
    clinician = db.get(User, clinician_id)
    if clinician is None or clinician.role != Role.CLINICIAN.value:
        raise NotFound("No such clinician.")
    problems = []
    checks = (
        ("specialties", specialties, matching.CONCERN_AREAS),
        ("languages", languages, matching.LANGUAGES),
        ("ways of meeting", modalities, matching.MODALITIES),
        ("availability", times, matching.TIMES),
    )
    for label, values, allowed in checks:
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            problems.append(f"{label}: {', '.join(unknown)} not in the list")
    if not languages:
        problems.append("languages: choose at least one")
    if not modalities:
        problems.append("ways of meeting: choose at least one")
    if gender and gender not in matching.GENDERS:
        problems.append("gender: choose from the list or leave it unstated")
    try:
        places = int(capacity.strip())
    except ValueError:
        places = -1
    if not 0 <= places <= MAX_CAPACITY:
        problems.append(f"capacity: a whole number from 0 to {MAX_CAPACITY}")
    if problems:
        raise Invalid("; ".join(problems))
    profile = db.get(ClinicianProfile, clinician_id)
    if profile is None:
        profile = ClinicianProfile(clinician_id=clinician_id)
        db.add(profile)
    profile.specialties = sorted(set(specialties))
    profile.languages = sorted(set(languages))
    profile.modalities = sorted(set(modalities))
    profile.gender = gender
    profile.times = sorted(set(times))
    profile.capacity = places
    profile.accepting = accepting
    profile.updated_at = utcnow()
    profile.updated_by = admin_id
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="intake.profile.save",
        resource_type="clinician_profile",
        resource_id=clinician_id,
        purpose="administration",
        detail={"capacity": places, "accepting": accepting},
    )
    return profile
