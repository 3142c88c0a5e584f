"""Walk every route in the app as every persona and check it enforces its declared policy.

A new route without an `x-access` declaration fails `test_every_route_declares_a_policy`; a route
that declares a policy but lets the wrong person in (or keeps the right person out) fails the walk.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from mindbridge.access.domain import Action, Actor, Facts, Purpose, Role, Stream, decide
from mindbridge.web.policy import KNOWN_PREFIXES, iter_api_routes, parse_client_policy, policy_of
from tests.conftest import PERSONA_EMAILS, Personas, csrf_of, login

PERSONA_ROLES = {
    "admin": Role.ADMIN,
    "clinician": Role.CLINICIAN,
    "other_clinician": Role.CLINICIAN,
    "client": Role.CLIENT,
    "other_client": Role.CLIENT,
}
PLACEHOLDER = re.compile(r"{([a-z_]+)}")
SHARED = frozenset(s for s in Stream if s is not Stream.JOURNAL)  # as the fixture consents


def _routes(app) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    routes = list(iter_api_routes(app.routes))
    assert len(routes) >= 30, "the walk must see the app's routes"
    return routes


def _fill(path: str, personas: Personas) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "client_id":
            return str(personas.client)
        if name == "token":
            return "not-a-real-token"
        return "987654"  # ids of things that do not exist

    return PLACEHOLDER.sub(value, path)


def test_every_route_declares_a_policy(app) -> None:  # type: ignore[no-untyped-def]
    missing = [
        f"{sorted(r.methods)} {r.path}"
        for r in _routes(app)
        if r.path not in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")
        and not (policy_of(r.openapi_extra) or "").startswith(KNOWN_PREFIXES)
    ]
    assert not missing, f"routes without an access policy: {missing}"


def _expected_client_access(persona: str, ids: Personas, policy: str) -> bool:
    parsed = parse_client_policy(policy)
    assert parsed is not None
    resource, action = parsed
    actor = Actor(getattr(ids, persona), PERSONA_ROLES[persona])
    assigned = persona == "clinician"
    facts = Facts(assigned=assigned, shared=SHARED if assigned else frozenset(), break_glass=False)
    return decide(actor, ids.client, resource, facts, action).allowed


def _call(client: TestClient, method: str, url: str, token: str | None) -> int:
    headers = {"accept": "text/html"} if not url.startswith("/api/") else {}
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False).status_code
    data = {"csrf_token": token} if token else {}
    if url.startswith("/api/"):
        return client.request(
            method, url, json={}, headers={"x-csrf-token": token or ""}, follow_redirects=False
        ).status_code
    return client.request(
        method, url, data=data, headers=headers, follow_redirects=False
    ).status_code


@pytest.mark.parametrize("persona", [None, *PERSONA_EMAILS])
def test_route_walk(app, client, personas, persona) -> None:  # type: ignore[no-untyped-def]
    if persona:
        login(client, PERSONA_EMAILS[persona])
    token = csrf_of(client, "/login")
    failures = []
    for route in _routes(app):
        policy = policy_of(route.openapi_extra)
        if policy is None or route.path == "/logout":
            continue
        url = _fill(route.path, personas)
        for method in sorted(route.methods - {"HEAD"}):
            status = _call(client, method, url, token)
            if status >= 500:
                failures.append(f"{method} {url}: server error {status}")
                continue
            if policy == "public":
                continue
            if persona is None:
                if status not in (303, 401):
                    failures.append(f"{method} {url} anonymous got {status}, expected 303/401")
                continue
            role = PERSONA_ROLES[persona]
            if policy == "authenticated":
                if status in (401, 303) and method == "GET":
                    failures.append(f"{method} {url} as {persona}: {status}")
                continue
            if policy.startswith("role:"):
                wanted = policy.split(":", 1)[1]
                allowed = role.value == wanted or (wanted == "staff" and role is not Role.CLIENT)
            else:
                allowed = _expected_client_access(persona, personas, policy)
            # A 404 is right for an allowed caller when the path names a thing that doesn't exist.
            names_missing_thing = any(p != "client_id" for p in PLACEHOLDER.findall(route.path))
            if allowed and (status in (401, 403) or (status == 404 and not names_missing_thing)):
                failures.append(
                    f"{method} {url} as {persona}: {status}, expected access ({policy})"
                )
            if not allowed and status != 404:
                failures.append(f"{method} {url} as {persona}: {status}, expected 404 ({policy})")
    assert not failures, "\n".join(failures)


def test_break_glass_opens_a_client_record_for_an_admin(client, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["admin"])
    assert client.get(f"/clients/{personas.client}").status_code == 404
    token = csrf_of(client, "/admin/break-glass")
    short = client.post(
        "/admin/break-glass",
        data={"client_id": personas.client, "reason": "x", "csrf_token": token},
    )
    assert short.status_code == 422
    ok = client.post(
        "/admin/break-glass",
        data={
            "client_id": personas.client,
            "reason": "Client at risk; clinician unreachable",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get(f"/clients/{personas.client}").status_code == 200
    assert client.get(f"/clients/{personas.other_client}").status_code == 404


def test_unknown_client_and_forbidden_client_look_the_same(client, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["other_clinician"])
    forbidden = client.get(f"/api/v1/clients/{personas.client}/notes")
    missing = client.get("/api/v1/clients/99999/notes")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


def test_purposes_cover_consent_choices() -> None:
    assert {p.value for p in Purpose} == {
        "care_team",
        "automated_alerts",
        "research",
        "model_replies",
    }


def test_csrf_is_required_for_every_state_change(app, client, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    for route in _routes(app):
        for method in route.methods - {"GET", "HEAD"}:
            url = _fill(route.path, personas)
            status = client.request(method, url, data={}, follow_redirects=False).status_code
            assert status == 403, f"{method} {url} accepted a request without a CSRF token"


def test_cross_origin_post_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"email": "a@b.c", "password": "x", "csrf_token": token},
        headers={"origin": "http://evil.example"},
    )
    assert response.status_code == 403


def test_admin_only_pages_hide_from_others(client) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    assert client.get("/admin/audit").status_code == 404
    assert Action.READ.value == "read"
