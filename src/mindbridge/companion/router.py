"""Understanding free text: which kind of help a message asks for. Offline and deterministic.

Three layers, strongest first:

1. **Curated patterns** for what must never be missed or mistaken: asking for a person,
   stop/cancel, help, continue, "I'm safe", yes/no, greetings, thanks, goodbyes, "are you a
   bot", "call me ...", named exercises, and "what is ...?" questions. Control words only
   count when they are the whole message ("stop", "can we stop?"), so "I can't stop
   worrying" is about worry, not a request to stop.
2. **Keyword scoring**: a weighted lexicon per topic (sleep, panic, worry, ...). Transparent
   and easy to review; decides when one topic clearly leads.
3. **A small linear classifier** (TF-IDF over words, word pairs and letter trigrams, then
   logistic regression) trained on example messages the team wrote
   (`data/intents_train.jsonl`, `python -m mindbridge.companion.train_router`), stored as
   JSON weights in `models/router.json`. It handles paraphrases the lexicon misses; it never
   produces control intents.

When nothing is confident the route is `unknown` and the companion says so and offers a menu.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from mindbridge.companion.answers import normalise
from mindbridge.companion.flowspec import FLOW_IDS

MODEL_PATH = Path(__file__).with_name("models") / "router.json"
TRAIN_PATH = Path(__file__).with_name("data") / "intents_train.jsonl"

CONTROL = ("human", "stop", "help", "continue", "safe", "yes", "no")
SOCIAL = ("greeting", "thanks", "goodbye", "smalltalk", "bot_question", "set_name")
TOPICS = (
    "sleep",
    "panic",
    "anxiety",
    "worry",
    "procrastination",
    "low_mood",
    "negative_thoughts",
    "self_criticism",
    "problem",
    "avoidance",
    "stress",
)
OTHER = ("learn", "homework", "suggest", "off_topic", "unknown")
EXERCISE_PREFIX = "exercise:"
# Labels the classifier may predict (never control or social intents).
CLASSIFIER_LABELS = (
    frozenset(TOPICS)
    | {"learn", "homework", "off_topic"}
    | {f"{EXERCISE_PREFIX}{f}" for f in FLOW_IDS if f != "psychoeducation"}
)


@dataclass(frozen=True)
class Route:
    """Where a message goes. `flow_id` is set for a named exercise (and for `learn`)."""

    intent: str
    confidence: float
    source: str  # "pattern", "keywords", "model" or "none"
    flow_id: str | None = None
    prefill: Mapping[str, Any] = field(default_factory=dict)
    name: str | None = None  # for set_name


_FILLER = re.compile(
    r"^(?:(?:ok|okay|so|well|wait|um+|erm+|hm+|ah+|oh|actually|honestly|nvm|never ?mind|"
    r"right|hey|yeah|look|sorry|please|just|but)\b[\s,.!]*)+"
)
_ELONGATED = re.compile(r"([a-z])\1{2,}")


def prepare(text: str) -> str:
    """Normalised text with elongations shortened ("sleeeep" -> "sleep")."""
    return _ELONGATED.sub(r"\1\1", normalise(text))


def _core(t: str) -> str:
    """The message without leading fillers ("ok so", "nvm", "wait"), for anchored patterns."""
    return _FILLER.sub("", t).strip() or t


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_END = r"[\s.!?,]*$"
_PLEASE = r"(?:please |pls |can we |could we |let'?s |i want to |i'?d like to |i wanna )?"

# Searched anywhere: a request for a person must never be missed.
_ROLE = (
    r"(?:therapist|clinician|counsell?or|doctor|nurse|psychologist|psychiatrist|care team|"
    r"key ?worker|care coordinator|gp|social worker)"
)
_HUMAN = _rx(
    rf"\b(?:have|had) a (?:word|chat) with (?:my |a |the )?"
    rf"(?:{_ROLE}|someone|somebody|person|human)",
    rf"\b(?:let|tell) my {_ROLE} (?:know|that)\b",
    r"\b(?:prefer|rather have|want|need) (?:a |an |to talk to a )?"
    r"(?:human|real person|actual person)",
    r"\bsomebody at the (?:practice|clinic|surgery|service)\b",
    r"\b(?:talk|speak|chat|get in touch)\s+(?:to|with)\s+"
    r"(?:a |an |my |the |some |someone from my )?"
    r"(?:real |actual |live )?(?:person|human|people|somebody|someone|therapist|clinician|"
    r"counsell?or|doctor|nurse|psychologist|care team|team|staff|key ?worker|care coordinator|gp|"
    r"psychiatrist|social worker)\b",
    r"\b(?:real|actual|live) (?:person|human)\b(?!\?)",
    r"\b(?:get|give|find|connect|put) me (?:a |an |to |with |through to )?(?:a |an |my )?"
    r"(?:human|person|someone|somebody|therapist|clinician|counsell?or|care team)\b",
    r"\b(?:message|contact|call|email|text|ring) my (?:therapist|clinician|counsell?or|doctor|"
    r"nurse|care team|psychologist)\b",
    r"\bneed (?:a|to speak to a|to talk to a) (?:human|person)\b",
    r"\bsomeone from (?:the|my) (?:clinic|care team|service) (?:to )?(?:call|contact|ring|message)",
    r"\b(?:can|could) someone (?:from [a-z ]+ )?(?:call|contact|ring) me\b",
    r"\b(?:call|ring|phone) me back\b",
    r"\b(?:is|are) my (?:therapist|clinician|counsell?or|care team|doctor|nurse) (?:around|there|"
    r"available|online|in)\b",
    r"\b(?:proper|real|actual) (?:human|person)\b",
)
_BOT = _rx(
    r"^(?:are|r) (?:you|u) (?:a |an )?(?:real|human|person|bot|robot|ai|computer|machine|"
    r"chat ?bot|program|real person|actual person)\b",
    r"^am i (?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:bot|robot|ai|human|person|"
    r"real person|computer|machine)",
    r"^is (?:this|that|it) (?:a |an )?(?:bot|robot|ai|chat ?bot|real person|human|person|"
    r"computer|machine|program)\b",
)
_STOP = _rx(
    rf"^(?:enough[, ]+)?{_PLEASE}(?:stop|cancel|quit|exit|end|abort|enough|finish)"
    rf"(?: (?:it|this|that|now|here|please|the exercise|this exercise|exercise|for now))*{_END}",
    rf"^(?:i )?(?:want|wanna|would like|'?d like|need) to (?:stop|quit|end|leave|cancel)"
    rf"(?: (?:it|this|that|now|here|the exercise|this exercise|for now))*{_END}",
    rf"^i don'?t want to (?:do|continue) (?:this|it|the exercise|this exercise)"
    rf"(?: exercise)?(?: any ?more| now)?{_END}",
    rf"^(?:let'?s|can we) (?:leave|stop|drop) it(?: there| here| for now)?{_END}",
    rf"^(?:that'?s enough|no more)(?: for (?:now|today))?{_END}",
)
_HELP = _rx(
    rf"^(?:help|menu|options|commands|\?)(?: me| please)?{_END}",
    r"^what (?:else )?(?:can|do|could) (?:you|u) (?:do|help with|offer)\b",
    rf"^what (?:are|r) (?:you|u) (?:for|here for|able to do){_END}",
    rf"^what is this(?: app| thing)?{_END}",
    r"^what (?:kind of|sort of)? ?(?:things|stuff) (?:can|do) (?:you|u) (?:help|do)",
    rf"^(?:show me |open |see )?(?:the )?(?:menu|options|list of exercises){_END}",
    r"^how (?:does|do) (?:this|you|it) work",
    r"^how do i use (?:this|you)",
    r"^what are my options",
    r"^what can i do here",
    rf"^help me use (?:this|you){_END}",
)
_CONTINUE = _rx(
    rf"^(?:(?:ok(?:ay)?|yes|yeah|go on then|right)[, ]+)?(?:let'?s |can we |please )?"
    rf"(?:continue|carry on|keep going|resume|go on|pick (?:it|this) (?:back )?up)"
    rf"(?: please| then| now| with (?:it|the exercise))*{_END}",
    r"^(?:ok(?:ay)? |yes |yeah )?(?:let'?s |can we |please )?(?:go )?back to (?:it|the exercise|"
    r"where we (?:were|left off)|what we were doing)\b",
    r"^(?:let'?s )?pick up where we left off",
    r"^(?:can we |let'?s )?(?:continue|resume|finish) (?:the |my |that )?[a-z0-9 -]{0,30}"
    r"(?:one|exercise|thing)\b",
    r"^where were we",
)
_SAFE = _rx(
    r"^(?:yes |yeah |ok |okay )?i'?m (?:safe|(?:feeling )?(?:ok|okay|alright|all right|fine|better|"
    r"calmer|good))(?: now)?\b",
    r"^(?:yes |yeah )?i am (?:safe|ok|okay|alright|fine|better|calmer)\b",
    r"\bi'?m safe\b",
    r"\bi(?:'?m| am)? (?:feel|feeling|am feeling) (?:a bit |a little |much |a lot )?"
    r"(?:safe|safer|better|calmer|ok|okay)(?: now)?\b",
    r"\bi'?m not going to (?:do anything|hurt myself|act on it)\b",
    r"\bi'?m not in danger\b",
    r"^im (?:safe|ok|okay|alright|fine|better)(?: now)?\b",
    r"^(?:feeling|feel) (?:a (?:lot|bit|little) |much )?"
    r"(?:better|calmer|safer|safe|ok|okay)(?: now)?",
)
_YES = re.compile(
    rf"^(?:y|yes|yeah|yep|yup|sure|ok|okay|alright|go on|go ahead|yes please|ok sure|"
    rf"yeah ok|sounds good|why not|definitely|please|let'?s do it|let'?s go|i'?m ready)"
    rf"(?: please| sure| ok| then)?{_END}"
)
_NO = re.compile(
    rf"^(?:n|no|nope|nah|no thanks|no thank you|not now|not right now|not today|maybe later|"
    rf"later|i'?d rather not|rather not|not really)(?:[, ]+(?:thanks|thank you|not really|"
    rf"not now|i'?m good|i'?m ok))*{_END}"
)
_GREETING = re.compile(
    rf"^(?:hi+|hel+o+|he+y+|hiya|heya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|"
    rf"morning|evening|afternoon)(?: there| again| companion| you| bot| friend| all| everyone)*"
    rf"(?: x+)?{_END}"
)
_GREETING_PREFIX = re.compile(
    r"^(?:hi+|hel+o+|he+y+|hiya|heya|good (?:morning|afternoon|evening))\b[\s,.!]*"
)
_THANKS = re.compile(
    rf"^(?:ok(?:ay)? |great |lovely )?(?:thanks|thank you|thank u|thx|ty|cheers|ta|"
    rf"much appreciated|appreciate it)"
    rf"(?: (?:so|very) much| a lot| loads| again| for that| for this)?"
    rf"(?:[,.! ]+(?:that|it|this) (?:was )?(?:actually |really )?(?:helped|helpful|great))?"
    rf"(?:[, ]+really)?(?: x+)?{_END}"
    rf"|^(?:cheers|thanks|thank you)[,.! ]+(?:that|it|this) (?:was )?(?:actually |really )?"
    rf"(?:helped|helpful)"
    rf"|^that (?:was helpful|helped)(?:,? thanks)?{_END}"
)
_GOODBYE = re.compile(
    rf"^(?:bye|goodbye|good bye|bye bye|bye for now|good ?night|nighty? night|night|see (?:you|ya)"
    rf"(?: later| tomorrow| soon)?|gotta go|got to go|talk (?:later|soon|tomorrow)|later|ttyl|"
    rf"(?:i'?m )?off to bed(?: now)?|i'?m off|i'?m going to bed)"
    rf"(?:[,. ]+(?:talk later|bye|see you|for now|thanks|now))*(?: x+)?{_END}"
)
_SMALLTALK = _rx(
    rf"^(?:and )?how (?:are|r) (?:you|u)(?: doing| today)?{_END}",
    rf"^how'?s (?:it going|your day(?: going)?|things|life){_END}",
    rf"^how are things{_END}",
    rf"^(?:what'?s up|whats up|sup|(?:are )?(?:you|u) (?:ok|okay|alright|good)){_END}",
)
# Asking the companion to choose: answered with the recommender's suggestions.
_SUGGEST = _rx(
    rf"^(?:so |then )?what (?:should|shall|can|could|do you think) i (?:do|try)"
    rf"(?: now| today| next| first)?{_END}",
    rf"^(?:any |got any )?(?:suggestions?|ideas|recommendations?)(?: for me)?{_END}",
    rf"^(?:can you |could you |please )?(?:suggest|recommend|pick|choose) (?:me )?"
    rf"(?:something|an exercise|one|for me)(?: for me)?(?: to do| to try)?{_END}",
    rf"^what do you (?:suggest|recommend)(?: for me)?(?: today| now)?{_END}",
    rf"^what(?:'s|s| is) (?:next|good for me)(?: today| now)?{_END}",
    rf"^(?:give me|i want|i'?d like) something to (?:do|try){_END}",
    rf"^what(?:'s| is| would be) (?:the )?best (?:thing )?(?:for me )?to (?:do|try)"
    rf"(?: now| today)?{_END}",
)
_SET_NAME = re.compile(
    r"^(?:please )?(?:call me|my name is|my name'?s|i'?m called|you can call me)\s+"
    r"([a-z][a-z'\-]{0,30})(?:\s+[a-z][a-z'\-]{0,30})?[\s.!]*$"
)

_EXERCISES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "grounding_54321",
        _rx(
            r"\b5[\s,-]*4[\s,-]*3[\s,-]*2[\s,-]*1\b",
            r"\bfive four three\b",
            r"\bground(?:ing)? me\b",
            r"\bgrounding\b",
            r"\bfive things i can see\b",
        ),
    ),
    (
        "paced_breathing",
        _rx(
            r"\bbreathing (?:exercise|technique|thing)\b",
            r"\bbreathe with me\b",
            r"\b(?:paced|box|slow|deep) breathing\b",
            r"\bguide my breathing\b",
            r"\b(?:do|try|start) (?:some |the )?breathing\b",
            r"^breathing(?: please)?[.!]*$",
            r"\bhelp me breathe slowly\b",
        ),
    ),
    (
        "progressive_muscle_relaxation",
        _rx(
            r"\bmuscle relax",
            r"\bpmr\b",
            r"\btense and release\b",
            r"\bmuscle relaxing\b",
            r"\brelax my (?:body|muscles)\b",
            r"\bbody relaxation\b",
        ),
    ),
    (
        "thought_record",
        _rx(
            r"\bthought (?:record|diary|log)\b",
            r"\bchallenge (?:a|my|this|the) thought",
            r"\bcognitive restructuring\b",
            r"\breframe (?:a|my|this|the) thought",
            r"\bwork through (?:a|this|my) thought\b",
        ),
    ),
    (
        "sleep_diary",
        _rx(
            r"\bsleep (?:diary|log)\b",
            r"\b(?:log|record|enter) (?:my |last night'?s )?sleep\b",
            r"\blast night in my diary\b",
        ),
    ),
    (
        "cbti_sleep_restriction",
        _rx(r"\bsleep window\b", r"\bsleep restriction\b"),
    ),
    (
        "cbti_stimulus_control",
        _rx(r"\bsleep rules\b", r"\bstimulus control\b"),
    ),
    (
        "graded_exposure",
        _rx(
            r"\b(?:fear|exposure) (?:ladder|hierarchy)\b",
            r"\bgraded exposure\b",
            r"\bexposure (?:practice|exercise|session)\b",
            r"\bfear hierarchy\b",
        ),
    ),
    (
        "problem_solving",
        _rx(r"\bproblem[ -]solving\b", r"\bwork through a problem with me\b"),
    ),
    (
        "behavioural_activation",
        _rx(
            r"\bplan (?:an|some|a|one)? ?(?:activity|activities)\b",
            r"\bactivity planning\b",
            r"\bbehaviou?ral activation\b",
            r"\bschedule (?:an activity|something (?:nice|fun|to do))",
            r"\bplan something (?:to do|nice|fun)\b",
            r"\brate my (?:planned )?activity\b",
        ),
    ),
    (
        "procrastination_tiny_step",
        _rx(r"\btiny step\b", r"\bfirst tiny\b"),
    ),
    (
        "worry_time",
        _rx(r"\bworry (?:time|slot|period)\b", r"\bschedule (?:my )?worr(?:y|ies)\b"),
    ),
    (
        "self_compassion",
        _rx(r"\bself[ -]?compassion\b", r"\bcompassion break\b", r"\bself[ -]kindness exercise\b"),
    ),
    (
        "mood_checkin",
        _rx(
            r"\b(?:log|check|record|track|rate|check in) (?:in )?(?:my |on my )?mood\b",
            r"\bmood (?:check[ -]?in|check|log|rating)\b",
            r"^log mood\b",
            r"\brecord how i(?:'m| am)? feel",
        ),
    ),
)

_LEARN_CUE = re.compile(
    r"^(?:what (?:is|are|'s)|whats|what does|what happens|explain|tell me (?:about|more about)|"
    r"how does|why does|"
    r"how do|why do (?:i|we|people)|why (?:am i|can'?t i)|teach me|i want to (?:understand|learn)|"
    r"learn about|can you (?:explain|teach me|tell me about))\b"
)
_LEARN_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "cbt_triangle",
        _rx(
            r"\bcbt\b", r"\btriangle\b", r"thoughts? (?:affect|and) feelings?", r"thoughts feelings"
        ),
    ),
    ("anxiety", _rx(r"\banxi", r"\bpanic", r"\bnerv")),
    ("sleep", _rx(r"\bsleep", r"\binsomnia")),
    ("worry", _rx(r"\bworr", r"\boverthink", r"\bruminat")),
    ("low_mood", _rx(r"\blow mood\b", r"\bdepress", r"\bmotivation\b", r"\bmood\b")),
)

# Whole-message patterns, in priority order.
_ANCHORED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("stop", _STOP),
    ("help", _HELP),
    ("continue", _CONTINUE),
    ("yes", _YES),
    ("no", _NO),
    ("greeting", _GREETING),
    ("thanks", _THANKS),
    ("goodbye", _GOODBYE),
    ("smalltalk", _SMALLTALK),
    ("suggest", _SUGGEST),
)

# Weighted phrases per topic: (regex fragment, weight). Reviewed like the flows.
LEXICON: dict[str, tuple[tuple[str, float], ...]] = {
    "sleep": (
        (r"sleep\w*", 2.0),
        (r"toss(?:ing)? and turn(?:ing)?", 3.0),
        (r"insomnia", 3.0),
        (r"can'?t (?:fall )?(?:get to )?sleep", 2.0),
        (r"wide awake", 2.5),
        (r"awake", 1.5),
        (r"(?:3|2|4|three|two|four) ?am\b", 1.5),
        (r"waking up", 2.0),
        (r"wake up", 1.0),
        (r"drop off", 1.5),
        (r"nod off", 1.5),
        (r"tossing and turning", 3.0),
        (r"in bed", 1.0),
        (r"bedtime", 1.5),
        (r"night", 0.5),
        (r"fall asleep", 2.0),
        (r"asleep", 1.5),
        (r"ceiling", 1.0),
        (r"slept", 2.0),
        (r"up all night", 2.5),
        (r"jolt\w* awake", 2.5),
        (r"body clock", 2.0),
        (r"bad nights?", 2.0),
        (r"decent night", 2.0),
        (r"can'?t get comfy", 1.5),
    ),
    "panic": (
        (r"panic\w*", 3.0),
        (r"panicky", 3.0),
        (r"freaking out", 3.0),
        (r"heart (?:is )?(?:racing|pounding)", 3.0),
        (r"can'?t (?:catch my )?breathe?", 2.5),
        (r"catch my breath", 2.5),
        (r"hyperventilat\w*", 3.0),
        (r"shaking", 1.5),
        (r"dizzy", 1.5),
        (r"spinning", 1.5),
        (r"losing control", 2.0),
        (r"pass out", 2.0),
        (r"chest (?:is )?tight", 2.0),
        (r"terrified", 1.5),
        (r"tingl\w*", 2.0),
        (r"faint", 2.0),
        (r"dying", 2.0),
        (r"(?:an|the) attack", 2.5),
        (r"can'?t calm down", 2.5),
        (r"spiral\w*", 2.0),
        (r"throat", 1.5),
        (r"breathing is out of control", 3.0),
    ),
    "anxiety": (
        (r"anxious", 2.5),
        (r"anxiety", 2.5),
        (r"nervous", 2.5),
        (r"on edge", 2.5),
        (r"dread", 2.0),
        (r"uneasy", 2.0),
        (r"jittery", 2.0),
        (r"jumpy", 2.0),
        (r"restless", 1.5),
        (r"scared", 1.0),
        (r"tense", 0.5),
        (r"knot in my stomach", 2.5),
        (r"nerves", 2.0),
        (r"can'?t settle", 1.5),
        (r"edgy", 2.5),
        (r"butterflies", 2.5),
        (r"something bad (?:is going to|will|is about to) happen", 3.0),
        (r"apprehensive", 2.5),
        (r"sick with nerves", 3.0),
        (r"fidgety", 2.0),
        (r"worked up", 2.0),
        (r"unsettled", 2.0),
    ),
    "worry": (
        (r"worr\w*", 2.5),
        (r"overthink\w*", 3.0),
        (r"ruminat\w*", 3.0),
        (r"going over", 2.5),
        (r"over and over", 2.5),
        (r"round and round", 3.0),
        (r"in circles", 2.5),
        (r"what if", 2.0),
        (r"replay\w*", 2.5),
        (r"won'?t stop", 1.5),
        (r"can'?t stop thinking", 2.5),
        (r"mind (?:is |won'?t stop )?racing", 2.5),
        (r"switch (?:my brain |my mind )?off", 1.5),
        (r"looping", 2.5),
        (r"my head", 1.0),
        (r"loop", 2.5),
        (r"can'?t get (?:it|this|that|him|her) out of my head", 3.0),
        (r"dwell\w*", 2.5),
        (r"brood\w*", 2.5),
        (r"worst case", 2.5),
        (r"analys\w*", 2.0),
        (r"spinning", 1.0),
    ),
    "procrastination": (
        (r"procrastinat\w*", 3.5),
        (r"putting (?:it |this |that )?off", 3.0),
        (r"put (?:it )?off", 2.5),
        (r"keep (?:delaying|stalling)", 3.0),
        (r"stalling", 2.0),
        (r"last minute", 2.5),
        (r"deadline", 2.0),
        (r"can'?t (?:get started|get going|start|bring myself)", 3.0),
        (r"haven'?t (?:even )?started", 2.5),
        (r"thesis", 2.0),
        (r"essay", 2.0),
        (r"dissertation", 2.0),
        (r"assignment", 2.0),
        (r"report", 1.0),
        (r"to-?do list", 2.0),
        (r"tax return", 2.0),
        (r"make myself", 2.0),
        (r"motivate myself to start", 2.5),
        (r"studying", 1.5),
        (r"emails", 1.0),
        (r"avoiding (?:this|my|the) (?:task|emails|work|report)", 2.5),
        (r"excuses", 2.5),
        (r"scrolling instead", 3.0),
        (r"instead of (?:working|studying|revising)", 3.0),
        (r"end up doing something else", 3.0),
        (r"revis\w*", 1.5),
        (r"coursework", 2.0),
        (r"been meaning to", 3.0),
        (r"apply for jobs", 1.5),
        (r"behind on", 2.0),
        (r"waste the (?:whole )?day", 2.5),
    ),
    "low_mood": (
        (r"depress\w*", 2.5),
        (r"\bcry\b", 2.0),
        (r"\bsad\b", 2.5),
        (r"so low", 2.5),
        (r"feel(?:ing)? (?:really |so )?low", 3.0),
        (r"(?:feel|feeling) (?:so |really )?down", 3.0),
        (r"empty", 2.5),
        (r"numb", 2.5),
        (r"no energy", 3.0),
        (r"no motivation", 2.0),
        (r"pointless", 2.0),
        (r"miserable", 2.5),
        (r"lonely", 3.0),
        (r"alone", 2.0),
        (r"cried", 2.0),
        (r"crying", 2.0),
        (r"grey", 1.5),
        (r"don'?t enjoy", 3.0),
        (r"lost interest", 3.0),
        (r"stayed in bed", 2.5),
        (r"heavy", 1.5),
        (r"dark place", 2.5),
        (r"flat", 1.5),
        (r"can'?t be bothered", 2.5),
        (r"nothing feels good", 3.0),
        (r"isolated", 3.0),
        (r"hollow", 2.5),
        (r"no point", 2.5),
        (r"see the point", 3.0),
        (r"shadow of (?:my ?self|who i was)", 3.0),
        (r"shell of", 3.0),
        (r"just existing", 3.0),
        (r"everything is an effort", 3.0),
        (r"blue", 1.5),
        (r"can'?t get out of bed", 2.5),
        (r"makes me happy", 2.0),
        (r"tired of feeling", 2.5),
        (r"miss (?:my )?friends", 2.0),
        (r"unmotivated", 2.5),
    ),
    "negative_thoughts": (
        (r"thoughts?", 1.5),
        (r"thinking (?:that|everyone|people|they)", 2.0),
        (r"keep thinking", 2.0),
        (r"convinced", 2.0),
        (r"(?:everyone|people|they) (?:think|thinks)", 2.0),
        (r"judging me", 2.5),
        (r"i'?m sure (?:i'?m|they|i'?ll)", 2.5),
        (r"going to (?:mess|fail|ruin)", 2.0),
        (r"nobody (?:likes|cares)", 2.0),
        (r"don'?t (?:like|care about) me", 2.0),
        (r"my (?:brain|mind|inner voice) (?:tells|says)", 2.5),
        (r"assume the worst", 2.5),
        (r"never get better", 2.0),
        (r"negative thought", 3.0),
        (r"secretly", 1.5),
        (r"incompetent", 1.5),
        (r"must (?:hate|be angry|think|be annoyed)", 3.0),
        (r"definitely (?:fail|mess)", 3.0),
        (r"(?:i'?m )?certain (?:i'?ll|they|it)", 2.5),
        (r"probably think", 3.0),
        (r"laughing at me", 3.0),
        (r"talking about me", 3.0),
        (r"unlovable", 3.0),
        (r"alone forever", 3.0),
        (r"put up with me", 3.0),
        (r"(?:will )?never (?:work out|be happy)", 2.5),
        (r"jumps? to the worst", 3.0),
    ),
    "self_criticism": (
        (r"hard on myself", 3.5),
        (r"harsh (?:with|on) myself", 3.5),
        (r"beat(?:ing)? myself up", 3.5),
        (r"blame myself", 3.5),
        (r"(?:i'?m|i am) (?:such )?a failure", 3.5),
        (r"not good enough", 3.5),
        (r"(?:so|such an?) (?:stupid|idiot)", 3.0),
        (r"i'?m (?:so )?(?:stupid|useless|pathetic|an idiot)", 3.0),
        (r"worst critic", 3.5),
        (r"ashamed of myself", 3.0),
        (r"my fault", 2.5),
        (r"forgive myself", 3.0),
        (r"always mess(?:ing)? (?:things|it|everything) up", 2.5),
        (r"useless", 2.0),
        (r"worthless", 2.0),
        (r"stupid", 1.5),
        (r"disgusted with myself", 3.5),
        (r"let (?:people|everyone|them) down", 3.0),
        (r"should have done better", 3.0),
        (r"hate myself", 3.0),
        (r"disappointment", 2.5),
        (r"loser", 3.0),
        (r"guilty", 2.0),
        (r"rubbish at", 3.0),
        (r"angry at myself", 3.0),
        (r"criticis\w* myself", 3.5),
        (r"call myself names", 3.5),
        (r"terrible (?:friend|person|mum|dad|parent)", 3.0),
        (r"get anything right", 3.0),
    ),
    "problem": (
        (r"problem", 2.0),
        (r"don'?t know (?:what to do|how to)", 3.0),
        (r"decid\w*", 2.0),
        (r"decision", 2.5),
        (r"stuck", 1.5),
        (r"sort (?:it |this |that )?out", 2.0),
        (r"landlord", 2.5),
        (r"flatmate", 2.0),
        (r"neighbou?r", 2.0),
        (r"debts?", 2.5),
        (r"bills", 2.0),
        (r"finances", 2.0),
        (r"figure (?:out|it out)", 2.5),
        (r"work out what to do", 3.0),
        (r"how to (?:handle|deal)", 2.5),
        (r"deal with", 1.5),
        (r"issue with", 2.0),
        (r"options", 1.5),
        (r"choose", 1.5),
        (r"quit my job", 2.0),
        (r"need a plan", 2.0),
        (r"in a mess", 1.5),
        (r"can'?t afford", 3.0),
        (r"choose between", 3.0),
        (r"make my mind up", 3.0),
        (r"what (?:do|should) i do", 2.5),
        (r"arguing", 2.0),
        (r"fix (?:it|things|this)", 2.0),
        (r"rent", 1.5),
        (r"should i (?:move|stay|quit|leave)", 3.0),
        (r"how to say no", 2.5),
        (r"childcare", 2.0),
        (r"broke down", 2.0),
        (r"a fine\b", 2.0),
        (r"coworker|co-worker|colleague", 1.5),
    ),
    "avoidance": (
        (r"avoid\w*", 2.5),
        (r"too (?:scared|afraid) to", 3.5),
        (r"scared of", 2.5),
        (r"afraid of", 2.5),
        (r"fear of", 2.5),
        (r"phobia", 3.5),
        (r"terrified of", 3.0),
        (r"can'?t face", 3.0),
        (r"crowd\w*", 2.0),
        (r"leave the house", 3.0),
        (r"left the house", 3.0),
        (r"go out", 1.5),
        (r"social situations", 2.5),
        (r"parties", 1.5),
        (r"the (?:bus|train|tube)", 2.0),
        (r"lifts?", 1.5),
        (r"flying", 2.0),
        (r"driving", 1.5),
        (r"stay home", 2.0),
        (r"supermarket", 1.5),
        (r"shops", 1.5),
        (r"can'?t go", 2.0),
        (r"stopped (?:going|driving)", 2.0),
        (r"cancel\w* plans", 3.0),
        (r"won'?t (?:use|go|eat|drive)", 2.5),
        (r"hiding (?:at home|away)", 2.5),
        (r"dodge", 2.5),
        (r"frightened of", 3.0),
        (r"stairs", 1.5),
        (r"on my own", 1.0),
        (r"without my (?:partner|mum|friend)", 2.5),
        (r"speak up", 2.0),
        (r"eye contact", 2.5),
        (r"in front of people", 2.5),
    ),
    "stress": (
        (r"stress\w*", 3.0),
        (r"overwhelm\w*", 3.0),
        (r"too much", 2.5),
        (r"pressure", 2.0),
        (r"burn(?:t|ed)? ?out", 3.0),
        (r"rough day", 3.0),
        (r"(?:horrible|awful|long|bad) day", 2.5),
        (r"tense", 2.0),
        (r"tension", 2.0),
        (r"wound up", 3.0),
        (r"can'?t (?:relax|unwind)", 3.0),
        (r"on my plate", 2.5),
        (r"on top of me", 2.5),
        (r"shoulders", 1.5),
        (r"work", 1.0),
        (r"frazzled", 3.0),
        (r"manic", 2.5),
        (r"juggl\w*", 3.0),
        (r"clenched", 3.0),
        (r"snap", 2.0),
        (r"strain", 2.5),
        (r"piling up", 2.5),
        (r"stretched", 2.5),
        (r"running on empty", 3.0),
        (r"headaches?", 1.5),
        (r"knots", 1.0),
        (r"crazy", 1.0),
    ),
    "homework": (
        (r"homework", 3.5),
        (r"(?:my|the) plan\b", 2.5),
        (r"due(?: today)?", 2.5),
        (r"set for me", 2.5),
        (r"assign\w*", 1.5),
        (r"supposed to do", 3.0),
        (r"(?:exercises|tasks) (?:do i have|for this week)", 3.0),
        (r"my tasks", 2.5),
        (r"got to do", 2.0),
        (r"meant to do", 3.0),
        (r"this week", 1.0),
        (r"agreed? i'?d do", 3.0),
        (r"on my list", 2.5),
        (r"my assignment from", 3.0),
        (r"therapist gave me", 3.0),
        (r"have i got (?:any )?tasks", 3.0),
        (r"remind me what", 2.0),
    ),
    "off_topic": (
        (r"weather", 3.5),
        (r"football|soccer|the score|match", 3.0),
        (r"recipe", 3.5),
        (r"joke|funny", 3.0),
        (r"capital of", 3.5),
        (r"movie|film|tv shows?", 3.0),
        (r"\d+ ?(?:times|plus|minus|x|\*|\+|-|divided by) ?\d+", 3.5),
        (r"(?:maths?|math|school|uni|chemistry|physics|history) homework", 4.0),
        (r"president", 3.0),
        (r"bitcoin|stock", 3.0),
        (r"translate", 3.5),
        (r"cover letter|poem|essay for me", 3.0),
        (r"python|code", 3.0),
        (r"phone to buy", 3.0),
        (r"everest|how tall", 3.0),
        (r"what time is it", 3.0),
        (r"who won", 3.5),
        (r"election", 3.5),
        (r"taxi|uber", 3.5),
        (r"book me", 3.0),
        (r"order me", 3.0),
        (r"cook\w*|dinner|lunch|breakfast", 2.0),
        (r"the news", 3.0),
        (r"music|song|band", 3.0),
        (r"set an alarm", 3.5),
        (r"wifi|laptop broke", 3.0),
        (r"cinema", 3.0),
        (r"tell me a story", 3.5),
        (r"meaning of life", 3.5),
        (r"the date today|what day is it", 3.0),
        (r"recommend a (?:book|film|show|restaurant)", 3.5),
    ),
}


@lru_cache(maxsize=1)
def _compiled_lexicon() -> dict[str, tuple[tuple[re.Pattern[str], float], ...]]:
    return {
        topic: tuple((re.compile(rf"\b(?:{p})"), w) for p, w in phrases)
        for topic, phrases in LEXICON.items()
    }


def keyword_scores(text: str) -> dict[str, float]:
    """Sum of the weights of the lexicon phrases found in the normalised text, per topic."""
    scores: dict[str, float] = {}
    for topic, phrases in _compiled_lexicon().items():
        total = sum(w for rx, w in phrases if rx.search(text))
        if total:
            scores[topic] = total
    return scores


# --- the classifier's features (shared with training) ---------------------------------------

_WORD = re.compile(r"[a-z0-9']+")


def features(text: str) -> list[str]:
    """Words, word pairs and letter trigrams of each word: tolerant of typos and endings."""
    words = _WORD.findall(prepare(text))
    feats = [f"w:{w}" for w in words]
    feats += [f"b:{a}_{b}" for a, b in itertools.pairwise(words)]
    for w in words:
        padded = f"<{w}>"
        feats += [f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2)]
    return feats


def _one_letter_dropped(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class LinearModel:
    """TF-IDF + multinomial logistic regression, as plain weights (no pickle, no sklearn)."""

    labels: tuple[str, ...]
    vocab: Mapping[str, int]
    idf: Sequence[float]
    weights: Sequence[Sequence[float]]  # one row per vocabulary entry, one column per label
    intercept: Sequence[float]
    meta: Mapping[str, Any] = field(default_factory=dict)

    def vector(self, text: str) -> dict[int, float]:
        counts: dict[int, float] = {}
        for f in features(text):
            index = self.vocab.get(f)
            if index is not None:
                counts[index] = counts.get(index, 0.0) + 1.0
        weighted = {i: (1.0 + math.log(c)) * self.idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
        return {i: v / norm for i, v in weighted.items()}

    @cached_property
    def _near_words(self) -> frozenset[str]:
        """Training words, and each one (4+ letters) with one letter dropped."""
        words = {f[2:] for f in self.vocab if f.startswith("w:")}
        near = set(words)
        for w in words:
            if len(w) >= 4:
                near |= _one_letter_dropped(w)
        return frozenset(near)

    def knows_a_word(self, text: str) -> bool:
        """Whether some word of `text` was seen in training, allowing a typo or two in words of
        4+ letters. Letter trigrams alone let the model find a topic in gibberish ("ulmvie ox
        kxb" read as self-criticism); a misspelt "cant slep" must still reach sleep."""
        near = self._near_words
        for w in _WORD.findall(prepare(text)):
            if f"w:{w}" in self.vocab:
                return True
            if len(w) >= 4 and (w in near or not _one_letter_dropped(w).isdisjoint(near)):
                return True
        return False

    def probabilities(self, text: str) -> dict[str, float]:
        scores = list(self.intercept)
        for i, value in self.vector(text).items():
            row = self.weights[i]
            for k in range(len(scores)):
                scores[k] += value * row[k]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.labels, exps, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "vocab": sorted(self.vocab, key=lambda f: self.vocab[f]),
            "idf": [round(v, 5) for v in self.idf],
            "weights": [[round(w, 4) for w in row] for row in self.weights],
            "intercept": [round(v, 5) for v in self.intercept],
            "meta": dict(self.meta),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinearModel:
        return cls(
            labels=tuple(data["labels"]),
            vocab={f: i for i, f in enumerate(data["vocab"])},
            idf=tuple(data["idf"]),
            weights=tuple(tuple(row) for row in data["weights"]),
            intercept=tuple(data["intercept"]),
            meta=dict(data.get("meta", {})),
        )


@lru_cache(maxsize=1)
def default_model() -> LinearModel | None:
    """The shipped model, or None when it has not been trained (the lexicon still works)."""
    if not MODEL_PATH.exists():
        return None
    return LinearModel.from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds, tuned on the development split of the training examples."""

    keyword_sure: float = 2.5  # keyword score that decides alone when it also leads by...
    keyword_margin: float = 1.0  # ...this much over the runner-up
    model_sure: float = 0.35  # classifier probability that decides
    keyword_weak: float = 1.5  # a keyword lead this strong still beats "unknown"


class Router:
    """Classifies one message. Deterministic; holds only read-only tables and weights."""

    def __init__(
        self, model: LinearModel | None = None, thresholds: Thresholds | None = None
    ) -> None:
        self.model = model
        self.thresholds = thresholds or Thresholds()

    @classmethod
    def default(cls) -> Router:
        """The shipped model with the thresholds tuned alongside it."""
        model = default_model()
        tuned = model.meta.get("thresholds") if model else None
        return cls(model, Thresholds(**tuned) if tuned else None)

    def control(self, text: str) -> str | None:
        """What may interrupt an exercise: human, stop, help or bot_question (else None)."""
        t = _core(prepare(text))
        if _BOT.search(t):
            return "bot_question"
        if _HUMAN.search(t):
            return "human"
        if _STOP.search(t):
            return "stop"
        if _HELP.search(t):
            return "help"
        return None

    def route(self, text: str) -> Route:
        full = prepare(text)
        if not re.search(r"[a-z0-9]", full):
            return Route("unknown", 0.0, "none")
        core = _core(full)  # without leading fillers ("ok so", "nvm", "wait")
        if _BOT.search(core):
            return Route("bot_question", 1.0, "pattern")
        if _HUMAN.search(full):
            return Route("human", 1.0, "pattern")
        for intent, pattern in _ANCHORED:
            # the whole message first: "hey again" is a greeting, not "again"
            if pattern.search(full) or pattern.search(core):
                return Route(intent, 1.0, "pattern")
        if m := _SET_NAME.match(core):
            return Route("set_name", 1.0, "pattern", name=m.group(1).title())
        if _SAFE.search(core) and not re.search(r"\bnot (?:safe|ok|okay|fine|alright)\b", core):
            return Route("safe", 1.0, "pattern")
        body = _GREETING_PREFIX.sub("", core) or core
        if _LEARN_CUE.search(body):
            for topic, pattern in _LEARN_TOPICS:
                if pattern.search(body):
                    return Route("learn", 1.0, "pattern", "psychoeducation", {"topic": topic})
        for flow_id, pattern in _EXERCISES:
            if pattern.search(body):
                return Route(f"{EXERCISE_PREFIX}{flow_id}", 1.0, "pattern", flow_id)
        return self._topic(body)

    def _topic(self, t: str) -> Route:
        th = self.thresholds
        scores = keyword_scores(t)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, best_score = ranked[0] if ranked else ("unknown", 0.0)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if best_score >= th.keyword_sure and best_score - runner_up >= th.keyword_margin:
            return Route(best, min(best_score / 6.0, 1.0), "keywords")
        # the model decides only on some evidence: a keyword or a word it has seen; otherwise
        # the companion says it did not understand instead of guessing
        if self.model is not None and (scores or self.model.knows_a_word(t)):
            probs = self.model.probabilities(t)
            label, p = max(probs.items(), key=lambda kv: kv[1])
            # the lexicon's evidence and the model's agree or the model is sure
            if label in scores and scores[label] >= best_score - 0.5 and p >= th.model_sure / 2:
                return Route(label, p, "model", _flow_of(label))
            if p >= th.model_sure and label in CLASSIFIER_LABELS:
                return Route(label, p, "model", _flow_of(label))
        if best_score >= th.keyword_weak:
            return Route(best, min(best_score / 6.0, 1.0), "keywords")
        return Route("unknown", 0.0, "none")


def _flow_of(label: str) -> str | None:
    if label == "learn":
        return "psychoeducation"
    return label.removeprefix(EXERCISE_PREFIX) if label.startswith(EXERCISE_PREFIX) else None


def read_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs from a JSONL file of {"text", "intent"} rows."""
    rows: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((str(row["text"]), str(row["intent"])))
    return rows


def evaluate(router: Router, examples: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Accuracy overall and per intent, plus the misrouted examples."""
    total = correct = 0
    per: dict[str, list[int]] = {}
    errors: list[dict[str, str]] = []
    for text, gold in examples:
        got = router.route(text).intent
        total += 1
        hit = got == gold
        correct += hit
        per.setdefault(gold, [0, 0])
        per[gold][0] += hit
        per[gold][1] += 1
        if not hit:
            errors.append({"text": text, "expected": gold, "got": got})
    return {
        "n": total,
        "accuracy": round(correct / total, 4) if total else 0.0,
        "per_intent": {k: round(v[0] / v[1], 3) for k, v in sorted(per.items())},
        "errors": errors,
    }
