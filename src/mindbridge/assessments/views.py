"""Questionnaire pages: the client's due list, forms, results and history; the clinician's
measures page per client and the caseload outcomes table. The REST API is in `api.py` and is
included in this router.

Every form is a plain POST with its CSRF token and works without JavaScript. Unknown things on
the client's own pages send them back to a list with a notice rather than a 404 page.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Record, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.assessments import api
from mindbridge.assessments import service as assessments_service
from mindbridge.assessments.definitions import InstrumentDefinition
from mindbridge.assessments.packs import InstrumentPack, load_pack_dir, present
from mindbridge.assessments.service import AnswersRejected, Problem, SafetyOutcome
from mindbridge.kit.errors import MindbridgeError, NotFound
from mindbridge.web.policy import ADMIN, CLIENT, CLINICIAN, access, client_data
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import (
    AppRuntime,
    Audit,
    CurrentUser,
    DbSession,
    client_access,
    require_role,
)

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]
ClinicianUser = Annotated[User, Depends(require_role(Role.CLINICIAN))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def _own(db: DbSession, audit: Audit, user: User, action: Action = Action.READ) -> ClientGrant:
    """The client's grant on their own questionnaires (authorised and audited like any other)."""
    return access_service.authorize(
        db, audit, client_id=user.id, resource=Stream.QUESTIONNAIRES, action=action
    )


def _local(value: datetime | None, zone: str) -> str:
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(zone))
    return f"{local.day} {local.strftime('%b %Y, %H:%M')}"


# ---- the client's pages ---------------------------------------------------------------------


@router.get("/questionnaires", response_class=HTMLResponse, **access(CLIENT))
def questionnaires(
    request: Request, db: DbSession, audit: Audit, user: ClientUser, missing: int = 0
) -> Response:
    grant = _own(db, audit, user)
    items = assessments_service.schedule(db, grant)
    drafts = assessments_service.drafts_for(db, grant)
    scheduled = {i.definition.id for i in items}
    zone = _zone(user.timezone)
    return render(
        request,
        "assessments/list.html",
        {
            "items": items,
            "drafts": [d for d in drafts if d.instrument_id not in scheduled],
            "others": [d for d in assessments_service.instruments() if d.id not in scheduled],
            "local": lambda v: _local(v, zone),
            "missing": missing,
            "title": "Questionnaires",
        },
    )


@router.get("/questionnaires/history", response_class=HTMLResponse, **access(CLIENT))
def history(request: Request, db: DbSession, audit: Audit, user: ClientUser) -> Response:
    grant = _own(db, audit, user)
    return render(
        request,
        "assessments/history.html",
        {
            "trajectories": assessments_service.trajectories(
                db, grant, timezone=_zone(user.timezone)
            ),
            "show_safety": False,
            "title": "My questionnaire history",
        },
    )


@router.get("/questionnaires/results/{uid}", response_class=HTMLResponse, **access(CLIENT))
def result(request: Request, db: DbSession, audit: Audit, user: ClientUser, uid: str) -> Response:
    grant = _own(db, audit, user)
    row = assessments_service.get_submission(db, grant, uid=uid)
    if row is None:
        return redirect("/questionnaires/history")
    definition = assessments_service.instrument(row.instrument_id)
    earlier = assessments_service.previous_scored(
        assessments_service.list_submissions(db, grant, instrument_id=row.instrument_id), row
    )
    flagged = any(s.reason in (row.flags or []) for s in definition.safety_items)
    return render(
        request,
        "assessments/result.html",
        {
            "row": row,
            "definition": definition,
            "previous": earlier,
            "when": _local(row.authored_at, _zone(user.timezone)),
            "previous_when": _local(earlier.authored_at, _zone(user.timezone)) if earlier else "",
            "safety": SafetyOutcome.stored(True, (), row.safety_alert) if flagged else None,
            "title": f"Your {definition.id} result",
        },
    )


def _packs(request: Request) -> dict[str, InstrumentPack]:
    """Official wording a service supplied (MINDBRIDGE_INSTRUMENT_PACKS_DIR), loaded once."""
    folder = request.app.state.runtime.settings.instrument_packs_dir
    return _load_packs(str(folder)) if folder else {}


@lru_cache(maxsize=4)
def _load_packs(folder: str) -> dict[str, InstrumentPack]:
    return load_pack_dir(Path(folder))


def _form_page(
    request: Request,
    definition: InstrumentDefinition,
    *,
    answers: dict[str, Any],
    problems: tuple[Problem, ...] = (),
    missing: tuple[str, ...] = (),
    safety: SafetyOutcome | None = None,
    saved: bool = False,
    kept: bool = False,
    status: int = 200,
) -> Response:
    errors: dict[str, str] = {}
    for problem in problems:
        if problem.item:
            errors[problem.item] = "Choose one of the answers below."
    for link_id in missing:
        errors.setdefault(link_id, "Please answer this question.")
    return render(
        request,
        "assessments/form.html",
        {
            "definition": definition,
            "items": present(definition, _packs(request).get(definition.id)),
            "answers": {k: v for k, v in answers.items() if v is not None},
            "errors": errors,
            "general_errors": [p.message for p in problems if not p.item],
            "safety": safety if safety and safety.open_flow else None,
            "saved": saved,
            "kept": kept,
            "title": definition.title,
        },
        status=status,
    )


@router.get("/questionnaires/{instrument}", response_class=HTMLResponse, **access(CLIENT))
def form(
    request: Request,
    db: DbSession,
    audit: Audit,
    user: ClientUser,
    instrument: str,
    saved: int = 0,
) -> Response:
    try:
        definition = assessments_service.instrument(instrument)
    except NotFound:
        return redirect("/questionnaires?missing=1")
    if definition.id != instrument:
        return redirect(f"/questionnaires/{definition.id}")
    grant = _own(db, audit, user)
    draft = assessments_service.get_draft(db, grant, instrument_id=definition.id)
    answers = dict(draft.answers) if draft else {}
    safety = None
    if draft is not None:
        signal = assessments_service.safety_of(definition, answers)
        safety = SafetyOutcome.stored(signal.open_flow, signal.reasons, draft.safety_alert)
    return _form_page(request, definition, answers=answers, safety=safety, saved=bool(saved))


@router.post("/questionnaires/{instrument}", response_class=HTMLResponse, **access(CLIENT))
async def form_post(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: ClientUser,
    instrument: str,
) -> Response:
    try:
        definition = assessments_service.instrument(instrument)
    except NotFound:
        return redirect("/questionnaires?missing=1")
    grant = _own(db, audit, user, Action.WRITE)
    submitted = await request.form()
    fields = {k: v for k, v in submitted.items() if isinstance(v, str)}
    try:
        answers = assessments_service.parse_form_answers(definition, fields)
    except AnswersRejected as exc:
        posted = {link: fields.get(f"item-{link}") for link in definition.link_ids}
        return _form_page(request, definition, answers=posted, problems=exc.problems, status=422)
    if fields.get("action") == "save":
        # The form page shows the crisis panel when the saved draft opens the safety flow.
        assessments_service.save_draft(
            db, grant, rt.vault, instrument_id=definition.id, answers=answers
        )
        return redirect(f"/questionnaires/{definition.id}?saved=1")
    outcome = assessments_service.submit(
        db, grant, rt.vault, instrument_id=definition.id, answers=answers
    )
    if outcome.submission is not None:
        return redirect(f"/questionnaires/results/{outcome.submission.uid}")
    return _form_page(
        request,
        definition,
        answers=answers,
        missing=outcome.missing_items,
        safety=outcome.safety,
        kept=True,
        status=422,
    )


# ---- the clinician's pages ------------------------------------------------------------------


@router.get(
    "/clients/{client_id}/measures",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD)),
)
def measures(
    request: Request,
    db: DbSession,
    audit: Audit,
    user: CurrentUser,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD))],
) -> Response:
    client = access_service.get_client(db, grant.client_id)
    actor = accounts_service.actor_of(user)
    decision = access_service.check(db, actor, client.id, Stream.QUESTIONNAIRES)
    zone = _zone(user.timezone)
    trajectories = []
    if decision.allowed:
        q_grant = access_service.authorize(
            db, audit, client_id=client.id, resource=Stream.QUESTIONNAIRES
        )
        trajectories = assessments_service.trajectories(db, q_grant, timezone=zone)
        schedule = assessments_service.schedule(db, q_grant)
    else:
        schedule = assessments_service.assignments_for(db, grant)
    return render(
        request,
        "assessments/measures.html",
        {
            "client": client,
            "shared": decision.allowed,
            "not_shared": decision.not_shared,
            "trajectories": trajectories,
            "alerts": (
                assessments_service.open_alerts(db, grant) if user.role != Role.CLIENT.value else []
            ),
            "show_safety": True,
            "schedule": schedule,
            "instruments": assessments_service.instruments(),
            "can_assign": user.role == Role.CLINICIAN.value,
            "local": lambda v: _local(v, zone),
            "today": datetime.now(ZoneInfo(zone)).date().isoformat(),
            "title": f"Measures: {client.display_name}",
        },
    )


def _start(value: str, zone: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise AnswersRejected([Problem("The start date must look like 2025-01-31.")]) from None
    return datetime.combine(day, time(9, 0), tzinfo=ZoneInfo(zone))


@router.post(
    "/clients/{client_id}/measures/assignments",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD, Action.WRITE)),
)
def assign(
    request: Request,
    db: DbSession,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD, Action.WRITE))],
    instrument: Annotated[str, Form()] = "",
    every: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "days",
    starts: Annotated[str, Form()] = "",
    grace_days: Annotated[int, Form()] = 3,
) -> Response:
    try:
        client = access_service.get_client(db, grant.client_id)
        interval = int(every) if every.strip() else None
        assessments_service.assign(
            db,
            grant,
            instrument_id=instrument,
            every=interval,
            unit=unit,
            starts_at=_start(starts, _zone(client.timezone)),
            grace_days=grace_days,
        )
    except ValueError:
        return _message(request, "The interval must be a whole number of days, weeks or months.")
    except MindbridgeError as exc:
        return _message(request, exc.message, exc.status_code)
    return redirect(f"/clients/{grant.client_id}/measures#schedule")


@router.post(
    "/clients/{client_id}/measures/assignments/end",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD, Action.WRITE)),
)
def end_assignment(
    request: Request,
    db: DbSession,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD, Action.WRITE))],
    assignment_id: Annotated[int, Form()] = 0,
) -> Response:
    try:
        assessments_service.end_assignment(db, grant, assignment_id=assignment_id)
    except MindbridgeError as exc:
        return _message(request, exc.message, exc.status_code)
    return redirect(f"/clients/{grant.client_id}/measures#schedule")


def _message(request: Request, message: str, status: int = 422) -> Response:
    return render(request, "accounts/message.html", {"message": message}, status=status)


@router.get("/caseload/outcomes", response_class=HTMLResponse, **access(CLINICIAN))
def caseload_outcomes(
    request: Request, db: DbSession, audit: Audit, user: ClinicianUser
) -> Response:
    outcomes = assessments_service.caseload_outcomes(db, audit, clinician_id=user.id)
    return render(
        request,
        "assessments/outcomes.html",
        {"outcomes": outcomes, "title": "Caseload outcomes"},
    )


@router.get("/admin/outcomes", response_class=HTMLResponse, **access(ADMIN))
def service_outcomes(request: Request, db: DbSession, audit: Audit, user: AdminUser) -> Response:
    report = assessments_service.service_outcomes(db, audit)
    return render(
        request,
        "assessments/service_outcomes.html",
        {"report": report, "title": "Service outcomes"},
    )


router.include_router(api.router)
