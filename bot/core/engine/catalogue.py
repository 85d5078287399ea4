"""/timeline, /list, /stats and /about: the dataset as a whole, filtered or counted."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from bot.core.answers import Answer, Field, Status
from bot.core.engine.common import (
    MAX_CANDIDATES,
    ambiguous,
    answered_once,
    clean_query,
    count_line,
    invalid,
    never_raise,
    not_a_year,
    overview,
    years_backwards,
    years_text,
)
from bot.core.engine.date_index import event_last
from bot.core.engine.indexes import COUNTRY_PREFIX, Indexes
from bot.core.engine.words import parse_kind, parse_level
from bot.core.i18n import DEFAULT, N_, _, current, ngettext
from bot.core.model import Kind, Level
from bot.core.normalize import normalize
from bot.core.present import date_text

# The levels as /list and /stats say them (lower case, in a sentence).
LEVEL_WORDS: dict[Level, str] = {
    Level.SUPRANATIONAL: N_("supranational"),
    Level.NATIONAL: N_("national"),
    Level.STATE: N_("state"),
    Level.REGION: N_("region"),
    Level.COUNTY: N_("county"),
    Level.CITY: N_("city"),
}
UNKNOWN_LEVEL = N_("Unknown level '{value}'. Use one of: {allowed}.")
UNKNOWN_KIND = N_("Unknown kind '{value}'. Use one of: {allowed}.")


def _paragraphs(text: str) -> list[str]:
    """Paragraphs of a text block: split at blank lines when it has any, else at each line."""
    parts = text.split("\n\n") if "\n\n" in text.strip() else text.splitlines()
    return [" ".join(p.split()) for p in parts if p.strip()]


class Catalogue:
    """Answers /timeline, /list, /stats and /about; stats and about are worked out once."""

    def __init__(self, ix: Indexes) -> None:
        self._ix = ix
        self._answers: dict[str, Answer] = {}  # the answers that never change (stats, about)

    @never_raise("timeline")
    def timeline(self, from_year: int | None = None, to_year: int | None = None) -> Answer:
        """The timeline's events, optionally between two years (inclusive), oldest first."""
        shown = " ".join(str(y) for y in (from_year, to_year) if y is not None)
        for year in (from_year, to_year):
            if year is not None and not 1 <= year <= 9999:
                return invalid("timeline", shown, not_a_year(year))
        if from_year is not None and to_year is not None and from_year > to_year:
            return invalid("timeline", shown, years_backwards(from_year, to_year))
        start = dt.date(from_year, 1, 1) if from_year is not None else dt.date.min
        end = dt.date(to_year, 12, 31) if to_year is not None else dt.date.max
        events = sorted(
            (e for e in self._ix.dataset.events if e.date.first_day() <= end and event_last(e) >= start),
            key=lambda e: (e.date.first_day(), e.id),
        )
        span = years_text(from_year, to_year)
        count = len(events)
        found = ngettext("{count} event, oldest first.", "{count} events, oldest first.", count)
        return self._ix.listing(
            "timeline",
            shown,
            _("Timeline: {years}").format(years=span) if span else _("Timeline"),
            events,
            found=found.format(count=count),
            empty=_("No events {years}.").format(years=span) if span else _("No events in the timeline."),
            matched=span or None,
        )

    @never_raise("list")
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
                return invalid("list", shown, error)
            if text:
                cleaned[name] = text
        wanted_level = parse_level(cleaned["level"]) if "level" in cleaned else None
        wanted_kind = parse_kind(cleaned["kind"]) if "kind" in cleaned else None
        choices = (("level", wanted_level, tuple(Level)), ("kind", wanted_kind, tuple(Kind)))
        for name, wanted, options in choices:
            if name in cleaned and wanted is None:
                allowed = ", ".join(option.value for option in options)
                template = UNKNOWN_LEVEL if name == "level" else UNKNOWN_KIND
                unknown = _(template)
                return invalid("list", shown, unknown.format(value=cleaned[name], allowed=allowed))
        country_id: str | None = None
        read_as = ""
        if "country" in cleaned:
            found = self._find_country(cleaned["country"], shown)
            if isinstance(found, Answer):
                return found
            country_id, read_as = found
        records = [
            r
            for r, place_level, place_country in self._ix.newest_filed
            if (wanted_level is None or place_level is wanted_level)
            and (wanted_kind is None or wanted_kind in r.kinds)
            and (country_id is None or place_country == country_id)
        ]
        filters = [
            f
            for f in (
                _(LEVEL_WORDS[wanted_level]) if wanted_level else "",
                self._ix.country_shown(country_id) if country_id else "",
                _(wanted_kind.plain) if wanted_kind else "",
            )
            if f
        ]
        return self._ix.listing(
            "list",
            shown,
            _("Records: {filters}").format(filters=" · ".join(filters)) if filters else _("All records"),
            records,
            found=" ".join(filter(None, (read_as, count_line(len(records))))),
            empty=_("No records match {filters}.").format(filters=", ".join(filters))
            + (f" {read_as}" if read_as else ""),
            matched=" · ".join(filters) or None,
        )

    def _find_country(self, text: str, shown: str) -> tuple[str, str] | Answer:
        """A country id and a "read as" note, or an answer explaining why not."""
        folded = text.casefold().removeprefix(COUNTRY_PREFIX)
        if folded in self._ix.country_ids:
            return self._ix.country_ids[folded], ""
        result = self._ix.country_names.lookup(text)
        if result.status in ("exact", "fuzzy") and result.hits:
            country_id = result.hits[0].key
            name = self._ix.country_shown(country_id)
            same = normalize(text) in (normalize(name), normalize(self._ix.country_name(country_id)))
            note = "" if same else _("Showing {name} for '{query}'.").format(name=name, query=text)
            return country_id, note
        if result.status == "ambiguous" and result.hits:
            candidates = (self._ix.country_candidate(h.key) for h in result.hits[:MAX_CANDIDATES])
            message = _("'{query}' could mean several countries:").format(query=text)
            return ambiguous("list", shown, message, candidates, name=text)
        suggestions = tuple(self._ix.country_candidate(h.key) for h in result.suggestions[:5])
        return Answer(
            command="list",
            query=shown,
            status=Status.NOT_FOUND,
            title=_("Unknown country"),
            message=_("No country matches '{query}'.").format(query=text)
            + (" " + _("Did you mean:") if suggestions else ""),
            candidates=suggestions,
            lines=() if suggestions else (_("The dataset has no record from a country by that name."),),
        )

    @answered_once("stats")
    def stats(self) -> Answer:
        """Counts by level, kind, country and year."""
        ds = self._ix.dataset
        levels = Counter(self._ix.level_of(r) for r in ds.records)
        kinds = Counter(k for r in ds.records for k in r.kinds)
        countries = Counter(self._ix.country_id_of(r) for r in ds.records)
        years = Counter(r.date.year for r in ds.records)
        places = {r.jurisdiction for r in ds.records}
        country = self._ix.country_shown
        fields = (
            Field(_("Records"), str(len(ds.records))),
            Field(_("Events"), str(len(ds.events))),
            Field(_("Places"), str(len(places))),
            Field(_("Countries"), str(len(countries))),
            Field(
                _("By level"),
                "\n".join(f"{_(LEVEL_WORDS[lv])}: {levels[lv]}" for lv in Level if levels[lv]),
                False,
            ),
            Field(_("By kind"), "\n".join(f"{_(k.plain)}: {kinds[k]}" for k in Kind if kinds[k]), False),
            Field(
                _("By country"),
                "\n".join(
                    f"{country(c)}: {n}"
                    for c, n in sorted(countries.items(), key=lambda p: (-p[1], country(p[0])))
                ),
                False,
            ),
            Field(_("By year"), "\n".join(f"{y}: {years[y]}" for y in sorted(years)), False),
        )
        message = _("{records} {places} {countries}, and {events}.").format(
            records=ngettext("{count} record", "{count} records", len(ds.records)).format(
                count=len(ds.records)
            ),
            places=ngettext("from {count} place", "from {count} places", len(places)).format(
                count=len(places)
            ),
            countries=ngettext("in {count} country", "in {count} countries", len(countries)).format(
                count=len(countries)
            ),
            events=ngettext("{count} timeline event", "{count} timeline events", len(ds.events)).format(
                count=len(ds.events)
            ),
        )
        lines = [_("A record can have several kinds, so the kind counts add up to more than the total.")]
        return overview("stats", _("Dataset statistics"), message, fields, lines)

    @answered_once("about")
    def about(self) -> Answer:
        """The dataset version, counts, methodology and where the sources are."""
        ds = self._ix.dataset
        urls = {s.url for r in ds.records for s in r.sources} | {s.url for e in ds.events for s in e.sources}
        lines = _paragraphs(ds.info.methodology)
        if ds.info.sources_note:
            lines.extend(_paragraphs(ds.info.sources_note))
        else:
            lines.append(_("Every record and event lists its public sources, shown with each answer."))
        if lines and current() != DEFAULT:
            lines.insert(0, "*" + _("The methodology is the dataset's own, in English.") + "*")
        latest = max((r.date.last_day() for r in ds.records), default=None)
        links = ngettext("{count} distinct link", "{count} distinct links", len(urls)).format(count=len(urls))
        fields = [
            Field(_("Dataset version"), ds.info.version),
            Field(_("Records"), str(len(ds.records))),
            Field(_("Events"), str(len(ds.events))),
            Field(_("Places"), str(len(ds.jurisdictions))),
            Field(_("Countries"), str(len(ds.countries))),
            Field(_("Sources"), links),
        ]
        if latest is not None:
            newest = max(ds.records, key=lambda r: (r.date.last_day(), r.id))
            fields.append(Field(_("Latest record"), date_text(newest.date)))
        version = ds.info.version
        message = _(
            "Resolutions and statements on Artsakh (Nagorno-Karabakh), dataset version {version}."
        ).format(version=version)
        return overview("about", _("About this bot"), message, fields, lines)
