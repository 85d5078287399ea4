"""The card presenter: one record or event in full, as an embed with its sources as link buttons.

Title with the place's name, fields for Date (with any disputed dates), Body, Kind, Vote and
Reference, the summary and notes as text, up to five sources as link buttons (the primary text
first), and the record's id in the footer so people can cite it (``/resolution query: <id>``).
"""

from __future__ import annotations

import discord

from bot.core.answers import Status
from bot.core.cards import Card
from bot.core.i18n import _
from bot.core.model import Source
from bot.discordbot.render import (
    BUTTON_LABEL_LIMIT,
    COLOURS,
    clean,
    clip,
    fit_embed,
    link,
    source_label,
    truncate,
)

SOURCE_BUTTONS = 5  # one row of link buttons
URL_LIMIT = 512  # Discord's limit on a link button's URL
SOURCES_IN_TEXT = 10  # sources beyond the buttons are listed as links in the text


def card_embed(card: Card, *, lead: str = "", footer: str | None = None) -> discord.Embed:
    """The card as an embed; ``lead`` (what the query was read as) goes first, in italics."""
    embed = discord.Embed(title=clip(card.title, 256), colour=COLOURS[Status.FOUND])
    buttons = button_sources(card)
    if card.sources and card.sources[0].url.startswith(("http://", "https://")):
        embed.url = card.sources[0].url
    parts = [f"*{clean(lead)}*"] if lead else []
    parts.extend(clean(text) for text in card.text)
    rest = [s for s in card.sources if s not in buttons][:SOURCES_IN_TEXT]
    if rest:
        links = " · ".join(link(clean(source_label(s)), s.url) for s in rest)
        parts.append(_("More sources: {sources}").format(sources=links))
    embed.description = "\n\n".join(parts)
    for field in card.fields:
        embed.add_field(name=field.name, value=clean(field.value), inline=field.name != _("Date"))
    embed.set_footer(text=" · ".join(t for t in (card.footer, footer) if t))
    return fit_embed(embed)


def button_sources(card: Card) -> list[Source]:
    """The sources shown as link buttons: the first five with an http(s) URL Discord accepts."""
    web = ("http://", "https://")
    usable = [s for s in card.sources if s.url.startswith(web) and len(s.url) <= URL_LIMIT]
    return usable[:SOURCE_BUTTONS]


def source_buttons(card: Card) -> list[discord.ui.Button[discord.ui.View]]:
    """Link buttons for the card's sources, labelled by title (or site)."""
    return [
        discord.ui.Button(
            style=discord.ButtonStyle.link,
            label=truncate(clean(source_label(source)), BUTTON_LABEL_LIMIT) or _("Source"),
            url=source.url,
            row=0,
        )
        for source in button_sources(card)
    ]
