"""Run every benchmark in turn: ``python -m bench [--quick]`` (what ``make bench`` runs).

Each benchmark runs in a fresh process, so one cannot skew the next (the matching benchmark
pins itself to one CPU and leaves a large heap behind). At the end one table gives, for every
row of the speed issue's table, the goal beside what this run measured (bench/summary.py),
with the machine it ran on.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.summary import ENV, table

BENCHMARKS = (
    ("matching: autocomplete and lookup against difflib and rapidfuzz baselines", "bench.bench_matching"),
    ("end to end: slash commands and autocompletes through the local Discord server", "bench.bench_e2e"),
    ("daily posts: 2,000 subscriptions due in one minute under the global rate limit", "bench.bench_daily"),
    ("scale-out: 3 bot processes, 6 shards, 3,000 posts, a SIGKILL and a reload", "bench.bench_scaleout"),
    ("reload: wall time, event-loop lag and memory at 1k, 10k and 100k records", "bench.bench_reload"),
    ("pictures: cold renders on one core, cached answers, PNG size and memory", "bench.bench_pictures"),
    ("soak: 20,000 mixed requests; memory, threads and open files per 1,000", "bench.bench_soak"),
    ("memory of the real bot process, idle and after load", "bench.bench_rss"),
    ("command-line start-up against a bare interpreter", "bench.bench_cli"),
)


def machine() -> str:
    """``2 CPUs (AMD EPYC ...), Linux, Python 3.11.7``: where the numbers were measured."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPUs ({model}), {platform.system()}, Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    """Run each benchmark with the same arguments; the exit code is the worst one."""
    worst = 0
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-summary-") as tmp:
        summary = Path(tmp) / "summary.jsonl"
        env = {**os.environ, ENV: str(summary)}
        for title, module in BENCHMARKS:
            print(f"\n### {title}\n", flush=True)
            started = time.perf_counter()
            code = subprocess.run([sys.executable, "-m", module, *argv], check=False, env=env).returncode
            print(f"({time.perf_counter() - started:.0f} s, exit {code})", flush=True)
            worst = max(worst, code)
        print(f"\n### The speed issue's table: goal beside measured\n\n{table(summary)}")
    load = os.getloadavg()[0]
    print(f"\nMachine: {machine()}; load average {load:.1f} at the end; "
          f"{time.perf_counter() - began:.0f} s in all")
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
