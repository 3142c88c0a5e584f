"""The companion wired to the safety capability's real screener and crisis templates, as the
lead will wire it (skipped while those modules or the screener's model are missing)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from mindbridge.companion import Companion, CompanionContext, ConversationState, Deps

from .fakes import make_context

screening = pytest.importorskip("mindbridge.safety.screening")
templates = pytest.importorskip("mindbridge.safety.templates")
resources = pytest.importorskip("mindbridge.safety.resources")


@pytest.fixture(scope="module")
def screen() -> Callable[..., Any]:
    try:
        screening.screen("hello", context=())
    except (FileNotFoundError, OSError) as exc:  # the safety model is trained separately
        pytest.skip(f"safety screener not ready: {exc}")
    return screening.screen  # type: ignore[no-any-return]


def crisis_response(s: Any) -> Sequence[str]:
    message = templates.crisis_message(
        s.level, locale="en-GB", concern_for_other=s.concern_for_other, has_safety_plan=False
    )
    return [message.text()] if message else []


def support_resources(context: CompanionContext) -> Sequence[str]:
    return [r.contact_line() for r in resources.resources_for_locale("en-GB")]


def deps(screen: Callable[..., Any]) -> Deps:
    return Deps(screen=screen, crisis_response=crisis_response, support_resources=support_resources)


def test_real_screener_and_templates_interrupt_and_resume(screen: Callable[..., Any]) -> None:
    companion = Companion(deps(screen))
    context = make_context()
    state = ConversationState()
    for line in ["I'd like to do a thought record", "4", "a row with my brother"]:
        state = companion.turn(state, line, context).new_state
    result = companion.turn(state, "I want to kill myself", context)
    assert result.risk_level in {"elevated", "imminent"}
    expected = crisis_response(screening.screen("I want to kill myself", context=state.recent_user))
    assert result.reply_messages == expected  # exactly the fixed template, nothing of ours
    assert "are you thinking about ending your life?" in result.reply_messages[0]
    state = result.new_state
    assert state.paused is not None and state.flow is None
    # the screener reads the recent turns; saying safe may need one more message to settle
    for line in [
        "I'm safe now, I won't act on it",
        "I'm safe now",
        "I feel calmer now, let's continue",
    ]:
        result = companion.turn(state, line, context)
        state = result.new_state
        if state.flow is not None:
            break
    assert state.flow is not None and state.flow.flow_id == "thought_record"
    assert result.risk_level in {"none", "low"}


def test_real_screener_passes_ordinary_conversation(screen: Callable[..., Any]) -> None:
    companion = Companion(deps(screen))
    state = ConversationState()
    night = make_context({"now": "2026-03-03T02:00:00+00:00"})
    for line in ["hi", "I can't sleep again", "yes", "5", "yes", "ok", "4", "3"]:
        result = companion.turn(state, line, night)
        state = result.new_state
        assert result.risk_level in {"none", "low"}, line
    assert result.action("flow_completed") is not None


def test_out_of_hours_handoff_lists_real_resources(screen: Callable[..., Any]) -> None:
    result = Companion(deps(screen)).turn(
        ConversationState(), "I want to talk to a person", make_context()
    )
    lines = [r.contact_line() for r in resources.resources_for_locale("en-GB")]
    assert lines and all(line in result.reply_messages for line in lines)
