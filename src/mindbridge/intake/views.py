"""Intake pages for the person (steps, then send), self-registration when the service allows it,
and the coordinators' pages: the queue, one intake with its ranked matches, matching profiles."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from mindbridge.access.domain import Role
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.domain import PasswordPolicyError
from mindbridge.accounts.models import User
from mindbridge.assessments import service as assessments_service
from mindbridge.assessments.definitions import InstrumentDefinition
from mindbridge.assessments.packs import InstrumentPack, PresentedItem, load_pack_dir, present
from mindbridge.assessments.service import SafetyOutcome
from mindbridge.audit.service import AuditContext
from mindbridge.intake import matching
from mindbridge.intake import service as intake_service
from mindbridge.intake.settings import intake_settings
from mindbridge.kit.errors import MindbridgeError, NotFound
from mindbridge.runtime import Runtime
from mindbridge.web.policy import ADMIN, CLIENT, PUBLIC, access
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import (
    SESSION_COOKIE,
    AppRuntime,
    Audit,
    DbSession,
    MaybeUser,
    client_ip,
    require_role,
)

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
STEPS = {
    "questionnaires": "Two short questionnaires",
    "concerns": "What brings you here",
    "preferences": "What would suit you",
}


@lru_cache(maxsize=4)
def _load_packs(folder: str) -> dict[str, InstrumentPack]:
    return load_pack_dir(Path(folder))


def _forms(rt: Runtime) -> list[tuple[InstrumentDefinition, tuple[PresentedItem, ...]]]:
    """PHQ-9 and GAD-7 as the questionnaire pages show them (official wording if supplied)."""
    folder = rt.settings.instrument_packs_dir
    packs = _load_packs(str(folder)) if folder else {}
    found = []
    for name in intake_service.INSTRUMENTS:
        definition = assessments_service.instrument(name)
        found.append((definition, present(definition, packs.get(definition.id))))
    return found


def _many(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def _page(
    request: Request,
    rt: Runtime,
    db: DbSession,
    user: User,
    *,
    error: str = "",
    status: int = 200,
    safety: SafetyOutcome | None = None,
    crisis: bool = False,
    answers: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    intake = intake_service.current(db, person_id=user.id)
    return render(
        request,
        "intake/start.html",
        {
            "intake": intake,
            "missing": intake_service.missing_steps(intake),
            "steps": STEPS,
            "forms": _forms(rt),
            "field_name": intake_service.field_name,
            "answers": answers or {},
            "labels": matching,
            "concerns": matching.PERSON_CONCERNS,
            "error": error,
            "notice": notice,
            "safety": safety if safety and safety.open_flow else None,
            "crisis": crisis,
            "title": "Getting started",
        },
        status=status,
    )


@router.get("/intake", response_class=HTMLResponse, **access(CLIENT))
def intake_page(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, saved: str = ""
) -> Response:
    notice = {
        "questionnaires": "Your questionnaire answers are saved.",
        "concerns": "Saved. Thank you for telling us.",
        "preferences": "Your preferences are saved.",
        "sent": "Your intake has been sent. We will let you know when you are matched.",
    }.get(saved, "")
    return _page(request, rt, db, user, notice=notice)


@router.get("/intake/{step}", response_class=HTMLResponse, **access(CLIENT))
def intake_step(user: ClientUser, step: str) -> Response:
    """Each step lives on the one intake page; its own address leads there."""
    if step not in (*STEPS, "send"):
        raise NotFound("No such page.")
    return redirect(f"/intake#{step}")


@router.post("/intake/questionnaires", response_class=HTMLResponse, **access(CLIENT))
async def intake_questionnaires(
    request: Request, db: DbSession, rt: AppRuntime, audit: Audit, user: ClientUser
) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        outcome = intake_service.save_measures(
            db, audit, rt.vault, person=user, fields=fields, on_call_email=rt.settings.on_call_email
        )
    except MindbridgeError as exc:
        return _page(
            request, rt, db, user, error=exc.message, status=exc.status_code, answers=fields
        )
    if outcome.safety is not None or not outcome.complete:
        missing = "; ".join(
            f"{name} question{'s' if len(items) > 1 else ''} {', '.join(items)}"
            for name, items in outcome.missing.items()
        )
        return _page(
            request,
            rt,
            db,
            user,
            error=f"Still to answer: {missing}. What you answered is saved." if missing else "",
            status=422 if missing else 200,
            safety=outcome.safety,
            answers=fields,
            notice="" if missing else "Your questionnaire answers are saved.",
        )
    return redirect("/intake?saved=questionnaires#concerns")


@router.post("/intake/concerns", response_class=HTMLResponse, **access(CLIENT))
async def intake_concerns(
    request: Request, db: DbSession, rt: AppRuntime, audit: Audit, user: ClientUser
) -> Response:
    form = await request.form()
    text = form.get("concerns")
    try:
        recorded = intake_service.save_concerns(
            db,
            audit,
            rt.vault,
            person=user,
            areas=_many(form, "areas"),
            text=text if isinstance(text, str) else "",
            on_call_email=rt.settings.on_call_email,
        )
    except MindbridgeError as exc:
        return _page(request, rt, db, user, error=exc.message, status=exc.status_code)
    if recorded is not None and recorded.needs_crisis_response:
        return _page(request, rt, db, user, crisis=True, notice="Saved. Thank you for telling us.")
    return redirect("/intake?saved=concerns#preferences")


@router.post("/intake/preferences", response_class=HTMLResponse, **access(CLIENT))
async def intake_preferences(
    request: Request, db: DbSession, rt: AppRuntime, audit: Audit, user: ClientUser
) -> Response:
    form = await request.form()

    def one(name: str, default: str = "") -> str:
        value = form.get(name)
        return value if isinstance(value, str) else default

    try:
        intake_service.save_preferences(
            db,
            audit,
            person=user,
            language=one("language"),
            gender=one("gender", matching.ANY),
            modality=one("modality", matching.ANY),
            times=_many(form, "times"),
            timezone=one("timezone"),
        )
    except MindbridgeError as exc:
        return _page(request, rt, db, user, error=exc.message, status=exc.status_code)
    return redirect("/intake?saved=preferences#send")


@router.post("/intake/send", response_class=HTMLResponse, **access(CLIENT))
def intake_send(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: ClientUser,
    share: Annotated[str, Form()] = "",
) -> Response:
    try:
        intake_service.send(db, audit, person=user, share=share == "yes")
    except MindbridgeError as exc:
        return _page(request, rt, db, user, error=exc.message, status=exc.status_code)
    return redirect("/intake?saved=sent")


# ---- self-registration ----------------------------------------------------------------------


@router.get("/register", response_class=HTMLResponse, **access(PUBLIC))
def register_page(request: Request, user: MaybeUser) -> Response:
    if not intake_settings().self_registration:
        raise NotFound("Not found.")
    if user is not None:
        return redirect("/intake" if user.role == Role.CLIENT.value else "/")
    return render(request, "intake/register.html", {"title": "Create your account"})


@router.post("/register", response_class=HTMLResponse, **access(PUBLIC))
def register(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    email: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "UTC",
) -> Response:
    """Create a client account and go straight to the intake (only if the service allows it)."""
    if not intake_settings().self_registration:
        raise NotFound("Not found.")
    values = {"email": email, "display_name": display_name, "timezone": timezone}
    problems = []
    if not display_name.strip():
        problems.append("name: tell us what to call you")
    if not intake_service.valid_zone(timezone.strip()):
        problems.append("time zone: choose one like Europe/London")
    user = None
    if not problems:
        try:
            user = accounts_service.create_user(
                db,
                AuditContext(None, audit.request_id),
                email=email,
                role=Role.CLIENT,
                display_name=display_name,
                password=password,
                timezone=timezone.strip(),
            )
        except PasswordPolicyError as exc:
            problems.append(f"password: {exc}")
        except MindbridgeError as exc:
            problems.append(
                "email: we could not create an account with that address. If you already "
                "have one, log in or reset your password."
                if exc.status_code == 409
                else f"email: {exc.message}"
            )
    if problems or user is None:
        return render(
            request,
            "intake/register.html",
            {"error": "; ".join(problems), "values": values, "title": "Create your account"},
            status=422,
        )
    token = accounts_service.start_session(
        db,
        user,
        mfa_verified=True,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    response = redirect("/intake")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=rt.settings.cookie_secure,
        max_age=rt.settings.session_max_hours * 3600,
    )
    return response


# ---- coordinators ---------------------------------------------------------------------------


@router.get("/admin/intake", response_class=HTMLResponse, **access(ADMIN))
def queue(request: Request, db: DbSession, audit: Audit, user: AdminUser) -> Response:
    return render(
        request,
        "intake/queue.html",
        {"rows": intake_service.queue(db, audit), "title": "Intake and matching"},
    )


def _detail_page(
    request: Request,
    db: DbSession,
    rt: Runtime,
    audit: AuditContext,
    intake_id: int,
    *,
    error: str = "",
    status: int = 200,
    accepted: bool = False,
) -> Response:
    info = intake_service.detail(db, audit, rt.vault, intake_id=intake_id)
    intake = info.intake
    return render(
        request,
        "intake/detail.html",
        {
            "d": info,
            "concern_words": matching.words(intake.concern_areas, matching.CONCERN_AREAS),
            "preferences": matching.preferences_text(
                language=intake.language,
                gender=intake.therapist_gender,
                modality=intake.modality,
                times=intake.times,
                timezone=intake.timezone,
            ),
            "error": error,
            "accepted": accepted,
            "title": f"Intake #{intake.id}",
        },
        status=status,
    )


@router.get("/admin/intake/{intake_id}", response_class=HTMLResponse, **access(ADMIN))
def intake_detail(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: AdminUser,
    intake_id: int,
    accepted: int = 0,
) -> Response:
    return _detail_page(request, db, rt, audit, intake_id, accepted=bool(accepted))


@router.post("/admin/intake/{intake_id}/accept", response_class=HTMLResponse, **access(ADMIN))
def accept(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: AdminUser,
    intake_id: int,
    clinician_id: Annotated[int, Form()] = 0,
) -> Response:
    try:
        intake_service.accept(db, audit, intake_id=intake_id, clinician_id=clinician_id)
    except NotFound:
        raise
    except MindbridgeError as exc:
        return _detail_page(
            request, db, rt, audit, intake_id, error=exc.message, status=exc.status_code
        )
    return redirect(f"/admin/intake/{intake_id}?accepted=1")


def _profiles_page(
    request: Request, db: DbSession, *, error: str = "", saved: int = 0, status: int = 200
) -> Response:
    return render(
        request,
        "intake/profiles.html",
        {
            "rows": intake_service.profiles(db),
            "labels": matching,
            "error": error,
            "saved": saved,
            "title": "Matching profiles",
        },
        status=status,
    )


@router.get("/admin/matching", response_class=HTMLResponse, **access(ADMIN))
def profiles(request: Request, db: DbSession, user: AdminUser, saved: int = 0) -> Response:
    return _profiles_page(request, db, saved=saved)


@router.post("/admin/matching/{clinician_id}", response_class=HTMLResponse, **access(ADMIN))
async def save_profile(
    request: Request, db: DbSession, audit: Audit, user: AdminUser, clinician_id: int
) -> Response:
    form = await request.form()
    gender = form.get("gender")
    capacity = form.get("capacity")
    try:
        intake_service.save_profile(
            db,
            audit,
            clinician_id=clinician_id,
            specialties=_many(form, "specialties"),
            languages=_many(form, "languages"),
            modalities=_many(form, "modalities"),
            gender=gender if isinstance(gender, str) else "",
            times=_many(form, "times"),
            capacity=capacity if isinstance(capacity, str) else "",
            accepting=form.get("accepting") == "yes",
        )
    except NotFound:
        raise
    except MindbridgeError as exc:
        return _profiles_page(request, db, error=exc.message, status=exc.status_code)
    return redirect(f"/admin/matching?saved={clinician_id}#clinician-{clinician_id}")
