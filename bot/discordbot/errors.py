"""The one error handler for every app command and every view of the bot.

:class:`BotTree` routes command errors here; views route their callback errors here too
(:func:`report_error`). The user always gets one short private answer, never two, and never
"The application did not respond"; unexpected errors are logged with their context.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import discord
from discord import app_commands

from bot.core.answers import Status
from bot.core.diskfull import is_disk_full
from bot.core.i18n import N_, _
from bot.discordbot.cooldowns import refund
from bot.discordbot.language import take_settings
from bot.discordbot.network import NETWORK_ERRORS, REQUEST_ERRORS, failure_text
from bot.discordbot.render import notice, truncate

log = logging.getLogger(__name__)

GENERIC_ERROR = N_("Something went wrong while answering. It has been logged; please try again in a moment.")
OUT_OF_DATE = N_("This command is out of date on Discord's side. Please try again in a minute.")
NOT_ALLOWED = N_("You are not allowed to use this command here.")
UNKNOWN_INTERACTION = 10062  # Discord's error code for an expired or unknown interaction
BAD_VALUE = N_("That value is not valid for this option. Please check it and try again.")
STORAGE_FULL_ANSWER = N_(
    "The bot's storage is full, so this could not be saved and nothing changed. "
    "Its operators have been told; please try again later."
)


class UserFacingError(app_commands.AppCommandError):
    """An error whose message is meant for the user as is (shown privately)."""

    def __init__(self, message: str, *, charged: bool = False) -> None:
        super().__init__(message)
        self.user_message = message
        self.charged = charged  # keep the cooldown charge (default: give it back)


class CooldownHit(UserFacingError, app_commands.CheckFailure):
    """The user ran too many commands in the cooldown window."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        seconds = max(math.ceil(retry_after), 1)
        super().__init__(_("Slow down: try again in {seconds} s.").format(seconds=seconds), charged=True)


def _short(value: object, limit: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    return truncate(text, limit)


def describe(interaction: discord.Interaction[Any]) -> str:
    """The context of an interaction for the log: command, options, guild, channel, user."""
    command = interaction.command
    if command is not None:
        what = f"/{command.qualified_name}"
    else:
        data: Any = interaction.data or {}
        what = f"component {data.get('custom_id', '?')!r}" if isinstance(data, dict) else "interaction"
    try:
        options = {name: _short(value) for name, value in interaction.namespace}
    except Exception:  # the namespace only exists for app commands
        options = {}
    return (
        f"{what} options={options} guild={interaction.guild_id} "
        f"channel={interaction.channel_id} user={interaction.user.id}"
    )


async def answer_privately(interaction: discord.Interaction[Any], text: str, *, status: Status) -> None:
    """One private answer, through the initial response when still possible, else a follow-up."""
    embed = notice(text, status=status)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)
    except REQUEST_ERRORS as exc:
        context = describe(interaction)
        log.warning("Could not tell the user about an error (%s): %s", context, failure_text(exc))


def user_message_for(error: BaseException) -> tuple[str, Status, bool]:
    """What to tell the user about ``error``: text, status and whether it was unexpected."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, UserFacingError):
        return _(error.user_message), Status.INVALID, False
    if isinstance(error, app_commands.TransformerError):
        return _(BAD_VALUE), Status.INVALID, False
    if isinstance(error, app_commands.CheckFailure):
        return _(NOT_ALLOWED), Status.INVALID, False
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return _(OUT_OF_DATE), Status.INVALID, True
    if is_disk_full(error):
        return _(STORAGE_FULL_ANSWER), Status.INVALID, True
    return _(GENERIC_ERROR), Status.INVALID, True


async def report_error(
    interaction: discord.Interaction[Any], error: BaseException, *, where: str | None = None
) -> None:
    """Log ``error`` with context and answer the user once, privately."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION:
        # too late: Discord forgot the interaction (3 s passed), so nobody can be told anything
        refund(interaction)
        log.warning("Interaction expired before the answer was sent: %s", describe(interaction))
        return
    text, status, unexpected = user_message_for(error)
    if not (isinstance(original, UserFacingError) and original.charged):
        refund(interaction)  # input errors and our own failures cost no turn
    context = describe(interaction) + (f" in {where}" if where else "")
    if unexpected and is_disk_full(original):
        log.error("The bot's storage is full (%s) in %s", original, context)
    elif isinstance(original, NETWORK_ERRORS):  # Discord unreachable mid-answer: one line, no traceback
        log.warning("Could not answer %s: %s", context, failure_text(original))
    elif unexpected:
        log.error("Error in %s", context, exc_info=original)
    else:
        log.info("Refused %s: %s", context, text)
    await answer_privately(interaction, text, status=status)


class BotTree(app_commands.CommandTree[Any]):
    """The command tree, with the bot's single error handler; every interaction in its language."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Read the server's settings and set the language of the answer (never refuses)."""
        await take_settings(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        """Every app command error ends up here."""
        await report_error(interaction, error)
