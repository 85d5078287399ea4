"""Start-up of the command line: whole processes, against a bare interpreter start, interleaved.

    python -m bench.bench_cli [--runs N] [--code DIR [--code DIR ...]]

Each round runs, in turn, ``python -c pass`` (the bare start), ``python -m bot --help``, a usage
error, ``python -m bot check-data data`` and ``python -m bot ask jurisdiction calfornia`` on
the shipped data; the table gives the median and the fastest of the rounds, each command's
median over the bare start's, and its median CPU time (user and system: what the machine's
other work stretches least). With ``--code`` given twice or more, the checkouts run side by
side in the same rounds, and the medians of each are given over the first's.

The bot's modules run from a copy of the checkout's ``bot`` package compiled to bytecode
beforehand, as the image compiles them when it is built (see the Dockerfile), with
``PYTHONDONTWRITEBYTECODE`` set as the image sets it. One more row asks the same question
from a copy without bytecode, so each start compiles the bot's modules again (as a checkout
does where that variable is set and no ``__pycache__`` was ever written).
"""

from __future__ import annotations

import argparse
import compileall
import os
import py_compile
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.summary import record

ROOT = Path(__file__).resolve().parents[1]
ASK = ("-m", "bot", "ask", "jurisdiction", "calfornia")
ASK_LABEL = "python -m bot ask jurisdiction calfornia"
# (label, arguments, whether the bot's modules are compiled beforehand)
COMMANDS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("bare interpreter (python -c pass)", ("-c", "pass"), True),
    ("python -m bot --help", ("-m", "bot", "--help"), True),
    ("usage error (python -m bot --bogus)", ("-m", "bot", "--bogus"), True),
    ("python -m bot check-data data", ("-m", "bot", "check-data", "data"), True),
    (ASK_LABEL, ASK, True),
    ("  the same, no bytecode (compiled each start)", ASK, False),
)
GOAL_S = 0.25
GOAL_RATIO = 8.0


def copy_package(code: Path, into: Path, *, compiled: bool) -> Path:
    """A folder to run in: a copy of ``code``'s ``bot`` package (compiled as the image does), its data.

    ``python -m`` imports from the working folder first, so each copy runs in its own, with the
    checkout's data folder linked in and a state folder (the data's snapshot) of its own.
    """
    into.mkdir(parents=True)
    shutil.copytree(code / "bot", into / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    (into / "data").symlink_to(code / "data", target_is_directory=True)
    if compiled and not compileall.compile_dir(
        into / "bot", quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    ):
        raise SystemExit(f"could not compile {into / 'bot'}")
    return into


def once(args: tuple[str, ...], folder: Path) -> tuple[float, float]:
    """The wall time and the CPU time (user and system) of one run of ``python ARGS`` in ``folder``."""
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_CONFIG", "DISCORD_TOKEN", "PYTHONPATH")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # as in the image: the copy without bytecode stays so
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=folder, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5 rounds")
    parser.add_argument("--runs", type=int, default=None, help="rounds (default 9)")
    parser.add_argument(
        "--code", type=Path, action="append",
        help="a checkout (its bot package and data folder) to measure instead of this one; give it "
        "twice or more to measure checkouts side by side, their rounds interleaved",
    )
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 9)
    codes = [code.resolve() for code in args.code or [ROOT]]
    times = {(code, label): list[float]() for code in codes for label, _, _ in COMMANDS}
    cpu = {(code, label): list[float]() for code in codes for label, _, _ in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="bench_cli_") as tmp:
        folders = {
            (code, compiled): copy_package(
                code, Path(tmp) / str(n) / ("compiled" if compiled else "source"), compiled=compiled
            )
            for n, code in enumerate(codes)
            for compiled in (True, False)
        }
        for code in codes:
            for _, command, compiled in COMMANDS:  # a first round, not timed: the snapshot is written
                once(command, folders[code, compiled])
        for _ in range(runs):
            for label, command, compiled in COMMANDS:  # interleaved: the machine's load falls on all alike
                for code in codes:
                    wall, used = once(command, folders[code, compiled])
                    times[code, label].append(wall)
                    cpu[code, label].append(used)
    met_all = True
    for code in codes:
        bare = statistics.median(times[code, COMMANDS[0][0]])
        print(f"Command-line start-up of {code}, whole process, {runs} interleaved rounds (seconds)")
        print(f"{'command':<48}{'median':>8}{'min':>8}{'x bare':>8}{'CPU':>8}")
        for label, _, _ in COMMANDS:
            median, fastest = statistics.median(times[code, label]), min(times[code, label])
            used = statistics.median(cpu[code, label])
            print(f"{label:<48}{median:>8.3f}{fastest:>8.3f}{median / bare:>7.1f}x{used:>8.3f}")
        ask = statistics.median(times[code, ASK_LABEL])
        met = ask < GOAL_S and ask / bare <= GOAL_RATIO
        met_all = met_all and met
        verdict = "MET" if met else "MISSED"
        print(f"target: ask under {GOAL_S} s and at most {GOAL_RATIO:g}x a bare start -> {verdict}\n")
        if code == ROOT:
            record("cli", f"{ask:.2f} s median, {ask / bare:.1f}x bare ({bare:.3f} s)", met)
    if len(codes) > 1:
        print("medians over the first checkout's, wall and CPU (same rounds):")
        for label, _, _ in COMMANDS:
            ratios = "  ".join(
                f"{statistics.median(times[c, label]) / statistics.median(times[codes[0], label]):5.2f}"
                f"{statistics.median(cpu[c, label]) / statistics.median(cpu[codes[0], label]):8.2f}"
                for c in codes[1:]
            )
            print(f"{label:<48}{ratios}")
    return 0 if met_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
