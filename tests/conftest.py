"""Shared fixtures: the fake Discord server (tests/fakecord) and a helper to run a bot against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import discord
import pytest
from fakecord import FakeDiscord, World
from fakecord import run_bot as _run_bot


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
