"""Every route that accepts client free text screens it with `screen_and_record` first.

Add a new free-text route (journal, check-in, companion...) to FREE_TEXT_ROUTES with a sample
form; a route whose path looks like free text but is not listed fails
`test_every_free_text_route_is_listed`.
"""

from __future__ import annotations

from typing import Any

from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction
from mindbridge.safetyplan import screening
from mindbridge.web.policy import iter_api_routes
from tests.conftest import PERSONA_EMAILS, csrf_of, login

SAMPLE = "a new entry nobody has screened yet"
# path template -> (persona, form data)
FREE_TEXT_ROUTES: dict[str, tuple[str, dict[str, str]]] = {
    "/safety-plan": ("client", {"coping_strategies": SAMPLE}),
    "/clients/{client_id}/safety-plan": ("clinician", {"coping_strategies": SAMPLE}),
    "/companion": ("client", {"message": SAMPLE}),
    "/intake/concerns": ("client", {"concerns": SAMPLE}),
    "/api/v1/companion/messages": ("client", {"text": SAMPLE}),  # JSON body
    "/checkin": ("client", {"mood": "5", "anxiety": "4", "note": SAMPLE}),
    "/api/v1/checkins": ("client", {"mood": 5, "anxiety": 4, "note": SAMPLE}),  # type: ignore[dict-item]
    "/journal/new": ("client", {"body": SAMPLE}),
    "/api/v1/journal": ("client", {"body": SAMPLE}),
}
# Edits of an existing entry need that entry first; their own tests check the screening.
SCREENED_IN_OWN_TESTS = {
    "/journal/{entry_id}": "tests/journal/test_views.py::test_edits_are_screened_first",
    "/api/v1/journal/{entry_id}": "tests/journal/test_views.py::test_edits_are_screened_first",
}
LOOKS_LIKE_FREE_TEXT = (
    "journal",
    "checkin",
    "check-in",
    "companion",
    "chat",
    "message",
    "safety-plan",
)
NOT_FREE_TEXT = {
    "/safety-plan/print",
    "/journal/{entry_id}/delete",
    "/checkins/{checkin_id}/delete",
}


def test_every_free_text_route_is_listed(app) -> None:  # type: ignore[no-untyped-def]
    unlisted = sorted(
        route.path
        for route in iter_api_routes(app.routes)
        if (route.methods or set()) & {"POST", "PUT", "PATCH"}
        and any(word in route.path for word in LOOKS_LIKE_FREE_TEXT)
        and route.path not in FREE_TEXT_ROUTES
        and route.path not in SCREENED_IN_OWN_TESTS
        and route.path not in NOT_FREE_TEXT
    )
    assert not unlisted, f"free-text routes not checked for screening: {unlisted}"


def test_free_text_routes_call_screen_and_record(client, rt, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[dict[str, Any]] = []
    real = screening.screen_and_record

    def spy(db, ctx: AuditContext, vault, **kw: Any):  # type: ignore[no-untyped-def]
        calls.append(kw)
        return real(db, ctx, vault, **kw)

    monkeypatch.setattr(screening, "screen_and_record", spy)
    for path, (persona, data) in FREE_TEXT_ROUTES.items():
        url = path.replace("{client_id}", str(personas.client))
        with transaction(rt.sessions) as db:  # each route must screen a fresh entry
            from sqlalchemy import delete

            from mindbridge.safetyplan.models import SafetyPlanVersion

            db.execute(delete(SafetyPlanVersion))
        login(client, PERSONA_EMAILS[persona])
        before = len(calls)
        page = "/" if url.startswith("/api/") else url
        if url.startswith("/api/"):
            response = client.post(url, json=data, headers={"X-CSRF-Token": csrf_of(client, page)})
        else:
            response = client.post(
                url, data={**data, "csrf_token": csrf_of(client, url)}, follow_redirects=False
            )
        assert response.status_code < 400, (path, response.status_code)
        assert len(calls) > before, f"{path} stored client text without screen_and_record"
        assert any(
            c["text"] == SAMPLE and c["client_id"] == personas.client for c in calls[before:]
        )
        client.post("/logout", data={"csrf_token": csrf_of(client, page)})
