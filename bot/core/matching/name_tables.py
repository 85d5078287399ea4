"""The tables behind a name index: posting lists and sorted prefix tables, built two ways.

A :class:`~bot.core.matching.names.NameIndex` finds fuzzy candidates in two inverted indexes
(character trigrams of every choice, and deletion keys of the first letters at each word start
of a real name) and completes prefixes from two sorted tables (whole names, later word starts).
:func:`build_tables` makes all of them from the index's choices.

Small indexes (the shipped data: about a thousand names) are built in plain Python, so that a
question asked on the command line never imports numpy. From ``NUMPY_MIN`` choices on, they are
built with numpy arrays: every choice written once as one array of letter numbers, trigrams and
deletion keys as integer codes, posting lists made by stable sorts (at 100,000 places, a fifth
of the time of the Python loops). Both builds give the very same tables
(tests/test_name_tables.py compares them).

Every posting list is a slice of one flat array of C ints (no object per list or per id), read
through a ``memoryview``: slicing it copies nothing, and reading it gives Python ints.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.steps import order_in_steps, sort_in_steps

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Ints = NDArray[np.int64]

NUMPY_MIN = 4096  # choices from which the tables are built with numpy
SCAN = 256  # prefix ranges up to this size are sorted on the fly
HEAVY_KEEP = 64  # for larger ranges, the best ones are kept ready

_MAXCHAR = "\U0010ffff"


def _trigram_slices(count: int) -> tuple[slice, ...]:
    return tuple(slice(i, i + 3) for i in range(count))


_TRIGRAM_SLICES = _trigram_slices(256)  # enough for almost every name; longer ones get their own


def deletion_keys(head: str) -> set[str]:
    """Deletion keys of a string's first five characters.

    Two strings whose first five characters are within one edit (substitution,
    insertion, deletion or swap) share at least one key.
    """
    if len(head) >= 5:
        return {head[:4], head[1:5], head[0] + head[2:5], head[:2] + head[3:5], head[:3] + head[4]}
    keys = {head}
    for i in range(min(4, len(head))):
        keys.add(head[:i] + head[i + 1 :])
    return keys


class Postings:
    """Lists of ids by key, each in increasing order, all in one flat array."""

    __slots__ = ("_at", "_bounds", "_ids")

    def __init__(self, at: dict[str, int], bounds: memoryview, ids: memoryview) -> None:
        """``at``: each key's number ``k``; its ids are ``ids[bounds[k] : bounds[k + 1]]``."""
        self._at = at
        self._bounds = bounds
        self._ids = ids

    @classmethod
    def of_lists(cls, lists: dict[str, list[int]]) -> Postings:
        """The postings of lists already in increasing order."""
        ids = array("i")
        bounds = array("q", [0])
        for items in lists.values():
            ids.extend(items)
            bounds.append(len(ids))
        return cls({key: k for k, key in enumerate(lists)}, memoryview(bounds), memoryview(ids))

    def get(self, key: str) -> memoryview | None:
        """The ids of ``key`` (a view, no copy), or None when no id has it."""
        k = self._at.get(key)
        if k is None:
            return None
        bounds = self._bounds
        return self._ids[bounds[k] : bounds[k + 1]]

    def __contains__(self, key: str) -> bool:
        return key in self._at

    def __len__(self) -> int:
        return len(self._at)

    def __iter__(self) -> Iterator[str]:
        """Every key, in no particular order."""
        return iter(self._at)


class PrefixTable:
    """Strings sorted for bisect, each with a payload id and a display order.

    ``matches(prefix)`` yields the payloads of every string starting with ``prefix``
    in display order. Ranges larger than ``SCAN`` use a top list computed at build
    time, so even a one-letter prefix over 100,000 names costs a dict lookup.
    """

    __slots__ = ("_heavy", "_heavy_at", "_ids", "_pos_of_rank", "_rank", "_strs")

    def __init__(
        self,
        strs: list[str],
        *,
        ids: memoryview,
        pos_of_rank: memoryview,
        rank: memoryview,
        heavy_at: dict[str, int],
        heavy: memoryview,
    ) -> None:
        """Columns in string order (see :func:`build_tables`).

        ``strs``: sorted by (string, display order, payload id); ``ids``: each one's payload;
        ``pos_of_rank``: the positions in display order (then position), and ``rank`` its inverse;
        ``heavy_at``: each prefix of more than ``SCAN`` strings -> ``k``, whose first ``HEAVY_KEEP``
        positions in display order are ``heavy[k * HEAVY_KEEP : (k + 1) * HEAVY_KEEP]``.
        """
        self._strs = strs
        self._ids = ids
        self._pos_of_rank = pos_of_rank
        self._rank = rank
        self._heavy_at = heavy_at
        self._heavy = heavy

    def __len__(self) -> int:
        return len(self._strs)

    def matches(self, prefix: str) -> Iterator[int]:
        """Payload ids of the strings that start with ``prefix``, in display order."""
        strs, ids, rank = self._strs, self._ids, self._rank
        lo = bisect_left(strs, prefix)
        hi = bisect_left(strs, prefix + _MAXCHAR, lo)
        if hi - lo <= SCAN:
            for j in sorted(range(lo, hi), key=rank.__getitem__):
                yield ids[j]
            return
        k = self._heavy_at.get(prefix)
        # (None cannot happen for a range this large; stay correct anyway)
        top = self._heavy[k * HEAVY_KEEP : (k + 1) * HEAVY_KEEP] if k is not None else self._heavy[:0]
        for j in top:
            yield ids[j]
        if hi - lo > len(top):
            pos_of_rank = self._pos_of_rank
            for r in sorted(rank[lo:hi])[len(top) :]:
                yield ids[pos_of_rank[r]]


def _shared(strs: list[str]) -> list[str]:
    """``strs`` with equal strings one object (later words repeat: "county", "city", "saint ...")."""
    one: dict[str, str] = {}
    return list(map(one.setdefault, strs, strs))


def _heavy_ranges(strs: list[str]) -> list[tuple[str, int, int]]:
    """Each prefix shared by more than ``SCAN`` of the sorted strings, with its range in them."""
    found: list[tuple[str, int, int]] = []
    stack: list[tuple[str, int, int]] = [("", 0, len(strs))]
    while stack:
        prefix, lo, hi = stack.pop()
        depth = len(prefix)
        i = lo
        while i < hi and len(strs[i]) == depth:
            i += 1
        while i < hi:
            child = strs[i][: depth + 1]
            j = bisect_left(strs, child + _MAXCHAR, i, hi)
            if j - i > SCAN:
                found.append((child, i, j))
                stack.append((child, i, j))
            i = j
    return found


@dataclass(frozen=True, slots=True)
class Tables:
    """What :func:`build_tables` makes.

    Items are the word starts of the real names: ``item_cid`` (the choice) and ``item_pos``
    (where the word starts in it), numbered by choice, then position.
    """

    grams: Postings  # trigram of a padded choice -> choice ids
    dkeys: Postings  # deletion key of the first five letters at a word start -> item ids
    item_cid: memoryview
    item_pos: memoryview
    full: PrefixTable  # whole real names -> item ids, in their owner's display order
    words: PrefixTable  # later word starts -> item ids, likewise


def build_tables(choices: list[str], owner: Sequence[int]) -> Tables:
    """The tables of ``choices`` (unique normalized strings, never empty).

    ``owner``: per choice, the first entry (in display order) that has it as a real name, or -1
    when it is only a variant of names (no item). Items of one choice take that entry's order.
    """
    if len(choices) >= NUMPY_MIN:
        tables = _tables_np(choices, owner)
        if tables is not None:
            return tables
    return _tables_py(choices, owner)


# ---------------------------------------------------------------------------------- plain Python


def _tables_py(choices: list[str], owner: Sequence[int]) -> Tables:
    grams: defaultdict[str, list[int]] = defaultdict(list)
    # Items by the first five letters at their word start: deletion keys depend only on those.
    by_head: defaultdict[str, list[int]] = defaultdict(list)
    item_cid: list[int] = []
    item_pos: list[int] = []
    full_strs: list[str] = []  # whole names: (string, display order, item id) in columns
    full_orders: list[int] = []
    full_items: list[int] = []
    word_strs: list[str] = []  # later word starts, likewise
    word_orders: list[int] = []
    word_items: list[int] = []
    for cid, choice in enumerate(choices):
        padded = f" {choice} "
        size = len(padded) - 2
        cuts = _TRIGRAM_SLICES[:size] if size <= len(_TRIGRAM_SLICES) else _trigram_slices(size)
        for gram in set(map(padded.__getitem__, cuts)):
            grams[gram].append(cid)
        first = owner[cid]
        if first < 0:
            continue
        item = len(item_cid)
        item_cid.append(cid)
        item_pos.append(0)
        full_strs.append(choice)
        full_orders.append(first)
        full_items.append(item)
        by_head[choice[:5]].append(item)
        pos = choice.find(" ") + 1
        while pos:
            item += 1
            item_cid.append(cid)
            item_pos.append(pos)
            word_strs.append(choice[pos:])
            word_orders.append(first)
            word_items.append(item)
            by_head[choice[pos : pos + 5]].append(item)
            pos = choice.find(" ", pos) + 1
    # Each deletion key's items, in increasing order: the lists of the heads that have the key.
    dkeys: defaultdict[str, list[int]] = defaultdict(list)
    for head, items in by_head.items():
        for key in deletion_keys(head):
            dkeys[key] += items
    for items in dkeys.values():
        items.sort()  # sorted runs (one per head): a linear merge
    return Tables(
        Postings.of_lists(grams),
        Postings.of_lists(dkeys),
        memoryview(array("i", item_cid)),
        memoryview(array("i", item_pos)),
        _prefix_table_py(full_strs, full_orders, full_items, unique=True),  # one item per choice
        _prefix_table_py(word_strs, word_orders, word_items, unique=False),
    )


def _prefix_table_py(strs: list[str], orders: list[int], ids: list[int], *, unique: bool) -> PrefixTable:
    """The table of parallel columns: each string, its display order and its payload id.

    Strings sort by (string, display order, payload id); payload ids come in increasing order.
    ``unique``: no string comes twice (so the string alone decides).
    """
    count = len(strs)
    if unique:
        perm = order_in_steps(strs)
    else:
        # One string to sort by: normalized strings have no NUL, and hex digits of one width
        # sort as the numbers do; equal ones keep their order (increasing payload ids).
        perm = order_in_steps([f"{text}\0{order:08x}" for text, order in zip(strs, orders, strict=True)])
    sorted_strs = _shared([strs[p] for p in perm])
    # Display order, then string (= position in the sorted array), packed in one int.
    packed = sort_in_steps([orders[p] * count + j for j, p in enumerate(perm)])
    pos_of_rank = array("i", [p % count for p in packed])
    rank = array("i", bytes(4 * count))
    for r, j in enumerate(pos_of_rank):
        rank[j] = r
    heavy_at: dict[str, int] = {}
    heavy = array("i")
    for prefix, lo, hi in _heavy_ranges(sorted_strs):
        heavy_at[prefix] = len(heavy_at)
        heavy.extend(pos_of_rank[r] for r in heapq.nsmallest(HEAVY_KEEP, rank[lo:hi]))
    return PrefixTable(
        sorted_strs,
        ids=memoryview(array("i", [ids[p] for p in perm])),
        pos_of_rank=memoryview(pos_of_rank),
        rank=memoryview(rank),
        heavy_at=heavy_at,
        heavy=memoryview(heavy),
    )


# ---------------------------------------------------------------------------------- numpy
#
# Letters are numbered 1..A in code point order (0: past the end of a string), so that a string's
# numbers compare as its letters do. A few letters then make one integer code (trigrams, the five
# letters of a head), and posting lists come from stable sorts of those codes.


def text_order(strs: list[str]) -> list[int]:
    """The positions of ``strs`` sorted stably by string (with numpy from ``NUMPY_MIN`` strings)."""
    if len(strs) < NUMPY_MIN:
        return order_in_steps(strs)
    import numpy as np  # noqa: PLC0415 - only large indexes pay for the import

    sym, base, _letters = _letter_numbers("".join(strs))
    lengths = np.array(list(map(len, strs)), dtype=np.int64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    order: list[int] = _text_order(sym, starts, ends, base).tolist()
    return order


def rank_order(order: list[int], ranks: Sequence[float]) -> list[int]:
    """``order`` sorted stably by rank, higher first (with numpy from ``NUMPY_MIN`` ranks)."""
    if len(order) >= NUMPY_MIN:
        import numpy as np  # noqa: PLC0415 - only large indexes pay for the import

        values = np.asarray(ranks, dtype=np.float64)
        if not np.isnan(values).any():  # (NaN ranks: as Python buckets them, below)
            positions = np.asarray(order, dtype=np.int64)
            ranked: list[int] = positions[np.argsort(-values[positions], kind="stable")].tolist()
            return ranked
    by_rank: dict[float, list[int]] = {}  # few ranks (record counts): stable buckets
    for i in order:
        by_rank.setdefault(ranks[i], []).append(i)
    return [i for rank in sorted(by_rank, reverse=True) for i in by_rank[rank]]


def _letter_numbers(text: str) -> tuple[Ints, int, NDArray[np.uint32]]:
    """The letters of ``text`` as numbers, the number they are below, and the code point of each."""
    import numpy as np  # noqa: PLC0415

    if text.isascii():
        points = np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.int64)
    else:
        points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)
    alphabet = np.flatnonzero(np.bincount(points)) if len(points) else np.zeros(0, dtype=np.int64)
    base = len(alphabet) + 1
    number = np.zeros(int(alphabet[-1]) + 1 if len(alphabet) else 1, dtype=np.int64)
    number[alphabet] = np.arange(1, base, dtype=np.int64)
    letters = np.concatenate((np.zeros(1, dtype=np.uint32), alphabet.astype(np.uint32)))
    return number[points], base, letters


def _tables_np(choices: list[str], owner: Sequence[int]) -> Tables | None:
    """:func:`_tables_py`'s tables, made with numpy; None for an alphabet too large for the codes."""
    import numpy as np  # noqa: PLC0415 - only large indexes pay for the import

    count = len(choices)
    sizes = np.array(list(map(len, choices)), dtype=np.int64)
    # Every choice padded with a space on either side: " c0  c1  c2 ".
    sym, base, letters = _letter_numbers(" " + "  ".join(choices) + " ")
    if base**5 >= 1 << 62:  # thousands of different letters: five of them would not fit one code
        return None
    starts = np.cumsum(sizes + 2) - sizes - 1  # where each choice starts in the text
    ends = starts + sizes

    # Trigrams of each padded choice: choice c's start at starts[c] - 1, sizes[c] of them.
    total = int(sizes.sum())
    at = np.repeat(starts - 1 - (np.cumsum(sizes) - sizes), sizes) + np.arange(total, dtype=np.int64)
    codes = (sym[at] * base + sym[at + 1]) * base + sym[at + 2]
    del at
    gram_codes, gram_of = _dense_ids(codes, base**3)
    del codes
    owners = np.repeat(np.arange(count, dtype=np.int32), sizes)
    grams = _postings_np(gram_of, owners, _strings(letters[_digits(gram_codes, base, 3)]))
    del gram_of

    # Items: the start of each real choice, and the place after each space inside it.
    first_of = np.asarray(owner, dtype=np.int64)
    spaces = np.flatnonzero(sym == sym[0])  # sym[0]: the first pad, a space
    space_cid = np.searchsorted(starts, spaces, "right") - 1
    inside = (space_cid >= 0) & (spaces < ends[np.maximum(space_cid, 0)])
    spaces, space_cid = spaces[inside], space_cid[inside]
    real = first_of >= 0
    at = np.sort(np.concatenate((starts[real], spaces[real[space_cid]] + 1)))
    del spaces, space_cid, inside
    item_cid = np.searchsorted(starts, at, "right") - 1
    item_pos = at - starts[item_cid]
    item_end = ends[item_cid]
    items = len(at)

    # Deletion keys: those of each different head (up to five letters at a word start), then the
    # items of each key. Dropping each of a head's five letters in turn gives its keys (dropping a
    # pad past the end of a shorter head gives the head itself, as deletion_keys has it).
    heads = np.zeros(items, dtype=np.int64)
    for k in range(5):
        where = at + k
        heads = heads * base + np.where(where < item_end, sym[np.minimum(where, len(sym) - 1)], 0)
    head_codes, head_of = _dense_ids(heads, base**5)
    del heads
    head_digits = _digits(head_codes, base, 5)
    key_codes = np.zeros((len(head_codes), 5), dtype=np.int64)
    for dropped in range(5):
        code = np.zeros(len(head_codes), dtype=np.int64)
        for k in range(5):
            if k != dropped:
                code = code * base + head_digits[:, k]
        key_codes[:, dropped] = code * base
    del head_digits
    key_list, key_of = _dense_ids(key_codes.ravel(), base**5)
    del key_codes
    item_keys = key_of.reshape(-1, 5)[head_of].ravel()
    owners = np.repeat(np.arange(items, dtype=np.int32), 5)
    dkeys = _postings_np(item_keys, owners, _strings(letters[_digits(key_list, base, 5)]))
    del item_keys, key_of, head_of

    # The prefix tables: whole names, and later word starts (first by display order: ties keep it).
    columns = _Items(choices, sym, base, at, item_end, item_cid, item_pos, first_of[item_cid],
                     int(first_of.max(initial=0)) + 1)
    later = np.flatnonzero(item_pos > 0)
    later = later[_stable_order(columns.first[later], columns.entries)]
    return Tables(
        grams,
        dkeys,
        item_cid.astype(np.int32).data,
        item_pos.astype(np.int32).data,
        _prefix_table_np(np.flatnonzero(item_pos == 0), columns, whole_names=True),
        _prefix_table_np(later, columns, whole_names=False),
    )


@dataclass(frozen=True, slots=True)
class _Items:
    """The text of every choice as letter numbers, and the items' columns (numpy build)."""

    choices: list[str]
    sym: Ints  # letter numbers of the padded choices, one after another
    base: int  # letter numbers are below it
    at: Ints  # where each item starts in sym
    end: Ints  # where its choice ends
    cid: Ints
    pos: Ints
    first: Ints  # its choice's display order
    entries: int  # display orders are below it


def _stable_order(keys: Ints, bound: int) -> Ints:
    """``np.argsort(keys, kind="stable")`` of integers in ``[0, bound)``: radix sorts, 16 bits each."""
    import numpy as np  # noqa: PLC0415

    if bound <= 1 << 16:
        order: Ints = np.argsort(keys.astype(np.uint16), kind="stable")
        return order
    if bound > 1 << 48:
        return np.argsort(keys, kind="stable").astype(np.int64)
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while bound > 1 << shift:
        digit = ((keys[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


def _dense_ids(codes: Ints, bound: int) -> tuple[Ints, Ints]:
    """The different codes (in increasing order) and each code's place among them."""
    import numpy as np  # noqa: PLC0415

    if bound <= max(1 << 16, 4 * len(codes)):
        seen = np.zeros(bound, dtype=np.bool_)
        seen[codes] = True
        found = np.flatnonzero(seen)
        place = np.zeros(bound, dtype=np.int64)
        place[found] = np.arange(len(found), dtype=np.int64)
        return found.astype(np.int64), place[codes]
    order = _stable_order(codes, bound)
    ordered = codes[order]
    new = np.ones(len(codes), dtype=np.bool_)
    new[1:] = ordered[1:] != ordered[:-1]
    ids = np.empty(len(codes), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ordered[new], ids


def _digits(codes: Ints, base: int, width: int) -> Ints:
    """Each code's ``width`` digits in ``base``, most significant first: one row per code."""
    import numpy as np  # noqa: PLC0415

    out = np.empty((len(codes), width), dtype=np.int64)
    rest = codes.copy()
    for k in range(width - 1, -1, -1):
        out[:, k] = rest % base
        rest //= base
    return out


def _strings(points: NDArray[np.uint32]) -> list[str]:
    """The strings of rows of code points (0 past the end of a shorter one)."""
    import numpy as np  # noqa: PLC0415

    width = points.shape[1]
    # Rows laid out as fixed-width numpy strings, whose NULs at the end are dropped.
    strings = np.ascontiguousarray(points).view(np.dtype(("U", width))).ravel()
    return [str(s) for s in strings.tolist()]


def _postings_np(keys: Ints, ids: NDArray[np.int32], names: list[str]) -> Postings:
    """Postings from (key number, id) pairs with ids in increasing order; a pair may come twice.

    ``names``: the key of each key number.
    """
    import numpy as np  # noqa: PLC0415

    size = len(names)
    counts = np.bincount(keys, minlength=size)
    order = _stable_order(keys, size)
    # Gathered in the narrowest type (the order is random access: the fewer bytes, the faster).
    ordered = keys.astype(np.uint16 if size <= 1 << 16 else np.int32)[order]
    flat = ids.astype(np.int32)[order]
    del order
    twice = np.flatnonzero((ordered[1:] == ordered[:-1]) & (flat[1:] == flat[:-1])) + 1
    if len(twice):
        counts -= np.bincount(ordered[twice], minlength=size)
        flat = np.delete(flat, twice)
    bounds = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(counts, out=bounds[1:])
    return Postings(dict(zip(names, range(size), strict=True)), bounds.data, flat.data)


def _prefix_table_np(rows: Ints, items: _Items, *, whole_names: bool) -> PrefixTable:
    """The prefix table of items ``rows``: ties (equal strings) keep the order they come in."""
    import numpy as np  # noqa: PLC0415

    rows = rows[_text_order(items.sym, items.at[rows], items.end[rows], items.base)]
    cids = items.cid[rows].tolist()
    choices = items.choices
    if whole_names:
        strs = list(map(choices.__getitem__, cids))
    else:
        strs = _shared([choices[c][p:] for c, p in zip(cids, items.pos[rows].tolist(), strict=True)])
    count = len(rows)
    pos_of_rank = _stable_order(items.first[rows], items.entries)
    rank = np.empty(count, dtype=np.int64)
    rank[pos_of_rank] = np.arange(count, dtype=np.int64)
    heavy_at: dict[str, int] = {}
    tops: list[Ints] = []
    for prefix, lo, hi in _heavy_ranges(strs):
        heavy_at[prefix] = len(tops)
        tops.append(pos_of_rank[np.sort(np.partition(rank[lo:hi], HEAVY_KEEP - 1)[:HEAVY_KEEP])])
    heavy = np.concatenate(tops) if tops else np.zeros(0, dtype=np.int64)
    return PrefixTable(
        strs,
        ids=rows.astype(np.int32).data,
        pos_of_rank=pos_of_rank.astype(np.int32).data,
        rank=rank.astype(np.int32).data,
        heavy_at=heavy_at,
        heavy=heavy.astype(np.int32).data,
    )


def _text_order(sym: Ints, begin: Ints, end: Ints, base: int) -> Ints:
    """The positions ``0..n-1`` stably sorted by the strings ``sym[begin[i]:end[i]]``.

    Letter numbers are packed several to a 63-bit word: sorted by the first word, then the
    runs of equal words (among strings longer than what was compared) by the next, and so on.
    """
    import numpy as np  # noqa: PLC0415

    count = len(begin)
    if len(sym) == 0:  # every string empty (or none at all)
        return np.arange(count, dtype=np.int64)
    bits = (base - 1).bit_length()
    per = 63 // bits
    last = len(sym) - 1
    offsets = np.arange(per, dtype=np.int64)
    weights = 1 << (bits * (per - 1 - offsets))

    def word(rows: Ints, column: int) -> Ints:
        where = (begin[rows] + column * per)[:, None] + offsets
        letters = np.where(where < end[rows][:, None], sym[np.minimum(where, last)], 0)
        packed: Ints = letters @ weights  # the bits of letters do not overlap
        return packed

    words = word(np.arange(count, dtype=np.int64), 0)
    order = _stable_order(words, 1 << (per * bits))
    words = words[order]
    cut = np.ones(count, dtype=np.bool_)  # where a run of strings equal so far begins
    cut[1:] = words[1:] != words[:-1]
    lengths = (end - begin)[order]
    column = 1
    while True:
        shared = ~cut  # in a run of two or more: equal to the one before, or the one after is
        shared[:-1] |= ~cut[1:]
        rows = np.flatnonzero(shared)
        if len(rows) == 0:
            return order
        run_starts = np.flatnonzero(cut[rows])
        # Runs whose strings are all compared to their end are equal strings: done.
        open_runs = np.maximum.reduceat(lengths[rows], run_starts) > column * per
        rows = rows[np.repeat(open_runs, np.diff(np.append(run_starts, len(rows))))]
        if len(rows) == 0:
            return order
        words = word(order[rows], column)
        runs = np.cumsum(cut[rows])
        within = np.lexsort((words, runs))  # runs stay where they are (they are in order)
        order[rows] = order[rows][within]
        lengths[rows] = lengths[rows][within]
        words = words[within]
        split = np.flatnonzero((words[1:] != words[:-1]) & (runs[1:] == runs[:-1])) + 1
        cut[rows[split]] = True
        column += 1
