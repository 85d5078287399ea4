"""Read what people type as a date, a month, a year or a range into exact calendar spans.

Pure and fast: no third-party date library and no clock (the caller passes ``today``,
computed in the user's time zone). Every accepted form maps to whole calendar days;
a month stays a month and a year stays a year (see :class:`DateSpan.precision`).
Bad input raises :class:`DateQueryError`, whose text is a short message for a person.

Labels ("25 November 2020", "since 2020") and messages are made in the language in use
(:mod:`bot.core.i18n`: the catalogs and CLDR's month names), whole sentences with named
placeholders; the words people type are read in every language the module knows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.core.i18n import N_, _, day_month, long_date, month_name, month_year, ngettext
from bot.core.model import Precision
from bot.core.text import fold, has_control_characters

log = logging.getLogger(__name__)

MIN_YEAR = 1800
MAX_YEAR = 2100
FLOOR = dt.date(1900, 1, 1)  # where "before 2000" and "until 2000" start
MAX_LENGTH = 100
ECHO_LIMIT = 40  # at most this many characters of the input appear in a message

MONTHS = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# In English, marked for the catalogs; said in the language in use (``_(EXAMPLES)``). Each
# language's examples are forms this module reads (tests/test_languages.py checks them).
EXAMPLES = N_("Try 2020-11-25, nov 2020, 2014, 2012-2014, the 1990s or since 2020.")
DAY_EXAMPLES = N_("Try 25 November, 11-25 or 2020-11-25.")  # for commands that take only a day
EMPTY_MESSAGE = N_("Type a date, a month, a year or a range, e.g. 2020-11-25, nov 2020, 2014, 2012-2014.")
TOO_LONG_MESSAGE = N_("That is too long for a date.")
CONTROL_MESSAGE = N_("A date cannot contain control characters.")
YEARS_MESSAGE = N_("Years from 1800 to 2100 only.")
UNREADABLE = N_("I could not read {text} as a date.")
ALONE = N_("{text} alone is not a date. Write a year with four digits (2014), or add a month ({example}).")
UNKNOWN_MONTH = N_(
    "I do not know the month {text}. Write it like May, mai, мая or մայիսի, or use numbers: 2014-05-08."
)

# What a span is, for the sentences around its label: "on 8 May 2014", "in May 2014", "since 2020".
DAY, MONTH, YEAR, DECADE, RANGE = "day", "month", "year", "decade", "range"
SINCE, AFTER, BEFORE, UNTIL = "since", "after", "before", "until"
_OPEN_LABELS = {
    SINCE: N_("since {date}"),
    AFTER: N_("after {date}"),
    BEFORE: N_("before {date}"),
    UNTIL: N_("until {date}"),
}


class DateQueryError(ValueError):
    """A date query that cannot be read; ``str(error)`` is a short message for the user.

    A message that says only what was not understood is followed by examples (:meth:`with_examples`).
    """

    def __init__(self, message: str, *, examples: bool = False) -> None:
        super().__init__(f"{message} {_(EXAMPLES)}" if examples else message)
        self.message = message
        self.examples = examples

    def with_examples(self, examples: str) -> str:
        """The message with ``examples`` (already translated) in place of the general ones."""
        return f"{self.message} {examples}" if self.examples else str(self)


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A run of whole days, ``start`` to ``end`` inclusive, with how precisely it was given."""

    start: dt.date
    end: dt.date  # inclusive
    precision: Precision  # for ranges, the coarser end's precision
    label: str  # "8 May 2014", "May 2014", "2014", "2012 to 2014", "since 2020", "before 2000"
    form: str = field(default=DAY, compare=False)  # DAY, MONTH, YEAR, DECADE, RANGE or an open one


@dataclass(frozen=True, slots=True)
class DateQuery:
    """How one typed date query was read."""

    text: str  # the input as given
    spans: tuple[DateSpan, ...]  # one, or two for a numeric date valid day-first and month-first
    month_day: tuple[int, int] | None  # (month, day) for "May 8": that day in every year; spans is ()
    note: str | None  # e.g. why two spans are shown

    @property
    def label(self) -> str:
        """How the whole query was read, for people."""
        if self.month_day is not None:
            return _("{day} (every year)").format(day=day_month(*self.month_day))
        return either(span.label for span in self.spans)


def either(labels: Iterable[str]) -> str:
    """Two readings of a date as one phrase: ``8 May 2014 or 5 August 2014``."""
    shown = list(labels)
    if len(shown) == 2:
        return _("{first} or {second}").format(first=shown[0], second=shown[1])
    return ", ".join(shown)


def month_from_name(word: str) -> int | None:
    """The month (1-12) a name means in any supported language, or None.

    Case- and accent-insensitive; full names, common abbreviations (with or without a
    dot), Russian nominative, genitive and prepositional, Armenian nominative and genitive.
    """
    return _MONTH_BY_KEY.get(fold(word.strip().rstrip(".")))


def parse_date_query(text: str, *, today: dt.date) -> DateQuery:
    """Read ``text`` as a year, month, day, month-day, range or relative date.

    Raises DateQueryError with a short user-facing message when it cannot.
    """
    if isinstance(today, dt.datetime):
        today = today.date()
    cleaned = _clean(text)
    try:
        spans, month_day, note = _parse_expression(cleaned, today)
    except _NoMatch:
        raise DateQueryError(_(UNREADABLE).format(text=_echo(text.strip())), examples=True) from None
    return DateQuery(text=text, spans=spans, month_day=month_day, note=note)


# ---------------------------------------------------------------------------
# Month names

_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "janvier", "janv", "enero", "ene", "gennaio", "gen",
        "январь", "января", "январе", "янв", "հունվար", "հունվարի", "յունուար", "յունուարի"),
    2: ("february", "feb", "février", "févr", "fév", "febrero", "febbraio",
        "февраль", "февраля", "феврале", "фев", "февр", "փետրվար", "փետրվարի", "փետրուար", "փետրուարի"),
    3: ("march", "mar", "mars", "marzo", "март", "марта", "марте", "մարտ", "մարտի"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile",
        "апрель", "апреля", "апреле", "апр", "ապրիլ", "ապրիլի"),
    5: ("may", "mai", "mayo", "maggio", "mag", "май", "мая", "мае", "մայիս", "մայիսի"),
    6: ("june", "jun", "juin", "junio", "giugno", "giu",
        "июнь", "июня", "июне", "июн", "հունիս", "հունիսի", "յունիս", "յունիսի"),
    7: ("july", "jul", "juillet", "juil", "julio", "luglio", "lug",
        "июль", "июля", "июле", "июл", "հուլիս", "հուլիսի", "յուլիս", "յուլիսի"),
    8: ("august", "aug", "août", "agosto", "ago", "август", "августа", "августе", "авг",
        "օգոստոս", "օգոստոսի"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set",
        "сентябрь", "сентября", "сентябре", "сен", "сент", "սեպտեմբեր", "սեպտեմբերի"),
    10: ("october", "oct", "octobre", "octubre", "ottobre", "ott",
         "октябрь", "октября", "октябре", "окт", "հոկտեմբեր", "հոկտեմբերի"),
    11: ("november", "nov", "novembre", "noviembre",
         "ноябрь", "ноября", "ноябре", "ноя", "нояб", "նոյեմբեր", "նոյեմբերի"),
    12: ("december", "dec", "décembre", "déc", "diciembre", "dicembre", "dic",
         "декабрь", "декабря", "декабре", "дек", "դեկտեմբեր", "դեկտեմբերի"),
}  # fmt: skip


def _month_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for month, words in _MONTH_WORDS.items():
        for word in words:
            key = fold(word)
            if index.setdefault(key, month) != month:
                raise AssertionError(f"month name {word!r} means two months")
    return index


_MONTH_BY_KEY = _month_index()

# ---------------------------------------------------------------------------
# Cleaning

_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"
                       "\u2066\u2067\u2068\u2069")  # fmt: skip
_RANGE_DASHES = re.compile("[\u2012\u2013\u2014\u2015\u2212]")
_EDGE = " .,;:!?\u0589\"'`«»“”‘’„()[]"
_LEADING_WORD = re.compile(r"(?:on|in|en|в|во) ")  # "on 8 May 2014", "en mai 2014", "в мае 2014"


class _NoMatch(Exception):
    """Internal: the text has none of the shapes this parser knows."""


def _echo(fragment: str) -> str:
    """A quoted piece of the input, at most ECHO_LIMIT characters of it."""
    flat = " ".join(fragment.split())
    if len(flat) > ECHO_LIMIT:
        flat = flat[: ECHO_LIMIT - 1] + "…"
    return f"'{flat}'"


def _clean(text: str) -> str:
    """Validate and normalise: case-folded NFKC, single spaces, no edge punctuation."""
    stripped = text.strip()
    if not stripped:
        raise DateQueryError(_(EMPTY_MESSAGE))
    if len(stripped) > MAX_LENGTH:
        raise DateQueryError(_(TOO_LONG_MESSAGE))
    if has_control_characters(stripped):
        raise DateQueryError(_(CONTROL_MESSAGE))
    visible = "".join(c for c in stripped if c not in _INVISIBLE)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    folded = _RANGE_DASHES.sub("–", folded.replace("\u2010", "-"))
    cleaned = " ".join(folded.split()).strip(_EDGE)
    if leading := _LEADING_WORD.match(cleaned):
        cleaned = cleaned[leading.end() :].strip(_EDGE)
    if not cleaned:
        raise DateQueryError(_(UNREADABLE).format(text=_echo(stripped)), examples=True)
    return cleaned


# ---------------------------------------------------------------------------
# Spans


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateQueryError(_(YEARS_MESSAGE))


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise DateQueryError(_("There is no month {month}: months go from 1 to 12.").format(month=month))


def _day_label(day: dt.date) -> str:
    return long_date(day)


def _no_such_day(day: int) -> DateQueryError:
    return DateQueryError(_("There is no day {day}: days start at 1.").format(day=day))


def _too_many_days(month: str, last: int, day: int) -> DateQueryError:
    """``November 2020 has 30 days, not 31.`` (``month`` already said in the language in use)."""
    text = ngettext("{month} has {last} day, not {day}.", "{month} has {last} days, not {day}.", last)
    return DateQueryError(text.format(month=month, last=last, day=day))


def _year_span(year: int) -> DateSpan:
    _check_year(year)
    return DateSpan(dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR, str(year), YEAR)


def _month_span(year: int, month: int) -> DateSpan:
    _check_year(year)
    _check_month(month)
    last = calendar.monthrange(year, month)[1]
    label = month_year(year, month)
    return DateSpan(dt.date(year, month, 1), dt.date(year, month, last), Precision.MONTH, label, MONTH)


def _day_span(year: int, month: int, day: int) -> DateSpan:
    _check_year(year)
    _check_month(month)
    last = calendar.monthrange(year, month)[1]
    if day < 1:
        raise _no_such_day(day)
    if day > last:
        if month == 2 and day == 29:
            raise DateQueryError(
                _("29 February {year} is not a date: {year} is not a leap year.").format(year=year)
            )
        raise _too_many_days(month_year(year, month), last, day)
    date = dt.date(year, month, day)
    return DateSpan(date, date, Precision.DAY, _day_label(date), DAY)


def _date_span(date: dt.date) -> DateSpan:
    _check_year(date.year)
    return DateSpan(date, date, Precision.DAY, _day_label(date), DAY)


def _range_label(first: str, last: str) -> str:
    """``2012 to 2014``."""
    return _("{first} to {last}").format(first=first, last=last)


def _check_month_day(month: int, day: int) -> tuple[int, int]:
    _check_month(month)
    last = calendar.monthrange(2000, month)[1]  # a leap year: 29 February is a day of some years
    if day < 1:
        raise _no_such_day(day)
    if day > last:
        if month == 2:
            raise DateQueryError(_("February has at most 29 days, not {day}.").format(day=day))
        raise _too_many_days(month_name(month), last, day)
    return (month, day)


_RANK = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}


def _coarser(a: Precision, b: Precision) -> Precision:
    return a if _RANK[a] <= _RANK[b] else b


# ---------------------------------------------------------------------------
# One date (no range)


@dataclass(frozen=True, slots=True)
class _Reading:
    span: DateSpan
    order: str | None = None  # "dmy" or "mdy" when the text could be read both ways


@dataclass(frozen=True, slots=True)
class _Parsed:
    readings: tuple[_Reading, ...] = ()
    month_day: tuple[int, int] | None = None
    source: str = ""  # the numeric text, when it has two readings

    @property
    def ambiguous(self) -> bool:
        return len(self.readings) > 1


def _one(span: DateSpan) -> _Parsed:
    return _Parsed(readings=(_Reading(span),))


_RELATIVE_WORDS: dict[str, str] = {
    "today": "today", "aujourd'hui": "today", "aujourd’hui": "today", "hoy": "today", "oggi": "today",
    "сегодня": "today", "այսօր": "today",
    "yesterday": "yesterday", "hier": "yesterday", "ayer": "yesterday", "ieri": "yesterday",
    "вчера": "yesterday", "երեկ": "yesterday",
    "tomorrow": "tomorrow", "demain": "tomorrow", "mañana": "tomorrow", "domani": "tomorrow",
    "завтра": "tomorrow", "վաղը": "tomorrow",
    "this year": "this year", "last year": "last year",
    "this month": "this month", "last month": "last month",
}  # fmt: skip


def _relative(word: str, today: dt.date) -> DateSpan:
    if word == "today":
        return _date_span(today)
    if word == "yesterday":
        return _date_span(today - dt.timedelta(days=1))
    if word == "tomorrow":
        return _date_span(today + dt.timedelta(days=1))
    if word == "this year":
        return _year_span(today.year)
    if word == "last year":
        return _year_span(today.year - 1)
    if word == "this month":
        return _month_span(today.year, today.month)
    # last month
    if today.month == 1:
        return _month_span(today.year - 1, 12)
    return _month_span(today.year, today.month - 1)


_D = "([0-9]{1,2})"
_Y = "([0-9]{4})"
_ALL_DIGITS = re.compile("[0-9]+")
_YMD = re.compile(_Y + "([-/.])" + _D + r"\2" + _D)
_YM = re.compile(_Y + "([-/.])" + _D)
_MY = re.compile(_D + "[-/.]" + _Y)
_DMY_DOTTED = re.compile(_D + r"\." + _D + r"\." + _Y)
_AMBIGUOUS = re.compile(_D + "([-/])" + _D + r"\2" + _Y)
_MD_DASHED = re.compile(_D + "-" + _D)
_DM_DOTTED = re.compile(_D + r"\.([0-9]{2})")  # "25.11", "08.05"; not "1.8", which reads as a number
_SLASHED_PAIR = re.compile(_D + "/" + _D)
_SHORT_YEAR = re.compile(_D + "([-/.])" + _D + r"\2" + "[0-9]{2}")


def _parse_single(text: str, today: dt.date) -> _Parsed:
    """One date, month, year, month-day or relative word; raises _NoMatch for other shapes."""
    relative = _RELATIVE_WORDS.get(text)
    if relative is not None:
        return _one(_relative(relative, today))
    if _ALL_DIGITS.fullmatch(text):
        if len(text) == 4:
            return _one(_year_span(int(text)))
        if len(text) == 8:  # ISO basic, YYYYMMDD
            return _one(_day_span(int(text[:4]), int(text[4:6]), int(text[6:])))
        raise DateQueryError(
            _(ALONE).format(text=_echo(text), example=long_date(dt.date(2014, 5, 12)))
        )
    if m := _YMD.fullmatch(text):
        return _one(_day_span(int(m[1]), int(m[3]), int(m[4])))
    if m := _YM.fullmatch(text):
        year, month = int(m[1]), int(m[3])
        if month > 12 and m[2] == "-" and len(m[3]) == 2:
            _check_year(year)
            raise DateQueryError(
                _("There is no month {month}. For a range of years write it in full, e.g. {example}.").format(
                    month=month, example=f"{year}-{year // 100}{m[3]}"
                )
            )
        return _one(_month_span(year, month))
    if m := _MY.fullmatch(text):
        return _one(_month_span(int(m[2]), int(m[1])))
    if m := _DMY_DOTTED.fullmatch(text):
        return _one(_day_span(int(m[3]), int(m[2]), int(m[1])))
    if m := _AMBIGUOUS.fullmatch(text):
        return _ambiguous_date(int(m[1]), int(m[3]), int(m[4]), text)
    if m := _MD_DASHED.fullmatch(text):
        return _Parsed(month_day=_check_month_day(int(m[1]), int(m[2])))
    if m := _DM_DOTTED.fullmatch(text):
        return _Parsed(month_day=_check_month_day(int(m[2]), int(m[1])))
    if m := _SLASHED_PAIR.fullmatch(text):
        return _ambiguous_month_day(int(m[1]), int(m[2]))
    if _SHORT_YEAR.fullmatch(text):
        raise DateQueryError(
            _("Write the year with four digits, e.g. {example} or 2014-05-08.").format(
                example=long_date(dt.date(2014, 5, 8))
            )
        )
    return _parse_words(text)


def _attempt(year: int, month: int, day: int) -> DateSpan | DateQueryError:
    try:
        return _day_span(year, month, day)
    except DateQueryError as error:
        return error


def _neither(first: int, second: int) -> DateQueryError:
    return DateQueryError(
        _("Neither {first} nor {second} can be a month: months go from 1 to 12.").format(
            first=first, second=second
        )
    )


def _ambiguous_date(first: int, second: int, year: int, source: str) -> _Parsed:
    """``first/second/year``: day-first or month-first, whichever are real dates."""
    _check_year(year)
    day_first = _attempt(year, second, first)
    month_first = _attempt(year, first, second)
    if isinstance(day_first, DateSpan) and isinstance(month_first, DateSpan):
        if day_first == month_first:
            return _one(day_first)
        readings = sorted(
            (_Reading(day_first, "dmy"), _Reading(month_first, "mdy")), key=lambda r: r.span.start
        )
        return _Parsed(readings=tuple(readings), source=source)
    if isinstance(day_first, DateSpan):
        return _one(day_first)
    if isinstance(month_first, DateSpan):
        return _one(month_first)
    if 1 <= second <= 12:
        raise day_first
    if 1 <= first <= 12:
        raise month_first
    raise _neither(first, second)


def _ambiguous_month_day(first: int, second: int) -> _Parsed:
    """``first/second`` without a year: usable only when one reading is a real day."""
    try:
        day_first: tuple[int, int] | DateQueryError = _check_month_day(second, first)
    except DateQueryError as error:
        day_first = error
    try:
        month_first: tuple[int, int] | DateQueryError = _check_month_day(first, second)
    except DateQueryError as error:
        month_first = error
    if isinstance(day_first, tuple) and isinstance(month_first, tuple):
        if day_first == month_first:
            return _Parsed(month_day=day_first)
        one, other = day_month(second, first), day_month(first, second)
        raise DateQueryError(
            _("{text} could be {one} or {other}. Write the month as a word, e.g. {one}.").format(
                text=f"{first}/{second}", one=one, other=other
            )
        )
    if isinstance(day_first, tuple):
        return _Parsed(month_day=day_first)
    if isinstance(month_first, tuple):
        return _Parsed(month_day=month_first)
    if 1 <= second <= 12:
        raise day_first
    if 1 <= first <= 12:
        raise month_first
    raise _neither(first, second)


# Words that carry a date's parts.
_THE = frozenset({"the"})
_OF = frozenset({"of", "de", "del", "di"})
_YEAR_MARKS = frozenset({"г", "год", "года", "году", "թ", "թվական", "թվականի", "թվին"})
_KEYWORDS = frozenset(
    {"since", "after", "from", "before", "until", "till", "up", "through", "thru", "between",
     "and", "to", "on", "in", "this", "last", "next", "the", "of"}
)  # fmt: skip
_HAS_LETTER = re.compile(r"[^\W\d_]")
_ABBREVIATION_DOT = re.compile(r"(?<=[^\W\d_])\.")
_NUMBER_TOKEN = re.compile("([0-9]+)(st|nd|rd|th|er)?")
_WORD_TOKEN = re.compile(r"[^\W\d_]+")
_FULL_SHAPES = frozenset({"Y", "MY", "YM", "DMY", "MDY", "YMD", "DM", "MD"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "num", "month", "word" or "junk"
    text: str
    value: int = 0  # the number, or the month
    digits: int = 0  # how many digits a number has
    ordinal: bool = False  # "8th", "1er"

    @property
    def is_day(self) -> bool:
        return self.kind == "num" and self.digits <= 2

    @property
    def is_year(self) -> bool:
        return self.kind == "num" and self.digits == 4 and not self.ordinal


def _token(piece: str) -> _Token:
    if m := _NUMBER_TOKEN.fullmatch(piece):
        return _Token("num", piece, int(m[1]), len(m[1]), m[2] is not None)
    if _WORD_TOKEN.fullmatch(piece):
        month = _MONTH_BY_KEY.get(fold(piece))
        if month is not None:
            return _Token("month", piece, month)
        return _Token("word", piece)
    return _Token("junk", piece)


def _shape(tokens: list[_Token]) -> tuple[str, list[_Token]]:
    """The tokens as a shape like "DMY", dropping filler words where they belong."""
    letters: list[str] = []
    kept: list[_Token] = []
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.kind == "word":
            if token.text in _THE and after is not None and after.is_day:
                continue
            if (
                token.text in _OF
                and before is not None
                and after is not None
                and ((before.is_day and after.kind == "month") or (before.kind == "month" and after.is_year))
            ):
                continue
            if token.text in _YEAR_MARKS and before is not None and before.is_year:
                continue
            letters.append("W")
        elif token.kind == "month":
            letters.append("M")
        elif token.kind == "num" and token.is_year:
            letters.append("Y")
        elif token.kind == "num" and token.is_day:
            letters.append("D")
        else:
            letters.append("X")
        kept.append(token)
    return "".join(letters), kept


def _parse_words(text: str) -> _Parsed:
    """Dates written with a month name, in any supported language and order."""
    if not _HAS_LETTER.search(text) or text[0] in "-/" or text[-1] in "-/":
        raise _NoMatch
    spaced = _ABBREVIATION_DOT.sub(" ", text.replace(",", " "))
    spaced = spaced.replace("-", " ").replace("/", " ")
    tokens = [_token(piece) for piece in spaced.split()]
    shape, kept = _shape(tokens)
    values = [t.value for t in kept]
    if shape == "Y":
        return _one(_year_span(values[0]))
    if shape == "MY":
        return _one(_month_span(values[1], values[0]))
    if shape == "YM":
        return _one(_month_span(values[0], values[1]))
    if shape == "DMY":
        return _one(_day_span(values[2], values[1], values[0]))
    if shape == "MDY":
        return _one(_day_span(values[2], values[0], values[1]))
    if shape == "YMD":
        return _one(_day_span(values[0], values[1], values[2]))
    if shape == "DM":
        return _Parsed(month_day=_check_month_day(values[1], values[0]))
    if shape == "MD":
        return _Parsed(month_day=_check_month_day(values[0], values[1]))
    if shape == "M":
        raise DateQueryError(
            _("Add a year, e.g. {month}, or a day, e.g. {day}.").format(
                month=month_year(2014, values[0]), day=day_month(values[0], 8)
            )
        )
    if shape == "D":
        raise DateQueryError(
            _("Add a month, e.g. {day} or {date}.").format(
                day=day_month(5, 8), date=long_date(dt.date(2014, 5, 8))
            )
        )
    unknown = [t for t in kept if t.kind == "word"]
    if (
        len(unknown) == 1
        and unknown[0].text not in _KEYWORDS
        and "X" not in shape
        and shape.replace("W", "M") in _FULL_SHAPES - {"Y"}
    ):
        raise DateQueryError(
            _(UNKNOWN_MONTH).format(text=_echo(unknown[0].text))
        )
    raise _NoMatch


# ---------------------------------------------------------------------------
# Ranges and whole queries

_Result = tuple[tuple[DateSpan, ...], tuple[int, int] | None, str | None]

_BETWEEN = re.compile(r"between (.+?) and (.+)")
_CONNECTED = re.compile(r"(?:(?:from|since|between) )?(.+?) (?:to|until|till|through|thru) (.+)")
_OPEN = re.compile(r"(since|after|from|before|until|till|up to|up until|through|thru) (.+)")
_DASHED = re.compile(r"(.+?) ?– ?(.+)|(.+?) - (.+)")
# "the 1990s", "1990s", "90s", "90's", "the 2020s"
_DECADE = re.compile(r"(?:the )?(?:(\d{3})0|(\d)0) ?'?s")
# "2020 onwards", "2020 onward", "2020 on", "2020 and later", "2020 or later", "2020+", "2020-"
_ONWARDS = re.compile(r"(.+?)(?: (?:onwards?|on|and later|or later|and after)| ?\+| ?-| ?–)")
_OPEN_KIND = {
    "since": "since", "from": "since", "after": "after", "before": "before",
    "until": "until", "till": "until", "up to": "until", "up until": "until",
    "through": "until", "thru": "until",
}  # fmt: skip
_NEEDS_YEAR = N_("Give a year for each end of a range, e.g. {example}.")


def _decade(m: re.Match[str]) -> _Result:
    """``the 1990s``: 1 January 1990 to 31 December 1999; "90s" is the 1990s, "20s" the 2020s."""
    if m[1] is not None:
        first = int(m[1]) * 10
    else:
        short = int(m[2]) * 10
        first = (1900 if short >= 30 else 2000) + short
    _check_year(first)
    _check_year(first + 9)
    label = _("the {decade}s").format(decade=first)
    span = DateSpan(dt.date(first, 1, 1), dt.date(first + 9, 12, 31), Precision.YEAR, label, DECADE)
    return (span,), None, None


def _parse_expression(text: str, today: dt.date) -> _Result:
    if m := _DECADE.fullmatch(text):
        return _decade(m)
    if (m := _ONWARDS.fullmatch(text)) and not _OPEN.fullmatch(text):
        try:
            return _open_range("since", _parse_single(m[1].strip(), today), today)
        except _NoMatch:
            pass
    if m := _BETWEEN.fullmatch(text):
        result = _try_range(m[1], m[2], today)
        if result is not None:
            return result
    if m := _CONNECTED.fullmatch(text):
        result = _try_range(m[1], m[2], today)
        if result is not None:
            return result
    if m := _OPEN.fullmatch(text):
        return _open_range(_OPEN_KIND[m[1]], _parse_single(m[2], today), today)
    if m := _DASHED.fullmatch(text):
        left, right = (m[1], m[2]) if m[1] is not None else (m[3], m[4])
        result = _try_range(left, right, today)
        if result is not None:
            return result
    try:
        single = _parse_single(text, today)
    except _NoMatch:
        if "-" in text:
            return _hyphen_range(text, today)
        raise
    if single.month_day is not None:
        return (), single.month_day, None
    return _finish([(r.span, r.order) for r in single.readings], [single])


def _try_range(left: str, right: str, today: dt.date) -> _Result | None:
    """A two-ended range, or None when either side is not a date at all."""
    try:
        first = _parse_single(left.strip(), today)
        last = _parse_single(right.strip(), today)
    except _NoMatch:
        return None
    return _closed_range(first, last)


def _hyphen_range(text: str, today: dt.date) -> _Result:
    """``2012-2014`` or ``may 2014-nov 2020``: the one hyphen where both sides are dates."""
    found: list[tuple[_Parsed, _Parsed]] = []
    first_error: DateQueryError | None = None
    for i, char in enumerate(text):
        if char != "-":
            continue
        left, right = text[:i].strip(), text[i + 1 :].strip()
        if not left or not right:
            continue
        sides: list[_Parsed] = []
        for side in (left, right):
            try:
                sides.append(_parse_single(side, today))
            except _NoMatch:
                break
            except DateQueryError as error:
                first_error = first_error or error
                break
        if len(sides) == 2:
            found.append((sides[0], sides[1]))
    if len(found) == 1:
        return _closed_range(*found[0])
    if len(found) > 1:
        raise DateQueryError(
            _(
                "I could not tell where {text} splits into a range. Write it with 'to', e.g. 2012 to 2014."
            ).format(text=_echo(text))
        )
    if first_error is not None:
        raise first_error
    raise _NoMatch


def _closed_range(first: _Parsed, last: _Parsed) -> _Result:
    if first.month_day is not None or last.month_day is not None:
        raise DateQueryError(
            _(_NEEDS_YEAR).format(
                example=_range_label(long_date(dt.date(2014, 5, 8)), long_date(dt.date(2014, 6, 1)))
            )
        )
    candidates: list[tuple[DateSpan, str | None]] = []
    backwards: tuple[DateSpan, DateSpan] | None = None
    for a in first.readings:
        for b in last.readings:
            if a.order and b.order and a.order != b.order:
                continue  # read both numeric dates the same way
            if b.span.end < a.span.start:
                backwards = backwards or (a.span, b.span)
                continue
            if a.span == b.span:
                candidates.append((a.span, a.order or b.order))
                continue
            span = DateSpan(
                a.span.start,
                b.span.end,
                _coarser(a.span.precision, b.span.precision),
                _range_label(a.span.label, b.span.label),
                RANGE,
            )
            candidates.append((span, a.order or b.order))
    if not candidates:
        assert backwards is not None
        start, end = backwards
        raise DateQueryError(
            _("The range ends before it starts: {end} is before {start}.").format(
                end=end.label, start=start.label
            )
        )
    return _finish(candidates, [first, last])


def _open_range(kind: str, parsed: _Parsed, today: dt.date) -> _Result:
    """``since X``, ``after X`` (up to today), ``before X``, ``until X`` (from the floor)."""
    if parsed.month_day is not None:
        example = _(_OPEN_LABELS[kind]).format(date=long_date(dt.date(2014, 5, 8)))
        raise DateQueryError(_("Give a year, e.g. {example}.").format(example=example))
    candidates: list[tuple[DateSpan, str | None]] = []
    error: DateQueryError | None = None
    for reading in parsed.readings:
        given = reading.span
        label = _(_OPEN_LABELS[kind]).format(date=given.label)
        if kind in ("since", "after"):
            start = given.start if kind == "since" else given.end + dt.timedelta(days=1)
            if start > today:
                error = error or DateQueryError(
                    _("{when} is in the future: today is {today}.").format(
                        when=label[0].upper() + label[1:], today=_day_label(today)
                    )
                )
                continue
            end = today
        else:
            end = given.start - dt.timedelta(days=1) if kind == "before" else given.end
            if end.year < MIN_YEAR:
                raise DateQueryError(
                    _("Nothing can be {when}: years from 1800 to 2100 only.").format(
                        when=_(_OPEN_LABELS[kind]).format(date=MIN_YEAR)
                    )
                )
            start = FLOOR if end >= FLOOR else dt.date(MIN_YEAR, 1, 1)
        candidates.append((DateSpan(start, end, given.precision, label, kind), reading.order))
    if not candidates:
        assert error is not None
        raise error
    return _finish(candidates, [parsed])


def _finish(candidates: list[tuple[DateSpan, str | None]], parts: list[_Parsed]) -> _Result:
    """Sorted distinct spans, with a note when a numeric date gave two."""
    spans: list[DateSpan] = []
    for span, _order in candidates:
        if span not in spans:
            spans.append(span)
    spans.sort(key=lambda s: (s.start, s.end))
    note: str | None = None
    if len(spans) > 1:
        ambiguous = [p for p in parts if p.ambiguous]
        if len(ambiguous) == 1:
            source = ambiguous[0]
            by_order = {r.order: r.span.label for r in source.readings}
            note = _("{text} can be read as {first} or {second}; showing both.").format(
                text=source.source, first=by_order["dmy"], second=by_order["mdy"]
            )
        elif len(ambiguous) > 1:
            note = _(
                "{first} and {second} can each be read day-first or month-first; showing both readings."
            ).format(first=ambiguous[0].source, second=ambiguous[1].source)
    return tuple(spans), None, note
