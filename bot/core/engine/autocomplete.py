"""Autocomplete: suggestions for the place, record and country options, from the shared indexes.

Each suggestion's value is accepted exactly by the command it completes; its label is in the
language in use (the suggestions for blank text are worked out once per language).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence

from bot.core.answers import Candidate
from bot.core.engine.common import MAX_SUGGESTIONS, clean_query, never_raise_list, prefix_first
from bot.core.engine.indexes import Indexes, Target
from bot.core.i18n import DEFAULT, current
from bot.core.model import Record
from bot.core.normalize import normalize


class Autocomplete:
    """Suggestions for the option fields, at most 25 each."""

    def __init__(self, ix: Indexes) -> None:
        self._ix = ix
        self._localized: dict[tuple[str, str], tuple[Candidate, ...]] = {}  # defaults in other languages
        # Worked out with the indexes (in a reload's worker), not by the first request on the loop.
        self.defaults = (self._default_jurisdictions, self._default_resolutions, self._default_countries)

    def _defaults(self, english: tuple[Candidate, ...], make: Callable[[], tuple[Candidate, ...]]) -> tuple[
        Candidate, ...
    ]:
        """The suggestions for blank text in the language in use (English ones made with the indexes)."""
        language = current()
        if language == DEFAULT:
            return english
        key = (make.__name__, language)
        found = self._localized.get(key)
        if found is None:
            found = self._localized[key] = make()
        return found

    def _suggest(
        self,
        text: str,
        limit: int,
        defaults: Sequence[Candidate],
        search: Callable[[str, int], Iterable[Candidate]],
    ) -> list[Candidate]:
        """At most ``limit`` (1..25) suggestions: ``defaults`` for blank text, else ``search``.

        Text that is too long or has control characters gets no suggestions.
        """
        limit = max(1, min(limit, MAX_SUGGESTIONS))
        query, error = clean_query(text)
        if error:
            return []
        if not query:
            return list(defaults[:limit])
        return list(search(query, limit))[:limit]

    @never_raise_list
    def jurisdictions(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
        """Autocomplete for /jurisdiction: each value is accepted exactly by :meth:`jurisdiction`."""
        defaults = self._defaults(self._default_jurisdictions, self._top_jurisdictions)
        return self._suggest(text, limit, defaults, self._search_jurisdictions)

    @functools.cached_property
    def _default_jurisdictions(self) -> tuple[Candidate, ...]:
        return self._top_jurisdictions()

    def _top_jurisdictions(self) -> tuple[Candidate, ...]:
        """Countries, then the places with the most records."""
        return tuple(self._ix.candidate(t) for t in self._ix.top_places(MAX_SUGGESTIONS))

    def _search_jurisdictions(self, query: str, limit: int) -> list[Candidate]:
        targets: list[Target] = []
        exact = self._ix.exact_key(query)
        if exact is not None:
            targets.append(self._ix.resolve_key(exact))
        completed = self._ix.names.complete(query, limit=limit * 2)
        targets.extend(self._ix.dedupe_hits(completed, drop_contained=False))
        unique = list({t.key: t for t in targets}.values())
        shown = [self._ix.candidate(t) for t in prefix_first(unique, query, self._ix.folded_label)[:limit]]
        # Acts that never happened ("Texas", "H.Res.1203") after the places: picking one explains it.
        non_acts = self._ix.non_acts_of(completed)
        return shown + [self._ix.non_act_candidate(n) for n in non_acts[: max(0, limit - len(shown))]]

    @never_raise_list
    def resolutions(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
        """Autocomplete for /resolution: each value is a record id."""
        defaults = self._defaults(self._default_resolutions, self._newest_resolutions)
        return self._suggest(text, limit, defaults, self._search_resolutions)

    @functools.cached_property
    def _default_resolutions(self) -> tuple[Candidate, ...]:
        return self._newest_resolutions()

    def _newest_resolutions(self) -> tuple[Candidate, ...]:
        return tuple(self._record_candidate(r) for r in self._ix.newest[:MAX_SUGGESTIONS])

    def _search_resolutions(self, query: str, limit: int) -> list[Candidate]:
        records: list[Record] = []
        exact = self._ix.record_ids.get(query.casefold())
        if exact is not None:
            records.append(exact)
        for hit in self._ix.texts.complete(query, limit=limit * 2):
            record = self._ix.dataset.record(hit.key)
            if record is not None:
                records.append(record)
        return [self._record_candidate(r) for r in list(dict.fromkeys(records))[:limit]]

    def _record_candidate(self, record: Record) -> Candidate:
        return Candidate(label=self._ix.record_choice(record), value=record.id)

    @never_raise_list
    def countries(self, text: str, limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
        """Autocomplete for a country option: each value is a country id."""
        defaults = self._defaults(self._default_countries, self._top_countries)
        return self._suggest(text, limit, defaults, self._search_countries)

    @functools.cached_property
    def _default_countries(self) -> tuple[Candidate, ...]:
        return self._top_countries()

    def _top_countries(self) -> tuple[Candidate, ...]:
        ids = sorted(
            self._ix.country_ids.values(),
            key=lambda c: (-len(self._ix.records_by_country.get(c, ())), self._ix.country_name(c)),
        )
        return tuple(self._ix.country_candidate(c) for c in ids[:MAX_SUGGESTIONS])

    def _search_countries(self, query: str, limit: int) -> list[Candidate]:
        ids = []
        folded = query.casefold()
        if folded in self._ix.country_ids:
            ids.append(self._ix.country_ids[folded])
        ids.extend(h.key for h in self._ix.country_names.complete(query, limit=limit * 2))
        ids = prefix_first(list(dict.fromkeys(ids)), query, lambda c: normalize(self._ix.country_name(c)))
        return [self._ix.country_candidate(c) for c in ids[:limit]]
