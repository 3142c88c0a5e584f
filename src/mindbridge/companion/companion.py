"""The conversation engine: one call per message, safety first, state in and state out.

`Companion.turn(state, user_text, context)` runs, in this order:

1. **Screening** of the message with the injected screener, given the recent user messages.
   Elevated or imminent: the flow in progress is paused, the reply is the safety capability's
   fixed crisis response (never our own words, beyond a minimal fallback) and a `crisis`
   action tells the lead to alert. The conversation stays in crisis mode until the person
   says they are safe or want to continue AND that message screens none/low; only then does
   the paused flow resume. A screener failure replies with an apology and changes nothing.
2. **An exercise in progress** takes the message as its answer, except "talk to a person"
   (hand-off, flow paused), "stop" (flow ended kindly) and "help".
3. **Otherwise** the router decides: an offer just made can be taken ("yes", "2"); a named
   exercise starts; a topic gets an acknowledgement (an emotion reflection when an analyser
   is wired, or a short generative reply in guarded generative mode) and an offer of fitting
   exercises; greetings use the person's name and mention due homework; anything unclear is
   answered honestly with a menu.

Nothing here does I/O: side effects are returned as `actions` for the lead to carry out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mindbridge.companion import engine, wording
from mindbridge.companion.answers import AnswerError, Option, normalise, parse_choice
from mindbridge.companion.flowspec import (
    AnyAnswer,
    ChoiceAnswer,
    Expect,
    Flow,
    FlowLibrary,
    NumberAnswer,
    YesNoAnswer,
    default_flows,
)
from mindbridge.companion.ports import CRISIS_LEVELS, Deps, ScreeningLike, level_of
from mindbridge.companion.router import EXERCISE_PREFIX, TOPICS, Route, Router
from mindbridge.companion.state import (
    Action,
    CompanionContext,
    ConversationState,
    FlowPosition,
    Memory,
    Offer,
    Suggested,
    TurnResult,
)

MAX_INPUT_CHARS = 2000
SESSION_GAP = timedelta(minutes=60)  # after this long a message starts a new session
MAX_OFFERED = 3

# Exercises offered per topic, best first (the recommender's order refines it).
TOPIC_FLOWS: dict[str, tuple[str, ...]] = {
    "sleep": ("sleep_diary", "cbti_stimulus_control", "cbti_sleep_restriction", "psychoeducation"),
    "panic": ("grounding_54321", "paced_breathing"),
    "anxiety": ("paced_breathing", "grounding_54321", "thought_record"),
    "worry": ("worry_time", "thought_record", "paced_breathing"),
    "procrastination": ("procrastination_tiny_step", "problem_solving"),
    "low_mood": ("behavioural_activation", "self_compassion", "mood_checkin"),
    "negative_thoughts": ("thought_record", "self_compassion"),
    "self_criticism": ("self_compassion", "thought_record"),
    "problem": ("problem_solving", "procrastination_tiny_step"),
    "avoidance": ("graded_exposure", "thought_record", "psychoeducation"),
    "stress": ("paced_breathing", "progressive_muscle_relaxation", "problem_solving"),
}
# At night a sleepless person needs what helps now, not tomorrow's diary.
NIGHT_SLEEP_FLOWS = ("cbti_stimulus_control", "paced_breathing", "progressive_muscle_relaxation")
# Topics where a (guarded) generative reply may stand in for the fixed acknowledgement.
REFLECTIVE_TOPICS = frozenset(
    {"low_mood", "stress", "negative_thoughts", "self_criticism", "worry", "problem"}
)
PSYCHOEDUCATION_PREFILL = {"sleep": "sleep", "avoidance": "anxiety", "worry": "worry"}
MENU = (
    "paced_breathing",
    "grounding_54321",
    "thought_record",
    "behavioural_activation",
    "sleep_diary",
    "worry_time",
)


def _is_night(now: datetime) -> bool:
    return now.hour >= 22 or now.hour < 6


@dataclass
class _Turn:
    """One turn's working set; `Companion.turn` builds it and returns its result."""

    companion: Companion
    state: ConversationState
    memory: Memory
    context: CompanionContext
    text: str
    messages: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    intent: str = ""
    level: str | None = None
    touched_flow: str | None = None
    recommended: dict[str, list[Suggested]] = field(default_factory=dict)
    ranked: tuple[str, ...] | None = None

    @property
    def flows(self) -> FlowLibrary:
        return self.companion.flows

    def suggested_flows(self) -> tuple[str, ...]:
        """The recommender's order for offers: given, or asked for once in this turn."""
        if self.context.suggested_flows or self.context.rank is None:
            return self.context.suggested_flows
        if self.ranked is None:
            try:
                self.ranked = tuple(self.context.rank())
            except Exception:  # a ranking failure costs only the order of the offers
                self.ranked = ()
        return self.ranked

    def env(self, flow: Flow) -> engine.FlowEnv:
        return engine.FlowEnv(flow, self.memory, self.context, self.companion.deps.distortions)

    def result(self) -> TurnResult:
        flow_id = self.state.flow.flow_id if self.state.flow else self.touched_flow
        return TurnResult(
            reply_messages=[m for m in self.messages if m],
            actions=self.actions,
            new_state=self.state,
            flow_id=flow_id,
            risk_level=self.level,
            new_memory=self.memory,
            intent=self.intent,
            suggestions=self.suggestions,
        )

    # --- flows ---------------------------------------------------------------------------

    def title(self, flow_id: str) -> str:
        flow = self.flows.get(flow_id)
        return flow.title if flow else flow_id.replace("_", " ")

    def blocked(self, flow_id: str) -> str | None:
        """Why this person may not be offered `flow_id` now, or None."""
        if flow_id not in self.flows:
            return "unknown exercise"
        reason = self.context.blocked_flows.get(flow_id)
        if reason:
            return reason
        if self.flows[flow_id].requires_approval and flow_id not in self.context.approved_flows:
            return "needs clinician approval"
        return None

    def apply(self, progress: engine.Progress, flow_id: str) -> None:
        self.messages.extend(progress.messages)
        self.actions.extend(progress.actions)
        self.state.flow = progress.position
        self.touched_flow = flow_id
        self.suggestions = _suggestions(progress.expect)
        if progress.finished and progress.completed:
            self.offer_next_homework(exclude=flow_id)
            if self.state.offer is None:
                self.offer_recommended(
                    "after_exercise",
                    "If you'd like to do something else later, here's what I'd suggest:",
                    exclude=(flow_id,),
                    ask="Say yes for the first one, pick a number, or just carry on.",
                )

    def start_flow(
        self,
        flow_id: str,
        *,
        homework_id: str | None = None,
        prefill: dict[str, object] | None = None,
    ) -> None:
        reason = self.blocked(flow_id)
        if reason is not None:
            clinician = self.context.clinician_name or "your clinician"
            self.messages.append(
                f"{self.title(flow_id)} is something to set up together with {clinician} "
                "first. If you'd like, say 'talk to a person' and I'll let them know you're "
                "interested."
            )
            self.actions.append(Action("flow_unavailable", {"flow_id": flow_id, "reason": reason}))
            self.offer_menu(exclude=(flow_id,))
            return
        flow = self.flows[flow_id]
        self.state.offer = None
        if self.state.paused and self.state.paused.flow_id != flow_id:
            self.drop_paused()
        self.messages.append(f"Okay, let's start: {flow.title}.")
        progress = engine.start(self.env(flow), homework_id=homework_id, prefill=prefill)
        self.apply(progress, flow_id)

    def resume(self) -> None:
        position = self.state.paused
        assert position is not None
        self.state.paused = None
        self.state.offer = None
        flow = self.flows.get(position.flow_id)
        if flow is None:
            self.messages.append(wording.FLOW_UPDATED)
            return
        self.messages.append(f"Let's pick up {flow.title.lower()} where we left off.")
        self.apply(engine.reprompt(self.env(flow), position), flow.id)

    def stop_position(self, position: FlowPosition) -> None:
        flow = self.flows.get(position.flow_id)
        if flow is None:
            return
        progress = engine.stop(self.env(flow), position)
        self.actions.extend(progress.actions)
        self.touched_flow = flow.id

    def drop_paused(self) -> None:
        if self.state.paused is not None:
            self.stop_position(self.state.paused)
            self.state.paused = None

    def pause_flow(self) -> None:
        if self.state.flow is None:
            return
        if self.state.paused is not None:
            self.drop_paused()
        self.state.paused = self.state.flow
        self.state.flow = None
        self.touched_flow = self.state.paused.flow_id
        self.actions.append(Action("flow_paused", {"flow_id": self.state.paused.flow_id}))

    # --- offers --------------------------------------------------------------------------

    def offer_flows(
        self,
        flow_ids: Sequence[str],
        lead: str,
        prefill: dict[str, object],
        *,
        menu_if_none: bool = True,
    ) -> None:
        allowed = [f for f in dict.fromkeys(flow_ids) if self.blocked(f) is None][:MAX_OFFERED]
        if not allowed:
            if menu_if_none:
                self.offer_menu()
            else:
                self.messages.append(wording.NOTHING_TO_OFFER)
            return
        lines = [
            f"{i}. {self.flows[f].title}, {self.flows[f].duration_minutes} min"
            for i, f in enumerate(allowed, 1)
        ]
        self.messages.append("\n".join([lead, *lines] if lead else lines))
        if len(allowed) == 1:
            self.messages.append("Would you like to start it? Or just tell me more.")
        else:
            self.messages.append(
                "Say yes for the first one, or pick a number. Or just tell me more."
            )
        self.state.offer = Offer("flows", list(allowed), prefill=dict(prefill))
        self.suggestions = [self.flows[f].title for f in allowed]

    def recommendations(self, surface: str) -> list[Suggested]:
        """The recommender's suggestions for this surface (asked at most once per turn)."""
        if self.context.recommend is None:
            return []
        if surface not in self.recommended:
            try:
                found = list(self.context.recommend(surface))
            except Exception:  # a recommender failure only costs the suggestion
                found = []
            self.recommended[surface] = [
                s for s in found if s.flow_id in self.flows and self.blocked(s.flow_id) is None
            ]
        return self.recommended[surface]

    def offer_recommended(
        self,
        surface: str,
        lead: str,
        *,
        exclude: Sequence[str] = (),
        ask: str = "Say yes for the first one, or pick a number. Or just tell me more.",
    ) -> bool:
        """Offer the top suggestion and two alternatives, each with its reason."""
        picks = [s for s in self.recommendations(surface) if s.flow_id not in exclude]
        picks = picks[:MAX_OFFERED]
        if not picks:
            return False
        lines = [
            f"{i}. {self.flows[s.flow_id].title}, {self.flows[s.flow_id].duration_minutes} min."
            + (f" {s.reason}" if s.reason else "")
            for i, s in enumerate(picks, 1)
        ]
        self.messages.append("\n".join([lead, *lines]))
        self.messages.append(ask)
        self.state.offer = Offer("flows", [s.flow_id for s in picks])
        self.suggestions = [self.flows[s.flow_id].title for s in picks]
        return True

    def offer_menu(
        self, lead: str = "Here are some things we could do:", exclude: Sequence[str] = ()
    ) -> None:
        ranked = [f for f in self.suggested_flows() if f in self.flows] + list(MENU)
        self.offer_flows([f for f in ranked if f not in exclude], lead, {}, menu_if_none=False)

    def offer_next_homework(self, exclude: str | None = None) -> None:
        due = [
            h
            for h in self.memory.homework_to_offer(self.context.now.date())
            if h.flow_id != exclude and self.blocked(h.flow_id) is None
        ]
        if not due:
            return
        homework = due[0]
        self.messages.append(
            f"You also have '{homework.title}' on your plan. Would you like to do it now?"
        )
        self.state.offer = Offer("homework", [homework.flow_id], homework_id=homework.id)
        self.suggestions = ["Yes", "Not now"]

    def take_offer(self, route: Route) -> bool:
        """Handle a reply to the pending offer; False when the message is about something else."""
        offer = self.state.offer
        assert offer is not None
        accept = route.intent in ("yes", "continue")
        if offer.kind == "resume":
            if accept and self.state.paused:
                self.resume()
                return True
            if route.intent == "no":
                self.state.offer = None
                self.drop_paused()
                self.messages.append("No problem, we'll leave it for now.")
                return True
            return False
        if offer.kind == "homework":
            if accept and offer.homework_id:
                self.start_flow(offer.flow_ids[0], homework_id=offer.homework_id)
                return True
            if route.intent == "no":
                self.state.offer = None
                self.messages.append("No problem. It'll be on your plan when you're ready.")
                return True
            return False
        if accept:
            self.start_flow(offer.flow_ids[0], prefill=_prefill_for(offer, offer.flow_ids[0]))
            return True
        if route.intent == "no":
            self.state.offer = None
            self.messages.append(wording.DECLINED)
            return True
        picked = self.pick(offer.flow_ids)
        if picked:
            self.start_flow(picked, prefill=_prefill_for(offer, picked))
            return True
        return False

    def pick(self, flow_ids: Sequence[str]) -> str | None:
        """A flow named by number or title in a short reply ("2", "the breathing one")."""
        if len(normalise(self.text).split()) > 6:
            return None
        options = [
            Option(f, self.flows[f].title, tuple(self.flows[f].title.lower().split()))
            for f in flow_ids
        ]
        try:
            return parse_choice(self.text, options)
        except AnswerError:
            return None

    # --- replies -------------------------------------------------------------------------

    def handoff(self, urgent: bool) -> None:
        self.pause_flow()
        clinician = self.context.clinician_name or "your clinician"
        available = self.context.clinician_available
        self.actions.append(
            Action(
                "handoff",
                {
                    "mode": "message_clinician" if available else "out_of_hours",
                    "urgent": urgent,
                    "clinician": self.context.clinician_name,
                    "paused_flow": self.state.paused.flow_id if self.state.paused else None,
                },
            )
        )
        if available:
            self.messages.append(
                f"Of course. I'll let {clinician} know you'd like to talk, and they'll get "
                "back to you as soon as they can."
            )
        else:
            self.messages.append(
                f"Your care team isn't available right now, so I'll leave {clinician} a "
                "message for when they're back."
            )
            self.messages.extend(self.companion.resources(self.context))
        if self.state.paused:
            self.messages.append(
                f"We can go back to {self.title(self.state.paused.flow_id).lower()} later: "
                "just say 'continue'."
            )

    def greet(self) -> None:
        name = self.memory.name
        self.messages.append(f"Hi {name}!" if name else "Hi!")
        if self.state.paused:
            title = self.title(self.state.paused.flow_id).lower()
            self.messages.append(
                f"Last time we were in the middle of {title}. Would you like to pick it up?"
            )
            self.state.offer = Offer("resume", [self.state.paused.flow_id])
            self.suggestions = ["Yes", "Not now"]
            return
        today = self.context.now.date()
        due = [h for h in self.memory.homework_to_offer(today) if self.blocked(h.flow_id) is None]
        if due:
            more = f" (and {len(due) - 1} more)" if len(due) > 1 else ""
            when = "for today" if due[0].is_due(today) else f"(due {due[0].due})"
            note = f' {self.context.clinician_name or "Your clinician"} added: "{due[0].note}"'
            self.messages.append(
                f"You have '{due[0].title}' on your plan {when}{more}."
                + (note if due[0].note else "")
                + " Would you like to do it now?"
            )
            self.state.offer = Offer("homework", [due[0].flow_id], homework_id=due[0].id)
            self.suggestions = ["Yes", "Not now"]
            return
        self.messages.append("How are you feeling today?")
        self.offer_recommended(
            "greeting",
            "If you'd like something to try, here's what I'd suggest:",
            ask="Say yes for the first one, pick a number, or just tell me how you are.",
        )

    def acknowledge(self, topic: str) -> None:
        """An empathic first line: generative (guarded), else a reflection, else a fixed one."""
        if topic in REFLECTIVE_TOPICS and self.generative_reply():
            return
        reflection = self.companion.reflect(self.text)
        self.messages.append(reflection or wording.TOPIC_OPENERS.get(topic, ""))

    def generative_reply(self) -> bool:
        generator = self.companion.deps.generative
        if generator is None or not self.context.generative_allowed:
            return False
        result = generator.generate(self.state.recent_user)
        text = result.text
        reason = result.reason
        if text is not None:
            try:
                checked = level_of(self.companion.deps.screen(text, context=()))
            except Exception:
                checked = "elevated"
            if checked in CRISIS_LEVELS:
                text, reason = None, "output_screened"
        if text is None:
            self.actions.append(Action("generative_fallback", {"reason": reason}))
            return False
        self.messages.append(text)
        self.actions.append(Action("generative_used", {"model": generator.config.model}))
        return True

    def topic(self, topic: str) -> None:
        flows = TOPIC_FLOWS[topic]
        if topic == "sleep" and _is_night(self.context.now):
            flows = NIGHT_SLEEP_FLOWS
        prefill: dict[str, object] = {}
        if topic in PSYCHOEDUCATION_PREFILL:
            prefill["topic"] = PSYCHOEDUCATION_PREFILL[topic]
        order = {f: i for i, f in enumerate(self.suggested_flows())}
        ranked = sorted(flows, key=lambda f: (order.get(f, len(order)), flows.index(f)))
        self.acknowledge(topic)
        lead = "Would you like to try one of these?"
        if topic == "panic":
            lead = "Let's slow things down together. Would you like to try one of these now?"
        self.offer_flows(ranked, lead, prefill)

    def homework(self) -> None:
        open_items = [h for h in self.memory.homework if h.status == "open"]
        if not open_items:
            self.messages.append(
                "There's nothing on your plan right now. Would you like to try something?"
            )
            self.offer_menu(lead="")
            return
        lines = [f"- {h.title} (due {h.due})" for h in sorted(open_items, key=lambda h: h.due)]
        self.messages.append("Here's what's on your plan:\n" + "\n".join(lines))
        first = min(open_items, key=lambda h: h.due)
        if self.blocked(first.flow_id) is None:
            self.messages.append(f"Would you like to do '{first.title}' now?")
            self.state.offer = Offer("homework", [first.flow_id], homework_id=first.id)
            self.suggestions = ["Yes", "Not now"]


def _prefill_for(offer: Offer, flow_id: str) -> dict[str, object] | None:
    return dict(offer.prefill) if flow_id == "psychoeducation" and offer.prefill else None


def _suggestions(expect: Expect | None) -> list[str]:
    """Quick replies for the chat UI."""
    if isinstance(expect, YesNoAnswer):
        return ["Yes", "No"]
    if isinstance(expect, ChoiceAnswer):
        return [o.label for o in expect.options]
    if isinstance(expect, NumberAnswer) and expect.max - expect.min <= 10:
        return [str(int(v)) for v in range(int(expect.min), int(expect.max) + 1)]
    if isinstance(expect, AnyAnswer):
        return ["Done"]
    return []


class Companion:
    """The companion, wired with its dependencies once and shared across conversations."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.flows = deps.flows if deps.flows is not None else default_flows()
        self.router = deps.router if deps.router is not None else Router.default()

    def turn(
        self, state: ConversationState, user_text: str, context: CompanionContext
    ) -> TurnResult:
        """Answer one message. `state` and `context.memory` are not modified."""
        turn = _Turn(
            companion=self,
            state=ConversationState.from_dict(state.to_dict()),
            memory=Memory.from_dict(context.memory.to_dict()),
            context=context,
            text=user_text.strip()[:MAX_INPUT_CHARS],
        )
        self._run(turn)
        turn.state.turns += 1
        turn.state.last_turn_at = context.now.isoformat()
        return turn.result()

    def begin(
        self, state: ConversationState, flow_id: str, context: CompanionContext
    ) -> TurnResult:
        """Start `flow_id` without a message (a one-tap start from another page).

        There is no text to screen; crisis mode still holds, and the guard rails apply as for
        any start.
        """
        turn = _Turn(
            companion=self,
            state=ConversationState.from_dict(state.to_dict()),
            memory=Memory.from_dict(context.memory.to_dict()),
            context=context,
            text="",
        )
        turn.intent = f"{EXERCISE_PREFIX}{flow_id}"
        turn.level = state.last_risk or "none"
        if turn.state.crisis:
            turn.messages.append(
                "I'm here with you. When you feel safe and ready, tell me and we can start."
            )
            turn.suggestions = ["I'm safe now", "Talk to a person"]
        else:
            if turn.state.flow is not None:
                turn.pause_flow()
            turn.start_flow(flow_id)
        turn.state.turns += 1
        turn.state.last_turn_at = context.now.isoformat()
        return turn.result()

    # --- the turn, in order ----------------------------------------------------------------

    def _run(self, t: _Turn) -> None:
        state = t.state
        new_session = _new_session(state.last_turn_at, t.context.now)
        try:
            screening = self.deps.screen(t.text, context=tuple(state.recent_user))
            t.level = level_of(screening)
        except Exception:
            t.intent = "screening_failed"
            t.messages.append(wording.SCREENING_UNAVAILABLE)
            t.actions.append(Action("screening_failed", {}))
            return
        state.remember_message(t.text)
        state.last_risk = t.level
        if t.level in CRISIS_LEVELS:
            self._crisis(t, screening)
            return
        if state.crisis:
            self._after_crisis(t)
            return
        if new_session:
            state.offer = None  # an old offer must not be taken by a new "yes"
            if state.flow is not None:
                t.pause_flow()
        if state.flow is not None:
            self._in_flow(t)
            return
        route = self.router.route(t.text) if t.text else Route("greeting", 1.0, "open")
        t.intent = route.intent
        if state.offer is not None:
            if t.take_offer(route):
                return
            state.offer = None
        if new_session and t.memory.name and route.intent not in ("greeting", "goodbye"):
            t.messages.append(f"Hi {t.memory.name}.")
        self._route(t, route)

    def _crisis(self, t: _Turn, screening: ScreeningLike) -> None:
        t.intent = "crisis"
        already = t.state.crisis
        t.pause_flow()
        t.state.offer = None
        t.state.crisis = True
        t.messages.extend(self._crisis_lines(screening))
        t.actions.append(
            Action(
                "crisis",
                {
                    "level": t.level,
                    "repeat": already,
                    "paused_flow": t.state.paused.flow_id if t.state.paused else None,
                    "screening": _screening_dict(screening),
                },
            )
        )
        t.suggestions = ["Talk to a person"]

    def _crisis_lines(self, screening: ScreeningLike) -> list[str]:
        if self.deps.crisis_response is not None:
            try:
                lines = [str(line) for line in self.deps.crisis_response(screening) if line]
                if lines:
                    return lines
            except Exception:  # the fallback below is better than no reply at all
                return [wording.FALLBACK_CRISIS]
        return [wording.FALLBACK_CRISIS]

    def _after_crisis(self, t: _Turn) -> None:
        """In crisis mode and this message screened none/low."""
        route = self.router.route(t.text)
        t.intent = route.intent
        state = t.state
        paused_title = t.title(state.paused.flow_id).lower() if state.paused else None
        if route.intent == "human":
            t.handoff(urgent=True)
            return
        if route.intent in ("safe", "continue"):
            state.crisis = False
            t.actions.append(Action("crisis_cleared", {"by": route.intent}))
            t.messages.append("Thank you for letting me know.")
            if state.paused:
                t.resume()
                t.messages.insert(-1, "You can say 'stop' at any point.")
            else:
                t.messages.append("I'm here if you want to talk, or to try something calming.")
            return
        if route.intent == "stop" and state.paused:
            t.drop_paused()
            t.messages.append(
                f"Okay, we'll leave {paused_title}. I'm still here with you, and the support "
                "options I shared are there any time."
            )
            return
        reflection = self.reflect(t.text)
        if reflection:
            t.messages.append(reflection)
        follow = "I'm here with you."
        if paused_title:
            follow += (
                f" When you feel safe and ready, tell me and we can go back to {paused_title}, "
                "or we can leave it."
            )
        follow += " If you'd like to talk to a person, just say so."
        t.messages.append(follow)
        t.suggestions = ["I'm safe now", "Talk to a person"]

    def _in_flow(self, t: _Turn) -> None:
        position = t.state.flow
        assert position is not None
        flow = self.flows.get(position.flow_id)
        if flow is None:
            t.state.flow = None
            t.messages.append(wording.FLOW_UPDATED)
            return
        control = self.router.control(t.text)
        t.intent = control or "answer"
        if control == "human":
            t.handoff(urgent=False)
            return
        if control == "stop":
            t.state.flow = None
            t.stop_position(position)
            t.messages.append(
                f"Okay, we'll stop {flow.title.lower()} here. That's completely fine; you can "
                "come back to it any time."
            )
            return
        if control in ("help", "bot_question"):
            t.messages.append(wording.HELP if control == "help" else wording.BOT_ANSWER)
            t.messages.append(f"We're in the middle of {flow.title.lower()}.")
            t.apply(engine.reprompt(t.env(flow), position), flow.id)
            return
        t.apply(engine.answer(t.env(flow), position, t.text), flow.id)

    def _route(self, t: _Turn, route: Route) -> None:
        intent = route.intent
        state = t.state
        if intent == "human":
            t.handoff(urgent=False)
        elif intent == "stop":
            if state.paused:
                title = t.title(state.paused.flow_id).lower()
                t.drop_paused()
                t.messages.append(f"Okay, we'll leave {title} for now.")
            else:
                t.messages.append(wording.NOTHING_TO_STOP)
        elif intent == "help":
            t.messages.append(wording.HELP)
            t.offer_menu()
        elif intent in ("continue", "yes") and state.paused:
            t.resume()
        elif intent == "greeting":
            t.greet()
        elif intent == "thanks":
            t.messages.append(wording.THANKS)
        elif intent == "goodbye":
            name = t.memory.name
            t.messages.append(wording.GOODBYE.format(name_comma=f", {name}" if name else ""))
        elif intent == "smalltalk":
            t.messages.append(wording.SMALLTALK)
        elif intent == "bot_question":
            t.messages.append(wording.BOT_ANSWER)
        elif intent == "set_name" and route.name:
            t.memory.name = route.name
            t.messages.append(wording.NAME_SAVED.format(name=route.name))
            t.actions.append(Action("memory_updated", {"slot": "name", "value": route.name}))
        elif intent == "safe":
            t.messages.append("I'm glad to hear that. Is there anything you'd like to do?")
        elif intent == "homework":
            t.homework()
        elif intent == "suggest":
            if not t.offer_recommended("suggest", "Here's what I'd suggest right now:"):
                t.offer_menu()
        elif route.flow_id and (intent == "learn" or intent.startswith(EXERCISE_PREFIX)):
            t.start_flow(route.flow_id, prefill=dict(route.prefill) or None)
        elif intent in TOPICS:
            t.topic(intent)
        elif intent == "off_topic":
            t.messages.append(wording.OFF_TOPIC)
            t.offer_menu(lead="")
        elif intent in ("yes", "no", "continue"):
            t.messages.append("Sorry, I've lost track of what we were talking about.")
            t.offer_menu()
        else:
            t.intent = "not_understood"
            if len(t.text.split()) >= 4 and t.generative_reply():
                t.offer_menu(lead="If it would help, we could try one of these:")
                return
            t.messages.append(wording.NOT_UNDERSTOOD)
            t.offer_menu(lead="")

    # --- injected helpers, failure-tolerant ----------------------------------------------------

    def reflect(self, text: str) -> str | None:
        if self.deps.emotions is None or not text:
            return None
        try:
            return wording.reflection(self.deps.emotions(text))
        except Exception:  # an analyser failure only costs the reflection
            return None

    def resources(self, context: CompanionContext) -> list[str]:
        if self.deps.support_resources is not None:
            try:
                lines = [str(line) for line in self.deps.support_resources(context) if line]
                if lines:
                    return lines
            except Exception:  # fall back to the built-in resources
                return [wording.FALLBACK_RESOURCES]
        return [wording.FALLBACK_RESOURCES]


def _screening_dict(screening: ScreeningLike) -> dict[str, object] | None:
    """The screener's own record of its decision (for the alert and the audit), if it has one."""
    to_dict = getattr(screening, "to_dict", None)
    if not callable(to_dict):
        return None
    try:
        data = to_dict()
    except Exception:  # the record is a courtesy; the crisis response does not depend on it
        return None
    return data if isinstance(data, dict) else None


def _new_session(last_turn_at: str | None, now: datetime) -> bool:
    if last_turn_at is None:
        return True
    try:
        last = datetime.fromisoformat(last_turn_at)
    except ValueError:
        return True
    return now - last > SESSION_GAP
