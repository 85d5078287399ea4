"""The query engine: answers every command from one immutable dataset.

A :class:`QueryEngine` builds its name, text and date indexes once, in ``__init__``; a
reload builds a new engine and swaps it in. What never changes for a dataset (stats,
about, the default suggestions, each record's entry) is worked out on first use and
kept. Every public method returns an :class:`~bot.core.answers.Answer` (or a list of
candidates) and never raises.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import heapq
import logging
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, ParamSpec, TypeVar

from bot.core.answers import Answer, Candidate, Entry, Field, Status
from bot.core.collector import collector_paused
from bot.core.dates import DateQuery, DateQueryError, DateSpan, parse_date_query
from bot.core.matching import Hit, NameEntry, NameIndex, TextIndex
from bot.core.model import (
    AlternativeDate,
    Dataset,
    Event,
    Kind,
    Level,
    PartialDate,
    Precision,
    Record,
    newest_first,
)
from bot.core.normalize import normalize
from bot.core.present import (
    day_month,
    event_entry,
    record_entry,
    record_heading,
    years_phrase,
)

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
MAX_LABEL = 100
MAX_SUGGESTIONS = 25
MAX_CANDIDATES = 10
MAX_SEARCH_RESULTS = 10
COUNTRY_PREFIX = "country:"
BODY_PREFIX = "body:"

TOO_LONG = f"That query is too long (max {MAX_QUERY_LENGTH} characters)."
CONTROL_CHARS = "That query contains control characters; please type plain text."
EMPTY_MESSAGES = {
    "jurisdiction": "Type a name: a place, a country or a parliament, like 'California' or 'France'.",
    "resolution": "Type a few words to search for, like 'AJR 32', '305 to 1' or a sponsor's name.",
    "date": "Type a date, a month or a year, like '25 November 2020', 'November 2020' or '2014'.",
}

TargetKind = Literal["country", "jurisdiction", "body"]
# Words that name a kind of body, not a place: a query made only of these is never guessed.
_GENERIC_WORDS = """
    the of and city town municipal municipality council councils state states senate house houses
    assembly assemblies representatives representative board supervisors regional region national
    parliament parliaments legislature legislative chamber chambers committee county upper lower
    general federal foreign affairs minister ministry speaker department departmental deputies
    congress commission government local provincial juntas junta generales departamental
"""
GENERIC_BODY_WORDS = frozenset(_GENERIC_WORDS.split())
_KIND_RANK: dict[TargetKind, int] = {"body": 1, "jurisdiction": 2, "country": 3}
_WHITESPACE_CONTROLS = {"\t", "\n", "\r", "\x0b", "\x0c"}
_SLUG_RE = re.compile(r"[^a-z0-9]+")

_P = ParamSpec("_P")
_T = TypeVar("_T")


def _never_raise(command: str) -> Callable[[Callable[_P, Answer]], Callable[_P, Answer]]:
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
                    title="Something went wrong",
                    message="Sorry, that query could not be answered.",
                )

        return wrapper

    return decorate


def _answered_once(
    command: str,
) -> Callable[[Callable[[QueryEngine], Answer]], Callable[[QueryEngine], Answer]]:
    """Like :func:`_never_raise`, and worked out once per engine: its dataset never changes."""

    def decorate(method: Callable[[QueryEngine], Answer]) -> Callable[[QueryEngine], Answer]:
        safe = _never_raise(command)(method)

        @functools.wraps(method)
        def wrapper(engine: QueryEngine) -> Answer:
            answer = engine._answers.get(command)
            if answer is None:
                answer = safe(engine)
                if answer.status is not Status.INVALID:
                    engine._answers[command] = answer
            return answer

        return wrapper

    return decorate


def _never_raise_list(
    method: Callable[_P, list[Candidate]],
) -> Callable[_P, list[Candidate]]:
    """Autocomplete never raises: an unexpected error gives no suggestions (logged)."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> list[Candidate]:
        try:
            return method(*args, **kwargs)
        except Exception:
            log.exception("suggestions failed")
            return []

    return wrapper


def clip(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
            return "", CONTROL_CHARS
        if category == "Cf":
            continue
        kept.append(char)
    cleaned = " ".join("".join(kept).split())
    if len(cleaned) > MAX_QUERY_LENGTH:
        return "", TOO_LONG
    return cleaned, None


def _shown_query(text: str | None) -> str:
    """The query as echoed back in an answer (at most the maximum length)."""
    return clip(text or "", MAX_QUERY_LENGTH + 1) if text else ""


def _count_line(count: int) -> str:
    """The count line of a listing: "1 record." or "N records, newest first."."""
    return "1 record." if count == 1 else f"{_plural(count, 'record')}, newest first."


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _slug(text: str) -> str:
    """A short id-like form of a body's name: at most 40 characters, cut at a word."""
    slug = _SLUG_RE.sub("-", normalize(text)).strip("-")
    if len(slug) > 40:
        slug = slug[:41].rsplit("-", 1)[0]
    return slug or "body"


def _preposition(spans: Sequence[DateSpan]) -> str:
    """``on `` a day, ``in `` a month or year, ``from `` a range; nothing before "since 2020"."""
    label = spans[0].label
    if all(s.start == s.end for s in spans):
        return "on "
    if label.split(" ", 1)[0].casefold() in {"since", "before", "until", "after", "from", "between"}:
        return ""
    if " to " in label or "–" in label:
        return "from "
    return "in "


def _overlaps(start: dt.date, end: dt.date, span: DateSpan) -> bool:
    return start <= span.end and span.start <= end


def _date_overlaps(date: PartialDate, span: DateSpan) -> bool:
    """True when ``date`` may fall in ``span``; a year-only date never matches a single day."""
    if date.precision is Precision.YEAR and span.start == span.end:
        return False
    return _overlaps(date.first_day(), date.last_day(), span)


def _event_last(event: Event) -> dt.date:
    return (event.end or event.date).last_day()


def _month_day(date: PartialDate) -> tuple[int, int] | None:
    if date.precision is not Precision.DAY:
        return None
    assert date.month is not None
    assert date.day is not None
    return (date.month, date.day)


def _falls_on(date: PartialDate, month_day: tuple[int, int], year: int | None) -> bool:
    """True when a day-precision ``date`` has this month-day (29 Feb counts on 28 Feb in common years)."""
    own = _month_day(date)
    if own is None:
        return False
    if own == month_day:
        return True
    return own == (2, 29) and month_day == (2, 28) and year is not None and not calendar.isleap(year)


def _listed_for(alt: AlternativeDate) -> str:
    return f"Listed for the date some sources give: {alt.date.display()} ({alt.note})."


def _leap_mark(date: PartialDate, month_day: tuple[int, int], year: int | None) -> str | None:
    if _month_day(date) == (2, 29) and month_day == (2, 28) and year is not None:
        return f"Dated 29 February; shown on 28 February because {year} is not a leap year."
    return None


@dataclass(frozen=True, slots=True)
class _Target:
    """Something a jurisdiction query can resolve to: a country, a jurisdiction or a body."""

    key: str
    kind: TargetKind
    label: str
    description: str
    members: frozenset[str]  # jurisdiction ids it covers
    records: tuple[Record, ...]  # newest first
    words: frozenset[str] = frozenset()  # a body's own words ("state", "senate"), for generic queries

    def contains(self, other: _Target) -> bool:
        """True for itself, and for a narrower target within it (a body of a place, a place of a country)."""
        if other.key == self.key:
            return True
        return other.members <= self.members and _KIND_RANK[self.kind] > _KIND_RANK[other.kind]

    def candidate(self) -> Candidate:
        return Candidate(label=clip(f"{self.label} ({self.description})"), value=self.key)


@dataclass(frozen=True, slots=True)
class _Item:
    """A matched record or event with the lines explaining why it matched."""

    when: dt.date
    record: Record | None = None
    event: Event | None = None
    marks: tuple[str, ...] = ()
    loose: bool = False  # the record's date is coarser than the query: it only may fall there

    @property
    def key(self) -> str:
        return self.record.id if self.record is not None else self.event.id if self.event else ""


def _day_table(rows: Iterable[tuple[dt.date, dt.date, int]]) -> tuple[list[int], list[int], int]:
    """(first days as ordinals, sorted; the position each came from; the widest date in days)."""
    ordered = sorted((a.toordinal(), pos, b.toordinal() - a.toordinal()) for a, b, pos in rows)
    widest = max((row[2] for row in ordered), default=0)
    return [row[0] for row in ordered], [row[1] for row in ordered], widest


class _DateIndex:
    """Records and events by their days, built once: date ranges by bisect, month-days by dict.

    It only narrows the candidates; the engine still decides each match, so answers are
    the same as scanning every record, in the same (dataset) order.
    """

    def __init__(self, records: Sequence[Record], events: Sequence[Event]) -> None:
        self._records = records
        self._events = events
        self._record_days = _day_table(
            (d.first_day(), d.last_day(), pos)
            for pos, r in enumerate(records)
            for d in (r.date, *(a.date for a in r.alternative_dates))
        )
        self._event_days = _day_table(
            (e.date.first_day(), _event_last(e), pos) for pos, e in enumerate(events)
        )
        self._by_first = sorted(records, key=lambda r: (r.date.first_day(), r.id))
        self._first_days = [r.date.first_day() for r in self._by_first]
        self._by_last = sorted(records, key=lambda r: (r.date.last_day(), r.id))
        self._last_days = [r.date.last_day() for r in self._by_last]
        self._records_on: dict[tuple[int, int], list[int]] = {}
        for pos, record in enumerate(records):
            for date in (record.date, *(a.date for a in record.alternative_dates)):
                _add_on(self._records_on, _month_day(date), pos)
        self._events_on: dict[tuple[int, int], list[int]] = {}
        for pos, event in enumerate(events):
            for day in (event.date, event.end):
                if day is not None:
                    _add_on(self._events_on, _month_day(day), pos)

    def records_in(self, spans: Iterable[DateSpan]) -> list[Record]:
        """Records with a main or alternative date that may overlap one of ``spans``, in dataset order."""
        return [self._records[p] for p in _in_windows(self._record_days, spans)]

    def events_in(self, spans: Iterable[DateSpan]) -> list[Event]:
        """Events that may overlap one of ``spans``, in dataset order."""
        return [self._events[p] for p in _in_windows(self._event_days, spans)]

    def records_on(self, month_day: tuple[int, int], year: int | None) -> list[Record]:
        """Records with a day-precision date that may fall on ``month_day``, in dataset order."""
        return [self._records[p] for p in _on_days(self._records_on, month_day, year)]

    def events_on(self, month_day: tuple[int, int], year: int | None) -> list[Event]:
        """Events starting or ending on a day that may fall on ``month_day``, in dataset order."""
        return [self._events[p] for p in _on_days(self._events_on, month_day, year)]

    def latest_before(self, day: dt.date) -> Record | None:
        """The record whose date ends last before ``day`` (by last day, then id), or None."""
        at = bisect_left(self._last_days, day)
        return self._by_last[at - 1] if at else None

    def earliest_after(self, day: dt.date) -> Record | None:
        """The record whose date starts first after ``day`` (by first day, then id), or None."""
        at = bisect_right(self._first_days, day)
        return self._by_first[at] if at < len(self._by_first) else None


def _add_on(table: dict[tuple[int, int], list[int]], month_day: tuple[int, int] | None, pos: int) -> None:
    if month_day is not None:
        positions = table.setdefault(month_day, [])
        if not positions or positions[-1] != pos:
            positions.append(pos)


def _in_windows(days: tuple[list[int], list[int], int], spans: Iterable[DateSpan]) -> list[int]:
    """Sorted positions of the dates whose first day lies where they could overlap a span."""
    firsts, positions, widest = days
    found: set[int] = set()
    for span in spans:
        low = bisect_left(firsts, span.start.toordinal() - widest)
        found.update(positions[low : bisect_right(firsts, span.end.toordinal(), low)])
    return sorted(found)


def _on_days(
    table: dict[tuple[int, int], list[int]], month_day: tuple[int, int], year: int | None
) -> list[int]:
    """Sorted positions dated on ``month_day``, and on 29 February when it counts on 28 February."""
    found = table.get(month_day, [])
    if month_day == (2, 28) and year is not None and not calendar.isleap(year) and (2, 29) in table:
        return sorted({*found, *table[(2, 29)]})
    return found


class QueryEngine:
    """Answers every query from one dataset; built once per (re)load."""

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        with collector_paused():
            self._build()

    def _build(self) -> None:
        dataset = self._dataset
        self._records_by_country: dict[str, list[Record]] = {c.id: [] for c in dataset.countries}
        by_place: dict[str, list[Record]] = {}
        for record in dataset.records:
            country = self._country_id_of(record)
            self._records_by_country.setdefault(country, []).append(record)
            by_place.setdefault(record.jurisdiction, []).append(record)
        self._records_by_place = {jid: newest_first(records) for jid, records in by_place.items()}
        self._entry_cache: dict[str, Entry] = {}  # plain record entries, filled as they are shown
        self._folded_labels: dict[str, str] = {}  # label -> normalized, filled as needed
        self._answers: dict[str, Answer] = {}  # the answers that never change (stats, about)
        self._targets: dict[str, _Target] = {}
        self._redirect: dict[str, str] = {}
        self._bodies: list[_Target] = []  # every body, and the bodies by each word of their names
        self._bodies_by_word: dict[str, list[_Target]] = {}
        entries = self._build_targets()
        self._names = NameIndex(entries)
        self._country_names = NameIndex(
            NameEntry(
                key=c.id,
                label=clip(c.name),
                names=(c.name, *c.aliases),
                rank=float(len(self._records_by_country.get(c.id, ()))),
            )
            for c in dataset.countries
        )
        self._texts = TextIndex(self._record_docs())
        self._record_ids = {r.id.casefold(): r for r in dataset.records}
        self._country_ids = {c.id.casefold(): c.id for c in dataset.countries}
        self._dates = _DateIndex(dataset.records, dataset.events)

    # ------------------------------------------------------------------ building

    @property
    def dataset(self) -> Dataset:
        """The dataset this engine answers from."""
        return self._dataset

    def _country_id_of(self, record: Record) -> str:
        try:
            return self._dataset.jurisdiction(record.jurisdiction).country
        except KeyError:
            return ""

    def _country_name(self, country_id: str) -> str:
        try:
            return self._dataset.country(country_id).name
        except KeyError:
            return country_id

    def _place(self, record: Record) -> str:
        try:
            return self._dataset.jurisdiction(record.jurisdiction).name
        except KeyError:
            return record.jurisdiction

    def _build_targets(self) -> list[NameEntry]:
        ds = self._dataset
        entries: list[NameEntry] = []
        extra_names: dict[str, list[str]] = {}
        for ambiguous in ds.ambiguous_names:
            for jid in ambiguous.jurisdictions:
                extra_names.setdefault(jid, []).append(ambiguous.name)

        members_of: dict[str, list[str]] = {}
        for place in ds.jurisdictions:
            members_of.setdefault(place.country, []).append(place.id)
        country_norms: dict[str, set[str]] = {}
        for country in ds.countries:
            members = frozenset(members_of.get(country.id, ()))
            records = newest_first(self._records_by_country.get(country.id, ()))
            key = COUNTRY_PREFIX + country.id
            self._targets[key] = _Target(
                key=key,
                kind="country",
                label=country.name,
                description=f"country, {_plural(len(records), 'record')}",
                members=members,
                records=records,
            )
            names = (country.name, *country.aliases)
            country_norms[country.id] = {normalize(n) for n in names}
            entries.append(NameEntry(key=key, label=clip(country.name), names=names, rank=len(records)))

        no_records = _plural(0, "record")
        for jurisdiction in ds.jurisdictions:
            records = self._records_by_place.get(jurisdiction.id, ())
            country_name = self._country_name(jurisdiction.country)
            count = _plural(len(records), "record") if records else no_records
            self._targets[jurisdiction.id] = _Target(
                key=jurisdiction.id,
                kind="jurisdiction",
                label=jurisdiction.name,
                description=f"{jurisdiction.level.value}, {country_name}, {count}",
                members=frozenset((jurisdiction.id,)),
                records=records,
            )
            own = [jurisdiction.name, *jurisdiction.aliases, *extra_names.get(jurisdiction.id, ())]
            shared = country_norms.get(jurisdiction.country, set())
            if normalize(jurisdiction.name) in shared:
                # France the country and France the nation: the country is the superset.
                self._redirect[jurisdiction.id] = COUNTRY_PREFIX + jurisdiction.country
                own = [n for n in own if normalize(n) not in shared]
            if own:
                entries.append(
                    NameEntry(
                        key=jurisdiction.id,
                        label=clip(jurisdiction.name),
                        names=tuple(own),
                        rank=float(len(records)),
                    )
                )

        entries.extend(self._build_bodies())
        return entries

    def _build_bodies(self) -> list[NameEntry]:
        ds = self._dataset
        groups: dict[tuple[str, str], list[Record]] = {}
        for record in ds.records:
            groups.setdefault((record.jurisdiction, normalize(record.body)), []).append(record)
        entries: list[NameEntry] = []
        used: set[str] = set()
        for (jid, _norm), records in groups.items():
            try:
                jurisdiction = ds.jurisdiction(jid)
            except KeyError:
                continue
            body = records[0].body
            key = f"{BODY_PREFIX}{jid}:{_slug(body)}"
            number = 2
            while key in used or key in self._targets:
                key = f"{BODY_PREFIX}{jid}:{_slug(body)}-{number}"
                number += 1
            used.add(key)
            ordered = newest_first(records)
            label = f"{jurisdiction.name} — {body}"
            target = self._targets[key] = _Target(
                key=key,
                kind="body",
                label=label,
                description=f"{jurisdiction.level.value} body, {_plural(len(ordered), 'record')}",
                members=frozenset({jid}),
                records=ordered,
                words=frozenset(
                    word
                    for name in (body, *(a for r in records for a in r.body_aliases))
                    for word in normalize(name).split()
                ),
            )
            self._bodies.append(target)
            for word in target.words:
                self._bodies_by_word.setdefault(word, []).append(target)
            names: list[str] = [f"{jurisdiction.name} {body}", f"{body} of {jurisdiction.name}"]
            short = re.sub(r"^(State|City|County)\s+", "", body, flags=re.IGNORECASE)
            if short != body:
                names.append(f"{jurisdiction.name} {short}")
            for record in records:
                names.extend(record.body_aliases)
            unique = tuple(dict.fromkeys(n for n in names if n.strip()))
            entries.append(NameEntry(key=key, label=clip(label), names=unique, rank=float(len(records))))
        for group in (self._bodies, *self._bodies_by_word.values()):
            group.sort(key=lambda t: (-len(t.records), t.label))
        return entries

    def _record_docs(self) -> Iterable[tuple[str, str, dict[str, str]]]:
        ds = self._dataset
        for record in ds.records:
            try:
                jurisdiction = ds.jurisdiction(record.jurisdiction)
                place = " ".join([jurisdiction.name, *jurisdiction.aliases])
                country = self._country_name(jurisdiction.country)
            except KeyError:
                place, country = record.jurisdiction, ""
            vote = record.vote.display() if record.vote is not None else ""
            dates = " ".join([record.date.display(), *(a.date.display() for a in record.alternative_dates)])
            fields = {
                "title": record.title,
                "reference": record.reference or "",
                "sponsor": record.sponsor or "",
                "body": " ".join([record.body, *record.body_aliases]),
                "place": f"{place} {country}",
                "vote": vote,
                "summary": record.summary,
                "kinds": " ".join(k.plain for k in record.kinds),
                "notes": " ".join(filter(None, [record.notes, record.date_note])),
                "dates": dates,
            }
            yield record.id, clip(self._record_label(record)), fields

    def _record_label(self, record: Record) -> str:
        return f"{self._place(record)} · {record.date.display()} · {record.title}"

    # ------------------------------------------------------------------ entries

    def _record_entry(self, record: Record, marks: tuple[str, ...] = ()) -> Entry:
        """A record's entry; one without marks is made once and kept (records never change)."""
        if marks:
            return record_entry(record, self._dataset, marks=marks)
        entry = self._entry_cache.get(record.id)
        if entry is None:
            entry = self._entry_cache[record.id] = record_entry(record, self._dataset)
        return entry

    def _listing(
        self,
        command: str,
        query: str,
        title: str,
        shown: Sequence[_Item] | Sequence[Record] | Sequence[Event],
        *,
        found: str,
        empty: str = "",
        matched: str | None = None,
    ) -> Answer:
        """FOUND with the records and events shown (each as an entry, with its marks), or NOT_FOUND."""
        records: list[Record] = []
        events: list[Event] = []
        entries: list[Entry] = []
        for item in shown:
            if isinstance(item, _Item):
                record, event, marks = item.record, item.event, item.marks
            else:
                record, event, marks = (item, None, ()) if isinstance(item, Record) else (None, item, ())
            if record is not None:
                records.append(record)
                entries.append(self._record_entry(record, marks))
            elif event is not None:
                events.append(event)
                entries.append(event_entry(event, marks=marks))
        return Answer(
            command=command,
            query=query,
            status=Status.FOUND if shown else Status.NOT_FOUND,
            title=title,
            matched=matched,
            message=found if shown else empty,
            records=tuple(records),
            events=tuple(events),
            entries=tuple(entries),
        )

    @staticmethod
    def _ambiguous(
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
            title=f"'{clip(name if name is not None else query, 60)}' is ambiguous",
            message=message,
            candidates=tuple(candidates),
            lines=lines,
        )

    # ------------------------------------------------------------------ jurisdiction

    def _resolve_key(self, key: str) -> _Target:
        return self._targets[self._redirect.get(key, key)]

    def _exact_key(self, text: str) -> str | None:
        folded = text.casefold()
        for key in (folded, text):
            if key in self._targets:
                return key
        return None

    @_never_raise("jurisdiction")
    def jurisdiction(self, text: str) -> Answer:
        """Records of a place, country or body, as the name was typed (fuzzy), newest first."""
        query, error = clean_query(text)
        if error or not query:
            return self._invalid("jurisdiction", text, error or EMPTY_MESSAGES["jurisdiction"])
        exact = self._exact_key(query)
        if exact is not None:
            return self._target_answer(query, self._resolve_key(exact), exact=True)
        words = normalize(query).split()
        if words and all(word in GENERIC_BODY_WORDS for word in words):
            return self._generic_body_answer(query, words)
        result = self._names.lookup(query)
        hits = self._dedupe_hits(result.hits)
        if result.status in ("exact", "fuzzy") and hits:
            return self._target_answer(query, hits[0], exact=result.status == "exact")
        if result.status == "ambiguous" and hits:
            winner = self._superset(hits)
            if winner is not None:
                return self._target_answer(query, winner, exact=all(h.exact for h in result.hits))
            return self._several_places(query, hits)
        suggestions = self._dedupe_hits(result.suggestions)
        lines = (
            ()
            if suggestions
            else ("The dataset has no record for that name. Try /list to see every place with a record.",)
        )
        message = f"Nothing matches '{query}'." + (" Did you mean:" if suggestions else "")
        return _nothing_found("jurisdiction", query, message, lines, (t.candidate() for t in suggestions[:5]))

    def _generic_body_answer(self, query: str, words: Sequence[str]) -> Answer:
        """A query made only of words like "state senate" or "city council": every body that has them.

        Such words name no place, so a fuzzy match on one body would be a confident guess.
        """
        wanted = set(words) - {"of", "the", "and"}
        bodies = self._bodies  # "the": every body; most records first, as every list is kept
        if wanted:
            fewest = min((self._bodies_by_word.get(word, []) for word in wanted), key=len)
            bodies = [t for t in fewest if wanted <= t.words]
        if len(bodies) == 1:
            return self._target_answer(query, bodies[0], exact=False)
        if bodies:
            more = len(bodies) - MAX_CANDIDATES
            lines = (f"…and {more} more; add the place, like 'California {query}'.",) if more > 0 else ()
            return self._several_places(query, bodies, lines)
        hint = ("Add the place, like 'California Senate' or 'French Senate'.",)
        return _nothing_found("jurisdiction", query, f"Nothing matches '{query}'.", hint)

    def _several_places(self, query: str, targets: Sequence[_Target], lines: tuple[str, ...] = ()) -> Answer:
        candidates = (t.candidate() for t in targets[:MAX_CANDIDATES])
        message = f"'{query}' could mean several places:"
        return self._ambiguous("jurisdiction", query, message, candidates, lines)

    def _dedupe_hits(self, hits: Sequence[Hit], *, drop_contained: bool = True) -> list[_Target]:
        seen: dict[str, _Target] = {}
        for hit in hits:
            if hit.key not in self._targets:
                continue
            target = self._resolve_key(hit.key)
            seen.setdefault(target.key, target)
        found = list(seen.values())
        if not drop_contained:
            return found
        # A body next to its own place (or a place next to its country) adds nothing: keep the wider.
        return [t for t in found if not any(o is not t and o.contains(t) for o in found)] or found

    def _superset(self, targets: Sequence[_Target]) -> _Target | None:
        """One target standing for all of ``targets``, or None.

        That is the one containing the others (a country over its own body), or, when all
        are bodies of one place ("Massachusetts House"), those bodies together.
        """
        if len(targets) == 1:
            return targets[0]
        for target in targets:
            if all(target.contains(other) for other in targets):
                return target
        places = {t.members for t in targets}
        if len(places) == 1 and all(t.kind == "body" for t in targets):
            jid = next(iter(next(iter(places))))
            place = self._dataset.jurisdiction(jid).name
            bodies = "; ".join(t.label.split(" — ", 1)[-1] for t in targets)
            records = newest_first({r for t in targets for r in t.records})
            return _Target(
                key=jid,
                kind="body",
                label=f"{place} — {bodies}",
                description=f"{len(targets)} bodies",
                members=frozenset({jid}),
                records=records,
            )
        return None

    def _target_answer(self, query: str, target: _Target, *, exact: bool) -> Answer:
        read_as = normalize(query) == normalize(target.label) or query == target.key
        message = _count_line(len(target.records))
        if not read_as or not exact:
            message = f"Showing {target.label} for '{query}'. {message}"
        return self._listing(
            "jurisdiction",
            query,
            target.label,
            target.records,
            found=message,
            empty=f"The dataset has no record for {target.label}.",
            matched=target.label,
        )

    # ------------------------------------------------------------------ resolution

    @_never_raise("resolution")
    def resolution(self, text: str) -> Answer:
        """Records found by free words (title, summary, body, sponsor, reference, vote, notes) or id."""
        query, error = clean_query(text)
        if error or not query:
            return self._invalid("resolution", text, error or EMPTY_MESSAGES["resolution"])
        record = self._record_ids.get(query.casefold())
        if record is not None:
            title = clip(record_heading(record, self._dataset), 256)
            found = f"Record {record.id}."
            return self._listing("resolution", query, title, (record,), found=found, matched=record.id)
        hits = self._texts.search(query, limit=MAX_SEARCH_RESULTS)
        records = [r for r in (self._dataset.record(h.key) for h in hits) if r is not None]
        records = list(dict.fromkeys(records))
        if not records:
            hint = ("Try fewer or different words, a place name, or /date.",)
            return _nothing_found("resolution", query, f"No record matches '{query}'.", hint)
        return self._listing(
            "resolution",
            query,
            clip(f"Records matching '{query}'", 100),
            records,
            found=f"{_plural(len(records), 'record')} for '{query}', best match first.",
            matched=query,
        )

    # ------------------------------------------------------------------ dates

    @_never_raise("date")
    def date(self, text: str, *, today: dt.date) -> Answer:
        """Records and events on a day, month, year or range (precision-aware)."""
        query, error = clean_query(text)
        if error or not query:
            return self._invalid("date", text, error or EMPTY_MESSAGES["date"])
        try:
            parsed = parse_date_query(query, today=today)
        except DateQueryError as exc:
            return self._invalid("date", query, str(exc))
        if parsed.month_day is not None:
            return self._month_day_answer(query, parsed)
        return self._span_answer(query, parsed)

    def _span_items(self, spans: Sequence[DateSpan]) -> list[_Item]:
        two = len(spans) > 1
        items: dict[str, _Item] = {}
        for span in spans:
            reading = (f"Matches the reading {span.label}.",) if two else ()
            for record in self._dates.records_in((span,)):
                marks: tuple[str, ...] = ()
                loose = False
                if _date_overlaps(record.date, span):
                    marks = reading
                    if record.date.first_day() < span.start or record.date.last_day() > span.end:
                        loose = True
                        known = record.date.display()
                        marks = (*reading, f"Its date is known only as {known}, which includes {span.label}.")
                else:
                    alts = [a for a in record.alternative_dates if _date_overlaps(a.date, span)]
                    if not alts:
                        continue
                    marks = (*reading, *(_listed_for(a) for a in alts))
                item = _Item(record.date.first_day(), record=record, marks=marks, loose=loose)
                self._add_item(items, item)
            for event in self._dates.events_in((span,)):
                if _overlaps(event.date.first_day(), _event_last(event), span):
                    self._add_item(items, _Item(event.date.first_day(), event=event, marks=reading))
        # Sure matches first, then records whose coarser date only may fall in the span.
        return sorted(items.values(), key=lambda i: (i.loose, i.when, i.key))

    @staticmethod
    def _add_item(items: dict[str, _Item], item: _Item) -> None:
        known = items.get(item.key)
        if known is None:
            items[item.key] = item
        else:
            marks = tuple(dict.fromkeys((*known.marks, *item.marks)))
            items[item.key] = _Item(known.when, known.record, known.event, marks, known.loose and item.loose)

    def _dated_listing(
        self, command: str, query: str, title: str, items: Sequence[_Item], *, where: str, label: str,
        empty: str = "", note: str = "",
    ) -> Answer:
        """Records and events found on some dates: "2 records and 1 event on 25 November."."""
        records = sum(1 for i in items if i.record is not None)
        counts = [_plural(n, word) for n, word in ((records, "record"), (len(items) - records, "event")) if n]
        found = f"{' and '.join(counts)} {where}.{note}"
        return self._listing(command, query, title, items, found=found, empty=empty, matched=label)

    def _span_answer(self, query: str, parsed: DateQuery) -> Answer:
        spans = parsed.spans
        labels = " or ".join(s.label for s in spans)
        items = self._span_items(spans)
        note = f" {parsed.note}" if parsed.note else ""
        where = f"{_preposition(spans)}{labels}"
        title = clip(f"Records from {labels}", 100)
        if items:
            return self._dated_listing("date", query, title, items, where=where, label=labels, note=note)
        nearest: list[Record] = []
        entries: list[Entry] = []
        for record, prefix in (
            (self._dates.latest_before(min(s.start for s in spans)), "Nearest before:"),
            (self._dates.earliest_after(max(s.end for s in spans)), "Nearest after:"),
        ):
            if record is not None:
                nearest.append(record)
                entries.append(record_entry(record, self._dataset, prefix=prefix))
        lines = tuple(
            f"Dated only to {r.date.display()}, so it may fall {where}: {record_heading(r, self._dataset)}."
            for r in self._dates.records_in(spans)
            if r.date.precision is Precision.YEAR
            and any(_overlaps(r.date.first_day(), r.date.last_day(), s) for s in spans)
        )
        return Answer(
            command="date",
            query=query,
            status=Status.NOT_FOUND,
            title=title,
            matched=labels,
            message=f"Nothing {where}.{note}",
            lines=lines,
            nearest=tuple(nearest),
            entries=tuple(entries),
        )

    def _month_day_items(self, month_day: tuple[int, int], year: int | None) -> list[_Item]:
        """Day-precision records and events falling on a month-day in any year, oldest first.

        ``year`` is the year the month-day is taken in (29 February counts on 28 February
        in a common year). Each item's ``when`` is the date that falls on the month-day.
        """
        items: dict[str, _Item] = {}
        for record in self._dates.records_on(month_day, year):
            if _falls_on(record.date, month_day, year):
                leap = _leap_mark(record.date, month_day, year)
                marks = (leap,) if leap else ()
                self._add_item(items, _Item(record.date.first_day(), record=record, marks=marks))
                continue
            for alt in record.alternative_dates:
                if _falls_on(alt.date, month_day, year):
                    item = _Item(alt.date.first_day(), record=record, marks=(_listed_for(alt),))
                    self._add_item(items, item)
        for event in self._dates.events_on(month_day, year):
            if _falls_on(event.date, month_day, year):
                self._add_item(items, _Item(event.date.first_day(), event=event))
            elif event.end is not None and _falls_on(event.end, month_day, year):
                mark = f"Anniversary of its end, {event.end.display()}."
                self._add_item(items, _Item(event.end.first_day(), event=event, marks=(mark,)))
        return sorted(items.values(), key=lambda i: (i.when, i.key))

    def _month_day_answer(self, query: str, parsed: DateQuery) -> Answer:
        assert parsed.month_day is not None
        month, day = parsed.month_day
        label = day_month(month, day)
        items = self._month_day_items((month, day), None)
        where, title = f"on {label} in any year", f"Records from {label} (any year)"
        empty = f"Nothing {where}."
        return self._dated_listing("date", query, title, items, where=where, label=label, empty=empty)

    # ------------------------------------------------------------------ on this day

    @_never_raise("onthisday")
    def on_this_day(self, text: str | None, *, today: dt.date) -> Answer:
        """Anniversaries on a month-day (today's when ``text`` is None or blank), day precision only.

        A record dated 29 February is shown on 28 February in common years, marked so.
        "N years ago" counts from ``today``, or from the date given when it is a full date.
        """
        query, error = clean_query(text)
        if error:
            return self._invalid("onthisday", text, error)
        month_day = (today.month, today.day)
        count_from = today
        if query:
            try:
                parsed = parse_date_query(query, today=today)
            except DateQueryError as exc:
                return self._invalid("onthisday", query, str(exc))
            if parsed.month_day is not None:
                month_day = parsed.month_day
            elif len(parsed.spans) == 2 and all(s.start == s.end for s in parsed.spans):
                readings = (Candidate(label=s.label, value=s.start.isoformat()) for s in parsed.spans)
                return self._ambiguous("onthisday", query, f"'{query}' can be read two ways:", readings)
            elif len(parsed.spans) == 1 and parsed.spans[0].start == parsed.spans[0].end:
                count_from = parsed.spans[0].start
                month_day = (count_from.month, count_from.day)
            else:
                return self._invalid(
                    "onthisday", query, "On this day needs a day and a month, like '25 November'."
                )
        year = count_from.year
        if month_day == (2, 29) and not calendar.isleap(year):
            year = next(y for y in range(year, year + 8) if calendar.isleap(y))
        label = day_month(*month_day)
        items = []
        for item in self._month_day_items(month_day, year):
            if item.when == count_from:
                ago = "Today." if count_from == today else "That same day."
            else:
                ago = years_phrase(count_from.year - item.when.year).capitalize() + "."
            items.append(_Item(item.when, item.record, item.event, (ago, *item.marks)))
        empty = f"Nothing on record for {label}."
        return self._dated_listing("onthisday", query, f"On this day: {label}", items, where=f"on {label}",
                                   label=label, empty=empty)

    @_never_raise("upcoming")
    def upcoming(self, today: dt.date, days: int = 7) -> Answer:
        """Anniversaries in the ``days`` days after ``today`` (not including today)."""
        if not 1 <= days <= 366:
            return self._invalid("upcoming", str(days), "Choose between 1 and 366 days.")
        found: dict[str, _Item] = {}
        for offset in range(1, days + 1):
            day = today + dt.timedelta(days=offset)
            in_days = "Tomorrow" if offset == 1 else f"In {offset} days"
            for item in self._month_day_items((day.month, day.day), day.year):
                years = day.year - item.when.year
                if years < 1:
                    continue
                lead = f"{in_days}, on {day_month(day.month, day.day)}: {ordinal(years)} anniversary."
                shown = _Item(day, item.record, item.event, (lead, *item.marks))
                known = found.get(item.key)
                # A record listed under an alternative date gives way to its main date.
                if known is None or (item.record is not None and item.when == item.record.date.as_date()):
                    found[item.key] = shown
        ordered = sorted(found.values(), key=lambda i: (i.when, i.key))
        next_days = f"in the next {_plural(days, 'day')}"
        return self._listing(
            "upcoming",
            str(days),
            f"Coming up {next_days}",
            ordered,
            found=f"{_plural(len(ordered), 'anniversary', 'anniversaries')} {next_days}.",
            empty=f"No anniversaries {next_days}.",
        )

    # ------------------------------------------------------------------ timeline, list

    @_never_raise("timeline")
    def timeline(self, from_year: int | None = None, to_year: int | None = None) -> Answer:
        """The timeline's events, optionally between two years (inclusive), oldest first."""
        shown = " ".join(str(y) for y in (from_year, to_year) if y is not None)
        for year in (from_year, to_year):
            if year is not None and not 1 <= year <= 9999:
                return self._invalid("timeline", shown, f"{year} is not a year between 1 and 9999.")
        if from_year is not None and to_year is not None and from_year > to_year:
            return self._invalid(
                "timeline", shown, f"The first year ({from_year}) is after the second ({to_year})."
            )
        start = dt.date(from_year, 1, 1) if from_year is not None else dt.date.min
        end = dt.date(to_year, 12, 31) if to_year is not None else dt.date.max
        events = sorted(
            (e for e in self._dataset.events if e.date.first_day() <= end and _event_last(e) >= start),
            key=lambda e: (e.date.first_day(), e.id),
        )
        if from_year is not None and to_year is not None:
            span = str(from_year) if from_year == to_year else f"{from_year}–{to_year}"
        elif from_year is not None:
            span = f"from {from_year}"
        elif to_year is not None:
            span = f"until {to_year}"
        else:
            span = ""
        return self._listing(
            "timeline",
            shown,
            f"Timeline: {span}" if span else "Timeline",
            events,
            found=f"{_plural(len(events), 'event')}, oldest first.",
            empty=f"No events {span or 'in the timeline'}.",
            matched=span or None,
        )

    @_never_raise("list")
    def list_records(
        self, level: str | None = None, country: str | None = None, kind: str | None = None
    ) -> Answer:
        """Records filtered by level, country (id, name or alias) and kind, newest first."""
        given = {"level": level, "country": country, "kind": kind}
        shown = " ".join(f"{k}={v}" for k, v in given.items() if v)
        cleaned: dict[str, str] = {}
        for name, value in given.items():
            text, error = clean_query(value)
            if error:
                return self._invalid("list", shown, error)
            if text:
                cleaned[name] = text
        wanted_level = parse_level(cleaned["level"]) if "level" in cleaned else None
        wanted_kind = parse_kind(cleaned["kind"]) if "kind" in cleaned else None
        choices = (("level", wanted_level, tuple(Level)), ("kind", wanted_kind, tuple(Kind)))
        for name, wanted, options in choices:
            if name in cleaned and wanted is None:
                allowed = ", ".join(option.value for option in options)
                message = f"Unknown {name} '{cleaned[name]}'. Use one of: {allowed}."
                return self._invalid("list", shown, message)
        country_id: str | None = None
        read_as = ""
        if "country" in cleaned:
            found = self._find_country(cleaned["country"], shown)
            if isinstance(found, Answer):
                return found
            country_id, read_as = found
        records = [
            r
            for r, place_level, place_country in self._newest_filed
            if (wanted_level is None or place_level is wanted_level)
            and (wanted_kind is None or wanted_kind in r.kinds)
            and (country_id is None or place_country == country_id)
        ]
        filters = [
            f
            for f in (
                wanted_level.value if wanted_level else "",
                self._country_name(country_id) if country_id else "",
                wanted_kind.plain if wanted_kind else "",
            )
            if f
        ]
        return self._listing(
            "list",
            shown,
            "Records: " + " · ".join(filters) if filters else "All records",
            records,
            found=" ".join(filter(None, (read_as, _count_line(len(records))))),
            empty=f"No records match {', '.join(filters)}." + (f" {read_as}" if read_as else ""),
            matched=" · ".join(filters) or None,
        )

    @functools.cached_property
    def _newest(self) -> tuple[Record, ...]:
        """Every record, newest first (made on first use)."""
        return newest_first(self._dataset.records)

    @functools.cached_property
    def _newest_filed(self) -> tuple[tuple[Record, Level | None, str], ...]:
        """Every record, newest first, with its place's level and country (made on first use)."""
        return tuple((r, self._level_of(r), self._country_id_of(r)) for r in self._newest)

    def _level_of(self, record: Record) -> Level | None:
        try:
            return self._dataset.jurisdiction(record.jurisdiction).level
        except KeyError:
            return None

    def _find_country(self, text: str, shown: str) -> tuple[str, str] | Answer:
        """A country id and a "read as" note, or an answer explaining why not."""
        folded = text.casefold().removeprefix(COUNTRY_PREFIX)
        if folded in self._country_ids:
            return self._country_ids[folded], ""
        result = self._country_names.lookup(text)
        if result.status in ("exact", "fuzzy") and result.hits:
            country_id = result.hits[0].key
            name = self._country_name(country_id)
            note = "" if normalize(name) == normalize(text) else f"Showing {name} for '{text}'."
            return country_id, note
        if result.status == "ambiguous" and result.hits:
            candidates = (self._country_candidate(h.key) for h in result.hits[:MAX_CANDIDATES])
            message = f"'{text}' could mean several countries:"
            return self._ambiguous("list", shown, message, candidates, name=text)
        suggestions = tuple(self._country_candidate(h.key) for h in result.suggestions[:5])
        return Answer(
            command="list",
            query=shown,
            status=Status.NOT_FOUND,
            title="Unknown country",
            message=f"No country matches '{text}'." + (" Did you mean:" if suggestions else ""),
            candidates=suggestions,
            lines=() if suggestions else ("The dataset has no record from a country by that name.",),
        )

    def _country_candidate(self, country_id: str) -> Candidate:
        name = self._country_name(country_id)
        count = len(self._records_by_country.get(country_id, ()))
        return Candidate(label=clip(f"{name} ({_plural(count, 'record')})"), value=country_id)

    # ------------------------------------------------------------------ stats, about

    @_answered_once("stats")
    def stats(self) -> Answer:
        """Counts by level, kind, country and year."""
        ds = self._dataset
        levels = Counter(self._level_of(r) for r in ds.records)
        kinds = Counter(k for r in ds.records for k in r.kinds)
        countries = Counter(self._country_id_of(r) for r in ds.records)
        years = Counter(r.date.year for r in ds.records)
        places = {r.jurisdiction for r in ds.records}
        fields = (
            Field("Records", str(len(ds.records))),
            Field("Events", str(len(ds.events))),
            Field("Places", str(len(places))),
            Field("Countries", str(len(countries))),
            Field("By level", "\n".join(f"{lv.value}: {levels[lv]}" for lv in Level if levels[lv]), False),
            Field("By kind", "\n".join(f"{k.plain}: {kinds[k]}" for k in Kind if kinds[k]), False),
            Field(
                "By country",
                "\n".join(
                    f"{self._country_name(c)}: {n}"
                    for c, n in sorted(countries.items(), key=lambda p: (-p[1], self._country_name(p[0])))
                ),
                False,
            ),
            Field("By year", "\n".join(f"{y}: {years[y]}" for y in sorted(years)), False),
        )
        message = (
            f"{_plural(len(ds.records), 'record')} from {_plural(len(places), 'place')} in "
            f"{_plural(len(countries), 'country', 'countries')}, and "
            f"{_plural(len(ds.events), 'timeline event')}."
        )
        lines = ["A record can have several kinds, so the kind counts add up to more than the total."]
        return _overview("stats", "Dataset statistics", message, fields, lines)

    @_answered_once("about")
    def about(self) -> Answer:
        """The dataset version, counts, methodology and where the sources are."""
        ds = self._dataset
        urls = {s.url for r in ds.records for s in r.sources} | {s.url for e in ds.events for s in e.sources}
        lines = _paragraphs(ds.info.methodology)
        if ds.info.sources_note:
            lines.extend(_paragraphs(ds.info.sources_note))
        else:
            lines.append("Every record and event lists its public sources, shown with each answer.")
        latest = max((r.date.last_day() for r in ds.records), default=None)
        fields = [
            Field("Dataset version", ds.info.version),
            Field("Records", str(len(ds.records))),
            Field("Events", str(len(ds.events))),
            Field("Places", str(len(ds.jurisdictions))),
            Field("Countries", str(len(ds.countries))),
            Field("Sources", f"{len(urls)} distinct links"),
        ]
        if latest is not None:
            newest = max(ds.records, key=lambda r: (r.date.last_day(), r.id))
            fields.append(Field("Latest record", newest.date.display()))
        version = ds.info.version
        message = f"Resolutions and statements on Artsakh (Nagorno-Karabakh), dataset version {version}."
        return _overview("about", "About this bot", message, fields, lines)

    # ------------------------------------------------------------------ autocomplete

    def _suggest(
        self,
        text: str,
        limit: int,
        defaults: Sequence[Candidate],
        search: Callable[[str, int], Iterable[Candidate]],
    ) -> list[Candidate]:
        """At most ``limit`` (1..25) suggestions: ``defaults`` for blank text, else ``search``.

        Text that is too long or has control characters gets no suggestions.
        """
        limit = max(1, min(limit, MAX_SUGGESTIONS))
        query, error = clean_query(text)
        if error:
            return []
        if not query:
            return list(defaults[:limit])
        return list(search(query, limit))[:limit]

    @_never_raise_list
    def suggest_jurisdictions(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
        """Autocomplete for /jurisdiction: each value is accepted exactly by :meth:`jurisdiction`."""
        return self._suggest(text, limit, self._default_jurisdictions, self._search_jurisdictions)

    @functools.cached_property
    def _default_jurisdictions(self) -> tuple[Candidate, ...]:
        """Countries, then the places with the most records (worked out on first use)."""
        top = heapq.nsmallest(
            MAX_SUGGESTIONS,
            (t for t in self._targets.values() if t.kind != "body" and t.key not in self._redirect),
            key=lambda t: (-_KIND_RANK[t.kind], -len(t.records), t.label),
        )
        return tuple(t.candidate() for t in top)

    def _search_jurisdictions(self, query: str, limit: int) -> list[Candidate]:
        targets: list[_Target] = []
        exact = self._exact_key(query)
        if exact is not None:
            targets.append(self._resolve_key(exact))
        completed = self._names.complete(query, limit=limit * 2)
        targets.extend(self._dedupe_hits(completed, drop_contained=False))
        unique = list({t.key: t for t in targets}.values())
        return [t.candidate() for t in _prefix_first(unique, query, self._folded_label)[:limit]]

    def _folded_label(self, target: _Target) -> str:
        """The target's label, normalized (kept once worked out: labels with accents are slow to fold)."""
        folded = self._folded_labels.get(target.label)
        if folded is None:
            folded = self._folded_labels[target.label] = normalize(target.label)
        return folded

    @_never_raise_list
    def suggest_resolutions(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
        """Autocomplete for /resolution: each value is a record id."""
        return self._suggest(text, limit, self._default_resolutions, self._search_resolutions)

    @functools.cached_property
    def _default_resolutions(self) -> tuple[Candidate, ...]:
        return tuple(self._record_candidate(r) for r in self._newest[:MAX_SUGGESTIONS])

    def _search_resolutions(self, query: str, limit: int) -> list[Candidate]:
        records: list[Record] = []
        exact = self._record_ids.get(query.casefold())
        if exact is not None:
            records.append(exact)
        for hit in self._texts.complete(query, limit=limit * 2):
            record = self._dataset.record(hit.key)
            if record is not None:
                records.append(record)
        return [self._record_candidate(r) for r in list(dict.fromkeys(records))[:limit]]

    def _record_candidate(self, record: Record) -> Candidate:
        return Candidate(label=clip(self._record_label(record)), value=record.id)

    @_never_raise_list
    def suggest_countries(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
        """Autocomplete for a country option: each value is a country id."""
        return self._suggest(text, limit, self._default_countries, self._search_countries)

    @functools.cached_property
    def _default_countries(self) -> tuple[Candidate, ...]:
        ids = sorted(
            self._country_ids.values(),
            key=lambda c: (-len(self._records_by_country.get(c, ())), self._country_name(c)),
        )
        return tuple(self._country_candidate(c) for c in ids[:MAX_SUGGESTIONS])

    def _search_countries(self, query: str, limit: int) -> list[Candidate]:
        ids = []
        folded = query.casefold()
        if folded in self._country_ids:
            ids.append(self._country_ids[folded])
        ids.extend(h.key for h in self._country_names.complete(query, limit=limit * 2))
        ids = _prefix_first(list(dict.fromkeys(ids)), query, lambda c: normalize(self._country_name(c)))
        return [self._country_candidate(c) for c in ids[:limit]]

    # ------------------------------------------------------------------ helpers

    def _invalid(self, command: str, text: str | None, message: str) -> Answer:
        return Answer(
            command=command,
            query=_shown_query(text),
            status=Status.INVALID,
            title="Invalid query",
            message=message,
        )


def _nothing_found(
    command: str, query: str, message: str, lines: tuple[str, ...], candidates: Iterable[Candidate] = ()
) -> Answer:
    """NOT_FOUND for a query that matched nothing at all, with hints (and any suggestions)."""
    return Answer(
        command=command,
        query=query,
        status=Status.NOT_FOUND,
        title="Nothing found",
        message=message,
        candidates=tuple(candidates),
        lines=lines,
    )


def _overview(
    command: str, title: str, message: str, fields: Iterable[Field], lines: Iterable[str]
) -> Answer:
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


def _prefix_first(items: list[_T], query: str, folded_label: Callable[[_T], str]) -> list[_T]:
    """Items whose (normalized) label starts with the query first (stable otherwise)."""
    norm = normalize(query)
    return sorted(items, key=lambda item: 0 if folded_label(item).startswith(norm) else 1)


def _paragraphs(text: str) -> list[str]:
    """Paragraphs of a text block: split at blank lines when it has any, else at each line."""
    parts = text.split("\n\n") if "\n\n" in text.strip() else text.splitlines()
    return [" ".join(p.split()) for p in parts if p.strip()]


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _words(text: str) -> str:
    return " ".join(re.split(r"[\s_-]+", text.strip().casefold()))


def parse_level(text: str) -> Level | None:
    """A level from its value, case-insensitive, singular or plural ("states", "cities")."""
    word = _words(text)
    forms = {word, word.removesuffix("s")}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    for level in Level:
        if level.value in forms:
            return level
    return None


def parse_kind(text: str) -> Kind | None:
    """A kind from its value or its plain words ("call for recognition"), case-insensitive."""
    word = _words(text)
    for kind in Kind:
        if word in {_words(kind.value), _words(kind.plain), _words(kind.value) + "s"}:
            return kind
    return None
