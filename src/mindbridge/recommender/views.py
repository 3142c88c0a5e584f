"""The care team's page for one client's exercise recommendations: the rules (pin, exclude,
prioritise, approve gated exercises, clinical flags), what was suggested and taken up, what has
been learned, and a reset the clinician or the client may ask for (audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Record, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts import service as accounts_service
from mindbridge.db import utcnow
from mindbridge.kit.errors import MindbridgeError
from mindbridge.recommender import service as recommender_service
from mindbridge.recommender.catalogue import CLINICAL_FLAGS, load_catalogue
from mindbridge.web.policy import access, client_data
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import Audit, CurrentUser, DbSession, client_access

router = APIRouter()
CareRead = Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD))]
CareWrite = Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD, Action.WRITE))]


def _page(
    request: Request,
    db: DbSession,
    audit: Audit,
    user: CurrentUser,
    grant: ClientGrant,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    client = access_service.get_client(db, grant.client_id)
    actor = accounts_service.actor_of(user)
    now = utcnow()
    rules = recommender_service.guard_rails(db, grant)
    _, blocked = rules.eligibility()
    decision = access_service.check(db, actor, client.id, Stream.COMPANION)
    context: dict[str, Any] = {
        "client": client,
        "catalogue": load_catalogue(),
        "flags": CLINICAL_FLAGS,
        "rules": rules,
        "blocked": {b.exercise_id: b.reason for b in blocked},
        "can_edit": user.role == Role.CLINICIAN.value,
        "is_client": user.role == Role.CLIENT.value,
        "shared": decision.allowed,
        "not_shared": decision.not_shared,
        "error": error,
        "title": f"Recommendations: {client.display_name}",
    }
    if decision.allowed:
        c_grant = access_service.authorize(
            db, audit, client_id=client.id, resource=Stream.COMPANION
        )
        rows, uptake = recommender_service.history(db, c_grant)
        learned, resets = recommender_service.learned(db, c_grant, now=now)
        preview = recommender_service.recommend(
            db, c_grant, client=client, now=now, surface="today", mode="greedy", store=False
        )
        context.update(
            history=rows,
            uptake=uptake,
            learned=[r for r in learned if r["tries"]],
            resets=resets,
            preview=preview.recommendation if preview else None,
        )
    return render(request, "recommender/recommendations.html", context, status=status)


@router.get(
    "/clients/{client_id}/recommendations",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD)),
)
def recommendations(
    request: Request, db: DbSession, audit: Audit, user: CurrentUser, grant: CareRead
) -> Response:
    return _page(request, db, audit, user, grant)


@router.post(
    "/clients/{client_id}/recommendations",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD, Action.WRITE)),
)
async def save_rules(
    request: Request, db: DbSession, audit: Audit, user: CurrentUser, grant: CareWrite
) -> Response:
    form = await request.form()
    ids = load_catalogue().ids

    def picked(name: str) -> list[str]:
        return [str(v) for v in form.getlist(name)]

    approvals = {
        exercise_id: picked(f"approve_flags_{exercise_id}") for exercise_id in picked("approved")
    }
    try:
        recommender_service.set_rules(
            db,
            grant,
            pinned=[i for i in ids if i in picked("pinned")]
            + [p for p in picked("pinned") if p not in ids],
            excluded=picked("excluded"),
            prioritised=picked("prioritised"),
            approvals=approvals,
            clinical_flags=picked("clinical_flags"),
            now=utcnow(),
        )
    except MindbridgeError as exc:
        return _page(request, db, audit, user, grant, error=exc.message, status=exc.status_code)
    return redirect(f"/clients/{grant.client_id}/recommendations#rules")


@router.post(
    "/clients/{client_id}/recommendations/reset",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD, Action.WRITE)),
)
async def reset_learning(
    request: Request, db: DbSession, audit: Audit, user: CurrentUser, grant: CareWrite
) -> Response:
    form = await request.form()
    exercise = str(form.get("exercise") or "").strip()
    try:
        recommender_service.reset_state(
            db, grant, now=utcnow(), exercise_ids=(exercise,) if exercise else ()
        )
    except MindbridgeError as exc:
        return _page(request, db, audit, user, grant, error=exc.message, status=exc.status_code)
    return redirect(f"/clients/{grant.client_id}/recommendations#learned")


@router.get(
    "/clients/{client_id}/recommendations/state",
    response_class=JSONResponse,
    **access(client_data(Stream.COMPANION)),
)
def state_json(
    db: DbSession, grant: Annotated[ClientGrant, Depends(client_access(Stream.COMPANION))]
) -> JSONResponse:
    """The learned state exactly as stored (inspectable JSON)."""
    return JSONResponse(recommender_service.state_document(db, grant, now=utcnow()))
