"""Run every benchmark in turn: ``python -m bench [--quick]`` (what ``make bench`` runs).

Each benchmark runs in a fresh process, so one cannot skew the next (the matching benchmark
pins itself to one CPU and leaves a large heap behind).
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = (
    ("matching: autocomplete and lookup against difflib and rapidfuzz baselines", "bench.bench_matching"),
    ("end to end: slash commands and autocompletes through the local Discord server", "bench.bench_e2e"),
    ("daily posts: 2,000 subscriptions due in one minute under the global rate limit", "bench.bench_daily"),
    ("reload: wall time, event-loop lag and memory at 1k, 10k and 100k records", "bench.bench_reload"),
    ("pictures: cold renders on one core, cached answers, PNG size and memory", "bench.bench_pictures"),
    ("soak: 20,000 mixed requests; memory, threads and open files per 1,000", "bench.bench_soak"),
)


def main(argv: list[str]) -> int:
    """Run each benchmark with the same arguments; the exit code is the worst one."""
    worst = 0
    for title, module in BENCHMARKS:
        print(f"\n### {title}\n", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, "-m", module, *argv], check=False).returncode
        print(f"({time.perf_counter() - started:.0f} s, exit {code})", flush=True)
        worst = max(worst, code)
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
