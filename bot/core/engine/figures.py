"""/map and the data behind the pictures: records filtered by kind, years and region.

The /map answer is the same kind of listing as /list (newest first), and the picture's data
(:mod:`bot.core.figures`) is worked out from exactly the records that answer lists.
"""

from __future__ import annotations

import dataclasses

from bot.core.answers import Answer
from bot.core.engine.catalogue import UNKNOWN_KIND
from bot.core.engine.common import count_line, invalid, never_raise, not_a_year, years_backwards, years_text
from bot.core.engine.indexes import Indexes
from bot.core.engine.words import parse_kind
from bot.core.figures import (
    REGIONS,
    WORLD,
    MapData,
    Region,
    TimelineData,
    YearCounts,
    map_data,
    timeline_data,
)
from bot.core.figures import year_counts as count_years
from bot.core.i18n import _, current, ngettext
from bot.core.model import Kind, Record


def parse_region(text: str | None) -> Region | None:
    """A region from its key or label (English or the language in use), any case, spaces or dashes.

    "north america", "Europa", "Европа"; None if unknown.
    """
    if not text or not text.strip():
        return WORLD

    def key(words: str) -> str:
        return "-".join(words.strip().casefold().replace("_", " ").replace("-", " ").split())

    typed = key(text)
    return REGIONS.get(typed) or next((r for r in REGIONS.values() if key(_(r.label)) == typed), None)


class Figures:
    """Answers /map and provides the pictures' data; the year counts are worked out once."""

    def __init__(self, ix: Indexes) -> None:
        self._ix = ix
        self._years: YearCounts | None = None

    def _select(
        self, kind: str | None, from_year: int | None, to_year: int | None, region: str | None
    ) -> tuple[list[Record], Region, str] | Answer:
        """The records newest first, the region and the filter words; or an INVALID answer."""
        shown = " ".join(
            f"{k}={v}"
            for k, v in (("kind", kind), ("from", from_year), ("to", to_year), ("region", region))
            if v not in (None, "")
        )
        wanted: Kind | None = None
        if kind and kind.strip():
            wanted = parse_kind(kind)
            if wanted is None:
                allowed = ", ".join(k.value for k in Kind)
                return invalid("map", shown, _(UNKNOWN_KIND).format(value=kind.strip(), allowed=allowed))
        for year in (from_year, to_year):
            if year is not None and not 1 <= year <= 9999:
                return invalid("map", shown, not_a_year(year))
        if from_year is not None and to_year is not None and from_year > to_year:
            return invalid("map", shown, years_backwards(from_year, to_year))
        area = parse_region(region)
        if area is None:
            allowed = ", ".join(_(r.label) for r in REGIONS.values())
            unknown = _("Unknown region '{value}'. Use one of: {allowed}.")
            return invalid("map", shown, unknown.format(value=(region or "").strip(), allowed=allowed))
        dataset = self._ix.dataset
        records: list[Record] = []
        for record, _level, _country in self._ix.newest_filed:
            if wanted is not None and wanted not in record.kinds:
                continue
            if from_year is not None and record.date.year < from_year:
                continue
            if to_year is not None and record.date.year > to_year:
                continue
            if area != WORLD:
                location = dataset.jurisdiction(record.jurisdiction).location
                if location is None or not area.holds(*location):
                    continue
            records.append(record)
        words = [
            _(wanted.label) if wanted else _("All acts"),
            *([years_text(from_year, to_year)] if from_year or to_year else []),
            _(area.label),
        ]
        return records, area, " · ".join(words)

    @never_raise("map")
    def map(
        self,
        kind: str | None = None,
        from_year: int | None = None,
        to_year: int | None = None,
        region: str | None = None,
    ) -> Answer:
        """The records the map shows, newest first, as /list lists them."""
        selected = self._select(kind, from_year, to_year, region)
        if isinstance(selected, Answer):
            return selected
        records, _area, filters = selected
        shown = " ".join(str(v) for v in (kind, from_year, to_year, region) if v not in (None, ""))
        places = len({r.jurisdiction for r in records})
        return self._ix.listing(
            "map",
            shown,
            _("Map: {filters}").format(filters=filters),
            records,
            found=ngettext("{count} place.", "{count} places.", places).format(count=places)
            + f" {count_line(len(records))}",
            empty=_("No records match {filters}.").format(filters=filters),
            matched=filters,
        )

    def map_data(
        self,
        kind: str | None = None,
        from_year: int | None = None,
        to_year: int | None = None,
        region: str | None = None,
    ) -> MapData | None:
        """What the map draws for these filters; None when they are invalid or match nothing."""
        selected = self._select(kind, from_year, to_year, region)
        if isinstance(selected, Answer) or not selected[0]:
            return None
        records, area, filters = selected
        return map_data(self._ix.dataset, records, area, filters)

    def year_counts(self) -> YearCounts:
        """Acts per year by strongest kind (worked out once per dataset), for the language in use."""
        if self._years is None:
            self._years = count_years(self._ix.dataset)
        return dataclasses.replace(self._years, language=current())

    def timeline_data(self, answer: Answer) -> TimelineData | None:
        """The timeline picture of a /timeline answer's events; None when it has none."""
        if not answer.ok or not answer.events:
            return None
        return timeline_data(answer.title, self._ix.dataset.info.version, answer.events)
