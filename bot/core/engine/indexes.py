"""The indexes a dataset is answered from, built once per (re)load and shared by every part of the engine.

Names (places, countries, bodies) go to a :class:`~bot.core.matching.NameIndex`, record texts to a
:class:`~bot.core.matching.TextIndex`, days to a :class:`~bot.core.engine.date_index.DateIndex`; the
:class:`Target` table says what each name stands for.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import heapq
import itertools
import marshal
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.core.answers import Answer, Candidate, Entry, Lazy, Status
from bot.core.collector import collector_paused
from bot.core.engine.common import Item
from bot.core.engine.date_index import DateIndex
from bot.core.i18n import DEFAULT, N_, _, current, ngettext, using
from bot.core.matching import Hit, NameEntry, NameIndex, TextIndex
from bot.core.model import Country, Dataset, Event, Jurisdiction, Kind, Level, NonAct, Record
from bot.core.normalize import normalize, normalize_many
from bot.core.present import body_name, date_text, event_entry, non_act_entry, place_name, record_entry
from bot.core.text import one_stop, plural

COUNTRY_PREFIX = "country:"
BODY_PREFIX = "body:"
NON_ACT_PREFIX = "nonact:"

TargetKind = Literal["country", "jurisdiction", "body"]
KIND_RANK: dict[TargetKind, int] = {"body": 1, "jurisdiction": 2, "country": 3}
_SLUG_RE = re.compile(r"[^a-z0-9]+")
_DESIGNATOR = re.compile(r"^(State|City|County)\s+", flags=re.IGNORECASE)  # "State Senate" is also "Senate"


def _slug(norm: str) -> str:
    """A short id-like form of a body's name (normalized): at most 40 characters, cut at a word."""
    slug = _SLUG_RE.sub("-", norm).strip("-")
    if len(slug) > 40:
        slug = slug[:41].rsplit("-", 1)[0]
    return slug or "body"


@dataclass(frozen=True, slots=True)
class Target:
    """Something a jurisdiction query can resolve to: a country, a jurisdiction or a body."""

    key: str
    kind: TargetKind
    label: str
    description: str
    members: frozenset[str]  # jurisdiction ids it covers
    records: tuple[Record, ...]  # newest first
    words: frozenset[str] = frozenset()  # a body's own words ("state", "senate"), for generic queries
    level: Level | None = None  # a place's or body's level
    country: str = ""  # a place's country id

    def contains(self, other: Target) -> bool:
        """True for itself, and for a narrower target within it (a body of a place, a place of a country)."""
        if other.key == self.key:
            return True
        return other.members <= self.members and KIND_RANK[self.kind] > KIND_RANK[other.kind]

    def candidate(self) -> Candidate:
        """The target as a suggestion in English: its label and description (autocomplete)."""
        return Candidate(label=f"{self.label} ({self.description})", value=self.key)


def _fold_all(normalized: dict[str, str], names: Iterable[str]) -> None:
    """Add ``names`` to ``normalized`` (name -> :func:`normalize` of it), folded all at once.

    Names met twice, or already there, are folded again to the same form: quicker than looking
    for them first (most names are met once).
    """
    listed = list(names)
    normalized.update(zip(listed, normalize_many(listed), strict=True))


def _digest(rows: list[Any]) -> bytes:
    """A SHA-256 of strings, numbers and tuples (marshal's version 2 writes equal values alike)."""
    return hashlib.sha256(marshal.dumps(rows, 2)).digest()


def _places_digest(ds: Dataset) -> bytes:
    """A digest of everything the place and country targets (and their names) are made of, but records."""
    return _digest([
        [(c.id, c.name, c.aliases, c.names) for c in ds.countries],
        [(j.id, j.name, j.level.value, j.country, j.aliases, j.names) for j in ds.jurisdictions],
        [(a.name, a.jurisdictions) for a in ds.ambiguous_names],
        [(n.id, n.names, n.title) for n in ds.non_acts],
    ])


def _bodies_digest(ds: Dataset) -> bytes:
    """A digest of what the body targets are made of: each record's place, body and body aliases, in order."""
    return _digest([(r.jurisdiction, r.body, r.body_aliases) for r in ds.records])


@dataclass(frozen=True, slots=True)
class _Bodies:
    """The bodies of a dataset without their records: kept by a reload whose bodies are the same.

    Body ``i`` is made of the records at ``positions[i]`` of ``dataset.records``; ``group_of`` gives
    each record's body number (-1: none, its place being unknown).
    """

    digest: bytes  # of the places (see _places_digest), then of the bodies (see _bodies_digest)
    keys: list[str]
    labels: list[str]
    descriptions: list[str]
    words: list[frozenset[str]]
    jurisdictions: list[str]
    names: list[tuple[str, ...]]
    positions: list[array[int]]
    group_of: array[int]
    by_word: dict[str, list[int]]  # body numbers by each word of their names, most records first
    order: list[int]  # body numbers, most records first, then by label


class _Targets(Mapping[str, "Target"]):
    """Every target by key, each made when first asked for (most of 100,000 places never are).

    Keys: countries (``country:<id>``), then places (their ids), then bodies; a place's key wins
    over a country's. Made targets are kept: the same key always gives the same target.
    """

    def __init__(
        self,
        dataset: Dataset,
        records_by_place: dict[str, tuple[Record, ...]],
        records_by_country: dict[str, list[Record]],
        bodies: dict[str, Target],
    ) -> None:
        """The targets of ``dataset``; the records of each place and country come newest first.

        No reference to the indexes, which hold this one: a reload's old indexes are freed as
        soon as they are let go (a cycle would wait for the garbage collector).
        """
        self._dataset = dataset
        self._by_place = records_by_place
        self._by_country = records_by_country
        self._countries = {COUNTRY_PREFIX + c.id: c.id for c in dataset.countries}
        self._made: dict[str, Target] = dict(bodies)
        self._bodies = list(bodies)
        self._places_of_country: dict[str, list[str]] | None = None  # made with the first country's target

    def __getitem__(self, key: str) -> Target:
        found = self._made.get(key)
        if found is None:
            found = self._made.setdefault(key, self._make(key))  # one target per key, even in a race
        return found

    def _make(self, key: str) -> Target:
        ds = self._dataset
        try:
            place = ds.jurisdiction(key)
        except KeyError:
            place = None
        if place is not None:
            records = self._by_place.get(key, ())
            try:
                country_name = ds.country(place.country).name
            except KeyError:
                country_name = place.country
            return Target(
                key=key,
                kind="jurisdiction",
                label=ds.display_name(key),
                description=f"{place.level.value}, {country_name}, {plural(len(records), 'record')}",
                members=frozenset((key,)),
                records=records,
                level=place.level,
                country=place.country,
            )
        country_id = self._countries.get(key)
        if country_id is None:
            raise KeyError(key)
        records = tuple(self._by_country.get(country_id, ()))  # newest first
        places = self._places_of_country
        if places is None:  # every country's places in one pass over the places (dataset order)
            places = {}
            for place in ds.jurisdictions:
                places.setdefault(place.country, []).append(place.id)
            self._places_of_country = places
        return Target(
            key=key,
            kind="country",
            label=ds.country(country_id).name,
            description=f"country, {plural(len(records), 'record')}",
            members=frozenset(places.get(country_id, ())),
            records=records,
            country=country_id,
        )

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if key in self._made or key in self._countries:
            return True
        try:
            self._dataset.jurisdiction(key)
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        yield from self._countries
        yield from (j.id for j in self._dataset.jurisdictions if j.id not in self._countries)
        yield from self._bodies

    def __len__(self) -> int:
        return sum(1 for _ in self)


# A target as a suggestion, in the language in use (see Indexes.candidate).
_COUNTRY_CANDIDATE = N_("{name} (country, {records})")
_PLACE_CANDIDATE = N_("{name} ({level}, {country}, {records})")
_BODY_CANDIDATE = N_("{name} ({level} body, {records})")


class Indexes:
    """Everything worked out from one dataset that more than one kind of question uses."""

    def __init__(self, dataset: Dataset, previous: Indexes | None = None, *, eager: bool = True) -> None:
        """The indexes of ``dataset``, keeping those of ``previous`` (the data in use) with the same input.

        With ``eager`` False the text index is built on first use (see :attr:`texts`).
        """
        self.dataset = dataset
        self._eager = eager
        with collector_paused():
            self._build(previous)

    def _build(self, previous: Indexes | None) -> None:
        dataset = self.dataset
        records = dataset.records
        # Every record newest first, as positions in ``records`` (as newest_first sorts them): one
        # sort, and each place's, country's and body's records are taken in this order.
        by_date = [(r.date.last_day(), r.id) for r in records]
        newest = sorted(range(len(records)), key=by_date.__getitem__, reverse=True)
        #: every record, newest first
        self.newest: tuple[Record, ...] = tuple(records[p] for p in newest)
        #: each country's records, newest first
        self.records_by_country: dict[str, list[Record]] = {c.id: [] for c in dataset.countries}
        by_place: dict[str, list[Record]] = {}
        for record in self.newest:
            country = self.country_id_of(record)
            self.records_by_country.setdefault(country, []).append(record)
            by_place.setdefault(record.jurisdiction, []).append(record)
        self.records_by_place = {jid: tuple(found) for jid, found in by_place.items()}
        self._entry_cache: dict[str, Entry] = {}  # plain record entries, filled as they are shown
        self._of_kinds: dict[frozenset[Kind], tuple[Record, ...]] = {}
        self._docs_by_kind: dict[Kind, list[int]] = {}
        for doc, record in enumerate(dataset.records):
            for kind in record.kinds:
                self._docs_by_kind.setdefault(kind, []).append(doc)
        self._folded_labels: dict[str, str] = {}  # label -> normalized, filled as needed
        self.redirect: dict[str, str] = {}
        # Acts that never happened, by name key ("nonact:<id>") and by each normalized name.
        self.non_acts: dict[str, NonAct] = {NON_ACT_PREFIX + n.id: n for n in self.dataset.non_acts}
        self.non_acts_by_name: dict[str, list[NonAct]] = {}
        for non_act in self.dataset.non_acts:
            for name in dict.fromkeys(normalize(n) for n in non_act.names):
                self.non_acts_by_name.setdefault(name, []).append(non_act)
        # Every name is folded once for the targets and both name indexes (the same forms).
        normalized: dict[str, str] = {}
        digest = _places_digest(dataset) + _bodies_digest(dataset)
        bodies: _Bodies
        if previous is not None and previous._body_table.digest == digest:
            bodies = previous._body_table  # a reload that changed no place and no body: kept
        else:
            bodies = self._body_table_of(digest, normalized)
        self._body_table: _Bodies = bodies
        body_targets = self._body_targets(bodies, newest)
        self.targets: Mapping[str, Target] = _Targets(
            dataset, self.records_by_place, self.records_by_country, body_targets
        )
        #: every body, and the bodies by each word of their names; most records first
        self.bodies: list[Target] = [body_targets[bodies.keys[i]] for i in bodies.order]
        self.bodies_by_word: dict[str, list[Target]] = {
            word: [body_targets[bodies.keys[i]] for i in numbers] for word, numbers in bodies.by_word.items()
        }
        # The names' ranks are record counts, which follow from the places and each record's place:
        # with the same places and bodies, the name entries are the same and are not even made.
        if previous is not None and previous._body_table is bodies:
            self.redirect = previous.redirect
            self.names: NameIndex = previous.names
        else:
            entries = self._name_entries(bodies, normalized)
            # A reload that changed no name (a record's title, a date, a source) keeps the name indexes.
            self.names = NameIndex.reusing(
                entries, previous.names if previous else None, normalized=normalized
            )
        countries = [
            NameEntry(
                key=c.id,
                label=c.name,
                names=c.spellings,
                rank=float(len(self.records_by_country.get(c.id, ()))),
            )
            for c in dataset.countries
        ]
        self.country_names: NameIndex = NameIndex.reusing(
            countries, previous.country_names if previous else None, normalized=normalized
        )
        # The text index splits only the texts the previous one did not have (a record's new title).
        before = previous._texts if previous is not None else None
        self._texts: TextIndex | None = TextIndex(self._record_docs(), before) if self._eager else None
        self.record_ids = {r.id.casefold(): r for r in dataset.records}
        self.country_ids = {c.id.casefold(): c.id for c in dataset.countries}
        # The date index keeps the previous one's tables when no date changed.
        before_dates = previous.dates if previous is not None else None
        self.dates: DateIndex = DateIndex(dataset.records, dataset.events, before_dates)

    @property
    def texts(self) -> TextIndex:
        """The records' text index (built on first use when the indexes were not built eagerly)."""
        texts = self._texts
        if texts is None:
            with collector_paused():
                texts = self._texts = TextIndex(self._record_docs())
        return texts

    def country_id_of(self, record: Record) -> str:
        """The id of the country a record's place belongs to ("" when unknown)."""
        try:
            return self.dataset.jurisdiction(record.jurisdiction).country
        except KeyError:
            return ""

    def country_name(self, country_id: str) -> str:
        """A country's name, or its id when the dataset has no such country."""
        try:
            return self.dataset.country(country_id).name
        except KeyError:
            return country_id

    def place(self, record: Record) -> str:
        """The display name of the place a record belongs to (its id when unknown)."""
        return self.dataset.display_name(record.jurisdiction)

    def _name_entries(self, bodies: _Bodies, normalized: dict[str, str]) -> list[NameEntry]:
        """The name entries of every target (and act that never happened); fills :attr:`redirect`."""
        ds = self.dataset
        entries: list[NameEntry] = []
        extra_names: dict[str, list[str]] = {}
        for ambiguous in ds.ambiguous_names:
            for jid in ambiguous.jurisdictions:
                extra_names.setdefault(jid, []).append(ambiguous.name)
        # Every name of every entry, folded at once here rather than one by one (by the name indexes too).
        places: list[Country | Jurisdiction] = [*ds.countries, *ds.jurisdictions]
        _fold_all(normalized, itertools.chain(
            [p.name for p in places],
            [text for p in places for _code, text in p.names],
            [alias for p in places for alias in p.aliases],
            [a.name for a in ds.ambiguous_names],
            [name for names in bodies.names for name in names],
            [name for n in ds.non_acts for name in n.names],
        ))

        country_norms: dict[str, set[str]] = {}
        for country in ds.countries:
            count = len(self.records_by_country.get(country.id, ()))
            names = country.spellings
            country_norms[country.id] = {normalized[n] for n in names}
            key = COUNTRY_PREFIX + country.id
            entries.append(NameEntry(key=key, label=country.name, names=names, rank=count))
        no_norms: set[str] = set()
        by_place, display_name, redirect = self.records_by_place, ds.display_name, self.redirect
        for jurisdiction in ds.jurisdictions:  # 100,000 places: the fewest steps for each
            jid = jurisdiction.id
            # Its spellings (most places have only a name).
            own: Sequence[str] = (
                jurisdiction.spellings if jurisdiction.names or jurisdiction.aliases else (jurisdiction.name,)
            )
            extra = extra_names.get(jid)
            if extra is not None:
                own = [*own, *extra]
            shared = country_norms.get(jurisdiction.country, no_norms)
            if shared and normalized[jurisdiction.name] in shared:
                # France the country and France the nation: the country is the superset.
                redirect[jid] = COUNTRY_PREFIX + jurisdiction.country
                own = [n for n in own if normalized[n] not in shared]
            if own:
                found = by_place.get(jid)
                rank = float(len(found)) if found else 0.0
                entries.append(NameEntry(jid, display_name(jid), tuple(own), rank))
        entries.extend(
            NameEntry(key=key, label=label, names=names, rank=float(len(positions)))
            for key, label, names, positions in zip(
                bodies.keys, bodies.labels, bodies.names, bodies.positions, strict=True
            )
        )
        # Names of acts that never happened are matched like places, so that "texas" finds its
        # explanation rather than a near name; they come last in default lists.
        entries.extend(
            NameEntry(key=key, label=n.title, names=n.names, rank=-1.0) for key, n in self.non_acts.items()
        )
        return entries

    def _body_table_of(self, digest: bytes, normalized: dict[str, str]) -> _Bodies:
        """The bodies of the dataset: records grouped by place and body name (as normalized)."""
        ds = self.dataset
        # Every body name and alias folded at once: each is looked up in ``normalized`` below.
        _fold_all(normalized, itertools.chain(
            [r.body for r in ds.records], [alias for r in ds.records for alias in r.body_aliases]
        ))
        groups: dict[tuple[str, str], list[int]] = {}
        for position, record in enumerate(ds.records):
            groups.setdefault((record.jurisdiction, normalized[record.body]), []).append(position)
        records = ds.records
        taken = {COUNTRY_PREFIX + c.id for c in ds.countries} | {j.id for j in ds.jurisdictions}
        table = _Bodies(digest, [], [], [], [], [], [], [], array("i", [-1]) * len(records), {}, [])
        used: set[str] = set()
        # What depends only on a body's name (or its names, or its level and count) is worked out
        # once for each: a few body names ("City Council") are shared by thousands of places.
        slugs: dict[str, str] = {}
        shorts: dict[str, str] = {}
        words_of: dict[tuple[str, ...], frozenset[str]] = {}
        descriptions: dict[tuple[str, int], str] = {}
        for (jid, norm), positions in groups.items():
            try:
                jurisdiction = ds.jurisdiction(jid)
            except KeyError:
                continue
            body = records[positions[0]].body
            slug = slugs.get(norm)
            if slug is None:
                slug = slugs[norm] = _slug(norm)
            key = f"{BODY_PREFIX}{jid}:{slug}"
            number = 2
            while key in used or key in taken:
                key = f"{BODY_PREFIX}{jid}:{slug}-{number}"
                number += 1
            used.add(key)
            aliases = [a for p in positions for a in records[p].body_aliases]
            names: list[str] = [f"{jurisdiction.name} {body}", f"{body} of {jurisdiction.name}"]
            short = shorts.get(body)
            if short is None:
                short = shorts[body] = _DESIGNATOR.sub("", body)
            if short != body:
                names.append(f"{jurisdiction.name} {short}")
            names.extend(aliases)
            table.keys.append(key)
            table.labels.append(f"{ds.display_name(jid)} — {body}")
            level = jurisdiction.level.value
            description = descriptions.get((level, len(positions)))
            if description is None:
                description = f"{level} body, {plural(len(positions), 'record')}"
                descriptions[level, len(positions)] = description
            table.descriptions.append(description)
            spelled = (body, *aliases)
            words = words_of.get(spelled)
            if words is None:
                words = frozenset(word for name in spelled for word in normalized[name].split())
                words_of[spelled] = words
            table.words.append(words)
            table.jurisdictions.append(jid)
            table.names.append(tuple(dict.fromkeys(n for n in names if n.strip())))
            for position in positions:
                table.group_of[position] = len(table.positions)
            table.positions.append(array("i", positions))
        # Most records first, then by label, for every list of bodies.
        counts, labels = [len(p) for p in table.positions], table.labels
        table.order.extend(sorted(range(len(counts)), key=lambda i: (-counts[i], labels[i])))
        for i in table.order:
            for word in table.words[i]:
                table.by_word.setdefault(word, []).append(i)
        return table

    def _body_targets(self, bodies: _Bodies, newest: Sequence[int]) -> dict[str, Target]:
        """The body targets by key, with their records (``newest``: record positions, newest first)."""
        ds = self.dataset
        records = ds.records
        found: list[list[Record]] = [[] for _ in bodies.keys]
        group_of = bodies.group_of
        for p in newest:
            if group_of[p] >= 0:
                found[group_of[p]].append(records[p])
        targets: dict[str, Target] = {}
        members: dict[str, frozenset[str]] = {}
        for i, key in enumerate(bodies.keys):
            jid = bodies.jurisdictions[i]
            place = ds.jurisdiction(jid)
            targets[key] = Target(
                key=key,
                kind="body",
                label=bodies.labels[i],
                description=bodies.descriptions[i],
                members=members.setdefault(jid, frozenset((jid,))),
                records=tuple(found[i]),
                words=bodies.words[i],
                level=place.level,
                country=place.country,
            )
        return targets

    def _record_docs(self) -> Iterable[tuple[str, str, dict[str, str]]]:
        ds = self.dataset
        # A place's and a set of kinds' text is made once, one string for every record that has it
        # (the text index looks each text up: a string's hash is worked out once).
        places: dict[str, str] = {}
        kinds: dict[tuple[Kind, ...], str] = {}
        for record in ds.records:
            place = places.get(record.jurisdiction)
            if place is None:
                try:
                    jurisdiction = ds.jurisdiction(record.jurisdiction)
                    names = " ".join(jurisdiction.spellings)
                    place = f"{names} {self.country_name(jurisdiction.country)}"
                except KeyError:
                    place = f"{record.jurisdiction} "
                places[record.jurisdiction] = place
            kind = kinds.get(record.kinds)
            if kind is None:
                kind = kinds[record.kinds] = " ".join(k.plain for k in record.kinds)
            date = record.date.display()
            dates = " ".join([date, *(a.date.display() for a in record.alternative_dates)])
            fields = {
                "title": record.title,
                "reference": record.reference or "",
                "sponsor": record.sponsor or "",
                "body": " ".join([record.body, *record.body_aliases]) if record.body_aliases else record.body,
                "place": place,
                "vote": record.vote.display() if record.vote is not None else "",
                "summary": record.summary,
                "kinds": kind,
                "notes": " ".join(filter(None, [record.notes, record.date_note])),
                "dates": dates if record.alternative_dates else date,
            }
            yield record.id, f"{ds.display_name(record.jurisdiction)} · {date} · {record.title}", fields

    def record_label(self, record: Record) -> str:
        """A one-line label for a record: place · date · title."""
        return f"{self.place(record)} · {record.date.display()} · {record.title}"

    def record_choice(self, record: Record) -> str:
        """:meth:`record_label` in the language in use: "Франция · 25 ноября 2020 г. · <title>"."""
        if current() == DEFAULT:
            return self.record_label(record)
        return f"{place_name(record, self.dataset)} · {date_text(record.date)} · {record.title}"

    # ------------------------------------------------------------------ entries

    def record_entry(self, record: Record, marks: tuple[str, ...] = (), tag: str = "") -> Entry:
        """A record's entry; one without marks is made once and kept (records never change)."""
        if marks or tag:
            return record_entry(record, self.dataset, marks=marks, tag=tag)
        key = f"{current()}:{record.id}"  # an entry is made in the language in use
        entry = self._entry_cache.get(key)
        if entry is None:
            entry = self._entry_cache[key] = record_entry(record, self.dataset)
        return entry

    def listing(
        self,
        command: str,
        query: str,
        title: str,
        shown: Sequence[Item] | Sequence[Record] | Sequence[Event],
        *,
        found: str,
        empty: str = "",
        matched: str | None = None,
    ) -> Answer:
        """FOUND with the records and events shown (each as an entry, with its marks), or NOT_FOUND.

        Records in a :class:`Lazy` list (every match of a search) stay lazy: an entry is made
        for a record when its page is shown.
        """
        records: Sequence[Record]
        events: list[Event] = []
        entries: Sequence[Entry]
        if isinstance(shown, Lazy):
            records = shown
            entries = Lazy(len(shown), functools.partial(self._entries, shown, current()))
        else:
            records, entries = [], []
            for item in shown:
                if isinstance(item, Item):
                    record, event, tag = item.record, item.event, item.tag
                    marks = tuple(one_stop(mark) for mark in item.marks)
                else:
                    record, event = (item, None) if isinstance(item, Record) else (None, item)
                    marks, tag = (), ""
                if record is not None:
                    records.append(record)
                    entries.append(self.record_entry(record, marks, tag))
                elif event is not None:
                    events.append(event)
                    entries.append(event_entry(event, marks=marks, tag=tag))
        return Answer(
            command=command,
            query=query,
            status=Status.FOUND if shown else Status.NOT_FOUND,
            title=title,
            matched=matched,
            message=one_stop(found if shown else empty),
            records=records if isinstance(records, Lazy) else tuple(records),
            events=tuple(events),
            entries=entries if isinstance(entries, Lazy) else tuple(entries),
        )

    def _entries(self, records: Sequence[Record], language: str, start: int, stop: int) -> list[Entry]:
        """The entries of ``records[start:stop]`` in ``language``: the answer's, whenever a page is shown."""
        with using(language):
            return [self.record_entry(r) for r in records[start:stop]]

    def resolve_key(self, key: str) -> Target:
        """The target a key stands for (a place named like its country is the country)."""
        return self.targets[self.redirect.get(key, key)]

    def top_places(self, limit: int) -> list[Target]:
        """Countries, then the places with the most records (then by label): the first ``limit``.

        Worked out from the counts, without making a target for each of 100,000 places: only the
        places with records are ranked, and those without only when too few have any.
        """
        ds = self.dataset
        countries: list[tuple[int, str, int, str]] = []
        for number, country in enumerate(ds.countries):
            key = COUNTRY_PREFIX + country.id
            if key not in self.redirect:
                count = len(self.records_by_country.get(country.id, ()))
                countries.append((-count, country.name, number, key))
        keys = [key[-1] for key in heapq.nsmallest(limit, countries)]
        wanted = limit - len(keys)
        if wanted > 0:
            by_place, redirect = self.records_by_place, self.redirect
            # (fewer records, label, place in the file): most records first, as a full sort would order them
            ranked = [
                (-len(by_place[j.id]), ds.display_name(j.id), number, j.id)
                for number, j in enumerate(ds.jurisdictions)
                if j.id in by_place and j.id not in redirect
            ]
            keys.extend(key[-1] for key in heapq.nsmallest(wanted, ranked))
            wanted -= len(ranked)
            if wanted > 0:  # then places without records, by label
                unranked = (
                    (ds.display_name(j.id), number, j.id)
                    for number, j in enumerate(ds.jurisdictions)
                    if j.id not in by_place and j.id not in redirect
                )
                keys.extend(key[-1] for key in heapq.nsmallest(wanted, unranked))
        return [self.targets[key] for key in keys]

    def exact_key(self, text: str) -> str | None:
        """The target key typed exactly (any case), or None."""
        folded = text.casefold()
        for key in (folded, text):
            if key in self.targets:
                return key
        return None

    # ------------------------------------------------------------------ acts that never happened

    def non_acts_of(self, hits: Sequence[Hit]) -> list[NonAct]:
        """The acts that never happened among name hits, once each, in order."""
        found = [self.non_acts[h.key] for h in hits if h.key in self.non_acts]
        return list(dict.fromkeys(found))

    def non_acts_named(self, text: str) -> list[NonAct]:
        """The acts that never happened with exactly this name (or key, as autocomplete gives it)."""
        picked = self.non_acts.get(text.strip().casefold())
        if picked is not None:
            return [picked]
        return list(self.non_acts_by_name.get(normalize(text), ()))

    def non_act_answer(self, command: str, query: str, non_acts: Sequence[NonAct]) -> Answer:
        """NOT_FOUND (so private, like any "not found"), with why each act never happened and its sources."""
        shown = tuple(non_acts)
        return Answer(
            command=command,
            query=query,
            status=Status.NOT_FOUND,
            title=shown[0].title
            if len(shown) == 1
            else _("No adopted act for '{query}'").format(query=query),
            message=_("No act on record for '{query}':").format(query=query),
            entries=tuple(non_act_entry(n) for n in shown),
            non_acts=shown,
        )

    def mention_non_acts(self, answer: Answer, non_acts: Sequence[NonAct]) -> Answer:
        """``answer`` with acts that never happened but share the query's name: a line, and entries last."""
        if not non_acts:
            return answer
        titles = "; ".join(n.title for n in non_acts)
        return dataclasses.replace(
            answer,
            lines=(
                *answer.lines,
                _("Also named so, but never adopted: {titles} (explained last).").format(titles=titles),
            ),
            entries=(*answer.entries, *(non_act_entry(n) for n in non_acts)),
            non_acts=tuple(non_acts),
        )

    def non_act_candidate(self, non_act: NonAct) -> Candidate:
        """An act that never happened as a suggestion: its title, marked as such."""
        label = _("{title} (no act on record)").format(title=non_act.title)
        return Candidate(label=label, value=NON_ACT_PREFIX + non_act.id)

    def dedupe_hits(self, hits: Sequence[Hit], *, drop_contained: bool = True) -> list[Target]:
        """The targets of name hits, once each; by default without those inside another hit."""
        seen: dict[str, Target] = {}
        for hit in hits:
            if hit.key not in self.targets:
                continue
            target = self.resolve_key(hit.key)
            seen.setdefault(target.key, target)
        found = list(seen.values())
        if not drop_contained:
            return found
        # A body next to its own place (or a place next to its country) adds nothing: keep the wider.
        return [t for t in found if not any(o is not t and o.contains(t) for o in found)] or found

    def newest_of_kinds(self, kinds: Iterable[Kind]) -> tuple[Record, ...]:
        """The records of any of these kinds, newest first (kept: there are few sets of kinds)."""
        key = frozenset(kinds)
        found = self._of_kinds.get(key)
        if found is None:
            found = self._of_kinds[key] = tuple(r for r in self.newest if key.intersection(r.kinds))
        return found

    def docs_of_kinds(self, kinds: Iterable[Kind]) -> list[int]:
        """The positions in ``dataset.records`` (the text index's documents) of the records of these kinds."""
        by_kind = self._docs_by_kind
        return [doc for kind in kinds for doc in by_kind.get(kind, ())]

    @functools.cached_property
    def newest_filed(self) -> tuple[tuple[Record, Level | None, str], ...]:
        """Every record, newest first, with its place's level and country (made on first use)."""
        return tuple((r, self.level_of(r), self.country_id_of(r)) for r in self.newest)

    def level_of(self, record: Record) -> Level | None:
        """The level of a record's place, or None when the place is unknown."""
        try:
            return self.dataset.jurisdiction(record.jurisdiction).level
        except KeyError:
            return None

    def country_candidate(self, country_id: str) -> Candidate:
        """A country as a suggestion: "France (3 records)"."""
        name = self.country_shown(country_id)
        count = len(self.records_by_country.get(country_id, ()))
        return Candidate(label=f"{name} ({_records(count)})", value=country_id)

    def country_shown(self, country_id: str) -> str:
        """A country's name in the language in use (the dataset's ``names``), else its name or id."""
        language = current()
        if language != DEFAULT:
            try:
                named = self.dataset.country(country_id).name_in(language)
            except KeyError:
                named = None
            if named:
                return named
        return self.country_name(country_id)

    def target_label(self, target: Target) -> str:
        """What a target is called in the language in use: "Джорджия", "Калифорния — Сенат штата"."""
        language = current()
        if language == DEFAULT:
            return target.label
        if target.kind == "country":
            return self.country_shown(target.country)
        (jid,) = target.members if len(target.members) == 1 else (None,)
        if jid is None:
            return target.label
        try:
            place = self.dataset.jurisdiction(jid).name_in(language) or self.dataset.display_name(jid)
        except KeyError:
            return target.label
        if target.kind == "jurisdiction":
            return place
        bodies = "; ".join(dict.fromkeys(body_name(r) for r in target.records))
        return f"{place} — {bodies}"

    def candidate(self, target: Target) -> Candidate:
        """A target as a suggestion in the language in use.

        "Georgia (US state) (state, United States, 1 record)". Autocomplete keeps
        :meth:`Target.candidate` (English, worked out once per dataset).
        """
        name, records = self.target_label(target), _records(len(target.records))
        if target.kind == "country":
            label = _(_COUNTRY_CANDIDATE).format(name=name, records=records)
        elif target.level is None:
            label = f"{name} ({records})"
        else:
            from bot.core.engine.catalogue import LEVEL_WORDS  # noqa: PLC0415 - catalogue imports this module

            level = _(LEVEL_WORDS[target.level])
            template = _BODY_CANDIDATE if target.kind == "body" else _PLACE_CANDIDATE
            label = _(template).format(
                name=name, level=level, country=self.country_shown(target.country), records=records
            )
        return Candidate(label=label, value=target.key)

    def folded_label(self, target: Target) -> str:
        """The target's label, normalized (kept once worked out: labels with accents are slow to fold)."""
        folded = self._folded_labels.get(target.label)
        if folded is None:
            folded = self._folded_labels[target.label] = normalize(target.label)
        return folded


def _records(count: int) -> str:
    """``1 record``, ``5 записей`` (the language in use)."""
    return ngettext("{count} record", "{count} records", count).format(count=count)
