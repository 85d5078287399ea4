"""/resolution: records found by a record id or by free words (the text index)."""

from __future__ import annotations

from bot.core.answers import Answer
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
from bot.core.model import Kind, NonAct
from bot.core.present import record_heading


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
        hits, total = self._ix.texts.search_all(asked) if asked.strip() else ([], 0)
        for form in () if hits else latin_spellings(asked):  # "Глендейл": its Latin forms, in turn
            hits, total = self._ix.texts.search_all(form)
            if hits:
                break
        if not hits and asked != query and not kinds:
            hits, total = self._ix.texts.search_all(query)
        non_acts = self._non_acts(query)
        if non_acts:  # "H.Res.1203", "texas": only records with every word, then why it never happened
            hits = [h for h in hits if h.exact]
        records = [r for r in (self._ix.dataset.record(h.key) for h in hits) if r is not None]
        records = list({r.id: r for r in records}.values())  # once each (by id: hashing a record is slow)
        if kinds and not asked.strip():  # only kind words ("recognition"): every record of the kind
            records = [r for r in self._ix.newest if kinds & set(r.kinds)]
            total = len(records)
        elif kinds:  # the kind the words name first, otherwise by relevance
            records.sort(key=lambda r: not kinds & set(r.kinds))
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
            records,
            found=_found(len(records), total, query, kinds, by_kind_only=bool(kinds) and not asked),
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
