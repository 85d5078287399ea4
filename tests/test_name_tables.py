"""The name index's tables built with numpy (large indexes) are those built in plain Python (small ones).

:mod:`bot.core.matching.name_tables` switches to numpy from ``NUMPY_MIN`` choices; here the threshold
is moved so that the same entries go through each build, and every table (trigram and deletion-key
postings, word starts, both prefix tables with their top lists) and every answer must be the same.
"""

from __future__ import annotations

import random
import string
from typing import Any

import pytest

from bench.synthetic import synthetic_names
from bot.core.matching import NameEntry, NameIndex, name_tables
from bot.core.matching.name_tables import HEAVY_KEEP, Postings, PrefixTable, text_order
from tests import names_golden as golden

ODD = (
    NameEntry("o:empty", "", ("",)),
    NameEntry("o:nameless", "Nameless", ()),
    NameEntry("o:marks", "Marks", ("...", "—", "A", "a")),  # empty once normalized; equal once normalized
    NameEntry("o:letters", "B", ("b", "B.", "c", "cc", "c c", "aaaaa", "aaaa", "aa a")),
    NameEntry("o:saint-louis", "St. Louis", ("St. Louis", "Saint Louis", "saint louis", "ST LOUIS")),
    NameEntry("o:twice", "Twice", ("Shelbyville",)),
    NameEntry("o:twice", "Twice again", ("Twice Falls", "Shelbyville"), rank=4.0),  # the same key again
    NameEntry("o:armenian", "Ֆրանսիա", ("Ֆրանսիա", "Ֆրանս", "Հայաստան")),
    NameEntry("o:cyrillic", "Калифорния", ("Калифорния", "Калиф", "Лос-Анджелес")),
    NameEntry("o:greek", "Ελλάδα", ("Ελλάδα", "Αθήνα")),
    NameEntry("o:cjk", "東京", ("東京", "東京都", "大阪 市")),
    NameEntry("o:emoji", "Star", ("★ Star ★", "\U0001f600 smile")),
    NameEntry("o:long", "Long", ("word " * 80 + "end", "x" * 300)),  # more trigrams than the slices kept
    NameEntry("o:fresno-county", "Fresno County", ("Fresno County", "City of Fresno", "The Fresno")),
    NameEntry("o:fresno", "Fresno", ("Fresno",)),  # the variants of another's names
    NameEntry("o:basque", "Basque Country", ("Basque Country", "basque")),
    NameEntry("o:case", "ABC", ("Abc Town",)),
    NameEntry("o:case2", "abc", ("ABC Town",)),  # labels equal but for case, names equal once normalized
    *(NameEntry(f"o:same-{i}", f"Same {i % 7}", ("Newtown", f"Newtown {i}"), rank=float(i % 3))
      for i in range(400)),  # one name for many entries: long prefix ranges full of ties
)


def _entries() -> list[NameEntry]:
    rng = random.Random(golden.SEED)
    entries = [NameEntry(e.key, e.label, e.names, float(rng.choice((0, 0, 1, 2, -1))))
               for e in synthetic_names(1500, golden.SEED)]
    return [*ODD, *entries, *ODD[:8]]  # the odd ones at both ends (and their keys twice)


def _postings(postings: Postings) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for key in postings:
        ids = postings.get(key)
        assert ids is not None
        found[key] = list(ids)
    return found


def _table(table: PrefixTable) -> list[Any]:
    heavy = {prefix: list(table._heavy[k * HEAVY_KEEP : (k + 1) * HEAVY_KEEP])
             for prefix, k in table._heavy_at.items()}
    return [table._strs, list(table._ids), list(table._pos_of_rank), list(table._rank), heavy]


def _inside(index: NameIndex) -> dict[str, Any]:
    return {
        "choices": index._choices,
        "grams": _postings(index._grams),
        "dkeys": _postings(index._dkeys),
        "items": [list(index._item_cid), list(index._item_pos)],
        "full": _table(index._full),
        "words": _table(index._words),
        "keys": index._keys,
        "sorted_forms": index._sorted_forms,
    }


def _asked(entries: list[NameEntry]) -> list[str]:
    asked = golden.queries_of_entries(entries, 1500, random.Random(golden.SEED + 9))
    for entry in ODD[:20]:
        for name in entry.names:
            asked += [name, name.upper(), *(name[:k] for k in range(1, min(len(name), 8)))]
    return [*asked, *string.ascii_lowercase, "", " ", "new", "newt", "newto", "same", "shelby"]


def _built(entries: list[NameEntry], monkeypatch: pytest.MonkeyPatch, numpy_min: int) -> NameIndex:
    monkeypatch.setattr(name_tables, "NUMPY_MIN", numpy_min)
    return NameIndex(entries)


def test_both_builds_make_the_same_tables_and_answer_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = _entries()
    python = _built(entries, monkeypatch, 10**9)
    with_numpy = _built(entries, monkeypatch, 0)
    assert python._grams._ids.obj is not with_numpy._grams._ids.obj
    plain, fast = _inside(python), _inside(with_numpy)
    assert [part for part in plain if plain[part] != fast[part]] == []
    asked = _asked(entries)
    assert golden.index_answers(with_numpy, asked) == golden.index_answers(python, asked)


def test_a_short_list_and_every_shared_prefix_are_sorted_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    letters = ["a", "b", " ", "\0", "é", "Z", "ա", "東", "\U0001f600"]
    strs = ["", "", "a", "a\0b", "ab", "Ab", "e\u0301", "a b", "a", *(
        "".join(rng.choice(letters) for _ in range(rng.randint(0, 40))) for _ in range(3000)
    )]
    strs += [s + "tail" for s in strs[:500]] + ["a" * 200, "a" * 199 + "b", "a" * 201]
    expected = sorted(range(len(strs)), key=strs.__getitem__)
    for numpy_min in (10**9, 0):
        monkeypatch.setattr(name_tables, "NUMPY_MIN", numpy_min)
        assert text_order(strs) == expected
        assert text_order([]) == []
        assert text_order(["", ""]) == [0, 1]


def test_names_of_thousands_of_letters_are_indexed_without_numpy() -> None:
    # More different letters than five of them can be coded in 64 bits: the plain build serves.
    letters = [chr(0x4E00 + i) for i in range(7000)]
    choices = ["".join(letters[i : i + 3]) + f" {i}" for i in range(0, 7000, 2)]
    owner = list(range(len(choices)))
    assert name_tables._tables_np(choices, owner) is None
    tables = name_tables.build_tables(choices, owner)
    assert [tables.item_cid[item] for item in tables.full.matches(choices[5][:2])] == [5]
    assert [tables.item_cid[item] for item in tables.words.matches("6998")] == [3499]
