"""The second stage for long texts: a logistic head on frozen all-MiniLM-L6-v2 features,
stacked with the lexical model (`model.py`).

Why: on long SDCNL training posts the lexical model alone reaches an out-of-fold ROC AUC of
0.78; stacked with the encoder head, 0.81 (docs/models/risk.md). Chat messages stay on the
lexical model: the encoder would cost tens of milliseconds and a torch import, and on short
messages the patterns do the work.

The rule (`runs_for`): the stage runs only for texts of more than `LONG_TOKENS` (40) word
tokens, the same cut that already separates chat messages from long posts, and only when
`MINDBRIDGE_SAFETY_ENCODER` is not `off`. The encoder (torch, transformers, the MiniLM
wheel) is imported on the first such text, never at import time. If it cannot load, or a
forward pass fails, the text is scored by the lexical model with its own long-post
thresholds, exactly as before the stage existed, and the screening's evidence says so.

The artefact is `models/risk_encoder.npz` (feature mean and scale, head weights; loaded
with `allow_pickle=False`) and `models/risk_encoder.json` (views, stacking weights,
thresholds, data hash, encoder weights hash, figures).
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mindbridge.safety.model import LONG_TOKENS, Thresholds, model_dir

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

STAGE_NAME = "risk_encoder"
ENV_SWITCH = "MINDBRIDGE_SAFETY_ENCODER"
# The encoder reads at most 256 word pieces; cutting the characters first keeps a very long
# entry from being tokenised in full. Training cuts at the same place.
ENCODER_CHARS = 4000

log = logging.getLogger(__name__)


def enabled() -> bool:
    """True only when the deployment turned the stage on (`MINDBRIDGE_SAFETY_ENCODER=on`).

    Off by default: on the held-out SDCNL part it flagged 2 fewer suicidal posts at the crisis
    threshold than the lexical model alone (recall 0.758 vs 0.771) for an AUC gain of 0.003,
    and it loads torch into the web process on the first long text. Safety screening must not
    lose recall for a better ranking; see docs/models/risk.md."""
    return os.environ.get(ENV_SWITCH, "off").strip().lower() in ("on", "1", "true", "yes")


def runs_for(tokens: int) -> bool:
    """The rule: long texts only (more than LONG_TOKENS word tokens), and only if enabled."""
    return tokens > LONG_TOKENS and enabled()


def encoder_text(text: str) -> str:
    """What the encoder reads of a text (the raw text, not the normalised one)."""
    return text[:ENCODER_CHARS]


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


@dataclass(frozen=True)
class Stacked:
    """One long text's figures: the stacked probability and its two inputs."""

    probability: float
    lexical: float
    encoder: float


class EncoderStage:
    """The loaded head and stacking weights; `combine` needs only the encoder's views."""

    def __init__(self, arrays: dict[str, NDArray[np.float32]], meta: dict[str, Any]) -> None:
        self.mean = arrays["mean"]
        self.scale = arrays["scale"]
        self.coef = arrays["coef"]
        self.intercept = float(arrays["intercept"][0])
        self.meta = meta
        self.views = [int(v) for v in meta["features"]["views"]]
        stack = meta["stack"]
        self.w_lexical = float(stack["lexical_logit"])
        self.w_encoder = float(stack["encoder_logit"])
        self.w_bias = float(stack["intercept"])
        t = meta["thresholds"]
        self.thresholds = Thresholds(float(t["elevated"]), float(t["low"]))

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unknown"))

    def encoder_logit(self, views: NDArray[np.float32]) -> float:
        """The head's log-odds for one text's pooled views, shape (N_VIEWS, DIM)."""
        import numpy as np

        # Training read features through a float16 cache; round the same way here.
        x = views[self.views].astype(np.float16).astype(np.float32).reshape(-1)
        return float(((x - self.mean) / self.scale) @ self.coef) + self.intercept

    def combine(self, lexical_probability: float, views: NDArray[np.float32]) -> Stacked:
        z_enc = self.encoder_logit(views)
        z = self.w_lexical * logit(lexical_probability) + self.w_encoder * z_enc + self.w_bias
        return Stacked(sigmoid(z), lexical_probability, sigmoid(z_enc))


def load(directory: Path | None = None) -> EncoderStage:
    """Read the head from `directory` (default: the one shipped in the package)."""
    import numpy as np

    directory = directory or model_dir()
    meta = json.loads((directory / f"{STAGE_NAME}.json").read_text(encoding="utf-8"))
    with np.load(directory / f"{STAGE_NAME}.npz", allow_pickle=False) as data:
        arrays = {k: data[k].astype(np.float32) for k in ("mean", "scale", "coef", "intercept")}
    return EncoderStage(arrays, meta)


@lru_cache(maxsize=1)
def shipped() -> EncoderStage:
    """The shipped head, loaded once per process."""
    return load()


class _Runner:
    """Loads the encoder once; remembers a failure so a broken install costs one attempt."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed: str | None = None

    @property
    def failure(self) -> str | None:
        return self._failed

    def views(self, text: str) -> NDArray[np.float32] | None:
        """The pooled views of one text, or None when the encoder is unavailable."""
        if self._failed is not None:
            return None
        try:
            from mindbridge.language.encoder import get_encoder

            encoder = get_encoder()
        except Exception as exc:  # any import or load failure means: use the fallback
            with self._lock:
                self._failed = f"{type(exc).__name__}: {exc}"
            log.warning(
                "safety encoder stage unavailable, long texts use the lexical model: %s", exc
            )
            return None
        try:
            views: NDArray[np.float32] = encoder.features([encoder_text(text)])[0]
        except Exception as exc:  # a failed forward pass: this text only
            log.warning("safety encoder stage failed on one text: %s", exc)
            return None
        return views

    def reset(self) -> None:
        with self._lock:
            self._failed = None


runner = _Runner()


def score(text: str, lexical_probability: float) -> tuple[Stacked, EncoderStage] | None:
    """The stacked figures for a long text, or None for the fallback (encoder or head
    unavailable). Callers decide with `runs_for` whether to call this at all."""
    try:
        stage = shipped()
    except (OSError, ValueError, KeyError) as exc:
        log.warning("safety encoder head unreadable, long texts use the lexical model: %s", exc)
        return None
    views = runner.views(text)
    if views is None:
        return None
    return stage.combine(lexical_probability, views), stage


def warm_up() -> bool:
    """Load the head and the encoder now (about 6 s and 400 MB the first time) instead of on
    the first long text; False when the stage is off or unavailable (the fallback applies)."""
    if not enabled():
        return False
    return score("warm-up " * (LONG_TOKENS + 1), 0.5) is not None
