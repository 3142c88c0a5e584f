"""The crisis-resource directory: validated data that admins edit, picked by locale.

The defaults ship in `data/crisis_resources.json` (US 988 call/text/chat and 911; UK and
Ireland Samaritans 116 123 with 999 / 112; an international directory and 112 as the
fallback). The web app stores an edited copy with `CrisisDirectory.to_dict` and loads it
back with `CrisisDirectory.from_dict`, which refuses anything a person in crisis could be
let down by: a missing contact method, a non-https link, no fallback emergency number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as package_files
from pathlib import Path
from typing import Any

KINDS = ("crisis_line", "emergency", "directory")
ANY_REGION = "*"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_REGION = re.compile(r"^[A-Z]{2}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{0,18}$")
_REGION_ALIASES = {"UK": "GB"}


class InvalidDirectory(ValueError):
    """The crisis-resource directory failed validation; the message lists every problem."""


@dataclass(frozen=True)
class CrisisResource:
    id: str
    name: str
    kind: str
    regions: tuple[str, ...]
    phone: str = ""
    sms: str = ""
    chat_url: str = ""
    website: str = ""
    hours: str = ""
    description: str = ""

    def problems(self) -> list[str]:
        where = f"resource {self.id or '?'}"
        out: list[str] = []
        if not _ID.match(self.id):
            out.append(f"{where}: id must be 2-40 lower-case letters, digits or hyphens")
        if not 1 <= len(self.name) <= 80:
            out.append(f"{where}: name must be 1-80 characters")
        if self.kind not in KINDS:
            out.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        if not self.regions:
            out.append(f"{where}: needs at least one region")
        for region in self.regions:
            if region != ANY_REGION and not _REGION.match(region):
                out.append(f"{where}: region {region!r} is not a 2-letter country code or '*'")
        for label, number in (("phone", self.phone), ("sms", self.sms)):
            if number and not _PHONE.match(number):
                out.append(f"{where}: {label} {number!r} is not a phone number")
        for label, url in (("chat_url", self.chat_url), ("website", self.website)):
            if url and not url.startswith("https://"):
                out.append(f"{where}: {label} must start with https://")
        if not (self.phone or self.sms or self.chat_url or self.website):
            out.append(f"{where}: needs a phone number, text number, chat link or website")
        if self.kind == "emergency" and not self.phone:
            out.append(f"{where}: an emergency resource needs a phone number")
        if len(self.hours) > 40 or len(self.description) > 200:
            out.append(f"{where}: hours (40) or description (200 characters) too long")
        return out

    def contact_line(self) -> str:
        """One plain line: name, then every way to reach it."""
        ways: list[str] = []
        if self.phone and self.sms == self.phone:
            ways.append(f"call or text {self.phone}")
        else:
            if self.phone:
                ways.append(f"call {self.phone}")
            if self.sms:
                ways.append(f"text {self.sms}")
        if self.chat_url:
            ways.append(f"chat at {self.chat_url}")
        if self.website and not ways:
            ways.append(self.website)
        hours = f" ({self.hours})" if self.hours else ""
        return f"{self.name}: {', '.join(ways)}{hours}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "regions": list(self.regions),
            "phone": self.phone,
            "sms": self.sms,
            "chat_url": self.chat_url,
            "website": self.website,
            "hours": self.hours,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CrisisResource:
        def text(key: str) -> str:
            value = data.get(key, "")
            return " ".join(str(value).split()) if value is not None else ""

        regions = data.get("regions", ())
        if isinstance(regions, str):
            regions = [regions]
        return cls(
            id=text("id"),
            name=text("name"),
            kind=text("kind"),
            regions=tuple(
                _REGION_ALIASES.get(str(r).strip().upper(), str(r).strip().upper()) for r in regions
            ),
            phone=text("phone"),
            sms=text("sms"),
            chat_url=text("chat_url"),
            website=text("website"),
            hours=text("hours"),
            description=text("description"),
        )


@dataclass(frozen=True)
class CrisisDirectory:
    resources: tuple[CrisisResource, ...]
    version: int = 1
    updated: str = ""

    def __post_init__(self) -> None:
        problems = [p for r in self.resources for p in r.problems()]
        ids = [r.id for r in self.resources]
        problems += [
            f"resource {i}: duplicate id" for i in sorted({i for i in ids if ids.count(i) > 1})
        ]
        if not any(r.kind == "emergency" and ANY_REGION in r.regions for r in self.resources):
            problems.append("the directory needs an emergency resource for region '*' (fallback)")
        if problems:
            raise InvalidDirectory("; ".join(problems))

    def for_locale(self, locale: str | None) -> tuple[CrisisResource, ...]:
        """Crisis lines then emergency numbers for the locale's country; the international
        directory and emergency number fill in whatever the country lacks."""
        region = region_of(locale)
        local = [r for r in self.resources if region and region in r.regions]
        fallback = [r for r in self.resources if ANY_REGION in r.regions]
        picked: list[CrisisResource] = []
        for kinds in (("crisis_line", "directory"), ("emergency",)):
            mine = [r for r in local if r.kind in kinds]
            picked.extend(mine or [r for r in fallback if r.kind in kinds])
        return tuple(picked)

    def emergency_number(self, locale: str | None) -> str:
        return next(r.phone for r in self.for_locale(locale) if r.kind == "emergency")

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "updated": self.updated,
            "resources": [r.to_dict() for r in self.resources],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CrisisDirectory:
        items = data.get("resources")
        if not isinstance(items, Sequence) or isinstance(items, str):
            raise InvalidDirectory("'resources' must be a list")
        return cls(
            resources=tuple(CrisisResource.from_dict(item) for item in items),
            version=int(data.get("version", 1)),
            updated=str(data.get("updated", "")),
        )


def region_of(locale: str | None) -> str | None:
    """'en-US' -> 'US', 'en_gb' -> 'GB', 'IE' -> 'IE', 'en' -> None."""
    if not locale:
        return None
    parts = re.split(r"[-_]", locale.strip())
    for part in reversed(parts):
        if len(part) == 2 and part.isalpha() and (part.isupper() or len(parts) > 1):
            code = part.upper()
            return _REGION_ALIASES.get(code, code)
    return None


def load_directory(path: Path | None = None) -> CrisisDirectory:
    """The directory at `path`, or the defaults shipped with the package."""
    if path is None:
        return default_directory()
    return CrisisDirectory.from_dict(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_directory() -> CrisisDirectory:
    source = package_files.files("mindbridge.safety") / "data" / "crisis_resources.json"
    return CrisisDirectory.from_dict(json.loads(source.read_text(encoding="utf-8")))


def resources_for_locale(
    locale: str | None, directory: CrisisDirectory | None = None
) -> tuple[CrisisResource, ...]:
    return (directory or default_directory()).for_locale(locale)
