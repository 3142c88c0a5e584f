"""Change over time on one instrument: reliable and clinically significant change.

Jacobson & Truax (1991): SEM = SD_pre * sqrt(1 - r); S_diff = sqrt(2) * SEM;
RCI = (x2 - x1) / S_diff; the change is reliable when |RCI| > 1.96. Clinical significance asks
whether the person also moved from the clinical to the functional side of a cutoff: criterion a
(two SDs beyond the clinical mean), b (within two SDs of the normal mean) or c (the weighted
midpoint between the two populations). Every function is direction-aware: for the WHO-5 a rise
is an improvement.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from math import sqrt
from typing import Any, Literal

from mindbridge.assessments.definitions import InstrumentDefinition
from mindbridge.assessments.errors import NormsUnavailableError
from mindbridge.assessments.timestamps import require_aware

Z_RELIABLE = 1.96

Direction = Literal["improved", "deteriorated", "no_reliable_change"]
Category = Literal["recovered", "improved", "unchanged", "deteriorated"]
Criterion = Literal["a", "b", "c"]
CaseWhen = Literal["at_or_above", "at_or_below"]


def standard_error_of_measurement(sd: float, reliability: float) -> float:
    if sd <= 0:
        raise ValueError(f"SD must be positive, got {sd}")
    if not 0 < reliability < 1:
        raise ValueError(f"reliability must be between 0 and 1, got {reliability}")
    return sd * sqrt(1 - reliability)


def standard_error_of_difference(sd: float, reliability: float) -> float:
    return sqrt(2) * standard_error_of_measurement(sd, reliability)


def reliable_change_index(pre: float, post: float, *, sd_pre: float, reliability: float) -> float:
    return (post - pre) / standard_error_of_difference(sd_pre, reliability)


@dataclass(frozen=True)
class ReliableChange:
    pre: float
    post: float
    rci: float
    s_diff: float
    threshold: float  # the smallest absolute change that counts as reliable (1.96 * S_diff)
    reliable: bool
    direction: Direction

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reliable_change(
    pre: float, post: float, *, sd_pre: float, reliability: float, higher_is_better: bool = False
) -> ReliableChange:
    s_diff = standard_error_of_difference(sd_pre, reliability)
    rci = (post - pre) / s_diff
    reliable = abs(rci) > Z_RELIABLE
    direction: Direction = "no_reliable_change"
    if reliable:
        better = rci > 0 if higher_is_better else rci < 0
        direction = "improved" if better else "deteriorated"
    return ReliableChange(pre, post, rci, s_diff, Z_RELIABLE * s_diff, reliable, direction)


@dataclass(frozen=True)
class Cutoff:
    """Where the clinical population ends: a score is a case on the `case_when` side of `value`."""

    value: float
    case_when: CaseWhen
    source: str

    def is_case(self, score: float) -> bool:
        return score >= self.value if self.case_when == "at_or_above" else score <= self.value


def jacobson_truax_cutoff(
    criterion: Criterion,
    *,
    higher_is_better: bool,
    clinical_mean: float | None = None,
    clinical_sd: float | None = None,
    normal_mean: float | None = None,
    normal_sd: float | None = None,
) -> float:
    """Criterion a, b or c of Jacobson & Truax (1991), direction-aware."""
    sign = -1.0 if higher_is_better else 1.0  # +1 when high scores are the clinical side
    if criterion == "a":
        if clinical_mean is None or clinical_sd is None:
            raise NormsUnavailableError("criterion a needs the clinical mean and SD")
        return clinical_mean - sign * 2 * clinical_sd
    if criterion == "b":
        if normal_mean is None or normal_sd is None:
            raise NormsUnavailableError("criterion b needs the normal-population mean and SD")
        return normal_mean + sign * 2 * normal_sd
    if None in (clinical_mean, clinical_sd, normal_mean, normal_sd):
        raise NormsUnavailableError("criterion c needs clinical and normal means and SDs")
    assert clinical_mean is not None and clinical_sd is not None
    assert normal_mean is not None and normal_sd is not None
    return (clinical_sd * normal_mean + normal_sd * clinical_mean) / (clinical_sd + normal_sd)


@dataclass(frozen=True)
class ClinicalChange:
    reliable_change: ReliableChange
    cutoff: Cutoff | None
    case_at_pre: bool | None
    case_at_post: bool | None
    clinically_significant: bool | None  # None when no cutoff is available
    category: Category

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def classify_change(
    pre: float,
    post: float,
    *,
    sd_pre: float,
    reliability: float,
    higher_is_better: bool = False,
    cutoff: Cutoff | None = None,
) -> ClinicalChange:
    """Jacobson & Truax categories: recovered, improved, unchanged or deteriorated."""
    rc = reliable_change(
        pre, post, sd_pre=sd_pre, reliability=reliability, higher_is_better=higher_is_better
    )
    case_pre = cutoff.is_case(pre) if cutoff else None
    case_post = cutoff.is_case(post) if cutoff else None
    crossed = bool(case_pre) and case_post is False
    significant = (rc.direction == "improved" and crossed) if cutoff else None
    category: Category = "unchanged"
    if rc.direction == "deteriorated":
        category = "deteriorated"
    elif rc.direction == "improved":
        category = "recovered" if significant else "improved"
    return ClinicalChange(rc, cutoff, case_pre, case_post, significant, category)


@dataclass(frozen=True)
class IntakeStatistics:
    mean: float
    sd: float
    n: int


def intake_statistics(totals: Iterable[float]) -> IntakeStatistics:
    """Mean and sample SD of a service's first scores: the SD_pre Jacobson & Truax intended."""
    values = list(totals)
    if len(values) < 2:
        raise ValueError("need at least two intake scores to estimate an SD")
    sd = statistics.stdev(values)
    if sd == 0:
        raise ValueError("intake scores have no spread; the SD would be 0")
    return IntakeStatistics(statistics.fmean(values), sd, len(values))


@dataclass(frozen=True)
class InstrumentChange:
    """A classified change with the provenance of every number it used."""

    instrument: str
    change: ClinicalChange
    sd_pre: float
    sd_source: str
    reliability: float
    reliability_source: str
    unverified_inputs: tuple[str, ...]  # which shipped inputs are marked unverified

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def instrument_change(
    definition: InstrumentDefinition,
    pre: float,
    post: float,
    *,
    sd_pre: float | None = None,
    sd_source: str = "supplied by caller",
    reliability: float | None = None,
    reliability_source: str = "supplied by caller",
    cutoff: Cutoff | None = None,
    criterion: Criterion | None = None,
) -> InstrumentChange:
    """Classify pre -> post using the definition's norms unless the caller supplies its own.

    SD_pre defaults to the definition's clinical SD (most instruments ship none: pass the SD of
    your service's intake scores from `intake_statistics`). The cutoff is, in order: `cutoff`,
    Jacobson-Truax `criterion` computed from the shipped norms, the definition's published
    clinical cutoff, or none (then clinical significance is reported as None).
    """
    norms = definition.change_norms
    unverified: list[str] = []
    if sd_pre is None:
        if norms.clinical is None or norms.clinical.sd is None:
            raise NormsUnavailableError(
                f"{definition.id} ships no clinical-sample SD; pass sd_pre, e.g. the SD of your "
                "service's intake scores (intake_statistics)"
            )
        sd_pre, sd_source = norms.clinical.sd, norms.clinical.source
        if norms.clinical.evidence == "unverified":
            unverified.append("clinical SD")
    if reliability is None:
        if norms.reliability is None:
            raise NormsUnavailableError(f"{definition.id} ships no reliability; pass reliability")
        reliability, reliability_source = norms.reliability.value, norms.reliability.source
        if norms.reliability.evidence == "unverified":
            unverified.append("reliability")
    if cutoff is None and criterion is not None:
        clinical, normal = norms.clinical, norms.normal
        value = jacobson_truax_cutoff(
            criterion,
            higher_is_better=definition.higher_is_better,
            clinical_mean=clinical.mean if clinical else None,
            clinical_sd=clinical.sd if clinical else None,
            normal_mean=normal.mean if normal else None,
            normal_sd=normal.sd if normal else None,
        )
        case_when: CaseWhen = "at_or_below" if definition.higher_is_better else "at_or_above"
        cutoff = Cutoff(value, case_when, f"Jacobson & Truax criterion {criterion}")
        for population in (clinical, normal):
            if population is not None and population.evidence == "unverified":
                unverified.append(f"{population.population} norms")
    elif cutoff is None and definition.clinical_cutoff is not None:
        published = definition.clinical_cutoff
        cutoff = Cutoff(published.value, published.case_when, published.source)
        if published.evidence == "unverified":
            unverified.append("clinical cutoff")
    change = classify_change(
        pre,
        post,
        sd_pre=sd_pre,
        reliability=reliability,
        higher_is_better=definition.higher_is_better,
        cutoff=cutoff,
    )
    return InstrumentChange(
        definition.id,
        change,
        sd_pre,
        sd_source,
        reliability,
        reliability_source,
        tuple(unverified),
    )


@dataclass(frozen=True)
class Measurement:
    """One scored total in an episode of care (what storage keeps per submission for outcomes)."""

    instrument_id: str
    total: int
    taken_at: datetime
    submission_id: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.taken_at, "taken_at")


def first_and_last(
    measurements: Sequence[Measurement], instrument_id: str
) -> tuple[Measurement, Measurement] | None:
    """The first and last measures of one instrument (by time); None without two of them."""
    own = sorted((m for m in measurements if m.instrument_id == instrument_id), key=_when)
    if len(own) < 2:
        return None
    return own[0], own[-1]


def _when(m: Measurement) -> datetime:
    return m.taken_at
