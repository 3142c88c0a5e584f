"""Theme clustering, c-TF-IDF labels and weekly counts (pure: synthetic embeddings)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

from mindbridge.language.theme_report import build_report, ctfidf_keywords, week_of


def _synthetic() -> tuple[list[datetime], list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    work = ["deadline at work again", "my manager moved the deadline", "work deadline stress"]
    sleep = ["could not sleep last night", "sleep was broken again", "awake at 3am no sleep"]
    start = datetime(2026, 1, 5, 9, 0)  # a Monday
    when, texts, vecs = [], [], []
    centres = {"work": np.eye(8)[0], "sleep": np.eye(8)[1]}
    # work entries fade over four weeks while sleep entries grow
    plan = {0: (4, 0), 1: (3, 1), 2: (1, 3), 3: (0, 4)}
    for week, (n_work, n_sleep) in plan.items():
        for i in range(n_work):
            when.append(start + timedelta(days=7 * week + i))
            texts.append(work[i % 3])
            vecs.append(centres["work"] + 0.05 * rng.standard_normal(8))
        for i in range(n_sleep):
            when.append(start + timedelta(days=7 * week + i, hours=12))
            texts.append(sleep[i % 3])
            vecs.append(centres["sleep"] + 0.05 * rng.standard_normal(8))
    emb = np.asarray(vecs, dtype=np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return when, texts, emb


def test_week_of_is_monday() -> None:
    assert week_of(datetime(2026, 1, 11, 23, 0)) == date(2026, 1, 5)
    assert week_of(date(2026, 1, 5)) == date(2026, 1, 5)


def test_themes_have_readable_labels_and_weekly_counts() -> None:
    when, texts, emb = _synthetic()
    report = build_report(when, texts, emb)
    assert len(report.themes) == 2
    assert report.weeks == ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]
    by_word = {("deadline" in t.label or "work" in t.label): t for t in report.themes}
    work, sleep = by_word[True], by_word[False]
    assert "sleep" in sleep.label
    assert list(work.weekly.values()) == [4, 3, 1, 0]
    assert list(sleep.weekly.values()) == [0, 1, 3, 4]
    assert work.trend == "falling" and sleep.trend == "rising"
    assert sum(t.size for t in report.themes) == len(texts) == len(report.assignments)
    assert all(report.assignments[i] == work.theme_id for i in work.examples)
    report.to_json()  # serialisable


def test_few_entries_give_one_theme() -> None:
    when = [datetime(2026, 1, 5), datetime(2026, 1, 20)]
    emb = np.eye(2, dtype=np.float32)
    report = build_report(when, ["walked the dog", "walked the dog again"], emb)
    assert len(report.themes) == 1
    assert report.themes[0].weekly == {"2026-01-05": 1, "2026-01-12": 0, "2026-01-19": 1}
    assert build_report([], [], np.zeros((0, 2), dtype=np.float32)).themes == []


def test_ctfidf_prefers_words_distinctive_to_a_cluster() -> None:
    texts = ["exam exam revision", "exam revision tonight", "garden roses", "garden weeds roses"]
    words = ctfidf_keywords(texts, np.array([0, 0, 1, 1]))
    assert words[0][0] in {"exam", "exam revision"}
    assert any("garden" in w or "roses" in w for w in words[1][:2])
