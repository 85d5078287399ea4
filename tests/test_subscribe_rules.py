"""The subscribe rules of the core (channel limit, first post date), on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from conftest import Opener

from bot.core.subscriptions import (
    MAX_CHANNELS_PER_SERVER,
    ChannelLimitError,
    Subscribed,
    SubscriptionStore,
    first_post_date,
    subscribe,
)
from bot.storage.state import subscription_store

YEREVAN = ZoneInfo("Asia/Yerevan")  # UTC+4
NOW = dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)  # 12:00 in Yerevan
GUILD = 111


@pytest.fixture
async def store(open_state_db: Opener) -> SubscriptionStore:
    return subscription_store(await open_state_db())


async def add(store: SubscriptionStore, channel: int, time: dt.time = dt.time(9, 0)) -> Subscribed:
    return await subscribe(
        store, GUILD, channel, time=time, zone=YEREVAN, empty_day="upcoming", created_by=42, now=NOW
    )


async def fill(store: SubscriptionStore, count: int) -> None:
    for channel in range(1, count + 1):
        await add(store, channel)


async def test_two_concurrent_subscribes_cannot_pass_the_limit(store: SubscriptionStore) -> None:
    await fill(store, MAX_CHANNELS_PER_SERVER - 1)
    results = await asyncio.gather(add(store, 501), add(store, 502), return_exceptions=True)
    won = [r for r in results if isinstance(r, Subscribed)]
    refused = [r for r in results if isinstance(r, ChannelLimitError)]
    assert len(won) == 1
    assert len(refused) == 1
    assert refused[0].limit == MAX_CHANNELS_PER_SERVER
    assert await store.count_for_guild(GUILD) == MAX_CHANNELS_PER_SERVER
    assert await store.get(won[0].subscription.channel_id) is not None


async def test_two_connections_subscribing_at_once_cannot_pass_the_limit(open_state_db: Opener) -> None:
    """Two processes' connections (two databases open on one state) race for the last places,
    guild after guild: the count and the insert are one locked transaction on each backend."""
    first, second = subscription_store(await open_state_db()), subscription_store(await open_state_db())

    async def join(store: SubscriptionStore, guild: int, channel: int) -> Subscribed:
        when = {"time": dt.time(9, 0), "zone": YEREVAN, "now": NOW}
        return await subscribe(store, guild, channel, empty_day="upcoming", created_by=42, **when)

    for guild in range(1, 9):
        for channel in range(1, MAX_CHANNELS_PER_SERVER - 1):
            await join(first, guild, guild * 100 + channel)
        # two places left, four subscribes at once from the two connections
        racers = (first, second, first, second)
        results = await asyncio.gather(
            *(join(store, guild, guild * 100 + 50 + n) for n, store in enumerate(racers)),
            return_exceptions=True,
        )
        outcomes = sorted(type(r).__name__ for r in results)
        assert outcomes == ["ChannelLimitError", "ChannelLimitError", "Subscribed", "Subscribed"]
        assert await first.count_for_guild(guild) == await second.count_for_guild(guild) == 10


async def test_a_subscribed_channel_can_change_at_the_limit(store: SubscriptionStore) -> None:
    await fill(store, MAX_CHANNELS_PER_SERVER)
    with pytest.raises(ChannelLimitError):
        await add(store, 999)
    changed = await add(store, 3, time=dt.time(18, 30))
    assert changed.before is not None
    assert changed.subscription.post_time == dt.time(18, 30)
    assert await store.count_for_guild(GUILD) == MAX_CHANNELS_PER_SERVER


async def test_other_servers_do_not_count(store: SubscriptionStore) -> None:
    await fill(store, MAX_CHANNELS_PER_SERVER)
    other = await subscribe(
        store, 222, 777, time=dt.time(9, 0), zone=YEREVAN, empty_day="skip", created_by=1, now=NOW
    )
    assert other.before is None
    assert other.subscription.guild_id == 222


async def test_first_post_is_the_next_occurrence_of_the_time(store: SubscriptionStore) -> None:
    # 12:00 in Yerevan: 09:00 has passed today, 18:00 has not.
    assert first_post_date(dt.time(9, 0), YEREVAN, NOW) == dt.date(2024, 5, 2)
    assert first_post_date(dt.time(18, 0), YEREVAN, NOW) == dt.date(2024, 5, 1)
    morning = await add(store, 1, time=dt.time(9, 0))
    evening = await add(store, 2, time=dt.time(18, 0))
    assert (morning.starts_tomorrow, morning.subscription.starts_on) == (True, dt.date(2024, 5, 2))
    assert (evening.starts_tomorrow, evening.subscription.starts_on) == (False, dt.date(2024, 5, 1))


async def test_a_change_keeps_the_first_post_date(store: SubscriptionStore) -> None:
    first = await add(store, 1, time=dt.time(18, 0))
    again = await add(store, 1, time=dt.time(9, 0))
    assert not again.starts_tomorrow
    assert again.subscription.starts_on == first.subscription.starts_on == dt.date(2024, 5, 1)
