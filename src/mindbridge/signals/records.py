"""What every parser returns: validated observations, rejected rows, and nothing half-done.

Observations are held column-wise (numpy arrays) because one Depresjon file alone is 50,000
minutes and an Apple Health export can hold millions of samples; `Observation` is the
row view for storage. Times are UTC epoch seconds; local days are decided later, per client.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from mindbridge.signals.catalog import STREAM_CODES, STREAM_NAMES, STREAMS

ProgressCallback = Callable[[int, int], None]
"""Called as `progress(done, total)`; units are bytes for files, items for payloads."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def dedup_key(stream: str, source: str, start_s: int, end_s: int) -> str:
    """The identity of a measurement slot, independent of its value.

    Re-importing the same file yields the same keys (so an upsert on (client, key) changes
    nothing), and a corrected value for the same slot replaces rather than duplicates.
    """
    raw = f"{stream}|{source}|{start_s}|{end_s}".encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def client_id_key(device: str, client_generated_id: str) -> str:
    """Dedup key for API items, which carry their own id: the same id re-sent is one row."""
    raw = f"api|{device}|{client_generated_id}".encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Observation:
    """One stored measurement (row view). Units are canonical (see catalog.STREAMS)."""

    stream: str
    start: datetime  # UTC
    end: datetime  # UTC; equal to start for an instantaneous sample
    value: float
    unit: str
    source: str
    dedup_key: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "value": self.value,
            "unit": self.unit,
            "source": self.source,
            "dedup_key": self.dedup_key,
        }


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that was not imported. `line` is 1-based in the file; for JSON/API, the item."""

    line: int
    reason: str
    raw: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "raw": self.raw}


class ObservationBatch:
    """Column-wise observations: stream code, source code, UTC start/end seconds, value."""

    __slots__ = ("_keys", "end_s", "line", "source", "sources", "start_s", "stream", "value")

    def __init__(
        self,
        stream: npt.NDArray[np.int8],
        source: npt.NDArray[np.int32],
        sources: Sequence[str],
        start_s: IntArray,
        end_s: IntArray,
        value: FloatArray,
        line: IntArray,
        keys: Sequence[str] | None = None,
    ) -> None:
        n = len(value)
        if not all(len(a) == n for a in (stream, source, start_s, end_s, line)):
            raise ValueError("columns differ in length")
        self.stream = stream
        self.source = source
        self.sources = tuple(sources)
        self.start_s = start_s
        self.end_s = end_s
        self.value = value
        self.line = line
        self._keys = None if keys is None else list(keys)

    @classmethod
    def empty(cls) -> ObservationBatch:
        return cls(
            np.zeros(0, np.int8),
            np.zeros(0, np.int32),
            (),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.float64),
            np.zeros(0, np.int64),
        )

    def __len__(self) -> int:
        return len(self.value)

    def stream_name(self, i: int) -> str:
        return STREAM_NAMES[int(self.stream[i])]

    def where(self, mask: npt.NDArray[np.bool_]) -> ObservationBatch:
        """The rows where `mask` is True."""
        keys = None
        if self._keys is not None:
            keys = [k for k, m in zip(self._keys, mask.tolist(), strict=True) if m]
        return ObservationBatch(
            self.stream[mask],
            self.source[mask],
            self.sources,
            self.start_s[mask],
            self.end_s[mask],
            self.value[mask],
            self.line[mask],
            keys,
        )

    def select(self, stream: str) -> ObservationBatch:
        """The rows of one stream."""
        return self.where(self.stream == STREAM_CODES[stream])

    def dedup_keys(self) -> list[str]:
        """One key per row, computed on first use (hashing a million rows takes about 1 s)."""
        if self._keys is None:
            names = STREAM_NAMES
            self._keys = [
                dedup_key(names[c], self.sources[s], a, b)
                for c, s, a, b in zip(
                    self.stream.tolist(),
                    self.source.tolist(),
                    self.start_s.tolist(),
                    self.end_s.tolist(),
                    strict=True,
                )
            ]
        return self._keys

    def records(self) -> Iterator[Observation]:
        """Row view for storage, in file order."""
        keys = self.dedup_keys()
        for i in range(len(self)):
            name = STREAM_NAMES[int(self.stream[i])]
            yield Observation(
                stream=name,
                start=datetime.fromtimestamp(int(self.start_s[i]), UTC),
                end=datetime.fromtimestamp(int(self.end_s[i]), UTC),
                value=float(self.value[i]),
                unit=STREAMS[name].unit,
                source=self.sources[int(self.source[i])],
                dedup_key=keys[i],
            )


class BatchBuilder:
    """Collects rows while parsing, compactly (about 40 bytes a row).

    Repeats are settled once at the end, vectorised: a row for the same slot (stream,
    source, start, end) with the same value is dropped; with another value it is rejected.
    Rows that carry a client-generated key are settled by that key instead.
    """

    def __init__(self) -> None:
        self.sources: dict[str, int] = {}
        self._stream = array("b")
        self._source = array("i")
        self._start = array("q")
        self._end = array("q")
        self._value = array("d")
        self._line = array("q")
        self._keys: list[str] = []

    def add(
        self,
        stream: str,
        source: str,
        start_s: int,
        end_s: int,
        value: float,
        line: int,
        key: str | None = None,
    ) -> None:
        self._stream.append(STREAM_CODES[stream])
        self._source.append(self.sources.setdefault(source, len(self.sources)))
        self._start.append(start_s)
        self._end.append(end_s)
        self._value.append(value)
        self._line.append(line)
        if key is not None:
            self._keys.append(key)

    def __len__(self) -> int:
        return len(self._value)

    def build(self) -> tuple[ObservationBatch, list[RejectedRow], int]:
        """(batch without repeats, conflicting rows, number of exact repeats dropped)."""
        stream = (
            np.frombuffer(self._stream, np.int8).copy() if self._stream else np.zeros(0, np.int8)
        )
        source = np.asarray(self._source, np.int32)
        start = np.asarray(self._start, np.int64)
        end = np.asarray(self._end, np.int64)
        value = np.asarray(self._value, np.float64)
        line = np.asarray(self._line, np.int64)
        n = len(value)
        if self._keys and len(self._keys) != n:
            raise ValueError("either every row or no row carries a key")
        if self._keys:
            first: dict[str, int] = {}
            group = np.array([first.setdefault(k, i) for i, k in enumerate(self._keys)], np.int64)
        else:
            order = np.lexsort((line, end, start, source, stream))
            same = np.zeros(n, np.bool_)
            if n > 1:
                o = order
                same[1:] = (
                    (stream[o[1:]] == stream[o[:-1]])
                    & (source[o[1:]] == source[o[:-1]])
                    & (start[o[1:]] == start[o[:-1]])
                    & (end[o[1:]] == end[o[:-1]])
                )
            head = np.maximum.accumulate(np.where(same, 0, np.arange(n)))
            group = np.empty(n, np.int64)
            group[order] = order[head]
        repeat = group != np.arange(n)
        equal = repeat & (value == value[group]) & (stream == stream[group])
        equal &= (start == start[group]) & (end == end[group]) & (source == source[group])
        conflict = repeat & ~equal
        rejected = [
            RejectedRow(
                int(line[i]), f"conflicts with line {int(line[group[i]])} (same slot, other value)"
            )
            for i in np.flatnonzero(conflict).tolist()
        ]
        keep = ~repeat
        keys = (
            [k for k, m in zip(self._keys, keep.tolist(), strict=True) if m] if self._keys else None
        )
        batch = ObservationBatch(
            stream[keep],
            source[keep],
            list(self.sources),
            start[keep],
            end[keep],
            value[keep],
            line[keep],
            keys,
        )
        return batch, rejected, int(equal.sum())


class ImportRejected(ValueError):
    """Raised by `ParseResult.require_ok` so an atomic caller writes nothing."""

    def __init__(self, result: ParseResult) -> None:
        self.result = result
        super().__init__(result.summary())


@dataclass(frozen=True)
class ParseResult:
    """Validated observations, every rejected row with its reason, and a fatal error if any.

    A fatal error (unreadable file, truncated XML, no header) leaves `observations` empty:
    nothing is ever half-parsed. With row rejections the valid rows are still returned, and
    `ok` is False, so the caller chooses between "all or nothing" and "import the good rows".
    """

    observations: ObservationBatch
    rejected: tuple[RejectedRow, ...] = ()
    fatal: str | None = None
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.rejected

    def require_ok(self) -> ObservationBatch:
        if not self.ok:
            raise ImportRejected(self)
        return self.observations

    def summary(self) -> str:
        if self.fatal:
            return f"file not imported: {self.fatal}"
        head = f"{len(self.observations)} observations, {len(self.rejected)} rejected rows"
        if self.rejected:
            first = self.rejected[0]
            head += f" (first: line {first.line}: {first.reason})"
        return head

    @classmethod
    def failed(cls, reason: str, stats: dict[str, int] | None = None) -> ParseResult:
        return cls(ObservationBatch.empty(), (), reason, stats or {})
