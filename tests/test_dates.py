"""Table-driven tests for the date-query parser (bot.core.dates)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.core.dates import (
    ECHO_LIMIT,
    EXAMPLES,
    DateQuery,
    DateQueryError,
    DateSpan,
    month_from_name,
    parse_date_query,
)
from bot.core.model import Precision

TODAY = dt.date(2026, 11, 30)
YEAR, MONTH, DAY = Precision.YEAR, Precision.MONTH, Precision.DAY

Row = tuple[str, str, Precision, str]  # start, end, precision, label


def _span(row: Row) -> DateSpan:
    start, end, precision, label = row
    return DateSpan(dt.date.fromisoformat(start), dt.date.fromisoformat(end), precision, label)


def _y(year: int) -> Row:
    return (f"{year}-01-01", f"{year}-12-31", YEAR, str(year))


def _d(iso: str, label: str) -> Row:
    return (iso, iso, DAY, label)


MAY_2014: Row = ("2014-05-01", "2014-05-31", MONTH, "May 2014")
NOV_2020: Row = ("2020-11-01", "2020-11-30", MONTH, "November 2020")
FEB_2020: Row = ("2020-02-01", "2020-02-29", MONTH, "February 2020")
MAY_8: Row = _d("2014-05-08", "8 May 2014")
AUG_5: Row = _d("2014-08-05", "5 August 2014")
NOV_25: Row = _d("2020-11-25", "25 November 2020")
Y2012_2014: Row = ("2012-01-01", "2014-12-31", YEAR, "2012 to 2014")
NOTE_5_8 = "5/8/2014 can be read as 5 August 2014 or 8 May 2014; showing both."

# (text, today, expected spans, expected note)
SPAN_CASES: list[tuple[str, dt.date, list[Row], str | None]] = [
    # years
    ("2014", TODAY, [_y(2014)], None),
    ("  2014  ", TODAY, [_y(2014)], None),
    ("1800", TODAY, [_y(1800)], None),
    ("2100", TODAY, [_y(2100)], None),
    ("2014.", TODAY, [_y(2014)], None),
    ("on 2014", TODAY, [_y(2014)], None),
    ("in 2014", TODAY, [_y(2014)], None),
    ("2014 г.", TODAY, [_y(2014)], None),
    ("２０１４", TODAY, [_y(2014)], None),  # full-width digits
    # months
    ("May 2014", TODAY, [MAY_2014], None),
    ("may 2014", TODAY, [MAY_2014], None),
    ("MAY 2014", TODAY, [MAY_2014], None),
    ("2014-05", TODAY, [MAY_2014], None),
    ("2014/05", TODAY, [MAY_2014], None),
    ("2014-5", TODAY, [MAY_2014], None),
    ("05/2014", TODAY, [MAY_2014], None),
    ("5-2014", TODAY, [MAY_2014], None),
    ("nov 2020", TODAY, [NOV_2020], None),
    ("Nov. 2020", TODAY, [NOV_2020], None),
    ("November, 2020", TODAY, [NOV_2020], None),
    ("novembre 2020", TODAY, [NOV_2020], None),
    ("ноябрь 2020", TODAY, [NOV_2020], None),
    ("в ноябре 2020", TODAY, [NOV_2020], None),
    ("en novembre 2020", TODAY, [NOV_2020], None),
    ("նոյեմբեր 2020", TODAY, [NOV_2020], None),
    ("noviembre de 2020", TODAY, [NOV_2020], None),
    ("May of 2014", TODAY, [MAY_2014], None),
    ("2014 May", TODAY, [MAY_2014], None),
    ("Feb 2020", TODAY, [FEB_2020], None),  # leap year: 29 days
    ("févr. 2020", TODAY, [FEB_2020], None),
    ("fevrier 2020", TODAY, [FEB_2020], None),
    ("Feb 2100", TODAY, [("2100-02-01", "2100-02-28", MONTH, "February 2100")], None),  # not leap
    ("Feb 2000", TODAY, [("2000-02-01", "2000-02-29", MONTH, "February 2000")], None),  # leap
    ("août 2014", TODAY, [("2014-08-01", "2014-08-31", MONTH, "August 2014")], None),
    ("aout 2014", TODAY, [("2014-08-01", "2014-08-31", MONTH, "August 2014")], None),
    ("mars 2014", TODAY, [("2014-03-01", "2014-03-31", MONTH, "March 2014")], None),
    ("sept. 1991", TODAY, [("1991-09-01", "1991-09-30", MONTH, "September 1991")], None),
    ("сент 1991", TODAY, [("1991-09-01", "1991-09-30", MONTH, "September 1991")], None),
    ("gennaio 1988", TODAY, [("1988-01-01", "1988-01-31", MONTH, "January 1988")], None),
    ("enero 1988", TODAY, [("1988-01-01", "1988-01-31", MONTH, "January 1988")], None),
    # days
    ("8 May 2014", TODAY, [MAY_8], None),
    ("May 8, 2014", TODAY, [MAY_8], None),
    ("May 8 2014", TODAY, [MAY_8], None),
    ("May 8th, 2014", TODAY, [MAY_8], None),
    ("8th of May 2014", TODAY, [MAY_8], None),
    ("the 8th of May, 2014", TODAY, [MAY_8], None),
    ("8-May-2014", TODAY, [MAY_8], None),
    ("2014-05-08", TODAY, [MAY_8], None),
    ("2014/05/08", TODAY, [MAY_8], None),
    ("2014-5-8", TODAY, [MAY_8], None),
    ("20140508", TODAY, [MAY_8], None),
    ("08.05.2014", TODAY, [MAY_8], None),
    ("8.5.2014", TODAY, [MAY_8], None),
    ("2014 May 8", TODAY, [MAY_8], None),
    ("on 8 May 2014.", TODAY, [MAY_8], None),
    ("On May 8, 2014!", TODAY, [MAY_8], None),
    ("  8   MAY   2014  ", TODAY, [MAY_8], None),
    ("8\u00a0May\u00a02014", TODAY, [MAY_8], None),  # no-break spaces
    ("8 May\u200b 2014", TODAY, [MAY_8], None),  # zero-width space
    ("8 mai 2014", TODAY, [MAY_8], None),
    ("1er mai 2014", TODAY, [_d("2014-05-01", "1 May 2014")], None),
    ("8 мая 2014", TODAY, [MAY_8], None),
    ("8 МАЯ 2014 года", TODAY, [MAY_8], None),
    ("մայիսի 8, 2014", TODAY, [MAY_8], None),
    ("8 de mayo de 2014", TODAY, [MAY_8], None),
    ("8 maggio 2014", TODAY, [MAY_8], None),
    ("25 ноября 2020", TODAY, [NOV_25], None),
    ("25 ноября 2020 г.", TODAY, [NOV_25], None),
    ("նոյեմբերի 25, 2020", TODAY, [NOV_25], None),
    ("25 նոյեմբերի 2020", TODAY, [NOV_25], None),
    ("Նոյեմբերի 25, 2020", TODAY, [NOV_25], None),  # capital Armenian letter
    ("2020 թ. նոյեմբերի 25", TODAY, [NOV_25], None),
    ("25 novembre 2020", TODAY, [NOV_25], None),
    ("29 February 2024", TODAY, [_d("2024-02-29", "29 February 2024")], None),
    ("2000-02-29", TODAY, [_d("2000-02-29", "29 February 2000")], None),  # divisible by 400: leap
    ("31 December 2100", TODAY, [_d("2100-12-31", "31 December 2100")], None),
    ("1 January 1800", TODAY, [_d("1800-01-01", "1 January 1800")], None),
    ("10 décembre 1991", TODAY, [_d("1991-12-10", "10 December 1991")], None),
    ("2 septembre 1991", TODAY, [_d("1991-09-02", "2 September 1991")], None),
    ("Դեկտեմբերի 10, 1991", TODAY, [_d("1991-12-10", "10 December 1991")], None),
    ("20 февраля 1988", TODAY, [_d("1988-02-20", "20 February 1988")], None),
    ("20 փետրվարի 1988", TODAY, [_d("1988-02-20", "20 February 1988")], None),
    ("20 փետրուարի 1988", TODAY, [_d("1988-02-20", "20 February 1988")], None),  # classical spelling
    # slashed or dashed numeric: day-first or month-first
    ("5/8/2014", TODAY, [MAY_8, AUG_5], NOTE_5_8),
    ("5-8-2014", TODAY, [MAY_8, AUG_5], "5-8-2014 can be read as 5 August 2014 or 8 May 2014; showing both."),
    (
        "05/08/2014",
        TODAY,
        [MAY_8, AUG_5],
        "05/08/2014 can be read as 5 August 2014 or 8 May 2014; showing both.",
    ),
    ("on 5/8/2014", TODAY, [MAY_8, AUG_5], NOTE_5_8),
    ("13/5/2014", TODAY, [_d("2014-05-13", "13 May 2014")], None),
    ("5/13/2014", TODAY, [_d("2014-05-13", "13 May 2014")], None),
    ("5/5/2014", TODAY, [_d("2014-05-05", "5 May 2014")], None),
    ("31/12/2014", TODAY, [_d("2014-12-31", "31 December 2014")], None),
    ("29/2/2024", TODAY, [_d("2024-02-29", "29 February 2024")], None),
    ("2/29/2024", TODAY, [_d("2024-02-29", "29 February 2024")], None),
    # ranges
    ("2012-2014", TODAY, [Y2012_2014], None),
    ("2012–2014", TODAY, [Y2012_2014], None),
    ("2012 — 2014", TODAY, [Y2012_2014], None),
    ("2012 - 2014", TODAY, [Y2012_2014], None),
    ("2012 to 2014", TODAY, [Y2012_2014], None),
    ("from 2012 to 2014", TODAY, [Y2012_2014], None),
    ("From 2012 until 2014", TODAY, [Y2012_2014], None),
    ("between 2012 and 2014", TODAY, [Y2012_2014], None),
    ("2014 to 2014", TODAY, [_y(2014)], None),
    ("May 2014 to Nov 2020", TODAY, [("2014-05-01", "2020-11-30", MONTH, "May 2014 to November 2020")], None),
    ("May 2014-Nov 2020", TODAY, [("2014-05-01", "2020-11-30", MONTH, "May 2014 to November 2020")], None),
    ("2014 to May 2015", TODAY, [("2014-01-01", "2015-05-31", YEAR, "2014 to May 2015")], None),
    (
        "2014-05-08 to 2014-06-01",
        TODAY,
        [("2014-05-08", "2014-06-01", DAY, "8 May 2014 to 1 June 2014")],
        None,
    ),
    ("2014-05-2014-06", TODAY, [("2014-05-01", "2014-06-30", MONTH, "May 2014 to June 2014")], None),
    ("2014-05-08–2014-06-01", TODAY, [("2014-05-08", "2014-06-01", DAY, "8 May 2014 to 1 June 2014")], None),
    ("8 May 2014 to May 2014", TODAY, [("2014-05-08", "2014-05-31", MONTH, "8 May 2014 to May 2014")], None),
    ("2020 to today", TODAY, [("2020-01-01", "2026-11-30", YEAR, "2020 to 30 November 2026")], None),
    (
        "5/8/2014 to 2014-06-01",  # only the month-first reading starts before the end
        TODAY,
        [("2014-05-08", "2014-06-01", DAY, "8 May 2014 to 1 June 2014")],
        None,
    ),
    (
        "5/8/2014 to 2015",
        TODAY,
        [
            ("2014-05-08", "2015-12-31", YEAR, "8 May 2014 to 2015"),
            ("2014-08-05", "2015-12-31", YEAR, "5 August 2014 to 2015"),
        ],
        NOTE_5_8,
    ),
    (
        "5/8/2014 to 6/9/2014",
        TODAY,
        [
            ("2014-05-08", "2014-06-09", DAY, "8 May 2014 to 9 June 2014"),
            ("2014-08-05", "2014-09-06", DAY, "5 August 2014 to 6 September 2014"),
        ],
        "5/8/2014 and 6/9/2014 can each be read day-first or month-first; showing both readings.",
    ),
    # open ranges
    ("since 2020", TODAY, [("2020-01-01", "2026-11-30", YEAR, "since 2020")], None),
    ("from 2020", TODAY, [("2020-01-01", "2026-11-30", YEAR, "since 2020")], None),
    ("since 2026", TODAY, [("2026-01-01", "2026-11-30", YEAR, "since 2026")], None),
    ("after 2019", TODAY, [("2020-01-01", "2026-11-30", YEAR, "after 2019")], None),
    ("after May 2014", TODAY, [("2014-06-01", "2026-11-30", MONTH, "after May 2014")], None),
    ("after 8 May 2014", TODAY, [("2014-05-09", "2026-11-30", DAY, "after 8 May 2014")], None),
    ("since 8 May 2014", TODAY, [("2014-05-08", "2026-11-30", DAY, "since 8 May 2014")], None),
    ("before 2000", TODAY, [("1900-01-01", "1999-12-31", YEAR, "before 2000")], None),
    ("before May 1991", TODAY, [("1900-01-01", "1991-04-30", MONTH, "before May 1991")], None),
    ("until 2000", TODAY, [("1900-01-01", "2000-12-31", YEAR, "until 2000")], None),
    ("up to 2000", TODAY, [("1900-01-01", "2000-12-31", YEAR, "until 2000")], None),
    ("till 2000", TODAY, [("1900-01-01", "2000-12-31", YEAR, "until 2000")], None),
    ("before 1850", TODAY, [("1800-01-01", "1849-12-31", YEAR, "before 1850")], None),
    ("since yesterday", TODAY, [("2026-11-29", "2026-11-30", DAY, "since 29 November 2026")], None),
    (
        "since 5/8/2014",
        TODAY,
        [
            ("2014-05-08", "2026-11-30", DAY, "since 8 May 2014"),
            ("2014-08-05", "2026-11-30", DAY, "since 5 August 2014"),
        ],
        NOTE_5_8,
    ),
    # relative to the given today
    ("today", TODAY, [_d("2026-11-30", "30 November 2026")], None),
    ("Today", dt.date(2020, 11, 25), [NOV_25], None),
    ("yesterday", TODAY, [_d("2026-11-29", "29 November 2026")], None),
    ("yesterday", dt.date(2024, 3, 1), [_d("2024-02-29", "29 February 2024")], None),
    ("tomorrow", TODAY, [_d("2026-12-01", "1 December 2026")], None),
    ("сегодня", TODAY, [_d("2026-11-30", "30 November 2026")], None),
    ("այսօր", TODAY, [_d("2026-11-30", "30 November 2026")], None),
    ("this year", TODAY, [_y(2026)], None),
    ("last year", TODAY, [_y(2025)], None),
    ("this month", TODAY, [("2026-11-01", "2026-11-30", MONTH, "November 2026")], None),
    ("last month", TODAY, [("2026-10-01", "2026-10-31", MONTH, "October 2026")], None),
    ("last month", dt.date(2024, 1, 15), [("2023-12-01", "2023-12-31", MONTH, "December 2023")], None),
]


@pytest.mark.parametrize(("text", "today", "rows", "note"), SPAN_CASES, ids=[c[0] for c in SPAN_CASES])
def test_spans(text: str, today: dt.date, rows: list[Row], note: str | None) -> None:
    query = parse_date_query(text, today=today)
    spans = tuple(_span(r) for r in rows)
    assert query == DateQuery(text=text, spans=spans, month_day=None, note=note)
    assert query.label == " or ".join(s.label for s in spans)


MONTH_DAY_CASES: list[tuple[str, tuple[int, int], str]] = [
    ("May 8", (5, 8), "8 May (every year)"),
    ("8 May", (5, 8), "8 May (every year)"),
    ("may 8th", (5, 8), "8 May (every year)"),
    ("8th may", (5, 8), "8 May (every year)"),
    ("the 8th of May", (5, 8), "8 May (every year)"),
    ("on May 8", (5, 8), "8 May (every year)"),
    ("05-08", (5, 8), "8 May (every year)"),
    ("5-8", (5, 8), "8 May (every year)"),
    ("08.05", (5, 8), "8 May (every year)"),
    ("13/5", (5, 13), "13 May (every year)"),
    ("5/13", (5, 13), "13 May (every year)"),
    ("Feb 29", (2, 29), "29 February (every year)"),
    ("29 февраля", (2, 29), "29 February (every year)"),
    ("25 ноября", (11, 25), "25 November (every year)"),
    ("նոյեմբերի 25", (11, 25), "25 November (every year)"),
    ("2 septembre", (9, 2), "2 September (every year)"),
    ("10 décembre", (12, 10), "10 December (every year)"),
    ("12-10", (12, 10), "10 December (every year)"),
]


@pytest.mark.parametrize(("text", "month_day", "label"), MONTH_DAY_CASES, ids=[c[0] for c in MONTH_DAY_CASES])
def test_month_day(text: str, month_day: tuple[int, int], label: str) -> None:
    query = parse_date_query(text, today=TODAY)
    assert query == DateQuery(text=text, spans=(), month_day=month_day, note=None)
    assert query.label == label


GIBBERISH = "I could not read {} as a date. " + EXAMPLES
MONTH_HINT = "I do not know the month {}. Write it like May, mai, мая or մայիսի, or use numbers: 2014-05-08."

# (text, today, exact message)
ERROR_CASES: list[tuple[str, dt.date, str]] = [
    ("", TODAY, "Type a date, a month, a year or a range, e.g. 2020-11-25, nov 2020, 2014, 2012-2014."),
    ("   \t ", TODAY, "Type a date, a month, a year or a range, e.g. 2020-11-25, nov 2020, 2014, 2012-2014."),
    ("x" * 101, TODAY, "That is too long for a date."),
    ("2014 " * 1000, TODAY, "That is too long for a date."),
    ("\x00", TODAY, "A date cannot contain control characters."),
    ("2014\x07", TODAY, "A date cannot contain control characters."),
    ("8 May\x1b[31m 2014", TODAY, "A date cannot contain control characters."),
    ("blorp", TODAY, GIBBERISH.format("'blorp'")),
    ("...", TODAY, GIBBERISH.format("'...'")),
    ("on", TODAY, GIBBERISH.format("'on'")),
    ("2012 2014", TODAY, GIBBERISH.format("'2012 2014'")),
    ("since blorp", TODAY, GIBBERISH.format("'since blorp'")),
    ("last week", TODAY, GIBBERISH.format("'last week'")),
    ("2012 to 2014 to 2016", TODAY, GIBBERISH.format("'2012 to 2014 to 2016'")),
    ("8 blorp 2014", TODAY, MONTH_HINT.format("'blorp'")),
    ("Christmas 2014", TODAY, MONTH_HINT.format("'christmas'")),
    (
        "12",
        TODAY,
        "'12' alone is not a date. Write a year with four digits (2014), or add a month (12 May 2014).",
    ),
    (
        "201",
        TODAY,
        "'201' alone is not a date. Write a year with four digits (2014), or add a month (12 May 2014).",
    ),
    ("8th", TODAY, "Add a month, e.g. 8 May or 8 May 2014."),
    ("may", TODAY, "Add a year, e.g. May 2014, or a day, e.g. 8 May."),
    ("novembre", TODAY, "Add a year, e.g. November 2014, or a day, e.g. 8 November."),
    ("1799", TODAY, "Years from 1800 to 2100 only."),
    ("2101", TODAY, "Years from 1800 to 2100 only."),
    ("May 3000", TODAY, "Years from 1800 to 2100 only."),
    ("1 January 1799", TODAY, "Years from 1800 to 2100 only."),
    ("1700-2014", TODAY, "Years from 1800 to 2100 only."),
    ("31 February 2023", TODAY, "February 2023 has 28 days, not 31."),
    ("29 February 2023", TODAY, "29 February 2023 is not a date: 2023 is not a leap year."),
    ("1900-02-29", TODAY, "29 February 1900 is not a date: 1900 is not a leap year."),  # 1900: not leap
    ("2014-02-30", TODAY, "February 2014 has 28 days, not 30."),
    ("30/02/2014", TODAY, "February 2014 has 28 days, not 30."),
    ("02/30/2014", TODAY, "February 2014 has 28 days, not 30."),
    ("31 April 2014", TODAY, "April 2014 has 30 days, not 31."),
    ("31.04.2014", TODAY, "April 2014 has 30 days, not 31."),
    ("0 May 2014", TODAY, "There is no day 0: days start at 1."),
    ("2014-13-01", TODAY, "There is no month 13: months go from 1 to 12."),
    ("13/2014", TODAY, "There is no month 13: months go from 1 to 12."),
    ("13-05", TODAY, "There is no month 13: months go from 1 to 12."),
    ("31/13/2014", TODAY, "Neither 31 nor 13 can be a month: months go from 1 to 12."),
    ("2012-14", TODAY, "There is no month 14. For a range of years write it in full, e.g. 2012-2014."),
    ("Feb 30", TODAY, "February has at most 29 days, not 30."),
    ("31 April", TODAY, "April has 30 days, not 31."),
    ("5/8", TODAY, "5/8 could be 5 August or 8 May. Write the month as a word, e.g. 5 August."),
    ("5/8/14", TODAY, "Write the year with four digits, e.g. 8 May 2014 or 2014-05-08."),
    ("2014 to 2012", TODAY, "The range ends before it starts: 2012 is before 2014."),
    ("between 2014 and 2012", TODAY, "The range ends before it starts: 2012 is before 2014."),
    ("Nov 2020 - May 2014", TODAY, "The range ends before it starts: May 2014 is before November 2020."),
    ("2014-02-30 to 2014-03-01", TODAY, "February 2014 has 28 days, not 30."),
    ("May 8 to June 1", TODAY, "Give a year for each end of a range, e.g. 8 May 2014 to 1 June 2014."),
    ("may 8-june 1", TODAY, "Give a year for each end of a range, e.g. 8 May 2014 to 1 June 2014."),
    ("since May 8", TODAY, "Give a year, e.g. since 8 May 2014."),
    ("since 2030", TODAY, "Since 2030 is in the future: today is 30 November 2026."),
    ("after 2026", TODAY, "After 2026 is in the future: today is 30 November 2026."),
    ("since tomorrow", TODAY, "Since 1 December 2026 is in the future: today is 30 November 2026."),
    ("before 1800", TODAY, "Nothing can be before 1800: years from 1800 to 2100 only."),
    (
        "2014-05-08-2014",
        TODAY,
        (
            "I could not tell where '2014-05-08-2014' splits into a range. "
            "Write it with 'to', e.g. 2012 to 2014."
        ),
    ),
    ("tomorrow", dt.date(2100, 12, 31), "Years from 1800 to 2100 only."),
]


@pytest.mark.parametrize(
    ("text", "today", "message"), ERROR_CASES, ids=[repr(c[0][:30]) for c in ERROR_CASES]
)
def test_errors(text: str, today: dt.date, message: str) -> None:
    with pytest.raises(DateQueryError) as caught:
        parse_date_query(text, today=today)
    assert str(caught.value) == message
    assert len(message) <= 200


def test_five_thousand_characters() -> None:
    with pytest.raises(DateQueryError, match=r"^That is too long for a date\.$"):
        parse_date_query("9" * 5000, today=TODAY)


def test_long_gibberish_is_echoed_short() -> None:
    text = "abcdefghij" * 9  # 90 characters: under the limit, over the echo limit
    with pytest.raises(DateQueryError) as caught:
        parse_date_query(text, today=TODAY)
    message = str(caught.value)
    assert message == GIBBERISH.format("'" + text[: ECHO_LIMIT - 1] + "…'")
    assert text[:ECHO_LIMIT] not in message


def test_datetime_today_is_read_as_its_day() -> None:
    now = dt.datetime(2026, 11, 30, 23, 59, tzinfo=dt.UTC)
    assert parse_date_query("today", today=now).spans == (_span(_d("2026-11-30", "30 November 2026")),)


def test_query_keeps_input_as_given() -> None:
    assert parse_date_query("  On May 8, 2014!  ", today=TODAY).text == "  On May 8, 2014!  "


MONTH_NAMES: list[tuple[str, int | None]] = [
    ("May", 5), ("may.", 5), ("MAI", 5), ("mai", 5), ("mars", 3), ("March", 3),
    ("janvier", 1), ("janv.", 1), ("février", 2), ("fevrier", 2), ("FÉVR.", 2), ("avril", 4),
    ("juin", 6), ("juillet", 7), ("juil", 7), ("août", 8), ("aout", 8), ("sept.", 9),
    ("octobre", 10), ("novembre", 11), ("décembre", 12), ("decembre", 12),
    ("январь", 1), ("января", 1), ("янв", 1), ("Февраля", 2), ("май", 5), ("мая", 5),
    ("июнь", 6), ("июля", 7), ("августа", 8), ("сент", 9), ("сентября", 9), ("октября", 10),
    ("ноября", 11), ("декабрь", 12),
    ("հունվար", 1), ("փետրվար", 2), ("մարտ", 3), ("ապրիլ", 4), ("մայիս", 5), ("մայիսի", 5),
    ("հունիս", 6), ("հուլիս", 7), ("օգոստոս", 8), ("սեպտեմբեր", 9), ("հոկտեմբերի", 10),
    ("նոյեմբերի", 11), ("Դեկտեմբեր", 12),
    ("enero", 1), ("mayo", 5), ("diciembre", 12), ("gennaio", 1), ("maggio", 5), ("settembre", 9),
    ("blorp", None), ("", None), ("mayy", None), ("2014", None),
]  # fmt: skip


@pytest.mark.parametrize(("word", "month"), MONTH_NAMES, ids=[w or "empty" for w, _ in MONTH_NAMES])
def test_month_from_name(word: str, month: int | None) -> None:
    assert month_from_name(word) == month


_JUNK_ALPHABET = [
    *"0123456789/-.–—,;:!? '\"()",
    "may", "mai", "мая", "մայիսի", "feb", "février", "to", "since", "after", "before", "until",
    "between", "and", "from", "of", "the", "th", "st", "today", "2014", "1999", "12", "29", "31",
    "\x00", "\x7f", "\t", "\n", "é", "\u0301", "\u200b", "\ud800", "\U0001f600", "٣", "²", "x", "𝟚",
]  # fmt: skip


def test_random_junk_only_raises_date_query_error() -> None:
    rng = random.Random(20261130)
    parsed = 0
    for _ in range(2000):
        text = "".join(rng.choice(_JUNK_ALPHABET) for _ in range(rng.randint(0, 40)))
        try:
            query = parse_date_query(text, today=TODAY)
        except DateQueryError as error:
            message = str(error)
            assert 0 < len(message) <= 200
            assert not any(text[i : i + ECHO_LIMIT + 1] in message for i in range(len(text) - ECHO_LIMIT))
            continue
        parsed += 1
        assert bool(query.spans) != (query.month_day is not None)
        for span in query.spans:
            assert span.start <= span.end
            assert dt.date(1800, 1, 1) <= span.start
            assert span.label
    assert parsed > 0  # the junk includes some real dates


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("1990s", "the 1990s", dt.date(1990, 1, 1), dt.date(1999, 12, 31)),
        ("the 1990s", "the 1990s", dt.date(1990, 1, 1), dt.date(1999, 12, 31)),
        ("90s", "the 1990s", dt.date(1990, 1, 1), dt.date(1999, 12, 31)),
        ("90's", "the 1990s", dt.date(1990, 1, 1), dt.date(1999, 12, 31)),
        ("2010s", "the 2010s", dt.date(2010, 1, 1), dt.date(2019, 12, 31)),
        ("20s", "the 2020s", dt.date(2020, 1, 1), dt.date(2029, 12, 31)),
        ("2020 onwards", "since 2020", dt.date(2020, 1, 1), TODAY),
        ("2020 onward", "since 2020", dt.date(2020, 1, 1), TODAY),
        ("2020 and later", "since 2020", dt.date(2020, 1, 1), TODAY),
        ("2020+", "since 2020", dt.date(2020, 1, 1), TODAY),
        ("nov 2020 onwards", "since November 2020", dt.date(2020, 11, 1), TODAY),
        ("from 2021", "since 2021", dt.date(2021, 1, 1), TODAY),
        ("after 2019", "after 2019", dt.date(2020, 1, 1), TODAY),
    ],
)
def test_decades_and_open_ranges(text: str, label: str, start: dt.date, end: dt.date) -> None:
    [span] = parse_date_query(text, today=TODAY).spans
    assert (span.label, span.start, span.end) == (label, start, end)
