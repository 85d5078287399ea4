"""``python -m bot run`` / ``sync`` entry points against the fake Discord server."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import gc
import json
import logging
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import discord.gateway
import discord.http
import pytest
import yarl
from botkit import FAST_START as FAST
from botkit import discord_config
from fakecord import FakeDiscord

from bot.config import Config, DailyConfig, DataConfig, StorageConfig, SyncMode
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
    assert "California: Assembly Joint Resolution 32" in result.text
    signal.raise_signal(signal.SIGTERM)
    assert await asyncio.wait_for(task, 10) == 0
    assert "Received SIGTERM; shutting down" in caplog.text
    assert errors(caplog) == []
    assert "Could not remove this process" not in caplog.text  # the database stayed open for it
    assert not fake_discord.gateway.connected_sessions()
    with contextlib.closing(sqlite3.connect(tmp_path / "state.sqlite3")) as state:
        assert state.execute("SELECT count(*) FROM bot_processes").fetchone() == (0,)  # it left the list


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


# ------------------------------------------------------------------------------------ Discord unreachable


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def unreachable(fake: FakeDiscord, kind: str) -> tuple[str, str]:
    """A REST base Discord cannot be reached at, and the cause the error line must name."""
    if kind == "refused":
        port = closed_port()
        return f"http://127.0.0.1:{port}/api/v10", f"connection refused by 127.0.0.1:{port}"
    if kind == "dns":
        return "http://nonexistent.invalid/api/v10", "DNS lookup of nonexistent.invalid failed"
    # TLS spoken to a plain-HTTP server: the handshake fails
    return f"https://127.0.0.1:{fake.port}/api/v10", "TLS error (WRONG_VERSION_NUMBER)"


class Sleeps:
    """Records the waits between login attempts instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.mark.parametrize("kind", ["refused", "dns", "tls"])
@pytest.mark.parametrize("command", ["run", "sync"])
async def test_discord_unreachable_at_start_is_one_line_after_a_few_retries(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str, command: str
) -> None:
    caplog.set_level(logging.INFO)
    base, cause = unreachable(fake_discord, kind)
    config = config_for(fake_discord, tmp_path, token=fake_discord.token)
    config = dataclasses.replace(config, discord=dataclasses.replace(config.discord, api_base=base))
    sleeps = Sleeps()
    if command == "run":
        code = await runner.run_bot_async(config, CLOCK, bot_options=FAST, sleep=sleeps)
    else:
        code = await runner.sync_commands_async(config, CLOCK, sleep=sleeps)
    gc.collect()  # an HTTP session left open would be reported now
    assert code == 1
    [error] = errors(caplog)
    assert error.getMessage().startswith(f"Could not reach Discord at {base}: {cause}")
    assert error.getMessage().endswith("(tried 4 times).")
    assert error.exc_info is None
    assert sleeps.waits == [2.0, 4.0, 8.0]  # backoff between the four attempts
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    retries = [line for line in warnings if "without encryption" not in line]  # dns: a plain http:// host
    assert len(retries) == 3
    assert all(cause in line and "trying again in" in line for line in retries)
    assert "Traceback" not in caplog.text
    assert "Unclosed" not in caplog.text
    assert fake_discord.calls == []


async def test_a_discord_that_comes_back_during_the_retries(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_discord.fail_next("GET", "/users/@me", 503, times=2)
    sleeps = Sleeps()
    config = config_for(fake_discord, tmp_path, token=fake_discord.token)
    task = asyncio.create_task(runner.run_bot_async(config, CLOCK, bot_options=FAST, sleep=sleeps))
    await fake_discord.wait_for(lambda: "Ready as" in caplog.text or task.done(), timeout=10, what="ready")
    assert sleeps.waits == [2.0, 4.0]
    assert "Discord answered 503; trying again in 2 s (attempt 1 of 4)" in caplog.text
    signal.raise_signal(signal.SIGTERM)
    assert await asyncio.wait_for(task, 10) == 0
    assert errors(caplog) == []


# ---------------------------------------------------------------------------------------------- one instance


async def test_a_second_instance_on_the_same_state_stops_naming_the_first(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    config = config_for(fake_discord, tmp_path, token=fake_discord.token)
    first = asyncio.create_task(runner.run_bot_async(config, CLOCK, bot_options=FAST))
    await fake_discord.wait_for(lambda: "Ready as" in caplog.text or first.done(), timeout=10, what="ready")
    settings = tmp_path / "second.toml"
    settings.write_text(
        f"[discord]\napi_base = {json.dumps(fake_discord.api_base)}\n"
        f"gateway_url = {json.dumps(fake_discord.gateway_url)}\n"
        f"[data]\npath = {json.dumps(str(MINI_DATA))}\n"
        f"history_path = {json.dumps(str(tmp_path / 'history'))}\n"
        f"[storage]\ndatabase = {json.dumps(str(config.storage.database))}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BOT_"))}
    second = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(settings), "run",
        env={**env, "DISCORD_TOKEN": fake_discord.token},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _, stderr = await asyncio.wait_for(second.communicate(), 60)
    finally:
        if second.returncode is None:
            second.kill()
            await second.wait()
    lines = stderr.decode().splitlines()
    assert second.returncode == 1
    [line] = [x for x in lines if " ERROR " in x]
    assert line.endswith(
        f"Another instance of the bot (pid {os.getpid()}) is already using {config.storage.database}; "
        "stop it first, or give this one its own storage.url."
    )
    assert not any("Traceback" in x for x in lines)
    assert fake_discord.identify_count == 1  # only the first instance connected
    assert not first.done()
    signal.raise_signal(signal.SIGTERM)
    assert await asyncio.wait_for(first, 10) == 0
    # the lock goes with the process: a new instance may start now
    assert await runner.sync_commands_async(config, CLOCK) == 0
    with runner.lock_state(config) or contextlib.nullcontext():
        pass


@pytest.mark.parametrize(
    ("api_base", "gateway", "warned"),
    [
        ("http://127.0.0.1:9/api/v10", "ws://127.0.0.1:9/", []),
        ("http://localhost:9", "ws://[::1]:9/", []),
        ("https://discord.example.org", "wss://gateway.example.org", []),
        ("http://192.0.2.7:8080", "ws://127.0.0.1:9/", ["API at http://192.0.2.7:8080/api/v10"]),
        ("https://discord.example.org", "ws://gateway.example.org", ["gateway at ws://gateway.example.org"]),
        ("http://fakecord.internal/api/v10", "ws://10.0.0.2:9",
         ["API at http://fakecord.internal/api/v10", "gateway at ws://10.0.0.2:9"]),
    ],
)
def test_an_unencrypted_endpoint_on_another_machine_is_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    api_base: str, gateway: str, warned: list[str],
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    caplog.set_level(logging.INFO, logger=runner.__name__)
    runner.apply_endpoints(api_base, gateway)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w.split(" without encryption")[0].removeprefix("Using the Discord ") for w in warnings] == warned
    for warning in warnings:
        assert warning.endswith(
            "the bot token travels in clear to another machine. Use https:// and wss://, "
            "or a server on this machine."
        )
    assert len(caplog.records) == 2  # one line per endpoint


# ------------------------------------------------------------------------------------ stopping in an outage


@contextlib.contextmanager
def logged(text: str) -> Iterator[asyncio.Event]:
    """An event set as soon as a log line containing ``text`` is written (nothing polls)."""
    seen = asyncio.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if text in record.getMessage():
                seen.set()

    watch = Watch()
    root = logging.getLogger()
    root.addHandler(watch)
    try:
        yield seen
    finally:
        root.removeHandler(watch)


@pytest.mark.parametrize("state", ["retrying a 500", "backing off after a 503", "dropped connections"])
async def test_sigterm_stops_within_5_seconds_while_daily_posts_fail(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture, state: str
) -> None:
    caplog.set_level(logging.INFO)
    clock = ManualClock(dt.datetime(2024, 9, 2, 8, 0, tzinfo=dt.UTC))  # the proclamation's anniversary
    config = dataclasses.replace(
        config_for(fake_discord, tmp_path, token=fake_discord.token),
        daily=DailyConfig(check_interval_seconds=1.0),
    )
    task = asyncio.create_task(runner.run_bot_async(config, clock, bot_options=FAST))
    await fake_discord.wait_for(lambda: "Ready as" in caplog.text or task.done(), timeout=10, what="ready")
    world = fake_discord.world
    options = {"channel": world.news, "time": "09:00", "timezone": "UTC"}
    subscribed = await fake_discord.slash("daily subscribe", options, user=world.mod)
    assert "Daily posts set up" in subscribed.text
    posting = f"/channels/{world.news.id}/messages"
    if state == "retrying a 500":  # discord.py itself waits 1, 3, 5, 7 s between tries
        fake_discord.fail_next("POST", posting, 500, times=100)
    elif state == "backing off after a 503":
        fake_discord.fail_next("POST", posting, 503, times=100)
    else:
        fake_discord.fail_next("POST", posting, 0, drop=True, times=100)
    with logged("Trying again in 30 s") as backing_off:
        clock.set(dt.datetime(2024, 9, 2, 9, 0, tzinfo=dt.UTC))  # due now: the loop tries within a second
        await fake_discord.wait_for_call("POST", posting, timeout=10)
        if state != "retrying a 500":
            await asyncio.wait_for(backing_off.wait(), 5)
    signal.raise_signal(signal.SIGTERM)
    assert await asyncio.wait_for(task, 5) == 0  # stopped within 5 s
    assert fake_discord.messages_in(world.news) == []
    assert not fake_discord.gateway.connected_sessions()


async def test_sigterm_during_the_login_retries_stops_at_once(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base, _ = unreachable(fake_discord, "refused")
    config = config_for(fake_discord, tmp_path, token=fake_discord.token)
    config = dataclasses.replace(config, discord=dataclasses.replace(config.discord, api_base=base))
    with logged("trying again in 2 s") as waiting:
        task = asyncio.create_task(runner.run_bot_async(config, CLOCK, bot_options=FAST))  # real waits
        await asyncio.wait_for(waiting.wait(), 5)
    signal.raise_signal(signal.SIGTERM)
    assert await asyncio.wait_for(task, 1.5) == 0  # well before the 2-second wait ends
    assert errors(caplog) == []
