"""The language (and the server's other settings) of each interaction, set before it is answered.

:func:`take_settings` runs first for every slash command, autocomplete and component of the bot
(the tree's and the items' ``interaction_check``). It reads the server's settings and sets the
language of the answer for the rest of that interaction's task: the server's language, else the
member's Discord client language when it is one of ours, else English (see
:func:`bot.core.settings.answer_language`).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

import discord

from bot.core.i18n import set_current
from bot.core.settings import GuildSettings, SettingsStore, answer_language

log = logging.getLogger(__name__)

_settings: ContextVar[GuildSettings | None] = ContextVar("guild_settings", default=None)


def current_settings() -> GuildSettings | None:
    """The settings of the server the interaction being answered came from (None outside servers)."""
    return _settings.get()


async def take_settings(interaction: discord.Interaction[Any]) -> GuildSettings | None:
    """Read the interaction's server settings and set the language of its answer (see the module)."""
    store: SettingsStore | None = getattr(interaction.client, "settings", None)
    settings: GuildSettings | None = None
    if store is not None and interaction.guild_id is not None:
        try:
            settings = await store.get(interaction.guild_id)
        except Exception:  # the state is unreachable: answer anyway, in the member's language
            log.warning("Could not read the settings of guild %s", interaction.guild_id, exc_info=True)
    _settings.set(settings)
    set_current(answer_language(settings, str(interaction.locale)))
    return settings
