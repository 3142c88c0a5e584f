"""Hand-written cue patterns for each thinking trap (our own wording, English).

They do two jobs: they are extra features for the distortion model, and they are shown back
as "the words that show it". A cue is evidence, not a verdict: "always" in "I always enjoy
Sundays" is not a trap, which is why the model, not the cue, decides.
"""

from __future__ import annotations

import re

from mindbridge.language.taxonomy import TRAPS

_CUES: dict[str, tuple[str, ...]] = {
    "All-or-nothing thinking": (
        r"\b(?:always|never|nothing|everything|completely|totally|entirely|ruined)\b",
        r"\b(?:all or nothing|perfect(?:ly)?|a (?:total|complete) (?:failure|disaster|waste))\b",
        r"\b(?:any|one) (?:mistake|error|flaw)\b",
    ),
    "Blaming": (
        r"\b(?:(?:it'?s|it is|that'?s) (?:all )?(?:his|her|their|your|my) fault)\b",
        r"\b(?:because of (?:him|her|them|you)|made me|makes me|blame[sd]?)\b",
        r"\b(?:(?:he|she|they|you) (?:ruined|caused|did this))\b",
        r"\b(?:(?:is|are) (?:the reason|to blame)|(?:his|her|their) fault)\b",
        r"\b(?:(?:he|she|they|you) (?:never|should(?:n'?t)? have|needs? to stop|"
        r"(?:don'?t|doesn'?t) (?:appreciate|care|listen|help)))\b",
    ),
    "Catastrophizing": (
        r"\b(?:disaster|catastroph\w*|terrible|horrible|awful|the worst|end of the world)\b",
        r"\b(?:ruin(?:ed)?|never recover|lose everything|fall apart|can'?t (?:survive|cope))\b",
        r"\b(?:what if)\b",
        r"\b(?:i'?(?:ll| will) (?:be|end up) (?:homeless|alone|fired|broke)|(?:is|are) over)\b",
        r"\b(?:proves? (?:how|that|i)|going to die|never (?:get|find|be able))\b",
    ),
    "Comparing and despairing": (
        r"\b(?:everyone else|other people|others|my friends|my peers)\b.{0,40}\b(?:better|more)\b",
        r"\b(?:better than me|worse than (?:everyone|them|others)|compared to)\b",
        r"\b(?:why can'?t i (?:be|have) )",
        r"\b(?:(?:better|worse|more|less|bigger|smaller|prettier|smarter) than "
        r"(?:me|mine|my|i|the others|everyone|others|theirs))\b",
        r"\b(?:compared (?:to|with)|mine (?:is|was|looks|doesn'?t)|than the others)\b",
    ),
    "Disqualifying the positive": (
        r"\b(?:(?:only|just) (?:because|luck|lucky|being nice|being polite)|doesn'?t count)\b",
        r"\b(?:didn'?t (?:really )?mean it|anyone could have|a fluke|by chance)\b",
        r"\b(?:but (?:it|that) (?:doesn'?t|does not) matter)\b",
        r"\b(?:means nothing|just (?:trying to be )?(?:nice|polite)|feel sorry for me)\b",
        r"\b(?:only (?:said|did|like|likes|invited) |(?:she|he|they) says? that to everyone)\b",
    ),
    "Emotional reasoning": (
        r"\b(?:i feel (?:like )?(?:a |an |so )?\w+,? (?:so|therefore|which means))\b",
        r"\b(?:i feel (?:like )?(?:i'?m|i am|it'?s|it is|they|everyone))\b",
        r"\b(?:feels? (?:like|as if|as though))\b",
        r"\b(?:i feel \w+(?: \w+)?,? (?:so|therefore|that means|which means) )",
        r"\b(?:(?:so|therefore) (?:it|i|they|this) must)\b",
    ),
    "Fortune telling": (
        r"\b(?:will never|won'?t ever|is going to|are going to|i'?m going to|gonna)\b",
        r"\b(?:i(?:'ll| will) (?:fail|lose|be|never|end up|get)|it(?:'ll| will) (?:go|be|end))\b",
        r"\b(?:no point|bound to|definitely (?:fail|go wrong)|i know (?:it|this) will)\b",
    ),
    "Labeling": (
        r"\b(?:i'?m|i am) (?:such )?(?:a|an) (?:\w+ )?(?:failure|loser|idiot|jerk|mess|fraud|"
        r"burden|disappointment|fool|joke|bad \w+)\b",
        r"\b(?:(?:he|she|they)'?(?:s|re)? (?:is |are )?(?:a |an )?"
        r"(?:idiot|jerk|selfish|useless))\b",
        r"\b(?:stupid|useless|worthless|pathetic|incompetent|lazy|unlovable)\b",
        r"\b(?:i'?m|i am) (?:not (?:a )?(?:good|smart|interesting|attractive|pretty|"
        r"likeable|lovable)|(?:so |really |such )?(?:ugly|fat|dumb|boring|weak|selfish|"
        r"manipulative|undesirable|unattractive|a bad \w+))\b",
        r"\b(?:what a (?:\w+ )?(?:jerk|idiot|loser|fool)|shows what a)\b",
    ),
    "Mind reading": (
        r"\b(?:(?:he|she|they|everyone|people|nobody) (?:think|thinks|must think|will think))\b",
        r"\b(?:(?:he|she|they|everyone|people) (?:hate|hates|doesn'?t like|don'?t like|judge))\b",
        r"\b(?:(?:look|looks|looking) down on|laugh(?:ing)? at me|talking about me)\b",
        r"\b(?:i know (?:what )?(?:he|she|they) (?:think|feel))\b",
        r"\b(?:(?:he|she|they|people|everyone) (?:must|probably|will) (?:think|hate|feel|be "
        r"(?:angry|mad|annoyed|disappointed)))\b",
        r"\b(?:(?:doesn'?t|don'?t) (?:really )?(?:like|love|care about|want) me)\b",
        r"\b(?:(?:he|she|they|people) (?:is|are) (?:avoiding|ignoring|judging|hiding))\b",
    ),
    "Negative feeling or emotion": (
        r"\b(?:sad|anxious|angry|scared|afraid|nervous|upset|lonely|hopeless|depressed)\b",
        r"\b(?:worried|stressed|miserable|frustrated|ashamed|guilty|overwhelmed|hurt)\b",
        r"\b(?:i feel (?:so )?(?:bad|awful|terrible|down|low))\b",
    ),
    "Overgeneralizing": (
        r"\b(?:always|never|every time|everyone|no one|nobody|everything|nothing)\b",
        r"\b(?:all (?:the time|of them|men|women|people)|this always happens|as usual)\b",
        r"\b(?:keeps? happening|again and again|every single)\b",
    ),
    "Personalizing": (
        r"\b(?:my fault|because of me|i caused|i made (?:him|her|them|it)|i ruined)\b",
        r"\b(?:i should have (?:known|stopped|done)|if (?:only )?i had|if i were)\b",
        r"\b(?:it'?s (?:all )?on me|about me|i'?m (?:the )?(?:reason|problem))\b",
        r"\b(?:i made (?:my )?\w+ (?:sad|upset|angry|cry|leave)|because i (?:didn'?t|did|was))\b",
        r"\b(?:i could have done|i (?:must|should) have done something)\b",
    ),
    "Should statements": (
        r"\b(?:should(?:n'?t)?|must(?:n'?t)?|ought to|have to|has to|supposed to)\b",
        r"\b(?:need to be|got to be|expected to)\b",
    ),
}

_COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    trap: tuple(re.compile(p, re.IGNORECASE) for p in patterns) for trap, patterns in _CUES.items()
}
assert set(_COMPILED) == set(TRAPS)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def find_cues(text: str, trap: str) -> list[str]:
    """Distinct matched phrases for `trap`, in order of appearance, lower-cased."""
    folded = text.translate(_APOSTROPHES)
    hits: list[tuple[int, str]] = []
    for pattern in _COMPILED[trap]:
        hits.extend((m.start(), m.group(0).strip().lower()) for m in pattern.finditer(folded))
    seen: list[str] = []
    for _, phrase in sorted(hits):
        if phrase and phrase not in seen:
            seen.append(phrase)
    return seen


def cue_counts(text: str) -> list[int]:
    """Matches per trap pattern group, in `TRAPS` order (features for the model)."""
    folded = text.translate(_APOSTROPHES)
    return [sum(len(p.findall(folded)) for p in _COMPILED[trap]) for trap in TRAPS]
