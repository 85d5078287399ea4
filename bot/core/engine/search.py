"""/resolution: records found by a record id or by free words (the text index)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.answers import Answer, Lazy
from bot.core.engine.common import (
    EMPTY_MESSAGES,
    clean_query,
    invalid,
    never_raise,
    nothing_found,
)
from bot.core.engine.indexes import Indexes
from bot.core.engine.words import QUESTION_WORDS, kind_words
from bot.core.i18n import _, ngettext
from bot.core.matching import latin_spellings
from bot.core.matching.text import STOPWORDS
from bot.core.model import Kind, NonAct, Record
from bot.core.present import record_heading

if TYPE_CHECKING:
    from bot.core.matching.ranking import Ranking


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
            found = _("Record {id}.").format(id=record.id)
            return self._ix.listing("resolution", query, title, (record,), found=found, matched=record.id)
        kinds, rest = kind_words(query)
        if kinds or _is_question(rest):  # the words that say which records, without the question's
            asked = " ".join(w for w in rest if w not in QUESTION_WORDS and w not in STOPWORDS)
        else:
            asked = query
        texts = self._ix.texts
        searched = asked
        ranking = texts.rank_all(asked) if asked.strip() else None
        for form in () if ranking is not None else latin_spellings(asked):  # "Глендейл": its Latin forms
            searched, ranking = form, texts.rank_all(form)
            if ranking is not None:
                break
        if ranking is None and asked != query and not kinds:
            searched, ranking = query, texts.rank_all(query)
        non_acts = self._non_acts(query)
        if ranking is not None and non_acts:  # "H.Res.1203", "texas": records with every word, then
            ranking = ranking.only(ranking.mask(texts.with_every_word(searched)))  # why it never happened
        records: Sequence[Record] = ()
        total = 0
        if kinds and not asked.strip():  # only kind words ("recognition"): every record of the kind
            records = self._ix.newest_of_kinds(kinds)
            total = len(records)
        elif ranking is not None:
            if kinds:  # the kind the words name first, otherwise by relevance
                ranking = ranking.first(ranking.mask(self._ix.docs_of_kinds(kinds)))
            records = _records(self._ix.dataset.records, ranking)
            total = ranking.total
        if not records and non_acts:
            return self._ix.non_act_answer("resolution", query, non_acts)
        if not records:
            hint = (_("Try fewer or different words, a place name, or /date."),)
            nothing = _("No record matches '{query}'.").format(query=query)
            return nothing_found("resolution", query, nothing, hint)
        answer = self._ix.listing(
            "resolution",
            query,
            _("Records matching '{query}'").format(query=query),
            records if isinstance(records, Lazy) else _lazy(records),
            found=_found(len(records), total, query, kinds, by_kind_only=bool(kinds) and not asked),
            matched=query,
        )
        return self._ix.mention_non_acts(answer, non_acts)

    def _non_acts(self, query: str) -> list[NonAct]:
        """Acts that never happened named exactly by the query (as typed, or in its Latin form)."""
        named = self._ix.non_acts_named(query)
        if named:
            return named
        return self._ix.non_acts_of(self._ix.names.exact_hits(query))


def _lazy(records: Sequence[Record]) -> Lazy[Record]:
    return Lazy(len(records), lambda start, stop: records[start:stop])


def _records(records: Sequence[Record], ranking: Ranking) -> Lazy[Record]:
    """The ranked records, put in order a page at a time (the text index's documents are the records)."""
    return Lazy(len(ranking), lambda start, stop: [records[doc] for doc in ranking.docs(start, stop)])


def _is_question(words: list[str]) -> bool:
    """True for a question ("did france …", "which cities …"): its question words are left out."""
    return bool(words) and words[0] in QUESTION_WORDS


def _found(shown: int, total: int, query: str, kinds: set[Kind], *, by_kind_only: bool) -> str:
    """``12 records for 'x', best match first.`` or ``Top 8 of 40 records for 'x', …`` where it cuts."""
    named = _(" and ").join(sorted(_(k.plain) for k in kinds))
    if by_kind_only:
        if shown > 1:
            text = ngettext(
                "{count} record of {kinds} for '{query}', newest first.",
                "{count} records of {kinds} for '{query}', newest first.",
                shown,
            )
        else:
            text = _("1 record of {kinds} for '{query}'.")
        return text.format(count=shown, kinds=named, query=query)
    if total > shown:
        if kinds:
            text = ngettext(
                "Top {count} of {total} record for '{query}', best match first, those of {kinds} first.",
                "Top {count} of {total} records for '{query}', best match first, those of {kinds} first.",
                total,
            )
        else:
            text = ngettext(
                "Top {count} of {total} record for '{query}', best match first.",
                "Top {count} of {total} records for '{query}', best match first.",
                total,
            )
    elif shown == 1:
        text = _("1 record for '{query}'.")
    elif kinds:
        text = ngettext(
            "{count} record for '{query}', best match first, those of {kinds} first.",
            "{count} records for '{query}', best match first, those of {kinds} first.",
            shown,
        )
    else:
        text = ngettext(
            "{count} record for '{query}', best match first.",
            "{count} records for '{query}', best match first.",
            shown,
        )
    return text.format(count=shown, total=total, kinds=named, query=query)
