"""/stats, /about and /help."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answers import Answer, Field, Status
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.cache import EngineCache
from bot.discordbot.checks import cooldown

log = logging.getLogger(__name__)

HELP_INTRO = (
    "Ask about the resolutions and statements by which parliaments, states, regions and cities "
    "recognized the Republic of Artsakh (Nagorno-Karabakh), called for its recognition or backed "
    "its self-determination, and about key dates of its history. Every answer links its sources; "
    "disputed dates are marked, and a date known only to the month is shown as a month."
)


def help_examples(bot: commands.Bot) -> dict[str, str]:
    """Every cog's ``help_examples`` (qualified command name → example), merged."""
    merged: dict[str, str] = {}
    for cog in bot.cogs.values():
        merged.update(getattr(cog, "help_examples", {}) or {})
    return merged


def help_answer(bot: commands.Bot, guild: discord.abc.Snowflake | None) -> Answer:
    """One field per slash command: its description and an example."""
    examples = help_examples(bot)
    seen: dict[str, app_commands.Command[Any, ..., Any]] = {}
    for scope in (None, guild) if guild is not None else (None,):
        for item in bot.tree.walk_commands(guild=scope):
            if isinstance(item, app_commands.Command):
                seen.setdefault(item.qualified_name, item)
    fields: list[Field] = []
    for name in sorted(seen):
        command = seen[name]
        options = " ".join(
            f"[{p.display_name}]" if not p.required else p.display_name for p in command.parameters
        )
        example = examples.get(name)
        value = command.description + (f"\nExample: `{example}`" if example else "")
        fields.append(Field(f"/{name} {options}".strip(), value, False))
    return Answer(
        command="help",
        query="",
        status=Status.FOUND,
        title="Commands",
        message=HELP_INTRO,
        fields=tuple(fields),
        lines=("Options in [brackets] are optional. Start typing and Discord suggests names.",),
    )


class InfoCog(commands.Cog, name="Info"):
    """About the bot and its data."""

    help_examples: ClassVar[dict[str, str]] = {"stats": "/stats", "about": "/about", "help": "/help"}

    def __init__(self, bot: ArtsakhBot) -> None:
        self.bot = bot
        self.answers: EngineCache[Answer] = EngineCache(8)  # /stats and /about never change per dataset

    @app_commands.command(name="stats")
    @cooldown()
    async def stats(self, interaction: discord.Interaction[Any]) -> None:
        """How many resolutions there are, by level, kind, country and year."""
        engine = self.bot.engine
        await self.bot.reply(interaction, self.answers.get(engine, "stats", engine.stats))

    @app_commands.command(name="about")
    @cooldown()
    async def about(self, interaction: discord.Interaction[Any]) -> None:
        """What this bot knows, where its data comes from and how it is checked."""
        engine = self.bot.engine
        await self.bot.reply(interaction, self.answers.get(engine, "about", engine.about))

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        """Every command, with an example."""
        answer = help_answer(self.bot, interaction.guild)
        # help is for the asker: shown privately so channels stay readable
        await self.bot.reply(interaction, answer, private=True)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    if not isinstance(bot, ArtsakhBot):
        raise TypeError("the info cog needs an ArtsakhBot")
    await bot.add_cog(InfoCog(bot))
