"""Incremental loading: a reload reads only the items that changed, and gets what a full load gets.

Each test edits the shipped data files as a maintainer would, then loads them both ways: the
:class:`~bot.core.incremental.IncrementalLoader` (seeded from the files before the edit, at once or,
deferred, at its first load) and the full :func:`~bot.core.loader.load_files`. The dataset must be
equal (every record, place, event and non-act, with its line, in order) and so must the display
names; where the full load finds problems, the incremental one must give up, so a reload reports
exactly those problems.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.datafiles import FILE_NAMES, FileKind, LoadResult
from bot.core.incremental import IncrementalLoader
from bot.core.loader import load_files
from bot.core.model import Dataset
from bot.core.reloading import DataStore, read_folder

SHIPPED = Path(__file__).resolve().parents[1] / "data"
START = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
Files = dict[FileKind, bytes]


def full_load(files: Files) -> LoadResult:
    return load_files(
        files["resolutions"], files["events"], non_acts=files.get("non_acts"),
        resolutions_name=FILE_NAMES["resolutions"], events_name=FILE_NAMES["events"],
        non_acts_name=FILE_NAMES["non_acts"],
    )


@pytest.fixture(scope="module")
def base() -> Files:
    return dict(read_folder(SHIPPED))


@pytest.fixture(scope="module")
def base_result(base: Files) -> LoadResult:
    result = full_load(base)
    assert result.ok
    return result


def filled(base: Files, dataset: Dataset | None, how: str) -> IncrementalLoader:
    """A loader told of ``base`` and its dataset: seeded now, or at its first load (as a store does)."""
    loader = IncrementalLoader()
    assert dataset is not None
    if how == "seeded":
        assert loader.seed(base, dataset)
    else:
        assert loader.defer(base, dataset)
    assert loader.ready
    return loader


@pytest.fixture(params=["seeded", "deferred"])
def loader(base: Files, base_result: LoadResult, request: pytest.FixtureRequest) -> IncrementalLoader:
    return filled(base, base_result.dataset, request.param)


def same_as_full(loader: IncrementalLoader, files: Files, full: LoadResult | None = None) -> Dataset | None:
    """Load ``files`` incrementally and check it against a full load: its dataset (None: it gave up)."""
    full = full or full_load(files)
    quick = loader.load(files)
    if not full.ok:
        assert quick is None, f"the full load finds problems, the incremental one none: {full.problems[:3]}"
        return None
    if quick is None:
        return None
    assert quick.ok
    assert quick.dataset is not None
    assert full.dataset is not None
    assert quick.dataset == full.dataset
    assert [r.line for r in quick.dataset.records] == [r.line for r in full.dataset.records]
    assert [j.line for j in quick.dataset.jurisdictions] == [j.line for j in full.dataset.jurisdictions]
    ids = [j.id for j in full.dataset.jurisdictions]
    assert [quick.dataset.display_name(i) for i in ids] == [full.dataset.display_name(i) for i in ids]
    return quick.dataset


def loads(loader: IncrementalLoader, files: Files, *, reading: int | None = None) -> Dataset:
    """Load ``files`` incrementally (reading ``reading`` chunks, if given), as a full load does."""
    dataset = same_as_full(loader, files)
    assert dataset is not None, "the incremental load gave up"
    if reading is not None:
        assert loader.read_chunks == reading
    return dataset


def text(files: Files, kind: FileKind = "resolutions") -> str:
    return files[kind].decode("utf-8")


def with_text(files: Files, new: str, kind: FileKind = "resolutions") -> Files:
    return {**files, kind: new.encode("utf-8")}


def items(source: str, section: str) -> list[tuple[int, int]]:
    """The (start, end) of each item of a top-level list section (items at two spaces)."""
    start = source.index(f"\n{section}:\n") + len(section) + 2
    following = re.search(r"^[a-z_]+:", source[start:], re.M)
    end = start + following.start() if following else len(source)
    starts = [start + m.start() for m in re.finditer(r"^  - ", source[start:end], re.M)]
    return list(zip(starts, [*starts[1:], end], strict=True))


def edited(
    files: Files, section: str, index: int, change: Callable[[str], str], kind: FileKind = "resolutions"
) -> Files:
    """``files`` with item ``index`` of ``section`` changed by ``change``."""
    source = text(files, kind)
    a, b = items(source, section)[index]
    return with_text(files, source[:a] + change(source[a:b]) + source[b:], kind)


def set_key(key: str, value: str) -> Callable[[str], str]:
    """A change: the item's first ``key`` gets ``value``."""
    return lambda t: re.sub(rf"\n    {key}: .*", f"\n    {key}: {value}", t, count=1)


# ---------------------------------------------------------------------------- edits that load


def test_the_very_files_seeded_are_read_from_the_cache(loader: IncrementalLoader, base: Files) -> None:
    loads(loader, base, reading=0)


def test_a_deferred_seed_that_does_not_line_up_gives_up_as_a_seed_does(
    base: Files, base_result: LoadResult
) -> None:
    assert base_result.dataset is not None
    other = edited(base, "resolutions", 0, lambda t: "")  # a record fewer than the dataset has
    assert not IncrementalLoader().seed(other, base_result.dataset)
    loader = IncrementalLoader()
    assert not loader.defer(other, base_result.dataset)
    assert not loader.ready  # nothing kept
    assert loader.load(base) is None  # left to a full load


def test_a_deferred_seed_is_kept_until_a_load_and_a_clear_forgets_it(
    base: Files, base_result: LoadResult
) -> None:
    loader = filled(base, base_result.dataset, "deferred")
    loader.clear()
    assert not loader.ready
    assert loader.load(base) is None


def test_a_changed_title_reads_that_record_alone(loader: IncrementalLoader, base: Files) -> None:
    dataset = loads(loader, edited(base, "resolutions", 3, set_key("title", '"A new title"')), reading=1)
    assert dataset.records[3].title == "A new title"


def test_a_changed_date_and_an_undo(loader: IncrementalLoader, base: Files) -> None:
    change = lambda t: t.replace('date: "1999-03-11"', 'date: "1999-03"')  # noqa: E731
    loads(loader, edited(base, "resolutions", 0, change), reading=1)
    loads(loader, base, reading=0)  # the version before is still cached


def test_records_removed_added_and_moved(loader: IncrementalLoader, base: Files) -> None:
    source = text(base)
    spans = items(source, "resolutions")
    (a1, b1), (a2, b2) = spans[2], spans[5]
    loads(loader, with_text(base, source[:a1] + source[b1:]), reading=0)  # the others only moved up
    copy = re.sub(r"id: ([a-z0-9-]+)", r"id: \1-copy", source[a1:b1], count=1)
    loads(loader, with_text(base, source[:b2] + copy + source[b2:]), reading=1)
    moved = source[:a1] + source[a2:b2] + source[b1:a2] + source[a1:b1] + source[b2:]
    loads(loader, with_text(base, moved), reading=0)


def test_comments_blank_lines_and_a_new_line_above(loader: IncrementalLoader, base: Files) -> None:
    source = text(base)
    shifted = source.replace("\njurisdictions:\n", "\njurisdictions:\n  # a new comment\n\n", 1)
    loads(loader, with_text(base, shifted), reading=0)  # every place and record below moved down
    end = items(source, "resolutions")[1][1]
    commented = source[:end] + "  # a note between two records\n" + source[end:]
    loads(loader, with_text(base, commented), reading=1)  # the comment belongs to the record above


def test_a_section_indented_differently(loader: IncrementalLoader, base: Files) -> None:
    source = text(base)  # the records' items at four spaces instead of two
    at = source.index("\nresolutions:\n")
    loads(loader, with_text(base, source[:at] + re.sub(r"^(?=  )", "  ", source[at:], flags=re.M)))
    ev = text(base, "events")
    at = ev.index("\nevents:\n")
    flush = re.sub(r"^  ", "", ev[at:], flags=re.M)  # items at column 0
    loads(loader, with_text(base, ev[:at] + flush, "events"))


def test_jurisdictions_countries_and_the_glossary(loader: IncrementalLoader, base: Files) -> None:
    loads(loader, edited(base, "jurisdictions", 4, set_key("name", "Renamed Place")), reading=1)
    loads(loader, edited(base, "countries", 0, lambda t: t.replace("aliases: [", "aliases: [Freedonia, ", 1)))
    senat = lambda t: t.replace("aliases: [Senato]", "aliases: [Senato, Senat]")  # noqa: E731
    dataset = loads(loader, edited(base, "body_names", 0, senat))
    assert any("Senat" in r.body_aliases for r in dataset.records)  # the records completed again


def test_events_and_non_acts(loader: IncrementalLoader, base: Files) -> None:
    loads(loader, edited(base, "events", 1, set_key("title", '"Another title"'), "events"), reading=1)
    loads(loader, edited(base, "non_acts", 0, set_key("title", '"Not adopted"'), "non_acts"), reading=1)
    without: Files = {kind: data for kind, data in base.items() if kind != "non_acts"}
    assert not loads(loader, without).non_acts  # no non-acts file: none (it is optional)


def test_line_endings_byte_order_marks_and_block_scalars(loader: IncrementalLoader, base: Files) -> None:
    loads(loader, with_text(base, text(base).replace("\n", "\r\n")))
    loads(loader, {**base, "events": b"\xef\xbb\xbf" + base["events"]})
    kept = lambda t: t.replace("    sources:\n", "    sponsor: |+\n      kept\n\n\n    sources:\n", 1)  # noqa: E731
    loads(loader, edited(base, "resolutions", 0, kept), reading=1)
    source = text(base)
    last = items(source, "resolutions")[-1]
    at_end = source[: last[1]].rstrip("\n") + "\n    date_note: |+\n      kept to the end\n\n\n"
    loads(loader, with_text(base, at_end))
    loads(loader, edited(base, "resolutions", 2, lambda t: t.replace("  - id: ", "  -\n    id: ", 1)))


# ---------------------------------------------------------------------------- edits it leaves to a full load


@pytest.mark.parametrize("change", [
    pytest.param(lambda t: t.replace('date: "1999-03-11"', 'date: "1999-02-30"'), id="impossible date"),
    pytest.param(lambda t: t.replace("    title: ", "    titel: ", 1), id="unknown key"),
    pytest.param(lambda t: t.replace("    title: ", "    title: &t ", 1), id="anchor"),
    pytest.param(lambda t: t.replace("    title: ", "\ttitle: ", 1), id="tab"),
    pytest.param(lambda t: re.sub(r'(\n    title: ".*)"\n', r"\1\n", t, count=1), id="open quote"),
    pytest.param(lambda t: t + "  # a comment with a lone \r return\n", id="lone CR"),
    pytest.param(lambda t: t.replace("  - id: ", "  - id: Bad_", 1), id="id form"),
    pytest.param(lambda t: t.replace("    title: ", "    title: [a list]\n    tile: ", 1), id="wrong type"),
])
def test_problems_are_left_to_the_full_load(
    loader: IncrementalLoader, base: Files, change: Callable[[str], str]
) -> None:
    files = edited(base, "resolutions", 0, change)
    assert loader.load(files) is None
    same_as_full(loader, files)


def test_problems_across_items(loader: IncrementalLoader, base: Files) -> None:
    source = text(base)
    spans = items(source, "resolutions")
    second = re.search(r"id: ([a-z0-9-]+)", source[spans[1][0] : spans[1][1]])
    assert second is not None
    broken = [edited(base, "resolutions", 0, set_key("jurisdiction", "atlantis"))]
    twice = lambda t: re.sub(r"id: \S+", f"id: {second[1]}", t, count=1)  # noqa: E731
    broken.append(edited(base, "resolutions", 0, twice))
    places = items(source, "jurisdictions")
    first = re.search(r"\n    name: (.*)", source[places[0][0] : places[0][1]])
    assert first is not None
    claim = lambda t: t.replace("aliases: [", f"aliases: [{first[1]}, ", 1)  # noqa: E731
    broken.append(edited(base, "jurisdictions", 1, claim))
    hide = lambda t: t.replace("    names:\n", f"    names:\n      - {first[1]}\n", 1)  # noqa: E731
    broken.append(edited(base, "non_acts", 0, hide, "non_acts"))
    for files in broken:
        assert not full_load(files).ok
        assert loader.load(files) is None


@pytest.mark.parametrize("change", [
    pytest.param(lambda s: "---\n" + s, id="document marker"),
    pytest.param(lambda s: s.replace("\nambiguous_names:\n", "\nambiguous_names: []\nx:\n", 1), id="unknown"),
    pytest.param(lambda s: s.replace("\ncountries:\n", "\ncountries:\n  - {id: x, name: N}\n", 1), id="flow"),
    pytest.param(lambda s: s.replace("    title: ", "    title: !!str ", 1), id="tag"),
    pytest.param(lambda s: s.replace("\nbody_names:\n", "\nbody_names: # a glossary\n", 1), id="comment"),
])
def test_text_that_does_not_split_plainly_loads_as_in_full(
    loader: IncrementalLoader, base: Files, change: Callable[[str], str]
) -> None:
    same_as_full(loader, with_text(base, change(text(base))))


# ---------------------------------------------------------------------------- many random edits


def random_edit(rng: random.Random, files: Files, step: int) -> Files:
    """One edit of a random item: retitled, removed, copied, swapped, commented, broken..."""
    sections: list[tuple[FileKind, str]] = [
        ("resolutions", "resolutions"), ("resolutions", "jurisdictions"), ("resolutions", "countries"),
        ("events", "events"), ("non_acts", "non_acts"),
    ]
    kind, section = rng.choice(sections)
    source = text(files, kind)
    spans = items(source, section)
    (a, b), (c, d) = sorted([spans[rng.randrange(len(spans))], spans[rng.randrange(len(spans))]])
    chunk = source[a:b]
    op = rng.choice(["retitle", "remove", "copy", "swap", "comment", "date", "blank", "id"])
    if op == "retitle":
        new = re.sub(r"\n    (title|name): ([^\"\n]*)\n", rf"\n    \1: \2 {step}\n", chunk, count=1)
        new = re.sub(r"\n    (title|name): \"(.*)\"\n", rf'\n    \1: "\2 {step}"\n', new, count=1)
        source = source[:a] + new + source[b:]
    elif op == "remove" and len(spans) > 3:
        source = source[:a] + source[b:]
    elif op == "copy":
        source = source[:b] + re.sub(r"id: ([a-z0-9-]+)", rf"id: \1-{step}", chunk, count=1) + source[b:]
    elif op == "swap" and a != c:
        source = source[:a] + source[c:d] + source[b:c] + source[a:b] + source[d:]
    elif op == "comment":
        source = source[:b] + f"  # note {step}\n" + source[b:]
    elif op == "date":
        source = source[:a] + re.sub(r'date: "(\d{4})', r'date: "\1-13', chunk, count=1) + source[b:]
    elif op == "blank":
        source = source[:a] + "\n" + source[a:]
    elif op == "id":
        source = source[:a] + re.sub(r"id: ([a-z0-9-]+)", r"id: \1-Bad", chunk, count=1) + source[b:]
    return with_text(files, source, kind)


@pytest.mark.parametrize("how", ["seeded", "deferred"])
def test_random_edits_load_as_a_full_load_does(base: Files, base_result: LoadResult, how: str) -> None:
    rng = random.Random(20261207)
    loader = filled(base, base_result.dataset, how)
    files, taken = dict(base), 0
    for step in range(14):
        candidate = random_edit(rng, files, step)
        full = full_load(candidate)
        quick = same_as_full(loader, candidate, full)
        if full.ok:
            files = candidate  # keep editing from there (a broken edit is dropped, as a maintainer fixes it)
            taken += quick is not None
    assert taken >= 5  # most good edits were read incrementally


# ---------------------------------------------------------------------------- through the data store


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns("geo"))
    return target


def rewrite(data_dir: Path, index: int, change: Callable[[str], str]) -> str:
    """Change record ``index`` of the folder's resolutions file; the text before."""
    path = data_dir / "resolutions.yaml"
    source = path.read_text(encoding="utf-8")
    a, b = items(source, "resolutions")[index]
    path.write_text(source[:a] + change(source[a:b]) + source[b:], encoding="utf-8")
    return source


async def test_a_store_reloads_an_edit_incrementally_and_keeps_its_snapshot(
    data_dir: Path, tmp_path: Path
) -> None:
    snapshots = tmp_path / "snapshots"
    store = DataStore(data_dir, lambda ds: ds, clock=ManualClock(START), snapshot_dir=snapshots)
    rewrite(data_dir, 0, lambda t: t.replace("    title: ", "    title: Edited ", 1))
    report = await store.reload_from_disk()
    assert report.ok
    assert report.diff is not None
    assert len(report.diff.records_changed) == 1
    assert not report.diff.records_added
    assert store.current.dataset == full_load(dict(read_folder(data_dir))).dataset
    await store.settled()
    assert len(list(snapshots.iterdir())) == 2  # the first files' snapshot and the edited ones'
    again = DataStore(data_dir, lambda ds: ds, clock=ManualClock(START), snapshot_dir=snapshots)
    assert again.current.dataset == store.current.dataset


async def test_a_store_reports_a_broken_edit_as_a_full_load_does(data_dir: Path) -> None:
    store = DataStore(data_dir, lambda ds: ds, clock=ManualClock(START))
    source = rewrite(data_dir, 1, lambda t: t.replace("    date: ", '    date: "2019-02-30"\n    dated: ', 1))
    report = await store.reload_from_disk()
    expected = full_load(dict(read_folder(data_dir)))
    assert not report.ok
    assert [str(p) for p in report.problems] == [str(p) for p in expected.problems]
    assert report.problems
    assert all(p.file == "resolutions.yaml" for p in report.problems)
    (data_dir / "resolutions.yaml").write_text(source, encoding="utf-8")  # fixed: back to the files in use
    report = await store.reload_from_disk()
    assert report.ok
    assert report.diff is not None
    assert report.diff.empty
