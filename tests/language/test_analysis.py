"""The analyser end to end, on the shipped artefacts, offline."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mindbridge.language.analyzer import MODELS_DIR, Analyzer
from mindbridge.language.domain import Analysis
from mindbridge.language.predictor import EKMAN_MEMBERS, noisy_or
from mindbridge.language.taxonomy import EKMAN, EKMAN_OF, EMOTIONS, NEGATIVE, POSITIVE, TRAPS

STRESSED = (
    "I have three deadlines tomorrow, my landlord is threatening eviction and I haven't "
    "slept properly in a week. I'm panicking and I can't keep up with any of it."
)
CALM = "Spent a quiet Sunday reading in the garden with a cup of tea. Lovely weather."


def test_artefacts_are_small_and_pickle_free() -> None:
    files = sorted(MODELS_DIR.glob("*"))
    names = {f.name for f in files}
    for required in (
        "emotions.npz",
        "emotions.json",
        "ekman.json",
        "stress.npz",
        "stress.json",
        "distortions.npz",
        "distortions.json",
    ):
        assert required in names
    assert sum(f.stat().st_size for f in files) < 50 * 1024 * 1024
    for npz in MODELS_DIR.glob("*.npz"):
        with np.load(npz, allow_pickle=False) as data:  # raises on object arrays
            assert all(data[k].dtype != object for k in data.files)
    card = json.loads((MODELS_DIR / "distortions.json").read_text())
    assert card["non_commercial"] is True and "NC-ND" in card["licence"]


def test_loads_offline(analyzer: Analyzer) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert analyzer.traps is not None


def test_analysis_shape_and_ranges(analyzer: Analyzer) -> None:
    result = analyzer.analyze("Thank you so much, this made my day!")
    assert list(result.emotions) == list(EMOTIONS)
    assert list(result.ekman) == list(EKMAN)
    assert list(result.trap_scores) == list(TRAPS)
    values = [*result.emotions.values(), *result.ekman.values(), *result.trap_scores.values()]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert 0.0 <= result.stress.probability <= 1.0
    assert -1.0 <= result.sentiment.score <= 1.0
    assert "gratitude" in result.detected_emotions
    assert result.sentiment.label == "positive"
    round_trip = Analysis.from_dict(json.loads(result.to_json()))
    assert round_trip == result


def test_ekman_grouping_is_consistent_with_the_28_labels(analyzer: Analyzer) -> None:
    for result in analyzer.analyze_batch(["I'm furious about this", "What a lovely surprise!"]):
        fine = np.array([result.emotions[e] for e in EMOTIONS])
        for g, group in enumerate(EKMAN):
            members = [result.emotions[e] for e in EMOTIONS if EKMAN_OF[e] == group]
            assert result.ekman[group] >= max(members) - 1e-4
            assert np.isclose(
                result.ekman[group], noisy_or(fine[None, :], EKMAN_MEMBERS[g])[0], atol=2e-3
            )


def test_stress_higher_for_stressed_text(analyzer: Analyzer) -> None:
    stressed, calm = analyzer.analyze_batch([STRESSED, CALM])
    assert stressed.stress.probability > calm.stress.probability + 0.3
    assert stressed.stress.stressed and not calm.stress.stressed
    assert stressed.sentiment.score < calm.sentiment.score


def test_distortion_detected_with_its_words(analyzer: Analyzer) -> None:
    result = analyzer.analyze("I should have known better. I always ruin everything.")
    traps = {d.trap: d for d in result.distortions}
    assert result.distorted
    assert "Should statements" in traps
    assert "should" in traps["Should statements"].cues
    assert any("should" in t for t in traps["Should statements"].terms)


def test_batch_equals_single(analyzer: Analyzer) -> None:
    texts = ["short", STRESSED, CALM]
    batch = analyzer.analyze_batch(texts)
    for text, result in zip(texts, batch, strict=True):
        single = analyzer.analyze(text)
        assert single.emotions == pytest.approx(result.emotions, abs=2e-3)
        assert single.stress.probability == pytest.approx(result.stress.probability, abs=2e-3)


def test_thread_safe(analyzer: Analyzer) -> None:
    expected = analyzer.analyze(CALM).stress.probability
    seen: list[float] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            seen.append(analyzer.analyze(CALM).stress.probability)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and seen == [expected] * 4


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_never_crashes_and_is_deterministic(analyzer: Analyzer, text: str) -> None:
    first = analyzer.analyze(text)
    assert first.to_json() == analyzer.analyze(text).to_json()
    assert all(0.0 <= v <= 1.0 for v in first.emotions.values())


def test_distortions_can_be_switched_off(analyzer: Analyzer) -> None:
    off = Analyzer(encoder=analyzer.encoder, distortions=False)
    result = off.analyze("I should have known better")
    assert result.distortions == [] and result.trap_scores == {} and not result.distorted
    assert off.describe().keys() == {"emotions", "ekman", "stress"}
    per_call = analyzer.analyze("I should have known better", distortions=False)
    assert per_call.distortions == [] and per_call.trap_scores == {}
    assert analyzer.analyze("I should have known better").trap_scores


def test_sentiment_follows_detected_emotions(analyzer: Analyzer) -> None:
    for result in analyzer.analyze_batch([STRESSED, CALM, "Thanks, that was kind of you"]):
        s = result.sentiment
        assert s.score == pytest.approx(s.positive - s.negative, abs=2e-4)
        has_pos = any(e in POSITIVE for e in result.detected_emotions)
        has_neg = any(e in NEGATIVE for e in result.detected_emotions)
        expected = {(True, True): "mixed", (True, False): "positive"}.get(
            (has_pos, has_neg), "negative" if has_neg else "neutral"
        )
        assert s.label == expected


def test_themes_end_to_end(analyzer: Analyzer) -> None:
    start = datetime(2026, 3, 2, 8, 0)
    entries = []
    for week in range(3):
        for i in range(3 - week):
            entries.append(
                (
                    start + timedelta(days=7 * week + i),
                    f"Work deadline pressure, the project is late again ({i})",
                )
            )
        for i in range(week + 1):
            entries.append(
                (
                    start + timedelta(days=7 * week + i, hours=3),
                    f"Went running in the park with my sister ({i})",
                )
            )
    report = analyzer.themes(entries)
    assert 2 <= len(report.themes) <= 4
    assert report.weeks == ["2026-03-02", "2026-03-09", "2026-03-16"]
    labels = " | ".join(t.label for t in report.themes)
    assert ("deadline" in labels or "work" in labels) and ("park" in labels or "running" in labels)
    assert sum(sum(t.weekly.values()) for t in report.themes) == len(entries)


def test_models_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mindbridge.language import analyzer as module

    monkeypatch.setenv("MINDBRIDGE_LANGUAGE_MODELS", str(tmp_path))
    assert module.artefact_folder("distortions") == MODELS_DIR  # nothing there: shipped one
    (tmp_path / "distortions.npz").write_bytes(b"")
    assert module.artefact_folder("distortions") == tmp_path


def test_encoder_reproduces_sentence_transformers(analyzer: Analyzer) -> None:
    """We run MiniLM through transformers directly (less memory); the embedding must equal
    the sentence-transformers pipeline shipped in the wheel."""
    from sentence_transformers import SentenceTransformer

    from mindbridge.language.encoder import sentence_embedding

    texts = ["short", CALM, STRESSED * 4]
    reference = SentenceTransformer(str(analyzer.encoder.path), device="cpu").encode(
        texts, convert_to_numpy=True, normalize_embeddings=True
    )
    ours = sentence_embedding(analyzer.encoder.features(texts))
    assert np.abs(ours - reference).max() < 1e-4


def test_package_import_is_light_and_api_is_callable() -> None:
    import subprocess
    import sys

    code = (
        "import sys, mindbridge.language as L; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules; "
        "assert callable(L.analyze) and callable(L.themes) and callable(L.analyze_batch)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_package_api_matches_analyzer(analyzer: Analyzer) -> None:
    import mindbridge.language as language

    assert language.analyze(CALM) == analyzer.analyze(CALM)
    report = language.themes([(datetime(2026, 1, 5), CALM), (datetime(2026, 1, 6), STRESSED)])
    assert report.weeks == ["2026-01-05"] and len(report.assignments) == 2


def test_encoder_weights_are_the_ones_the_heads_were_trained_on(analyzer: Analyzer) -> None:
    import hashlib

    from mindbridge.language.encoder import WEIGHTS_SHA256

    digest = hashlib.sha256((analyzer.encoder.path / "model.safetensors").read_bytes())
    assert digest.hexdigest() == WEIGHTS_SHA256
