"""Themes across one client's entries: cluster sentence embeddings, name each cluster by its
c-TF-IDF keywords, and count entries per theme per week so a clinician sees what rises and
falls. Pure numpy/scikit-learn over precomputed embeddings, so it is testable without the
encoder; `Analyzer.themes` supplies the embeddings.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from mindbridge.language.domain import Theme, ThemeReport, r4
from mindbridge.language.lexical import tokens

METHOD = "kmeans(all-MiniLM-L6-v2 embeddings, k by silhouette) + c-TF-IDF keywords"
_EXTRA_STOP = frozenset(
    {
        "im",
        "i'm",
        "ive",
        "i've",
        "dont",
        "don't",
        "just",
        "really",
        "like",
        "got",
        "get",
        "today",
        "feel",
        "felt",
        "feeling",
        "think",
        "know",
        "day",
        "week",
        "bit",
        "lot",
        "did",
        "didn't",
        "can't",
        "cant",
        "it's",
        "that's",
        "going",
        "went",
        "thing",
        "things",
        "way",
        "want",
        "still",
        "yesterday",
        "tonight",
        "morning",
        "also",
        "even",
        "much",
        "make",
        "made",
    }
)
# A short English stop list of our own (scikit-learn's is not imported at analysis time: that
# import alone costs ~80 MB of resident memory).
_STOP = " ".join(
    (
        "a about above after again against all am an and any are as at be because been before",
        "being below between both but by could did do does doing down during each few for from",
        "further had has have having he her here hers herself him himself his how i if in into",
        "is it its itself me more most my myself no nor not of off on once only or other our",
        "ours ourselves out over own same she should so some such than that the their theirs",
        "them themselves then there these they this those through to too under until up very",
        "was we were what when where which while who whom why will with would you your yours",
        "yourself yourselves",
    )
).split()
STOP_WORDS = frozenset(_STOP) | _EXTRA_STOP


def week_of(when: datetime | date) -> date:
    """The Monday of `when`'s ISO week (the bucket used for weekly counts)."""
    day = when.date() if isinstance(when, datetime) else when
    return day - timedelta(days=day.weekday())


def choose_k(embeddings: NDArray[np.float32], max_k: int, seed: int) -> NDArray[np.int64]:
    """KMeans labels for the k in 2..max_k with the best silhouette (1 cluster if too few)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = embeddings.shape[0]
    if n < 4 or max_k < 2:
        return np.zeros(n, dtype=np.int64)
    best: tuple[float, NDArray[np.int64]] | None = None
    for k in range(2, min(max_k, n - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(embeddings)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(embeddings, labels, metric="cosine"))
        if best is None or score > best[0] + 1e-9:
            best = (score, labels.astype(np.int64))
    return best[1] if best is not None else np.zeros(n, dtype=np.int64)


def ctfidf_keywords(
    texts: Sequence[str], labels: NDArray[np.int64], top: int = 4
) -> list[list[str]]:
    """Per-cluster keywords by class-based TF-IDF: tf in the cluster x log(1 + A / tf overall),
    with A the average word count per cluster (Grootendorst's BERTopic weighting)."""
    clusters = sorted(set(labels.tolist()))
    per_class: list[Counter[str]] = []
    for c in clusters:
        counts: Counter[str] = Counter()
        for text, lab in zip(texts, labels.tolist(), strict=True):
            if lab == c:
                words = [w for w in tokens(text) if w not in STOP_WORDS and len(w) > 2]
                counts.update(words)
                counts.update(f"{a} {b}" for a, b in itertools.pairwise(words))
        per_class.append(counts)
    overall: Counter[str] = Counter()
    for counts in per_class:
        overall.update(counts)
    avg_words = max(1.0, sum(overall.values()) / max(1, len(clusters)))
    out: list[list[str]] = []
    for counts in per_class:
        total = max(1, sum(counts.values()))
        scored = sorted(
            ((counts[t] / total) * math.log(1 + avg_words / overall[t]), t)
            for t in counts
            if counts[t] >= 2 or len(counts) < 8
        )
        scored.sort(key=lambda st: (-st[0], st[1]))
        chosen: list[str] = []
        for _, term in scored:
            if any(term in c.split(" ") or c in term.split(" ") for c in chosen):
                continue  # skip a unigram already inside a chosen pair, and vice versa
            chosen.append(term)
            if len(chosen) == top:
                break
        out.append(chosen)
    return out


def _trend(counts: list[int]) -> tuple[str, float]:
    """Least-squares slope of weekly counts; "rising"/"falling" when it moves >= 0.25 a week
    and by at least a third of the theme's average, else "steady"."""
    if len(counts) < 2:
        return "steady", 0.0
    x = np.arange(len(counts), dtype=np.float64)
    y = np.asarray(counts, dtype=np.float64)
    slope = float(np.polyfit(x, y, 1)[0])
    mean = float(y.mean())
    if abs(slope) >= 0.25 and abs(slope) * len(counts) >= mean / 3:
        return ("rising" if slope > 0 else "falling"), slope
    return "steady", slope


def build_report(
    when: Sequence[datetime | date],
    texts: Sequence[str],
    embeddings: NDArray[np.float32],
    max_themes: int = 8,
    seed: int = 0,
) -> ThemeReport:
    """Cluster, label and count. `embeddings` are L2-normalised, one row per entry."""
    n = len(texts)
    if n == 0:
        return ThemeReport(weeks=[], themes=[], assignments=[], method=METHOD)
    max_k = min(max_themes, max(1, n // 3))
    labels = choose_k(embeddings, max_k, seed)
    # Renumber clusters by size (largest first) so theme ids are stable and readable.
    sizes = Counter(labels.tolist())
    order = sorted(sizes, key=lambda c: (-sizes[c], min(np.flatnonzero(labels == c))))
    remap = {old: new for new, old in enumerate(order)}
    labels = np.array([remap[x] for x in labels.tolist()], dtype=np.int64)
    keywords = ctfidf_keywords(texts, labels)
    first, last = week_of(min(when)), week_of(max(when))
    weeks = [first + timedelta(days=7 * i) for i in range((last - first).days // 7 + 1)]
    week_keys = [w.isoformat() for w in weeks]
    themes: list[Theme] = []
    for c in range(len(order)):
        members = np.flatnonzero(labels == c)
        weekly = dict.fromkeys(week_keys, 0)
        for i in members.tolist():
            weekly[week_of(when[i]).isoformat()] += 1
        centre = embeddings[members].mean(axis=0)
        closeness = embeddings[members] @ centre
        examples = members[np.argsort(-closeness, kind="stable")][:3].tolist()
        trend, slope = _trend(list(weekly.values()))
        words = keywords[c] or ["(no keywords)"]
        themes.append(
            Theme(
                theme_id=c,
                label=" / ".join(words[:3]),
                keywords=words,
                size=len(members),
                examples=[int(i) for i in examples],
                weekly=weekly,
                trend=trend,
                slope_per_week=r4(slope),
            )
        )
    return ThemeReport(weeks=week_keys, themes=themes, assignments=labels.tolist(), method=METHOD)
