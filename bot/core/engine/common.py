"""What every part of the engine shares: query cleaning, limits, never-raise guards, answer builders."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ParamSpec, Protocol, TypeVar

from bot.core.answers import Answer, Candidate, Field, Status
from bot.core.i18n import N_, _, current, ngettext
from bot.core.model import Event, Record
from bot.core.normalize import normalize
from bot.core.text import clip

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
MAX_SUGGESTIONS = 25
MAX_CANDIDATES = 25  # as many as a select menu holds; any more are "and N more"
MAX_SEARCH_RESULTS = 10

TOO_LONG = N_("That query is too long (max {count} characters).")
CONTROL_CHARS = N_("That query contains control characters; please type plain text.")
# In English, marked for the catalogs: invalid() says them in the language in use.
EMPTY_MESSAGES = {
    "jurisdiction": N_("Type a name: a place, a country or a parliament, like 'California' or 'France'."),
    "resolution": N_("Type a few words to search for, like 'AJR 32', '305 to 1' or a sponsor's name."),
    "date": N_("Type a date, a month or a year, like '25 November 2020', 'November 2020' or '2014'."),
}

_WHITESPACE_CONTROLS = {"\t", "\n", "\r", "\x0b", "\x0c"}

_P = ParamSpec("_P")
_T = TypeVar("_T")


def never_raise(command: str) -> Callable[[Callable[_P, Answer]], Callable[_P, Answer]]:
    """Turn an unexpected exception into an INVALID answer (logged), so callers never see one."""

    def decorate(method: Callable[_P, Answer]) -> Callable[_P, Answer]:
        @functools.wraps(method)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> Answer:
            try:
                return method(*args, **kwargs)
            except Exception:
                log.exception("query %s failed", command)
                return Answer(
                    command=command,
                    query="",
                    status=Status.INVALID,
                    title=_("Something went wrong"),
                    message=_("Sorry, that query could not be answered."),
                )

        return wrapper

    return decorate


class _KeepsAnswers(Protocol):
    _answers: dict[str, Answer]


_A = TypeVar("_A", bound=_KeepsAnswers)


def answered_once(command: str) -> Callable[[Callable[[_A], Answer]], Callable[[_A], Answer]]:
    """Like :func:`never_raise`, and worked out once per engine and language: its dataset never changes."""

    def decorate(method: Callable[[_A], Answer]) -> Callable[[_A], Answer]:
        safe = never_raise(command)(method)

        @functools.wraps(method)
        def wrapper(part: _A) -> Answer:
            key = f"{command}:{current()}"
            answer = part._answers.get(key)
            if answer is None:
                answer = safe(part)
                if answer.status is not Status.INVALID:
                    part._answers[key] = answer
            return answer

        return wrapper

    return decorate


def never_raise_list(method: Callable[_P, list[Candidate]]) -> Callable[_P, list[Candidate]]:
    """Autocomplete never raises: an unexpected error gives no suggestions (logged)."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> list[Candidate]:
        try:
            return method(*args, **kwargs)
        except Exception:
            log.exception("suggestions failed")
            return []

    return wrapper


def clean_query(text: str | None) -> tuple[str, str | None]:
    """The query with whitespace tidied, and an error message or None.

    Tabs and newlines become spaces, invisible format characters (zero-width spaces)
    are dropped, and any other control character is rejected.
    """
    if text is None:
        return "", None
    kept: list[str] = []
    for char in text:
        if char in _WHITESPACE_CONTROLS:
            kept.append(" ")
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return "", _(CONTROL_CHARS)
        if category == "Cf":
            continue
        kept.append(char)
    cleaned = " ".join("".join(kept).split())
    if len(cleaned) > MAX_QUERY_LENGTH:
        return "", _(TOO_LONG).format(count=MAX_QUERY_LENGTH)
    return cleaned, None


def not_a_year(year: int) -> str:
    """``0 is not a year between 1 and 9999.`` in the language in use."""
    return _("{year} is not a year between 1 and 9999.").format(year=year)


def years_backwards(first: int, second: int) -> str:
    """``The first year (1994) is after the second (1988).`` in the language in use."""
    return _("The first year ({first}) is after the second ({second}).").format(first=first, second=second)


def years_text(from_year: int | None, to_year: int | None) -> str:
    """The years asked for: "2020–2023", "2020", "from 2020", "until 2020", or "" when neither is given."""
    if from_year is not None and to_year is not None:
        return str(from_year) if from_year == to_year else f"{from_year}–{to_year}"
    if from_year is not None:
        return _("from {year}").format(year=from_year)
    if to_year is not None:
        return _("until {year}").format(year=to_year)
    return ""


def shown_query(text: str | None) -> str:
    """The query as echoed back in an answer (at most the maximum length)."""
    return clip(text or "", MAX_QUERY_LENGTH + 1) if text else ""


def count_line(count: int) -> str:
    """The count line of a listing: "1 record." or "N records, newest first."."""
    if count == 1:
        return _("1 record.")
    newest = ngettext("{count} record, newest first.", "{count} records, newest first.", count)
    return newest.format(count=count)


@dataclass(frozen=True, slots=True)
class Item:
    """A matched record or event with the lines explaining why it matched."""

    when: dt.date
    record: Record | None = None
    event: Event | None = None
    marks: tuple[str, ...] = ()
    loose: bool = False  # the record's date is coarser than the query: it only may fall there
    tag: str = ""  # why it is listed, briefly, for its line in a list: "4 years ago"

    @property
    def key(self) -> str:
        """The record's or event's id."""
        return self.record.id if self.record is not None else self.event.id if self.event else ""


def invalid(command: str, text: str | None, message: str) -> Answer:
    """INVALID: the query cannot be read; ``message`` says why."""
    return Answer(
        command=command,
        query=shown_query(text),
        status=Status.INVALID,
        title=_("Invalid query"),
        message=_(message),  # a marked English message (EMPTY_MESSAGES) in the language in use
    )


def ambiguous(
    command: str,
    query: str,
    message: str,
    candidates: Iterable[Candidate],
    lines: tuple[str, ...] = (),
    *,
    name: str | None = None,
) -> Answer:
    """Did you mean: ``name`` (the query by default) could mean each of ``candidates``."""
    return Answer(
        command=command,
        query=query,
        status=Status.AMBIGUOUS,
        title=_("'{query}' is ambiguous").format(query=clip(name if name is not None else query, 60)),
        message=message,
        candidates=tuple(candidates),
        lines=lines,
    )


def nothing_found(
    command: str, query: str, message: str, lines: tuple[str, ...], candidates: Iterable[Candidate] = ()
) -> Answer:
    """NOT_FOUND for a query that matched nothing at all, with hints (and any suggestions)."""
    return Answer(
        command=command,
        query=query,
        status=Status.NOT_FOUND,
        title=_("Nothing found"),
        message=message,
        candidates=tuple(candidates),
        lines=lines,
    )


def overview(command: str, title: str, message: str, fields: Iterable[Field], lines: Iterable[str]) -> Answer:
    """An answer about the whole dataset (stats, about): no query, always found."""
    return Answer(
        command=command,
        query="",
        status=Status.FOUND,
        title=title,
        message=message,
        fields=tuple(fields),
        lines=tuple(lines),
    )


def prefix_first(items: list[_T], query: str, folded_label: Callable[[_T], str]) -> list[_T]:
    """Items whose (normalized) label starts with the query first (stable otherwise)."""
    norm = normalize(query)
    return sorted(items, key=lambda item: 0 if folded_label(item).startswith(norm) else 1)
