"""Soak: 20,000 mixed requests through the fake Discord server; the bot's memory, files and threads.

    python -m bench.bench_soak            # 20,000 requests, then 35 s idle
    python -m bench.bench_soak --quick    # 4,000 requests

The real bot (ArtsakhBot, the lookup and info cogs, the real discord.py client) runs in this
process; FakeDiscord and the load generator run in a second one, which also reads the bot's
resident memory (VmRSS), thread count and open file descriptors from ``/proc/<pid>`` (Linux)
after every 1,000 requests and once more after an idle spell. The mix has slash commands,
autocompletes, paged ``/list`` answers whose pages are turned, and candidate pickers. Answers
keep no view in memory (their buttons carry the question in the custom id); only questions too
long for a custom id are kept, at most ``answers.max_live_views`` of them.

The growth figures are least-squares slopes per 1,000 requests over the samples after the
warm-up (the first quarter), so caches filling at the start do not count as a leak.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server lives with the tests

from fakecord import FakeDiscord, InteractionResult  # noqa: E402

from bench.bench_e2e import Mix, Plan, build_dataset, make_plan  # noqa: E402
from bot.config import AnswersConfig, Config, CooldownConfig, DiscordConfig  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.engine import QueryEngine  # noqa: E402
from bot.core.reloading import DataStore  # noqa: E402
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot, settle_memory  # noqa: E402
from bot.discordbot.runner import apply_endpoints, run_loop  # noqa: E402
from bot.storage.database import Database  # noqa: E402

BATCH = 1000
THINK_SECONDS = 0.2
CONCURRENCY = 16
VIEW_TIMEOUT = 30.0
IDLE_SECONDS = 35.0
MAX_LIVE_VIEWS = 1000
GOAL_RSS_MB_PER_1000 = 0.5
GOAL_IDLE_OVER_PEAK_MB = 1.0  # after idle, memory is not above the busy peak (1 MB of noise)


@dataclass(frozen=True, slots=True)
class Reading:
    """The bot process after ``requests`` requests."""

    requests: int
    rss_mb: float
    threads: int
    files: int
    errors: int


def read_process(pid: int, requests: int, errors: int) -> Reading:
    """VmRSS, thread count and open descriptors of ``pid`` from /proc (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss_kb = int(fields["VmRSS"].split()[0])
    threads = int(fields["Threads"].strip())
    files = len(list(Path(f"/proc/{pid}/fd").iterdir()))
    return Reading(requests, rss_kb / 1024, threads, files, errors)


class SoakMix(Mix):
    """The end-to-end mix plus what keeps views alive: paged lists, page turns, pickers."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        super().__init__(plan, rng)
        self.ops += [
            ("/list paged + turn", 15, self.list_and_turn),
            ("/list paged", 10, self.list_paged),
            ("/jurisdiction picker", 5, self.picker),
            ("/about", 2, self.about),
        ]
        self.weights = [w for _, w, _ in self.ops]

    async def list_paged(self, fake: FakeDiscord) -> Any:
        return await fake.slash("list", {"country": self.rng.choice(self.countries)})

    async def list_and_turn(self, fake: FakeDiscord) -> Any:
        result: InteractionResult = await fake.slash("list", {})
        if result.message is not None:
            turn = next((c for c in result.message.custom_ids() if c.startswith("pg:n:")), None)
            if turn is not None:
                await asyncio.sleep(THINK_SECONDS)  # a person reads before turning the page
                await fake.click(result.message, turn)
        return result

    async def picker(self, fake: FakeDiscord) -> Any:
        name = self.rng.choice(self.names)
        return await fake.slash("jurisdiction", {"name": name[: max(2, len(name) // 3)]})

    async def about(self, fake: FakeDiscord) -> Any:
        return await fake.slash("about", {})


async def _one(fake: FakeDiscord, call: Callable[[FakeDiscord], Awaitable[Any]]) -> bool:
    """Run one request; True when it failed."""
    index = len(fake.interactions)
    try:
        await call(fake)
    except Exception:
        return True
    result = fake.interactions[index] if index < len(fake.interactions) else None
    return result is None or not result.acknowledged or result.timed_out


async def batch(fake: FakeDiscord, mix: SoakMix, count: int) -> int:
    """``count`` requests, ``CONCURRENCY`` at a time; the number that failed."""
    queue = list(range(count))
    failed = 0

    async def worker() -> None:
        nonlocal failed
        while queue:
            queue.pop()
            _, call = mix.pick()
            failed += await _one(fake, call)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return failed  # the fake keeps its records (its own memory): a timed-out view still edits its message


async def drive(plan: Plan, total: int, to_bot: Any, from_bot: Any) -> None:
    """The load process: serve the fake, run the batches, read the bot's process after each."""
    fake = FakeDiscord()
    fake.populate_default()
    fake.check_violations_at_teardown = False
    await fake.start()
    to_bot.put({"api_base": fake.api_base, "gateway_url": fake.gateway_url, "token": fake.token,
                "guild_id": fake.guild.id})  # fmt: skip
    loop = asyncio.get_running_loop()
    try:
        pid = await loop.run_in_executor(None, from_bot.get, True, 120)
        await fake.wait_for(lambda: fake.ready_count >= 1, timeout=120, what="READY")
        await asyncio.sleep(0.5)
        mix = SoakMix(plan, random.Random(plan.seed))
        readings = [read_process(pid, 0, 0)]
        done = errors = 0
        started = time.perf_counter()
        while done < total:
            count = min(BATCH, total - done)
            errors += await batch(fake, mix, count)
            done += count
            readings.append(read_process(pid, done, errors))
        busy = time.perf_counter() - started
        await asyncio.sleep(IDLE_SECONDS)  # every view times out
        idle = read_process(pid, done, errors)
        violations = [str(v) for v in fake.take_violations()]
        to_bot.put((readings, idle, busy, violations))
        from_bot.get(timeout=60)
    finally:
        await fake.stop()


def load_process(plan: Plan, total: int, to_bot: Any, from_bot: Any) -> None:
    """Entry point of the load process."""
    logging.basicConfig(level=logging.WARNING, format="load %(levelname)s %(name)s: %(message)s")
    asyncio.run(drive(plan, total, to_bot, from_bot))


async def serve(store: DataStore[QueryEngine], to_bot: Any, from_bot: Any) -> tuple[Any, tuple[int, int]]:
    """The bot process: connect, serve until the load process reports, then close."""
    import os

    loop = asyncio.get_running_loop()
    info = await loop.run_in_executor(None, to_bot.get, True, 120)
    apply_endpoints(info["api_base"], info["gateway_url"])
    config = Config(
        discord=DiscordConfig(sync="guild", guild_ids=(info["guild_id"],)),
        cooldowns=CooldownConfig(commands_per_window=0, window_seconds=0),
        answers=AnswersConfig(max_live_views=MAX_LIVE_VIEWS),
    )
    database = await Database.open(":memory:")
    bot = ArtsakhBot(config, SystemClock(), store, database, extensions=CORE_EXTENSIONS,
                     guild_ready_timeout=0.1, view_timeout=VIEW_TIMEOUT)  # fmt: skip
    settle_memory()
    task = asyncio.create_task(bot.start(info["token"]))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 120)
        from_bot.put(os.getpid())
        result = await loop.run_in_executor(None, to_bot.get, True, 7200)
        views = (len(bot.kept_asks), 0)
    finally:
        await bot.close()
        await asyncio.gather(task, return_exceptions=True)
        await database.close()
        from_bot.put("closed")
    return result, views


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def report(result: Any, views: tuple[int, int], total: int) -> int:
    """Print the readings and the goals beside what was measured; 0 when every goal is met."""
    readings, idle, busy, violations = result
    print(f"{'requests':>9} {'RSS MB':>8} {'threads':>8} {'open files':>11} {'errors':>7}")
    for r in readings:
        print(f"{r.requests:>9,} {r.rss_mb:>8.1f} {r.threads:>8} {r.files:>11} {r.errors:>7}")
    print(f"{'idle':>9} {idle.rss_mb:>8.1f} {idle.threads:>8} {idle.files:>11} {idle.errors:>7}"
          f"   (after {IDLE_SECONDS:.0f} s without requests)")  # fmt: skip
    warm = [r for r in readings if r.requests >= total // 4] or readings
    per = BATCH
    rss_growth = slope([(r.requests / per, r.rss_mb) for r in warm])
    thread_growth = slope([(r.requests / per, float(r.threads)) for r in warm])
    file_growth = slope([(r.requests / per, float(r.files)) for r in warm])
    peak = max(r.rss_mb for r in readings)
    errors = readings[-1].errors
    live, _ = views
    rows = [
        ("RSS growth per 1,000 requests", f"<= {GOAL_RSS_MB_PER_1000} MB", f"{rss_growth:+.2f} MB",
         rss_growth <= GOAL_RSS_MB_PER_1000),
        ("Thread growth per 1,000", "0", f"{thread_growth:+.2f}", abs(thread_growth) < 0.05),
        ("Open-file growth per 1,000", "0", f"{file_growth:+.2f}", abs(file_growth) < 0.05),
        ("RSS after idle vs busy peak", "<= peak+1", f"{idle.rss_mb - peak:+.1f} MB",
         idle.rss_mb - peak <= GOAL_IDLE_OVER_PEAK_MB),
        ("Long questions kept at the end", f"<= {MAX_LIVE_VIEWS:,}", f"{live:,}",
         live <= MAX_LIVE_VIEWS),
        ("Failed requests", "0", f"{errors}", errors == 0),
        ("Discord violations", "0", f"{len(violations)}", not violations),
    ]  # fmt: skip
    print(f"\n{total:,} requests in {busy:.0f} s ({total / busy:.0f}/s, {CONCURRENCY} at a time); "
          f"growth measured from {warm[0].requests:,} requests on")  # fmt: skip
    print(f"{'measure':<32} {'goal':>10} {'measured':>28}  result")
    for name, goal, measured, ok in rows:
        print(f"{name:<32} {goal:>10} {measured:>28}  {'MET' if ok else 'MISSED'}")
    for line in violations[:5]:
        print(f"  {line}")
    return 0 if all(ok for *_, ok in rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="4,000 requests")
    parser.add_argument("--requests", type=int, default=None, help="how many (default 20,000)")
    parser.add_argument("--jurisdictions", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    total = args.requests or (4_000 if args.quick else 20_000)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.ERROR)
    if not Path("/proc/self/status").exists():
        print("The soak benchmark reads /proc (Linux); skipped here.")
        return 0
    dataset = build_dataset(args.jurisdictions)
    args.duration, args.step, args.rates = 0.0, 0.0, []
    plan = make_plan(dataset, args)
    with tempfile.TemporaryDirectory() as tmp:
        store = DataStore(Path(tmp), QueryEngine, clock=SystemClock(), dataset=dataset)
        print(f"Dataset: {len(dataset.jurisdictions):,} jurisdictions, {len(dataset.records):,} records; "
              f"at most {MAX_LIVE_VIEWS:,} long questions kept for their buttons")  # fmt: skip
        context = multiprocessing.get_context("spawn")
        to_bot, from_bot = context.Queue(), context.Queue()
        worker = context.Process(target=load_process, args=(plan, total, to_bot, from_bot), name="soak-load")
        worker.start()
        try:
            result, views = run_loop(serve(store, to_bot, from_bot))
        finally:
            worker.join(30)
            if worker.is_alive():
                worker.terminate()
    return report(result, views, total)


if __name__ == "__main__":
    raise SystemExit(main())
