"""Text normalisation shared by the patterns and the model.

Chat text is lower-case-insensitive, misspelt, abbreviated and sometimes deliberately
obfuscated ("k1ll mys3lf", "s*icide"). Both the rules and the statistical model read the
same normalised text, so a fix here helps both and training matches inference.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"'})

# Digits and symbols used as letters, only inside words that also contain letters.
_LEET = str.maketrans({"1": "i", "3": "e", "0": "o", "4": "a", "5": "s", "@": "a", "$": "s"})
_LEET_CHAR = re.compile(r"[0-9*@$]")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_*@$")

# Runs of three or more of one letter ("dieeee", "soooo") shrink to two.
_TRIPLE = re.compile(r"([a-z])\1\1")
_REPEATS = re.compile(r"([a-z])\1{2,}")

# Whole-word rewrites: contractions typed without apostrophes, abbreviations, and
# misspellings of the words the rules look for. Keys are matched as whole words.
_WORDS: dict[str, str] = {
    # contractions without the apostrophe
    "im": "i'm",
    "ive": "i've",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "wouldnt": "wouldn't",
    "couldnt": "couldn't",
    "shouldnt": "shouldn't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "wasnt": "wasn't",
    "arent": "aren't",
    "theyre": "they're",
    "youre": "you're",
    "thats": "that's",
    "whats": "what's",
    "itll": "it'll",
    # abbreviations
    "wanna": "want to",
    "wana": "want to",
    "gonna": "going to",
    "gona": "going to",
    "gunna": "going to",
    "gotta": "got to",
    "tryna": "trying to",
    "u": "you",
    "ur": "your",
    "rn": "right now",
    "tonite": "tonight",
    "2nite": "tonight",
    "2night": "tonight",
    "tn": "tonight",
    "2day": "today",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrow": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tomoz": "tomorrow",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "ppl": "people",
    "every1": "everyone",
    "some1": "someone",
    "no1": "no one",
    "tho": "though",
    "abt": "about",
    "pls": "please",
    "plz": "please",
    "srsly": "seriously",
    "prolly": "probably",
    "bf": "boyfriend",
    "gf": "girlfriend",
    # misspellings of words the rules need
    "myslef": "myself",
    "myslf": "myself",
    "mysef": "myself",
    "mysefl": "myself",
    "meself": "myself",
    "mself": "myself",
    "mysel": "myself",
    "kil": "kill",
    "kll": "kill",
    "kiil": "kill",
    "killin": "killing",
    "kilin": "killing",
    "kiling": "killing",
    "anymroe": "anymore",
    "anymor": "anymore",
    "nemore": "anymore",
    "lfe": "life",
    "lyf": "life",
    "lyfe": "life",
    "ded": "dead",
    "diee": "die",
    "diie": "die",
    "dii": "die",
    "dieing": "dying",
    "dyin": "dying",
    "wnt": "want",
    "sucide": "suicide",
    "suicde": "suicide",
    "suiside": "suicide",
    "suicied": "suicide",
    "suacide": "suicide",
    "suecide": "suicide",
    "sicide": "suicide",
    "suiscide": "suicide",
    "suicude": "suicide",
    "siucide": "suicide",
    "sucicide": "suicide",
    "suicidee": "suicide",
    "scuicide": "suicide",
    "sucidal": "suicidal",
    "suicdal": "suicidal",
    "suisidal": "suicidal",
    "suicidel": "suicidal",
    "suicidle": "suicidal",
    "suicidial": "suicidal",
    "sucidial": "suicidal",
    "suicial": "suicidal",
    "suecidal": "suicidal",
    "sicidal": "suicidal",
    "suicidall": "suicidal",
    "selfharm": "self-harm",
    "selfharming": "self-harming",
    "selfharmed": "self-harmed",
    "slef": "self",
    "overdoes": "overdose",
    "overdoese": "overdose",
}
_WORD_KEYS = frozenset(_WORDS)
_TOKENS = re.compile(r"[a-z0-9/']+")

# Multi-word spellings that collapse to one canonical form, each behind a cheap substring test.
_PHRASES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("my self", re.compile(r"\bmy self\b(?!-)"), "myself"),
    ("too", re.compile(r"\b(want|need|going|have|ready|trying) too\b"), r"\1 to"),
    ("any more", re.compile(r"\bany more\b"), "anymore"),
    ("self", re.compile(r"\bself[ _]+harm"), "self-harm"),
    ("un", re.compile(r"\bun[- ]alive"), "unalive"),
    ("k.m.s", re.compile(r"\bk\.m\.s\b\.?"), "kms"),
    ("s/h", re.compile(r"\bs/h\b"), "sh"),
)
_INNER_BANG = re.compile(r"(?<=[a-z])[!|](?=[a-z])")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def _unleet(text: str) -> str:
    """Read "k1ll", "mys3lf" and "s*icide" as letters; leave numbers and prices alone."""
    spans: list[tuple[int, int]] = []
    for m in _LEET_CHAR.finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue
        start, end = m.start(), m.end()
        while start > 0 and text[start - 1] in _WORD_CHARS:
            start -= 1
        while end < len(text) and text[end] in _WORD_CHARS:
            end += 1
        spans.append((start, end))
    out: list[str] = []
    last = 0
    for start, end in spans:
        token = text[start:end]
        if end - start >= 3 and any("a" <= c <= "z" for c in token):
            out.append(text[last:start])
            out.append(token.translate(_LEET).replace("*", ""))
            last = end
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=256)
def _word_pattern(keys: frozenset[str]) -> re.Pattern[str]:
    words = "|".join(sorted(map(re.escape, keys), key=len, reverse=True))
    return re.compile(r"(?<![\w'])(" + words + r")(?![\w'])")


def normalise(text: str) -> str:
    """Lower-case, unify quotes and spellings; keep sentence punctuation for the rules."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    if _LEET_CHAR.search(text):
        text = _unleet(text)
    if "!" in text or "|" in text:
        text = _INNER_BANG.sub("i", text)
    if _TRIPLE.search(text):
        text = _REPEATS.sub(r"\1\1", text)
    present = _WORD_KEYS.intersection(_TOKENS.findall(text))
    if present:
        text = _word_pattern(frozenset(present)).sub(lambda m: _WORDS[m.group(1)], text)
    for literal, pattern, replacement in _PHRASES:
        if literal in text:
            text = pattern.sub(replacement, text)
    return _SPACES.sub(" ", text).strip()
