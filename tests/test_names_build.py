"""The faster build of the name indexes and targets answers exactly as the build before it did.

The answers of the code before the change are in ``tests/data/names_golden.json`` (see
:mod:`tests.names_golden`): thousands of varied queries over the shipped data, the test data, a
synthetic dataset and a 20,000-name index. A reload's engine (which keeps what it can of the
engine in use) answers as an engine built afresh, after edits of every kind.
"""

from __future__ import annotations

import dataclasses
import json
import random
import string
import tempfile
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import synthetic_names, write_dataset
from bot.core.engine import QueryEngine
from bot.core.loader import load_dataset
from bot.core.matching import NameIndex
from bot.core.model import Dataset, PartialDate
from tests import names_golden as golden

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def recorded() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
    return found


def differences(expected: dict[str, str], answers: dict[str, Any]) -> list[str]:
    """The queries answered otherwise than recorded, each with today's answer (at most five)."""
    assert set(answers) == set(expected), "the queries asked are not those recorded"
    wrong = [q for q, a in answers.items() if golden.digest(json.loads(json.dumps(a))) != expected[q]]
    return [f"{q!r}: now {answers[q]!r}" for q in wrong[:5]] + ([f"... {len(wrong)} in all"] if wrong else [])


def test_places_and_countries_of_the_shipped_data_are_found_as_before(recorded: Any) -> None:
    shipped = load_dataset(ROOT / "data").dataset
    asked = golden.queries(shipped, 1200, random.Random(golden.SEED))
    assert differences(recorded["shipped"], golden.engine_answers(QueryEngine(shipped), asked)) == []


def test_places_of_the_test_data_are_found_as_before(recorded: Any) -> None:
    mini = load_dataset(ROOT / "tests" / "data" / "mini").dataset
    asked = golden.queries(mini, 300, random.Random(golden.SEED + 1))
    assert differences(recorded["mini"], golden.engine_answers(QueryEngine(mini), asked)) == []


def test_places_of_a_synthetic_gazetteer_are_found_as_before(recorded: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = golden.synthetic_dataset(Path(tmp))
    asked = golden.queries(synthetic, 1500, random.Random(golden.SEED + 2))
    assert differences(recorded["synthetic"], golden.engine_answers(QueryEngine(synthetic), asked)) == []


def test_the_name_index_scores_and_completes_as_before(recorded: Any) -> None:
    entries = golden.index_entries()
    asked = golden.queries_of_entries(entries, 2500, random.Random(golden.SEED + 3))
    assert differences(recorded["index"], golden.index_answers(NameIndex(entries), asked)) == []


# ----------------------------------------------------------------------------- a reload's engine


def _edited(dataset: Dataset, rng: random.Random, kind: str) -> Dataset:
    """The dataset after one edit of ``kind``, as a moderator could make it."""
    records = list(dataset.records)
    places = list(dataset.jurisdictions)
    countries = list(dataset.countries)
    at = rng.randrange(len(records))
    record = records[at]
    if kind == "title":
        records[at] = dataclasses.replace(record, title=f"{record.title} (amended)")
    elif kind == "date":
        records[at] = dataclasses.replace(record, date=PartialDate(record.date.year - 1))
    elif kind == "added":  # records more for a place: it comes first in completions of its first letters
        place = rng.choice(places)
        records += [dataclasses.replace(record, id=f"{record.id}-{k}", jurisdiction=place.id)
                    for k in range(5)]
    elif kind == "removed":
        del records[at]
    elif kind == "moved":
        records[at] = dataclasses.replace(record, jurisdiction=rng.choice(places).id)
    elif kind == "body":
        records[at] = dataclasses.replace(record, body="City Council", body_aliases=("Town Hall",))
    elif kind == "alias":
        i = rng.randrange(len(places))
        places[i] = dataclasses.replace(places[i], aliases=(*places[i].aliases, "Newtonbury"))
    elif kind == "renamed":
        i = next(i for i, p in enumerate(places) if dataset.records_of(p.id))
        places[i] = dataclasses.replace(places[i], name=f"{places[i].name} Heights")
    elif kind == "country":
        i = rng.randrange(len(countries))
        countries[i] = dataclasses.replace(countries[i], name=f"{countries[i].name} Union")
    return dataclasses.replace(
        dataset, countries=tuple(countries), jurisdictions=tuple(places), records=tuple(records),
        _country_by_id={}, _jurisdiction_by_id={}, _record_by_id={}, _event_by_id={}, _display_by_id={},
        _non_act_by_id={},
    )


EDITS = ("title", "date", "added", "removed", "moved", "body", "alias", "renamed", "country")


def _seen(engine: QueryEngine, asked: list[str]) -> list[Any]:
    """Everything a member sees from names: answers, suggestions (also blank), bodies by generic words."""
    generic = ["state senate", "city council", "council", "the", "assembly", "senate"]
    return [
        golden.engine_answers(engine, [*asked, *string.ascii_lowercase]),
        [[c.label, c.value] for c in engine.suggest_jurisdictions("")],
        [[c.label, c.value] for c in engine.suggest_countries("")],
        [golden._answer(engine.jurisdiction(q)) for q in generic],
    ]


def test_a_reload_answers_as_a_new_engine_after_edits_of_every_kind() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_dataset(folder, synthetic_names(400, golden.SEED), records_every=2, seed=golden.SEED)
        dataset = load_dataset(folder).dataset
    engine = QueryEngine(dataset)
    for kind in [*EDITS, *(rng.choice(EDITS) for _ in range(8))]:
        dataset = _edited(dataset, rng, kind)
        asked = golden.queries(dataset, 150, rng)
        successor = engine.successor(dataset)
        assert _seen(successor, asked) == _seen(QueryEngine(dataset), asked), kind
        if kind in ("title", "date"):  # no name, place, body or count changed: the name indexes are kept
            assert successor._ix.names is engine._ix.names
        engine = successor
