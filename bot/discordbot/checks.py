"""App command checks shared by the cogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.discordbot.cooldowns import CHARGE_KEY, Charge, limiter_of
from bot.discordbot.errors import CooldownHit

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
