"""Two bot processes that both run the same shard (a rolling restart, a crash, a wrong SHARD_IDS), end to end.

Two real ArtsakhBots on fakecord, each on its own connection to one PostgreSQL state database (as two
processes have), both running every shard. The daily scheduler claims each due post with a lease
(``claim_post``) and records it with ``finish_post``: every subscription is posted exactly once,
and a process that dies holding a claim is taken over once its lease runs out, with the channel's
history checked so nothing repeats and nothing is lost. The clock is a ManualClock; the checks are
run by hand (``cog.scheduler.run_once()``).

PostgreSQL only: on SQLite one process holds the state file (tests/test_discord_daily.py covers it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import botkit as kit
import pytest
from fakecord import FakeChannel, FakeDiscord, FakeGuild
from pgserver import PostgresServer
from test_discord_shards import POST_AT, START, dataset, shard_config

from bot.core.clock import ManualClock
from bot.core.daily import PostOutcome, post_nonce
from bot.core.engine import QueryEngine
from bot.core.reloading import DataStore
from bot.core.subscriptions import SubscriptionStore, subscribe
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot
from bot.discordbot.cogs.daily import DailyCog
from bot.discordbot.daily_post import footer_part
from bot.storage.postgres import PostgresDatabase
from bot.storage.postgres_subscriptions import PostgresSubscriptionStore

DAILY = "bot.discordbot.cogs.daily"
YEREVAN = "Asia/Yerevan"  # 09:00 there is POST_AT
NINE = dt.time(9, 0)
DAY = POST_AT.date()


class DiesBeforeRecording(PostgresSubscriptionStore):
    """A process that dies after sending a post and before recording it: ``finish_post`` never returns."""

    async def finish_post(
        self, channel_id: int, local_date: dt.date, *, owner: str, message_ids: list[int], now: dt.datetime
    ) -> bool:
        await asyncio.Event().wait()  # the process is gone; nothing is ever recorded
        raise AssertionError("unreachable")


@dataclasses.dataclass
class Twins:
    """Two processes on one state database, both running every shard."""

    bots: list[ArtsakhBot]
    clock: ManualClock

    def daily(self, index: int) -> DailyCog:
        cog = self.bots[index].get_cog("Daily")
        assert type(cog).__name__ == "DailyCog"
        return cast(DailyCog, cog)


@pytest.fixture
async def pg_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    url = postgres_server.take_database()
    yield url
    postgres_server.give_back(url)


@asynccontextmanager
async def twins(
    fake: FakeDiscord,
    run_bot: Any,
    tmp_path: Path,
    server: PostgresServer,
    url: str,
    *,
    stores: Sequence[type[PostgresSubscriptionStore]] = (PostgresSubscriptionStore,) * 2,
) -> AsyncIterator[Twins]:
    clock = ManualClock(START)
    async with AsyncExitStack() as stack:
        bots: list[ArtsakhBot] = []
        for index, store_class in enumerate(stores):
            database = await PostgresDatabase.open(url, password=server.password)
            stack.push_async_callback(database.close)
            folder = tmp_path / f"process-{index}"
            folder.mkdir()
            data = DataStore(folder, QueryEngine, clock=clock, dataset=dataset())
            bot = kit.artsakh_bot(
                shard_config(fake, 1, None),  # every shard, in both processes
                clock,
                data,
                cast(Any, database),
                extensions=(*CORE_EXTENSIONS, DAILY),
                subscriptions=cast(Any, store_class(database)),
            )
            await stack.enter_async_context(run_bot(bot))
            bots.append(bot)
        assert fake.take_violations("duplicate_shard"), "both processes run shard 0"
        yield Twins(bots, clock)


def servers(fake: FakeDiscord, count: int) -> list[FakeChannel]:
    channels = []
    for index in range(count):
        guild: FakeGuild = fake.create_guild(f"Server {index}", shard=(0, 1))
        channels.append(guild.add_channel("news"))
    return channels


async def subscribed(store: SubscriptionStore, channels: Sequence[FakeChannel], clock: ManualClock) -> None:
    """Subscribed days before the post (the bot's own /daily subscribe would reach both processes)."""
    for channel in channels:
        await subscribe(
            store,
            channel.guild.id,
            channel.id,
            time=NINE,
            zone=ZoneInfo(YEREVAN),
            empty_day="upcoming",
            created_by=1,
            now=clock.now(),
        )


def posts(fake: FakeDiscord, channel: FakeChannel) -> list[Any]:
    return [m for m in fake.messages_in(channel) if m.via == "channel"]


async def test_two_processes_running_one_shard_post_each_subscription_once(
    fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, postgres_server: PostgresServer, pg_url: str
) -> None:
    channels = servers(fake_discord, 8)
    async with twins(fake_discord, run_bot, tmp_path, postgres_server, pg_url) as pair:
        first, second = pair.daily(0), pair.daily(1)
        assert first.scheduler.owner != second.scheduler.owner
        await subscribed(first.store, channels, pair.clock)
        for year in range(3):  # three anniversaries, both processes checking at the same moment
            when = POST_AT.replace(year=POST_AT.year + year)
            pair.clock.set(when)
            results = await asyncio.gather(first.scheduler.run_once(), second.scheduler.run_once())
            sent = [r.channel_id for run in results for r in run if r.outcome is PostOutcome.SENT]
            assert sorted(sent) == sorted(c.id for c in channels), "each post sent by one process"
            assert await asyncio.gather(first.scheduler.run_once(), second.scheduler.run_once()) == [[], []]
            for channel in channels:
                footers = [m.embeds[0]["footer"]["text"] for m in posts(fake_discord, channel)]
                marked = [footer_part(text, when.date()) for text in footers]
                assert marked.count(0) == 1, f"{channel.guild.name} on {when.date()}"
                sub = await first.store.get(channel.id)
                assert sub is not None
                assert sub.last_posted_date == when.date()
                assert await first.store.pending(channel.id) is None
    for channel in channels:
        assert len(posts(fake_discord, channel)) == 3
    fake_discord.assert_no_pings()


async def test_a_process_that_dies_holding_posts_is_taken_over_when_its_lease_runs_out(
    fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, postgres_server: PostgresServer, pg_url: str
) -> None:
    fake_discord.nonce_window = 0  # Discord has forgotten the nonce: only the channel's history can tell
    channels = servers(fake_discord, 2)
    stores = (DiesBeforeRecording, PostgresSubscriptionStore)
    async with twins(fake_discord, run_bot, tmp_path, postgres_server, pg_url, stores=stores) as pair:
        dying, heir = pair.daily(0), pair.daily(1)
        await subscribed(heir.store, channels, pair.clock)
        pace = dying.poster.pacer.wait
        paced = 0

        async def one_send_then_hang() -> None:
            nonlocal paced
            paced += 1
            if paced > 1:
                await asyncio.Event().wait()  # the second post never goes out
            await pace()

        dying.poster.pacer.wait = one_send_then_hang  # type: ignore[method-assign]
        pair.clock.set(POST_AT)
        doomed = asyncio.create_task(dying.scheduler.run_once())
        try:
            await fake_discord.wait_for(
                lambda: sum(len(posts(fake_discord, c)) for c in channels) == 1 and paced == 2,
                what="one post sent and the other started",
            )
            for channel in channels:
                pending = await heir.store.pending(channel.id)
                assert pending is not None
                assert pending.claimed_by == dying.scheduler.owner
            [sent_before] = [c for c in channels if posts(fake_discord, c)]
            [never_sent] = [c for c in channels if not posts(fake_discord, c)]
            # the holder is gone, its leases still run: the other process leaves the posts alone
            pair.clock.set(POST_AT + heir.scheduler.lease - dt.timedelta(seconds=1))
            assert await heir.scheduler.run_once() == []
            pair.clock.set(POST_AT + heir.scheduler.lease)
            results = {r.channel_id: r for r in await heir.scheduler.run_once()}
        finally:
            doomed.cancel()
            with pytest.raises(asyncio.CancelledError):
                await doomed
        assert {r.outcome for r in results.values()} == {PostOutcome.SENT}
        assert {r.attempt for r in results.values()} == {2}, "a takeover, not a first try"
        [found] = posts(fake_discord, sent_before)
        assert results[sent_before.id].message_ids == (found.id,), "found in the history, not sent again"
        [late] = posts(fake_discord, never_sent)
        assert results[never_sent.id].message_ids == (late.id,), "not lost"
        for channel in channels:
            calls = fake_discord.calls_to("POST", f"/channels/{channel.id}/messages")
            assert [c.json["nonce"] for c in calls] == [post_nonce(channel.id, DAY)]
            sub = await heir.store.get(channel.id)
            assert sub is not None
            assert sub.last_posted_date == DAY
            assert await heir.store.pending(channel.id) is None
        assert await heir.scheduler.run_once() == []
    fake_discord.assert_no_pings()
