"""Soak: 20,000 mixed requests through the fake Discord server; the bot's memory, files and threads.

    python -m bench.bench_soak            # 20,000 requests, then 35 s idle
    python -m bench.bench_soak --quick    # 4,000 requests
    python -m bench.bench_soak --trace    # and tracemalloc in the bot: what grew, and where

The real bot (ArtsakhBot, the lookup and info cogs, the real discord.py client) runs in this
process; FakeDiscord and the load generator run in a second one, which also reads the bot's
resident memory (VmRSS), thread count and open file descriptors from ``/proc/<pid>`` (Linux)
after every 1,000 requests and once more after an idle spell. Before each reading the bot's
process reports on itself (:mod:`bench.soak_probe`): the fill of its bounded caches, asyncio
tasks, sockets, pipes, kept-alive HTTP connections and what discord.py stores. The mix has slash
commands, autocompletes, paged ``/list`` answers whose pages are turned and candidate pickers,
from ``USERS`` people under the default per-user cooldown. Answers keep no view in memory
(their buttons carry the question in the custom id); only questions too long for a custom id
are kept, at most ``answers.max_live_views`` of them.

Bounded caches grow until they reach their caps, which looks like a leak over a run shorter
than it takes to fill them (the suggestions cache is not full after 20,000 requests of this mix). So
new questions fill them first, and the table reports what full caches cost; the growth figures
are least-squares slopes per 1,000 requests after the first quarter of the run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server lives with the tests

from fakecord import FakeDiscord, FakeUser, InteractionResult  # noqa: E402

from bench.bench_e2e import Mix, Plan, build_dataset, make_plan  # noqa: E402
from bench.soak_probe import HeapTrace, probe  # noqa: E402
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
FILL_ROUNDS = 12  # at most this many thousands of requests to fill the caches before measuring
USERS = 500  # distinct people asking (per-user state: cooldowns, discord.py's user objects)
NEXT_PAGE = "pg:n:"  # the custom id of the "next page" button starts so (bot.discordbot.views)
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
    inside: dict[str, Any] | None = None  # what the bot's process says of itself (soak_probe.probe)


def read_process(pid: int, requests: int, errors: int, inside: dict[str, Any] | None = None) -> Reading:
    """VmRSS, thread count and open descriptors of ``pid`` from /proc (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss_kb = int(fields["VmRSS"].split()[0])
    threads = int(fields["Threads"].strip())
    files = len(list(Path(f"/proc/{pid}/fd").iterdir()))
    return Reading(requests, rss_kb / 1024, threads, files, errors, inside)


class SoakMix(Mix):
    """The end-to-end mix plus paged lists, page turns and pickers, asked by ``USERS`` people in turn."""

    def __init__(self, plan: Plan, rng: random.Random, users: list[FakeUser]) -> None:
        super().__init__(plan, rng)
        self.users = users
        self.ops += [
            ("/list paged + turn", 15, self.list_and_turn),
            ("/list paged", 10, self.list_paged),
            ("/jurisdiction picker", 5, self.picker),
            ("/about", 2, self.about),
        ]
        self.weights = [w for _, w, _ in self.ops]

    async def list_paged(self, fake: FakeDiscord) -> Any:
        return await fake.slash("list", {"country": self.rng.choice(self.countries)})

    def pick(self) -> tuple[str, Callable[[FakeDiscord], Awaitable[Any]]]:
        """The next request, from one of the users (the fake reads its default user synchronously)."""
        name, call = super().pick()

        async def as_user(fake: FakeDiscord) -> Any:
            fake.default_user = self.rng.choice(self.users)
            return await call(fake)

        return name, as_user

    async def list_and_turn(self, fake: FakeDiscord) -> Any:
        user = fake.default_user
        result: InteractionResult = await fake.slash("list", {})
        message = result.message
        turn = next(
            (c for c in message.all_components() if str(c.get("custom_id", "")).startswith(NEXT_PAGE)), None
        ) if message is not None else None  # fmt: skip
        if message is not None and turn is not None and not turn.get("disabled"):
            await asyncio.sleep(THINK_SECONDS)  # a person reads before turning the page
            await fake.click(message, turn["custom_id"], user=user)
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


def fill_requests(mix: SoakMix) -> Iterator[Callable[[FakeDiscord], Awaitable[Any]]]:
    """Requests that fill the cogs' answer and suggestion caches: each a question not asked before."""
    names = list(dict.fromkeys(mix.names))
    for name in names:
        yield lambda fake, name=name: fake.slash("jurisdiction", {"name": name})
        for length in range(2, min(9, len(name) + 1)):
            yield lambda fake, text=name[:length]: fake.autocomplete("jurisdiction", {"name": text}, "name")


def full(inside: dict[str, Any]) -> bool:
    """True when every cache of the lookup cog is at its cap."""
    lookup = [v for k, v in inside["caches"].items() if k.startswith("Lookup.")]
    return bool(lookup) and all(n >= cap for n, cap in lookup)


async def run_calls(fake: FakeDiscord, mix: SoakMix, calls: Iterator[Callable[[FakeDiscord], Awaitable[Any]]],
                    count: int) -> int:  # fmt: skip
    """``count`` of ``calls``, ``CONCURRENCY`` at a time, each as one of the users; the number that failed."""
    failed = 0

    async def worker() -> None:
        nonlocal failed
        for call in itertools.islice(calls, count // CONCURRENCY):
            fake.default_user = mix.rng.choice(mix.users)
            failed += await _one(fake, call)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return failed


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
        guild = fake.guild
        users = [fake.create_user(f"reader{i}") for i in range(USERS)]
        for user in users:
            guild.add_member(user)
        mix = SoakMix(plan, random.Random(plan.seed), users)

        async def reading(done: int, errors: int, label: str = "") -> Reading:
            to_bot.put(("probe", done, label))  # the bot looks at itself first, then /proc is read
            inside = await loop.run_in_executor(None, from_bot.get, True, 600)
            return read_process(pid, done, errors, inside)

        readings = [await reading(0, 0, "start")]
        calls = fill_requests(mix)
        for _ in range(FILL_ROUNDS):  # the caches first, so that what grows later is not them
            await run_calls(fake, mix, calls, BATCH)
            filled = await reading(0, 0)
            if filled.inside is not None and full(filled.inside):
                break
        to_bot.put(("probe", 0, "filled"))
        await loop.run_in_executor(None, from_bot.get, True, 600)
        readings.append(filled)
        done = errors = 0
        started = time.perf_counter()
        while done < total:
            count = min(BATCH, total - done)
            errors += await batch(fake, mix, count)
            done += count
            label = "warm" if done == warm_up(total) else "end" if done == total else ""
            readings.append(await reading(done, errors, label))
        busy = time.perf_counter() - started
        await asyncio.sleep(IDLE_SECONDS)  # every view times out
        idle = await reading(done, errors, "idle")
        violations = [str(v) for v in fake.take_violations()]
        to_bot.put(("done", (readings, idle, busy, violations)))
        from_bot.get(timeout=60)
    finally:
        await fake.stop()


def load_process(plan: Plan, total: int, to_bot: Any, from_bot: Any) -> None:
    """Entry point of the load process."""
    logging.basicConfig(level=logging.WARNING, format="load %(levelname)s %(name)s: %(message)s")
    asyncio.run(drive(plan, total, to_bot, from_bot))


def warm_up(total: int) -> int:
    """Where growth starts to count: the first quarter, in whole batches (caches fill before it)."""
    return max(BATCH, total // 4 // BATCH * BATCH)


async def serve(
    store: DataStore[QueryEngine], to_bot: Any, from_bot: Any, tracing: bool
) -> tuple[Any, int, list[str]]:
    """The bot process: connect, serve (answering probes) until the load process reports, then close."""
    loop = asyncio.get_running_loop()
    info = await loop.run_in_executor(None, to_bot.get, True, 120)
    apply_endpoints(info["api_base"], info["gateway_url"])
    config = Config(
        discord=DiscordConfig(sync="guild", guild_ids=(info["guild_id"],)),
        cooldowns=CooldownConfig(),  # the default per-user limit: its state grows with the users
        answers=AnswersConfig(max_live_views=MAX_LIVE_VIEWS),
    )
    database = await Database.open(":memory:")
    bot = ArtsakhBot(config, SystemClock(), store, database, extensions=CORE_EXTENSIONS,
                     guild_ready_timeout=0.1, view_timeout=VIEW_TIMEOUT)  # fmt: skip
    settle_memory()
    trace: HeapTrace | None = None
    task = asyncio.create_task(bot.start(info["token"]))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 120)
        from_bot.put(os.getpid())
        while True:
            kind, *message = await loop.run_in_executor(None, to_bot.get, True, 7200)
            if kind == "done":
                result = message[0]
                break
            _, label = message
            if tracing and label == "filled":  # trace what the run allocates once the caches are full
                trace = HeapTrace()
            elif trace is not None and label:
                trace.take(label)
            from_bot.put(probe(bot))
        kept = len(bot.kept_asks)
    finally:
        await bot.close()
        await asyncio.gather(task, return_exceptions=True)
        await database.close()
        from_bot.put("closed")
    heap = trace.report("warm", "end", ROOT) + trace.report("end", "idle", ROOT) if trace else []
    return result, kept, heap


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def _inside(r: Reading) -> str:
    """The bot's own view: cache fill, tasks, sockets, pipes, kept-alive HTTP connections."""
    if r.inside is None:
        return ""
    entries = sum(n for n, _ in r.inside["caches"].values())
    caps = sum(cap for _, cap in r.inside["caches"].values())
    kinds = r.inside["descriptors"]
    idle, busy = r.inside["connections"]
    return (f" {entries:>7,}/{caps:<7,} {r.inside['tasks']:>5} {kinds.get('socket', 0):>7} "
            f"{kinds.get('pipe', 0):>5} {idle + busy:>5}")  # fmt: skip


def sockets(r: Reading) -> int:
    """Open sockets: the gateway and the HTTP connections kept alive (as many as answers were in flight)."""
    return int(r.inside["descriptors"].get("socket", 0)) if r.inside else 0


def report(result: Any, kept: int, total: int, trace: list[str]) -> int:
    """Print the readings and the goals beside what was measured; 0 when every goal is met."""
    readings, idle, busy, violations = result
    start, filled, *run = readings
    print(f"{'requests':>9} {'RSS MB':>8} {'threads':>8} {'open files':>11} {'errors':>7}"
          f" {'cache entries/caps':>15} {'tasks':>5} {'sockets':>7} {'pipes':>5} {'HTTP':>5}")  # fmt: skip
    for label, r in [("start", start), ("filled", filled), *((f"{r.requests:,}", r) for r in run),
                     ("idle", idle)]:  # fmt: skip
        print(f"{label:>9} {r.rss_mb:>8.1f} {r.threads:>8} {r.files:>11} {r.errors:>7}{_inside(r)}")
    print(f"(filled: before the run, new questions until the caches were at their caps; "
          f"idle: after {IDLE_SECONDS:.0f} s without requests)")  # fmt: skip
    if run[-1].inside:
        caches = run[-1].inside["caches"].items()
        print("caches at the end: " + ", ".join(f"{k} {n:,}/{c:,}" for k, (n, c) in caches))
        stores = run[-1].inside["discord"].items()
        print("discord.py keeps at the end: " + ", ".join(f"{k} {n:,}" for k, n in stores))
    warm = [r for r in run if r.requests >= warm_up(total)] or run
    per = BATCH
    rss_growth = slope([(r.requests / per, r.rss_mb) for r in warm])
    thread_growth = slope([(r.requests / per, float(r.threads)) for r in warm])
    file_growth = slope([(r.requests / per, float(r.files - sockets(r))) for r in warm])
    peak = max(r.rss_mb for r in run)
    errors = run[-1].errors
    caps_met = filled.inside is not None and full(filled.inside)
    rows = [
        ("Caches at their caps first", "all",
         f"{'all' if caps_met else 'not all'}: {filled.rss_mb - start.rss_mb:+.1f} MB", caps_met),
        ("RSS growth per 1,000 requests", f"<= {GOAL_RSS_MB_PER_1000} MB", f"{rss_growth:+.2f} MB",
         rss_growth <= GOAL_RSS_MB_PER_1000),
        ("Thread growth per 1,000", "0", f"{thread_growth:+.2f}", abs(thread_growth) < 0.05),
        ("Files and pipes, growth per 1,000", "0", f"{file_growth:+.2f}", abs(file_growth) < 0.05),
        ("Sockets after idle vs start", f"<= {sockets(start)}",
         f"{sockets(idle)} (busy peak {max(sockets(r) for r in run)})", sockets(idle) <= sockets(start)),
        ("RSS after idle vs busy peak", "<= peak+1", f"{idle.rss_mb - peak:+.1f} MB",
         idle.rss_mb - peak <= GOAL_IDLE_OVER_PEAK_MB),
        ("Long questions kept at the end", f"<= {MAX_LIVE_VIEWS:,}", f"{kept:,}", kept <= MAX_LIVE_VIEWS),
        ("Failed requests", "0", f"{errors}", errors == 0),
        ("Discord violations", "0", f"{len(violations)}", not violations),
    ]  # fmt: skip
    print(f"\n{total:,} requests from {USERS} users in {busy:.0f} s ({total / busy:.0f}/s, "
          f"{CONCURRENCY} at a time); growth measured from {warm[0].requests:,} requests on")  # fmt: skip
    print(f"{'measure':<32} {'goal':>10} {'measured':>28}  result")
    for name, goal, measured, ok in rows:
        print(f"{name:<32} {goal:>10} {measured:>28}  {'MET' if ok else 'MISSED'}")
    for line in violations[:5]:
        print(f"  {line}")
    for line in trace:
        print(line)
    return 0 if all(ok for *_, ok in rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="4,000 requests")
    parser.add_argument("--requests", type=int, default=None, help="how many (default 20,000)")
    parser.add_argument("--jurisdictions", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--trace", action="store_true", help="tracemalloc in the bot: what grew (slower; RSS not comparable)"
    )
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
            result, kept, trace = run_loop(serve(store, to_bot, from_bot, args.trace))
        finally:
            worker.join(30)
            if worker.is_alive():
                worker.terminate()
    return report(result, kept, total, trace)


if __name__ == "__main__":
    raise SystemExit(main())
