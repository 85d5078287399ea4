"""The neutral answer model that both adapters (Discord and the command line) render.

The query engine returns an :class:`Answer`; it never formats for a particular medium.
Each shown record or event becomes an :class:`Entry` (a heading, plain lines and its
sources), so a renderer only lays entries out and pages them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.model import Event, NonAct, Record, Source


class Status(StrEnum):
    """How a query went."""

    FOUND = "found"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible meaning of a query: a label for people and a value the engine accepts back."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Field:
    """A name and value pair (stats, about)."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Entry:
    """One record or event as shown: heading, plain lines and sources."""

    key: str  # the record or event id
    heading: str
    lines: tuple[str, ...]
    sources: tuple[Source, ...]
    url: str | None = None  # the first source, for a clickable heading


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a long answer."""

    number: int  # 1-based
    total: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """Everything a command answers, independent of how it is shown."""

    command: str
    query: str
    status: Status
    title: str
    message: str = ""  # the lead line: what the query was read as, or why nothing matched
    matched: str | None = None
    records: tuple[Record, ...] = ()
    events: tuple[Event, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    nearest: tuple[Record, ...] = ()
    fields: tuple[Field, ...] = ()
    lines: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = field(default=())
    # Acts that never happened which the query named ("texas", "H.Res.1203"): each also has an
    # entry (after any records), with its explanation and sources.
    non_acts: tuple[NonAct, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the answer found something to show publicly."""
        return self.status is Status.FOUND

    def pages(self, per_page: int = 5) -> tuple[Page, ...]:
        """The entries split into pages of at most ``per_page``; at least one page."""
        if per_page < 1:
            raise ValueError("per_page must be at least 1")
        chunks = [self.entries[i : i + per_page] for i in range(0, len(self.entries), per_page)] or [()]
        return tuple(Page(n, len(chunks), chunk) for n, chunk in enumerate(chunks, start=1))
