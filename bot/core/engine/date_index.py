"""Records and events by their days: the index behind /date, /onthisday and /upcoming."""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from bot.core.dates import DateSpan
from bot.core.model import Event, PartialDate, Precision, Record


def event_last(event: Event) -> dt.date:
    """The last day an event may cover (its end, else its date)."""
    return (event.end or event.date).last_day()


def month_day_of(date: PartialDate) -> tuple[int, int] | None:
    """(month, day) of a day-precision date, else None."""
    if date.precision is not Precision.DAY:
        return None
    assert date.month is not None
    assert date.day is not None
    return (date.month, date.day)


def _day_table(rows: Iterable[tuple[dt.date, dt.date, int]]) -> tuple[list[int], list[int], int]:
    """(first days as ordinals, sorted; the position each came from; the widest date in days)."""
    ordered = sorted((a.toordinal(), pos, b.toordinal() - a.toordinal()) for a, b, pos in rows)
    widest = max((row[2] for row in ordered), default=0)
    return [row[0] for row in ordered], [row[1] for row in ordered], widest


class DateIndex:
    """Records and events by their days, built once: date ranges by bisect, month-days by dict.

    It only narrows the candidates; the engine still decides each match, so answers are
    the same as scanning every record, in the same (dataset) order. Its tables hold positions
    in ``records`` and ``events``: a reload whose records and events have the same ids and dates
    in the same order (an edited title, a new source) keeps the tables of ``previous``.
    """

    _record_dates: list[tuple[str, tuple[PartialDate, ...]]]  # each record's id, main and other dates
    _event_dates: list[tuple[PartialDate, PartialDate | None]]
    _record_days: tuple[list[int], list[int], int]
    _event_days: tuple[list[int], list[int], int]
    _by_first: list[int]  # positions of the records by first day of the main date, then id
    _first_days: list[dt.date]
    _by_last: list[int]  # the same by last day
    _last_days: list[dt.date]
    _records_on: dict[tuple[int, int], list[int]]
    _events_on: dict[tuple[int, int], list[int]]

    def __init__(
        self, records: Sequence[Record], events: Sequence[Event], previous: DateIndex | None = None
    ) -> None:
        self._records = records
        self._events = events
        # What the tables are made of: each record's id and dates, each event's dates.
        self._record_dates = [(r.id, (r.date, *(a.date for a in r.alternative_dates))) for r in records]
        self._event_dates = [(e.date, e.end) for e in events]
        if (
            previous is not None
            and previous._record_dates == self._record_dates
            and previous._event_dates == self._event_dates
        ):
            self._record_days, self._event_days = previous._record_days, previous._event_days
            self._by_first, self._first_days = previous._by_first, previous._first_days
            self._by_last, self._last_days = previous._by_last, previous._last_days
            self._records_on, self._events_on = previous._records_on, previous._events_on
            return
        spans = [[(d.first_day(), d.last_day()) for d in dates] for _id, dates in self._record_dates]
        self._record_days = _day_table(
            (first, last, pos) for pos, days in enumerate(spans) for first, last in days
        )
        self._event_days = _day_table(
            (e.date.first_day(), event_last(e), pos) for pos, e in enumerate(events)
        )
        # Positions by (first day, id) and by (last day, id) of the main date (ids are unique:
        # sorting the (day, id, position) rows gives the positions as a stable sort by (day, id)).
        ids = [r.id for r in records]
        firsts = [days[0][0] for days in spans]
        lasts = [days[0][1] for days in spans]
        by_first = sorted(zip([d.toordinal() for d in firsts], ids, range(len(records)), strict=True))
        self._by_first = [row[2] for row in by_first]
        self._first_days = [firsts[p] for p in self._by_first]
        by_last = sorted(zip([d.toordinal() for d in lasts], ids, range(len(records)), strict=True))
        self._by_last = [row[2] for row in by_last]
        self._last_days = [lasts[p] for p in self._by_last]
        self._records_on = {}
        for pos, (_id, dates) in enumerate(self._record_dates):
            for date in dates:
                _add_on(self._records_on, month_day_of(date), pos)
        self._events_on = {}
        for pos, event in enumerate(events):
            for day in (event.date, event.end):
                if day is not None:
                    _add_on(self._events_on, month_day_of(day), pos)

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
        return self._records[self._by_last[at - 1]] if at else None

    def earliest_after(self, day: dt.date) -> Record | None:
        """The record whose date starts first after ``day`` (by first day, then id), or None."""
        at = bisect_right(self._first_days, day)
        return self._records[self._by_first[at]] if at < len(self._by_first) else None


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

