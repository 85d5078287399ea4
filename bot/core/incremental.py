"""Re-reading edited data files in proportion to what changed: a cache of their items, by text.

A data file is a few top-level sections (``dataset:``, ``countries:``, ``jurisdictions:``,
``resolutions:``, ``events:``, ...), and each list section is a run of items, each starting on a
line ``- `` at the section's item indentation. :class:`IncrementalLoader` splits each file's
bytes there into chunks and keeps, per chunk (by a digest of its exact bytes), what reading it
made: the record, place, event... with its line numbers. A reload then reads (composes with
PyYAML and walks with the loader's own per-item code, :mod:`bot.core.loader`) only the chunks it
has not seen; the others are taken from the cache, their lines moved with the chunk. The checks
across items (unique ids and names, references, the glossary of body names) run on the whole
dataset each time, on what the cache keeps for them (a hash of each normalized name).

It never reports a problem. Whenever the text is not plainly splittable (anchors, tags and
anything else a chunk alone would read differently make a chunk fail to read on its own), or any
chunk or check finds anything wrong, it gives up (None) and the caller loads the files in full
with :func:`bot.core.loader.load_files`: every problem and its ``file:line`` are exactly those
of a full load. A dataset it does return is equal to the one a full load of the same files makes.

The cache holds the chunks of the files last loaded and of the version before (an edit undone
is read from the cache too). It is filled by each load it makes and by :meth:`~IncrementalLoader.seed`
from a dataset loaded in full (or from its snapshot) and the very bytes it was read from; or, by
:meth:`~IncrementalLoader.defer`, checked at once and filled at the next load: until then it keeps
the chunks' keys and line counts in flat arrays and the items' name hashes (at 100,000 places the
cache holds about 36 MB, those 4 MB; a bot that is never reloaded never fills it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from operator import attrgetter
from typing import Any, TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.core.collector import collector_paused
from bot.core.datafiles import FileKind, LoadResult, Problem
from bot.core.loader import (
    _check_locations,
    _EventsPart,
    _FileReader,
    _new_resolutions_part,
    _NonActsPart,
    _read_ambiguous,
    _read_body_name,
    _read_country,
    _read_event,
    _read_info,
    _read_jurisdiction,
    _read_non_act,
    _read_resolution,
    _ResolutionsPart,
    _with_body_names,
)
from bot.core.model import (
    AmbiguousName,
    BodyName,
    Country,
    Dataset,
    DatasetInfo,
    Event,
    Jurisdiction,
    NonAct,
    Record,
)
from bot.core.normalize import normalize

_T = TypeVar("_T")
_ID, _COUNTRY, _JURISDICTION = attrgetter("id"), attrgetter("country"), attrgetter("jurisdiction")
Item = Country | Jurisdiction | AmbiguousName | BodyName | Record | Event | NonAct

# The top-level sections of each file: ``dataset`` is one mapping, the others are lists.
_REQUIRED: dict[FileKind, frozenset[str]] = {
    "resolutions": frozenset({"dataset", "countries", "jurisdictions", "resolutions"}),
    "events": frozenset({"events"}),
    "non_acts": frozenset({"non_acts"}),
}
_ALLOWED: dict[FileKind, frozenset[str]] = {
    **_REQUIRED, "resolutions": _REQUIRED["resolutions"] | {"ambiguous_names", "body_names"},
}
_LIST_SECTIONS = (
    "countries", "jurisdictions", "ambiguous_names", "body_names", "resolutions", "events", "non_acts",
)

# A line that starts at column 0 with something other than a comment: a top-level key, or an
# item of a list written without indentation. (Patterns start at the line break before the
# line: the regular expression engine then skips from break to break.)
_COLUMN_0 = re.compile(rb"\n[^ #\r\n]")
# A top-level key with nothing after it but a comment: ``resolutions:  # the records``.
_KEY_LINE = re.compile(rb"([a-z_]+):(?:[ \t]+(?:#[^\r\n]*)?)?\r?(?:\n|\Z)")
# A line that is neither blank nor a comment, with its indentation.
_CONTENT = re.compile(rb"\n( *)[^ #\r\n]")
# Breaks libyaml counts as new lines (and the split does not), and a byte-order mark after the
# start: the chunks' line numbers would differ from a full parse's.
_ODD_BREAKS = re.compile(rb"\r(?!\n)|\xc2\x85|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf")
_BOM = b"\xef\xbb\xbf"
_ITEM_PATTERNS: dict[int, tuple[re.Pattern[bytes], re.Pattern[bytes]]] = {}
# Digest of a chunk's key (16 bytes: collisions are out of reach).
_DIGEST = hashlib.blake2b(digest_size=16)


class _GiveUp(Exception):
    """The incremental read cannot vouch for its result: load the files in full."""


def odd_breaks(data: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether ``data[start:end]`` has a line break other than LF and CR LF, or a byte-order mark."""
    return _ODD_BREAKS.search(data, start, len(data) if end is None else end) is not None


@dataclass(slots=True)
class _Section:
    """A top-level section: its chunks as byte ranges ``bounds[i]:bounds[i + 1]``, with their keys."""

    name: str
    bounds: list[int]
    keys: list[bytes]
    line: int  # 0-based line of the first chunk's first line


def split(data: bytes) -> dict[str, _Section] | None:
    """The file's sections and their chunks; None when the text is not plainly splittable.

    ``data`` is without its byte-order mark. The ``dataset`` section is one chunk (its header
    line included); each list section is one chunk per item (its header not included). Only
    what lies outside the chunks is checked for :func:`odd_breaks`: a chunk must be checked
    when it is read.
    """
    headers: list[tuple[str, int, int]] = []  # (name, header start, body start)
    starts_0 = [0] if data[:1] not in (b" ", b"#", b"\r", b"\n", b"") else []
    for at in [*starts_0, *(m.start() + 1 for m in _COLUMN_0.finditer(data))]:
        key = _KEY_LINE.match(data, at)
        if key is not None:
            headers.append((key.group(1).decode("ascii"), at, key.end()))
        elif not headers or not _is_item(data, at + 1, len(data)):
            return None  # text before the first key, or not a key: not plainly splittable
    if not headers:
        return None
    if _first_content(data, 0, headers[0][1]) is not None or odd_breaks(data, 0, headers[0][1]):
        return None
    sections: dict[str, _Section] = {}
    view = memoryview(data)
    line, at = 0, 0
    for n, (name, start, body) in enumerate(headers):
        end = headers[n + 1][1] if n + 1 < len(headers) else len(data)
        if name in sections:
            return None
        if name == "dataset":
            starts = [start]
        elif name in _LIST_SECTIONS:
            found = _item_starts(data, body, end)
            if found is None or odd_breaks(data, start, found[0] if found else end):
                return None
            starts = found
        else:
            return None
        if starts:
            line += data.count(b"\n", at, starts[0])
            at = starts[0]
        bounds = [*starts, end]
        keys: list[bytes] = []
        for a, b in zip(starts, bounds[1:], strict=True):
            digest = _DIGEST.copy()
            digest.update(view[a:b])
            keys.append(digest.digest())
        sections[name] = _Section(name, bounds, keys, line)
    return sections


def _is_item(data: bytes, after_dash: int, end: int) -> bool:
    """Whether the ``-`` just before ``after_dash`` starts a list item (a space or the line's end follows)."""
    return data[after_dash - 1 : after_dash] == b"-" and (
        after_dash >= end or data[after_dash : after_dash + 1] in (b" ", b"\r", b"\n")
    )


def _first_content(data: bytes, start: int, end: int) -> re.Match[bytes] | None:
    """The first line of ``data[start:end]`` (``start`` begins a line) that is neither blank nor a comment."""
    return _CONTENT.search(data, max(0, start - 1), end) if start else _CONTENT.search(b"\n" + data[:end])


def _item_patterns(indent: int) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """For items indented ``indent``: the lines that start one, and the other lines indented as much or less.

    Blank lines and comments are neither; each pattern starts at the line break before the line.
    """
    patterns = _ITEM_PATTERNS.get(indent)
    if patterns is None:
        at = b" " * indent
        # one alternative per indentation: much faster than `` {0,n}`` (no backtracking)
        other = [b" " * n + rb"[^ #\r\n]" for n in range(indent)] + [at + rb"(?:[^ #\r\n-]|-(?![ \r\n]|\Z))"]
        patterns = _ITEM_PATTERNS[indent] = (
            re.compile(rb"\n" + at + rb"-(?=[ \r\n]|\Z)"),
            re.compile(rb"\n(?:" + b"|".join(other) + rb")"),
        )
    return patterns


def _item_starts(data: bytes, body: int, end: int) -> list[int] | None:
    """Where each item of a list section's body begins (none: an empty list).

    None unless every line at the items' indentation or less starts an item.
    """
    first = _first_content(data, body, end)
    if first is None:
        return []
    items, other = _item_patterns(len(first.group(1)))
    if other.search(data, body - 1, end) is not None:
        return None
    return [match.start() + 1 for match in items.finditer(data, body - 1, end)]



# --------------------------------------------------------------------------- what is kept per chunk


@dataclass(slots=True)
class _Entry:
    """What reading one chunk made, at the line it was last used at."""

    line: int  # 0-based first line of the chunk when ``item`` was made (its lines are absolute)
    item: Any  # an Item, or the DatasetInfo of the ``dataset`` section
    newlines: int  # line breaks in the chunk (where the next chunk starts)
    names: bytes = b""  # hashes of the item's normalized names (array "q"), for the cross-checks
    glossary: object = None  # for a record: the glossary (body names) it was completed with


def _name_hashes(texts: Iterable[str]) -> bytes:
    """The distinct hashes of the normalized ``texts`` (a name's hash stands for it in the checks)."""
    return array("q", sorted({hash(normalize(text)) for text in texts})).tobytes()


def _names_of(item: object) -> bytes:
    """The hashes of what an item claims (places, countries, non-acts) or is (glossary, ambiguous)."""
    if isinstance(item, Country | Jurisdiction):
        return _name_hashes((item.name, *(text for _, text in item.names), *item.aliases))
    if isinstance(item, NonAct):
        return _name_hashes(item.names)
    if isinstance(item, AmbiguousName):
        return _name_hashes((item.name,))
    if isinstance(item, BodyName):
        return _name_hashes((item.body,))
    return b""


# The sections whose items have names for the checks across items (the others' have none).
_NAMED = frozenset({"countries", "jurisdictions", "ambiguous_names", "body_names", "non_acts"})
# A section's name hashes (see _names_of) end to end, and where each item's begin (in bytes).
_PackedNames = tuple[bytes, "array[int]"]


def _pack_names(items: Sequence[object]) -> _PackedNames:
    parts = [_names_of(item) for item in items]
    return b"".join(parts), array("I", accumulate((len(p) for p in parts), initial=0))


def _sections_of(dataset: Dataset) -> dict[str, tuple[object, ...]]:
    """The dataset's items by the section they are read from."""
    return {
        "countries": dataset.countries, "jurisdictions": dataset.jurisdictions,
        "ambiguous_names": dataset.ambiguous_names, "body_names": dataset.body_names,
        "resolutions": dataset.records, "events": dataset.events, "non_acts": dataset.non_acts,
    }


def _moved(item: _T, by: int) -> _T:
    """``item`` with its line moved by ``by`` (the chunk moved in the file)."""
    if not by:
        return item
    cls = type(item)
    shape = _SHAPES.get(cls)
    if shape is None:  # the constructor's fields, read in one call, and where the line is among them
        names = [f.name for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
        shape = _SHAPES[cls] = (attrgetter(*names), names.index("line"))
    values = list(shape[0](item))
    values[shape[1]] += by
    return cls(*values)


_SHAPES: dict[type, tuple[Callable[[Any], tuple[Any, ...]], int]] = {}


def _glossary_key(glossary: Sequence[BodyName]) -> tuple[object, ...]:
    """What of the glossary a record's completion depends on (not the entries' lines)."""
    return tuple((g.body, g.names, g.aliases) for g in glossary)


# --------------------------------------------------------------------------- reading one chunk


_ResolutionsReader = Callable[[_FileReader, Node, int, _ResolutionsPart], None]
_READERS: dict[str, _ResolutionsReader] = {
    "countries": _read_country,
    "jurisdictions": _read_jurisdiction,
    "ambiguous_names": _read_ambiguous,
    "body_names": _read_body_name,
    "resolutions": _read_resolution,
}


def _compose(data: bytes) -> Node:
    """The chunk's root node; _GiveUp when it does not read cleanly on its own."""
    problems: list[Problem] = []
    root = _FileReader("", problems).compose(data)
    if root is None or problems:
        raise _GiveUp
    return root


def _only_item(root: Node) -> Node:
    if not isinstance(root, SequenceNode) or len(root.value) != 1:
        raise _GiveUp
    item: Node = root.value[0]
    return item


def _read_chunk(section: str, data: bytes, index: int) -> object:
    """Read one chunk alone; its lines count from the chunk's first line. _GiveUp on any problem."""
    if odd_breaks(data):
        raise _GiveUp
    root = _compose(data)
    problems: list[Problem] = []
    reader = _FileReader("", problems)
    found: list[object]
    if section == "dataset":
        if not isinstance(root, MappingNode) or len(root.value) != 1:
            raise _GiveUp
        key, node = root.value[0]
        if not isinstance(key, ScalarNode) or key.value != "dataset":
            raise _GiveUp
        found = [_read_info(reader, node)]
    elif section == "events":
        events = _EventsPart([])
        _read_event(reader, _only_item(root), index, events)
        found = list(events.events)
    elif section == "non_acts":
        non_acts = _NonActsPart([], [])
        _read_non_act(reader, _only_item(root), index, non_acts)
        found = list(non_acts.non_acts)
    else:
        part = _new_resolutions_part()
        _READERS[section](reader, _only_item(root), index, part)
        found = [*part.countries, *part.jurisdictions, *part.ambiguous, *part.body_names, *part.records]
        _check_locations(part.jurisdictions, lambda line, text: problems.append(Problem("", line, text)))
    if problems or len(found) != 1 or found[0] is None:
        raise _GiveUp
    return found[0]


# --------------------------------------------------------------------------- the loader


class IncrementalLoader:
    """Loads data files reading only the chunks it has not read before (see the module docstring).

    Not thread-safe: one load at a time (a :class:`~bot.core.reloading.DataStore` holds its
    reload lock).
    """

    def __init__(self) -> None:
        # section name -> chunk key -> entry: the chunks of the files last loaded, and those of
        # the version before that are not in these
        self._current: dict[str, dict[bytes, _Entry]] = {}
        self._previous: dict[str, dict[bytes, _Entry]] = {}
        self._glossary: tuple[object, ...] = ()  # the glossary key of the records last completed
        # the chunk keys of the countries and jurisdictions last loaded, and their display names
        self._places: tuple[list[bytes], list[bytes]] | None = None
        self._display: dict[str, str] = {}
        # what :meth:`defer` planned, for the next load to fill the cache from
        self._deferred: _Plan | None = None
        self.read_chunks = 0  # chunks read by the last load (for tests and benchmarks)

    @property
    def ready(self) -> bool:
        """Whether anything is cached, or deferred (a load with neither is left to a full load)."""
        return bool(self._current) or self._deferred is not None

    def clear(self) -> None:
        """Forget every chunk."""
        self._current, self._previous, self._places, self._display = {}, {}, None, {}
        self._deferred = None

    def load(self, files: Mapping[FileKind, bytes]) -> LoadResult | None:
        """The dataset of ``files`` (kind -> bytes; resolutions and events required), or None.

        None when nothing is cached, or when the files are not plainly splittable or have any
        problem: load them in full (:func:`bot.core.loader.load_files`) for the same dataset or
        the problems with their lines.
        """
        self.read_chunks = 0
        if self._deferred is not None:  # what defer planned is filled in first
            plan, self._deferred = self._deferred, None
            with collector_paused():
                used, places = _fill(plan)
            self._keep(used, plan.glossary, places, plan.dataset)
        if not self._current:
            return None
        with collector_paused():
            try:
                dataset, used, glossary, places = self._load(files)
            except _GiveUp:
                return None
        self._keep(used, glossary, places, dataset)
        return LoadResult(dataset, ())

    def seed(self, files: Mapping[FileKind, bytes], dataset: Dataset) -> bool:
        """Cache the chunks of ``files`` as ``dataset``, which a full load of those very files made.

        Returns False (and forgets every chunk) when the files are not plainly splittable or their
        chunks do not line up one to one with the dataset's items.
        """
        plan = self._plan(files, dataset, pack=False)
        if plan is None:
            return False
        with collector_paused():
            used, places = _fill(plan)
        self._keep(used, plan.glossary, places, dataset)
        return True

    def defer(self, files: Mapping[FileKind, bytes], dataset: Dataset) -> bool:
        """:meth:`seed`, with the cache filled at the next :meth:`load` rather than now.

        The checks run now (False, and every chunk forgotten, as :meth:`seed`); what the cache is
        made from is kept compact until the next load (in a reload's worker thread) fills it: the
        chunks' keys and line counts in flat arrays, and the hashes of the items' names. The cache
        itself costs memory (36 MB at 100,000 places, against 4 MB for what is kept) that a bot
        never reloaded would hold for nothing; a load's result is the same either way.
        """
        plan = self._plan(files, dataset, pack=True)
        self._deferred = plan
        return plan is not None

    def _plan(self, files: Mapping[FileKind, bytes], dataset: Dataset, *, pack: bool) -> _Plan | None:
        """The checked plan of a seed (every chunk forgotten); None when the chunks do not line up."""
        self.clear()
        with collector_paused():
            try:
                return _plan(self._sections(files) if not _odd(files) else None, dataset, pack=pack)
            except _GiveUp:
                return None

    # ---- internals

    def _keep(
        self,
        used: dict[str, dict[bytes, _Entry]],
        glossary: tuple[object, ...],
        places: tuple[list[bytes], list[bytes]],
        dataset: Dataset,
    ) -> None:
        """Make ``used`` the current chunks; the current ones not in it become the previous."""
        previous: dict[str, dict[bytes, _Entry]] = {}
        for name, entries in self._current.items():
            gone = entries.keys() - used.get(name, {}).keys()
            previous[name] = {k: entries[k] for k in gone}
        self._current, self._previous, self._glossary = used, previous, glossary
        if places != self._places:
            self._places = places
            self._display = {j.id: dataset.display_name(j.id) for j in dataset.jurisdictions}

    def _sections(self, files: Mapping[FileKind, bytes]) -> dict[FileKind, tuple[bytes, dict[str, _Section]]]:
        out: dict[FileKind, tuple[bytes, dict[str, _Section]]] = {}
        for kind, raw in files.items():
            data = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
            sections = split(data)
            if sections is None or not _REQUIRED[kind] <= sections.keys() <= _ALLOWED[kind]:
                raise _GiveUp
            out[kind] = (data, sections)
        if "resolutions" not in out or "events" not in out:
            raise _GiveUp
        return out

    def _entries(
        self,
        parsed: dict[FileKind, tuple[bytes, dict[str, _Section]]],
        kind: FileKind,
        name: str,
        used: dict[str, dict[bytes, _Entry]],
        glossary: object = None,
    ) -> list[_Entry]:
        """The entries of a section's chunks: cached (for records: with ``glossary``), else read now."""
        data, sections = parsed.get(kind, (b"", {}))
        section = sections.get(name)
        if section is None:
            return []
        current = self._current.get(name, {})
        previous = self._previous.get(name, {})
        cache = [current.get(key) or previous.get(key) for key in section.keys]
        found: list[_Entry] = []
        bounds, line = section.bounds, section.line
        for i, cached in enumerate(cache):
            if cached is None or cached.glossary is not glossary:
                chunk = data[bounds[i] : bounds[i + 1]]
                item = _read_chunk(name, chunk, i + 1)
                self.read_chunks += 1
                moved = item if name == "dataset" else _moved(item, line)
                entry = _Entry(line, moved, chunk.count(b"\n"), _names_of(item))
            elif cached.line != line:
                moved = _moved(cached.item, line - cached.line)
                entry = _Entry(line, moved, cached.newlines, cached.names, cached.glossary)
            else:
                entry = cached
            found.append(entry)
            line += entry.newlines
        kept = used[name] = dict(zip(section.keys, found, strict=True))
        if len(kept) != len(found):  # the same text twice in one section: a repeated id or name
            raise _GiveUp
        return found

    def _load(self, files: Mapping[FileKind, bytes]) -> tuple[
        Dataset, dict[str, dict[bytes, _Entry]], tuple[object, ...], tuple[list[bytes], list[bytes]]
    ]:
        parsed = self._sections(files)
        used: dict[str, dict[bytes, _Entry]] = {}
        info = self._entries(parsed, "resolutions", "dataset", used)[0].item
        countries = self._entries(parsed, "resolutions", "countries", used)
        places = self._entries(parsed, "resolutions", "jurisdictions", used)
        ambiguous = self._entries(parsed, "resolutions", "ambiguous_names", used)
        glossary_entries = self._entries(parsed, "resolutions", "body_names", used)
        glossary: list[BodyName] = [e.item for e in glossary_entries]
        key = _glossary_key(glossary)
        if key == self._glossary:
            key = self._glossary  # the very object the cached records were completed with
        records = self._entries(parsed, "resolutions", "resolutions", used, key)
        fresh = [entry for entry in records if entry.glossary is not key]  # read just now
        words = [(g, normalize(g.body)) for g in glossary] if fresh else []
        for entry in fresh:  # completed with the glossary
            entry.item = _with_body_names(entry.item, words)
            entry.glossary = key
        events = self._entries(parsed, "events", "events", used)
        non_acts = self._entries(parsed, "non_acts", "non_acts", used)
        if not isinstance(info, DatasetInfo):  # pragma: no cover - _read_chunk vouches for it
            raise _GiveUp
        sections = parsed["resolutions"][1]
        place_keys = (sections["countries"].keys, sections["jurisdictions"].keys)
        dataset = Dataset(
            info=info,
            countries=tuple(e.item for e in countries),
            jurisdictions=tuple(e.item for e in places),
            records=tuple(e.item for e in records),
            events=tuple(e.item for e in events),
            ambiguous_names=tuple(e.item for e in ambiguous),
            non_acts=tuple(e.item for e in non_acts),
            body_names=tuple(glossary),
            # the display names depend on the countries and jurisdictions alone (not their lines)
            _display_by_id=dict(self._display) if place_keys == self._places else {},
        )
        _check(dataset, {
            "countries": countries, "jurisdictions": places, "ambiguous_names": ambiguous,
            "body_names": glossary_entries, "non_acts": non_acts,
        })
        return dataset, used, key, place_keys

# --------------------------------------------------------------------------- seeding


@dataclass(slots=True)
class _PlannedSection:
    """A section's chunks as a seed finds them: their keys end to end, line counts, names."""

    keys: bytes  # each chunk's 16-byte key, in order
    newlines: array[int]  # line breaks in each chunk
    line: int  # 0-based first line of the first chunk
    names: _PackedNames | None  # the items' name hashes; None: worked out when filled


@dataclass(slots=True)
class _Plan:
    """What a seed fills the cache from (checked: the chunks line up with the dataset's items)."""

    dataset: Dataset
    sections: dict[str, _PlannedSection]
    glossary: tuple[object, ...]


def _odd(files: Mapping[FileKind, bytes]) -> bool:
    return any(odd_breaks(data) for data in files.values())


def _plan(
    parsed: dict[FileKind, tuple[bytes, dict[str, _Section]]] | None, dataset: Dataset, *, pack: bool
) -> _Plan:
    """Check that the chunks line up one to one with the dataset's items; _GiveUp if not.

    ``pack``: the items' name hashes are worked out now (else when the cache is filled).
    """
    if parsed is None:
        raise _GiveUp
    items = _sections_of(dataset)
    planned: dict[str, _PlannedSection] = {}
    for data, sections in parsed.values():
        for name, section in sections.items():
            bounds, line = section.bounds, section.line
            newlines = array("I", [data.count(b"\n", a, b) for a, b in pairwise(bounds)])
            keys = b"".join(section.keys)
            if name != "dataset":
                objects = items[name]
                if len(objects) != len(section.keys) or len(set(section.keys)) != len(section.keys):
                    raise _GiveUp
                at = line
                for count, item in zip(newlines, objects, strict=True):
                    if not at < getattr(item, "line", 0) <= at + count:
                        raise _GiveUp  # the chunks do not line up with the items
                    at += count
            names = _pack_names(items[name]) if pack and name in _NAMED else None
            planned[name] = _PlannedSection(keys, newlines, line, names)
    if any(objects and name not in planned for name, objects in items.items()):
        raise _GiveUp
    return _Plan(dataset, planned, _glossary_key(dataset.body_names))


def _fill(plan: _Plan) -> tuple[dict[str, dict[bytes, _Entry]], tuple[list[bytes], list[bytes]]]:
    """The cache's chunks, and the keys of the countries and jurisdictions, from a plan."""
    items = _sections_of(plan.dataset)
    used: dict[str, dict[bytes, _Entry]] = {}
    for name, section in plan.sections.items():
        keys, newlines, line = section.keys, section.newlines, section.line
        if name == "dataset":
            used[name] = {keys: _Entry(line, plan.dataset.info, newlines[0])}
            continue
        kept = used[name] = {}
        completed = plan.glossary if name == "resolutions" else None
        packed = section.names
        for i, (count, item) in enumerate(zip(newlines, items[name], strict=True)):
            if name not in _NAMED:
                hashes = b""
            elif packed is None:
                hashes = _names_of(item)
            else:
                hashes = packed[0][packed[1][i] : packed[1][i + 1]]
            kept[keys[16 * i : 16 * i + 16]] = _Entry(line, item, count, hashes, completed)
            line += count
    return used, (list(used["countries"]), list(used["jurisdictions"]))


# --------------------------------------------------------------------------- checks across items


def _hashes(entries: Iterable[_Entry]) -> tuple[set[int], int]:
    """The distinct name hashes of ``entries`` and how many they list in all."""
    joined = b"".join(e.names for e in entries)
    found = memoryview(joined).cast("q")
    return set(found), len(found)


def _check(dataset: Dataset, names: Mapping[str, list[_Entry]]) -> None:
    """_GiveUp unless the checks across items of a full load would find nothing.

    They are :func:`bot.core.loader._check_resolutions`, ``_check_non_act_names`` and
    ``_check_ids``, asked only whether anything is wrong: ids unique, references known, no name
    (normalized) of two places, two countries, two glossary entries or two ambiguous names, no
    ambiguous name that is a place's, no non-act name that is a place's, a country's or an
    ambiguous name. Names are compared by their hashes (``names``: the entries by section): two
    equal hashes give up too, so a rare collision only costs a full load.
    """
    country_ids = set(map(_ID, dataset.countries))
    place_ids = set(map(_ID, dataset.jurisdictions))
    if len(country_ids) != len(dataset.countries) or len(place_ids) != len(dataset.jurisdictions):
        raise _GiveUp
    if not country_ids.issuperset(map(_COUNTRY, dataset.jurisdictions)):
        raise _GiveUp
    found = {name: _hashes(entries) for name, entries in names.items()}
    if any(len(distinct) != n for name, (distinct, n) in found.items() if name != "non_acts"):
        raise _GiveUp
    places, countries = found["jurisdictions"][0], found["countries"][0]
    ambiguous, non_acts = found["ambiguous_names"][0], found["non_acts"][0]
    if not ambiguous.isdisjoint(places):
        raise _GiveUp
    for a in dataset.ambiguous_names:
        if len(a.jurisdictions) < 2 or not place_ids.issuperset(a.jurisdictions):
            raise _GiveUp
    if not place_ids.issuperset(map(_JURISDICTION, dataset.records)):
        raise _GiveUp
    if not all(non_acts.isdisjoint(names) for names in (places, countries, ambiguous)):
        raise _GiveUp
    ids = {*map(_ID, dataset.records), *map(_ID, dataset.events), *map(_ID, dataset.non_acts)}
    if len(ids) != len(dataset.records) + len(dataset.events) + len(dataset.non_acts):
        raise _GiveUp
