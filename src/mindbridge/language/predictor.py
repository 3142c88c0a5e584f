"""A shipped model = a weighted average of head probabilities plus per-label thresholds.

The artefact is `<name>.npz` (arrays) + `<name>.json` (the card: labels, components,
thresholds, provenance, measured figures). Nothing here imports torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mindbridge.language.cues import cue_counts
from mindbridge.language.heads import (
    F32,
    DenseHead,
    LexicalHead,
    load_artefact,
    save_artefact,
    sigmoid,
)
from mindbridge.language.taxonomy import EKMAN, EKMAN_OF, EMOTIONS

EKMAN_MEMBERS = np.array([[EKMAN_OF[e] == g for e in EMOTIONS] for g in EKMAN])  # (7, 28)


def noisy_or(probs: NDArray[np.float64], members: NDArray[np.bool_]) -> NDArray[np.float64]:
    """P(at least one member label), treating labels as independent: 1 - prod(1 - p)."""
    return np.asarray(
        1.0 - np.prod(np.where(members[None, :], 1.0 - probs, 1.0), axis=1), dtype=np.float64
    )


@dataclass(frozen=True)
class EkmanGrouping:
    """Ekman groups derived from the 28 fine emotions, so the two views always agree: a
    group's probability is the noisy-OR of its members' (never below its likeliest member).
    Only the per-group thresholds are trained (on held-out training data)."""

    thresholds: NDArray[np.float64]
    card: dict[str, Any] = field(default_factory=dict)
    name: str = "ekman"
    labels: tuple[str, ...] = EKMAN

    def probabilities(self, emotions: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.stack([noisy_or(emotions, m) for m in EKMAN_MEMBERS], axis=1)

    def decide(self, probs: NDArray[np.float64]) -> NDArray[np.bool_]:
        return probs >= self.thresholds[None, :]

    def save(self, folder: Path, card: dict[str, Any]) -> None:
        full = {
            **card,
            "name": self.name,
            "labels": list(self.labels),
            "groups": {g: [e for e in EMOTIONS if EKMAN_OF[e] == g] for g in EKMAN},
            "thresholds": [round(float(t), 4) for t in self.thresholds],
        }
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{self.name}.json").write_text(json.dumps(full, indent=1, sort_keys=True) + "\n")

    @classmethod
    def load(cls, folder: Path) -> EkmanGrouping:
        card = json.loads((folder / "ekman.json").read_text())
        if tuple(card["labels"]) != EKMAN:
            raise ValueError("ekman.json does not list the Ekman groups")
        return cls(np.asarray(card["thresholds"], dtype=np.float64), card)


@dataclass(frozen=True)
class Component:
    kind: str  # "dense" (over encoder views) or "lexical" (TF-IDF [+ cue counts])
    weight: float
    dense: DenseHead | None = None
    lexical: LexicalHead | None = None
    with_cues: bool = False

    def logits(self, views: F32, texts: list[str]) -> NDArray[np.float64]:
        if self.dense is not None:
            return self.dense.logits(views)
        assert self.lexical is not None
        return self.lexical.logits(texts, cue_matrix(texts) if self.with_cues else None)


def cue_matrix(texts: list[str]) -> NDArray[np.float64]:
    """log(1 + cue matches) per trap: the extra columns of a cue-aware lexical head."""
    return np.log1p(np.asarray([cue_counts(t) for t in texts], dtype=np.float64)).reshape(
        len(texts), -1
    )


@dataclass(frozen=True)
class Predictor:
    name: str
    labels: tuple[str, ...]
    components: tuple[Component, ...]
    thresholds: NDArray[np.float64]
    card: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, views: F32, texts: list[str]) -> NDArray[np.float64]:
        """(n, n_labels) weighted mean of the components' sigmoid probabilities."""
        total = sum(c.weight for c in self.components)
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        for c in self.components:
            out += (c.weight / total) * sigmoid(c.logits(views, texts))
        return out

    def decide(self, probs: NDArray[np.float64]) -> NDArray[np.bool_]:
        return probs >= self.thresholds[None, :]

    def lexical_head(self) -> LexicalHead | None:
        """The component that can name the words behind a prediction, if there is one."""
        for c in self.components:
            if c.lexical is not None:
                return c.lexical
        return None

    def save(self, folder: Path, card: dict[str, Any]) -> None:
        arrays: dict[str, NDArray[Any]] = {}
        specs: list[dict[str, Any]] = []
        for i, c in enumerate(self.components):
            prefix = f"c{i}"
            spec: dict[str, Any] = {"kind": c.kind, "prefix": prefix, "weight": c.weight}
            if c.dense is not None:
                arrays.update(c.dense.arrays(prefix))
            elif c.lexical is not None:
                arrays.update(c.lexical.arrays(prefix))
                spec["vectorizer"] = c.lexical.vectorizer.state()
                spec["with_cues"] = c.with_cues
            specs.append(spec)
        full = {
            **card,
            "name": self.name,
            "labels": list(self.labels),
            "thresholds": [round(float(t), 4) for t in self.thresholds],
            "components": specs,
        }
        save_artefact(folder, self.name, arrays, full)

    @classmethod
    def load(cls, folder: Path, name: str) -> Predictor:
        arrays, card = load_artefact(folder, name)
        components: list[Component] = []
        for spec in card["components"]:
            prefix = spec["prefix"]
            if spec["kind"] == "dense":
                components.append(
                    Component(
                        "dense", float(spec["weight"]), dense=DenseHead.from_arrays(arrays, prefix)
                    )
                )
            elif spec["kind"] == "lexical":
                components.append(
                    Component(
                        "lexical",
                        float(spec["weight"]),
                        lexical=LexicalHead.from_arrays(arrays, prefix, spec["vectorizer"]),
                        with_cues=bool(spec.get("with_cues", False)),
                    )
                )
            else:
                raise ValueError(f"unknown component kind {spec['kind']!r} in {name}")
        return cls(
            name=name,
            labels=tuple(card["labels"]),
            components=tuple(components),
            thresholds=np.asarray(card["thresholds"], dtype=np.float64),
            card=card,
        )
