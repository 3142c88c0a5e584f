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
from mindbridge.consent.domain import PURPOSE_LABELS, STREAM_LABELS, choices
from mindbridge.kit.errors import Invalid
from mindbridge.web.policy import CLIENT, access, client_data
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import Audit, DbSession, client_access, require_role

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]


def _page_choices(request: Request) -> list[tuple[Stream, Purpose]]:
    """The choices this server offers (model replies only where a model is configured)."""
    return choices(model_replies=request.app.state.runtime.settings.generative_enabled)


@router.get("/consent", response_class=HTMLResponse, **access(CLIENT))
def consent_page(request: Request, db: DbSession, user: ClientUser, saved: int = 0) -> Response:
    offered = _page_choices(request)
    return render(
        request,
        "consent/consent.html",
        {
            "state": consent_service.current(db, client_id=user.id),
            "history": consent_service.history(db, client_id=user.id)[:50],
            "streams": [(s, [p for st, p in offered if st is s]) for s in Stream],
            "stream_labels": STREAM_LABELS,
            "purpose_labels": PURPOSE_LABELS,
            "saved": saved,
            "title": "Your data and consent",
        },
    )


@router.post("/consent", **access(CLIENT))
async def consent_save(request: Request, db: DbSession, user: ClientUser, audit: Audit) -> Response:
    form = await request.form()
    wanted = {(s, p): form.get(f"{s.value}:{p.value}") == "on" for s, p in _page_choices(request)}
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
            for s, p in choices()
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
    allowed = set(choices())
    wrong = [
        f"{i.stream.value}/{i.purpose.value}"
        for i in body.items
        if (i.stream, i.purpose) not in allowed
    ]
    if wrong:
        raise Invalid(f"items: these choices do not exist: {', '.join(wrong)}")
    consent_service.set_consent(
        db,
        grant.ctx,
        client_id=grant.client_id,
        wanted={(i.stream, i.purpose): i.granted for i in body.items},
    )
    return _out(db, grant.client_id)
