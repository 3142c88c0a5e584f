"""Fixed crisis responses, one per level (and one for a worry about someone else).

These are the only words the companion says in a crisis turn: reviewed text, never generated.
They follow safe-messaging practice: say it plainly, ask directly (asking about suicide does
not put the idea in anyone's head), stay in the conversation, point to the person's safety
plan, give crisis resources for their locale, and never mention a method, a place or an
amount. Each template has an id with a version so the audit log records exactly what was
shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.resources import CrisisDirectory, CrisisResource, default_directory
from mindbridge.safety.screening import Screening

TEMPLATE_VERSION = 1

_LOW = (
    "That sounds really hard. Thank you for telling me.",
    "Would it help to try something together, like a slow breathing exercise, or to talk "
    "through what's going on?",
)
_LOW_QUESTION = (
    "Sometimes, when things feel this heavy, people have thoughts of suicide. If that's true "
    "for you, you can say so here, plainly, and we'll work out the next step together."
)
_LOW_RESOURCES = "If you ever want to talk to someone straight away:"

_ELEVATED = (
    "Thank you for telling me. It sounds like you may be thinking about suicide or about "
    "hurting yourself, and I'm taking that seriously.",
    "You don't have to carry this on your own. I'm here, and I'll stay in this conversation "
    "with you.",
)
_ELEVATED_QUESTION = "I'd like to ask you directly: are you thinking about ending your life?"
_ELEVATED_RESOURCES = "You can also talk to a person right now, free and in confidence:"

_IMMINENT = (
    "I'm really glad you told me. Your safety matters most right now.",
    "If you are in danger or have already hurt yourself, please call {emergency} now.",
    "If you can, put some distance between yourself and anything you could use to hurt "
    "yourself, and go to where other people are.",
)
_IMMINENT_QUESTION = "Can you tell me: are you safe right now?"
_IMMINENT_RESOURCES = "Please reach out to one of these now:"
_IMMINENT_STAY = "I'm staying right here with you."

_OTHER = (
    "It sounds like you're worried about someone. That's a lot to carry, and it matters that "
    "you noticed.",
    "If they might be in danger right now, call {emergency}.",
    "It's okay to ask them directly whether they're thinking about suicide. Asking doesn't put "
    "the idea in their head, and it can open the door to help.",
)
_OTHER_QUESTION = "How are you doing yourself, with all of this?"
_OTHER_RESOURCES = "A crisis line can also advise you on how to support them:"

_PLAN_SELF = {
    RiskLevel.LOW: "Your safety plan is there whenever you want it.",
    RiskLevel.ELEVATED: "Your safety plan is made for moments like this. Could you open it, "
    "and we'll go through the first step together?",
    RiskLevel.IMMINENT: "If you can, open your safety plan and contact one of the people on it.",
}
_NO_PLAN = (
    "When you feel ready, we can make a safety plan together: a short list of the things and "
    "people that help when it gets this hard."
)
_ALERTED = "I've let your care team know, so someone from the team can reach out to you."


@dataclass(frozen=True)
class CrisisMessage:
    """What the companion shows for one crisis turn."""

    template_id: str
    level: RiskLevel
    paragraphs: tuple[str, ...]
    question: str
    resources_intro: str
    resources: tuple[CrisisResource, ...]
    show_safety_plan: bool

    def lines(self) -> list[str]:
        """The message as chat lines, in order: body, the direct question, resources."""
        lines = [*self.paragraphs, self.question, self.resources_intro]
        lines += [f"- {r.contact_line()}" for r in self.resources]
        return [line for line in lines if line]

    def text(self) -> str:
        """The whole message as plain text (for SMS, email or a screen reader)."""
        return "\n".join(self.lines())


def crisis_message(
    level: RiskLevel,
    *,
    locale: str | None = "en-US",
    concern_for_other: bool = False,
    has_safety_plan: bool = True,
    care_team_alerted: bool = False,
    directory: CrisisDirectory | None = None,
) -> CrisisMessage | None:
    """The fixed response for `level`, or None when no response is needed (`none`).

    A worry about someone else (and no risk of the writer's own) gets the "other" template.
    """
    if level is RiskLevel.NONE:
        return None
    directory = directory or default_directory()
    resources = directory.for_locale(locale)
    emergency = directory.emergency_number(locale)
    if concern_for_other and not level.needs_crisis_response:
        return CrisisMessage(
            template_id=f"other.v{TEMPLATE_VERSION}",
            level=level,
            paragraphs=tuple(p.format(emergency=emergency) for p in _OTHER),
            question=_OTHER_QUESTION,
            resources_intro=_OTHER_RESOURCES,
            resources=resources,
            show_safety_plan=False,
        )
    body: tuple[str, ...]
    if level is RiskLevel.LOW:
        body, question, intro = _LOW, _LOW_QUESTION, _LOW_RESOURCES
        resources = tuple(r for r in resources if r.kind != "emergency") or resources
    elif level is RiskLevel.ELEVATED:
        body, question, intro = _ELEVATED, _ELEVATED_QUESTION, _ELEVATED_RESOURCES
    else:
        body, question, intro = _IMMINENT, _IMMINENT_QUESTION, _IMMINENT_RESOURCES
    paragraphs = [p.format(emergency=emergency) for p in body]
    paragraphs.append(_PLAN_SELF[level] if has_safety_plan else _NO_PLAN)
    if care_team_alerted:
        paragraphs.append(_ALERTED)
    if level is RiskLevel.IMMINENT:
        paragraphs.append(_IMMINENT_STAY)
    return CrisisMessage(
        template_id=f"{level.value}.v{TEMPLATE_VERSION}",
        level=level,
        paragraphs=tuple(paragraphs),
        question=question,
        resources_intro=intro,
        resources=resources,
        show_safety_plan=has_safety_plan,
    )


def crisis_message_for(
    screening: Screening,
    *,
    locale: str | None = "en-US",
    has_safety_plan: bool = True,
    care_team_alerted: bool = False,
    directory: CrisisDirectory | None = None,
) -> CrisisMessage | None:
    """`crisis_message` for a screening (its level and whether it is about someone else)."""
    return crisis_message(
        screening.level,
        locale=locale,
        concern_for_other=screening.concern_for_other,
        has_safety_plan=has_safety_plan,
        care_team_alerted=care_team_alerted,
        directory=directory,
    )
