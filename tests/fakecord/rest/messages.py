"""What every REST handler that writes a message shares."""

from __future__ import annotations

import copy
import mimetypes
import re
from collections.abc import Mapping
from typing import Any

from .. import limits
from ..interactions import InteractionResult
from ..models import FakeChannel, FakeMessage, StoredFile, snowflake, utcnow_iso
from ..state import ServerState
from .http import Reply, Req, UploadedFile, error


class MessageWriter(ServerState):
    """Creating and editing the bot's messages, checking them against Discord's limits, announcing them."""

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
            guild_id=channel.guild_id,
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
        if not self.dispatch_message_events or msg.ephemeral or not self._bot_sees(msg):
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

    def _bot_sees(self, msg: FakeMessage) -> bool:
        """Whether the gateway tells the bot about ``msg``: not in a guild the bot is not in, nor in a
        DM or group DM (the bot asks for no DM message intent)."""
        if msg.guild_id is None:
            return False
        guild = self.guilds.get(msg.guild_id)
        return guild is not None and self.bot_user.id in guild.members

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
        return error(400, 50006, "Cannot send an empty message")
