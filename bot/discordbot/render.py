"""Answer → Discord embeds, always within Discord's limits.

Every text that reaches Discord passes through :func:`clean` (mentions neutralised) and is cut
with "…" to its limit. Lists and cards have their own presenters (:mod:`bot.discordbot.listing`,
:mod:`bot.discordbot.card`); this module holds the limits, the helpers they share, answers
without a list (:func:`answer_embed`), and a record in full for the daily post (:func:`render_entry`),
where a too-long entry gives way in its summary before its notes, dates and sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

import discord

from bot.core.answers import Answer, Candidate, Entry, Field, Status
from bot.core.i18n import DEFAULT, _, current
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
SOURCES_SHOWN = 6  # every source of nearly every record; more say "(+n more)"
SOURCE_LABEL_LIMIT = 72  # longer source titles are cut at a word
LINE_FLOOR = 120  # when an entry is shortened, a line keeps this much before better lines are cut

ELLIPSIS = "…"

COLOURS: dict[Status, discord.Colour] = {
    Status.FOUND: discord.Colour(0x0033A0),  # the flag's blue
    Status.AMBIGUOUS: discord.Colour(0xF2A800),  # the flag's orange
    Status.NOT_FOUND: discord.Colour(0x7F8C8D),
    Status.INVALID: discord.Colour(0xD90012),  # the flag's red
}

# When an entry must be shortened, lines are cut by rank: the summary and other prose first,
# then notes, and lines about dates, kind and vote last.
_RANK_NOTE = ("Note:",)
_RANK_KEEP = (
    "Dates differ:",
    "Listed for the date",
    "Its date is known only",
    "Known only",
    "Matches the reading",
    "Anniversary of its end",
    "Kind:",
    "Vote:",
    "Reference:",
    "Sponsor:",
)
# The same lines in the language in use, by the catalog's templates.
_RANK_KEEP_TEMPLATES = (
    "Dates differ: {dates}",
    "Known only to the month.",
    "Known only to the year.",
    "Kind: {kinds}",
    "Vote: {vote}",
    "Reference: {reference}",
    "Sponsor: {sponsor}",
    "Listed for the date some sources give: {date} ({note}).",
    "Its date is known only as {known}, which includes {when}.",
    "Matches the reading {reading}.",
    "Anniversary of its end, {date}.",
)
_CUT_ORDER = ((0, LINE_FLOOR), (1, LINE_FLOOR), (0, 0), (1, 0), (2, 0))

_MARKDOWN_LINK_TEXT = re.compile(r"([\[\]])")
_PLAIN_URL = re.compile(r"[A-Za-z0-9:/?#\[\]@!$&'*+,;=%~._-]*")  # nothing for quote() to escape


def clean(text: str) -> str:
    """Neutralise @everyone, @here and user or role mentions (defence in depth)."""
    if "@" not in text:
        return text  # the common case, without a regex pass
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


def truncate_words(text: str, limit: int) -> str:
    """Like :func:`truncate`, but cut after a whole word when one ends in the last third."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return truncate(cut.rstrip(" ,;:—–-") + ELLIPSIS, limit)


def clip(text: str, limit: int) -> str:
    """:func:`clean` then :func:`truncate`."""
    return truncate(clean(text), limit)


def link(text: str, url: str) -> str:
    """A markdown link, or plain text when the URL is not http(s)."""
    label = _MARKDOWN_LINK_TEXT.sub(r"\\\1", text) if "[" in text or "]" in text else text
    if not url.startswith(("http://", "https://")):
        return label
    if _PLAIN_URL.fullmatch(url):
        return f"[{label}]({url})"
    safe = quote(url, safe=":/?#[]@!$&'*+,;=%~")  # keeps the URL but escapes ( ) and spaces
    safe = safe.replace("(", "%28").replace(")", "%29")
    return f"[{label}]({safe})"


def source_label(source: Source) -> str:
    """A short name for a source: its title (cut at a word), else its site."""
    if source.title:
        return truncate_words(source.title, SOURCE_LABEL_LIMIT)
    host = source.url.partition("://")[2]
    for stop in "/?#":
        host = host.partition(stop)[0]
    host = host.rpartition("@")[2].removeprefix("www.")
    return host or _("source")


def _prefix(template: str) -> str:
    """What a translated line template starts with, before its first placeholder: "Kind: "."""
    return _(template).split("{", 1)[0]


def _rank(line: str) -> int:
    if current() != DEFAULT:
        if line.startswith(tuple(_prefix(t) for t in _RANK_KEEP_TEMPLATES)):
            return 2
        if line.startswith(_prefix("Note: {note}")):
            return 1
    if line.startswith(_RANK_KEEP):
        return 2
    if line.startswith(_RANK_NOTE):
        return 1
    return 0


def distinct_lines(lines: Sequence[str]) -> list[str]:
    """``lines`` without repeats or lines that another line merely continues.

    "Known only to the month." is left out beside "Known only to the month: reported on 14 November".
    """
    out: list[str] = []
    for line in lines:
        if not line or line in out:
            continue
        if len(line) <= 80:
            key = line.rstrip(". ")
            size = len(key)
            if size >= 12 and any(
                len(other) > size and other[size] in ":;,(—" and other.startswith(key) for other in lines
            ):
                continue
        out.append(line)
    return out


def _sources_line(links: Sequence[str], more: int, *, cut: bool = False) -> str:
    if not links:
        return ""
    tail = " " + _("(+{count} more)").format(count=more) if more > 0 else ""
    return _("Sources: {sources}").format(sources=" · ".join(links)) + (" " + ELLIPSIS if cut else tail)


def _fit_sources(links: Sequence[str], more: int, room: int) -> str:
    """The sources line in at most ``room`` characters, dropping links from the end."""
    full = _sources_line(links, more)
    if len(full) <= room:
        return full
    kept: list[str] = []
    for item in links:
        if len(_sources_line([*kept, item], 0, cut=True)) > room:
            break
        kept.append(item)
    return _sources_line(kept, 0, cut=True)


def _cap(lengths: Sequence[int], floor: int, target: int) -> int:
    """The largest cap ≥ ``floor`` with ``sum(min(n, cap)) <= target`` (``floor`` if none is)."""
    low, high = floor, max(lengths, default=floor)
    if sum(min(n, floor) for n in lengths) > target:
        return floor
    while low < high:
        middle = (low + high + 1) // 2
        if sum(min(n, middle) for n in lengths) <= target:
            low = middle
        else:
            high = middle - 1
    return low


def _shorten(lines: list[str], room: int) -> list[str]:
    """Cut ``lines`` (joined by newlines) to about ``room`` characters, in :data:`_CUT_ORDER`."""
    ranks = [_rank(line) for line in lines]
    for rank, floor in _CUT_ORDER:
        excess = len("\n".join(lines)) - room
        if excess <= 0:
            break
        chosen = [i for i, r in enumerate(ranks) if r == rank and len(lines[i]) > floor]
        if not chosen:
            continue
        lengths = [len(lines[i]) for i in chosen]
        cap = _cap(lengths, floor, sum(lengths) - excess)
        for i in chosen:
            lines[i] = "" if cap < 4 else truncate_words(lines[i], cap)
        kept = [(line, r) for line, r in zip(lines, ranks, strict=True) if line]
        lines = [line for line, _ in kept]
        ranks = [r for _, r in kept]
    return lines


def render_entry(entry: Entry, budget: int) -> str:
    """One entry as a description section of at most ``budget`` characters.

    The whole entry when it fits. Otherwise the summary is cut first, then notes, and lines
    about dates last; the source links are kept (up to a third of the room).
    """
    title = clean(entry.heading)
    heading = f"**{link(title, entry.url)}**" if entry.url else f"**{title}**"
    lines = distinct_lines([clean(line) for line in entry.lines])
    links = [link(clean(source_label(s)), s.url) for s in entry.sources[:SOURCES_SHOWN]]
    more = len(entry.sources) - len(links)
    sources = _sources_line(links, more)
    whole = "\n".join([heading, *lines, *([sources] if sources else [])])
    if len(whole) <= budget:
        return whole
    if len(heading) > budget // 3:
        heading = f"**{truncate_words(title, max(budget // 3 - 4, 1))}**"
    if sources:
        sources = _fit_sources(links, more, max(budget // 3, len(_sources_line(links[:1], 0, cut=True))))
    room = budget - len(heading) - 1 - (len(sources) + 1 if sources else 0)
    out = [heading, *_shorten(lines, room), *([sources] if sources else [])]
    return truncate("\n".join(out), budget)


def lead(answer: Answer) -> str:
    """The answer's lead: what the query was read as or why nothing matched, then its extra lines."""
    parts = [answer.message] if answer.message else []
    parts.extend(answer.lines)
    return "\n".join(parts)


def candidates_text(candidates: Sequence[Candidate]) -> str:
    """The candidates as a bulleted list; beyond the menu's 25, "and N more" below it."""
    shown = [f"• {clip(c.label, CHOICE_LIMIT)}" for c in candidates[:SELECT_OPTIONS_LIMIT]]
    if len(candidates) > SELECT_OPTIONS_LIMIT:
        more = len(candidates) - SELECT_OPTIONS_LIMIT
        shown.append(_("… and {count} more: try a longer query.").format(count=more))
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


def answer_embed(answer: Answer, *, footer: str | None = None) -> discord.Embed:
    """An answer without a list (stats, about, help, refusals, candidates) as one embed."""
    parts = [clip(lead(answer), DESCRIPTION_LIMIT - 200)]
    if answer.candidates:
        parts.append(candidates_text(answer.candidates))
    title = clip(answer.title or answer.command, TITLE_LIMIT)
    embed = discord.Embed(title=title, colour=COLOURS[answer.status])
    text = "\n\n".join(p for p in parts if p)
    if text:
        embed.description = clip(text, DESCRIPTION_LIMIT)
    _add_fields(embed, answer.fields[:FIELDS_LIMIT])
    if footer:
        embed.set_footer(text=footer)
    return fit_embed(embed)


def picture_embed(filename: str) -> discord.Embed:
    """An embed that shows the attached picture ``filename`` and nothing else (above the answer)."""
    return discord.Embed(colour=COLOURS[Status.FOUND]).set_image(url=f"attachment://{filename}")


def picture_embeds(message: discord.Message | None) -> list[discord.Embed]:
    """The message's picture embed (its first embed, showing an attachment), to keep when it is edited."""
    if message is None or not message.embeds:
        return []
    first = message.embeds[0]
    return [first] if (first.image.url or "").startswith("attachment://") else []


def notice(text: str, *, title: str | None = None, status: Status = Status.INVALID) -> discord.Embed:
    """A short private notice (errors, refusals, cooldowns) as an embed."""
    embed = discord.Embed(description=clip(text, DESCRIPTION_LIMIT), colour=COLOURS[status])
    if title:
        embed.title = clip(title, TITLE_LIMIT)
    return fit_embed(embed)


def choice_text(text: str) -> str:
    """A label or value that fits an autocomplete choice or a select option (1–100 characters)."""
    return truncate(clean(text).strip(), CHOICE_LIMIT) or "?"
