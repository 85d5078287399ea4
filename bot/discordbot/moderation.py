"""Moderator tools shared by the admin cog: who is a moderator, reload reports, SIGHUP.

Who counts as a moderator (``[moderation]`` in the config):

* a user whose id is in ``user_ids``;
* a member holding one of ``role_ids`` in the server where the command is used (Discord sends
  the member's roles with every interaction, so this needs no intent);
* a user holding one of ``role_ids`` in another server the bot is in. The bot has no
  privileged members intent, so its member cache is nearly empty: the cache is tried first,
  then the member is fetched over REST (``GET /guilds/{id}/members/{user}``, which needs no
  intent) from at most :data:`MAX_FETCHED_GUILDS` servers that own a configured role. A
  server where that fetch fails or times out is skipped (the user is then refused).

A reload report becomes one embed (problems as ``file:line: message``, or what changed),
plus the full problem list as a text file when the reload was refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import logging
import signal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import discord

from bot.config import ModerationConfig
from bot.core.answers import Status
from bot.core.model import Dataset
from bot.core.present import event_label, record_label
from bot.core.reloading import UPLOAD_SUFFIXES, ReloadReport, over_limit
from bot.discordbot.network import REQUEST_ERRORS, failure_text
from bot.discordbot.render import (
    COLOURS,
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    clean,
    clip,
    fit_embed,
    truncate,
)

log = logging.getLogger(__name__)

MAX_FETCHED_GUILDS = 5
FETCH_TIMEOUT = 2.0  # seconds per server
PROBLEMS_BUDGET = 3000  # characters of problems shown in the embed
PROBLEM_LINE_LIMIT = 300
IDS_SHOWN = 5
PROBLEMS_FILENAME = "reload-problems.txt"

# ---------------------------------------------------------------------------------------- who


def _role_ids(member: discord.Member) -> set[int]:
    return {role.id for role in member.roles}


def moderator_reason(
    user: discord.User | discord.Member,
    moderation: ModerationConfig,
    guilds: Iterable[discord.Guild] = (),
) -> str | None:
    """Why ``user`` is a moderator, from what is known without a request; None if not known."""
    if user.id in moderation.user_ids:
        return "listed by user id"
    wanted = set(moderation.role_ids)
    if not wanted:
        return None
    here = user.guild.id if isinstance(user, discord.Member) else None
    if isinstance(user, discord.Member) and _role_ids(user) & wanted:
        return "has a moderator role in this server"
    for guild in guilds:
        if guild.id == here:
            continue
        member = guild.get_member(user.id)
        if member is not None and _role_ids(member) & wanted:
            return f"has a moderator role in {guild.name}"
    return None


def guilds_to_ask(
    user: discord.User | discord.Member, moderation: ModerationConfig, guilds: Iterable[discord.Guild]
) -> list[discord.Guild]:
    """Other servers that own a configured role, where the user's roles could be fetched."""
    here = user.guild.id if isinstance(user, discord.Member) else None
    wanted = set(moderation.role_ids)
    found = [g for g in guilds if g.id != here and any(g.get_role(role_id) is not None for role_id in wanted)]
    return found[:MAX_FETCHED_GUILDS]


async def fetch_moderator_reason(
    user: discord.User | discord.Member,
    moderation: ModerationConfig,
    guilds: Iterable[discord.Guild],
    *,
    timeout: float = FETCH_TIMEOUT,
) -> str | None:
    """Ask Discord for the user's roles in the other servers that own a moderator role."""
    wanted = set(moderation.role_ids)
    for guild in guilds_to_ask(user, moderation, guilds):
        try:
            member = await asyncio.wait_for(guild.fetch_member(user.id), timeout)
        except discord.NotFound:
            continue  # not a member there
        except REQUEST_ERRORS as exc:
            log.warning(
                "Could not fetch the roles of user %s in guild %s: %s", user.id, guild.id, failure_text(exc)
            )
            continue
        if _role_ids(member) & wanted:
            return f"has a moderator role in {guild.name}"
    return None


def describe_user(user: discord.abc.User) -> str:
    """``name (id)`` for logs and reports, with markdown and mentions neutralised."""
    return f"{discord.utils.escape_markdown(clip(str(user), 100))} ({user.id})"


# ---------------------------------------------------------------------------------------- reports


@dataclass(frozen=True, slots=True)
class ReloadMessage:
    """A reload report laid out for Discord: an embed and, when refused, the full problem list."""

    embed: discord.Embed
    attachment: tuple[str, bytes] | None = None

    def file(self) -> discord.File | None:
        """A fresh discord.File of the attachment (a File can be sent only once)."""
        if self.attachment is None:
            return None
        name, data = self.attachment
        return discord.File(io.BytesIO(data), filename=name)


def source_label(report: ReloadReport) -> str:
    """Where the reload read from, for people."""
    if report.source == "disk":
        return "the data folder"
    if report.source == "database":
        stored = f" (revision {report.revision})" if report.revision is not None else ""
        return f"the dataset stored in the database{stored} by another process's reload"
    name = discord.utils.escape_markdown(clip(report.source, 100))
    return f"the uploaded file {name}"


def problems_text(report: ReloadReport) -> str:
    """Every problem as ``file:line: message``, one per line (the attached file)."""
    return "".join(f"{problem}\n" for problem in report.problems)


def _problem_lines(report: ReloadReport, budget: int) -> tuple[list[str], int]:
    shown: list[str] = []
    used = 0
    for problem in report.problems:
        line = truncate(str(problem).replace("```", "'''"), PROBLEM_LINE_LIMIT)
        if used + len(line) + 1 > budget:
            break
        shown.append(line)
        used += len(line) + 1
    return shown, len(report.problems) - len(shown)


Names = Callable[[str], str | None]


def item_names(*datasets: Dataset) -> Names:
    """A record's or event's name by its id, from the first of ``datasets`` that has it (None if none)."""

    def name(key: str) -> str | None:
        for dataset in datasets:
            record = dataset.record(key)
            if record is not None:
                return record_label(record, dataset)
            event = dataset.event(key)
            if event is not None:
                return event_label(event)
        return None

    return name


def _ids(ids: Sequence[str], names: Names | None = None) -> str:
    """Each item by its name ("France · Senate · 25 Nov 2020"), its id after it; the first few."""
    shown_ids = ids[:IDS_SHOWN]
    named = [(names(i) if names is not None else None, i) for i in shown_ids]
    if any(name for name, _ in named):
        shown = "\n".join(f"{clean(name)} (`{i}`)" if name else f"`{i}`" for name, i in named)
    else:
        shown = ", ".join(f"`{i}`" for i in shown_ids)
    more = f" and {len(ids) - IDS_SHOWN} more" if len(ids) > IDS_SHOWN else ""
    return truncate(shown + more, FIELD_VALUE_LIMIT)


def _version(value: str | None) -> str:
    return f"`{clip(value or '?', 100)}`"


def render_reload(
    report: ReloadReport, *, by: str, when: dt.datetime, names: Names | None = None
) -> ReloadMessage:
    """The report as an embed: problems (with the full list attached) or what changed.

    ``by`` says who or what asked for the reload (shown in the footer, next to ``when``);
    ``names`` names the records and events that changed (:func:`item_names`), else their ids show.
    """
    footer = truncate(f"By {by}", 2048)
    if not report.ok:
        count = len(report.problems)
        shown, hidden = _problem_lines(report, PROBLEMS_BUDGET)
        parts = [
            (
                f"Nothing changed: the bot keeps serving version {_version(report.version_old)} "
                f"and no file on disk was touched. Source: {source_label(report)}."
            ),
        ]
        if shown:
            parts.append("```\n" + "\n".join(shown) + "\n```")
        parts.append(
            f"… and {hidden} more: see the attached {PROBLEMS_FILENAME}."
            if hidden
            else f"The full list is attached as {PROBLEMS_FILENAME}."
        )
        embed = discord.Embed(
            title=f"Reload refused: {count} problem{'s' if count != 1 else ''}",
            description=truncate("\n".join(parts), DESCRIPTION_LIMIT),
            colour=COLOURS[Status.INVALID],
            timestamp=when,
        )
        embed.set_footer(text=footer)
        text = problems_text(report) or f"{report.source}: the reload failed\n"
        return ReloadMessage(fit_embed(embed), (PROBLEMS_FILENAME, text.encode("utf-8")))
    diff = report.diff
    what = ""
    if report.file_kind:
        kept = "; the old one is kept in the history folder" if report.backup is not None else ""
        if not report.in_folder:
            kept = "; the data folder is read-only, so the file is kept in the database only"
        what = f" (it replaced the {report.file_kind} file{kept})"
    lines = [f"Source: {source_label(report)}{what}."]
    if report.version_old != report.version_new:
        lines.append(f"Version: {_version(report.version_old)} → {_version(report.version_new)}")
    else:
        lines.append(f"Version: {_version(report.version_new)} (unchanged)")
    if diff is not None:
        summary = diff.summary()
        lines.append(clip(summary[:1].upper() + summary[1:], 500) + ".")
    if diff is None or diff.empty:
        lines.append("No record or event was added, removed or changed.")
    embed = discord.Embed(
        title="Data reloaded",
        description="\n".join(lines),
        colour=COLOURS[Status.FOUND],
        timestamp=when,
    )
    if diff is not None:
        for label, ids in (
            ("Records added", diff.records_added),
            ("Records removed", diff.records_removed),
            ("Records changed", diff.records_changed),
            ("Events added", diff.events_added),
            ("Events removed", diff.events_removed),
            ("Events changed", diff.events_changed),
        ):
            if ids:
                embed.add_field(name=f"{label} ({len(ids)})", value=_ids(ids, names), inline=False)
    embed.set_footer(text=footer)
    return ReloadMessage(fit_embed(embed))


def log_line(report: ReloadReport, *, by: str) -> str:
    """One log line for a reload: who, source, result and change counts."""
    who = f"by {by} from {report.source}"
    if not report.ok:
        first = f"; first: {report.problems[0]}" if report.problems else ""
        return f"Reload {who} refused with {len(report.problems)} problem(s){first}"
    counts = report.diff.summary() if report.diff is not None else "no diff"
    stored = f" (revision {report.revision})" if report.revision is not None else ""
    return f"Reload {who} done: version {report.version_old} -> {report.version_new}{stored}; {counts}"


def upload_refusal(filename: str, size: int, limit: int) -> str | None:
    """Why an attachment is refused before it is downloaded (name and size), or None."""
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        shown = discord.utils.escape_markdown(clip(filename, 100))
        return f"{shown} is not a YAML file: upload a .yaml or .yml file (resolutions, events or non-acts)."
    if size > limit:
        return f"That file is {over_limit(size, limit)}."
    return None


# ---------------------------------------------------------------------------------------- SIGHUP


def install_sighup(callback: Callable[[], None]) -> Callable[[], None] | None:
    """Call ``callback`` on SIGHUP in the running loop; return the remover, None if unsupported.

    The remover restores whatever Python-level handler was there before, so removing never
    leaves SIGHUP at its default action (which ends the process) if it was handled before.
    """
    sighup = getattr(signal, "SIGHUP", None)
    if sighup is None:  # Windows
        return None
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(sighup)
    try:
        loop.add_signal_handler(sighup, callback)
    except (NotImplementedError, RuntimeError, ValueError) as exc:  # not the main thread, or no support
        log.info("SIGHUP reloads are not available here: %s", exc)
        return None

    def remove() -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(sighup)
        if previous is not None:
            with contextlib.suppress(ValueError, TypeError, OSError):
                signal.signal(sighup, previous)

    return remove
