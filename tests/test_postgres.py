"""PostgreSQL as the state: several processes starting at once, the password, the bot run on it.

The store's own behaviour is tested on both backends in test_storage.py and
test_subscribe_rules.py; this file holds what only PostgreSQL has. All of it runs against the
real server the test session starts (conftest ``postgres_server``), never a mock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from botkit import FAST_START, discord_config
from fakecord import FakeDiscord
from pgserver import PostgresServer

from bot.config import Config, DataConfig, load_config
from bot.core.clock import ManualClock
from bot.core.diskfull import is_disk_full
from bot.discordbot import runner
from bot.storage.migrations import MIGRATIONS
from bot.storage.postgres import PostgresDatabase
from bot.storage.state import subscription_store

ROOT = Path(__file__).resolve().parent.parent
MINI_DATA = Path(__file__).parent / "data" / "mini"
CLOCK = ManualClock(dt.datetime(2024, 11, 25, 12, 0, tzinfo=dt.UTC))

# One bot process starting: open the state with one more, slow step that fails if run twice
# (CREATE TABLE without IF NOT EXISTS), then print the schema version it found.
STARTER = """
import asyncio, logging, os, sys
from bot.storage.migrations import MIGRATIONS, Migration
from bot.storage.postgres import PostgresDatabase

logging.basicConfig(level=logging.INFO, format="%(process)d %(message)s")
once = Migration("slow, once", ("CREATE TABLE once (pid INTEGER)", "SELECT pg_sleep(1.5)",
                                "INSERT INTO once VALUES (pg_backend_pid())"))

async def main() -> None:
    db = await PostgresDatabase.open(sys.argv[1], password=os.environ["DATABASE_PASSWORD"],
                                     migrations=(*MIGRATIONS, once))
    print(await db.schema_version())
    await db.close()

asyncio.run(main())
"""


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> Iterator[str]:
    """An empty database of the test's own (given back at the end, once the test closed its connections)."""
    url = postgres_server.take_database()
    yield url
    postgres_server.give_back(url)


async def test_three_processes_starting_together_migrate_once(
    postgres_server: PostgresServer, database_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "starter.py"
    script.write_text(STARTER, encoding="utf-8")
    env = {**os.environ, "DATABASE_PASSWORD": postgres_server.password, "PYTHONPATH": str(ROOT)}
    pipe = asyncio.subprocess.PIPE
    starters = [
        await asyncio.create_subprocess_exec(
            sys.executable, str(script), database_url, env=env, stdout=pipe, stderr=pipe
        )
        for _ in range(3)
    ]
    outputs = [await asyncio.wait_for(p.communicate(), timeout=60) for p in starters]
    codes = [p.returncode for p in starters]
    logs = "".join(err.decode() for _, err in outputs)
    assert codes == [0, 0, 0], logs
    assert [out.decode().strip() for out, _ in outputs] == [str(len(MIGRATIONS) + 1)] * 3
    # every step was applied by one process only, the slow one too
    assert logs.count("Migrating ") == len(MIGRATIONS) + 1
    conn = await asyncpg.connect(database_url, password=postgres_server.password)
    try:
        assert len(await conn.fetch("SELECT * FROM once")) == 1
        versions = [row["version"] for row in await conn.fetch("SELECT version FROM schema_migrations")]
        assert sorted(versions) == list(range(1, len(MIGRATIONS) + 2))
    finally:
        await conn.close()


def pg_config(tmp_path: Path, url: str, env: dict[str, str]) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "{url}"\n', encoding="utf-8")
    return load_config(path, env, dotenv_path=None, cwd=tmp_path)


async def open_error(config: Config, url: str) -> str:
    """The one line a start that cannot open the database ends with: it names the database by ``url``."""
    with pytest.raises(runner.StartupError) as failed:
        await runner.open_database(config)
    message = str(failed.value)
    assert message.startswith(f"Could not open the database {url}: ")
    assert "\n" not in message
    return message


async def test_the_password_is_never_logged_nor_in_an_error(
    postgres_server: PostgresServer, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-but-secret"
    plain = database_url.replace("postgresql://postgres@", "postgresql://postgres:")
    written = plain.replace("postgresql://postgres:", f"postgresql://postgres:{wrong}@")
    for config in (
        pg_config(tmp_path, database_url, {"DATABASE_PASSWORD": wrong}),  # from the environment
        pg_config(tmp_path, written, {}),  # in the URL
    ):
        assert config.database_password == wrong
        message = await open_error(config, database_url)
        assert "password authentication failed" in message
        assert wrong not in message
    right = pg_config(tmp_path, database_url, {"DATABASE_PASSWORD": postgres_server.password})
    db = await runner.open_database(right)
    try:
        assert await db.schema_version() == len(MIGRATIONS)
    finally:
        await db.close()
    assert f"State database: {database_url}" in caplog.text
    assert wrong not in caplog.text
    assert postgres_server.password not in caplog.text
    assert "Migrating" in caplog.text  # the log was captured at all levels


async def test_no_password_is_one_clear_line(database_url: str, tmp_path: Path) -> None:
    config = pg_config(tmp_path, database_url, {})
    assert config.database_password is None
    assert "password" in await open_error(config, database_url)


async def test_after_the_server_restarts_one_call_fails_and_the_next_work(
    postgres_server: PostgresServer, database_url: str
) -> None:
    """A restarted server (an upgrade, a failover) cuts the pool's connections: the call that meets
    a cut connection fails, nothing is half-written, and the pool reconnects for the next ones."""
    async with await PostgresDatabase.open(database_url, password=postgres_server.password, max_size=2) as db:
        store = subscription_store(db)
        when = {"time": dt.time(9), "timezone": "Asia/Yerevan", "empty_day": "upcoming", "now": CLOCK.now()}
        await store.subscribe(111, 10, created_by=1, **when)
        await asyncio.to_thread(postgres_server.restart)
        failures = 0
        for channel in (11, 12, 13):
            try:
                await store.subscribe(111, channel, created_by=1, **when)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                failures += 1
        assert failures <= 1  # at most the call that found its connection cut
        subscribed = [s.channel_id for s in await store.list_for_guild(111)]
        assert subscribed[0] == 10  # written before the restart: kept
        assert subscribed[-2:] == [12, 13]
        assert len(subscribed) == 4 - failures


async def test_a_server_that_is_not_there_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://bot@127.0.0.1:{port}/artsakh"
    message = await open_error(pg_config(tmp_path, url, {"DATABASE_PASSWORD": "s3cret"}), url)
    assert "s3cret" not in message
    assert "refused" in message.lower()


async def test_python_m_bot_run_on_postgresql(
    fake_discord: FakeDiscord, postgres_server: PostgresServer, database_url: str, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """The bot started as ``run`` starts it, its state on PostgreSQL: a subscription lands in the server."""
    caplog.set_level(logging.INFO)
    config = Config(
        discord=discord_config(fake_discord, sync="guild"),
        data=DataConfig(path=MINI_DATA, history_path=tmp_path / "history"),
        storage=pg_config(tmp_path, database_url, {}).storage,
        token=fake_discord.token,
        database_password=postgres_server.password,
    )
    task = asyncio.create_task(runner.run_bot_async(config, CLOCK, bot_options=FAST_START))
    await fake_discord.wait_for(lambda: "Ready as" in caplog.text or task.done(), timeout=10, what="ready")
    news = fake_discord.world.news
    result = await fake_discord.slash(
        "daily subscribe",
        {"channel": news, "time": "09:00", "timezone": "Asia/Yerevan"},
        user=fake_discord.world.mod,
    )
    assert result.acknowledged
    assert f"<#{news.id}>" in result.text
    status = await fake_discord.slash("daily status", user=fake_discord.world.mod)
    assert "09:00" in status.text
    signal.raise_signal(signal.SIGTERM)
    assert await asyncio.wait_for(task, 10) == 0
    assert f"State database: {database_url}" in caplog.text
    async with await PostgresDatabase.open(database_url, password=postgres_server.password) as db:
        saved = await subscription_store(db).get(news.id)
        assert saved is not None
        assert (saved.guild_id, saved.post_time, saved.timezone) == (
            fake_discord.guild.id, dt.time(9, 0), "Asia/Yerevan",
        )  # fmt: skip
        synced = await db.meta_keys(f"command_tree_hash:{fake_discord.application_id}:")
        assert synced == [f"command_tree_hash:{fake_discord.application_id}:guild:{fake_discord.guild.id}"]


def test_a_full_disk_on_the_server_is_told_as_full_storage() -> None:
    """PostgreSQL's disk_full (SQLSTATE 53100), as asyncpg raises it, reads as the SQLite one does."""
    full = asyncpg.exceptions.DiskFullError('could not extend file "base/1/2": No space left on device')
    assert is_disk_full(full)
    wrapped = RuntimeError("could not save")
    wrapped.__cause__ = full  # as `raise ... from` leaves it
    assert is_disk_full(wrapped)
    assert not is_disk_full(asyncpg.exceptions.UniqueViolationError("duplicate key"))
