"""Reasons for caseload triage, contributed by the capabilities that own the data.

Like the overview's sections (`sections.py`): the triage page must not import every capability's
internals, and a capability must not edit the triage page to add a signal. Each capability
registers a provider here from its own `triage.py` (listed in `PROVIDER_MODULES`); the triage
service authorises the provider's resource for each client on the caseload (audited), hands the
provider the grants it obtained, and ranks the reasons that come back. Clients who do not share
the resource are not passed to the provider and are shown as "not shared" for it.

A provider gets every grant at once so it can read the whole caseload in a few queries (the
triage list must stay fast for a caseload of 100).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mindbridge.access.domain import Resource
from mindbridge.access.service import ClientGrant
from mindbridge.runtime import Runtime
from mindbridge.workspace.triage import Reason

# Capabilities whose `triage.py` registers providers; a module not built yet is skipped.
PROVIDER_MODULES: tuple[str, ...] = (
    "mindbridge.workspace.triage_sources",
    "mindbridge.checkins.triage",
    "mindbridge.journal.triage",
    "mindbridge.signals.triage",
    "mindbridge.recommender.triage",
    "mindbridge.companion.triage",
)


@dataclass(frozen=True)
class TriageInput:
    """What a provider gets: one grant per client who may be read for its resource."""

    db: Session
    rt: Runtime
    grants: Sequence[ClientGrant]
    now: datetime
    viewer_id: int
    viewer_timezone: str


Collector = Callable[[TriageInput], Mapping[int, Sequence[Reason]]]


@dataclass(frozen=True)
class Provider:
    key: str
    resource: Resource
    collect: Collector
    label: str = ""  # the caseload filter's name for its reasons (default: the resource's name)


_PROVIDERS: dict[str, Provider] = {}


def triage_provider(
    key: str, *, resource: Resource, label: str = ""
) -> Callable[[Collector], Collector]:
    """Register `collect` as triage provider `key` (re-registering replaces it). `label` names
    the caseload filter for its reasons (default: the resource's name)."""

    def register(fn: Collector) -> Collector:
        _PROVIDERS[key] = Provider(key=key, resource=resource, collect=fn, label=label)
        return fn

    return register


def providers() -> list[Provider]:
    """Every registered provider, by key."""
    for name in PROVIDER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # capability not built yet
            if exc.name is None or not name.startswith(exc.name):
                raise
    return sorted(_PROVIDERS.values(), key=lambda p: p.key)
