"""The clinical-rules prior: what a clinician would suggest first, before anything is learned.

Each rule reads the Context/Summary, fires with a plain-words driver that quotes the real
value that triggered it, and gives weights in [0, 1] to the exercises it points at. Score
per exercise = the strongest weight that fired (or a base weight), plus a little for each
further rule agreeing, times timing/severity modifiers. Thresholds are the cutoffs in
shared/docs/clinical-reference.md section 1 (PHQ-9 >= 10 moderate, >= 20 severe; GAD-7
>= 10; PSS-10 >= 27 high); the exercise mapping follows section 4.

The rules are used in two ways: as the rules-only baseline policy, and as the prior mean of
the learning policy (see policy.py), which is why they are written to be a fair clinical
starting point rather than a strawman.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mindbridge.recommender.catalogue import Catalogue
from mindbridge.recommender.context import Context
from mindbridge.recommender.features import Summary

BASE_WEIGHT = 0.2
BASE_WEIGHTS: dict[str, float] = {"mood_checkin": 0.3}
AGREEMENT_BONUS = 0.05


@dataclass(frozen=True)
class RuleHit:
    """One rule that fired: a stable code, the driver sentence, and its exercise weights."""

    code: str
    text: str
    weights: Mapping[str, float]


@dataclass(frozen=True)
class Modifier:
    """A multiplicative adjustment (timing, severity, a poor rating) with its own driver."""

    code: str
    text: str
    factors: Mapping[str, float]


@dataclass(frozen=True)
class RulePrior:
    scores: dict[str, float]
    hits: tuple[RuleHit, ...]
    modifiers: tuple[Modifier, ...]

    def hits_for(self, exercise_id: str) -> list[RuleHit]:
        """Rules pointing at this exercise, strongest first."""
        found = [h for h in self.hits if h.weights.get(exercise_id, 0.0) > 0.0]
        return sorted(found, key=lambda h: -h.weights[exercise_id])

    def boosts_for(self, exercise_id: str) -> list[Modifier]:
        return [m for m in self.modifiers if m.factors.get(exercise_id, 1.0) > 1.0]


def phq9_band(score: float) -> str:
    if score >= 20:
        return "severe"
    if score >= 15:
        return "moderately severe"
    if score >= 10:
        return "moderate"
    if score >= 5:
        return "mild"
    return "minimal"


def gad7_band(score: float) -> str:
    if score >= 15:
        return "severe"
    if score >= 10:
        return "moderate"
    if score >= 5:
        return "mild"
    return "minimal"


def _num(value: float) -> str:
    """Format a number the way it will be quoted: integers bare, others to one decimal."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


LOW_MOOD = {
    "behavioural_activation": 0.85,
    "thought_record": 0.6,
    "self_compassion": 0.5,
    "problem_solving": 0.45,
    "procrastination_tiny_step": 0.4,
}
ANXIETY = {
    "paced_breathing": 0.75,
    "grounding_54321": 0.6,
    "worry_time": 0.6,
    "progressive_muscle_relaxation": 0.55,
    "thought_record": 0.5,
    "psychoeducation": 0.4,
}
ANXIOUS_NOW = {"paced_breathing": 0.85, "grounding_54321": 0.8}
WORRY = {"worry_time": 0.8, "thought_record": 0.55, "problem_solving": 0.5}
PANIC = {
    "grounding_54321": 0.8,
    "paced_breathing": 0.75,
    "graded_exposure": 0.6,
    "psychoeducation": 0.5,
}
SOCIAL = {"graded_exposure": 0.7, "thought_record": 0.6}
INSOMNIA = {
    "cbti_stimulus_control": 0.8,
    "cbti_sleep_restriction": 0.75,
    "sleep_diary": 0.7,
    "progressive_muscle_relaxation": 0.5,
}
STRESS = {
    "problem_solving": 0.7,
    "paced_breathing": 0.6,
    "progressive_muscle_relaxation": 0.6,
    "behavioural_activation": 0.4,
}
PROCRASTINATION = {
    "procrastination_tiny_step": 0.85,
    "behavioural_activation": 0.5,
    "problem_solving": 0.5,
}
SELF_CRITICISM = {"self_compassion": 0.8, "thought_record": 0.6}
RUMINATION = {
    "thought_record": 0.7,
    "worry_time": 0.55,
    "self_compassion": 0.5,
    "behavioural_activation": 0.5,
}
GETTING_STARTED = {"psychoeducation": 0.5, "mood_checkin": 0.45}

SLEEP_IDS = ("cbti_stimulus_control", "progressive_muscle_relaxation")
DAYTIME_IDS = ("worry_time", "behavioural_activation", "graded_exposure", "problem_solving")
TRAP_LABELS = {
    "catastrophising": "catastrophising",
    "labelling": "harsh labels for yourself",
    "should_statements": "a lot of 'should' statements",
    "overgeneralising": "overgeneralising",
    "mental_filter": "focusing on the negatives",
}


def _q(context: Context, name: str) -> float | None:
    return context.questionnaires.get(name)


def _trap(context: Context, name: str) -> bool:
    return context.thinking_traps.get(name, 0.0) >= 0.5


def rule_prior(context: Context, summary: Summary, catalogue: Catalogue) -> RulePrior:
    """Evaluate every rule; the result's `scores` cover every catalogue exercise."""
    hits: list[RuleHit] = []
    mods: list[Modifier] = []
    add = hits.append

    phq9 = _q(context, "phq9")
    gad7 = _q(context, "gad7")
    pss10 = _q(context, "pss10")
    if phq9 is not None and phq9 >= 10:
        add(
            RuleHit(
                "phq9_moderate",
                f"Your latest PHQ-9 score was {_num(phq9)}, in the {phq9_band(phq9)} range",
                LOW_MOOD,
            )
        )
    if summary.mood_mean is not None and summary.mood_n >= 3 and summary.mood_mean <= 4.0:
        add(
            RuleHit(
                "low_mood_checkins",
                f"Your mood has averaged {summary.mood_mean:.1f}/10 "
                f"over your last {summary.mood_n} check-ins",
                LOW_MOOD,
            )
        )
    if phq9 is not None and phq9 >= 20:
        mods.append(
            Modifier(
                "phq9_severe",
                "With a score this high, simple activity steps come before demanding "
                "thinking exercises",
                {"thought_record": 0.6, "worry_time": 0.7, "problem_solving": 0.7},
            )
        )

    if gad7 is not None and gad7 >= 10:
        add(
            RuleHit(
                "gad7_moderate",
                f"Your latest GAD-7 score was {_num(gad7)}, in the {gad7_band(gad7)} range",
                ANXIETY,
            )
        )
    if summary.anxiety_mean is not None and summary.anxiety_n >= 3 and summary.anxiety_mean >= 6:
        add(
            RuleHit(
                "anxiety_checkins",
                f"Your anxiety has averaged {summary.anxiety_mean:.1f}/10 "
                f"over your last {summary.anxiety_n} check-ins",
                ANXIETY,
            )
        )
    if summary.anxiety_last is not None and summary.anxiety_last >= 7:
        add(
            RuleHit(
                "anxious_now",
                f"You rated your anxiety {_num(summary.anxiety_last)}/10 at your last check-in",
                ANXIOUS_NOW,
            )
        )

    worry_items = context.subscales.get("gad7_worry")
    if worry_items is not None and worry_items >= 4:
        add(
            RuleHit(
                "worry_items",
                f"Your worry scores have been high ({_num(worry_items)} of 6 on the GAD-7 "
                "worry questions)",
                WORRY,
            )
        )
    if "worry" in context.themes:
        add(RuleHit("worry_theme", "You have been writing about worries", WORRY))
    if _trap(context, "catastrophising"):
        add(
            RuleHit(
                "catastrophising",
                "Your recent writing showed signs of catastrophising",
                WORRY,
            )
        )

    if "panic" in context.themes:
        add(RuleHit("panic_theme", "You have mentioned panic or sudden surges of fear", PANIC))
    if "social" in context.themes:
        add(RuleHit("social_theme", "You have mentioned worry about social situations", SOCIAL))

    sleep_item = context.subscales.get("phq9_sleep")
    if sleep_item is not None and sleep_item >= 2:
        add(
            RuleHit(
                "phq9_sleep_item",
                "Your latest PHQ-9 showed sleep trouble on more than half the days",
                INSOMNIA,
            )
        )
    if summary.sleep_mean is not None and summary.sleep_mean < 6.0:
        if summary.sleep_source == "check-ins" and summary.sleep_n >= 3:
            add(
                RuleHit(
                    "short_sleep_checkins",
                    f"Your sleep averaged {summary.sleep_mean:.1f} h "
                    f"over your last {summary.sleep_n} check-ins",
                    INSOMNIA,
                )
            )
        elif summary.sleep_source == "wearable":
            add(
                RuleHit(
                    "short_sleep_wearable",
                    f"Your wearable shows about {summary.sleep_mean:.1f} h of sleep a night "
                    "this week",
                    INSOMNIA,
                )
            )
    if "sleep" in context.themes:
        add(RuleHit("sleep_theme", "You have been writing about your sleep", INSOMNIA))

    if context.stress_probability is not None and context.stress_probability >= 0.6:
        add(RuleHit("stress_text", "Your recent writing sounded stressed", STRESS))
    if pss10 is not None and pss10 >= 27:
        add(
            RuleHit(
                "pss10_high",
                f"Your latest PSS-10 stress score was {_num(pss10)}, in the high range",
                STRESS,
            )
        )
    if "work_stress" in context.themes:
        add(RuleHit("work_theme", "You have been writing about pressure at work", STRESS))

    if "procrastination" in context.themes:
        add(
            RuleHit(
                "procrastination_theme",
                "You have mentioned putting off tasks",
                PROCRASTINATION,
            )
        )

    harsh = [t for t in ("labelling", "should_statements") if _trap(context, t)]
    if harsh:
        add(
            RuleHit(
                "self_critical_traps",
                f"Your recent writing showed {TRAP_LABELS[harsh[0]]}",
                SELF_CRITICISM,
            )
        )
    if "self_criticism" in context.themes:
        add(
            RuleHit(
                "self_criticism_theme",
                "You have been writing about being hard on yourself",
                SELF_CRITICISM,
            )
        )
    if "rumination" in context.themes:
        add(
            RuleHit(
                "rumination_theme",
                "You have described going over the same thoughts again and again",
                RUMINATION,
            )
        )
    loops = [t for t in ("overgeneralising", "mental_filter") if _trap(context, t)]
    if loops:
        add(
            RuleHit(
                "rumination_traps",
                f"Your recent writing showed {TRAP_LABELS[loops[0]]}",
                RUMINATION,
            )
        )

    if summary.exercises_14d == 0:
        add(
            RuleHit(
                "getting_started",
                "You have not done an exercise in the last two weeks, so a light start fits",
                GETTING_STARTED,
            )
        )

    tod = summary.time_of_day
    if tod in ("evening", "night"):
        mods.append(
            Modifier(
                "evening",
                f"It is {tod}, a good time to wind down",
                {
                    **{i: 1.15 for i in SLEEP_IDS},
                    **{i: 0.75 for i in DAYTIME_IDS},
                },
            )
        )
    elif tod == "morning":
        mods.append(
            Modifier(
                "morning",
                "Morning is when a sleep diary is easiest to fill in",
                {"sleep_diary": 1.15},
            )
        )

    # What this person said about exercises in the last 14 days counts too.
    latest_rating: dict[str, tuple[int, str]] = {}
    for past in sorted(context.recent_exercises, key=lambda e: e.at):
        if past.helpfulness is not None and past.exercise_id in catalogue.ids:
            latest_rating[past.exercise_id] = (past.helpfulness, past.at.date().isoformat())
    for exercise_id, (rating, _) in latest_rating.items():
        title = catalogue.get(exercise_id).title
        if rating >= 4:
            add(
                RuleHit(
                    f"rated_helpful:{exercise_id}",
                    f"You rated '{title}' as helpful ({rating}/5) last time",
                    {exercise_id: 0.7},
                )
            )
        elif rating <= 2:
            mods.append(
                Modifier(
                    f"rated_unhelpful:{exercise_id}",
                    f"You rated '{title}' {rating}/5 last time",
                    {exercise_id: 0.7},
                )
            )

    fired: dict[str, list[float]] = {}
    for hit in hits:
        for exercise_id, weight in hit.weights.items():
            if weight > 0:
                fired.setdefault(exercise_id, []).append(weight)
    scores: dict[str, float] = {}
    for exercise_id in catalogue.ids:
        weights = fired.get(exercise_id)
        score = BASE_WEIGHTS.get(exercise_id, BASE_WEIGHT)
        if weights:
            score = max(score, max(weights)) + AGREEMENT_BONUS * (len(weights) - 1)
        for mod in mods:
            score *= mod.factors.get(exercise_id, 1.0)
        scores[exercise_id] = min(max(score, 0.0), 1.0)
    return RulePrior(scores=scores, hits=tuple(hits), modifiers=tuple(mods))
