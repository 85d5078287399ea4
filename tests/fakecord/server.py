"""FakeDiscord: a Discord-compatible REST + gateway server on 127.0.0.1 for discord.py end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import fnmatch
import json
import mimetypes
import re
import secrets
import socket
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import yarl
from aiohttp import web

from . import limits
from .gateway import Gateway
from .interactions import (
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    AttachmentSpec,
    CommandNotAvailable,
    InteractionResult,
    OptionBuilder,
    attachment_tuple,
    build_options,
    nest_options,
    walk_command,
)
from .models import (
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    GatewayFrame,
    RestCall,
    StoredFile,
    Violation,
    new_guild,
    overwrite,
    snowflake,
    utcnow_iso,
)
from .permissions import DEFAULT_EVERYONE, Perm, as_int

DEFAULT_TOKEN = "fakecord-token.not-a-real-secret"
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
BOT_ROLE_PERMISSIONS = (
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.USE_APPLICATION_COMMANDS
)

# Interaction type → callback types Discord accepts for it.
_ALLOWED_CALLBACKS = {
    INTERACTION_COMMAND: {4, 5, 9},
    INTERACTION_COMPONENT: {4, 5, 6, 7, 9},
    INTERACTION_AUTOCOMPLETE: {8},
    INTERACTION_MODAL_SUBMIT: {4, 5, 6, 7},
}


# ------------------------------------------------------------------------------------------
# Small request/response plumbing
# ------------------------------------------------------------------------------------------


@dataclass
class Reply:
    """A REST answer before it becomes an aiohttp Response."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"message": message, "code": code})


@dataclass
class UploadedFile:
    """A multipart part of a bot upload."""

    field: str
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class Req:
    """A parsed REST request."""

    method: str
    path: str
    groups: dict[str, str]
    query: Mapping[str, str]
    json: Any
    files: list[UploadedFile]


Handler = Callable[[Req], Awaitable[Reply]]


@dataclass
class Route:
    """One REST route the fake implements."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    kind: str  # "bot" (needs the bot token, counts for the global limit), "webhook" (token in the path)


@dataclass
class Fault:
    """An injected failure for the next matching request(s)."""

    method: str
    pattern: str | re.Pattern[str]
    status: int
    retry_after: float
    global_: bool
    code: int | None
    message: str | None
    times: int
    processed: bool
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        return _path_matches(self.pattern, path)

    def reply(self) -> Reply:
        if self.status == 429:
            body = {
                "message": self.message or "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.global_,
            }
            if self.code is not None:
                body["code"] = self.code
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, int(self.retry_after + 0.999))),
                "X-RateLimit-Scope": "global" if self.global_ else "user",
            }
            if self.global_:
                headers["X-RateLimit-Global"] = "true"
            return Reply(429, body, headers)
        default = {
            400: (50035, "Invalid Form Body"),
            401: (0, "401: Unauthorized"),
            403: (50013, "Missing Permissions"),
            404: (0, "404: Not Found"),
        }.get(self.status, (0, f"{self.status}: Server Error"))
        code = self.code if self.code is not None else default[0]
        return _error(self.status, code, self.message or default[1])


def _path_matches(pattern: str | re.Pattern[str], path: str) -> bool:
    if isinstance(pattern, re.Pattern):
        return pattern.fullmatch(path) is not None
    pat = pattern
    for prefix in ("/api/v10", "/api/v9"):
        if pat.startswith(prefix):
            pat = pat[len(prefix) :]
    return fnmatch.fnmatchcase(path, pat)


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


def _r(method: str, template: str, handler: Handler, kind: str = "bot") -> Route:
    regex = re.escape(template)
    regex = re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", regex)
    return Route(method, re.compile(regex), handler, kind)


# ------------------------------------------------------------------------------------------
# The server
# ------------------------------------------------------------------------------------------


class FakeDiscord:
    """Discord-compatible HTTP API + gateway on 127.0.0.1 (random port), in the test's event loop."""

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
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle

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

    async def start(self) -> FakeDiscord:
        """Bind a free port on 127.0.0.1 and serve."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("GET", "/", self.gateway.handle)
        app.router.add_route("GET", "/resume", self.gateway.handle)
        app.router.add_route("GET", "/attachments/{id}/{filename}", self._serve_attachment)
        app.router.add_route("*", "/api/v{version}/{tail:.*}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Flag unanswered interactions, close sockets, stop serving."""
        for task in list(self._watchers):
            task.cancel()
        for result in self.interactions:
            self._mark_timed_out(result, " (the test ended first)")
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def register_bot(self, bot: Any) -> None:
        """Remember a bot so ``close_bots`` can stop it at teardown."""
        self._bots.append(bot)

    async def close_bots(self) -> None:
        """Close every registered bot that is still running."""
        for bot in self._bots:
            if not bot.is_closed():
                await bot.close()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextlib.contextmanager
    def aim(self) -> Iterator[None]:
        """Point discord.py's Route.BASE and DEFAULT_GATEWAY at this fake; restore on exit."""
        import discord.gateway
        import discord.http

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

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

    # ------------------------------------------------------------------ world building

    def create_user(self, username: str, *, global_name: str | None = None, bot: bool = False) -> FakeUser:
        """A new user (not yet a member of any guild)."""
        user = FakeUser(snowflake(), username, global_name=global_name or username.capitalize(), bot=bot)
        self.users[user.id] = user
        return user

    def create_member(
        self,
        username: str,
        roles: Iterable[FakeRole] = (),
        *,
        guild: FakeGuild | None = None,
        global_name: str | None = None,
    ) -> FakeUser:
        """Setup-time: a new user who is a member of ``guild`` (default: the first) with ``roles``."""
        user = self.create_user(username, global_name=global_name)
        (guild or self.guild).add_member(user, roles)
        return user

    def create_guild(
        self,
        name: str,
        *,
        owner: FakeUser | None = None,
        everyone_permissions: int | str | Iterable[str] = int(DEFAULT_EVERYONE),
        bot_permissions: int | str | Iterable[str] = int(BOT_ROLE_PERMISSIONS),
    ) -> FakeGuild:
        """A guild with @everyone, the bot as a member holding a managed role named after the bot.

        Setup-time: a bot that is already connected does not receive GUILD_CREATE (use ``add_guild``).
        """
        owner = owner or self.create_user(f"owner-of-{name.lower().replace(' ', '-')}")
        guild = new_guild(name, owner, everyone_permissions=as_int(everyone_permissions))
        bot_role = guild.add_role(self.bot_user.username, bot_permissions, bot_id=self.bot_user.id)
        guild.add_member(self.bot_user, [bot_role])
        self.guilds[guild.id] = guild
        return guild

    def guild_create_payload(self, guild: FakeGuild) -> dict[str, Any]:
        """GUILD_CREATE data. Like Discord, only the bot's own member is included (set
        ``guild_create_all_members`` to send all); a client with the members intent chunks the rest (op 8)."""
        members = None if self.guild_create_all_members else [self.bot_user.id]
        return guild.to_dict(member_ids=members)

    async def add_guild(self, name: str, **kwargs: Any) -> FakeGuild:
        """Create a guild and send GUILD_CREATE to a connected bot (the bot "joins" it)."""
        guild = self.create_guild(name, **kwargs)
        await self.dispatch("GUILD_CREATE", self.guild_create_payload(guild))
        return guild

    def populate_default(self) -> Any:
        """Build the standard test world (see world.py) and make alice/general the defaults."""
        from .world import build_default_world

        self.world = build_default_world(self)
        return self.world

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
        tables = [g.channels for g in self.guilds.values()]
        return _resolve(value, FakeChannel, "channel", tables, self.channel)

    def resolve_role(self, value: object) -> FakeRole:
        """FakeRole, id (in any guild) or name (in the first guild) → FakeRole."""
        return _resolve(value, FakeRole, "role", [g.roles for g in self.guilds.values()], self.role)

    # ------------------------------------------------------------------ live changes (dispatch to the bot)

    async def dispatch(self, event: str, data: Any) -> int:
        """Send an arbitrary dispatch (e.g. "CHANNEL_DELETE") to every live session; returns the count."""
        count = await self.gateway.dispatch(event, data)
        self.notify()
        return count

    async def create_channel(self, guild: FakeGuild, name: str, **kwargs: Any) -> FakeChannel:
        """Add a channel and dispatch CHANNEL_CREATE."""
        channel = guild.add_channel(name, **kwargs)
        await self.dispatch("CHANNEL_CREATE", channel.to_dict())
        return channel

    async def delete_channel(self, channel: FakeChannel) -> None:
        """Delete a channel (REST then answers 404 10003) and dispatch CHANNEL_DELETE."""
        channel.deleted = True
        await self.dispatch("CHANNEL_DELETE", channel.to_dict())

    async def set_overwrites(self, channel: FakeChannel, overwrites: Iterable[Mapping[str, Any]]) -> None:
        """Replace a channel's permission overwrites and dispatch CHANNEL_UPDATE."""
        channel.overwrites = [dict(o) for o in overwrites]
        await self.dispatch("CHANNEL_UPDATE", channel.to_dict())

    async def set_channel_permissions(
        self,
        channel: FakeChannel,
        target: FakeRole | FakeUser | FakeMember,
        *,
        allow: int | str | Iterable[str] = 0,
        deny: int | str | Iterable[str] = 0,
    ) -> None:
        """Set (replace) one overwrite on a channel and dispatch CHANNEL_UPDATE."""
        kept = [o for o in channel.overwrites if int(o["id"]) != target.id]
        await self.set_overwrites(channel, [*kept, overwrite(target, allow=allow, deny=deny)])

    async def create_role(
        self, guild: FakeGuild, name: str, permissions: int | str | Iterable[str] = 0
    ) -> FakeRole:
        role = guild.add_role(name, permissions)
        await self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.to_dict()})
        return role

    async def update_role(
        self,
        role: FakeRole,
        *,
        permissions: int | str | Iterable[str] | None = None,
        name: str | None = None,
        mentionable: bool | None = None,
    ) -> None:
        """Change a role and dispatch GUILD_ROLE_UPDATE."""
        if permissions is not None:
            role.permissions = as_int(permissions)
        if name is not None:
            role.name = name
        if mentionable is not None:
            role.mentionable = mentionable
        await self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role.to_dict()})

    async def delete_role(self, role: FakeRole) -> None:
        guild = self.guilds[role.guild_id]
        guild.roles.pop(role.id, None)
        for member in guild.members.values():
            if role.id in member.role_ids:
                member.role_ids.remove(role.id)
        await self.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)})

    async def add_member(
        self, guild: FakeGuild, user: FakeUser, roles: Iterable[FakeRole] = ()
    ) -> FakeMember:
        member = guild.add_member(user, roles)
        await self.dispatch("GUILD_MEMBER_ADD", {**member.to_dict(), "guild_id": str(guild.id)})
        return member

    async def set_member_roles(self, guild: FakeGuild, user: FakeUser, roles: Iterable[FakeRole]) -> None:
        """Replace a member's roles and dispatch GUILD_MEMBER_UPDATE."""
        member = guild.member(user)
        member.role_ids = [r.id for r in roles]
        await self.dispatch("GUILD_MEMBER_UPDATE", {**member.to_dict(), "guild_id": str(guild.id)})

    async def user_says(self, channel: FakeChannel, user: FakeUser, content: str) -> FakeMessage:
        """A user posts a message (MESSAGE_CREATE); not counted as a bot message."""
        guild = channel.guild
        msg = FakeMessage(
            id=snowflake(),
            channel_id=channel.id,
            guild_id=guild.id,
            author=user.to_dict(),
            content=content,
            via="user",
        )
        msg.record_state()
        self._store_message(msg)
        data = self._message_dict(msg)
        if user.id in guild.members:
            data["member"] = guild.members[user.id].to_dict(with_user=False)
        await self.dispatch("MESSAGE_CREATE", data)
        return msg

    # ------------------------------------------------------------------ gateway controls

    async def reconnect(self, *, wait: bool = True, timeout: float = 10.0) -> None:
        """Send op 7 RECONNECT; by default wait until the bot has RESUMEd (replay included)."""
        await self.gateway.reconnect(wait=wait, timeout=timeout)

    async def invalid_session(self, resumable: bool, *, wait: bool = True, timeout: float = 15.0) -> None:
        """Send op 9: resumable → the bot RESUMEs; else it IDENTIFYs again.

        A re-IDENTIFY waits 5 s in discord.py unless before_identify_hook is fast (run_bot makes it so).
        """
        await self.gateway.invalid_session(resumable, wait=wait, timeout=timeout)

    async def close_socket(self, code: int = 4000, *, wait: bool = True, timeout: float = 10.0) -> None:
        """Close the bot's socket with ``code``; non-fatal codes: wait until it reconnects."""
        await self.gateway.close_socket(code, wait=wait, timeout=timeout)

    @property
    def hold_dispatches(self) -> bool:
        """While True, dispatches are stored but not sent (a RESUME still replays them); see ``flush``."""
        return self.gateway.hold

    @hold_dispatches.setter
    def hold_dispatches(self, value: bool) -> None:
        self.gateway.hold = value

    async def flush(self) -> None:
        """Send dispatches stored while ``hold_dispatches`` was True."""
        await self.gateway.flush()

    @property
    def replay_limit(self) -> int:
        """How many sent dispatches a session keeps beyond what its client acknowledged in a heartbeat.

        Acknowledged dispatches are dropped at once. A RESUME from before a dropped, unacknowledged
        dispatch gets INVALID_SESSION false (Discord can no longer replay it) and the bot identifies anew.
        """
        return self.gateway.replay_limit

    @replay_limit.setter
    def replay_limit(self, value: int) -> None:
        self.gateway.replay_limit = value

    def stored_dispatches(self) -> list[int]:
        """The sequence numbers the live sessions keep for a RESUME to replay, oldest first."""
        return [seq for session in self.gateway.live_sessions() for seq, _event, _data in session.buffer]

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

    async def wait_until_connected(self, timeout: float = 10.0) -> None:
        await self.wait_for(
            lambda: bool(self.gateway.connected_sessions()), timeout=timeout, what="a gateway session"
        )

    @property
    def identify_count(self) -> int:
        return len(self.gateway.identify_payloads)

    @property
    def ready_count(self) -> int:
        return self.gateway.ready_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def heartbeat_count(self) -> int:
        return self.gateway.heartbeat_count

    @property
    def gateway_log(self) -> list[GatewayFrame]:
        return self.gateway.log

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        status: int,
        *,
        retry_after: float = 0.25,
        global_: bool = False,
        code: int | None = None,
        message: str | None = None,
        times: int = 1,
        processed: bool = False,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status``.

        ``path_pattern``: glob on the path after /api/v10 ("/channels/*/messages") or a compiled regex.
        ``processed=True``: the request takes effect first and only the response is lost (tests retries).
        """
        fault = Fault(
            method.upper(), path_pattern, status, retry_after, global_, code, message, times, processed
        )
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, path):
                fault.hits += 1
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

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
        return [c for c in self.calls if method.upper() in ("*", c.method) and _path_matches(pattern, c.path)]

    async def wait_for_call(
        self, method: str, pattern: str | re.Pattern[str], *, count: int = 1, timeout: float = 5.0
    ) -> list[RestCall]:
        await self.wait_for(
            lambda: len(self.calls_to(method, pattern)) >= count,
            timeout=timeout,
            what=f"{count}x {method} {pattern}",
        )
        return self.calls_to(method, pattern)

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

    def find_command(self, name: str, guild: FakeGuild | None = None) -> dict[str, Any]:
        """A synced chat-input command by top-level name: guild commands first, then global."""
        guild = guild or (self.guild if self.guilds else None)
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

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        stored = self.files.get(int(request.match_info["id"])) if request.match_info["id"].isdigit() else None
        if stored is None or stored.filename != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.data, headers={"Content-Type": stored.content_type})

    # ------------------------------------------------------------------ interactions (driving the bot)

    def _resolve_context(
        self,
        user: FakeUser | FakeMember | str | None,
        guild: FakeGuild | None,
        channel: FakeChannel | str | None,
    ) -> tuple[FakeUser, FakeGuild, FakeChannel]:
        if channel is not None:
            chan = self.resolve_channel(channel) if not isinstance(channel, FakeChannel) else channel
            guild = chan.guild
        else:
            guild = guild or self.guild
            chan = (
                self.default_channel if self.default_channel and self.default_channel.guild is guild else None
            )
            if chan is None:
                chan = next(c for c in guild.channels.values() if c.type == 0 and not c.deleted)
        if chan.deleted:
            raise CommandNotAvailable(f"channel #{chan.name} is deleted")
        who = self.resolve_user(user) if user is not None else self.default_user
        if who is None:
            raise LookupError("fakecord: no user given and no default_user")
        if who.id not in guild.members:
            raise CommandNotAvailable(f"{who.username} is not a member of {guild.name}")
        return who, guild, chan

    def _interaction_payload(
        self,
        itype: int,
        who: FakeUser,
        guild: FakeGuild,
        chan: FakeChannel,
        data: dict[str, Any],
        *,
        locale: str,
        permissions: int | None,
        message: FakeMessage | None = None,
    ) -> tuple[int, str, dict[str, Any]]:
        iid = snowflake()
        token = "aW50ZXJhY3Rpb24." + secrets.token_urlsafe(32)
        perms = permissions if permissions is not None else guild.channel_permissions(chan, who)
        member = guild.members[who.id].to_dict()
        member["permissions"] = str(perms)
        channel_data = chan.to_dict()
        channel_data["permissions"] = str(perms)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "guild_id": str(guild.id),
            "channel_id": str(chan.id),
            "channel": channel_data,
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "member": member,
            "locale": locale,
            "guild_locale": guild.locale,
            "app_permissions": str(guild.channel_permissions(chan, self.bot_user)),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "data": data,
        }
        if message is not None:
            payload["message"] = self._message_dict(message)
        return iid, token, payload

    async def _run_interaction(
        self,
        itype: int,
        name: str,
        ctx: tuple[FakeUser, FakeGuild, FakeChannel],
        data: dict[str, Any],
        *,
        locale: str,
        permissions: int | None,
        message: FakeMessage | None = None,
        option_type: int | None = None,
    ) -> InteractionResult:
        who, guild, chan = ctx
        if not self.gateway.live_sessions():
            raise RuntimeError("fakecord: no bot session on the gateway (is the bot running? use run_bot)")
        iid, token, payload = self._interaction_payload(
            itype, who, guild, chan, data, locale=locale, permissions=permissions, message=message
        )
        loop = asyncio.get_running_loop()
        now = loop.time()
        result = InteractionResult(
            server=self,
            id=iid,
            token=token,
            type=itype,
            name=name,
            user_id=who.id,
            guild_id=guild.id,
            channel_id=chan.id,
            created=now,
            deadline=now + self.interaction_deadline,
            payload=payload,
            option_type=option_type,
            source_message=message,
        )
        self.interactions.append(result)
        self._interactions[iid] = result
        self._by_token[token] = result
        task = asyncio.ensure_future(self._watch_deadline(result))
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)
        await self.dispatch("INTERACTION_CREATE", payload)
        while True:
            now = loop.time()
            if result.acknowledged or result.timed_out or result.failed:
                break
            if now >= result.deadline:
                self._mark_timed_out(result)
                break
            limit = result.deadline
            if result.rejected_at is not None:
                grace_end = result.rejected_at + self.error_grace
                if now >= grace_end:
                    result.failed = True
                    self._violate(
                        "unanswered",
                        f"{result.kind} {result.name!r}: the response was rejected (400) and not replaced "
                        f"within {self.error_grace}s, so the user sees 'The application did not respond'",
                    )
                    break
                limit = min(limit, grace_end)
            event = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), max(0.0, limit - now))
        return result

    def _mark_timed_out(self, result: InteractionResult, suffix: str = "") -> None:
        if result.acknowledged or result.timed_out or result.failed:
            return
        result.timed_out = True
        self._violate(
            "autocomplete_unanswered" if result.type == INTERACTION_AUTOCOMPLETE else "unanswered",
            f"{result.kind} {result.name!r} got no accepted response "
            f"within {self.interaction_deadline}s{suffix}",
        )

    async def _watch_deadline(self, result: InteractionResult) -> None:
        await asyncio.sleep(max(0.0, result.deadline - asyncio.get_running_loop().time()))
        self._mark_timed_out(result)

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        who: FakeUser,
        guild: FakeGuild,
        chan: FakeChannel,
        *,
        attachments: Mapping[str, AttachmentSpec] | None = None,
        focused: str | None = None,
        check_permissions: bool = True,
        permissions: int | None = None,
    ) -> tuple[dict[str, Any], int | None]:
        parts = name.split()
        if not parts:
            raise ValueError("empty command name")
        cmd = self.find_command(parts[0], guild)
        if check_permissions and cmd.get("default_member_permissions") is not None:
            needed = int(cmd["default_member_permissions"])
            have = permissions if permissions is not None else guild.channel_permissions(chan, who)
            if needed == 0 or ((have & needed) != needed and not have & Perm.ADMINISTRATOR):
                raise CommandNotAvailable(
                    f"{who.username} lacks default_member_permissions {needed} for /{parts[0]} "
                    "(the Discord client hides the command)"
                )
        nesting, leaf = walk_command(cmd, parts[1:])
        given: dict[str, Any] = dict(options or {})
        for key, spec in (attachments or {}).items():
            given[key] = spec
        builder = OptionBuilder(self, guild, chan, who)
        typed = build_options(builder, leaf, given, focused=focused)
        data: dict[str, Any] = {"id": str(cmd["id"]), "name": cmd["name"], "type": int(cmd.get("type", 1))}
        nested = nest_options(nesting, typed)
        if nested:
            data["options"] = nested
        if builder.resolved:
            data["resolved"] = builder.resolved
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        option_type = None
        if focused is not None:
            option_type = int(next(o["type"] for o in leaf if o["name"] == focused))
        return data, option_type

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: FakeUser | FakeMember | str | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | str | None = None,
        attachments: Mapping[str, AttachmentSpec] | None = None,
        locale: str = "en-US",
        permissions: int | None = None,
        check_permissions: bool = True,
    ) -> InteractionResult:
        """Invoke a synced slash command ("name" or "group sub") as ``user``; wait for the response.

        Option values are typed from the synced schema. Returns when the bot acknowledged, the 3 s
        deadline passed (``timed_out``, violation recorded), or a rejected callback was not retried.
        """
        who, guild, chan = self._resolve_context(user, guild, channel)
        data, _ = self._command_data(
            name,
            options,
            who,
            guild,
            chan,
            attachments=attachments,
            check_permissions=check_permissions,
            permissions=permissions,
        )
        return await self._run_interaction(
            INTERACTION_COMMAND, name, (who, guild, chan), data, locale=locale, permissions=permissions
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        focused: str,
        *,
        user: FakeUser | FakeMember | str | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | str | None = None,
        locale: str = "en-US",
    ) -> list[dict[str, Any]]:
        """Send an autocomplete interaction with ``focused`` as the typed option; return the accepted choices.

        [] when unanswered or rejected (both recorded as violations); ``server.interactions[-1]`` has details.
        """
        who, guild, chan = self._resolve_context(user, guild, channel)
        data, option_type = self._command_data(name, options, who, guild, chan, focused=focused)
        result = await self._run_interaction(
            INTERACTION_AUTOCOMPLETE,
            f"{name} [{focused}]",
            (who, guild, chan),
            data,
            locale=locale,
            permissions=None,
            option_type=option_type,
        )
        return list(result.choices or [])

    async def click(
        self,
        target: FakeMessage | InteractionResult | int,
        custom_id: str | None = None,
        *,
        label: str | None = None,
        user: FakeUser | FakeMember | str | None = None,
        values: Iterable[Any] | None = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        """Click a button / choose select ``values`` on a message (the payload carries that message's id)."""
        msg = self._target_message(target)
        if msg.deleted:
            raise CommandNotAvailable(f"message {msg.id} was deleted")
        comp = msg.find_component(custom_id=custom_id, label=label)
        if comp.get("disabled"):
            raise CommandNotAvailable(f"component {comp.get('custom_id')!r} is disabled")
        ctype = int(comp["type"])
        if ctype == 2 and comp.get("style") in (5, 6):
            raise CommandNotAvailable("link/premium buttons do not create interactions")
        if user is None and msg.ephemeral and msg.interaction_user_id is not None:
            user = self.users[msg.interaction_user_id]
        chan = self.resolve_channel(msg.channel_id)
        who, guild, chan = self._resolve_context(user, None, chan)
        if msg.ephemeral and msg.interaction_user_id not in (None, who.id):
            raise CommandNotAvailable(f"{who.username} cannot see an ephemeral message of another user")
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": ctype}
        if ctype in limits.SELECT_TYPES:
            data.update(self._select_values(comp, values, guild, chan, who))
        elif values is not None:
            raise ValueError("values are only for select menus")
        return await self._run_interaction(
            INTERACTION_COMPONENT,
            str(comp["custom_id"]),
            (who, guild, chan),
            data,
            locale=locale,
            permissions=None,
            message=msg,
        )

    def _select_values(
        self,
        comp: Mapping[str, Any],
        values: Iterable[Any] | None,
        guild: FakeGuild,
        chan: FakeChannel,
        who: FakeUser,
    ) -> dict[str, Any]:
        chosen = list(values or [])
        lo, hi = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
        if not lo <= len(chosen) <= hi:
            raise ValueError(f"select {comp['custom_id']!r} takes {lo}..{hi} values; got {len(chosen)}")
        ctype = int(comp["type"])
        if ctype == 3:
            allowed = [o["value"] for o in comp.get("options") or []]
            for v in chosen:
                if v not in allowed:
                    raise ValueError(f"{v!r} is not an option of select {comp['custom_id']!r} ({allowed})")
            return {"values": chosen}
        builder = OptionBuilder(self, guild, chan, who)
        ids: list[str] = []
        for v in chosen:
            if ctype == 5 or (ctype == 7 and not isinstance(v, FakeRole)):
                u = self.resolve_user(v)
                builder.add_user(u)
                ids.append(str(u.id))
            elif ctype == 6 or isinstance(v, FakeRole):
                r = self.resolve_role(v)
                builder.add_role(r)
                ids.append(str(r.id))
            else:
                c = self.resolve_channel(v)
                builder.add_channel(c)
                ids.append(str(c.id))
        return {"values": ids, "resolved": builder.resolved}

    async def submit_modal(
        self,
        result: InteractionResult,
        values: Mapping[str, str | list[str]],
        *,
        user: FakeUser | FakeMember | str | None = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        """Submit the modal the bot opened in ``result`` (callback type 9); ``values`` by custom_id."""
        if result.modal is None:
            raise ValueError("fakecord: that interaction did not open a modal")
        modal = result.modal
        given = dict(values)
        components: list[dict[str, Any]] = []
        for row in modal.get("components") or []:
            if row.get("type") == 18:
                inner = row.get("component") or {}
                components.append({"type": 18, "component": self._modal_value(inner, given)})
            elif row.get("type") == 1:
                components.append(
                    {
                        "type": 1,
                        "components": [self._modal_value(c, given) for c in row.get("components") or []],
                    }
                )
        if given:
            raise ValueError(f"fakecord: modal has no inputs {sorted(given)}")
        who_value = user if user is not None else self.users[result.user_id]
        chan = self.resolve_channel(result.channel_id)
        who, guild, chan = self._resolve_context(who_value, None, chan)
        data = {"custom_id": modal["custom_id"], "components": components}
        source = result.source_message if result.type == INTERACTION_COMPONENT else None
        return await self._run_interaction(
            INTERACTION_MODAL_SUBMIT,
            str(modal["custom_id"]),
            (who, guild, chan),
            data,
            locale=locale,
            permissions=None,
            message=source,
        )

    @staticmethod
    def _modal_value(comp: Mapping[str, Any], given: dict[str, str | list[str]]) -> dict[str, Any]:
        cid = comp.get("custom_id")
        if comp.get("type") == 4:
            value = given.pop(str(cid), comp.get("value") or "")
            if not isinstance(value, str):
                raise TypeError(f"text input {cid!r} takes a string")
            if comp.get("required", True) and not value:
                raise ValueError(f"text input {cid!r} is required")
            if value and comp.get("min_length") and len(value) < int(comp["min_length"]):
                raise ValueError(f"text input {cid!r} is shorter than min_length")
            if comp.get("max_length") and len(value) > int(comp["max_length"]):
                raise ValueError(f"text input {cid!r} is longer than max_length")
            return {"type": 4, "custom_id": cid, "value": value}
        chosen = given.pop(str(cid), [])
        return {
            "type": comp.get("type"),
            "custom_id": cid,
            "values": [chosen] if isinstance(chosen, str) else chosen,
        }

    def _target_message(self, target: FakeMessage | InteractionResult | int) -> FakeMessage:
        if isinstance(target, FakeMessage):
            return target
        if isinstance(target, InteractionResult):
            if target.message is None:
                raise ValueError("fakecord: that interaction has no response message")
            return target.message
        return self._messages[int(target)]

    def expire_interaction(self, result: InteractionResult) -> None:
        """Make the interaction token expired (as after 15 minutes): follow-ups/edits get 401 50027."""
        result.expired = True

    # ------------------------------------------------------------------ messages (internal)

    def _message_dict(self, msg: FakeMessage) -> dict[str, Any]:
        return msg.to_dict(self.users)

    def _store_message(self, msg: FakeMessage) -> None:
        self.message_log.append(msg)
        self._messages[msg.id] = msg
        self.notify()

    def _files_to_attachments(
        self, payload: Mapping[str, Any], files: list[UploadedFile]
    ) -> list[StoredFile]:
        meta = {str(a.get("id")): a for a in payload.get("attachments") or [] if isinstance(a, dict)}
        out: list[StoredFile] = []
        for index, upload in enumerate(files):
            m = re.fullmatch(r"files\[(\d+)\]", upload.field)
            key = m.group(1) if m else str(index)
            info = meta.get(key, {})
            filename = str(info.get("filename") or upload.filename)
            ctype = mimetypes.guess_type(filename)[0] or upload.content_type or "application/octet-stream"
            stored = self.add_attachment(filename, upload.data, ctype)
            stored.description = info.get("description")
            out.append(stored)
        return out

    def _new_message(
        self,
        *,
        channel: FakeChannel,
        payload: Mapping[str, Any],
        files: list[UploadedFile],
        via: str,
        mtype: int,
        result: InteractionResult | None = None,
        extra_flags: int = 0,
    ) -> FakeMessage:
        flags = int(payload.get("flags") or 0) | extra_flags
        msg = FakeMessage(
            id=snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild.id,
            author=self.bot_user.to_dict(),
            type=mtype,
            content=payload.get("content") or "",
            embeds=copy.deepcopy(payload.get("embeds") or []),
            components=copy.deepcopy(payload.get("components") or []),
            flags=flags,
            attachments=self._files_to_attachments(payload, files),
            tts=bool(payload.get("tts")),
            nonce=str(payload["nonce"]) if payload.get("nonce") is not None else None,
            message_reference=payload.get("message_reference"),
            allowed_mentions=copy.deepcopy(payload.get("allowed_mentions")),
            via=via,
        )
        if result is not None:
            msg.webhook_id = self.application_id
            msg.application_id = self.application_id
            msg.interaction_id = result.id
            msg.interaction_user_id = result.user_id
        msg.record_state()
        self._store_message(msg)
        return msg

    def _apply_edit(self, msg: FakeMessage, payload: Mapping[str, Any], files: list[UploadedFile]) -> None:
        was_loading = msg.loading
        if "content" in payload:
            msg.content = payload.get("content") or ""
        if "embeds" in payload:
            msg.embeds = copy.deepcopy(payload.get("embeds") or [])
        if "components" in payload:
            msg.components = copy.deepcopy(payload.get("components") or [])
        if "allowed_mentions" in payload:
            msg.allowed_mentions = copy.deepcopy(payload.get("allowed_mentions"))
        elif "content" in payload:
            msg.allowed_mentions = None  # re-parsed with Discord's default (everything)
        if payload.get("flags") is not None:
            mutable = limits.FLAG_SUPPRESS_EMBEDS | limits.FLAG_COMPONENTS_V2
            msg.flags = (msg.flags & ~mutable) | (int(payload["flags"]) & mutable)
        if "attachments" in payload or files:
            keep = {str(a.get("id")) for a in payload.get("attachments") or [] if isinstance(a, dict)}
            new = self._files_to_attachments(payload, files)
            msg.attachments = [f for f in msg.attachments if str(f.id) in keep] + new
        msg.flags &= ~limits.FLAG_LOADING
        if not was_loading:
            msg.edited_timestamp = utcnow_iso()
        msg.record_state()
        self.notify()

    async def _announce(self, event: str, msg: FakeMessage) -> None:
        if not self.dispatch_message_events or msg.ephemeral:
            return
        if event == "MESSAGE_DELETE":
            data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if msg.guild_id:
                data["guild_id"] = str(msg.guild_id)
        else:
            data = self._message_dict(msg)
            if msg.guild_id:
                data["guild_id"] = str(msg.guild_id)
                guild = self.guilds.get(msg.guild_id)
                if msg.webhook_id is None and guild is not None and self.bot_user.id in guild.members:
                    data["member"] = guild.members[self.bot_user.id].to_dict(with_user=False)
        await self.dispatch(event, data)

    def _empty(self, payload: Mapping[str, Any], files: list[UploadedFile]) -> bool:
        return not (
            payload.get("content")
            or payload.get("embeds")
            or payload.get("components")
            or files
            or payload.get("sticker_ids")
            or payload.get("poll")
        )

    def _limit_violation(self, req: Req, errors: limits.Errors, what: str) -> Reply:
        detail = "; ".join(str(e) for e in errors)
        self._violate("limit", f"{what}: {detail}", req.method, req.path)
        return Reply(400, limits.error_body(errors))

    def _empty_violation(self, req: Req) -> Reply:
        self._violate("empty_message", "Cannot send an empty message", req.method, req.path)
        return _error(400, 50006, "Cannot send an empty message")

    # ------------------------------------------------------------------ REST dispatch

    def _build_routes(self) -> list[Route]:
        return [
            _r("GET", "/users/@me", self._h_me),
            _r("GET", "/users/{user_id}", self._h_user),
            _r("GET", "/oauth2/applications/@me", self._h_app),
            _r("GET", "/applications/@me", self._h_app),
            _r("GET", "/gateway", self._h_gateway),
            _r("GET", "/gateway/bot", self._h_gateway_bot),
            _r("GET", "/applications/{app}/commands", self._h_get_commands),
            _r("PUT", "/applications/{app}/commands", self._h_put_commands),
            _r("POST", "/applications/{app}/commands", self._h_post_command),
            _r("DELETE", "/applications/{app}/commands/{cmd}", self._h_delete_command),
            _r("GET", "/applications/{app}/guilds/{guild_id}/commands", self._h_get_commands),
            _r("PUT", "/applications/{app}/guilds/{guild_id}/commands", self._h_put_commands),
            _r("POST", "/applications/{app}/guilds/{guild_id}/commands", self._h_post_command),
            _r("DELETE", "/applications/{app}/guilds/{guild_id}/commands/{cmd}", self._h_delete_command),
            _r("POST", "/interactions/{iid}/{token}/callback", self._h_callback, "webhook"),
            _r("POST", "/webhooks/{app}/{token}", self._h_followup, "webhook"),
            _r("GET", "/webhooks/{app}/{token}/messages/{mid}", self._h_webhook_message, "webhook"),
            _r("PATCH", "/webhooks/{app}/{token}/messages/{mid}", self._h_webhook_message, "webhook"),
            _r("DELETE", "/webhooks/{app}/{token}/messages/{mid}", self._h_webhook_message, "webhook"),
            _r("GET", "/channels/{channel_id}", self._h_get_channel),
            _r("GET", "/channels/{channel_id}/messages", self._h_list_messages),
            _r("POST", "/channels/{channel_id}/messages", self._h_post_message),
            _r("GET", "/channels/{channel_id}/messages/{mid}", self._h_channel_message),
            _r("PATCH", "/channels/{channel_id}/messages/{mid}", self._h_channel_message),
            _r("DELETE", "/channels/{channel_id}/messages/{mid}", self._h_channel_message),
            _r("POST", "/channels/{channel_id}/typing", self._h_typing),
            _r("PUT", "/channels/{channel_id}/messages/{mid}/reactions/{emoji}/@me", self._h_reaction),
            _r("DELETE", "/channels/{channel_id}/messages/{mid}/reactions/{emoji}/@me", self._h_reaction),
            _r("GET", "/guilds/{guild_id}", self._h_get_guild),
            _r("GET", "/guilds/{guild_id}/channels", self._h_guild_channels),
            _r("GET", "/guilds/{guild_id}/roles", self._h_guild_roles),
            _r("GET", "/guilds/{guild_id}/members", self._h_guild_members),
            _r("GET", "/guilds/{guild_id}/members/{user_id}", self._h_guild_member),
        ]

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        self._violate(
            "unknown_route",
            f"{request.method} {request.path} is not a Discord URL",
            request.method,
            request.path,
        )
        return self._respond(_error(404, 0, "404: Not Found"))

    @staticmethod
    def _respond(reply: Reply) -> web.Response:
        headers = dict(reply.headers)
        if reply.status == 204 or reply.body is None:
            return web.Response(status=reply.status, headers=headers)
        headers["Content-Type"] = "application/json"  # exactly this: discord.py compares the string
        return web.Response(status=reply.status, body=json.dumps(reply.body).encode(), headers=headers)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[UploadedFile], str | None]:
        files: list[UploadedFile] = []
        if request.content_type == "multipart/form-data":
            payload: Any = None
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, aiohttp.BodyPartReader):
                    continue
                raw = bytes(await part.read(decode=False))
                if part.name == "payload_json":
                    payload = json.loads(raw.decode())
                else:
                    files.append(
                        UploadedFile(
                            str(part.name), part.filename or "file", raw, part.headers.get("Content-Type")
                        )
                    )
            return payload, files, None
        raw_body = await request.read()
        if not raw_body:
            return None, files, None
        try:
            return json.loads(raw_body.decode()), files, None
        except ValueError:
            return None, files, "body is not valid JSON"

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        method = request.method.upper()
        path = "/" + request.match_info["tail"]
        body, files, body_error = await self._read_body(request)
        authorized = request.headers.get("Authorization") == f"Bot {self.token}"
        route, groups = None, {}
        for candidate in self._routes:
            if candidate.method == method:
                m = candidate.pattern.fullmatch(path)
                if m:
                    route, groups = candidate, m.groupdict()
                    break
        fault_used = False
        if request.match_info["version"] not in ("9", "10"):
            reply = _error(404, 0, "404: Not Found")
            self._violate("unknown_route", f"API version v{request.match_info['version']}", method, path)
        elif route is None:
            self._violate("unknown_route", f"{method} {path} is not implemented by the fake", method, path)
            reply = _error(404, 0, "404: Not Found")
        elif route.kind == "bot" and not authorized:
            reply = _error(401, 0, "401: Unauthorized")
        elif body_error:
            reply = _error(400, 50109, "The request body contains invalid JSON.")
        else:
            limited = self._global_limit(route) if authorized else None
            if limited is not None:
                reply = limited
            else:
                fault = self._take_fault(method, path)
                fault_used = fault is not None
                req = Req(method, path, groups, request.query, body, files)
                if fault is not None and not fault.processed:
                    reply = fault.reply()
                else:
                    reply = await self._call_handler(route, req)
                    if fault is not None:
                        reply = fault.reply()
        self.calls.append(
            RestCall(
                method=method,
                path=path,
                query=dict(request.query),
                json=body,
                files=[(f.field, f.filename, f.data) for f in files],
                status=reply.status,
                response=reply.body,
                at=asyncio.get_running_loop().time(),
                authorized=authorized,
                fault=fault_used,
            )
        )
        self.notify()
        return self._respond(reply)

    async def _call_handler(self, route: Route, req: Req) -> Reply:
        """Run a handler; a bug in the fake becomes a 400 (no slow 5xx retries) and a violation."""
        try:
            return await route.handler(req)
        except Exception as exc:
            detail = "".join(traceback.format_exception(exc))
            self._violate(
                "fake_error", f"fakecord crashed handling the request:\n{detail}", req.method, req.path
            )
            return _error(400, 0, f"fakecord internal error: {exc!r}")

    def _global_limit(self, route: Route) -> Reply | None:
        """Optional 50 req/s per token sliding window (interaction/webhook endpoints are exempt)."""
        if self.global_rate_limit is None or route.kind != "bot":
            return None
        now = time.monotonic()
        window = self._global_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.global_rate_limit:
            self.global_429_count += 1
            retry_after = round(max(0.001, window[0] + 1.0 - now), 3)
            return Reply(
                429,
                {
                    "message": "You are being rate limited.",
                    "retry_after": retry_after,
                    "global": True,
                    "code": 0,
                },
                {
                    "Via": "1.1 google",
                    "Retry-After": str(max(1, int(retry_after + 0.999))),
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                },
            )
        window.append(now)
        return None

    def _channel_bucket(self, channel_id: int) -> tuple[Reply | None, dict[str, str]]:
        """Optional per-channel message bucket (``channel_rate_limit = (5, 5.0)``), X-RateLimit-* headers."""
        if self.channel_rate_limit is None:
            return None, {}
        limit, period = self.channel_rate_limit
        now = time.monotonic()
        bucket = self._buckets.get(channel_id)
        if bucket is None or now >= bucket[0]:
            bucket = [now + period, float(limit)]
            self._buckets[channel_id] = bucket
        reset_after = max(0.0, bucket[0] - now)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": "fakecord-channel-messages",
        }
        if bucket[1] <= 0:
            self.route_429_count += 1
            headers.update({"X-RateLimit-Remaining": "0", "Via": "1.1 google", "X-RateLimit-Scope": "user"})
            body = {
                "message": "You are being rate limited.",
                "retry_after": round(reset_after, 3),
                "global": False,
            }
            return Reply(429, body, headers), headers
        bucket[1] -= 1
        headers["X-RateLimit-Remaining"] = str(int(bucket[1]))
        return None, headers

    # ------------------------------------------------------------------ REST handlers: identity

    async def _h_me(self, req: Req) -> Reply:
        return Reply(
            200, {**self.bot_user.to_dict(), "verified": True, "mfa_enabled": False, "locale": "en-US"}
        )

    async def _h_user(self, req: Req) -> Reply:
        uid = req.groups["user_id"]
        if not uid.isdigit() or int(uid) not in self.users:
            return _error(404, 10013, "Unknown User")
        return Reply(200, self.users[int(uid)].to_dict())

    async def _h_app(self, req: Req) -> Reply:
        return Reply(
            200,
            {
                "id": str(self.application_id),
                "name": self.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.app_owner.to_dict(),
                "verify_key": "0" * 64,
                "team": None,
                "flags": 0,
                "hook": True,
                "interactions_endpoint_url": None,
                "bot": self.bot_user.to_dict(),
                "approximate_guild_count": len(self.guilds),
            },
        )

    async def _h_gateway(self, req: Req) -> Reply:
        return Reply(200, {"url": self.gateway_url.rstrip("/")})

    async def _h_gateway_bot(self, req: Req) -> Reply:
        return Reply(
            200,
            {
                "url": self.gateway_url.rstrip("/"),
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            },
        )

    # ------------------------------------------------------------------ REST handlers: commands

    def _command_scope(self, req: Req) -> tuple[int | None, Reply | None]:
        if req.groups.get("app") != str(self.application_id):
            return None, _error(403, 50001, "Missing Access")
        gid_raw = req.groups.get("guild_id")
        if gid_raw is None:
            return None, None
        if not gid_raw.isdigit() or int(gid_raw) not in self.guilds:
            return None, _error(404, 10004, "Unknown Guild")
        return int(gid_raw), None

    def _store_command(
        self, gid: int | None, cmd: Mapping[str, Any], previous: Mapping[str, dict[str, Any]]
    ) -> dict[str, Any]:
        key = f"{int(cmd.get('type', 1))}:{cmd['name']}"
        old = previous.get(key)
        stored = copy.deepcopy(dict(cmd))
        stored.setdefault("type", 1)
        stored.setdefault("options", [])
        dmp = stored.get("default_member_permissions")
        stored["default_member_permissions"] = (
            str(dmp) if dmp is not None else None
        )  # Discord answers a string
        stored.setdefault("nsfw", False)
        stored["id"] = old["id"] if old else str(snowflake())
        stored["application_id"] = str(self.application_id)
        stored["version"] = str(snowflake())
        if gid is not None:
            stored["guild_id"] = str(gid)
        else:
            stored.pop("guild_id", None)
        return stored

    async def _h_put_commands(self, req: Req) -> Reply:
        gid, err = self._command_scope(req)
        if err:
            return err
        errors = limits.Errors()
        limits.validate_commands(req.json, errors)
        if errors:
            detail = "; ".join(str(e) for e in errors)
            self._violate("command_schema", detail, req.method, req.path)
            return Reply(400, limits.error_body(errors))
        previous = self.commands.get(gid, {})
        new: dict[str, dict[str, Any]] = {}
        for cmd in req.json:
            stored = self._store_command(gid, cmd, previous)
            new[f"{stored['type']}:{stored['name']}"] = stored
        self.commands[gid] = new
        self.sync_count += 1
        self.notify()
        return Reply(200, list(copy.deepcopy(new).values()))

    async def _h_post_command(self, req: Req) -> Reply:
        gid, err = self._command_scope(req)
        if err:
            return err
        errors = limits.Errors()
        limits.validate_command(req.json, errors, path=())
        if errors:
            self._violate("command_schema", "; ".join(str(e) for e in errors), req.method, req.path)
            return Reply(400, limits.error_body(errors))
        current = self.commands.setdefault(gid, {})
        stored = self._store_command(gid, req.json, current)
        key = f"{stored['type']}:{stored['name']}"
        existed = key in current
        current[key] = stored
        self.notify()
        return Reply(200 if existed else 201, copy.deepcopy(stored))

    async def _h_delete_command(self, req: Req) -> Reply:
        gid, err = self._command_scope(req)
        if err:
            return err
        current = self.commands.get(gid, {})
        for key, cmd in list(current.items()):
            if cmd["id"] == req.groups["cmd"]:
                del current[key]
                return Reply(204)
        return _error(404, 10063, "Unknown application command")

    async def _h_get_commands(self, req: Req) -> Reply:
        gid, err = self._command_scope(req)
        if err:
            return err
        return Reply(200, self.synced_commands(gid))

    # ------------------------------------------------------------------ REST handlers: interactions

    async def _h_callback(self, req: Req) -> Reply:
        iid = req.groups["iid"]
        result = self._interactions.get(int(iid)) if iid.isdigit() else None
        if result is None or result.token != req.groups["token"]:
            self._violate(
                "unknown_interaction", f"callback for unknown interaction {iid}", req.method, req.path
            )
            return _error(404, 10062, "Unknown interaction")
        result.callback_calls += 1
        body = req.json if isinstance(req.json, dict) else {}
        ctype = body.get("type")
        now = asyncio.get_running_loop().time()
        if result.acknowledged:
            self._violate(
                "double_ack",
                f"second callback (type {ctype}) for {result.kind} {result.name!r} "
                f"(first was {result.response_type})",
                req.method,
                req.path,
            )
            return _error(400, 40060, "Interaction has already been acknowledged.")
        if now > result.deadline or result.expired:
            self._violate(
                "late_callback",
                f"callback type {ctype} for {result.kind} {result.name!r} after {now - result.created:.2f}s "
                f"(deadline {self.interaction_deadline}s)",
                req.method,
                req.path,
            )
            return _error(404, 10062, "Unknown interaction")
        allowed = set(_ALLOWED_CALLBACKS.get(result.type, set()))
        if result.type == INTERACTION_MODAL_SUBMIT and result.source_message is None:
            allowed -= {6, 7}
        if ctype not in allowed:
            self._violate(
                "bad_callback",
                f"callback type {ctype} is not valid for a {result.kind} interaction "
                f"(allowed {sorted(allowed)})",
                req.method,
                req.path,
            )
            self._rejected(result, now)
            errors = limits.Errors()
            errors.add(
                ("type",),
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Interaction response type {ctype} is invalid here",
            )
            return Reply(400, limits.error_body(errors))
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        errors = limits.Errors()
        if ctype in (4, 7):
            limits.validate_message(
                data, errors, prefix=("data",), files=len(req.files), edit=ctype == 7, interaction=True
            )
        elif ctype == 8:
            limits.validate_choices(
                data.get("choices"), result.option_type, errors, prefix=("data", "choices")
            )
        elif ctype == 9:
            limits.validate_modal(data, errors, prefix=("data",))
        if errors:
            self._rejected(result, now)
            result.callback_error = limits.error_body(errors)
            if ctype == 8:
                result.rejected_choices = data.get("choices")
            return self._limit_violation(
                req, errors, f"callback type {ctype} for {result.kind} {result.name!r}"
            )
        if ctype == 4 and self._empty(data, req.files):
            self._rejected(result, now)
            return self._empty_violation(req)
        chan = self.resolve_channel(result.channel_id)
        msg: FakeMessage | None = None
        if ctype == 4:
            mtype = 20 if result.type == INTERACTION_COMMAND else 0
            msg = self._new_message(
                channel=chan, payload=data, files=req.files, via="response", mtype=mtype, result=result
            )
        elif ctype == 5:
            flags = limits.FLAG_LOADING | (int(data.get("flags") or 0) & limits.FLAG_EPHEMERAL)
            mtype = 20 if result.type == INTERACTION_COMMAND else 0
            msg = self._new_message(
                channel=chan, payload={"flags": flags}, files=[], via="response", mtype=mtype, result=result
            )
        elif ctype in (6, 7):
            msg = result.source_message
            if ctype == 7 and msg is not None:
                self._apply_edit(msg, data, req.files)
        elif ctype == 8:
            result.choices = list(data.get("choices") or [])
        elif ctype == 9:
            result.modal = copy.deepcopy(data)
        result.response_type = int(ctype)
        result.responded_at = now
        result.callback_status = 204 if ctype in (1, 8) else 200
        if ctype in (4, 5, 6, 7):
            result.message = msg
        self.notify()
        if msg is not None and ctype in (4, 7):
            await self._announce("MESSAGE_CREATE" if ctype == 4 else "MESSAGE_UPDATE", msg)
        if ctype in (1, 8) or req.query.get("with_response") not in ("1", "true", "True"):
            return Reply(204)
        envelope: dict[str, Any] = {"interaction": {"id": str(result.id), "type": result.type}}
        if msg is not None:
            envelope["interaction"].update(
                {
                    "response_message_id": str(msg.id),
                    "response_message_loading": msg.loading,
                    "response_message_ephemeral": msg.ephemeral,
                }
            )
            if ctype in (4, 5, 7):
                envelope["resource"] = {"type": ctype, "message": self._message_dict(msg)}
        return Reply(200, envelope)

    def _rejected(self, result: InteractionResult, now: float) -> None:
        """A 400 on a callback; autocomplete cannot usefully retry, so it has failed for the user."""
        result.callback_status = 400
        if result.rejected_at is None:
            result.rejected_at = now
        if result.type == INTERACTION_AUTOCOMPLETE:
            result.failed = True
        self.notify()

    def _webhook_interaction(self, req: Req) -> tuple[InteractionResult | None, Reply | None]:
        result = self._by_token.get(req.groups["token"])
        if req.groups["app"] != str(self.application_id) or result is None:
            self._violate(
                "unknown_webhook",
                "webhook token is not an interaction token of this app",
                req.method,
                req.path,
            )
            return None, _error(404, 10015, "Unknown Webhook")
        age = asyncio.get_running_loop().time() - result.created
        if result.expired or age > self.token_lifetime:
            self._violate(
                "expired_token",
                f"interaction token of {result.name!r} used after expiry",
                req.method,
                req.path,
            )
            return None, _error(401, 50027, "Invalid Webhook Token")
        if not result.acknowledged:
            self._violate(
                "followup_before_ack",
                f"webhook call for {result.name!r} before the interaction was acknowledged",
                req.method,
                req.path,
            )
            return None, _error(404, 10015, "Unknown Webhook")
        return result, None

    async def _h_followup(self, req: Req) -> Reply:
        result, err = self._webhook_interaction(req)
        if err or result is None:
            return err or _error(404, 10015, "Unknown Webhook")
        payload = req.json if isinstance(req.json, dict) else {}
        errors = limits.Errors()
        limits.validate_message(payload, errors, files=len(req.files), interaction=True)
        if errors:
            return self._limit_violation(req, errors, f"follow-up for {result.name!r}")
        if self._empty(payload, req.files):
            return self._empty_violation(req)
        original = result.message
        if original is not None and original.loading and result.response_type == 5:
            # Discord: the first follow-up after a type-5 defer edits the loading message instead.
            self._apply_edit(original, payload, req.files)
            msg = original
            await self._announce("MESSAGE_UPDATE", msg)
        else:
            chan = self.resolve_channel(result.channel_id)
            msg = self._new_message(
                channel=chan, payload=payload, files=req.files, via="followup", mtype=0, result=result
            )
            result.followups.append(msg)
            self.notify()
            await self._announce("MESSAGE_CREATE", msg)
        if req.query.get("wait") in ("0", "false", "False"):
            return Reply(204)
        return Reply(200, self._message_dict(msg))

    async def _h_webhook_message(self, req: Req) -> Reply:
        result, err = self._webhook_interaction(req)
        if err or result is None:
            return err or _error(404, 10015, "Unknown Webhook")
        mid = req.groups["mid"]
        msg: FakeMessage | None
        if mid == "@original":
            msg = result.message
        else:
            msg = next(
                (m for m in [result.message, *result.followups] if m is not None and str(m.id) == mid), None
            )
        if msg is None or msg.deleted:
            return _error(404, 10008, "Unknown Message")
        if req.method == "GET":
            return Reply(200, self._message_dict(msg))
        if req.method == "DELETE":
            msg.deleted = True
            msg.record_state()
            self.notify()
            await self._announce("MESSAGE_DELETE", msg)
            return Reply(204)
        payload = req.json if isinstance(req.json, dict) else {}
        errors = limits.Errors()
        limits.validate_message(payload, errors, files=len(req.files), edit=True, interaction=True)
        if errors:
            return self._limit_violation(req, errors, f"edit of {mid} for {result.name!r}")
        self._apply_edit(msg, payload, req.files)
        await self._announce("MESSAGE_UPDATE", msg)
        return Reply(200, self._message_dict(msg))

    # ------------------------------------------------------------------ REST handlers: channels

    def _channel(self, req: Req) -> tuple[FakeChannel | None, Reply | None]:
        raw = req.groups["channel_id"]
        if raw.isdigit():
            for guild in self.guilds.values():
                channel = guild.channels.get(int(raw))
                if channel is not None and not channel.deleted:
                    return channel, None
        return None, _error(404, 10003, "Unknown Channel")

    def _bot_perms(self, channel: FakeChannel) -> int:
        return channel.guild.channel_permissions(channel, self.bot_user)

    async def _h_get_channel(self, req: Req) -> Reply:
        channel, err = self._channel(req)
        if err or channel is None:
            return err or _error(404, 10003, "Unknown Channel")
        if not self._bot_perms(channel) & Perm.VIEW_CHANNEL:
            return _error(403, 50001, "Missing Access")
        return Reply(200, channel.to_dict())

    async def _h_post_message(self, req: Req) -> Reply:
        channel, err = self._channel(req)
        if err or channel is None:
            return err or _error(404, 10003, "Unknown Channel")
        perms = self._bot_perms(channel)
        payload = req.json if isinstance(req.json, dict) else {}
        if not perms & Perm.VIEW_CHANNEL:
            return _error(403, 50001, "Missing Access")
        if not perms & Perm.SEND_MESSAGES:
            return _error(403, 50013, "Missing Permissions")
        if payload.get("embeds") and not perms & Perm.EMBED_LINKS:
            return _error(403, 50013, "Missing Permissions")
        if req.files and not perms & Perm.ATTACH_FILES:
            return _error(403, 50013, "Missing Permissions")
        limited, rl_headers = self._channel_bucket(channel.id)
        if limited is not None:
            return limited
        errors = limits.Errors()
        limits.validate_message(payload, errors, files=len(req.files))
        ref = payload.get("message_reference")
        if isinstance(ref, dict) and ref.get("message_id") is not None:
            target = self._messages.get(int(ref["message_id"]))
            if (target is None or target.deleted) and ref.get("fail_if_not_exists", True):
                errors.add(("message_reference",), "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
        if errors:
            reply = self._limit_violation(req, errors, f"message to #{channel.name}")
            reply.headers.update(rl_headers)
            return reply
        if self._empty(payload, req.files):
            return self._empty_violation(req)
        nonce = payload.get("nonce")
        now = time.monotonic()
        if nonce is not None and payload.get("enforce_nonce"):
            key = (channel.id, self.bot_user.id, str(nonce))
            seen = self._nonces.get(key)
            if seen is not None and now - seen[1] <= self.nonce_window:
                return Reply(200, self._message_dict(seen[0]), rl_headers)
        mtype = 19 if isinstance(ref, dict) else 0
        msg = self._new_message(channel=channel, payload=payload, files=req.files, via="channel", mtype=mtype)
        if nonce is not None and payload.get("enforce_nonce"):
            self._nonces[(channel.id, self.bot_user.id, str(nonce))] = (msg, now)
        await self._announce("MESSAGE_CREATE", msg)
        return Reply(200, self._message_dict(msg), rl_headers)

    async def _h_list_messages(self, req: Req) -> Reply:
        channel, err = self._channel(req)
        if err or channel is None:
            return err or _error(404, 10003, "Unknown Channel")
        perms = self._bot_perms(channel)
        if not perms & Perm.VIEW_CHANNEL:
            return _error(403, 50001, "Missing Access")
        if not perms & Perm.READ_MESSAGE_HISTORY:
            return Reply(200, [])
        msgs = self.messages_in(channel)
        limit = max(1, min(100, int(req.query.get("limit", "50"))))
        if "before" in req.query:
            msgs = [m for m in msgs if m.id < int(req.query["before"])]
        if "after" in req.query:
            msgs = [m for m in msgs if m.id > int(req.query["after"])][:limit]
        if "around" in req.query:
            around = int(req.query["around"])
            older = [m for m in msgs if m.id <= around][-(limit // 2 + 1) :]
            newer = [m for m in msgs if m.id > around][: limit // 2]
            msgs = older + newer
        msgs = sorted(msgs, key=lambda m: m.id, reverse=True)[:limit]
        return Reply(200, [self._message_dict(m) for m in msgs])

    async def _h_channel_message(self, req: Req) -> Reply:
        channel, err = self._channel(req)
        if err or channel is None:
            return err or _error(404, 10003, "Unknown Channel")
        perms = self._bot_perms(channel)
        if not perms & Perm.VIEW_CHANNEL:
            return _error(403, 50001, "Missing Access")
        mid = req.groups["mid"]
        msg = self._messages.get(int(mid)) if mid.isdigit() else None
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
            return _error(404, 10008, "Unknown Message")
        own = msg.author.get("id") == str(self.bot_user.id) and msg.webhook_id is None
        if req.method == "GET":
            if not perms & Perm.READ_MESSAGE_HISTORY:
                return _error(403, 50001, "Missing Access")
            return Reply(200, self._message_dict(msg))
        if req.method == "DELETE":
            if not own and not perms & Perm.MANAGE_MESSAGES:
                return _error(403, 50013, "Missing Permissions")
            msg.deleted = True
            msg.record_state()
            self.notify()
            await self._announce("MESSAGE_DELETE", msg)
            return Reply(204)
        if not own:
            return _error(403, 50005, "Cannot edit a message authored by another user")
        payload = req.json if isinstance(req.json, dict) else {}
        if payload.get("embeds") and not perms & Perm.EMBED_LINKS:
            return _error(403, 50013, "Missing Permissions")
        errors = limits.Errors()
        limits.validate_message(payload, errors, files=len(req.files), edit=True)
        if errors:
            return self._limit_violation(req, errors, f"edit of message {msg.id}")
        self._apply_edit(msg, payload, req.files)
        await self._announce("MESSAGE_UPDATE", msg)
        return Reply(200, self._message_dict(msg))

    async def _h_typing(self, req: Req) -> Reply:
        channel, err = self._channel(req)
        if err or channel is None:
            return err or _error(404, 10003, "Unknown Channel")
        if not self._bot_perms(channel) & Perm.SEND_MESSAGES:
            return _error(403, 50013, "Missing Permissions")
        return Reply(204)

    async def _h_reaction(self, req: Req) -> Reply:
        channel, err = self._channel(req)
        if err or channel is None:
            return err or _error(404, 10003, "Unknown Channel")
        perms = self._bot_perms(channel)
        if not perms & Perm.READ_MESSAGE_HISTORY or (req.method == "PUT" and not perms & Perm.ADD_REACTIONS):
            return _error(403, 50013, "Missing Permissions")
        mid = req.groups["mid"]
        if not mid.isdigit() or int(mid) not in self._messages:
            return _error(404, 10008, "Unknown Message")
        return Reply(204)

    # ------------------------------------------------------------------ REST handlers: guilds

    def _guild(self, req: Req) -> tuple[FakeGuild | None, Reply | None]:
        raw = req.groups["guild_id"]
        if raw.isdigit() and int(raw) in self.guilds:
            return self.guilds[int(raw)], None
        return None, _error(404, 10004, "Unknown Guild")

    async def _h_get_guild(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or _error(404, 10004, "Unknown Guild")
        data = guild.to_dict(full=False)
        data["approximate_member_count"] = len(guild.members)
        return Reply(200, data)

    async def _h_guild_channels(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or _error(404, 10004, "Unknown Guild")
        return Reply(200, [c.to_dict() for c in guild.channels.values() if not c.deleted])

    async def _h_guild_roles(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or _error(404, 10004, "Unknown Guild")
        return Reply(200, [r.to_dict() for r in guild.roles.values()])

    async def _h_guild_members(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or _error(404, 10004, "Unknown Guild")
        limit = max(1, min(1000, int(req.query.get("limit", "1"))))
        after = int(req.query.get("after", "0"))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)[:limit]
        return Reply(200, [m.to_dict() for m in members])

    async def _h_guild_member(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or _error(404, 10004, "Unknown Guild")
        raw = req.groups["user_id"]
        if not raw.isdigit() or int(raw) not in guild.members:
            return _error(404, 10007, "Unknown Member")
        return Reply(200, guild.members[int(raw)].to_dict())
