"""Reloading: validate first, swap atomically, keep history, never disturb readers."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.core import reloading
from bot.core.clock import ManualClock
from bot.core.loader import load_dataset
from bot.core.model import Dataset
from bot.core.reloading import DataLoadError, DataStore, atomic_write, diff_datasets

MINI = Path(__file__).resolve().parent / "data" / "mini"
START = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)


def build(ds: Dataset) -> tuple[str, int]:
    """A stand-in for the query engine: something derived from the dataset."""
    return ds.info.version, len(ds.records)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def make_store(data_dir: Path, clock: ManualClock, **kwargs: object) -> DataStore[tuple[str, int]]:
    return DataStore(data_dir, build, clock=clock, **kwargs)  # type: ignore[arg-type]


def events_bytes(extra_title: str = "") -> bytes:
    text = (MINI / "events.yaml").read_text(encoding="utf-8")
    title = "Proclamation of the Republic"
    return text.replace(f'"{title}"', f'"{title}{extra_title}"').encode()


def bumped_resolutions(version: str) -> bytes:
    text = (MINI / "resolutions.yaml").read_text(encoding="utf-8")
    return text.replace('version: "test-1"', f'version: "{version}"').encode()


# ---------------------------------------------------------------------------- start


def test_store_starts_from_disk(data_dir: Path, clock: ManualClock) -> None:
    store = make_store(data_dir, clock)
    snap = store.current
    assert snap.dataset.info.version == "test-1"
    assert snap.built == ("test-1", 3)
    assert snap.loaded_at == START
    assert snap.source == "disk"


def test_store_refuses_to_start_on_bad_data(data_dir: Path, clock: ManualClock) -> None:
    (data_dir / "events.yaml").write_text("events:\n  - id: x\n", encoding="utf-8")
    with pytest.raises(DataLoadError) as info:
        make_store(data_dir, clock)
    expected = f"{data_dir}/events.yaml:2: event 'x': missing required field 'title'"
    assert str(info.value.problems[0]) == expected


# ---------------------------------------------------------------------------- from disk


async def test_reload_from_disk_swaps_and_reports_the_diff(data_dir: Path, clock: ManualClock) -> None:
    store = make_store(data_dir, clock)
    text = (data_dir / "resolutions.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "test-1"', 'version: "test-2"')
    text = text.replace('title: "NSW motion"', 'title: "NSW motion (amended)"')
    text = text.replace("  - id: us-la-council-2013-01\n", "  - id: us-la-council-2013-01-b\n")
    (data_dir / "resolutions.yaml").write_text("# a new comment moves every line\n" + text, encoding="utf-8")
    clock.advance(dt.timedelta(minutes=5))

    report = await store.reload_from_disk()

    assert report.ok
    assert report.source == "disk"
    assert (report.version_old, report.version_new) == ("test-1", "test-2")
    assert report.diff is not None
    assert report.diff.records_added == ("us-la-council-2013-01-b",)
    assert report.diff.records_removed == ("us-la-council-2013-01",)
    assert report.diff.records_changed == ("au-nsw-council-2012",)  # the moved lines alone are no change
    assert report.diff.events_added == report.diff.events_removed == report.diff.events_changed == ()
    assert report.describe() == (
        "Reloaded from disk: version test-1 → test-2; "
        "records 3 (+1 added, -1 removed, 1 changed); events 2 (unchanged)."
    )
    assert store.current.built == ("test-2", 3)
    assert store.current.loaded_at == START + dt.timedelta(minutes=5)


async def test_a_reload_of_the_files_in_use_keeps_their_data_and_rebuilds_nothing(
    data_dir: Path, clock: ManualClock
) -> None:
    builds: list[str] = []

    def counted(ds: Dataset) -> tuple[str, int]:
        builds.append(ds.info.version)
        return build(ds)

    store = DataStore(data_dir, counted, clock=clock)
    before = store.current
    clock.advance(dt.timedelta(minutes=5))

    report = await store.reload_from_disk()

    assert report.ok
    assert report.describe() == (
        "Reloaded from disk: version test-1; records 3 (unchanged); events 2 (unchanged)."
    )
    assert builds == ["test-1"]  # built once, at the start
    assert store.current.dataset is before.dataset
    assert store.current.built is before.built
    assert store.current.loaded_at == START + dt.timedelta(minutes=5)

    # One byte more (a comment) is another file: read, checked and built again.
    path = data_dir / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# checked\n", encoding="utf-8")
    report = await store.reload_from_disk()
    assert report.diff is not None
    assert report.diff.empty
    assert builds == ["test-1", "test-1"]
    assert store.current.dataset == before.dataset
    assert store.current.dataset is not before.dataset

    # And after a failed reload, the files in use are still known as such.
    good = path.read_bytes()
    path.write_text("events: [", encoding="utf-8")
    assert not (await store.reload_from_disk()).ok
    path.write_bytes(good)
    assert (await store.reload_from_disk()).ok
    assert builds == ["test-1", "test-1"]


async def test_reload_from_disk_with_problems_keeps_the_old_data(data_dir: Path, clock: ManualClock) -> None:
    store = make_store(data_dir, clock)
    before = store.current
    bad = (data_dir / "events.yaml").read_text(encoding="utf-8").replace("1991-09-02", "1991-09-31")
    (data_dir / "events.yaml").write_text(bad, encoding="utf-8")

    report = await store.reload_from_disk()

    assert not report.ok
    assert [str(p) for p in report.problems] == [
        ("events.yaml:4: event 'nkr-proclamation': date '1991-09-31' is impossible: "
         "September 1991 has 30 days, not 31")
    ]
    assert report.describe() == "Reload from disk failed; nothing changed. 1 problem(s)."
    assert store.current is before


async def test_builder_failure_keeps_the_old_data(data_dir: Path, clock: ManualClock) -> None:
    def picky(ds: Dataset) -> str:
        if ds.info.version == "boom":
            raise RuntimeError("index too large")
        return ds.info.version

    store = DataStore(data_dir, picky, clock=clock)
    (data_dir / "resolutions.yaml").write_bytes(bumped_resolutions("boom"))
    report = await store.reload_from_disk()
    assert not report.ok
    assert [p.message for p in report.problems] == ["the new data could not be indexed: index too large"]
    assert store.current.built == "test-1"


# ---------------------------------------------------------------------------- uploads


async def test_upload_replaces_the_file_and_keeps_the_old_one_in_history(
    data_dir: Path, clock: ManualClock
) -> None:
    store = make_store(data_dir, clock)
    old_bytes = (data_dir / "events.yaml").read_bytes()
    upload = events_bytes(" (1991)")

    report = await store.reload_with_upload("my-events.yml", upload)

    assert report.ok, report.problems
    assert report.file_kind == "events"
    assert report.source == "my-events.yml"
    assert report.diff is not None
    assert report.diff.events_changed == ("nkr-proclamation",)
    assert (data_dir / "events.yaml").read_bytes() == upload
    assert report.backup == data_dir / "history" / "events-20261130T120000Z.yaml"
    assert report.backup.read_bytes() == old_bytes
    assert store.current.dataset.event("nkr-proclamation").title == "Proclamation of the Republic (1991)"  # type: ignore[union-attr]
    assert store.current.source == "my-events.yml"
    # no temporary files are left behind in the data folder
    assert sorted(p.name for p in data_dir.iterdir()) == ["events.yaml", "history", "resolutions.yaml"]


async def test_upload_of_the_resolutions_file_is_detected_by_content(
    data_dir: Path, clock: ManualClock
) -> None:
    history = data_dir.parent / "hist"
    store = make_store(data_dir, clock, history_dir=history)
    report = await store.reload_with_upload("whatever.yaml", bumped_resolutions("test-2"))
    assert report.ok
    assert report.file_kind == "resolutions"
    assert (report.version_old, report.version_new) == ("test-1", "test-2")
    assert [p.name for p in history.iterdir()] == ["resolutions-20261130T120000Z.yaml"]
    assert b'version: "test-2"' in (data_dir / "resolutions.yaml").read_bytes()


async def test_upload_with_problems_changes_nothing(data_dir: Path, clock: ManualClock) -> None:
    store = make_store(data_dir, clock)
    before = store.current
    on_disk = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    bad = events_bytes().replace(b'date: "1992-02"', b'date: "1992-02"\n    end: "1991"')

    report = await store.reload_with_upload("events.yaml", bad)

    assert not report.ok
    assert report.file_kind == "events"
    assert [str(p) for p in report.problems] == [
        "events.yaml:11: event 'war-1992-1994': ends (1991) before it starts (1992-02)",
        "events.yaml:12: event 'war-1992-1994': key 'end' appears twice (first at line 11)",
    ]
    assert store.current is before
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == on_disk
    assert not (data_dir / "history").exists()


async def test_upload_is_checked_against_the_other_file_on_disk(data_dir: Path, clock: ManualClock) -> None:
    store = make_store(data_dir, clock)
    clash = events_bytes().replace(b"id: nkr-proclamation", b"id: au-nsw-council-2012")
    report = await store.reload_with_upload("events.yaml", clash)
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        "events.yaml:2: duplicate id 'au-nsw-council-2012' (already used at resolutions.yaml:68)"
    ]


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("events.txt", b"events: []\n", "events.txt: only YAML files (.yaml or .yml) can be uploaded"),
        (
            "events.yaml",
            b"#" * (1024 * 1024 + 1),
            "events.yaml: the file is 1.0 MB (1,048,577 bytes); the limit is 1,048,576 bytes",
        ),
        ("notes.yaml", b"hello: world\n", "notes.yaml:1: this file is neither a resolutions file"),
        ("events.yaml", b"events:\n  - id: [x\n", "events.yaml:3: YAML syntax error"),
        ("events.yaml", b"\xff\xfe\x00", "events.yaml: not UTF-8 text"),
        ("events.yaml", b"", "events.yaml: the file is empty"),
        ("C:\\Users\\me\\events.json", b"{}", "events.json: only YAML files"),
    ],
)
async def test_bad_uploads_get_a_clear_message(
    data_dir: Path, clock: ManualClock, filename: str, data: bytes, expected: str
) -> None:
    store = make_store(data_dir, clock)
    before = store.current
    report = await store.reload_with_upload(filename, data)
    assert not report.ok
    assert str(report.problems[0]).startswith(expected)
    assert store.current is before
    assert (data_dir / "events.yaml").read_bytes() == (MINI / "events.yaml").read_bytes()


async def test_failed_save_changes_nothing(
    data_dir: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(data_dir, clock)
    before = store.current

    def disk_full(target: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reloading, "atomic_write", disk_full)
    report = await store.reload_with_upload("events.yaml", events_bytes(" x"))
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        "events.yaml: could not save the file: the bot's storage is full"
    ]
    assert store.current is before
    assert (data_dir / "events.yaml").read_bytes() == (MINI / "events.yaml").read_bytes()


async def test_history_keeps_at_most_n_versions(data_dir: Path, clock: ManualClock) -> None:
    store = make_store(data_dir, clock, history_keep=3)
    for i in range(5):
        clock.advance(dt.timedelta(minutes=1))
        report = await store.reload_with_upload("events.yaml", events_bytes(f" v{i}"))
        assert report.ok
    kept = store.history("events")
    assert [p.name for p in kept] == [
        "events-20261130T120300Z.yaml",
        "events-20261130T120400Z.yaml",
        "events-20261130T120500Z.yaml",
    ]
    # the newest backup holds the version the last upload replaced
    assert b"Proclamation of the Republic v3" in kept[-1].read_bytes()


async def test_two_uploads_in_the_same_second_keep_both_backups(data_dir: Path, clock: ManualClock) -> None:
    store = make_store(data_dir, clock)
    assert (await store.reload_with_upload("events.yaml", events_bytes(" a"))).ok
    assert (await store.reload_with_upload("events.yaml", events_bytes(" b"))).ok
    assert [p.name for p in store.history("events")] == [
        "events-20261130T120000Z.yaml",
        "events-20261130T120000Z-1.yaml",
    ]


# ---------------------------------------------------------------------------- concurrency


async def test_concurrent_reloads_are_serialized(data_dir: Path, clock: ManualClock) -> None:
    active = 0
    most = 0
    guard = threading.Lock()

    def slow_build(ds: Dataset) -> str:
        nonlocal active, most
        with guard:
            active += 1
            most = max(most, active)
        time.sleep(0.05)
        with guard:
            active -= 1
        return ds.info.version

    store = DataStore(data_dir, slow_build, clock=clock)
    reports = await asyncio.gather(
        store.reload_with_upload("a.yaml", bumped_resolutions("v-a")),
        store.reload_from_disk(),
        store.reload_with_upload("b.yaml", bumped_resolutions("v-b")),
    )
    assert [r.ok for r in reports] == [True, True, True]
    assert most == 1
    # each reload saw the previous one's result: they ran one after the other, in order
    assert [(r.version_old, r.version_new) for r in reports] == [
        ("test-1", "v-a"), ("v-a", "v-a"), ("v-a", "v-b"),
    ]
    assert store.current.built == "v-b"


async def test_readers_during_a_reload_see_old_or_new_never_an_error(
    data_dir: Path, clock: ManualClock
) -> None:
    def slow_build(ds: Dataset) -> tuple[str, int]:
        time.sleep(0.1)
        return build(ds)

    store = DataStore(data_dir, slow_build, clock=clock)
    seen: list[tuple[str, tuple[str, int]]] = []
    done = asyncio.Event()

    async def reader() -> None:
        while not done.is_set():
            snap = store.current
            seen.append((snap.dataset.info.version, snap.built))
            await asyncio.sleep(0.005)
        snap = store.current
        seen.append((snap.dataset.info.version, snap.built))

    task = asyncio.create_task(reader())
    report = await store.reload_with_upload("resolutions.yaml", bumped_resolutions("test-2"))
    done.set()
    await task
    assert report.ok
    assert set(seen) == {("test-1", ("test-1", 3)), ("test-2", ("test-2", 3))}
    assert seen[0][0] == "test-1"
    assert seen[-1][0] == "test-2"
    assert len(seen) > 5  # the reader kept running while the new index was built


# ---------------------------------------------------------------------------- diff & write


def test_diff_of_identical_datasets_is_empty() -> None:
    a = load_dataset(MINI).dataset
    b = load_dataset(MINI).dataset
    assert a is not None
    assert b is not None
    diff = diff_datasets(a, b)
    assert diff.empty
    assert diff.summary() == "records 3 (unchanged); events 2 (unchanged)"


def test_diff_counts_added_removed_changed_events(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "d")
    text = (MINI / "events.yaml").read_text(encoding="utf-8")
    text = text.replace("id: war-1992-1994", "id: war-one").replace('summary: "A war."', 'summary: "War."')
    text = text.replace('summary: "The republic was proclaimed."', 'summary: "Proclaimed."')
    (tmp_path / "d" / "events.yaml").write_text(text, encoding="utf-8")
    old = load_dataset(MINI).dataset
    new = load_dataset(tmp_path / "d").dataset
    assert old is not None
    assert new is not None
    diff = diff_datasets(old, new)
    assert (diff.events_added, diff.events_removed, diff.events_changed) == (
        ("war-one",), ("war-1992-1994",), ("nkr-proclamation",)
    )
    assert (diff.events_before, diff.events_after) == (2, 2)
    assert not diff.empty
    assert diff.summary() == "records 3 (unchanged); events 2 (+1 added, -1 removed, 1 changed)"


def test_atomic_write_replaces_content_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "events.yaml"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["events.yaml"]


# ---------------------------------------------------------------------------- the non-acts file

NON_ACTS = """\
non_acts:
  - id: texas-no-act
    names: [texas, state of texas]
    title: "No Texas act on Artsakh was found"
    explanation: "No Texas resolution recognizing Artsakh was found."
    sources:
      - url: https://example.org/texas
"""


async def test_a_non_acts_upload_is_picked_by_its_content_and_installed(
    data_dir: Path, clock: ManualClock
) -> None:
    store = make_store(data_dir, clock)
    assert store.current.dataset.non_acts == ()
    # the file name says nothing: the top-level key 'non_acts' tells which file it replaces
    report = await store.reload_with_upload("upload.yml", NON_ACTS.encode())
    assert report.ok, report.problems
    assert report.file_kind == "non_acts"
    assert report.backup is None  # there was no non-acts file to keep
    assert report.describe() == (
        "Reloaded from upload.yml (non_acts file replaced): version test-1; records 3 (unchanged); "
        "events 2 (unchanged); non-acts 0 → 1 (+1 added)."
    )
    assert (data_dir / "non_acts.yaml").read_text(encoding="utf-8") == NON_ACTS
    texas = store.current.dataset.non_act("texas-no-act")
    assert texas is not None
    assert texas.names == ("texas", "state of texas")

    changed = NON_ACTS.replace("No Texas resolution", "No Texas act")
    second = await store.reload_with_upload("non_acts.yaml", changed.encode())
    assert second.ok
    assert second.diff is not None
    assert second.diff.non_acts_changed == ("texas-no-act",)
    assert [p.name for p in store.history("non_acts")] == ["non_acts-20261130T120000Z.yaml"]


async def test_a_bad_non_acts_file_changes_nothing(data_dir: Path, clock: ManualClock) -> None:
    (data_dir / "non_acts.yaml").write_text(NON_ACTS, encoding="utf-8")
    store = make_store(data_dir, clock)
    bad = NON_ACTS.replace("[texas, state of texas]", "[texas, Calif]")  # Calif is California's alias
    report = await store.reload_with_upload("non_acts.yaml", bad.encode())
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        ("non_acts.yaml:3: non-act 'texas-no-act': name 'Calif' is also a name of jurisdiction 'california' "
        "('Calif' at resolutions.yaml:20); a non-act must not hide real records")
    ]
    assert (data_dir / "non_acts.yaml").read_text(encoding="utf-8") == NON_ACTS
    # a broken file on disk is reported by its bare name, and the old data stays
    (data_dir / "non_acts.yaml").write_text(bad, encoding="utf-8")
    from_disk = await store.reload_from_disk()
    assert not from_disk.ok
    assert str(from_disk.problems[0]).startswith("non_acts.yaml:3: non-act 'texas-no-act': name 'Calif'")
    assert store.current.dataset.non_act("texas-no-act") is not None
