"""Shared fixtures: the fake Discord server (tests/fakecord), a helper to run a bot on it, a database.

Builders for the real bot, its config and small datasets are in tests/botkit.py.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import discord
import pytest
from fakecord import FakeDiscord, World
from fakecord import run_bot as _run_bot

from bot.storage.database import Database


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
