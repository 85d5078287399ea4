"""The languages the bot speaks: gettext catalogs (Babel), the language of the answer being made, CLDR dates.

Every string the bot writes for people is marked ``_("...")`` (or ``ngettext`` when it counts
something) and looked up in ``bot/locales/<lang>/LC_MESSAGES/bot.po`` for the language in use.
The language in use is a context variable: the Discord adapter sets it for each interaction and
each daily post (:func:`using`), so the core makes its answers in that language without passing
it through every function, and two answers made at once in two languages never mix.

The ``.po`` files are read at start (parsed by Babel, a few milliseconds), not compiled to ``.mo``:
the catalogs translators edit are the ones the bot runs, with no build step to forget and nothing
generated to keep in step in the repository or the Docker image. ``make messages`` extracts the
marked strings into ``bot/locales/bot.pot`` and merges them into every catalog (pybabel).

Dates, months and "N years ago" come from CLDR through Babel, with each language's plural rules.
English uses the British forms ("25 November 2020"), as the bot always has. An English long date
is written from CLDR's British month names kept here (a test holds them to Babel's): reading
Babel's locale data for it alone would cost a one-question command (``python -m bot ask``) a
tenth of its run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

from babel import Locale
from babel.dates import format_date, format_skeleton, format_timedelta
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

DEFAULT: Final = "en"
# The bot's languages, in the order offered: English, Eastern Armenian, Russian, French, Spanish.
LANGUAGES: Final = ("en", "hy", "ru", "fr", "es")
# Each language's own name, as offered in /settings.
NATIVE_NAMES: Final = {
    "en": "English",
    "hy": "Հայերեն",
    "ru": "Русский",
    "fr": "Français",
    "es": "Español",
}
_CLDR: Final = {"en": "en_GB", "hy": "hy", "ru": "ru", "fr": "fr", "es": "es"}
LOCALES_DIR: Final = Path(__file__).resolve().parents[1] / "locales"
DOMAIN: Final = "bot"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT)


def normalise(code: str | None) -> str | None:
    """One of :data:`LANGUAGES` for a language or locale code ("ru", "es-ES", "fr_CA", "EN"), else None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].casefold()
    return base if base in LANGUAGES else None


def catalog_path(language: str) -> Path:
    """Where ``language``'s catalog is."""
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> NullTranslations:
    """``language``'s catalog, read once (English, and a language without a catalog, say the source text)."""
    if language == DEFAULT:
        return NullTranslations()
    # Babel's catalog reader only when a language other than English is asked for (not at every start).
    from babel.messages.mofile import write_mo  # noqa: PLC0415
    from babel.messages.pofile import read_po  # noqa: PLC0415

    path = catalog_path(language)
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=_CLDR[language], domain=DOMAIN)
    except (OSError, KeyError) as exc:
        log.error("No catalog for language %r (%s); answering in English", language, exc)
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def current() -> str:
    """The language of the answer being made."""
    return _current.get()


@contextlib.contextmanager
def using(language: str | None) -> Iterator[str]:
    """Make answers in ``language`` (English when None or not ours) inside the ``with`` block."""
    chosen = normalise(language) or DEFAULT
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """``message`` in the language in use."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of ``singular``/``plural`` for ``count`` in the language in use (its CLDR plural rules)."""
    return translations(current()).ngettext(singular, plural, count)


def pgettext(context: str, message: str, language: str | None = None) -> str:
    """``message`` of ``context`` (a msgctxt: "command name", ...) in ``language`` (None: the one in use)."""
    return str(translations(language or current()).pgettext(context, message))


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; it is translated where it is shown (``_(value)``)."""
    return message


def cldr_locale(language: str | None = None) -> Locale:
    """The CLDR locale of ``language`` (the one in use when None)."""
    return _locale(language or current())


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(_CLDR[language])


# ---------------------------------------------------------------------------------------- dates
# Each form is made once per language and kept (Babel takes 10-25 µs a date; the data's dates and
# numbers repeat from answer to answer): the public functions read the language in use, the kept
# ones take it as an argument.

KEPT_FORMS: Final = 4096  # of each kind, the most recently used


# CLDR's months in British English, as ``format_date(day, "d MMMM y", locale="en_GB")`` writes them.
ENGLISH_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@lru_cache(maxsize=KEPT_FORMS)
def _long_date(day: dt.date, language: str) -> str:
    return format_date(day, "long", locale=_CLDR[language])


def long_date(day: dt.date) -> str:
    """``25 November 2020``, ``25 ноября 2020 г.``, ``25 de noviembre de 2020``."""
    language = current()
    if language == DEFAULT:  # CLDR's "d MMMM y" in en_GB
        return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"
    return _long_date(day, language)


@lru_cache(maxsize=KEPT_FORMS)
def _short_date(day: dt.date, language: str) -> str:
    return format_date(day, "medium", locale=_CLDR[language])


def short_date(day: dt.date) -> str:
    """``25 Nov 2020``, ``25 нояб. 2020 г.``."""
    return _short_date(day, current())


@lru_cache(maxsize=KEPT_FORMS)
def _skeleton(skeleton: str, day: dt.date, language: str) -> str:
    return format_skeleton(skeleton, day, locale=_CLDR[language])


def month_year(year: int, month: int) -> str:
    """``November 2020``, ``ноябрь 2020 г.``."""
    return _skeleton("yMMMM", dt.date(year, month, 1), current())


def short_month_year(year: int, month: int) -> str:
    """``Nov 2020``, ``нояб. 2020 г.``."""
    return _skeleton("yMMM", dt.date(year, month, 1), current())


def day_month(month: int, day: int) -> str:
    """``25 November``, ``25 ноября`` (a leap year, so 29 February is a day)."""
    return _skeleton("MMMMd", dt.date(2000, month, day), current())


@lru_cache(maxsize=KEPT_FORMS)
def _weekday_date(day: dt.date, language: str) -> str:
    if language == DEFAULT:
        return format_date(day, "EEEE d MMMM y", locale=_CLDR[DEFAULT])
    return format_date(day, "full", locale=_CLDR[language])


def weekday_date(day: dt.date) -> str:
    """``Monday 30 November 2026``, ``понедельник, 30 ноября 2026 г.``, ``lundi 30 novembre 2026``."""
    return _weekday_date(day, current())


@lru_cache(maxsize=KEPT_FORMS, typed=True)
def _number(value: float, decimals: int, language: str) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_CLDR[language])


def number(value: float, decimals: int = 0) -> str:
    """``1,048,576``, ``1 048 576``, ``1.048.576``, ``1,5``: a number with the language's separators."""
    return _number(value, decimals, current())


def month_name(month: int) -> str:
    """``November``, ``ноябрь`` (standing alone)."""
    return str(cldr_locale().months["stand-alone"]["wide"][month])


@lru_cache(maxsize=KEPT_FORMS)
def _years_ago(years: int, language: str) -> str:
    return format_timedelta(
        dt.timedelta(days=-365 * years),
        granularity="year",
        threshold=2,
        add_direction=True,
        locale=_CLDR[language],
    )


def years_ago(years: int) -> str:
    """``6 years ago``, ``6 лет назад``, ``in 2 years`` (CLDR's relative-time words and plural rules)."""
    return _years_ago(years, current())


def set_current(language: str | None) -> str:
    """Make answers in ``language`` (English when None or not ours) for the rest of the running task."""
    chosen = normalise(language) or DEFAULT
    _current.set(chosen)
    return chosen
