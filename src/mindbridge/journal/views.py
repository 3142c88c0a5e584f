"""Journal pages for the client (write, edit, delete, search), the journal API, and the care
team's read-only view while the client shares the journal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Purpose, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.consent import service as consent_service
from mindbridge.journal import domain
from mindbridge.journal import service as journal_service
from mindbridge.kit.errors import MindbridgeError
from mindbridge.safety.screening import Screening
from mindbridge.safety.templates import CrisisMessage, crisis_message_for
from mindbridge.safetyplan import service as plan_service
from mindbridge.web.policy import CLIENT, access, client_data
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import AppRuntime, Audit, DbSession, client_access, require_role

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]


def _grant(db: DbSession, audit: Audit, user: User, action: Action) -> ClientGrant:
    return access_service.authorize(
        db, audit, client_id=user.id, resource=Stream.JOURNAL, action=action
    )


def _crisis(db: DbSession, user: User, screening: Screening, alerted: bool) -> CrisisMessage | None:
    if not screening.needs_crisis_response:
        return None
    return crisis_message_for(
        screening,
        locale=user.locale,
        care_team_alerted=alerted,
        directory=plan_service.directory(db),
    )


def _shares(db: DbSession, user: User) -> bool:
    return consent_service.current(db, client_id=user.id).granted(Stream.JOURNAL, Purpose.CARE_TEAM)


def _after_save(
    request: Request, db: DbSession, user: User, saved: journal_service.Saved
) -> Response:
    """The fixed crisis response when the entry needs one, else back to the journal."""
    crisis = _crisis(db, user, saved.screening, saved.alert_raised)
    if crisis is not None:
        return render(
            request,
            "journal/saved.html",
            {"title": "Entry saved", "entry": saved.entry, "crisis": crisis},
        )
    return redirect(f"/journal?saved={saved.entry.id}")


@router.get("/journal", response_class=HTMLResponse, **access(CLIENT))
def journal_list(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: ClientUser,
    audit: Audit,
    q: str = "",
    saved: int = 0,
    deleted: int = 0,
) -> Response:
    grant = _grant(db, audit, user, Action.READ)
    try:
        items = journal_service.entries(db, grant, rt.vault, query=q)
        error = ""
    except MindbridgeError as exc:
        items, error = [], exc.message
    return render(
        request,
        "journal/list.html",
        {
            "title": "My journal",
            "items": items,
            "q": q,
            "saved": saved,
            "deleted": deleted,
            "error": error,
            "shared": _shares(db, user),
        },
    )


def _editor(
    request: Request,
    *,
    entry_id: int | None,
    title: str,
    body: str,
    version: int | None,
    error: str = "",
    status: int = 200,
) -> Response:
    return render(
        request,
        "journal/edit.html",
        {
            "title": "Edit entry" if entry_id else "New journal entry",
            "entry_id": entry_id,
            "entry_title": title,
            "body": body,
            "version": version,
            "error": error,
        },
        status=status,
    )


@router.get("/journal/new", response_class=HTMLResponse, **access(CLIENT))
def journal_new(request: Request, user: ClientUser) -> Response:
    return _editor(request, entry_id=None, title="", body="", version=None)


@router.post("/journal/new", response_class=HTMLResponse, **access(CLIENT))
async def journal_create(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> Response:
    grant = _grant(db, audit, user, Action.WRITE)
    form = await request.form()
    title, body = str(form.get("entry_title") or ""), str(form.get("body") or "")
    try:
        data = domain.validate(title, body)
        saved = journal_service.create(db, grant, rt.vault, data=data)
    except MindbridgeError as exc:
        return _editor(
            request,
            entry_id=None,
            title=title,
            body=body,
            version=None,
            error=exc.message,
            status=exc.status_code,
        )
    return _after_save(request, db, user, saved)


@router.get("/journal/{entry_id}", response_class=HTMLResponse, **access(CLIENT))
def journal_edit(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit, entry_id: int
) -> Response:
    grant = _grant(db, audit, user, Action.READ)
    entry = journal_service.get(db, grant, rt.vault, entry_id=entry_id)
    return _editor(
        request, entry_id=entry.id, title=entry.title, body=entry.body, version=entry.version
    )


@router.post("/journal/{entry_id}", response_class=HTMLResponse, **access(CLIENT))
async def journal_update(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit, entry_id: int
) -> Response:
    grant = _grant(db, audit, user, Action.WRITE)
    form = await request.form()
    title, body = str(form.get("entry_title") or ""), str(form.get("body") or "")
    raw_version = str(form.get("version") or "")
    version = int(raw_version) if raw_version.isdigit() else None
    try:
        data = domain.validate(title, body)
        saved = journal_service.update(
            db, grant, rt.vault, entry_id=entry_id, data=data, expected_version=version
        )
    except MindbridgeError as exc:
        if exc.status_code == 404:
            raise
        return _editor(
            request,
            entry_id=entry_id,
            title=title,
            body=body,
            version=version,
            error=exc.message,
            status=exc.status_code,
        )
    return _after_save(request, db, user, saved)


@router.post("/journal/{entry_id}/delete", response_class=HTMLResponse, **access(CLIENT))
def journal_delete(db: DbSession, user: ClientUser, audit: Audit, entry_id: int) -> Response:
    grant = _grant(db, audit, user, Action.WRITE)
    journal_service.delete(db, grant, entry_id=entry_id)
    return redirect("/journal?deleted=1")


@router.get(
    "/clients/{client_id}/journal",
    response_class=HTMLResponse,
    **access(client_data(Stream.JOURNAL)),
)
def client_journal(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    grant: Annotated[ClientGrant, Depends(client_access(Stream.JOURNAL))],
    q: str = "",
) -> Response:
    client = access_service.get_client(db, grant.client_id)
    items = journal_service.entries(db, grant, rt.vault, query=q, limit=100)
    return render(
        request,
        "journal/client.html",
        {"title": f"Journal: {client.display_name}", "client": client, "items": items, "q": q},
    )


# --- API ---------------------------------------------------------------------------------------


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=domain.MAX_TITLE * 2)
    body: str = Field(min_length=1, max_length=domain.MAX_BODY * 2)
    version: int | None = Field(default=None, description="The version you edited (updates)")


class EntryOut(BaseModel):
    id: int
    title: str
    body: str
    created_at: datetime
    updated_at: datetime
    version: int
    risk_level: str
    care_team_alerted: bool = False
    crisis_response: list[str] = Field(default_factory=list)


def _out(
    entry: journal_service.EntryView, crisis: CrisisMessage | None = None, alerted: bool = False
) -> EntryOut:
    return EntryOut(
        id=entry.id,
        title=entry.title,
        body=entry.body,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        version=entry.version,
        risk_level=entry.risk_level,
        care_team_alerted=alerted,
        crisis_response=crisis.lines() if crisis else [],
    )


API_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Not logged in"},
    404: {"description": "No such entry (or not a client)"},
    409: {"description": "The entry changed since that version"},
    422: {"description": "Invalid entry (every problem is listed)"},
}


@router.get(
    "/api/v1/journal", response_model=list[EntryOut], responses=API_ERRORS, **access(CLIENT)
)
def api_list(
    db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit, q: str = ""
) -> list[EntryOut]:
    grant = _grant(db, audit, user, Action.READ)
    return [_out(e) for e in journal_service.entries(db, grant, rt.vault, query=q)]


@router.post(
    "/api/v1/journal",
    response_model=EntryOut,
    status_code=201,
    responses=API_ERRORS,
    **access(CLIENT),
)
def api_create(
    body: EntryIn, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> EntryOut:
    grant = _grant(db, audit, user, Action.WRITE)
    saved = journal_service.create(db, grant, rt.vault, data=domain.validate(body.title, body.body))
    return _out(
        saved.entry, _crisis(db, user, saved.screening, saved.alert_raised), saved.alert_raised
    )


@router.put(
    "/api/v1/journal/{entry_id}", response_model=EntryOut, responses=API_ERRORS, **access(CLIENT)
)
def api_update(
    entry_id: int, body: EntryIn, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> EntryOut:
    grant = _grant(db, audit, user, Action.WRITE)
    saved = journal_service.update(
        db,
        grant,
        rt.vault,
        entry_id=entry_id,
        data=domain.validate(body.title, body.body),
        expected_version=body.version,
    )
    return _out(
        saved.entry, _crisis(db, user, saved.screening, saved.alert_raised), saved.alert_raised
    )


@router.delete(
    "/api/v1/journal/{entry_id}", status_code=204, responses=API_ERRORS, **access(CLIENT)
)
def api_delete(entry_id: int, db: DbSession, user: ClientUser, audit: Audit) -> Response:
    grant = _grant(db, audit, user, Action.WRITE)
    journal_service.delete(db, grant, entry_id=entry_id)
    return Response(status_code=204)
