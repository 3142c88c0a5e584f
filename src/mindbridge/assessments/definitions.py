"""Instrument definitions as data: one JSON file per questionnaire, validated by pydantic at load.

A definition carries structure only (items with short labels in our own words, response values,
scoring, bands, flags, codes, norms and their sources). Official item wording never ships with the
code: a service supplies it in an instrument pack (see `packs.py`). A broken file raises
`DefinitionError` when the registry loads it, so a typo cannot silently change a score.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache, cached_property
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from mindbridge.assessments.errors import DefinitionError, UnknownInstrumentError

INSTRUMENTS_DIR = Path(__file__).parent / "instruments"

# How far a number was checked: against a published abstract, against a secondary source
# (a review, a manual quoted elsewhere, the team's clinical reference), or not at all.
Evidence = Literal["checked-abstract", "secondary-source", "unverified"]

_LOINC_CODE = re.compile(r"^(\d{1,7})-(\d)$")
_LOINC_ANSWER = re.compile(r"^LA\d{1,6}-\d$")
_SLUG = r"^[a-z][a-z0-9_]*$"


def loinc_check_digit(base: str) -> int:
    """LOINC's mod-10 check digit (the Luhn scheme) of the digits before the hyphen."""
    total = 0
    for position, char in enumerate(reversed(base)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def _check_loinc(code: str | None) -> str | None:
    """Reject malformed codes and codes whose check digit is wrong (a typo, or an invented code)."""
    if code is None:
        return None
    match = _LOINC_CODE.match(code)
    if match is None:
        raise ValueError(f"{code!r} is not a LOINC code of the form nnnnn-n")
    if loinc_check_digit(match.group(1)) != int(match.group(2)):
        raise ValueError(f"LOINC code {code} fails its mod-10 check digit")
    return code


def _check_loinc_answer(code: str | None) -> str | None:
    if code is not None and not _LOINC_ANSWER.match(code):
        raise ValueError(f"{code!r} is not a LOINC answer code of the form LAnnnn-n")
    return code


LoincCode = Annotated[str | None, AfterValidator(_check_loinc)]
LoincAnswerCode = Annotated[str | None, AfterValidator(_check_loinc_answer)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ResponseOption(_Model):
    value: int
    label: str = Field(min_length=1, max_length=40)
    loinc: LoincAnswerCode = None


class Item(_Model):
    link_id: str = Field(alias="linkId", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
    label: str = Field(min_length=1, max_length=60)
    loinc: LoincCode = None


class RecallPeriod(_Model):
    iso8601: str = Field(pattern=r"^P\d+[DWM]$")
    text: str


class BandDefinition(_Model):
    low: int
    high: int
    code: str = Field(pattern=_SLUG)
    label: str = Field(min_length=1)


class Scoring(_Model):
    method: Literal["sum"] = "sum"
    percentage_multiplier: int | None = None
    source: str


class Subscale(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    label: str
    items: tuple[str, ...] = Field(min_length=1)
    min_endorsed: int | None = Field(default=None, ge=1)


class ClusterRule(_Model):
    """Diagnostic-style rule: each subscale with `min_endorsed` needs that many items endorsed."""

    endorsed_at_or_above: int
    source: str


class ItemAtOrAbove(_Model):
    kind: Literal["item_at_or_above"]
    id: str = Field(pattern=_SLUG)
    item: str
    threshold: int
    source: str


class TotalAtOrAbove(_Model):
    kind: Literal["total_at_or_above"]
    id: str = Field(pattern=_SLUG)
    threshold: int
    source: str


class TotalAtOrBelow(_Model):
    kind: Literal["total_at_or_below"]
    id: str = Field(pattern=_SLUG)
    threshold: int
    source: str


class ClusterRuleMet(_Model):
    kind: Literal["cluster_rule_met"]
    id: str = Field(pattern=_SLUG)
    source: str


class AnyOf(_Model):
    kind: Literal["any_of"]
    id: str = Field(pattern=_SLUG)
    of: tuple[str, ...] = Field(min_length=1)
    source: str


FlagRule = Annotated[
    ItemAtOrAbove | TotalAtOrAbove | TotalAtOrBelow | ClusterRuleMet | AnyOf,
    Field(discriminator="kind"),
]


class SafetyItem(_Model):
    """An item whose answer alone opens the safety flow (never imputed, never skipped)."""

    link_id: str = Field(alias="linkId")
    open_flow_at_or_above: int
    reason: str = Field(pattern=_SLUG)
    source: str


class MissingDataRule(_Model):
    method: Literal["refuse", "prorate"]
    max_missing: int = Field(default=0, ge=0)
    never_imputed: tuple[str, ...] = ()
    source: str
    rationale: str
    evidence: Evidence


class LoincCodes(_Model):
    panel: LoincCode = None
    total: LoincCode = None
    source: str


class Licence(_Model):
    holder: str
    terms: str
    evidence: Evidence


class Reliability(_Model):
    value: float = Field(gt=0.0, lt=1.0)
    kind: Literal["test-retest", "internal-consistency"]
    source: str
    evidence: Evidence
    note: str | None = None


class PopulationNorm(_Model):
    mean: float
    sd: float | None = Field(default=None, gt=0.0)
    n: int | None = Field(default=None, ge=1)
    population: str
    source: str
    evidence: Evidence
    note: str | None = None


class ReferenceChange(_Model):
    kind: Literal["reliable_change", "minimal_important_change"]
    value: float = Field(gt=0.0)
    scale: Literal["total", "percentage"] = "total"
    source: str
    evidence: Evidence
    note: str | None = None


class ChangeNorms(_Model):
    reliability: Reliability | None = None
    clinical: PopulationNorm | None = None
    normal: PopulationNorm | None = None
    reference_changes: tuple[ReferenceChange, ...] = ()
    notes: str | None = None


class ClinicalCutoff(_Model):
    """A published caseness threshold, used when the Jacobson-Truax norms are not available."""

    value: int
    case_when: Literal["at_or_above", "at_or_below"]
    source: str
    evidence: Evidence


class InstrumentDefinition(_Model):
    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,15}$")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    title: str
    published_name: str
    measures: str
    recall_period: RecallPeriod
    higher_is_better: bool
    response_options: tuple[ResponseOption, ...] = Field(min_length=2)
    items: tuple[Item, ...] = Field(min_length=1)
    reverse_scored: tuple[str, ...] = ()
    scoring: Scoring
    bands: tuple[BandDefinition, ...] = Field(min_length=1)
    bands_source: str
    bands_evidence: Evidence
    subscales: tuple[Subscale, ...] = ()
    cluster_rule: ClusterRule | None = None
    flags: tuple[FlagRule, ...] = ()
    safety_items: tuple[SafetyItem, ...] = ()
    missing_data: MissingDataRule
    loinc: LoincCodes
    licence: Licence
    citations: tuple[str, ...] = Field(min_length=1)
    change_norms: ChangeNorms
    clinical_cutoff: ClinicalCutoff | None = None
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> InstrumentDefinition:
        problems = _consistency_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Derived views, computed once per (immutable) definition: scoring reads them per answer.
    @cached_property
    def link_ids(self) -> tuple[str, ...]:
        return tuple(item.link_id for item in self.items)

    @cached_property
    def option_values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.response_options)

    @cached_property
    def min_value(self) -> int:
        return min(self.option_values)

    @cached_property
    def max_value(self) -> int:
        return max(self.option_values)

    @cached_property
    def reverse_set(self) -> frozenset[str]:
        return frozenset(self.reverse_scored)

    @property
    def min_total(self) -> int:
        return self.min_value * len(self.items)

    @property
    def max_total(self) -> int:
        return self.max_value * len(self.items)

    def item(self, link_id: str) -> Item:
        for item in self.items:
            if item.link_id == link_id:
                return item
        raise KeyError(link_id)

    def option(self, value: int) -> ResponseOption:
        for option in self.response_options:
            if option.value == value:
                return option
        raise KeyError(value)

    def scored_value(self, link_id: str, value: int) -> int:
        """The item's contribution to the total: reverse-scored items count max + min - value."""
        if link_id in self.reverse_set:
            return self.max_value + self.min_value - value
        return value

    def band_for(self, total: int) -> BandDefinition:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise ValueError(f"{self.id}: total {total} is outside {self.min_total}-{self.max_total}")


def _consistency_problems(d: InstrumentDefinition) -> list[str]:
    """Cross-field checks a field type cannot express; all problems are reported at once."""
    problems: list[str] = []
    ids = [item.link_id for item in d.items]
    id_set = set(ids)
    values = [option.value for option in d.response_options]
    lo, hi = min(values), max(values)
    min_total, max_total = lo * len(ids), hi * len(ids)

    if len(id_set) != len(ids):
        problems.append("item linkIds are not unique")
    if len(set(values)) != len(values):
        problems.append("response option values are not unique")
    if sorted(values) != list(range(lo, hi + 1)):
        problems.append("response option values must be consecutive whole numbers")
    for link_id in d.reverse_scored:
        if link_id not in id_set:
            problems.append(f"reverse_scored names unknown item {link_id!r}")
    if len(set(d.reverse_scored)) != len(d.reverse_scored):
        problems.append("reverse_scored lists an item twice")

    bands = sorted(d.bands, key=lambda b: b.low)
    if list(bands) != list(d.bands):
        problems.append("bands must be listed from lowest to highest")
    if bands[0].low != min_total or bands[-1].high != max_total:
        problems.append(f"bands must cover exactly {min_total}-{max_total}")
    for band in bands:
        if band.low > band.high:
            problems.append(f"band {band.code} has low > high")
    for prev, nxt in pairwise(bands):
        if nxt.low != prev.high + 1:
            problems.append(f"bands {prev.code} and {nxt.code} overlap or leave a gap")
    if len({b.code for b in bands}) != len(bands):
        problems.append("band codes are not unique")

    multiplier = d.scoring.percentage_multiplier
    if multiplier is not None and max_total * multiplier != 100:
        problems.append(f"percentage_multiplier {multiplier} does not map {max_total} to 100")

    sub_ids = [s.id for s in d.subscales]
    if len(set(sub_ids)) != len(sub_ids):
        problems.append("subscale ids are not unique")
    for sub in d.subscales:
        unknown = [i for i in sub.items if i not in id_set]
        if unknown:
            problems.append(f"subscale {sub.id} names unknown items {unknown}")
        if sub.min_endorsed is not None and sub.min_endorsed > len(sub.items):
            problems.append(f"subscale {sub.id} needs more endorsed items than it has")
    if d.cluster_rule is not None:
        if not any(s.min_endorsed for s in d.subscales):
            problems.append("cluster_rule needs subscales with min_endorsed")
        if not lo < d.cluster_rule.endorsed_at_or_above <= hi:
            problems.append("cluster_rule threshold is outside the response scale")

    safety_reasons = {s.reason for s in d.safety_items}
    seen_flags: set[str] = set()
    for flag in d.flags:
        if flag.id in seen_flags or flag.id in safety_reasons:
            problems.append(f"flag id {flag.id!r} is used twice")
        if isinstance(flag, ItemAtOrAbove):
            if flag.item not in id_set:
                problems.append(f"flag {flag.id} names unknown item {flag.item!r}")
            if not lo < flag.threshold <= hi:
                problems.append(f"flag {flag.id} threshold is outside the response scale")
        elif isinstance(flag, TotalAtOrAbove | TotalAtOrBelow):
            if not min_total <= flag.threshold <= max_total:
                problems.append(f"flag {flag.id} threshold is outside {min_total}-{max_total}")
        elif isinstance(flag, ClusterRuleMet):
            if d.cluster_rule is None:
                problems.append(f"flag {flag.id} needs a cluster_rule")
        else:
            missing = [f for f in flag.of if f not in seen_flags]
            if missing:
                problems.append(f"flag {flag.id} refers to flags not defined before it: {missing}")
        seen_flags.add(flag.id)

    for safety in d.safety_items:
        if safety.link_id not in id_set:
            problems.append(f"safety item {safety.link_id!r} is not an item")
        if not lo < safety.open_flow_at_or_above <= hi:
            problems.append(f"safety item {safety.link_id} threshold is outside the response scale")
        if safety.link_id not in d.missing_data.never_imputed:
            problems.append(f"safety item {safety.link_id} must be listed in never_imputed")

    rule = d.missing_data
    if rule.method == "refuse" and rule.max_missing != 0:
        problems.append("missing_data: method refuse requires max_missing 0")
    if rule.method == "prorate" and not 1 <= rule.max_missing < len(ids):
        problems.append("missing_data: method prorate requires 1 <= max_missing < number of items")
    for link_id in rule.never_imputed:
        if link_id not in id_set:
            problems.append(f"missing_data.never_imputed names unknown item {link_id!r}")

    cutoff = d.clinical_cutoff
    if cutoff is not None and not min_total <= cutoff.value <= max_total:
        problems.append(f"clinical_cutoff {cutoff.value} is outside {min_total}-{max_total}")
    return problems


def load_definition(path: Path) -> InstrumentDefinition:
    """Read and validate one definition file; any problem raises `DefinitionError` with its name."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DefinitionError(f"{path.name}: cannot read instrument definition: {exc}") from exc
    try:
        definition = InstrumentDefinition.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(f"{path.name}: invalid instrument definition:\n{exc}") from exc
    if path.stem != definition.id.lower():
        raise DefinitionError(f"{path.name}: file name must be {definition.id.lower()}.json")
    return definition


def _normalised(name: str) -> str:
    return name.replace("-", "").replace("_", "").replace(" ", "").upper()


class Registry:
    """The instruments a deployment offers, by id."""

    def __init__(self, definitions: Iterable[InstrumentDefinition]) -> None:
        self._by_id: dict[str, InstrumentDefinition] = {}
        for definition in definitions:
            if definition.id in self._by_id:
                raise DefinitionError(f"instrument {definition.id} is defined twice")
            self._by_id[definition.id] = definition

    def get(self, instrument_id: str) -> InstrumentDefinition:
        try:
            return self._by_id[instrument_id]
        except KeyError:
            raise UnknownInstrumentError(instrument_id, self.ids) from None

    def resolve(self, name: str) -> InstrumentDefinition:
        """Lenient lookup for people typing ids: `phq9`, `PHQ-9` and `phq_9` all find PHQ-9."""
        wanted = _normalised(name)
        for instrument_id, definition in self._by_id.items():
            if _normalised(instrument_id) == wanted:
                return definition
        raise UnknownInstrumentError(name, self.ids)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def __iter__(self) -> Iterator[InstrumentDefinition]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, instrument_id: object) -> bool:
        return instrument_id in self._by_id


def load_registry(directory: Path = INSTRUMENTS_DIR) -> Registry:
    """Load every `*.json` definition in `directory`; one broken file fails the whole load."""
    return Registry(load_definition(path) for path in sorted(directory.glob("*.json")))


@cache
def default_registry() -> Registry:
    """The shipped instruments, loaded once per process."""
    return load_registry()


def get_instrument(instrument_id: str) -> InstrumentDefinition:
    return default_registry().get(instrument_id)
