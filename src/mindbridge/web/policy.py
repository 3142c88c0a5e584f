"""Every route declares who may call it; the route-walk test fails on a route that does not.

The declaration is documentation and a test contract; the enforcement is in the dependencies
(`CurrentUser`, `require_role`) and in `access.service.authorize` for client data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from mindbridge.access.domain import Action, Record, Resource, Stream

PUBLIC = "public"  # anyone, logged in or not
AUTHENTICATED = "authenticated"  # any logged-in user, about themselves
CLIENT = "role:client"
CLINICIAN = "role:clinician"
ADMIN = "role:admin"
STAFF = "role:staff"  # clinicians and admins


def client_data(resource: Resource, action: Action = Action.READ) -> str:
    """A route under /clients/{client_id}/ that reads or writes that client's `resource`."""
    return f"client:{resource.value}:{action.value}"


KNOWN_PREFIXES = ("public", "authenticated", "role:", "client:")


def access(policy: str) -> dict[str, Any]:
    return {"openapi_extra": {"x-access": policy}}


def policy_of(openapi_extra: dict[str, Any] | None) -> str | None:
    return (openapi_extra or {}).get("x-access")


def parse_client_policy(policy: str) -> tuple[Resource, Action] | None:
    if not policy.startswith("client:"):
        return None
    _, name, action = policy.split(":")
    resource: Resource = Stream(name) if name in Stream.__members__.values() else Record(name)
    return resource, Action(action)


def iter_api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, looking inside included routers (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from iter_api_routes(original.routes)
