"""The REST API under /api/v1: thin routes over the capabilities' services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import text

from mindbridge.access.domain import Action, Record, Role
from mindbridge.access.service import ClientGrant
from mindbridge.care import service as care_service
from mindbridge.kit.errors import NotFound
from mindbridge.notes import service as notes_service
from mindbridge.web.policy import AUTHENTICATED, CLINICIAN, PUBLIC, access, client_data
from mindbridge.web.security import AppRuntime, CurrentUser, DbSession, client_access

router = APIRouter()
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in"},
    404: {"description": "No such client, or not yours to see"},
}


class Health(BaseModel):
    status: str
    database: str


@router.get("/healthz", response_model=Health, **access(PUBLIC))
def healthz(db: DbSession) -> Health:
    db.execute(text("SELECT 1"))
    return Health(status="ok", database=db.get_bind().dialect.name)


class Me(BaseModel):
    id: int
    email: str
    role: Role
    display_name: str
    timezone: str
    mfa_enabled: bool


@router.get(
    "/api/v1/me",
    response_model=Me,
    responses={401: {"description": "Not logged in"}},
    **access(AUTHENTICATED),
)
def me(user: CurrentUser) -> Me:
    return Me(
        id=user.id,
        email=user.email,
        role=Role(user.role),
        display_name=user.display_name,
        timezone=user.timezone,
        mfa_enabled=user.mfa_enabled,
    )


class ClientSummary(BaseModel):
    id: int
    display_name: str


@router.get(
    "/api/v1/clients", response_model=list[ClientSummary], responses=NOT_FOUND, **access(CLINICIAN)
)
def clients(db: DbSession, user: CurrentUser) -> list[ClientSummary]:
    if user.role != Role.CLINICIAN.value:
        raise NotFound("Not found.")
    return [
        ClientSummary(id=c.id, display_name=c.display_name)
        for c in care_service.caseload(db, clinician_id=user.id)
    ]


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=notes_service.MAX_LENGTH)


class NoteOut(BaseModel):
    id: int
    author: str
    created_at: datetime
    body: str


@router.get(
    "/api/v1/clients/{client_id}/notes",
    response_model=list[NoteOut],
    responses=NOT_FOUND,
    **access(client_data(Record.CLINICIAN_NOTES)),
)
def list_notes(
    db: DbSession,
    rt: AppRuntime,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CLINICIAN_NOTES))],
) -> list[NoteOut]:
    return [NoteOut(**n.__dict__) for n in notes_service.list_notes(db, grant, rt.vault)]


@router.post(
    "/api/v1/clients/{client_id}/notes",
    response_model=NoteOut,
    status_code=201,
    responses=NOT_FOUND,
    **access(client_data(Record.CLINICIAN_NOTES, Action.WRITE)),
)
def add_note(
    db: DbSession,
    rt: AppRuntime,
    user: CurrentUser,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CLINICIAN_NOTES, Action.WRITE))],
    body: NoteIn,
) -> NoteOut:
    note = notes_service.add_note(db, grant, rt.vault, body=body.body)
    return NoteOut(
        id=note.id, author=user.display_name, created_at=note.created_at, body=body.body.strip()
    )
