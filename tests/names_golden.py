"""What name lookups answered before the build of the name indexes and targets was made faster.

``tests/test_names_build.py`` compares today's answers with those recorded in
``tests/data/names_golden.json`` (written by the code of main 876aa75, before the change; a short
digest of each answer, so a difference names its query and the test shows today's answer): place,
country and body lookups, autocomplete, /list's country and the raw name index's scores, over
thousands of varied queries (exact names, typos, prefixes, words in another order, Cyrillic and
Armenian, ambiguous names, misses) on the shipped data, the test data and a synthetic gazetteer.

A change meant to alter what lookups answer must rewrite the file, on purpose::

    python -m tests.names_golden        # rewrites tests/data/names_golden.json
"""

from __future__ import annotations

import hashlib
import json
import random
import string
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.synthetic import LABELLED, synthetic_names, write_dataset
from bot.core.answers import Answer
from bot.core.engine import QueryEngine
from bot.core.i18n import using
from bot.core.loader import load_dataset
from bot.core.matching import NameEntry, NameIndex
from bot.core.model import Dataset

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "names_golden.json"
SEED = 20261207
SYNTHETIC_PLACES = 3000  # the engine over a synthetic gazetteer written as YAML
INDEX_NAMES = 20_000  # the name index alone, over a larger one
CYRILLIC = ("Калифорния", "Калиф", "Франция", "Франц", "Лос-Анджелес", "Бельгия", "Сенат", "Мичиган",
            "Калифорния сенат", "Гавайи", "Массачусетс", "Ирландия", "Италия", "Ита", "Кали")
ARMENIAN = ("Ֆրանսիա", "Ֆրան", "Կալիֆոռնիա", "Կալիֆ", "Լոս Անջելես", "Բելգիա", "Արցախ", "Միչիգան",
            "Հավայի", "Իտալիա", "Ուրուգվայ", "Կա")
FIXED = (
    "la", "LA", "L.A.", "fresno", "georgia", "state of california", "california state senate", "the senate",
    "senate", "state senate", "city council", "hollywood west", "angeles los", "st louis", "saint louis",
    "calfornia", "mishigan", "mainz", "itly", "itlay", "fracne", "hawai", "hono", "texas", "us congress",
    "usa", "united states", "eu", "european parliament", "basque", "pais vasco", "Guipúzcoa",
    "hauts de france", "", " ", "x", "ca", "cal", "zzzz", "california senate", "senate of california",
    "french senate",
)


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 2:
        return text + rng.choice(string.ascii_lowercase)
    i = rng.randrange(len(text))
    roll = rng.random()
    if roll < 0.25:  # deleted
        return text[:i] + text[i + 1 :]
    if roll < 0.5:  # inserted
        return text[:i] + rng.choice(string.ascii_lowercase) + text[i:]
    if roll < 0.75 and i + 1 < len(text):  # swapped
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]


def _variants(name: str, rng: random.Random) -> Iterator[str]:
    yield name
    yield name.upper()
    yield _typo(name.lower(), rng)
    yield _typo(_typo(name.lower(), rng), rng)
    yield name[: rng.randint(1, 9)]
    yield _typo(name[: rng.randint(4, 12)].lower(), rng)
    words = name.split()
    if len(words) > 1:
        yield " ".join(reversed(words))
        yield words[-1]
        yield f"{words[0]} {_typo(words[1], rng)}"
    yield f"state of {name}"
    yield f"{name} senate"


def queries(dataset: Dataset, count: int, rng: random.Random) -> list[str]:
    """Varied queries drawn from a dataset's names: typos, prefixes, word orders, other scripts, misses."""
    names: list[str] = []
    for country in dataset.countries:
        names.extend(country.spellings)
    for place in dataset.jurisdictions:
        names.extend(place.spellings)
    for record in dataset.records:
        names.extend([record.body, *record.body_aliases])
    for non_act in dataset.non_acts:
        names.extend(non_act.names)
    names.extend(a.name for a in dataset.ambiguous_names)
    found: list[str] = [*FIXED, *CYRILLIC, *ARMENIAN, *(q for q, _ in LABELLED)]
    while len(found) < count:
        roll = rng.random()
        if roll < 0.85:
            found.extend(_variants(rng.choice(names), rng))
        elif roll < 0.95:
            size = rng.randint(2, 10)
            found.append("".join(rng.choice(string.ascii_lowercase) for _ in range(size)))
        else:
            found.append(rng.choice(CYRILLIC + ARMENIAN)[: rng.randint(2, 12)])
    return list(dict.fromkeys(found))[:count]


def _answer(answer: Answer) -> list[Any]:
    """What a member sees of an answer, in a compact form."""
    return [
        answer.status.value, answer.title, answer.message, answer.matched,
        [r.id for r in answer.records[:25]], [[c.label, c.value] for c in answer.candidates],
        list(answer.lines), [n.id for n in answer.non_acts],
    ]


def engine_answers(engine: QueryEngine, asked: list[str]) -> dict[str, Any]:
    """/jurisdiction, its autocomplete, the country autocomplete and /list's country, per query."""
    out: dict[str, Any] = {}
    for q in asked:
        out[q] = [
            _answer(engine.jurisdiction(q)),
            [[c.label, c.value] for c in engine.suggest_jurisdictions(q)],
            [[c.label, c.value] for c in engine.suggest_countries(q)],
            _answer(engine.list_records(country=q)),
        ]
    for language in ("hy", "ru"):  # labels in another language (names per language of the data)
        with using(language):
            for q in asked[:: 7]:
                suggested = [[c.label, c.value] for c in engine.suggest_jurisdictions(q)]
                out[f"{language}:{q}"] = [_answer(engine.jurisdiction(q)), suggested]
    return out


def index_answers(index: NameIndex, asked: list[str]) -> dict[str, Any]:
    """The name index's own lookups (status, hits and suggestions with scores) and completions."""
    def hits(found: Any) -> list[Any]:
        return [[h.key, h.matched, h.score, h.exact] for h in found]

    out: dict[str, Any] = {}
    for q in asked:
        result = index.lookup(q)
        out[q] = [result.status, hits(result.hits), hits(result.suggestions), hits(index.complete(q))]
    return out


def index_entries() -> list[NameEntry]:
    """A synthetic gazetteer with ranks of every kind (ties, negatives, repeated keys)."""
    rng = random.Random(SEED)
    entries = synthetic_names(INDEX_NAMES, SEED)
    ranked = [
        NameEntry(e.key, e.label, e.names, float(rng.choice((0, 0, 0, 1, 2, 3, 7, -1)))) for e in entries
    ]
    # The same key twice: one entry with every name, at its best rank.
    ranked += [NameEntry(e.key, e.label, (f"{e.names[0]} Extra",), 5.0) for e in entries[100:130]]
    return ranked


def synthetic_dataset(folder: Path) -> Dataset:
    write_dataset(folder, synthetic_names(SYNTHETIC_PLACES, SEED), records_every=3, seed=SEED)
    return load_dataset(folder).dataset


def digest(answer: Any) -> str:
    """A short digest of an answer's JSON form: what the golden file keeps of it."""
    text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def digests(answers: dict[str, Any]) -> dict[str, dict[str, str]]:
    """:func:`record`'s answers as the golden file keeps them."""
    return {part: {q: digest(a) for q, a in found.items()} for part, found in answers.items()}


def record() -> dict[str, Any]:
    """Every answer the golden file checks, worked out by the code as it is now."""
    out: dict[str, Any] = {}
    shipped = load_dataset(ROOT / "data").dataset
    out["shipped"] = engine_answers(QueryEngine(shipped), queries(shipped, 1200, random.Random(SEED)))
    mini = load_dataset(ROOT / "tests" / "data" / "mini").dataset
    out["mini"] = engine_answers(QueryEngine(mini), queries(mini, 300, random.Random(SEED + 1)))
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = synthetic_dataset(Path(tmp))
    asked = queries(synthetic, 1500, random.Random(SEED + 2))
    out["synthetic"] = engine_answers(QueryEngine(synthetic), asked)
    entries = index_entries()
    ask = queries_of_entries(entries, 2500, random.Random(SEED + 3))
    out["index"] = index_answers(NameIndex(entries), ask)
    return out


def queries_of_entries(entries: list[NameEntry], count: int, rng: random.Random) -> list[str]:
    """Varied queries drawn from name entries (as :func:`queries` does from a dataset)."""
    found: list[str] = [*FIXED, *CYRILLIC, *ARMENIAN, *(q for q, _ in LABELLED)]
    while len(found) < count:
        entry = rng.choice(entries)
        found.extend(_variants(rng.choice(entry.names), rng))
    return list(dict.fromkeys(found))[:count]


def main() -> int:
    text = json.dumps(digests(record()), ensure_ascii=False, indent=0, sort_keys=True)
    GOLDEN.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({GOLDEN.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
