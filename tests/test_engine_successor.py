"""A reload's engine keeps the name indexes in use when no name changed, and answers as a new one would."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.reloading import DataStore

MINI = Path(__file__).resolve().parent / "data" / "mini"
START = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 30)
QUERIES = (
    "california", "calfornia", "kalifornia", "los angeles", "LA", "louisiana", "united states", "australia",
    "cal", "x",
)
TEXTS = ("resolution", "assembly joint resolution 32", "council", "ajr 32", "amended")


def answers(engine: QueryEngine) -> list[object]:
    """What a member sees for places, countries and free text (answers and suggestions)."""
    out: list[object] = []
    for q in QUERIES:
        out += [engine.jurisdiction(q), engine.suggest_jurisdictions(q), engine.suggest_countries(q)]
    for q in TEXTS:
        out += [engine.resolution(q), engine.suggest_resolutions(q)]
    out.append(engine.date("2014", today=TODAY))
    return out


@pytest.fixture
def store(tmp_path: Path) -> DataStore[QueryEngine]:
    shutil.copytree(MINI, tmp_path / "data")
    clock = ManualClock(START)
    return DataStore(tmp_path / "data", QueryEngine, clock=clock, successor=QueryEngine.successor)


def edit(store: DataStore[QueryEngine], old: str, new: str) -> None:
    path = store.data_dir / "resolutions.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def test_a_new_title_keeps_the_name_indexes_and_is_found(store: DataStore[QueryEngine]) -> None:
    before = store.current.built
    edit(store, 'title: "Assembly Joint Resolution 32"', 'title: "Assembly Joint Resolution 32 (amended)"')
    assert (await store.reload_from_disk()).ok
    after = store.current.built
    assert after is not before
    assert after._ix.names is before._ix.names
    assert after._ix.country_names is before._ix.country_names
    assert answers(after) == answers(QueryEngine(store.current.dataset))
    assert after.resolution("amended").records[0].title == "Assembly Joint Resolution 32 (amended)"
    # the engine in use before still answers from its own data
    old_titles = [r.title for r in before.resolution("amended").records]
    assert "Assembly Joint Resolution 32 (amended)" not in old_titles


async def test_a_renamed_place_gets_new_name_indexes(store: DataStore[QueryEngine]) -> None:
    before = store.current.built
    assert before.jurisdiction("California").records
    edit(store, "name: California", "name: Kalifornia")
    assert (await store.reload_from_disk()).ok
    after = store.current.built
    assert after._ix.names is not before._ix.names
    assert after._ix.country_names is before._ix.country_names  # no country changed
    assert answers(after) == answers(QueryEngine(store.current.dataset))
    assert after.jurisdiction("Kalifornia").records == before.jurisdiction("California").records
