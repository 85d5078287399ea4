"""/admin status through fakecord, with two real bot processes splitting two shards on one state database.

Each bot is one process (its own connection to the state database, on each backend). Their heartbeats
are driven by hand with a ManualClock (``bot.process.beat()``); the moderator's /admin status reaches
the process holding the server's shard and lists both, each with its shards, latency, dataset, daily
posts due and last error, on one short page; anyone else is refused privately.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import botkit as kit
import pytest
from conftest import Opener
from fakecord import FakeDiscord, InteractionResult, shard_of
from test_discord_shards import START, VERSION, dataset, shard_config

from bot.config import ModerationConfig
from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.processes import STALE_AFTER
from bot.core.reloading import DataStore
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot

ADMIN = "bot.discordbot.cogs.admin"
COUNT = 2


@asynccontextmanager
async def two_processes(
    fake: FakeDiscord, run_bot: Any, tmp_path: Path, open_db: Opener, clock: ManualClock
) -> AsyncIterator[list[ArtsakhBot]]:
    """Process 0 runs shard 0, process 1 shard 1, both with the admin cog; bob is a moderator."""
    async with AsyncExitStack() as stack:
        bots = []
        for shard in range(COUNT):
            config = shard_config(fake, COUNT, [shard])
            config = dataclasses.replace(config, moderation=ModerationConfig(user_ids=(fake.world.bob.id,)))
            folder = tmp_path / f"process-{shard}"
            folder.mkdir()
            data = DataStore(folder, QueryEngine, clock=clock, dataset=dataset())
            bot = kit.artsakh_bot(config, clock, data, await open_db(), extensions=(*CORE_EXTENSIONS, ADMIN))
            bot.process.host = f"machine-{'ab'[shard]}"
            clock.advance(dt.timedelta(seconds=1))  # process 1 starts after process 0
            await stack.enter_async_context(run_bot(bot))
            bots.append(bot)
        yield bots


async def status(fake: FakeDiscord, user: Any, locale: str = "en-US") -> InteractionResult:
    result = await fake.slash("admin status", user=user, locale=locale, check_permissions=False)
    assert result.acknowledged
    assert not result.timed_out
    await result.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=10.0)
    assert result.ephemeral, "the status is private"
    return result


def fields(result: InteractionResult) -> dict[str, str]:
    assert result.message is not None
    [embed] = result.message.embeds
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


async def test_a_moderator_sees_every_live_process_on_one_short_page(
    fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, open_state_db: Opener
) -> None:
    world = fake_discord.world
    clock = ManualClock(START)
    answering = shard_of(world.guild.id, COUNT)  # the process that gets the command
    async with two_processes(fake_discord, run_bot, tmp_path, open_state_db, clock) as bots:
        for bot in bots:
            await bot.process.beat()
        clock.advance(dt.timedelta(seconds=30))
        failure = "Could not load the reloaded dataset 2026.13: resolutions.yaml:3: bad date"
        await bots[1].process.report_error(failure)
        result = await status(fake_discord, world.bob)
        assert result.message is not None
        assert result.message.embeds[0]["title"] == "2 live bot processes"
        shown = fields(result)
        names = [f"machine-{'ab'[s]} · pid {bots[s].process.pid}" for s in range(COUNT)]
        names[answering] += " · this one"
        assert list(shown) == names, "oldest first, the answering one marked"
        first, second = shown[names[0]].split("\n"), shown[names[1]].split("\n")
        for shard, lines in enumerate((first, second)):
            assert re.fullmatch(rf"Shards {shard} of 2 · (\d+ ms|latency not measured yet)", lines[0])
            assert lines[1] == f"Dataset {VERSION} · 0 daily posts due"
        assert first[2] == "No error"
        stamp = int(clock.now().timestamp())
        assert second[2] == f"Last error (<t:{stamp}:R>): {failure}"
        assert all(len(line) <= 110 for value in shown.values() for line in value.split("\n")), "short lines"
        # process 1 stops beating (it hangs, its machine is gone): after three missed beats it is not listed
        clock.advance(STALE_AFTER)
        await bots[0].process.beat()
        later = await status(fake_discord, world.bob)
        assert later.message is not None
        assert later.message.embeds[0]["title"] == "1 live bot process"
        assert list(fields(later)) == [names[0]]
        await bots[1].process.beat()
        await bots[1].close()  # a clean stop leaves the list at once
        assert [p.pid for p in await bots[0].process.registry.live(clock.now())] == [bots[0].process.pid]
    fake_discord.assert_no_violations()


async def test_status_is_refused_to_others_and_speaks_the_moderators_language(
    fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, open_state_db: Opener
) -> None:
    world = fake_discord.world
    clock = ManualClock(START)
    async with two_processes(fake_discord, run_bot, tmp_path, open_state_db, clock) as bots:
        for bot in bots:
            await bot.process.beat()
        refused = await status(fake_discord, world.alice)
        assert refused.message is not None
        assert refused.text.strip().endswith("Only the bot's moderators can see its status.")
        assert "pid" not in refused.text
        french = await status(fake_discord, world.bob, locale="fr")
        assert french.message is not None
        assert french.message.embeds[0]["title"] == "2 processus du bot en marche"
        for value in fields(french).values():
            assert "Aucune erreur" in value
            assert "0 publication quotidienne en attente" in value  # French counts 0 as one
        russian = await status(fake_discord, world.alice, locale="ru")
        assert "Только модераторы бота могут смотреть его состояние." in russian.text


@pytest.mark.parametrize("locale", ["hy", "ru", "fr", "es"])
def test_every_status_line_is_translated(locale: str) -> None:
    from bot.core.i18n import using
    from bot.core.processes import ProcessRecord
    from bot.discordbot.status import status_embed

    record = ProcessRecord("p", "host", 1, (0, 1), 4, START, START, 0.05, "v1", 3, "boom", START)
    with using("en"):
        english = status_embed([record], this="p").to_dict()
    with using(locale):
        translated = status_embed([record], this="p").to_dict()
    assert translated["title"] != english["title"]
    english_lines = english["fields"][0]["value"].split("\n")
    translated_lines = translated["fields"][0]["value"].split("\n")
    assert all(a != b for a, b in zip(english_lines, translated_lines, strict=True))
