"""Conversation behaviour: safety interruption and resumption, memory, homework, hand-off,
stop, help and not-understood. State and memory go through JSON between turns."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from mindbridge.companion import (
    Companion,
    CompanionContext,
    ConversationState,
    Deps,
    FlowPosition,
    Homework,
    Memory,
    TurnResult,
    wording,
)
from mindbridge.companion.ports import level_of

from .fakes import CRISIS_TEMPLATE, RESOURCES, FakeScreener, FakeScreening, make_context, make_deps


class Chat:
    """One person's conversation, stored as JSON between turns like the lead will."""

    def __init__(self, deps: Deps | None = None, context: CompanionContext | None = None) -> None:
        self.companion = Companion(deps or make_deps())
        self.context = context or make_context()
        self.state = json.dumps(ConversationState().to_dict())
        self.memory = json.dumps(self.context.memory.to_dict())
        self.last: TurnResult | None = None

    def say(self, text: str, **context_changes: object) -> TurnResult:
        if context_changes:
            self.context = replace(self.context, **context_changes)  # type: ignore[arg-type]
        ctx = replace(self.context, memory=Memory.from_dict(json.loads(self.memory)))
        result = self.companion.turn(ConversationState.from_dict(json.loads(self.state)), text, ctx)
        self.state = json.dumps(result.new_state.to_dict())
        self.memory = json.dumps(result.new_memory.to_dict())
        self.last = result
        return result

    @property
    def reply(self) -> str:
        assert self.last is not None
        return "\n".join(self.last.reply_messages)

    def state_now(self) -> ConversationState:
        return ConversationState.from_dict(json.loads(self.state))

    def memory_now(self) -> Memory:
        return Memory.from_dict(json.loads(self.memory))


def kinds(result: TurnResult) -> list[str]:
    return [a.kind for a in result.actions]


def start_thought_record(chat: Chat) -> None:
    chat.say("I'd like to do a thought record")
    chat.say("4")
    chat.say("my manager criticised my report")
    chat.say("ashamed")
    assert "How strong was that feeling" in chat.reply


# --- safety --------------------------------------------------------------------------------------


def test_crisis_interrupts_a_flow_immediately_and_pauses_it() -> None:
    chat = Chat()
    start_thought_record(chat)
    result = chat.say("honestly I just want to kill myself")
    assert result.risk_level == "elevated"
    assert result.reply_messages == [CRISIS_TEMPLATE, "(level elevated)"]
    crisis = result.action("crisis")
    assert crisis is not None and crisis.data["paused_flow"] == "thought_record"
    state = chat.state_now()
    assert state.crisis and state.flow is None
    assert state.paused is not None and state.paused.step == "intensity"
    assert state.paused.values["emotion"] == "ashamed"


def test_flow_resumes_only_when_safe_and_screened_low() -> None:
    screen = FakeScreener(overrides={"I'm safe now, honestly I want to die": "elevated"})
    chat = Chat(make_deps(screen=screen))
    start_thought_record(chat)
    chat.say("I want to die")
    # not a statement of safety: the flow stays paused, no crisis text of our own
    result = chat.say("ok")
    assert result.risk_level == "none" and chat.state_now().crisis
    assert chat.state_now().paused is not None and chat.state_now().flow is None
    assert "When you feel safe and ready" in chat.reply and CRISIS_TEMPLATE not in chat.reply
    # says safe, but the message itself screens elevated: crisis response again
    result = chat.say("I'm safe now, honestly I want to die")
    assert result.reply_messages[0] == CRISIS_TEMPLATE
    assert result.action("crisis") is not None and result.action("crisis").data["repeat"] is True
    assert chat.state_now().flow is None
    # safe and screened none: resume exactly where it stopped
    result = chat.say("I'm safe now")
    assert "crisis_cleared" in kinds(result)
    assert "How strong was that feeling" in chat.reply
    state = chat.state_now()
    assert not state.crisis and state.flow is not None and state.flow.step == "intensity"
    # and the exercise carries on to the end with the earlier answers kept
    for answer in [
        "80",
        "I'm useless",
        "90",
        "report was late",
        "boss praised me",
        "one report",
        "50",
        "40",
        "6",
        "4",
    ]:
        result = chat.say(answer)
    done = result.action("flow_completed")
    assert done is not None
    assert done.data["outputs"]["situation"] == "my manager criticised my report"
    assert done.data["outputs"]["belief_after"] == 50


def test_continue_after_crisis_also_resumes() -> None:
    chat = Chat()
    start_thought_record(chat)
    chat.say("I want to hurt myself")
    result = chat.say("can we continue")
    assert chat.state_now().flow is not None
    assert "How strong was that feeling" in "\n".join(result.reply_messages)


def test_imminent_level_and_multi_turn_context_reach_the_screener() -> None:
    screen = FakeScreener()
    chat = Chat(make_deps(screen=screen))
    chat.say("hi")
    chat.say("I want to die")
    result = chat.say("I have the pills")
    assert result.risk_level == "imminent"
    assert (
        result.action("crisis") is not None and result.action("crisis").data["level"] == "imminent"
    )
    text, context = screen.calls[-1]
    assert text == "I have the pills" and context == ("hi", "I want to die")


def test_crisis_without_a_responder_or_with_a_failing_one_uses_the_fallback() -> None:
    def broken(screening: object) -> list[str]:
        raise RuntimeError("templates unavailable")

    for deps in (Deps(screen=FakeScreener()), Deps(screen=FakeScreener(), crisis_response=broken)):
        result = Chat(deps).say("I want to kill myself")
        assert result.reply_messages == [wording.FALLBACK_CRISIS]
        assert result.risk_level == "elevated"


def test_screening_failure_changes_nothing_and_reports_no_level() -> None:
    class Broken:
        def __call__(self, text: str, *, context: object = ()) -> FakeScreening:
            raise TimeoutError

    chat = Chat()
    start_thought_record(chat)
    before = chat.state_now()
    chat.companion = Companion(Deps(screen=Broken()))
    result = chat.say("70")
    assert result.risk_level is None
    assert result.reply_messages == [wording.SCREENING_UNAVAILABLE]
    assert result.new_state.flow == before.flow


def test_unknown_screening_levels_count_as_elevated() -> None:
    assert level_of(FakeScreening("NONE")) == "none"
    assert level_of(FakeScreening("weird")) == "elevated"


def test_talk_to_a_person_in_crisis_mode_is_urgent() -> None:
    chat = Chat()
    chat.say("I want to kill myself")
    result = chat.say("I want to talk to a person")
    handoff = result.action("handoff")
    assert handoff is not None and handoff.data["urgent"] is True
    assert chat.state_now().crisis


# --- leaving, help, not understood ---------------------------------------------------------------


def test_stop_leaves_the_flow_kindly_and_records_an_incomplete_outcome() -> None:
    chat = Chat()
    start_thought_record(chat)
    result = chat.say("stop")
    assert "we'll stop thought record here" in chat.reply
    stopped = result.action("flow_stopped")
    assert stopped is not None and stopped.data["outcome"]["completed"] is False
    assert stopped.data["outputs"]["emotion"] == "ashamed"
    assert chat.state_now().flow is None
    outcome = chat.memory_now().outcomes[-1]
    assert (
        outcome.flow_id == "thought_record" and not outcome.completed and outcome.mood_before == 4
    )


def test_words_like_stop_inside_an_answer_are_an_answer() -> None:
    chat = Chat()
    chat.say("I'd like to do a thought record")
    chat.say("4")
    result = chat.say("I couldn't stop crying at work")
    assert result.action("flow_stopped") is None
    assert chat.state_now().flow is not None
    assert "What did you feel" in chat.reply


def test_help_mid_flow_explains_and_asks_again() -> None:
    chat = Chat()
    start_thought_record(chat)
    chat.say("help")
    assert "computer program" in chat.reply and "How strong was that feeling" in chat.reply
    assert chat.state_now().flow is not None


def test_not_understood_is_honest_and_offers_a_menu_that_can_be_picked_by_number() -> None:
    chat = Chat()
    result = chat.say("asdfgh")
    assert result.intent == "not_understood"
    assert wording.NOT_UNDERSTOOD in chat.reply
    assert "1. Slow breathing" in chat.reply and "2. 5-4-3-2-1 grounding" in chat.reply
    result = chat.say("2")
    assert result.flow_id == "grounding_54321"


def test_off_topic_and_bot_questions_are_answered_honestly() -> None:
    chat = Chat()
    chat.say("what's the weather like tomorrow")
    assert "outside what I can help with" in chat.reply
    chat.say("are you a real person?")
    assert "computer program, not a person" in chat.reply


def test_declining_an_offer_is_respected() -> None:
    chat = Chat()
    chat.say("I'm so stressed")
    result = chat.say("no thanks")
    assert result.flow_id is None and chat.state_now().offer is None
    assert wording.DECLINED in chat.reply


# --- hand-off ------------------------------------------------------------------------------------


def test_handoff_in_hours_messages_the_clinician() -> None:
    chat = Chat(context=make_context({"clinician_available": True, "clinician_name": "Dr Lee"}))
    result = chat.say("I want to talk to a person")
    handoff = result.action("handoff")
    assert handoff is not None
    assert handoff.data == {
        "mode": "message_clinician",
        "urgent": False,
        "clinician": "Dr Lee",
        "paused_flow": None,
    }
    assert "I'll let Dr Lee know" in chat.reply and RESOURCES not in chat.reply


def test_handoff_out_of_hours_gives_resources_and_pauses_the_flow() -> None:
    chat = Chat()
    start_thought_record(chat)
    result = chat.say("can I speak to my therapist please")
    handoff = result.action("handoff")
    assert handoff is not None and handoff.data["mode"] == "out_of_hours"
    assert handoff.data["paused_flow"] == "thought_record"
    assert RESOURCES in chat.reply and "say 'continue'" in chat.reply
    chat.say("continue")
    assert chat.state_now().flow is not None and "How strong was that feeling" in chat.reply


def test_handoff_without_a_resource_provider_falls_back() -> None:
    chat = Chat(Deps(screen=FakeScreener()))
    chat.say("get me a human")
    assert wording.FALLBACK_RESOURCES in chat.reply


# --- topics, reflection, approvals ---------------------------------------------------------------


def test_topic_offers_fit_the_time_of_night() -> None:
    night = Chat(context=make_context({"now": "2026-03-03T02:00:00+00:00"}))
    night.say("I can't sleep again")
    assert night.state_now().offer.flow_ids[0] == "cbti_stimulus_control"
    day = Chat()
    day.say("I can't sleep again")
    assert day.state_now().offer.flow_ids[0] == "sleep_diary"


def test_routing_examples_from_the_brief() -> None:
    expectations = {
        "I'm panicking about tomorrow": {"grounding_54321", "paced_breathing"},
        "I keep putting off my thesis": {"procrastination_tiny_step"},
        "my head won't stop going over it": {"worry_time"},
    }
    for text, flows in expectations.items():
        chat = Chat()
        chat.say(text)
        offer = chat.state_now().offer
        assert offer is not None and offer.flow_ids[0] in flows, text


def test_emotion_reflection_when_an_analyser_is_wired() -> None:
    chat = Chat(make_deps(emotions={"sadness": 0.8, "joy": 0.1}))
    chat.say("I feel so down")
    assert "It sounds like you're feeling really low right now." in chat.reply
    plain = Chat()
    plain.say("I feel so down")
    assert "It sounds like" not in plain.reply and wording.TOPIC_OPENERS["low_mood"] in plain.reply


def test_failing_analysers_do_not_break_a_turn() -> None:
    def boom(text: str) -> dict[str, float]:
        raise RuntimeError

    deps = Deps(screen=FakeScreener(), emotions=boom, distortions=boom)
    chat = Chat(deps)
    chat.say("I feel so down")
    assert wording.TOPIC_OPENERS["low_mood"] in chat.reply
    chat.say("thought record")
    for answer in ["4", "late report", "ashamed", "80", "I'm useless", "90"]:
        chat.say(answer)
    assert "What makes the thought feel true" in chat.reply  # trap step skipped, no crash


def test_sleep_restriction_needs_clinician_approval() -> None:
    chat = Chat()
    result = chat.say("sleep restriction")
    assert result.flow_id is None and chat.state_now().flow is None
    assert "flow_unavailable" in kinds(result)
    assert "set up together with your clinician" in chat.reply
    approved = Chat(context=make_context({"approved_flows": ["cbti_sleep_restriction"]}))
    assert approved.say("sleep restriction").flow_id == "cbti_sleep_restriction"


def test_sleep_restriction_with_too_few_diary_nights_exits_and_sets_diary_homework() -> None:
    chat = Chat(context=make_context({"approved_flows": ["cbti_sleep_restriction"]}))
    chat.say("my sleep window")
    result = chat.say("5")
    assert "at least 7 nights" in chat.reply and "I have 0" in chat.reply
    assert result.action("flow_exited") is not None
    assert chat.memory_now().homework[-1].flow_id == "sleep_diary"


def test_blocked_flows_from_the_recommender_are_never_offered() -> None:
    chat = Chat(
        context=make_context({"blocked_flows": {"grounding_54321": "excluded by your clinician"}})
    )
    chat.say("I'm panicking")
    assert chat.state_now().offer.flow_ids == ["paced_breathing"]
    result = chat.say("grounding exercise please")
    assert result.flow_id is None and "flow_unavailable" in kinds(result)


def test_recommender_order_refines_offers() -> None:
    chat = Chat(context=make_context({"suggested_flows": ["thought_record", "paced_breathing"]}))
    chat.say("I feel really anxious")
    assert chat.state_now().offer.flow_ids[:2] == ["thought_record", "paced_breathing"]


# --- memory and homework -------------------------------------------------------------------------


def test_memory_and_homework_round_trip_across_conversations() -> None:
    chat = Chat(context=make_context({}, memory=Memory(name="Priya")))
    result = chat.say("hi")
    assert result.reply_messages[0] == "Hi Priya!"
    # plan an activity: it becomes homework due tomorrow
    for line in [
        "I want to plan an activity",
        "5",
        "plan",
        "call my sister",
        "tomorrow at 6",
        "yes",
        "5",
        "6",
        "6",
        "4",
    ]:
        result = chat.say(line)
    assert result.action("flow_completed") is not None
    homework = chat.memory_now().homework
    assert [h.flow_id for h in homework] == ["behavioural_activation"]
    assert (
        homework[0].due == "2026-03-03" and homework[0].title == "Planned activity: call my sister"
    )

    # the next day, a new conversation (fresh state, same memory)
    chat.state = json.dumps(ConversationState().to_dict())
    result = chat.say("hello", now=datetime.fromisoformat("2026-03-03T19:00:00+00:00"))
    assert (
        "Hi Priya!" in chat.reply
        and "'Planned activity: call my sister' on your plan" in chat.reply
    )
    result = chat.say("yes")
    assert result.flow_id == "behavioural_activation"
    assert chat.state_now().flow.homework_id == homework[0].id
    for line in ["6", "yes", "7", "8"]:  # mood, did it, mastery, pleasure (review path)
        result = chat.say(line)
    assert "Achievement 7 out of 10, enjoyment 8 out of 10" in chat.reply
    chat.say("7")
    result = chat.say("5")
    done = result.action("homework_completed")
    assert done is not None and done.data["status"] == "done"
    assert "homework done" in chat.reply
    memory = chat.memory_now()
    assert memory.homework[0].status == "done" and memory.homework[0].done_count == 1
    assert [o.flow_id for o in memory.outcomes] == [
        "behavioural_activation",
        "behavioural_activation",
    ]
    assert memory.outcomes[-1].mood_before == 6 and memory.outcomes[-1].helpfulness == 5


def test_daily_homework_moves_to_the_next_day_until_it_ends() -> None:
    memory = Memory(
        name="Sam",
        homework=[
            Homework(
                "hw1", "mood_checkin", "Mood check-in", due="2026-03-02", repeat_until="2026-03-03"
            )
        ],
    )
    chat = Chat(context=make_context({}, memory=memory))
    chat.say("hey")
    for line in ["yes", "6", "fine", "skip", "6", "4"]:
        result = chat.say(line)
    assert result.action("homework_completed").data == {
        "homework_id": "hw1",
        "status": "open",
        "next_due": "2026-03-03",
    }
    assert "I'll remind you again tomorrow" in chat.reply
    chat.state = json.dumps(ConversationState().to_dict())
    chat.say("hi", now=datetime.fromisoformat("2026-03-03T09:00:00+00:00"))
    for line in ["yes", "7", "ok", "skip", "7", "4"]:
        result = chat.say(line)
    assert result.action("homework_completed").data["status"] == "done"


def test_declining_homework_and_asking_for_it_later() -> None:
    memory = Memory(
        homework=[Homework("hw1", "worry_time", "Worry time at 6 pm", due="2026-03-02")]
    )
    chat = Chat(context=make_context({}, memory=memory))
    chat.say("hi")
    chat.say("not now")
    assert "on your plan when you're ready" in chat.reply
    chat.say("what's my homework")
    assert "- Worry time at 6 pm (due 2026-03-02)" in chat.reply
    result = chat.say("yes")
    assert result.flow_id == "worry_time" and chat.state_now().flow.homework_id == "hw1"
    chat.say("3")
    assert "Welcome to worry time" in chat.reply  # opened from homework: the session path


def test_a_long_gap_pauses_the_flow_and_the_greeting_offers_to_resume() -> None:
    chat = Chat()
    start_thought_record(chat)
    later = chat.context.now + timedelta(hours=5)
    result = chat.say("hi", now=later)
    assert "Hi Sam!" in chat.reply and "middle of thought record" in chat.reply
    assert "flow_paused" in kinds(result)
    chat.say("yes", now=later)
    assert "How strong was that feeling" in chat.reply


def test_the_person_can_tell_the_companion_their_name() -> None:
    chat = Chat(context=make_context({}, memory=Memory()))
    chat.say("call me Jo")
    assert chat.memory_now().name == "Jo"
    chat.say("bye")
    assert "Take care, Jo." in chat.reply


def test_an_updated_flow_version_ends_the_old_run_gently() -> None:
    chat = Chat()
    state = ConversationState(
        flow=FlowPosition("paced_breathing", "0.9.0", "minutes"),
        last_turn_at=chat.context.now.isoformat(),
    )
    chat.state = json.dumps(state.to_dict())
    result = chat.say("3")
    assert wording.FLOW_UPDATED in chat.reply
    assert result.action("flow_stopped") is not None and chat.state_now().flow is None


# --- state ---------------------------------------------------------------------------------------


def test_turn_does_not_mutate_its_inputs_and_state_round_trips() -> None:
    companion = Companion(make_deps())
    state = ConversationState()
    memory = Memory(name="Sam")
    context = make_context({}, memory=memory)
    before = (json.dumps(state.to_dict()), json.dumps(memory.to_dict()))
    result = companion.turn(state, "I'd like to do a thought record", context)
    assert (json.dumps(state.to_dict()), json.dumps(memory.to_dict())) == before
    dumped = json.loads(json.dumps(result.to_dict()))
    assert ConversationState.from_dict(dumped["new_state"]) == result.new_state
    assert Memory.from_dict(dumped["new_memory"]) == result.new_memory


def test_newer_stored_versions_are_refused() -> None:
    with pytest.raises(ValueError, match="newer"):
        ConversationState.from_dict({"version": 99})
    with pytest.raises(ValueError, match="newer"):
        Memory.from_dict({"version": 99})


def test_context_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CompanionContext(now=datetime(2026, 3, 2, 14, 0))


def test_outcomes_feed_the_recommender() -> None:
    from mindbridge.recommender import Outcome, reward

    chat = Chat()
    for line in ["can we do a breathing exercise", "4", "1 minute", "done", "no", "7", "5"]:
        chat.say(line)
    outcome = chat.memory_now().outcomes[-1]
    past = outcome.as_past_exercise()
    assert (
        past.exercise_id,
        past.completed,
        past.helpfulness,
        past.mood_before,
        past.mood_after,
    ) == ("paced_breathing", True, 5, 4, 7)
    value = reward(Outcome(past.completed, past.helpfulness, past.mood_before, past.mood_after))
    assert value == 1.0  # rated 5 with mood up 3 points: the full reward


def test_the_crisis_action_carries_the_screeners_record() -> None:
    class Recorded(FakeScreening):
        def to_dict(self) -> dict[str, object]:
            return {"level": self.level, "evidence": ["pattern"]}

    class Screen:
        def __call__(self, text: str, *, context: object = ()) -> FakeScreening:
            return Recorded("imminent") if "die" in text else FakeScreening("none")

    result = Chat(Deps(screen=Screen())).say("I want to die")
    assert result.action("crisis").data["screening"] == {
        "level": "imminent",
        "evidence": ["pattern"],
    }


def test_when_everything_is_blocked_the_companion_still_answers() -> None:
    from mindbridge.companion import FLOW_IDS

    blocked = {f: "excluded by your clinician" for f in FLOW_IDS}
    chat = Chat(context=make_context({"blocked_flows": blocked, "suggested_flows": ["worry_time"]}))
    chat.say("I'm panicking")
    assert wording.NOTHING_TO_OFFER in chat.reply and chat.state_now().offer is None
    chat.say("asdfgh")
    assert wording.NOT_UNDERSTOOD in chat.reply and wording.NOTHING_TO_OFFER in chat.reply


def test_opening_the_chat_without_text_greets() -> None:
    chat = Chat()
    result = chat.say("")
    assert result.reply_messages[0] == "Hi Sam!" and chat.state_now().recent_user == []
