"""Matching rules alone: requirements, score bounds and monotonicity, reasons, order."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from mindbridge.intake import matching
from mindbridge.intake.matching import Needs, Offer

AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # winter: London UTC+0, New York UTC-5
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC"]


def subsets(keys: object) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(sorted(keys)))  # type: ignore[call-overload]


needs_st = st.builds(
    Needs,
    concerns=subsets(matching.PERSON_CONCERNS),
    language=st.sampled_from(sorted(matching.LANGUAGES)),
    gender=st.sampled_from([matching.ANY, *matching.GENDERS]),
    modality=st.sampled_from([matching.ANY, *matching.MODALITIES]),
    times=subsets(matching.TIMES),
    timezone=st.sampled_from(ZONES),
    phq9=st.none() | st.integers(0, 27),
    gad7=st.none() | st.integers(0, 21),
    safety_flag=st.booleans(),
)
offer_st = st.builds(
    Offer,
    clinician_id=st.integers(1, 1000),
    name=st.text(min_size=1, max_size=8),
    specialties=subsets(matching.CONCERN_AREAS),
    languages=subsets(matching.LANGUAGES),
    modalities=subsets(matching.MODALITIES),
    gender=st.sampled_from(["", *matching.GENDERS]),
    times=subsets(matching.TIMES),
    timezone=st.sampled_from(ZONES),
    capacity=st.integers(0, 40),
    caseload=st.integers(0, 40),
    accepting=st.booleans(),
)


def _needs(**kw: object) -> Needs:
    base: dict[str, object] = {
        "concerns": frozenset({"anxiety", "sleep"}),
        "language": "en",
        "gender": "any",
        "modality": "video",
        "times": frozenset({"weekday_evening", "weekend"}),
        "timezone": "Europe/London",
    }
    base.update(kw)
    return Needs(**base)  # type: ignore[arg-type]


def _offer(**kw: object) -> Offer:
    base: dict[str, object] = {
        "clinician_id": 1,
        "name": "Ada",
        "specialties": frozenset({"anxiety", "sleep"}),
        "languages": frozenset({"en"}),
        "modalities": frozenset({"video"}),
        "gender": "woman",
        "times": frozenset({"weekday_evening", "weekend"}),
        "timezone": "Europe/London",
        "capacity": 20,
        "caseload": 10,
    }
    base.update(kw)
    return Offer(**base)  # type: ignore[arg-type]


@given(needs_st, offer_st)
def test_score_is_between_0_and_100_and_blocked_offers_score_0(needs: Needs, offer: Offer) -> None:
    m = matching.match(needs, offer, at=AT)
    assert 0 <= m.score <= 100
    assert m.eligible == (not m.blockers)
    if not m.eligible:
        assert m.score == 0 and m.reasons == ()


@given(needs_st, st.lists(offer_st, max_size=8))
def test_no_blocked_clinician_ranks_above_an_eligible_one(
    needs: Needs, offers: list[Offer]
) -> None:
    ranked = matching.rank(needs, offers, at=AT)
    eligible = [m.eligible for m in ranked]
    assert eligible == sorted(eligible, reverse=True)
    scores = [m.score for m in ranked if m.eligible]
    assert scores == sorted(scores, reverse=True)


@given(needs_st, offer_st, st.sampled_from(sorted(matching.CONCERN_AREAS)))
def test_adding_a_specialty_never_lowers_the_score(needs: Needs, offer: Offer, extra: str) -> None:
    more = Offer(**{**offer.__dict__, "specialties": offer.specialties | {extra}})
    assert matching.score(needs, more, at=AT)[0] >= matching.score(needs, offer, at=AT)[0]


@given(needs_st, offer_st)
def test_a_fuller_caseload_never_raises_the_score(needs: Needs, offer: Offer) -> None:
    fuller = Offer(**{**offer.__dict__, "caseload": offer.caseload + 1})
    assert matching.score(needs, fuller, at=AT)[0] <= matching.score(needs, offer, at=AT)[0]


def test_requirements_are_named() -> None:
    m = matching.match(
        _needs(language="es", modality="in_person", gender="man"),
        _offer(accepting=False, caseload=20),
        at=AT,
    )
    assert m.blockers == (
        "not taking new clients",
        "caseload full (20 of 20)",
        "does not work in Spanish",
        "does not offer in person sessions",
        "the person asked for a therapist who is a man",
    )


def test_a_perfect_match_says_why() -> None:
    m = matching.match(_needs(), _offer(), at=AT)
    assert m.eligible
    assert m.score == 40 + 25 + 15 + 5  # half the places are free
    assert m.reasons == (
        "Works in English",
        "Offers video sessions",
        "Works with anxiety or worry and sleep (2 of 2 concerns)",
        "Available weekday evenings and weekends (2 of 2 times)",
        "Same time zone",
        "Has room: 10 of 20 places free",
    )


def test_time_zone_distance_counts() -> None:
    near = matching.score(_needs(), _offer(timezone="Europe/Berlin"), at=AT)
    far = matching.score(_needs(), _offer(timezone="America/New_York"), at=AT)
    very_far = matching.score(_needs(), _offer(timezone="America/Los_Angeles"), at=AT)
    assert "Time zone within an hour" in near[1] and "Time zone 5 hours apart" in far[1]
    assert near[0] - far[0] == 10 and far[0] - very_far[0] == 5


def test_severe_intake_prefers_clinicians_who_work_with_risk() -> None:
    severe = _needs(phq9=22)
    plain, risk = (
        _offer(),
        _offer(clinician_id=2, name="Bea", specialties=frozenset({"anxiety", "sleep", "risk"})),
    )
    ranked = matching.rank(severe, [plain, risk], at=AT)
    assert [m.name for m in ranked] == ["Bea", "Ada"]
    assert ranked[0].reasons[-1].startswith("Works with risk and complex needs")
    assert [m.name for m in matching.rank(_needs(phq9=12), [plain, risk], at=AT)] == ["Ada", "Bea"]


def test_ties_go_to_more_free_places_then_name() -> None:
    a = _offer(clinician_id=1, name="Zed", capacity=10, caseload=5)
    b = _offer(clinician_id=2, name="Amy", capacity=20, caseload=10)
    c = _offer(clinician_id=3, name="Bob", capacity=20, caseload=10)
    ranked = matching.rank(_needs(), [a, b, c], at=AT)
    assert [m.name for m in ranked] == ["Amy", "Bob", "Zed"]


def test_preferences_text() -> None:
    assert (
        matching.preferences_text(
            language="fr", gender="nonbinary", modality="phone", times=["weekend"], timezone="UTC"
        )
        == "Works in French; a therapist who is non-binary; phone sessions; weekends (UTC)"
    )
