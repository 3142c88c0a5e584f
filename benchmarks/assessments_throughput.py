"""How fast the pure assessments core is: scoring, and FHIR export/import of a client history.

Run: .venv/bin/python benchmarks/assessments_throughput.py
Synthetic answers (seeded); no clinical data. Prints one line per measurement.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from mindbridge.assessments import default_registry, new_submission, score
from mindbridge.assessments.fhir import history_bundle, submissions_from_bundle


def main() -> None:
    rng = random.Random(20240301)
    registry = default_registry()
    phq9 = registry.get("PHQ-9")

    n = 20_000
    answers = [[rng.randint(0, 3) for _ in range(9)] for _ in range(n)]
    start = time.perf_counter()
    for a in answers:
        score(phq9, a)
    elapsed = time.perf_counter() - start
    print(f"score PHQ-9: {n} submissions in {elapsed:.2f} s ({n / elapsed:,.0f}/s)")

    t0 = datetime(2024, 1, 1, 9, tzinfo=UTC)
    history = []
    for week in range(52):
        for instrument_id in ("PHQ-9", "GAD-7"):
            d = registry.get(instrument_id)
            values = [rng.randint(d.min_value, d.max_value) for _ in d.items]
            history.append(
                new_submission(
                    d,
                    client_id="bench-client",
                    answers=values,
                    authored_at=t0 + timedelta(weeks=week),
                    submission_id=f"s-{instrument_id}-{week}",
                )
            )
    start = time.perf_counter()
    bundle = history_bundle(history)
    text = bundle.model_dump_json(exclude_none=True)
    export_s = time.perf_counter() - start
    start = time.perf_counter()
    back = submissions_from_bundle(bundle.model_validate_json(text))
    import_s = time.perf_counter() - start
    print(
        f"FHIR history of {len(history)} submissions: {len(bundle.entry or [])} entries, "
        f"{len(text) / 1e6:.2f} MB; export {export_s:.2f} s, parse+import {import_s:.2f} s "
        f"({len(back)} submissions back)"
    )


if __name__ == "__main__":
    main()
