"""Hash chaining for the audit log: each entry commits to its content and to the one before."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "resource_type",
    "resource_id",
    "client_id",
    "purpose",
    "outcome",
    "request_id",
    "detail",
)


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {name: fields[name] for name in CHAINED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int | None
    problem: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(
    entries: Iterable[Mapping[str, Any]], *, head_id: int, head_hash: str
) -> ChainReport:
    """Walk entries in id order; report edits (hash mismatch), deletions (gaps, a short tail)."""
    problems: list[ChainProblem] = []
    prev_hash = GENESIS
    expected_id = 1
    checked = 0
    for entry in entries:
        checked += 1
        if entry["id"] != expected_id:
            problems.append(
                ChainProblem(entry["id"], f"entries {expected_id}..{entry['id'] - 1} are missing")
            )
        if entry["prev_hash"] != prev_hash:
            problems.append(ChainProblem(entry["id"], "does not link to the entry before it"))
        if entry_hash(entry["prev_hash"], entry) != entry["hash"]:
            problems.append(ChainProblem(entry["id"], "content was altered after it was written"))
        prev_hash = entry["hash"]
        expected_id = entry["id"] + 1
    if head_id != expected_id - 1 or (head_id and head_hash != prev_hash):
        problems.append(
            ChainProblem(None, f"the chain ends at {expected_id - 1} but its head says {head_id}")
        )
    return ChainReport(checked=checked, problems=tuple(problems))
