"""Daily "on this day" posts end to end: the real ArtsakhBot against the fake Discord server.

The bot runs with a ManualClock; tests move it minute by minute and call
``cog.scheduler.run_once()`` (the background loop checks only once an hour here), so posting
times are exact and nothing sleeps. The fake enforces Discord's limits, permissions and nonce
de-duplication, and fails the test on any violation at teardown.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import botkit as kit
import pytest
from conftest import Opener
from fakecord import (
    CommandNotAvailable,
    FakeChannel,
    FakeDiscord,
    FakeMessage,
    InteractionResult,
    Perm,
    World,
)

from bot.config import DailyConfig
from bot.core.clock import ManualClock
from bot.core.daily import PostOutcome, part_nonce, post_nonce
from bot.core.engine import QueryEngine
from bot.core.i18n import LANGUAGES, using
from bot.core.model import Dataset
from bot.core.reloading import DataStore
from bot.discordbot.bot import CORE_EXTENSIONS
from bot.discordbot.cogs.daily import DailyCog
from bot.discordbot.daily_post import footer_part, post_footer
from bot.discordbot.errors import STORAGE_FULL_ANSWER
from bot.storage.database import Database
from bot.storage.postgres import PostgresDatabase
from bot.storage.postgres_subscriptions import PostgresSubscriptionStore
from bot.storage.state import StateDatabase, subscription_store
from bot.storage.subscriptions import SubscriptionStore

UTC = dt.UTC
YEREVAN = ZoneInfo("Asia/Yerevan")
LA = ZoneInfo("America/Los_Angeles")
PARIS = ZoneInfo("Europe/Paris")
VERSION = "daily-1"
DAILY = "bot.discordbot.cogs.daily"
START = dt.datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
MANY_DAY = (3, 10)  # 10 March: enough records to need several messages
MANY = 40


# ---------------------------------------------------------------------------------------------- data


def make_dataset() -> Dataset:
    countries = (kit.country("fr", "France"), kit.country("us", "United States"))
    jurisdictions = (
        kit.place("france", "France", "national", "fr"),
        kit.place("california", "California", "state", "us"),
        kit.place("glendale", "Glendale", "city", "us"),
        *(kit.place(f"city-{i}", f"Testville {i}", "city", "us") for i in range(MANY)),
    )
    records = (
        kit.french_senate(
            "Called on the government to recognize the Republic of Artsakh. @everyone @here "
            "<@&123456789012345678>"
        ),
        kit.california_ajr32(),
        kit.record(
            "us-glendale-2015",
            "glendale",
            "City Council",
            "2015-04-02",
            "recognition",
            "Glendale resolution",
            "Recognized the Republic.",
            "glendale",
        ),
        kit.record(
            "us-glendale-month",
            "glendale",
            "City Council",
            "2013-11",
            "statement",
            "Month-only statement",
            "Known only to the month.",
            "glendale-month",
        ),
        *(
            kit.record(
                f"us-city-{i}-2021",
                f"city-{i}",
                "City Council",
                "2021-{:02d}-{:02d}".format(*MANY_DAY),
                "recognition",
                f"Testville {i} resolution",
                f"Testville {i} recognized Artsakh. " + "More words about this resolution. " * 12,
                f"city/{i}",
            )
            for i in range(MANY)
        ),
    )
    events = (
        kit.PROCLAMATION,
        kit.event("ceasefire-2020", "Trilateral statement", "2020-11-09", "The fighting stops.", "2020"),
    )
    return kit.dataset(
        VERSION, countries=countries, jurisdictions=jurisdictions, records=records, events=events
    )


# ---------------------------------------------------------------------------------------------- harness


class FailsOnDemand:
    """Makes a real store's recording of a post (``finish_post``, ``mark_posted``) fail on demand (a
    full disk): posts go out, unrecorded."""

    mark_posted_error: Exception | None = None

    async def mark_posted(
        self, channel_id: int, local_date: dt.date, message_ids: list[int], now: dt.datetime
    ) -> bool:
        if self.mark_posted_error is not None:
            raise self.mark_posted_error
        return await super().mark_posted(channel_id, local_date, message_ids, now)  # type: ignore[misc]

    async def finish_post(
        self, channel_id: int, local_date: dt.date, *, owner: str, message_ids: list[int], now: dt.datetime
    ) -> bool:
        if self.mark_posted_error is not None:
            raise self.mark_posted_error
        return await super().finish_post(  # type: ignore[misc]
            channel_id, local_date, owner=owner, message_ids=message_ids, now=now
        )


class FailingStore(FailsOnDemand, SubscriptionStore):
    """The SQLite store, failing on demand."""


class FailingPostgresStore(FailsOnDemand, PostgresSubscriptionStore):
    """The PostgreSQL store, failing on demand."""


AnyFailingStore = FailingStore | FailingPostgresStore


def failing_store(database: StateDatabase) -> AnyFailingStore:
    """The store of ``database``'s backend, failing on demand."""
    if isinstance(database, PostgresDatabase):
        return FailingPostgresStore(database)
    return FailingStore(database)


class Harness:
    """Starts (and restarts) the real bot on one state database and one ManualClock."""

    def __init__(self, fake: FakeDiscord, run_bot: Any, tmp_path: Path, open_db: Opener) -> None:
        self.fake = fake
        self.run_bot = run_bot
        self.tmp_path = tmp_path
        self.open_db = open_db
        self.clock = ManualClock(START)

    @asynccontextmanager
    async def bot(self, *, failing: bool = False) -> AsyncIterator[DailyCog]:
        """The bot on the state; ``failing``: its store's ``mark_posted`` fails on demand."""
        database = await self.open_db()
        try:
            store = DataStore(self.tmp_path, QueryEngine, clock=self.clock, dataset=make_dataset())
            config = kit.bot_config(self.fake, daily=DailyConfig(check_interval_seconds=3600.0))
            bot = kit.artsakh_bot(
                config,
                self.clock,
                store,
                database,
                extensions=(*CORE_EXTENSIONS, DAILY),
                view_timeout=60.0,
                subscriptions=failing_store(database) if failing else subscription_store(database),
            )
            async with self.run_bot(bot) as running:
                cog = running.get_cog("Daily")
                # load_extension executes the module afresh, so compare by name, not by class
                assert type(cog).__name__ == "DailyCog"
                yield cast(DailyCog, cog)
        finally:
            await database.close()

    async def restart_later(self, when: dt.datetime, channel: FakeChannel, day: dt.date) -> tuple[int, ...]:
        """Start the bot again at ``when``, hours after a crash (Discord has forgotten the nonces).

        After one check ``day`` must be recorded as posted with nothing left pending; returns the
        ids of the messages recorded for it.
        """
        self.fake.nonce_window = 0
        self.clock.set(when)
        async with self.bot() as cog:
            await cog.scheduler.run_once()  # waits for the start-up check if it is still running
            sub = await cog.store.get(channel.id)
            assert sub is not None
            assert sub.last_posted_date == day
            assert await cog.store.pending(channel.id) is None
        return sub.last_message_ids


@pytest.fixture
def harness(fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path) -> Harness:
    """The bot on a SQLite file."""

    async def open_sqlite() -> StateDatabase:
        return await Database.open(tmp_path / "state" / "bot.sqlite3")

    return Harness(fake_discord, run_bot, tmp_path, open_sqlite)


@pytest.fixture
def any_harness(fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, open_state_db: Opener) -> Harness:
    """The bot on each backend in turn (SQLite, PostgreSQL): for the restarts, where the state matters."""
    return Harness(fake_discord, run_bot, tmp_path, open_state_db)


@pytest.fixture
async def cog(harness: Harness) -> AsyncIterator[DailyCog]:
    async with harness.bot() as running:
        yield running


def local(zone: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)  # type: ignore[misc]


async def subscribe(
    fake: FakeDiscord,
    channel: FakeChannel,
    time: str = "09:00",
    timezone: str = "Asia/Yerevan",
    empty_day: str | None = None,
    *,
    user: Any = None,
    check_permissions: bool = True,
) -> InteractionResult:
    options: dict[str, Any] = {"channel": channel, "time": time, "timezone": timezone}
    if empty_day is not None:
        options["empty_day"] = empty_day
    result = await fake.slash(
        "daily subscribe", options, user=user or fake.world.mod, check_permissions=check_permissions
    )
    answered(result)
    return result


def answered(result: InteractionResult) -> None:
    assert result.acknowledged, f"{result.name} was not answered"
    assert not result.timed_out
    assert result.ephemeral, "every /daily answer is private"


def posts(fake: FakeDiscord, channel: FakeChannel) -> list[FakeMessage]:
    """The bot's channel messages (not interaction responses), oldest first."""
    return [m for m in fake.messages_in(channel) if m.via == "channel"]


def footer(message: FakeMessage) -> str:
    return str(message.embeds[0]["footer"]["text"])


async def drive(
    cog: DailyCog,
    clock: ManualClock,
    fake: FakeDiscord,
    channels: Iterable[FakeChannel],
    instants: Iterable[dt.datetime],
) -> dict[str, list[dt.datetime]]:
    """Set the clock to each instant in turn and run one check; note when each channel got posts."""
    channels = list(channels)
    seen = {c.name: len(posts(fake, c)) for c in channels}
    when: dict[str, list[dt.datetime]] = {c.name: [] for c in channels}
    for instant in sorted(set(instants)):
        clock.set(instant)
        await cog.scheduler.run_once()
        for channel in channels:
            count = len(posts(fake, channel))
            when[channel.name].extend([instant] * (count - seen[channel.name]))
            seen[channel.name] = count
    return when


def around(
    expected: Iterable[dt.datetime], start: dt.datetime, end: dt.datetime, *, minutes: int = 5
) -> set[dt.datetime]:
    """Every 30 minutes from start to end, and every minute within ``minutes`` of each expected instant."""
    instants = set()
    at = start
    while at <= end:
        instants.add(at)
        at += dt.timedelta(minutes=30)
    for instant in expected:
        for offset in range(-minutes, minutes + 1):
            instants.add(instant + dt.timedelta(minutes=offset))
    return instants


# ---------------------------------------------------------------------------------------------- commands


async def test_daily_group_is_synced_for_managers_only(fake_discord: FakeDiscord, cog: DailyCog) -> None:
    command = fake_discord.find_command("daily")
    assert command["default_member_permissions"] == str(Perm.MANAGE_GUILD)
    subcommands = {o["name"]: o for o in command["options"]}
    assert set(subcommands) == {"subscribe", "unsubscribe", "status", "preview"}
    options = {o["name"]: o for o in subcommands["subscribe"]["options"]}
    assert [o["name"] for o in subcommands["subscribe"]["options"]] == [
        "channel",
        "time",
        "timezone",
        "empty_day",
    ]
    assert options["timezone"]["autocomplete"] is True
    assert not options["timezone"].get("required", False)  # default: the server's (/settings)
    assert {c["value"] for c in options["empty_day"]["choices"]} == {"upcoming", "skip"}
    assert not options["empty_day"].get("required", False)
    for option in (o for sub in subcommands.values() for o in sub.get("options", [])):
        assert 1 <= len(option["description"]) <= 100
    help_text = (await fake_discord.slash("help", user=fake_discord.world.mod)).text  # a manager
    assert "/daily subscribe channel time [timezone] [empty_day]" in help_text
    assert "/daily" not in (await fake_discord.slash("help", user=fake_discord.world.alice)).text
    assert "`/daily subscribe channel: #history time: 09:00 timezone: Asia/Yerevan`" in help_text


async def test_subscribe_confirms_privately_with_the_next_post_time(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 21, 7, 0))
    result = await subscribe(fake_discord, fake_world.news, "09:00", "yerevan")
    text = result.text
    assert "Daily posts set up" in text
    assert f"**09:00** (Asia/Yerevan, UTC+04:00) in <#{fake_world.news.id}>" in text
    assert "On a day without any: the anniversaries of the next 7 days." in text
    nxt = local(YEREVAN, 2024, 11, 21, 9, 0)
    unix = int(nxt.timestamp())
    assert (
        f"Next post: **Thursday 21 November 2024, 09:00** (Asia/Yerevan) · <t:{unix}:F> (<t:{unix}:R>)"
        in text
    )
    assert "Read Message History" not in text  # the bot has it in #news
    sub = await cog.store.get(fake_world.news.id)
    assert sub is not None
    assert (sub.guild_id, sub.post_time, sub.timezone, sub.empty_day) == (
        fake_world.guild.id,
        dt.time(9, 0),
        "Asia/Yerevan",
        "upcoming",
    )
    assert sub.created_by == fake_world.mod.id
    assert posts(fake_discord, fake_world.news) == []
    late = await subscribe(fake_discord, fake_world.general, "06:00", "Asia/Yerevan")
    assert "Next post: **Friday 22 November 2024, 06:00** (Asia/Yerevan)" in late.text
    assert "(today's 06:00 has passed, so the first post is the next one)" in late.text
    harness.clock.set(local(YEREVAN, 2024, 11, 21, 23, 59))
    results = await cog.scheduler.run_once()  # #general: not at once, and not later that day either
    assert [r.channel_id for r in results] == [fake_world.news.id]
    assert posts(fake_discord, fake_world.general) == []
    again = await subscribe(fake_discord, fake_world.general, "23:00", "Asia/Yerevan")  # same day
    assert "Daily posts updated" in again.text
    assert "Next post: **Friday 22 November 2024, 23:00** (Asia/Yerevan)" in again.text
    assert "has passed" not in again.text
    assert await cog.scheduler.run_once() == []  # 23:00 has passed too, but the first post is the 22nd
    assert posts(fake_discord, fake_world.general) == []


async def test_subscribing_again_updates_and_a_server_may_have_several_channels(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog
) -> None:
    await subscribe(fake_discord, fake_world.news, "09:00", "Asia/Yerevan")
    await subscribe(fake_discord, fake_world.general, "20:15", "paris", "skip")
    again = await subscribe(fake_discord, fake_world.news, "7:30", "los angeles", user=fake_world.owner)
    assert "Daily posts updated" in again.text
    assert "**07:30** (America/Los_Angeles, UTC-08:00)" in again.text
    subs = {s.channel_id: s for s in await cog.store.list_for_guild(fake_world.guild.id)}
    assert set(subs) == {fake_world.news.id, fake_world.general.id}
    assert (subs[fake_world.news.id].post_time, subs[fake_world.news.id].timezone) == (
        dt.time(7, 30),
        "America/Los_Angeles",
    )
    assert (subs[fake_world.general.id].timezone, subs[fake_world.general.id].empty_day) == (
        "Europe/Paris",
        "skip",
    )


@pytest.mark.parametrize(
    "case",
    [
        ("readonly", "09:00", "Asia/Yerevan", "Missing permission: Send Messages"),
        ("staff", "09:00", "Asia/Yerevan", "Missing permission: View Channel"),
        ("news", "25:00", "Asia/Yerevan", "25:00 is not a valid time of day. Use a 24-hour time like 09:00."),
        ("news", "9am", "Asia/Yerevan", "is not a time. Use a 24-hour time like 09:00."),
        ("news", "09:00", "Mars/Olympus", "I don't know the time zone"),
    ],
)
async def test_subscribe_refuses_what_cannot_work(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog, case: tuple[str, str, str, str]
) -> None:
    channel, time, timezone, expected = case
    result = await subscribe(fake_discord, fake_discord.channel(channel), time, timezone)
    assert expected in result.text
    assert "Daily posts set up" not in result.text
    assert await cog.store.list_for_guild(fake_world.guild.id) == []


async def test_subscribe_names_a_missing_embed_permission(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog
) -> None:
    await fake_discord.set_channel_permissions(fake_world.news, fake_world.bot_role, deny=Perm.EMBED_LINKS)
    result = await subscribe(fake_discord, fake_world.news)
    assert f"I can't post in <#{fake_world.news.id}>. Missing permission: Embed Links." in result.text
    assert await cog.store.get(fake_world.news.id) is None


async def test_members_without_manage_server_are_refused_privately(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog
) -> None:
    with pytest.raises(CommandNotAvailable):  # Discord's client hides the group from them...
        await fake_discord.slash("daily status", user=fake_world.alice)
    # ...but a server may change that in its settings: the bot checks again itself.
    for name, options in (
        ("daily subscribe", {"channel": fake_world.news, "time": "09:00", "timezone": "Asia/Yerevan"}),
        ("daily unsubscribe", {"channel": str(fake_world.news.id)}),
        ("daily status", {}),
        ("daily preview", {}),
    ):
        result = await fake_discord.slash(name, options, user=fake_world.alice, check_permissions=False)
        answered(result)
        assert "Only members with the **Manage Server** permission can manage daily posts." in result.text
    assert await cog.store.list_for_guild(fake_world.guild.id) == []
    owner = await fake_discord.slash("daily status", user=fake_world.owner)  # the owner may
    answered(owner)
    assert "no daily posts yet" in owner.text


@pytest.mark.parametrize(
    "case",
    [
        ("yerevan", "Asia/Yerevan", "UTC+04:00"),
        ("los angeles", "America/Los_Angeles", "UTC-08:00"),
        ("paris", "Europe/Paris", "UTC+01:00"),
    ],
)
async def test_timezone_autocomplete(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog, case: tuple[str, str, str]
) -> None:
    typed, zone, offset = case
    choices = await fake_discord.autocomplete(
        "daily subscribe",
        {"channel": fake_world.news, "time": "09:00", "timezone": typed},
        "timezone",
        user=fake_world.mod,
    )
    assert choices
    assert len(choices) <= 25
    assert choices[0] == {"name": f"{zone} ({offset})", "value": zone}


async def test_unsubscribe_with_autocomplete(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog
) -> None:
    await subscribe(fake_discord, fake_world.news, "09:00", "Asia/Yerevan")
    await subscribe(fake_discord, fake_world.general, "18:00", "Europe/Paris")
    choices = await fake_discord.autocomplete(
        "daily unsubscribe", {"channel": "new"}, "channel", user=fake_world.mod
    )
    assert choices == [{"name": "#news · 09:00 Asia/Yerevan", "value": str(fake_world.news.id)}]
    result = await fake_discord.slash(
        "daily unsubscribe", {"channel": choices[0]["value"]}, user=fake_world.mod
    )
    answered(result)
    assert f"Daily posts stopped in <#{fake_world.news.id}>." in result.text
    assert [s.channel_id for s in await cog.store.list_for_guild(fake_world.guild.id)] == [
        fake_world.general.id
    ]
    again = await fake_discord.slash("daily unsubscribe", {"channel": "#news"}, user=fake_world.mod)
    answered(again)
    assert "“#news” has no daily posts. Channels with daily posts: #general." in again.text
    by_name = await fake_discord.slash("daily unsubscribe", {"channel": "general"}, user=fake_world.mod)
    assert f"Daily posts stopped in <#{fake_world.general.id}>." in by_name.text
    status = await fake_discord.slash("daily status", user=fake_world.mod)
    assert "This server has no daily posts yet." in status.text


async def test_status_lists_every_subscription(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    await subscribe(fake_discord, fake_world.news, "09:00", "Asia/Yerevan")
    await subscribe(fake_discord, fake_world.general, "09:00", "America/Los_Angeles", "skip")
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
    [result] = await cog.scheduler.run_once()  # Los Angeles: still the 24th, its 09:00 long past
    assert (result.channel_id, result.outcome) == (fake_world.news.id, PostOutcome.SENT)
    status = await fake_discord.slash("daily status", user=fake_world.mod)
    answered(status)
    fields = {f["name"]: f["value"] for f in status.embeds[0]["fields"]}
    assert list(fields) == ["#general", "#news"] or list(fields) == ["#news", "#general"]
    news = fields["#news"]
    nxt = int(local(YEREVAN, 2024, 11, 26, 9, 0).timestamp())
    assert f"<#{fake_world.news.id}> · every day at **09:00** (Asia/Yerevan, UTC+04:00)" in news
    assert (
        f"Next post: **Tuesday 26 November 2024, 09:00** (Asia/Yerevan) · <t:{nxt}:F> (<t:{nxt}:R>)" in news
    )
    assert "Last post: 25 November 2024" in news
    general = fields["#general"]
    la_next = int(local(LA, 2024, 11, 25, 9, 0).timestamp())
    assert "(America/Los_Angeles, UTC-08:00)" in general
    assert "On a day without anniversaries: no post" in general
    assert f"Next post: **Monday 25 November 2024, 09:00** (America/Los_Angeles) · <t:{la_next}:F>" in general
    # subscribed after 09:00 on the 24th in Los Angeles: its first post is the 25th, so none yet
    assert "Last post: none yet" in general
    assert "Last day done" not in general
    assert len(posts(fake_discord, fake_world.general)) == 0
    sub = await cog.store.get(fake_world.general.id)
    assert sub is not None
    assert (sub.starts_on, sub.last_posted_date) == (dt.date(2024, 11, 25), None)


async def test_preview_is_private_and_posts_nothing(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog
) -> None:
    result = await fake_discord.slash("daily preview", {"date": "25 november"}, user=fake_world.mod)
    answered(result)
    head = "Preview of the daily post for **25 November 2024** (UTC, from UTC, as this server has no"
    assert f"{head} daily posts yet)" in result.text
    embed = result.embeds[0]
    assert embed["title"] == "On this day: 25 November"
    assert embed["footer"]["text"] == f"On this day · 2024-11-25 · Dataset {VERSION}"
    assert "France — Senate · 25 November 2020" in embed["description"]
    assert "4 years ago." in embed["description"]
    today = await fake_discord.slash("daily preview", user=fake_world.mod)  # 20 November: nothing that day
    assert "Nothing on record for 20 November." in today.text
    assert "In 5 days, on 25 November: 4th anniversary." in today.text
    assert fake_discord.messages_in(fake_world.news) == []
    assert posts(fake_discord, fake_world.general) == []


async def test_preview_uses_the_first_subscription(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(dt.datetime(2024, 11, 24, 21, 30, tzinfo=UTC))  # 25 November in Yerevan, 24th in LA
    await subscribe(fake_discord, fake_world.news, "09:00", "Asia/Yerevan")
    harness.clock.advance(dt.timedelta(minutes=1))
    await subscribe(fake_discord, fake_world.general, "09:00", "America/Los_Angeles", "skip")
    result = await fake_discord.slash("daily preview", user=fake_world.mod)
    assert f"**25 November 2024** (Asia/Yerevan, from the settings of <#{fake_world.news.id}>)" in result.text
    assert result.embeds[0]["title"] == "On this day: 25 November"
    many = await fake_discord.slash("daily preview", {"date": "2025-03-10"}, user=fake_world.mod)
    answered(many)
    match = re.search(r"It is (\d+) messages long", many.text)
    assert match is not None
    parts = int(match[1])
    assert parts > 1
    followups = await many.wait_for_followups(parts - 1)
    assert len(followups) == parts - 1
    assert all(m.ephemeral for m in many.messages)
    assert (
        many.messages[-1]
        .embeds[0]["footer"]["text"]
        .startswith(f"On this day · 2025-03-10 · {parts}/{parts}")
    )
    bad = await fake_discord.slash("daily preview", {"date": "2024"}, user=fake_world.mod)
    assert "A preview is for one day" in bad.text


async def test_preview_of_a_day_without_a_post(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    await subscribe(fake_discord, fake_world.news, "09:00", "Europe/Paris", "skip")
    result = await fake_discord.slash("daily preview", {"date": "2024-11-20"}, user=fake_world.mod)
    assert (
        "No post that day: Nothing on record for 20 November. On such days this channel gets no post."
        in result.text
    )


# ---------------------------------------------------------------------------------------------- posting


async def test_posts_at_the_right_minute_in_each_zone_once_per_local_day(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    paris = await fake_discord.create_channel(fake_world.guild, "paris")
    harness.clock.set(dt.datetime(2024, 11, 23, 22, 0, tzinfo=UTC))
    await subscribe(fake_discord, fake_world.news, "09:00", "yerevan")
    await subscribe(fake_discord, fake_world.general, "09:00", "los angeles")
    await subscribe(fake_discord, paris, "09:00", "paris")
    expected = {
        "news": [local(YEREVAN, 2024, 11, d, 9, 0) for d in (24, 25)],
        "general": [local(LA, 2024, 11, d, 9, 0) for d in (24, 25)],
        "paris": [local(PARIS, 2024, 11, d, 9, 0) for d in (24, 25)],
    }
    instants = around(
        [t for ts in expected.values() for t in ts],
        dt.datetime(2024, 11, 23, 22, 0, tzinfo=UTC),
        dt.datetime(2024, 11, 26, 4, 30, tzinfo=UTC),  # before the third day's first post
    )
    seen = await drive(
        cog, harness.clock, fake_discord, [fake_world.news, fake_world.general, paris], instants
    )
    assert seen == expected
    for channel in (fake_world.news, fake_world.general, paris):
        first, second = posts(fake_discord, channel)
        assert footer(first) == f"On this day · 2024-11-24 · Dataset {VERSION}"
        assert footer(second) == f"On this day · 2024-11-25 · Dataset {VERSION}"
        assert first.embeds[0]["title"] == "Coming up in the next 7 days"
        assert "Nothing on record for 24 November." in first.embeds[0]["description"]
        assert "Tomorrow, on 25 November: 4th anniversary." in first.embeds[0]["description"]
        post = second.embeds[0]
        assert post["title"] == "On this day: 25 November"
        text = post["description"]
        assert "[France — Senate · 25 November 2020](https://example.org/senat)" in text
        assert "4 years ago." in text
        assert "Kind: call for recognition" in text
        assert "Sources: [Sénat](https://example.org/senat)" in text
        assert "November 2013" not in text  # month-only dates never show as a day
        assert second.allowed_mentions == {"parse": []}
        assert "<@&123456789012345678>" not in text  # mentions in the data are neutralised too
        assert "@\u200beveryone" in text
    fake_discord.assert_no_pings()


async def test_spring_forward_in_paris(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(dt.datetime(2024, 3, 29, 23, 0, tzinfo=UTC))
    await subscribe(fake_discord, fake_world.news, "02:30", "Europe/Paris")
    expected = [
        dt.datetime(2024, 3, 30, 1, 30, tzinfo=UTC),  # 02:30 CET
        dt.datetime(2024, 3, 31, 1, 0, tzinfo=UTC),  # 02:30 does not exist: 03:00 CEST, once
        dt.datetime(2024, 4, 1, 0, 30, tzinfo=UTC),  # 02:30 CEST
    ]
    instants = around(expected, harness.clock.now(), dt.datetime(2024, 4, 1, 12, 0, tzinfo=UTC), minutes=45)
    seen = await drive(cog, harness.clock, fake_discord, [fake_world.news], instants)
    assert seen == {"news": expected}
    footers = [footer(m) for m in posts(fake_discord, fake_world.news)]
    assert [f.split(" · ")[1] for f in footers] == ["2024-03-30", "2024-03-31", "2024-04-01"]


async def test_fall_back_in_los_angeles_posts_at_the_first_0130(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(dt.datetime(2024, 11, 2, 7, 0, tzinfo=UTC))
    await subscribe(fake_discord, fake_world.news, "01:30", "America/Los_Angeles")
    expected = [
        dt.datetime(2024, 11, 2, 8, 30, tzinfo=UTC),  # 01:30 PDT
        dt.datetime(2024, 11, 3, 8, 30, tzinfo=UTC),  # the first 01:30 (PDT); not again at 09:30 UTC (PST)
        dt.datetime(2024, 11, 4, 9, 30, tzinfo=UTC),  # 01:30 PST
    ]
    instants = around(expected, harness.clock.now(), dt.datetime(2024, 11, 4, 20, 0, tzinfo=UTC), minutes=75)
    seen = await drive(cog, harness.clock, fake_discord, [fake_world.news], instants)
    assert seen == {"news": expected}
    footers = [footer(m) for m in posts(fake_discord, fake_world.news)]
    assert [f.split(" · ")[1] for f in footers] == ["2024-11-02", "2024-11-03", "2024-11-04"]


async def test_a_long_day_is_split_into_messages_within_limits(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2025, 3, 10, 8, 0))
    await subscribe(fake_discord, fake_world.news, "09:00", "Asia/Yerevan")
    harness.clock.set(local(YEREVAN, 2025, 3, 10, 9, 0))
    [result] = await cog.scheduler.run_once()
    messages = posts(fake_discord, fake_world.news)
    total = len(messages)
    assert total > 1
    assert result.message_ids == tuple(m.id for m in messages)
    nonce = post_nonce(fake_world.news.id, dt.date(2025, 3, 10))
    assert [m.nonce for m in messages] == [part_nonce(nonce, i) for i in range(total)]
    text = ""
    for number, message in enumerate(messages, start=1):
        [embed] = message.embeds
        assert (
            embed["footer"]["text"]
            == f"On this day · 2025-03-10 · {number}/{total} · Dataset {VERSION}"
        )
        assert len(embed["description"]) <= 4096
        assert (
            sum(len(embed.get(k) or "") for k in ("title", "description")) + len(embed["footer"]["text"])
            <= 6000
        )
        text += embed["description"]
    for i in range(MANY):  # every record once, in one piece
        assert text.count(f"[Testville {i} — City Council · 10 March 2021]") == 1
    assert messages[0].embeds[0]["title"] == "On this day: 10 March"
    assert messages[1].embeds[0]["title"] == "On this day: 10 March (continued)"


async def test_an_empty_day_can_skip_the_post(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(PARIS, 2024, 6, 15, 8, 0))
    await subscribe(fake_discord, fake_world.news, "09:00", "Europe/Paris", "skip")
    await subscribe(fake_discord, fake_world.general, "09:00", "Europe/Paris", "upcoming")
    harness.clock.set(local(PARIS, 2024, 6, 15, 9, 0))
    results = {r.channel_id: r.outcome for r in await cog.scheduler.run_once()}
    # 15 June: nothing that day and nothing in the next 7 days, so neither channel gets a post
    assert results == {fake_world.news.id: PostOutcome.SKIPPED, fake_world.general.id: PostOutcome.SKIPPED}
    assert posts(fake_discord, fake_world.news) == posts(fake_discord, fake_world.general) == []
    harness.clock.set(local(PARIS, 2024, 11, 20, 9, 0))  # nothing on 20 November, but the 25th is near
    results = {r.channel_id: r.outcome for r in await cog.scheduler.run_once()}
    assert results == {fake_world.news.id: PostOutcome.SKIPPED, fake_world.general.id: PostOutcome.SENT}
    assert posts(fake_discord, fake_world.news) == []
    [upcoming] = posts(fake_discord, fake_world.general)
    assert "In 5 days, on 25 November: 4th anniversary." in upcoming.text
    sub = await cog.store.get(fake_world.news.id)
    assert sub is not None
    assert sub.last_posted_date == dt.date(2024, 11, 20)  # a skipped day counts as done
    status = await fake_discord.slash("daily status", user=fake_world.mod)
    fields = {f["name"]: f["value"] for f in status.embeds[0]["fields"]}
    assert "Last day done: 20 November 2024 (no post that day)" in fields["#news"]
    assert "Last post: 20 November 2024" in fields["#general"]


# ---------------------------------------------------------------------------------------------- restarts


async def test_restart_between_time_reached_and_posted(
    fake_discord: FakeDiscord, fake_world: World, any_harness: Harness
) -> None:
    harness = any_harness
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 50))
    day = dt.date(2024, 11, 25)
    async with harness.bot() as cog:
        await subscribe(fake_discord, fake_world.news)
        harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
        # the scheduler recorded the attempt, then the process died before sending
        pending = await cog.store.begin_post(
            fake_world.news.id, day, post_nonce(fake_world.news.id, day), harness.clock.now()
        )
        assert pending is not None
    assert posts(fake_discord, fake_world.news) == []
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 11, 40))  # back later the same day
    async with harness.bot() as cog:
        await fake_discord.wait_for(
            lambda: len(posts(fake_discord, fake_world.news)) == 1, what="the catch-up post"
        )
        assert await cog.scheduler.run_once() == []
        sub = await cog.store.get(fake_world.news.id)
        assert sub is not None
        assert sub.last_posted_date == day
        assert await cog.store.pending(fake_world.news.id) is None
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 23, 59))
    async with harness.bot() as cog:
        assert await cog.scheduler.run_once() == []
    [message] = posts(fake_discord, fake_world.news)
    assert footer(message) == f"On this day · 2024-11-25 · Dataset {VERSION}"


async def test_restart_between_sent_and_recorded_after_a_long_outage(
    fake_discord: FakeDiscord, fake_world: World, any_harness: Harness
) -> None:
    harness = any_harness
    harness.clock.set(local(YEREVAN, 2024, 11, 24, 12, 0))
    async with harness.bot(failing=True) as cog:
        await subscribe(fake_discord, fake_world.news)
        store = cast(AnyFailingStore, cog.store)
        store.mark_posted_error = sqlite3.OperationalError("database or disk is full")
        harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
        [result] = await cog.scheduler.run_once()
        assert result.outcome is PostOutcome.SENT
        [sent] = posts(fake_discord, fake_world.news)
        assert await store.pending(fake_world.news.id) is not None
    later = local(YEREVAN, 2024, 11, 25, 15, 0)
    ids = await harness.restart_later(later, fake_world.news, dt.date(2024, 11, 25))
    assert ids == (sent.id,)  # found in the channel's history
    assert [m.id for m in posts(fake_discord, fake_world.news)] == [sent.id]
    assert len(fake_discord.calls_to("POST", f"/channels/{fake_world.news.id}/messages")) == 1


class Crash(BaseException):
    """The process dies (not an Exception: nothing in the bot catches it)."""


async def test_restart_after_part_of_a_long_post_sends_only_the_missing_parts(
    fake_discord: FakeDiscord, fake_world: World, any_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = any_harness
    day = dt.date(2025, 3, 10)  # MANY_DAY: the post takes several messages
    route = f"/channels/{fake_world.news.id}/messages"
    harness.clock.set(local(YEREVAN, 2025, 3, 9, 12, 0))
    async with harness.bot() as cog:
        await subscribe(fake_discord, fake_world.news)
        pace = cog.poster.pacer.wait

        async def die_after_the_first_part() -> None:
            if posts(fake_discord, fake_world.news):
                raise Crash  # the process dies between part 1 and part 2
            await pace()

        monkeypatch.setattr(cog.poster.pacer, "wait", die_after_the_first_part)
        harness.clock.set(local(YEREVAN, 2025, 3, 10, 9, 0))
        with pytest.raises(Crash):
            await cog.scheduler.run_once()
        [first] = posts(fake_discord, fake_world.news)
        assert footer(first).startswith("On this day · 2025-03-10 · 1/")
        pending = await cog.store.pending(fake_world.news.id)
        assert pending is not None
        assert (pending.local_date, pending.attempts) == (day, 1)
    ids = await harness.restart_later(local(YEREVAN, 2025, 3, 10, 15, 0), fake_world.news, day)
    messages = posts(fake_discord, fake_world.news)
    total = len(messages)
    assert total > 1
    assert messages[0].id == first.id  # part 1 is the message sent before the crash, found in history
    dataset = f"Dataset {VERSION}"
    assert [footer(m) for m in messages] == [post_footer(day, dataset, i, total) for i in range(total)]
    assert ids == tuple(m.id for m in messages)
    assert [c.status for c in fake_discord.calls_to("POST", route)] == [200] * total  # none sent twice


async def test_without_history_access_the_nonce_still_prevents_a_duplicate(
    fake_discord: FakeDiscord, fake_world: World, any_harness: Harness
) -> None:
    harness = any_harness
    await fake_discord.set_channel_permissions(
        fake_world.news, fake_world.bot_role, deny=Perm.READ_MESSAGE_HISTORY
    )
    harness.clock.set(local(YEREVAN, 2024, 11, 24, 12, 0))
    async with harness.bot(failing=True) as cog:
        confirmation = await subscribe(fake_discord, fake_world.news)
        assert "Tip: also allow the bot **Read Message History**" in confirmation.text
        cast(AnyFailingStore, cog.store).mark_posted_error = sqlite3.OperationalError("disk I/O error")
        harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
        await cog.scheduler.run_once()
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 2))  # back two minutes later
    async with harness.bot() as cog:
        await cog.scheduler.run_once()
        sub = await cog.store.get(fake_world.news.id)
        assert sub is not None
        assert sub.last_posted_date == dt.date(2024, 11, 25)
    calls = fake_discord.calls_to("POST", f"/channels/{fake_world.news.id}/messages")
    assert len(calls) == 2
    assert (
        calls[0].json["nonce"]
        == calls[1].json["nonce"]
        == post_nonce(fake_world.news.id, dt.date(2024, 11, 25))
    )
    assert calls[1].response["id"] == calls[0].response["id"]  # Discord returned the first message
    assert len(posts(fake_discord, fake_world.news)) == 1


# ---------------------------------------------------------------------------------------------- failures


async def test_429_and_500_still_make_exactly_one_message(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 23, 12, 0))
    await subscribe(fake_discord, fake_world.news)
    route = f"/channels/{fake_world.news.id}/messages"
    fake_discord.fail_next("POST", route, 429, retry_after=0.1)
    harness.clock.set(local(YEREVAN, 2024, 11, 24, 9, 0))
    [first] = await cog.scheduler.run_once()
    assert first.outcome is PostOutcome.SENT
    fake_discord.fail_next("POST", route, 500, processed=True)  # sent, but the answer is lost
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
    [second] = await cog.scheduler.run_once()
    assert second.outcome is PostOutcome.SENT
    calls = fake_discord.calls_to("POST", route)
    assert [c.status for c in calls] == [429, 200, 500, 200]
    assert (
        calls[0].json["nonce"] == calls[1].json["nonce"] != calls[2].json["nonce"] == calls[3].json["nonce"]
    )
    assert [footer(m).split(" · ")[1] for m in posts(fake_discord, fake_world.news)] == [
        "2024-11-24",
        "2024-11-25",
    ]


async def test_a_503_is_retried_at_the_next_check(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    await subscribe(fake_discord, fake_world.news)
    fake_discord.fail_next("POST", f"/channels/{fake_world.news.id}/messages", 503)
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
    [failed] = await cog.scheduler.run_once()
    assert (failed.outcome, failed.error) == (
        PostOutcome.TRANSIENT_ERROR,
        "Discord had a server error (503); retrying.",
    )
    status = await fake_discord.slash("daily status", user=fake_world.mod)
    assert "Discord had a server error (503); retrying." in status.text
    assert posts(fake_discord, fake_world.news) == []
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 1))
    [retried] = await cog.scheduler.run_once()
    assert (retried.outcome, retried.attempt) == (PostOutcome.SENT, 2)
    assert len(posts(fake_discord, fake_world.news)) == 1
    status = await fake_discord.slash("daily status", user=fake_world.mod)
    assert "server error" not in status.text  # not "503": a channel's id may hold those digits
    assert "Last post: 25 November 2024" in status.text


async def test_a_403_pauses_with_the_missing_permission_and_subscribing_again_resumes(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    await subscribe(fake_discord, fake_world.news)
    fake_discord.hold_dispatches = True  # the bot does not hear about the change: its send gets a 403
    await fake_discord.set_channel_permissions(fake_world.news, fake_world.bot_role, deny=Perm.SEND_MESSAGES)
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
    [result] = await cog.scheduler.run_once()
    assert (result.outcome, result.error) == (PostOutcome.FORBIDDEN, "Missing permission: Send Messages")
    assert [c.status for c in fake_discord.calls_to("POST", f"/channels/{fake_world.news.id}/messages")] == [
        403
    ]
    fake_discord.hold_dispatches = False
    await fake_discord.flush()
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 5))
    assert await cog.scheduler.run_once() == []  # paused: not retried every minute
    status = await fake_discord.slash("daily status", user=fake_world.mod)
    assert (
        "**Paused:** Missing permission: Send Messages Run /daily subscribe for the channel again to resume."
        in status.text
    )
    refused = await subscribe(fake_discord, fake_world.news)
    assert "Missing permission: Send Messages" in refused.text
    await fake_discord.set_channel_permissions(fake_world.news, fake_world.bot_role, allow=Perm.SEND_MESSAGES)
    resumed = await subscribe(fake_discord, fake_world.news)
    assert "Daily posts resumed" in resumed.text
    assert "today's is due" in resumed.text
    [posted] = await cog.scheduler.run_once()
    assert posted.outcome is PostOutcome.SENT
    assert len(posts(fake_discord, fake_world.news)) == 1


async def test_a_permission_lost_in_the_cache_pauses_without_a_request(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    await subscribe(fake_discord, fake_world.news)
    await fake_discord.set_channel_permissions(fake_world.news, fake_world.bot_role, deny=Perm.EMBED_LINKS)
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
    [result] = await cog.scheduler.run_once()
    assert (result.outcome, result.error) == (PostOutcome.FORBIDDEN, "Missing permission: Embed Links")
    assert fake_discord.calls_to("POST", f"/channels/{fake_world.news.id}/messages") == []
    sub = await cog.store.get(fake_world.news.id)
    assert sub is not None
    assert sub.paused_reason == "Missing permission: Embed Links"


async def test_a_404_pauses_and_subscribing_again_resumes(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    await subscribe(fake_discord, fake_world.news)
    fake_discord.fail_next(
        "POST", f"/channels/{fake_world.news.id}/messages", 404, code=10003, message="Unknown Channel"
    )
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
    [result] = await cog.scheduler.run_once()
    assert (result.outcome, result.error) == (PostOutcome.CHANNEL_GONE, "The channel was deleted.")
    status = await fake_discord.slash("daily status", user=fake_world.mod)
    assert "**Paused:** The channel was deleted." in status.text
    assert "Next post" not in status.text
    resumed = await subscribe(fake_discord, fake_world.news)
    assert "Daily posts resumed" in resumed.text
    [posted] = await cog.scheduler.run_once()
    assert posted.outcome is PostOutcome.SENT
    assert len(posts(fake_discord, fake_world.news)) == 1
    status = await fake_discord.slash("daily status", user=fake_world.mod)
    assert "Paused" not in status.text


async def test_a_deleted_channel_pauses_and_can_be_removed(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    await subscribe(fake_discord, fake_world.news)
    channel_id = fake_world.news.id
    await fake_discord.delete_channel(fake_world.news)
    for _ in range(500):  # the bot hears CHANNEL_DELETE and pauses the channel
        sub = await cog.store.get(channel_id)
        assert sub is not None
        if sub.paused_reason is not None:
            break
        await asyncio.sleep(0.01)
    assert sub.paused_reason == "The channel was deleted."
    assert cog.bot.get_channel(channel_id) is None
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
    assert await cog.scheduler.run_once() == []
    status = await fake_discord.slash("daily status", user=fake_world.mod)
    assert f"deleted channel {channel_id}" in status.text
    assert "**Paused:** The channel was deleted. Remove it with /daily unsubscribe." in status.text
    choices = await fake_discord.autocomplete(
        "daily unsubscribe", {"channel": ""}, "channel", user=fake_world.mod
    )
    assert choices == [
        {"name": f"deleted channel {channel_id} · 09:00 Asia/Yerevan · paused", "value": str(channel_id)}
    ]
    removed = await fake_discord.slash("daily unsubscribe", {"channel": str(channel_id)}, user=fake_world.mod)
    assert f"Daily posts stopped in the deleted channel {channel_id}." in removed.text
    assert await cog.store.get(channel_id) is None


async def test_a_channel_deleted_while_the_bot_was_down(
    fake_discord: FakeDiscord, fake_world: World, any_harness: Harness
) -> None:
    harness = any_harness
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    async with harness.bot():
        await subscribe(fake_discord, fake_world.news)
    fake_world.news.deleted = True  # no CHANNEL_DELETE: nobody was listening
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
    async with harness.bot() as cog:
        await cog.scheduler.run_once()
        sub = await cog.store.get(fake_world.news.id)
        assert sub is not None
        assert sub.paused_reason == "The channel was deleted."
    assert [c.status for c in fake_discord.calls_to("GET", f"/channels/{fake_world.news.id}")] == [404]


# ---------------------------------------------------------------------------------------------- pure helpers


def test_footer_marks_the_date_and_part_in_every_language() -> None:
    day = dt.date(2026, 11, 30)
    assert post_footer(day, "Dataset 7") == "On this day · 2026-11-30 · Dataset 7"
    assert post_footer(day, "Dataset 7", 1, 3) == "On this day · 2026-11-30 · 2/3 · Dataset 7"
    for language in LANGUAGES:
        with using(language):
            first, third = post_footer(day, "Dataset 7"), post_footer(day, "Dataset 8", 2, 3)
        if language != "en":
            assert not first.startswith("On this day"), language  # translated, yet recognised
        assert footer_part(first, day) == 0
        assert footer_part(third, day) == 2
        assert footer_part(first, dt.date(2025, 11, 30)) is None
    # a post made before the marker (English footer) is still recognised after an upgrade
    assert footer_part("On this day · 30 November 2026 · Dataset 7", day) == 0
    assert footer_part("On this day · 30 November 2026 · Part 2/3 · Dataset 7", day) == 1
    assert footer_part("On this day · 30 November 2025 · Dataset 7", day) is None
    assert footer_part("Dataset 7", day) is None
    assert footer_part("Dataset 2026-11-30", day) is None
    assert footer_part(None, day) is None


async def test_the_loop_starts_with_the_bot_and_stops_with_it(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    async with harness.bot() as cog:
        await subscribe(fake_discord, fake_world.news)
        task = cog._task
        assert task is not None
        assert not task.done()
        harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
        await cog.cog_unload()  # what bot.close() does
        assert task.done()
        await cog.cog_load()  # loading again starts a new loop, which checks at once
        await fake_discord.wait_for(lambda: len(posts(fake_discord, fake_world.news)) == 1, what="the post")
    assert cog._task is None


async def test_429s_until_discord_py_gives_up_are_retried_at_the_next_check(
    fake_discord: FakeDiscord, fake_world: World, harness: Harness, cog: DailyCog
) -> None:
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    await subscribe(fake_discord, fake_world.news)
    route = f"/channels/{fake_world.news.id}/messages"
    fake_discord.fail_next("POST", route, 429, retry_after=0.02, times=5)
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 0))
    [failed] = await cog.scheduler.run_once()
    assert (failed.outcome, failed.error) == (
        PostOutcome.TRANSIENT_ERROR,
        "Rate limited by Discord; retrying.",
    )
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 9, 1))
    [retried] = await cog.scheduler.run_once()
    assert retried.outcome is PostOutcome.SENT
    assert [c.status for c in fake_discord.calls_to("POST", route)] == [429] * 5 + [200]
    assert len(posts(fake_discord, fake_world.news)) == 1


# ------------------------------------------------------------------------------------- one reader per input


async def test_time_and_time_zone_options_are_read_and_autocompleted_alike(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog
) -> None:
    """/daily subscribe and /onthisday read a zone with the same transformer, and suggest the same."""
    command = fake_discord.find_command("daily")
    subscribe_options = {o["name"]: o for o in command["options"] if o["name"] == "subscribe"}["subscribe"]
    assert {o["name"]: o.get("autocomplete") for o in subscribe_options["options"]}["time"] is True
    filled = {"channel": fake_world.news, "time": "9", "timezone": "paris"}
    times = await fake_discord.autocomplete("daily subscribe", filled, "time", user=fake_world.mod)
    assert [c["value"] for c in times[:3]] == ["09:00", "09:30", "09:15"]
    for typed in ("paris", "", "US/Pacific", "UTC+4"):
        daily = await fake_discord.autocomplete(
            "daily subscribe", {**filled, "timezone": typed}, "timezone", user=fake_world.mod
        )
        onthisday = await fake_discord.autocomplete("onthisday", {"timezone": typed}, "timezone")
        assert daily == onthisday
        assert daily
    # a legacy name tzdata links (no table of ours knows it) and a loosely written time
    result = await subscribe(fake_discord, fake_world.news, "9h30", "Australia/ACT")
    assert "Daily posts set up" in result.text
    sub = await cog.store.get(fake_world.news.id)
    assert sub is not None
    assert (sub.post_time, sub.timezone) == (dt.time(9, 30), "Australia/Sydney")


async def test_a_bad_time_zone_is_refused_privately_everywhere(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog
) -> None:
    for result in (
        await fake_discord.slash("onthisday", {"timezone": "Mars/Olympus"}),
        await subscribe(fake_discord, fake_world.news, "09:00", "Mars/Olympus"),
    ):
        assert result.ephemeral
        assert "I don't know the time zone “Mars/Olympus”. Use an IANA name like Asia/Yerevan" in result.text


async def test_a_nul_in_the_time_zone_is_refused_like_in_a_date(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog
) -> None:
    for result in (
        await fake_discord.slash("onthisday", {"timezone": "Asia/Yerevan\x00"}),
        await subscribe(fake_discord, fake_world.news, "09:00", "Asia/Yerevan\x00"),
    ):
        assert result.ephemeral
        assert "A time zone cannot contain control characters." in result.text
    date = await fake_discord.slash("onthisday", {"date": "25 november\x00"})
    assert date.ephemeral
    assert "contains control characters" in date.text  # as the other options refuse it
    assert await cog.store.get(fake_world.news.id) is None


async def fill_to_the_brim(database: Database) -> None:
    """Make the state file full the way a full disk does: SQLite answers "database or disk is full"."""
    [pages] = await database.fetchone("PRAGMA page_count") or (0,)
    await database.execute(f"PRAGMA max_page_count = {int(pages) + 1}")
    filler = 10**15
    full = None
    while full is None:  # small rows until not one more fits in the pages left
        filler += 1
        try:
            await database.execute(
                "INSERT INTO daily_subscriptions (channel_id, guild_id, post_time, timezone, empty_day,"
                " created_by, created_at, updated_at, paused_reason)"
                " VALUES (?, 1, '09:00', 'UTC', 'skip', 1, '', '', 'filler')",
                (filler,),
            )
        except sqlite3.OperationalError as exc:
            full = exc
    assert "database or disk is full" in str(full)


async def test_a_full_disk_tells_the_user_the_storage_is_full(
    fake_discord: FakeDiscord, fake_world: World, cog: DailyCog, caplog: pytest.LogCaptureFixture
) -> None:
    await fill_to_the_brim(cog.bot.database)
    result = await subscribe(fake_discord, fake_world.news)
    assert result.text == STORAGE_FULL_ANSWER
    assert "Something went wrong" not in result.text
    assert await cog.store.get(fake_world.news.id) is None
    [line] = [r for r in caplog.records if "storage is full" in r.getMessage()]
    assert line.exc_info is None  # one clear line for the operator, not a traceback
    assert "/daily subscribe" in line.getMessage()


# ---------------------------------------------------------------------------------------------- outages


async def test_an_outage_backs_off_per_channel_and_logs_the_first_failure_then_summaries(
    fake_discord: FakeDiscord,
    fake_world: World,
    harness: Harness,
    cog: DailyCog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.core.daily")
    harness.clock.set(local(YEREVAN, 2024, 11, 25, 8, 0))
    await subscribe(fake_discord, fake_world.news)
    await subscribe(fake_discord, fake_world.general, "09:10")
    news = f"/channels/{fake_world.news.id}/messages"
    # Discord drops the connection three times, then answers 503 for good
    fake_discord.fail_next("POST", news, 0, drop=True, times=3)
    fake_discord.fail_next("POST", news, 503, times=10_000)
    start = local(YEREVAN, 2024, 11, 25, 9, 0)
    tried: list[float] = []
    for check in range(241):  # two hours of checks every 30 s
        harness.clock.set(start + dt.timedelta(seconds=30 * check))
        for result in await cog.scheduler.run_once():
            if result.channel_id == fake_world.news.id:
                tried.append(30.0 * check)
    # 30 s after the first failure, then doubling, at most every 30 minutes: 9 tries, not 241
    assert tried == [0, 30, 90, 210, 450, 930, 1890, 3690, 5490]
    assert len(fake_discord.calls_to("POST", news)) == len(tried)
    assert len(posts(fake_discord, fake_world.general)) == 1  # the other channel is not held back
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    [first] = [line for line in lines if f"channel {fake_world.news.id} failed" in line]
    assert "Could not reach Discord (the server closed the connection without answering)" in first
    summaries = [line for line in lines if line.startswith("Daily posts: 1 channel(s) failing")]
    assert 1 <= len(summaries) <= 9  # at most one per 15 minutes
    assert "Discord had a server error (503)" in summaries[-1]
    assert len(lines) == 1 + len(summaries)
    # Discord is back: the next try posts, and the backoff starts over
    fake_discord.clear_faults()
    harness.clock.set(start + dt.timedelta(seconds=7290))
    [sent] = await cog.scheduler.run_once()
    assert sent.outcome is PostOutcome.SENT
    assert len(posts(fake_discord, fake_world.news)) == 1
    assert f"channel {fake_world.news.id} went out after 9 failed attempt(s)" in caplog.text
    assert cog.scheduler.retries.failing == {}
