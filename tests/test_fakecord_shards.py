"""Self-tests of fakecord's sharding, with genuine discord.py AutoShardedClients (and a raw socket where
a client must break the protocol): GET /gateway/bot, IDENTIFY's ``[shard_id, shard_count]``, each guild on
its own shard ((guild_id >> 22) % shard_count), the close codes 4010 and 4011, and the IDENTIFY rate.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from fakecord import FakeDiscord, FakeGuild, shard_of


class ShardedTiny(discord.AutoShardedClient):
    """A minimal sharded client with one global command, /where, that says which client answered."""

    def __init__(
        self, name: str, *, shard_count: int | None = None, shard_ids: list[int] | None = None
    ) -> None:
        super().__init__(
            intents=discord.Intents(guilds=True),
            shard_count=shard_count,
            shard_ids=shard_ids,
            guild_ready_timeout=0.1,
            heartbeat_timeout=10.0,
        )
        self.name = name
        self.tree = app_commands.CommandTree(self)
        self.events: list[tuple[str, int]] = []  # (event, guild id)

        @self.tree.command(name="where", description="Which client and shard answer")
        async def where(interaction: discord.Interaction) -> None:
            guild = interaction.guild
            shard = guild.shard_id if guild is not None else None
            await interaction.response.send_message(f"{self.name} on shard {shard}")

    async def on_guild_channel_create(self, channel: discord.abc.GuildChannel) -> None:
        self.events.append(("channel_create", channel.guild.id))


async def sync_where(fake: FakeDiscord) -> None:
    """Register /where globally over REST (a client that is not connected syncs the same way)."""
    client = ShardedTiny("sync")
    await client.login(fake.token)
    try:
        await client.tree.sync()
    finally:
        await client.close()


def guilds_on(fake: FakeDiscord, count: int, per_shard: int = 2) -> dict[int, list[FakeGuild]]:
    """``per_shard`` new guilds on each of ``count`` shards (plus the default guild on its own shard)."""
    made: dict[int, list[FakeGuild]] = {s: [] for s in range(count)}
    for shard in range(count):
        for i in range(per_shard):
            guild = fake.create_guild(f"S{shard} G{i}", shard=(shard, count))
            guild.add_channel("general")
            made[shard].append(guild)
    made[shard_of(fake.guild.id, count)].append(fake.guild)
    return made


@asynccontextmanager
async def running(run_bot: Any, *clients: discord.Client) -> AsyncIterator[None]:
    if not clients:
        yield
        return
    async with run_bot(clients[0]), running(run_bot, *clients[1:]):
        yield


async def test_gateway_bot_gives_the_recommended_count_and_the_client_runs_every_shard(
    fake_discord: FakeDiscord, run_bot: Any
) -> None:
    fake_discord.recommended_shards = 3
    fake_discord.max_concurrency = 3
    made = guilds_on(fake_discord, 3)
    client = ShardedTiny("all")
    async with run_bot(client):
        assert client.shard_count == 3
        assert fake_discord.connected_shards() == [(0, 3), (1, 3), (2, 3)]
        assert sorted(p["shard"] for p in fake_discord.gateway.identify_payloads) == [[0, 3], [1, 3], [2, 3]]
        readies = [f.d for f in fake_discord.gateway_log if f.t == "READY"]
        assert sorted(r["shard"] for r in readies) == [[0, 3], [1, 3], [2, 3]]
        assert {g.id for g in client.guilds} == {g.id for gs in made.values() for g in gs}
        for guild in client.guilds:
            assert guild.shard_id == shard_of(guild.id, 3)
    [call] = fake_discord.calls_to("GET", "/gateway/bot")
    limits = call.response["session_start_limit"]
    assert call.response["shards"] == 3
    assert limits["max_concurrency"] == 3
    assert limits["remaining"] == limits["total"]  # asked before any session started


async def test_each_guild_comes_only_on_its_own_shard(fake_discord: FakeDiscord, run_bot: Any) -> None:
    made = guilds_on(fake_discord, 2)
    first = ShardedTiny("first", shard_count=2, shard_ids=[0])
    second = ShardedTiny("second", shard_count=2, shard_ids=[1])
    async with running(run_bot, first, second):
        assert {g.id for g in first.guilds} == {g.id for g in made[0]}
        assert {g.id for g in second.guilds} == {g.id for g in made[1]}
        # READY lists only the shard's guilds; every GUILD_CREATE went to the session of its shard
        for frame in fake_discord.gateway_log:
            if frame.t == "READY":
                shard_id = frame.d["shard"][0]
                assert {int(g["id"]) for g in frame.d["guilds"]} == {g.id for g in made[shard_id]}
        # a live event follows its guild
        channel_guild = made[1][0]
        await fake_discord.create_channel(channel_guild, "fresh")
        await fake_discord.wait_for(lambda: bool(second.events), what="CHANNEL_CREATE on shard 1")
        assert second.events == [("channel_create", channel_guild.id)]
        assert first.events == []
        # a guild the bot joins arrives on its shard only
        joined = await fake_discord.add_guild("Joined later")
        owner = second if shard_of(joined.id, 2) == 1 else first
        other = first if owner is second else second
        await fake_discord.wait_for(lambda: owner.get_guild(joined.id) is not None, what="the join")
        assert other.get_guild(joined.id) is None
    fake_discord.assert_no_violations()


async def test_interactions_go_to_the_shard_of_their_guild(fake_discord: FakeDiscord, run_bot: Any) -> None:
    made = guilds_on(fake_discord, 2, per_shard=1)
    await sync_where(fake_discord)
    first = ShardedTiny("first", shard_count=2, shard_ids=[0])
    second = ShardedTiny("second", shard_count=2, shard_ids=[1])
    async with running(run_bot, first, second):
        for shard, client in ((0, first), (1, second)):
            for guild in made[shard]:
                result = await fake_discord.slash("where", guild=guild, user=guild.owner_id)
                assert result.acknowledged
                assert result.text == f"{client.name} on shard {shard}"
    fake_discord.assert_no_violations()


async def test_a_guild_whose_shard_nobody_holds_gets_no_interaction(
    fake_discord: FakeDiscord, run_bot: Any
) -> None:
    made = guilds_on(fake_discord, 2, per_shard=1)
    await sync_where(fake_discord)
    only_zero = ShardedTiny("zero", shard_count=2, shard_ids=[0])
    async with run_bot(only_zero):
        orphan = made[1][0]
        with pytest.raises(RuntimeError, match="no bot session holds the shard"):
            await fake_discord.slash("where", guild=orphan, user=orphan.owner_id)
        result = await fake_discord.slash("where", guild=made[0][0], user=made[0][0].owner_id)
        assert result.text == "zero on shard 0"


@pytest.mark.parametrize("shard_ids", [[2], [5]])
async def test_a_shard_outside_the_count_is_closed_with_4010(
    fake_discord: FakeDiscord, run_bot: Any, shard_ids: list[int]
) -> None:
    client = ShardedTiny("wrong", shard_count=2, shard_ids=shard_ids)
    with pytest.raises(discord.ConnectionClosed) as closed:
        async with run_bot(client):
            pass
    assert closed.value.code == 4010


async def test_too_many_guilds_on_one_shard_is_closed_with_4011(
    fake_discord: FakeDiscord, run_bot: Any
) -> None:
    fake_discord.max_guilds_per_shard = 2
    guilds_on(fake_discord, 2, per_shard=2)  # 5 guilds: 2 + 3 over two shards
    client = ShardedTiny("one", shard_count=1)
    with pytest.raises(discord.ConnectionClosed) as closed:
        async with run_bot(client):
            pass
    assert closed.value.code == 4011
    fake_discord.max_guilds_per_shard = 3
    fine = ShardedTiny("two", shard_count=2)
    async with run_bot(fine):
        assert len(fine.guilds) == 5


async def test_the_same_shard_twice_is_served_but_recorded(fake_discord: FakeDiscord, run_bot: Any) -> None:
    """Discord lets a second session take a shard that is in use (a rolling restart does), and then
    sends both every event: the fake does the same and records a ``duplicate_shard`` violation."""
    made = guilds_on(fake_discord, 2, per_shard=1)
    first = ShardedTiny("first", shard_count=2, shard_ids=[0])
    again = ShardedTiny("again", shard_count=2, shard_ids=[0])
    async with running(run_bot, first, again):
        [violation] = fake_discord.take_violations("duplicate_shard")
        assert "shard [0, 2]" in violation.detail
        await fake_discord.create_channel(made[0][0], "twice")
        await fake_discord.wait_for(lambda: bool(first.events and again.events), what="both sessions")
    fake_discord.assert_no_violations()


# ---------------------------------------------------------------------------------------------- IDENTIFY rate


async def identify(fake: FakeDiscord, session: aiohttp.ClientSession, shard: list[int]) -> dict[str, Any]:
    """Open a socket, IDENTIFY on ``shard``; the first frame after HELLO (READY, or op 9)."""
    ws = await session.ws_connect(fake.gateway_url + "?v=10&encoding=json")
    hello = json.loads((await ws.receive()).data)
    assert hello["op"] == 10
    payload = {"token": fake.token, "intents": 1, "properties": {}, "shard": shard}
    await ws.send_str(json.dumps({"op": 2, "d": payload}))
    frame: dict[str, Any] = json.loads((await ws.receive()).data)
    await ws.close()
    return frame


@pytest.mark.parametrize(
    ("max_concurrency", "refused"),
    [(1, True), (2, False)],
)
async def test_identify_is_limited_per_rate_limit_key(
    fake_discord: FakeDiscord, max_concurrency: int, refused: bool
) -> None:
    """One IDENTIFY per key ``shard_id % max_concurrency`` per 5 s; over it Discord answers op 9."""
    fake_discord.identify_interval = 5.0
    fake_discord.max_concurrency = max_concurrency
    async with aiohttp.ClientSession() as session:
        assert (await identify(fake_discord, session, [0, 2]))["t"] == "READY"
        second = await identify(fake_discord, session, [1, 2])
    if refused:
        assert second == {"op": 9, "d": False, "s": None, "t": None}
        [violation] = fake_discord.take_violations("identify_rate")
        assert "rate-limit key 0" in violation.detail
    else:
        assert second["t"] == "READY"
        assert second["d"]["shard"] == [1, 2]


async def test_a_malformed_shard_field_is_closed_with_4010(fake_discord: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session:
        for bad in ([0], ["0", "2"], [1, 1], [-1, 2], [0, 0]):
            ws = await session.ws_connect(fake_discord.gateway_url)
            await ws.receive()  # HELLO
            payload = {"token": fake_discord.token, "intents": 1, "properties": {}, "shard": bad}
            await ws.send_str(json.dumps({"op": 2, "d": payload}))
            closing = await ws.receive()
            assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert ws.close_code == 4010, bad
            await ws.close()
