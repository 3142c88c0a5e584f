"""A client's safety plan: the six Stanley-Brown sections, validated, printable and screened.

The section names and prompts are in our own words. Entries are short free text (contacts
carry a name and, optionally, a phone number); the plan is a frozen dataclass of plain
fields so storage can keep it as JSON. Every edit passes `screen_changes`, because what a
person adds to their plan can itself say they are in danger now.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.resources import CrisisDirectory, default_directory
from mindbridge.safety.screening import Screening, screen

MAX_ITEMS = 10
MAX_TEXT = 200
MAX_NAME = 80
MAX_NOTE = 120
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,24}$")


class SafetyPlanError(ValueError):
    """The plan failed validation; `problems` lists each one in plain words."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    prompt: str
    contacts: bool  # entries are people or places with an optional phone number


SECTIONS: tuple[Section, ...] = (
    Section(
        "warning_signs",
        "1. My warning signs",
        "Thoughts, feelings, situations or habits that tell me things are getting worse.",
        False,
    ),
    Section(
        "coping_strategies",
        "2. Things I can do on my own",
        "Small things that help me get through a bad moment without anyone else.",
        False,
    ),
    Section(
        "social_distractions",
        "3. People and places that take my mind off things",
        "Who I can be around, or where I can go, so I'm not alone with it.",
        True,
    ),
    Section(
        "help_contacts",
        "4. People I can ask for help",
        "Family or friends I can tell that I'm struggling.",
        True,
    ),
    Section(
        "professionals",
        "5. Professionals and services I can contact",
        "My clinician, my GP or doctor, a crisis line, emergency services.",
        True,
    ),
    Section(
        "environment_safety",
        "6. Making my surroundings safer",
        "Steps that put distance between me and things I could use to hurt myself.",
        False,
    ),
)
REASONS = Section(
    "reasons_for_living",
    "What matters most to me",
    "The people, plans and things that are worth staying safe for.",
    False,
)


def _clean(value: object) -> str:
    return " ".join(str(value or "").split())


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str = ""
    note: str = ""

    @classmethod
    def parse(cls, value: Contact | Mapping[str, Any] | str) -> Contact:
        if isinstance(value, Contact):
            return cls(_clean(value.name), _clean(value.phone), _clean(value.note))
        if isinstance(value, str):
            return cls(_clean(value))
        return cls(_clean(value.get("name")), _clean(value.get("phone")), _clean(value.get("note")))

    def problems(self, where: str) -> list[str]:
        out = []
        if len(self.name) > MAX_NAME:
            out.append(f"{where}: a name can be at most {MAX_NAME} characters")
        if self.phone and not _PHONE.match(self.phone):
            out.append(f"{where}: {self.phone!r} doesn't look like a phone number")
        if len(self.note) > MAX_NOTE:
            out.append(f"{where}: a note can be at most {MAX_NOTE} characters")
        return out

    def line(self) -> str:
        phone = f", {self.phone}" if self.phone else ""
        note = f" ({self.note})" if self.note else ""
        return f"{self.name}{phone}{note}"

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "note": self.note}


@dataclass(frozen=True)
class SafetyPlan:
    warning_signs: tuple[str, ...] = ()
    coping_strategies: tuple[str, ...] = ()
    social_distractions: tuple[Contact, ...] = ()
    help_contacts: tuple[Contact, ...] = ()
    professionals: tuple[Contact, ...] = ()
    environment_safety: tuple[str, ...] = ()
    reasons_for_living: tuple[str, ...] = ()
    updated_at: str = ""  # ISO 8601, set by the service that saves it

    @classmethod
    def create(cls, **sections: Iterable[Any]) -> SafetyPlan:
        """Strip and de-duplicate entries, drop empty ones, then validate; raises
        `SafetyPlanError` listing every problem."""
        known = {s.key: s for s in (*SECTIONS, REASONS)}
        problems = [
            f"unknown section {k!r}" for k in sections if k not in known and k != "updated_at"
        ]
        values: dict[str, Any] = {}
        for key, section in known.items():
            raw = list(sections.get(key, ()) or ())
            if isinstance(sections.get(key), str):
                raw = [sections[key]]
            if section.contacts:
                contacts = [Contact.parse(v) for v in raw]
                contacts = [c for c in contacts if c.name or c.phone]
                for i, c in enumerate(contacts, 1):
                    if not c.name:
                        problems.append(f"{section.title}, entry {i}: needs a name")
                    problems += c.problems(f"{section.title}, entry {i}")
                values[key] = tuple(_dedupe(contacts, key=lambda c: c.name.casefold()))
            else:
                texts = [_clean(v) for v in raw]
                texts = [t for t in texts if t]
                for i, text in enumerate(texts, 1):
                    if len(text) > MAX_TEXT:
                        problems.append(
                            f"{section.title}, entry {i}: at most {MAX_TEXT} characters"
                        )
                values[key] = tuple(_dedupe(texts, key=str.casefold))
            if len(values[key]) > MAX_ITEMS:
                problems.append(f"{section.title}: at most {MAX_ITEMS} entries")
        if problems:
            raise SafetyPlanError(problems)
        return cls(updated_at=_clean(sections.get("updated_at", "")), **values)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SafetyPlan:
        return cls.create(**dict(data))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                out[f.name] = [v.to_dict() if isinstance(v, Contact) else v for v in value]
            else:
                out[f.name] = value
        return out

    @property
    def is_empty(self) -> bool:
        return not any(self.entries())

    def entries(self) -> list[tuple[str, str]]:
        """(section key, text) for every entry, in plan order: what gets screened."""
        out: list[tuple[str, str]] = []
        for section in (*SECTIONS, REASONS):
            for value in getattr(self, section.key):
                text = (
                    " ".join(p for p in (value.name, value.note) if p)
                    if isinstance(value, Contact)
                    else value
                )
                out.append((section.key, text))
        return out


def _dedupe(items: Iterable[Any], key: Any) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def render_text(
    plan: SafetyPlan,
    *,
    owner: str = "",
    locale: str | None = "en-US",
    directory: CrisisDirectory | None = None,
) -> str:
    """A printable plain-text copy, ending with the crisis resources for the locale."""
    title = f"Safety plan for {owner}" if owner else "My safety plan"
    lines = [title, "=" * len(title), ""]
    if plan.reasons_for_living:
        lines += [REASONS.title, *(f"  * {r}" for r in plan.reasons_for_living), ""]
    for section in SECTIONS:
        lines.append(section.title)
        values = getattr(plan, section.key)
        if values:
            for value in values:
                lines.append(f"  * {value.line() if isinstance(value, Contact) else value}")
        else:
            lines.append(f"  ({section.prompt})")
        lines.append("")
    lines.append("If I am in danger right now")
    for resource in (directory or default_directory()).for_locale(locale):
        lines.append(f"  * {resource.contact_line()}")
    if plan.updated_at:
        lines += ["", f"Last updated {plan.updated_at}"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class PlanScreening:
    """The screening of a plan edit: each new or changed entry, and the most urgent one."""

    items: tuple[tuple[str, str, Screening], ...]  # (section key, text, screening)

    @property
    def level(self) -> RiskLevel:
        return max(
            (s.level for _, _, s in self.items), key=lambda lv: lv.rank, default=RiskLevel.NONE
        )

    @property
    def needs_crisis_response(self) -> bool:
        return self.level.needs_crisis_response


def screen_changes(before: SafetyPlan | None, after: SafetyPlan) -> PlanScreening:
    """Screen the entries that are new in `after` (all of them for a first plan).

    Warning signs often describe a past crisis ("when I think everyone is better off without
    me"), so an elevated result here is a reason for the care team to look, not proof of
    current risk; an imminent one (a plan, a date, a goodbye) should be treated as such.
    """
    old = set(before.entries()) if before else set()
    items = tuple(
        (key, text, screen(text)) for key, text in after.entries() if (key, text) not in old
    )
    return PlanScreening(items)
