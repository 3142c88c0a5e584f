"""A flow as a reviewing clinician reads it: each step in order, in plain words.

The flow file is the source of truth and is already readable, but clinicians review from the
workspace, not from a code checkout. This turns a validated `Flow` into plain sentences (what
the companion says, what it asks, which answers it accepts, where each answer leads, what it
keeps) without inventing anything: every line comes from a field of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mindbridge.companion.flowspec import (
    END,
    EXIT,
    AnyAnswer,
    ChoiceAnswer,
    ClockAnswer,
    DurationAnswer,
    Evidence,
    Expect,
    Flow,
    NumberAnswer,
    Step,
    TextAnswer,
    Timer,
    YesNoAnswer,
)

TIMER_KINDS = {
    "paced_breathing": "a paced-breathing guide",
    "countdown": "a countdown",
    "tense_release": "a tense-and-release guide",
}


@dataclass(frozen=True)
class StepReading:
    id: str
    number: int
    condition: str | None  # the step runs only when this holds
    computes: list[tuple[str, str]]
    says: list[str]
    effects: list[str]  # before the question: timer, homework, check-back, memory
    asks: str | None
    accepts: str | None
    optional: bool  # "skip" passes it; so do three answers it cannot read
    checked: bool  # an answer it cannot read gets the question again with a hint
    keeps: str | None  # the name the answer is stored under
    after_answer: list[str]  # detection, rows added to a list
    branches: list[tuple[str, str]]  # (condition, where to) in the order they are tried
    then: str


@dataclass(frozen=True)
class FlowReading:
    id: str
    title: str
    version: str
    summary: str
    minutes: int
    reviewed: bool
    reviewed_by: str | None
    requires_approval: bool
    evidence: tuple[Evidence, ...]
    outputs: tuple[str, ...]
    mood_before: str
    closing: str
    steps: list[StepReading] = field(default_factory=list)


def accepts(expect: Expect) -> str:
    """The answers a step takes, as a sentence fragment ("a whole number from 0 to 10")."""
    if isinstance(expect, NumberAnswer):
        kind = "a whole number" if expect.integer else "a number"
        return f"{kind} from {expect.min:g} to {expect.max:g}"
    if isinstance(expect, ChoiceAnswer):
        return "one of: " + "; ".join(_option(o.label, o.synonyms) for o in expect.options)
    if isinstance(expect, YesNoAnswer):
        return "yes or no"
    if isinstance(expect, DurationAnswer):
        return (
            f"a length of time from {expect.min_minutes:g} to {expect.max_minutes:g} minutes "
            f"(a bare number means {expect.default_unit})"
        )
    if isinstance(expect, ClockAnswer):
        return f"a time of day (an hour alone is read as {expect.prefer})"
    if isinstance(expect, TextAnswer):
        chars = "" if expect.min_chars <= 1 else f" of at least {expect.min_chars} characters"
        return f"their own words{chars}"
    if isinstance(expect, AnyAnswer):
        return "any reply (it moves on)"
    raise TypeError(f"unknown answer type: {type(expect).__name__}")


def _option(label: str, synonyms: tuple[str, ...]) -> str:
    return f"{label} (also: {', '.join(synonyms)})" if synonyms else label


def _timer(timer: Timer) -> str:
    words = TIMER_KINDS[timer.kind]
    parts = []
    if timer.kind == "paced_breathing":
        parts.append(f"in {timer.inhale_seconds:g} s, out {timer.exhale_seconds:g} s")
        if timer.hold_seconds:
            parts.append(f"hold {timer.hold_seconds:g} s after each")
        parts.append(f"{timer.breaths_per_minute:g} breaths a minute")
    if timer.kind == "tense_release":
        parts.append(f"tense {timer.tense_seconds:g} s, release {timer.release_seconds:g} s")
    if isinstance(timer.seconds, str):
        parts.append(f"seconds = {timer.seconds}")
    else:
        parts.append(f"{timer.seconds:g} seconds")
    label = f' "{timer.label}"' if timer.label else ""
    return f"Shows {words}{label}: " + ", ".join(parts) + "."


def _where(target: str, numbers: dict[str, int]) -> str:
    if target == END:
        return "the closing questions (mood now, how helpful it was)"
    if target == EXIT:
        return "stop without the closing questions"
    return f"step {numbers[target]} ({target})"


def _effects(step: Step) -> list[str]:
    effects = []
    if step.timer:
        effects.append(_timer(step.timer))
    if step.homework:
        spec = step.homework
        repeat = f", every day for {spec.every_day_for} days" if spec.every_day_for > 1 else ""
        effects.append(
            f'Sets homework "{spec.title}" ({spec.flow}), due in {spec.due_in_days} '
            f"day{'s' if spec.due_in_days != 1 else ''}{repeat}, with a reminder that morning."
        )
    if step.checkback:
        effects.append(
            f"Checks back after {step.checkback.after_minutes} minutes: {step.checkback.note}"
        )
    effects += [f"Keeps in the person's memory: {k} = {v}" for k, v in step.remember.items()]
    return effects


def _after_answer(step: Step) -> list[str]:
    done = []
    if step.detect == "thinking_traps":
        done.append(
            "When the text models are loaded, the thinking traps they find in the answer are "
            f"kept as {step.detect} (empty without the models)."
        )
    if step.append:
        fields = ", ".join(step.append.fields)
        done.append(f"Adds a row to the list {step.append.to}: {fields}.")
    return done


def read(flow: Flow) -> FlowReading:
    """Every step of `flow`, numbered from 1, with branch targets named by number and id."""
    numbers = {step_id: index + 1 for step_id, index in flow.step_index.items()}
    steps = []
    for step in flow.steps:
        steps.append(
            StepReading(
                id=step.id,
                number=numbers[step.id],
                condition=step.only_if,
                computes=list(step.compute.items()),
                says=list(step.say),
                effects=_effects(step),
                asks=step.ask,
                accepts=accepts(step.expect) if step.expect else None,
                optional=step.optional,
                checked=step.expect is not None and not isinstance(step.expect, AnyAnswer),
                keeps=step.store,
                after_answer=_after_answer(step),
                branches=[(b.when, _where(b.goto, numbers)) for b in step.branches],
                then=_where(step.next or flow.following(step.id), numbers),
            )
        )
    return FlowReading(
        id=flow.id,
        title=flow.title,
        version=flow.version,
        summary=flow.summary,
        minutes=flow.duration_minutes,
        reviewed=flow.review_status == "reviewed",
        reviewed_by=flow.reviewed_by,
        requires_approval=flow.requires_approval,
        evidence=flow.evidence,
        outputs=flow.outputs,
        mood_before=flow.outcome.mood_before,
        closing=flow.closing,
        steps=steps,
    )
