"""Render an :class:`~bot.core.answers.Answer` as plain text for a terminal.

:func:`render_answer` writes everything (``ask``); the console shows a list answer a page at a
time as compact lines (:func:`render_page`, the same lines as on Discord) and one record as its
card (:func:`render_card`).
"""

from __future__ import annotations

import textwrap

from bot.core.answers import Answer, Entry, Field
from bot.core.cards import Card
from bot.core.i18n import _
from bot.core.pages import compact_line, page

DEFAULT_WIDTH = 88
INDENT = "  "


def _wrap(text: str, width: int, indent: str) -> list[str]:
    wrapped = textwrap.wrap(
        text,
        width=max(20, width),
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped or [indent.rstrip()]


def render_entry(entry: Entry, *, width: int = DEFAULT_WIDTH) -> list[str]:
    """One entry: heading, wrapped lines, then its sources (every URL, in full)."""
    out = _wrap(entry.heading, width, "")
    for line in entry.lines:
        out.extend(_wrap(line, width, INDENT))
    if entry.sources:
        out.append(INDENT + _("Sources:"))
        for source in entry.sources:
            text = f"{source.url} ({source.title})" if source.title else source.url
            # URLs are never wrapped, so they stay clickable and copyable.
            out.append(f"{INDENT}  - {text}")
    return out


def render_fields(fields: tuple[Field, ...]) -> list[str]:
    """Fields as an aligned two-column table; multi-line values continue under the value column."""
    if not fields:
        return []
    width = max(len(f.name) for f in fields)
    out: list[str] = []
    for f in fields:
        values = f.value.splitlines() or [""]
        out.append(f"{f.name.ljust(width)}  {values[0]}".rstrip())
        out.extend(f"{' ' * width}  {v}".rstrip() for v in values[1:])
    return out


def render_answer(answer: Answer, *, width: int = DEFAULT_WIDTH) -> str:
    """The whole answer as text: title, message, lines, fields, candidates, entries."""
    out: list[str] = [answer.title, "=" * min(len(answer.title), width)]
    if answer.message:
        out.extend(_wrap(answer.message, width, ""))
    for line in answer.lines:
        out.extend(_wrap(line, width, ""))
    if answer.candidates:
        if not answer.message.rstrip().endswith(":"):
            out.append(_("Did you mean:"))
        for number, candidate in enumerate(answer.candidates, start=1):
            out.append(f"{INDENT}{number}. {candidate.label}  [{candidate.value}]")
    if answer.fields:
        out.append("")
        out.extend(render_fields(answer.fields))
    for entry in answer.entries:
        out.append("")
        out.extend(render_entry(entry, width=width))
    return "\n".join(out) + "\n"


def render_card(card: Card, *, width: int = DEFAULT_WIDTH) -> str:
    """A record's card as text: title, fields, summary and notes, sources (URLs whole), its id."""
    out = [card.title, "=" * min(len(card.title), width)]
    for field in card.fields:
        first, *more = field.value.splitlines() or [""]
        out.extend(_wrap(f"{field.name}: {first}", width, ""))
        for line in more:
            out.extend(_wrap(line, width, INDENT))
    for text in card.text:
        out.append("")
        out.extend(_wrap(text, width, ""))
    if card.sources:
        out.extend(["", _("Sources:")])
        out.extend(f"{INDENT}- {s.url}" + (f" ({s.title})" if s.title else "") for s in card.sources)
    out.extend(["", card.footer])
    return "\n".join(out) + "\n"


def render_page(answer: Answer, index: int, *, width: int = DEFAULT_WIDTH) -> str:
    """One page of a list answer as the console shows it: the compact lines, numbered, and how to go on."""
    shown = page(answer, index)
    out: list[str] = [answer.title, "=" * min(len(answer.title), width)]
    if answer.message:
        out.extend(_wrap(answer.message, width, ""))
    for line in answer.lines:
        out.extend(_wrap(line, width, ""))
    out.append("")
    for number, entry in enumerate(shown.entries, start=shown.start + 1):
        out.append(f"{number:>3}. {compact_line(entry, code=False)}")
    hints = [f"Page {shown.number}/{shown.count}: /next, /prev"] if shown.count > 1 else []
    hints.append(f"/card {shown.start + 1} for the details of an entry")
    out.extend(["", " · ".join(hints)])
    return "\n".join(out) + "\n"
