"""Start-up of the command line: whole processes, against a bare interpreter start, interleaved.

    python -m bench.bench_cli [--runs N]

Each round runs, in turn, ``python -c pass`` (the bare start), ``python -m bot --help``, a usage
error, ``python -m bot check-data data`` and ``python -m bot ask jurisdiction calfornia`` on
the shipped data; the table gives the median and the fastest of the rounds and each
command's median over the bare start's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.summary import record

ROOT = Path(__file__).resolve().parents[1]
ASK = ("-m", "bot", "ask", "jurisdiction", "calfornia")
COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bare interpreter (python -c pass)", ("-c", "pass")),
    ("python -m bot --help", ("-m", "bot", "--help")),
    ("usage error (python -m bot --bogus)", ("-m", "bot", "--bogus")),
    ("python -m bot check-data data", ("-m", "bot", "check-data", "data")),
    ("python -m bot ask jurisdiction calfornia", ASK),
)
GOAL_S = 0.25
GOAL_RATIO = 8.0


def once(args: tuple[str, ...], code: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_CONFIG", "DISCORD_TOKEN", "PYTHONPATH")}
    env["PYTHONPATH"] = str(code)  # that checkout's bot package, whatever the venv installed
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=code, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5 rounds")
    parser.add_argument("--runs", type=int, default=None, help="rounds (default 9)")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="a checkout (its bot package and data folder) to measure instead of this one")
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 9)
    times: dict[str, list[float]] = {label: [] for label, _ in COMMANDS}
    for _ in range(runs):
        for label, command in COMMANDS:  # interleaved: the machine's load falls on all alike
            times[label].append(once(command, args.code))
    bare = statistics.median(times[COMMANDS[0][0]])
    print(f"Command-line start-up of {args.code}, whole process, {runs} interleaved rounds (seconds)")
    print(f"{'command':<44}{'median':>8}{'min':>8}{'x bare':>8}")
    for label, _ in COMMANDS:
        median = statistics.median(times[label])
        print(f"{label:<44}{median:>8.3f}{min(times[label]):>8.3f}{median / bare:>7.1f}x")
    ask = statistics.median(times[COMMANDS[-1][0]])
    met = ask < GOAL_S and ask / bare <= GOAL_RATIO
    verdict = "MET" if met else "MISSED"
    print(f"target: ask under {GOAL_S} s and at most {GOAL_RATIO:g}x a bare start -> {verdict}")
    if args.code == ROOT:
        record("cli", f"{ask:.2f} s median, {ask / bare:.1f}x bare ({bare:.3f} s)", met)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
