"""App command checks shared by the cogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.discordbot.cooldowns import CHARGE_KEY, Charge, limiter_of
from bot.discordbot.errors import CooldownHit, UserFacingError

T = TypeVar("T")


async def charge_cooldown(interaction: discord.Interaction[Any]) -> bool:
    """Charge the user one turn; raise :class:`CooldownHit` when none is left."""
    limiter = limiter_of(interaction)
    if limiter is None or not limiter.enabled:
        return True
    result = limiter.take(interaction.user.id)
    if isinstance(result, Charge):
        interaction.extras[CHARGE_KEY] = result
        return True
    raise CooldownHit(result)


def cooldown() -> Callable[[T], T]:
    """Decorator: the command counts against the user's cooldown (refunded for invalid input)."""
    return app_commands.check(charge_cooldown)


def anywhere() -> Callable[[T], T]:
    """Decorator: the command works wherever people talk, not only in servers that added the bot.

    Installable to a user's account as well as to a server, and usable in servers, direct
    messages with the bot and group chats. Where the bot cannot post (a server it is not in, a
    group chat) it answers privately (:func:`bot.discordbot.respond.can_post_publicly`).
    """
    installs = app_commands.allowed_installs(guilds=True, users=True)
    contexts = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)

    def decorate(command: T) -> T:
        return installs(contexts(command))

    return decorate


def require_server_manager(
    interaction: discord.Interaction[Any], *, outside_server: str, not_allowed: str
) -> bool:
    """Inside a server, by a member with Manage Server (or Administrator); else a private refusal.

    The command's default permissions only hide it: a server may open it to everyone, so the
    command checks again. The two messages are catalog ids, translated when shown.
    """
    if interaction.guild_id is None:
        raise UserFacingError(outside_server)
    perms = interaction.permissions
    if not (perms.manage_guild or perms.administrator):
        raise UserFacingError(not_allowed)
    return True
