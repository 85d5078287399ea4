"""The list presenter: a page of a list answer as one embed, one compact line per entry.

The lead says what was found and in which order ("12 records, newest first."), then each entry on
one line ("`25 Nov 2020` France · Senate — call for recognition · 305–1 (30 abst.)"). A page of
:data:`bot.core.pages.PER_PAGE` lines stays within about 2,000 characters, so it reads on a phone;
the details of an entry are one pick away in the "Show details…" menu under it.
"""

from __future__ import annotations

import discord

from bot.core.answers import Answer
from bot.core.i18n import DEFAULT, _, current
from bot.core.pages import ListPage, compact_line
from bot.discordbot.render import COLOURS, DESCRIPTION_LIMIT, candidates_text, clean, clip, fit_embed, lead

LEAD_BUDGET = 600  # the lead, at most; the lines always fit below it


def page_footer(page: ListPage, footer: str | None) -> str:
    """``Page 2/5 · Dataset 2026.12``; just the footer on a one-page list."""
    notes = []
    if page.count > 1:
        notes.append(_("Page {number}/{count}").format(number=page.number, count=page.count))
    if footer:
        notes.append(footer)
    return " · ".join(notes)


def list_embed(answer: Answer, page: ListPage, *, footer: str | None) -> discord.Embed:
    """One page of ``answer`` as an embed: title, lead, the page's lines, any candidates."""
    parts = [clip(lead(answer), LEAD_BUDGET)]
    if current() != DEFAULT:  # an event's or a non-act's line is its title: the sources' words
        never = {n.id for n in answer.non_acts}
        if any(entry.event for entry in page.entries):
            parts[0] += "\n*" + _("The events' titles are in English, as in the sources.") + "*"
        if any(entry.key in never for entry in page.entries):
            parts[0] += "\n*" + _("The titles of acts never adopted are in English, as in the sources.") + "*"
    parts.append("\n".join(clean(compact_line(entry)) for entry in page.entries))
    if answer.candidates and page.index == 0:
        parts.append(candidates_text(answer.candidates))
    embed = discord.Embed(title=answer.title or answer.command, colour=COLOURS[answer.status])
    embed.description = clip("\n\n".join(p for p in parts if p), DESCRIPTION_LIMIT)
    text = page_footer(page, footer)
    if text:
        embed.set_footer(text=text)
    return fit_embed(embed)
