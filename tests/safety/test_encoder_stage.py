"""The long-text encoder stage: when it runs, its fallback, its artefact, and that chat
screening never pays for it (no torch import)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.safety import encoder_stage, train_encoder
from mindbridge.safety.encoder_stage import STAGE_NAME, EncoderStage, Stacked, runs_for
from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.model import LONG_TOKENS, Thresholds, model_dir
from mindbridge.safety.screening import screen

SHORT = "I want to kill myself tonight"
LONG = (
    "I have been feeling so empty for months now and nothing I do seems to help. "
    "Work is a blur, I barely talk to anyone, and at night I lie awake thinking that "
    "everyone would be better off without me. I do not know who to tell or what to say."
)


class FakeStage:
    """Stands in for the loaded head: records calls, returns a fixed stacked figure."""

    def __init__(self, probability: float) -> None:
        self.calls: list[str] = []
        self.probability = probability
        self.version = "fake-stage"
        self.thresholds = Thresholds(0.5, 0.35)

    def score(self, text: str, lexical: float) -> tuple[Stacked, FakeStage]:
        self.calls.append(text)
        return Stacked(self.probability, lexical, self.probability), self


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeStage:
    stage = FakeStage(0.9)
    monkeypatch.setattr(encoder_stage, "score", stage.score)
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "on")
    return stage


def test_the_stage_is_off_unless_turned_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(encoder_stage.ENV_SWITCH, raising=False)
    assert not runs_for(10_000)  # it lost recall on held-out data: a deployment opts in


def test_the_rule_is_long_texts_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "on")
    assert not runs_for(LONG_TOKENS)
    assert runs_for(LONG_TOKENS + 1)
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "off")
    assert not runs_for(10_000)


def test_chat_messages_never_reach_the_stage(fake: FakeStage) -> None:
    result = screen(SHORT)
    assert fake.calls == []
    assert "+" not in result.model_version


def test_long_texts_use_the_stacked_probability(fake: FakeStage) -> None:
    result = screen(LONG)
    assert fake.calls == [LONG]
    assert result.model_probability == pytest.approx(0.9)
    assert result.model_version.endswith("+fake-stage")
    model = [e for e in result.evidence if e.source == "model"]
    assert "encoder 0.900" in model[0].detail


def test_encoder_false_and_the_switch_skip_the_stage(
    fake: FakeStage, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen(LONG, encoder=False)
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "off")
    screen(LONG)
    assert fake.calls == []


def test_fallback_when_the_encoder_cannot_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "on")
    runner = encoder_stage._Runner()
    monkeypatch.setattr(encoder_stage, "runner", runner)
    attempts: list[int] = []

    def broken() -> None:
        attempts.append(1)
        raise ImportError("No module named 'torch'")

    import mindbridge.language.encoder as language_encoder

    monkeypatch.setattr(language_encoder, "get_encoder", broken)
    lexical_only = screen(LONG, encoder=False)
    first = screen(LONG)
    second = screen(LONG)
    assert attempts == [1]  # a broken install costs one attempt, not one per text
    assert runner.failure is not None and "torch" in runner.failure
    for result in (first, second):
        assert result.level is lexical_only.level
        assert result.score == lexical_only.score
        assert result.model_version == lexical_only.model_version
        assert any(
            e.rule == STAGE_NAME and "lexical model only" in e.detail for e in result.evidence
        )


def test_a_failed_forward_pass_falls_back_for_that_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "on")
    monkeypatch.setattr(encoder_stage, "runner", encoder_stage._Runner())

    class Failing:
        def features(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("out of memory")

    import mindbridge.language.encoder as language_encoder

    monkeypatch.setattr(language_encoder, "get_encoder", Failing)
    result = screen(LONG)
    assert result.model_version == screen(LONG, encoder=False).model_version
    assert encoder_stage.runner.failure is None  # the next text tries again


def test_the_crisis_level_never_drops_below_the_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    stage = FakeStage(0.0)
    monkeypatch.setattr(encoder_stage, "score", stage.score)
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "on")
    text = LONG + " I have the pills saved up and I am going to take them all tonight."
    assert screen(text).level is RiskLevel.IMMINENT
    assert stage.calls


def test_import_and_chat_screening_do_not_import_torch() -> None:
    code = (
        "import sys; import mindbridge.safety, mindbridge.safety.screening, "
        "mindbridge.safety.encoder_stage, mindbridge.safety.cli; "
        "print(int('torch' in sys.modules), int('numpy' in sys.modules)); "
        "from mindbridge.safety.screening import screen; "
        "r = screen('I want to end it all tonight', context=['nobody would miss me']); "
        "print(int('torch' in sys.modules), int('transformers' in sys.modules), r.level)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.split("\n")
    assert lines[0].split() == ["0", "0"]
    assert lines[1].split()[:2] == ["0", "0"]


def test_shipped_artefact_is_small_plain_and_consistent() -> None:
    npz = model_dir() / f"{STAGE_NAME}.npz"
    assert npz.stat().st_size < 200_000
    with np.load(npz, allow_pickle=False) as arrays:
        assert set(arrays) == {"mean", "scale", "coef", "intercept"}
        width = len(train_encoder.VIEWS) * 384
        assert arrays["coef"].shape == arrays["mean"].shape == arrays["scale"].shape == (width,)
    meta = json.loads((model_dir() / f"{STAGE_NAME}.json").read_text())
    assert meta["features"]["views"] == list(train_encoder.VIEWS)
    assert meta["data"]["split"]["seed"] == 13
    assert "python -m mindbridge.safety.train" in meta["command"]
    assert 0 < meta["thresholds"]["low"] <= meta["thresholds"]["elevated"] <= 0.5
    from mindbridge.language.encoder import FEATURE_VERSION, WEIGHTS_SHA256

    assert meta["features"]["encoder_weights_sha256"] == WEIGHTS_SHA256
    assert meta["features"]["feature_version"] == FEATURE_VERSION
    stage = encoder_stage.load()
    assert stage.version == meta["version"]


@settings(max_examples=50, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(0, 2**32 - 1), st.floats(0.0, 100.0))
def test_stacked_probability_is_a_probability(lexical: float, seed: int, spread: float) -> None:
    views = np.random.default_rng(seed).normal(0, spread, (8, 384)).astype(np.float32)
    out = encoder_stage.shipped().combine(lexical, views)
    assert 0.0 <= out.probability <= 1.0 and 0.0 <= out.encoder <= 1.0


def test_run_time_head_matches_the_training_computation() -> None:
    stage = encoder_stage.shipped()
    rng = np.random.default_rng(0)
    views = rng.normal(0, 0.3, (4, 8, 384)).astype(np.float16).astype(np.float32)
    head = train_encoder.Head(stage.mean, stage.scale, stage.coef, stage.intercept)
    expected = train_encoder.head_logit(head, train_encoder.features(views))
    got = [stage.encoder_logit(v) for v in views]
    assert np.allclose(got, expected, atol=1e-4)
    lexical = [0.1, 0.4, 0.6, 0.95]
    combined = train_encoder.stacked(
        {
            "lexical_logit": stage.w_lexical,
            "encoder_logit": stage.w_encoder,
            "intercept": stage.w_bias,
        },
        train_encoder.logits(lexical),
        expected,
    )
    assert np.allclose(
        [stage.combine(p, v).probability for p, v in zip(lexical, views, strict=True)], combined
    )


def test_head_fitting_is_deterministic() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, len(train_encoder.VIEWS) * 384)).astype(np.float32)
    y = (x[:, 0] + rng.normal(size=60) > 0).astype(np.int64)
    a, b = train_encoder.fit_head(x, y), train_encoder.fit_head(x, y)
    assert (a.coef == b.coef).all() and a.intercept == b.intercept


def test_recall_keeping_cut() -> None:
    old = np.array([0.9, 0.6, 0.55, 0.4, 0.2])
    new = np.array([0.95, 0.7, 0.45, 0.44, 0.1])
    cut = train_encoder.recall_keeping_cut(new, old, 0.5)
    assert (new >= cut).sum() >= (old >= 0.5).sum() == 3
    assert cut == pytest.approx(0.45, abs=1e-6)
    assert train_encoder.recall_keeping_cut(np.array([0.99]), np.array([0.9]), 0.5) == 0.5


@pytest.mark.slow
def test_the_real_encoder_scores_a_long_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "on")
    result = screen(LONG)
    assert result.model_version.endswith("+" + encoder_stage.shipped().version)
    assert result.needs_crisis_response  # "everyone would be better off without me"
    lexical = screen(LONG, encoder=False)
    assert result.model_probability != lexical.model_probability


def test_warm_up_respects_the_switch_and_reports_the_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "off")
    assert encoder_stage.warm_up() is False
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "on")
    monkeypatch.setattr(encoder_stage, "runner", encoder_stage._Runner())

    def broken() -> None:
        raise OSError("weights missing")

    import mindbridge.language.encoder as language_encoder

    monkeypatch.setattr(language_encoder, "get_encoder", broken)
    assert encoder_stage.warm_up() is False


@pytest.mark.slow
def test_warm_up_loads_the_real_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "on")
    assert encoder_stage.warm_up() is True


def test_eval_risk_output_keys_are_unchanged(fake: FakeStage, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mindbridge.cli import app

    data = tmp_path / "mixed.jsonl"
    rows = [{"text": LONG, "label": 1}, {"text": "had a nice walk", "label": 0}]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = CliRunner().invoke(app, ["eval", "risk", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == {
        "n", "recall", "precision", "f1", "roc_auc", "fpr", "tp", "fp", "tn", "fn",
        "confusion", "p50_ms", "p99_ms", "positive",
    }  # fmt: skip
    assert fake.calls == [LONG]  # the long text went through the stage, the short one not
    assert figures["tp"] == 1 and figures["fp"] == 0


def test_fallback_when_the_head_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(encoder_stage.ENV_SWITCH, "on")

    def unreadable() -> EncoderStage:
        raise OSError("risk_encoder.npz: no such file")

    monkeypatch.setattr(encoder_stage, "shipped", unreadable)
    result = screen(LONG)
    assert result.model_version == screen(LONG, encoder=False).model_version
    assert any(e.rule == STAGE_NAME for e in result.evidence)
