"""/stats, /about and /help."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answers import Answer, Field, Status
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.cache import EngineCache
from bot.discordbot.checks import cooldown
from bot.discordbot.moderation import moderator_reason
from bot.discordbot.pictures import reply_with_picture

log = logging.getLogger(__name__)

HELP_INTRO = (
    "Ask about the resolutions and statements by which parliaments, states, regions and cities "
    "recognized the Republic of Artsakh (Nagorno-Karabakh), called for its recognition or backed "
    "its self-determination, and about key dates of its history. Every answer links its sources; "
    "disputed dates are marked, and a date known only to the month is shown as a month."
)


# The order a user looks for commands in; commands not listed follow, alphabetically.
HELP_ORDER: tuple[str, ...] = (
    "jurisdiction",
    "resolution",
    "date",
    "onthisday",
    "timeline",
    "list",
    "map",
    "stats",
    "about",
    "help",
    "daily subscribe",
    "daily status",
    "daily preview",
    "daily unsubscribe",
    "settings show",
    "settings language",
    "settings timezone",
    "settings answers",
    "admin reload",
)
MANAGERS_SECTION = "For server managers (Manage Server)"
MODERATORS_SECTION = "For moderators"
HELP_FOOTNOTE = "Options in [brackets] are optional. Start typing and Discord suggests names."

AnyCommand = app_commands.Command[Any, ..., Any]


def help_examples(bot: commands.Bot) -> dict[str, str]:
    """Every cog's ``help_examples`` (qualified command name → example), merged."""
    merged: dict[str, str] = {}
    for cog in bot.cogs.values():
        merged.update(getattr(cog, "help_examples", {}) or {})
    return merged


def _root(command: AnyCommand) -> AnyCommand | app_commands.Group:
    return command.root_parent or command


def section_of(command: AnyCommand) -> str | None:
    """Which help section ``command`` belongs in: None for everyone, else a section title.

    Decided by the permissions its top-level command asks of members by default: Administrator
    for the moderators' tools, any other permission (Manage Server) for server managers.
    """
    permissions = _root(command).default_permissions
    if permissions is None or permissions.value == 0:
        return None
    if permissions.administrator:
        return MODERATORS_SECTION
    return MANAGERS_SECTION


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _order(name: str) -> tuple[int, str]:
    return (HELP_ORDER.index(name) if name in HELP_ORDER else len(HELP_ORDER), name)


def _command_field(command: AnyCommand, example: str | None) -> Field:
    options = " ".join(
        f"[{p.display_name}]" if not p.required else p.display_name for p in command.parameters
    )
    value = command.description + (f"\nExample: `{example}`" if example else "")
    return Field(f"/{command.qualified_name} {options}".strip(), value, False)


def help_answer(
    bot: commands.Bot, guild: discord.abc.Snowflake | None, *, moderator: bool = False
) -> Answer:
    """Every command with its description and an example, in the order users look for them.

    Commands for everyone come first, then a section for server managers (/daily) and, for
    moderators only, a section for moderators (/admin). Outside a server (``guild`` None),
    server-only commands are left out.
    """
    examples = help_examples(bot)
    seen: dict[str, AnyCommand] = {}
    for scope in (None, guild) if guild is not None else (None,):
        for item in bot.tree.walk_commands(guild=scope):
            if isinstance(item, app_commands.Command) and (guild is not None or not _root(item).guild_only):
                seen.setdefault(item.qualified_name, item)  # in a DM, server-only commands are left out
    sections: dict[str | None, list[AnyCommand]] = {None: [], MANAGERS_SECTION: [], MODERATORS_SECTION: []}
    for name in sorted(seen, key=_order):
        sections.setdefault(section_of(seen[name]), []).append(seen[name])
    if not moderator:
        sections.pop(MODERATORS_SECTION)
    fields: list[Field] = []
    for section, members in sections.items():
        if not members:
            continue
        if section is not None:
            about = dict.fromkeys(_sentence(_root(c).description) for c in members)
            fields.append(Field(section, " ".join(about), False))
        fields.extend(_command_field(c, examples.get(c.qualified_name)) for c in members)
    return Answer(
        command="help",
        query="",
        status=Status.FOUND,
        title="Commands",
        message=HELP_INTRO,
        fields=tuple(fields),
        lines=(HELP_FOOTNOTE,),
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
        """How many resolutions there are, by level, kind, country and year, with a chart by year."""
        engine = self.bot.engine
        answer = self.answers.get(engine, "stats", engine.stats)
        await reply_with_picture(self.bot, interaction, answer, ("stats",), engine.year_counts)

    @app_commands.command(name="about")
    @cooldown()
    async def about(self, interaction: discord.Interaction[Any]) -> None:
        """What this bot knows, where its data comes from and how it is checked."""
        engine = self.bot.engine
        answer = self.answers.get(engine, "about", engine.about)
        notice = self.bot.data_notice()
        if notice is not None:
            held_back = Field("Newer data not installed", notice, False)
            answer = dataclasses.replace(answer, fields=(*answer.fields, held_back))
        await self.bot.reply(interaction, answer)

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        """Every command, with an example."""
        moderation = self.bot.config.moderation
        moderator = moderator_reason(interaction.user, moderation, self.bot.guilds) is not None
        answer = help_answer(self.bot, interaction.guild, moderator=moderator)
        # help is for the asker: shown privately so channels stay readable
        await self.bot.reply(interaction, answer, private=True)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    if not isinstance(bot, ArtsakhBot):
        raise TypeError("the info cog needs an ArtsakhBot")
    await bot.add_cog(InfoCog(bot))
