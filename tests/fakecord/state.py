"""The state every part of FakeDiscord shares: the world, the records, waiting on changes."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import mimetypes
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from .gateway import Gateway
from .interactions import AttachmentSpec, CommandNotAvailable, InteractionResult, attachment_tuple
from .models import (
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakePrivateChannel,
    FakeRole,
    FakeUser,
    RestCall,
    StoredFile,
    Violation,
    snowflake,
)
from .rest.http import path_matches

if TYPE_CHECKING:
    from .faults import Fault

DEFAULT_TOKEN = "fakecord-token.not-a-real-secret"


_T = TypeVar("_T")


def _resolve(
    value: object, kind: type[_T], what: str, by_id: Iterable[Mapping[int, _T]], by_name: Callable[[str], _T]
) -> _T:
    """``value`` if it is a ``kind``, else its id (int or digits) found in ``by_id``, else its name."""
    if isinstance(value, kind):
        return value
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        for table in by_id:
            if int(value) in table:
                return table[int(value)]
        raise KeyError(f"fakecord: no {what} {value}")
    if isinstance(value, str):
        return by_name(value)
    raise TypeError(f"fakecord: cannot resolve a {what} from {value!r}")


class ServerState:
    """The fake's world and records, and how to wait on them: what every part of the server shares."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "fakebot",
        heartbeat_interval_ms: int = 1500,
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.bot_user = FakeUser(snowflake(), bot_name, global_name=None, bot=True)
        self.application_id = self.bot_user.id
        self.app_owner = FakeUser(snowflake(), "fakecord-dev", global_name="Fakecord Dev")
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user, self.app_owner.id: self.app_owner}
        self.guilds: dict[int, FakeGuild] = {}
        self.private_channels: dict[int, FakePrivateChannel] = {}
        self.files: dict[int, StoredFile] = {}
        self.message_log: list[FakeMessage] = []
        self._messages: dict[int, FakeMessage] = {}
        self._nonces: dict[tuple[int, int, str], tuple[FakeMessage, float]] = {}
        self.calls: list[RestCall] = []
        self.violations: list[Violation] = []
        self.commands: dict[int | None, dict[str, dict[str, Any]]] = {None: {}}
        self.interactions: list[InteractionResult] = []
        self._interactions: dict[int, InteractionResult] = {}
        self._by_token: dict[str, InteractionResult] = {}
        self.faults: list[Fault] = []
        # Knobs
        self.interaction_deadline = 3.0
        self.token_lifetime = 15 * 60.0
        self.error_grace = 1.0
        self.nonce_window = 300.0
        self.global_rate_limit: int | None = None
        self.channel_rate_limit: tuple[int, float] | None = None
        self.disallowed_intents = 0
        self.dispatch_message_events = True
        self.guild_create_all_members = False
        self.check_violations_at_teardown = True
        # Sharding (GET /gateway/bot, IDENTIFY)
        self.recommended_shards = 1
        self.max_concurrency = 1
        self.identify_interval: float | None = None  # Discord: 5.0; None = the IDENTIFY rate is not enforced
        self.max_guilds_per_shard = 2500
        self.session_start_total = 1000
        # Counters
        self.global_429_count = 0
        self.route_429_count = 0
        self.sync_count = 0
        # Defaults used by the interaction helpers (set by populate_default)
        self.world: Any = None
        self.default_user: FakeUser | None = None
        self.default_channel: FakeChannel | None = None
        # Internals
        self.gateway = Gateway(self)
        self._event = asyncio.Event()
        self._global_window: deque[float] = deque()
        self._buckets: dict[int, list[float]] = {}
        self._watchers: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._bots: list[Any] = []
        self.port = 0

    # ------------------------------------------------------------------ addresses

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for discord.http.Route.BASE / the bot's ``api_base`` config."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for DiscordWebSocket.DEFAULT_GATEWAY / the bot's ``gateway_url`` config."""
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/resume"

    # ------------------------------------------------------------------ waiting

    def notify(self) -> None:
        """Wake every ``wait_for`` (called on each state change)."""
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_for(
        self, predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Wait until ``predicate()`` is true; TimeoutError naming ``what`` otherwise."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not predicate():
            remaining = end - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fakecord: timed out after {timeout}s waiting for {what}")
            event = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def dispatch(self, event: str, data: Any) -> int:
        """Send an arbitrary dispatch (e.g. "CHANNEL_DELETE") to every live session; returns the count."""
        count = await self.gateway.dispatch(event, data)
        self.notify()
        return count

    # ------------------------------------------------------------------ lookups

    @property
    def guild(self) -> FakeGuild:
        """The first guild (the default world's guild)."""
        if not self.guilds:
            raise LookupError("fakecord: no guild; call populate_default() or create_guild()")
        return next(iter(self.guilds.values()))

    def user(self, username: str) -> FakeUser:
        for user in self.users.values():
            if user.username == username:
                return user
        raise KeyError(f"fakecord: no user {username!r}")

    def channel(self, name: str, guild: FakeGuild | None = None) -> FakeChannel:
        return (guild or self.guild).channel(name)

    def role(self, name: str, guild: FakeGuild | None = None) -> FakeRole:
        return (guild or self.guild).role(name)

    def resolve_user(self, value: object) -> FakeUser:
        """FakeUser, FakeMember, id or username → FakeUser."""
        if isinstance(value, FakeMember):
            return value.user
        return _resolve(value, FakeUser, "user", [self.users], self.user)

    def resolve_channel(self, value: object) -> FakeChannel:
        """FakeChannel, id (in any guild) or name (in the first guild) → FakeChannel."""
        tables: list[Mapping[int, FakeChannel]] = [g.channels for g in self.guilds.values()]
        tables.append(self.private_channels)
        return _resolve(value, FakeChannel, "channel", tables, self.channel)

    def resolve_role(self, value: object) -> FakeRole:
        """FakeRole, id (in any guild) or name (in the first guild) → FakeRole."""
        return _resolve(value, FakeRole, "role", [g.roles for g in self.guilds.values()], self.role)

    def guild_create_payload(self, guild: FakeGuild) -> dict[str, Any]:
        """GUILD_CREATE data. Like Discord, only the bot's own member is included (set
        ``guild_create_all_members`` to send all); a client with the members intent chunks the rest (op 8)."""
        members = None if self.guild_create_all_members else [self.bot_user.id]
        return guild.to_dict(member_ids=members)

    # ------------------------------------------------------------------ records

    def _violate(self, kind: str, detail: str, method: str = "", path: str = "") -> None:
        self.violations.append(Violation(kind, detail, method, path))
        self.notify()

    def take_violations(self, kind: str | None = None) -> list[Violation]:
        """Remove and return recorded violations (all, or of one kind) — for tests that expect them."""
        taken = [v for v in self.violations if kind is None or v.kind == kind]
        self.violations = [v for v in self.violations if v not in taken]
        return taken

    def assert_no_violations(self) -> None:
        if self.violations:
            lines = "\n  ".join(str(v) for v in self.violations)
            raise AssertionError(f"fakecord recorded {len(self.violations)} Discord violation(s):\n  {lines}")

    def calls_to(self, method: str, pattern: str | re.Pattern[str]) -> list[RestCall]:
        """Recorded REST calls matching a method ("*" for any) and a path glob/regex."""
        return [c for c in self.calls if method.upper() in ("*", c.method) and path_matches(pattern, c.path)]

    async def wait_for_call(
        self, method: str, pattern: str | re.Pattern[str], *, count: int = 1, timeout: float = 5.0
    ) -> list[RestCall]:
        await self.wait_for(
            lambda: len(self.calls_to(method, pattern)) >= count,
            timeout=timeout,
            what=f"{count}x {method} {pattern}",
        )
        return self.calls_to(method, pattern)

    def forget(self) -> None:
        """Drop the records of finished work (interactions, REST calls, messages, gateway frames).

        For long runs (bench/bench_e2e.py) whose memory must stay flat. Interactions that are neither
        answered nor timed out are kept; the forgotten ones' tokens and messages are unknown afterwards.
        """
        open_ = [r for r in self.interactions if not (r.acknowledged or r.timed_out or r.failed)]
        self.interactions[:] = open_
        self._interactions = {r.id: r for r in open_}
        self._by_token = {r.token: r for r in open_}
        self.calls.clear()
        self.message_log.clear()
        self._messages.clear()
        self.gateway.log.clear()

    @property
    def bot_messages(self) -> list[FakeMessage]:
        """Every message the bot created (channel posts, interaction responses, follow-ups), in order."""
        return [m for m in self.message_log if m.via != "user"]

    def messages_in(
        self, channel: FakeChannel | int, *, include_ephemeral: bool = False
    ) -> list[FakeMessage]:
        """Undeleted messages in a channel, oldest first."""
        cid = channel if isinstance(channel, int) else channel.id
        return [
            m
            for m in self.message_log
            if m.channel_id == cid and not m.deleted and (include_ephemeral or not m.ephemeral)
        ]

    def message(self, message_id: int) -> FakeMessage:
        return self._messages[message_id]

    def _message_dict(self, msg: FakeMessage) -> dict[str, Any]:
        return msg.to_dict(self.users)

    def _store_message(self, msg: FakeMessage) -> None:
        self.message_log.append(msg)
        self._messages[msg.id] = msg
        self.notify()

    def pinging_messages(self) -> list[FakeMessage]:
        """Bot messages that would have notified @everyone/@here, a user, a role or a replied-to author."""
        return [m for m in self.bot_messages if m.pings_anyone]

    def assert_no_pings(self) -> None:
        bad = self.pinging_messages()
        if bad:
            details = "; ".join(
                f"{m.id}: everyone={m.would_ping_everyone} users={sorted(m.pinged_users)} "
                f"roles={sorted(m.pinged_roles)}"
                for m in bad
            )
            raise AssertionError(f"fakecord: {len(bad)} bot message(s) would ping: {details}")

    def synced_commands(self, guild: FakeGuild | int | None = None) -> list[dict[str, Any]]:
        """Commands as last synced (global when guild is None)."""
        gid = guild.id if isinstance(guild, FakeGuild) else guild
        return [copy.deepcopy(c) for c in self.commands.get(gid, {}).values()]

    def bot_guilds(self) -> list[FakeGuild]:
        """The guilds the bot is a member of (a user-installed app's guilds are not among them)."""
        return [g for g in self.guilds.values() if self.bot_user.id in g.members]

    def find_command(self, name: str, guild: FakeGuild | None = None) -> dict[str, Any]:
        """A synced chat-input command by top-level name: guild commands first, then global."""
        guild = guild or (self.guild if self.guilds else None)
        return self.find_command_in(name, guild)

    def find_command_in(self, name: str, guild: FakeGuild | None) -> dict[str, Any]:
        """A synced chat-input command where ``guild`` is the place (None: a DM or group DM, globals only)."""
        for gid in ((guild.id,) if guild else ()) + (None,):
            cmd = self.commands.get(gid, {}).get(f"1:{name}")
            if cmd is not None:
                return cmd
        known = sorted(c["name"] for cmds in self.commands.values() for c in cmds.values())
        raise CommandNotAvailable(f"/{name} is not synced (synced: {known})")

    # ------------------------------------------------------------------ attachments

    def add_attachment(self, filename: str, data: bytes, content_type: str | None = None) -> StoredFile:
        """Store a file served at /attachments/{id}/{filename} (e.g. for an attachment option)."""
        fid = snowflake()
        ctype = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = StoredFile(fid, filename, data, ctype, f"{self.base_url}/attachments/{fid}/{filename}")
        self.files[fid] = stored
        return stored

    def to_stored_file(self, value: AttachmentSpec | object) -> StoredFile:
        if isinstance(value, StoredFile):
            return value
        spec = attachment_tuple(value)
        if spec is None:
            raise TypeError(
                f"fakecord: attachment option wants (filename, bytes[, content_type]); got {value!r}"
            )
        return self.add_attachment(*spec)
