"""Validated snapshots: files loaded before, unchanged, are read from their snapshot."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import pickle
import shutil
from pathlib import Path

import pytest

from bot.core import snapshot
from bot.core.clock import ManualClock
from bot.core.loader import data_files, load_dataset
from bot.core.model import Kind
from bot.core.reloading import DataStore
from bot.core.snapshot import SnapshotCache, code_version, decode, encode, snapshot_key

MINI = Path(__file__).resolve().parent / "data" / "mini"
SHIPPED = Path(__file__).resolve().parents[1] / "data"
START = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target


def version(store: DataStore[object]) -> str:
    return store.current.dataset.info.version


def key_of(folder: Path) -> str:
    return snapshot_key((kind, path.read_bytes()) for kind, path in data_files(folder).items())


def test_a_snapshot_round_trips_the_whole_dataset() -> None:
    dataset = load_dataset(MINI).dataset
    assert dataset is not None
    again = decode(encode(dataset))
    assert again == dataset
    assert again.jurisdiction("california") == dataset.jurisdiction("california")
    assert [r.id for r in again.records_of("california")] == [r.id for r in dataset.records_of("california")]


def test_a_shared_snapshot_makes_equal_values_one_object_and_reads_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dataset = load_dataset(SHIPPED).dataset
    assert dataset is not None
    monkeypatch.setattr(snapshot, "CHUNK", 3)  # many chunks: pickle shares nothing across them
    data = encode(dataset)
    plain, shared = decode(data), decode(data, share=True)
    assert shared == plain == dataset
    assert [j.location for j in shared.jurisdictions] == [j.location for j in dataset.jurisdictions]
    for a, b in itertools.combinations(shared.records, 2):
        for value_a, value_b in ((a.body, b.body), (a.date, b.date), (a.kinds, b.kinds), (a.title, b.title)):
            if value_a == value_b:
                assert value_a is value_b
        assert all(isinstance(kind, Kind) for kind in a.kinds)  # never a string taken for its equal
    sources = [s for r in shared.records for s in r.sources]
    assert len({id(s) for s in sources}) == len(set(sources))  # one object per distinct source
    assert len({id(r.body) for r in plain.records}) > len({id(r.body) for r in shared.records})
    for a, b in zip(plain.records, shared.records, strict=True):  # and the rest as read
        assert dataclasses.astuple(a) == dataclasses.astuple(b)


def test_unchanged_files_are_read_from_their_snapshot(data_dir: Path, tmp_path: Path) -> None:
    snapshots = tmp_path / "state" / "snapshots"
    DataStore(data_dir, lambda ds: None, clock=ManualClock(START), snapshot_dir=snapshots)
    saved = list(snapshots.iterdir())
    assert [p.name for p in saved] == [f"dataset-{key_of(data_dir)}.snapshot"]
    # Put another dataset under the same key: a store over the same files must answer from it.
    dataset = load_dataset(data_dir).dataset
    assert dataset is not None
    marked = dataclasses.replace(dataset, info=dataclasses.replace(dataset.info, version="from-snapshot"))
    saved[0].write_bytes(encode(marked))
    store = DataStore(data_dir, lambda ds: None, clock=ManualClock(START), snapshot_dir=snapshots)
    assert version(store) == "from-snapshot"


async def test_a_changed_file_is_read_and_checked_again(data_dir: Path, tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    store = DataStore(data_dir, lambda ds: None, clock=ManualClock(START), snapshot_dir=snapshots)
    path = data_dir / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("1991-09-02", "1991-09-31"), encoding="utf-8")
    report = await store.reload_from_disk()
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        ("events.yaml:4: event 'nkr-proclamation': date '1991-09-31' is impossible: "
        "September 1991 has 30 days, not 31")
    ]
    path.write_text(path.read_text(encoding="utf-8").replace("1991-09-31", "1991-09-03"), encoding="utf-8")
    report = await store.reload_from_disk()
    assert report.ok
    assert report.diff is not None
    assert report.diff.events_changed == ("nkr-proclamation",)
    await store.settled()  # read incrementally: its snapshot is saved after the swap
    assert len(list(snapshots.iterdir())) == 2  # the first files' snapshot and the new one


def test_a_damaged_snapshot_is_ignored_and_removed(data_dir: Path, tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    DataStore(data_dir, lambda ds: None, clock=ManualClock(START), snapshot_dir=snapshots)
    (saved,) = snapshots.iterdir()
    saved.write_bytes(saved.read_bytes()[:-40])
    store = DataStore(data_dir, lambda ds: None, clock=ManualClock(START), snapshot_dir=snapshots)
    assert version(store) == "test-1"
    assert saved.exists()  # written again, whole, from the YAML
    assert decode(saved.read_bytes()) == store.current.dataset


class Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.getcwd, ()  # type: ignore[return-value]


def test_a_snapshot_builds_nothing_but_the_models_classes(tmp_path: Path) -> None:
    dataset = load_dataset(MINI).dataset
    assert dataset is not None
    good = encode(dataset)
    header, body = good.split(b"\n", 1)
    parts = pickle.loads(body)
    parts["records"] = [pickle.dumps((Boom(),))]
    with pytest.raises(ValueError, match="may not hold"):
        decode(header + b"\n" + pickle.dumps(parts))
    cache = SnapshotCache(tmp_path)
    (tmp_path / "dataset-x.snapshot").write_bytes(header + b"\n" + pickle.dumps(parts))
    assert cache.get("x") is None
    assert not (tmp_path / "dataset-x.snapshot").exists()


def test_only_the_newest_snapshots_are_kept(data_dir: Path, tmp_path: Path) -> None:
    cache = SnapshotCache(tmp_path / "snapshots")
    dataset = load_dataset(data_dir).dataset
    assert dataset is not None
    for n in range(6):
        cache.put(f"k{n}", dataset)
        os.utime(cache.folder / f"dataset-k{n}.snapshot", (n, n))
    assert sorted(p.name for p in cache.folder.iterdir()) == [
        "dataset-k3.snapshot", "dataset-k4.snapshot", "dataset-k5.snapshot"
    ]


async def test_large_files_are_read_in_a_child_process_with_the_same_problems(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core import snapshot

    monkeypatch.setattr(snapshot, "CHILD_MIN_BYTES", 0)  # the test data is small: read it in a child anyway
    children: list[str] = []
    real = snapshot.SnapshotCache.load_in_child

    def spy(self: SnapshotCache, key: str, files: dict[str, bytes], names: dict[str, str]) -> object:
        children.append(key)
        return real(self, key, files, names)

    monkeypatch.setattr(snapshot.SnapshotCache, "load_in_child", spy)
    snapshots = tmp_path / "snapshots"
    store = DataStore(data_dir, lambda ds: None, clock=ManualClock(START), snapshot_dir=snapshots)
    assert store.current.dataset == load_dataset(data_dir).dataset
    assert len(children) == 1
    assert [p.name for p in snapshots.iterdir()] == [f"dataset-{children[0]}.snapshot"]

    path = data_dir / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("1991-09-02", "1991-09-31"), encoding="utf-8")
    report = await store.reload_from_disk()
    assert len(children) == 2
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        ("events.yaml:4: event 'nkr-proclamation': date '1991-09-31' is impossible: "
        "September 1991 has 30 days, not 31")
    ]


def test_a_change_to_any_core_module_makes_a_new_key(tmp_path: Path) -> None:
    """Not only the loader and the model decide what a file means: the dates and names they use do too."""
    import shutil

    import bot.core

    core = tmp_path / "core"
    shutil.copytree(Path(bot.core.__file__).parent, core, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_version(core)
    assert code_version(core) == before  # the same code, the same key
    assert code_version(core) == code_version()  # the copy is the code in use
    normalize = core / "normalize.py"
    normalize.write_text(normalize.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert code_version(core) != before
    normalize.unlink()
    (core / "normalized.py").write_text("", encoding="utf-8")  # a module renamed
    assert code_version(core) != before
