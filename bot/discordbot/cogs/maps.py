"""/map: where the acts were adopted, as a picture above the same list as /list."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answers import Answer
from bot.core.figures import REGIONS
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.checks import anywhere, cooldown
from bot.discordbot.cogs.lookup import KIND_CHOICES, YEAR_MAX, YEAR_MIN
from bot.discordbot.pictures import reply_with_picture
from bot.discordbot.replay import Ask

log = logging.getLogger(__name__)

REGION_CHOICES = [app_commands.Choice(name=r.label, value=r.key) for r in REGIONS.values()]


class MapCog(commands.Cog, name="Map"):
    """The map of the acts."""

    help_examples: ClassVar[dict[str, str]] = {"map": "/map kind: Recognition region: Europe"}

    def __init__(self, bot: ArtsakhBot) -> None:
        self.bot = bot
        bot.replayers["map"] = self._map

    def _map(self, kind: str = "", from_year: str = "", to_year: str = "", region: str = "") -> Answer:
        """The /map answer again from its arguments as text (page buttons ask again)."""
        first, last = (int(y) if y else None for y in (from_year, to_year))
        return self.bot.engine.map(kind or None, first, last, region or None)

    @app_commands.command(name="map")
    @anywhere()
    @app_commands.describe(
        kind="Only acts of this kind (default: all)",
        from_year="The first year, like 2020 (default: the start)",
        to_year="The last year, like 2023 (default: the end)",
        region="Zoom to a region (default: the world, with Europe enlarged)",
    )
    @app_commands.choices(kind=KIND_CHOICES, region=REGION_CHOICES)
    @cooldown()
    async def map(
        self,
        interaction: discord.Interaction[Any],
        kind: str | None = None,
        from_year: app_commands.Range[int, YEAR_MIN, YEAR_MAX] | None = None,
        to_year: app_commands.Range[int, YEAR_MIN, YEAR_MAX] | None = None,
        region: str | None = None,
    ) -> None:
        """A map of the places that adopted acts, by kind, with the list below."""
        engine = self.bot.engine
        args = tuple("" if v is None else str(v) for v in (kind, from_year, to_year, region))
        await reply_with_picture(
            self.bot,
            interaction,
            self._map(*args),
            ("map", *args),
            lambda: engine.map_data(kind, from_year, to_year, region),
            ask=Ask("map", args),
        )


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    if not isinstance(bot, ArtsakhBot):
        raise TypeError("the map cog needs an ArtsakhBot")
    await bot.add_cog(MapCog(bot))
