"""Speed and memory of the text analyser: model load, batch throughput, single-text latency,
peak resident memory (resource.getrusage). Each setting runs in a fresh process (torch's
thread pool is fixed when it starts) and is repeated; the best run is reported with the
machine load at the time, because the 2-core host is shared and timings are noisy.

    .venv/bin/python benchmarks/language_speed.py [--repeats 3] [--threads 1,2] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("MINDBRIDGE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def _worker(threads: int, n_batch: int, n_single: int) -> dict[str, object]:
    import csv
    import resource

    os.environ["MINDBRIDGE_TORCH_THREADS"] = str(threads)
    start = time.perf_counter()
    from mindbridge.language.analyzer import Analyzer

    import_s = time.perf_counter() - start
    start = time.perf_counter()
    analyzer = Analyzer()
    load_s = time.perf_counter() - start
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with (DATA / "goemotions" / "dev.tsv").open(encoding="utf-8") as handle:
        short = [r[0] for r in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    csv.field_size_limit(2**31 - 1)
    with (DATA / "dreaddit" / "train.csv").open(encoding="utf-8") as handle:
        long = [r["text"] for r in csv.DictReader(handle)]
    analyzer.analyze_batch(short[:32])  # warm-up
    out: dict[str, object] = {"threads": threads, "import_s": import_s, "load_s": load_s}
    for name, texts in (("short", short[:n_batch]), ("long", long[: max(32, n_batch // 4)])):
        cpu0, t0 = time.process_time(), time.perf_counter()
        analyzer.analyze_batch(texts)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        out[f"batch_{name}_texts_per_s"] = len(texts) / wall
        out[f"batch_{name}_cpu_s_per_text"] = cpu / len(texts)
    latencies = []
    cpu_lat = []
    for text in short[1000 : 1000 + n_single]:
        c0, t0 = time.process_time(), time.perf_counter()
        analyzer.analyze(text)
        latencies.append(time.perf_counter() - t0)
        cpu_lat.append(time.process_time() - c0)
    latencies.sort()
    out["single_p50_ms"] = 1000 * latencies[len(latencies) // 2]
    out["single_p99_ms"] = 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    out["single_cpu_ms_mean"] = 1000 * sum(cpu_lat) / len(cpu_lat)
    out["rss_after_load_mb"] = rss_loaded
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["loadavg_1m"] = os.getloadavg()[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--single", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.stdout.write(json.dumps(_worker(args.worker, args.batch, args.single)) + "\n")
        return
    runs: list[dict[str, object]] = []
    for _ in range(args.repeats):
        for threads in (int(t) for t in args.threads.split(",")):
            proc = subprocess.run(  # a fresh process per setting
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    str(threads),
                    "--batch",
                    str(args.batch),
                    "--single",
                    str(args.single),
                ],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "MINDBRIDGE_TORCH_THREADS": str(threads)},
            )
            run = json.loads(proc.stdout.strip().splitlines()[-1])
            runs.append(run)
            if not args.json:
                print(
                    f"threads={threads} load={run['loadavg_1m']:.1f} "
                    f"import {run['import_s']:.1f}s load {run['load_s']:.1f}s | "
                    f"batch short {run['batch_short_texts_per_s']:.0f}/s "
                    f"long {run['batch_long_texts_per_s']:.1f}/s | single p50 "
                    f"{run['single_p50_ms']:.0f} ms p99 {run['single_p99_ms']:.0f} ms "
                    f"(cpu {run['single_cpu_ms_mean']:.0f} ms) | "
                    f"peak RSS {run['peak_rss_mb']:.0f} MB",
                    flush=True,
                )

    def best(key: str, low: bool = False) -> object:
        values = [float(r[key]) for r in runs]  # type: ignore[arg-type]
        return round(min(values) if low else max(values), 2)

    summary = {
        "runs": len(runs),
        "best_batch_short_texts_per_s": best("batch_short_texts_per_s"),
        "best_batch_long_texts_per_s": best("batch_long_texts_per_s"),
        "best_single_p50_ms": best("single_p50_ms", low=True),
        "best_single_p99_ms": best("single_p99_ms", low=True),
        "best_load_s": best("load_s", low=True),
        "best_import_s": best("import_s", low=True),
        "max_peak_rss_mb": best("peak_rss_mb"),
        "cpu_s_per_short_text_min": best("batch_short_cpu_s_per_text", low=True),
        "loadavg_range": [best("loadavg_1m", low=True), best("loadavg_1m")],
        "targets": {"batch_texts_per_s": 100, "single_p99_ms": 50, "rss_mb": 700},
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(summary, indent=None if args.json else 1))


if __name__ == "__main__":
    main()
