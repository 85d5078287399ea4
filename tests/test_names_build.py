"""The faster build of the name indexes and targets answers exactly as the build before it did.

The answers of the code before the change are in ``tests/data/names_golden.json`` (see
:mod:`tests.names_golden`): thousands of varied queries over the shipped data, the test data, a
synthetic dataset and a 20,000-name index. A reload's engine (which keeps what it can of the
engine in use) answers as an engine built afresh, after edits of every kind.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest

from bot.core.engine import QueryEngine
from bot.core.loader import load_dataset
from bot.core.matching import NameIndex
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
