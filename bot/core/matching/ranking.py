"""Every document a query matches, best first, ranked a page at a time (``/resolution``).

A word in every record ("resolution", "artsakh") matches thousands of documents, and the answer
must say how many of them are worth showing and page through all of them in order. Scoring them
one by one in Python took tens of milliseconds at 10,000 records; here the scores of all
documents are worked out at once over arrays (numpy), as the text index would one at a time
(the same operations in the same order, so the same floating-point values), and only the
documents of the pages asked for are put in order.

numpy is imported with this module, which the text index imports on its first ranking: the
command line's other questions never pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Docs = NDArray[np.intp]
    Postings = NDArray[np.int32]  # a word's documents, as the text index keeps them
    Floats = NDArray[np.float64]

_STEP = 4  # each deeper page asked for puts at least this many times the entries already ranked in order


def score_words(
    size: int, words: Sequence[Sequence[tuple[float, Postings, Floats]]], weight_total: float
) -> tuple[Floats, Floats]:
    """Every document's final score (0 where no word is found) and its BM25 sum.

    ``words`` holds, for each query word, its expansions as ``(factor, docs, saturations)``:
    a document takes its best expansion of each word (the first of equals), and its score is the
    sum of its words' parts, times ``0.5 + 0.5 * coverage`` (the share of the query's weight
    it matched).
    """
    scores = np.zeros(size)
    quality = np.zeros(size)
    for exps in words:
        if not exps:
            continue
        value = np.zeros(size)
        factor_of = np.zeros(size)
        for factor, docs, sats in exps:
            part = factor * sats
            better = part > value[docs]
            chosen = docs[better]
            value[chosen] = part[better]
            factor_of[chosen] = factor
        scores += value
        quality += factor_of
    coverage = quality / weight_total if weight_total else 0.0
    return scores * (0.5 + 0.5 * coverage), scores


class Ranking:
    """The documents worth showing for a query, best first (ties: in document order), in groups.

    ``len`` is how many there are; :meth:`docs` puts in order only as many as asked for.
    :meth:`first` moves some ahead (each part keeping its order), :meth:`only` keeps some.
    """

    __slots__ = ("_final", "_groups", "_ordered", "total")

    def __init__(self, final: Floats, groups: list[Docs], total: int) -> None:
        self._final = final
        self._groups = [g for g in groups if len(g)]
        self._ordered: list[Docs | None] = [None] * len(self._groups)  # each group's best, in order
        self.total = total  # documents with any of the query's words

    @classmethod
    def of(cls, final: Floats, keep_fraction: float) -> Ranking | None:
        """Those scoring at least ``keep_fraction`` of the best one; None when none scores."""
        found = np.flatnonzero(final > 0.0)
        if not len(found):
            return None
        values = final[found]
        floor = values.max() * keep_fraction
        return cls(final, [found[values >= floor]], len(found))

    def __len__(self) -> int:
        return sum(len(g) for g in self._groups)

    def mask(self, docs: Sequence[int]) -> NDArray[np.bool_]:
        """A mask of the documents (over all of them) for :meth:`first` and :meth:`only`."""
        out = np.zeros(len(self._final), dtype=bool)
        out[docs] = True
        return out

    def first(self, mask: NDArray[np.bool_]) -> Ranking:
        """The same documents, those in ``mask`` ahead of the others."""
        groups: list[Docs] = []
        for group in self._groups:
            inside = mask[group]
            groups += [group[inside], group[~inside]]
        return Ranking(self._final, groups, self.total)

    def only(self, mask: NDArray[np.bool_]) -> Ranking:
        """The documents in ``mask``, in the same order."""
        return Ranking(self._final, [g[mask[g]] for g in self._groups], self.total)

    def docs(self, start: int, stop: int) -> list[int]:
        """The documents ranked ``start`` to ``stop - 1`` (0 is the best)."""
        out: list[int] = []
        offset = 0
        for n, group in enumerate(self._groups):
            if offset >= stop:
                break
            if offset + len(group) > start:
                ordered = self._best(n, stop - offset)
                out += ordered[max(0, start - offset) : stop - offset].tolist()
            offset += len(group)
        return out

    def _best(self, n: int, count: int) -> Docs:
        """Group ``n``'s first ``count`` documents in order (at least: kept for the next page)."""
        done = self._ordered[n]
        if done is not None and len(done) >= count:
            return done
        group = self._groups[n]
        count = min(len(group), max(count, _STEP * len(done) if done is not None else count))
        values = self._final[group]
        chosen = _best_of(values, count) if count < len(group) else np.arange(len(group))
        order = chosen[np.argsort(-values[chosen], kind="stable")]  # equals stay in document order
        done = self._ordered[n] = group[order]
        return done


def _best_of(values: Floats, count: int) -> Docs:
    """The positions (ascending) of the ``count`` highest values, equals taken in order of position."""
    # A threshold from every 16th value: usually a few times ``count`` values reach it, and only
    # those are looked at (if too few do, all of them are).
    sample = values[::16]
    rank = min(len(sample) - 1, 2 * (count // 16) + 1)
    cut = np.partition(sample, len(sample) - 1 - rank)[len(sample) - 1 - rank]
    candidates = np.flatnonzero(values >= cut)
    if len(candidates) < count:
        candidates = np.arange(len(values))
    picked = values[candidates]
    # The count-th best value: those above it all belong, then its equals in order of position.
    kth = np.partition(picked, len(picked) - count)[len(picked) - count]
    above = picked > kth
    ties = np.flatnonzero(picked == kth)[: count - int(above.sum())]
    return candidates[np.sort(np.concatenate((np.flatnonzero(above), ties)))]
