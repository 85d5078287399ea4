"""Turn records and events into neutral :class:`~bot.core.answers.Entry` objects.

Dates are always shown at their true precision (a month-precision date reads "May 2020",
never a day). Lines are short and plain; the Discord layer truncates, the CLI shows all.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence

from bot.core import i18n
from bot.core.answers import Entry
from bot.core.i18n import _, ngettext
from bot.core.model import MONTH_NAMES, Dataset, Event, NonAct, PartialDate, Precision, Record, Source, Vote
from bot.core.text import clip

HEADING_SEPARATOR = " · "
MONTH_ABBREVIATIONS = tuple(calendar.month_abbr)  # "Jan" … "Dec", locale-independent in the C locale
LABEL_LIMIT = 100  # a menu option's label

# A date note that already says how precisely the date is known ("Known only to the month: ...").
_SAYS_PRECISION = {
    precision: re.compile(rf"\bknown only to the {precision.value}\b|\bonly the {precision.value} is known\b")
    for precision in (Precision.MONTH, Precision.YEAR)
}


def place_name(record: Record, dataset: Dataset) -> str:
    """The name of the place a record belongs to in the language in use, from the dataset's ``names``.

    English (and a place without a name in that language): the display name that says which place
    ("Georgia (US state)"; its id when unknown).
    """
    language = i18n.current()
    if language != i18n.DEFAULT:
        try:
            named = dataset.jurisdiction(record.jurisdiction).name_in(language)
        except KeyError:
            named = None
        if named:
            return named
    return dataset.display_name(record.jurisdiction)


def body_name(record: Record) -> str:
    """The adopting body's name in the language in use (the glossary's ``names``), else as recorded."""
    language = i18n.current()
    if language != i18n.DEFAULT:
        return record.body_in(language) or record.body
    return record.body


def date_text(date: PartialDate) -> str:
    """A date at its true precision in the language in use: ``8 May 2014``, ``May 2014``, ``2014``."""
    if date.month is None:
        return str(date.year)
    if date.day is None:
        return i18n.month_year(date.year, date.month)
    return i18n.long_date(dt.date(date.year, date.month, date.day))


def record_heading(record: Record, dataset: Dataset) -> str:
    """``California — State Assembly · 8 May 2014`` (the place's display name: "Georgia (US state)")."""
    return f"{place_name(record, dataset)} — {body_name(record)}{HEADING_SEPARATOR}{date_text(record.date)}"


def short_date(date: PartialDate) -> str:
    """A date for a list, at its true precision: ``25 Nov 2020``, ``Nov 2020`` or ``2014``."""
    if date.month is None:
        return str(date.year)
    if i18n.current() != i18n.DEFAULT:
        if date.day is None:
            return i18n.short_month_year(date.year, date.month)
        return i18n.short_date(dt.date(date.year, date.month, date.day))
    if date.day is None:
        return f"{MONTH_ABBREVIATIONS[date.month]} {date.year}"
    return f"{date.day} {MONTH_ABBREVIATIONS[date.month]} {date.year}"


def short_vote(vote: Vote | None) -> str:
    """A vote for a list: ``305–1 (30 abst.)``, ``70 for``; "" when no count is known."""
    if vote is None or vote.yes is None:
        return ""
    counted = f"{vote.yes}–{vote.no}" if vote.no is not None else _("{yes} for").format(yes=vote.yes)
    return counted + (" " + _("({count} abst.)").format(count=vote.abstain) if vote.abstain else "")


def vote_text(vote: Vote) -> str:
    """``305–1, 30 abstentions; <the source's note>`` in the language in use (the note as recorded)."""
    parts: list[str] = []
    if vote.yes is not None:
        counted = f"{vote.yes}–{vote.no}" if vote.no is not None else _("{yes} for").format(yes=vote.yes)
        if vote.abstain:
            abstentions = ngettext("{count} abstention", "{count} abstentions", vote.abstain)
            counted = f"{counted}, {abstentions.format(count=vote.abstain)}"
        parts.append(counted)
    if vote.note:
        parts.append(vote.note)
    return "; ".join(parts)


def kinds_text(record: Record) -> str:
    """``call for recognition``, ``recognition, statement``."""
    return ", ".join(_(kind.plain) for kind in record.kinds)


def record_line(record: Record, dataset: Dataset) -> str:
    """A record in one line, after its date: ``France · Senate — call for recognition · 305–1 (30 abst.)``.

    A record whose sources disagree on the date says so ("dates differ").
    """
    parts = [f"{place_name(record, dataset)} · {body_name(record)} — {kinds_text(record)}"]
    vote = short_vote(record.vote)
    if vote:
        parts.append(vote)
    if record.alternative_dates:
        parts.append(_("dates differ"))
    return HEADING_SEPARATOR.join(parts)


def record_label(record: Record, dataset: Dataset) -> str:
    """A record as a menu option: ``France · Senate · 25 Nov 2020`` (cut to fit a label)."""
    tail = f"{HEADING_SEPARATOR}{short_date(record.date)}"
    head = f"{place_name(record, dataset)}{HEADING_SEPARATOR}{body_name(record)}"
    return clip(head, LABEL_LIMIT - len(tail)) + tail


def precision_line(date: PartialDate) -> str | None:
    """A warning line for dates not known to the day, else None."""
    if date.precision is Precision.MONTH:
        return _("Known only to the month.")
    if date.precision is Precision.YEAR:
        return _("Known only to the year.")
    return None


def date_note_line(date: PartialDate, note: str | None) -> str | None:
    """The date note and how precisely the date is known, in one line that says it once.

    A note already saying so ("Known only to the month: reported on 14 November 2020.")
    stands alone; any other note follows the precision line ("Known only to the month.
    Reported on 5 May 2020; ..."); without a note, the precision line alone (or None).
    """
    precision = precision_line(date)
    note = note.strip() if note else ""
    if not note:
        return precision
    pattern = _SAYS_PRECISION.get(date.precision)
    if precision is None or (pattern is not None and pattern.search(note.casefold())):
        return note
    return f"{precision} {note}"


def dates_differ_line(record: Record) -> str | None:
    """``Dates differ: 18 December 2020 (…); 17 December 2020 (Azerbaijani MFA via Trend)``."""
    if not record.alternative_dates:
        return None
    parts = [_("{date} (used here)").format(date=date_text(record.date))]
    parts.extend(f"{date_text(alt.date)} ({alt.note})" for alt in record.alternative_dates)
    return _("Dates differ: {dates}").format(dates="; ".join(parts))


def record_lines(record: Record) -> list[str]:
    """The plain lines describing a record, in display order (without marks)."""
    lines = [record.title.strip(), _("Kind: {kinds}").format(kinds=kinds_text(record))]
    ref_parts: list[str] = []
    if record.reference:
        ref_parts.append(_("Reference: {reference}").format(reference=record.reference))
    if record.sponsor:
        ref_parts.append(_("Sponsor: {sponsor}").format(sponsor=record.sponsor))
    if ref_parts:
        lines.append(" · ".join(ref_parts))
    if record.vote is not None:
        shown = vote_text(record.vote)
        if shown:
            lines.append(_("Vote: {vote}").format(vote=shown))
    lines.append(record.summary.strip())
    differ = dates_differ_line(record)
    if differ:
        lines.append(differ)
    return [*lines, *_date_and_notes(record.date, record.date_note, record.notes)]


def _date_and_notes(date: PartialDate, date_note: str | None, notes: str | None) -> list[str]:
    """The date note (with how precisely the date is known) and the notes, as far as there are any."""
    lines = []
    dated = date_note_line(date, date_note)
    if dated:
        lines.append(dated)
    if notes:
        lines.append(_("Note: {note}").format(note=notes.strip()))
    return lines


def record_entry(
    record: Record,
    dataset: Dataset,
    *,
    prefix: str = "",
    marks: Sequence[str] = (),
    tag: str = "",
) -> Entry:
    """One record as an entry. ``prefix`` goes before the heading, ``marks`` before the lines.

    ``tag`` says briefly why it is listed ("4 years ago"); ``prefix`` leads the tag too.
    """
    return _entry(
        record.id,
        record_heading(record, dataset),
        record_lines(record),
        record.sources,
        prefix=prefix,
        marks=marks,
        compact=(short_date(record.date), record_line(record, dataset), record_label(record, dataset)),
        tag=tag,
    )


def non_act_entry(non_act: NonAct) -> Entry:
    """Something that never happened, as an entry: its title (and date), the explanation, the sources."""
    heading = non_act.title if non_act.date is None else (
        f"{non_act.title}{HEADING_SEPARATOR}{date_text(non_act.date)}"
    )
    date = short_date(non_act.date) if non_act.date is not None else ""
    compact = (date, non_act.title, clip(non_act.title, LABEL_LIMIT))
    says = any(word in non_act.title.casefold() for word in ("never", "no act", "not adopted"))
    return _entry(
        non_act.id, heading, [non_act.explanation.strip()], non_act.sources,
        prefix="", marks=(), compact=compact, tag="" if says else _("never adopted"),
    )


def _entry(
    key: str,
    heading: str,
    lines: Iterable[str],
    sources: tuple[Source, ...],
    *,
    prefix: str,
    marks: Sequence[str],
    compact: tuple[str, str, str],
    tag: str,
    event: bool = False,
) -> Entry:
    """An entry from its parts: ``prefix`` before the heading, ``marks`` before the lines, no blanks."""
    date, line, label = compact
    prefix_tag = prefix.rstrip(":").casefold()
    return Entry(
        key=key,
        heading=f"{prefix} {heading}" if prefix else heading,
        lines=tuple(line for line in (*marks, *lines) if line),
        sources=sources,
        url=sources[0].url if sources else None,
        date=date,
        line=line,
        tag=", ".join(t for t in (prefix_tag, tag) if t),
        label=label,
        event=event,
        marks=tuple(mark for mark in marks if mark),
    )


def event_span(event: Event) -> str:
    """``2 September 1991``, ``19–20 September 2023`` or ``24 September – 3 October 2023``."""
    start, end = event.date, event.end
    if end is None or end == start:
        return date_text(start)
    if i18n.current() != i18n.DEFAULT:
        return f"{date_text(start)} – {date_text(end)}"
    if start.precision is Precision.DAY and end.precision is Precision.DAY:
        assert start.month is not None
        assert end.month is not None
        if start.year == end.year and start.month == end.month:
            return f"{start.day}–{end.day} {MONTH_NAMES[start.month]} {start.year}"
        if start.year == end.year:
            return f"{start.day} {MONTH_NAMES[start.month]} – {end.display()}"
    if (
        start.precision is Precision.MONTH
        and end.precision is Precision.MONTH
        and start.year == end.year
        and start.month is not None
    ):
        return f"{MONTH_NAMES[start.month]} – {end.display()}"
    return f"{start.display()} – {end.display()}"


def short_span(event: Event) -> str:
    """An event's date or span for a list: ``2 Sep 1991``, ``19–20 Sep 2023``, ``Feb 1992 – May 1994``."""
    start, end = event.date, event.end
    if end is None or end == start:
        return short_date(start)
    if i18n.current() != i18n.DEFAULT:
        return f"{short_date(start)} – {short_date(end)}"
    if start.precision is Precision.DAY and end.precision is Precision.DAY and start.year == end.year:
        assert start.month is not None
        if start.month == end.month:
            return f"{start.day}–{end.day} {MONTH_ABBREVIATIONS[start.month]} {start.year}"
        return f"{start.day} {MONTH_ABBREVIATIONS[start.month]} – {short_date(end)}"
    return f"{short_date(start)} – {short_date(end)}"


def event_label(event: Event) -> str:
    """An event as a menu option: ``Proclamation of the Republic · 2 Sep 1991``."""
    tail = f"{HEADING_SEPARATOR}{short_span(event)}"
    return clip(event.title, LABEL_LIMIT - len(tail)) + tail


def event_heading(event: Event) -> str:
    """``Azerbaijani offensive · 19–20 September 2023``."""
    return f"{event.title}{HEADING_SEPARATOR}{event_span(event)}"


def event_lines(event: Event) -> list[str]:
    """The plain lines describing an event (without marks)."""
    return [event.summary.strip(), *_date_and_notes(event.date, event.date_note, event.notes)]


def event_entry(event: Event, *, prefix: str = "", marks: Sequence[str] = (), tag: str = "") -> Entry:
    """One event as an entry."""
    heading = event_heading(event)
    compact = (short_span(event), event.title.strip(), event_label(event))
    return _entry(
        event.id, heading, event_lines(event), event.sources,
        prefix=prefix, marks=marks, compact=compact, tag=tag, event=True,
    )


def _month_day_in(year: int, month: int, day: int) -> tuple[int, int]:
    """The month-day as it falls in ``year`` (29 February becomes 28 February in common years)."""
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return (2, 28)
    return (month, day)


def whole_years(date: PartialDate | dt.date, today: dt.date) -> int:
    """Whole years from ``date`` to ``today`` (negative when ``date`` is later).

    A 29 February date counts its anniversary on 28 February in common years.
    Dates not known to the day count by calendar year only.
    """
    if isinstance(date, PartialDate):
        if date.month is None or date.day is None:
            return today.year - date.year
        year, month, day = date.year, date.month, date.day
    else:
        year, month, day = date.year, date.month, date.day
    years = today.year - year
    anniversary = _month_day_in(today.year, month, day)
    if years > 0 and (today.month, today.day) < anniversary:
        years -= 1
    elif years < 0 and (today.month, today.day) > anniversary:
        years += 1
    return years


def years_phrase(years: int) -> str:
    """``6 years ago``, ``this year``, ``2 years later``; ``6 лет назад`` (CLDR words and plural rules)."""
    if years == 0:
        return _("this year")
    count = abs(years)
    if years > 0:
        return i18n.years_ago(count)
    return ngettext("{count} year later", "{count} years later", count).format(count=count)


def years_ago(date: PartialDate | dt.date, today: dt.date) -> str:
    """How long ago ``date`` was, for on-this-day lines: ``6 years ago``, ``today``."""
    if isinstance(date, PartialDate):
        exact = date.as_date()
        if exact is not None and exact == today:
            return _("today")
    elif date == today:
        return _("today")
    return years_phrase(whole_years(date, today))


def day_month(month: int, day: int) -> str:
    """``25 November``, ``25 ноября``."""
    if i18n.current() != i18n.DEFAULT:
        return i18n.day_month(month, day)
    return f"{day} {MONTH_NAMES[month]}"
