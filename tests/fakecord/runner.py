"""Running a real discord.py client against the fake."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import discord

    from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound="discord.Client")


async def _instant_identify(shard_id: int | None, *, initial: bool = False) -> None:
    """Replacement for Client.before_identify_hook: no 5 s wait before a re-IDENTIFY."""
    return


@contextlib.asynccontextmanager
async def run_bot(
    bot: ClientT,
    server: FakeDiscord,
    *,
    token: str | None = None,
    timeout: float = 10.0,
    fast_identify: bool = True,
    guild_ready_timeout: float | None = 0.1,
) -> AsyncIterator[ClientT]:
    """Start ``bot`` (any discord.Client / commands.Bot) against ``server``; yield it once ready; close it.

    * ``token``: defaults to ``server.token``; a wrong one makes ``bot.start`` raise LoginFailure here.
    * ``fast_identify``: replace the bot's ``before_identify_hook`` (5 s before a re-IDENTIFY) with a no-op.
    * ``guild_ready_timeout``: lower the bot's wait for GUILD_CREATEs before on_ready (None keeps the bot's).
    The bot may aim itself at ``server.api_base``/``server.gateway_url`` from its config; if not, the
    ``fake_discord`` fixture (or ``server.aim()``) already did.
    """
    if fast_identify:
        bot.before_identify_hook = _instant_identify  # type: ignore[method-assign]
    state: Any = bot._connection
    if guild_ready_timeout is not None and state.guild_ready_timeout > guild_ready_timeout:
        state.guild_ready_timeout = guild_ready_timeout
    server.register_bot(bot)
    task = asyncio.create_task(bot.start(token if token is not None else server.token), name="fakecord-bot")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not bot.is_ready():
        if task.done():
            break
        if loop.time() > deadline:
            await _shutdown(bot, task)
            raise TimeoutError(f"fakecord: bot not ready after {timeout}s")
        await asyncio.sleep(0.01)
    if task.done() and not bot.is_ready():
        await _shutdown(bot, task)
        exc = task.exception()
        raise exc if exc is not None else RuntimeError("fakecord: the bot stopped before it was ready")
    try:
        yield bot
    except BaseException:
        await _shutdown(bot, task)
        raise
    await _shutdown(bot, task)
    if task.done() and not task.cancelled():
        exc = task.exception()
        if exc is not None:
            raise exc  # e.g. ConnectionClosed after a fatal close code


async def _shutdown(bot: discord.Client, task: asyncio.Task[None]) -> None:
    if not bot.is_closed():
        await bot.close()
    if not task.done():
        try:
            await asyncio.wait_for(asyncio.shield(task), 10.0)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
