"""Render an :class:`~bot.core.answers.Answer` as plain text for a terminal."""

from __future__ import annotations

import textwrap

from bot.core.answers import Answer, Entry, Field

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
        out.append(f"{INDENT}Sources:")
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
            out.append("Did you mean:")
        for number, candidate in enumerate(answer.candidates, start=1):
            out.append(f"{INDENT}{number}. {candidate.label}  [{candidate.value}]")
    if answer.fields:
        out.append("")
        out.extend(render_fields(answer.fields))
    for entry in answer.entries:
        out.append("")
        out.extend(render_entry(entry, width=width))
    return "\n".join(out) + "\n"
