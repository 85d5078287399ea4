"""Sending an answer: the answer becomes a message once (:func:`bot.discordbot.views.present`), then is sent.

Found answers are public, everything else private; ``private`` keeps even a found answer to the
asker, and where the bot cannot post (a direct message or a server it is not in, when it is used
as a user-installed app) the answer is private too, so it never fails to arrive.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import discord

from bot.core.answers import Answer, Status
from bot.core.cards import card_for
from bot.core.model import Dataset
from bot.discordbot.cooldowns import refund
from bot.discordbot.render import picture_embed
from bot.discordbot.replay import Ask, KeptAsks
from bot.discordbot.views import Shown, present
from bot.pictures.service import Picture

log = logging.getLogger(__name__)


def can_post_publicly(interaction: discord.Interaction[Any]) -> bool:
    """False where only the asker should see the answer: the bot is not a member of the server.

    As a user-installed app the bot answers in servers it is not in and in group chats; Discord
    shows such answers, but the server never invited the bot, so it answers privately there.
    """
    if interaction.guild_id is None:
        return not interaction.context.private_channel
    return interaction.client.get_guild(interaction.guild_id) is not None


async def send_answer(
    interaction: discord.Interaction[Any],
    answer: Answer,
    *,
    dataset: Dataset,
    footer: str | None = None,
    ask: Ask | None = None,
    slot: int = 0,
    private: bool = False,
    kept: KeptAsks,
    picture: Picture | None = None,
) -> None:
    """Answer ``interaction`` with ``answer`` (see the module docstring).

    ``ask`` is the question again, for page buttons and the candidate menu (None: neither);
    picking a candidate replaces argument ``slot`` of it. An INVALID answer gives the user's
    cooldown turn back. ``kept`` holds an ask too long for a custom id (see
    :class:`~bot.discordbot.replay.KeptAsks`). A ``picture`` is attached and shown above the
    answer (and stays there when its pages are turned).
    """
    if answer.status is Status.INVALID:
        refund(interaction)
    shown = present(
        answer,
        owner=interaction.user.id,
        ask=ask,
        footer=footer,
        slot=slot,
        private=private or not can_post_publicly(interaction),
        dataset_card=lambda key: card_for(key, dataset),
        kept=kept,
    )
    await send_shown(interaction, shown, picture)


async def send_shown(
    interaction: discord.Interaction[Any], shown: Shown, picture: Picture | None = None
) -> None:
    """The first response when still possible, else a follow-up; a picture goes above the answer."""
    kwargs: dict[str, Any] = {"embed": shown.embed, "ephemeral": shown.ephemeral}
    if picture is not None:
        kwargs.pop("embed")
        kwargs["embeds"] = [picture_embed(picture.filename), shown.embed]
        kwargs["files"] = [discord.File(io.BytesIO(picture.data), picture.filename)]
    if shown.view is not None:
        kwargs["view"] = shown.view
    if not interaction.response.is_done():
        await interaction.response.send_message(**kwargs)
    else:
        await interaction.followup.send(**kwargs)
