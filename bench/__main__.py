"""Run every benchmark in turn: ``python -m bench [--quick]`` (what ``make bench`` runs)."""

from __future__ import annotations

import sys
import time

from bench import bench_daily, bench_e2e, bench_matching

BENCHMARKS = (
    ("matching: autocomplete and lookup against difflib and rapidfuzz baselines", bench_matching.main),
    ("end to end: slash commands and autocompletes through the local Discord server", bench_e2e.main),
    ("daily posts: 2,000 subscriptions due in one minute under the global rate limit", bench_daily.main),
)


def main(argv: list[str]) -> int:
    """Run each benchmark with the same arguments; the exit code is the worst one."""
    worst = 0
    for title, run in BENCHMARKS:
        print(f"\n### {title}\n", flush=True)
        started = time.perf_counter()
        code = run(list(argv))
        print(f"({time.perf_counter() - started:.0f} s, exit {code})", flush=True)
        worst = max(worst, code)
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
