"""The fake gateway: HELLO, heartbeats, IDENTIFY/READY/GUILD_CREATE, RESUME with replay, controls."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import GatewayFrame, shard_of

if TYPE_CHECKING:
    from .state import ServerState

#: Close codes after which discord.py stops (it raises ConnectionClosed / PrivilegedIntentsRequired).
FATAL_CLOSE_CODES = frozenset({4004, 4010, 4011, 4012, 4013, 4014})
#: Close codes after which the session cannot be resumed (the next RESUME gets INVALID_SESSION false).
NON_RESUMABLE_CLOSE_CODES = FATAL_CLOSE_CODES | {4007, 4009}
#: Default for ``FakeDiscord.replay_limit``: dispatches a session keeps beyond what its client acknowledged.
REPLAY_LIMIT = 1000

#: Events whose guild is their ``id`` (every other guild event carries ``guild_id``).
GUILD_ID_IS_ID = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})

Dispatch = tuple[int, str, Any]  # (seq, event name, data)
Shard = tuple[int, int]  # (shard_id, shard_count)
UNSHARDED: Shard = (0, 1)


def event_guild_id(event: str, data: Any) -> int | None:
    """The guild a dispatch belongs to, or None (Discord sends those, e.g. DMs, on shard 0)."""
    if not isinstance(data, dict):
        return None
    raw = data.get("id") if event in GUILD_ID_IS_ID else data.get("guild_id")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def identify_shard(raw: object) -> Shard | None:
    """IDENTIFY's ``shard`` field as (shard_id, shard_count); UNSHARDED when absent; None when invalid.

    Valid: two whole numbers with ``0 <= shard_id < shard_count`` (Discord closes with 4010 otherwise).
    """
    if raw is None:
        return UNSHARDED
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        return None
    shard_id, count = raw
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (shard_id, count)):
        return None
    if count < 1 or not 0 <= shard_id < count:
        return None
    return shard_id, count


@dataclass(eq=False)
class Session:
    """A gateway session: its sequence, the dispatches kept for replay, its live connection.

    ``buffer`` holds, oldest first, the dispatches newer than ``acked`` (the sequence number the
    client last reported in a heartbeat or RESUME), at most ``replay_limit`` of them once sent.
    ``lost`` is the newest dispatch dropped before it was acknowledged: a RESUME from before it
    cannot be replayed and gets INVALID_SESSION false, as on Discord.
    """

    id: str
    token: str
    intents: int
    seq: int = 0
    buffer: deque[Dispatch] = field(default_factory=deque)
    acked: int = 0
    lost: int = 0
    conn: Connection | None = None
    alive: bool = True
    resumes: int = 0
    shard: Shard = UNSHARDED

    def holds(self, guild_id: int | None) -> bool:
        """True when this session's shard carries the guild's events (no guild: shard 0)."""
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else shard_of(guild_id, count) == shard_id

    def after(self, seq: int) -> list[Dispatch]:
        """The stored dispatches newer than ``seq``, oldest first (read back from the newest)."""
        newer: list[Dispatch] = []
        for item in reversed(self.buffer):
            if item[0] <= seq:
                break
            newer.append(item)
        newer.reverse()
        return newer

    def acknowledge(self, seq: object) -> None:
        """The client has everything up to ``seq``: forget it."""
        if isinstance(seq, int) and not isinstance(seq, bool):
            self.acked = max(self.acked, min(seq, self.seq))
        while self.buffer and self.buffer[0][0] <= self.acked:
            self.buffer.popleft()

    def trim(self, limit: int) -> None:
        """Keep at most ``limit`` dispatches, but never drop one the live connection has not been sent."""
        sent = self.conn.last_sent if self.conn is not None else self.seq
        while len(self.buffer) > limit and self.buffer[0][0] <= sent:
            seq = self.buffer.popleft()[0]
            if seq > self.acked:
                self.lost = seq


@dataclass(eq=False)
class Connection:
    """One websocket connection."""

    id: int
    ws: web.WebSocketResponse
    path: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    session: Session | None = None
    last_sent: int = 0
    heartbeats: int = 0
    closed_by_server: int | None = None


class Gateway:
    """Gateway state and behaviour; the public controls are forwarded by FakeDiscord (live.py)."""

    def __init__(self, server: ServerState) -> None:
        self.server = server
        self.sessions: dict[str, Session] = {}
        self.connections: dict[int, Connection] = {}
        self.log: list[GatewayFrame] = []
        self.identify_payloads: list[dict[str, Any]] = []
        self.resume_payloads: list[dict[str, Any]] = []
        self.ready_count = 0
        self.resume_count = 0
        self.attach_count = 0
        self.heartbeat_count = 0
        self.close_codes: list[int | None] = []
        self.hold = False
        self.replay_limit = REPLAY_LIMIT
        self._next_conn = 0
        self._bucket_identified: dict[int, float] = {}  # rate-limit key -> when it last identified

    # ------------------------------------------------------------------ helpers

    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.alive]

    def connected_sessions(self) -> list[Session]:
        return [s for s in self.live_sessions() if s.conn is not None]

    def sessions_for(self, guild_id: int | None) -> list[Session]:
        """The live sessions whose shard carries ``guild_id``'s events."""
        return [s for s in self.live_sessions() if s.holds(guild_id)]

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    async def _send(self, conn: Connection, payload: dict[str, Any]) -> None:
        """Send one frame (caller holds conn.lock)."""
        if conn.ws.closed:
            return
        self.log.append(
            GatewayFrame(
                "send",
                conn.id,
                payload.get("op"),
                payload.get("t"),
                payload.get("s"),
                payload.get("d"),
                self._now(),
            )
        )
        try:
            await conn.ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError):
            return

    async def _send_op(self, conn: Connection, payload: dict[str, Any]) -> None:
        async with conn.lock:
            await self._send(conn, payload)

    def _append(self, session: Session, event: str, data: Any) -> int:
        session.seq += 1
        session.buffer.append((session.seq, event, data))
        session.trim(self.replay_limit)
        return session.seq

    async def _send_stored(self, conn: Connection, session: Session) -> None:
        """Send the stored dispatches newer than what ``conn`` has seen, in order (caller holds conn.lock).

        Dispatches stored while this sends are sent too.
        """
        while newer := session.after(conn.last_sent):
            for seq, event, data in newer:
                await self._send(conn, {"op": 0, "t": event, "s": seq, "d": data})
                conn.last_sent = seq

    async def _flush(self, conn: Connection) -> None:
        """Send every stored dispatch newer than what this connection has seen, in order."""
        async with conn.lock:
            if conn.session is not None:
                await self._send_stored(conn, conn.session)

    async def dispatch(self, event: str, data: Any) -> int:
        """Store and send a dispatch to every live session of its guild's shard; returns how many got it."""
        sessions = self.sessions_for(event_guild_id(event, data))
        for session in sessions:
            self._append(session, event, data)
        if not self.hold:
            await self.flush()
        return len(sessions)

    async def flush(self) -> None:
        """Send stored dispatches to every connected session."""
        for session in self.connected_sessions():
            if session.conn is not None:
                await self._flush(session.conn)

    # ------------------------------------------------------------------ the socket

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for ``/`` and ``/resume`` (query v/encoding/compress accepted and ignored)."""
        ws = web.WebSocketResponse(max_msg_size=0, autoclose=True, autoping=True)
        await ws.prepare(request)
        self._next_conn += 1
        conn = Connection(id=self._next_conn, ws=ws, path=request.path_qs)
        self.connections[conn.id] = conn
        try:
            await self._send_op(
                conn,
                {
                    "op": 10,
                    "d": {"heartbeat_interval": self.server.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                },
            )
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        frame = json.loads(msg.data)
                    except ValueError:
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                        break
                    await self._on_frame(conn, frame)
                elif msg.type == WSMsgType.BINARY:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
        finally:
            self._on_disconnect(conn)
        return ws

    def _on_disconnect(self, conn: Connection) -> None:
        self.connections.pop(conn.id, None)
        code = conn.ws.close_code
        self.close_codes.append(code)
        session = conn.session
        if session is not None and session.conn is conn:
            session.conn = None
            if conn.closed_by_server is None and code in (1000, 1001):
                # A client-initiated normal close ends the session (Discord docs).
                session.alive = False
        self.server.notify()

    async def _on_frame(self, conn: Connection, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        data = frame.get("d")
        self.log.append(GatewayFrame("recv", conn.id, op, None, None, data, self._now()))
        if op == 1:
            conn.heartbeats += 1
            self.heartbeat_count += 1
            if conn.session is not None:
                conn.session.acknowledge(data)
            await self._send_op(conn, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif op == 8:
            await self._request_members(conn, data or {})
        elif op in (3, 4, 31):
            pass  # presence / voice state / soundboard: accepted, recorded in the log
        else:
            conn.closed_by_server = 4001
            await conn.ws.close(code=4001, message=b"Unknown opcode.")
        self.server.notify()

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        self.identify_payloads.append(data)
        if conn.session is not None:
            conn.closed_by_server = 4005
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if data.get("token") != self.server.token:
            conn.closed_by_server = 4004
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents") or 0)
        if intents & self.server.disallowed_intents:
            conn.closed_by_server = 4014
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = identify_shard(data.get("shard"))
        if shard is None:
            conn.closed_by_server = 4010
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        session = Session(
            id=secrets.token_hex(16), token=str(data["token"]), intents=intents, shard=shard
        )
        guilds = [g for g in self.server.bot_guilds() if session.holds(g.id)]
        if len(guilds) > self.server.max_guilds_per_shard:
            conn.closed_by_server = 4011
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        if not self._identify_allowed(shard):
            await self._send_op(conn, {"op": 9, "d": False, "s": None, "t": None})
            return
        self._note_duplicate_shard(session)
        self.sessions[session.id] = session
        session.conn = conn
        conn.session = session
        conn.last_sent = 0
        ready = {
            "v": 10,
            "user": {**self.server.bot_user.to_dict(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.server.resume_gateway_url,
            "application": {"id": str(self.server.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }
        if data.get("shard") is not None:
            ready["shard"] = list(shard)
        self._append(session, "READY", ready)
        for guild in guilds:
            self._append(session, "GUILD_CREATE", self.server.guild_create_payload(guild))
        self.ready_count += 1
        self.attach_count += 1
        await self._flush(conn)

    def _identify_allowed(self, shard: Shard) -> bool:
        """Whether the IDENTIFY rate limit lets ``shard`` start a session now (and count it if so).

        Discord lets ``max_concurrency`` sessions start per ``identify_interval`` (5 s), one per
        rate-limit key ``shard_id % max_concurrency``; beyond that it answers op 9 INVALID_SESSION.
        Enforced only when ``server.identify_interval`` is set; a refusal is an ``identify_rate`` violation.
        """
        interval = self.server.identify_interval
        key = shard[0] % max(1, self.server.max_concurrency)
        now = self._now()
        last = self._bucket_identified.get(key)
        if interval is not None and last is not None and now - last < interval:
            self.server._violate(
                "identify_rate",
                f"IDENTIFY of shard {list(shard)} {now - last:.2f}s after another of rate-limit key {key} "
                f"(max_concurrency {self.server.max_concurrency}: one per {interval:g}s per key)",
            )
            return False
        self._bucket_identified[key] = now
        return True

    def _note_duplicate_shard(self, new: Session) -> None:
        """Two connected sessions carrying the same guilds: allowed by Discord (both get every event,
        so a bot run twice answers twice), recorded as a ``duplicate_shard`` violation."""
        for other in self.connected_sessions():
            overlap = [g.id for g in self.server.guilds.values() if other.holds(g.id) and new.holds(g.id)]
            if other.shard == new.shard or overlap:
                self.server._violate(
                    "duplicate_shard",
                    f"shard {list(new.shard)} identified while a session on shard {list(other.shard)} is "
                    f"connected: {len(overlap)} guild(s) get every event twice",
                )
                return

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        self.resume_payloads.append(data)
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.alive or data.get("token") != session.token:
            await self._send_op(conn, {"op": 9, "d": False, "s": None, "t": None})
            return
        old = session.conn
        if old is not None and old is not conn:
            old.session = None
            old.closed_by_server = 4000
            session.conn = None
            await old.ws.close(code=4000, message=b"Session resumed elsewhere.")
        seq = int(data.get("seq") or 0)
        session.acknowledge(seq)
        session.trim(self.replay_limit)  # nothing is in flight now: the limit holds
        if seq < session.lost:  # what the client missed is no longer kept
            session.alive = False
            await self._send_op(conn, {"op": 9, "d": False, "s": None, "t": None})
            return
        session.conn = conn
        conn.session = session
        conn.last_sent = seq
        async with conn.lock:
            await self._send_stored(conn, session)
            session.seq += 1
            conn.last_sent = session.seq
            await self._send(conn, {"op": 0, "t": "RESUMED", "s": session.seq, "d": {}})
        session.resumes += 1
        self.resume_count += 1
        self.attach_count += 1
        await self._flush(conn)

    async def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        session = conn.session
        if session is None:
            return
        raw = data.get("guild_id")
        guild_ids = raw if isinstance(raw, list) else [raw]
        query = str(data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        user_ids = {int(u) for u in (data.get("user_ids") or [])} if data.get("user_ids") else None
        if isinstance(data.get("user_ids"), str | int):
            user_ids = {int(data["user_ids"])}
        for gid in guild_ids:
            guild = self.server.guilds.get(int(gid))
            if guild is None or not session.holds(guild.id):
                continue
            members = [
                m
                for m in guild.members.values()
                if (user_ids is None or m.id in user_ids) and m.user.username.lower().startswith(query)
            ]
            if limit:
                members = members[:limit]
            chunk: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [m.to_dict() for m in members],
                "chunk_index": 0,
                "chunk_count": 1,
                "presences": [],
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            self._append(session, "GUILD_MEMBERS_CHUNK", chunk)
        await self._flush(conn)

    # ------------------------------------------------------------------ controls

    async def reconnect(self, *, wait: bool, timeout: float) -> None:
        targets = self.connected_sessions()
        before = {s.id: s.resumes for s in targets}
        for session in targets:
            if session.conn is not None:
                await self._send_op(session.conn, {"op": 7, "d": None, "s": None, "t": None})
        if wait:
            await self.server.wait_for(
                lambda: all(s.resumes > before[s.id] for s in targets),
                timeout=timeout,
                what="the bot to RESUME after op 7 RECONNECT",
            )

    async def invalid_session(self, resumable: bool, *, wait: bool, timeout: float) -> None:
        targets = self.connected_sessions()
        before_resumes = {s.id: s.resumes for s in targets}
        before_ready = self.ready_count
        for session in targets:
            if not resumable:
                session.alive = False
            if session.conn is not None:
                await self._send_op(session.conn, {"op": 9, "d": resumable, "s": None, "t": None})
        if not wait:
            return
        if resumable:
            await self.server.wait_for(
                lambda: all(s.resumes > before_resumes[s.id] for s in targets),
                timeout=timeout,
                what="the bot to RESUME after op 9 INVALID_SESSION(true)",
            )
        else:
            await self.server.wait_for(
                lambda: self.ready_count >= before_ready + len(targets),
                timeout=timeout,
                what="the bot to IDENTIFY again after op 9 INVALID_SESSION(false)",
            )

    async def close_socket(self, code: int, *, wait: bool, timeout: float) -> None:
        targets = self.connected_sessions()
        before = self.attach_count
        for session in targets:
            conn = session.conn
            if conn is None:
                continue
            conn.closed_by_server = code
            if code in NON_RESUMABLE_CLOSE_CODES:
                session.alive = False
            await conn.ws.close(code=code, message=b"closed by the fake")
        if wait and code not in FATAL_CLOSE_CODES:
            await self.server.wait_for(
                lambda: self.attach_count >= before + len(targets),
                timeout=timeout,
                what=f"the bot to reconnect after close code {code}",
            )

    async def close_all(self) -> None:
        for conn in list(self.connections.values()):
            conn.closed_by_server = 1001
            await conn.ws.close(code=1001, message=b"fake shutting down")
