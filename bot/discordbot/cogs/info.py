"""/stats, /about and /help."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answers import Answer, Field, Status
from bot.core.i18n import N_, _, current, pgettext
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.cache import EngineCache
from bot.discordbot.checks import anywhere, cooldown
from bot.discordbot.moderation import moderator_reason
from bot.discordbot.network import REQUEST_ERRORS, failure_text
from bot.discordbot.pictures import reply_with_picture
from bot.discordbot.translator import DESCRIPTION_CONTEXT, DISCORD_LOCALES, NAME_CONTEXT

log = logging.getLogger(__name__)

HELP_INTRO = N_(
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
MANAGERS_SECTION = N_("For server managers (Manage Server)")
MODERATORS_SECTION = N_("For moderators")
HELP_FOOTNOTE = N_("Options in [brackets] are optional. Start typing and Discord suggests names.")

AnyCommand = app_commands.Command[Any, ..., Any]
COMMAND_ID_CACHE = 512  # servers whose command ids are remembered


AnyBot = commands.Bot | commands.AutoShardedBot  # the bot itself is sharded; tests use plain ones too


def help_examples(bot: AnyBot) -> dict[str, str]:
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


def _command_field(command: AnyCommand, example: str | None, ids: Mapping[str, int]) -> Field:
    names = shown_names()
    options = " ".join(
        f"[{names(p.display_name)}]" if not p.required else names(p.display_name) for p in command.parameters
    )
    known = ids.get(_root(command).name)
    mention = f"</{command.qualified_name}:{known}> " if known else ""  # tap it to start typing the command
    value = mention + described(command.description)
    if example:
        value += "\n" + _("Example: `{example}`").format(example=example)
    name = " ".join(names(part) for part in command.qualified_name.split())
    return Field(f"/{name} {options}".strip(), value, False)


def described(description: str) -> str:
    """A command's description in the language in use (the catalog's, as Discord shows it)."""
    return pgettext(DESCRIPTION_CONTEXT, description)


def shown_names() -> Callable[[str], str]:
    """How command and option names read in help: as the member's Discord client shows them.

    Discord shows the French, Russian and Spanish names to those clients; it has no Armenian
    client, so an Armenian help names the commands as Discord does: in English.
    """
    language = current()
    if language not in set(DISCORD_LOCALES.values()):
        return lambda name: name
    return lambda name: pgettext(NAME_CONTEXT, name, language)


def _may_use(command: AnyCommand, permissions: discord.Permissions | None) -> bool:
    """Whether a member with ``permissions`` sees the command (None: outside a server, all)."""
    needed = _root(command).default_permissions
    if permissions is None or needed is None or permissions.administrator:
        return True
    return needed.value & ~permissions.value == 0


def help_answer(
    bot: AnyBot,
    guild: discord.abc.Snowflake | None,
    *,
    moderator: bool = False,
    permissions: discord.Permissions | None = None,
    ids: Mapping[str, int] | None = None,
) -> Answer:
    """The commands the member can use, with a description and an example, in the order users look for them.

    Commands for everyone come first, then a section for server managers (/daily, for members
    with Manage Server: ``permissions``) and, for moderators only, a section for moderators
    (/admin). Outside a server (``guild`` None), server-only commands are left out. With the
    commands' ``ids`` each comes with a mention people tap to run it.
    """
    examples = help_examples(bot)
    seen: dict[str, AnyCommand] = {}
    for scope in (None, guild) if guild is not None else (None,):
        for item in bot.tree.walk_commands(guild=scope):
            if isinstance(item, app_commands.Command) and (guild is not None or not _root(item).guild_only):
                seen.setdefault(item.qualified_name, item)  # in a DM, server-only commands are left out
    sections: dict[str | None, list[AnyCommand]] = {None: [], MANAGERS_SECTION: [], MODERATORS_SECTION: []}
    for name in sorted(seen, key=_order):
        section = section_of(seen[name])
        if section == MODERATORS_SECTION or _may_use(seen[name], permissions):
            sections.setdefault(section, []).append(seen[name])
    if not moderator:
        sections.pop(MODERATORS_SECTION)
    fields: list[Field] = []
    for section, members in sections.items():
        if not members:
            continue
        if section is not None:
            about = dict.fromkeys(_sentence(described(_root(c).description)) for c in members)
            fields.append(Field(_(section), " ".join(about), False))
        fields.extend(_command_field(c, examples.get(c.qualified_name), ids or {}) for c in members)
    return Answer(
        command="help",
        query="",
        status=Status.FOUND,
        title=_("Commands"),
        message=_(HELP_INTRO),
        fields=tuple(fields),
        lines=(_(HELP_FOOTNOTE),),
    )


class InfoCog(commands.Cog, name="Info"):
    """About the bot and its data."""

    help_examples: ClassVar[dict[str, str]] = {"stats": "/stats", "about": "/about", "help": "/help"}

    def __init__(self, bot: ArtsakhBot) -> None:
        self.bot = bot
        self.answers: EngineCache[Answer] = EngineCache(8)  # /stats and /about never change per dataset
        self._ids: dict[int | None, dict[str, int]] = {}  # command ids by server, for /help's mentions

    async def command_ids(self, guild_id: int | None) -> dict[str, int]:
        """The ids Discord gave the commands (global and this server's), for mentions; {} if unknown."""
        known = self._ids.get(guild_id)
        if known is not None:
            return known
        found: dict[str, int] = {}
        scopes = (None, discord.Object(guild_id)) if guild_id is not None else (None,)
        for scope in scopes:
            try:
                for command in await self.bot.tree.fetch_commands(guild=scope):
                    found.setdefault(command.name, command.id)
            except REQUEST_ERRORS as exc:  # a server that did not add the bot, or Discord down
                log.info("No command ids for help (%s): %s", scope, failure_text(exc))
                if scope is None:
                    return found  # asked again next time
        if len(self._ids) >= COMMAND_ID_CACHE:
            self._ids.clear()
        self._ids[guild_id] = found
        return found

    @app_commands.command(name="stats")
    @anywhere()
    @cooldown()
    async def stats(self, interaction: discord.Interaction[Any]) -> None:
        """How many resolutions there are, by level, kind, country and year, with a chart by year."""
        engine = self.bot.engine
        answer = self.answers.get(engine, ("stats", current()), engine.stats)
        await reply_with_picture(self.bot, interaction, answer, ("stats",), engine.year_counts)

    @app_commands.command(name="about")
    @anywhere()
    @cooldown()
    async def about(self, interaction: discord.Interaction[Any]) -> None:
        """What this bot knows, where its data comes from and how it is checked."""
        engine = self.bot.engine
        answer = self.answers.get(engine, ("about", current()), engine.about)
        notice = self.bot.data_notice()
        if notice is not None:
            held_back = Field("Newer data not installed", notice, False)
            answer = dataclasses.replace(answer, fields=(*answer.fields, held_back))
        await self.bot.reply(interaction, answer)

    @app_commands.command(name="help")
    @anywhere()
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        """Every command, with an example."""
        moderation = self.bot.config.moderation
        moderator = moderator_reason(interaction.user, moderation, self.bot.guilds) is not None
        permissions = interaction.permissions if interaction.guild_id is not None else None
        ids = await self.command_ids(interaction.guild_id)
        answer = help_answer(
            self.bot, interaction.guild, moderator=moderator, permissions=permissions, ids=ids
        )
        # help is for the asker: shown privately so channels stay readable
        await self.bot.reply(interaction, answer, private=True)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    if not isinstance(bot, ArtsakhBot):
        raise TypeError("the info cog needs an ArtsakhBot")
    await bot.add_cog(InfoCog(bot))
