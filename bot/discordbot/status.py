"""``/admin status``: every live bot process on one page, short lines that read on a phone.

One embed; one field per process (the oldest first), named by its host and pid, with its shards and
gateway latency, the dataset version it serves and its daily posts due, and its last error::

    host-a · pid 4123 · this one
    Shards 0-1 of 4 · 42 ms
    Dataset 2026.12.01 · 3 daily posts due
    Last error (2 minutes ago): The reload of 2026.13 failed: …

Every word is translated in the language of the moderator asking (the numbers, ids and versions
never are; the time of the error is a Discord timestamp, which each client shows in its own words).
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.core.answers import Status
from bot.core.i18n import _, ngettext
from bot.core.processes import ProcessRecord
from bot.core.shards import ids_text
from bot.discordbot.render import COLOURS, FIELD_NAME_LIMIT, FIELD_VALUE_LIMIT, clip, fit_embed

MAX_FIELDS = 25  # Discord's limit of fields per embed
ERROR_SHOWN = 200  # characters of a last error on the page


def process_name(record: ProcessRecord, *, this: bool) -> str:
    """``host-a · pid 4123`` (``· this one`` for the process answering)."""
    name = f"{record.host} · pid {record.pid}"
    if not this:
        return name
    marker = _("this one")
    return f"{name} · {marker}"


def process_lines(record: ProcessRecord) -> str:
    """The process's shards and latency, dataset and backlog, and last error, one short line each."""
    if record.shard_count is None or not record.shard_ids:
        shards = _("No shard yet")
    else:
        shards = _("Shards {ids} of {count}").format(ids=ids_text(record.shard_ids), count=record.shard_count)
    if record.latency is None:
        latency = _("latency not measured yet")
    else:
        latency = _("{ms} ms").format(ms=round(record.latency * 1000))
    dataset = _("Dataset {version}").format(version=record.dataset_version or "?")
    backlog = ngettext("{count} daily post due", "{count} daily posts due", record.backlog).format(
        count=record.backlog
    )
    if record.last_error is None:
        error = _("No error")
    else:
        when = discord.utils.format_dt(record.last_error_at, "R") if record.last_error_at else "?"
        shown = discord.utils.escape_markdown(clip(record.last_error, ERROR_SHOWN))
        error = _("Last error ({when}): {error}").format(when=when, error=shown)
    return "\n".join((f"{shards} · {latency}", f"{dataset} · {backlog}", error))


def status_embed(live: Sequence[ProcessRecord], *, this: str) -> discord.Embed:
    """The page of ``/admin status``: the live processes, ``this`` being the id of the one answering."""
    count = len(live)
    title = ngettext("{count} live bot process", "{count} live bot processes", count).format(count=count)
    embed = discord.Embed(title=title, colour=COLOURS[Status.FOUND if count else Status.NOT_FOUND])
    if not live:
        embed.description = _("No process has written a heartbeat to the database lately.")
        return embed
    shown = live if count <= MAX_FIELDS else live[: MAX_FIELDS - 1]
    for record in shown:
        embed.add_field(
            name=clip(process_name(record, this=record.process_id == this), FIELD_NAME_LIMIT),
            value=clip(process_lines(record), FIELD_VALUE_LIMIT),
            inline=False,
        )
    if len(shown) < count:
        more = count - len(shown)
        embed.add_field(
            name="…",
            value=ngettext("and {count} more process", "and {count} more processes", more).format(count=more),
            inline=False,
        )
    return fit_embed(embed)
