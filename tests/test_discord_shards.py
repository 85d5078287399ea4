"""The bot split over shards, end to end: two real ArtsakhBots on fakecord, each running some of the shards.

Each bot is what one process runs (its own connection to the shared state database, as two processes
have): it receives and answers the interactions of the servers of its shards only, and posts the
daily posts of those servers only, each exactly once. The clock is a ManualClock; the checks are run
by hand (``cog.scheduler.run_once()``), as in tests/test_discord_daily.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, cast

import botkit as kit
import discord
import pytest
from conftest import Opener
from fakecord import FakeChannel, FakeDiscord, FakeGuild, shard_of

from bot.config import Config, DailyConfig
from bot.core.clock import ManualClock
from bot.core.daily import PostOutcome
from bot.core.engine import QueryEngine
from bot.core.reloading import DataStore
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot
from bot.discordbot.cogs.daily import DailyCog
from bot.discordbot.daily_post import footer_part

UTC = dt.UTC
START = dt.datetime(2024, 8, 28, 12, 0, tzinfo=UTC)
POST_AT = dt.datetime(2024, 9, 2, 5, 0, tzinfo=UTC)  # 09:00 in Yerevan, the proclamation's anniversary
DAILY = "bot.discordbot.cogs.daily"
VERSION = "shards-1"


def dataset() -> Any:
    return kit.dataset(
        VERSION,
        countries=(kit.country("us", "United States"),),
        jurisdictions=(kit.place("california", "California", "state", "us"),),
        records=(kit.california_ajr32(),),
        events=(kit.PROCLAMATION,),
    )


def shard_config(fake: FakeDiscord, count: int, ids: Sequence[int] | None) -> Config:
    """A config aimed at ``fake`` that runs shards ``ids`` of ``count``, commands synced globally."""
    config = kit.bot_config(fake, sync="global", daily=DailyConfig(check_interval_seconds=3600.0))
    discord_config = dataclasses.replace(
        config.discord, shard_count=count, shard_ids=None if ids is None else tuple(ids)
    )
    return dataclasses.replace(config, discord=discord_config)


@dataclasses.dataclass
class Process:
    """One bot process: the bot, and the guilds whose interactions reached it."""

    bot: ArtsakhBot
    seen: list[int] = dataclasses.field(default_factory=list)

    @property
    def daily(self) -> DailyCog:
        cog = self.bot.get_cog("Daily")
        assert type(cog).__name__ == "DailyCog"
        return cast(DailyCog, cog)


def seen_by(process: Process) -> Callable[[discord.Interaction[Any]], Awaitable[None]]:
    """A listener noting the guild of every interaction that reaches ``process``."""

    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        if interaction.guild_id is not None:
            process.seen.append(interaction.guild_id)

    return on_interaction


@asynccontextmanager
async def processes(
    fake: FakeDiscord,
    run_bot: Any,
    tmp_path: Path,
    open_db: Opener,
    *,
    clock: ManualClock,
    count: int,
    splits: Sequence[Sequence[int]],
) -> AsyncIterator[list[Process]]:
    """One bot per split of the ``count`` shards, each on its own connection to the one state database."""
    async with AsyncExitStack() as stack:
        running: list[Process] = []
        for ids in splits:
            database = await open_db()
            store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=dataset())
            bot = kit.artsakh_bot(
                shard_config(fake, count, ids),
                clock,
                store,
                database,
                extensions=(*CORE_EXTENSIONS, DAILY),
            )
            process = Process(bot)

            bot.add_listener(seen_by(process), "on_interaction")
            await stack.enter_async_context(run_bot(bot))
            running.append(process)
        yield running


def server_on(fake: FakeDiscord, shard: int, count: int, name: str) -> FakeGuild:
    guild = fake.create_guild(name, shard=(shard, count))
    guild.add_channel("general")
    guild.add_channel("news")
    return guild


SPLITS = [(2, [[0], [1]]), (4, [[0, 1], [2, 3]]), (4, [[0, 2], [1, 3]])]


@pytest.mark.parametrize("split", SPLITS, ids=["2:0|1", "4:01|23", "4:02|13"])
async def test_each_process_answers_exactly_the_interactions_of_its_shards(
    fake_discord: FakeDiscord,
    run_bot: Any,
    tmp_path: Path,
    open_state_db: Opener,
    split: tuple[int, list[list[int]]],
) -> None:
    count, splits = split
    servers = {
        shard: [server_on(fake_discord, shard, count, f"Shard {shard} #{i}") for i in range(2)]
        for shard in range(count)
    }
    clock = ManualClock(START)
    running = processes(
        fake_discord, run_bot, tmp_path, open_state_db, clock=clock, count=count, splits=splits
    )
    async with running as procs:
        for process, ids in zip(procs, splits, strict=True):
            expected = {g.id for shard in ids for g in servers[shard]}
            if shard_of(fake_discord.guild.id, count) in ids:
                expected.add(fake_discord.guild.id)
            assert {g.id for g in process.bot.guilds} == expected
            assert sorted(process.bot.shards) == sorted(ids)
        assert fake_discord.connected_shards() == [(s, count) for s in range(count)]
        for shard in range(count):
            for guild in servers[shard]:
                owner = fake_discord.users[guild.owner_id]
                result = await fake_discord.slash("about", guild=guild, user=owner)
                assert result.acknowledged
                assert not result.timed_out
                assert f"Dataset {VERSION}" in result.text
        for process, ids in zip(procs, splits, strict=True):
            answered_here = {g.id for shard in ids for g in servers[shard]}
            assert sorted(process.seen) == sorted(answered_here), "each interaction reached its owner only"
    fake_discord.assert_no_violations()


async def test_daily_posts_are_split_by_shard_and_go_out_once(
    fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, open_state_db: Opener
) -> None:
    count, splits = 4, [[0, 1], [2, 3]]
    servers = [server_on(fake_discord, s, count, f"Shard {s}") for s in range(count) for _ in range(2)]
    channels: dict[int, FakeChannel] = {g.id: g.channel("news") for g in servers}
    clock = ManualClock(START)
    running = processes(
        fake_discord, run_bot, tmp_path, open_state_db, clock=clock, count=count, splits=splits
    )
    async with running as procs:
        for guild in servers:  # subscribed through the process that holds the server's shard
            owner = fake_discord.users[guild.owner_id]
            options = {"channel": channels[guild.id], "time": "09:00", "timezone": "Asia/Yerevan"}
            result = await fake_discord.slash("daily subscribe", options, guild=guild, user=owner)
            assert result.acknowledged
            assert "09:00" in result.text
        clock.set(POST_AT)
        first = await asyncio.gather(*(p.daily.scheduler.run_once() for p in procs))
        again = await asyncio.gather(*(p.daily.scheduler.run_once() for p in procs))  # nothing left to do
        assert again == [[], []]
        for _process, ids, results in zip(procs, splits, first, strict=True):
            posted = {r.guild_id for r in results if r.outcome is PostOutcome.SENT}
            assert posted == {g.id for g in servers if shard_of(g.id, count) in ids}
        for guild in servers:
            channel_posts = [m for m in fake_discord.messages_in(channels[guild.id]) if m.via == "channel"]
            assert len(channel_posts) == 1, guild.name
            assert footer_part(channel_posts[0].embeds[0]["footer"]["text"], POST_AT.date()) == 0
    fake_discord.assert_no_violations()
    fake_discord.assert_no_pings()


async def test_before_connecting_a_process_owns_no_server(tmp_path: Path, fake_discord: FakeDiscord) -> None:
    config = shard_config(fake_discord, 2, [1])
    clock = ManualClock(START)
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=dataset())
    bot = kit.artsakh_bot(config, clock, store, cast(Any, None))
    assert bot.owned_shards is not None
    assert bot.owned_shards.label == "shard 1 of 2"
    assert bot.owns_guild(1 << 22)
    assert not bot.owns_guild(2 << 22)
    unset = kit.artsakh_bot(shard_config(fake_discord, 1, None), clock, store, cast(Any, None))
    unset.shard_count = None  # neither set: the count comes from Discord at connect
    assert unset.owned_shards is None
    assert not unset.owns_guild(1 << 22)


async def test_with_neither_set_the_bot_runs_discords_recommended_count(
    fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, open_state_db: Opener
) -> None:
    fake_discord.recommended_shards = 3
    fake_discord.max_concurrency = 3
    guilds = [server_on(fake_discord, shard, 3, f"S{shard}") for shard in range(3)]
    clock = ManualClock(START)
    config = shard_config(fake_discord, 1, None)
    config = dataclasses.replace(config, discord=kit.discord_config(fake_discord))
    assert (config.discord.shard_count, config.discord.shard_ids) == (None, None)
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=dataset())
    bot = kit.artsakh_bot(config, clock, store, await open_state_db())
    async with run_bot(bot):
        assert bot.owned_shards is not None
        assert bot.owned_shards.label == "shards 0-2 of 3"
        assert fake_discord.connected_shards() == [(0, 3), (1, 3), (2, 3)]
        assert {g.id for g in guilds} <= {g.id for g in bot.guilds}
        assert all(bot.owns_guild(g.id) for g in guilds)


async def test_identifies_are_paced_by_discords_max_concurrency(
    fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, open_state_db: Opener
) -> None:
    """4 shards, max_concurrency 2: shards 2 and 3 wait for the keys of 0 and 1; Discord refuses nothing."""
    fake_discord.max_concurrency = 2
    fake_discord.identify_interval = 0.3  # Discord's 5 s, shortened on both sides
    clock = ManualClock(START)
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=dataset())
    bot = ArtsakhBot(
        shard_config(fake_discord, 4, None),
        clock,
        store,
        await open_state_db(),
        extensions=CORE_EXTENSIONS,
        guild_ready_timeout=0.05,
        reidentify_delay=0.3,
    )
    async with run_bot(bot, fast_identify=False):
        assert bot.identify_gate.max_concurrency == 2
        assert fake_discord.connected_shards() == [(s, 4) for s in range(4)]
        assert fake_discord.ready_count == 4
    fake_discord.assert_no_violations()
