"""Turning what someone types into the answer a flow step expects.

People answer at 2 a.m. in their own words: "about 7", "seven", "7/10", "half an hour",
"11ish", "yeah go on". Each parser accepts the common forms and, when it cannot tell,
raises `AnswerError` with a short hint the engine uses to ask again. Parsers never guess
between two readings (a choice that matches two options is refused).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mindbridge.companion.sleep import DAY


class AnswerError(ValueError):
    """The text is not an answer of the expected kind; `hint` says what would be."""

    def __init__(self, hint: str) -> None:
        super().__init__(hint)
        self.hint = hint


def normalise(text: str) -> str:
    """Lower case, plain quotes, single spaces: the form every parser and the router read."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text.strip().lower())


_UNITS = {
    "zero": 0,
    "none": 0,
    "nothing": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_NUMBER_WORD = re.compile(
    r"\b(?:(a|one) hundred|("
    + "|".join(_TENS)
    + r")(?:[ -]("
    + "|".join(_UNITS)
    + r"))?|("
    + "|".join(_UNITS)
    + r"))\b"
)


def _words_to_digits(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return "100"
        if m.group(2):
            return str(_TENS[m.group(2)] + (_UNITS[m.group(3)] if m.group(3) else 0))
        return str(_UNITS[m.group(4)])

    text = re.sub(r"\ba half\b|\bhalf\b", "0.5", text)
    return _NUMBER_WORD.sub(sub, text)


_NUM = r"\d+(?:[.,]\d+)?"
_RANGE = re.compile(rf"(?:between\s+)?({_NUM})\s*(?:-|to|or|and)\s*({_NUM})(?!\s*/)")
_FRACTION = re.compile(rf"({_NUM})\s*(?:/|out of|outta)\s*({_NUM})")
_PERCENT = re.compile(rf"({_NUM})\s*(?:%|percent|per cent)")
_AND_HALF = re.compile(rf"({_NUM}) and (?:a )?0\.5")


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def parse_number(text: str, low: float, high: float, integer: bool = False) -> float:
    """A number on the scale [low, high]. Reads digits, words, "7/10", "70%", "6-7" (-> 6.5)."""
    t = _words_to_digits(normalise(text))
    t = _AND_HALF.sub(lambda m: str(_float(m.group(1)) + 0.5), t)
    value: float | None = None
    if m := _FRACTION.search(t):
        num, den = _float(m.group(1)), _float(m.group(2))
        if den <= 0:
            raise AnswerError(_range_hint(low, high))
        value = num if den == high else num / den * high
    elif m := _PERCENT.search(t):
        pct = _float(m.group(1))
        value = pct if high == 100 else pct / 100 * high
    elif m := _RANGE.search(t):
        value = (_float(m.group(1)) + _float(m.group(2))) / 2
    elif m := re.search(rf"(?:^|(?<=\s))-?{_NUM}", t):
        value = _float(m.group(0))
    if value is None or not low <= value <= high:
        raise AnswerError(_range_hint(low, high))
    if integer:
        value = float(round(value))
    return int(value) if float(value).is_integer() else round(value, 2)


def _range_hint(low: float, high: float) -> str:
    return f"A number from {low:g} to {high:g} is all I need."


_YES = re.compile(
    r"^(?:y|ya|yes+|yeah|yea|yep|yup|sure|ok|okay|k|alright|all right|fine|please|go on|go ahead"
    r"|let'?s|lets|definitely|of course|absolutely|i guess|i suppose|why not|sounds good|"
    r"that works|it does|i do|i am|i will|i can|correct|right|true|done|ready|i'?m ready|"
    r"yes please|sure thing|that'?s right|kind of|sort of|a bit|a little|mostly|i think so)\b"
)
_NO = re.compile(
    r"^(?:n|no+|nope|nah|not really|not now|not today|no thanks|no thank you|rather not|"
    r"i'?d rather not|i don'?t|i do not|i'?m not|i am not|i can'?t|i won'?t|don'?t think so|"
    r"not at all|never|negative|wrong|false|later|maybe later|not yet|not sure it does|"
    r"it doesn'?t|it does not)\b"
)


_UNSURE = re.compile(
    r"^(?:maybe(?! later)|perhaps|not sure|i'?m not sure|unsure|don'?t know|i don'?t know|"
    r"dunno|idk)\b"
)


def parse_yes_no(text: str) -> bool:
    """True for yes-like answers, False for no-like ones; "no" wins when a reply starts so."""
    t = normalise(text).strip(" .!?,")
    if _UNSURE.match(t):
        raise AnswerError("A yes or a no is fine.")
    if _NO.match(t):
        return False
    if _YES.match(t):
        return True
    raise AnswerError("A yes or a no is fine.")


_DURATION_WORDS = (
    (re.compile(r"\b(?:an? |one )?hour and (?:a )?half\b"), "90 min"),
    (re.compile(r"\bhalf (?:an|a) hour\b"), "30 min"),
    (re.compile(r"\b(?:a )?quarter (?:of )?(?:an )?hour\b"), "15 min"),
    (re.compile(r"\b(?:an|a) hour\b"), "60 min"),
    (re.compile(r"\b(?:a )?couple (?:of )?(min|minute|minutes|hour|hours)\b"), r"2 \1"),
    (re.compile(r"\b(?:a )?few (min|minute|minutes|hours)\b"), r"3 \1"),
    (re.compile(r"\b(?:a )?minute\b"), "1 min"),
)
_ZERO_DURATION = re.compile(
    r"^(?:0|none|no|nope|never|no time|not at all|nothing|didn'?t|i didn'?t|straight away|"
    r"right away|immediately|instantly)\b|\bslept (?:right )?through\b|\bdidn'?t wake\b"
)
_HM = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_HOURS = re.compile(
    rf"({_NUM})\s*(?:h|hr|hrs|hour|hours)(?![a-z])"
    rf"(?:\s*(?:and\s*)?({_NUM})\s*(?:m|min|mins|minute|minutes)?\b)?"
)
_MINUTES = re.compile(rf"({_NUM})\s*(?:m|min|mins|minute|minutes)\b")
_SECONDS = re.compile(rf"({_NUM})\s*(?:s|sec|secs|second|seconds)\b")


def parse_duration(
    text: str, low: float = 0, high: float = DAY, default_unit: str = "minutes"
) -> float:
    """A duration in minutes within [low, high]: "20 min", "1h30", "an hour and a half", "90"."""
    t = normalise(text)
    if _ZERO_DURATION.search(t):
        minutes: float | None = 0.0
    else:
        for pattern, repl in _DURATION_WORDS:
            t = pattern.sub(repl, t)
        t = _words_to_digits(t)
        minutes = None
        if m := _HM.search(t):
            minutes = int(m.group(1)) * 60 + int(m.group(2))
        elif m := _HOURS.search(t):
            minutes = _float(m.group(1)) * 60 + (_float(m.group(2)) if m.group(2) else 0)
        elif m := _MINUTES.search(t):
            minutes = _float(m.group(1))
            if r := _RANGE.search(t):
                minutes = (_float(r.group(1)) + _float(r.group(2))) / 2
        elif m := _SECONDS.search(t):
            minutes = _float(m.group(1)) / 60
        elif m := _RANGE.search(t):
            minutes = (_float(m.group(1)) + _float(m.group(2))) / 2
            minutes *= 60 if default_unit == "hours" else 1
        elif m := re.search(_NUM, t):
            minutes = _float(m.group(0)) * (60 if default_unit == "hours" else 1)
    if minutes is None or not low <= minutes <= high:
        unit_hint = "like '20 minutes' or '1 hour'"
        raise AnswerError(f"A length of time is all I need, {unit_hint}.")
    return int(minutes) if float(minutes).is_integer() else round(minutes, 1)


_CLOCK = re.compile(
    r"\b(\d{1,2})(?:[:.h](\d{2}))?\s*(am|a\.m\.?|pm|p\.m\.?|in the morning|in the evening|"
    r"at night|tonight|in the afternoon)?\b"
)
_PAST = re.compile(r"\b(half|quarter|\d{1,2}) past (\d{1,2})\b")
_TO = re.compile(r"\b(quarter|\d{1,2}) to (\d{1,2})\b")
_BRITISH_HALF = re.compile(r"\bhalf (\d{1,2})\b")


def parse_clock(text: str, prefer: str = "morning") -> int:
    """A clock time as minutes after midnight: "11pm", "23:30", "half past 6", "7ish".

    Without am/pm an hour of 1-12 is read by `prefer`: "evening" reads 6-11 as pm and 12 as
    midnight (bedtimes), "morning" reads 1-11 as am and 12 as noon (wake times).
    """
    t = _words_to_digits(normalise(text))
    t = t.replace("0.5 past", "half past").replace("0.5 ", "half ")
    if re.search(r"\bmidnight\b", t):
        return 0
    if re.search(r"\b(?:noon|midday)\b", t):
        return 12 * 60
    hour: int | None = None
    minute = 0
    meridiem = ""
    if m := _PAST.search(t):
        minute = {"half": 30, "quarter": 15}.get(m.group(1)) or int(m.group(1))
        hour = int(m.group(2))
    elif m := _TO.search(t):
        minute = 60 - ({"quarter": 15}.get(m.group(1)) or int(m.group(1)))
        hour = (int(m.group(2)) - 1) % 12 or 12
    elif m := _BRITISH_HALF.search(t):
        hour, minute = int(m.group(1)), 30
    elif m := re.search(r"\b(\d{2})(\d{2})\b", t):
        hour, minute = int(m.group(1)), int(m.group(2))
    elif m := _CLOCK.search(t):
        hour = int(m.group(1))
        minute = int(m.group(2)) if m.group(2) else 0
        meridiem = m.group(3) or ""
    after = t[m.end() :] if m else ""
    if not meridiem and (mm := re.match(r"\s*(am|a\.m|pm|p\.m)", after)):
        meridiem = mm.group(1)
    if hour is None or not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise AnswerError("A time is all I need, like '11 pm' or '6:30 am'.")
    if meridiem.startswith(("p", "in the evening", "at night", "tonight", "in the afternoon")):
        hour = hour % 12 + 12
    elif meridiem.startswith(("a", "in the morning")):
        hour = hour % 12
    elif hour <= 12:
        if prefer == "evening":
            hour = 0 if hour == 12 else (hour + 12 if hour >= 6 else hour)
        elif hour == 12:
            hour = 12
    return hour * 60 + minute


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    synonyms: tuple[str, ...] = ()


_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "last": -1}


def _tokens(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9']+", text) if len(w) > 2 or w.isdigit()}


def parse_choice(text: str, options: Sequence[Option]) -> str:
    """The id of the option meant, by number ("2"), ordinal, id, label or synonym."""
    t = _words_to_digits(normalise(text)).strip(" .!?")
    hint = "You can pick one by its number or name: " + "; ".join(
        f"{i}. {o.label}" for i, o in enumerate(options, 1)
    )
    if m := re.fullmatch(r"(?:option |number |no\.? |#)?(\d{1,2})", t):
        index = int(m.group(1))
        if 1 <= index <= len(options):
            return options[index - 1].id
        raise AnswerError(hint)
    for word, index in _ORDINALS.items():
        if re.search(rf"\b(?:the )?{word}(?: one)?\b", t) and len(t.split()) <= 4:
            return options[index - 1 if index > 0 else -1].id
    exact = [o for o in options if t in {o.id.replace("_", " "), o.label.lower()}]
    if len(exact) == 1:
        return exact[0].id
    scores: list[tuple[int, Option]] = []
    words = _tokens(t)
    for option in options:
        phrases = [option.label.lower(), option.id.replace("_", " "), *option.synonyms]
        hit = 0
        for phrase in phrases:
            if re.search(rf"\b{re.escape(phrase)}\b", t):
                hit = max(hit, 100 + len(phrase))
            else:
                hit = max(hit, len(words & _tokens(phrase)))
        scores.append((hit, option))
    scores.sort(key=lambda s: -s[0])
    if scores and scores[0][0] > 0 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1].id
    raise AnswerError(hint)


_SKIP = re.compile(
    r"^(?:skip|pass|next|skip (?:it|this|this one)|i'?d rather not say|rather not say|"
    r"no idea|dunno|don'?t know|i don'?t know|not sure|idk)[.!]?$"
)


def is_skip(text: str) -> bool:
    """A request to skip an optional question."""
    return bool(_SKIP.match(normalise(text)))


def parse_text(text: str, min_chars: int = 1) -> str:
    """Free text, kept as typed (trimmed)."""
    cleaned = re.sub(r"\s+", " ", text.strip())
    if len(cleaned) < min_chars:
        raise AnswerError("Just a few words in your own way is fine.")
    return cleaned
