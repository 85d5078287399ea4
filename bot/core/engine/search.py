"""/resolution: records found by a record id or by free words (the text index)."""

from __future__ import annotations

from bot.core.answers import Answer
from bot.core.engine.common import (
    EMPTY_MESSAGES,
    MAX_SEARCH_RESULTS,
    clean_query,
    invalid,
    never_raise,
    nothing_found,
)
from bot.core.engine.indexes import Indexes
from bot.core.matching import latin_spellings
from bot.core.model import NonAct
from bot.core.present import record_heading
from bot.core.text import plural


class Search:
    """Answers /resolution from the shared text index."""

    def __init__(self, ix: Indexes) -> None:
        self._ix = ix

    @never_raise("resolution")
    def resolution(self, text: str) -> Answer:
        """Records found by free words (title, summary, body, sponsor, reference, vote, notes) or id."""
        query, error = clean_query(text)
        if error or not query:
            return invalid("resolution", text, error or EMPTY_MESSAGES["resolution"])
        record = self._ix.record_ids.get(query.casefold())
        if record is not None:
            title = record_heading(record, self._ix.dataset)
            found = f"Record {record.id}."
            return self._ix.listing("resolution", query, title, (record,), found=found, matched=record.id)
        hits = self._ix.texts.search(query, limit=MAX_SEARCH_RESULTS)
        for form in () if hits else latin_spellings(query):  # "Глендейл": its Latin forms, in turn
            hits = self._ix.texts.search(form, limit=MAX_SEARCH_RESULTS)
            if hits:
                break
        non_acts = self._non_acts(query)
        if non_acts:  # "H.Res.1203", "texas": only records with every word, then why it never happened
            hits = [h for h in hits if h.exact]
        records = [r for r in (self._ix.dataset.record(h.key) for h in hits) if r is not None]
        records = list(dict.fromkeys(records))
        if not records and non_acts:
            return self._ix.non_act_answer("resolution", query, non_acts)
        if not records:
            hint = ("Try fewer or different words, a place name, or /date.",)
            return nothing_found("resolution", query, f"No record matches '{query}'.", hint)
        answer = self._ix.listing(
            "resolution",
            query,
            f"Records matching '{query}'",
            records,
            found=f"{plural(len(records), 'record')} for '{query}', best match first.",
            matched=query,
        )
        return self._ix.mention_non_acts(answer, non_acts)

    def _non_acts(self, query: str) -> list[NonAct]:
        """Acts that never happened named exactly by the query (as typed, or in its Latin form)."""
        named = self._ix.non_acts_named(query)
        if named:
            return named
        result = self._ix.names.lookup(query)
        return self._ix.non_acts_of(result.hits) if result.status == "exact" else []
