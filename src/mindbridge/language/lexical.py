"""A small TF-IDF vectoriser whose whole state is a vocabulary and an idf vector.

Written here (rather than pickling scikit-learn's) so the shipped artefact is plain JSON/npz,
and so the same tokens that feed a model can be shown back to a person as "the words that
show it".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; curly apostrophes folded so "don’t" == "don't"."""
    return _TOKEN.findall(text.lower().translate(_APOSTROPHES))


def terms(text: str, ngram_max: int = 2) -> list[str]:
    """Unigrams and (space-joined) n-grams up to `ngram_max`."""
    words = tokens(text)
    out = list(words)
    for n in range(2, ngram_max + 1):
        out.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return out


class TfidfVectorizer:
    """Sublinear-tf, smoothed-idf, L2-normalised TF-IDF over a fixed vocabulary."""

    def __init__(self, vocabulary: Sequence[str], idf: NDArray[np.float64], ngram_max: int = 2):
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_max = ngram_max

    @classmethod
    def fit(
        cls, texts: Iterable[str], min_df: int = 2, max_features: int = 20000, ngram_max: int = 2
    ) -> TfidfVectorizer:
        """Keep the `max_features` most document-frequent terms seen in >= `min_df` texts."""
        df: Counter[str] = Counter()
        n_docs = 0
        for text in texts:
            n_docs += 1
            df.update(set(terms(text, ngram_max)))
        kept = sorted((t for t, c in df.items() if c >= min_df), key=lambda t: (-df[t], t))[
            :max_features
        ]
        kept.sort()
        # float32, as shipped, so training and inference see identical weights
        idf = np.array(
            [math.log((1 + n_docs) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32
        ).astype(np.float64)
        return cls(kept, idf, ngram_max)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        for text in texts:
            counts = Counter(self.index[t] for t in terms(text, self.ngram_max) if t in self.index)
            cols = sorted(counts)
            row = np.array([(1.0 + math.log(counts[c])) * self.idf[c] for c in cols])
            norm = float(np.linalg.norm(row)) if row.size else 0.0
            indices.extend(cols)
            values.extend((row / norm).tolist() if norm > 0 else row.tolist())
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.asarray(values, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
            shape=(len(texts), len(self.vocabulary)),
        )

    def state(self) -> dict[str, object]:
        return {"vocabulary": self.vocabulary, "ngram_max": self.ngram_max}
