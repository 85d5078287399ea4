"""Free-text search over records.

:class:`TextIndex` is a small BM25F-style search over records' fields, with
prefix and typo tolerance on its vocabulary and vote counts ("305–1",
"305 to 1") folded to one token.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.core.collector import collector_paused
from bot.core.matching.hit import COMPLETE_MAX, LABEL_MAX, Hit, clip_label
from bot.core.normalize import normalize
from bot.core.steps import sort_in_steps

if TYPE_CHECKING:
    from bot.core.matching.ranking import Docs, Floats, Ranking

FIELD_WEIGHTS: dict[str, float] = {
    "title": 3.0,
    "reference": 3.0,
    "body": 2.0,
    "sponsor": 2.0,
    "place": 2.0,
    "jurisdiction": 2.0,
    "vote": 2.0,
    "summary": 1.0,
    "kinds": 1.0,
    "dates": 1.0,
    "notes": 0.8,
}
DEFAULT_FIELD_WEIGHT = 1.0
_K1 = 1.2
_B = 0.5
_PREFIX_WEIGHT = 0.8
_KEEP_FRACTION = 0.3  # results scoring under this share of the best one are dropped
_COMMON_MIN = 200  # a word in more documents than this (and a twentieth of them) is common
_DEPTH_MAX = 4096  # impact orders are read this deep at most before walking everything

STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into", "is",
    "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "with",
})

# Vote counts written in any common way become one token: "305–1", "305 to 1", "305-1",
# "305:1", "305 for, 1 against" -> "305to1".
_VOTE_PAIR = re.compile(r"(?<![\d.])(\d{1,4})\s*(?:[-‐‑‒–—−―:/]|to|vs\.?)\s*(\d{1,4})(?![\d.])")
_VOTE_WORDS = re.compile(
    r"(?<![\d.])(\d{1,4})\s+(?:for|yes|ayes|in\s+favou?r)\W+(?:and\s+|to\s+)?(\d{1,4})\s+(?:against|no|nays)\b"
)
_ALNUM_SPLIT = re.compile(r"\d+|[^\d]+")
_DIGIT = re.compile(r"\d")


def text_tokens(text: str, *, query: bool = False) -> list[str]:
    """Search tokens of a text: normalized words, joined references and vote pairs.

    Words are split at letter/digit boundaries; "AJR 32" and "ajr32" both give ``ajr``,
    ``32`` and ``ajr32``; "305–1" and "305 to 1" give ``305to1``. In a query, the numbers
    of a vote pair stand only for the pair ("305 to 1" must not find every text with a 1).
    """
    words = normalize(text).split()
    if _DIGIT.search(text) is None and _DIGIT.search(" ".join(words)) is None:
        return words  # no numbers (most texts): the words are the tokens
    folded = text.casefold()
    out: list[str] = []
    paired: set[str] = set()
    for pattern in (_VOTE_PAIR, _VOTE_WORDS):
        for a, b in pattern.findall(folded):
            out.append(f"{a}to{b}")
            paired.update((a, b))
    parts: list[str] = []
    for word in words:
        if word.isalpha():  # most words: no digits to split off
            parts.append(word)
        else:
            parts.extend(_ALNUM_SPLIT.findall(word))
    out.extend(p for p in parts if not (query and p in paired))
    for first, second in itertools.pairwise(parts):
        if first.isalpha() and second.isdigit() and len(first) <= 5 and first not in STOPWORDS:
            out.append(first + second)
    return out


def _fuzzy_cutoff(size: int) -> float | None:
    if size < 4:
        return None
    if size <= 5:
        return 88.0
    if size <= 8:
        return 83.0
    return 80.0


class TextIndex:
    """Free-text search over documents (records), scored like BM25F with field weights.

    Fields are the record's title, reference, sponsor, body, place, vote text, summary,
    notes and so on; a field name not in :data:`FIELD_WEIGHTS` weighs 1.
    """

    def __init__(self, docs: Iterable[tuple[str, str, Mapping[str, str]]]) -> None:
        with collector_paused():
            self._build(docs)

    def _build(self, docs: Iterable[tuple[str, str, Mapping[str, str]]]) -> None:
        self._keys: list[str] = []
        self._labels: list[str] = []
        self._fields: list[dict[str, frozenset[str]]] = []
        per_doc: list[dict[str, list[str]]] = []
        # Many field texts repeat (bodies, kinds, places, dates): tokenized once each.
        known: dict[str, tuple[list[str], frozenset[str]]] = {}
        for key, label, fields in docs:
            self._keys.append(key)
            self._labels.append(clip_label(label) or key[:LABEL_MAX])
            tokenized: dict[str, list[str]] = {}
            token_sets: dict[str, frozenset[str]] = {}
            for name, text in fields.items():
                if not text:
                    continue
                seen = known.get(text)
                if seen is None:
                    toks = text_tokens(text)
                    seen = known[text] = (toks, frozenset(toks))
                tokenized[name], token_sets[name] = seen
            per_doc.append(tokenized)
            self._fields.append(token_sets)
        lengths: dict[str, list[int]] = {}
        for tokenized in per_doc:
            for name, toks in tokenized.items():
                lengths.setdefault(name, []).append(len(toks))
        average = {name: (sum(v) / len(v)) or 1.0 for name, v in lengths.items()}
        postings: dict[str, dict[int, float]] = {}
        for doc in range(len(per_doc)):
            tokenized, per_doc[doc] = per_doc[doc], {}  # let go of each as it is used
            weighted: dict[str, float] = {}
            for name, toks in tokenized.items():
                weight = FIELD_WEIGHTS.get(name, DEFAULT_FIELD_WEIGHT)
                norm = 1.0 - _B + _B * len(toks) / average[name]
                for tok in toks:
                    weighted[tok] = weighted.get(tok, 0.0) + weight / norm
            for tok, tf in weighted.items():
                # The term frequency, saturated as BM25 does, once here rather than in every query.
                postings.setdefault(tok, {})[doc] = tf * (_K1 + 1.0) / (tf + _K1)
        total = len(self._keys)
        self._postings = postings
        self._idf = {
            tok: math.log(1.0 + (total - len(docs_) + 0.5) / (len(docs_) + 0.5))
            for tok, docs_ in postings.items()
        }
        self._unseen_idf = math.log(1.0 + (total + 0.5) / 0.5)  # a word no document has
        # For top-k pruning: each word's highest weight, and the long lists in impact order.
        self._max_sat = {tok: max(docs_.values()) for tok, docs_ in postings.items()}
        self._impact = {
            tok: tuple(sorted(docs_, key=lambda d, p=docs_: (-p[d], d)))  # type: ignore[misc]
            for tok, docs_ in postings.items() if len(docs_) > _COMMON_MIN
        }
        # The long lists again as flat arrays, for ranking every match at once (rank_all).
        self._arrays = {
            tok: (array("q", docs_), array("d", docs_.values()))
            for tok, docs_ in postings.items() if len(docs_) > _COMMON_MIN
        }
        self._vocab = sort_in_steps(list(postings))  # in short steps: a reload builds beside the loop
        self._words = [w for w in self._vocab if not any(ch.isdigit() for ch in w)]
        # The scratch tables are freed a piece at a time, not in one go (see bot.core.release).
        while known:
            known.popitem()

    def __len__(self) -> int:
        return len(self._keys)

    def _prefixed(self, prefix: str, limit: int) -> list[str]:
        vocab = self._vocab
        lo = bisect_left(vocab, prefix)
        out: list[str] = []
        for at in range(lo, len(vocab)):  # not vocab[lo:]: that copies the rest of the vocabulary
            word = vocab[at]
            if not word.startswith(prefix) or len(out) >= limit:
                break
            if word != prefix:
                out.append(word)
        return out

    def _expand(self, token: str, *, as_prefix: bool) -> list[tuple[str, float]]:
        """Vocabulary words a query token stands for, with a weight (1 = as typed)."""
        out: list[tuple[str, float]] = []
        if token in self._postings:
            out.append((token, 1.0))
        numeric = any(ch.isdigit() for ch in token)
        if as_prefix:
            out.extend((w, 1.0) for w in self._prefixed(token, 40))
        elif not numeric and len(token) >= 4:
            out.extend((w, _PREFIX_WEIGHT) for w in self._prefixed(token, 20))
        cutoff = _fuzzy_cutoff(len(token))
        if not out and not numeric and cutoff is not None:
            for word, score, _i in process.extract(
                token, self._words, scorer=fuzz.ratio, processor=None, limit=5, score_cutoff=cutoff
            ):
                out.append((word, 0.8 * score / 100.0))
        return out

    def _rank(self, query: str, limit: int, *, last_is_prefix: bool, fields: bool = True) -> list[Hit]:
        content = list(dict.fromkeys(t for t in text_tokens(query, query=True) if t not in STOPWORDS))
        if not content or limit <= 0:
            return []
        last = ""  # the word being typed, in autocomplete (and "ajr3" when typing "AJR 3")
        if last_is_prefix:
            words = normalize(query).split()
            last = _ALNUM_SPLIT.findall(words[-1])[-1] if words else ""
        expansions = [self._expand(t, as_prefix=bool(last) and t.endswith(last)) for t in content]
        if not any(expansions):
            return []
        idf = self._idf
        weight_total = sum(max((idf[w] for w, _ in exps), default=self._unseen_idf) for exps in expansions)
        found = self._score(expansions, limit, weight_total)
        if found is None:
            return []
        scores, quality = found
        def coverage(doc: int) -> float:
            return quality[doc] / weight_total if weight_total else 0.0

        ranked = heapq.nsmallest(limit, ((-s * (0.5 + 0.5 * coverage(d)), d) for d, s in scores.items()))
        best = -ranked[0][0]
        floor = best * _KEEP_FRACTION
        # Scores: the best hit's word coverage (100 = every word found as typed), others in proportion.
        scale = 100.0 * coverage(ranked[0][1]) / best
        postings = self._postings
        hits: list[Hit] = []
        for negative, doc in ranked[:limit]:
            value = -negative
            if value < floor:
                break
            hits.append(Hit(
                self._keys[doc],
                self._labels[doc],
                self._best_field(doc, expansions) if fields else "",
                round(min(100.0, value * scale), 1),
                all(doc in postings.get(token, ()) for token in content),  # every word found as typed
            ))
        return hits

    def _token_part(
        self, exps: Sequence[tuple[str, float]], docs: Iterable[int] | None = None
    ) -> dict[int, tuple[float, float]]:
        """Doc -> (BM25 part, match weight) for one query word: its best expansion in each document.

        Every document with one of the expansions, or only ``docs`` (looked up, not walked).
        """
        idf, postings = self._idf, self._postings
        best: dict[int, tuple[float, float]] = {}
        if docs is not None:
            for doc in docs:
                for word, weight in exps:
                    sat = postings[word].get(doc)
                    if sat is not None:
                        factor = weight * idf[word]
                        if doc not in best or factor * sat > best[doc][0]:
                            best[doc] = (factor * sat, factor)
            return best
        if len(exps) == 1:  # the word as typed only: every document has it once
            word, weight = exps[0]
            factor = weight * idf[word]
            return {doc: (factor * sat, factor) for doc, sat in postings[word].items()}
        for word, weight in exps:
            factor = weight * idf[word]
            for doc, sat in postings[word].items():
                value = factor * sat
                old = best.get(doc)
                if old is None or value > old[0]:
                    best[doc] = (value, factor)
        return best

    def _bound(self, exps: Sequence[tuple[str, float]], depth: int | None = None) -> float:
        """The most one query word adds to a document's score.

        To any document's, or (with ``depth``) to one not among the first ``depth`` of each
        expansion's impact order.
        """
        out = 0.0
        for word, weight in exps:
            if depth is None:
                sat = self._max_sat[word]
            else:
                order = self._impact.get(word)
                if order is None or len(order) <= depth:
                    continue  # short lists are walked whole: nothing beyond them
                sat = self._postings[word][order[depth]]
            out = max(out, weight * self._idf[word] * sat)
        return out

    def _score(
        self, expansions: list[list[tuple[str, float]]], limit: int, weight_total: float
    ) -> tuple[dict[int, float], dict[int, float]] | None:
        """Scores and match weights of the documents that can make the first ``limit``.

        Top-k pruning (MaxScore): a word most documents have ("resolution") is not walked.
        Rare words are walked in full, and common ones only looked up in what they found,
        when no document without a rare word could score high enough to be shown; with common
        words alone, only the start of each word's impact order (documents by how much the word
        weighs in them) is read, deeper until nothing further down could rank. Otherwise every
        posting is walked. The results are those of walking everything (but for which of
        documents scoring exactly alike fills the last places).
        """
        sizes = [sum(len(self._postings[w]) for w, _ in exps) for exps in expansions]
        common = max(_COMMON_MIN, len(self._keys) // 20)
        rare = [exps for exps, size in zip(expansions, sizes, strict=True) if size <= common]
        heavy = [exps for exps, size in zip(expansions, sizes, strict=True) if size > common]
        if heavy:
            # A document none of the rare words found has at most the common words' weight.
            most = sum(max(weight * self._idf[w] for w, weight in exps) for exps in heavy)
            share = 0.5 + 0.5 * min(1.0, most / weight_total) if weight_total else 1.0
            if rare:
                parts = [self._token_part(exps) for exps in rare]
                found = set().union(*parts)
                parts += [self._token_part(exps, found) for exps in heavy]
                beyond = share * sum(self._bound(exps) for exps in heavy)
            else:
                depth = 2 * limit
                while True:
                    found = {doc for exps in heavy for word, _ in exps for doc in self._top(word, depth)}
                    parts = [self._token_part(exps, found) for exps in heavy]
                    beyond = share * sum(self._bound(exps, depth) for exps in heavy)
                    if not beyond or depth >= _DEPTH_MAX or self._safe(parts, beyond, limit, weight_total):
                        break
                    depth *= 4
            if beyond and not self._safe(parts, beyond, limit, weight_total):
                parts = [self._token_part(exps) for exps in expansions]
        else:
            parts = [self._token_part(exps) for exps in expansions]
        scores, quality = self._sum(parts)
        return (scores, quality) if scores else None

    def _top(self, word: str, depth: int) -> Iterable[int]:
        order = self._impact.get(word)
        return order[:depth] if order is not None else self._postings[word].keys()

    @staticmethod
    def _sum(parts: Iterable[dict[int, tuple[float, float]]]) -> tuple[dict[int, float], dict[int, float]]:
        scores: dict[int, float] = {}
        quality: dict[int, float] = {}
        for part in parts:
            for doc, (value, matched) in part.items():
                scores[doc] = scores.get(doc, 0.0) + value
                quality[doc] = quality.get(doc, 0.0) + matched
        return scores, quality

    @classmethod
    def _safe(
        cls, parts: list[dict[int, tuple[float, float]]], beyond: float, limit: int, weight_total: float
    ) -> bool:
        """Whether no document outside ``parts``, worth at most ``beyond`` in the end, could be shown."""
        scores, quality = cls._sum(parts)
        if not scores:
            return False
        total = weight_total or 1.0
        finals = heapq.nlargest(limit, (s * (0.5 + 0.5 * quality[d] / total) for d, s in scores.items()))
        kth = finals[-1] if len(finals) >= limit else 0.0
        # A document further down scoring exactly the last one shown would tie with it; which
        # of equals is shown is arbitrary anyway, so the ones already found are kept.
        return beyond < finals[0] * _KEEP_FRACTION or beyond <= kth

    def _best_field(self, doc: int, expansions: Sequence[Sequence[tuple[str, float]]]) -> str:
        best_name, best_value = "", -1.0
        for name, toks in self._fields[doc].items():
            weight = FIELD_WEIGHTS.get(name, DEFAULT_FIELD_WEIGHT)
            value = 0.0
            for exps in expansions:
                value += max((w_weight * self._idf[w] for w, w_weight in exps if w in toks), default=0.0)
            value *= weight
            if value > best_value:
                best_name, best_value = name, value
        return best_name

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Documents matching the query's words, best first; [] when no word matches anything."""
        return self._rank(query, limit, last_is_prefix=False)

    def rank_all(self, query: str) -> Ranking | None:
        """Every document worth showing for the query, ranked a page at a time; None when none matches.

        The order, and which documents are worth showing (those scoring at least a share of the
        best one), are those of :meth:`search` with no limit; ``total`` is how many documents have
        any of the query's words. Scores are worked out for all documents at once
        (:mod:`.ranking`), so a word in every record costs about what a rare one does.
        """
        from bot.core.matching import ranking  # noqa: PLC0415 - numpy, only once a query ranks everything

        content = list(dict.fromkeys(t for t in text_tokens(query, query=True) if t not in STOPWORDS))
        expansions = [self._expand(t, as_prefix=False) for t in content]
        if not any(expansions):
            return None
        idf = self._idf
        weight_total = sum(max((idf[w] for w, _ in exps), default=self._unseen_idf) for exps in expansions)
        words = [[(weight * idf[w], *self._posting_arrays(w)) for w, weight in exps] for exps in expansions]
        final, _scores = ranking.score_words(len(self._keys), words, weight_total)
        return ranking.Ranking.of(final, _KEEP_FRACTION)

    def _posting_arrays(self, word: str) -> tuple[Docs, Floats]:
        from bot.core.matching.ranking import postings  # noqa: PLC0415 - as in rank_all

        stored = self._arrays.get(word)
        if stored is not None:
            return postings(*stored)
        found = self._postings[word]
        return postings(list(found), list(found.values()))

    def with_every_word(self, query: str) -> list[int]:
        """The documents with every word of the query as typed (ascending)."""
        content = {t for t in text_tokens(query, query=True) if t not in STOPWORDS}
        lists = sorted((self._postings.get(t, {}) for t in content), key=len)
        if not lists:
            return []
        first, rest = lists[0], lists[1:]
        return sorted(d for d in first if all(d in other for other in rest))

    def complete(self, partial: str, limit: int = COMPLETE_MAX) -> list[Hit]:
        """Autocomplete: like :meth:`search`, with the last word taken as the start of a word."""
        limit = max(0, min(limit, COMPLETE_MAX))
        if not normalize(partial):
            return [
                Hit(key, label, "", 0.0, False)
                for key, label in zip(self._keys[:limit], self._labels[:limit], strict=True)
            ]
        last_is_prefix = not partial[-1:].isspace()
        return self._rank(partial, limit, last_is_prefix=last_is_prefix)
