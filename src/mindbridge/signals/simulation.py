"""A semi-synthetic cohort for the early-warning benchmark.

Passive data is real: each client's minute-level actigraphy is built from noon-to-noon
blocks (a whole night each) of one Depresjon control subject, sampled in random order.
Mood check-ins, check-in adherence, app use and PHQ-9 are generated per person (own mean,
spread and day-to-day persistence). Then, for about half the clients, a deterioration
episode is injected from a random onset to the end of the record: abrupt or gradual (a
7-21 day ramp), of random size, touching a random subset (two or more) of activity (fewer
waking counts), sleep (later and shorter sleep, or later waking and longer sleep), mood
(lower check-in mood, higher PHQ-9) and engagement (fewer check-ins, less app use). The
sleep and activity changes are made on the minute data, so they pass through the same
sleep scoring and feature code as real data.

Everyone also has ordinary life: bad spells of 1-3 days about once a month (short nights,
an inactive day, low mood, skipped check-ins) that should not raise alerts, and missing
data: whole missing days, partial days, and multi-day sync outages (all passive data lost
while check-ins continue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from mindbridge.signals import circadian
from mindbridge.signals.actigraphy_eval import subject_grid
from mindbridge.signals.daily import DailyInputs, actigraphy_inputs
from mindbridge.signals.records import FloatArray

DOMAINS = ("activity", "sleep", "mood", "engagement")
START = date(2024, 1, 1)


@dataclass(frozen=True)
class Episode:
    """A deterioration from `start` to the end of the record.

    `onset` is the day the change reaches half its eventual size: the step day of an abrupt
    episode, the middle of a gradual one's ramp (the way an episode is dated clinically, when
    it becomes apparent, not at its first imperceptible change).
    """

    start: int
    ramp_days: int  # 0 = abrupt
    size: float  # 0.5 (moderate) .. 1.0 (marked)
    domains: tuple[str, ...]
    sleep_kind: str  # "short": later, shorter sleep; "long": later waking, longer sleep

    @property
    def onset(self) -> int:
        return self.start + self.ramp_days // 2

    @property
    def shape(self) -> str:
        return "abrupt" if self.ramp_days == 0 else "gradual"

    def ramp(self, days: int) -> FloatArray:
        """0 before start, rising to 1 (at once, or linearly over ramp_days)."""
        t = np.arange(days) - self.start
        if self.ramp_days == 0:
            return (t >= 0).astype(np.float64)
        return np.clip((t + 1) / self.ramp_days, 0.0, 1.0)


@dataclass(frozen=True)
class SimConfig:
    days: int = 150
    episode_share: float = 0.5
    onset_range: tuple[int, int] = (70, 125)
    burn_in: int = 42  # days before anyone can be judged (28-day baseline + 7-day gap + slack)
    size_range: tuple[float, float] = (0.5, 1.0)
    dips_per_day: float = 1 / 30
    missing_day_rate: tuple[float, float] = (0.02, 0.08)
    partial_day_rate: float = 0.05
    outages_per_day: float = 1 / 60
    outage_days: tuple[int, int] = (2, 7)


@dataclass
class Cohort:
    inputs: DailyInputs
    episodes: list[Episode | None]
    subjects: list[str]
    config: SimConfig = field(default_factory=SimConfig)


@dataclass(frozen=True)
class Donor:
    """One control subject's usable nights: noon-to-noon minute blocks and their main sleep."""

    name: str
    blocks: FloatArray  # (nights, 1440)
    sleep_start: np.ndarray  # type: ignore[type-arg]
    sleep_end: np.ndarray  # type: ignore[type-arg]


def load_donors(data_dir: Path, tz: str = "Europe/Oslo", min_nights: int = 5) -> list[Donor]:
    """Control subjects' worn noon-to-noon blocks (each holds a whole night)."""
    donors = []
    for path in sorted((data_dir / "control").glob("*.csv")):
        grid = circadian.clean(subject_grid(path, tz))
        flat = grid.ravel()
        half = circadian.MINUTES // 2
        n = (len(flat) - half) // circadian.MINUTES
        blocks = flat[half : half + n * circadian.MINUTES].reshape(n, circadian.MINUTES)
        good = np.isnan(blocks).mean(axis=1) <= 0.02
        blocks = blocks[good]
        if len(blocks) < min_nights:
            continue
        blocks = np.where(np.isnan(blocks), 0.0, blocks)
        main = circadian.main_sleep(blocks)
        ok = main.found
        donors.append(Donor(path.stem, blocks[ok], main.start[ok], (main.start + main.length)[ok]))
    if not donors:
        raise FileNotFoundError(f"no usable control recordings under {data_dir / 'control'}")
    return donors


def _episode(rng: np.random.Generator, cfg: SimConfig) -> Episode:
    k = int(rng.integers(2, len(DOMAINS) + 1))
    domains = tuple(sorted(rng.choice(DOMAINS, size=k, replace=False).tolist()))
    ramp = 0 if rng.random() < 0.5 else int(rng.integers(7, 22))
    onset = int(rng.integers(cfg.onset_range[0], cfg.onset_range[1] + 1))
    return Episode(
        start=onset - ramp // 2,
        ramp_days=ramp,
        size=float(rng.uniform(*cfg.size_range)),
        domains=domains,
        sleep_kind="short" if rng.random() < 0.65 else "long",
    )


def _dips(rng: np.random.Generator, cfg: SimConfig) -> dict[str, list[tuple[int, int]]]:
    """Ordinary bad spells: (first day, length) per kind, about `dips_per_day` spells a day."""
    out: dict[str, list[tuple[int, int]]] = {}
    for day in np.flatnonzero(rng.random(cfg.days) < cfg.dips_per_day).tolist():
        kind = DOMAINS[int(rng.integers(0, len(DOMAINS)))]
        out.setdefault(kind, []).append((day, int(rng.integers(1, 4))))
    return out


def _nights(
    rng: np.random.Generator,
    donor: Donor,
    cfg: SimConfig,
    episode: Episode | None,
    dips: dict[str, list[tuple[int, int]]],
) -> FloatArray:
    """(days + 1) noon-to-noon blocks with the episode and short dips applied, flattened."""
    n = cfg.days + 1
    pick = rng.integers(0, len(donor.blocks), n)
    blocks = donor.blocks[pick].copy()
    start, end = donor.sleep_start[pick], donor.sleep_end[pick]
    sleep_shift = np.zeros(n)
    activity_cut = np.zeros(n)
    kind = np.full(n, "short", dtype=object)
    if episode is not None:
        ramp = episode.ramp(n)  # block j is the night ending on day j
        if "sleep" in episode.domains:
            sleep_shift += episode.size * rng.uniform(1.0, 2.5) * ramp
            kind[:] = episode.sleep_kind
        if "activity" in episode.domains:
            activity_cut += episode.size * rng.uniform(0.25, 0.5) * ramp
    for day, length in dips.get("sleep", []):
        sleep_shift[day : day + length] += rng.uniform(1.0, 2.5)
    for day, length in dips.get("activity", []):
        activity_cut[day : day + length] = np.maximum(
            activity_cut[day : day + length], rng.uniform(0.3, 0.6)
        )
    idx = np.arange(circadian.MINUTES)
    for j in np.flatnonzero((sleep_shift > 0) | (activity_cut > 0)).tolist():
        row = blocks[j]
        s, e = int(start[j]), int(end[j])
        h = round(60 * (sleep_shift[j] + rng.normal(0, 0.25) * (sleep_shift[j] > 0)))
        h = max(0, min(h, (e - s) // 2))
        if h and kind[j] == "short" and s - h >= 0:
            row[s : s + h] = row[s - h : s]  # still up: evening activity continues
        elif h and e + h <= circadian.MINUTES:
            row[e : e + h] = row[e - h : e]  # still asleep: the night goes on
            e += h
        if activity_cut[j] > 0:
            awake = (idx < s) | (idx >= e)
            row[awake] *= 1.0 - activity_cut[j]
    return blocks.ravel()


def _missing(rng: np.random.Generator, grid: FloatArray, cfg: SimConfig) -> None:
    days = grid.shape[0]
    rate = rng.uniform(*cfg.missing_day_rate)
    grid[rng.random(days) < rate] = np.nan
    for day in np.flatnonzero(rng.random(days) < cfg.partial_day_rate).tolist():
        length = int(rng.integers(3 * 60, 10 * 60))
        at = int(rng.integers(0, circadian.MINUTES - length))
        grid[day, at : at + length] = np.nan
    for _ in range(rng.poisson(days * cfg.outages_per_day)):
        length = int(rng.integers(cfg.outage_days[0], cfg.outage_days[1] + 1))
        at = int(rng.integers(0, max(days - length, 1)))
        grid[at : at + length] = np.nan


def _self_report(
    rng: np.random.Generator,
    cfg: SimConfig,
    episode: Episode | None,
    dips: dict[str, list[tuple[int, int]]],
) -> dict[str, FloatArray]:
    d = cfg.days
    ramp = episode.ramp(d) if episode else np.zeros(d)
    size = episode.size if episode else 0.0
    doms = episode.domains if episode else ()
    # mood: own mean and spread, AR(1) persistence, integers 0-10
    mu, sigma, phi = rng.uniform(5.5, 8.0), rng.uniform(0.6, 1.2), 0.5
    noise = np.zeros(d)
    eps = rng.normal(0, sigma * np.sqrt(1 - phi**2), d)
    for t in range(1, d):
        noise[t] = phi * noise[t - 1] + eps[t]
    mood = mu + noise
    if "mood" in doms:
        mood -= size * rng.uniform(1.5, 3.0) * ramp
    for day, length in dips.get("mood", []):
        mood[day : day + length] -= rng.uniform(1.5, 3.0)
    mood = np.clip(np.round(mood), 0, 10)
    # check-ins: scheduled daily, done with the person's own adherence
    p = np.full(d, rng.uniform(0.6, 0.95))
    if "engagement" in doms:
        p *= 1 - size * rng.uniform(0.3, 0.6) * ramp
    done = rng.random(d) < p
    for day, length in dips.get("engagement", []):
        done[day : day + length] = False
    mood = np.where(done, mood, np.nan)
    # app minutes: lognormal around the person's own median, less on days without a check-in
    app = rng.lognormal(np.log(rng.uniform(4, 15)), 0.5, d) * np.where(done, 1.0, 0.5)
    if "engagement" in doms:
        app *= 1 - size * rng.uniform(0.3, 0.6) * ramp
    # PHQ-9 every 14 days, answered 85% of the time
    phq = np.full(d, np.nan)
    base = rng.uniform(2, 8)
    for t in range(int(rng.integers(0, 14)), d, 14):
        if rng.random() < 0.85:
            rise = size * rng.uniform(4, 8) * ramp[t] if "mood" in doms else 0.0
            phq[t] = np.clip(round(base + rng.normal(0, 1.5) + rise), 0, 27)
    return {"mood": mood, "checkin": done.astype(np.float64), "app_minutes": app, "phq9": phq}


def simulate(
    donors: list[Donor], n_clients: int, seed: int, config: SimConfig = SimConfig()
) -> Cohort:
    """A cohort of `n_clients`; the same (donors, n, seed, config) gives the same cohort."""
    rng = np.random.default_rng(seed)
    values: dict[str, list[FloatArray]] = {}
    complete: dict[str, list[FloatArray]] = {}
    episodes: list[Episode | None] = []
    names = []
    half = circadian.MINUTES // 2
    for i in range(n_clients):
        donor = donors[int(rng.integers(0, len(donors)))]
        episode = _episode(rng, config) if rng.random() < config.episode_share else None
        dips = _dips(rng, config)
        flat = _nights(rng, donor, config, episode, dips)
        grid = flat[half : half + config.days * circadian.MINUTES].reshape(config.days, -1).copy()
        _missing(rng, grid, config)
        passive, passive_complete = actigraphy_inputs(grid)
        for k, v in (passive | _self_report(rng, config, episode, dips)).items():
            values.setdefault(k, []).append(v)
        for k, v in passive_complete.items():
            complete.setdefault(k, []).append(v)
        episodes.append(episode)
        names.append(f"{donor.name}#{i}")
    inputs = DailyInputs(
        START,
        {k: np.stack(v) for k, v in values.items()},
        {k: np.stack(v) for k, v in complete.items()},
    )
    return Cohort(inputs, episodes, names, config)


def merge(cohorts: list[Cohort]) -> Cohort:
    """Several cohorts (e.g. one per tuning seed) as one, clients stacked."""
    first = cohorts[0].inputs
    keys = set.intersection(*(set(c.inputs.values) for c in cohorts))
    sources = set.intersection(*(set(c.inputs.completeness) for c in cohorts))
    inputs = DailyInputs(
        first.start,
        {k: np.concatenate([c.inputs.values[k] for c in cohorts]) for k in sorted(keys)},
        {k: np.concatenate([c.inputs.completeness[k] for c in cohorts]) for k in sorted(sources)},
    )
    return Cohort(
        inputs,
        [e for c in cohorts for e in c.episodes],
        [s for c in cohorts for s in c.subjects],
        cohorts[0].config,
    )
