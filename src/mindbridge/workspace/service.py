"""The clinician's workspace: the triaged caseload and the client overview.

Both read other capabilities' data only through grants: each provider's (or section's) resource
is checked for the viewer and, when allowed, authorised through `access.service.authorize`, which
audits the read. Streams a client does not share are reported as "not shared", never silently
left out. Listing client names is audited too.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from markupsafe import Markup
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Purpose, Resource, Role, Stream, decide
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.consent.domain import STREAM_LABELS
from mindbridge.kit.errors import Invalid, NotFound
from mindbridge.runtime import Runtime
from mindbridge.workspace import triage
from mindbridge.workspace.providers import TriageInput, providers
from mindbridge.workspace.sections import sections
from mindbridge.workspace.triage import Reason, TriageRow

log = logging.getLogger(__name__)
OWN_PROVIDERS = frozenset({"alerts", "questionnaires", "appointments"})
MAX_QUERY = 100


def resource_label(resource: Resource) -> str:
    if isinstance(resource, Stream):
        return STREAM_LABELS.get(resource, resource.value)
    return resource.value.replace("_", " ")


@dataclass(frozen=True)
class TriageView:
    rows: list[TriageRow]  # ranked and filtered
    caseload_size: int
    filters: dict[str, str]  # key -> label: the built-in ones, then one per contributing provider
    counts: dict[str, int]  # rows matching the search under each filter
    query: str
    show: str


def caseload_triage(
    db: Session,
    ctx: AuditContext,
    rt: Runtime,
    *,
    clinician: User,
    now: datetime,
    query: str = "",
    show: str = "all",
) -> TriageView:
    """The clinician's caseload, most in need first, each client with the reasons why."""
    actor = ctx.actor
    if actor is None or actor.role is not Role.CLINICIAN or actor.user_id != clinician.id:
        raise NotFound("Not found.")
    query = query.strip()
    if len(query) > MAX_QUERY:
        raise Invalid(f"q: search for at most {MAX_QUERY} characters.")
    registered = providers()
    filters = dict(triage.FILTERS) | {
        p.key: p.label or resource_label(p.resource)
        for p in registered
        if p.key not in OWN_PROVIDERS
    }
    try:
        show = triage.check_filter(show, filters)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    caseload = care_service.caseload(db, clinician_id=clinician.id)
    named = [c for c in caseload if triage.matches(TriageRow(c.id, c.display_name), query=query)]
    resources = list(dict.fromkeys(p.resource for p in registered))
    grants, hidden = caseload_grants(db, ctx, client_ids=[c.id for c in named], resources=resources)
    reasons: dict[int, list[Reason]] = defaultdict(list)
    for provider in registered:
        data = TriageInput(db, rt, grants[provider.resource], now, clinician.id, _zone(clinician))
        allowed = {g.client_id for g in data.grants}
        for client_id, found in provider.collect(data).items():
            if client_id not in allowed:
                continue  # a provider may only speak about clients it was granted
            own = provider.key in OWN_PROVIDERS
            reasons[client_id] += (
                list(found) if own else list(triage.contributed(found, kind=provider.key))
            )
    rows = triage.rank(
        TriageRow(c.id, c.display_name, tuple(reasons[c.id]), tuple(hidden[c.id])) for c in named
    )
    counts = {key: sum(triage.matches(r, show=key) for r in rows) for key in filters}
    shown = [r for r in rows if triage.matches(r, show=show)]
    audit_service.record(
        db,
        ctx,
        action="caseload.list",
        resource_type="caseload",
        purpose=Purpose.CARE_TEAM.value,
        detail={"clients": [r.client_id for r in shown], "filtered": bool(query) or show != "all"},
    )
    return TriageView(shown, len(caseload), filters, counts, query, show)


def caseload_grants(
    db: Session, ctx: AuditContext, *, client_ids: list[int], resources: list[Resource]
) -> tuple[dict[Resource, list[ClientGrant]], dict[int, list[str]]]:
    """Read grants for several resources of each client on a caseload, one audit row per client.

    The same facts and the same policy as `access.service.authorize` (which writes one row per
    client and resource); batched because the triage list reads up to five resources for each of
    a hundred clients on every view. Returns the grants per resource and, per client, the labels
    of the resources the client does not share.
    """
    actor = ctx.actor
    assert actor is not None
    grants: dict[Resource, list[ClientGrant]] = defaultdict(list)
    hidden: dict[int, list[str]] = defaultdict(list)
    for client_id in client_ids:
        facts = access_service.facts_for(db, actor, client_id)
        allowed, refused = [], []
        purpose = ""
        for resource in resources:
            decision = decide(actor, client_id, resource, facts)
            if decision.allowed:
                grants[resource].append(
                    ClientGrant(ctx, client_id, resource, Action.READ, decision.purpose)
                )
                allowed.append(resource.value)
                purpose = purpose or decision.purpose
            else:
                refused.append({"resource": resource.value, "reason": decision.reason})
                if decision.not_shared:
                    hidden[client_id].append(resource_label(resource))
        audit_service.record(
            db,
            ctx,
            action="caseload.triage.read",
            resource_type="caseload",
            client_id=client_id,
            purpose=purpose or "none",
            outcome="success" if allowed else "denied",
            detail={"read": allowed, "not_read": refused},
        )
    return grants, hidden


def _zone(user: User) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(user.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return user.timezone


# ---- the overview --------------------------------------------------------------------------

SectionState = Literal["shown", "not_shared", "not_visible", "failed"]


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    resource_label: str
    state: SectionState
    html: Markup


def overview_sections(
    db: Session, ctx: AuditContext, rt: Runtime, *, client_id: int
) -> list[SectionView]:
    """Every registered section for this viewer: rendered through its own audited grant, or
    marked "not shared" (the client keeps the stream from the care team) or "not visible"."""
    actor = ctx.actor
    if actor is None:
        raise NotFound("No such client.")
    access_service.get_client(db, client_id)
    facts = access_service.facts_for(db, actor, client_id)
    views: list[SectionView] = []
    for section in sections():
        label = resource_label(section.resource)
        decision = decide(actor, client_id, section.resource, facts)
        if not decision.allowed:
            state: SectionState = "not_shared" if decision.not_shared else "not_visible"
            views.append(SectionView(section.key, section.title, label, state, Markup("")))
            continue
        grant = access_service.authorize(db, ctx, client_id=client_id, resource=section.resource)
        try:
            with db.begin_nested():
                html = section.render(db, grant, rt)
        except Exception:  # one broken section must not take the overview down with it
            log.exception("overview section %s failed for client %s", section.key, client_id)
            views.append(SectionView(section.key, section.title, label, "failed", Markup("")))
            continue
        views.append(SectionView(section.key, section.title, label, "shown", html))
    return views
