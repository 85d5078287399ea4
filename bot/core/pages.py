"""The page model of a list answer: one compact line per record or event, a fixed number a page.

Every adapter shows a list the same way: each entry on one line ("`25 Nov 2020` France · Senate —
call for recognition · 305–1 (30 abst.)"), :data:`PER_PAGE` lines a page, so a page is at most
about 2,000 characters and reads on a phone. Pages hold a fixed number of entries, so page ``n``
of an answer is the same page whenever it is asked for again (after a restart too).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.answers import Answer, Entry
from bot.core.text import clip

PER_PAGE = 12  # entries a page: at least 10, as well-kept bots show
WHOLE_PAGE = 25  # an answer that is meant to be seen at once (the timeline) fits this many on one page
LINE_LIMIT = 150  # characters of an entry's text after its date; longer lines are cut with "…"
TAG_SEPARATOR = " · "


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a list answer."""

    index: int  # 0-based
    count: int  # how many pages the answer has
    start: int  # the index of the page's first entry in the answer
    entries: tuple[Entry, ...]

    @property
    def number(self) -> int:
        """The page's 1-based number."""
        return self.index + 1


def per_page(answer: Answer) -> int:
    """How many entries a page of ``answer`` holds: the timeline in one page when it fits."""
    if answer.command == "timeline" and len(answer.entries) <= WHOLE_PAGE:
        return WHOLE_PAGE
    return PER_PAGE


def page_count(answer: Answer) -> int:
    """How many pages ``answer`` has (at least one)."""
    size = per_page(answer)
    return max(1, -(-len(answer.entries) // size))


def page(answer: Answer, index: int) -> ListPage:
    """Page ``index`` (0-based, clamped to the pages there are)."""
    size = per_page(answer)
    count = page_count(answer)
    index = max(0, min(index, count - 1))
    start = index * size
    return ListPage(index, count, start, tuple(answer.entries[start : start + size]))


def entry_text(entry: Entry) -> str:
    """The text after the date, with the tag: "France · Senate — call for recognition · 4 years ago"."""
    text = entry.line or entry.heading
    if entry.tag:
        text = f"{text}{TAG_SEPARATOR}{entry.tag}"
    return clip(text, LINE_LIMIT)


def compact_line(entry: Entry, *, code: bool = True) -> str:
    """One entry on one line: the date (in backticks for Discord when ``code``), then its text."""
    date = f"`{entry.date}`" if code and entry.date else entry.date
    text = entry_text(entry)
    return f"{date} {text}" if date else text
