"""The one engine that runs every flow file.

It is a pure step machine over a `FlowPosition`: `start` enters the first step, `answer`
reads one reply to the waiting question and moves on until the next question or the end,
`stop` leaves early, `reprompt` asks the waiting question again. Each returns a `Progress`
(messages, actions, new position). It mutates only the `Memory` it is handed, which the
companion copies per turn.

Every flow is wrapped in the same outcome questions: mood before (0-10) at the start, mood
after (0-10) and helpfulness (1-5) at the end. They are recorded as an `ExerciseOutcome`
in memory and in the `flow_completed` action, which is what the recommender learns from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from mindbridge.companion import wording
from mindbridge.companion.answers import (
    AnswerError,
    is_skip,
    parse_choice,
    parse_clock,
    parse_duration,
    parse_number,
    parse_text,
    parse_yes_no,
)
from mindbridge.companion.expressions import parse, render
from mindbridge.companion.flowspec import (
    END,
    EXIT,
    AnyAnswer,
    ChoiceAnswer,
    ClockAnswer,
    DurationAnswer,
    Expect,
    Flow,
    NumberAnswer,
    Step,
    TextAnswer,
    YesNoAnswer,
)
from mindbridge.companion.ports import DistortionDetector
from mindbridge.companion.state import (
    Action,
    CompanionContext,
    ExerciseOutcome,
    FlowPosition,
    Homework,
    Memory,
)

MOOD_BEFORE = "_mood_before"
MOOD_AFTER = "_mood_after"
HELPFUL = "_helpful"
MAX_HOPS = 200  # steps entered in one turn; more means a loop without a question
MAX_ATTEMPTS = 3  # unreadable answers before an optional question is passed over

_STANDARD: dict[str, tuple[str, Expect, str]] = {
    MOOD_BEFORE: (wording.MOOD_BEFORE, NumberAnswer(type="number", min=0, max=10), "mood_before"),
    MOOD_AFTER: (wording.MOOD_AFTER, NumberAnswer(type="number", min=0, max=10), "mood_after"),
    HELPFUL: (wording.HELPFUL, NumberAnswer(type="number", min=1, max=5), "helpfulness"),
}


@dataclass
class FlowEnv:
    """What a flow run may read and change during one turn."""

    flow: Flow
    memory: Memory
    context: CompanionContext
    distortions: DistortionDetector | None = None

    @property
    def today(self) -> date:
        return self.context.now.date()


@dataclass
class Progress:
    """The result of one engine call. `position` is None once the flow has finished."""

    messages: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    position: FlowPosition | None = None
    finished: bool = False
    completed: bool = False
    expect: Expect | None = None


def namespace(env: FlowEnv, position: FlowPosition) -> dict[str, Any]:
    """Names expressions and templates can read: the built-ins, then this run's values."""
    return {
        "name": env.memory.name or "",
        "memory": env.memory.view(),
        "today": env.today.isoformat(),
        "hour": env.context.now.hour,
        "clinician": env.context.clinician_name or "your clinician",
        "approved": env.flow.id in env.context.approved_flows,
        "flow_title": env.flow.title,
        "homework": _homework_title(env, position),
        **position.values,
    }


def _homework_title(env: FlowEnv, position: FlowPosition) -> str | None:
    """The title of the homework this run was started from (flows branch on it)."""
    if position.homework_id is None:
        return None
    homework = env.memory.homework_by_id(position.homework_id)
    return homework.title if homework else None


def start(
    env: FlowEnv, *, homework_id: str | None = None, prefill: Mapping[str, Any] | None = None
) -> Progress:
    """Begin the flow: mood-before question (unless the flow reuses an answer), then step 1."""
    flow = env.flow
    position = FlowPosition(
        flow_id=flow.id,
        flow_version=flow.version,
        step=flow.steps[0].id,
        values=dict(prefill or {}),
        started_at=env.context.now.isoformat(),
        homework_id=homework_id,
        prefilled=sorted(prefill or {}),
    )
    progress = Progress(
        actions=[Action("flow_started", {"flow_id": flow.id, "version": flow.version})]
    )
    first = MOOD_BEFORE if flow.outcome.mood_before == "ask" else flow.steps[0].id
    return _run(env, position, first, progress)


def expect_of(flow: Flow, position: FlowPosition) -> tuple[str, Expect, str | None, bool] | None:
    """(question text, expected answer, store name, optional) for the waiting step."""
    if position.step in _STANDARD:
        ask, expect, store = _STANDARD[position.step]
        return ask, expect, store, True
    step = flow.step(position.step)
    if step is None or step.ask is None or step.expect is None:
        return None
    return step.ask, step.expect, step.store, step.optional


def reprompt(env: FlowEnv, position: FlowPosition) -> Progress:
    """Ask the waiting question again (after help, a crisis pause or a hand-off)."""
    waiting = expect_of(env.flow, position)
    if waiting is None or position.flow_version != env.flow.version:
        return _abandon(env, position, wording.FLOW_UPDATED)
    ask, expect, _, _ = waiting
    return Progress(
        messages=[render(ask, namespace(env, position))],
        position=position,
        expect=expect,
    )


def answer(env: FlowEnv, position: FlowPosition, text: str) -> Progress:
    """Read `text` as the answer to the waiting question and run on to the next one."""
    position = replace(position, values=dict(position.values))
    waiting = expect_of(env.flow, position)
    if waiting is None or position.flow_version != env.flow.version:
        return _abandon(env, position, wording.FLOW_UPDATED)
    ask, expect, store, optional = waiting
    progress = Progress()
    value: Any
    if optional and is_skip(text):
        value = None
    else:
        try:
            value = read_answer(expect, text)
        except AnswerError as exc:
            position.attempts += 1
            if optional and position.attempts >= MAX_ATTEMPTS:
                value = None
                progress.messages.append("Let's leave that one.")
            else:
                hints = [exc.hint]
                if optional:
                    hints.append(wording.SKIP_HINT)
                elif position.attempts >= 2:
                    hints.append(wording.STOP_HINT)
                progress.messages.append(" ".join(hints))
                progress.messages.append(render(ask, namespace(env, position)))
                progress.position = position
                progress.expect = expect
                return progress
    position.attempts = 0
    if store:
        position.values[store] = value
    if position.step in _STANDARD:
        if position.step == MOOD_BEFORE:
            return _run(env, position, env.flow.steps[0].id, progress)
        if position.step == MOOD_AFTER:
            return _run(env, position, HELPFUL, progress)
        return _finish(env, position, progress, completed=True)
    step = env.flow.step(position.step)
    assert step is not None
    _answered(env, position, step, value)
    return _run(env, position, _next(env, position, step), progress)


def _answered(env: FlowEnv, position: FlowPosition, step: Step, value: Any) -> None:
    """What follows every stored answer, typed or pre-filled: `detect`, then `append`."""
    if step.detect:
        position.values[step.detect] = _detect(env, value) if isinstance(value, str) else []
    if step.append:
        rows = list(position.values.get(step.append.to) or [])
        rows.append({f: position.values.get(f) for f in step.append.fields})
        position.values[step.append.to] = rows


def read_answer(expect: Expect, text: str) -> Any:
    """Parse `text` as the expected kind of answer (raises AnswerError with a hint)."""
    if isinstance(expect, TextAnswer):
        return parse_text(text, expect.min_chars)
    if isinstance(expect, NumberAnswer):
        return parse_number(text, expect.min, expect.max, expect.integer)
    if isinstance(expect, ChoiceAnswer):
        return parse_choice(text, expect.parser_options)
    if isinstance(expect, YesNoAnswer):
        return parse_yes_no(text)
    if isinstance(expect, DurationAnswer):
        return parse_duration(text, expect.min_minutes, expect.max_minutes, expect.default_unit)
    if isinstance(expect, ClockAnswer):
        return parse_clock(text, expect.prefer)
    assert isinstance(expect, AnyAnswer)
    return text.strip()


def stop(env: FlowEnv, position: FlowPosition) -> Progress:
    """Leave the flow early; the outcome is recorded as not completed."""
    return _finish(env, position, Progress(), completed=False, stopped=True)


def _abandon(env: FlowEnv, position: FlowPosition, message: str) -> Progress:
    progress = _finish(env, position, Progress(), completed=False, stopped=True)
    progress.messages.insert(0, message)
    return progress


def _detect(env: FlowEnv, text: str) -> list[str]:
    if env.distortions is None:
        return []
    try:
        return wording.trap_ids(env.distortions(text))
    except Exception:  # an analyser failure must not break the exercise
        return []


def _next(env: FlowEnv, position: FlowPosition, step: Step) -> str:
    ns = namespace(env, position)
    for branch in step.branches:
        if parse(branch.when).evaluate(ns):
            return branch.goto
    return step.next or env.flow.following(step.id)


def _run(env: FlowEnv, position: FlowPosition, target: str, progress: Progress) -> Progress:
    flow = env.flow
    for _ in range(MAX_HOPS):
        if target == END:
            target = MOOD_AFTER
        if target == EXIT:
            return _finish(env, position, progress, completed=False)
        if target in _STANDARD:
            ask, expect, _ = _STANDARD[target]
            position.step = target
            progress.messages.append(ask)
            progress.position, progress.expect = position, expect
            return progress
        step = flow.step(target)
        if step is None:
            break
        ns = namespace(env, position)
        for name, source in step.compute.items():
            ns[name] = position.values[name] = parse(source).evaluate(ns)
        if step.only_if and not parse(step.only_if).evaluate(ns):
            target = flow.following(step.id)  # a skipped step never takes its own `next`
            continue
        progress.messages.extend(t for t in (render(s, ns) for s in step.say) if t)
        _effects(env, position, step, ns, progress)
        if step.ask is not None:
            if step.store and step.store in position.prefilled:
                position.prefilled = [p for p in position.prefilled if p != step.store]
                _answered(env, position, step, position.values.get(step.store))
                target = _next(env, position, step)
                continue
            position.step = step.id
            position.attempts = 0
            progress.messages.append(render(step.ask, ns))
            progress.position, progress.expect = position, step.expect
            return progress
        target = _next(env, position, step)
    progress = _finish(env, position, progress, completed=False, stopped=True)
    progress.messages.append(wording.FLOW_BROKEN)
    return progress


def _effects(
    env: FlowEnv, position: FlowPosition, step: Step, ns: Mapping[str, Any], progress: Progress
) -> None:
    now = env.context.now
    if step.timer:
        timer = step.timer
        seconds = (
            parse(timer.seconds).evaluate(ns) if isinstance(timer.seconds, str) else timer.seconds
        )
        data: dict[str, Any] = {"kind": timer.kind, "seconds": round(float(seconds or 60))}
        for key in (
            "breaths_per_minute",
            "inhale_seconds",
            "exhale_seconds",
            "hold_seconds",
            "tense_seconds",
            "release_seconds",
        ):
            if (value := getattr(timer, key)) is not None:
                data[key] = value
        if timer.label:
            data["label"] = render(timer.label, ns)
        progress.actions.append(Action("timer", data))
    if step.homework:
        spec = step.homework
        due = env.today + timedelta(days=spec.due_in_days)
        homework = Homework(
            id=f"hw-{spec.flow}-{env.today.isoformat()}-{len(env.memory.homework) + 1}",
            flow_id=spec.flow,
            title=render(spec.title, ns),
            due=due.isoformat(),
            assigned_by="companion",
            repeat_until=(due + timedelta(days=spec.every_day_for - 1)).isoformat()
            if spec.every_day_for > 1
            else None,
        )
        env.memory.homework = [
            h
            for h in env.memory.homework
            if h.id == position.homework_id
            or not (h.flow_id == spec.flow and h.status == "open" and h.assigned_by == "companion")
        ] + [homework]
        progress.actions.append(Action("homework_assigned", homework.to_dict()))
    if step.checkback:
        spec_cb = step.checkback
        minutes = (
            parse(spec_cb.after_minutes).evaluate(ns)
            if isinstance(spec_cb.after_minutes, str)
            else spec_cb.after_minutes
        )
        at = now + timedelta(minutes=float(minutes or 60))
        progress.actions.append(
            Action(
                "schedule_checkback",
                {"at": at.isoformat(), "note": render(spec_cb.note, ns), "flow_id": env.flow.id},
            )
        )
    for slot, source in step.remember.items():
        value = parse(source).evaluate(ns)
        if value is None:
            continue
        if slot == "sleep_diary" and isinstance(value, Mapping):
            env.memory.add_diary_night(value)
        elif slot == "sleep_window" and isinstance(value, Mapping):
            env.memory.sleep_window = dict(value)
        elif slot == "goals" and str(value) not in env.memory.goals:
            env.memory.goals = [*env.memory.goals, str(value)]
        progress.actions.append(Action("memory_updated", {"slot": slot, "value": value}))


def _finish(
    env: FlowEnv,
    position: FlowPosition,
    progress: Progress,
    *,
    completed: bool,
    stopped: bool = False,
) -> Progress:
    flow = env.flow
    values = position.values
    mood_key = "mood_before" if flow.outcome.mood_before == "ask" else flow.outcome.mood_before
    outcome = ExerciseOutcome(
        flow_id=flow.id,
        at=env.context.now.isoformat(),
        completed=completed,
        helpfulness=values.get("helpfulness"),
        mood_before=values.get(mood_key),
        mood_after=values.get("mood_after"),
    )
    env.memory.record_outcome(outcome)
    data = {
        "flow_id": flow.id,
        "version": flow.version,
        "started_at": position.started_at,
        "outputs": {name: values.get(name) for name in flow.outputs},
        "outcome": outcome.to_dict(),
        "homework_id": position.homework_id,
    }
    kind = "flow_completed" if completed else ("flow_stopped" if stopped else "flow_exited")
    progress.actions.append(Action(kind, data))
    if completed:
        progress.messages.append(render(flow.closing, namespace(env, position)))
        _homework_done(env, position, progress)
    progress.position = None
    progress.finished = True
    progress.completed = completed
    progress.expect = None
    return progress


def _homework_done(env: FlowEnv, position: FlowPosition, progress: Progress) -> None:
    """Count the exercise towards homework: the one it was started from, else a due one."""
    today = env.today
    homework = env.memory.homework_by_id(position.homework_id) if position.homework_id else None
    if homework is None:
        homework = next(
            (h for h in env.memory.homework_to_offer(today) if h.flow_id == env.flow.id), None
        )
    if homework is None or homework.status != "open":
        return
    homework.done_count += 1
    homework.last_done = today.isoformat()
    tomorrow = today + timedelta(days=1)
    repeats = homework.repeat_until is not None and tomorrow <= date.fromisoformat(
        homework.repeat_until
    )
    if repeats:
        homework.due = tomorrow.isoformat()
        progress.messages.append(
            "That's today's homework done. Well done for keeping it going; I'll remind you "
            "again tomorrow."
        )
    else:
        homework.status = "done"
        progress.messages.append("That's your homework done. Well done for following through.")
    progress.actions.append(
        Action(
            "homework_completed",
            {"homework_id": homework.id, "status": homework.status, "next_due": homework.due},
        )
    )
