"""The neutral answer model that both adapters (Discord and the command line) render.

The query engine returns an :class:`Answer`; it never formats for a particular medium.
Each shown record or event becomes an :class:`Entry`: its compact one-line form for lists
(``date``, ``line``, ``tag``) and its full form (a heading, plain lines and its sources).
:mod:`bot.core.pages` pages the compact lines, :mod:`bot.core.cards` makes a record's card.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar, overload

from bot.core.model import Event, NonAct, Record, Source

T = TypeVar("T")
_CHUNK = 256  # items worked out at a time when a lazy list is read through


class Lazy(Sequence[T]):
    """A long list of an answer, worked out a slice at a time: ``fetch(start, stop)`` gives those between.

    Every match of a common word is in the answer (the pages reach them all), but only the pages
    shown are ever put in order and made into entries. It compares equal to any sequence with
    the same items, and is immutable as a tuple is.
    """

    __slots__ = ("_fetch", "_length")

    def __init__(self, length: int, fetch: Callable[[int, int], Sequence[T]]) -> None:
        self._length = length
        self._fetch = fetch

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step != 1:
                return tuple(self)[index]
            return tuple(self._fetch(start, stop)) if start < stop else ()
        at = index + self._length if index < 0 else index
        if not 0 <= at < self._length:
            raise IndexError("lazy list index out of range")
        return self._fetch(at, at + 1)[0]

    def __iter__(self) -> Iterator[T]:
        for start in range(0, self._length, _CHUNK):
            yield from self._fetch(start, min(start + _CHUNK, self._length))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Lazy({self._length} items)"

    def then(self, more: Sequence[T]) -> Lazy[T]:
        """These items, then ``more``."""
        length = self._length

        def fetch(start: int, stop: int) -> list[T]:
            head = list(self._fetch(start, min(stop, length))) if start < length else []
            return head + list(more[max(0, start - length) : max(0, stop - length)])

        return Lazy(length + len(more), fetch)


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
    """One record or event as shown: its compact line for lists, and heading, lines and sources in full."""

    key: str  # the record or event id
    heading: str
    lines: tuple[str, ...]
    sources: tuple[Source, ...]
    url: str | None = None  # the first source, for a clickable heading
    date: str = ""  # short, at the true precision: "25 Nov 2020", "Nov 2020", "2014", "19–20 Sep 2023"
    line: str = ""  # "France · Senate — call for recognition · 305–1 (30 abst.)"
    tag: str = ""  # why it is listed here, briefly: "4 years ago", "listed for 7 May 2014"
    label: str = ""  # one short line to pick it from a menu: "France · Senate · 25 Nov 2020"
    event: bool = False  # a timeline event rather than a record
    marks: tuple[str, ...] = ()  # why it is listed, in full (also the first of ``lines``)


@dataclass(frozen=True, slots=True)
class Answer:
    """Everything a command answers, independent of how it is shown."""

    command: str
    query: str
    status: Status
    title: str
    message: str = ""  # the lead line: what the query was read as, or why nothing matched
    matched: str | None = None
    records: Sequence[Record] = ()  # a tuple, or a Lazy list for every match of a search
    events: tuple[Event, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    nearest: tuple[Record, ...] = ()
    fields: tuple[Field, ...] = ()
    lines: tuple[str, ...] = ()
    entries: Sequence[Entry] = field(default=())  # as ``records``
    # Acts that never happened which the query named ("texas", "H.Res.1203"): each also has an
    # entry (after any records), with its explanation and sources.
    non_acts: tuple[NonAct, ...] = ()
    total: int | None = None  # how many matched when only the best ``len(entries)`` are shown

    @property
    def ok(self) -> bool:
        """True when the answer found something to show publicly."""
        return self.status is Status.FOUND

    @property
    def single(self) -> bool:
        """True when the answer shows exactly one record or event: a card rather than a list."""
        return len(self.entries) == 1
