"""How fast the daily pipeline runs for many clients: features, baselines, scores, alerts.

Synthetic daily inputs (a phone and a watch: sleep timing, steps, heart rate, HRV, screen
time; plus check-ins, app use and a fortnightly PHQ-9, with missing days) are generated per
chunk of clients, so memory stays bounded whatever the cohort size. Generation is timed
apart from the pipeline. Baselines are refreshed weekly here (`refresh=7`), as a nightly
backfill would; one client's daily run recomputes a single window instead.
"""

from __future__ import annotations

import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from mindbridge.signals.alerts import AlertPolicy, alert_days
from mindbridge.signals.daily import DailyInputs
from mindbridge.signals.detector import DetectorConfig, assess
from mindbridge.signals.explain import explain
from mindbridge.signals.features import compute_features
from mindbridge.signals.records import FloatArray

START = date(2024, 1, 1)


def synthetic_daily(clients: int, days: int, seed: int) -> DailyInputs:
    """Plausible daily inputs for `clients` people, with missing days and sync outages."""
    rng = np.random.default_rng(seed)
    shape = (clients, days)

    def person(lo: float, hi: float) -> FloatArray:
        return rng.uniform(lo, hi, (clients, 1))

    sleep = rng.normal(person(380, 480), person(30, 70), shape)
    onset = rng.normal(person(-1.5, 1.0), person(0.3, 0.8), shape)
    values = {
        "sleep_minutes": np.clip(sleep, 60, 900),
        "sleep_onset_h": onset,
        "sleep_midpoint_h": onset + sleep / 120,
        "wake_h": onset + sleep / 60 + rng.exponential(0.3, shape),
        "steps": rng.lognormal(np.log(person(3000, 12000)), person(0.2, 0.5), shape),
        "resting_hr": rng.normal(person(52, 75), person(1.5, 3.5), shape),
        "hrv_sdnn": rng.normal(person(30, 70), person(4, 10), shape),
        "screen_minutes": rng.lognormal(np.log(person(90, 300)), 0.3, shape),
        "mood": np.clip(np.round(rng.normal(person(5, 8), person(0.6, 1.2), shape)), 0, 10),
        "checkin": (rng.random(shape) < person(0.5, 0.95)).astype(np.float64),
        "app_minutes": rng.lognormal(np.log(person(3, 15)), 0.5, shape),
        "phq9": np.full(shape, np.nan),
    }
    values["mood"][values["checkin"] == 0] = np.nan
    values["phq9"][:, ::14] = np.clip(
        np.round(rng.normal(person(2, 12), 2, (clients, len(range(0, days, 14))))), 0, 27
    )
    outage = rng.random(shape) < 0.05
    outage |= np.roll(outage, 1, axis=1) & (rng.random(shape) < 0.6)  # outages last a few days
    complete = {}
    for source, names in {
        "sleep": ("sleep_minutes", "sleep_onset_h", "sleep_midpoint_h", "wake_h"),
        "steps": ("steps",),
        "heart_rate": ("resting_hr",),
        "hrv_sdnn": ("hrv_sdnn",),
        "screen_time": ("screen_minutes",),
    }.items():
        c = np.where(outage | (rng.random(shape) < 0.03), 0.0, rng.uniform(0.7, 1.0, shape))
        complete[source] = c
        for name in names:
            values[name][c == 0] = np.nan
    return DailyInputs(START, values, complete)


@dataclass(frozen=True)
class ChunkResult:
    clients: int
    generate_s: float
    features_s: float
    scores_s: float
    alerts: int
    explained: int


def run_chunk(
    clients: int, days: int, seed: int, config: DetectorConfig, policy: AlertPolicy
) -> ChunkResult:
    t0 = time.perf_counter()
    inputs = synthetic_daily(clients, days, seed)
    t1 = time.perf_counter()
    features = compute_features(inputs)
    t2 = time.perf_counter()
    assessment = assess(features, config)
    fired = alert_days(assessment.score, policy)
    today = days - 1
    explained = [
        explain(assessment, int(i), today, inputs=inputs) for i in np.flatnonzero(fired[:, today])
    ]
    t3 = time.perf_counter()
    return ChunkResult(clients, t1 - t0, t2 - t1, t3 - t2, int(fired.sum()), len(explained))


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0  # Linux reports kilobytes


def run(
    clients: int,
    days: int,
    *,
    seed: int = 0,
    chunk: int = 2048,
    workers: int = 1,
    config: DetectorConfig | None = None,
    policy: AlertPolicy | None = None,
) -> dict[str, object]:
    """Time the pipeline over `clients` x `days`; chunks run in `workers` processes."""
    base = config or DetectorConfig()
    cfg = replace(base, baseline=replace(base.baseline, refresh=7))
    pol = policy or AlertPolicy()
    sizes = [min(chunk, clients - s) for s in range(0, clients, chunk)]
    seeds = [seed * 100_003 + i for i in range(len(sizes))]
    start_rss = _peak_rss_mb()
    t0 = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(
                pool.map(
                    run_chunk,
                    sizes,
                    [days] * len(sizes),
                    seeds,
                    [cfg] * len(sizes),
                    [pol] * len(sizes),
                )
            )
    else:
        parts = [run_chunk(n, days, s, cfg, pol) for n, s in zip(sizes, seeds, strict=True)]
    wall = time.perf_counter() - t0
    generate = sum(p.generate_s for p in parts)
    pipeline = sum(p.features_s + p.scores_s for p in parts)
    return {
        "clients": clients,
        "days": days,
        "client_days": clients * days,
        "workers": workers,
        "chunk": chunk,
        "cpus": os.cpu_count(),
        "wall_s": round(wall, 2),
        "pipeline_cpu_s": round(pipeline, 2),
        "generate_cpu_s": round(generate, 2),
        "features_cpu_s": round(sum(p.features_s for p in parts), 2),
        "scores_cpu_s": round(sum(p.scores_s for p in parts), 2),
        "pipeline_wall_s_est": round(wall * pipeline / max(pipeline + generate, 1e-9), 2),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "rss_before_mb": round(start_rss, 1),
        "alerts": sum(p.alerts for p in parts),
        "explained_today": sum(p.explained for p in parts),
        "baseline_refresh_days": cfg.baseline.refresh,
    }
