"""/date, /onthisday and /upcoming: records and events by day, month, year, range or anniversary.

Precision-aware: a date known only to the month or year is never shown as a day, only as
something that "may fall" in a span; 29 February counts on 28 February in common years.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Sequence

from bot.core.answers import Answer, Candidate, Entry, Status
from bot.core.dates import (
    AFTER,
    BEFORE,
    DAY_EXAMPLES,
    DECADE,
    RANGE,
    SINCE,
    UNTIL,
    DateQuery,
    DateQueryError,
    DateSpan,
    either,
    parse_date_query,
)
from bot.core.engine.common import (
    EMPTY_MESSAGES,
    Item,
    ambiguous,
    clean_query,
    invalid,
    never_raise,
)
from bot.core.engine.date_index import event_last, month_day_of
from bot.core.engine.indexes import Indexes
from bot.core.engine.words import ordinal
from bot.core.i18n import DEFAULT, N_, _, current, ngettext, pgettext
from bot.core.model import AlternativeDate, PartialDate, Precision, Record
from bot.core.present import date_text, day_month, record_entry, record_heading, short_date, years_phrase
from bot.core.text import first_upper, one_stop


def _ordinal(number: int) -> str:
    """``25th`` in English; the number with the language's ordinal mark elsewhere (``25-я``, ``25e``)."""
    if current() == DEFAULT:
        return ordinal(number)
    return _("{number}th").format(number=number)


# Where the records are, around the spans' labels: "on 8 May 2014", "in May 2014", "from 2012 to
# 2014"; an open span's label says it all ("since 2020").
_ON, _IN, _FROM = N_("on {when}"), N_("in {when}"), N_("from {when}")
_OPEN_FORMS = frozenset({AFTER, BEFORE, SINCE, UNTIL})
NEAREST_BEFORE, NEAREST_AFTER = N_("Nearest before:"), N_("Nearest after:")
LISTED_FOR = N_("listed for {date}")


def _where(spans: Sequence[DateSpan]) -> str:
    """``on 8 May 2014``, ``in May 2014``, ``from 2012 to 2014``, ``since 2020`` (the language in use)."""
    labels = either(s.label for s in spans)
    if all(s.start == s.end for s in spans):
        return _(_ON).format(when=labels)
    form = spans[0].form
    if form in _OPEN_FORMS:
        return labels
    if form == DECADE:  # "in the 1990s": "dans les années 1990", "1990-ական թվականներին"
        return pgettext("decade", "in {when}").format(when=labels)
    return _(_FROM if form == RANGE else _IN).format(when=labels)


def _overlaps(start: dt.date, end: dt.date, span: DateSpan) -> bool:
    return start <= span.end and span.start <= end


def _date_overlaps(date: PartialDate, span: DateSpan) -> bool:
    """True when ``date`` may fall in ``span``; a year-only date never matches a single day."""
    if date.precision is Precision.YEAR and span.start == span.end:
        return False
    return _overlaps(date.first_day(), date.last_day(), span)


def _falls_on(date: PartialDate, month_day: tuple[int, int], year: int | None) -> bool:
    """True when a day-precision ``date`` has this month-day (29 Feb counts on 28 Feb in common years)."""
    own = month_day_of(date)
    if own is None:
        return False
    if own == month_day:
        return True
    return own == (2, 29) and month_day == (2, 28) and year is not None and not calendar.isleap(year)


def _listed_for(alt: AlternativeDate) -> str:
    return _("Listed for the date some sources give: {date} ({note}).").format(
        date=date_text(alt.date), note=alt.note
    )


def _leap_mark(date: PartialDate, month_day: tuple[int, int], year: int | None) -> str | None:
    if month_day_of(date) == (2, 29) and month_day == (2, 28) and year is not None:
        return _("Dated 29 February; shown on 28 February because {year} is not a leap year.").format(
            year=year
        )
    return None


class Dates:
    """Answers /date, /onthisday and /upcoming from the shared date index."""

    def __init__(self, ix: Indexes) -> None:
        self._ix = ix

    @never_raise("date")
    def date(self, text: str, *, today: dt.date) -> Answer:
        """Records and events on a day, month, year or range (precision-aware)."""
        query, error = clean_query(text)
        if error or not query:
            return invalid("date", text, error or EMPTY_MESSAGES["date"])
        try:
            parsed = parse_date_query(query, today=today)
        except DateQueryError as exc:
            return invalid("date", query, str(exc))  # already in the language in use
        if parsed.month_day is not None:
            return self._month_day_answer(query, parsed)
        return self._span_answer(query, parsed)

    def _span_items(self, spans: Sequence[DateSpan]) -> list[Item]:
        two = len(spans) > 1
        items: dict[str, Item] = {}
        for span in spans:
            reading = (_("Matches the reading {reading}.").format(reading=span.label),) if two else ()
            read = _("read as {reading}").format(reading=span.label) if two else ""
            for record in self._ix.dates.records_in((span,)):
                marks: tuple[str, ...] = ()
                tags = [read]
                loose = False
                if _date_overlaps(record.date, span):
                    marks = reading
                    if record.date.first_day() < span.start or record.date.last_day() > span.end:
                        loose = True
                        known = _("Its date is known only as {known}, which includes {when}.").format(
                            known=date_text(record.date), when=span.label
                        )
                        marks = (*reading, known)
                        tags.append(_("may fall here"))
                else:
                    alts = [a for a in record.alternative_dates if _date_overlaps(a.date, span)]
                    if not alts:
                        continue
                    marks = (*reading, *(_listed_for(a) for a in alts))
                    tags.extend(_(LISTED_FOR).format(date=short_date(a.date)) for a in alts)
                tag = ", ".join(t for t in tags if t)
                item = Item(record.date.first_day(), record=record, marks=marks, loose=loose, tag=tag)
                self._add_item(items, item)
            for event in self._ix.dates.events_in((span,)):
                if _overlaps(event.date.first_day(), event_last(event), span):
                    self._add_item(items, Item(event.date.first_day(), event=event, marks=reading, tag=read))
        # Sure matches first, then records whose coarser date only may fall in the span.
        return sorted(items.values(), key=lambda i: (i.loose, i.when, i.key))

    @staticmethod
    def _add_item(items: dict[str, Item], item: Item) -> None:
        known = items.get(item.key)
        if known is None:
            items[item.key] = item
        else:
            marks = tuple(dict.fromkeys((*known.marks, *item.marks)))
            tag = ", ".join(dict.fromkeys(t for t in (known.tag, item.tag) if t))
            loose = known.loose and item.loose
            items[item.key] = Item(known.when, known.record, known.event, marks, loose, tag)

    def _dated_listing(
        self,
        command: str,
        query: str,
        title: str,
        items: Sequence[Item],
        *,
        where: str,
        label: str,
        empty: str = "",
        note: str = "",
    ) -> Answer:
        """Records and events found on some dates: "2 records and 1 event on 25 November."."""
        records = sum(1 for i in items if i.record is not None)
        events = len(items) - records
        counts = []
        if records:
            counts.append(ngettext("{count} record", "{count} records", records).format(count=records))
        if events:
            counts.append(ngettext("{count} event", "{count} events", events).format(count=events))
        both = _(" and ")
        order = _(", oldest first") if len(items) > 1 else ""  # the order, said in the header
        found = (
            _("{counts} {where}{order}.").format(counts=both.join(counts), where=where, order=order) + note
        )
        return self._ix.listing(command, query, title, items, found=found, empty=empty, matched=label)

    def _span_answer(self, query: str, parsed: DateQuery) -> Answer:
        spans = parsed.spans
        labels = either(s.label for s in spans)
        items = self._span_items(spans)
        note = f" {parsed.note}" if parsed.note else ""
        where = _where(spans)
        title = _("Records {where}").format(where=where)  # "Records since 2020", "Records in the 1990s"
        if items:
            return self._dated_listing("date", query, title, items, where=where, label=labels, note=note)
        nearest: list[Record] = []
        entries: list[Entry] = []
        for record, prefix in (
            (self._ix.dates.latest_before(min(s.start for s in spans)), _(NEAREST_BEFORE)),
            (self._ix.dates.earliest_after(max(s.end for s in spans)), _(NEAREST_AFTER)),
        ):
            if record is not None:
                nearest.append(record)
                entries.append(record_entry(record, self._ix.dataset, prefix=prefix))
        dataset = self._ix.dataset
        may_fall = _("Dated only to {date}, so it may fall {where}: {record}.")
        lines = tuple(
            may_fall.format(date=date_text(r.date), where=where, record=record_heading(r, dataset))
            for r in self._ix.dates.records_in(spans)
            if r.date.precision is Precision.YEAR
            and any(_overlaps(r.date.first_day(), r.date.last_day(), s) for s in spans)
        )
        if all(s.start == s.end for s in spans):  # "/date today": other years' same day are /onthisday's
            day = spans[0].start
            other_years = _("For {day} in other years, try /onthisday.").format(
                day=day_month(day.month, day.day)
            )
            lines = (*lines, other_years)
        return Answer(
            command="date",
            query=query,
            status=Status.NOT_FOUND,
            title=title,
            matched=labels,
            message=one_stop(_("Nothing {where}.").format(where=where) + note),
            lines=tuple(one_stop(line) for line in lines),
            nearest=tuple(nearest),
            entries=tuple(entries),
        )

    def _month_day_items(self, month_day: tuple[int, int], year: int | None) -> list[Item]:
        """Day-precision records and events falling on a month-day in any year, oldest first.

        ``year`` is the year the month-day is taken in (29 February counts on 28 February
        in a common year). Each item's ``when`` is the date that falls on the month-day.
        """
        items: dict[str, Item] = {}
        for record in self._ix.dates.records_on(month_day, year):
            if _falls_on(record.date, month_day, year):
                leap = _leap_mark(record.date, month_day, year)
                marks = (leap,) if leap else ()
                self._add_item(items, Item(record.date.first_day(), record=record, marks=marks))
                continue
            for alt in record.alternative_dates:
                if _falls_on(alt.date, month_day, year):
                    tag = _(LISTED_FOR).format(date=short_date(alt.date))
                    item = Item(alt.date.first_day(), record=record, marks=(_listed_for(alt),), tag=tag)
                    self._add_item(items, item)
        for event in self._ix.dates.events_on(month_day, year):
            if _falls_on(event.date, month_day, year):
                self._add_item(items, Item(event.date.first_day(), event=event))
            elif event.end is not None and _falls_on(event.end, month_day, year):
                mark = _("Anniversary of its end, {date}.").format(date=date_text(event.end))
                tag = _("its end")
                self._add_item(items, Item(event.end.first_day(), event=event, marks=(mark,), tag=tag))
        return sorted(items.values(), key=lambda i: (i.when, i.key))

    def _month_day_answer(self, query: str, parsed: DateQuery) -> Answer:
        assert parsed.month_day is not None
        month, day = parsed.month_day
        label = day_month(month, day)
        items = self._month_day_items((month, day), None)
        where = _("on {day} in any year").format(day=label)
        title = _("Records on {day} (any year)").format(day=label)
        empty = _("Nothing {where}.").format(where=where)
        return self._dated_listing("date", query, title, items, where=where, label=label, empty=empty)

    # ------------------------------------------------------------------ on this day

    @never_raise("onthisday")
    def on_this_day(self, text: str | None, *, today: dt.date) -> Answer:
        """Anniversaries on a month-day (today's when ``text`` is None or blank), day precision only.

        A record dated 29 February is shown on 28 February in common years, marked so.
        "N years ago" counts from ``today``, or from the date given when it is a full date.
        """
        query, error = clean_query(text)
        if error:
            return invalid("onthisday", text, error)
        month_day = (today.month, today.day)
        count_from = today
        if query:
            try:
                parsed = parse_date_query(query, today=today)
            except DateQueryError as exc:  # the hint names only what /onthisday takes: a day
                return invalid("onthisday", query, exc.with_examples(_(DAY_EXAMPLES)))
            if parsed.month_day is not None:
                month_day = parsed.month_day
            elif len(parsed.spans) == 2 and all(s.start == s.end for s in parsed.spans):
                readings = (Candidate(label=s.label, value=s.start.isoformat()) for s in parsed.spans)
                two_ways = _("'{query}' can be read two ways:").format(query=query)
                return ambiguous("onthisday", query, two_ways, readings)
            elif len(parsed.spans) == 1 and parsed.spans[0].start == parsed.spans[0].end:
                count_from = parsed.spans[0].start
                month_day = (count_from.month, count_from.day)
            else:
                return invalid(
                    "onthisday", query, _("On this day needs a day and a month, like '25 November'.")
                )
        year = count_from.year
        if month_day == (2, 29) and not calendar.isleap(year):
            year = next(y for y in range(year, year + 8) if calendar.isleap(y))
        label = day_month(*month_day)
        items = []
        for item in self._month_day_items(month_day, year):
            if item.when == count_from:
                ago = _("today") if count_from == today else _("that same day")
            else:
                ago = years_phrase(count_from.year - item.when.year)
            tag = ", ".join(t for t in (ago, item.tag) if t)
            marks = (_("{sentence}.").format(sentence=first_upper(ago)), *item.marks)
            items.append(Item(item.when, item.record, item.event, marks, tag=tag))
        title = _("On this day: {day}").format(day=label)
        if not items:
            return self._nearest_anniversaries(query, title, dt.date(year, *month_day))
        where = _("on {day}").format(day=label)
        return self._dated_listing("onthisday", query, title, items, where=where, label=label)

    def _nearest_anniversaries(self, query: str, title: str, day: dt.date) -> Answer:
        """NOT_FOUND for a day with no anniversary, with the nearest anniversaries before and after it."""
        label = day_month(day.month, day.day)
        found: list[Item] = []
        for step in (-1, 1):
            for offset in range(1, 367):
                other = day + dt.timedelta(days=step * offset)
                on_day = self._month_day_items((other.month, other.day), other.year)
                items = [i for i in on_day if i.when < other]
                if not items:
                    continue
                when = day_month(other.month, other.day)
                if step < 0:
                    distance = ngettext("{count} day earlier", "{count} days earlier", offset)
                    nearest = _("Nearest before: {day}, {distance} ({anniversary}).")
                else:
                    distance = ngettext("{count} day later", "{count} days later", offset)
                    nearest = _("Nearest after: {day}, {distance} ({anniversary}).")
                distance = distance.format(count=offset)
                for item in items:
                    years = _("{nth} anniversary").format(nth=_ordinal(other.year - item.when.year))
                    mark = nearest.format(day=when, distance=distance, anniversary=years)
                    tag = f"{when}, {distance}"
                    found.append(Item(item.when, item.record, item.event, (mark, *item.marks), tag=tag))
                break
        answer = self._ix.listing("onthisday", query, title, found, found="", matched=label)
        return dataclasses.replace(
            answer,
            records=(),
            events=(),
            nearest=tuple(answer.records),
            status=Status.NOT_FOUND,
            message=_("Nothing on record for {day}.").format(day=label)
            + (" " + _("The nearest anniversaries:") if found else ""),
        )

    @never_raise("upcoming")
    def upcoming(self, today: dt.date, days: int = 7) -> Answer:
        """Anniversaries in the ``days`` days after ``today`` (not including today)."""
        if not 1 <= days <= 366:
            return invalid("upcoming", str(days), N_("Choose between 1 and 366 days."))
        found: dict[str, Item] = {}
        for offset in range(1, days + 1):
            day = today + dt.timedelta(days=offset)
            in_days = (
                _("Tomorrow")
                if offset == 1
                else ngettext("In {count} day", "In {count} days", offset).format(count=offset)
            )
            for item in self._month_day_items((day.month, day.day), day.year):
                years = day.year - item.when.year
                if years < 1:
                    continue
                nth = _("{nth} anniversary").format(nth=_ordinal(years))
                lead = _("{when}, on {day}: {anniversary}.").format(
                    when=in_days, day=day_month(day.month, day.day), anniversary=nth
                )
                tag = f"{in_days.casefold()}: {nth}"
                shown = Item(day, item.record, item.event, (lead, *item.marks), tag=tag)
                known = found.get(item.key)
                # A record listed under an alternative date gives way to its main date.
                if known is None or (item.record is not None and item.when == item.record.date.as_date()):
                    found[item.key] = shown
        ordered = sorted(found.values(), key=lambda i: (i.when, i.key))
        next_days = ngettext("in the next {count} day", "in the next {count} days", days).format(count=days)
        count = len(ordered)
        how_many = ngettext("{count} anniversary", "{count} anniversaries", count).format(count=count)
        return self._ix.listing(
            "upcoming",
            str(days),
            _("Coming up {when}").format(when=next_days),
            ordered,
            found=_("{anniversaries} {when}.").format(anniversaries=how_many, when=next_days),
            empty=_("No anniversaries {when}.").format(when=next_days),
        )
