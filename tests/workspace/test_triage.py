"""The ranking rules alone: order, monotonicity, wording, filters."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mindbridge.workspace import triage
from mindbridge.workspace.triage import Reason, Tier, TriageRow

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

reasons = st.builds(
    Reason,
    kind=st.sampled_from(["alert", "deterioration", "measure", "appointment", "signals"]),
    tier=st.sampled_from(list(Tier)),
    points=st.integers(0, 2000),
    text=st.text(max_size=8),
    due_at=st.none() | st.datetimes(timezones=st.just(UTC)),
)
rows = st.builds(
    TriageRow,
    client_id=st.integers(1, 10_000),
    name=st.text(min_size=1, max_size=12),
    reasons=st.lists(reasons, max_size=5).map(tuple),
)


def _alert(
    level: str, age: timedelta, status: str = "open", target: timedelta | None = None
) -> Reason:
    target = target or timedelta(hours=24)
    created = NOW - age
    return triage.alert_reason(
        alert_id=1,
        level=level,
        status=status,
        created_at=created,
        due_at=created + target,
        target=target,
        tier_escalated="care_team",
        now=NOW,
    )


@given(st.lists(rows, max_size=12))
def test_rank_is_a_stable_total_order(items: list[TriageRow]) -> None:
    ranked = triage.rank(items)
    assert sorted(ranked, key=triage.sort_key) == ranked
    assert triage.rank(list(reversed(items))) == ranked or len(
        {triage.sort_key(r) for r in items}
    ) < len(items)
    for a, b in itertools.pairwise(ranked):
        assert a.tier >= b.tier


@given(rows, reasons)
def test_adding_a_reason_never_moves_a_client_down(row: TriageRow, extra: Reason) -> None:
    more = TriageRow(row.client_id, row.name, (*row.reasons, extra))
    assert triage.sort_key(more)[:2] <= triage.sort_key(row)[:2]


@given(st.lists(rows, min_size=1, max_size=10))
def test_an_urgent_client_is_always_above_one_without_urgent_reasons(
    items: list[TriageRow],
) -> None:
    urgent = TriageRow(99_999, "zz", (_alert("imminent", timedelta(minutes=1)),))
    ranked = triage.rank([*items, urgent])
    position = ranked.index(urgent)
    assert all(r.tier is Tier.URGENT for r in ranked[:position])


def test_overdue_open_alert_is_urgent_whatever_its_level() -> None:
    reason = _alert("deterioration", timedelta(days=4), target=timedelta(days=3))
    assert reason.tier is Tier.URGENT
    assert reason.text == (
        "Deterioration alert open 4 days: past its 3 days response target by 24 h"
    )
    fresh = _alert("elevated", timedelta(hours=2))
    assert fresh.tier is Tier.HIGH and fresh.text == (
        "Elevated alert open 2 h (respond within 24 h; 22 h left)"
    )


def test_acknowledged_alert_counts_half_and_is_never_urgent() -> None:
    open_ = _alert("imminent", timedelta(minutes=30), target=timedelta(minutes=15))
    seen = _alert(
        "imminent", timedelta(minutes=30), status="acknowledged", target=timedelta(minutes=15)
    )
    assert seen.tier is Tier.HIGH and seen.points == triage.ALERT_POINTS["imminent"] // 2
    assert open_.points > seen.points and seen.due_at is None


def test_escalation_is_written_out() -> None:
    created = NOW - timedelta(hours=30)
    reason = triage.alert_reason(
        alert_id=7,
        level="elevated",
        status="open",
        created_at=created,
        due_at=created + timedelta(hours=24),
        target=timedelta(hours=24),
        tier_escalated="on_call",
        now=NOW,
    )
    assert reason.text.endswith("; escalated to on-call") and reason.link == "/alerts/7"


def test_contributed_reasons_are_capped_below_an_imminent_alert() -> None:
    loud = Reason("signals", Tier.URGENT, 10_000, "deterioration score 0.9")
    (capped,) = triage.contributed([loud], kind="signals-provider")
    assert capped.tier is Tier.HIGH and capped.points == triage.MAX_PROVIDER_POINTS
    assert capped.kind == "signals-provider" and triage.check_filter(
        "signals-provider", ["signals-provider"]
    )
    assert triage.ALERT_POINTS["imminent"] > triage.MAX_PROVIDER_POINTS


def test_appointment_only_within_48_hours() -> None:
    soon = triage.appointment_reason(
        starts_at=NOW + timedelta(hours=3), now=NOW, local_text="Mon 15:00"
    )
    assert soon is not None and soon.text == "Session in 3 h (Mon 15:00)" and soon.tier is Tier.INFO
    assert (
        triage.appointment_reason(starts_at=NOW + timedelta(days=3), now=NOW, local_text="") is None
    )
    assert (
        triage.appointment_reason(starts_at=NOW - timedelta(hours=1), now=NOW, local_text="")
        is None
    )


@given(st.text(max_size=20), st.text(max_size=20))
def test_search_is_case_and_order_insensitive(first: str, last: str) -> None:
    row = TriageRow(1, f"{first} {last}")
    assert triage.matches(row, query=f"{last.upper()} {first.lower()}") == all(
        w in row.name.casefold() for w in f"{last.upper()} {first.lower()}".casefold().split()
    )
    assert triage.matches(row, query="")


def test_filters() -> None:
    row = TriageRow(1, "Ana", (_alert("elevated", timedelta(hours=1)),))
    quiet = TriageRow(
        2,
        "Bo",
        (
            triage.overdue_measure_reason(
                instrument="GAD-7", overdue_at=NOW - timedelta(days=2), now=NOW
            ),
        ),
    )
    assert triage.matches(row, show="alert") and not triage.matches(quiet, show="alert")
    assert triage.matches(row, show="attention") and not triage.matches(quiet, show="attention")
    assert (
        triage.matches(quiet, show="measure")
        and quiet.reasons[0].text == "GAD-7 overdue for 2 days"
    )
    assert triage.check_filter("") == "all"
    try:
        triage.check_filter("nonsense")
    except ValueError as exc:
        assert str(exc).startswith("show: choose one of")
    else:
        raise AssertionError("an unknown filter must be refused")


@given(st.integers(0, 10_000_000))
def test_duration_text_is_coarse_and_monotone(seconds: int) -> None:
    text = triage.duration_text(timedelta(seconds=seconds))
    number, unit = text.split(" ")
    assert unit in ("min", "h", "days") and int(number) >= 0
    minutes = seconds // 60
    assert unit == ("min" if minutes < 60 else "h" if minutes < 2880 else "days")
