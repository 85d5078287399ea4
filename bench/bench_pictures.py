"""Benchmark: the pictures (/map, /stats, /timeline) against their budgets.

1. Cold renders on one core: ``render_png`` (what the rendering process runs) for each picture,
   in this process pinned to one CPU, every render a cache miss.
2. Through the real bot on the fake Discord server (tests/fakecord), with the real process pool:
   the first /map (render in the worker), then cached /map answers side by side with /list
   (the same list without a picture) as the baseline.
3. Memory: resident size of the bench process (the bot and the fake server) plus the
   rendering worker and the fork server, after rendering.

Budgets: cached picture p99 < 50 ms; cold render p99 < 1.5 s on one core; PNG < 1 MB;
the bot with rendering < 250 MB resident.

    python -m bench.bench_pictures            # 30 cold renders each, 200 cached answers
    python -m bench.bench_pictures --quick    # 8 and 50
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import logging
import multiprocessing.forkserver
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from fakecord import FakeDiscord, run_bot  # noqa: E402

from bot.config import Config, DiscordConfig  # noqa: E402
from bot.core.clock import ManualClock  # noqa: E402
from bot.core.engine import QueryEngine  # noqa: E402
from bot.core.figures import PictureData  # noqa: E402
from bot.core.loader import load_dataset  # noqa: E402
from bot.core.model import Dataset  # noqa: E402
from bot.core.reloading import DataStore  # noqa: E402
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot  # noqa: E402
from bot.pictures import service  # noqa: E402
from bot.pictures.render import render_png  # noqa: E402
from bot.pictures.service import geo_folder  # noqa: E402
from bot.storage import Database  # noqa: E402

CACHED_P99_MS = 50.0
COLD_P99_S = 1.5
PNG_BYTES = 1024 * 1024
RSS_MB = 250.0
NOW = dt.datetime(2025, 11, 25, 12, 0, tzinfo=dt.UTC)


def shipped() -> Dataset:
    """The shipped dataset (every place has its location)."""
    result = load_dataset(ROOT / "data")
    assert result.dataset is not None, result.problems
    return result.dataset


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def memory_mb(pid: int | str = "self") -> float:
    """Proportional set size (shared pages split between the processes sharing them), else RSS."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
        except OSError:
            continue
    return 0.0


def cold(engine: QueryEngine, runs: int) -> list[tuple[str, list[float], int]]:
    """Each picture rendered ``runs`` times in this process (pinned to one core)."""
    geo = str(geo_folder())
    timeline = engine.timeline_data(engine.timeline())
    pictures: list[tuple[str, Callable[[], PictureData | None]]] = [
        ("map: world with Europe", engine.map_data),
        ("map: Europe", lambda: engine.map_data(region="europe")),
        ("map: North America", lambda: engine.map_data(region="north-america")),
        ("stats: acts per year", engine.year_counts),
        ("timeline", lambda: timeline),
    ]
    rows = []
    render_png(engine.year_counts(), geo)  # fonts and outlines loaded once, as the worker's warm-up does
    for name, make in pictures:
        data = make()
        if data is None:
            continue
        times, size = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            png = render_png(data, geo)
            times.append(time.perf_counter() - started)
            size = max(size, len(png))
        rows.append((name, times, size))
    return rows


async def through_bot(dataset: Dataset, answers: int) -> dict[str, Any]:
    """The first /map (rendered in the worker), then cached /map and /list answers."""
    server = FakeDiscord()
    server.populate_default()
    await server.start()
    out: dict[str, Any] = {}
    try:
        with server.aim(), tempfile.TemporaryDirectory() as tmp:
            database = await Database.open(Path(tmp) / "bench.sqlite3")
            clock = ManualClock(NOW)
            store = DataStore(Path(tmp), QueryEngine, clock=clock, dataset=dataset)
            config = Config(
                discord=DiscordConfig(
                    sync="guild", guild_ids=(server.guild.id,), api_base=server.api_base,
                    gateway_url=server.gateway_url,
                ),
            )
            no_cooldown = dataclasses.replace(config.cooldowns, commands_per_window=0)
            config = dataclasses.replace(config, cooldowns=no_cooldown)
            bot = ArtsakhBot(config, clock, store, database, extensions=CORE_EXTENSIONS, reidentify_delay=0)
            try:
                async with run_bot(bot, server, timeout=60.0, guild_ready_timeout=2.0) as running:
                    started = time.perf_counter()
                    first = await server.slash("map")
                    await first.wait_until(lambda r: r.message is not None and not r.message.loading, 60)
                    out["first"] = time.perf_counter() - started
                    await running.pictures.warm_up()
                    started = time.perf_counter()
                    second = await server.slash("map", {"region": "europe"})
                    await second.wait_until(lambda r: r.message is not None and not r.message.loading, 60)
                    out["warm_worker"] = time.perf_counter() - started
                    # measured before the burst below: the fake server keeps every PNG it is sent
                    out["rss_bot"] = memory_mb()
                    pool = service._POOL
                    workers = list(getattr(pool, "_processes", {}) or {}) if pool else []
                    out["rss_workers"] = sum(memory_mb(pid) for pid in workers)
                    server_pid = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
                    out["rss_forkserver"] = memory_mb(server_pid) if server_pid else 0.0
                    for name, options in (("map", {}), ("list", {})):
                        times = []
                        for _ in range(answers):
                            result = await server.slash(name, options)
                            assert result.elapsed is not None
                            assert not result.deferred
                            times.append(result.elapsed)
                        out[name] = times
                    out["png"] = max(len(f.data) for m in server.bot_messages for f in m.attachments)
                    out["renders"] = running.pictures.renders
                    out["rss_after"] = memory_mb()
            finally:
                await database.close()
        server.assert_no_violations()
    finally:
        await server.stop()
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.1f} ms"


def main(argv: list[str] | None = None) -> int:
    first_line = (__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m bench.bench_pictures", description=first_line)
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    args = parser.parse_args(argv)
    runs, answers = (8, 50) if args.quick else (30, 200)
    logging.basicConfig(level=logging.ERROR)
    dataset = shipped()
    engine = QueryEngine(dataset)
    bot = asyncio.run(through_bot(dataset, answers))  # first: matplotlib is not loaded here yet
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rows = cold(engine, runs)

    ok = True
    lines = [
        f"Pictures of the shipped data: {len(dataset.records)} records, {len(dataset.jurisdictions)} places",
        "",
        f"  cold renders on one core ({runs} each)      p50       p99      max     PNG",
    ]
    worst_cold, worst_png = 0.0, 0
    for name, times, size in rows:
        p99 = percentile(times, 99)
        worst_cold, worst_png = max(worst_cold, p99), max(worst_png, size)
        median, most = statistics.median(times) * 1000, max(times) * 1000
        kib = size / 1024
        lines.append(f"  {name:<38} {median:6.0f} ms {p99 * 1000:6.0f} ms {most:6.0f} ms {kib:5.0f} KiB")
    cached, listed = bot["map"], bot["list"]
    p99_cached, p99_listed = percentile(cached, 99), percentile(listed, 99)
    ratio = p99_cached / p99_listed
    lines += [
        "",
        f"  through the bot ({answers} answers each)       p50       p99",
        f"  /map, picture cached                   {ms(statistics.median(cached))} {ms(p99_cached)}",
        f"  /list, same list, no picture (base)    {ms(statistics.median(listed))} {ms(p99_listed)}",
        f"  ratio /map : /list at p99              {ratio:6.2f}x",
        f"  first /map (worker start + render)     {bot['first']:6.2f} s",
        f"  uncached /map, warm worker             {bot['warm_worker']:6.2f} s",
        f"  renders for {2 + 2 * answers} answers                   {bot['renders']}",
        "",
        f"  memory (PSS): bench process {bot['rss_bot']:.0f} MB (the bot and the fake server, no matplotlib)",
        f"  + rendering worker {bot['rss_workers']:.0f} MB + fork server {bot['rss_forkserver']:.0f} MB",
        f"  after {2 * answers} answers: bench process {bot['rss_after']:.0f} MB (the fake keeps every PNG)",
        "",
    ]
    total_rss = bot["rss_bot"] + bot["rss_workers"] + bot["rss_forkserver"]
    checks = [
        ("cached picture p99", percentile(cached, 99) * 1000, CACHED_P99_MS, "ms"),
        ("cold render p99, one core", worst_cold, COLD_P99_S, "s"),
        ("largest PNG", max(worst_png, bot["png"]) / 1024, PNG_BYTES / 1024, "KiB"),
        ("memory with rendering", total_rss, RSS_MB, "MB"),
    ]
    lines.append(f"  {'target':<28} {'measured':>10} {'budget':>10}")
    for name, value, budget, unit in checks:
        passed = value < budget
        ok = ok and passed
        lines.append(
            f"  {name:<28} {value:>7.2f} {unit:<3}{budget:>7.1f} {unit:<3} {'PASS' if passed else 'MISS'}"
        )
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
