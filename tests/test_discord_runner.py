"""``python -m bot run`` / ``sync`` entry points against the fake Discord server."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
from pathlib import Path

import discord.gateway
import discord.http
import pytest
import yarl
from botkit import FAST_START as FAST
from botkit import discord_config
from fakecord import FakeDiscord

from bot.config import Config, DataConfig, StorageConfig, SyncMode
from bot.core.clock import ManualClock
from bot.discordbot import runner

MINI_DATA = Path(__file__).parent / "data" / "mini"
CLOCK = ManualClock(dt.datetime(2024, 11, 25, 12, 0, tzinfo=dt.UTC))


def config_for(fake: FakeDiscord, tmp_path: Path, *, token: str | None, sync: SyncMode = "guild") -> Config:
    return Config(
        discord=discord_config(fake, sync=sync),
        data=DataConfig(path=MINI_DATA, history_path=tmp_path / "history"),
        storage=StorageConfig(database=tmp_path / "state.sqlite3"),
        token=token,
    )


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_rejected_token_ends_with_code_2_and_one_clear_line(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = config_for(fake_discord, tmp_path, token="not-the-token")
    code = await runner.run_bot_async(config, CLOCK, bot_options=FAST)
    assert code == 2
    [record] = errors(caplog)
    assert record.getMessage().startswith("Discord rejected the token.")
    assert record.exc_info is None  # no traceback
    assert "not-the-token" not in caplog.text
    assert fake_discord.identify_count == 0


async def test_the_sync_entry_point_in_its_own_loop(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = config_for(fake_discord, tmp_path, token="not-the-token")
    code = await asyncio.to_thread(runner.run_bot, config, CLOCK)
    assert code == 2
    assert [r.getMessage() for r in errors(caplog)] == [runner.BAD_TOKEN]


@pytest.mark.parametrize("token", [None, "", "   "])
async def test_a_missing_token_ends_with_code_2(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture, token: str | None
) -> None:
    assert await runner.run_bot_async(config_for(fake_discord, tmp_path, token=token), CLOCK) == 2
    assert await runner.sync_commands_async(config_for(fake_discord, tmp_path, token=token), CLOCK) == 2
    assert [r.getMessage() for r in errors(caplog)] == [runner.NO_TOKEN, runner.NO_TOKEN]
    assert fake_discord.calls == []


async def test_broken_data_ends_with_code_1(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "resolutions.yaml").write_text("resolutions: [", encoding="utf-8")
    config = config_for(fake_discord, tmp_path, token=fake_discord.token)
    config = Config(
        discord=config.discord,
        data=DataConfig(path=tmp_path / "data"),
        storage=config.storage,
        token=config.token,
    )
    assert await runner.run_bot_async(config, CLOCK, bot_options=FAST) == 1
    assert "The dataset in" in caplog.text
    assert all(r.exc_info is None for r in errors(caplog))


async def test_run_until_sigterm_then_stop_cleanly(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    config = config_for(fake_discord, tmp_path, token=fake_discord.token)
    task = asyncio.create_task(runner.run_bot_async(config, CLOCK, bot_options=FAST))
    await fake_discord.wait_for(lambda: "Ready as" in caplog.text or task.done(), timeout=10, what="ready")
    assert f"Ready as {fake_discord.bot_user.username}" in caplog.text
    assert "in 1 guilds" in caplog.text
    result = await fake_discord.slash("jurisdiction", {"name": "California"})
    assert result.acknowledged
    assert not result.ephemeral
    assert "California — State Assembly · 8 May 2014" in result.text
    signal.raise_signal(signal.SIGTERM)
    assert await asyncio.wait_for(task, 10) == 0
    assert "Received SIGTERM; shutting down" in caplog.text
    assert errors(caplog) == []
    assert not fake_discord.gateway.connected_sessions()


async def test_sync_command_forces_a_sync_over_http_only(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    config = config_for(fake_discord, tmp_path, token=fake_discord.token)
    puts = f"/applications/*/guilds/{fake_discord.guild.id}/commands"
    assert await runner.sync_commands_async(config, CLOCK) == 0
    assert await runner.sync_commands_async(config, CLOCK) == 0  # forced: synced again
    assert len(fake_discord.calls_to("PUT", puts)) == 2
    assert fake_discord.identify_count == 0  # never opened the gateway
    names = {c["name"] for c in fake_discord.synced_commands(fake_discord.guild)}
    assert {"jurisdiction", "list", "help"} <= names
    assert f"guild {fake_discord.guild.id}: synced" in caplog.text


async def test_sync_command_with_sync_off_uses_the_guilds(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    config = config_for(fake_discord, tmp_path, token=fake_discord.token, sync="off")
    assert await runner.sync_commands_async(config, CLOCK) == 0
    assert fake_discord.synced_commands(fake_discord.guild)
    assert fake_discord.synced_commands(None) == []


async def test_sync_command_reports_a_failed_sync(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = config_for(fake_discord, tmp_path, token=fake_discord.token, sync="global")
    fake_discord.fail_next("PUT", "/applications/*/commands", 403)
    assert await runner.sync_commands_async(config, CLOCK) == 1
    assert "Syncing commands for global failed" in caplog.text


def test_endpoints_are_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    runner.apply_endpoints("http://127.0.0.1:9/", "ws://127.0.0.1:9/")
    assert discord.http.Route.BASE == "http://127.0.0.1:9/api/v10"
    assert yarl.URL("ws://127.0.0.1:9/") == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    runner.apply_endpoints("http://127.0.0.1:9/api/v10", None)
    assert discord.http.Route.BASE == "http://127.0.0.1:9/api/v10"
    before = discord.http.Route.BASE
    runner.apply_endpoints("", "")
    assert before == discord.http.Route.BASE
