"""Labelled text for training and evaluating the detector, and the seeded SDCNL split.

Two formats are read: JSON lines with `text` and `label` (1 = needs the crisis response,
i.e. elevated or imminent), and the SDCNL CSV (`title`, `selftext`, `is_suicide`), whose
text is title + newline + selftext. SDCNL ships no development split, so `sdcnl_split` makes
a seeded, stratified one; the shipped model is trained on its train part only.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

SPLIT_SEED = 13
HELDOUT_FRACTION = 0.2


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: int  # 1 = needs the crisis response
    level: str = ""  # expected level, where the source gives one
    category: str = ""


def _label(value: object) -> int:
    label = int(str(value).strip())
    if label not in (0, 1):
        raise ValueError(f"label must be 0 or 1, got {value!r}")
    return label


def read_jsonl(path: Path) -> list[LabelledText]:
    out: list[LabelledText] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if "text" not in row or "label" not in row:
                raise ValueError(f"{path}:{number}: each line needs 'text' and 'label'")
            out.append(
                LabelledText(
                    str(row["text"]),
                    _label(row["label"]),
                    str(row.get("level", "")),
                    str(row.get("category", "")),
                )
            )
    return out


def read_sdcnl(path: Path) -> list[LabelledText]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"title", "selftext", "is_suicide"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: not the SDCNL format, missing {sorted(missing)}")
        return [
            LabelledText(f"{row['title']}\n{row['selftext']}", _label(row["is_suicide"]))
            for row in reader
        ]


def read_labelled(path: Path) -> list[LabelledText]:
    """JSON lines (.jsonl/.json) or SDCNL CSV (.csv), chosen by the file's suffix."""
    if path.suffix.lower() == ".csv":
        return read_sdcnl(path)
    return read_jsonl(path)


def team_cases() -> list[LabelledText]:
    """The chat messages the team wrote for training and for designing the patterns."""
    source = resources.files("mindbridge.safety") / "data" / "team_cases.jsonl"
    return read_jsonl(Path(str(source)))


def sdcnl_split(
    labels: Sequence[int], *, seed: int = SPLIT_SEED, fraction: float = HELDOUT_FRACTION
) -> tuple[list[int], list[int]]:
    """Seeded stratified split: (train indices, held-out indices), each sorted."""
    rng = random.Random(seed)
    heldout: list[int] = []
    for cls in sorted(set(labels)):
        members = [i for i, y in enumerate(labels) if y == cls]
        rng.shuffle(members)
        heldout.extend(members[: round(len(members) * fraction)])
    held = set(heldout)
    return [i for i in range(len(labels)) if i not in held], sorted(heldout)
