"""Load and validate the dataset YAML files, reporting every problem with its file and line.

The loader composes the YAML node tree itself (scalars stay text, so an unquoted
``2014-05-08`` is still read as the text of a date) and walks it against the schema
in ``docs/data-format.md``. It collects every problem; a dataset is built only when
there are none, so a caller never sees a half-loaded dataset.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.core.collector import collector_paused
from bot.core.datafiles import (
    EVENTS_FILE,
    FILE_NAMES,
    NON_ACTS_FILE,
    RESOLUTIONS_FILE,
    FileKind,
    LoadResult,
    Problem,
    data_files,
)
from bot.core.geo import country_outlines, location_problem
from bot.core.model import (
    AlternativeDate,
    AmbiguousName,
    BodyName,
    Country,
    Dataset,
    DatasetInfo,
    Event,
    Jurisdiction,
    Kind,
    Level,
    Names,
    NonAct,
    PartialDate,
    Record,
    Source,
    Vote,
)
from bot.core.normalize import normalize
from bot.core.text import plural

# Words the bot's own text must never use (checked in every text value of every file).
# "the circulated list": users never saw that list; say plainly what is claimed ("often described as").
BANNED_PHRASES: tuple[str, ...] = ("circulated list",)
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}\Z")

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
_DATE_FORM_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\Z")
_INT_RE = re.compile(r"^[+-]?[0-9]+\Z")
_NULL_TAG = "tag:yaml.org,2002:null"

_Loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader]
try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

# Hand-written data files need neither anchors nor aliases; refusing them before the walk keeps
# the node graph a tree, so checking a file is work in proportion to its size. At most this many
# anchors and aliases are listed one by one (then one line counts the rest).
MAX_ALIAS_PROBLEMS = 20
# The walk's work budget: node visits allowed per character of the document (plus a floor).
# A tree walk needs a few visits per node and a node takes at least two characters, so a real
# file stays far below it; it stops whatever walk might still be super-linear on a hostile file.
WORK_PER_CHAR = 4
WORK_FLOOR = 10_000
# A file's walk stops after this many problems: more would only bury the first ones.
MAX_PROBLEMS = 1000

_E = TypeVar("_E", Level, Kind)
_Part = TypeVar("_Part")

_RESOLUTIONS_TOP = (
    "dataset", "countries", "jurisdictions", "ambiguous_names", "body_names", "resolutions",
)


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """Counts for check-data's one-line summary."""

    records: int
    events: int
    jurisdictions: int
    countries: int
    by_level: tuple[tuple[Level, int], ...]
    by_kind: tuple[tuple[Kind, int], ...]
    parts: frozenset[str] = frozenset({"resolutions", "events"})
    non_acts: int = 0

    def line(self) -> str:
        """``OK: 85 records (by level: ...; by kind: ...) in 80 jurisdictions of 9 countries, 30 events``.

        With the non-acts file: ``..., 7 non-acts``.
        """
        pieces: list[str] = []
        if "resolutions" in self.parts:
            levels = ", ".join(f"{level.value} {n}" for level, n in self.by_level) or "none"
            kinds = ", ".join(f"{kind.value} {n}" for kind, n in self.by_kind) or "none"
            pieces.append(
                f"{plural(self.records, 'record')} (by level: {levels}; by kind: {kinds}) "
                f"in {plural(self.jurisdictions, 'jurisdiction')} of {plural(self.countries, 'country')}"
            )
        if "events" in self.parts:
            pieces.append(plural(self.events, "event"))
        if "non_acts" in self.parts:
            pieces.append(plural(self.non_acts, "non-act"))
        return "OK: " + ", ".join(pieces)


@dataclass(frozen=True, slots=True)
class FileCheck:
    """The result of checking one data file on its own."""

    kind: FileKind | None
    problems: tuple[Problem, ...]
    summary: DatasetSummary | None


def summarize(dataset: Dataset, parts: Iterable[str] = ("resolutions", "events")) -> DatasetSummary:
    """Counts of records by level and by kind, jurisdictions, countries and events."""
    levels: dict[Level, int] = {}
    kinds: dict[Kind, int] = {}
    level_of = {j.id: j.level for j in dataset.jurisdictions}
    for record in dataset.records:
        level = level_of.get(record.jurisdiction)
        if level is not None:
            levels[level] = levels.get(level, 0) + 1
        for kind in record.kinds:
            kinds[kind] = kinds.get(kind, 0) + 1
    return DatasetSummary(
        records=len(dataset.records),
        events=len(dataset.events),
        jurisdictions=len(dataset.jurisdictions),
        countries=len(dataset.countries),
        by_level=tuple((lv, levels[lv]) for lv in Level if lv in levels),
        by_kind=tuple((k, kinds[k]) for k in Kind if k in kinds),
        parts=frozenset(parts),
        non_acts=len(dataset.non_acts),
    )


# --------------------------------------------------------------------------- reading


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _event_line(event: yaml.Event) -> int:
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 0


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode) and node.tag == _NULL_TAG and node.style is None:
        return "nothing"
    return f"the text {node.value!r}"


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG and node.style is None


@dataclass(slots=True)
class _Map:
    """A YAML mapping with string keys, as read (first value wins on duplicates)."""

    node: MappingNode
    what: str
    items: dict[str, tuple[ScalarNode, Node]]

    def get(self, key: str) -> Node | None:
        item = self.items.get(key)
        return item[1] if item else None


class _OverBudget(Exception):
    """The walk used up the work budget of its document (see ``WORK_PER_CHAR``)."""


class _TooManyProblems(Exception):
    """The walk found ``MAX_PROBLEMS`` problems in one file."""


class _FileReader:
    """Walks one file's node tree, collecting problems against that file's name."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.budget = WORK_FLOOR  # set from the document's size by compose()
        self.problem_limit = len(problems) + MAX_PROBLEMS

    def problem(self, where: Node | int, message: str) -> None:
        line = where if isinstance(where, int) else _line(where)
        self.problems.append(Problem(self.file, line, message))
        if len(self.problems) >= self.problem_limit:
            raise _TooManyProblems

    def spend(self, work: int) -> None:
        """Count ``work`` node visits against the budget; _OverBudget when it runs out."""
        self.budget -= work
        if self.budget < 0:
            raise _OverBudget

    def over_budget(self) -> None:
        self.problem(
            0,
            "checking this file takes far more work than a file of its size should; "
            "nothing was loaded (is it generated, or deeply repetitive?)",
        )

    # ---- parsing the text

    def compose(self, data: bytes | str) -> Node | None:
        """The document's root node, or None (with a problem) when it cannot be read."""
        if isinstance(data, bytes):
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as err:
                self.problem(0, f"not UTF-8 text (bad byte at offset {err.start})")
                return None
        else:
            text = data
        self.budget = WORK_FLOOR + WORK_PER_CHAR * len(text)
        try:
            if self._has_anchors(text):
                return None
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = int(mark.line) + 1 if mark is not None else 0
            detail = " ".join(part for part in (err.context, err.problem) if part)
            self.problem(line, f"YAML syntax error: {detail or err}")
            return None
        except yaml.reader.ReaderError as err:  # a character YAML does not allow
            # libyaml counts the position in UTF-8 bytes
            line = text.encode("utf-8", "surrogatepass")[: max(0, int(err.position))].count(b"\n") + 1
            self.problem(line, f"the character U+{err.character:04X} is not allowed in YAML text")
            return None
        except yaml.YAMLError as err:
            self.problem(0, "YAML error: " + " ".join(str(err).split()))
            return None
        if root is None or _is_null(root):
            self.problem(0, "the file is empty")
            return None
        return root

    def _has_anchors(self, text: str) -> bool:
        """Report anchors (``&name``) and aliases (``*name``) from the event stream, before composing.

        An alias makes one node appear in many places, so a small file could make the walk
        visit a large list once per reference. Without them the node graph is a tree.
        """
        if "&" not in text and "*" not in text:  # neither can appear without its sign
            return False
        found = first_unlisted = 0
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                message = f"'*{event.anchor}' repeats an anchored value"
            elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                message = f"anchor '&{event.anchor}'"
            else:
                continue
            found += 1
            if found <= MAX_ALIAS_PROBLEMS:
                self.problem(
                    _event_line(event),
                    f"{message}: anchors and aliases are not allowed in data files; write the value out",
                )
            elif found == MAX_ALIAS_PROBLEMS + 1:
                first_unlisted = _event_line(event)
        if found > MAX_ALIAS_PROBLEMS:
            self.problem(
                first_unlisted,
                f"{found - MAX_ALIAS_PROBLEMS} more anchors or aliases from here on (not listed)",
            )
        return found > 0

    # ---- structure helpers

    def mapping(self, node: Node, what: str, noun: str | None = None) -> _Map | None:
        """The mapping's keys; with ``noun``, ``what`` becomes ``noun 'id'`` when it has an id."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values, not {_describe(node)}")
            return None
        self.spend(2 * len(node.value) + 1)
        if noun is not None:
            for key_node, value_node in node.value:
                if (
                    isinstance(key_node, ScalarNode) and key_node.value == "id"
                    and isinstance(value_node, ScalarNode) and str(value_node.value).strip()
                ):
                    what = f"{noun} '{str(value_node.value).strip()}'"
                    break
        items: dict[str, tuple[ScalarNode, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, f"{what}: a key must be plain text, not {_describe(key_node)}")
                continue
            key = str(key_node.value)
            if key in items:
                first = _line(items[key][0])
                self.problem(key_node, f"{what}: key '{key}' appears twice (first at line {first})")
                continue
            items[key] = (key_node, value_node)
        return _Map(node, what, items)

    def keys(self, m: _Map, required: Iterable[str], optional: Iterable[str]) -> None:
        """Report missing required keys and unknown keys."""
        required = tuple(required)
        allowed = (*required, *optional)
        for key in required:
            if key not in m.items:
                self.problem(m.node, f"{m.what}: missing required field '{key}'")
        for key, (key_node, _) in m.items.items():
            if key not in allowed:
                close = get_close_matches(key, allowed, n=1, cutoff=0.7)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
                self.problem(key_node, f"{m.what}: unknown key '{key}'{hint}")

    def text(self, m: _Map, key: str, *, required: bool = False) -> str | None:
        """A text value; missing/empty required text is a problem (missing keys are reported by keys())."""
        node = m.get(key)
        if node is None:
            return None
        if _is_null(node):
            if required:
                self.problem(node, f"{m.what}: '{key}' must not be empty")
            return None
        if not isinstance(node, ScalarNode):
            self.problem(node, f"{m.what}: '{key}' must be text, not {_describe(node)}")
            return None
        value = str(node.value).strip()
        if not value:
            if required:
                self.problem(node, f"{m.what}: '{key}' must not be empty")
            return None
        self.wording(node, value, f"{m.what}: '{key}'")
        return value

    def wording(self, node: Node, value: str, label: str) -> None:
        """Report a phrase the bot's own text must not use (see :data:`BANNED_PHRASES`)."""
        folded = " ".join(value.split()).casefold()
        for phrase in BANNED_PHRASES:
            if phrase in folded:
                self.problem(
                    node,
                    f"{label} says {phrase!r}; readers never saw that list: say plainly what is "
                    "claimed and by whom (e.g. 'often described as')",
                )

    def ident(self, m: _Map, key: str = "id") -> str | None:
        value = self.text(m, key, required=True)
        if value is not None and not ID_RE.match(value):
            node = m.get(key)
            assert node is not None
            self.problem(
                node,
                f"{m.what}: {key} '{value}' must use only lower-case letters, digits and '-' "
                "and start with a letter or digit",
            )
            return None
        return value

    def seq(self, m: _Map, key: str) -> list[Node] | None:
        """A list's items; null is an empty list; None (with a problem) when not a list."""
        node = m.get(key)
        if node is None or _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{m.what}: '{key}' must be a list, not {_describe(node)}")
            return None
        self.spend(len(node.value) + 1)
        return list(node.value)

    def text_list(self, m: _Map, key: str) -> tuple[tuple[str, Node], ...]:
        """Non-empty text items of a list, each with its node."""
        items = self.seq(m, key)
        out: list[tuple[str, Node]] = []
        for item in items or []:
            if not isinstance(item, ScalarNode) or _is_null(item):
                self.problem(item, f"{m.what}: each entry of '{key}' must be text, not {_describe(item)}")
                continue
            value = str(item.value).strip()
            if not value:
                self.problem(item, f"{m.what}: an entry of '{key}' is empty")
                continue
            self.wording(item, value, f"{m.what}: an entry of '{key}'")
            out.append((value, item))
        return tuple(out)

    def names(self, m: _Map, key: str = "names") -> tuple[Names, tuple[tuple[str, Node], ...]]:
        """A ``{language: name}`` mapping: the pairs, and each name with its node (for claims)."""
        node = m.get(key)
        if node is None or _is_null(node):
            return (), ()
        names = self.mapping(node, f"{m.what}: '{key}'")
        if names is None:
            return (), ()
        pairs: list[tuple[str, str]] = []
        nodes: list[tuple[str, Node]] = []
        for code, (code_node, _) in names.items.items():
            if not _LANGUAGE_RE.match(code):
                self.problem(
                    code_node,
                    f"{names.what}: {code!r} is not a language code (two or three lower-case letters, "
                    "such as hy, ru, fr, es)",
                )
                continue
            text = self.text(names, code, required=True)
            value_node = names.get(code)
            if text is None or value_node is None:
                continue
            pairs.append((code, text))
            nodes.append((text, value_node))
        return tuple(pairs), tuple(nodes)

    def location(self, m: _Map, key: str = "location") -> tuple[float, float] | None:
        """``[latitude, longitude]`` in degrees, range-checked; None when absent or wrong."""
        node = m.get(key)
        if node is None or _is_null(node):
            return None
        label = f"{m.what}: '{key}'"
        if not isinstance(node, SequenceNode) or len(node.value) != 2:
            self.problem(node, f"{label} must be [latitude, longitude], not {_describe(node)}")
            return None
        out: list[float] = []
        for item, (axis, limit) in zip(node.value, (("latitude", 90.0), ("longitude", 180.0)), strict=True):
            text = str(item.value).strip() if isinstance(item, ScalarNode) else ""
            try:
                value = float(text)
            except ValueError:
                self.problem(item, f"{label}: the {axis} must be a number of degrees, not {_describe(item)}")
                return None
            if not -limit <= value <= limit:  # NaN fails this too
                self.problem(item, f"{label}: the {axis} {text} is out of range (-{limit:g} to {limit:g})")
                return None
            out.append(value)
        return out[0], out[1]

    def date(self, m: _Map, key: str, *, required: bool = False) -> PartialDate | None:
        value = self.text(m, key, required=required)
        if value is None:
            return None
        node = m.get(key)
        assert node is not None
        return self.parse_date(node, value, f"{m.what}: {key}")

    def parse_date(self, node: Node, value: str, label: str) -> PartialDate | None:
        if not _DATE_FORM_RE.match(value):
            self.problem(node, f"{label} {value!r} is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD")
            return None
        try:
            return PartialDate.parse_iso(value)
        except ValueError as err:
            self.problem(node, f"{label} {value!r} is impossible: {err}")
            return None

    def sources(self, m: _Map) -> tuple[Source, ...]:
        items = self.seq(m, "sources")
        if items is None:
            return ()
        if not items and "sources" in m.items:
            self.problem(m.get("sources") or m.node, f"{m.what}: needs at least one source")
        out: list[Source] = []
        for i, item in enumerate(items, 1):
            src = self.mapping(item, f"{m.what}: source {i}")
            if src is None:
                continue
            self.keys(src, ("url",), ("title",))
            url = self.text(src, "url", required=True)
            title = self.text(src, "title")
            if url is None:
                continue
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
                self.problem(src.get("url") or item, f"{src.what}: {url!r} is not an http(s) URL")
                continue
            out.append(Source(url=url, title=title))
        return tuple(out)


# --------------------------------------------------------------------------- the two files


@dataclass(slots=True)
class _ResolutionsPart:
    info: DatasetInfo | None
    countries: list[Country]
    jurisdictions: list[Jurisdiction]
    ambiguous: list[AmbiguousName]
    records: list[Record]
    # for cross-checks: id -> (line) and name/alias nodes
    name_claims: list[tuple[str, str, int, str]]  # (normalized, jurisdiction id, line, original)
    # every well-formed id as declared, even on entries with other problems: (id, line)
    country_ids: list[tuple[str, int]]
    jurisdiction_ids: list[tuple[str, int]]
    country_claims: list[tuple[str, str, int, str]]  # like name_claims, for countries
    body_names: list[BodyName]


@dataclass(slots=True)
class _EventsPart:
    events: list[Event]


@dataclass(slots=True)
class _NonActsPart:
    non_acts: list[NonAct]
    name_claims: list[tuple[str, str, int, str]]  # (normalized, non-act id, line, original)


_RECORD_REQUIRED = ("id", "jurisdiction", "body", "date", "kinds", "title", "summary", "sources")
_RECORD_OPTIONAL = (
    "body_aliases", "alternative_dates", "date_note", "reference", "vote", "sponsor", "notes",
)
_EVENT_REQUIRED = ("id", "title", "date", "summary", "sources")
_EVENT_OPTIONAL = ("end", "date_note", "notes")


def _read_resolutions(r: _FileReader, root: Node) -> _ResolutionsPart | None:
    top = r.mapping(root, "the resolutions file")
    if top is None:
        return None
    r.keys(top, ("dataset", "countries", "jurisdictions", "resolutions"), ("ambiguous_names", "body_names"))
    part = _new_resolutions_part()
    info_node = top.get("dataset")
    if info_node is not None:
        part.info = _read_info(r, info_node)
    for key, read_item in _RESOLUTIONS_ITEMS:
        for i, node in enumerate(r.seq(top, key) or [], 1):
            read_item(r, node, i, part)
    glossary = [(g, normalize(g.body)) for g in part.body_names]  # each entry's words, once
    part.records = [_with_body_names(record, glossary) for record in part.records]
    return part


def _new_resolutions_part() -> _ResolutionsPart:
    return _ResolutionsPart(None, [], [], [], [], [], [], [], [], [])


def _read_info(r: _FileReader, node: Node) -> DatasetInfo | None:
    info = r.mapping(node, "dataset")
    if info is None:
        return None
    r.keys(info, ("version", "methodology"), ("sources_note",))
    version = r.text(info, "version", required=True)
    methodology = r.text(info, "methodology", required=True)
    note = r.text(info, "sources_note") or ""
    if version is None or methodology is None:
        return None
    return DatasetInfo(version=version, methodology=methodology, sources_note=note)


def _read_country(r: _FileReader, node: Node, i: int, part: _ResolutionsPart) -> None:
    m = r.mapping(node, f"country #{i}", "country")
    if m is None:
        return
    r.keys(m, ("id", "name"), ("aliases", "names"))
    cid, name = r.ident(m), r.text(m, "name", required=True)
    if cid is not None:
        part.country_ids.append((cid, _line(node)))
    alias_items = r.text_list(m, "aliases")
    names, name_items = r.names(m)
    if cid is not None and name is not None:
        _claim(r, m, part.country_claims, cid, ((name, m.get("name") or node), *name_items, *alias_items))
        aliases = tuple(a for a, _ in alias_items)
        part.countries.append(Country(id=cid, name=name, aliases=aliases, names=names, line=_line(node)))


def _read_jurisdiction(r: _FileReader, node: Node, i: int, part: _ResolutionsPart) -> None:
    m = r.mapping(node, f"jurisdiction #{i}", "jurisdiction")
    if m is None:
        return
    r.keys(m, ("id", "name", "level", "country", "location"), ("aliases", "names"))
    jid, name = r.ident(m), r.text(m, "name", required=True)
    if jid is not None:
        part.jurisdiction_ids.append((jid, _line(node)))
    country = r.text(m, "country", required=True)
    level = _enum(r, m, "level", Level, "level")
    alias_items = r.text_list(m, "aliases")
    names, name_items = r.names(m)
    location = r.location(m)
    if jid is not None and name is not None:
        _claim(r, m, part.name_claims, jid, ((name, m.get("name") or node), *name_items, *alias_items))
    if jid is not None and name is not None and country is not None and level is not None:
        part.jurisdictions.append(
            Jurisdiction(
                id=jid,
                name=name,
                level=level,
                country=country,
                aliases=tuple(a for a, _ in alias_items),
                names=names,
                location=location,
                line=_line(node),
            )
        )


def _read_ambiguous(r: _FileReader, node: Node, i: int, part: _ResolutionsPart) -> None:
    m = r.mapping(node, f"ambiguous name #{i}")
    if m is None:
        return
    r.keys(m, ("name", "jurisdictions"), ())
    name = r.text(m, "name", required=True)
    if name is not None:
        m.what = f"ambiguous name {name!r}"
    ids = r.text_list(m, "jurisdictions")
    if name is not None and "jurisdictions" in m.items:
        part.ambiguous.append(
            AmbiguousName(name=name, jurisdictions=tuple(dict.fromkeys(a for a, _ in ids)), line=_line(node))
        )


def _read_body_name(r: _FileReader, node: Node, i: int, part: _ResolutionsPart) -> None:
    m = r.mapping(node, f"body name #{i}")
    if m is None:
        return
    r.keys(m, ("body",), ("names", "aliases"))
    body = r.text(m, "body", required=True)
    if body is not None:
        m.what = f"body name {body!r}"
    names, _ = r.names(m)
    aliases = tuple(a for a, _ in r.text_list(m, "aliases"))
    if body is not None:
        if not names and not aliases:
            r.problem(node, f"{m.what}: give 'names' or 'aliases' (or both)")
        part.body_names.append(BodyName(body=body, names=names, aliases=aliases, line=_line(node)))


def _read_resolution(r: _FileReader, node: Node, i: int, part: _ResolutionsPart) -> None:
    """One record, as written (the glossary's names are added once the whole file is read)."""
    record = _read_record(r, node, i)
    if record is not None:
        part.records.append(record)


# Each list of the resolutions file, in the order read, with the reader of one of its items.
_RESOLUTIONS_ITEMS: tuple[tuple[str, Callable[[_FileReader, Node, int, _ResolutionsPart], None]], ...] = (
    ("countries", _read_country),
    ("jurisdictions", _read_jurisdiction),
    ("ambiguous_names", _read_ambiguous),
    ("body_names", _read_body_name),
    ("resolutions", _read_resolution),
)


def _claim(
    r: _FileReader,
    m: _Map,
    claims: list[tuple[str, str, int, str]],
    owner: str,
    items: Iterable[tuple[str, Node]],
) -> None:
    """Add every name of one owner to ``claims`` (checked later: no name may have two owners)."""
    for text, n in items:
        normalized = normalize(text)
        claims.append((normalized, owner, _line(n), text))
        if not normalized:
            r.problem(n, f"{m.what}: name {text!r} has no letters or digits")


def _with_body_names(record: Record, glossary: list[tuple[BodyName, str]]) -> Record:
    """The record with the glossary entry that fits its body best: its names become body aliases.

    ``glossary`` holds each entry with its normalized ``body``. An entry fits when its ``body`` is
    in the record's body (or one of its own body aliases) as whole words; the best is the one
    equal to the body, else the longest. Only the best applies, so a "State Senate" takes the
    words for a state senate, not those for a national "Senate".
    """
    own = [normalize(text) for text in (record.body, *record.body_aliases)]
    padded = [f" {text} " for text in own]
    fitting = [(g, words) for g, words in glossary if words and any(f" {words} " in text for text in padded)]
    if not fitting:
        return record
    exact = [g for g, words in fitting if words == own[0]]
    best = exact[0] if exact else max(fitting, key=lambda fit: len(fit[1]))[0]
    extra = (*(n for _, n in best.names), *best.aliases)
    aliases = tuple(dict.fromkeys((*record.body_aliases, *extra)))
    return replace(record, body_aliases=aliases, body_names=best.names)


def _enum(r: _FileReader, m: _Map, key: str, enum: type[_E], noun: str) -> _E | None:
    value = r.text(m, key, required=True)
    if value is None:
        return None
    node = m.get(key)
    assert node is not None
    return _enum_value(r, node, value, enum, f"{m.what}: unknown {noun}")


def _enum_value(r: _FileReader, node: Node, value: str, enum: type[_E], label: str) -> _E | None:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        r.problem(node, f"{label} {value!r} (allowed: {allowed})")
        return None


def _read_record(r: _FileReader, node: Node, index: int) -> Record | None:
    m = r.mapping(node, f"resolution #{index}", "resolution")
    if m is None:
        return None
    r.keys(m, _RECORD_REQUIRED, _RECORD_OPTIONAL)
    rid = r.ident(m)
    jurisdiction = r.text(m, "jurisdiction", required=True)
    body = r.text(m, "body", required=True)
    body_aliases = tuple(a for a, _ in r.text_list(m, "body_aliases"))
    date = r.date(m, "date", required=True)
    alternatives = _read_alternatives(r, m, date)
    date_note = r.text(m, "date_note")
    title = r.text(m, "title", required=True)
    reference = r.text(m, "reference")
    summary = r.text(m, "summary", required=True)
    sponsor = r.text(m, "sponsor")
    notes = r.text(m, "notes")
    sources = r.sources(m)

    kinds: list[Kind] = []
    kind_items = r.seq(m, "kinds")
    if kind_items is not None:
        if not kind_items and "kinds" in m.items:
            r.problem(m.get("kinds") or node, f"{m.what}: needs at least one kind")
        for item in kind_items:
            if not isinstance(item, ScalarNode) or _is_null(item):
                r.problem(item, f"{m.what}: each kind must be text, not {_describe(item)}")
                continue
            kind = _enum_value(r, item, str(item.value).strip(), Kind, f"{m.what}: unknown kind")
            if kind is None:
                continue
            if kind in kinds:
                r.problem(item, f"{m.what}: kind '{kind.value}' is listed twice")
                continue
            kinds.append(kind)

    vote = _read_vote(r, m)
    if (
        rid is None or jurisdiction is None or body is None or date is None or title is None
        or summary is None or not sources or not kinds or alternatives is None or vote is False
    ):
        return None
    return Record(
        id=rid,
        jurisdiction=jurisdiction,
        body=body,
        date=date,
        kinds=tuple(kinds),
        title=title,
        summary=summary,
        sources=sources,
        alternative_dates=alternatives,
        date_note=date_note,
        vote=vote or None,
        sponsor=sponsor,
        reference=reference,
        notes=notes,
        body_aliases=body_aliases,
        line=_line(node),
    )


def _read_alternatives(
    r: _FileReader, m: _Map, main: PartialDate | None
) -> tuple[AlternativeDate, ...] | None:
    items = r.seq(m, "alternative_dates")
    if items is None:
        return None
    out: list[AlternativeDate] = []
    ok = True
    for i, item in enumerate(items, 1):
        alt = r.mapping(item, f"{m.what}: alternative date {i}")
        if alt is None:
            ok = False
            continue
        r.keys(alt, ("date", "note"), ())
        date = r.date(alt, "date", required=True)
        note = r.text(alt, "note", required=True)
        if date is not None and main is not None and date == main:
            r.problem(
                alt.get("date") or item,
                f"{alt.what}: {date.iso()} is the same as the main date; an alternative must differ",
            )
            ok = False
            continue
        if date is not None and any(a.date == date for a in out):
            r.problem(alt.get("date") or item, f"{alt.what}: {date.iso()} is listed twice")
            ok = False
            continue
        if date is None or note is None:
            ok = False
            continue
        out.append(AlternativeDate(date=date, note=note))
    return tuple(out) if ok else None


def _read_vote(r: _FileReader, m: _Map) -> Vote | Literal[False] | None:
    """The vote, None when absent, False when it has problems."""
    node = m.get("vote")
    if node is None or _is_null(node):
        return None
    v = r.mapping(node, f"{m.what}: vote")
    if v is None:
        return False
    r.keys(v, (), ("yes", "no", "abstain", "note"))
    ok = True
    counts: dict[str, int | None] = {}
    for key in ("yes", "no", "abstain"):
        counts[key] = None
        value = r.text(v, key)
        if value is None:
            continue
        count_node = v.get(key)
        assert count_node is not None
        if not _INT_RE.match(value):
            r.problem(count_node, f"{v.what}: '{key}' must be a whole number, not {value!r}")
            ok = False
        elif int(value) < 0:
            r.problem(count_node, f"{v.what}: '{key}' must not be negative, not {value}")
            ok = False
        else:
            counts[key] = int(value)
    note = r.text(v, "note")
    if ok and note is None and all(c is None for c in counts.values()):
        r.problem(node, f"{v.what}: give at least one of yes, no, abstain or note")
        ok = False
    if not ok:
        return False
    return Vote(yes=counts["yes"], no=counts["no"], abstain=counts["abstain"], note=note)


def _read_list_file(
    r: _FileReader, root: Node, what: str, key: str, *, part: _Part,
    read_item: Callable[[_FileReader, Node, int, _Part], None],
) -> _Part | None:
    """A file of one top-level list (``events``, ``non_acts``), each item read into ``part``."""
    top = r.mapping(root, what)
    if top is None:
        return None
    r.keys(top, (key,), ())
    for i, node in enumerate(r.seq(top, key) or [], 1):
        read_item(r, node, i, part)
    return part


def _read_events(r: _FileReader, root: Node) -> _EventsPart | None:
    return _read_list_file(r, root, "the events file", "events", part=_EventsPart([]), read_item=_read_event)


def _read_event(r: _FileReader, node: Node, i: int, part: _EventsPart) -> None:
    m = r.mapping(node, f"event #{i}", "event")
    if m is None:
        return
    r.keys(m, _EVENT_REQUIRED, _EVENT_OPTIONAL)
    eid = r.ident(m)
    title = r.text(m, "title", required=True)
    date = r.date(m, "date", required=True)
    end = r.date(m, "end")
    date_note = r.text(m, "date_note")
    summary = r.text(m, "summary", required=True)
    notes = r.text(m, "notes")
    sources = r.sources(m)
    end_ok = True
    if date is not None and end is not None and end.last_day() < date.first_day():
        r.problem(
            m.get("end") or node,
            f"{m.what}: ends ({end.iso()}) before it starts ({date.iso()})",
        )
        end_ok = False
    if eid is None or title is None or date is None or summary is None or not sources or not end_ok:
        return
    part.events.append(
        Event(
            id=eid,
            title=title,
            date=date,
            summary=summary,
            sources=sources,
            end=end,
            date_note=date_note,
            notes=notes,
            line=_line(node),
        )
    )


_NON_ACT_REQUIRED = ("id", "names", "title", "explanation", "sources")
_NON_ACT_OPTIONAL = ("date",)


def _read_non_acts(r: _FileReader, root: Node) -> _NonActsPart | None:
    return _read_list_file(
        r, root, "the non-acts file", "non_acts", part=_NonActsPart([], []), read_item=_read_non_act
    )


def _read_non_act(r: _FileReader, node: Node, i: int, part: _NonActsPart) -> None:
    m = r.mapping(node, f"non-act #{i}", "non-act")
    if m is None:
        return
    r.keys(m, _NON_ACT_REQUIRED, _NON_ACT_OPTIONAL)
    nid = r.ident(m)
    name_items = r.text_list(m, "names")
    if not name_items and "names" in m.items:
        r.problem(m.get("names") or node, f"{m.what}: needs at least one name people type")
    seen: dict[str, int] = {}
    names: list[str] = []
    for text, n in name_items:
        normalized = normalize(text)
        if not normalized:
            r.problem(n, f"{m.what}: name {text!r} has no letters or digits")
            continue
        if normalized in seen:
            r.problem(n, f"{m.what}: name {text!r} is listed twice (first at line {seen[normalized]})")
            continue
        seen[normalized] = _line(n)
        names.append(text)
        if nid is not None:
            part.name_claims.append((normalized, nid, _line(n), text))
    title = r.text(m, "title", required=True)
    explanation = r.text(m, "explanation", required=True)
    date = r.date(m, "date")
    sources = r.sources(m)
    if nid is None or not names or title is None or explanation is None or not sources:
        return
    part.non_acts.append(
        NonAct(
            id=nid, names=tuple(names), title=title, explanation=explanation,
            sources=sources, date=date, line=_line(node),
        )
    )


# --------------------------------------------------------------------------- cross-checks


def _check_unique_claims(
    claims: Iterable[tuple[str, str, int, str]], noun: str, add: Callable[[int, str], None]
) -> dict[str, tuple[str, int, str]]:
    """No name (after normalization) may belong to two owners; returns name -> first owner."""
    first_claim: dict[str, tuple[str, int, str]] = {}
    for normalized, owner, line, original in claims:
        if not normalized:
            continue
        first = first_claim.get(normalized)
        if first is None:
            first_claim[normalized] = (owner, line, original)
            continue
        other_id, other_line, other_text = first
        if other_id == owner:
            continue
        add(
            line,
            f"{noun} '{owner}': name {original!r} is already claimed by "
            f"{noun} '{other_id}' ({other_text!r} at line {other_line})",
        )
        add(
            other_line,
            f"{noun} '{other_id}': name {other_text!r} is also claimed by "
            f"{noun} '{owner}' ({original!r} at line {line})",
        )
    return first_claim


def _check_resolutions(file: str, part: _ResolutionsPart, problems: list[Problem]) -> None:
    """Checks within the resolutions file: unique ids, known references, name conflicts."""

    def add(line: int, message: str) -> None:
        problems.append(Problem(file, line, message))

    countries: dict[str, int] = {}
    for cid, line in part.country_ids:
        if cid in countries:
            add(line, f"country '{cid}': duplicate id (already used at line {countries[cid]})")
        else:
            countries[cid] = line

    jurisdictions: dict[str, int] = {}
    for jid, line in part.jurisdiction_ids:
        if jid in jurisdictions:
            add(line, f"jurisdiction '{jid}': duplicate id (already used at line {jurisdictions[jid]})")
        else:
            jurisdictions[jid] = line
    for j in part.jurisdictions:
        if j.country not in countries:
            add(j.line, f"jurisdiction '{j.id}': unknown country '{j.country}' (not in countries)")

    claims = _check_unique_claims(part.name_claims, "jurisdiction", add)
    _check_unique_claims(part.country_claims, "country", add)

    seen_bodies: dict[str, int] = {}
    for entry in part.body_names:
        key = normalize(entry.body)
        if key in seen_bodies:
            add(entry.line, f"body name {entry.body!r}: listed twice (first at line {seen_bodies[key]})")
        else:
            seen_bodies[key] = entry.line

    seen_ambiguous: dict[str, int] = {}
    for a in part.ambiguous:
        what = f"ambiguous name {a.name!r}"
        normalized = normalize(a.name)
        if normalized in seen_ambiguous:
            add(a.line, f"{what}: listed twice (first at line {seen_ambiguous[normalized]})")
        else:
            seen_ambiguous[normalized] = a.line
        if normalized in claims:
            jid, line, text = claims[normalized]
            add(
                a.line,
                f"{what}: is also a name of jurisdiction '{jid}' ({text!r} at line {line}); "
                "remove one of them",
            )
        for jid in a.jurisdictions:
            if jid not in jurisdictions:
                add(a.line, f"{what}: unknown jurisdiction '{jid}'")
        if len(a.jurisdictions) < 2:
            add(a.line, f"{what}: must list two or more jurisdictions")

    for record in part.records:
        if record.jurisdiction not in jurisdictions:
            add(record.line, f"resolution '{record.id}': unknown jurisdiction '{record.jurisdiction}'")

    _check_locations(part.jurisdictions, add)


def _check_locations(places: Iterable[Jurisdiction], add: Callable[[int, str], None]) -> None:
    """Each location lies in its country's outline (within :data:`LOCATION_TOLERANCE_KM`): a typo guard.

    Countries without an outline (the European Union) are not checked. Places at the same point
    are checked once.
    """
    outlines = country_outlines()
    seen: dict[tuple[str, float, float], str | None] = {}
    for place in places:
        outline = outlines.get(place.country)
        if place.location is None or outline is None:
            continue
        key = (place.country, *place.location)
        if key not in seen:
            seen[key] = location_problem(*place.location, outline)
        problem = seen[key]
        if problem is not None:
            add(place.line, f"jurisdiction '{place.id}': location {problem}")


def _check_non_act_names(
    file: str, part: _NonActsPart, res_file: str, res: _ResolutionsPart, problems: list[Problem]
) -> None:
    """A non-act's name must not also be a place or a country: the place's records would be hidden."""
    owners: dict[str, tuple[str, int, str]] = {}
    for noun, claims in (("jurisdiction", res.name_claims), ("country", res.country_claims)):
        for normalized, owner, line, text in claims:
            if normalized:
                owners.setdefault(normalized, (f"{noun} '{owner}'", line, text))
    for a in res.ambiguous:
        owners.setdefault(normalize(a.name), ("an ambiguous name", a.line, a.name))
    for normalized, nid, line, text in part.name_claims:
        found = owners.get(normalized)
        if found is None:
            continue
        owner, other_line, other_text = found
        problems.append(
            Problem(
                file, line,
                f"non-act '{nid}': name {text!r} is also a name of {owner} "
                f"({other_text!r} at {res_file}:{other_line}); a non-act must not hide real records",
            )
        )


def _check_ids(
    parts: Iterable[tuple[str, Iterable[tuple[str, int]]]], problems: list[Problem]
) -> None:
    """Record, event and non-act ids are unique across the files."""
    seen: dict[str, tuple[str, int]] = {}
    for file, items in parts:
        for item_id, line in items:
            if item_id in seen:
                other_file, other_line = seen[item_id]
                where = f"line {other_line}" if other_file == file else f"{other_file}:{other_line}"
                problems.append(Problem(file, line, f"duplicate id '{item_id}' (already used at {where})"))
            else:
                seen[item_id] = (file, line)


# --------------------------------------------------------------------------- public entry points


def _read_source(
    source: Path | bytes, name: str | None, default: str
) -> tuple[str, bytes | None, Problem | None]:
    if isinstance(source, Path):
        file = name or str(source)
        try:
            return file, source.read_bytes(), None
        except FileNotFoundError:
            return file, None, Problem(file, 0, "file not found")
        except OSError as err:
            return file, None, Problem(file, 0, f"cannot read the file: {err.strerror or err}")
    return name or default, source, None


def _parse(
    file: str,
    data: bytes | None,
    error: Problem | None,
    problems: list[Problem],
    read: Callable[[_FileReader, Node], _Part | None],
) -> _Part | None:
    """One file's part, read with ``read``; None when it cannot be (its problems are added)."""
    if error is not None:
        problems.append(error)
        return None
    if data is None:
        return None
    problems_before = len(problems)
    reader = _FileReader(file, problems)
    root = reader.compose(data)
    if root is None:
        return None
    try:
        return read(reader, root)
    except _OverBudget:
        del problems[problems_before:]  # a partial walk's problems would mislead
        reader.over_budget()
    except _TooManyProblems:
        problems.append(Problem(file, 0, f"stopped after {MAX_PROBLEMS} problems; fix these and check again"))
    finally:
        _drop_tree(root)
    return None


def _drop_tree(root: Node) -> None:
    """Let go of a read node tree one list item at a time.

    Freed in one go, the tree of a large file is one long cascade of deallocations that
    holds the interpreter lock, stalling the bot's event loop while a reload runs in a thread.
    """
    if isinstance(root, MappingNode):
        for _key, value in root.value:
            if isinstance(value, SequenceNode):
                items = value.value
                while items:
                    items.pop()


def _top_keys(root: Node | None) -> set[str]:
    if not isinstance(root, MappingNode):
        return set()
    return {str(k.value) for k, _ in root.value if isinstance(k, ScalarNode)}


def _kind_of(root: Node | None) -> FileKind | None:
    keys = _top_keys(root)
    found: list[FileKind] = []
    if keys & set(_RESOLUTIONS_TOP):
        found.append("resolutions")
    if "events" in keys:
        found.append("events")
    if "non_acts" in keys:
        found.append("non_acts")
    return found[0] if len(found) == 1 else None


def detect_file_kind(data: bytes) -> FileKind | None:
    """Tell a resolutions, events or non-acts file by its top-level keys (None if none/invalid)."""
    reader = _FileReader("", [])
    return _kind_of(reader.compose(data))


def identify_file(data: bytes, name: str) -> tuple[FileKind | None, tuple[Problem, ...]]:
    """The kind of an uploaded file, or None with the problems that explain why not."""
    problems: list[Problem] = []
    reader = _FileReader(name, problems)
    root = reader.compose(data)
    if root is None:
        return None, tuple(problems)
    kind = _kind_of(root)
    if kind is None:
        keys = _top_keys(root)
        mixed = [k for k, hit in (
            ("resolutions", bool(keys & set(_RESOLUTIONS_TOP))), ("events", "events" in keys),
            ("non_acts", "non_acts" in keys),
        ) if hit]
        if len(mixed) > 1:
            msg = f"has {' and '.join(mixed)} keys at the top level; they belong in separate files"
        else:
            msg = (
                "is neither a resolutions file (top-level 'resolutions', 'jurisdictions', ...) "
                "nor an events file (top-level 'events') nor a non-acts file (top-level 'non_acts')"
            )
        problems.append(Problem(name, _line(root), f"this file {msg}"))
    return kind, tuple(problems)


def _sorted(problems: list[Problem], files: list[str]) -> tuple[Problem, ...]:
    order = {f: i for i, f in enumerate(files)}
    return tuple(sorted(problems, key=lambda p: (order.get(p.file, len(order)), p.line)))


def load_files(
    resolutions: Path | bytes,
    events: Path | bytes,
    *,
    non_acts: Path | bytes | None = None,
    resolutions_name: str | None = None,
    events_name: str | None = None,
    non_acts_name: str | None = None,
) -> LoadResult:
    """Load and validate the files, each given as a path or as uploaded bytes.

    ``non_acts`` is optional (None: the dataset has no non-acts). ``*_name`` is the file name
    used in problems (default: the path, or the standard name).
    """
    with collector_paused():
        return _load_files(
            {"resolutions": resolutions, "events": events, "non_acts": non_acts},
            {"resolutions": resolutions_name, "events": events_name, "non_acts": non_acts_name},
        )


def _load_files(
    sources: dict[FileKind, Path | bytes | None], names: dict[FileKind, str | None]
) -> LoadResult:
    problems: list[Problem] = []
    files: dict[FileKind, str] = {}
    data: dict[FileKind, bytes | None] = {}
    errors: dict[FileKind, Problem | None] = {}
    for kind, source in sources.items():
        if source is not None:
            files[kind], data[kind], errors[kind] = _read_source(source, names[kind], FILE_NAMES[kind])
    res_file, ev_file = files["resolutions"], files["events"]
    res_part = _parse(res_file, data["resolutions"], errors["resolutions"], problems, _read_resolutions)
    if res_part is not None:
        _check_resolutions(res_file, res_part, problems)
    ev_part = _parse(ev_file, data["events"], errors["events"], problems, _read_events)
    na_part: _NonActsPart | None = _NonActsPart([], [])
    na_file = files.get("non_acts")
    if na_file is not None:
        na_part = _parse(na_file, data["non_acts"], errors["non_acts"], problems, _read_non_acts)
        if na_part is not None and res_part is not None:
            _check_non_act_names(na_file, na_part, res_file, res_part, problems)

    _check_ids(
        [
            (res_file, [(r.id, r.line) for r in res_part.records] if res_part else []),
            (ev_file, [(e.id, e.line) for e in ev_part.events] if ev_part else []),
            (na_file or "", [(n.id, n.line) for n in na_part.non_acts] if na_part else []),
        ],
        problems,
    )
    if (
        problems or res_part is None or ev_part is None or na_part is None or res_part.info is None
    ):
        if not problems:  # pragma: no cover - every failure path above reports a problem
            problems.append(Problem(res_file, 0, "the dataset could not be read"))
        return LoadResult(None, _sorted(problems, list(files.values())))
    dataset = Dataset(
        info=res_part.info,
        countries=tuple(res_part.countries),
        jurisdictions=tuple(res_part.jurisdictions),
        records=tuple(res_part.records),
        events=tuple(ev_part.events),
        ambiguous_names=tuple(res_part.ambiguous),
        non_acts=tuple(na_part.non_acts),
        body_names=tuple(res_part.body_names),
    )
    return LoadResult(dataset, ())


def load_dataset(path: Path, *, bare_names: bool = False) -> LoadResult:
    """Load ``resolutions.yaml``, ``events.yaml`` and (if present) ``non_acts.yaml`` from ``path``.

    With ``bare_names``, problems name the bare files ("events.yaml:12"), not the paths.
    """
    files = data_files(path)
    return load_files(
        files["resolutions"],
        files["events"],
        non_acts=files.get("non_acts"),
        resolutions_name=RESOLUTIONS_FILE if bare_names else None,
        events_name=EVENTS_FILE if bare_names else None,
        non_acts_name=NON_ACTS_FILE if bare_names else None,
    )


def check_file(path: Path) -> FileCheck:
    """Check one resolutions, events or non-acts file on its own (for ``check-data FILE``)."""
    file, data, error = _read_source(path, None, str(path))
    if data is None:
        return FileCheck(None, (error,) if error is not None else (), None)
    kind, problems = identify_file(data, file)
    if kind is None:
        stem = path.name.split(".")[0].lower()
        by_stem = {name.split(".")[0]: k for k, name in FILE_NAMES.items()}
        if stem in by_stem and not any(p.message.endswith("belong in separate files") for p in problems):
            kind = by_stem[stem]
            problems = ()
        else:
            return FileCheck(None, problems, None)
    found: list[Problem] = []
    info = DatasetInfo("", "")
    summary: DatasetSummary | None = None
    if kind == "resolutions":
        part = _parse(file, data, None, found, _read_resolutions)
        if part is not None:
            _check_resolutions(file, part, found)
            _check_ids([(file, [(r.id, r.line) for r in part.records])], found)
            if not found:
                summary = summarize(
                    Dataset(info, tuple(part.countries), tuple(part.jurisdictions), tuple(part.records), ()),
                    ("resolutions",),
                )
    elif kind == "events":
        ev = _parse(file, data, None, found, _read_events)
        if ev is not None:
            _check_ids([(file, [(e.id, e.line) for e in ev.events])], found)
            if not found:
                summary = summarize(Dataset(info, (), (), (), tuple(ev.events)), ("events",))
    else:
        na = _parse(file, data, None, found, _read_non_acts)
        if na is not None:
            _check_ids([(file, [(n.id, n.line) for n in na.non_acts])], found)
            if not found:
                summary = summarize(
                    Dataset(info, (), (), (), (), non_acts=tuple(na.non_acts)), ("non_acts",)
                )
    return FileCheck(kind, _sorted(found, [file]), summary)
