"""Curated linguistic rules for crisis language in short chat messages.

The rules run on `normalise`d text. Each rule names a *cue* (ideation, self-harm, intent,
a means or timeline that escalates, distress, ...). Every hit is then *qualified*:

* negated ("I'd never kill myself"): contributes nothing;
* third person ("my friend says she wants to die"): a concern about someone else, `low`;
* past ("I used to self-harm years ago"): history, `low`, unless the sentence also says
  it is recent ("again", "last night");
* figurative or informational ("this commute is killing me", "suicide prevention day"):
  masked, contributes nothing.

`analyse` turns one message into an `Analysis`; `combine` adds the recent turns, so
"I have the pills" after "I want to end it" becomes `imminent`. The rules were written by
the team from clinical knowledge and from the training cases in `data/team_cases.jsonl`;
the evaluation cases in the test suite were written separately, but by the same team.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from mindbridge.safety.levels import RiskLevel, highest


class Cue(StrEnum):
    """What a rule recognised. The level a cue sets on its own is in `_BASE_LEVEL`."""

    FIGURATIVE = "figurative"
    INFORMATIONAL = "informational"
    IDEATION = "ideation"
    SELF_HARM = "self_harm"
    METHOD_RESEARCH = "method_research"
    MEANS_ACQUIRED = "means_acquired"
    CRISIS_CONTACT = "crisis_contact"
    LOCATION = "location"
    ATTEMPT_REPORTED = "attempt_reported"
    INTENT = "intent"
    ATTEMPT = "attempt"
    FAREWELL = "farewell"
    DISTRESS = "distress"
    HYPERBOLE = "hyperbole"
    RESOURCE_REQUEST = "resource_request"
    OTHER_DIRECTED = "other_directed"
    # escalators: nothing on their own, decisive next to ideation
    MEANS = "means"
    PLAN = "plan"
    DECISION = "decision"
    TIMELINE = "timeline"
    VEILED_INTENT = "veiled_intent"
    JUMP = "jump"


class Qualifier(StrEnum):
    """How a hit relates to the writer, now."""

    OWN = "own"
    NEGATED = "negated"
    THIRD_PERSON = "third_person"
    PAST = "past"
    FIGURATIVE = "figurative"
    INFORMATIONAL = "informational"


_BASE_LEVEL: dict[Cue, RiskLevel] = {
    Cue.IDEATION: RiskLevel.ELEVATED,
    Cue.SELF_HARM: RiskLevel.ELEVATED,
    Cue.METHOD_RESEARCH: RiskLevel.ELEVATED,
    Cue.MEANS_ACQUIRED: RiskLevel.ELEVATED,
    Cue.CRISIS_CONTACT: RiskLevel.ELEVATED,
    Cue.LOCATION: RiskLevel.ELEVATED,
    Cue.ATTEMPT_REPORTED: RiskLevel.ELEVATED,
    Cue.INTENT: RiskLevel.IMMINENT,
    Cue.ATTEMPT: RiskLevel.IMMINENT,
    Cue.FAREWELL: RiskLevel.IMMINENT,
    Cue.DISTRESS: RiskLevel.LOW,
    Cue.HYPERBOLE: RiskLevel.LOW,
    Cue.RESOURCE_REQUEST: RiskLevel.LOW,
    Cue.OTHER_DIRECTED: RiskLevel.LOW,
}
# Cues that describe risk to the writer: these are what third person / past downgrade.
_RISK_CUES = frozenset(
    {
        Cue.IDEATION,
        Cue.SELF_HARM,
        Cue.METHOD_RESEARCH,
        Cue.MEANS_ACQUIRED,
        Cue.CRISIS_CONTACT,
        Cue.LOCATION,
        Cue.ATTEMPT_REPORTED,
        Cue.INTENT,
        Cue.ATTEMPT,
        Cue.FAREWELL,
        Cue.MEANS,
    }
)
_ELEVATING = frozenset(
    {
        Cue.IDEATION,
        Cue.SELF_HARM,
        Cue.METHOD_RESEARCH,
        Cue.MEANS_ACQUIRED,
        Cue.LOCATION,
        Cue.ATTEMPT_REPORTED,
        Cue.CRISIS_CONTACT,
    }
)
_ESCALATORS = frozenset(
    {
        Cue.MEANS,
        Cue.MEANS_ACQUIRED,
        Cue.PLAN,
        Cue.DECISION,
        Cue.LOCATION,
        Cue.JUMP,
        Cue.VEILED_INTENT,
    }
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One named group of regular expressions with how its hits are qualified."""

    id: str
    anchors: frozenset[str]  # word prefixes (<= 6 chars) or words: one must be in the sentence
    cue: Cue
    regex: re.Pattern[str]
    negatable: bool = True
    subject_check: bool = True
    past_sensitive: bool = True
    forced: Qualifier | None = None
    actionable: bool = False  # a wish to act; with a timeline in the sentence it is intent
    recent_level: RiskLevel | None = None  # level when the sentence says it just happened
    level: RiskLevel | None = None  # overrides the cue's own level
    protected: bool = False  # not explained away by an overlapping mask


@dataclass(frozen=True, slots=True)
class Mask:
    """Figurative, informational or hostile-to-others phrases that explain risk words away."""

    id: str
    anchors: frozenset[str]
    cue: Cue
    qualifier: Qualifier
    regex: re.Pattern[str]
    level: RiskLevel = RiskLevel.NONE


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str
    cue: Cue
    phrase: str
    start: int
    end: int
    qualifier: Qualifier
    level: RiskLevel


@dataclass(frozen=True, slots=True)
class Analysis:
    """The rules' reading of one message, before the model and the context are added."""

    text: str  # normalised
    hits: tuple[Hit, ...]
    level: RiskLevel
    tokens: int

    def own(self) -> frozenset[Cue]:
        return frozenset(h.cue for h in self.hits if h.qualifier is Qualifier.OWN)

    @property
    def explained_away(self) -> bool:
        """Risk words were present, but each was negated, figurative, past or someone else's.

        The model must not overrule that reading on its own: it sees "kill myself" in
        "I'd never kill myself" as strongly as anywhere else.
        """
        own_risk = any(h.qualifier is Qualifier.OWN and h.cue in _RISK_CUES for h in self.hits)
        explained = any(
            h.qualifier is not Qualifier.OWN or h.cue in (Cue.FIGURATIVE, Cue.INFORMATIONAL)
            for h in self.hits
            if h.cue in _RISK_CUES or h.cue in (Cue.FIGURATIVE, Cue.INFORMATIONAL)
        )
        return explained and not own_risk

    @property
    def concern_for_other(self) -> bool:
        return any(h.qualifier is Qualifier.THIRD_PERSON for h in self.hits)


def _a(words: str) -> frozenset[str]:
    return frozenset(_words(words))


def _prefixes(phrases: Sequence[str]) -> frozenset[str]:
    """Anchors for a list of words or phrases: the first word, cut to the prefix length."""
    return frozenset(p.split()[0][:_PREFIX] for p in phrases)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _alt(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts))


# --- vocabulary -------------------------------------------------------------------------

_DISTRESS_WORDS = (
    *_words(
        "hopeless hopelessness worthless worthlessness helpless useless pointless meaningless "
        "empty numb miserable despair desperate devastated heartbroken broken trapped "
        "overwhelmed overwhelming exhausted drained lonely loneliness isolated depressed "
        "depression depressing anxious anxiety panic panicking stressed stress scared "
        "terrified afraid ashamed shame guilty guilt grief grieving crying cried sobbing "
        "tearful upset sad sadness unhappy suffering "
        "struggling overthinking drowning burnout"
    ),
    "in tears",
    "falling apart",
    "breaking down",
    "broke down",
    "burnt out",
    "burned out",
    "at my limit",
    "breaking point",
    "rock bottom",
    "spiralling",
    "spiraling",
    "losing my mind",
    "lost my mind",
    "going crazy",
    "dead inside",
)

_PILLS = (
    r"pills|tablets|meds|medication|medicine|paracetamol|tylenol|acetaminophen|ibuprofen|"
    r"aspirin|sleeping pills|sleeping tablets|painkillers|antidepressants|insulin|capsules"
)
_HEIGHTS = r"bridges?|buildings?|cliffs?|car parks?|parking garages?|rooftops?|roofs?|towers?"
_TIME = (
    r"tonight|today|tomorrow(?: morning| night)?|this (?:weekend|week|evening|afternoon|morning)|"
    r"right now|later (?:today|tonight)|in (?:an|a few|a couple of|\d+) (?:hours?|minutes?|mins?|"
    r"days?)|"
    r"(?:on |this |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
_PEOPLE = (
    r"family|kids|children|parents|mum|mom|dad|wife|husband|partner|friends|everyone|"
    r"loved ones|sister|brother|son|daughter|girlfriend|boyfriend"
)
_SELF_ACTS = (
    r"kill myself|kms|kys|end it(?: all)?|end my life|end things|end everything|"
    r"take my (?:own )?life|unalive(?: myself)?|ctb|commit suicide|hurt myself|harm myself|"
    r"self-harm|overdose|od|hang myself|neck myself"
)


@lru_cache(maxsize=1)
def masks() -> tuple[Mask, ...]:
    """Compiled lazily so importing the package stays cheap."""
    fig = Qualifier.FIGURATIVE
    info = Qualifier.INFORMATIONAL
    return (
        Mask(
            "idiom_killing_me",
            _a("kill"),
            Cue.FIGURATIVE,
            fig,
            _alt(
                r"\b(?:is|are|was|were|'s|'re|keeps|kept|literally|actually|slowly|honestly) "
                r"killing me\b",
                r"\b(?:going to|will|'ll|gon) (?:literally |actually |seriously |honestly )?kill "
                r"me\b",
                r"\bkilled me\b",
                r"\bkilling me (?:lol|lmao|haha)\b",
            ),
        ),
        Mask(
            "idiom_kill_for",
            _a("kill murder"),
            Cue.FIGURATIVE,
            fig,
            re.compile(
                r"\b(?:i'd|i would|i could|would|could|i'll|i will) (?:literally |honestly |"
                r"totally "
                r"|actually |so |seriously )?(?:kill|murder) (?:for|a|an|some|the|this|that)\b"
            ),
        ),
        Mask(
            "idiom_dying_to",
            _a("dying"),
            Cue.FIGURATIVE,
            fig,
            re.compile(r"\bdying (?:to|for) (?!die\b|end\b|kill\b|be dead\b|disappear\b)\w+"),
        ),
        Mask(
            "idiom_die_of",
            _a("die dying dead death kill"),
            Cue.FIGURATIVE,
            fig,
            _alt(
                r"\b(?:die|died|dying|dead|death) (?:of|from) (?:laughter|laughing|embarrassment|"
                r"shame|boredom|thirst|hunger|cringe|curiosity|the heat|heat|cuteness|jealousy|"
                r"exhaustion|fright|happiness|excitement)\b",
                r"\b(?:died|dying|dead|die|killed myself|killing myself|killing me) laughing\b",
                r"\b(?:nearly|almost) died\b(?= (?:laughing|of|from|when|tripping|falling|choking|"
                r"on|at|in|during))",
            ),
        ),
        Mask(
            "idiom_dead_adj",
            _a("dead deceas dying crying"),
            Cue.FIGURATIVE,
            fig,
            _alt(
                r"\bdead (?:tired|serious|set|wrong|end|last|ringer|beat|quiet|easy|simple|centre|"
                r"center|heat|weight|on|straight|ahead|asleep)\b",
                r"\b(?:i'm|i am|we're|we are|i was|literally|actually|im) (?:so |literally )?"
                r"(?:dead|deceased|dying|crying)(?=\s*(?:lol|lmao|lmfao|haha|ha\b|😂|🤣|💀|😭|☠))",
                r"\b(?:dead|dying|deceased)\s*(?:lol|lmao|lmfao|😂|🤣|💀)",
            ),
        ),
        Mask(
            "idiom_device_died",
            _a("dying dead die"),
            Cue.FIGURATIVE,
            fig,
            re.compile(
                r"\b(?:phone|battery|laptop|computer|car|plant|plants|torch|flashlight|charger|"
                r"headphones|airpods|tablet|ipad|tv|console|remote|bulb|printer|engine|wifi|pc|"
                r"controller|signal|conversation|party|mood|vibe|chat|game|series|show) "
                r"(?:is |are |was |has |just |finally |kinda |totally )?(?:dying|died|dead)\b"
            ),
        ),
        Mask(
            "idiom_kill_object",
            _a("kill"),
            Cue.FIGURATIVE,
            fig,
            re.compile(
                r"\bkill(?:ing|ed|s)? (?:it|time|the lights|the mood|the vibe|two birds|the engine|"
                r"the process|the app|the task|the bug|the spider|a spider|germs|bacteria|weeds|"
                r"the music|the tv|the game|the conversation)\b"
            ),
        ),
        Mask(
            "idiom_to_death",
            _a("die dead death cross drop"),
            Cue.FIGURATIVE,
            fig,
            _alt(
                r"\bto die for\b",
                r"\b(?:bored|scared|frightened|worried|sick|tired|stressed|annoyed|freezing|"
                r"starving|terrified|embarrassed) to death\b",
                r"\blove[sd]? (?:it|him|her|them|you|this|that|my \w+) to death\b",
                r"\bthe death of me\b",
                r"\bover my dead body\b",
                r"\bdrop[- ]dead\b",
                r"\bdie[- ]hard\b",
                r"\bdo or die\b",
                r"\bdie on (?:this|that) hill\b",
                r"\b(?:could|can|would|will|'d) die happy\b",
                r"\bcross my heart(?: and hope to die)?\b",
                r"\b(?:i'd|i would|i will|i'll) (?:literally |honestly )?die for (?:my|you|her|him|"
                r"them|a|an|this|that|some|one)\b",
                r"\b(?:i'll|i will|i'd|i would|i'm going to) (?:literally |actually )?die if\b",
            ),
        ),
        Mask(
            "idiom_accident",
            _a("myself"),
            Cue.FIGURATIVE,
            fig,
            _alt(
                r"\bkilling myself (?:at (?:work|the gym)|with work|working|studying|over "
                r"(?:this|that|it|work|nothing)|trying to (?:meet|finish|get|keep|make|please|"
                r"impress|catch))\b",
                r"\b(?:almost|nearly) killed myself (?:tripping|falling|on|when|slipping|skating|"
                r"skiing|running|laughing)\b",
                r"\bhurt myself (?:at|playing|while|when|lifting|running|skiing|skating|falling|"
                r"on (?!purpose)\w+|in (?:the|a) (?:gym|game|match|fall))\b",
                r"\b(?:cut|burned|burnt) myself (?:shaving|cooking|chopping|on (?:a|the) (?:knife|"
                r"oven|stove|paper|tin|can|glass|pan|kettle|iron))\b",
            ),
        ),
        Mask(
            "media_title",
            _a("suicid jump"),
            Cue.FIGURATIVE,
            fig,
            _alt(
                r"\bsuicide (?:squad|doors?|mission|runs?|sprints?|drills?|silence|king|blonde)\b",
                r"\b(?:go|should go|can go|just go) jump off (?:a|the) (?:bridge|cliff)\b",
            ),
        ),
        Mask(
            "informational",
            _a("suicid self-h crisis"),
            Cue.INFORMATIONAL,
            info,
            _alt(
                r"\bsuicide (?:prevention|awareness|hotline|helpline|help line|lifeline|line|"
                r"crisis line|rates?|statistics|stats|research|documentary|training|survivors?|"
                r"bereavement|first aid|risk assessment|month|day|week|crisis lines?)\b",
                r"\bself-harm (?:awareness|prevention|research|statistics|rates?|training|"
                r"support group)\b",
                r"\b(?:article|essay|documentary|book|video|podcast|lecture|talk|research|study|"
                r"studies|paper|presentation|class|course|training|module|news|report|statistics|"
                r"facts|information|info|stats|leaflet|poster|assembly|workshop|film|movie|show|"
                r"series) (?:\w+ )?(?:about|on|regarding|covering|around) (?:\w+ )?(?:suicide|"
                r"self-harm|suicidal \w+)\b",
                r"\b(?:signs|warning signs|risk factors|symptoms) of (?:suicide|self-harm|"
                r"suicidal \w+)\b",
                r"\b(?:crisis|suicide) (?:line|hotline|helpline) (?:volunteer|worker|training)\b",
            ),
        ),
        Mask(
            "told_to",
            _a("kill kys die unaliv end"),
            Cue.OTHER_DIRECTED,
            Qualifier.OWN,
            re.compile(
                r"\b(?:told|tells|telling|said|says|saying|messaged|texted|commented|keep telling|"
                r"keeps telling) (?:me )?(?:to |that i should |i should |i need to |i ought to )"
                r"?(?:go )?(?:kill myself|kys|die|unalive myself|end my life)\b"
            ),
            level=RiskLevel.LOW,
        ),
    )


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """Compiled lazily so importing the package stays cheap."""
    return (
        # --- ideation -----------------------------------------------------------------
        Rule(
            "want_to_die",
            _a("die dye dead"),
            Cue.IDEATION,
            _alt(
                r"\b(?:want|wanted|wanting|wants|wish|wished|wishing|wishes|need|needed|needs|"
                r"ready|deserve|deserves|deserved|prefer|hope|hoping|long|longing|try|trying|"
                r"tried|plan|planning|decided|desperate|yearn|yearning) to (?:just |finally |"
                r"simply |really |fucking )?(?:die|dye|be dead)\b(?! (?:my|it|her|his|your|"
                r"their|them|the|a|some|this|that|hair|clothes|of|from|laughing)\b)",
            ),
            actionable=True,
        ),
        Rule(
            "rather_die",
            _a("rather"),
            Cue.IDEATION,
            re.compile(
                r"\brather (?:die|be dead) than (?:live|keep living|go on|be alive|wake up|feel "
                r"(?:like )?this|keep feeling|keep going|face)\b"
            ),
        ),
        Rule(
            "inner_voice",
            _a("tell told"),
            Cue.IDEATION,
            re.compile(
                r"\b(?:mind|brain|head|voice|voices|thoughts|depression|illness) (?:keeps |keep |"
                r"is "
                r"|are )?(?:telling|tells|told) me to (?:kill myself|die|end it|end my life|hurt "
                r"myself|kms)\b"
            ),
            subject_check=False,
            protected=True,
        ),
        Rule(
            "wish_dead",
            _a("wish hop pray rather wake"),
            Cue.IDEATION,
            _alt(
                r"\bwish(?:ed|ing)? (?:that )?(?:i|i'd|i had|i could|i would)(?: just)? (?:was|"
                r"were|be|been|had) (?:dead|died|gone|never born|never been born|not born|not "
                r"alive|never existed)\b",
                r"\bwish(?:ed|ing)? (?:that )?i (?:could|would|might) (?:just )?(?:die|disappear "
                r"forever|not exist|stop existing|not wake up|never wake up|sleep forever|fall "
                r"asleep forever|be dead|cease to exist)\b",
                r"\bwish(?:ed|ing)? (?:that )?i(?:'d| had)? never (?:been born|existed)\b",
                r"\bwish(?:ed|ing)? (?:that )?i (?:wasn't|weren't|was not|were not) (?:alive|here|"
                r"born|around|in this world)\b",
                r"\b(?:hope|hoping|pray|praying) (?:that )?i (?:just )?(?:die|don't survive|get "
                r"hit|"
                r"never wake up|don't make it)\b",
                r"\b(?:hope|hoping|wish|pray)(?:ing)? (?:something|someone|somebody) kills me\b",
                r"\brather not (?:exist|be alive|be here|live|wake up)\b",
                r"\bif i (?:don't|do not|didn't|never) wake up\b[^.!?]{0,30}\b(?:fine|okay|ok|"
                r"good|great|better|whatever|don't care|wouldn't mind)\b",
                r"\b(?:wish|hope|pray)(?:ing|ed)? (?:that )?(?:someone|somebody|something|god) "
                r"(?:would |will |could )?(?:just )?(?:kill|take) me\b",
                r"\b(?:hope|wish|pray)(?:ing)? (?:a|some|the) (?:car|bus|truck|lorry|train|plane) "
                r"(?:hits|would hit|will hit|runs over|crashes into) me\b",
            ),
            subject_check=False,
        ),
        Rule(
            "wish_dead_other",
            _a("wish"),
            Cue.IDEATION,
            re.compile(
                r"\bwish(?:es|ed)? (?:that )?(?:he|she|they|he'd|she'd|they'd) (?:was|were|had) "
                r"(?:dead|never been born|not alive|never born)\b"
            ),
            forced=Qualifier.THIRD_PERSON,
        ),
        Rule(
            "kill_myself",
            _a("myself life"),
            Cue.IDEATION,
            re.compile(
                r"\b(?:kill|killing|killed|kills|end|ending|ended|take|taking|took) (?:myself|my "
                r"own life|my life)\b"
            ),
            subject_check=False,
            actionable=True,
        ),
        Rule(
            "reflexive_other",
            _a("himsel hersel themse life lives"),
            Cue.IDEATION,
            re.compile(
                r"\b(?:kill|killing|killed|kills|end|ending|ended|take|taking|took|takes|hurt|"
                r"hurting|hurts|harm|harming|harms|cut|cutting|cuts|unalive|unaliving|unalived) "
                r"(?:himself|herself|themselves|themself|their own life|his own life|her own life|"
                r"his life|her life|their life|their lives)\b"
            ),
            forced=Qualifier.THIRD_PERSON,
        ),
        Rule(
            "suicide",
            _a("suicid"),
            Cue.IDEATION,
            re.compile(r"\bsuicid(?:e|es|al|ality)\b"),
        ),
        Rule(
            "slang",
            _a("kms unaliv ctb catch sewer toaste rop neck hero nap sleep log delete unsubs alt"),
            Cue.IDEATION,
            _alt(
                r"\bkms+\b",
                r"\bunaliv(?:e|ing|ed)\b",
                r"\bctb\b",
                r"\bcatch(?:ing)? the bus (?:for good|permanently|forever|for real)\b",
                r"\bsewer ?-?slide\b",
                r"\btoaster bath\b",
                r"\b(?:want to|going to|thinking (?:about|of)|might|should|could|will|'ll|to) "
                r"rope\b(?! (?:\w+ )?(?:in|into)\b)",
                r"\broping\b(?! (?:\w+ )?(?:in|into)\b)",
                r"\bneck(?:ing)? myself\b",
                r"\ban hero\b",
                r"\b(?:forever|permanent|eternal|dirt) (?:nap|sleep)\b",
                r"\blog(?:ging)? off (?:permanently|forever|for good|from life)\b",
                r"\bdelete myself\b",
                r"\bunsubscribe from (?:life|existence|living)\b",
                r"\balt[- +]?f4 (?:irl|life|myself|my life)\b",
            ),
            actionable=True,
        ),
        Rule(
            "jump_alone",
            _a("jump"),
            Cue.IDEATION,
            re.compile(r"\b(?:going|about|ready|decided) to jump\s*(?:[.!?]|$)"),
        ),
        Rule(
            "sui",
            _a("sui"),
            Cue.IDEATION,
            re.compile(
                r"\b(?:feel|feeling|felt|feels|am|i'm|so|very|really|kinda|pretty|bit|lil|little|"
                r"getting|been|being) sui\b"
            ),
        ),
        Rule(
            "kys_self",
            _a("kys"),
            Cue.IDEATION,
            _alt(
                r"\b(?:i|i'm|i'll|i will|i should|i might|i want to|i need to|going to|might|"
                r"should|could|want to|need to|to) (?:just |prob |probably |honestly |literally |"
                r"actually )?kys\b",
                r"\bkys(?:ing)? myself\b",
            ),
            actionable=True,
        ),
        Rule(
            "sleep_forever",
            _a("sleep asleep wake woke"),
            Cue.IDEATION,
            _alt(
                r"\b(?:sleep|fall asleep|go to sleep|went to sleep|going to sleep)(?: and)? "
                r"(?:forever|for ever|never wake up|not wake up|never woke up|not wake back up)\b",
                r"\b(?:hope|hoping|wish|wishing|pray|praying|want|wanted|rather)(?: that)?"
                r"(?: i| to)? (?:just )?(?:don't|do not|won't|wouldn't|never|not|didn't) wake "
                r"(?:up|back up)\b",
                r"\bnot (?:wanting|want) to wake up\b",
                r"\b(?:don't|do not|didn't|never) want to wake up\b",
            ),
            negatable=False,
        ),
        Rule(
            "not_live",
            _a("live alive living here around exist go keep carry contin wake"),
            Cue.IDEATION,
            _alt(
                r"\b(?:don't|do not|didn't|doesn't|no longer|not|never) (?:really )?(?:want|"
                r"wanting|"
                r"wanna|wish|care|feel like|have the will|want anything) to (?:live|be alive|stay "
                r"alive|keep living|be here|be around|exist|go on|keep going|carry on|continue "
                r"living|continue|wake up)\b(?! (?:at|with|for|a|the|holiday|vacation|trips?|"
                r"dates?|about|like that|in this (?:job|house|city|place|town))\b)",
                r"\bnot sure (?:if |whether |that )?i (?:want|wanna) to (?:live|be alive|be here|"
                r"keep going|go on|keep living|exist)\b",
            ),
            negatable=False,
        ),
        Rule(
            "not_worth",
            _a("worth"),
            Cue.IDEATION,
            _alt(
                r"\b(?:life|living|my life|being alive|existing|existence) (?:isn't|is not|ain't|"
                r"'s not|s not|is no longer|isn't really|doesn't seem|does not seem|no longer "
                r"seems|just isn't) worth (?:it|living|the (?:effort|pain|struggle))\b",
                r"\b(?:not|no longer|isn't|never) worth living\b",
                r"\bnot worth (?:being alive|existing|staying alive)\b",
            ),
            negatable=False,
        ),
        Rule(
            "no_reason",
            _a("live living alive go going keep exist life carry point reason"),
            Cue.IDEATION,
            _alt(
                r"\b(?:no|not any|nothing|zero|no more|not a single|no real|don't have a|don't "
                r"have any|can't find a|can't find any|can't think of a|can't see a|can't see any|"
                r"don't see a|don't see any|lost my|lost all|lost the) (?:\w+ )?(?:reasons?|point|"
                r"purpose|will|desire|motivation) (?:to|in|of|for) (?:me )?(?:to )?(?:live|living|"
                r"keep living|go on|going on|keep going|stay alive|staying alive|being alive|be "
                r"alive|exist|existing|life|carry on|carrying on)\b",
                r"\bnothing (?:left )?to live for\b",
                r"\bwhat(?:'s| is) (?:even |the )?(?:the )?point (?:of|in) (?:living|life|being "
                r"alive|going on|existing|staying alive|keeping going|carrying on|me being here|me "
                r"being alive|waking up)\b",
                r"\b(?:don't|do not|can't|cannot|no longer) see (?:the|any|a) (?:point|reason) "
                r"(?:in|of|to) (?:living|life|being alive|going on|existing|staying alive|keep "
                r"going|carry on|waking up)\b",
                r"\bno point (?:in |of )?(?:living|being alive|going on|existing|staying alive|"
                r"carrying on|me being here|life)\b",
            ),
            negatable=False,
        ),
        Rule(
            "tired_of_living",
            _a("living alive life exist here breath"),
            Cue.IDEATION,
            re.compile(
                r"\b(?:tired|sick|exhausted|weary|done) (?:of |with )?(?:living|being alive|life|"
                r"existing|this life|being here|breathing)\b"
            ),
        ),
        Rule(
            "cant_go_on",
            _a("can couldn"),
            Cue.IDEATION,
            _alt(
                r"\b(?:can't|cannot|can not|couldn't) (?:go on|keep going|keep living|carry on|"
                r"live "
                r"like this|do life|live with this|live anymore|survive this|take living|keep "
                r"doing life)\b(?! (?:with|to|and|at|for|about|until|till|the)\b)",
                r"\b(?:don't|do not|no idea) (?:know )?how (?:much )?(?:longer|long) i can (?:hold "
                r"on|keep going|go on|last|survive|keep living|keep doing this|do this|stay alive|"
                r"take (?:it|this))\b",
            ),
            negatable=False,
        ),
        Rule(
            "better_off",
            _a("better withou if gone dead here hit ran crashe"),
            Cue.IDEATION,
            _alt(
                r"\b(?:better|happier|easier|lighter|relieved|fine|okay|ok) (?:off )?(?:without "
                r"me|if i (?:was|were|wasn't|weren't) (?:gone|dead|not here|not around|around|here|"
                r"never born|alive))\b",
                r"\b(?:nobody|no one|noone|no-one|not a single person|not one person) (?:would |"
                r"will )?(?:even )?(?:care|notice|miss me|mind|cry)(?: at all)? if i (?:died|was "
                r"gone|were gone|disappeared|was dead|were dead|killed myself|wasn't here|vanished|"
                r"didn't exist)",
                r"\b(?:nobody|no one) (?:will|would) (?:even )?(?:notice|care|miss me) (?:when|if|"
                r"once) i(?:'m| am)? (?:gone|dead|not here)\b",
                r"\bwouldn't (?:mind|care) if i (?:died|didn't wake up|got hit|was hit|never woke "
                r"up|was gone)\b",
                r"\bif i died(?: tomorrow| today| tonight| in my sleep)?,? (?:i )?(?:wouldn't|"
                r"would "
                r"not|won't) (?:mind|care)\b",
                r"\b(?:fine|okay|ok|happy|glad|relieved|grateful|alright) if (?:a|some|the) (?:car|"
                r"bus|truck|lorry|train|plane) (?:hit|hits|crashed into|ran over) me\b",
            ),
            subject_check=False,
        ),
        Rule(
            "better_off_dead",
            _a("better"),
            Cue.IDEATION,
            re.compile(r"\bbetter off dead\b"),
        ),
        Rule(
            "better_off_other",
            _a("better"),
            Cue.IDEATION,
            _alt(
                r"\b(?:he'd|she'd|they'd|he|she|they) (?:would )?be better off dead\b",
                r"\bbetter off without (?:him|her|them)\b",
            ),
            forced=Qualifier.THIRD_PERSON,
        ),
        Rule(
            "disappear",
            _a("disapp vanish go fade cease stop not evapor"),
            Cue.IDEATION,
            _alt(
                r"\b(?:disappear(?:ed)?|vanish(?:ed)?|go away|fade away|cease to exist|stop "
                r"existing|"
                r"not exist|evaporate)(?: completely)? (?:forever|for good|permanently|and never "
                r"come back|"
                r"and never return|from (?:this|the) (?:world|earth|planet)|for ever)\b",
                r"\b(?:stop|stopped|stopping|cease|ceased) (?:existing|living|being alive|to "
                r"exist)\b(?! (?:in|with|at|like|on|for|off|under|near|through|beyond)\b)",
            ),
        ),
        Rule(
            "end_it",
            _a("end over stop"),
            Cue.IDEATION,
            _alt(
                r"\bend(?:ing)? it all\b",
                r"\bend(?:ing)? (?:it|things|everything)\b(?! (?:with|between|for (?:him|her|them|"
                r"us)|off|up|there|here|on a)\b)",
                r"\bwant (?:it|this|everything|it all|my life|this life|all of it|all this|life) "
                r"(?:all )?to (?:end|be over|stop)\b",
            ),
            actionable=True,
        ),
        Rule(
            "only_way_out",
            _a("die dying death suicid end killin alive existi way dead"),
            Cue.IDEATION,
            _alt(
                r"\b(?:only|no other|the best|the easiest) (?:way out|option|escape|solution|"
                r"answer)(?: left)? (?:is|would be|seems to be|'s)? ?(?:to die|dying|death|suicide|"
                r"ending it|ending my life|to end it|killing myself)\b",
                r"\b(?:death|dying|suicide|not being alive|not existing) (?:seems|is|feels|looks|"
                r"sounds) (?:like )?(?:the|my|a) (?:only|best|easiest|last) (?:option|way out|"
                r"answer|choice|solution|escape)\b",
                r"\bway out (?:except|other than|but) (?:dying|death|suicide|to die)\b",
                r"\bonly (?:one )?way out\b[^.!?]{0,30}\b(?:dying|death|suicide|die)\b",
                r"\b(?:death|dying|the thought of dying|not existing|being dead) (?:seems|sounds|"
                r"feels|looks|is|would be|will be) (?:so |really |very |such )?(?:a )?(?:peaceful|"
                r"nice|good|like a relief|"
                r"relief|release|mercy|freedom|"
                r"comforting|appealing|tempting|inviting|like the answer)\b",
            ),
            subject_check=False,
        ),
        Rule(
            "death_thoughts",
            _a("though think feel funera urge desire longin death suicid dead"),
            Cue.IDEATION,
            _alt(
                r"\bthoughts? (?:of|about) (?:dying|death|my death|ending it|ending my life|not "
                r"being here|not existing|being dead)\b",
                r"\bthink(?:ing|s)? (?:about|of) (?:dying|my death|my own death|not being here|not "
                r"existing|being dead)\b(?! (?:my|her|his|the)\b)",
                r"\bfeel(?:ing|s)? like (?:dying|ending it|ending my life|disappearing forever|"
                r"not existing)\b",
                r"\bmy (?:own )?funeral\b",
                r"\b(?:urge|urges|desire|longing) to die\b",
                r"\b(?:picture|picturing|imagine|imagining|fantasi[sz]e|fantasi[sz]ing|dream about|"
                r"dreaming about) (?:my own|my) (?:death|suicide|dead body)\b",
            ),
        ),
        Rule(
            "not_around",
            _a(
                "around here alive proble burden bother issue nuisan deal put plan expect intend "
                "giv peace gone dead pictur ground"
            ),
            Cue.IDEATION,
            _alt(
                r"\b(?:won't|will not|not going to|am not going to|don't think i'll|don't think i "
                r"will|might not|may not|probably won't) be (?:around|here|alive)(?: for| much)? "
                r"(?:much longer|long|for long|anymore|next (?:week|month|year)|by (?:next|the end|"
                r"christmas|summer))\b",
                r"\bnot (?:going to|gonna) be (?:a|an) (?:problem|burden|bother|issue|nuisance) "
                r"(?:for|to) (?:anyone|anybody|you|them|everyone|you all|any of you) (?:much "
                r"longer|for long|anymore|soon)\b",
                r"\bwon't (?:have to )?(?:deal|put up) with me (?:much longer|for long|anymore|"
                r"soon)\b",
                r"\b(?:don't|do not|not) (?:plan|planning|expect|intend|intending) (?:on|to) "
                r"(?:see|seeing|be around for|be here for|make it to|making it to|live to see|"
                r"living to see|reach|reaching) (?:next|the end of|my|christmas|another)\b",
                r"\bgiv(?:e|ing|en) up on (?:life|living)\b",
                r"\b(?:don't|do not) want to be (?:around|here|alive) (?:for )?(?:much )?longer\b",
                r"\b(?:won't|will not|not going to) be (?:a|an) (?:problem|burden|bother|nuisance) "
                r"(?:to anyone |for anyone |to you |for you |to them |for them )?(?:much longer|"
                r"for "
                r"long|anymore|soon)\b",
                r"\bmade peace with (?:dying|death|not being (?:here|around|alive)|leaving this)\b",
                r"\bnot being (?:here|around|alive) (?:next|by|for|at) \w+",
                r"\b(?:plan|planning|expect|intend) (?:on|to) (?:not )?(?:be|being) (?:here|around|"
                r"alive) (?:for|by|at|next)\b",
                r"\b(?:once|when|if) i(?:'m| am| was| were|'m not| wasn't| weren't) (?:gone|dead|"
                r"out "
                r"of the picture|not in the picture|in the ground)\b(?! (?:on|for|to|at|from)\b)",
                r"\b(?:if|once|when) i (?:wasn't|weren't|was not) (?:in the picture|around anymore|"
                r"here anymore)\b",
            ),
            negatable=False,
            subject_check=False,
        ),
        # --- method research --------------------------------------------------------
        Rule(
            "method_research",
            _a(
                "way method means deadly lethal fatal how bridge buildi cliff car parkin roof tower"
            ),
            Cue.METHOD_RESEARCH,
            _alt(
                r"\b(?:painless|quick|quickest|easiest|easy|fastest|best|surest|peaceful|least "
                r"painful|most effective|reliable|simplest) (?:way|ways|method|methods|means) "
                r"(?:to|"
                r"of) (?:die|dying|kill myself|end it|end my life|suicide|commit suicide|not wake "
                r"up|overdose|od|go(?= *(?:[.?!]|$)))\b",
                r"\b(?:are|is) (?:deadly|lethal|fatal) (?:in|at|if|when)\b",
                r"\bhow (?:many|much) (?:\w+ ){0,3}(?:would|does it|do i need|will|to|can|should i|"
                r"it takes|would it take|does it take)(?: \w+){0,3} (?:to )?(?:kill|die|overdose|"
                r"od|not wake up|be fatal|be lethal|end it)\b",
                r"\b(?:lethal|fatal|deadly) (?:dose|amount|quantity|level)\b",
                r"\bhow (?:to|do i|do you|can i|would i) (?:kill myself|die|overdose|od|hang "
                r"myself|end my life|end it|commit suicide|not wake up)\b",
                rf"\b(?:{_HEIGHTS})\b[^.?!]{{0,40}}\b(?:highest|tallest|taller than|higher than|"
                r"high enough|tall enough|how high|how tall)\b",
                rf"\b(?:highest|tallest|high enough|tall enough|how high|how tall)\b[^.?!]{{0,40}}"
                rf"\b(?:{_HEIGHTS})\b",
            ),
            subject_check=False,
            negatable=False,
        ),
        # --- self-harm ----------------------------------------------------------------
        Rule(
            "self_harm_act",
            _a("myself cut head bled bleed bruise purpos into"),
            Cue.SELF_HARM,
            _alt(
                r"\b(?:cut|cutting|cuts|hurt|hurting|hurts|harm|harming|harmed|burn|burned|burnt|"
                r"burning|hit|hitting|punch|punched|punching|scratch|scratched|scratching|starve|"
                r"starving|starved|bruise|bruised|bruising|choke|choked|choking|strangle|"
                r"strangled|carve|carved|carving) myself\b",
                r"\b(?:cut|cutting|cuts) (?:on )?(?:my|both) (?:arms?|wrists?|thighs?|legs?|skin|"
                r"stomach|hips?|ankles?|body)\b",
                r"\b(?:hurt|burned|burnt|cut|hit|slammed|scratched|bruised|punched|bit|bashed)\b"
                r"[^.!?]{0,30}\bon purpose\b",
                r"\bcarv(?:ed|ing|e)\b[^.!?]{0,25}\binto my (?:arm|arms|leg|legs|skin|wrist|thigh|"
                r"stomach)\b",
                r"\b(?:bang|banging|banged|hit|hitting) my head (?:against|on|into) (?:the |a )?"
                r"(?:wall|floor|desk)\b",
                r"\b(?:scratch|scratched|scratching|punch|punched|punching|hit|hitting|bang|banged|"
                r"banging)\w* [^.!?]{0,40}\b(?:until|till|til|so hard) (?:it |they |i |my \w+ )?"
                r"(?:bled|bleed|bleeds|bruised|bruise)\b",
            ),
            subject_check=False,
        ),
        Rule(
            "self_harm_word",
            _a("self-h self-i self-m sh"),
            Cue.SELF_HARM,
            _alt(
                r"\bself-(?:harm|harms|harming|harmed|injury|injure|injuring|injured|mutilation|"
                r"mutilate|mutilating)\b",
                r"\bsh (?:urges?|relapse|relapsed|again|scars?|wounds?|cuts?|thoughts|tools?)\b",
                r"\b(?:relapsed on|relapsing on|urges? to|want to|did|doing|to) sh\b",
            ),
        ),
        Rule(
            "cutting",
            _a("cut urge self-h wounds used feel bleed suffer punish hurt"),
            Cue.SELF_HARM,
            _alt(
                r"\b(?:started|start|starting|keep|kept|been|am|i'm|is|are|she's|he's|still|"
                r"relapsed|"
                r"back to|went back to|gone back to|feel like|felt like|thinking about|thought "
                r"about|stopped|quit) cutting"
                r"(?: again| myself)?\b(?! (?:back|down|out|off|in|up|it|the|my hair|carbs|sugar|"
                r"costs|corners|class|classes|school|ties|onions?|vegetables|bread|cake|grass|hair|"
                r"sweets|meat|dairy|caffeine|coffee|alcohol|gluten|wood|paper|fabric|a|some)\b)",
                r"\bcut(?:ting)? again\b(?! (?:back|down|on|the|my hair|carbs)\b)",
                r"\burges? to (?:cut|self-harm|hurt myself|harm myself|burn myself)\b",
                r"\b(?:want|wanna|need|needing|wanting|going|urge) to (?:cut|self-harm)\b(?! "
                r"(?:back|down|out|off|in|up|it|the|my hair|a|an|some|carbs|costs|corners|class|"
                r"school|ties|loose|through|across|myself some slack|them|him|her|you)\b)",
                r"\b(?:fresh|new|deep|open) (?:cuts|wounds)\b",
                r"\bcuts on my\b",
                r"\bcutting (?:is the only|helps|makes me feel|is how i cope)\b",
                r"\bused to (?:cut|self-harm|hurt myself|harm myself|burn myself)\b",
                r"\b(?:want|wanted|need|needed|needing|crave|craving|deserve|deserved) to (?:feel "
                r"pain|bleed|suffer|be punished|be hurt|feel physical pain)\b",
            ),
        ),
        Rule(
            "crisis_contact",
            _a("suicid crisis"),
            Cue.CRISIS_CONTACT,
            re.compile(
                r"\b(?:called|texted|rang|phoned|contacted|messaged|calling|texting|had to call) "
                r"(?:the |a )?(?:suicide|crisis) (?:line|hotline|helpline|lifeline|text line)\b"
            ),
            negatable=False,
        ),
        # --- imminent -----------------------------------------------------------------
        Rule(
            "intent",
            _a(
                "kill kms kys end take unaliv ctb commit hurt harm self-h overdo od hang neck die "
                "ending doing going swallo down enough"
            ),
            Cue.INTENT,
            _alt(
                r"\b(?:going to|will|'ll|shall|about to|plan to|planning to|planning on|decided "
                r"to|ready to|intend to|intending to|finna) (?:just |finally |actually |really |"
                rf"definitely |seriously |probably |go )?(?:{_SELF_ACTS})\b",
                r"\b(?:plan to|planning to|planning on|decided to|ready to|intend to) (?:just |"
                r"finally )?die\b",
                r"\b(?:i'm|i am) (?:ending it|ending my life|killing myself|doing it|going through "
                r"with it|unaliving myself|ending things)(?: all)? (?:tonight|today|tomorrow|this "
                r"(?:weekend|week|evening|afternoon|morning)|now|right now|soon|on \w+day|this "
                r"time)\b",
                r"\b(?:going to|will|'ll|about to) (?:take|swallow|down) (?:them all|all of them|"
                r"all of it|every (?:one|pill|last one)|the (?:whole|entire) (?:bottle|box|pack|"
                r"packet))\b",
                rf"\b(?:going to|will|'ll|about to) (?:take|swallow) all (?:of )?(?:my|the) "
                rf"(?:{_PILLS})\b",
                rf"\benough (?:{_PILLS}) to (?:do it|end it|kill myself|die|not wake up|end my "
                rf"life)\b",
            ),
        ),
        Rule(
            "attempt_now",
            _a("took taken swallo downed drank had ate overdo od'd oded od'ing cut bleedi blood"),
            Cue.ATTEMPT,
            _alt(
                r"\b(?:took|taken|swallowed|downed|drank|had|ate|overdosed on|od'd on) (?:all|a "
                r"whole|the whole|a bunch of|too many|loads of|lots of|a lot of|a handful of|"
                r"handfuls of|[1-9]\d+|every|all of|the rest of|an entire|two boxes of|a (?:bottle|"
                r"box|pack|packet) of)(?: (?:of|the|my))* ?(?:bottles? of |box(?:es)? of |packs? "
                r"of "
                rf"|packets? of |strips? of )?(?:my |the |of )?(?:{_PILLS}|them)\b",
                r"\b(?:overdosed|od'd|oded)\b(?! on (?:caffeine|coffee|sugar|chocolate)\b)",
                r"\b(?:took|taken|take|taking) an overdose\b",
                r"\b(?:i'm|i am|currently|been) (?:overdosing|od'ing)\b",
                r"\bcut (?:too|so|really|very) deep\b",
                r"\b(?:can't|cannot|won't|will not|doesn't|isn't) stop(?:ping)? (?:the "
                r")?bleeding\b",
                r"\bbleeding (?:a lot|so much|heavily|badly|everywhere|out)\b",
                r"\b(?:so much|too much) blood\b",
                r"\bcan't (?:make it|get it to) stop bleeding\b",
            ),
        ),
        Rule(
            "attempt_reported",
            _a("tried attemp trying suicid overdo"),
            Cue.ATTEMPT_REPORTED,
            re.compile(
                r"\b(?:tried|attempted|attempting|trying) (?:to kill myself|suicide|to end (?:it|"
                r"my "
                r"life|things)|to take my (?:own )?life|to overdose|to hang myself|to unalive "
                r"myself)\b|\bsuicide attempts?\b|\b(?:an|my|the|her|his|their) overdose\b"
            ),
            recent_level=RiskLevel.IMMINENT,
        ),
        Rule(
            "farewell",
            _a("goodby farewe bye time note letter away last won't will gone need"),
            Cue.FAREWELL,
            _alt(
                r"\bthis is (?:my |our |the )?(?:goodbye|farewell)\b",
                r"\b(?:goodbye|farewell|bye) (?:forever|cruel world|world|for good|for the last "
                r"time)\b",
                r"\b(?:goodbye|bye|farewell) (?:everyone|everybody|all|guys|y'all)\b(?=[^a-z]*"
                r"(?:$|i'm sorry|sorry|i love you|love you|forgive me|thank you|thanks for))",
                r"\bby the time (?:you|anyone|someone|they|people|my \w+) (?:read|reads|see|sees|"
                r"find|finds|get|gets) (?:this|these|my message)\b",
                r"\b(?:wrote|written|writing|write|left|leaving|finished|prepared|typed) (?:a |my "
                r"|the |some |all my |letters? |notes? )*(?:suicide notes?|goodbye (?:notes?|"
                r"letters?|messages?|videos?)|(?:notes?|letters?) (?:to|for) (?:my |all my |each "
                r"of "
                rf"my )?(?:{_PEOPLE}))\b",
                r"\b(?:giving|gave|give|given) away (?:my|all my|all of my|most of my) (?:things|"
                r"stuff|belongings|possessions|clothes|games|books|cat|dog|pets?|savings|money)\b",
                r"\b(?:said|saying) my goodbyes\b",
                r"\b(?:my )?last (?:day|night|week) (?:alive|on (?:this )?earth|of my life)\b",
                r"\bthis (?:is|will be) my last (?:message|post|text|day|night|words)\b",
                r"\bi (?:won't|will not) be (?:here|around|alive) (?:tomorrow|by (?:morning|"
                r"tomorrow|tonight|the weekend|monday)|in the morning|when you (?:wake|get back|"
                r"read this))\b",
                r"\bi(?:'ll| will) be gone (?:by|before|tomorrow|tonight|soon)\b",
                r"\bwon't need (?:them|it|my things|my stuff|anything|these) (?:anymore|where i'm "
                r"going|soon)\b",
            ),
            past_sensitive=False,
            subject_check=False,
        ),
        Rule(
            "location_edge",
            _a("roof ledge edge tracks railwa cliff top"),
            Cue.LOCATION,
            re.compile(
                r"\b(?:i'm|i am|standing|sitting|stood|sat|currently|here) (?:on|at|by|near|at the "
                r"edge of|on the edge of|on top of) (?:the |a |this )?(?:roof|rooftop|ledge|edge|"
                r"tracks|railway|train tracks|cliff edge|top of (?:the|a) (?:building|car park|"
                r"parking garage))\b"
            ),
            past_sensitive=False,
            level=RiskLevel.IMMINENT,
        ),
        Rule(
            "location",
            _a("roof ledge edge tracks railwa cliff top bridge"),
            Cue.LOCATION,
            re.compile(
                r"\b(?:i'm|i am|standing|sitting|stood|sat|currently|here) (?:on|at|by|near|at the "
                r"edge of|on the edge of|on top of) (?:the |a |this )?(?:roof|rooftop|bridge|ledge|"
                r"edge|tracks|railway|train tracks|cliff|balcony edge|top of (?:the|a) (?:building|"
                r"car park|parking garage))\b(?! (?:club|game|party|night|table)\b)"
            ),
            past_sensitive=False,
        ),
        # --- escalators -----------------------------------------------------------------
        Rule(
            "means_acquired",
            _a(
                "stockp hoard stash saved saving been collec hid enough bought purcha ordere got "
                "acquir"
            ),
            Cue.MEANS_ACQUIRED,
            _alt(
                r"\b(?:stockpil\w*|hoard\w*|stash\w*|sav(?:ed|ing) up|been saving|collecting|"
                r"hiding|hid|hidden) (?:up )?(?:my |some |all my |the |enough |extra )?(?:pills|"
                r"tablets|meds|medication|blades|razors|razor blades)\b",
                rf"\benough (?:{_PILLS}) to\b",
                r"\b(?:bought|purchased|ordered|got myself|acquired) (?:a |some |the )?(?:rope|gun|"
                r"firearm|noose|pistol|razor blades|blades|poison)\b",
            ),
        ),
        Rule(
            "means",
            _a(
                "pill tablet meds medica medici parace tyleno acetam ibupro aspiri painki antide "
                "insuli capsul rope gun firear pistol rifle blade razor knife knives noose poison "
                "charco bleach antifr"
            ),
            Cue.MEANS,
            re.compile(
                r"\b(?:have|has|got|bought|buy|buying|collected|found|holding|ready) (?:the |a |my "
                r"|some |enough |all the |all my |a bunch of |loads of |lots of |a few |another |"
                r"his |her |their )?(?:bottles? of |box(?:es)? of |packs? of |packets? of )?"
                rf"(?:{_PILLS}|rope|gun|firearm|pistol|rifle|blade|blades|razor|razors|razor "
                r"blades|knife|knives|noose|poison|charcoal|bleach|antifreeze)\b"
            ),
        ),
        Rule(
            "plan",
            _a("plan method know decide figure worked chose choos picked set"),
            Cue.PLAN,
            _alt(
                r"\b(?:i've|i have|i've got|got|made|have made|i made|making|came up with|have) a "
                r"(?:plan|method)\b",
                r"\bplanned (?:it|how|when|where|exactly|everything|it all|the whole thing|out "
                r"how)\b",
                r"\b(?:know|decided|figured out|worked out|chosen|picked) (?:how|when|where|the "
                r"way|exactly how) (?:i'd|i would|i'll|i will|i'm going to|i am going to|to) "
                r"(?:do it|end it|go through with it|die|kill myself)\b",
                r"\b(?:set|picked|chose|chosen|choose) (?:the|a) (?:date|day|time|place|spot|"
                r"location)\b",
            ),
        ),
        Rule(
            "decision",
            _a("decide made mind going turnin ready"),
            Cue.DECISION,
            _alt(
                r"\b(?:i've|i have|i) (?:decided|made up my mind|made my decision|made the "
                r"decision)\b",
                r"\bmy mind is made up\b",
                r"\bno (?:going|turning) back\b",
                r"\bi'm ready\b(?! (?:for|to (?:go|start|talk|try|begin|learn)))",
            ),
        ),
        Rule(
            "timeline",
            _a(
                "tonigh today tomorr week evenin aftern mornin right later hour min day monday "
                "tuesda wednes thursd friday saturd sunday"
            ),
            Cue.TIMELINE,
            re.compile(rf"\b(?:{_TIME})\b"),
            negatable=False,
            subject_check=False,
            past_sensitive=False,
        ),
        Rule(
            "timeline_secret",
            _a("after when once"),
            Cue.TIMELINE,
            re.compile(
                r"\b(?:after|when|once) (?:everyone|they|my (?:\w+ )?(?:parents|family|wife|"
                r"husband|partner|kids|mum|mom|dad|roommate|flatmate)s?)(?: \w+){0,3} (?:go(?:es)? "
                r"to (?:sleep|bed)|asleep|leaves?|left|gone|goes out|go out|is out|are out)\b"
            ),
            negatable=False,
            subject_check=False,
            past_sensitive=False,
        ),
        Rule(
            "veiled_intent",
            _a("do go finish get end use"),
            Cue.VEILED_INTENT,
            re.compile(
                r"\b(?:going to|will|'ll|about to|ready to|finally going to|planning to|decided "
                r"to) (?:just )?(?:do it|go through with it|finish it|finish this|get it over "
                r"with|do something stupid|do something drastic|end this|use (?:it|them))\b"
            ),
        ),
        Rule(
            "jump",
            _a("jump"),
            Cue.JUMP,
            re.compile(
                r"\b(?:want|going|about|ready|decided|need|tempted|thinking about|thinking of|"
                r"urge) (?:to )?jump\b(?! (?:in|into|on|at|ship|the queue|start|around|up|for|rope|"
                r"through|to conclusions|ahead|back|right in)\b)"
            ),
        ),
        # --- low ------------------------------------------------------------------------
        Rule(
            "hyperbole",
            _a("kill shoot rather"),
            Cue.HYPERBOLE,
            _alt(
                r"\b(?:someone|somebody|god|please|just) (?:please |just )?(?:kill|shoot) me\b",
                r"\b(?:kill|shoot) me now\b",
                r"\b(?:would|'d) rather (?:die|be dead) than\b",
            ),
            negatable=False,
            subject_check=False,
            past_sensitive=False,
        ),
        Rule(
            "resource_request",
            _a("number phone contac detail what which where how find get have give"),
            Cue.RESOURCE_REQUEST,
            _alt(
                r"\b(?:number|phone number|contact|details) (?:for|of) (?:the |a )?(?:crisis|"
                r"suicide|samaritans|988|helpline|hotline|lifeline)",
                r"\b(?:what|which|where)(?:'s| is)? (?:the |a )?(?:crisis|suicide) (?:line|hotline|"
                r"helpline|number)",
                r"\bhow (?:do|can) i (?:call|contact|text|reach) (?:the |a )?(?:crisis|suicide|"
                r"samaritans|988|helpline|hotline)",
                r"\b(?:find|get|have|give me) (?:the |a )?(?:crisis|suicide) (?:line|hotline|"
                r"helpline)",
            ),
            negatable=False,
            subject_check=False,
            past_sensitive=False,
        ),
        Rule(
            "kys_other",
            _a("kys"),
            Cue.OTHER_DIRECTED,
            re.compile(r"\bkys\b"),
            negatable=False,
            subject_check=False,
            past_sensitive=False,
        ),
        Rule(
            "distress_word",
            _prefixes(_DISTRESS_WORDS),
            Cue.DISTRESS,
            re.compile(r"\b(?:" + "|".join(_DISTRESS_WORDS) + r")\b"),
            subject_check=False,
            past_sensitive=False,
        ),
        Rule(
            "distress_phrase",
            _a(
                "hate hating loathe despis nobody no noone no-one can couldn not failur burden "
                "disapp waste give giving gave given done point mess messed messin screw screwe "
                "ruin myself bed day week night time year feel feelin everyt all life scream "
                "crawl hide run always much doing anymor right tired exhaus"
            ),
            Cue.DISTRESS,
            _alt(
                r"\b(?:hate|hating|loathe|despise) (?:myself|my life|my body|who i am|everything|"
                r"being me|being alive|it all)\b",
                r"\b(?:nobody|no one|noone|no-one) (?:even )?(?:cares|loves me|likes me|"
                r"understands|"
                r"listens|would care|gives a|wants me)\b",
                r"\b(?:can't|cannot|can not|couldn't) (?:cope|take it|take this|take much more|"
                r"handle (?:it|this|anything)|deal with (?:it|this|anything)|do this|breathe|stop "
                r"crying|stop thinking|sleep|get out of bed|face (?:it|anyone|tomorrow|the day))\b",
                r"\bnot (?:okay|ok|alright)\b",
                r"\b(?:a|such a|total|complete|massive|huge) (?:failure|burden|disappointment|"
                r"waste of space|waste of (?:air|oxygen))\b",
                r"\b(?:give|giving|gave) up\b|\bgiven up\b",
                r"\bi'm (?:so )?done\b",
                r"\bwhat's the point\b|\bno point\b",
                r"\b(?:mess|messed|messing|screw|screwed) (?:everything|it all|things) up\b|"
                r"\bruin(?:ed|ing|s)? everything\b",
                r"\b(?:angry|furious|disgusted|disappointed) (?:at|with) myself\b",
                r"\b(?:don't|do not) feel like myself\b",
                r"\bstay(?:ing|ed)? in bed all day\b|\bto get out of bed\b",
                r"\b(?:rough|bad|awful|horrible|terrible|hard|shit|shitty|crap|crappy) (?:day|week|"
                r"night|time|year)\b",
                r"\bfeel(?:ing)? like (?:i'm|i am) (?:going to die|dying|losing it|going crazy|"
                r"suffocating)\b",
                r"\b(?:tired|sick) of (?:everything|it all)\b",
                r"\b(?:life|my life) (?:sucks|is shit|is a mess|is falling apart|is over|is ruined|"
                r"is pointless|is meaningless|is hell)\b",
                r"\bfeel(?:ing)? (?:so |really |very |completely |totally )?(?:alone|lost|"
                r"invisible|unloved|unwanted|stuck|low|down|awful|terrible|horrible|like shit|"
                r"like crap|like nothing|like a failure|like a burden)\b",
                r"\b(?:everything|it all) (?:is|feels) (?:too much|pointless|meaningless|"
                r"hopeless)\b",
                r"\b(?:want|wish|wanted) to (?:scream|crawl into a hole|hide|run away)\b",
                r"\bwhy do i always\b",
                r"\b(?:it's|its|everything is|this is|it is) (?:all )?too much\b",
                r"\bnot doing (?:well|great|good|ok|okay)\b",
                r"\bdon't know what to do anymore\b",
                r"\bnothing (?:is going|goes|ever goes) right\b",
                r"\b(?:so|always|constantly) (?:tired|exhausted)\b",
            ),
            subject_check=False,
            past_sensitive=False,
        ),
    )


# --- context turns -------------------------------------------------------------------

_AFFIRMATION = re.compile(
    r"^\W*(?:yes|yeah|yep|yea|yup|ya|i do|i am|i have|i mean it|i'm serious|seriously|for real|"
    r"not joking|i'm not joking|definitely|exactly|true|i really do|i really am|kind of|kinda|"
    r"sort of|maybe|sometimes|a little|a bit|honestly yes|always)\b"
)
_RETRACTION = re.compile(
    r"\b(?:jk|j/k|just kidding|only joking|i'm joking|i was joking|just joking|kidding|never mind|"
    r"nevermind|nvm|forget it|forget (?:i|what i) said|forget i said anything|ignore (?:that|me|"
    r"what i said)|i'm fine|i'm ok|i'm okay|it's nothing|doesn't matter|don't worry about it|"
    r"it's fine|lol|lmao)\b"
)

# --- qualifiers ------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*")
_SENTENCE_END = re.compile(r"[.!?;\n]+")
_CLAUSE_END = re.compile(r"[.!?;:\n,]+|\s(?:but|though|although|however|except|yet)\s|\s-\s")
_NEGATORS = frozenset(
    _words(
        "not never no don't doesn't didn't won't wouldn't isn't aren't wasn't haven't hasn't "
        "hadn't nor shouldn't without"
    )
)
_NOT_NEGATING_NEXT = frozenset({"know", "sure", "idea", "matter", "one", "longer"})
_INTENSIFIERS = re.compile(r"\b(?:more|so|badly|this much|as much|so much)\b")
_POST_NEGATION = re.compile(
    r"^\s*(?:is|was|'s|are)?\s*(?:not|never|no longer|isn't|wasn't|is not)\s+(?:an option|"
    r"something i|on the table|on the cards|happening|in my plans|a thought|a thing for me)"
)
_FIRST = frozenset({"i", "i'm", "i've", "i'd", "i'll", "im", "me", "myself", "we", "we're"})
_FIRST_IN_HIT = frozenset({"i", "i'm", "i've", "i'd", "i'll", "me", "my", "myself", "mine"})
_SECOND = frozenset({"you", "your", "you're", "ya", "y'all", "yourself"})
_THIRD = frozenset(
    _words(
        "he she they he's she's they're he'd she'd they'd he'll she'll they'll him her them "
        "his their someone somebody anyone people everyone everybody friend friends friend's "
        "boyfriend girlfriend partner husband wife mum mom mother dad father parent parents "
        "brother sister sibling son daughter kid kids child children cousin uncle aunt auntie "
        "grandma grandpa grandmother grandfather nan gran roommate flatmate housemate "
        "colleague coworker co-worker classmate student students client patient neighbour "
        "neighbor guy girl man woman boy teen teenager person ex niece nephew teacher boss "
        "mate bestie buddy stepdad stepmom stepmum fiance fiancee relative grandson "
        "granddaughter who"
    )
)
_THIRD_VERBS = frozenset(
    {"wants", "wishes", "says", "is", "has", "keeps", "feels", "thinks", "talks", "needs", "tries"}
)
_ALSO_ME = re.compile(
    r"\b(?:so do i|me too|same here|i do too|and i do|i feel the same|same for me|me as well|"
    r"so am i|i am too|i'm the same|and so do i|and me)\b"
)
_DISTANT_PAST = re.compile(
    r"\bused to\b|\b(?:years?|months?|decades?|a (?:long )?while|a long time|ages|a decade|a few "
    r"years|a couple of years|a year) ago\b|\bwhen i was (?:\d+|young|younger|little|a (?:kid|"
    r"teen|teenager|child|student)|in)\b|\bas a (?:kid|teen|teenager|child|student)\b|\bback "
    r"(?:in|when|then)\b|\bin (?:high school|middle school|secondary school|college|university|"
    r"uni|my teens|my twenties|my youth|the past)\b|\bin (?:19|20)\d\d\b|\blast year\b|\bit's "
    r"been [\w ]{1,20}since\b|\b(?:clean|free) (?:from \S+ (?:\S+ )?)?for (?:\d+|a|an|two|three|"
    r"four|five|six|several|many|over) (?:\w+ )?(?:days?|weeks?|months?|years?)\b|\b\d+ "
    r"(?:days?|weeks?|months?|years?) clean\b|\bteenage years\b|\bthat was (?:years|a long time)\b"
)
_RECENT = re.compile(
    r"\b(?:last night|yesterday|today|tonight|this (?:morning|afternoon|evening|week|weekend)|"
    r"again|just now|right now|an hour ago|(?:\d+|a few|few|couple of|a couple of) (?:minutes|"
    r"hours|mins) ago|earlier|lately|recently|these days|still|currently|at the moment|atm|"
    r"nowadays)\b"
)


class _Text:
    """Sentence and clause boundaries of one normalised message, for the qualifiers."""

    __slots__ = ("clause_ends", "sentence_ends", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        self.clause_ends = [m.end() for m in _CLAUSE_END.finditer(text)]

    @staticmethod
    def _span(ends: list[int], pos: int, length: int) -> tuple[int, int]:
        i = bisect.bisect_right(ends, pos)
        start = ends[i - 1] if i else 0
        end = ends[i] if i < len(ends) else length
        return start, end

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._span(self.sentence_ends, pos, len(self.text))

    def clause(self, pos: int) -> tuple[int, int]:
        return self._span(self.clause_ends, pos, len(self.text))


def _negated(t: _Text, start: int, end: int) -> bool:
    c_start, c_end = t.clause(start)
    tokens = _TOKEN.findall(t.text[c_start:start])[-5:]
    after = _TOKEN.findall(t.text[end:c_end])[:4]
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i]
        if tok in _FIRST or tok in _SECOND or tok in _THIRD:
            break
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in _NEGATORS and following not in _NOT_NEGATING_NEXT:
            return not _INTENSIFIERS.search(" ".join(tokens[i + 1 :] + after))
    return bool(_POST_NEGATION.match(t.text[end:c_end]))


def _subject(t: _Text, start: int, end: int, first_word: str) -> Qualifier:
    if any(tok in _FIRST_IN_HIT for tok in _TOKEN.findall(t.text, start, end)):
        return Qualifier.OWN  # "my funeral", "if i died": the phrase names the writer
    c_start, _ = t.clause(start)
    s_start, s_end = t.sentence(start)
    for segment in (t.text[c_start:start], t.text[s_start:c_start]):
        for tok in reversed(_TOKEN.findall(segment)):
            if tok in _FIRST:
                return Qualifier.OWN
            if tok in _SECOND or tok in _THIRD or (tok.endswith("'s") and tok[:-2] in _THIRD):
                if _ALSO_ME.search(t.text[end:s_end]):
                    return Qualifier.OWN
                return Qualifier.THIRD_PERSON
    if first_word in _THIRD_VERBS:
        return Qualifier.THIRD_PERSON
    return Qualifier.OWN


def _tense(t: _Text, start: int) -> tuple[bool, bool]:
    s_start, s_end = t.sentence(start)
    sentence = t.text[s_start:s_end]
    return bool(_DISTANT_PAST.search(sentence)), bool(_RECENT.search(sentence))


def _level(rule: Rule, qualifier: Qualifier, recent: bool) -> RiskLevel:
    base = rule.level or _BASE_LEVEL.get(rule.cue, RiskLevel.NONE)
    if qualifier is Qualifier.OWN:
        if recent and rule.recent_level is not None:
            return rule.recent_level
        return base
    if qualifier in (Qualifier.THIRD_PERSON, Qualifier.PAST) and base is not RiskLevel.NONE:
        return RiskLevel.LOW
    if qualifier is Qualifier.THIRD_PERSON and rule.cue is Cue.MEANS:
        return RiskLevel.LOW
    return RiskLevel.NONE


@lru_cache(maxsize=1)
def _actionable() -> frozenset[str]:
    return frozenset(r.id for r in rules() if r.actionable)


def _overlaps(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


_PREFIX = 6


@lru_cache(maxsize=1)
def _checks() -> tuple[Mask | Rule, ...]:
    return masks() + rules()


@lru_cache(maxsize=1)
def _anchor_index() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for i, check in enumerate(_checks()):
        for anchor in check.anchors:
            index.setdefault(anchor, set()).add(i)
    return {k: frozenset(v) for k, v in index.items()}


@lru_cache(maxsize=65536)
def _word_checks(word: str) -> frozenset[int]:
    """The masks and rules anchored on `word` (or a hyphen-separated part of it)."""
    index = _anchor_index()
    found: set[int] = set()
    tails = {word[i + 1 :] for i, c in enumerate(word) if c == "-"}  # "non-self-harm"
    for part in {word, *word.split("-"), *tails}:
        for k in range(2, min(len(part), _PREFIX) + 1):
            found.update(index.get(part[:k], ()))
    return frozenset(found)


def _plan(text: str, prefilter: bool) -> list[list[tuple[int, int]]]:
    """For each check, the text spans to run it on: the sentences holding one of its anchors."""
    checks = _checks()
    if not prefilter:
        return [[(0, len(text))] for _ in checks]
    spans: list[list[tuple[int, int]]] = [[] for _ in checks]
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not ends or ends[-1] < len(text):
        ends.append(len(text))
    start = 0
    for end in ends:
        words = set(_TOKEN.findall(text, start, end))
        for i in frozenset().union(*map(_word_checks, words)):
            s = spans[i]
            if s and s[-1][1] == start:
                s[-1] = (s[-1][0], end)
            else:
                s.append((start, end))
        start = end
    return spans


def analyse(text: str, *, prefilter: bool = True) -> Analysis:
    """Apply masks and rules to one normalised message and settle its own level.

    With `prefilter` (the default) a check only runs on sentences that contain one of its
    anchor word prefixes, which keeps long posts fast; the tests check it finds the same hits
    as running every check on the whole text.
    """
    t = _Text(text)
    plan = _plan(text, prefilter)
    checks = _checks()
    n_masks = len(masks())
    hits: list[Hit] = []
    masked: list[tuple[int, int]] = []
    for i in range(n_masks):
        mask = checks[i]
        assert isinstance(mask, Mask)
        for start, end in plan[i]:
            for m in mask.regex.finditer(text, start, end):
                masked.append(m.span())
                hits.append(
                    Hit(
                        mask.id,
                        mask.cue,
                        m.group(0),
                        m.start(),
                        m.end(),
                        mask.qualifier,
                        mask.level,
                    )
                )
    for i in range(n_masks, len(checks)):
        rule = checks[i]
        assert isinstance(rule, Rule)
        for start, end in plan[i]:
            for m in rule.regex.finditer(text, start, end):
                hit = _qualified(rule, m, t, masked)
                if hit is not None:
                    hits.append(hit)
    hits.sort(key=lambda h: (h.start, h.end))
    level = _message_level(t, hits)
    return Analysis(text, tuple(hits), level, len(_TOKEN.findall(text)))


def _qualified(
    rule: Rule, m: re.Match[str], t: _Text, masked: Sequence[tuple[int, int]]
) -> Hit | None:
    start, end = m.span()
    if not rule.protected and _overlaps(masked, start, end):
        return None
    qualifier = rule.forced or Qualifier.OWN
    recent = False
    if qualifier is Qualifier.OWN and rule.negatable and _negated(t, start, end):
        qualifier = Qualifier.NEGATED
    if qualifier is Qualifier.OWN and rule.subject_check:
        qualifier = _subject(t, start, end, m.group(0).split(" ", 1)[0])
    if qualifier is Qualifier.OWN and (rule.past_sensitive or rule.recent_level):
        distant, recent = _tense(t, start)
        if distant and not recent and rule.past_sensitive:
            qualifier = Qualifier.PAST
    return Hit(
        rule.id, rule.cue, m.group(0), start, end, qualifier, _level(rule, qualifier, recent)
    )


def _message_level(t: _Text, hits: Sequence[Hit]) -> RiskLevel:
    level = highest(h.level for h in hits)
    own = [h for h in hits if h.qualifier is Qualifier.OWN]
    cues = {h.cue for h in own}
    if level.rank >= RiskLevel.IMMINENT.rank:
        return level
    elevating = [h for h in own if h.cue in _ELEVATING]
    escalators = [h for h in own if h.cue in _ESCALATORS]
    # ideation or self-harm next to a means, plan, decision or place
    if any(a.end <= b.start or b.end <= a.start for a in elevating for b in escalators):
        return RiskLevel.IMMINENT
    # a wish to act with a time attached ("I want to kill myself tonight")
    for h in own:
        if h.rule in _actionable() and Cue.TIMELINE in cues:
            s = t.sentence(h.start)
            if any(x.cue is Cue.TIMELINE and s[0] <= x.start < s[1] for x in own):
                return RiskLevel.IMMINENT
    if Cue.LOCATION in cues and Cue.TIMELINE in cues:
        return RiskLevel.IMMINENT
    if Cue.MEANS in cues and cues & {Cue.PLAN, Cue.DECISION, Cue.VEILED_INTENT}:
        return RiskLevel.IMMINENT
    if Cue.VEILED_INTENT in cues and Cue.TIMELINE in cues:
        return max(level, RiskLevel.ELEVATED, key=lambda lv: lv.rank)
    return level


@dataclass(frozen=True, slots=True)
class ContextEffect:
    level: RiskLevel
    reason: str  # empty when the context changed nothing


def combine(current: Analysis, context: Iterable[Analysis]) -> ContextEffect:
    """How the recent turns change the current message's level.

    Only the writer's own, present elevated-or-higher turns count. After such a turn a means,
    plan, decision, place or (in a short reply) a time makes the current message imminent;
    a bare "yes", a retraction ("jk", "forget it") or more distress keeps the crisis response.
    """
    prior = max(
        (c.level for c in context if _own_risk(c)), default=RiskLevel.NONE, key=lambda lv: lv.rank
    )
    if prior.rank < RiskLevel.ELEVATED.rank:
        return ContextEffect(current.level, "")
    cues = current.own()
    if cues & (_ESCALATORS | {Cue.INTENT}) or (
        Cue.TIMELINE in cues and (current.tokens <= 6 or cues & {Cue.VEILED_INTENT})
    ):
        return ContextEffect(
            RiskLevel.IMMINENT, "follows an earlier message about suicide or self-harm"
        )
    short = current.tokens <= 6
    if (
        (short and _AFFIRMATION.search(current.text))
        or _RETRACTION.search(current.text)
        or cues & {Cue.DISTRESS, Cue.HYPERBOLE}
    ):
        level = max(prior, current.level, key=lambda lv: lv.rank)
        if level is not current.level:
            return ContextEffect(level, "reply to an earlier message about suicide or self-harm")
    return ContextEffect(current.level, "")


def _own_risk(a: Analysis) -> bool:
    return any(h.qualifier is Qualifier.OWN and h.cue in _RISK_CUES for h in a.hits)
