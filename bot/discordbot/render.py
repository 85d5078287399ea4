"""Answer → Discord embeds, always within Discord's limits.

Every text that reaches Discord passes through :func:`clean` (mentions neutralised) and is cut
with "…" to its limit. A page holds a fixed number of entries and is built only when shown;
when its entries are too long together they share the room, so nothing is ever rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

import discord

from bot.core.answers import Answer, Candidate, Entry, Field, Status
from bot.core.model import Source

# Discord's hard limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
CHOICE_LIMIT = 100  # autocomplete choice name and value; select option label and value
SELECT_OPTIONS_LIMIT = 25
BUTTON_LABEL_LIMIT = 80

# Our own budgets, comfortably inside the limits, so pages read well.
PAGE_TEXT_BUDGET = 3000  # characters of entries per page
LEAD_BUDGET = 600  # the lead line (what the query was read as) on each page
ENTRIES_PER_PAGE = 5
SOURCES_SHOWN = 4

ELLIPSIS = "…"

COLOURS: dict[Status, discord.Colour] = {
    Status.FOUND: discord.Colour(0x0033A0),  # the flag's blue
    Status.AMBIGUOUS: discord.Colour(0xF2A800),  # the flag's orange
    Status.NOT_FOUND: discord.Colour(0x7F8C8D),
    Status.INVALID: discord.Colour(0xD90012),  # the flag's red
}

_MARKDOWN_LINK_TEXT = re.compile(r"([\[\]])")


def clean(text: str) -> str:
    """Neutralise @everyone, @here and user or role mentions (defence in depth)."""
    return discord.utils.escape_mentions(text)


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return ELLIPSIS
    return text[: limit - 1].rstrip() + ELLIPSIS


def clip(text: str, limit: int) -> str:
    """:func:`clean` then :func:`truncate`."""
    return truncate(clean(text), limit)


def link(text: str, url: str) -> str:
    """A markdown link, or plain text when the URL is not http(s)."""
    label = _MARKDOWN_LINK_TEXT.sub(r"\\\1", text)
    if not url.startswith(("http://", "https://")):
        return label
    safe = quote(url, safe=":/?#[]@!$&'*+,;=%~")  # keeps the URL but escapes ( ) and spaces
    safe = safe.replace("(", "%28").replace(")", "%29")
    return f"[{label}]({safe})"


def source_label(source: Source) -> str:
    """A short name for a source: its title, else its site."""
    if source.title:
        return truncate(source.title, 60)
    host = urlsplit(source.url).netloc
    return host.removeprefix("www.") or "source"


def render_entry(entry: Entry, budget: int) -> str:
    """One entry as a description section of at most ``budget`` characters."""
    heading = f"**{link(entry.heading, entry.url)}**" if entry.url else f"**{entry.heading}**"
    if len(heading) > budget // 2:
        heading = f"**{truncate(entry.heading, max(budget // 2 - 4, 1))}**"
    out = [heading]
    used = len(heading)
    sources = [link(source_label(s), s.url) for s in entry.sources[:SOURCES_SHOWN]]
    more = len(entry.sources) - len(sources)
    source_line = ""
    if sources:
        source_line = "Sources: " + " · ".join(sources) + (f" (+{more} more)" if more > 0 else "")
    reserve = min(len(source_line) + 1, budget // 3)
    for line in entry.lines:
        room = budget - used - 1 - reserve
        if room <= 1:
            out.append(ELLIPSIS)
            used += 2
            break
        piece = truncate(line, room)
        out.append(piece)
        used += len(piece) + 1
        if piece.endswith(ELLIPSIS) and piece != line:
            break
    if source_line:
        room = budget - used - 1
        if len(source_line) <= room:
            out.append(source_line)
        else:
            # drop links from the end rather than cutting one in half
            kept: list[str] = []
            for item in sources:
                candidate = "Sources: " + " · ".join([*kept, item]) + " " + ELLIPSIS
                if len(candidate) > room:
                    break
                kept.append(item)
            if kept:
                out.append("Sources: " + " · ".join(kept) + " " + ELLIPSIS)
    return truncate("\n".join(out), budget)


def page_text(entries: Sequence[Entry], *, budget: int = PAGE_TEXT_BUDGET) -> str:
    """One page of entries in at most ``budget`` characters; long entries share the room fairly."""
    if not entries:
        return ""
    separators = 2 * (len(entries) - 1)
    texts = [render_entry(entry, budget) for entry in entries]
    if sum(map(len, texts)) + separators > budget:
        share = max((budget - separators) // len(entries), 40)
        texts = [
            text if len(text) <= share else render_entry(entry, share)
            for entry, text in zip(entries, texts, strict=True)
        ]
    return truncate("\n\n".join(texts), budget)


def _lead(answer: Answer) -> str:
    parts = [answer.message] if answer.message else []
    parts.extend(answer.lines)
    return truncate("\n".join(parts), LEAD_BUDGET if answer.entries else DESCRIPTION_LIMIT - 200)


def _candidates_text(candidates: Sequence[Candidate]) -> str:
    shown = [f"• {truncate(c.label, CHOICE_LIMIT)}" for c in candidates[:SELECT_OPTIONS_LIMIT]]
    if len(candidates) > SELECT_OPTIONS_LIMIT:
        shown.append(f"… and {len(candidates) - SELECT_OPTIONS_LIMIT} more: try a longer query.")
    return "\n".join(shown)


def _add_fields(embed: discord.Embed, fields: Sequence[Field]) -> None:
    for item in fields:
        embed.add_field(
            name=clip(item.name, FIELD_NAME_LIMIT) or "\u200b",
            value=clip(item.value, FIELD_VALUE_LIMIT) or "\u200b",
            inline=item.inline,
        )


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Enforce every embed limit on ``embed`` in place (cutting with "…") and return it."""
    if embed.title:
        embed.title = clip(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = clip(embed.description, DESCRIPTION_LIMIT)
    fields = embed.fields
    if len(fields) > FIELDS_LIMIT:
        for index in range(len(fields) - 1, FIELDS_LIMIT - 1, -1):
            embed.remove_field(index)
    for index, item in enumerate(embed.fields):
        embed.set_field_at(
            index,
            name=clip(item.name or "\u200b", FIELD_NAME_LIMIT),
            value=clip(item.value or "\u200b", FIELD_VALUE_LIMIT),
            inline=bool(item.inline),
        )
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER_LIMIT), icon_url=embed.footer.icon_url)
    if embed.author.name:
        embed.set_author(name=clip(embed.author.name, AUTHOR_LIMIT), url=embed.author.url)
    excess = len(embed) - EMBED_TOTAL_LIMIT
    while excess > 0 and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
        excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        embed.description = truncate(embed.description, max(len(embed.description) - excess, 1))
    return embed


class Rendered:
    """An answer laid out for Discord: pages of embeds, each built when first shown.

    Pages hold a fixed number of entries, so the page count is known at once and a
    2,000-record list costs only the pages someone actually looks at.
    """

    def __init__(
        self, answer: Answer, *, footer: str | None = None, per_page: int = ENTRIES_PER_PAGE
    ) -> None:
        if per_page < 1:
            raise ValueError("per_page must be at least 1")
        self.answer = answer
        self.footer = footer
        self.per_page = per_page
        self.public = answer.status is Status.FOUND
        self.candidates: tuple[Candidate, ...] = answer.candidates if not self.public else ()
        entry_pages = -(-len(answer.entries) // per_page)
        field_pages = -(-len(answer.fields) // FIELDS_LIMIT)
        self.count = max(entry_pages, field_pages, 1)
        self._lead = _lead(answer)
        self._cache: dict[int, discord.Embed] = {}

    def page(self, index: int) -> discord.Embed:
        """Page ``index`` (0-based, clamped) as an embed within every limit."""
        index = max(0, min(index, self.count - 1))
        cached = self._cache.get(index)
        if cached is None:
            cached = self._cache[index] = self._build(index)
        return cached

    @property
    def pages(self) -> tuple[discord.Embed, ...]:
        """Every page (builds them all; for short answers and tests)."""
        return tuple(self.page(i) for i in range(self.count))

    def _build(self, index: int) -> discord.Embed:
        answer = self.answer
        parts: list[str] = [self._lead] if self._lead else []
        entries = answer.entries[index * self.per_page : (index + 1) * self.per_page]
        if entries:
            parts.append(page_text(entries))
        if index == 0 and self.candidates:
            parts.append(_candidates_text(self.candidates))
        embed = discord.Embed(
            title=clip(answer.title or answer.command, TITLE_LIMIT), colour=COLOURS[answer.status]
        )
        text = "\n\n".join(p for p in parts if p)
        if text:
            embed.description = clip(text, DESCRIPTION_LIMIT)
        _add_fields(embed, answer.fields[index * FIELDS_LIMIT : (index + 1) * FIELDS_LIMIT])
        notes = [f"Page {index + 1}/{self.count}"] if self.count > 1 else []
        if self.footer:
            notes.append(self.footer)
        if notes:
            embed.set_footer(text=" · ".join(notes))
        return fit_embed(embed)


def render(answer: Answer, *, footer: str | None = None, per_page: int = ENTRIES_PER_PAGE) -> Rendered:
    """Lay ``answer`` out for Discord: found answers are public, everything else private."""
    return Rendered(answer, footer=footer, per_page=per_page)


def notice(text: str, *, title: str | None = None, status: Status = Status.INVALID) -> discord.Embed:
    """A short private notice (errors, refusals, cooldowns) as an embed."""
    embed = discord.Embed(description=clip(text, DESCRIPTION_LIMIT), colour=COLOURS[status])
    if title:
        embed.title = clip(title, TITLE_LIMIT)
    return fit_embed(embed)


def choice_text(text: str) -> str:
    """A label or value that fits an autocomplete choice or a select option (1–100 characters)."""
    return truncate(clean(text).strip(), CHOICE_LIMIT) or "?"
