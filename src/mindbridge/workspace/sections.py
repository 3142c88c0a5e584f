"""Sections of the clinician's client overview, contributed by the capabilities that own the data.

The overview page must not import every capability's internals, and a capability must not edit
the overview to appear on it. Each capability registers a section here (from its own
`overview.py`, listed in `SECTION_MODULES`); the overview authorises the section's resource for
the viewer and either calls `render` with that grant or shows the stream as "not shared".
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy.orm import Session

from mindbridge.access.domain import Resource
from mindbridge.access.service import ClientGrant
from mindbridge.runtime import Runtime

Renderer = Callable[[Session, ClientGrant, Runtime], Markup]

# Capabilities whose `overview.py` registers sections; a module not built yet is skipped.
SECTION_MODULES: tuple[str, ...] = (
    "mindbridge.workspace.overview",
    "mindbridge.intake.overview",
    "mindbridge.checkins.overview",
    "mindbridge.journal.overview",
    "mindbridge.signals.overview",
    "mindbridge.recommender.overview",
    "mindbridge.companion.overview",
)


@dataclass(frozen=True)
class Section:
    """One block of the overview. `resource` is what the viewer must be granted to see it."""

    key: str
    title: str
    order: int
    resource: Resource
    render: Renderer


_SECTIONS: dict[str, Section] = {}


def overview_section(
    key: str, *, title: str, order: int, resource: Resource
) -> Callable[[Renderer], Renderer]:
    """Register `render` as the overview section `key` (re-registering replaces it)."""

    def register(fn: Renderer) -> Renderer:
        _SECTIONS[key] = Section(key=key, title=title, order=order, resource=resource, render=fn)
        return fn

    return register


def sections() -> list[Section]:
    """Every registered section, in display order."""
    for name in SECTION_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # capability not built yet
            if exc.name is None or not name.startswith(exc.name):
                raise
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
