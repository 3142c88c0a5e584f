"""Instrument packs: official item wording that a deploying service supplies under its own licence.

The code ships structure and our own short labels. A pack file maps each item linkId to the
official text (and optionally the official response labels) for one instrument version and one
language. `load_pack` checks it against the definition and reports every problem at once.

Pack file (JSON)::

    {"instrument": "PHQ-9", "version": "1.0.0", "language": "en-GB",
     "title": "...", "instructions": "...", "source": "where the wording came from",
     "items": {"1": "...", ..., "9": "..."},
     "responses": {"0": "...", "1": "...", "2": "...", "3": "..."}}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mindbridge.assessments.definitions import InstrumentDefinition, Registry, default_registry
from mindbridge.assessments.errors import PackError, UnknownInstrumentError

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # BCP 47, as FHIR's `language`
_KNOWN_KEYS = frozenset(
    {"instrument", "version", "language", "title", "instructions", "source", "items", "responses"}
)


@dataclass(frozen=True)
class InstrumentPack:
    instrument_id: str
    version: str
    language: str
    item_text: Mapping[str, str]
    response_labels: Mapping[int, str] = field(default_factory=dict)
    title: str | None = None
    instructions: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class PresentedOption:
    value: int
    label: str


@dataclass(frozen=True)
class PresentedItem:
    link_id: str
    text: str
    options: tuple[PresentedOption, ...]


def _text(data: Mapping[str, Any], key: str, problems: list[str], required: bool) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            problems.append(f"'{key}' is required")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"'{key}' must be non-empty text")
        return None
    return value.strip()


def _string_map(data: Mapping[str, Any], key: str, problems: list[str]) -> dict[str, str]:
    raw = data.get(key)
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(f"'{key}' must be an object mapping keys to text")
        return {}
    result: dict[str, str] = {}
    for k, v in raw.items():
        if not isinstance(v, str) or not v.strip():
            problems.append(f"{key}[{k!r}] must be non-empty text")
        else:
            result[str(k)] = v.strip()
    return result


def pack_problems(
    data: object, registry: Registry | None = None
) -> tuple[list[str], InstrumentPack | None]:
    """All problems with a parsed pack, and the pack itself when there are none."""
    if not isinstance(data, Mapping):
        return ["a pack must be a JSON object"], None
    problems: list[str] = []
    for key in sorted(set(data) - _KNOWN_KEYS):
        problems.append(f"unknown field {key!r}")
    instrument_id = _text(data, "instrument", problems, required=True)
    version = _text(data, "version", problems, required=True)
    language = _text(data, "language", problems, required=True)
    if language is not None and not _LANGUAGE.match(language):
        problems.append(f"language {language!r} is not a BCP 47 tag such as 'en' or 'en-GB'")
    optional = {k: _text(data, k, problems, required=False) for k in ("title", "instructions")}
    source = _text(data, "source", problems, required=False)
    if "items" not in data:
        problems.append("'items' is required")
    items = _string_map(data, "items", problems)
    responses = _string_map(data, "responses", problems)

    definition: InstrumentDefinition | None = None
    if instrument_id is not None:
        try:
            definition = (registry or default_registry()).get(instrument_id)
        except UnknownInstrumentError as exc:
            problems.append(str(exc))
    labels: dict[int, str] = {}
    if definition is not None:
        if version is not None and version != definition.version:
            problems.append(
                f"pack is for {definition.id} version {version}; the definition is version "
                f"{definition.version}"
            )
        for link_id in items:
            if link_id not in definition.link_ids:
                problems.append(f"item {link_id!r} is not an item of {definition.id}")
        for link_id in definition.link_ids:
            if link_id not in items:
                problems.append(f"item {link_id!r} has no text")
        labels, response_problems = _response_labels(definition, responses)
        problems.extend(response_problems)

    if problems or definition is None or version is None or language is None:
        return problems, None
    return [], InstrumentPack(
        instrument_id=definition.id,
        version=version,
        language=language,
        item_text=items,
        response_labels=labels,
        title=optional["title"],
        instructions=optional["instructions"],
        source=source,
    )


def _response_labels(
    definition: InstrumentDefinition, responses: Mapping[str, str]
) -> tuple[dict[int, str], list[str]]:
    if not responses:
        return {}, []
    problems: list[str] = []
    labels: dict[int, str] = {}
    for key, label in responses.items():
        try:
            value = int(key)
        except ValueError:
            problems.append(f"response key {key!r} is not a response value")
            continue
        if value not in definition.option_values:
            allowed = ", ".join(str(v) for v in sorted(definition.option_values))
            problems.append(f"response value {value} is not one of {allowed}")
        else:
            labels[value] = label
    for value in sorted(definition.option_values):
        if value not in labels and str(value) not in responses:
            problems.append(f"response value {value} has no label")
    return labels, problems


def validate_pack(data: object, registry: Registry | None = None) -> InstrumentPack:
    problems, pack = pack_problems(data, registry)
    if pack is None:
        raise PackError(problems)
    return pack


def load_pack(path: Path, registry: Registry | None = None) -> InstrumentPack:
    """Read a pack file a service supplies; raises `PackError` listing every problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError([f"cannot read {path}: {exc}"]) from exc
    except json.JSONDecodeError as exc:
        raise PackError([f"{path.name} is not valid JSON: {exc}"]) from exc
    return validate_pack(data, registry)


def present(
    definition: InstrumentDefinition, pack: InstrumentPack | None = None
) -> tuple[PresentedItem, ...]:
    """What a form shows: official wording when a pack is loaded, else our own short labels."""
    if pack is not None and pack.instrument_id != definition.id:
        raise PackError([f"pack is for {pack.instrument_id}, not {definition.id}"])
    labels = pack.response_labels if pack is not None else {}
    options = tuple(
        PresentedOption(o.value, labels.get(o.value, o.label)) for o in definition.response_options
    )
    texts = pack.item_text if pack is not None else {}
    return tuple(
        PresentedItem(item.link_id, texts.get(item.link_id, item.label), options)
        for item in definition.items
    )


def load_pack_dir(directory: Path, registry: Registry | None = None) -> dict[str, InstrumentPack]:
    """Every `*.json` pack in a service's pack folder, by instrument id.

    Raises `PackError` naming each bad file and its problems, and two packs for one instrument.
    """
    packs: dict[str, InstrumentPack] = {}
    problems: list[str] = []
    if not directory.is_dir():
        raise PackError([f"instrument pack folder {directory} does not exist"])
    for path in sorted(directory.glob("*.json")):
        try:
            pack = load_pack(path, registry)
        except PackError as exc:
            problems += [f"{path.name}: {p}" for p in exc.problems]
            continue
        if pack.instrument_id in packs:
            problems.append(f"{path.name}: a second pack for {pack.instrument_id}")
            continue
        packs[pack.instrument_id] = pack
    if problems:
        raise PackError(problems)
    return packs
