"""Retention rules: minimums always hold, "keep" never deletes, small counts never show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.access.domain import Purpose, Stream
from mindbridge.consent.domain import ConsentFact, ConsentState, choices
from mindbridge.retention import domain
from mindbridge.retention.domain import KEEP, RULES, Kind

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
moments = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@given(st.sampled_from(list(Kind)), st.integers(min_value=0, max_value=domain.MAX_DAYS), moments)
def test_a_cutoff_is_never_later_than_now_minus_the_minimum(
    kind: Kind, days: int, now: datetime
) -> None:
    cutoff = domain.cutoff(kind, days, now)
    assert cutoff is not None
    assert cutoff <= now - timedelta(days=RULES[kind].minimum_days)
    assert cutoff <= now - timedelta(days=domain.FLOOR_DAYS)


@given(st.sampled_from(list(Kind)), moments)
def test_keep_never_deletes(kind: Kind, now: datetime) -> None:
    assert domain.cutoff(kind, None, now) is None
    keep_all = domain.RetentionPolicy({k: None for k in Kind})
    assert all(c is None for c in domain.cutoffs(keep_all, now).values())


def test_defaults_keep_client_data_and_expire_only_technical_records() -> None:
    cutoffs = domain.cutoffs(domain.RetentionPolicy.defaults(), NOW)
    kept = {k for k, c in cutoffs.items() if c is None}
    assert kept == {Kind.COMPANION_TRANSCRIPT, Kind.NOTIFICATIONS_READ, Kind.SIGNAL_OBSERVATIONS}
    for kind in Kind:
        rule = RULES[kind]
        assert rule.minimum_days >= domain.FLOOR_DAYS
        assert rule.default_days is None or rule.default_days >= rule.minimum_days


@pytest.mark.parametrize("raw", ["keep", "KEEP", " Keep "])
def test_keep_is_accepted_in_any_case(raw: str) -> None:
    assert domain.parse_days(Kind.OUTBOX_DELIVERED, raw) is None


@pytest.mark.parametrize("raw", ["", None, "-5", "3.5", "1e3", "forever", "29", "36501", "٣٠"])
def test_bad_values_are_refused(raw: str | None) -> None:
    with pytest.raises(ValueError):
        domain.parse_days(Kind.OUTBOX_DELIVERED, raw)


def test_a_kind_with_a_higher_minimum_names_it() -> None:
    with pytest.raises(ValueError, match="at least 90 days"):
        domain.parse_days(Kind.COMPANION_TRANSCRIPT, "60")
    assert domain.parse_days(Kind.COMPANION_TRANSCRIPT, "90") == 90
    assert domain.parse_days(Kind.SIGNAL_OBSERVATIONS, "130") == 130


@given(st.sampled_from(list(Kind)), st.integers())
def test_parse_days_accepts_exactly_the_allowed_range(kind: Kind, days: int) -> None:
    allowed = RULES[kind].minimum_days <= days <= domain.MAX_DAYS
    try:
        parsed = domain.parse_days(kind, str(days))
    except ValueError:
        assert not allowed
    else:
        assert allowed and parsed == days


def test_parse_policy_collects_every_error() -> None:
    form = {k.value: "200" for k in Kind} | {"companion_transcript": "10", "login_attempts": "x"}
    with pytest.raises(domain.PolicyError) as err:
        domain.parse_policy(form)
    assert set(err.value.errors) == {Kind.COMPANION_TRANSCRIPT, Kind.LOGIN_ATTEMPTS}
    assert "Companion conversation transcripts" in str(err.value)
    missing = {k.value: KEEP for k in Kind if k is not Kind.TOKENS_SPENT}
    with pytest.raises(domain.PolicyError):
        domain.parse_policy(missing)


def test_changes_lists_only_what_differs() -> None:
    old = domain.RetentionPolicy.defaults()
    new = domain.RetentionPolicy(dict(old.days) | {Kind.OUTBOX_DELIVERED: None})
    assert old.changes(new) == {Kind.OUTBOX_DELIVERED: (90, None)}
    assert old.changes(old) == {}


def test_stored_rows_override_defaults_and_unknown_kinds_are_ignored() -> None:
    policy = domain.RetentionPolicy.from_stored({"outbox_delivered": None, "gone": 5})
    assert policy.get(Kind.OUTBOX_DELIVERED) is None
    assert policy.get(Kind.SESSIONS_ENDED) == 90


@given(moments, st.integers(min_value=0, max_value=5000))
def test_raw_signals_inside_the_rebuild_window_are_kept(general: datetime, age: int) -> None:
    newest = general + timedelta(days=200) - timedelta(days=age)
    limit = domain.signal_cutoff(general, newest)
    assert limit <= general
    assert limit <= newest - timedelta(days=domain.SIGNAL_WINDOW_DAYS)


def test_signal_window_matches_the_signals_job() -> None:
    from mindbridge.signals.service import WINDOW_DAYS

    assert domain.SIGNAL_WINDOW_DAYS >= WINDOW_DAYS
    assert RULES[Kind.SIGNAL_OBSERVATIONS].minimum_days > WINDOW_DAYS


def test_no_session_outlives_the_sessions_minimum() -> None:
    from mindbridge.config import Settings

    limits = [m.le for m in Settings.model_fields["session_max_hours"].metadata if hasattr(m, "le")]
    assert limits and limits[0] <= domain.LONGEST_SESSION_DAYS * 24
    idle = [
        m.le for m in Settings.model_fields["session_idle_minutes"].metadata if hasattr(m, "le")
    ]
    assert idle and idle[0] <= 24 * 60  # "last used before the cut-off" means ended
    assert RULES[Kind.SESSIONS_ENDED].minimum_days >= domain.LONGEST_SESSION_DAYS


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=500))
def test_small_counts_are_never_shown(count: int, other: int) -> None:
    text = domain.shown(count, other)
    if count == 0:
        assert text == "0"
    elif count < domain.SMALL_CELL:
        assert text == "fewer than 5"
    elif 0 < other < domain.SMALL_CELL:
        # the complement must not give the small count away: only a bound is shown
        assert text.startswith("at least ")
        assert int(text.removeprefix("at least ")) <= count
    else:
        assert text == str(count)


def _state(shared: set[tuple[Stream, Purpose]]) -> ConsentState:
    return ConsentState.from_records(ConsentFact(s, p, True, 1, NOW) for s, p in shared)


def test_consent_counts_cover_every_stream_and_purpose() -> None:
    states = [_state({(Stream.CHECKINS, Purpose.CARE_TEAM)}), _state(set()), _state(set())]
    counts = domain.count_consent(states)
    assert [(c.stream, c.purpose) for c in counts] == choices()
    assert set(domain.PURPOSE_LABELS) == set(Purpose)
    assert all(c.sharing + c.not_sharing == 3 for c in counts)
    checkins = next(
        c for c in counts if (c.stream, c.purpose) == (Stream.CHECKINS, Purpose.CARE_TEAM)
    )
    assert (checkins.sharing, checkins.not_sharing) == (1, 2)
    assert checkins.sharing_text == checkins.not_sharing_text == "fewer than 5"
