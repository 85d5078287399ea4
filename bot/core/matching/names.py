"""Fuzzy name lookup and autocomplete: which place, country or body a typed name means.

:class:`NameIndex` answers "which place (or body) did the user mean?" in tiers:

1. exact: the normalized query equals a normalized name or alias (several keys
   sharing it, like "LA", make the answer "ambiguous");
2. near-exact: it equals a name without its designator ("Basque" for "Basque
   Country", "Fresno" for "City of Fresno"), or the query without filler words
   ("State of California") equals a name;
3. fuzzy: rapidfuzz (``fuzz.ratio`` on pre-normalized strings, ``processor=None``,
   an explicit ``score_cutoff``) scores a small candidate set. A winner needs a
   length-aware score (see :func:`lookup_cutoff`) and must beat the runner-up by
   more than ``MARGIN``; otherwise the close ones are "ambiguous", or the answer
   is "none" with up to five suggestions.

Never a confident wrong answer: one to three letters match only exactly; four
to six letters allow one missing or extra letter but not a changed one ("mainz"
is not Maine, "hawai" is Hawaii; four letters must also keep the first one:
"itly" is Italy); one swap of neighbouring letters is allowed ("itlay"). A fuzzy
winner yields to names that contain the query as whole words ("senate" is one
letter from "Sénat" but also part of "California State Senate"). Decided on
purpose: "mishigan" (one changed letter in eight) reads as Michigan.

Speed at 100,000 names comes from never scoring every name: a dict answers the
exact tiers; two sorted arrays (whole names and word starts) with bisect and a
precomputed top list for crowded prefixes answer prefix completion; and two
inverted indexes pick at most about a thousand fuzzy candidates, rarest lists
first (character trigrams, and "deletion keys" of the first five letters of each
word, which catch one typo near the start of a word). Only those candidates go to
``rapidfuzz.process.extract``. Indexes are immutable once built, so one index can
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import marshal
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter, ne
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, LCSseq, Levenshtein

from bot.core.collector import collector_paused
from bot.core.matching.hit import COMPLETE_MAX, LABEL_MAX, Hit, clip_label
from bot.core.matching.name_tables import build_tables, deletion_keys, rank_order, text_order
from bot.core.matching.scripts import latin_spellings
from bot.core.normalize import normalize

log = logging.getLogger(__name__)

MAX_AMBIGUOUS = 10
MAX_SUGGESTIONS = 5

# Scores given to the non-fuzzy tiers (Hit.score is 0..100).
SCORE_EXACT = 100.0
SCORE_NEAR = 95.0  # a name without its designator, or the query without filler words
SCORE_PREFIX = 95.0  # autocomplete: a whole name starts with the typed text
SCORE_WORD_PREFIX = 90.0  # autocomplete: a later word of a name starts with it
SCORE_FUZZY_MAX = 89.0  # autocomplete: typo-tolerant matches rank below prefixes
SCORE_CONTAINED = 70.0  # a name inside the query, or the query's words inside a name
SCORE_SWAP = 90.0  # a name two neighbouring letters of which the query swapped
SCORE_RIVALS_YIELD = 95.0  # a fuzzy winner scoring less than this yields to names containing the query
SCORE_PREFIX_SUGGESTION = 60.0  # a suggestion that the query is the start of

MARGIN = 5.0  # a fuzzy winner must beat the runner-up by more than this
SUGGEST_CUTOFF = 70.0
SUGGEST_CUTOFF_SHORT = 75.0  # for queries of three or four letters

LOOKUP_BUDGET = 1000  # candidate names scored by rapidfuzz for one lookup, at most
COMPLETE_BUDGET = 250  # candidate (name, word start) pairs for one autocomplete, at most
_FUZZY_KEEP = 60  # best-scoring names kept from each rapidfuzz pass
_LATIN_MIN_LETTERS = 4  # shorter Latin forms would meet abbreviations ("ME", "LA"), never a name


# Designators that may be dropped from a name to form a near-exact variant.
_LEADING_DESIGNATORS = frozenset(
    {"city", "county", "state", "republic", "province", "region", "department", "commonwealth",
     "kingdom", "principality", "municipality", "town", "village"}
)
_TRAILING_DESIGNATORS = frozenset(
    {"county", "country", "region", "province", "department", "district", "oblast", "prefecture",
     "canton", "municipality", "governorate", "borough"}
)
# Words a query may add around a name without changing what it means.
_QUERY_FILLERS = frozenset({"the", "of", "state", "country", "republic"})

Status = Literal["exact", "fuzzy", "ambiguous", "none"]


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One thing a name can mean: a jurisdiction, a country or a body."""

    key: str  # a stable id chosen by the caller (e.g. "j:california")
    label: str  # what people see, <= 100 chars
    names: tuple[str, ...]  # the canonical name first, then aliases
    rank: float = 0.0  # tie-breaker and order of default lists (higher first)




@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome of :meth:`NameIndex.lookup`."""

    status: Status
    hits: tuple[Hit, ...]  # exact/fuzzy: the single winner; ambiguous: 2..10 candidates, best first
    suggestions: tuple[Hit, ...] = ()  # for "none": up to 5 reasonable nearest names, best first


_NO_MATCH = MatchResult("none", (), ())




def _grams(text: str, *, partial: bool) -> set[str]:
    """Character trigrams of a normalized string, padded with spaces (no end pad when partial)."""
    padded = f" {text}" if partial else f" {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _present(lists: Iterable[memoryview | None]) -> list[memoryview]:
    """The posting lists found (:meth:`Postings.get` gives None for a key no choice has)."""
    return [ids for ids in lists if ids is not None]


def _word_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == " "]


def _letters(text: str) -> int:
    return len(text) - text.count(" ")


def lookup_cutoff(letters: int) -> float | None:
    """The fuzzy score a lookup needs to win, by query length; None: no fuzzy winner at all."""
    if letters <= 3:
        return None
    if letters <= 6:  # four letters: also the same first letter (see lookup)
        return 88.0  # one missing or extra letter at most ("mainz" is not Maine)
    if letters <= 9:
        return 84.0
    return 80.0


# Whether strip_designators could change a name (a cheap test): a leading designator or "the"
# as its first word, or a trailing designator as its last one.
_STRIPPABLE = re.compile(
    f"(?:{'|'.join(sorted(_LEADING_DESIGNATORS | {'the'}))}) "
    f"|.* (?:{'|'.join(sorted(_TRAILING_DESIGNATORS))})\\Z"
)


def strip_designators(norm: str) -> str | None:
    """``city of fresno`` -> ``fresno``, ``basque country`` -> ``basque``; None if nothing to strip."""
    words = norm.split()
    if len(words) >= 2 and words[0] == "the":
        words = words[1:]
    if len(words) >= 3 and words[1] == "of" and words[0] in _LEADING_DESIGNATORS:
        words = words[2:]
    elif len(words) >= 2 and words[-1] in _TRAILING_DESIGNATORS:
        words = words[:-1]
    stripped = " ".join(words)
    if stripped == norm or _letters(stripped) < 4:
        return None
    return stripped


def _strip_fillers(norm: str) -> str | None:
    """``state of california`` -> ``california``; None if the query has no filler words."""
    words = [w for w in norm.split() if w not in _QUERY_FILLERS]
    stripped = " ".join(words)
    if not words or stripped == norm:
        return None
    return stripped


_key_of, _label_of, _names_of, _rank_of = (attrgetter(field) for field in ("key", "label", "names", "rank"))


def entries_digest(entries: Sequence[NameEntry]) -> bytes:
    """A SHA-256 of entries (keys, labels, names, ranks, in order): equal for entries that are."""
    rows = [(e.key, e.label, tuple(e.names), float(e.rank)) for e in entries]
    # marshal's version 2: equal values are written alike (later versions write a value met twice as a
    # reference to the first, so the bytes depended on which strings happened to be one object).
    return hashlib.sha256(marshal.dumps(rows, 2)).digest()


class NameIndex:
    """Exact, fuzzy and prefix lookup over names and aliases (see the module docstring).

    An index never changes once built; :meth:`reusing` keeps one whose entries are the same.
    """

    def __init__(
        self,
        entries: Iterable[NameEntry],
        *,
        digest: bytes | None = None,
        normalized: dict[str, str] | None = None,
    ) -> None:
        """An index of ``entries``.

        ``normalized`` (name -> :func:`normalize` of it) is read and filled as names are folded:
        a caller that folds the same names (the engine's targets) shares the work.
        """
        entries = list(entries)
        #: :func:`entries_digest` of the entries it was built from
        self.digest = digest if digest is not None else entries_digest(entries)
        with collector_paused():
            self._build(entries, {} if normalized is None else normalized)

    @classmethod
    def reusing(
        cls,
        entries: Iterable[NameEntry],
        previous: NameIndex | None,
        *,
        normalized: dict[str, str] | None = None,
    ) -> NameIndex:
        """``previous`` when it was built from the very same entries, else a new index of them."""
        entries = list(entries)
        digest = entries_digest(entries)
        if previous is not None and previous.digest == digest:
            return previous
        return cls(entries, digest=digest, normalized=normalized)

    def _build(self, entries: list[NameEntry], normalized: dict[str, str]) -> None:
        keys = list(map(_key_of, entries))
        if len(set(keys)) == len(keys):
            labels = list(map(_label_of, entries))
            ranks = list(map(_rank_of, entries))
            names: list[Sequence[str]] = list(map(_names_of, entries))
        else:  # the same key twice: one entry with every name, at its best rank
            keys, labels, ranks, names = [], [], [], []
            where: dict[str, int] = {}
            for entry in entries:
                at = where.get(entry.key)
                if at is None:
                    where[entry.key] = len(keys)
                    keys.append(entry.key)
                    labels.append(entry.label)
                    ranks.append(entry.rank)
                    names.append(list(entry.names))
                else:
                    names[at] = [*names[at], *entry.names]
                    ranks[at] = max(ranks[at], entry.rank)
        labels = [label if 0 < len(label) <= LABEL_MAX and label.isprintable()
                  else clip_label(label) or key[:LABEL_MAX] for key, label in zip(keys, labels, strict=True)]
        # Display order: rank (higher first), then label (any case), then key; keys are unique.
        # Labels are printable (so is their folded form: no NUL), so one string sorts by both.
        sort_keys = [f"{label.casefold()}\0{key}" for key, label in zip(keys, labels, strict=True)]
        order = rank_order(text_order(sort_keys), ranks)
        # Entries are renumbered in display order: entry id == its position in default lists.
        self._keys = list(map(keys.__getitem__, order))
        self._labels = list(map(labels.__getitem__, order))
        entry_names = list(map(names.__getitem__, order))

        # Choices: unique normalized strings (names, and designator-less variants), numbered as met.
        choices: list[str] = []
        choice_id: dict[str, int] = {}
        owner_entry: list[int] = []  # first owner of each choice
        owner_name: list[str] = []
        more_owners: dict[int, list[tuple[int, str, bool]]] = {}
        first_real: list[int] = []  # per choice: the first entry owning it as a real name, or -1
        folded, number, may_strip = normalized.get, choice_id.setdefault, _STRIPPABLE.match
        new_choice, new_entry, new_name, new_real = (
            choices.append, owner_entry.append, owner_name.append, first_real.append
        )
        size = 0  # len(choices)
        for entry_id, own_names in enumerate(entry_names):
            own: set[str] = set()  # its forms so far: an entry owns each once
            variants: list[tuple[str, str]] = []
            for name in own_names:
                norm = folded(name)
                if norm is None:
                    norm = normalized[name] = normalize(name)
                if not norm or norm in own:
                    continue
                own.add(norm)
                cid = number(norm, size)
                if cid == size:
                    size += 1
                    new_choice(norm)
                    new_entry(entry_id)
                    new_name(name)
                    new_real(entry_id)
                else:
                    more_owners.setdefault(cid, []).append((entry_id, name, False))
                    if first_real[cid] < 0:
                        first_real[cid] = entry_id
                if " " in norm and may_strip(norm):  # (a designator is a word of a longer name)
                    stripped = strip_designators(norm)
                    if stripped is not None:
                        variants.append((stripped, name))
            for stripped, name in variants:
                if stripped in own:
                    continue
                own.add(stripped)
                cid = number(stripped, size)
                if cid == size:
                    size += 1
                    new_choice(stripped)
                    new_entry(entry_id)
                    new_name(name)
                    new_real(-1)
                else:
                    more_owners.setdefault(cid, []).append((entry_id, name, True))
        self._choices = choices
        self._choice_id = choice_id
        self._owner_entry = array("i", owner_entry)  # C ints: most entry ids are no small int objects
        self._owner_name = owner_name
        # A choice's first owner has it as a variant when no entry before has it as a real name
        # (a byte each, 1 for a variant).
        self._owner_variant = bytes(map(ne, first_real, owner_entry))
        self._more_owners = more_owners

        # Trigrams of every choice; items (each word start of each real name) for prefixes and typos.
        tables = build_tables(choices, first_real)
        self._grams = tables.grams
        self._dkeys = tables.dkeys
        self._item_cid = tables.item_cid
        self._item_pos = tables.item_pos
        self._full = tables.full
        self._words = tables.words
        # Each choice with its words sorted, for words typed in another order (fuzzy lookups).
        # A name whose words are in order already is its own sorted form (not a copy of it).
        self._sorted_forms = [
            c if " " not in c or (form := " ".join(sorted(c.split()))) == c else form for c in choices
        ]
        # The default list: the first entries, each by its first name that is not blank.
        self._default = [
            Hit(key, label, next((n for n in own if n.strip()), key), 0.0, False)
            for key, label, own in zip(self._keys[:COMPLETE_MAX], self._labels, entry_names, strict=False)
        ]
        log.debug("name index: %d keys, %d names, %d word starts",
                  len(self._keys), len(choices), len(self._item_cid))

    # ------------------------------------------------------------------ building helpers

    def _owners(self, cid: int) -> Iterator[tuple[int, str, bool]]:
        """(entry id, name as written, is a variant) for each entry owning a choice, in display order."""
        yield self._owner_entry[cid], self._owner_name[cid], bool(self._owner_variant[cid])
        more = self._more_owners.get(cid)
        if more:
            yield from more

    def _hit(self, entry_id: int, name: str, score: float, *, exact: bool) -> Hit:
        return Hit(self._keys[entry_id], self._labels[entry_id], name, score, exact)

    def _real_hits(self, cid: int, score: float, *, exact: bool = False) -> Iterator[Hit]:
        """A hit for each entry that has choice ``cid`` as a name of its own (not a variant)."""
        for entry_id, name, variant in self._owners(cid):
            if not variant:
                yield self._hit(entry_id, name, score, exact=exact)

    def __len__(self) -> int:
        return len(self._keys)

    # ------------------------------------------------------------------ lookup

    def lookup(self, query: str) -> MatchResult:
        """What ``query`` names: exact, a clear fuzzy winner, ambiguous, or none (with suggestions).

        A name typed in Armenian, Cyrillic or Greek that is no name or alias of its own is
        also looked up in its Latin forms (see :mod:`.scripts`).
        """
        q = normalize(query)
        if not q:
            return _NO_MATCH
        native = self._lookup(q)
        if native.status == "exact" or q.isascii() or (native.hits and all(h.exact for h in native.hits)):
            return native
        latin = [form for form in latin_spellings(query) if _letters(form) >= _LATIN_MIN_LETTERS]
        if not latin:
            return native
        return self._merged([native, *(self._spelled(self._lookup(form)) for form in latin)])

    def exact_hits(self, query: str) -> tuple[Hit, ...]:
        """:meth:`lookup`'s hit when it is "exact" (the query is one entry's own name), else ().

        Without the fuzzy search when the query is no name at all: only a name as typed is exact.
        """
        if self._choice_id.get(normalize(query)) is None:
            return ()
        result = self.lookup(query)
        return result.hits if result.status == "exact" else ()

    @staticmethod
    def _spelled(result: MatchResult) -> MatchResult:
        """The lookup of a Latin form: its exact matches count as near-exact (not typed so)."""
        if result.status == "none":
            return result
        hits = tuple(Hit(h.key, h.label, h.matched, SCORE_NEAR, False) if h.exact else h for h in result.hits)
        return MatchResult("fuzzy" if result.status == "exact" else result.status, hits, ())

    def _merged(self, results: Sequence[MatchResult]) -> MatchResult:
        """One answer from the lookups of several forms of one query, by the same rules.

        The best form decides; any other form whose best hit comes within ``MARGIN`` of it
        adds its hits (so a close second meaning makes the answer ambiguous); with no
        winner, the suggestions of every form, best first.
        """
        decided = [r for r in results if r.status != "none" and r.hits]
        if not decided:
            found: dict[str, Hit] = {}
            for hit in sorted((h for r in results for h in r.suggestions), key=lambda h: -h.score):
                found.setdefault(hit.key, hit)
            return MatchResult("none", (), tuple(list(found.values())[:MAX_SUGGESTIONS]))
        top = max(r.hits[0].score for r in decided)
        kept: dict[str, Hit] = {}
        for result in decided:
            if result.hits[0].score <= top - MARGIN:
                continue
            for hit in result.hits:
                old = kept.get(hit.key)
                if old is None or hit.score > old.score:
                    kept[hit.key] = hit
        return self._decided(sorted(kept.values(), key=lambda h: -h.score))

    def _lookup(self, q: str) -> MatchResult:
        """:meth:`lookup` of a normalized query, as typed."""
        cid = self._choice_id.get(q)
        exact: dict[int, str] = {}
        near: dict[int, str] = {}
        if cid is not None:
            for entry_id, name, variant in self._owners(cid):
                (near if variant else exact).setdefault(entry_id, name)
        if exact:
            hits = [self._hit(e, n, SCORE_EXACT, exact=True) for e, n in sorted(exact.items())]
            return self._decided(hits)
        stripped = _strip_fillers(q)
        if stripped is not None and (sid := self._choice_id.get(stripped)) is not None:
            for entry_id, name, variant in self._owners(sid):
                if not variant:
                    near.setdefault(entry_id, name)
        if near:
            hits = [self._hit(e, n, SCORE_NEAR, exact=False) for e, n in sorted(near.items())]
            return self._decided(hits)

        letters = _letters(q)
        if letters <= 2:
            return _NO_MATCH
        cutoff = lookup_cutoff(letters)
        scored = self._fuzzy(q, stripped, cutoff) if letters >= 4 else []
        if letters == 4:  # "itly" is Italy, but a different first letter is rarely a typo
            winners = [h for h in scored if normalize(h.matched)[:1] == q[:1]]
            if scored and (not winners or winners[0] is not scored[0]):
                cutoff = None
        if cutoff is not None and scored and scored[0].score >= cutoff:
            top = scored[0].score
            close = [h for h in scored if h.score > top - MARGIN]
            if top < SCORE_RIVALS_YIELD:
                # "senate" is one letter from "Sénat" but is a whole word of "California State
                # Senate": names containing the query's words compete with a fuzzy winner.
                taken = {h.key for h in close}
                close += [h for h in self._containing(q, MAX_AMBIGUOUS) if h.key not in taken]
            return self._decided(close)
        return MatchResult("none", (), self._suggestions(q, letters, scored))

    def _containing(self, q: str, limit: int) -> list[Hit]:
        """Entries with a name that has ``q`` as whole words (at the start or after a space)."""
        found: dict[str, Hit] = {}
        size = len(q)
        for table in (self._full, self._words):
            for item in table.matches(q):
                cid = self._item_cid[item]
                choice = self._choices[cid]
                end = self._item_pos[item] + size
                if end < len(choice) and choice[end] != " ":
                    continue
                for hit in self._real_hits(cid, SCORE_CONTAINED):
                    found.setdefault(hit.key, hit)
                if len(found) >= limit:
                    return list(found.values())
        return list(found.values())

    @staticmethod
    def _decided(hits: list[Hit]) -> MatchResult:
        if len(hits) == 1:
            return MatchResult("exact" if hits[0].exact else "fuzzy", (hits[0],), ())
        return MatchResult("ambiguous", tuple(hits[:MAX_AMBIGUOUS]), ())

    def _suggestions(self, q: str, letters: int, scored: list[Hit]) -> tuple[Hit, ...]:
        cutoff = SUGGEST_CUTOFF_SHORT if letters <= 4 else SUGGEST_CUTOFF
        found: dict[str, Hit] = {}
        for hit in scored:
            if hit.score < cutoff or len(found) >= MAX_SUGGESTIONS:
                break
            found.setdefault(hit.key, hit)
        words = q.split()
        if len(words) >= 2:  # names written inside a longer query ("california state senate")
            for size in range(len(words) - 1, 0, -1):
                for start in range(len(words) - size + 1):
                    part = " ".join(words[start : start + size])
                    cid = self._choice_id.get(part)
                    if cid is None or _letters(part) < 4:
                        continue
                    for hit in self._real_hits(cid, SCORE_CONTAINED):
                        if len(found) < MAX_SUGGESTIONS:
                            found.setdefault(hit.key, hit)
        if len(found) < MAX_SUGGESTIONS:  # the query may be the start of a name ("hono")
            for item in self._full.matches(q):
                for hit in self._real_hits(self._item_cid[item], SCORE_PREFIX_SUGGESTION):
                    found.setdefault(hit.key, hit)
                if len(found) >= MAX_SUGGESTIONS:
                    break
        return tuple(list(found.values())[:MAX_SUGGESTIONS])

    def _candidates(self, q: str) -> list[int]:
        """A few thousand choice ids at most that could be within fuzzy reach of ``q``."""
        letters = _letters(q)
        cutoff = lookup_cutoff(letters) or 88.0
        edits = max(1, math.floor(2 * letters * (1 - cutoff / 100)))
        grams = self._grams
        lists: list[tuple[Sequence[int], bool]] = []  # (posting, holds item ids rather than choice ids)
        gram_lists = sorted(_present(grams.get(g) for g in sorted(_grams(q, partial=False))), key=len)
        lists.extend((ids, False) for ids in gram_lists[: 3 * edits + 1])
        lists.extend((items, True) for items, _offset in self._deletion_lists(q, words=4, letters=3))
        lists.sort(key=lambda pair: len(pair[0]))  # rarest first, within a budget
        found: set[int] = set()
        item_cid = self._item_cid
        for ids, is_item in lists:
            if found and len(found) + len(ids) > LOOKUP_BUDGET:
                break
            some = ids[:LOOKUP_BUDGET]
            found.update(map(item_cid.__getitem__, some) if is_item else some)
        return list(found)  # set order of ints is deterministic

    def _deletion_lists(self, text: str, *, words: int, letters: int) -> list[tuple[Sequence[int], int]]:
        """Items sharing a deletion key with a word start of ``text``, with where that word starts.

        Only the first ``words`` word starts count, each with at least ``letters`` letters left.
        """
        dkeys = self._dkeys
        lists: list[tuple[Sequence[int], int]] = []
        for offset in _word_starts(text)[:words]:
            if len(text) - offset < letters:
                continue
            for key in sorted(deletion_keys(text[offset:])):
                items = dkeys.get(key)
                if items:
                    lists.append((items, offset))
        return lists

    def _fuzzy(self, q: str, stripped: str | None, cutoff: float | None) -> list[Hit]:
        """Fuzzy hits, one per key, best first (at most MAX_AMBIGUOUS + 1)."""
        cands = self._candidates(q)
        if not cands:
            return []
        choices = self._choices
        pick = itemgetter(*cands) if len(cands) > 1 else lambda seq: (seq[cands[0]],)
        strs = pick(choices)
        best: dict[int, float] = {}

        def run(text: str, strs: Sequence[str], scorer: Callable[..., float], penalty: float) -> None:
            for _choice, score, idx in process.extract(
                text, strs, scorer=scorer, processor=None, limit=_FUZZY_KEEP,
                score_cutoff=SUGGEST_CUTOFF + penalty,
            ):
                value = min(score, SCORE_NEAR - 1.0) - penalty  # not equal, so never 100
                if value > best.get(idx, -1.0):
                    best[idx] = value

        run(q, strs, fuzz.ratio, 0.0)
        if stripped is not None:
            run(stripped, strs, fuzz.ratio, 2.0)
        if cutoff is not None:
            # One swap of neighbouring letters ("itlay", "fracne") is the commonest slip and,
            # unlike one changed letter ("mainz" for Maine), rarely another real name.
            for idx, value in best.items():
                if value < SCORE_SWAP and len(strs[idx]) == len(q) and (
                    OSA.distance(q, strs[idx], score_cutoff=1) == 1
                    and Levenshtein.distance(q, strs[idx], score_cutoff=2) == 2
                ):
                    best[idx] = SCORE_SWAP
        if " " in q and max(best.values(), default=0.0) < (cutoff or 100.0) + MARGIN:
            # Words in another order ("hollywood west"): token_sort_ratio, with the names'
            # words sorted once at build time.
            run(" ".join(sorted(q.split())), pick(self._sorted_forms), fuzz.ratio, 0.0)
        return self._per_key([(cands[idx], score) for idx, score in best.items()], MAX_AMBIGUOUS + 1)

    def _per_key(self, scored: Iterable[tuple[int, float]], limit: int) -> list[Hit]:
        """Best score per entry from (choice id, score) pairs: the best ``limit`` hits, best first."""
        by_entry: dict[int, tuple[float, int]] = {}
        owner_entry, owner_variant, more = self._owner_entry, self._owner_variant, self._more_owners
        for cid, score in scored:
            if more and cid in more:
                owners = [(e, v) for e, _n, v in self._owners(cid)]
            else:
                owners = [(owner_entry[cid], bool(owner_variant[cid]))]
            for entry_id, variant in owners:
                value = score - 1.0 if variant else score
                old = by_entry.get(entry_id)
                if old is None or value > old[0]:
                    by_entry[entry_id] = (value, cid)
        ranked = heapq.nsmallest(limit, by_entry.items(), key=lambda item: (-item[1][0], item[0]))
        hits = []
        for entry_id, (score, cid) in ranked:
            name = next(n for e, n, _v in self._owners(cid) if e == entry_id)
            hits.append(self._hit(entry_id, name, round(score, 1), exact=False))
        return hits

    # ------------------------------------------------------------------ autocomplete

    def complete(self, partial: str, limit: int = COMPLETE_MAX) -> list[Hit]:
        """Autocomplete: exact names, then names and words starting with the text, then typos.

        One hit per key (value = key), in a deterministic order; empty text gives the
        default list (by rank, then alphabetical).
        """
        limit = max(0, min(limit, COMPLETE_MAX))
        if limit == 0:
            return []
        p = normalize(partial)
        if not p:
            return self._default[:limit]
        found = self._complete(p, limit)
        if len(found) < limit and not p.isascii():
            # Typed in Armenian, Cyrillic or Greek: the Latin forms' completions come next.
            # Their best matches first: "Калиф" is the start of "calif" before it is near "kalif".
            spelled: dict[str, Hit] = {}
            for form in latin_spellings(partial):
                for key, hit in self._complete(form, limit - len(found)).items():
                    if key not in spelled or hit.score > spelled[key].score:
                        spelled[key] = hit
            for hit in sorted(spelled.values(), key=lambda h: -h.score)[: limit - len(found)]:
                score = min(hit.score, SCORE_FUZZY_MAX)
                found.setdefault(hit.key, Hit(hit.key, hit.label, hit.matched, score, False))
        return list(found.values())

    def _complete(self, p: str, limit: int) -> dict[str, Hit]:
        """:meth:`complete` of normalized text as typed: the hits by key, in order."""
        found: dict[str, Hit] = {}

        def add(cid: int, score: float, *, exact: bool) -> None:
            for hit in self._real_hits(cid, score, exact=exact):
                if len(found) < limit:
                    found.setdefault(hit.key, hit)

        cid = self._choice_id.get(p)
        if cid is not None:
            add(cid, SCORE_EXACT, exact=True)
        item_cid = self._item_cid
        for table, score in ((self._full, SCORE_PREFIX), (self._words, SCORE_WORD_PREFIX)):
            if len(found) >= limit:
                break
            for item in table.matches(p):
                add(item_cid[item], score, exact=False)
                if len(found) >= limit:
                    break
        if len(found) < limit and _letters(p) >= 5:
            for hit in self._complete_fuzzy(p, limit):
                if len(found) >= limit:
                    break
                found.setdefault(hit.key, hit)
        return found

    def _complete_fuzzy(self, p: str, need: int) -> list[Hit]:
        """Names with a word start within a typo or two of ``p``.

        Candidates share a deletion key with a word start of ``p`` (one edit in its first
        five letters, any number after); each is cut to ``len(p) + 1`` characters at the
        aligned word start and kept when its longest common subsequence with ``p`` misses
        at most one letter (two from nine letters on).
        """
        size = len(p)
        item_cid, item_pos = self._item_cid, self._item_pos
        lists = self._deletion_lists(p, words=3, letters=4)
        lists.sort(key=lambda pair: len(pair[0]))  # rarest first, within a budget
        pairs: set[tuple[int, int]] = set()  # (choice id, where p starts in it)
        for ids, offset in lists:
            if pairs and len(pairs) + len(ids) > COMPLETE_BUDGET:
                break
            some = ids[:COMPLETE_BUDGET]
            if offset == 0:
                pairs.update(zip(map(item_cid.__getitem__, some), map(item_pos.__getitem__, some),
                                 strict=True))
            else:
                for item in some:
                    start = item_pos[item] - offset
                    if start >= 0:
                        pairs.add((item_cid[item], start))
        if not pairs:  # two typos in the first letters: fall back on trigrams of whole names
            grams = self._grams
            rare = sorted(_present(grams.get(g) for g in sorted(_grams(p, partial=True))), key=len)[:4]
            for cids in rare:
                if pairs and len(pairs) + len(cids) > COMPLETE_BUDGET:
                    break
                pairs.update((cid, 0) for cid in cids[:COMPLETE_BUDGET])
        if not pairs:
            return []
        ordered = list(pairs)  # set order of int tuples is deterministic
        choices = self._choices
        slices = [choices[c][start : start + size + 1] for c, start in ordered]
        allowed = 1 if size <= 8 else 2
        by_choice: dict[int, float] = {}
        for _text, common, idx in process.extract(
            p, slices, scorer=LCSseq.similarity, processor=None, limit=_FUZZY_KEEP,
            score_cutoff=size - allowed,
        ):
            cid = ordered[idx][0]
            score = 100.0 * common / size
            if score > by_choice.get(cid, -1.0):
                by_choice[cid] = score
        hits = self._per_key(by_choice.items(), need)
        return [
            Hit(h.key, h.label, h.matched, min(h.score, SCORE_FUZZY_MAX), False) for h in hits
        ]
