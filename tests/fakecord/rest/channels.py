"""REST handlers: channels and their messages, typing, reactions."""

from __future__ import annotations

import time

from .. import limits
from ..faults import RateLimits
from ..models import FakeChannel
from ..permissions import Perm
from .http import Reply, Req, error
from .messages import MessageWriter


class ChannelHandlers(MessageWriter, RateLimits):
    """``/channels/{channel_id}/...``."""

    def _channel(self, req: Req) -> FakeChannel | Reply:
        """The path's channel, or Discord's 404 for a channel that does not exist (or no longer)."""
        raw = req.groups["channel_id"]
        if raw.isdigit():
            for guild in self.guilds.values():
                channel = guild.channels.get(int(raw))
                if channel is not None and not channel.deleted:
                    return channel
        return error(404, 10003, "Unknown Channel")

    def _bot_perms(self, channel: FakeChannel) -> int:
        return channel.guild.channel_permissions(channel, self.bot_user)

    async def _h_get_channel(self, req: Req) -> Reply:
        channel = self._channel(req)
        if isinstance(channel, Reply):
            return channel
        if not self._bot_perms(channel) & Perm.VIEW_CHANNEL:
            return error(403, 50001, "Missing Access")
        return Reply(200, channel.to_dict())

    async def _h_post_message(self, req: Req) -> Reply:
        channel = self._channel(req)
        if isinstance(channel, Reply):
            return channel
        perms = self._bot_perms(channel)
        payload = req.json if isinstance(req.json, dict) else {}
        if not perms & Perm.VIEW_CHANNEL:
            return error(403, 50001, "Missing Access")
        if not perms & Perm.SEND_MESSAGES:
            return error(403, 50013, "Missing Permissions")
        if payload.get("embeds") and not perms & Perm.EMBED_LINKS:
            return error(403, 50013, "Missing Permissions")
        if req.files and not perms & Perm.ATTACH_FILES:
            return error(403, 50013, "Missing Permissions")
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
        channel = self._channel(req)
        if isinstance(channel, Reply):
            return channel
        perms = self._bot_perms(channel)
        if not perms & Perm.VIEW_CHANNEL:
            return error(403, 50001, "Missing Access")
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
        channel = self._channel(req)
        if isinstance(channel, Reply):
            return channel
        perms = self._bot_perms(channel)
        if not perms & Perm.VIEW_CHANNEL:
            return error(403, 50001, "Missing Access")
        mid = req.groups["mid"]
        msg = self._messages.get(int(mid)) if mid.isdigit() else None
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
            return error(404, 10008, "Unknown Message")
        own = msg.author.get("id") == str(self.bot_user.id) and msg.webhook_id is None
        if req.method == "GET":
            if not perms & Perm.READ_MESSAGE_HISTORY:
                return error(403, 50001, "Missing Access")
            return Reply(200, self._message_dict(msg))
        if req.method == "DELETE":
            if not own and not perms & Perm.MANAGE_MESSAGES:
                return error(403, 50013, "Missing Permissions")
            msg.deleted = True
            msg.record_state()
            self.notify()
            await self._announce("MESSAGE_DELETE", msg)
            return Reply(204)
        if not own:
            return error(403, 50005, "Cannot edit a message authored by another user")
        payload = req.json if isinstance(req.json, dict) else {}
        if payload.get("embeds") and not perms & Perm.EMBED_LINKS:
            return error(403, 50013, "Missing Permissions")
        errors = limits.Errors()
        limits.validate_message(payload, errors, files=len(req.files), edit=True)
        if errors:
            return self._limit_violation(req, errors, f"edit of message {msg.id}")
        self._apply_edit(msg, payload, req.files)
        await self._announce("MESSAGE_UPDATE", msg)
        return Reply(200, self._message_dict(msg))

    async def _h_typing(self, req: Req) -> Reply:
        channel = self._channel(req)
        if isinstance(channel, Reply):
            return channel
        if not self._bot_perms(channel) & Perm.SEND_MESSAGES:
            return error(403, 50013, "Missing Permissions")
        return Reply(204)

    async def _h_reaction(self, req: Req) -> Reply:
        channel = self._channel(req)
        if isinstance(channel, Reply):
            return channel
        perms = self._bot_perms(channel)
        if not perms & Perm.READ_MESSAGE_HISTORY or (req.method == "PUT" and not perms & Perm.ADD_REACTIONS):
            return error(403, 50013, "Missing Permissions")
        mid = req.groups["mid"]
        if not mid.isdigit() or int(mid) not in self._messages:
            return error(404, 10008, "Unknown Message")
        return Reply(204)
