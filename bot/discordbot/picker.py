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
from bot.core.pages import page_count, per_page
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
    """One option per page to offer: "Page 3", with the dates it spans below.

    Only each page's first and last dated entries are looked at: the pages of a long search
    are worked out as they are asked for (see :class:`bot.core.answers.Lazy`).
    """
    options = []
    size, entries = per_page(answer), answer.entries
    for index in pages_to_offer(page_count(answer), current):
        on_page = range(index * size, min((index + 1) * size, len(entries)))
        dated = (i for i in on_page if entries[i].date)
        first = next(dated, None)
        last = next((i for i in reversed(on_page) if entries[i].date), None)
        if first is None or last is None:
            span = ""
        else:
            span = entries[first].date if first == last else f"{entries[first].date} … {entries[last].date}"
        options.append(
            discord.SelectOption(
                label=_("Page {number}").format(number=index + 1),
                value=str(index),
                description=choice_text(span) if span else None,
                default=index == current,
            )
        )
    return options
