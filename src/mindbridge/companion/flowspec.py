"""The flow file format: one TOML file per exercise, validated when it is loaded.

A flow is a list of steps. Entering a step: work out `compute`; when `only_if` is false,
skip the rest and go to the step below; otherwise send `say`, then the `timer`, `homework`,
`checkback` and `remember` effects; then, if it has `ask`, wait for an answer of the
`expect`ed kind, `store` it (and run `detect`, `append`), and go to the first branch whose
`when` holds, else `next`, else the step below.
`goto = "end"` closes with the standard questions (mood after, helpfulness); `"exit"` ends
without them (the exercise did not happen, e.g. not enough diary nights).

Everything a clinician needs to review is in the file: the words, the order, the branch
conditions, the numbers used in calculations and the evidence. docs/companion.md describes
the format for reviewers. A mistake fails the load with the file, the step and the reason.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mindbridge.companion.answers import Option
from mindbridge.companion.expressions import ExpressionError, parse, placeholders
from mindbridge.recommender.catalogue import EXERCISE_IDS

# The exercise ids the recommender knows: every one must have a flow, under the same id.
FLOW_IDS: tuple[str, ...] = EXERCISE_IDS
DEFAULT_FLOW_DIR = Path(__file__).with_name("flows")

END = "end"  # close with the standard outcome questions
EXIT = "exit"  # stop without them
# Names every flow may read without defining them.
BUILTIN_NAMES = frozenset(
    {
        "name",
        "memory",
        "today",
        "hour",
        "clinician",
        "approved",
        "flow_title",
        "homework",
        "mood_before",
    }
)
# Filled in by the engine's closing questions.
OUTCOME_NAMES = frozenset({"mood_after", "helpfulness"})
# Where `remember` may write in the person's memory.
MEMORY_SLOTS = frozenset({"sleep_diary", "sleep_window", "goals"})
DETECTORS = frozenset({"thinking_traps"})
_ID = r"^[a-z][a-z0-9_]*$"


class FlowError(ValueError):
    """A flow file that cannot be used; the message names the file, the step and the fault."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Strict):
    claim: str = Field(min_length=10)
    effect: str | None = None
    source: str = Field(min_length=3)


class TextAnswer(_Strict):
    type: Literal["text"]
    min_chars: int = Field(default=1, ge=1)


class NumberAnswer(_Strict):
    type: Literal["number"]
    min: float
    max: float
    integer: bool = True

    @model_validator(mode="after")
    def _range(self) -> NumberAnswer:
        if self.min >= self.max:
            raise ValueError(f"number answer needs min < max (got {self.min} and {self.max})")
        return self


class ChoiceOption(_Strict):
    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()


class ChoiceAnswer(_Strict):
    type: Literal["choice"]
    options: tuple[ChoiceOption, ...] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _unique(cls, options: tuple[ChoiceOption, ...]) -> tuple[ChoiceOption, ...]:
        ids = [o.id for o in options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"choice option ids repeat: {ids}")
        return options

    @property
    def parser_options(self) -> tuple[Option, ...]:
        return tuple(Option(o.id, o.label, o.synonyms) for o in self.options)


class YesNoAnswer(_Strict):
    type: Literal["yes_no"]


class DurationAnswer(_Strict):
    type: Literal["duration"]
    min_minutes: float = Field(default=0, ge=0)
    max_minutes: float = Field(default=24 * 60, gt=0, le=24 * 60)
    default_unit: Literal["minutes", "hours"] = "minutes"


class ClockAnswer(_Strict):
    type: Literal["clock"]
    prefer: Literal["morning", "evening"] = "morning"


class AnyAnswer(_Strict):
    """Anything at all moves on ("done", "ok"): used after a timer or a reading."""

    type: Literal["any"]


Expect = Annotated[
    TextAnswer
    | NumberAnswer
    | ChoiceAnswer
    | YesNoAnswer
    | DurationAnswer
    | ClockAnswer
    | AnyAnswer,
    Field(discriminator="type"),
]


class Timer(_Strict):
    """An instruction for the chat UI to run a timer; the engine never waits itself."""

    kind: Literal["paced_breathing", "countdown", "tense_release"]
    seconds: str | float  # a number or an expression, e.g. "minutes * 60"
    breaths_per_minute: float | None = Field(default=None, gt=0, le=30)
    inhale_seconds: float | None = Field(default=None, gt=0)
    exhale_seconds: float | None = Field(default=None, gt=0)
    hold_seconds: float | None = Field(default=None, ge=0)
    tense_seconds: float | None = Field(default=None, gt=0)
    release_seconds: float | None = Field(default=None, gt=0)
    label: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Timer:
        if self.kind == "paced_breathing":
            if None in (self.breaths_per_minute, self.inhale_seconds, self.exhale_seconds):
                raise ValueError(
                    "a paced_breathing timer needs breaths_per_minute, inhale_seconds "
                    "and exhale_seconds"
                )
            assert self.breaths_per_minute and self.inhale_seconds and self.exhale_seconds
            cycle = self.inhale_seconds + self.exhale_seconds + 2 * (self.hold_seconds or 0)
            if abs(cycle - 60 / self.breaths_per_minute) > 0.05:
                raise ValueError(
                    f"breathing cycle is {cycle:g} s but {self.breaths_per_minute:g} breaths a "
                    f"minute needs {60 / self.breaths_per_minute:g} s"
                )
        if self.kind == "tense_release" and None in (self.tense_seconds, self.release_seconds):
            raise ValueError("a tense_release timer needs tense_seconds and release_seconds")
        return self


class HomeworkSpec(_Strict):
    flow: str = Field(pattern=_ID)
    title: str = Field(min_length=3)
    due_in_days: int = Field(default=1, ge=0, le=60)
    every_day_for: int = Field(default=1, ge=1, le=28)


class CheckbackSpec(_Strict):
    after_minutes: str | float  # a number or an expression
    note: str = Field(min_length=3)


class Append(_Strict):
    """After the answer, add a row {field: value, ...} to the list named `to`."""

    to: str = Field(pattern=_ID)
    fields: tuple[str, ...] = Field(min_length=1)


class Branch(_Strict):
    when: str
    goto: str


class Step(_Strict):
    id: str = Field(pattern=_ID)
    only_if: str | None = None
    compute: dict[str, str] = Field(default_factory=dict)
    say: tuple[str, ...] = ()
    timer: Timer | None = None
    homework: HomeworkSpec | None = None
    checkback: CheckbackSpec | None = None
    remember: dict[str, str] = Field(default_factory=dict)
    ask: str | None = None
    expect: Expect | None = None
    store: str | None = Field(default=None, pattern=_ID)
    optional: bool = False
    detect: str | None = None
    append: Append | None = None
    branches: tuple[Branch, ...] = ()
    next: str | None = None

    @field_validator("say", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _shape(self) -> Step:
        if self.ask is not None and self.expect is None:
            raise ValueError("a step with `ask` needs `expect` (what kind of answer)")
        if self.expect is not None and self.ask is None:
            raise ValueError("a step with `expect` needs `ask` (the question)")
        if self.expect is not None and self.expect.type != "any" and self.store is None:
            raise ValueError("a question needs `store` (the name its answer is kept under)")
        if self.store is not None and self.expect is None:
            raise ValueError("`store` needs a question (`ask` and `expect`)")
        if self.optional and self.expect is None:
            raise ValueError("`optional` only applies to a question")
        if self.detect is not None:
            if self.detect not in DETECTORS:
                raise ValueError(f"unknown detector {self.detect!r} (known: {sorted(DETECTORS)})")
            if self.expect is None or self.expect.type != "text":
                raise ValueError("`detect` runs on a free-text answer")
        if self.append is not None and self.expect is None:
            raise ValueError("`append` runs after an answer")
        for slot in self.remember:
            if slot not in MEMORY_SLOTS:
                raise ValueError(f"cannot remember {slot!r} (allowed: {sorted(MEMORY_SLOTS)})")
        if not (self.say or self.ask or self.compute or self.timer or self.homework):
            raise ValueError("a step must say, ask or compute something")
        return self

    def texts(self) -> Iterator[str]:
        yield from self.say
        if self.ask:
            yield self.ask
        if self.homework:
            yield self.homework.title
        if self.checkback:
            yield self.checkback.note

    def expressions(self) -> Iterator[str]:
        if self.only_if:
            yield self.only_if
        yield from self.compute.values()
        yield from self.remember.values()
        yield from (b.when for b in self.branches)
        for value in (
            self.timer and self.timer.seconds,
            self.checkback and self.checkback.after_minutes,
        ):
            if isinstance(value, str):
                yield value

    def defines(self) -> Iterator[str]:
        yield from self.compute
        if self.store:
            yield self.store
        if self.detect:
            yield self.detect
        if self.append:
            yield self.append.to


class OutcomeQuestions(_Strict):
    """`mood_before = "ask"` asks it first; a stored name reuses that 0-10 answer instead."""

    mood_before: str = "ask"


class Flow(_Strict):
    id: str = Field(pattern=_ID)
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    title: str = Field(min_length=3)
    summary: str = Field(min_length=10)
    duration_minutes: int = Field(ge=1, le=60)
    review_status: Literal["draft", "reviewed"] = "draft"
    reviewed_by: str | None = None
    requires_approval: bool = False
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    outcome: OutcomeQuestions = OutcomeQuestions()
    outputs: tuple[str, ...] = ()
    closing: str = "Thank you for taking this time for yourself."
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Flow:
        if self.review_status == "reviewed" and not self.reviewed_by:
            raise ValueError("a reviewed flow must say who reviewed it (`reviewed_by`)")
        ids = [s.id for s in self.steps]
        seen: set[str] = set()
        for step_id in ids:
            if step_id in seen:
                raise ValueError(f"step id {step_id!r} is used twice")
            if step_id in (END, EXIT):
                raise ValueError(f"step id {step_id!r} is reserved")
            seen.add(step_id)
        own = {name for s in self.steps for name in s.defines()}
        clash = own & (BUILTIN_NAMES | OUTCOME_NAMES)
        if clash:
            raise ValueError(f"these names are built in and cannot be stored: {sorted(clash)}")
        defined = BUILTIN_NAMES | OUTCOME_NAMES | own
        for step in self.steps:
            for target in [b.goto for b in step.branches] + ([step.next] if step.next else []):
                if target not in seen and target not in (END, EXIT):
                    raise ValueError(f"step {step.id!r}: goes to unknown step {target!r}")
            for source in step.expressions():
                try:
                    expression = parse(source)
                except ExpressionError as exc:
                    raise ValueError(f"step {step.id!r}: {exc}") from None
                unknown = expression.names - defined
                if unknown:
                    raise ValueError(
                        f"step {step.id!r}: expression {source!r} reads {sorted(unknown)}, "
                        "which no step stores or computes"
                    )
            for text in step.texts():
                try:
                    marks = placeholders(text)
                except ExpressionError as exc:
                    raise ValueError(f"step {step.id!r}: {exc}") from None
                for mark in marks:
                    if mark.path[0] not in defined:
                        raise ValueError(
                            f"step {step.id!r}: text uses {{{'.'.join(mark.path)}}}, "
                            "which no step stores or computes"
                        )
            if step.append:
                missing = set(step.append.fields) - defined
                if missing:
                    raise ValueError(f"step {step.id!r}: append uses unknown {sorted(missing)}")
        unknown_outputs = set(self.outputs) - defined
        if unknown_outputs:
            raise ValueError(f"outputs name values no step defines: {sorted(unknown_outputs)}")
        mood = self.outcome.mood_before
        if mood != "ask":
            source_step = next((s for s in self.steps if s.store == mood), None)
            if source_step is None or not (
                isinstance(source_step.expect, NumberAnswer)
                and source_step.expect.min == 0
                and source_step.expect.max == 10
            ):
                raise ValueError(
                    f"outcome.mood_before = {mood!r} must name a stored 0-10 number answer"
                )
        unreachable = set(ids) - self._reachable()
        if unreachable:
            raise ValueError(f"steps no path reaches: {sorted(unreachable)}")
        return self

    def _reachable(self) -> set[str]:
        order = [s.id for s in self.steps]
        by_id = {s.id: s for s in self.steps}
        seen: set[str] = set()
        todo = [order[0]]
        while todo:
            current = todo.pop()
            if current in seen or current not in by_id:
                continue
            seen.add(current)
            step = by_id[current]
            following = order[order.index(current) + 1] if current != order[-1] else END
            todo.extend(b.goto for b in step.branches)
            todo.append(step.next or following)
            if step.only_if:  # a skipped step falls through to the step below
                todo.append(following)
        return seen

    @cached_property
    def step_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.steps)}

    def step(self, step_id: str) -> Step | None:
        index = self.step_index.get(step_id)
        return None if index is None else self.steps[index]

    def following(self, step_id: str) -> str:
        index = self.step_index[step_id]
        return self.steps[index + 1].id if index + 1 < len(self.steps) else END


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(
            str(p) for p in error["loc"] if not isinstance(p, str) or not p.endswith("Answer")
        )
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _step_names(data: Mapping[str, Any], exc: ValidationError) -> str:
    """Replace `steps.3` in locations with the step's id, which is what a reviewer searches for."""
    text = _describe(exc)
    steps = data.get("steps")
    if not isinstance(steps, list):
        return text

    def name(m: re.Match[str]) -> str:
        index = int(m.group(1))
        if index < len(steps) and isinstance(steps[index], Mapping) and "id" in steps[index]:
            return f"step {steps[index]['id']!r}"
        return f"step #{index + 1}"

    return re.sub(r"steps\.(\d+)", name, text)


def parse_flow(data: Mapping[str, Any], source: str = "<flow>") -> Flow:
    """Validate one flow's data; raises FlowError naming `source`."""
    try:
        return Flow.model_validate(data)
    except ValidationError as exc:
        raise FlowError(f"{source}: {_step_names(data, exc)}") from None


def load_flow(path: Path) -> Flow:
    """Read and validate one flow file; its name must be `<id>.toml`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FlowError(f"{path.name}: not valid TOML: {exc}") from None
    flow = parse_flow(data, path.name)
    if path.stem != flow.id:
        raise FlowError(f"{path.name}: file name must be {flow.id}.toml (the flow id)")
    return flow


class FlowLibrary(Mapping[str, Flow]):
    """All flows by id, checked together (homework may only name a flow that exists)."""

    def __init__(self, flows: Iterable[Flow], required: Iterable[str] = FLOW_IDS) -> None:
        self._flows = {f.id: f for f in flows}
        missing = set(required) - set(self._flows)
        if missing:
            raise FlowError(f"missing flows: {sorted(missing)}")
        for flow in self._flows.values():
            for step in flow.steps:
                if step.homework and step.homework.flow not in self._flows:
                    raise FlowError(
                        f"{flow.id}.toml: step {step.id!r}: homework names unknown flow "
                        f"{step.homework.flow!r}"
                    )

    def __getitem__(self, flow_id: str) -> Flow:
        return self._flows[flow_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._flows)

    def __len__(self) -> int:
        return len(self._flows)


def load_flows(
    directory: Path = DEFAULT_FLOW_DIR, required: Iterable[str] = FLOW_IDS
) -> FlowLibrary:
    """Load every `*.toml` in `directory`; the first faulty file stops the load."""
    return FlowLibrary((load_flow(p) for p in sorted(directory.glob("*.toml"))), required)


@lru_cache(maxsize=1)
def default_flows() -> FlowLibrary:
    """The shipped flows, loaded once per process."""
    return load_flows()
