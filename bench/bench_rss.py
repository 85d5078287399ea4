"""Memory of the real bot process (``python -m bot run``), idle after ready and after load.

    python -m bench.bench_rss            # the shipped data, then 100,000 places (16k records)
    python -m bench.bench_rss --quick    # the shipped data only

The bot runs as it does in production, as its own process started with ``python -m bot run``,
from YAML files in a data folder and a state folder of its own, connected to the local
Discord-compatible server (tests/fakecord) that this process runs. For each dataset it is
started twice: a first start (nothing in the state folder: the YAML is parsed and checked) and
a restart (the validated snapshot is read). The resident set (VmRSS) is read once the bot is
ready and settled, then after 1,500 slash commands and autocompletes; VmHWM is the peak.

``--code DIR`` also runs another checkout's ``bot`` package, on the same files, right after this
one's (a before/after comparison in one run: ``git worktree add /tmp/before <commit>``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server lives with the tests

from fakecord import FakeDiscord  # noqa: E402

from bench.bench_e2e import Mix, Plan, run_at  # noqa: E402
from bench.summary import record  # noqa: E402
from bench.synthetic import synthetic_names, write_dataset  # noqa: E402

SEED = 20261130
GOAL_MB = 300.0
LOAD = 1500
RATE = 100.0


def status_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    out: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024 * 1.024  # kB -> MB
    return out


def plan_for(names: list[str]) -> Plan:
    rng = random.Random(SEED)
    sample = [n for n in rng.sample(names, min(5000, len(names))) if n.isascii()]
    words = ["resolution", "council", "assembly", "artsakh", "recognition", "senate", "republic", "city"]
    return Plan(sample, sample, ["United States", "France", "Italy", "Spain"], words, 0.0, 0.0, [], SEED)


async def one_start(
    fake: FakeDiscord, folder: Path, state: Path, names: list[str], code: Path = ROOT
) -> dict[str, Any]:
    config = state.parent / "bot.toml"
    config.write_text(
        f'[discord]\nsync = "guild"\nguild_ids = [{fake.guild.id}]\n'
        f'[data]\npath = "{folder}"\n[storage]\ndatabase = "{state / "bot.sqlite3"}"\n'
        '[logging]\nlevel = "WARNING"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_IMAGE_DATA", "PYTHONPATH")}
    env["PYTHONPATH"] = str(code)  # that checkout's bot package, whatever the venv installed
    env.update(BOT_CONFIG=str(config), DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
               DISCORD_GATEWAY_URL=fake.gateway_url)
    ready_before = fake.ready_count
    started = time.perf_counter()
    bot = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=code, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        await fake.wait_for(lambda: fake.ready_count > ready_before, timeout=900, what="READY")
        ready_s = time.perf_counter() - started
        await asyncio.sleep(3.0)  # commands synced, start-up settled
        idle = status_mb(bot.pid)
        await run_at(fake, Mix(plan_for(names), random.Random(SEED)), RATE, LOAD / RATE)
        await asyncio.sleep(1.0)
        loaded = status_mb(bot.pid)
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            bot.wait(30)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait()
    return {"ready_s": ready_s, "idle": idle["VmRSS"], "loaded": loaded["VmRSS"], "peak": loaded["VmHWM"]}


async def measure(
    cases: list[tuple[str, Path, list[str]]], codes: list[Path]
) -> list[tuple[str, Path, str, dict[str, Any]]]:
    fake = FakeDiscord()
    fake.populate_default()
    fake.check_violations_at_teardown = False
    await fake.start()
    rows = []
    try:
        for label, folder, names in cases:
            for code in codes:  # each checkout on the same files, with a state folder of its own
                with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
                    state = Path(tmp) / "state"
                    state.mkdir()
                    for start in ("first start", "restart"):
                        print(f"bot RSS: {label}, {start}, {code} ...", file=sys.stderr, flush=True)
                        rows.append((label, code, start, await one_start(fake, folder, state, names, code)))
                        fake.forget()
    finally:
        await fake.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="the shipped data only")
    parser.add_argument("--code", type=Path, action="append", default=[],
                        help="also run this checkout's bot package, on the same data (repeatable)")
    args = parser.parse_args(argv)
    codes = [ROOT, *(c.resolve() for c in args.code)]
    with tempfile.TemporaryDirectory(prefix="bench-rss-data-") as tmp:
        shipped = Path(tmp) / "shipped"
        shutil.copytree(ROOT / "data", shipped, ignore=shutil.ignore_patterns("history", "geo"))
        entries = synthetic_names(630, SEED)
        cases = [("shipped data", shipped, [n for e in entries for n in e.names])]
        if not args.quick:
            big = synthetic_names(100_000, SEED)
            write_dataset(Path(tmp) / "100k", big, records_every=10, seed=SEED)
            cases.append(("100k places", Path(tmp) / "100k", [e.names[0] for e in big]))
        rows = asyncio.run(measure(cases, codes))
    print("Resident memory of `python -m bot run` (MB): after ready (idle), after "
          f"{LOAD:,} interactions, and the peak")
    several = len(codes) > 1
    code_col = max(len(str(c)) for c in codes) + 2 if several else 0
    print(f"{'data':<14}{'code' if several else '':<{code_col}}{'start':<13}{'ready s':>8}{'idle MB':>9}"
          f"{'loaded MB':>11}{'peak MB':>9}")
    for label, code, start, r in rows:
        shown = str(code) if several else ""
        print(f"{label:<14}{shown:<{code_col}}{start:<13}{r['ready_s']:>8.1f}{r['idle']:>9.0f}"
              f"{r['loaded']:>11.0f}{r['peak']:>9.0f}")
    ours = [(label, start, r) for label, code, start, r in rows if code == ROOT]
    ok = True
    for label, start, r in ours:
        if label == "100k places":
            met = r["loaded"] < GOAL_MB and r["idle"] < GOAL_MB
            ok = ok and met
            record("rss", f"{start}: {r['idle']:.0f} MB idle, {r['loaded']:.0f} MB after load "
                   f"(peak {r['peak']:.0f})", met)
    for label, start, r in ours:
        if label == "shipped data":
            shown = f"shipped data, {start}: {r['idle']:.0f} MB idle, {r['loaded']:.0f} MB after load"
            record("rss", shown, None)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
