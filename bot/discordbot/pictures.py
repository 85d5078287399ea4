"""Answering with a picture: the text answer always goes out, the picture on top when it could be drawn.

A cached picture goes out with the first response. Otherwise the response is deferred (Discord
shows "thinking"), the picture is rendered off the event loop, and the answer follows. If the
render fails or times out, the text answer still goes out, and the asker gets a short private note.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import discord

from bot.core.answers import Answer, Status
from bot.core.figures import PictureData
from bot.core.i18n import N_, _, current
from bot.discordbot.render import notice
from bot.discordbot.replay import Ask
from bot.discordbot.respond import can_post_publicly
from bot.pictures.service import Picture

if TYPE_CHECKING:
    from bot.discordbot.bot import ArtsakhBot

log = logging.getLogger(__name__)

NO_PICTURE = N_("The picture could not be drawn this time, so the answer has only its text. Try again later.")


async def reply_with_picture(
    bot: ArtsakhBot,
    interaction: discord.Interaction[Any],
    answer: Answer,
    key: Hashable,
    data: Callable[[], PictureData | None],
    *,
    ask: Ask | None = None,
) -> None:
    """Send ``answer`` with the picture of ``data()`` above it (cached by ``key``, dataset and language).

    ``ask`` is the question again, for the answer's page buttons (see :meth:`ArtsakhBot.reply`).
    """
    if not answer.ok:
        await bot.reply(interaction, answer, ask=ask)
        return
    engine = bot.engine
    version = engine.dataset.info.version
    key = (current(), key)  # the picture's words are in the answer's language
    picture: Picture | None = bot.pictures.cached(engine, version, key)
    failed = False
    if picture is None:
        drawn = data()
        if drawn is not None:
            await interaction.response.defer(thinking=True, ephemeral=not can_post_publicly(interaction))
            try:
                picture = await bot.pictures.picture(engine, version, key, drawn)
            except Exception:  # any failure to draw: the text answer still goes out
                log.exception("Could not draw the picture for %r", key)
                failed = True
    await bot.reply(interaction, answer, ask=ask, picture=picture)
    if failed:
        try:
            note = notice(_(NO_PICTURE), status=Status.NOT_FOUND)
            await interaction.followup.send(embed=note, ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("Could not send the no-picture note: %s", exc)
