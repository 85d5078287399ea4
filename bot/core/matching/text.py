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
from typing import TYPE_CHECKING, cast

from rapidfuzz import fuzz, process

from bot.core.collector import collector_paused
from bot.core.matching.hit import COMPLETE_MAX, LABEL_MAX, Hit, clip_label
from bot.core.normalize import JOIN, fold_ascii, normalize, normalize_many
from bot.core.steps import sort_in_steps

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from bot.core.matching.ranking import Ranking

    Ints = NDArray[np.int64]
    Int32s = NDArray[np.int32]
    Floats = NDArray[np.float64]
    Bools = NDArray[np.bool_]

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
FIELDS_MAX = 16  # field names in one index (a bit each in a posting's field mask)

STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into", "is",
    "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "with",
})

# Vote counts written in any common way become one token: "305–1", "305 to 1", "305-1",
# "305:1", "305 for, 1 against" -> "305to1".
# Each starts with a digit not after a digit or a dot (the check follows the first digit, so that
# the search skips ahead to digits: about twice as fast as a look-behind in front).
_VOTE_PAIR = re.compile(r"(\d(?<![\d.]\d)\d{0,3})\s*(?:[-‐‑‒–—−―:/]|to|vs\.?)\s*(\d{1,4})(?![\d.])")
_VOTE_WORDS = re.compile(
    r"(\d(?<![\d.]\d)\d{0,3})\s+(?:for|yes|ayes|in\s+favou?r)\W+(?:and\s+|to\s+)?(\d{1,4})\s+(?:against|no|nays)\b"
)
_PARTS = re.compile(r"\d+|[^\d\s]+")  # the letter and digit runs of normalized words
_ALNUM_SPLIT = re.compile(r"\d+|[^\d]+")
_DIGIT = re.compile(r"\d")


def text_tokens(text: str, *, query: bool = False) -> list[str]:
    """Search tokens of a text: normalized words, joined references and vote pairs.

    Words are split at letter/digit boundaries; "AJR 32" and "ajr32" both give ``ajr``,
    ``32`` and ``ajr32``; "305–1" and "305 to 1" give ``305to1``. In a query, the numbers
    of a vote pair stand only for the pair ("305 to 1" must not find every text with a 1).
    """
    normalized = normalize(text)
    if _DIGIT.search(text) is None and (text.isascii() or _DIGIT.search(normalized) is None):
        return normalized.split()  # no numbers (most texts): the words are the tokens
    folded = text.casefold()
    out: list[str] = []
    paired: set[str] = set()
    for pattern in (_VOTE_PAIR, _VOTE_WORDS):
        for a, b in pattern.findall(folded):
            out.append(f"{a}to{b}")
            paired.update((a, b))
    parts: list[str] = _PARTS.findall(normalized)  # each word split at letter/digit boundaries
    out.extend([p for p in parts if p not in paired] if query and paired else parts)
    for first, second in itertools.pairwise(parts):
        if second.isdigit() and len(first) <= 5 and first.isalpha() and first not in STOPWORDS:
            out.append(first + second)
    return out


# Vote patterns read texts joined by this: no pattern reads across it (NUL is no space, digit or
# dash, nor a word character; "_" is one, so that no "for", "against" or "to" is read across it).
_JOIN_VOTES = f"{JOIN}_{JOIN}"


# Texts split at once, at most: a few thousand texts' tokens are made and let go at a time, so
# that the words kept (the vocabulary) do not pin the memory of every token ever made.
_CHUNK = 2048


def _tokens_of(texts: Sequence[str]) -> tuple[list[str], Int32s, Ints]:
    """:func:`text_tokens` of every text, one text after another: ``words[codes]``; and each text's count.

    The same tokens in the same order, worked out :data:`_CHUNK` texts at a time, in a few calls
    each over all of them (numpy finds where words part into letters and digits), rather than a
    dozen calls for each text. A text whose normalized form is not ASCII (words in another
    script, whose letters and digits are not only ASCII ones) is split alone by text_tokens.
    """
    import numpy as np  # noqa: PLC0415 - see TextIndex._build

    number_of: dict[str, int] = {}  # every word met so far -> its number (as first met)
    codes: list[Int32s] = []
    counts: list[Ints] = []
    for start in range(0, len(texts), _CHUNK):
        words, local, count = _tokens_at_once(texts[start : start + _CHUNK])
        add = number_of.setdefault
        numbers = np.fromiter((add(word, len(number_of)) for word in words), dtype=np.int32, count=len(words))
        codes.append(numbers[local] if len(numbers) else local)
        counts.append(count)
    if not codes:
        return [], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    return list(number_of), np.concatenate(codes), np.concatenate(counts)


def _tokens_at_once(texts: Sequence[str]) -> tuple[list[str], Int32s, Ints]:
    """:func:`_tokens_of` of texts all at once."""
    import numpy as np  # noqa: PLC0415 - see TextIndex._build

    joined = JOIN.join(texts)
    if joined.isascii() and joined.count(JOIN) == len(texts) - 1:
        plain, folded = list(range(len(texts))), [fold_ascii(joined)]
        unusual: list[int] = []
    else:
        plain = [at for at, text in enumerate(texts) if text.isascii() and JOIN not in text]
        folded = [fold_ascii(JOIN.join([texts[at] for at in plain]))] if plain else []
        taken = set(plain)
        unusual = [at for at in range(len(texts)) if at not in taken]
    # A text with a non-ASCII character whose normalized form is ASCII ("Résolution") joins them.
    norms = normalize_many([texts[at] for at in unusual])
    latin: list[int] = []
    latin_norms: list[str] = []
    alone: list[int] = []
    for at, norm in zip(unusual, norms, strict=True):
        if norm.isascii() and JOIN not in texts[at]:
            latin.append(at)
            latin_norms.append(norm)
        else:
            alone.append(at)
    if latin:
        folded.append(JOIN.join(latin_norms).encode("ascii"))
    together = plain + latin
    tokens: list[str] = [JOIN]  # every token (NUL first: it parts texts), group after group
    owners: list[Ints] = []  # the text (in ``together``, then in ``texts``) of each group's tokens
    if together:
        # The parts of the words (letter and digit runs), with a NUL between texts: a space where
        # letters meet digits, and around each NUL, then one split.
        chars = np.frombuffer(JOIN.encode("ascii").join(folded), dtype=np.uint8)
        letter = chars >= ord("a")
        digit = (chars >= ord("0")) & ~letter
        nul = np.flatnonzero(chars == 0)
        meet = np.flatnonzero((letter[:-1] & digit[1:]) | (digit[:-1] & letter[1:])) + 1
        spaced = np.insert(chars, np.concatenate((meet, nul, nul + 1)), ord(" "))
        parts = spaced.tobytes().decode("ascii").split()
        # Each part's first character and length: a letter part of at most five letters before a
        # number, but for stop words, makes one more token ("ajr 32" -> "ajr32").
        inside = spaced != ord(" ")
        edge = np.flatnonzero(np.diff(inside.view(np.int8), prepend=0, append=0))
        first, size = edge[0::2], edge[1::2] - edge[0::2]
        kind = spaced[first]
        is_nul = kind == 0
        text_of = np.cumsum(is_nul)  # a part's text: the NULs before it
        letters, number = (kind >= ord("a")) & (size <= 5), (kind < ord("a")) & ~is_nul
        pairs = np.flatnonzero(letters[:-1] & number[1:])
        # Votes ("305 to 1"), by each pattern in turn, from the texts case-folded: those that may
        # have one, each after the other. In a vote, at most four parts of the normalized words
        # come from the first number to the second ("305 in favour and 1 against"), unless an
        # "&" (each one a word) or a non-ASCII character (which NFKD may spell in letters) is
        # among them: the texts with such a pair of numbers, an "&", or a non-ASCII character.
        numbers_at = np.flatnonzero(number)
        close = (np.diff(numbers_at) <= 4) & (np.diff(text_of[numbers_at]) == 0)
        voting = set(text_of[numbers_at[:-1][close]].tolist())
        voting.update(range(len(plain), len(together)))
        if "&" in joined:
            voting.update(k for k, at in enumerate(plain) if "&" in texts[at])
        numbered = sorted(voting)
        lowered = _JOIN_VOTES.join([texts[together[at]] for at in numbered]).casefold()
        votes: list[tuple[int, str]] = []
        for pattern in (_VOTE_PAIR, _VOTE_WORDS):
            votes.extend((m.start(), f"{m[1]}to{m[2]}") for m in pattern.finditer(lowered))
        lengths = np.fromiter(map(len, lowered.split(_JOIN_VOTES)), dtype=np.int64, count=len(numbered))
        starts = np.cumsum(lengths + len(_JOIN_VOTES)) - lengths - len(_JOIN_VOTES)
        vote_at = np.fromiter((at for at, _vote in votes), dtype=np.int64, count=len(votes))
        vote_of = np.searchsorted(starts, vote_at, side="right") - 1
        owners.append(np.asarray(numbered, dtype=np.int64)[vote_of])
        tokens.extend(vote for _at, vote in votes)
        joins = np.array([at for at in pairs.tolist() if parts[at] not in STOPWORDS], dtype=np.int64)
        owners.append(text_of[~is_nul])
        tokens.extend(parts)
        tokens.extend([parts[at] + parts[at + 1] for at in joins.tolist()])
        owners.append(text_of[joins])
        owners = [np.asarray(together, dtype=np.int64)[of] for of in owners]
    for at in alone:
        found = text_tokens(texts[at])
        tokens.extend(found)
        owners.append(np.full(len(found), at, dtype=np.int64))
    # Every distinct token numbered as first met (NUL first), and every token as its number.
    numbers = dict.fromkeys(tokens)
    numbers.update(zip(numbers, range(len(numbers)), strict=True))
    code_of: Int32s = np.fromiter(map(numbers.__getitem__, tokens), dtype=np.int32, count=len(tokens))
    keep = code_of != 0  # not the NULs
    owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    # Each text's votes, then its parts, then its joined pairs: the order of the groups above.
    order = np.argsort(owner, kind="stable")
    codes: Int32s = code_of[keep][order] - 1
    return list(numbers)[1:], codes, np.bincount(owner, minlength=len(texts)).astype(np.int64)


def _gather(starts: Ints, lengths: Ints) -> Ints:
    """The positions ``starts[i]`` to ``starts[i] + lengths[i] - 1`` of every ``i``, one run after another."""
    import numpy as np  # noqa: PLC0415 - see TextIndex._build

    size = int(lengths.sum())
    if not size:
        return np.zeros(0, dtype=np.int64)
    begins = np.cumsum(lengths) - lengths
    out: Ints = np.arange(size, dtype=np.int64) + np.repeat(starts - begins, lengths)
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
    notes and so on (at most :data:`FIELDS_MAX` names); a field name not in
    :data:`FIELD_WEIGHTS` weighs 1.

    The postings are flat arrays (numpy): each word's documents in order, with the word's
    saturated weight in each and the fields it is found in (a bit per field name). They are
    assembled from every field's words at once, so a build's Python work is splitting texts
    into words. ``previous``, the index of the data in use, lends the words of every text it
    split: a reload that changed one record splits that record's texts only, and works out
    the rest (field length averages, every weight) as a new index does, to the same numbers.
    """

    _keys: list[str]
    _labels: list[str]
    _bits: dict[str, int]  # field name -> its bit in a posting's field mask
    _layouts: list[tuple[str, ...]]  # the field names documents have...
    _doc_layout: memoryview  # ...and which each document has
    _slots: dict[str, int]  # every distinct field text -> its slot
    _flat_np: Int32s  # every slot's word ids, one slot after another
    _slot_start_np: Ints
    _slot_len_np: Ints
    _vocab: list[str]  # sorted: a word's id is its place here
    _ids: dict[str, int]
    _words: list[str]  # the words without digits (typo matches)
    _digits_np: Bools
    _unseen_idf: float
    _docs_np: Int32s
    _sats_np: Floats
    _impact_np: Int32s
    _impact_at: dict[int, int]  # a long list's word -> where its impact order starts in _impact
    # Views of the arrays read item by item, as Python numbers:
    _indptr: memoryview  # word -> where its postings start in _docs, _sats and _masks
    _docs: memoryview
    _sats: memoryview
    _masks: memoryview
    _idf: memoryview
    _max_sat: memoryview
    _impact: memoryview

    def __init__(
        self, docs: Iterable[tuple[str, str, Mapping[str, str]]], previous: TextIndex | None = None
    ) -> None:
        with collector_paused():
            self._build(docs, previous)

    def _build(self, docs: Iterable[tuple[str, str, Mapping[str, str]]], previous: TextIndex | None) -> None:
        # numpy is imported on the first build: the command line builds this index only when a
        # question searches record texts, which ranks with numpy anyway (rank_all).
        import numpy as np  # noqa: PLC0415

        keys: list[str] = []
        labels: list[str] = []
        texts: list[str] = []  # every document's field texts, one document after another
        layouts: dict[tuple[str, ...], int] = {}  # the field names documents have, kept once each
        doc_layout = array("q")
        for key, label, fields in docs:
            keys.append(key)
            labels.append(clip_label(label) or key[:LABEL_MAX])
            if "" in fields.values():  # an empty field is no field
                fields = {name: text for name, text in fields.items() if text}  # noqa: PLW2901
            names = tuple(fields)
            layout = layouts.get(names)
            if layout is None:
                layout = layouts[names] = len(layouts)
            doc_layout.append(layout)
            texts.extend(fields.values())
        self._keys = keys
        self._labels = labels
        total = len(keys)
        bits: dict[str, int] = {}  # field name -> its bit in a posting's field mask
        for names in layouts:
            for name in names:
                bits.setdefault(name, len(bits))
        if len(bits) > FIELDS_MAX:
            raise ValueError(f"a text index has at most {FIELDS_MAX} field names")
        self._bits = bits
        self._layouts = list(layouts)
        of_doc = np.frombuffer(doc_layout, dtype=np.int64)
        self._doc_layout = of_doc.astype(np.int16 if len(layouts) < 1 << 15 else np.int64).data
        # Each field of each document (a "pair"): its name's bit and its text's slot.
        layout_len = np.array([len(names) for names in layouts], dtype=np.int64)
        layout_bits = np.array([bits[name] for names in layouts for name in names], dtype=np.uint8)
        pair_count = layout_len[of_doc]
        pair_field = layout_bits[_gather((np.cumsum(layout_len) - layout_len)[of_doc], pair_count)]
        del of_doc, doc_layout, layout_bits
        slots = dict.fromkeys(texts)  # each distinct text is a slot
        slot_texts = list(slots)
        slots.update(zip(slot_texts, range(len(slot_texts)), strict=True))
        self._slots = cast("dict[str, int]", slots)
        pair_slot = np.fromiter(map(slots.__getitem__, texts), dtype=np.int64, count=len(texts))
        del texts
        lengths, flat = self._split(slot_texts, previous)
        del slot_texts

        # A field's weight of each of its words (BM25F: words in longer fields weigh less).
        pair_len = lengths[pair_slot]
        sums = np.bincount(pair_field, weights=pair_len, minlength=len(bits)).tolist()
        counts = np.bincount(pair_field, minlength=len(bits)).tolist()
        average = np.array([(int(s) / n if n else 0.0) or 1.0 for s, n in zip(sums, counts, strict=True)])
        weights = np.array([FIELD_WEIGHTS.get(name, DEFAULT_FIELD_WEIGHT) for name in bits])
        pair_weight = weights[pair_field] / ((1.0 - _B) + _B * pair_len / average[pair_field])
        # One entry per word of each field, ordered by word, then document, then place in the
        # document (they come by document: a stable sort by word; 16-bit keys sort by radix).
        entry_word = flat[_gather(self._slot_start_np[pair_slot], pair_len)]
        keyed = entry_word.astype(np.uint16) if len(self._vocab) <= 1 << 16 else entry_word
        order = np.argsort(keyed, kind="stable")
        del keyed
        stride = max(total, 1)
        entry_key = entry_word[order].astype(np.int64) * stride
        del entry_word
        entry_key += np.repeat(np.repeat(np.arange(total, dtype=np.int64), pair_count), pair_len)[order]
        entry_weight = np.repeat(pair_weight, pair_len)[order]
        entry_bit = np.repeat(np.left_shift(1, pair_field, dtype=np.uint16), pair_len)[order]
        del order, pair_slot, pair_field, pair_len, pair_count, pair_weight
        # One posting per (word, document): the word's weights there added one by one, in order
        # (as a loop over the document's words adds them: the same sums to the last bit).
        firsts = np.flatnonzero(np.concatenate(([len(entry_key) > 0], entry_key[1:] != entry_key[:-1])))
        posting_key = entry_key[firsts]
        del entry_key
        repeats = np.diff(np.append(firsts, len(entry_weight)))
        tf = entry_weight[firsts]
        more = np.flatnonzero(repeats > 1)
        step = 1
        while len(more):
            tf[more] += entry_weight[firsts[more] + step]
            step += 1
            more = more[repeats[more] > step]
        # The term frequency, saturated as BM25 does, once here rather than in every query.
        sats = tf * (_K1 + 1.0) / (tf + _K1)
        masks = np.bitwise_or.reduceat(entry_bit, firsts) if len(firsts) else entry_bit[:0]
        del entry_weight, entry_bit, tf, repeats, firsts
        posting_word = posting_key // stride
        docs_np = (posting_key - posting_word * stride).astype(np.int32)
        del posting_key
        size = len(self._vocab)
        df = np.bincount(posting_word, minlength=size)
        del posting_word
        indptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        # idf by document frequency (a few hundred of them), with math.log as for an unseen word.
        seen, which = np.unique(df, return_inverse=True)
        idf_of = np.array([math.log(1.0 + (total - n + 0.5) / (n + 0.5)) for n in seen.tolist()])
        idf = idf_of[which] if size else np.zeros(0)
        self._unseen_idf = math.log(1.0 + (total + 0.5) / 0.5)  # a word no document has
        # For top-k pruning: each word's highest weight, and the long lists in impact order
        # (positions in the word's postings by weight, highest first; equals by document).
        max_sat = np.maximum.reduceat(sats, indptr[:-1]) if size else np.zeros(0)
        long_words = np.flatnonzero(df > _COMMON_MIN)
        long_len = df[long_words]
        long_at = np.cumsum(long_len) - long_len
        impact = np.empty(int(long_len.sum()), dtype=np.int32)
        firsts_of = indptr[long_words].tolist()
        for at, count, first in zip(long_at.tolist(), long_len.tolist(), firsts_of, strict=True):
            impact[at : at + count] = np.argsort(-sats[first : first + count], kind="stable")
        self._impact_at = dict(zip(long_words.tolist(), long_at.tolist(), strict=True))
        # The arrays, and views of them read item by item (as Python numbers) in a query's walks.
        self._docs_np, self._sats_np, self._impact_np = docs_np, sats, impact
        self._indptr = indptr.data
        self._docs = docs_np.data
        self._sats = sats.data
        self._masks = masks.data
        self._idf = idf.data
        self._max_sat = max_sat.data
        self._impact = impact.data

    def _split(self, slot_texts: list[str], previous: TextIndex | None) -> tuple[Ints, Int32s]:
        """Each slot's number of words, and every slot's word ids one after another.

        A text the previous index had keeps its words; the others are split now. Sets the
        vocabulary (sorted: a word's id is its place in it) and where each slot's words start.
        """
        import numpy as np  # noqa: PLC0415 - see _build

        if previous is not None:
            known, old_slots, old_flat = previous._ids, previous._slots, previous._flat_np
            old_start, old_len = previous._slot_start_np, previous._slot_len_np
        else:
            known, old_slots, old_flat = {}, {}, np.zeros(0, dtype=np.int32)
            old_start = old_len = np.zeros(0, dtype=np.int64)
        old = np.fromiter(
            (-1 if at is None else at for at in map(old_slots.get, slot_texts)),
            dtype=np.int64,
            count=len(slot_texts),
        )
        reused = old >= 0
        slot_from = np.zeros(len(old), dtype=np.int64)
        lengths = np.zeros(len(old), dtype=np.int64)
        slot_from[reused] = old_start[old[reused]]
        lengths[reused] = old_len[old[reused]]
        # A new word's id: after the previous index's words (they keep theirs until renumbered).
        fresh = np.flatnonzero(~reused)
        words, codes, counts = _tokens_of([slot_texts[at] for at in fresh.tolist()])
        added: dict[str, int] = {}
        next_id = len(known)
        ids = array("i")
        for word in words:
            wid = known.get(word)
            if wid is None:
                wid = added[word] = next_id
                next_id += 1
            ids.append(wid)
        split = np.frombuffer(ids, dtype=np.int32)[codes] if len(ids) else np.zeros(0, dtype=np.int32)
        slot_from[fresh] = len(old_flat) + np.cumsum(counts) - counts
        lengths[fresh] = counts
        source = np.concatenate((old_flat.astype(np.int32, copy=False), split))
        flat = source[_gather(slot_from, lengths)]
        del source, split
        used = np.zeros(next_id, dtype=bool)
        used[flat] = True
        renumber = self._vocabulary(previous, added, used)
        self._flat_np = (flat if renumber is None else renumber[flat]).astype(np.int32, copy=False)
        self._slot_start_np = np.cumsum(lengths) - lengths
        self._slot_len_np = lengths
        return lengths, self._flat_np

    def _vocabulary(self, previous: TextIndex | None, added: dict[str, int], used: Bools) -> Ints | None:
        """The sorted vocabulary of the words ``used``, and how to renumber them (None: as they are).

        Ids below the previous index's vocabulary size are its words (in order), the others
        ``added``.
        """
        import numpy as np  # noqa: PLC0415 - see _build

        old_size = len(previous._vocab) if previous is not None else 0
        kept = np.flatnonzero(used[:old_size])
        if previous is not None and not added and len(kept) == old_size:  # the same words
            self._vocab, self._ids, self._words = previous._vocab, previous._ids, previous._words
            self._digits_np = previous._digits_np
            return None
        old_vocab = previous._vocab if previous is not None else []
        kept_words = old_vocab if len(kept) == old_size else [old_vocab[i] for i in kept.tolist()]
        new_words = sort_in_steps(list(added))  # in short steps: a reload builds beside the loop
        # Where each new word goes among the kept ones (which stay in order), and each kept one.
        before = np.array([bisect_left(kept_words, w) for w in new_words], dtype=np.int64).reshape(-1)
        new_at = before + np.arange(len(new_words))
        kept_at = np.arange(len(kept)) + np.searchsorted(before, np.arange(len(kept)), side="right")
        if kept_words:
            vocab: list[str] = [""] * (len(kept) + len(new_words))
            for at, word in zip(kept_at.tolist(), kept_words, strict=True):
                vocab[at] = word
            for at, word in zip(new_at.tolist(), new_words, strict=True):
                vocab[at] = word
        else:
            vocab = new_words
        self._vocab = vocab
        self._ids = {word: n for n, word in enumerate(vocab)}
        renumber = np.zeros(len(used), dtype=np.int64)
        renumber[kept] = kept_at
        renumber[[added[w] for w in new_words]] = new_at
        digits = np.zeros(len(vocab), dtype=bool)
        if previous is not None and len(kept):
            digits[kept_at] = previous._digits_np[kept]
        digits[new_at] = [not w.isalpha() and any(ch.isdigit() for ch in w) for w in new_words]
        self._digits_np = digits
        self._words = [vocab[i] for i in np.flatnonzero(~digits).tolist()]  # for typo matches
        return renumber

    def __len__(self) -> int:
        return len(self._keys)

    def _postings(self, word: int) -> tuple[int, int]:
        """Where a word's postings are (start, stop) in the flat arrays."""
        return self._indptr[word], self._indptr[word + 1]

    def _walk(self, word: int) -> Iterable[tuple[int, float]]:
        """A word's (document, saturated weight) pairs."""
        start, stop = self._indptr[word], self._indptr[word + 1]
        return zip(self._docs[start:stop].tolist(), self._sats[start:stop].tolist(), strict=True)

    def _position(self, word: int, doc: int) -> int:
        """Where a document is in a word's postings, or -1."""
        start, stop = self._indptr[word], self._indptr[word + 1]
        at = bisect_left(self._docs, doc, start, stop)
        return at if at < stop and self._docs[at] == doc else -1

    def _has(self, token: str, doc: int) -> bool:
        word = self._ids.get(token)
        return word is not None and self._position(word, doc) >= 0

    def _prefixed(self, prefix: str, limit: int) -> list[int]:
        vocab = self._vocab
        lo = bisect_left(vocab, prefix)
        out: list[int] = []
        for at in range(lo, len(vocab)):  # not vocab[lo:]: that copies the rest of the vocabulary
            word = vocab[at]
            if not word.startswith(prefix) or len(out) >= limit:
                break
            if word != prefix:
                out.append(at)  # a word's id is its place in the vocabulary
        return out

    def _expand(self, token: str, *, as_prefix: bool) -> list[tuple[int, float]]:
        """Vocabulary words (ids) a query token stands for, with a weight (1 = as typed)."""
        out: list[tuple[int, float]] = []
        own = self._ids.get(token)
        if own is not None:
            out.append((own, 1.0))
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
                out.append((self._ids[word], 0.8 * score / 100.0))
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
                all(self._has(token, doc) for token in content),  # every word found as typed
            ))
        return hits

    def _token_part(
        self, exps: Sequence[tuple[int, float]], docs: Iterable[int] | None = None
    ) -> dict[int, tuple[float, float]]:
        """Doc -> (BM25 part, match weight) for one query word: its best expansion in each document.

        Every document with one of the expansions, or only ``docs`` (looked up, not walked).
        """
        idf = self._idf
        if docs is not None:
            return self._looked_up(exps, docs)
        if len(exps) == 1:  # the word as typed only: every document has it once
            word, weight = exps[0]
            factor = weight * idf[word]
            return {doc: (factor * sat, factor) for doc, sat in self._walk(word)}
        best: dict[int, tuple[float, float]] = {}
        for word, weight in exps:
            factor = weight * idf[word]
            for doc, sat in self._walk(word):
                value = factor * sat
                old = best.get(doc)
                if old is None or value > old[0]:
                    best[doc] = (value, factor)
        return best

    def _looked_up(
        self, exps: Sequence[tuple[int, float]], docs: Iterable[int]
    ) -> dict[int, tuple[float, float]]:
        """:meth:`_token_part` of ``docs`` only: each looked up in each expansion's postings."""
        import numpy as np  # noqa: PLC0415 - loaded by the build

        wanted = np.fromiter(docs, dtype=np.int32)
        value = np.zeros(len(wanted))
        factor_of = np.zeros(len(wanted))
        found = np.zeros(len(wanted), dtype=bool)
        for word, weight in exps:
            factor = weight * self._idf[word]
            start, stop = self._postings(word)
            at = np.searchsorted(self._docs_np[start:stop], wanted)
            at[at == stop - start] = 0
            here = self._docs_np[start + at] == wanted
            part = factor * self._sats_np[start + at]
            better = here & (~found | (part > value))  # the first of equals, as a walk would keep
            value[better] = part[better]
            factor_of[better] = factor
            found |= here
        keep = np.flatnonzero(found)
        parts = zip(value[keep].tolist(), factor_of[keep].tolist(), strict=True)
        return dict(zip(wanted[keep].tolist(), parts, strict=True))

    def _bound(self, exps: Sequence[tuple[int, float]], depth: int | None = None) -> float:
        """The most one query word adds to a document's score.

        To any document's, or (with ``depth``) to one not among the first ``depth`` of each
        expansion's impact order.
        """
        out = 0.0
        for word, weight in exps:
            if depth is None:
                sat = self._max_sat[word]
            else:
                at = self._impact_at.get(word)
                start, stop = self._postings(word)
                if at is None or stop - start <= depth:
                    continue  # short lists are walked whole: nothing beyond them
                sat = self._sats[start + self._impact[at + depth]]
            out = max(out, weight * self._idf[word] * sat)
        return out
    def _score(
        self, expansions: list[list[tuple[int, float]]], limit: int, weight_total: float
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
        indptr = self._indptr
        sizes = [sum(indptr[w + 1] - indptr[w] for w, _ in exps) for exps in expansions]
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

    def _top(self, word: int, depth: int) -> list[int]:
        start, stop = self._postings(word)
        at = self._impact_at.get(word)
        if at is None:
            return self._docs[start:stop].tolist()
        top: list[int] = self._docs_np[start + self._impact_np[at : at + min(depth, stop - start)]].tolist()
        return top

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

    def _best_field(self, doc: int, expansions: Sequence[Sequence[tuple[int, float]]]) -> str:
        masks: dict[int, int] = {}  # each expansion's fields in the document (bits)
        for exps in expansions:
            for word, _weight in exps:
                if word not in masks:
                    at = self._position(word, doc)
                    masks[word] = self._masks[at] if at >= 0 else 0
        idf = self._idf
        best_name, best_value = "", -1.0
        for name in self._layouts[self._doc_layout[doc]]:
            bit = 1 << self._bits[name]
            weight = FIELD_WEIGHTS.get(name, DEFAULT_FIELD_WEIGHT)
            value = 0.0
            for exps in expansions:
                value += max((w_weight * idf[w] for w, w_weight in exps if masks[w] & bit), default=0.0)
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
        words = []  # each query word's expansions: (factor, documents, saturated weights), arrays
        for exps in expansions:
            parts = []
            for word, weight in exps:
                start, stop = self._postings(word)
                parts.append((weight * idf[word], self._docs_np[start:stop], self._sats_np[start:stop]))
            words.append(parts)
        final, _scores = ranking.score_words(len(self._keys), words, weight_total)
        return ranking.Ranking.of(final, _KEEP_FRACTION)

    def with_every_word(self, query: str) -> list[int]:
        """The documents with every word of the query as typed (ascending)."""
        import numpy as np  # noqa: PLC0415 - loaded by the build

        content = {t for t in text_tokens(query, query=True) if t not in STOPWORDS}
        lists = []
        for token in content:
            word = self._ids.get(token)
            if word is None:
                return []
            start, stop = self._postings(word)
            lists.append(self._docs_np[start:stop])
        if not lists:
            return []
        lists.sort(key=len)
        found = lists[0]
        for other in lists[1:]:
            found = np.intersect1d(found, other, assume_unique=True)
        return [int(doc) for doc in found.tolist()]

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
