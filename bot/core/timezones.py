"""The one reader of time zones: what people type (names, cities, countries, typos) → an IANA zone.

Every adapter reads a time zone here: the Discord commands (their transformer and autocomplete),
``ask --tz`` and the configuration's ``daily.default_timezone`` (exact names only).

Tiers, best first: exact (IANA name, alias, city) → prefix → substring → fuzzy (rapidfuzz).
Canonical ``Area/City`` names are suggested; legacy names (``US/Pacific``, ``GB``, ``Europe/Kiev``,
``Etc/UTC``) still resolve, to their canonical zone. Which names are legacy comes from the data
tzdata ships: a link (``L target name`` in ``tzdata.zi``) whose name is no country's zone in
``zone.tab`` is a legacy name for its target.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot.core.i18n import N_, _
from bot.core.text import has_control_characters

MAX_CHOICES = 25
UTC_NAME = "UTC"
EXAMPLE_HINT = N_("Use an IANA name like Asia/Yerevan or a city like Paris.")  # in English: ``_()`` says it

# Shown for empty input, and preferred when ranking ties.
DEFAULT_ZONES: tuple[str, ...] = (
    "Asia/Yerevan",
    "Europe/Paris",
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Moscow",
    "Australia/Sydney",
    "Asia/Beirut",
    "UTC",
    "Asia/Tehran",
    "Europe/Berlin",
    "America/Toronto",
    "Asia/Tbilisi",
    "Europe/Athens",
    "Europe/Istanbul",
    "Asia/Damascus",
    "Asia/Dubai",
    "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "America/Chicago",
    "Europe/Kyiv",
    "Asia/Nicosia",
    "Europe/Stockholm",
)

# What people type → the zone(s) they mean. Several zones make the word ambiguous.
ALIASES: dict[str, tuple[str, ...]] = {
    # Armenia, Artsakh and the diaspora
    "armenia": ("Asia/Yerevan",),
    "artsakh": ("Asia/Yerevan",),
    "stepanakert": ("Asia/Yerevan",),
    "gyumri": ("Asia/Yerevan",),
    "vanadzor": ("Asia/Yerevan",),
    "amt": ("Asia/Yerevan",),
    "glendale": ("America/Los_Angeles",),
    "fresno": ("America/Los_Angeles",),
    "la": ("America/Los_Angeles",),
    "san francisco": ("America/Los_Angeles",),
    "sf": ("America/Los_Angeles",),
    "california": ("America/Los_Angeles",),
    "pacific": ("America/Los_Angeles",),
    "pacific time": ("America/Los_Angeles",),
    "pt": ("America/Los_Angeles",),
    "pst": ("America/Los_Angeles",),
    "pdt": ("America/Los_Angeles",),
    "eastern": ("America/New_York",),
    "eastern time": ("America/New_York",),
    "et": ("America/New_York",),
    "est": ("America/New_York",),
    "edt": ("America/New_York",),
    "nyc": ("America/New_York",),
    "ny": ("America/New_York",),
    "boston": ("America/New_York",),
    "watertown": ("America/New_York",),
    "washington": ("America/New_York",),
    "central": ("America/Chicago",),
    "central time": ("America/Chicago",),
    "cst": ("America/Chicago",),
    "cdt": ("America/Chicago",),
    "mountain": ("America/Denver",),
    "mst": ("America/Denver",),
    "mdt": ("America/Denver",),
    "montreal": ("America/Toronto",),
    "ottawa": ("America/Toronto",),
    "france": ("Europe/Paris",),
    "marseille": ("Europe/Paris",),
    "lyon": ("Europe/Paris",),
    "cet": ("Europe/Paris",),
    "cest": ("Europe/Paris",),
    "russia": ("Europe/Moscow",),
    "msk": ("Europe/Moscow",),
    "lebanon": ("Asia/Beirut",),
    "iran": ("Asia/Tehran",),
    "syria": ("Asia/Damascus",),
    "aleppo": ("Asia/Damascus",),
    "georgia": ("Asia/Tbilisi", "America/New_York"),
    "uk": ("Europe/London",),
    "england": ("Europe/London",),
    "britain": ("Europe/London",),
    "great britain": ("Europe/London",),
    "united kingdom": ("Europe/London",),
    "bst": ("Europe/London",),
    "germany": ("Europe/Berlin",),
    "greece": ("Europe/Athens",),
    "turkey": ("Europe/Istanbul",),
    "cyprus": ("Asia/Nicosia",),
    "egypt": ("Africa/Cairo",),
    "uae": ("Asia/Dubai",),
    "emirates": ("Asia/Dubai",),
    "argentina": ("America/Argentina/Buenos_Aires",),
    "buenos aires": ("America/Argentina/Buenos_Aires",),
    "brazil": ("America/Sao_Paulo",),
    "uruguay": ("America/Montevideo",),
    "belgium": ("Europe/Brussels",),
    "netherlands": ("Europe/Amsterdam",),
    "holland": ("Europe/Amsterdam",),
    "switzerland": ("Europe/Zurich",),
    "geneva": ("Europe/Zurich",),
    "italy": ("Europe/Rome",),
    "spain": ("Europe/Madrid",),
    "sweden": ("Europe/Stockholm",),
    "ukraine": ("Europe/Kyiv",),
    "kiev": ("Europe/Kyiv",),
    "poland": ("Europe/Warsaw",),
    "austria": ("Europe/Vienna",),
    "czechia": ("Europe/Prague",),
    "bulgaria": ("Europe/Sofia",),
    "romania": ("Europe/Bucharest",),
    "israel": ("Asia/Jerusalem",),
    "japan": ("Asia/Tokyo",),
    "china": ("Asia/Shanghai",),
    "india": ("Asia/Kolkata",),
    "ist": ("Asia/Kolkata",),
    "melbourne": ("Australia/Melbourne",),
    "seattle": ("America/Los_Angeles",),
    "san diego": ("America/Los_Angeles",),
    "las vegas": ("America/Los_Angeles",),
    "pasadena": ("America/Los_Angeles",),
    "burbank": ("America/Los_Angeles",),
    "philadelphia": ("America/New_York",),
    "miami": ("America/New_York",),
    "houston": ("America/Chicago",),
    "dallas": ("America/Chicago",),
    "frankfurt": ("Europe/Berlin",),
    "munich": ("Europe/Berlin",),
    "hamburg": ("Europe/Berlin",),
    "milan": ("Europe/Rome",),
    "venice": ("Europe/Rome",),
    "barcelona": ("Europe/Madrid",),
    "manchester": ("Europe/London",),
    "st petersburg": ("Europe/Moscow",),
    "saint petersburg": ("Europe/Moscow",),
    "krasnodar": ("Europe/Moscow",),
    "sochi": ("Europe/Moscow",),
    "rostov": ("Europe/Moscow",),
    "tabriz": ("Asia/Tehran",),
    "isfahan": ("Asia/Tehran",),
    "anjar": ("Asia/Beirut",),
    "latakia": ("Asia/Damascus",),
    "thessaloniki": ("Europe/Athens",),
    "kessab": ("Asia/Damascus",),
    "aest": ("Australia/Sydney",),
    "aedt": ("Australia/Sydney",),
    "hst": ("Pacific/Honolulu",),
    "akst": ("America/Anchorage",),
    "akdt": ("America/Anchorage",),
    "ast": ("America/Halifax",),
    "adt": ("America/Halifax",),
    "eet": ("Europe/Athens",),
    "eest": ("Europe/Athens",),
    "wet": ("Europe/Lisbon",),
    "usa": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "us": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "united states": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "canada": ("America/Toronto", "America/Vancouver", "America/Winnipeg", "America/Halifax"),
    "australia": ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth"),
    "utc": ("UTC",),
    "gmt": ("UTC",),
    "z": ("UTC",),
    "zulu": ("UTC",),
}

_UTC_ZONES = frozenset({"Etc/UTC", "Etc/GMT"})  # shown as plain "UTC"


CONTROL_MESSAGE = N_("A time zone cannot contain control characters.")


class TimeZoneError(ValueError):
    """What was typed names no time zone, or several; ``str()`` says what to type instead.

    ``unknown`` is True when nothing matched at all (rather than several zones).
    """

    def __init__(self, message: str, *, unknown: bool = False) -> None:
        super().__init__(message)
        self.unknown = unknown


def _tzdata_text(name: str) -> str:
    """A file of tzdata's (``tzdata.zi``, ``zone.tab``): the tzdata package's, else the system's."""
    try:
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        pass
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


@cache
def legacy_names() -> dict[str, str]:
    """Legacy zone name → the zone to use, from tzdata's own link lines (``US/Pacific`` → LA).

    A link named by ``zone.tab`` (``Europe/Amsterdam``, now a link to Brussels) is a country's
    zone and stays itself; ``Etc/UTC``, ``Etc/GMT`` and their links become ``UTC``.
    """
    countries = {
        line.split("\t")[2]
        for line in _tzdata_text("zone.tab").splitlines()
        if line and not line.startswith("#") and line.count("\t") >= 2
    }
    legacy = dict.fromkeys(_UTC_ZONES, UTC_NAME)
    for line in _tzdata_text("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L" and parts[2] not in countries:
            target, name = parts[1], parts[2]
            legacy[name] = UTC_NAME if target in _UTC_ZONES else target
    legacy.pop(UTC_NAME, None)
    return legacy


_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian"}
    | {"Pacific"}
)
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules", "leapseconds", "leap-seconds.list"})
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?")
_FUZZY_CUTOFF = 72.0  # rapidfuzz ratio for suggestions
_RESOLVE_CUTOFF = 80.0  # stricter, for accepting a typo as the answer


def _norm(text: str) -> str:
    """Lowercase; underscores, dashes and runs of spaces become one space; trim around slashes."""
    text = text.strip().lower().replace("_", " ").replace("-", " ")
    text = re.sub(r"\s*/\s*", "/", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str  # normalised: a full name, a city, or an alias
    words: tuple[str, ...]
    zones: tuple[str, ...]
    alias_only: bool  # only an alias (not part of an IANA name): matched by prefix from 3 letters


@dataclass(frozen=True, slots=True)
class _Index:
    canonical: tuple[str, ...]  # suggested names, sorted
    by_name: dict[str, str]  # normalised name (any, legacy too) → the zone to use
    keys: dict[str, _Entry]
    key_list: tuple[str, ...]
    rank: dict[str, int]  # zone → preference (lower first)


@cache
def _index() -> _Index:
    """Build the lookup tables once, on first use."""
    legacy = legacy_names()
    names = {n for n in zoneinfo.available_timezones() if n not in _NOT_ZONES}
    canonical = sorted(n for n in names if n == UTC_NAME or (n.split("/")[0] in _AREAS and n not in legacy))
    by_name: dict[str, str] = {}
    for name in sorted(names):
        by_name[_norm(name)] = legacy.get(name, name)
    for name in canonical:  # a canonical spelling always wins over a legacy one
        by_name[_norm(name)] = name
    zones_by_key: dict[str, list[str]] = {}
    name_keys: set[str] = set()

    def add(key: str, zone: str) -> None:
        zones = zones_by_key.setdefault(key, [])
        if zone not in zones:
            zones.append(zone)

    for name in canonical:
        parts = _norm(name).split("/")
        for key in {"/".join(parts), parts[-1], "/".join(parts[1:])}:
            add(key, name)
            name_keys.add(key)
    for alias, zones in ALIASES.items():
        for zone in zones:
            add(_norm(alias), zone)
    keys = {
        key: _Entry(key, tuple(key.replace("/", " ").split()), tuple(zones), key not in name_keys)
        for key, zones in zones_by_key.items()
    }
    return _Index(
        canonical=tuple(canonical),
        by_name=by_name,
        keys=keys,
        key_list=tuple(keys),
        rank={zone: i for i, zone in enumerate(DEFAULT_ZONES)},
    )


@cache
def _zone(name: str) -> ZoneInfo:
    """A ZoneInfo kept alive (zoneinfo's own strong cache holds only a few)."""
    return ZoneInfo(name)


def parse_utc_offset(text: str) -> dt.timedelta | None:
    """``UTC+4``, ``gmt-03:00``, ``+0530`` → the offset; None if ``text`` is not an offset."""
    match = _OFFSET.fullmatch(" ".join(text.strip().lower().split()))
    if match is None:
        return None
    hours, minutes = int(match[2]), int(match[3] or 0)
    if minutes > 59 or hours > 14:
        return None
    delta = dt.timedelta(hours=hours, minutes=minutes)
    return -delta if match[1] == "-" else delta


def _fixed_offset_zone(offset: dt.timedelta) -> str | None:
    """The ``Etc/GMT∓N`` zone for a whole-hour offset (UTC for zero); None if there is none."""
    seconds = int(offset.total_seconds())
    if seconds % 3600 or not -12 * 3600 <= seconds <= 14 * 3600:
        return None
    hours = seconds // 3600
    if hours == 0:
        return UTC_NAME
    return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"  # POSIX signs are inverted


def _sort_key(zone: str, index: _Index) -> tuple[int, int, str]:
    return (index.rank.get(zone, len(index.rank)), len(zone), zone)


def _ranked(text: str, index: _Index, now: dt.datetime | None) -> list[str]:
    """Zones matching ``text``, best first, without duplicates."""
    query = _norm(text)[:100]
    tiers: list[list[str]] = [[], [], [], []]
    offset = parse_utc_offset(text)
    if offset is not None:
        fixed = _fixed_offset_zone(offset)
        if fixed is not None:
            tiers[0].append(fixed)
        if now is not None:  # zones at that offset right now
            tiers[1].extend(z for z in index.canonical if now.astimezone(_zone(z)).utcoffset() == offset)
        return _merge(tiers, index)
    exact = None if query in ALIASES else index.by_name.get(query)  # "est": New York, as resolve reads it
    if exact is not None:
        tiers[0].append(exact)
    if query in index.keys:
        tiers[0].extend(index.keys[query].zones)
    for entry in index.keys.values():
        if entry.alias_only and len(query) < 3:
            continue
        if entry.key.startswith(query) or any(w.startswith(query) for w in entry.words):
            tiers[1].extend(entry.zones)
        elif len(query) >= 3 and query in entry.key:
            tiers[2].extend(entry.zones)
    if len(query) >= 3 and not (tiers[0] or tiers[1]):  # typos: only when nothing matches as typed
        for key, _, _ in process.extract(
            query, index.key_list, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=None
        ):
            tiers[3].extend(index.keys[key].zones)
    if not any(tiers):
        tiers[3].extend(_word_zones(query, index))
    return _merge(tiers, index)


def _word_zones(query: str, index: _Index) -> list[str]:
    """Zones named exactly by the words of a several-word query ("yerevan armenia")."""
    found: list[str] = []
    for word in query.replace("/", " ").split():
        entry = index.keys.get(word) if len(word) >= 3 else None
        if entry is not None:
            found.extend(z for z in entry.zones if z not in found)
    return found


def _merge(tiers: list[list[str]], index: _Index) -> list[str]:
    """Concatenate tiers (the first as is, the rest by preference), dropping repeats."""
    seen: set[str] = set()
    out: list[str] = []
    for number, tier in enumerate(tiers):
        ordered = tier if number == 0 else sorted(tier, key=lambda z: _sort_key(z, index))
        for zone in ordered:
            if zone not in seen:
                seen.add(zone)
                out.append(zone)
    return out


def _offset_text(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def utc_offset_label(zone: str, now: dt.datetime) -> str:
    """``UTC+04:00``: the offset of ``zone`` at the aware instant ``now``."""
    return _offset_text(now.astimezone(_zone(zone)).utcoffset() or dt.timedelta(0))


def zone_label(zone: str, now: dt.datetime | None = None) -> str:
    """How a zone is shown in a choice: ``Asia/Yerevan (UTC+04:00)``; just the name without ``now``."""
    if now is None or zone == UTC_NAME:
        return zone
    return f"{zone} ({utc_offset_label(zone, now)})"


def suggest_timezones(
    text: str, limit: int = MAX_CHOICES, *, now: dt.datetime | None = None
) -> list[tuple[str, str]]:
    """Autocomplete choices ``(label, IANA name)`` for ``text``: at most ``limit`` (≤ 25), best first.

    Labels carry the UTC offset at ``now`` when it is given (and an offset like ``UTC+4`` then
    also lists the zones at that offset). Empty input gives common zones.
    """
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise ValueError("now must be timezone-aware")
    limit = max(0, min(limit, MAX_CHOICES))
    zones = list(DEFAULT_ZONES) if not _norm(text) else _ranked(text, _index(), now)
    return [(zone_label(zone, now), zone) for zone in zones[:limit]]


def resolve_timezone(text: str, *, exact: bool = False) -> ZoneInfo:
    """The time zone ``text`` names, or TimeZoneError with a short message saying what to type.

    Accepts IANA names in any case (legacy ones map to their canonical zone), cities (spaces
    or underscores), common country and abbreviation aliases, whole-hour ``UTC+4`` offsets,
    and, unless ``exact``, a prefix or a small typo when one zone clearly wins.
    """
    if has_control_characters(text):
        raise TimeZoneError(_(CONTROL_MESSAGE))
    query = _norm(text)[:100]
    shown = " ".join(text.split())[:40]
    if not query:
        raise TimeZoneError(_("Type a time zone. {hint}").format(hint=_(EXAMPLE_HINT)))
    index = _index()
    # The table's words first: "EST" is the Eastern time people mean (New York, with daylight
    # saving), not tzdata's legacy fixed EST zone (now a link to America/Panama).
    found = None if query in ALIASES else index.by_name.get(query)
    if found is not None:
        return _zone(found)
    entry = index.keys.get(query)
    if entry is not None:
        if len(entry.zones) == 1:
            return _zone(entry.zones[0])
        several = _("“{text}” has several time zones: {zones}. Pick one.")
        raise TimeZoneError(several.format(text=shown, zones=", ".join(entry.zones)))
    offset = parse_utc_offset(text)
    if offset is not None:
        fixed = _fixed_offset_zone(offset)
        if fixed is not None:
            return _zone(fixed)
        raise TimeZoneError(
            _("There is no fixed {offset} zone. Pick a city instead. {hint}").format(
                offset=_offset_text(offset), hint=_(EXAMPLE_HINT)
            )
        )
    close = [] if exact else _close_matches(query, index) or _word_zones(query, index)
    if len(close) == 1:
        return _zone(close[0])
    if close:
        more = "…" if len(close) > 5 else ""
        could = _("“{text}” could be {zones}. Pick one.")
        raise TimeZoneError(could.format(text=shown, zones=", ".join(close[:5]) + more))
    unknown = _("I don't know the time zone “{text}”. {hint}")
    raise TimeZoneError(unknown.format(text=shown, hint=_(EXAMPLE_HINT)), unknown=True)


def _close_matches(query: str, index: _Index) -> list[str]:
    """Zones a 3+ letter ``query`` starts, or else is a close typo of (best scores only)."""
    if len(query) < 3:
        return []
    prefixed = {z for key, entry in index.keys.items() if key.startswith(query) for z in entry.zones}
    if prefixed:
        return sorted(prefixed, key=lambda z: _sort_key(z, index))
    scored: dict[str, float] = {}
    for key, score, _index in process.extract(
        query, index.key_list, scorer=fuzz.ratio, score_cutoff=_RESOLVE_CUTOFF, limit=None
    ):
        for zone in index.keys[key].zones:
            scored[zone] = max(scored.get(zone, 0.0), score)
    if not scored:
        return []
    best = max(scored.values())
    return sorted((z for z, s in scored.items() if s >= best - 5), key=lambda z: _sort_key(z, index))
