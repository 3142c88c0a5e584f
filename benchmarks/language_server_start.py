"""How long `mindbridge serve` takes to answer with every text model loaded, and how much memory
its processes hold then.

Starts a real server (web process + job-runner process) on a fresh SQLite data directory and a
free loopback port, polls /healthz, and waits for the job runner's "text models loaded" line.
Prints the seconds to each and the resident memory (VmRSS) of both processes. Stops by itself.

    .venv/bin/python benchmarks/language_server_start.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids = (task / "children").read_text().split()
        out += [int(k) for k in kids]
    return out


def one_run(timeout: float = 120.0) -> dict[str, float]:
    port = free_port()
    data = tempfile.mkdtemp(prefix="mb-start-")
    env = {
        **os.environ,
        "MINDBRIDGE_DATA_DIR": data,
        "MINDBRIDGE_PORT": str(port),
        "MINDBRIDGE_REQUIRE_MFA": "false",
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "mindbridge"), "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    loaded: dict[str, float] = {}
    pattern = re.compile(r"text models loaded in ([0-9.]+) s")

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            m = pattern.search(line)
            if m and "models" not in loaded:
                loaded["models"] = time.perf_counter() - start

    threading.Thread(target=read, daemon=True).start()
    healthy = None
    try:
        while time.perf_counter() - start < timeout:
            if healthy is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                        healthy = time.perf_counter() - start
                except OSError:
                    pass
            if healthy is not None and "models" in loaded:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not become ready in time")
        time.sleep(1.0)  # let the first request settle before reading memory
        worker = [k for k in children(proc.pid)]
        return {
            "healthz_s": round(healthy, 2),
            "models_loaded_s": round(loaded["models"], 2),
            "web_rss_mb": round(rss_mb(proc.pid), 1),
            "worker_rss_mb": round(max((rss_mb(w) for w in worker), default=float("nan")), 1),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    for r in runs:
        print(json.dumps(r))
    worst = {k: max(r[k] for r in runs) for k in runs[0]}
    print(json.dumps({"runs": len(runs), "worst": worst, "load_avg": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
