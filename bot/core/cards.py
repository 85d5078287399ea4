"""A record's or event's card: everything about it, for the person who asked for its details.

A card has a title (the place's name and the record's title), short fields (Date with any
disputed dates, Body, Kind, Vote, Reference), the summary and notes as text, the sources with
the primary text first, and the record's id, so people can cite it (``/resolution query: <id>``
finds it). Adapters lay it out: an embed with link buttons on Discord, text in the console.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.answers import Field
from bot.core.i18n import N_, _, current
from bot.core.model import Dataset, Event, NonAct, Record, Source
from bot.core.present import (
    body_name,
    date_note_line,
    date_text,
    event_span,
    kinds_text,
    place_name,
    vote_text,
)
from bot.core.text import first_upper

# A source on the adopting body's own site (a parliament, a government, an official journal) is the
# primary text; news and advocacy sites report on it. Told from the address alone.
_PRIMARY_HOST = re.compile(
    r"(^|\.)(gov|gouv|gob|govt|parliament|parlament|parlamento|parlement|senat|senate|senado|assemblee"
    r"|assembly|legislature|leg|legis|legislation|congress|congreso|bundestag|europarl|eur-lex|kremlin"
    r"|duma|camara|cortes|oireachtas|riksdag|folketing|eduskunta|stortinget|sejm|knesset|mfa|mid)(\.|$)"
    r"|\.gov(\.[a-z]{2})?$|\.gouv\.[a-z]{2}$|\.state\.[a-z]{2}\.us$|legislature|parliament|congress"
)


def _host(url: str) -> str:
    host = url.partition("://")[2]
    for stop in "/?#":
        host = host.partition(stop)[0]
    return host.rpartition("@")[2].removeprefix("www.").casefold()


def is_primary(source: Source) -> bool:
    """True when the source is on an official site (a parliament's, a government's), told by its address."""
    return bool(_PRIMARY_HOST.search(_host(source.url)))


def primary_first(sources: Sequence[Source]) -> tuple[Source, ...]:
    """The sources with the official texts first, otherwise in the data's order."""
    return tuple(sorted(sources, key=lambda s: not is_primary(s)))


DATA_LANGUAGE = "en"  # the language of the dataset's titles, summaries and notes
NON_ACT_IN_ENGLISH = N_("*The title and explanation are in English.*")


@dataclass(frozen=True, slots=True)
class Card:
    """One record or event in full."""

    key: str  # the record or event id
    title: str
    fields: tuple[Field, ...]
    text: tuple[str, ...]  # paragraphs: the marks, the summary, the notes
    sources: tuple[Source, ...]  # the primary text first
    footer: str  # "Record us-ca-2014" (cite it; /resolution finds it)
    event: bool = False


def source_language_note() -> tuple[str, ...]:
    """Titles, summaries and notes stay as the dataset has them (English): said when the answer is not."""
    if current() == DATA_LANGUAGE:
        return ()
    return (_("*The title, summary and notes are in English.*"),)


def _said_in_english(note: str) -> tuple[str, ...]:
    """``note`` (already translated) when the answer is not in the dataset's language, else nothing."""
    return () if current() == DATA_LANGUAGE else (note,)


def _date_field(date_text: str, alternatives: Sequence[str], note: str | None) -> Field:
    lines = [date_text]
    lines.extend(_("Other sources: {date}").format(date=alt) for alt in alternatives)
    if note:
        lines.append(note)
    return Field(_("Date"), "\n".join(lines))


def record_card(record: Record, dataset: Dataset, marks: Sequence[str] = ()) -> Card:
    """A record's card: "France: Resolution on …", fields, summary and notes, sources, its id."""
    alternatives = [f"{date_text(alt.date)} ({alt.note})" for alt in record.alternative_dates]
    fields = [
        _date_field(date_text(record.date), alternatives, date_note_line(record.date, record.date_note)),
        Field(_("Body"), body_name(record)),
        Field(_("Kind"), first_upper(kinds_text(record))),
    ]
    if record.vote is not None and record.vote.display():
        fields.append(Field(_("Vote"), vote_text(record.vote)))
    if record.reference:
        fields.append(Field(_("Reference"), record.reference))
    if record.sponsor:
        fields.append(Field(_("Sponsor"), record.sponsor))
    text = [*marks, *source_language_note(), record.summary.strip()]
    if record.notes:
        text.append(_("Note: {note}").format(note=record.notes.strip()))
    return Card(
        key=record.id,
        title=f"{place_name(record, dataset)}: {record.title.strip()}",
        fields=tuple(fields),
        text=tuple(t for t in text if t),
        sources=primary_first(record.sources),
        footer=_("Record {id}").format(id=record.id),
    )


def event_card(event: Event, marks: Sequence[str] = ()) -> Card:
    """A timeline event's card: its title, its date or span, summary and notes, sources, its id."""
    fields = [_date_field(event_span(event), (), date_note_line(event.date, event.date_note))]
    text = [*marks, *source_language_note(), event.summary.strip()]
    if event.notes:
        text.append(_("Note: {note}").format(note=event.notes.strip()))
    return Card(
        key=event.id,
        title=event.title,
        fields=tuple(fields),
        text=tuple(t for t in text if t),
        sources=primary_first(event.sources),
        footer=_("Event {id}").format(id=event.id),
        event=True,
    )


def non_act_card(non_act: NonAct) -> Card:
    """Something that never happened: its title, any date, why it never happened, the sources."""
    fields = (Field(_("Date"), date_text(non_act.date)),) if non_act.date is not None else ()
    return Card(
        key=non_act.id,
        title=non_act.title,
        fields=fields,
        text=(*_said_in_english(_(NON_ACT_IN_ENGLISH)), non_act.explanation.strip()),
        sources=primary_first(non_act.sources),
        footer=_("Never adopted: {id}").format(id=non_act.id),
    )


def card_for(key: str, dataset: Dataset, marks: Sequence[str] = ()) -> Card | None:
    """The card of the record, event or never-adopted act with this id, or None when the dataset has none."""
    record = dataset.record(key)
    if record is not None:
        return record_card(record, dataset, marks)
    event = dataset.event(key)
    if event is not None:
        return event_card(event, marks)
    non_act = dataset.non_act(key)
    if non_act is not None:
        return non_act_card(non_act)
    return None
