"""The offline analyser: one encoder pass per batch, then the small heads.

Models load once, lazily, under a lock; after that `Analyzer` is read-only, so one instance
serves every thread. Text must already have passed the safety screen: this is never the
crisis check.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mindbridge.language.cues import find_cues
from mindbridge.language.domain import (
    Analysis,
    Distortion,
    Sentiment,
    Stress,
    ThemeReport,
    r4,
)
from mindbridge.language.encoder import DIM, Encoder, get_encoder, sentence_embedding
from mindbridge.language.predictor import EkmanGrouping, Predictor
from mindbridge.language.taxonomy import EKMAN, EMOTIONS, NEGATIVE, POSITIVE, TRAPS
from mindbridge.language.theme_report import build_report

MODELS_DIR = Path(__file__).resolve().parent / "models"
_POS = np.array([e in POSITIVE for e in EMOTIONS])
_NEG = np.array([e in NEGATIVE for e in EMOTIONS])


def models_dir() -> Path:
    """Where artefacts are read from. MINDBRIDGE_LANGUAGE_MODELS points at a folder whose
    files replace the shipped ones (e.g. a distortion model retrained on licensed data)."""
    return Path(os.environ.get("MINDBRIDGE_LANGUAGE_MODELS", MODELS_DIR))


def artefact_folder(name: str) -> Path:
    override = models_dir()
    if (override / f"{name}.npz").exists():
        return override
    return MODELS_DIR


def distortions_enabled() -> bool:
    """A deployment can switch the (non-commercially licensed) distortion model off."""
    return os.environ.get("MINDBRIDGE_LANGUAGE_DISTORTIONS", "on").lower() not in {
        "0",
        "off",
        "false",
        "no",
    }


def sentiment_of(emotions: NDArray[np.float64], detected: NDArray[np.bool_]) -> Sentiment:
    """Valence from the emotion model (no separate sentiment model or lexicon).

    `positive`/`negative` are the likeliest positive and negative emotion's probability and
    `score` their difference; the label follows the *detected* emotions (above their tuned
    thresholds): positive only, negative only, both ("mixed") or neither ("neutral")."""
    pos = float(emotions[_POS].max())
    neg = float(emotions[_NEG].max())
    has_pos = bool(detected[_POS].any())
    has_neg = bool(detected[_NEG].any())
    if has_pos and has_neg:
        label = "mixed"
    elif has_pos:
        label = "positive"
    elif has_neg:
        label = "negative"
    else:
        label = "neutral"
    return Sentiment(label=label, score=r4(pos - neg), positive=r4(pos), negative=r4(neg))


class Analyzer:
    """All models, loaded once. `analyze_batch` is the fast path (one encoder call)."""

    def __init__(self, encoder: Encoder | None = None, distortions: bool | None = None) -> None:
        self.encoder = encoder if encoder is not None else get_encoder()
        self.emotions = Predictor.load(artefact_folder("emotions"), "emotions")
        self.ekman = EkmanGrouping.load(artefact_folder("emotions"))
        self.stress = Predictor.load(artefact_folder("stress"), "stress")
        use_traps = distortions_enabled() if distortions is None else distortions
        self.traps = (
            Predictor.load(artefact_folder("distortions"), "distortions") if use_traps else None
        )
        self.distorted = (
            Predictor.load(artefact_folder("distorted"), "distorted") if use_traps else None
        )
        if tuple(self.emotions.labels) != EMOTIONS or tuple(self.ekman.labels) != EKMAN:
            raise ValueError("emotion artefacts do not match the GoEmotions label sets")
        if self.traps is not None and tuple(self.traps.labels) != TRAPS:
            raise ValueError("distortion artefact does not match the thinking-trap labels")
        self.version = "+".join(
            str(p.card.get("version", p.name))
            for p in (self.emotions, self.ekman, self.stress, self.traps, self.distorted)
            if p is not None
        )

    def analyze(self, text: str, distortions: bool = True) -> Analysis:
        return self.analyze_batch([text], distortions=distortions)[0]

    def analyze_batch(
        self, texts: Sequence[str], distortions: bool = True, batch_size: int = 32
    ) -> list[Analysis]:
        """Analyse screened texts. `distortions=False` skips the thinking-trap models for
        this call (they are built for thought-record text and over-flag everyday text)."""
        return self.analyze_and_embed(texts, distortions=distortions, batch_size=batch_size)[0]

    def analyze_and_embed(
        self, texts: Sequence[str], distortions: bool = True, batch_size: int = 32
    ) -> tuple[list[Analysis], NDArray[np.float32]]:
        """`analyze_batch` plus each text's sentence embedding, from the same encoder pass
        (stored analyses keep the embedding so themes never re-encode old entries)."""
        items = [str(t) for t in texts]
        if not items:
            return [], np.zeros((0, DIM), dtype=np.float32)
        views = self.encoder.features(items, batch_size=batch_size)
        # The heads are small matrix products: one BLAS thread is fastest, and idle OpenBLAS
        # workers spinning beside torch's doubled the CPU time of a single analysis. The lock
        # keeps concurrent callers from restoring each other's BLAS settings out of order.
        with _HEADS_LOCK, _blas_controller().limit(limits=1, user_api="blas"):
            emo = self.emotions.probabilities(views, items)
            ekm = self.ekman.probabilities(emo)
            stress = self.stress.probabilities(views, items)[:, 0]
            use_traps = distortions and self.traps is not None and self.distorted is not None
            traps = self.traps.probabilities(views, items) if use_traps and self.traps else None
            distorted = (
                self.distorted.probabilities(views, items)[:, 0]
                if use_traps and self.distorted
                else np.zeros(len(items))
            )
        analyses = [
            self._one(
                items[i],
                emo[i],
                ekm[i],
                float(stress[i]),
                None if traps is None else traps[i],
                float(distorted[i]),
            )
            for i in range(len(items))
        ]
        return analyses, sentence_embedding(views)

    def _one(
        self,
        text: str,
        emo: NDArray[np.float64],
        ekm: NDArray[np.float64],
        stress: float,
        traps: NDArray[np.float64] | None,
        distorted_p: float,
    ) -> Analysis:
        emo_on = self.emotions.decide(emo[None, :])[0]
        ekm_on = self.ekman.decide(ekm[None, :])[0]
        stress_threshold = float(self.stress.thresholds[0])
        distortions: list[Distortion] = []
        trap_scores: dict[str, float] = {}
        is_distorted = False
        if traps is not None and self.traps is not None and self.distorted is not None:
            trap_scores = {t: r4(p) for t, p in zip(TRAPS, traps, strict=True)}
            is_distorted = distorted_p >= float(self.distorted.thresholds[0])
            on = self.traps.decide(traps[None, :])[0] & is_distorted
            lexical = self.traps.lexical_head()
            for j in np.argsort(-traps, kind="stable"):
                if on[j]:
                    distortions.append(
                        Distortion(
                            trap=TRAPS[j],
                            probability=r4(traps[j]),
                            cues=find_cues(text, TRAPS[j])[:5],
                            terms=lexical.top_terms(text, int(j)) if lexical else [],
                        )
                    )
        return Analysis(
            emotions={e: r4(p) for e, p in zip(EMOTIONS, emo, strict=True)},
            detected_emotions=[EMOTIONS[j] for j in np.argsort(-emo, kind="stable") if emo_on[j]],
            ekman={g: r4(p) for g, p in zip(EKMAN, ekm, strict=True)},
            detected_ekman=[EKMAN[j] for j in np.argsort(-ekm, kind="stable") if ekm_on[j]],
            sentiment=sentiment_of(emo, emo_on),
            stress=Stress(
                probability=r4(stress),
                stressed=stress >= stress_threshold,
                threshold=r4(stress_threshold),
            ),
            distorted=is_distorted,
            distorted_probability=r4(distorted_p),
            distortions=distortions,
            trap_scores=trap_scores,
            model_version=self.version,
        )

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Standard all-MiniLM-L6-v2 sentence embeddings (L2-normalised)."""
        return sentence_embedding(self.encoder.features([str(t) for t in texts]))

    def themes(
        self, entries: Sequence[tuple[datetime | date, str]], max_themes: int = 8, seed: int = 0
    ) -> ThemeReport:
        when = [w for w, _ in entries]
        texts = [t for _, t in entries]
        return build_report(when, texts, self.embed(texts), max_themes=max_themes, seed=seed)

    def describe(self) -> dict[str, Any]:
        """Model cards' key facts, for an "about these models" page."""
        cards: list[Predictor | EkmanGrouping] = [self.emotions, self.ekman, self.stress]
        if self.traps is not None and self.distorted is not None:
            cards += [self.traps, self.distorted]
        return {
            p.name: {k: p.card.get(k) for k in ("version", "licence", "metrics")} for p in cards
        }


_HEADS_LOCK = threading.Lock()


@functools.cache
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


_analyzer: Analyzer | None = None
_analyzer_lock = threading.Lock()


def get_analyzer() -> Analyzer:
    """The process-wide analyser, built on first use."""
    global _analyzer
    if _analyzer is None:
        with _analyzer_lock:
            if _analyzer is None:
                _analyzer = Analyzer()
    return _analyzer


def ready_analyzer() -> Analyzer | None:
    """The analyser if it is already loaded, else None: for callers that must not wait for
    the models (a chat turn), which then answer without them."""
    return _analyzer


def analyze(text: str, distortions: bool = True) -> Analysis:
    """Emotions (28 + Ekman), sentiment, stress and thinking traps of one screened text."""
    return get_analyzer().analyze(text, distortions=distortions)


def analyze_batch(texts: Sequence[str], distortions: bool = True) -> list[Analysis]:
    """The same for many texts at once (one encoder pass: much faster per text)."""
    return get_analyzer().analyze_batch(texts, distortions=distortions)


def themes(entries: Sequence[tuple[datetime | date, str]]) -> ThemeReport:
    """Themes across one client's dated entries, with weekly counts and trends."""
    return get_analyzer().themes(entries)
