"""Readers for the three labelled formats, plus the seeded held-out splits used in training.

Readers accept any file in the published format (so independent test sets work unchanged)
and report what they skipped instead of failing on one bad row.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from mindbridge.language.taxonomy import (
    NOT_DISTORTED,
    TRAPS,
    canonical_trap,
    is_test_prompt,
    thought_of,
)

csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class MultiLabelSet:
    texts: list[str]
    labels: NDArray[np.int8]  # (n, n_labels) 0/1
    names: tuple[str, ...]


def read_goemotions(path: Path, names: tuple[str, ...]) -> MultiLabelSet:
    """GoEmotions TSV: text, comma-separated label ids, id (no header, no quoting)."""
    texts: list[str] = []
    rows: list[list[int]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(record) < 2 or not record[1].strip():
                continue
            try:
                ids = [int(x) for x in record[1].split(",") if x.strip()]
            except ValueError:
                continue
            if any(i < 0 or i >= len(names) for i in ids):
                raise ValueError(f"label id out of range in {path}: {record[1]}")
            texts.append(record[0])
            rows.append(ids)
    labels = np.zeros((len(texts), len(names)), dtype=np.int8)
    for r, ids in enumerate(rows):
        labels[r, ids] = 1
    return MultiLabelSet(texts, labels, names)


@dataclass(frozen=True)
class BinarySet:
    texts: list[str]
    labels: NDArray[np.int8]


def read_dreaddit(path: Path) -> BinarySet:
    """Dreaddit CSV with at least `text` and `label` (1 = stress) columns."""
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
            raise ValueError(f"{path} needs 'text' and 'label' columns")
        for row in reader:
            raw = (row.get("label") or "").strip()
            if raw not in {"0", "1", "0.0", "1.0"}:
                continue
            texts.append(row["text"] or "")
            labels.append(int(float(raw)))
    return BinarySet(texts, np.asarray(labels, dtype=np.int8))


@dataclass(frozen=True)
class TrapSet:
    """One row per distinct thought, with all its traps merged (multi-label)."""

    prompts: list[str]
    texts: list[str]
    labels: NDArray[np.int8]  # (n, len(TRAPS))
    rows: int
    unknown_labels: dict[str, int] = field(default_factory=dict)

    @property
    def distorted(self) -> NDArray[np.int8]:
        out: NDArray[np.int8] = (self.labels.sum(axis=1) > 0).astype(np.int8)
        return out


def read_thinking_traps(path: Path, split: str = "all") -> TrapSet:
    """Thinking-traps JSONL ({"prompt": thought + " ->", "completion": " Trap"}).

    `split` is "train", "test" (the README's sha256 rule) or "all". Rows are grouped by
    prompt; a thought whose only label is "Not distorted" has no trap.
    """
    if split not in {"train", "test", "all"}:
        raise ValueError("split must be train, test or all")
    traps: dict[str, set[str]] = {}
    unknown: dict[str, int] = {}
    n_rows = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            prompt = str(record["prompt"])
            if split != "all" and is_test_prompt(prompt) != (split == "test"):
                continue
            n_rows += 1
            found = traps.setdefault(prompt, set())
            label = canonical_trap(str(record.get("completion", "")))
            if label is None:
                key = str(record.get("completion", "")).strip()
                unknown[key] = unknown.get(key, 0) + 1
            elif label != NOT_DISTORTED:
                found.add(label)
    if unknown:
        sys.stderr.write(f"warning: ignored unknown trap labels {unknown}\n")
    prompts = list(traps)
    labels = np.zeros((len(prompts), len(TRAPS)), dtype=np.int8)
    for r, prompt in enumerate(prompts):
        for trap in traps[prompt]:
            labels[r, TRAPS.index(trap)] = 1
    return TrapSet(prompts, [thought_of(p) for p in prompts], labels, n_rows, unknown)


def stratified_holdout(
    strata: NDArray[np.int64], fraction: float, seed: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Seeded split keeping each stratum's share: (fit indices, held-out indices), sorted."""
    rng = np.random.default_rng(seed)
    held: list[int] = []
    for value in np.unique(strata):
        members = np.flatnonzero(strata == value)
        rng.shuffle(members)
        held.extend(members[: round(len(members) * fraction)].tolist())
    held_arr = np.sort(np.asarray(held, dtype=np.int64))
    fit = np.setdiff1d(np.arange(len(strata), dtype=np.int64), held_arr)
    return fit, held_arr


def multilabel_strata(labels: NDArray[np.int8]) -> NDArray[np.int64]:
    """A stratum per row for multi-label data: its rarest positive label (or -1 if none)."""
    freq = labels.sum(axis=0)
    strata = np.full(labels.shape[0], -1, dtype=np.int64)
    for r in range(labels.shape[0]):
        positives = np.flatnonzero(labels[r])
        if positives.size:
            strata[r] = int(positives[np.argmin(freq[positives])])
    return strata
