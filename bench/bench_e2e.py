"""End-to-end latency of the real bot through the fake Discord server (tests/fakecord).

    python -m bench.bench_e2e            # 100,000 jurisdictions, 30 s at 100/s, then a saturation search
    python -m bench.bench_e2e --quick    # smaller and shorter, for a smoke run

One bot process (ArtsakhBot with the lookup and info cogs, the real discord.py client) runs
against FakeDiscord, which lives in a second process together with the load generator, so the
bot has its own interpreter and core, as it would in production. A steady, open-loop mix of
slash commands and autocompletes, with varied inputs (typos, prefixes of any length, random
words; the bot's answer-cache hit rate is printed), is offered at a fixed rate; each
interaction's latency counts from when it was meant to be sent (so a late sender hides no
queueing) to the bot's accepted callback (so it includes the gateway and HTTP round trips).
Saturation steps last 15 s each (``$BENCH_STEP_SECONDS`` or ``--step`` for a quick look);
the saturation point is the highest offered rate at which the p99 stays under 1 s with no
errors. At high rates the fake's own process can be the limit, so the bot alone may go
further than the table shows: each step prints the CPU share of the bot process and of the
fake with its load generator (the harness), and the bot's CPU time per interaction.

``--code DIR`` serves with another checkout's ``bot`` package (the fake, the load and this
script stay this checkout's), for a before/after comparison: run the two in turn, as close
together as the machine allows (``git worktree add /tmp/before <commit>``).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import datetime as dt
import gc
import logging
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server lives with the tests


def _code_dir(argv: list[str]) -> Path | None:
    """The checkout named by ``--code``, read before the bot package is first imported."""
    for i, arg in enumerate(argv):
        if arg == "--code" and i + 1 < len(argv):
            return Path(argv[i + 1]).resolve()
        if arg.startswith("--code="):
            return Path(arg.partition("=")[2]).resolve()
    return None


CODE = _code_dir(sys.argv[1:])  # the load process (spawned) gets the same arguments
if CODE is not None:  # a folder holding only that checkout's `bot`, first on the path
    _ONLY_BOT = Path(tempfile.mkdtemp(prefix="bench-e2e-code-"))
    (_ONLY_BOT / "bot").symlink_to(CODE / "bot", target_is_directory=True)
    atexit.register(shutil.rmtree, _ONLY_BOT, ignore_errors=True)
    sys.path.insert(0, str(_ONLY_BOT))

from botkit import country, dataset, event, place, record, src  # noqa: E402
from fakecord import FakeDiscord, InteractionResult  # noqa: E402

import bot  # noqa: E402
from bench.summary import record as record_row  # noqa: E402
from bot.config import Config, CooldownConfig, DiscordConfig  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.engine import QueryEngine  # noqa: E402
from bot.core.model import Country, Dataset, Jurisdiction, Kind, Level, PartialDate, Record  # noqa: E402
from bot.core.reloading import DataStore  # noqa: E402
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot, settle_memory  # noqa: E402
from bot.discordbot.cache import EngineCache  # noqa: E402
from bot.discordbot.runner import apply_endpoints, run_loop  # noqa: E402
from bot.storage.database import Database  # noqa: E402

STEADY_RATE = 100
P99_TARGET_MS = 50.0
SATURATION_P99_S = 1.0
SATURATION_TARGET = 400
DEFERRED = 5  # the interaction response type "deferred channel message with source"
FOLLOW_UP_WAIT = 15.0  # seconds a run waits for the follow-ups of its deferred answers
RATES = (150, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000)  # the saturation steps, per second
DEFAULT_STEP = 15.0  # seconds per saturation step: long enough for queues to show
STEP_ENV = "BENCH_STEP_SECONDS"  # a shorter step for a quick look (make bench keeps the default)
LEVELS = {
    "city": Level.CITY,
    "town": Level.CITY,
    "county": Level.COUNTY,
    "region": Level.REGION,
    "province": Level.REGION,
    "state": Level.STATE,
    "country": Level.NATIONAL,
    "union": Level.SUPRANATIONAL,
}


# ---------------------------------------------------------------------------------------------- data


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")
    return "-".join(p for p in out.split("-") if p) or "x"


def build_dataset(jurisdictions: int, *, records_every: int = 100, seed: int = 7) -> Dataset:
    """A dataset with ``jurisdictions`` places (bench/synthetic.py names) and a record for every Nth."""
    rng = random.Random(seed)
    try:
        from bench.synthetic import synthetic_names

        entries = [(e.key, e.label, e.names) for e in synthetic_names(jurisdictions, seed=0)]
    except ImportError:  # the matching benchmark's generator is missing: invent plain names
        entries = [
            (f"s:{i}", f"Place {i} (city, Country {i % 20})", (f"Place {i}",)) for i in range(jurisdictions)
        ]
    countries: dict[str, Country] = {}
    places: list[Jurisdiction] = []
    seen_ids: set[str] = set()
    for key, label, names in entries:
        inside = label.rsplit("(", 1)[-1].rstrip(")")
        level_word, _, country_name = (part.strip() for part in inside.partition(","))
        if key.startswith("c:"):
            country_id = key[2:]
            countries[country_id] = country(country_id, *names)
            continue
        country_name = country_name or "Elsewhere"
        country_id = _slug(country_name)
        countries.setdefault(country_id, country(country_id, country_name))
        place_id = key[2:] if key.startswith("j:") else f"p{key[2:]}-{_slug(names[0])[:40]}"
        if place_id in seen_ids:
            continue
        seen_ids.add(place_id)
        places.append(place(place_id, names[0], LEVELS.get(level_word, Level.CITY), country_id, *names[1:]))
    bodies = ("City Council", "Legislative Assembly", "Senate", "Board of Supervisors", "Regional Council")
    kinds = tuple(Kind)
    records: list[Record] = []
    for index, where in enumerate(places):
        if index % records_every and index >= 40:
            continue
        year = rng.randint(1988, 2024)
        month = rng.choice((None, rng.randint(1, 12), rng.randint(1, 12)))
        day = rng.randint(1, 28) if month and rng.random() < 0.8 else None
        records.append(
            record(
                f"r-{where.id}",
                where.id,
                rng.choice(bodies),
                PartialDate(year, month, day),
                rng.choice(kinds),
                f"{where.name} resolution on Artsakh",
                f"The {where.name} body adopted a text about the Republic of Artsakh.",
                src(where.id, f"{where.name} record"),
            )
        )
    events = (
        event(
            f"event-{year}",
            f"Event of {year}",
            PartialDate(year, 1 + year % 12, 1 + year % 28),
            "Something happened.",
            f"events/{year}",
        )
        for year in range(1988, 2024)
    )
    return dataset(
        "bench",
        methodology="Synthetic data for benchmarks.",
        countries=countries.values(),
        jurisdictions=places,
        records=records,
        events=events,
    )


# ---------------------------------------------------------------------------------------------- load


Op = Callable[[FakeDiscord, random.Random], Awaitable[InteractionResult]]


@dataclass
class Sample:
    """One interaction: which operation, its latency, whether it failed."""

    kind: str
    seconds: float | None
    error: str | None = None


@dataclass
class Run:
    """The samples of one fixed-rate run."""

    rate: float
    duration: float
    samples: list[Sample] = field(default_factory=list)
    dispatch_seconds: float = 0.0
    wall: tuple[float, float] = (0.0, 0.0)  # time.time() at start and end, to match the bot's CPU samples
    load_cpu: float = 0.0  # CPU seconds the fake and load generator used
    machine: float = float("nan")  # the share of the machine's CPUs busy (any process), Linux
    bot_cpu: float = 0.0  # CPU seconds the bot process used (filled in by the bot process)

    @property
    def latencies(self) -> list[float]:
        return sorted(s.seconds for s in self.samples if s.seconds is not None and s.error is None)

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.error is not None)

    def percentile(self, q: float) -> float:
        values = self.latencies
        if not values:
            return float("inf")
        return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


@dataclass
class Plan:
    """What the load process needs: names to type, and the rates and durations to run."""

    names: list[str]
    recorded: list[str]
    countries: list[str]
    words: list[str]
    duration: float
    step: float
    rates: list[float]
    seed: int
    rate: float = STEADY_RATE  # the steady load


def make_plan(dataset: Dataset, args: argparse.Namespace) -> Plan:
    """Sample the names the simulated users type (ASCII, as typed on a keyboard)."""
    rng = random.Random(args.seed)
    places = [j for j in dataset.jurisdictions if j.name.isascii()]
    with_records = {r.jurisdiction for r in dataset.records}
    names = [j.name for j in rng.sample(places, min(5000, len(places)))]
    recorded = [j.name for j in places if j.id in with_records][:5000] or names
    words = sorted({w for r in dataset.records[:3000] for w in f"{r.title} {r.summary} {r.body}".split()
                    if w.isalpha() and len(w) > 2})
    return Plan(
        names, recorded, [c.name for c in dataset.countries], words, args.duration, args.step, args.rates,
        args.seed,
        getattr(args, "rate", STEADY_RATE),  # the soak benchmark plans without a steady load
    )


class Mix:
    """A weighted mix of slash commands and autocompletes."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.rng = rng
        self.names = plan.names
        self.recorded = plan.recorded
        self.countries = plan.countries
        self.vocabulary = plan.words or ["resolution", "artsakh", "council", "senate", "republic"]
        self.ops: list[tuple[str, float, Callable[[FakeDiscord], Awaitable[Any]]]] = [
            ("ac /jurisdiction", 30, self.ac_jurisdiction),
            ("ac /resolution", 10, self.ac_resolution),
            ("ac /list country", 5, self.ac_country),
            ("/jurisdiction", 20, self.jurisdiction),
            ("/jurisdiction typo", 5, self.jurisdiction_typo),
            ("/resolution", 10, self.resolution),
            ("/date", 10, self.date),
            ("/onthisday", 5, self.onthisday),
            ("/timeline", 3, self.timeline),
            ("/stats", 2, self.stats),
        ]
        self.weights = [w for _, w, _ in self.ops]

    def pick(self) -> tuple[str, Callable[[FakeDiscord], Awaitable[Any]]]:
        name, _, call = self.rng.choices(self.ops, self.weights)[0]
        return name, call

    # Varied inputs, as many people typing would send: few repeat, so the bot's answer caches
    # help little (the hit rate is printed).
    def _typo(self, text: str) -> str:
        if len(text) < 5:
            return text
        i = self.rng.randrange(1, len(text) - 2)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]

    def _prefix(self) -> str:
        name = self.rng.choice(self.names)
        prefix = name[: self.rng.randint(1, min(12, len(name)))]
        return self._typo(prefix) if self.rng.random() < 0.2 else prefix

    def _words(self, count: int) -> str:
        return " ".join(self.rng.choice(self.vocabulary) for _ in range(count))

    async def ac_jurisdiction(self, fake: FakeDiscord) -> Any:
        return await fake.autocomplete("jurisdiction", {"name": self._prefix()}, "name")

    async def ac_resolution(self, fake: FakeDiscord) -> Any:
        typed = self._words(self.rng.randint(1, 2))
        typed = typed[: self.rng.randint(2, len(typed))]
        return await fake.autocomplete("resolution", {"query": typed}, "query")

    async def ac_country(self, fake: FakeDiscord) -> Any:
        country = self.rng.choice(self.countries)
        return await fake.autocomplete("list", {"country": country[: self.rng.randint(1, 6)]}, "country")

    async def jurisdiction(self, fake: FakeDiscord) -> Any:
        pool = self.recorded if self.rng.random() < 0.7 else self.names
        return await fake.slash("jurisdiction", {"name": self.rng.choice(pool)})

    async def jurisdiction_typo(self, fake: FakeDiscord) -> Any:
        return await fake.slash("jurisdiction", {"name": self._typo(self.rng.choice(self.recorded))})

    async def resolution(self, fake: FakeDiscord) -> Any:
        roll = self.rng.random()
        if roll < 0.4:
            query = f"{self.rng.choice(self.recorded)} {self._words(1)}"
        elif roll < 0.6:
            query = self.rng.choice(("resolution", "artsakh", "council", "republic", "recognition"))
        else:
            query = self._words(self.rng.randint(1, 3))
        return await fake.slash("resolution", {"query": query})

    async def date(self, fake: FakeDiscord) -> Any:
        year, month, day = self.rng.randint(1988, 2024), self.rng.randint(1, 12), self.rng.randint(1, 28)
        months = ("jan", "feb", "march", "april", "may", "june", "july", "aug", "sept", "oct", "nov",
                  "december")
        when = self.rng.choice((
            str(year), f"{year}-{month:02d}", f"{months[month - 1]} {year}",
            f"{day} {months[month - 1]} {year}",
            f"{year}-{month:02d}-{day:02d}", f"{year}-{year + self.rng.randint(1, 5)}",
        ))
        return await fake.slash("date", {"when": when})

    async def onthisday(self, fake: FakeDiscord) -> Any:
        month = self.rng.choice(("january", "march", "may", "july", "september", "november", "december"))
        return await fake.slash("onthisday", {"date": f"{self.rng.randint(1, 28)} {month}"})

    async def timeline(self, fake: FakeDiscord) -> Any:
        start = self.rng.randint(1988, 2015)
        return await fake.slash("timeline", {"from_year": start, "to_year": start + 8})

    async def stats(self, fake: FakeDiscord) -> Any:
        return await fake.slash("stats", {})


async def _one(
    fake: FakeDiscord, kind: str, call: Callable[[FakeDiscord], Awaitable[Any]], intended: float
) -> Sample:
    """One interaction; its latency counts from when it should have been sent (a late sender
    does not hide queueing), to the bot's accepted callback."""
    index = len(fake.interactions)  # the helper appends its interaction before its first await
    try:
        await call(fake)
    except Exception as exc:
        return Sample(kind, None, f"{type(exc).__name__}: {exc}")
    if index >= len(fake.interactions):
        return Sample(kind, None, "no interaction recorded")
    result = fake.interactions[index]
    late = None if result.responded_at is None else result.responded_at - intended
    if not result.acknowledged or result.timed_out:
        return Sample(kind, late, "unanswered")
    if result.callback_status not in (200, 204):
        return Sample(kind, late, f"callback status {result.callback_status}")
    return Sample(kind, late)


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat; (0, 0) elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


async def run_at(fake: FakeDiscord, mix: Mix, rate: float, duration: float) -> Run:
    """Offer ``rate`` interactions per second for ``duration`` seconds (open loop)."""
    loop = asyncio.get_running_loop()
    total = max(1, int(rate * duration))
    tasks: list[asyncio.Task[Sample]] = []
    ticks_start = machine_ticks()
    wall_start, cpu_start = time.time(), time.process_time()
    start = loop.time()
    for i in range(total):
        intended = start + i / rate
        delay = intended - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        kind, call = mix.pick()
        tasks.append(asyncio.create_task(_one(fake, kind, call, intended)))
    dispatched = loop.time() - start
    samples = list(await asyncio.gather(*tasks))
    run = Run(rate, duration, samples, dispatched, (wall_start, time.time()), time.process_time() - cpu_start)
    busy, ticks = (end - start for end, start in zip(machine_ticks(), ticks_start, strict=True))
    if ticks:
        run.machine = busy / ticks
    # A deferred answer (a /timeline picture) follows later: forgetting its token first would
    # turn that follow-up into an unknown webhook.
    deferred = [r for r in fake.interactions if r.response_type == DEFERRED and not r.followups]
    waited = loop.time() + FOLLOW_UP_WAIT
    while any(not r.followups for r in deferred) and loop.time() < waited:
        await asyncio.sleep(0.05)
    fake.forget()  # keep the fake's memory flat between runs
    return run


# ---------------------------------------------------------------------------------------------- report


def ms(seconds: float) -> str:
    return "—" if seconds == float("inf") else f"{seconds * 1000:7.1f}"


def print_steady(run: Run) -> None:
    lat = run.latencies
    seconds = max(run.wall[1] - run.wall[0], 1e-9)
    per_op = 1000 * run.bot_cpu / max(len(run.samples), 1)
    print(
        f"\nSteady load: {run.rate:.0f}/s offered for {run.duration:.0f} s "
        f"({len(run.samples)} interactions, dispatched in {run.dispatch_seconds:.1f} s; "
        f"bot CPU {run.bot_cpu / seconds:.0%}, {per_op:.2f} ms per interaction)"
    )
    print(f"  {'operation':<20} {'count':>6} {'median ms':>10} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in run.samples:
        by_kind[sample.kind].append(sample)
    for kind in sorted(by_kind):
        part = Run(run.rate, run.duration, by_kind[kind])
        values = part.latencies
        median = statistics.median(values) if values else float("inf")
        worst = values[-1] if values else float("inf")
        print(
            f"  {kind:<20} {len(by_kind[kind]):>6} {ms(median):>10}"
            f" {ms(part.percentile(0.99)):>8} {ms(worst):>8} {part.errors:>7}"
        )
    median = statistics.median(lat) if lat else float("inf")
    print(
        f"  {'ALL':<20} {len(run.samples):>6} {ms(median):>10} {ms(run.percentile(0.99)):>8}"
        f" {ms(lat[-1] if lat else float('inf')):>8} {run.errors:>7}"
    )
    ok = run.percentile(0.99) * 1000 < P99_TARGET_MS and run.errors == 0
    print(f"  target: p99 < {P99_TARGET_MS:.0f} ms with no errors → {'MET' if ok else 'MISSED'}")
    errors = [s.error for s in run.samples if s.error]
    if errors:
        print(f"  first errors: {errors[:3]}")


def print_saturation(runs: list[Run], best: float) -> None:
    print(f"\nSaturation (p99 must stay under {SATURATION_P99_S:.0f} s with no errors):")
    print(
        f"  {'offered/s':>9} {'achieved/s':>10} {'median ms':>10} {'p99 ms':>9} {'errors':>7}"
        f" {'bot CPU':>8} {'CPU ms/op':>9} {'fake CPU':>9} {'fake ms/op':>10} {'machine':>8}  verdict"
    )
    for run in runs:
        achieved = len(run.samples) / max(run.dispatch_seconds, run.duration * 0.999)
        ok = run.percentile(0.99) < SATURATION_P99_S and run.errors == 0
        lat = run.latencies
        median = statistics.median(lat) if lat else float("inf")
        seconds = max(run.wall[1] - run.wall[0], 1e-9)
        print(
            f"  {run.rate:>9.0f} {achieved:>10.0f} {ms(median):>10} {ms(run.percentile(0.99)):>9}"
            f" {run.errors:>7} {run.bot_cpu / seconds:>8.0%}"
            f" {1000 * run.bot_cpu / max(len(run.samples), 1):>9.2f} {run.load_cpu / seconds:>9.0%}"
            f" {1000 * run.load_cpu / max(len(run.samples), 1):>10.2f} {run.machine:>8.0%}"
            f"  {'ok' if ok else 'saturated'}"
        )
    verdict = "MET" if best >= SATURATION_TARGET else "MISSED"
    print(f"  saturation point: {best:.0f}/s (target ≥ {SATURATION_TARGET}/s → {verdict})")
    measured = [r for r in runs if r.bot_cpu > 0 and r.errors == 0 and r.percentile(0.99) < SATURATION_P99_S]
    if measured:
        fastest = max(measured, key=lambda r: r.rate)
        per_op = fastest.bot_cpu / len(fastest.samples)
        print(
            f"  the bot used {per_op * 1000:.2f} ms of CPU per interaction: a core of its own would serve"
            f" about {1 / per_op:.0f}/s (the fake and the machine's other work share these 2 CPUs)"
        )


# ---------------------------------------------------------------------------------------------- main


# rate, duration, dispatch seconds, samples, wall span, harness CPU seconds, machine busy share
Packed = tuple[
    float, float, float, list[tuple[str, float | None, str | None]], tuple[float, float], float, float
]
Result = tuple[list[Packed], list[str]]  # the load process's runs and the fake's violations
# a run as packed, with the bot's CPU seconds over its wall span
Measured = tuple[
    float, float, float, list[tuple[str, float | None, str | None]], tuple[float, float], float, float, float
]


async def drive(plan: Plan, to_bot: Any, from_bot: Any) -> None:
    """The load process: serve the fake Discord, wait for the bot, run every phase, report back."""
    fake = FakeDiscord()
    fake.populate_default()
    fake.check_violations_at_teardown = False
    # The bot asks only for the guilds intent: Discord sends it no MESSAGE_CREATE for its own
    # public answers, so the fake sends none either (the bot would parse each one for nothing).
    fake.dispatch_message_events = False
    await fake.start()
    to_bot.put(
        {
            "api_base": fake.api_base,
            "gateway_url": fake.gateway_url,
            "token": fake.token,
            "guild_id": fake.guild.id,
        }
    )
    try:
        await fake.wait_until_connected(timeout=120)
        await fake.wait_for(lambda: fake.ready_count >= 1, timeout=60, what="READY")
        await asyncio.sleep(0.5)  # GUILD_CREATE handled and on_ready fired
        mix = Mix(plan, random.Random(plan.seed))
        await run_at(fake, mix, 50, 1.0)  # warm up caches and code paths
        runs = [await run_at(fake, mix, plan.rate, plan.duration)]
        # Violations under the steady load are failures; past saturation, late answers are
        # expected and already counted as that step's errors.
        steady_violations = [str(v) for v in fake.take_violations()]
        for rate in plan.rates:
            await asyncio.sleep(0.5)
            run = await run_at(fake, mix, rate, plan.step)
            runs.append(run)
            if run.percentile(0.99) >= SATURATION_P99_S or run.errors:
                break
        packed = [
            (
                r.rate,
                r.duration,
                r.dispatch_seconds,
                [(x.kind, x.seconds, x.error) for x in r.samples],
                r.wall,
                r.load_cpu,
                r.machine,
            )
            for r in runs
        ]
        fake.take_violations()
        to_bot.put((packed, steady_violations))
        from_bot.get(timeout=60)  # the bot has closed
    finally:
        await fake.stop()


def load_process(plan: Plan, to_bot: Any, from_bot: Any) -> None:
    """Entry point of the load process."""
    logging.basicConfig(level=logging.WARNING, format="load %(levelname)s %(name)s: %(message)s")
    asyncio.run(drive(plan, to_bot, from_bot))  # asyncio's loop: its clock has sub-ms resolution


class Probe:
    """Watches the bot process: event-loop lag and garbage-collector pauses."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.cpu: list[tuple[float, float]] = []  # (time.time(), process CPU seconds)
        self.pauses: dict[int, list[float]] = defaultdict(list)
        self._gc_start = 0.0
        self._task: asyncio.Task[None] | None = None

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.pauses[int(info["generation"])].append(time.perf_counter() - self._gc_start)

    async def _sample(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.01)
            self.lags.append(max(0.0, loop.time() - before - 0.01))
            self.cpu.append((time.time(), time.process_time()))

    def cpu_between(self, start: float, end: float) -> float:
        """CPU seconds the bot process used between two wall-clock instants."""
        inside = [c for t, c in self.cpu if start <= t <= end]
        return inside[-1] - inside[0] if len(inside) >= 2 else 0.0

    def __enter__(self) -> Probe:
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._sample())
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()

    def summary(self) -> str:
        lags = sorted(self.lags) or [0.0]
        full = self.pauses.get(2, [])
        return (
            f"Bot process: event-loop lag p99 {ms(lags[int(0.99 * (len(lags) - 1))]).strip()} ms, "
            f"max {ms(lags[-1]).strip()} ms; {len(full)} full GC pauses"
            + (f", longest {ms(max(full)).strip()} ms" if full else "")
            + f"; {sum(len(v) for v in self.pauses.values())} collections in all"
        )


def cache_line(bot: ArtsakhBot) -> str:
    """How often the cogs' answer and suggestion caches answered (the rest reached the engine)."""
    hits = misses = 0
    for cog in bot.cogs.values():
        for value in vars(cog).values():
            if isinstance(value, EngineCache):
                hits, misses = hits + value.hits, misses + value.misses
    total = hits + misses
    rate = f"{100 * hits / total:.0f}%" if total else "-"
    return f"Answer and suggestion caches: {hits:,} hits of {total:,} lookups ({rate})"


async def serve(
    store: DataStore[QueryEngine], to_bot: Any, from_bot: Any
) -> tuple[list[Measured], list[str], str]:
    """The bot process: connect to the fake the load process started, serve until it reports."""
    loop = asyncio.get_running_loop()
    info = await loop.run_in_executor(None, to_bot.get, True, 120)
    apply_endpoints(info["api_base"], info["gateway_url"])
    config = Config(
        discord=DiscordConfig(sync="guild", guild_ids=(info["guild_id"],)),
        cooldowns=CooldownConfig(commands_per_window=0, window_seconds=0),
    )
    database = await Database.open(":memory:")
    bot = ArtsakhBot(
        config,
        SystemClock(),
        store,
        database,
        extensions=CORE_EXTENSIONS,
        guild_ready_timeout=0.1,
    )
    settle_memory()
    task = asyncio.create_task(bot.start(info["token"]))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 120)
        with Probe() as probe:
            result: Result = await loop.run_in_executor(None, to_bot.get, True, 3600)
        caches = cache_line(bot)  # before closing: closing unloads the cogs
    finally:
        await bot.close()
        await asyncio.gather(task, return_exceptions=True)
        await database.close()
        from_bot.put("closed")
    packed, violations = result
    measured = [(*p, probe.cpu_between(*p[4])) for p in packed]
    return measured, violations, probe.summary() + "\n" + caches


def report(measured: list[Measured], violations: list[str], probe: str) -> int:
    """Print the tables; 0 when both targets are met."""
    runs = [
        Run(rate, duration, [Sample(*x) for x in samples], dispatched, wall, load_cpu, machine, bot_cpu)
        for rate, duration, dispatched, samples, wall, load_cpu, machine, bot_cpu in measured
    ]
    steady, steps = runs[0], runs[1:]
    print_steady(steady)
    best = 0.0
    for run in steps:
        if run.percentile(0.99) < SATURATION_P99_S and run.errors == 0:
            best = run.rate
    if steps:
        print_saturation(steps, best)
    print(f"\n{probe}")
    load = os.getloadavg()[0]
    print(f"Load average at the end: {load:.1f} on {os.cpu_count()} CPUs (other work here skews the numbers)")
    print(f"Discord violations recorded by the fake under the steady load: {len(violations)}")
    for line in violations[:5]:
        print(f"  {line}")
    ok = steady.errors == 0 and steady.percentile(0.99) * 1000 < P99_TARGET_MS and best >= SATURATION_TARGET
    if steps:  # not when only the steady load was asked for (--rates "")
        step = steps[0].duration
        record_row(
            "saturation",
            f"{best:.0f}/s ({step:.0f} s steps, latency from the intended send time)",
            best >= SATURATION_TARGET,
        )
    return 0 if ok and not violations else 1


def bench(args: argparse.Namespace) -> int:
    """Build the data, start the load process, serve, report."""
    t0 = time.perf_counter()
    dataset = build_dataset(args.jurisdictions, records_every=args.records_every)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = DataStore(Path(tmp), QueryEngine, clock=SystemClock(), dataset=dataset)
        t2 = time.perf_counter()
        print(
            f"Dataset: {len(dataset.jurisdictions):,} jurisdictions, {len(dataset.records):,} records, "
            f"{len(dataset.countries)} countries (built in {t1 - t0:.1f} s; "
            f"engine indexed in {t2 - t1:.1f} s)"
        )
        plan = make_plan(dataset, args)
        context = multiprocessing.get_context("spawn")
        to_bot, from_bot = context.Queue(), context.Queue()
        worker = context.Process(target=load_process, args=(plan, to_bot, from_bot), name="fake-discord-load")
        worker.start()
        try:
            measured, violations, probe = run_loop(serve(store, to_bot, from_bot))
        finally:
            worker.join(30)
            if worker.is_alive():
                worker.terminate()
    return report(measured, violations, probe)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="20,000 jurisdictions, 5 s steady, 2 s steps")
    parser.add_argument("--jurisdictions", type=int, default=None, help="dataset size (default 100,000)")
    parser.add_argument("--duration", type=float, default=None, help="steady-load seconds (default 30)")
    parser.add_argument(
        "--step", type=float, default=None,
        help=f"seconds per saturation step (default ${STEP_ENV} or {DEFAULT_STEP:g})",
    )
    parser.add_argument(
        "--records-every",
        type=int,
        default=100,
        help="one record per this many jurisdictions (default 100: 1,000 records, ten times the real data)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rate", type=float, default=STEADY_RATE, help=f"the steady load, per second (default {STEADY_RATE})"
    )
    parser.add_argument("--code", type=Path, default=None, help="serve with this checkout's bot package")
    parser.add_argument(
        "--rates",
        default=",".join(str(r) for r in RATES),
        help="the saturation steps' rates, comma-separated (empty: the steady load only)",
    )
    args = parser.parse_args(argv)
    args.jurisdictions = args.jurisdictions or (20_000 if args.quick else 100_000)
    args.duration = args.duration or (5.0 if args.quick else 30.0)
    args.step = args.step or float(os.environ.get(STEP_ENV) or (3.0 if args.quick else DEFAULT_STEP))
    args.rates = [float(r) for r in args.rates.split(",") if r.strip()]
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.CRITICAL)  # late answers past saturation are counted
    logging.getLogger("bot").setLevel(logging.ERROR)  # expired interactions are counted, not logged
    started = dt.datetime.now(dt.UTC)
    print(f"Bot package: {Path(bot.__file__).parent}")  # which checkout serves (see --code)
    code = bench(args)
    print(f"\nTotal time {(dt.datetime.now(dt.UTC) - started).total_seconds():.0f} s; exit code {code}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
