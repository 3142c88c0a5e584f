"""The client's consent page and the consent API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from mindbridge.access.domain import Action, Purpose, Record, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.consent import service as consent_service
from mindbridge.consent.domain import PURPOSE_LABELS, STREAM_LABELS
from mindbridge.web.policy import CLIENT, access, client_data
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import Audit, DbSession, client_access, require_role

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]


@router.get("/consent", response_class=HTMLResponse, **access(CLIENT))
def consent_page(request: Request, db: DbSession, user: ClientUser, saved: int = 0) -> Response:
    return render(
        request,
        "consent/consent.html",
        {
            "state": consent_service.current(db, client_id=user.id),
            "history": consent_service.history(db, client_id=user.id)[:50],
            "streams": list(Stream),
            "purposes": list(Purpose),
            "stream_labels": STREAM_LABELS,
            "purpose_labels": PURPOSE_LABELS,
            "saved": saved,
            "title": "Your data and consent",
        },
    )


@router.post("/consent", **access(CLIENT))
async def consent_save(request: Request, db: DbSession, user: ClientUser, audit: Audit) -> Response:
    form = await request.form()
    wanted = {(s, p): form.get(f"{s.value}:{p.value}") == "on" for s in Stream for p in Purpose}
    changed = consent_service.set_consent(db, audit, client_id=user.id, wanted=wanted)
    return redirect(f"/consent?saved={changed}")


class ConsentItem(BaseModel):
    stream: Stream
    purpose: Purpose
    granted: bool
    version: int


class ConsentOut(BaseModel):
    client_id: int
    items: list[ConsentItem]


class ConsentIn(BaseModel):
    items: list[ConsentItem]


def _out(db: DbSession, client_id: int) -> ConsentOut:
    state = consent_service.current(db, client_id=client_id)
    return ConsentOut(
        client_id=client_id,
        items=[
            ConsentItem(
                stream=s, purpose=p, granted=state.granted(s, p), version=state.version(s, p)
            )
            for s in Stream
            for p in Purpose
        ],
    )


@router.get(
    "/api/v1/clients/{client_id}/consent",
    response_model=ConsentOut,
    responses={
        401: {"description": "Not logged in"},
        404: {"description": "No such client, or not yours to see"},
    },
    **access(client_data(Record.CONSENT)),
)
def api_consent(
    db: DbSession, grant: Annotated[ClientGrant, Depends(client_access(Record.CONSENT))]
) -> ConsentOut:
    return _out(db, grant.client_id)


@router.put(
    "/api/v1/clients/{client_id}/consent",
    response_model=ConsentOut,
    responses={
        401: {"description": "Not logged in"},
        404: {"description": "Only the client changes their own consent"},
    },
    **access(client_data(Record.CONSENT, Action.WRITE)),
)
def api_consent_put(
    db: DbSession,
    body: ConsentIn,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CONSENT, Action.WRITE))],
) -> ConsentOut:
    consent_service.set_consent(
        db,
        grant.ctx,
        client_id=grant.client_id,
        wanted={(i.stream, i.purpose): i.granted for i in body.items},
    )
    return _out(db, grant.client_id)
