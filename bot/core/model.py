"""The dataset's immutable types: partial dates, jurisdictions, records, events.

Everything here is plain data (frozen dataclasses and tuples) so that one loaded
:class:`Dataset` can be shared by every reader while a reload builds the next one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.i18n import N_
from bot.core.normalize import normalize

MONTH_NAMES = tuple(calendar.month_name)  # index 1..12, English, locale-independent in the C locale


class Precision(StrEnum):
    """How much of a date is known."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@dataclass(frozen=True, order=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day. Never invents the missing parts."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is out of range")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(
                    f"{MONTH_NAMES[self.month]} {self.year} has {last} days, not {self.day}"
                )

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        """A full-day partial date."""
        return cls(value.year, value.month, value.day)

    @classmethod
    def parse_iso(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError otherwise."""
        parts = text.strip().split("-")
        if not 1 <= len(parts) <= 3 or len(parts[0]) != 4 or any(
            not p.isdigit() or (i and len(p) != 2) for i, p in enumerate(parts)
        ):
            raise ValueError(f"{text!r} is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD")
        numbers = [int(p) for p in parts]
        return cls(*numbers)

    @property
    def precision(self) -> Precision:
        """The finest part that is known."""
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def iso(self) -> str:
        """ISO text at the true precision: ``2014``, ``2014-05`` or ``2014-05-08``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def display(self) -> str:
        """Human text at the true precision: ``8 May 2014``, ``May 2014`` or ``2014``."""
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{MONTH_NAMES[self.month]} {self.year}"
        return f"{self.day} {MONTH_NAMES[self.month]} {self.year}"

    def first_day(self) -> dt.date:
        """The earliest calendar day this date can mean."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        """The latest calendar day this date can mean."""
        if self.month is None:
            return dt.date(self.year, 12, 31)
        if self.day is None:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, self.month, self.day)

    def as_date(self) -> dt.date | None:
        """The calendar day when known to the day, else None."""
        if self.day is None or self.month is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def __str__(self) -> str:
        return self.iso()


class Level(StrEnum):
    """The kind of jurisdiction that acted."""

    SUPRANATIONAL = "supranational"
    NATIONAL = "national"
    STATE = "state"
    REGION = "region"
    COUNTY = "county"
    CITY = "city"

    @property
    def label(self) -> str:
        """The level as a menu label, in English (``_(level.label)`` says it in the language in use)."""
        return LEVEL_LABEL[self]


class Kind(StrEnum):
    """What an act does, in the dataset's methodology."""

    RECOGNITION = "recognition"
    CALL_FOR_RECOGNITION = "call-for-recognition"
    SELF_DETERMINATION = "self-determination"
    CONDEMNATION = "condemnation"
    STATEMENT = "statement"

    @property
    def plain(self) -> str:
        """The kind in plain words, for people."""
        return KIND_PLAIN[self]

    @property
    def label(self) -> str:
        """The kind as a menu label: its plain words with a capital first letter (``_()`` translates it)."""
        return KIND_LABEL[self]


# In English, marked for the catalogs: shown as ``_(level.label)``, ``_(kind.label)``, ``_(kind.plain)``.
LEVEL_LABEL: dict[Level, str] = {
    Level.SUPRANATIONAL: N_("Supranational (e.g. European Parliament)"),
    Level.NATIONAL: N_("National parliaments and governments"),
    Level.STATE: N_("States and provinces"),
    Level.REGION: N_("Regions"),
    Level.COUNTY: N_("Counties"),
    Level.CITY: N_("Cities"),
}
KIND_LABEL: dict[Kind, str] = {
    Kind.RECOGNITION: N_("Recognition"),
    Kind.CALL_FOR_RECOGNITION: N_("Call for recognition"),
    Kind.SELF_DETERMINATION: N_("Support for self-determination"),
    Kind.CONDEMNATION: N_("Condemnation of Azerbaijan"),
    Kind.STATEMENT: N_("Statement"),
}

# In English; shown through the catalogs (``_(kind.plain)``), so marked for extraction.
KIND_PLAIN: dict[Kind, str] = {
    Kind.RECOGNITION: N_("recognition"),
    Kind.CALL_FOR_RECOGNITION: N_("call for recognition"),
    Kind.SELF_DETERMINATION: N_("support for self-determination"),
    Kind.CONDEMNATION: N_("condemnation of Azerbaijan"),
    Kind.STATEMENT: N_("statement"),
}


@dataclass(frozen=True, slots=True)
class Source:
    """One public source for a record or event."""

    url: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class AlternativeDate:
    """A date another source gives, with who says so."""

    date: PartialDate
    note: str


@dataclass(frozen=True, slots=True)
class Vote:
    """A vote count, as far as it is known."""

    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    note: str | None = None

    def display(self) -> str:
        """``305–1, 30 abstentions`` or the note, or both."""
        parts: list[str] = []
        if self.yes is not None:
            counted = f"{self.yes}–{self.no}" if self.no is not None else f"{self.yes} for"
            if self.abstain:
                counted += f", {self.abstain} abstention{'s' if self.abstain != 1 else ''}"
            parts.append(counted)
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


Names = tuple[tuple[str, str], ...]
"""Display names by language, as ``(language code, name)`` pairs in file order: ``(("hy", "Ֆրանսիա"),)``."""


def name_in(names: Names, language: str) -> str | None:
    """The name in ``language`` (a code such as ``hy``), or None."""
    for code, text in names:
        if code == language:
            return text
    return None


def spellings(name: str, names: Names, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Every way to find a place: its name, its names per language, then its aliases (no repeats)."""
    return tuple(dict.fromkeys((name, *(text for _, text in names), *aliases)))


class _NamedPlace:
    """Names per language and every spelling, for countries and jurisdictions alike."""

    __slots__ = ()
    name: str
    names: Names
    aliases: tuple[str, ...]

    def name_in(self, language: str) -> str | None:
        """The display name in ``language`` (``hy``, ``ru``, ``fr``, ``es``...), or None."""
        return name_in(self.names, language)

    @property
    def spellings(self) -> tuple[str, ...]:
        """The name, the names per language and the aliases: everything a lookup should find."""
        return spellings(self.name, self.names, self.aliases)


@dataclass(frozen=True, slots=True)
class Country(_NamedPlace):
    """A country, or a union such as the EU, that jurisdictions belong to."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    names: Names = ()  # display names per language; each is also found like an alias
    line: int = 0


@dataclass(frozen=True, slots=True)
class Jurisdiction(_NamedPlace):
    """A place or institution as people name it (California, Los Angeles, France)."""

    id: str
    name: str
    level: Level
    country: str  # Country.id
    aliases: tuple[str, ...] = ()
    names: Names = ()  # display names per language; each is also found like an alias
    location: tuple[float, float] | None = None  # (latitude, longitude) in degrees
    line: int = 0

    def __post_init__(self) -> None:
        # Thousands of places share a country: one string for its id rather than one each, as
        # the YAML and a snapshot give them (5 MB at 100,000 places).
        object.__setattr__(self, "country", sys.intern(self.country))


@dataclass(frozen=True, slots=True)
class BodyName:
    """A glossary entry: a body's name (``Senate``) in other languages and other spellings.

    It applies to every record whose body contains ``body`` as whole words; its names and
    aliases are then also that record's body aliases.
    """

    body: str
    names: Names = ()
    aliases: tuple[str, ...] = ()
    line: int = 0

    def name_in(self, language: str) -> str | None:
        """The body's name in ``language``, or None."""
        return name_in(self.names, language)


@dataclass(frozen=True, slots=True)
class AmbiguousName:
    """A name that deliberately means several jurisdictions ("LA", "Fresno")."""

    name: str
    jurisdictions: tuple[str, ...]  # Jurisdiction.id, two or more
    line: int = 0


@dataclass(frozen=True, slots=True)
class Record:
    """One adopting act: a resolution, motion, statement or proclamation."""

    id: str
    jurisdiction: str  # Jurisdiction.id
    body: str
    date: PartialDate
    kinds: tuple[Kind, ...]
    title: str
    summary: str
    sources: tuple[Source, ...]
    alternative_dates: tuple[AlternativeDate, ...] = ()
    date_note: str | None = None
    vote: Vote | None = None
    sponsor: str | None = None
    reference: str | None = None  # bill or resolution number, e.g. "AJR 32"
    notes: str | None = None
    body_aliases: tuple[str, ...] = ()  # e.g. "French Senate", "Sénat", and the glossary's names
    body_names: Names = ()  # the body's name per language, from the best glossary entry
    line: int = 0

    def body_in(self, language: str) -> str | None:
        """The adopting body's name in ``language`` (from ``body_names:``), or None."""
        return name_in(self.body_names, language)

    @property
    def disputed(self) -> bool:
        """True when sources disagree on the date."""
        return bool(self.alternative_dates)


@dataclass(frozen=True, slots=True)
class Event:
    """A dated event of Artsakh's history, on one day or over a span."""

    id: str
    title: str
    date: PartialDate
    summary: str
    sources: tuple[Source, ...]
    end: PartialDate | None = None
    date_note: str | None = None
    notes: str | None = None
    line: int = 0

    def covers(self, day: dt.date) -> bool:
        """True when ``day`` falls within the event's date or span."""
        last = (self.end or self.date).last_day()
        return self.date.first_day() <= day <= last


@dataclass(frozen=True, slots=True)
class NonAct:
    """Something people ask about that never happened (a bill never adopted, a state that never acted)."""

    id: str
    names: tuple[str, ...]  # what people type; found like jurisdiction names
    title: str
    explanation: str
    sources: tuple[Source, ...]
    date: PartialDate | None = None  # e.g. the day a bill was introduced
    line: int = 0


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """The dataset's version and methodology, for /about."""

    version: str
    methodology: str
    sources_note: str = ""


@dataclass(frozen=True, slots=True)
class Dataset:
    """One validated, immutable dataset. Built only by the loader."""

    info: DatasetInfo
    countries: tuple[Country, ...]
    jurisdictions: tuple[Jurisdiction, ...]
    records: tuple[Record, ...]
    events: tuple[Event, ...]
    ambiguous_names: tuple[AmbiguousName, ...] = ()
    non_acts: tuple[NonAct, ...] = ()
    body_names: tuple[BodyName, ...] = ()
    _country_by_id: dict[str, Country] = field(default_factory=dict, repr=False, compare=False)
    _jurisdiction_by_id: dict[str, Jurisdiction] = field(default_factory=dict, repr=False, compare=False)
    _record_by_id: dict[str, Record] = field(default_factory=dict, repr=False, compare=False)
    _event_by_id: dict[str, Event] = field(default_factory=dict, repr=False, compare=False)
    # Worked out from the countries and jurisdictions unless given (a reload whose countries and
    # jurisdictions are those of the data in use gives theirs: :mod:`bot.core.incremental`); only
    # the names that differ from the place's own name are kept (most places need none).
    _display_by_id: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _non_act_by_id: dict[str, NonAct] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._country_by_id.update({c.id: c for c in self.countries})
        self._jurisdiction_by_id.update({j.id: j for j in self.jurisdictions})
        self._record_by_id.update({r.id: r for r in self.records})
        self._event_by_id.update({e.id: e for e in self.events})
        given = dict(self._display_by_id)
        self._display_by_id.clear()
        by_id = self._jurisdiction_by_id
        for jid, shown in (given or display_names(self.countries, self.jurisdictions)).items():
            place = by_id.get(jid)
            if place is None or shown != place.name:
                self._display_by_id[jid] = shown
        self._non_act_by_id.update({n.id: n for n in self.non_acts})

    def country(self, country_id: str) -> Country:
        """The country with this id (KeyError if unknown)."""
        return self._country_by_id[country_id]

    def jurisdiction(self, jurisdiction_id: str) -> Jurisdiction:
        """The jurisdiction with this id (KeyError if unknown)."""
        return self._jurisdiction_by_id[jurisdiction_id]

    def record(self, record_id: str) -> Record | None:
        """The record with this id, or None."""
        return self._record_by_id.get(record_id)

    def event(self, event_id: str) -> Event | None:
        """The event with this id, or None."""
        return self._event_by_id.get(event_id)

    def display_name(self, jurisdiction_id: str) -> str:
        """The name that says which place: "Georgia (US state)", "Valence, France" (:func:`display_names`).

        The jurisdiction's own name when no other place shares it; its id when unknown.
        """
        shown = self._display_by_id.get(jurisdiction_id)
        if shown is not None:
            return shown
        place = self._jurisdiction_by_id.get(jurisdiction_id)
        return place.name if place is not None else jurisdiction_id

    def non_act(self, non_act_id: str) -> NonAct | None:
        """The non-act with this id, or None."""
        return self._non_act_by_id.get(non_act_id)

    def records_of(self, jurisdiction_id: str) -> tuple[Record, ...]:
        """Every record of one jurisdiction, newest first."""
        return newest_first(r for r in self.records if r.jurisdiction == jurisdiction_id)


def _country_short(country: Country) -> str | None:
    """A country's shortest all-capitals alias of two or three letters ("US"), or None."""
    shorts = [a for a in (country.name, *country.aliases) if 2 <= len(a) <= 3 and a.isalpha() and a.isupper()]
    return min(shorts, key=len) if shorts else None


def _qualified(place: Jurisdiction, country: Country | None) -> str:
    """The place's name with where it is: "Georgia (US state)", "X (region of Spain)", "Valence, France"."""
    if country is None:
        return f"{place.name} ({place.level.value})"
    if place.level in (Level.CITY, Level.COUNTY):
        return f"{place.name}, {country.name}"
    short = _country_short(country)
    if short is not None:
        return f"{place.name} ({short} {place.level.value})"
    return f"{place.name} ({place.level.value} of {country.name})"


def display_names(countries: Iterable[Country], jurisdictions: Iterable[Jurisdiction]) -> dict[str, str]:
    """Each jurisdiction's display name, by id: its name, or its name with where it is.

    A name is qualified when it is also the name or an alias of another country ("Georgia"
    the US state), or the name of another jurisdiction (a city in two countries gets its
    country beside it: "Valence, France"). An alias that is the name with a qualifier in
    brackets ("Georgia (US state)") is the data's own choice and wins.
    """
    countries = tuple(countries)
    places = tuple(jurisdictions)
    by_id = {c.id: c for c in countries}
    country_names: dict[str, set[str]] = {}
    for country in countries:
        for name in (country.name, *country.aliases):
            country_names.setdefault(normalize(name), set()).add(country.id)
    norms = [normalize(place.name) for place in places]  # each name folded once
    place_names: dict[str, list[Jurisdiction]] = {}
    for place, norm in zip(places, norms, strict=True):
        place_names.setdefault(norm, []).append(place)
    shown: dict[str, str] = {}
    for place, norm in zip(places, norms, strict=True):
        own = next((a for a in place.aliases if a.startswith(f"{place.name} (") and a.endswith(")")), None)
        if own is not None:
            shown[place.id] = own
        elif country_names.get(norm, set()) - {place.country} or len(place_names[norm]) > 1:
            shown[place.id] = _qualified(place, by_id.get(place.country))
        else:
            shown[place.id] = place.name
    # Two places of one country with one name ("Glendale" in two states): the level and country.
    place_by_id = {p.id: p for p in places}
    same: dict[str, list[str]] = {}
    for pid, text in shown.items():
        same.setdefault(text, []).append(pid)
    for ids in same.values():
        for pid in ids if len(ids) > 1 else ():
            place = place_by_id[pid]
            home = by_id.get(place.country)
            where = f", {home.name}" if home is not None else ""
            shown[pid] = f"{place.name} ({place.level.value}{where})"
    return shown


def newest_first(records: Iterable[Record]) -> tuple[Record, ...]:
    """Records sorted newest first, by their latest possible day, then by id for stability."""
    items = list(records)
    items.sort(key=lambda r: (r.date.last_day(), r.id), reverse=True)
    return tuple(items)
