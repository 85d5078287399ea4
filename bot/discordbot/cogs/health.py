"""The heartbeat: while the gateway is connected the bot writes the time to a file.

``python -m bot health`` (the Docker ``HEALTHCHECK``) checks that it is fresh. A beat is
written at once on READY and RESUMED, then every ``BEAT_SECONDS`` while connected; none
while disconnected, so the file ages; the file is removed when the bot stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from discord.ext import commands

from bot.discordbot.bot import ArtsakhBot
from bot.storage.heartbeat import BEAT_SECONDS, clear_beat, heartbeat_path, write_beat

log = logging.getLogger(__name__)


class HealthCog(commands.Cog, name="Health"):
    """Keeps the heartbeat file while the bot is connected."""

    def __init__(self, bot: ArtsakhBot, interval: float = BEAT_SECONDS) -> None:
        self.bot = bot
        self.path = heartbeat_path(bot.config.storage.state_dir)
        self.interval = interval
        self.connected = False
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def is_connected(self) -> bool:
        """True while every shard's gateway session is up (after READY or RESUMED, until a disconnect)."""
        shards = self.bot.shards
        return (
            self.connected
            and not self.bot.is_closed()
            and bool(shards)
            and not any(shard.is_closed() for shard in shards.values())
        )

    async def beat(self) -> bool:
        """Write the heartbeat now if connected; True when written."""
        if not self.is_connected():
            return False
        try:
            await asyncio.to_thread(write_beat, self.path, self.bot.clock.now())
        except OSError as err:
            log.warning("Could not write the heartbeat %s: %s", self.path, err)
            return False
        return True

    async def cog_load(self) -> None:
        """Start beating."""
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="heartbeat")

    async def cog_unload(self) -> None:
        """Stop beating and remove the file: a stopped bot is unhealthy at once."""
        self._stop.set()
        self.connected = False
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.to_thread(clear_beat, self.path)

    async def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.interval)
            await self.beat()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Connected: beat at once."""
        self.connected = True
        await self.beat()

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        """Reconnected: beat at once."""
        self.connected = True
        await self.beat()

    @commands.Cog.listener()
    async def on_disconnect(self) -> None:
        """The gateway dropped: no beats until READY or RESUMED."""
        self.connected = False


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    if not isinstance(bot, ArtsakhBot):
        raise TypeError("the health cog needs an ArtsakhBot")
    await bot.add_cog(HealthCog(bot))
