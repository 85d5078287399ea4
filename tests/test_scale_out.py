"""Scale-out end to end: three real bot processes, six shards, one PostgreSQL (issue #17).

Three ``python -m bot run`` processes split six shards (two each) of 300 servers with 3,000
subscribed channels, all due at 09:00 Yerevan. The processes reach fakecord (tests/fakecord,
which holds the bot to Discord's global 50 requests a second) and a throwaway PostgreSQL server
(tests/pgserver.py); the harness is tests/scaleout.py. One process is killed with SIGKILL while it
posts and started again: every channel gets its post exactly once, as fakecord records them.
Then a moderator's ``/admin reload`` through one process is served by all three, while /about is
asked of each without pause: no answer fails, and none goes back to the old data once a process
serves the new. The speed of the same run (posts per second against the ceiling, the time to recover from the
kill, the reload's propagation) is measured by bench/bench_scaleout.py, not asserted here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fakecord import FakeDiscord
from pgserver import PostgresServer
from scaleout import NEW_VERSION as NEW
from scaleout import OLD_VERSION as OLD
from scaleout import POST_DAY, Cluster, Layout, reload_through_one_process

LAYOUT = Layout(processes=3, shards=6, guilds=300, channels_per_guild=10)
VICTIM = 1  # the process killed while it posts
POSTED_BEFORE_KILL = 150  # of its 1,000 channels, as fakecord has received them
POSTING_TIMEOUT = 900.0  # 3,000 posts take a minute at 50/s; a loaded 2-core machine may take longer


@pytest.fixture
async def cluster(
    fake_discord: FakeDiscord, postgres_server: PostgresServer, tmp_path: Path
) -> AsyncIterator[Cluster]:
    cluster = Cluster(fake_discord, postgres_server, tmp_path, LAYOUT)
    try:
        yield cluster
    finally:
        await cluster.close()


async def test_three_processes_post_each_subscription_exactly_once_across_a_sigkill(cluster: Cluster) -> None:
    fake = cluster.fake
    cluster.build_world()
    await cluster.subscribe_all()
    cluster.make_processes(moderators=[fake.world.mod.id])
    await cluster.start_all()
    assert fake.connected_shards() == [(s, LAYOUT.shards) for s in range(LAYOUT.shards)]

    victim = cluster.processes[VICTIM]
    mine = cluster.channel_ids(VICTIM)
    assert len(mine) == LAYOUT.subscriptions // LAYOUT.processes
    await cluster.wait_posted(POSTED_BEFORE_KILL, mine, timeout=POSTING_TIMEOUT)
    await victim.kill()
    assert cluster.tally is not None
    posted_at_kill = cluster.tally.posted(mine)
    assert posted_at_kill < len(mine), "killed in the middle of its posting"
    assert await cluster.in_flight(mine), "posts were started and not recorded when it died"

    await cluster.start(victim)
    await victim.wait_ready()
    await cluster.wait_posted(LAYOUT.subscriptions, timeout=POSTING_TIMEOUT)

    dates = [
        r["last_posted_date"] for r in await cluster.fetch("SELECT last_posted_date FROM daily_subscriptions")
    ]
    assert len(dates) == LAYOUT.subscriptions
    assert set(dates) == {POST_DAY}, "every subscription recorded as posted today"
    assert await cluster.fetch("SELECT channel_id FROM daily_pending") == [], "no post left pending"
    per_channel = cluster.tally.update()
    twice = {c: n for c, n in per_channel.items() if n != 1}
    assert not twice, f"posted more than once: {twice}"
    assert sorted(per_channel) == sorted(cluster.channel_ids())

    queries, _ = await reload_through_one_process(cluster)
    for n in range(LAYOUT.processes):
        answers = queries.of(n)
        assert all(a.ok for a in answers), f"bot-{n} failed a query: {[a for a in answers if not a.ok]}"
        versions = [a.version for a in answers]
        switch = versions.index(NEW)
        assert switch > 0, f"bot-{n} served {OLD} before the reload"
        assert set(versions[:switch]) == {OLD}
        assert set(versions[switch:]) == {NEW}, f"bot-{n} went back to the old data: {versions}"

    for process in cluster.processes:
        assert "Traceback" not in process.log_text(), process.tail(60)
    await asyncio.gather(*(p.stop() for p in cluster.processes))
    assert [p.proc.returncode for p in cluster.processes if p.proc] == [0, 0, 0]
    fake.assert_no_pings()
