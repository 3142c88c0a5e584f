"""Safety plan pages (client and care team), the help-now page, the printable plan and the
admins' crisis-resource directory."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Record, Role
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.kit.errors import Invalid
from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.resources import CrisisDirectory
from mindbridge.safety.safety_plan import REASONS, SECTIONS, Contact, SafetyPlan, render_text
from mindbridge.safety.templates import CrisisMessage, crisis_message
from mindbridge.safetyplan import service as plan_service
from mindbridge.web.policy import ADMIN, CLIENT, PUBLIC, access, client_data
from mindbridge.web.rendering import env, redirect, render
from mindbridge.web.security import (
    AppRuntime,
    Audit,
    DbSession,
    MaybeUser,
    client_access,
    require_role,
)

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
ALL_SECTIONS = (*SECTIONS, REASONS)


def crisis_panel_message(request: Request, level: str, locale: str | None) -> CrisisMessage | None:
    """The safety core's fixed response, with the service's crisis-resource directory."""
    rt = request.app.state.runtime
    return crisis_message(
        RiskLevel(level),
        locale=locale or "en-US",
        directory=plan_service.cached_directory(rt.sessions),
    )


env.globals["crisis_panel_message"] = crisis_panel_message


def _grant(db: DbSession, audit: Audit, user: User, action: Action) -> ClientGrant:
    return access_service.authorize(
        db, audit, client_id=user.id, resource=Record.CARE_RECORD, action=action
    )


def _form_text(plan: SafetyPlan | None) -> dict[str, str]:
    """Each section as textarea text: one entry per line; contacts as `name, phone, note`."""
    out: dict[str, str] = {}
    for section in ALL_SECTIONS:
        values = getattr(plan, section.key) if plan else ()
        lines = [
            ", ".join(p for p in (v.name, v.phone, v.note) if p) if isinstance(v, Contact) else v
            for v in values
        ]
        out[section.key] = "\n".join(lines)
    return out


def _sections_from_form(form: Any) -> dict[str, Any]:
    sections: dict[str, Any] = {}
    for section in ALL_SECTIONS:
        raw = str(form.get(section.key) or "")
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        if section.contacts:
            contacts = []
            for line in lines:
                parts = [p.strip() for p in line.split(",", 2)]
                contacts.append(
                    {
                        "name": parts[0],
                        "phone": parts[1] if len(parts) > 1 else "",
                        "note": parts[2] if len(parts) > 2 else "",
                    }
                )
            sections[section.key] = contacts
        else:
            sections[section.key] = lines
    return sections


def _plan_page(
    request: Request,
    db: DbSession,
    grant: ClientGrant,
    rt: AppRuntime,
    *,
    client: User,
    action: str,
    form: dict[str, str] | None = None,
    problems: list[str] | None = None,
    saved: plan_service.SaveResult | None = None,
    status: int = 200,
) -> Response:
    plan = plan_service.current_plan(db, grant, rt.vault) if form is None else None
    crisis = None
    if saved is not None and saved.level is RiskLevel.IMMINENT:
        crisis = crisis_message(
            saved.level,
            locale=client.locale,
            care_team_alerted=saved.alert is not None,
            directory=plan_service.directory(db),
        )
    return render(
        request,
        "safetyplan/plan.html",
        {
            "sections": ALL_SECTIONS,
            "form": form if form is not None else _form_text(plan),
            "problems": problems or [],
            "saved": saved,
            "crisis": crisis,
            "client": client,
            "action": action,
            "version": plan_service.version_of(db, client_id=client.id),
            "title": "Safety plan",
        },
        status=status,
    )


async def _save(
    request: Request, db: DbSession, grant: ClientGrant, rt: AppRuntime, client: User, action: str
) -> Response:
    form = await request.form()
    sections = _sections_from_form(form)
    texts = {s.key: str(form.get(s.key) or "") for s in ALL_SECTIONS}
    try:
        result = plan_service.save_plan(db, grant, rt.vault, sections=sections)
    except plan_service.PlanInvalid as exc:
        return _plan_page(
            request, db, grant, rt, client=client, action=action, form=texts,
            problems=exc.problems, status=422,
        )  # fmt: skip
    if result.level is RiskLevel.IMMINENT:
        return _plan_page(request, db, grant, rt, client=client, action=action, saved=result)
    return redirect(f"{action}?saved={result.version}")


@router.get("/safety-plan", response_class=HTMLResponse, **access(CLIENT))
def my_plan(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> Response:
    grant = _grant(db, audit, user, Action.READ)
    return _plan_page(request, db, grant, rt, client=user, action="/safety-plan")


@router.post("/safety-plan", response_class=HTMLResponse, **access(CLIENT))
async def save_my_plan(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> Response:
    grant = _grant(db, audit, user, Action.WRITE)
    return await _save(request, db, grant, rt, user, "/safety-plan")


@router.get("/safety-plan/print", response_class=HTMLResponse, **access(CLIENT))
def print_plan(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> Response:
    grant = _grant(db, audit, user, Action.READ)
    plan = plan_service.current_plan(db, grant, rt.vault) or SafetyPlan()
    text = render_text(
        plan, owner=user.display_name, locale=user.locale, directory=plan_service.directory(db)
    )
    if request.query_params.get("format") == "text":
        return PlainTextResponse(text)
    return render(request, "safetyplan/print.html", {"text": text, "title": "My safety plan"})


@router.get(
    "/clients/{client_id}/safety-plan",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD)),
)
def client_plan(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    client_id: int,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD))],
) -> Response:
    client = db.get(User, client_id)
    assert client is not None
    return _plan_page(
        request, db, grant, rt, client=client, action=f"/clients/{client_id}/safety-plan"
    )


@router.post(
    "/clients/{client_id}/safety-plan",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD, Action.WRITE)),
)
async def save_client_plan(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    client_id: int,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD, Action.WRITE))],
) -> Response:
    client = db.get(User, client_id)
    assert client is not None
    return await _save(request, db, grant, rt, client, f"/clients/{client_id}/safety-plan")


@router.get("/help", response_class=HTMLResponse, **access(PUBLIC))
def help_now(request: Request, db: DbSession, user: MaybeUser) -> Response:
    """Help now: the fixed crisis response with resources for the visitor's locale."""
    locale = user.locale if user is not None else "en-US"
    message = crisis_message(
        RiskLevel.ELEVATED,
        locale=locale,
        has_safety_plan=user is not None and user.role == Role.CLIENT.value,
        directory=plan_service.directory(db),
    )
    return render(request, "safetyplan/help.html", {"msg": message, "title": "Help now"})


@router.get("/admin/crisis-resources", response_class=HTMLResponse, **access(ADMIN))
def crisis_resources(request: Request, db: DbSession, user: AdminUser) -> Response:
    return _directory_page(request, db, saved=request.query_params.get("saved", ""))


def _directory_page(
    request: Request,
    db: DbSession,
    *,
    text: str | None = None,
    error: str = "",
    saved: str = "",
    status: int = 200,
) -> Response:
    current: CrisisDirectory = plan_service.directory(db)
    return render(
        request,
        "safetyplan/crisis_resources.html",
        {
            "text": text if text is not None else json.dumps(current.to_dict(), indent=2),
            "problems": [p.strip() for p in error.split(";") if p.strip()] if error else [],
            "directory": current,
            "saved": saved,
            "title": "Crisis resources",
        },
        status=status,
    )


@router.post("/admin/crisis-resources", response_class=HTMLResponse, **access(ADMIN))
async def save_crisis_resources(
    request: Request, db: DbSession, user: AdminUser, audit: Audit
) -> Response:
    form = await request.form()
    text = str(form.get("document") or "")
    try:
        saved = plan_service.save_directory(db, audit, text=text)
    except Invalid as exc:
        return _directory_page(request, db, text=text, error=exc.message, status=422)
    return redirect(f"/admin/crisis-resources?saved={saved.version}")
