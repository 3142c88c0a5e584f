"""Small trained heads over encoder features, evaluated in numpy.

A head is a plain dict of arrays saved with `np.savez_compressed` (no pickle) next to a JSON
card of labels, thresholds and provenance. Layout of a head named `h` inside an artefact:
`h.views` (which pooled encoder views, each L2-normalised then concatenated), `h.mean`,
`h.scale` (standardisation), `h.w0`, `h.b0`, ... (layers; ReLU between them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from mindbridge.language.lexical import TfidfVectorizer

F32 = NDArray[np.float32]


def view_features(views: F32, which: NDArray[np.int64] | list[int]) -> F32:
    """Concatenate the chosen pooled views, each L2-normalised (scale-free across layers)."""
    parts = []
    for v in which:
        x = views[:, int(v), :]
        parts.append(x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12))
    return np.concatenate(parts, axis=1).astype(np.float32)


def sigmoid(x: NDArray[Any]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, dtype=np.float64), -40.0, 40.0)))


@dataclass(frozen=True)
class DenseHead:
    """Standardise, then affine layers with ReLU between them; returns logits."""

    views: NDArray[np.int64]
    mean: F32
    scale: F32
    weights: tuple[F32, ...]
    biases: tuple[F32, ...]

    def logits(self, views: F32) -> NDArray[np.float64]:
        x = (view_features(views, self.views) - self.mean) / self.scale
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = x @ w + b
            if i < len(self.weights) - 1:
                x = np.maximum(x, 0.0)
        return np.asarray(x, dtype=np.float64)

    def arrays(self, prefix: str) -> dict[str, NDArray[Any]]:
        out: dict[str, NDArray[Any]] = {
            f"{prefix}.views": self.views,
            f"{prefix}.mean": self.mean,
            f"{prefix}.scale": self.scale,
        }
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out[f"{prefix}.w{i}"] = w.astype(np.float16)
            out[f"{prefix}.b{i}"] = b
        return out

    def as_shipped(self) -> DenseHead:
        """The same head with weights rounded through float16, exactly as saved, so that
        thresholds are tuned on the numbers that ship."""
        return DenseHead(
            self.views,
            self.mean,
            self.scale,
            tuple(w.astype(np.float16).astype(np.float32) for w in self.weights),
            self.biases,
        )

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[Any]], prefix: str) -> DenseHead:
        weights: list[F32] = []
        biases: list[F32] = []
        while f"{prefix}.w{len(weights)}" in arrays:
            weights.append(arrays[f"{prefix}.w{len(weights)}"].astype(np.float32))
            biases.append(arrays[f"{prefix}.b{len(biases)}"].astype(np.float32))
        if not weights:
            raise ValueError(f"artefact has no head {prefix!r}")
        return cls(
            views=arrays[f"{prefix}.views"].astype(np.int64),
            mean=arrays[f"{prefix}.mean"].astype(np.float32),
            scale=arrays[f"{prefix}.scale"].astype(np.float32),
            weights=tuple(weights),
            biases=tuple(biases),
        )


@dataclass(frozen=True)
class LexicalHead:
    """Logistic regression over TF-IDF terms: cheap, and its per-term contributions explain."""

    vectorizer: TfidfVectorizer
    coef: F32  # (n_terms [+ extra columns], n_labels)
    intercept: F32

    def as_shipped(self) -> LexicalHead:
        """Coefficients rounded through float16, exactly as saved."""
        return LexicalHead(
            self.vectorizer, self.coef.astype(np.float16).astype(np.float32), self.intercept
        )

    def matrix(self, texts: list[str]) -> sparse.csr_matrix:
        return self.vectorizer.transform(texts)

    def logits(
        self, texts: list[str], extra: NDArray[np.float64] | None = None
    ) -> NDArray[np.float64]:
        """TF-IDF part plus, when the head was trained with them, extra dense columns
        (e.g. cue counts) whose weights sit after the vocabulary's."""
        n_terms = len(self.vectorizer.vocabulary)
        out = np.asarray(self.matrix(texts) @ self.coef[:n_terms], dtype=np.float64)
        if extra is not None:
            out += extra @ self.coef[n_terms:].astype(np.float64)
        return out + self.intercept

    def top_terms(self, text: str, label: int, k: int = 5) -> list[str]:
        """Terms in `text` that push `label` up the most (TF-IDF value x weight > 0)."""
        row = self.matrix([text])
        contributions = [
            (float(v) * float(self.coef[c, label]), self.vectorizer.vocabulary[c])
            for c, v in zip(row.indices, row.data, strict=True)
        ]
        contributions.sort(key=lambda cv: (-cv[0], cv[1]))
        return [term for value, term in contributions[:k] if value > 0]

    def arrays(self, prefix: str) -> dict[str, NDArray[Any]]:
        return {
            f"{prefix}.idf": self.vectorizer.idf.astype(np.float32),
            f"{prefix}.coef": self.coef.astype(np.float16),
            f"{prefix}.intercept": self.intercept,
        }

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, NDArray[Any]], prefix: str, state: dict[str, Any]
    ) -> LexicalHead:
        vectorizer = TfidfVectorizer(
            state["vocabulary"], arrays[f"{prefix}.idf"], int(state["ngram_max"])
        )
        return cls(
            vectorizer,
            arrays[f"{prefix}.coef"].astype(np.float32),
            arrays[f"{prefix}.intercept"].astype(np.float32),
        )


def save_artefact(
    folder: Path, name: str, arrays: dict[str, NDArray[Any]], card: dict[str, Any]
) -> None:
    """Write `name.npz` (arrays) and `name.json` (labels, thresholds, provenance)."""
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / f"{name}.npz", **arrays)  # type: ignore[arg-type]
    (folder / f"{name}.json").write_text(json.dumps(card, indent=1, sort_keys=True) + "\n")


def load_artefact(folder: Path, name: str) -> tuple[dict[str, NDArray[Any]], dict[str, Any]]:
    with np.load(folder / f"{name}.npz", allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    card: dict[str, Any] = json.loads((folder / f"{name}.json").read_text())
    return arrays, card
