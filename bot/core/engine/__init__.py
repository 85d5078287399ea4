"""The query engine: answers every command from one immutable dataset.

A :class:`QueryEngine` builds its name, text and date indexes once (:mod:`.indexes`); a
reload builds a new engine and swaps it in. Each kind of question has its own module,
all sharing those indexes:

- :mod:`.places`: /jurisdiction (places, countries and their bodies);
- :mod:`.search`: /resolution (free-text search and record ids);
- :mod:`.dates`: /date, /onthisday and /upcoming (dates and anniversaries);
- :mod:`.catalogue`: /timeline, /list, /stats and /about;
- :mod:`.figures`: /map, and the data the pictures draw (map, acts per year, timeline);
- :mod:`.autocomplete`: suggestions for the option fields.

What never changes for a dataset is worked out once and kept: the default suggestions with
the indexes (in a reload's worker, not by the first request), stats, about and each record's
entry on first use. Every public method returns an
:class:`~bot.core.answers.Answer` (or a list of candidates) and never raises.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from bot.core.answers import Answer, Candidate
from bot.core.engine.common import MAX_QUERY_LENGTH, MAX_SUGGESTIONS, clean_query
from bot.core.engine.indexes import Indexes
from bot.core.engine.words import ordinal, parse_kind, parse_level
from bot.core.model import Dataset

if TYPE_CHECKING:
    from bot.core.engine.autocomplete import Autocomplete
    from bot.core.engine.catalogue import Catalogue
    from bot.core.engine.dates import Dates
    from bot.core.engine.figures import Figures
    from bot.core.engine.places import Places
    from bot.core.engine.search import Search
    from bot.core.figures import MapData, TimelineData, YearCounts

__all__ = ["MAX_QUERY_LENGTH", "QueryEngine", "clean_query", "ordinal", "parse_kind", "parse_level"]

# The engine's parts, one per kind of question (see the module docstring).
_PARTS = ("_places", "_search", "_dates", "_catalogue", "_autocomplete", "_figures")


class QueryEngine:
    """Answers every query from one dataset; built once per (re)load."""

    def __init__(self, dataset: Dataset, previous: QueryEngine | None = None, *, eager: bool = True) -> None:
        """The engine of ``dataset``; ``previous`` (the engine in use) lends the indexes it shares.

        With ``eager`` False the text index waits for the first text search: the bot builds
        everything at once (in the reload's worker, never on the event loop); the command line
        answers one question, which seldom searches record texts: each kind of question's part
        (and its module) then comes when first asked.
        """
        ix = Indexes(dataset, previous._ix if previous is not None else None, eager=eager)
        self._ix: Indexes = ix
        self._dataset = dataset
        if eager:  # every part now, with the default suggestions (in a reload's worker, not on the loop)
            for part in _PARTS:
                getattr(self, part)

    # Each part on first use (all at once when the engine is eager).

    @functools.cached_property
    def _places(self) -> Places:
        from bot.core.engine.places import Places  # noqa: PLC0415

        return Places(self._ix)

    @functools.cached_property
    def _search(self) -> Search:
        from bot.core.engine.search import Search  # noqa: PLC0415

        return Search(self._ix)

    @functools.cached_property
    def _dates(self) -> Dates:
        from bot.core.engine.dates import Dates  # noqa: PLC0415

        return Dates(self._ix)

    @functools.cached_property
    def _catalogue(self) -> Catalogue:
        from bot.core.engine.catalogue import Catalogue  # noqa: PLC0415

        return Catalogue(self._ix)

    @functools.cached_property
    def _autocomplete(self) -> Autocomplete:
        from bot.core.engine.autocomplete import Autocomplete  # noqa: PLC0415

        return Autocomplete(self._ix)

    @functools.cached_property
    def _figures(self) -> Figures:
        from bot.core.engine.figures import Figures  # noqa: PLC0415 - the map's regions and outlines

        return Figures(self._ix)

    def successor(self, dataset: Dataset) -> QueryEngine:
        """The engine of ``dataset``, a reload of the data this one answers from (see :meth:`__init__`)."""
        return QueryEngine(dataset, self)

    @property
    def dataset(self) -> Dataset:
        """The dataset this engine answers from."""
        return self._dataset

    def jurisdiction(self, text: str) -> Answer:
        """Records of a place, country or body, as the name was typed (fuzzy), newest first."""
        return self._places.jurisdiction(text)

    def resolution(self, text: str) -> Answer:
        """Records found by free words (title, summary, body, sponsor, reference, vote, notes) or id."""
        return self._search.resolution(text)

    def date(self, text: str, *, today: dt.date) -> Answer:
        """Records and events on a day, month, year or range (precision-aware)."""
        return self._dates.date(text, today=today)

    def on_this_day(self, text: str | None, *, today: dt.date) -> Answer:
        """Anniversaries on a month-day (today's when ``text`` is None or blank), day precision only."""
        return self._dates.on_this_day(text, today=today)

    def upcoming(self, today: dt.date, days: int = 7) -> Answer:
        """Anniversaries in the ``days`` days after ``today`` (not including today)."""
        return self._dates.upcoming(today, days)

    def timeline(self, from_year: int | None = None, to_year: int | None = None) -> Answer:
        """The timeline's events, optionally between two years (inclusive), oldest first."""
        return self._catalogue.timeline(from_year, to_year)

    def list_records(
        self, level: str | None = None, country: str | None = None, kind: str | None = None
    ) -> Answer:
        """Records filtered by level, country (id, name or alias) and kind, newest first."""
        return self._catalogue.list_records(level, country, kind)

    def stats(self) -> Answer:
        """Counts by level, kind, country and year."""
        return self._catalogue.stats()

    def about(self) -> Answer:
        """The dataset version, counts, methodology and where the sources are."""
        return self._catalogue.about()

    def map(
        self,
        kind: str | None = None,
        from_year: int | None = None,
        to_year: int | None = None,
        region: str | None = None,
    ) -> Answer:
        """The records /map shows (by kind, years and region), newest first, as /list lists them."""
        return self._figures.map(kind, from_year, to_year, region)

    def map_data(
        self,
        kind: str | None = None,
        from_year: int | None = None,
        to_year: int | None = None,
        region: str | None = None,
    ) -> MapData | None:
        """What the /map picture draws; None when the filters are invalid or match nothing."""
        return self._figures.map_data(kind, from_year, to_year, region)

    def year_counts(self) -> YearCounts:
        """Acts per year by strongest kind, for the /stats chart."""
        return self._figures.year_counts()

    def timeline_data(self, answer: Answer) -> TimelineData | None:
        """The picture of a /timeline answer's events; None when it has none."""
        return self._figures.timeline_data(answer)

    def suggest_jurisdictions(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
        """Autocomplete for /jurisdiction: each value is accepted exactly by :meth:`jurisdiction`."""
        return self._autocomplete.jurisdictions(text, limit)

    def suggest_resolutions(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
        """Autocomplete for /resolution: each value is a record id."""
        return self._autocomplete.resolutions(text, limit)

    def suggest_countries(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
        """Autocomplete for a country option: each value is a country id."""
        return self._autocomplete.countries(text, limit)
