"""Plain-words reasons for a suggestion, built only from drivers that really exist.

Every sentence comes from one of: the clinician's controls, a clinical rule that fired
(its text quotes the context value that triggered it), a timing modifier that raised this
exercise, or the person's own learned history in the policy state (counts and average
reward). Nothing is said about data that is absent; when no driver applies, the reason
says plainly that the suggestion is there to learn what suits the person.
"""

from __future__ import annotations

from dataclasses import dataclass

from mindbridge.recommender.guardrails import Controls
from mindbridge.recommender.rules import RulePrior

MAX_RULE_REASONS = 2
GOOD_HISTORY_REWARD = 0.4  # mean reward at or above which past tries "went well"


@dataclass(frozen=True)
class ArmHistory:
    """What the policy state knows about one exercise for this person."""

    tries: int
    mean_reward: float | None


def reasons_for(
    exercise_id: str,
    *,
    prior: RulePrior,
    controls: Controls,
    history: ArmHistory,
    tried_recently: bool,
) -> tuple[str, ...]:
    """Reasons, most important first; never empty."""
    reasons: list[str] = []
    if exercise_id in controls.pinned:
        reasons.append("Your clinician asked you to practise this.")
    if exercise_id in controls.prioritised:
        reasons.append("Your clinician marked this as a priority for you.")
    for hit in prior.hits_for(exercise_id)[:MAX_RULE_REASONS]:
        reasons.append(hit.text + ".")
    for mod in prior.boosts_for(exercise_id):
        reasons.append(mod.text + ".")
    if (
        history.tries >= 2
        and history.mean_reward is not None
        and history.mean_reward >= GOOD_HISTORY_REWARD
    ):
        reasons.append(f"It has gone well for you before ({history.tries} times so far).")
    if not reasons:
        if history.tries == 0 and not tried_recently:
            reasons.append(
                "You have not tried this one yet; trying it helps us learn what suits you."
            )
        else:
            reasons.append(
                f"You have had this {history.tries} time{'s' if history.tries != 1 else ''}; "
                "we are still learning how well it suits you."
                if history.tries
                else "We are still learning how well this suits you."
            )
    return tuple(reasons)
