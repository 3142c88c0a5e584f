"""Training is reproducible and writes an artefact the run-time scorer can load."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from mindbridge.safety import train
from mindbridge.safety.datasets import read_sdcnl, sdcnl_split, team_cases
from mindbridge.safety.model import load, ngrams
from mindbridge.safety.normalise import normalise


@pytest.mark.slow
def test_training_writes_a_loadable_artefact(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same code path as the real run, on less data and fewer folds to stay fast
    monkeypatch.setattr(train, "FOLDS", 3)
    monkeypatch.setattr(train, "team_cases", lambda: team_cases()[::3])
    source = read_sdcnl(shared_data / "sdcnl" / "train.csv")
    sample = tmp_path / "sample.csv"
    with sample.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "selftext", "is_suicide"])
        for row in source[:100]:
            title, _, body = row.text.partition("\n")
            writer.writerow([title, body, row.label])
    meta = train.train(sample, tmp_path / "model")
    model = load(tmp_path / "model")
    assert 0 <= model.probability("i want to die") <= 1
    assert meta == json.loads((tmp_path / "model" / "risk_model.json").read_text())
    assert meta["data"]["split"]["train_rows"] == len(
        sdcnl_split([r.label for r in source[:100]])[0]
    )
    assert meta["thresholds"]["chat"]["elevated"] >= 0.5


def test_fitting_is_deterministic() -> None:
    cases = team_cases()[::3]
    feats = [ngrams(normalise(c.text)) for c in cases]
    labels = [c.label for c in cases]
    a = train.fit(feats, labels, [1.0] * len(cases))
    b = train.fit(feats, labels, [1.0] * len(cases))
    assert a.vocab == b.vocab and a.intercept == b.intercept
    assert all((a.coef[k] == b.coef[k]).all() for k in a.coef)


def test_main_refuses_a_missing_file(tmp_path: Path) -> None:
    assert train.main(["--data", str(tmp_path / "missing.csv"), "--out", str(tmp_path)]) == 2


@pytest.mark.slow
def test_encoder_stage_training_writes_a_loadable_artefact(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mindbridge.safety import encoder_stage, train_encoder

    monkeypatch.setenv("MINDBRIDGE_LANGUAGE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(train, "FOLDS", 3)
    monkeypatch.setattr(train_encoder, "FOLDS", 3)
    monkeypatch.setattr(train, "team_cases", lambda: team_cases()[::3])
    source = read_sdcnl(shared_data / "sdcnl" / "train.csv")
    sample = tmp_path / "sample.csv"
    with sample.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "selftext", "is_suicide"])
        for row in source[:80]:
            title, _, body = row.text.partition("\n")
            writer.writerow([title, body, row.label])
    out = tmp_path / "model"
    _, oof = train.train_with_oof(sample, out)
    meta = train_encoder.train(sample, out, oof)
    assert list((tmp_path / "cache").iterdir())  # features were cached outside the repository
    stage = encoder_stage.load(out)
    assert stage.version == meta["version"]
    assert meta == json.loads((out / "risk_encoder.json").read_text())
    views = np.zeros((8, 384), dtype=np.float32)
    assert 0.0 <= stage.combine(0.5, views).probability <= 1.0
    with pytest.raises(ValueError, match="one lexical probability per training row"):
        train_encoder.train(sample, out, oof[:-1])


def test_main_refuses_a_missing_file_for_every_stage(tmp_path: Path) -> None:
    for stage in ("lexical", "encoder", "all"):
        args = ["--data", str(tmp_path / "missing.csv"), "--out", str(tmp_path), "--stage", stage]
        assert train.main(args) == 2
    with pytest.raises(SystemExit):
        train.main(["--stage", "everything"])
