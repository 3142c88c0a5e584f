"""Encoder features for training sets, cached under /tmp so retraining takes seconds.

Keyed by the encoder's feature version and the exact texts; stored as float16 chunks so an
interrupted run resumes where it stopped. Training always reads features back through the
cache, so a fresh run and a cached run train on identical numbers.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mindbridge.language.encoder import DIM, FEATURE_VERSION, N_VIEWS, Array, get_encoder

CHUNK = 1024


def cache_dir() -> Path:
    """MINDBRIDGE_LANGUAGE_CACHE, else a folder in the system temp dir (never the repository)."""
    default = Path(tempfile.gettempdir()) / "mindbridge-language-cache"
    return Path(os.environ.get("MINDBRIDGE_LANGUAGE_CACHE", default))


def _key(texts: list[str]) -> str:
    digest = hashlib.sha256(FEATURE_VERSION.encode())
    for text in texts:
        digest.update(b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:24]


def _log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def cached_features(
    texts: list[str], name: str, progress: Callable[[str], None] | None = _log
) -> Array:
    """(n, N_VIEWS, DIM) float32 features of `texts`, computed once per distinct list."""
    folder = cache_dir() / f"{name}-{_key(texts)}"
    final = folder / "all.npy"
    if final.exists():
        loaded: Array = np.load(final).astype(np.float32)
        return loaded
    folder.mkdir(parents=True, exist_ok=True)
    parts: list[np.ndarray] = []
    for start in range(0, len(texts), CHUNK):
        part = folder / f"part-{start:07d}.npy"
        if part.exists():
            parts.append(np.load(part))
            continue
        chunk = get_encoder().features(texts[start : start + CHUNK]).astype(np.float16)
        tmp = folder / f"part-{start:07d}.tmp.npy"
        np.save(tmp, chunk)
        tmp.replace(part)
        parts.append(chunk)
        if progress:
            progress(f"{name}: encoded {min(start + CHUNK, len(texts))}/{len(texts)}")
    stacked = np.concatenate(parts) if parts else np.zeros((0, N_VIEWS, DIM), dtype=np.float16)
    tmp = folder / "all.tmp.npy"
    np.save(tmp, stacked)
    tmp.replace(final)
    for part_file in folder.glob("part-*.npy"):
        part_file.unlink()
    result: Array = stacked.astype(np.float32)
    return result
