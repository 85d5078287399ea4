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
from babel.lists import format_list

from bot.config import ModerationConfig
from bot.core.answers import Status
from bot.core.datafiles import FileKind
from bot.core.i18n import N_, _, cldr_locale, ngettext, number
from bot.core.model import Dataset
from bot.core.present import event_label, record_label
from bot.core.reloading import UPLOAD_SUFFIXES, DatasetDiff, ReloadReport
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
    """Where the reload read from, for people (in the language in use)."""
    if report.source == "disk":
        return _("the data folder")
    if report.source == "database":
        if report.revision is not None:
            return _(
                "the dataset stored in the database (revision {revision}) by another process's reload"
            ).format(revision=report.revision)
        return _("the dataset stored in the database by another process's reload")
    name = discord.utils.escape_markdown(clip(report.source, 100))
    return _("the uploaded file {name}").format(name=name)


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
    if any(name for name, _unused in named):
        shown = "\n".join(f"{clean(name)} (`{i}`)" if name else f"`{i}`" for name, i in named)
    else:
        shown = ", ".join(f"`{i}`" for i in shown_ids)
    hidden = len(ids) - IDS_SHOWN
    if hidden > 0:
        shown = ngettext("{items} and {count} more", "{items} and {count} more", hidden).format(
            items=shown, count=hidden
        )
    return truncate(shown, FIELD_VALUE_LIMIT)


def _version(value: str | None) -> str:
    return f"`{clip(value or '?', 100)}`"


# Catalog ids of the parts of a reload report.
FILE_KINDS: dict[FileKind, str] = {
    "resolutions": N_("resolutions"),
    "events": N_("events"),
    "non_acts": N_("non-acts"),
}
_SIDES = (
    (N_("Records"), "records"),
    (N_("Events"), "events"),
    (N_("Non-acts"), "non_acts"),
)
_FIELDS = (
    (N_("Records added ({count})"), "records_added"),
    (N_("Records removed ({count})"), "records_removed"),
    (N_("Records changed ({count})"), "records_changed"),
    (N_("Events added ({count})"), "events_added"),
    (N_("Events removed ({count})"), "events_removed"),
    (N_("Events changed ({count})"), "events_changed"),
)


def diff_lines(diff: DatasetDiff) -> list[str]:
    """``Records: 85 → 86 (+1 added, 2 changed)``, one line per kind of item, in the language in use."""
    lines: list[str] = []
    for label, side in _SIDES:
        before, after = getattr(diff, f"{side}_before"), getattr(diff, f"{side}_after")
        added, removed, changed = (
            len(getattr(diff, f"{side}_{what}")) for what in ("added", "removed", "changed")
        )
        if side == "non_acts" and not (before or after):
            continue
        changes = [
            text.format(count=count)
            for text, count in (
                (_("+{count} added"), added),
                (_("-{count} removed"), removed),
                (_("{count} changed"), changed),
            )
            if count
        ]
        counts = f"{before} → {after}" if before != after else str(before)
        what = format_list(changes, locale=cldr_locale()) if changes else _("unchanged")
        lines.append(_("{items}: {counts} ({changes})").format(items=_(label), counts=counts, changes=what))
    return lines


def asked_by_command(user: discord.abc.User, guild: discord.Guild | None, guild_id: int | None) -> str:
    """Who asked for a reload with the command, for its report (in the language in use)."""
    if guild is not None:
        where = f"{discord.utils.escape_markdown(clip(guild.name, 100))} ({guild.id})"
    else:
        where = str(guild_id)
    return _("{user} with /admin reload in {server}").format(user=describe_user(user), server=where)


def asked_by_signal(pid: int) -> str:
    """Who asked for a reload by SIGHUP, for its report (in the language in use)."""
    return _("SIGHUP (process {pid})").format(pid=pid)


def render_reload(
    report: ReloadReport, *, by: str, when: dt.datetime, names: Names | None = None
) -> ReloadMessage:
    """The report as an embed in the language in use: problems (with the full list attached) or what changed.

    ``by`` says who or what asked for the reload (shown in the footer, next to ``when``);
    ``names`` names the records and events that changed (:func:`item_names`), else their ids show.
    The problems themselves (``file:line: message``) stay in English: they are about the data
    files, for the people who edit them.
    """
    footer = truncate(_("By {who}").format(who=by), 2048)
    if not report.ok:
        count = len(report.problems)
        shown, hidden = _problem_lines(report, PROBLEMS_BUDGET)
        parts = [
            _(
                "Nothing changed: the bot keeps serving version {version} and no file on disk was touched. "
                "Source: {source}."
            ).format(version=_version(report.version_old), source=source_label(report)),
        ]
        if shown:
            parts.append("```\n" + "\n".join(shown) + "\n```")
        if hidden:
            parts.append(
                ngettext(
                    "… and {count} more: see the attached {file}.",
                    "… and {count} more: see the attached {file}.",
                    hidden,
                ).format(count=hidden, file=PROBLEMS_FILENAME)
            )
        else:
            parts.append(_("The full list is attached as {file}.").format(file=PROBLEMS_FILENAME))
        embed = discord.Embed(
            title=ngettext(
                "Reload refused: {count} problem", "Reload refused: {count} problems", count
            ).format(count=count),
            description=truncate("\n".join(parts), DESCRIPTION_LIMIT),
            colour=COLOURS[Status.INVALID],
            timestamp=when,
        )
        embed.set_footer(text=footer)
        text = problems_text(report) or f"{report.source}: the reload failed\n"
        return ReloadMessage(fit_embed(embed), (PROBLEMS_FILENAME, text.encode("utf-8")))
    diff = report.diff
    source = source_label(report)
    if report.file_kind and not report.in_folder:
        line = _(
            "Source: {source} (it replaced the {kind} file; the data folder is read-only, "
            "so the file is kept in the database only)."
        )
    elif report.file_kind and report.backup is not None:
        line = _("Source: {source} (it replaced the {kind} file; the old one is kept in the history folder).")
    elif report.file_kind:
        line = _("Source: {source} (it replaced the {kind} file).")
    else:
        line = _("Source: {source}.")
    kind = _(FILE_KINDS[report.file_kind]) if report.file_kind else ""
    lines = [line.format(source=source, kind=kind)]
    if report.version_old != report.version_new:
        lines.append(
            _("Version: {old} → {new}").format(
                old=_version(report.version_old), new=_version(report.version_new)
            )
        )
    else:
        lines.append(_("Version: {version} (unchanged)").format(version=_version(report.version_new)))
    if diff is not None:
        lines.extend(clip(line, 500) for line in diff_lines(diff))
    if diff is None or diff.empty:
        lines.append(_("No record or event was added, removed or changed."))
    embed = discord.Embed(
        title=_("Data reloaded"),
        description="\n".join(lines),
        colour=COLOURS[Status.FOUND],
        timestamp=when,
    )
    if diff is not None:
        for label, attribute in _FIELDS:
            ids: tuple[str, ...] = getattr(diff, attribute)
            if ids:
                embed.add_field(name=_(label).format(count=len(ids)), value=_ids(ids, names), inline=False)
    embed.set_footer(text=footer)
    return ReloadMessage(fit_embed(embed))


def log_line(report: ReloadReport, *, by: str) -> str:
    """One log line for a reload (English, for operators): who, source, result and change counts."""
    who = f"by {by} from {report.source}"
    if not report.ok:
        first = f"; first: {report.problems[0]}" if report.problems else ""
        return f"Reload {who} refused with {len(report.problems)} problem(s){first}"
    counts = report.diff.summary() if report.diff is not None else "no diff"
    stored = f" (revision {report.revision})" if report.revision is not None else ""
    return f"Reload {who} done: version {report.version_old} -> {report.version_new}{stored}; {counts}"


def file_size(size: int) -> str:
    """``1.0 MB (1,048,597 bytes)``, ``12 KB (12,288 bytes)`` or ``12 bytes``, in the language in use."""
    exact = ngettext("{count} byte", "{count} bytes", size).format(count=number(size))
    if size >= 1024 * 1024:
        return _("{size} MB ({exact})").format(size=number(size / (1024 * 1024), decimals=1), exact=exact)
    if size >= 1024:
        return _("{size} KB ({exact})").format(size=number(round(size / 1024)), exact=exact)
    return exact


def upload_refusal(filename: str, size: int, limit: int) -> str | None:
    """Why an attachment is refused before it is downloaded (name and size), or None."""
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        shown = discord.utils.escape_markdown(clip(filename, 100))
        return _(
            "{name} is not a YAML file: upload a .yaml or .yml file (resolutions, events or non-acts)."
        ).format(name=shown)
    if size > limit:
        exact = ngettext("{count} byte", "{count} bytes", limit).format(count=number(limit))
        return _("That file is {size}; the limit is {limit}.").format(size=file_size(size), limit=exact)
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
