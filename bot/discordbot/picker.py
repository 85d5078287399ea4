"""The picker presenter: the menus under an answer, as select options.

"Show details…" lists the page's records and events (anyone may open one: the card comes
privately); the candidate menu lists what an ambiguous query could mean (up to 25; the answer's
text says "and N more"); the page picker jumps to a page of a long list.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.core.answers import Answer, Candidate, Entry
from bot.core.i18n import N_, _
from bot.core.pages import page, page_count
from bot.discordbot.render import SELECT_OPTIONS_LIMIT, choice_text

DETAILS_PLACEHOLDER = N_("Show details…")
CANDIDATES_PLACEHOLDER = N_("Choose one…")
PAGES_PLACEHOLDER = N_("Go to page…")


def details_options(entries: Sequence[Entry]) -> list[discord.SelectOption]:
    """One option per entry of the page: its label, and its date and why it is listed below."""
    return [
        discord.SelectOption(
            label=choice_text(entry.label or entry.heading),
            value=entry.key[:100],
            description=choice_text(entry.tag) if entry.tag else None,
        )
        for entry in entries[:SELECT_OPTIONS_LIMIT]
    ]


def candidate_options(candidates: Sequence[Candidate]) -> list[discord.SelectOption]:
    """One option per candidate, the first 25 (Discord's limit)."""
    return [
        discord.SelectOption(label=choice_text(c.label), value=choice_text(c.value))
        for c in candidates[:SELECT_OPTIONS_LIMIT]
    ]


def pages_to_offer(count: int, current: int) -> list[int]:
    """Page indexes for the page picker: all when they fit in 25, else spread around and to the ends."""
    if count <= SELECT_OPTIONS_LIMIT:
        return list(range(count))
    near = set(range(max(0, current - 5), min(count, current + 6)))
    spread = SELECT_OPTIONS_LIMIT - len(near)
    ends = {round(i * (count - 1) / (spread - 1)) for i in range(spread)}
    return sorted(near | ends)  # at most 25: the union of the two sets


def page_options(answer: Answer, current: int) -> list[discord.SelectOption]:
    """One option per page to offer: "Page 3", with the dates it spans below."""
    options = []
    for index in pages_to_offer(page_count(answer), current):
        shown = page(answer, index)
        dates = [e.date for e in shown.entries if e.date]
        span = f"{dates[0]} … {dates[-1]}" if len(dates) > 1 else (dates[0] if dates else "")
        options.append(
            discord.SelectOption(
                label=_("Page {number}").format(number=index + 1),
                value=str(index),
                description=choice_text(span) if span else None,
                default=index == current,
            )
        )
    return options
