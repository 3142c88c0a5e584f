"""The pure core's suggestions: the recommender's top and two alternatives with reasons on
greeting, on "what should I do" and after an exercise; never a blocked one; a failing
recommender costs only the suggestion; the one-tap start respects crisis mode and the rails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from mindbridge.companion import Companion, CompanionContext, ConversationState, Deps, Memory
from mindbridge.companion.router import Router
from mindbridge.companion.state import Suggested
from tests.companion.fakes import FakeScreener

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PICKS = [
    Suggested("paced_breathing", "Your anxiety has been high."),
    Suggested("graded_exposure", "You mentioned avoiding the bus."),
    Suggested("thought_record", "It has gone well for you before (3 times so far)."),
    Suggested("self_compassion", ""),
]


def _context(
    calls: list[str], picks: Sequence[Suggested] = PICKS, **kw: object
) -> CompanionContext:
    def recommend(surface: str) -> Sequence[Suggested]:
        calls.append(surface)
        return picks

    return CompanionContext(now=NOW, memory=Memory(name="Jo"), recommend=recommend, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def companion() -> Companion:
    return Companion(Deps(screen=FakeScreener()))


def test_greeting_offers_three_allowed_suggestions_with_reasons(companion: Companion) -> None:
    calls: list[str] = []
    result = companion.turn(ConversationState(), "hello", _context(calls))
    text = "\n".join(result.reply_messages)
    assert calls == ["greeting"]
    # graded exposure needs an approval this context does not have: the next one moves up
    assert result.suggestions == ["Slow breathing", "Thought record", "Self-compassion break"]
    assert "Your anxiety has been high." in text and "avoiding the bus" not in text
    assert result.new_state.offer is not None
    taken = companion.turn(result.new_state, "2", _context([]))
    assert taken.flow_id == "thought_record"


def test_what_should_i_do_and_a_blocked_pick(companion: Companion) -> None:
    calls: list[str] = []
    ctx = _context(calls, blocked_flows={"paced_breathing": "excluded by your clinician"})
    result = companion.turn(ConversationState(), "what should I do", ctx)
    assert calls == ["suggest"] and "Slow breathing" not in result.suggestions
    assert result.intent == "suggest"


def test_a_failing_recommender_falls_back_to_the_menu(companion: Companion) -> None:
    def broken(surface: str) -> Sequence[Suggested]:
        raise RuntimeError("database down")

    ctx = CompanionContext(now=NOW, memory=Memory(), recommend=broken)
    result = companion.turn(ConversationState(), "what should I do", ctx)
    assert result.suggestions  # the fixed menu
    hello = companion.turn(ConversationState(), "hello", ctx)
    assert hello.reply_messages[-1] == "How are you feeling today?"


def test_begin_respects_crisis_mode_and_guard_rails(companion: Companion) -> None:
    crisis = companion.turn(ConversationState(), "I want to kill myself", _context([]))
    held = companion.begin(crisis.new_state, "paced_breathing", _context([]))
    assert held.new_state.flow is None and held.new_state.crisis
    gated = companion.begin(ConversationState(), "graded_exposure", _context([]))
    assert gated.new_state.flow is None and any(a.kind == "flow_unavailable" for a in gated.actions)
    ok = companion.begin(ConversationState(), "paced_breathing", _context([]))
    assert ok.new_state.flow is not None and ok.new_state.flow.flow_id == "paced_breathing"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what should I do", "suggest"),
        ("What should I try now?", "suggest"),
        ("any suggestions", "suggest"),
        ("what do you recommend", "suggest"),
        ("recommend me something", "suggest"),
        ("what should I do about my sleep", "not suggest"),
        ("what can you do", "help"),
    ],
)
def test_suggest_route_is_whole_message_only(text: str, intent: str) -> None:
    got = Router.default().route(text).intent
    assert got != "suggest" if intent == "not suggest" else got == intent
