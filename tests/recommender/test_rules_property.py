"""Property: whatever rules a clinician saves, the stored guard rails are exactly what the
companion enforces and what the recommender may return (one source of approvals and blocks),
and rules the core refuses are refused with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mindbridge.access.domain import Action, Record, Role, Stream
from mindbridge.accounts.models import User
from mindbridge.companion import service as companion_service
from mindbridge.companion.companion import _Turn
from mindbridge.companion.state import CompanionContext, ConversationState, Memory
from mindbridge.kit.errors import Invalid
from mindbridge.recommender import service as recommender_service
from mindbridge.recommender.catalogue import CLINICAL_FLAGS, EXERCISE_IDS, load_catalogue
from mindbridge.recommender.guardrails import check
from mindbridge.recommender.models import RecommenderControls
from tests.assessments.support import grant

NOW = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
ids = st.lists(st.sampled_from(EXERCISE_IDS), max_size=5, unique=True)
flags = st.lists(st.sampled_from(CLINICAL_FLAGS), max_size=3, unique=True)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    pinned=ids,
    excluded=ids,
    prioritised=ids,
    approved=st.dictionaries(st.sampled_from(EXERCISE_IDS), flags, max_size=4),
    clinical=flags,
)
def test_saved_rules_are_what_the_companion_and_recommender_enforce(  # type: ignore[no-untyped-def]
    rt, personas, pinned, excluded, prioritised, approved, clinical
) -> None:
    db = rt.sessions()
    try:
        write = grant(
            db,
            personas.clinician,
            Role.CLINICIAN,
            personas.client,
            Record.CARE_RECORD,
            Action.WRITE,
        )
        try:
            rules = recommender_service.set_rules(
                db,
                write,
                pinned=pinned,
                excluded=excluded,
                prioritised=prioritised,
                approvals=approved,
                clinical_flags=clinical,
                now=NOW,
            )
        except Invalid:
            assert set(pinned) & set(excluded)  # the only way these inputs can be refused
            assert db.execute(select(func.count()).select_from(RecommenderControls)).scalar() == 0
            return
        own = grant(db, personas.client, Role.CLIENT, personas.client, Stream.COMPANION)
        stored = recommender_service.guard_rails(db, own)
        assert stored.controls == rules.controls and stored.flags == frozenset(clinical)
        blocked = stored.blocked()
        catalogue_ids = set(EXERCISE_IDS)
        for exercise_id in catalogue_ids:
            expected = check(exercise_id, load_catalogue(), frozenset(clinical), stored.controls)
            assert blocked.get(exercise_id) == expected
        # the companion's own check, given the context the service builds from these rules
        context = CompanionContext(
            now=NOW,
            memory=Memory(),
            approved_flows=stored.approved,
            blocked_flows=blocked,
        )
        turn = _Turn(
            companion=companion_service._engine(),
            state=ConversationState(),
            memory=Memory(),
            context=context,
            text="",
        )
        for exercise_id in catalogue_ids:
            assert (turn.blocked(exercise_id) is None) == (exercise_id not in blocked)
        client = db.get(User, personas.client)
        assert client is not None
        offered = recommender_service.recommend(
            db, own, client=client, now=NOW, surface="suggest", rules=stored, store=False
        )
        if offered is None:
            assert set(blocked) == catalogue_ids
        else:
            rec = offered.recommendation
            assert not set(rec.exercise_ids) & set(blocked)
            pins = [p for p in pinned if p not in blocked]
            assert list(rec.exercise_ids[: min(len(pins), 3)]) == pins[:3]
    finally:
        db.rollback()
        db.close()
