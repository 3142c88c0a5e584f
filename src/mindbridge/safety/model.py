"""The statistical half of the detector: TF-IDF word and character n-grams + logistic regression.

Training (`python -m mindbridge.safety.train`) and scoring use the same `ngrams` function, so
the shipped coefficients mean the same thing at run time. Scoring is plain Python over a
dictionary, with no scikit-learn import, so loading the package stays cheap; the model files
are read once, on first use.

The artefact is two files in `models/`: `risk_model.npz` (vocabularies, idf weights and
coefficients as plain arrays, loaded with `allow_pickle=False`) and `risk_model.json`
(thresholds, training data, seed and the figures measured at training time).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from mindbridge.safety.levels import RiskLevel

_WORD = re.compile(r"[a-z0-9']+")
CHAR_RANGE = (2, 5)
LONG_TOKENS = 40  # above this a text is a long post, not a chat message
MODEL_NAME = "risk_model"


@lru_cache(maxsize=100_000)
def _char_grams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    lo, hi = CHAR_RANGE
    return tuple(
        padded[i : i + n] for n in range(lo, hi + 1) for i in range(max(1, len(padded) - n + 1))
    )


def ngrams(text: str) -> tuple[Counter[str], Counter[str]]:
    """Word 1-2 grams and within-word character 2-5 grams of normalised text."""
    tokens = _WORD.findall(text)
    words = Counter(tokens)
    chars: Counter[str] = Counter()
    for token, count in words.items():
        grams = _char_grams(token)
        if count == 1:
            chars.update(grams)
        else:
            for gram in grams:
                chars[gram] += count
    words.update(f"{a} {b}" for a, b in pairwise(tokens))
    return words, chars


_LOG1P = [0.0] + [1.0 + math.log(n) for n in range(1, 64)]  # sublinear tf, precomputed


def tfidf_dot(
    counts: Counter[str], table: dict[str, tuple[float, float]], explain: bool = False
) -> tuple[float, float, list[tuple[float, str]]]:
    """Sum of weight*coef, squared norm, and (with `explain`) per-term contributions.

    `table` maps a term to (idf, idf*coef); the weight is the sublinear tf times idf, and the
    block is l2-normalised over its in-vocabulary terms (as scikit-learn's TfidfVectorizer).
    """
    dot = 0.0
    norm2 = 0.0
    parts: list[tuple[float, str]] = []
    get = table.get
    for term, tf in counts.items():
        entry = get(term)
        if entry is None:
            continue
        scale = _LOG1P[tf] if tf < 64 else 1.0 + math.log(tf)
        idf, idf_coef = entry
        dot += scale * idf_coef
        norm2 += scale * scale * idf * idf
        if explain:
            parts.append((scale * idf_coef, term))
    return dot, norm2, parts


@dataclass(frozen=True)
class Thresholds:
    """Model-probability cut-offs chosen on out-of-fold predictions of the training data."""

    elevated: float
    low: float

    def level(self, probability: float) -> RiskLevel:
        """What the model alone would say."""
        if probability >= self.elevated:
            return RiskLevel.ELEVATED
        if probability >= self.low:
            return RiskLevel.LOW
        return RiskLevel.NONE


class RiskModel:
    """Loaded coefficients; `probability` is the P(needs a crisis response) of one text."""

    def __init__(
        self,
        words: dict[str, tuple[float, float]],
        chars: dict[str, tuple[float, float]],
        intercept: float,
        meta: dict[str, Any],
    ) -> None:
        self.words = words
        self.chars = chars
        self.intercept = intercept
        self.meta = meta
        t = meta["thresholds"]
        self.chat = Thresholds(float(t["chat"]["elevated"]), float(t["chat"]["low"]))
        self.long = Thresholds(float(t["long"]["elevated"]), float(t["long"]["low"]))
        self.long_tokens = int(t["long_tokens"])

    def thresholds(self, tokens: int) -> Thresholds:
        """Chat messages and long posts sit differently on the probability scale: the chat
        cut-offs keep false alarms on everyday messages within budget, the long-post ones
        are the balanced decision boundary of the SDCNL-trained model."""
        return self.long if tokens > self.long_tokens else self.chat

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unknown"))

    def explain(self, text: str, top: int = 3) -> tuple[float, tuple[str, ...]]:
        """The probability and the word n-grams that pushed it up most."""
        words, chars = ngrams(text)
        w_dot, w_norm, parts = tfidf_dot(words, self.words, explain=top > 0)
        c_dot, c_norm, _ = tfidf_dot(chars, self.chars)
        w_scale = 1.0 / math.sqrt(w_norm) if w_norm else 0.0
        c_scale = 1.0 / math.sqrt(c_norm) if c_norm else 0.0
        z = self.intercept + w_dot * w_scale + c_dot * c_scale
        p = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        parts.sort(reverse=True)
        return p, tuple(term for weight, term in parts[:top] if weight > 0)

    def probability(self, text: str) -> float:
        return self.explain(text, top=0)[0]


def model_dir() -> Path:
    return Path(str(resources.files("mindbridge.safety") / "models"))


def load(directory: Path | None = None) -> RiskModel:
    """Read the artefact from `directory` (default: the one shipped in the package)."""
    import numpy as np  # deferred: only needed once, when the model is first used

    directory = directory or model_dir()
    meta = json.loads((directory / f"{MODEL_NAME}.json").read_text(encoding="utf-8"))
    with np.load(directory / f"{MODEL_NAME}.npz", allow_pickle=False) as arrays:
        tables = {}
        for block in ("word", "char"):
            vocab = arrays[f"{block}_vocab"].tolist()
            idf = arrays[f"{block}_idf"].tolist()
            coef = arrays[f"{block}_coef"].tolist()
            tables[block] = {t: (i, i * c) for t, i, c in zip(vocab, idf, coef, strict=True)}
        intercept = float(arrays["intercept"][0])
    return RiskModel(tables["word"], tables["char"], intercept, meta)


@lru_cache(maxsize=1)
def shipped() -> RiskModel:
    """The shipped model, loaded once per process."""
    return load()
