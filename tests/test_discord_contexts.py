"""The lookup commands wherever people talk, through the real discord.py client: a direct message
with the bot, a group DM and a server that never added the bot (the app installed to the user's
account), each answered, privately where the bot cannot post; the server-only commands are not
offered there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botkit import bot_config
from fakecord import CommandNotAvailable, FakeChannel, FakeDiscord, InteractionResult
from test_discord_bot import components, description, make_bot, title

from bot.discordbot.bot import ArtsakhBot, default_extensions
from bot.storage.database import Database


def global_bot(fake: FakeDiscord, database: Database, tmp_path: Path) -> ArtsakhBot:
    """The bot with its commands synced globally, as a user-installable app's must be."""
    config = bot_config(fake, sync="global")
    return make_bot(fake, database, tmp_path, config=config, extensions=default_extensions())


def places(fake: FakeDiscord) -> dict[str, FakeChannel]:
    world = fake.world
    elsewhere = fake.create_guild("Never Added The Bot", with_bot=False)
    elsewhere.add_member(world.alice)
    elsewhere.add_member(world.bob)
    return {
        "dm": fake.dm_channel(world.alice),
        "group": fake.create_group_dm(world.alice, world.bob, name="friends"),
        "guild": elsewhere.add_channel("chat"),
    }


def answered(result: InteractionResult) -> InteractionResult:
    assert result.acknowledged
    assert not result.failed
    assert not result.timed_out
    return result


@pytest.mark.parametrize(
    ("where", "public"),
    [("dm", True), ("group", False), ("guild", False)],
)
async def test_a_lookup_is_answered_in_a_dm_a_group_dm_and_a_server_without_the_bot(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path, *, where: str, public: bool
) -> None:
    channel = places(fake_discord)[where]
    alice = fake_discord.world.alice
    async with run_bot(global_bot(fake_discord, database, tmp_path)):
        result = answered(await fake_discord.slash("jurisdiction", {"name": "california"}, channel=channel))
        assert result.user_id == alice.id
        assert result.ephemeral is (not public)  # only the bot's own DM can take a public answer
        assert "California" in title(result)
        payload = result.payload
        if where == "guild":
            assert payload["context"] == 0
            assert "member" in payload
            assert payload["authorizing_integration_owners"] == {"1": str(alice.id)}
        else:
            assert "guild_id" not in payload
            assert "member" not in payload
            assert payload["user"]["id"] == str(alice.id)
            assert payload["context"] == (1 if where == "dm" else 2)
        dated = answered(await fake_discord.slash("date", {"when": "nov 2020"}, channel=channel))
        assert dated.ephemeral is (not public)
        assert "25 November 2020" in dated.text
    fake_discord.assert_no_pings()


async def test_a_user_install_in_a_server_that_added_the_bot_answers_publicly(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    alice = fake_discord.world.alice
    async with run_bot(global_bot(fake_discord, database, tmp_path)):
        result = answered(await fake_discord.slash("jurisdiction", {"name": "california"}, install="user"))
        assert result.payload["authorizing_integration_owners"] == {"1": str(alice.id)}
        assert not result.ephemeral
        assert "California" in title(result)


@pytest.mark.parametrize("where", ["dm", "group", "guild"])
async def test_page_buttons_and_the_details_menu_work_for_the_asker(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path, where: str
) -> None:
    channel = places(fake_discord)[where]
    async with run_bot(global_bot(fake_discord, database, tmp_path)):
        listed = answered(await fake_discord.slash("list", {}, channel=channel))
        assert listed.message is not None
        first = description(listed)
        assert first.startswith("23 records, newest first.")
        next_page = next(c for c in components(listed.message) if c.startswith("pg:n:"))
        turned = answered(await fake_discord.click(listed.message, next_page))
        assert turned.response_type == 7
        assert turned.payload["context"] == listed.payload["context"]
        assert description(listed.message) != first
        assert listed.message.ephemeral is (where != "dm")
        details = next(c for c in listed.message.all_components() if c.get("custom_id") == "details")
        value = details["options"][0]["value"]
        card = answered(await fake_discord.click(listed.message, "details", values=[value]))
        assert card.ephemeral
        assert card.embeds
        assert title(card)


async def test_the_app_stays_private_in_a_group_dm_and_the_other_person_cannot_click(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    channel = places(fake_discord)["group"]
    world = fake_discord.world
    async with run_bot(global_bot(fake_discord, database, tmp_path)):
        listed = answered(await fake_discord.slash("list", {}, channel=channel, user=world.alice))
        assert listed.message is not None
        assert listed.message.ephemeral
        with pytest.raises(CommandNotAvailable):  # bob never sees alice's private answer
            await fake_discord.click(listed.message, "details", values=["0"], user=world.bob)
        # bob's own question gets his own private answer
        his = answered(
            await fake_discord.slash("jurisdiction", {"name": "california"}, channel=channel, user=world.bob)
        )
        assert his.ephemeral
        assert his.user_id == world.bob.id
        choices = await fake_discord.autocomplete("jurisdiction", {"name": "calif"}, "name", channel=channel)
        assert choices[0]["value"] == "california"
        pictured = answered(await fake_discord.slash("map", {}, channel=channel))
        assert pictured.ephemeral


@pytest.mark.parametrize(
    ("where", "install"), [("dm", "user"), ("dm", "guild"), ("group", None), ("guild", None)]
)
async def test_server_only_commands_are_not_offered_outside_servers_that_added_the_bot(
    fake_discord: FakeDiscord,
    run_bot: Any,
    database: Database,
    tmp_path: Path,
    *,
    where: str,
    install: str | None,
) -> None:
    channel = places(fake_discord)[where]
    async with run_bot(global_bot(fake_discord, database, tmp_path)):
        for name in ("daily", "settings", "admin"):
            synced = fake_discord.find_command(name)
            sub = " ".join([name, *(o["name"] for o in synced.get("options", [])[:1] if o["type"] in (1, 2))])
            with pytest.raises(CommandNotAvailable):
                await fake_discord.slash(sub, {}, channel=channel, install=install)
        helped = answered(await fake_discord.slash("help", {}, channel=channel, install=install))
        for name in ("/daily", "/settings", "/admin"):
            assert name not in helped.text
        assert "/jurisdiction" in helped.text
