"""Benchmark: the scale-out run of tests/test_scale_out.py, timed (issue #17).

Three ``python -m bot run`` processes split six shards of 300 servers with 3,000 subscriptions
due in the same minute, against fakecord (Discord's global limit of 50 requests a second per bot,
over all processes) and a throwaway PostgreSQL server; the harness is tests/scaleout.py. One
process is killed with SIGKILL while it posts and started again.

Measured: the posts per second from the first post to the last against the 50/s ceiling, the
time from the kill until every post the killed process had in flight is recorded as done (full
recovery; ``daily.lease_seconds`` is 15 here) and until the restarted process is ready, the time from
a moderator's /admin reload through one process until all three answer from the new data, and that
every channel got exactly one post. The processes start 40 s before the posts fall due.

    python -m bench.bench_scaleout            # 3 processes, 300 servers, 3,000 subscriptions (4 min)
    python -m bench.bench_scaleout --quick    # 60 servers, 600 subscriptions
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

import pgserver  # noqa: E402
from fakecord import FakeDiscord  # noqa: E402
from scaleout import (  # noqa: E402
    DISCORD_GLOBAL_LIMIT,
    LEASE_SECONDS,
    NEW_VERSION,
    Cluster,
    Layout,
    reload_through_one_process,
)

from bench.summary import record  # noqa: E402

RATE_GOAL = 0.9  # of the 50/s ceiling
RELOAD_GOAL_S = 2.0
# The processes start this long (real seconds) before the posts fall due, so that all three are
# running and know of each other (their shares of the limit) when the minute comes, as in production.
LEAD = 40.0
VICTIM = 1
KILL_AFTER = 0.25  # of the victim's posts received by fakecord
TIMEOUT = 1200.0


@dataclass
class Posting:
    """One run's posting: its rate and whether every channel got exactly one post."""

    subscriptions: int
    ready_s: float  # the processes started to all ready
    posting_s: float  # the first post to the last
    posted: int
    duplicates: int
    global_429: int
    requests: int

    @property
    def rate(self) -> float:
        return self.posted / self.posting_s if self.posting_s > 0 else 0.0

    @property
    def exactly_once(self) -> bool:
        return self.posted == self.subscriptions and self.duplicates == 0


@dataclass
class Recovery:
    """The kill: what the killed process had in flight, and how long until all is well again."""

    in_flight: int  # its posts started and not recorded at the kill
    restart_ready_s: float  # the kill to the restarted process ready
    recovery_s: float  # the kill to every in-flight post of the victim recorded as done


async def first_post(cluster: Cluster) -> float:
    """When fakecord stored the first daily post (perf_counter time)."""
    assert cluster.tally is not None
    while cluster.tally.posted() == 0:
        await asyncio.sleep(0.01)
    return time.perf_counter()


@asynccontextmanager
async def servers() -> AsyncIterator[tuple[FakeDiscord, pgserver.PostgresServer]]:
    """fakecord and a PostgreSQL server for one run."""
    postgres = pgserver.start()
    fake = FakeDiscord()
    fake.populate_default()
    fake.check_violations_at_teardown = False
    await fake.start()
    try:
        yield fake, postgres
    finally:
        await fake.stop()
        postgres.stop()


async def run(layout: Layout, *, kill: bool) -> tuple[Posting, Recovery | None, float | None]:
    """One run: posting (with a kill when ``kill``, then a reload); the reload's propagation in seconds."""
    async with servers() as (fake, postgres):
        with tempfile.TemporaryDirectory(prefix="bench-scaleout-") as tmp:
            cluster = Cluster(fake, postgres, Path(tmp), layout, lead=LEAD)
            try:
                cluster.build_world()
                await cluster.subscribe_all()
                cluster.make_processes(moderators=[fake.world.mod.id])
                started = time.perf_counter()
                first = asyncio.create_task(first_post(cluster))
                await cluster.start_all()
                ready_s = time.perf_counter() - started
                if not await cluster.until_due():
                    print(f"warning: not ready {LEAD:.0f} s before the posts fell due", file=sys.stderr)
                recovery = await kill_and_restart(cluster) if kill else None
                await cluster.wait_posted(layout.subscriptions, timeout=TIMEOUT)
                last = time.perf_counter()
                assert cluster.tally is not None
                counts = cluster.tally.update()
                posting = Posting(
                    layout.subscriptions,
                    ready_s,
                    last - await first,
                    sum(1 for n in counts.values() if n > 0),
                    sum(n - 1 for n in counts.values() if n > 1),
                    fake.global_429_count,
                    sum(1 for c in fake.calls if c.authorized),
                )
                propagation = await reload_propagation(cluster) if kill else None
            finally:
                await cluster.close()
    return posting, recovery, propagation


async def kill_and_restart(cluster: Cluster) -> Recovery:
    """SIGKILL the victim once fakecord has a quarter of its posts; start it again; time the recovery."""
    victim = cluster.processes[VICTIM]
    mine = cluster.channel_ids(VICTIM)
    await cluster.wait_posted(int(len(mine) * KILL_AFTER), mine, timeout=TIMEOUT)
    await victim.kill()
    killed = time.perf_counter()
    held = await cluster.in_flight(mine)
    await cluster.start(victim)
    await victim.wait_ready()
    restart_ready_s = time.perf_counter() - killed
    while await cluster.recorded(held) < len(held):
        await asyncio.sleep(0.1)
    return Recovery(len(held), restart_ready_s, time.perf_counter() - killed)


async def reload_propagation(cluster: Cluster) -> float:
    """Seconds from the moderator's reload report to the last process's first answer from the new data."""
    queries, reported = await reload_through_one_process(cluster)
    failed = [a for a in queries.answers if not a.ok]
    if failed:
        raise AssertionError(f"{len(failed)} queries failed during the reload")
    firsts = [queries.first(n, NEW_VERSION) for n in range(len(cluster.processes))]
    return max(max(a.answered - reported, 0.0) for a in firsts if a is not None)


def row(what: str, goal: str, measured: str) -> str:
    return f"{what:<52}{goal:>24}{measured:>24}"


def table(layout: Layout, steady: Posting, killed: Posting, recovery: Recovery, propagation: float) -> str:
    ceiling = DISCORD_GLOBAL_LIMIT
    lines = [
        (
            f"{layout.processes} processes, {layout.shards} shards, {layout.guilds} servers, "
            f"{layout.subscriptions:,} subscriptions due at once"
        ),
        row("measure", "goal", "measured"),
        row(
            "daily posts per second, first to last",
            f">= {RATE_GOAL * ceiling:.0f}/s ({RATE_GOAL:.0%} of {ceiling})",
            f"{steady.rate:.1f}/s ({steady.rate / ceiling:.0%})",
        ),
        row("  the same with one process killed and restarted", "", f"{killed.rate:.1f}/s"),
        row(
            "each subscription posted exactly once (both runs)",
            f"{layout.subscriptions:,} x 1",
            f"{min(steady.posted, killed.posted):,}, {steady.duplicates + killed.duplicates} twice",
        ),
        row("SIGKILL -> restarted process ready", "", f"{recovery.restart_ready_s:.1f} s"),
        row(
            f"SIGKILL -> its {recovery.in_flight} posts in flight done (lease {LEASE_SECONDS:.0f} s)",
            "",
            f"{recovery.recovery_s:.1f} s",
        ),
        row("reload through one process -> served by all", "<= 2 s, no failed query", f"{propagation:.2f} s"),
        row("processes started -> all ready", "", f"{steady.ready_s:.1f} s"),
        row(
            "global 429s / REST requests (steady; killed)",
            "",
            f"{steady.global_429}/{steady.requests:,}; {killed.global_429}/{killed.requests:,}",
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_scaleout", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--quick", action="store_true", help="60 servers, 600 subscriptions")
    args = parser.parse_args(argv)
    layout = Layout(guilds=60) if args.quick else Layout()
    logging.basicConfig(level=logging.ERROR)
    print("steady run ...", file=sys.stderr, flush=True)
    steady, _, _ = asyncio.run(run(layout, kill=False))
    print("run with a SIGKILL and a reload ...", file=sys.stderr, flush=True)
    killed, recovery, propagation = asyncio.run(run(layout, kill=True))
    assert recovery is not None
    assert propagation is not None
    print(table(layout, steady, killed, recovery, propagation))
    exactly_once = steady.exactly_once and killed.exactly_once
    rate = f"{steady.rate:.1f}/s ({steady.rate / DISCORD_GLOBAL_LIMIT:.0%} of 50/s)"
    record("scaleout_rate", rate, steady.rate >= RATE_GOAL * DISCORD_GLOBAL_LIMIT)
    record("scaleout_once", f"{min(steady.posted, killed.posted):,} posted each run, "
           f"{steady.duplicates + killed.duplicates} twice", exactly_once)  # fmt: skip
    recovered = f"{recovery.recovery_s:.1f} s ({recovery.in_flight} in flight, lease {LEASE_SECONDS:.0f} s)"
    record("scaleout_recovery", recovered, None)
    record("scaleout_reload", f"{propagation:.2f} s, no failed query", propagation <= RELOAD_GOAL_S)
    return 0 if exactly_once else 1


if __name__ == "__main__":
    raise SystemExit(main())
