"""The heartbeat the bot keeps while connected (real client on fakecord) and ``python -m bot health``."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from botkit import artsakh_bot, bot_config, california_ajr32, country, dataset, place
from conftest import RunBot
from fakecord import FakeDiscord

from bot.cli.main import main
from bot.config import Config, StorageConfig
from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.reloading import DataStore
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot
from bot.discordbot.cogs.health import HealthCog
from bot.storage.database import Database
from bot.storage.heartbeat import MAX_AGE_SECONDS, heartbeat_path

START = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
DATA = dataset(
    "test-1",
    countries=[country("us", "United States")],
    jurisdictions=[place("california", "California", "state", "us")],
    records=[california_ajr32()],
)


pytestmark = pytest.mark.usefixtures("cli_isolated")


def health(tmp_path: Path, clock: ManualClock, *args: str) -> tuple[int, str, str]:
    """``python -m bot --config ... health`` with the state database in ``tmp_path``."""
    (tmp_path / "config.toml").write_text('[storage]\ndatabase = "state.sqlite3"\n', encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--config", str(tmp_path / "config.toml"), "health", *args],
        env={}, clock=clock, stdin=io.StringIO(), stdout=out, stderr=err,
    )
    return code, out.getvalue(), err.getvalue()


def health_bot(fake: FakeDiscord, tmp_path: Path, clock: ManualClock, database: Database) -> ArtsakhBot:
    config: Config = bot_config(fake, storage=StorageConfig(database=tmp_path / "state.sqlite3"))
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=DATA)
    return artsakh_bot(
        config, clock, store, database, extensions=(*CORE_EXTENSIONS, "bot.discordbot.cogs.health")
    )


async def test_the_bot_beats_while_connected_and_health_follows(
    fake_discord: FakeDiscord, run_bot: RunBot, tmp_path: Path, database: Database
) -> None:
    clock = ManualClock(START)
    beat_file = heartbeat_path(tmp_path)
    assert health(tmp_path, clock) == (
        1, "", f"unhealthy: no heartbeat at {beat_file} (the bot is stopped or not connected yet)\n"
    )
    async with run_bot(health_bot(fake_discord, tmp_path, clock, database)) as bot:
        cog: Any = bot.get_cog("Health")  # the extension's own module: isinstance cannot tell
        assert type(cog).__name__ == HealthCog.__name__
        await fake_discord.wait_for(beat_file.exists, what="the first heartbeat")
        assert beat_file.read_text(encoding="utf-8") == "2026-12-07T12:00:00+00:00\n"
        assert health(tmp_path, clock) == (0, "healthy: connected to Discord, last heartbeat 0 s ago\n", "")

        clock.advance(dt.timedelta(seconds=30))
        assert await cog.beat()
        assert beat_file.read_text(encoding="utf-8") == "2026-12-07T12:00:30+00:00\n"
        clock.advance(dt.timedelta(seconds=MAX_AGE_SECONDS))  # no beat for exactly the limit: still fine
        assert health(tmp_path, clock)[0] == 0
        clock.advance(dt.timedelta(seconds=1))
        code, out, err = health(tmp_path, clock)
        assert (code, out) == (1, "")
        assert err == (
            "unhealthy: not connected to Discord for 91 s (last heartbeat 2026-12-07 12:00:30 UTC)\n"
        )
        assert health(tmp_path, clock, "--max-age", "120")[0] == 0

        # the gateway drops and the bot RESUMEs: a beat at once, with the time of the resume
        clock.advance(dt.timedelta(minutes=10))
        await fake_discord.close_socket(4000)
        await fake_discord.wait_for(
            lambda: beat_file.read_text(encoding="utf-8") == "2026-12-07T12:12:01+00:00\n",
            what="a heartbeat on RESUMED",
        )
        assert health(tmp_path, clock)[0] == 0
    # stopped: the heartbeat is gone and health fails at once
    assert not beat_file.exists()
    assert health(tmp_path, clock)[0] == 1


async def test_no_beats_while_discord_is_unreachable(
    fake_discord: FakeDiscord, run_bot: RunBot, tmp_path: Path, database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(START)
    beat_file = heartbeat_path(tmp_path)
    async with run_bot(health_bot(fake_discord, tmp_path, clock, database)) as bot:
        cog: Any = bot.get_cog("Health")  # the extension's own module: isinstance cannot tell
        assert type(cog).__name__ == HealthCog.__name__
        await fake_discord.wait_for(beat_file.exists, what="the first heartbeat")
        await fake_discord.stop()  # the gateway closes and refuses every reconnect
        await fake_discord.wait_for(lambda: not cog.is_connected(), what="the bot to notice")
        clock.advance(dt.timedelta(minutes=5))
        assert not await cog.beat()
        assert beat_file.read_text(encoding="utf-8") == "2026-12-07T12:00:00+00:00\n"
        code, _, err = health(tmp_path, clock)
        assert code == 1
        assert err == (
            "unhealthy: not connected to Discord for 5 min (last heartbeat 2026-12-07 12:00:00 UTC)\n"
        )
    caplog.clear()  # discord.py logs its reconnect attempts


def test_a_garbled_or_future_heartbeat_is_unhealthy(tmp_path: Path) -> None:
    clock = ManualClock(START)
    beat_file = heartbeat_path(tmp_path)
    beat_file.write_text("yesterday\n", encoding="utf-8")
    assert health(tmp_path, clock) == (
        1, "", f"unhealthy: {beat_file} does not hold a heartbeat time ('yesterday')\n"
    )
    beat_file.write_text("2026-12-07T14:00:00+00:00\n", encoding="utf-8")
    future = "unhealthy: the heartbeat is 2.0 h in the future; check the clock\n"
    assert health(tmp_path, clock) == (1, "", future)
