"""/jurisdiction: which place, country or body a typed name means, and its records.

Exact keys and names first, then the fuzzy name index; a name shared by several places is
"ambiguous" unless one of them contains the others; words that only name a kind of body
("state senate") are never guessed into one body.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.answers import Answer, Status
from bot.core.engine.common import (
    EMPTY_MESSAGES,
    MAX_CANDIDATES,
    ambiguous,
    clean_query,
    count_line,
    invalid,
    never_raise,
    nothing_found,
)
from bot.core.engine.indexes import Indexes, Target
from bot.core.i18n import _
from bot.core.model import newest_first
from bot.core.normalize import normalize

# Words that name a kind of body, not a place: a query made only of these is never guessed.
_GENERIC_WORDS = """
    the of and city town municipal municipality council councils state states senate house houses
    assembly assemblies representatives representative board supervisors regional region national
    parliament parliaments legislature legislative chamber chambers committee county upper lower
    general federal foreign affairs minister ministry speaker department departmental deputies
    congress commission government local provincial juntas junta generales departamental
"""
GENERIC_BODY_WORDS = frozenset(_GENERIC_WORDS.split())


class Places:
    """Answers /jurisdiction from the shared name index."""

    def __init__(self, ix: Indexes) -> None:
        self._ix = ix

    @never_raise("jurisdiction")
    def jurisdiction(self, text: str) -> Answer:
        """Records of a place, country or body, as the name was typed (fuzzy), newest first."""
        query, error = clean_query(text)
        if error or not query:
            return invalid("jurisdiction", text, error or EMPTY_MESSAGES["jurisdiction"])
        exact = self._ix.exact_key(query)
        if exact is not None:
            return self._target_answer(query, self._ix.resolve_key(exact), exact=True)
        named = self._ix.non_acts_named(query)  # "texas", "us congress": acts that never happened
        words = normalize(query).split()
        if words and all(word in GENERIC_BODY_WORDS for word in words):
            answer = self._generic_body_answer(query, words)
            if named and answer.status is Status.NOT_FOUND:
                return self._ix.non_act_answer("jurisdiction", query, named)
            return self._ix.mention_non_acts(answer, named)
        result = self._ix.names.lookup(query)
        hits = self._ix.dedupe_hits(result.hits)
        non_acts = list(dict.fromkeys([*named, *self._ix.non_acts_of(result.hits)]))
        if non_acts and not hits:
            # Never a near name instead: the explanation, privately like any "not found".
            return self._ix.non_act_answer("jurisdiction", query, non_acts)
        if result.status in ("exact", "fuzzy") and hits:
            answer = self._target_answer(query, hits[0], exact=result.status == "exact")
            return self._ix.mention_non_acts(answer, non_acts)
        if result.status == "ambiguous" and hits:
            winner = self._superset(hits)
            if winner is not None:
                answer = self._target_answer(query, winner, exact=all(h.exact for h in result.hits))
            else:
                answer = self._several_places(query, hits)
            return self._ix.mention_non_acts(answer, non_acts)
        suggestions = self._ix.dedupe_hits(result.suggestions)
        lines = (
            ()
            if suggestions
            else (_("The dataset has no record for that name. Try /list to see every place with a record."),)
        )
        message = _("Nothing matches '{query}'.").format(query=query)
        if suggestions:
            did_you_mean = _("Did you mean:")
            message = f"{message} {did_you_mean}"
        candidates = (self._ix.candidate(t) for t in suggestions[:5])
        return nothing_found("jurisdiction", query, message, lines, candidates)

    def _generic_body_answer(self, query: str, words: Sequence[str]) -> Answer:
        """A query made only of words like "state senate" or "city council": every body that has them.

        Such words name no place, so a fuzzy match on one body would be a confident guess.
        """
        wanted = set(words) - {"of", "the", "and"}
        bodies = self._ix.bodies  # "the": every body; most records first, as every list is kept
        if wanted:
            fewest = min((self._ix.bodies_by_word.get(word, []) for word in wanted), key=len)
            bodies = [t for t in fewest if wanted <= t.words]
        if len(bodies) == 1:
            return self._target_answer(query, bodies[0], exact=False)
        if bodies:
            more = len(bodies) - MAX_CANDIDATES
            and_more = _("…and {count} more; add the place, like 'California {query}'.")
            lines = (and_more.format(count=more, query=query),) if more > 0 else ()
            return self._several_places(query, bodies, lines)
        hint = (_("Add the place, like 'California Senate' or 'French Senate'."),)
        return nothing_found("jurisdiction", query, _("Nothing matches '{query}'.").format(query=query), hint)

    def _several_places(self, query: str, targets: Sequence[Target], lines: tuple[str, ...] = ()) -> Answer:
        candidates = (self._ix.candidate(t) for t in targets[:MAX_CANDIDATES])
        message = _("'{query}' could mean several places:").format(query=query)
        return ambiguous("jurisdiction", query, message, candidates, lines)

    def _superset(self, targets: Sequence[Target]) -> Target | None:
        """One target standing for all of ``targets``, or None.

        That is the one containing the others (a country over its own body), or, when all
        are bodies of one place ("Massachusetts House"), those bodies together.
        """
        if len(targets) == 1:
            return targets[0]
        for target in targets:
            if all(target.contains(other) for other in targets):
                return target
        places = {t.members for t in targets}
        if len(places) == 1 and all(t.kind == "body" for t in targets):
            jid = next(iter(next(iter(places))))
            place = self._ix.dataset.display_name(jid)
            bodies = "; ".join(t.label.split(" — ", 1)[-1] for t in targets)
            records = newest_first({r for t in targets for r in t.records})
            return Target(
                key=jid,
                kind="body",
                label=f"{place} — {bodies}",
                description=f"{len(targets)} bodies",
                members=frozenset({jid}),
                records=records,
                level=targets[0].level,
                country=targets[0].country,
            )
        return None

    def _target_answer(self, query: str, target: Target, *, exact: bool) -> Answer:
        name = self._ix.target_label(target)
        read_as = normalize(query) in (normalize(target.label), normalize(name)) or query == target.key
        message = count_line(len(target.records))
        if not read_as or not exact:
            showing = _("Showing {name} for '{query}'.").format(name=name, query=query)
            message = f"{showing} {message}"
        return self._ix.listing(
            "jurisdiction",
            query,
            name,
            target.records,
            found=message,
            empty=_("The dataset has no record for {name}.").format(name=name),
            matched=name,
        )
