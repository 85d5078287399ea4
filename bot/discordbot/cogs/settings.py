"""/settings: a server's language, default time zone and public or private answers.

Members with Manage Server (or Administrator) change them; ``default_permissions`` only hides the
commands from others, and servers can change that, so every command checks the member's
permissions again (:meth:`SettingsCog.interaction_check`). Every change is kept in the state with
who and when, and logged (:mod:`bot.storage.settings`).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answers import Status
from bot.core.i18n import LANGUAGES, N_, NATIVE_NAMES, _, set_current
from bot.core.settings import GuildSettings, Setting, answer_language
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.checks import cooldown, require_server_manager
from bot.discordbot.choices import TimeZoneOption
from bot.discordbot.cogs.daily import zone_text
from bot.discordbot.render import notice

log = logging.getLogger(__name__)

AUTOMATIC = "auto"
NEEDS_MANAGE_SERVER = N_("Only members with the **Manage Server** permission can change these settings.")
GUILD_ONLY = N_("Settings belong to a server; use /settings inside one.")
ANSWER_MODES = {
    "public": N_("Public (everyone sees found answers)"),
    "private": N_("Private (only the asker)"),
}

LANGUAGE_CHOICES = [
    app_commands.Choice(name=NATIVE_NAMES[code], value=code) for code in LANGUAGES
] + [app_commands.Choice(name="Automatic: each member's Discord language", value=AUTOMATIC)]
ANSWER_CHOICES = [
    app_commands.Choice(name="Public", value="public"),
    app_commands.Choice(name="Private", value="private"),
]


def settings_lines(settings: GuildSettings, now: Any) -> list[str]:  # noqa: ANN401 - an aware datetime
    """The server's settings, one line each, in the language in use."""
    automatic = _("automatic (each member's Discord language)")
    language = NATIVE_NAMES[settings.language] if settings.language else automatic
    zone = zone_text(settings.timezone, now) if settings.timezone else _("not set (UTC)")
    answers = _(ANSWER_MODES[settings.answers or "public"])
    return [
        _("**Language:** {value}").format(value=language),
        _("**Time zone:** {value}").format(value=zone),
        _("**Answers:** {value}").format(value=answers),
    ]


class SettingsCog(commands.Cog, name="Settings"):
    """The server's own settings."""

    help_examples: ClassVar[dict[str, str]] = {
        "settings language": "/settings language value: Հայերեն",
        "settings timezone": "/settings timezone value: Asia/Yerevan",
        "settings answers": "/settings answers value: Private",
        "settings show": "/settings show",
    }

    settings = app_commands.Group(
        name="settings",
        description="This server's language, time zone and public or private answers",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: ArtsakhBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Every /settings command: inside a server, by a member with Manage Server (or Administrator)."""
        return require_server_manager(interaction, outside_server=GUILD_ONLY, not_allowed=NEEDS_MANAGE_SERVER)

    async def _change(
        self, interaction: discord.Interaction[Any], setting: Setting, value: str | None
    ) -> GuildSettings:
        assert interaction.guild_id is not None
        await self.bot.settings.change(
            interaction.guild_id, setting, value, by=interaction.user.id, now=self.bot.clock.now()
        )
        return await self.bot.settings.get(interaction.guild_id)

    async def _show(self, interaction: discord.Interaction[Any], settings: GuildSettings, title: str) -> None:
        text = "\n".join(settings_lines(settings, self.bot.clock.now()))
        embed = notice(text, title=title, status=Status.FOUND)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @settings.command(name="language")
    @app_commands.describe(value="The language of the bot's answers and daily posts in this server")
    @app_commands.choices(value=LANGUAGE_CHOICES)
    @cooldown()
    async def language(self, interaction: discord.Interaction[Any], value: str) -> None:
        """The language the bot answers in here (or each member's own Discord language)."""
        chosen = None if value == AUTOMATIC else value
        settings = await self._change(interaction, "language", chosen)
        set_current(answer_language(settings, str(interaction.locale)))  # answer in the new language
        await self._show(interaction, settings, _("Language changed"))

    @settings.command(name="timezone")
    @app_commands.describe(value="The default zone of /onthisday and new daily posts: Asia/Yerevan, Paris")
    @cooldown()
    async def timezone(self, interaction: discord.Interaction[Any], value: TimeZoneOption) -> None:
        """The server's time zone: whose "today" /onthisday shows, and new daily posts' default."""
        settings = await self._change(interaction, "timezone", value.key)
        await self._show(interaction, settings, _("Time zone changed"))

    @settings.command(name="answers")
    @app_commands.describe(value="Public: everyone sees found answers. Private: only the member who asked")
    @app_commands.choices(value=ANSWER_CHOICES)
    @cooldown()
    async def answers(self, interaction: discord.Interaction[Any], value: str) -> None:
        """Whether found answers are public or private by default here."""
        settings = await self._change(interaction, "answers", value)
        await self._show(interaction, settings, _("Answers changed"))

    @settings.command(name="show")
    @cooldown()
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        """Show this server's settings."""
        assert interaction.guild_id is not None
        settings = await self.bot.settings.get(interaction.guild_id)
        await self._show(interaction, settings, _("This server's settings"))


async def setup(bot: commands.Bot) -> None:
    """Extension entry point."""
    if not isinstance(bot, ArtsakhBot):
        raise TypeError("the settings cog needs an ArtsakhBot")
    await bot.add_cog(SettingsCog(bot))
