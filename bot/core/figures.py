"""What the pictures show, as plain data: the map's places, the acts per year, the timeline's spans.

The core decides what is drawn (which places, their strongest kind and count, which countries
have a national act, the regions and their bounds); an adapter (``bot/pictures``) only draws it.
Everything here is frozen and made of tuples, so it can be cached, compared and sent to a
rendering process.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core.i18n import DEFAULT, N_, current
from bot.core.model import Dataset, Event, Kind, Level, Precision, Record
from bot.core.present import event_span


class Mark(StrEnum):
    """The strongest kind of a place's acts, as the map colours it (weakest last)."""

    RECOGNITION = "recognition"
    CALL = "call-for-recognition"
    SELF_DETERMINATION = "self-determination"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The legend's words."""
        return MARK_LABELS[self]


# In English, marked for the catalogs: the pictures and answers say ``_(label)``.
MARK_LABELS: dict[Mark, str] = {
    Mark.RECOGNITION: N_("Recognition"),
    Mark.CALL: N_("Call for recognition"),
    Mark.SELF_DETERMINATION: N_("Self-determination"),
    Mark.OTHER: N_("Condemnation, statement"),
}
_MARK_OF_KIND: dict[Kind, Mark] = {
    Kind.RECOGNITION: Mark.RECOGNITION,
    Kind.CALL_FOR_RECOGNITION: Mark.CALL,
    Kind.SELF_DETERMINATION: Mark.SELF_DETERMINATION,
}
_ORDER = tuple(Mark)


def strongest(kinds: Iterable[Kind]) -> Mark:
    """The strongest mark among ``kinds``: recognition, then call, then self-determination, else other."""
    marks = {_MARK_OF_KIND.get(k, Mark.OTHER) for k in kinds}
    return min(marks, key=_ORDER.index, default=Mark.OTHER)


@dataclass(frozen=True, slots=True)
class Region:
    """A part of the world a map can show: its bounds in degrees."""

    key: str
    label: str
    west: float
    east: float
    south: float
    north: float

    def holds(self, lat: float, lon: float) -> bool:
        """True when the point lies within the bounds."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north


WORLD = Region("world", N_("World"), -180.0, 180.0, -57.0, 84.0)
EUROPE = Region("europe", N_("Europe"), -12.0, 50.0, 34.0, 62.0)
REGIONS: dict[str, Region] = {
    r.key: r
    for r in (
        WORLD,
        EUROPE,
        Region("north-america", N_("North America"), -170.0, -50.0, 14.0, 72.0),
        Region("south-america", N_("South America"), -93.0, -30.0, -57.0, 14.0),
        Region("oceania", N_("Oceania"), 105.0, 180.0, -50.0, 0.0),
    )
}


@dataclass(frozen=True, slots=True)
class MapPlace:
    """One marker: a place with acts, where it is, its strongest kind and how many acts."""

    id: str
    name: str
    lat: float
    lon: float
    mark: Mark
    count: int


@dataclass(frozen=True, slots=True)
class MapData:
    """Everything /map draws."""

    title: str
    filters: str  # "Recognition · 2020–2023 · Europe", or "All acts · World"
    version: str
    region: Region
    inset: Region | None  # the world map's inset (Europe), None when zoomed
    places: tuple[MapPlace, ...]  # largest first, so small markers are drawn on top
    shaded: tuple[str, ...]  # country ids with a national act in the filter
    records: int
    countries: int
    unplaced: tuple[str, ...] = ()  # places with acts but no location (not drawn)
    language: str = DEFAULT  # the language the picture's words are in (the renderer says them so)


@dataclass(frozen=True, slots=True)
class YearCounts:
    """Acts per year by strongest kind, for the /stats chart."""

    title: str
    version: str
    years: tuple[int, ...]  # every year from the first to the last, including empty ones
    counts: tuple[tuple[Mark, tuple[int, ...]], ...]  # per mark, one count per year
    total: int
    language: str = DEFAULT


@dataclass(frozen=True, slots=True)
class Span:
    """One timeline event: a day (a tick), a span (a bar), or a date known only to the month or year."""

    id: str
    title: str
    start: dt.date
    end: dt.date  # the last day; equal to start for a day
    form: str  # "day", "span" or "vague" (known only to the month or year: the whole period is drawn)
    label: str  # the date as shown: "2 September 1991", "1992–1994", "May 1994"


@dataclass(frozen=True, slots=True)
class TimelineData:
    """Everything the /timeline picture draws, oldest first."""

    title: str
    version: str
    spans: tuple[Span, ...]
    language: str = DEFAULT


PictureData = MapData | YearCounts | TimelineData
FILE_NAMES: dict[type, str] = {MapData: "map.png", YearCounts: "stats.png", TimelineData: "timeline.png"}


def file_name(data: PictureData) -> str:
    """The attachment name for a picture of ``data``: map.png, stats.png or timeline.png."""
    return FILE_NAMES[type(data)]


# The pictures' titles, in English, marked for the catalogs: the renderer says them in ``language``.
YEAR_COUNTS_TITLE = N_("Acts on Artsakh per year")
MAP_TITLE = N_("Where acts on Artsakh were adopted")


def timeline_data(title: str, version: str, events: Sequence[Event]) -> TimelineData:
    """The timeline's events as ticks and bars, oldest first, in the language in use (its dates too)."""
    spans: list[Span] = []
    for e in events:
        last = (e.end or e.date).last_day()
        if e.end is not None:
            form = "span"
        elif e.date.precision is Precision.DAY:
            form = "day"
        else:
            form = "vague"
        spans.append(Span(e.id, e.title, e.date.first_day(), last, form, event_span(e)))
    spans.sort(key=lambda s: (s.start, s.id))
    return TimelineData(title, version, tuple(spans), current())


def year_counts(dataset: Dataset) -> YearCounts:
    """Every record counted once, in the year it was adopted, under its strongest kind."""
    per: dict[Mark, Counter[int]] = {m: Counter() for m in Mark}
    for record in dataset.records:
        per[strongest(record.kinds)][record.date.year] += 1
    years_seen = [r.date.year for r in dataset.records]
    years = tuple(range(min(years_seen), max(years_seen) + 1)) if years_seen else ()
    counts = tuple((m, tuple(per[m][y] for y in years)) for m in Mark if sum(per[m].values()))
    return YearCounts(YEAR_COUNTS_TITLE, dataset.info.version, years, counts, len(dataset.records))


def map_data(
    dataset: Dataset, records: Sequence[Record], region: Region, filters: str
) -> MapData:
    """The markers and shaded countries for ``records`` (already filtered) on ``region``."""
    language = current()
    by_place: dict[str, list[Record]] = {}
    for record in records:
        by_place.setdefault(record.jurisdiction, []).append(record)
    places: list[MapPlace] = []
    unplaced: list[str] = []
    shaded: set[str] = set()
    countries: set[str] = set()
    for jid, acts in by_place.items():
        place = dataset.jurisdiction(jid)
        countries.add(place.country)
        if place.level is Level.NATIONAL:
            shaded.add(place.country)
        name = place.name_in(language) or place.name if language != DEFAULT else place.name
        if place.location is None:
            unplaced.append(name)
            continue
        lat, lon = place.location
        mark = strongest(k for r in acts for k in r.kinds)
        places.append(MapPlace(jid, name, lat, lon, mark, len(acts)))
    places.sort(key=lambda p: (-p.count, p.id))
    return MapData(
        title=MAP_TITLE,
        filters=filters,
        version=dataset.info.version,
        region=region,
        inset=EUROPE if region == WORLD else None,
        places=tuple(places),
        shaded=tuple(sorted(shaded)),
        records=len(records),
        countries=len(countries),
        unplaced=tuple(sorted(unplaced)),
        language=language,
    )
