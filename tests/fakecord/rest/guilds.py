"""REST handlers: guilds, their channels, roles and members."""

from __future__ import annotations

from ..models import FakeGuild
from ..state import ServerState
from .http import Reply, Req, error


class GuildHandlers(ServerState):
    """``/guilds/{guild_id}/...``."""

    def _guild(self, req: Req) -> tuple[FakeGuild | None, Reply | None]:
        raw = req.groups["guild_id"]
        if raw.isdigit() and int(raw) in self.guilds:
            return self.guilds[int(raw)], None
        return None, error(404, 10004, "Unknown Guild")

    async def _h_get_guild(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or error(404, 10004, "Unknown Guild")
        data = guild.to_dict(full=False)
        data["approximate_member_count"] = len(guild.members)
        return Reply(200, data)

    async def _h_guild_channels(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or error(404, 10004, "Unknown Guild")
        return Reply(200, [c.to_dict() for c in guild.channels.values() if not c.deleted])

    async def _h_guild_roles(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or error(404, 10004, "Unknown Guild")
        return Reply(200, [r.to_dict() for r in guild.roles.values()])

    async def _h_guild_members(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or error(404, 10004, "Unknown Guild")
        limit = max(1, min(1000, int(req.query.get("limit", "1"))))
        after = int(req.query.get("after", "0"))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)[:limit]
        return Reply(200, [m.to_dict() for m in members])

    async def _h_guild_member(self, req: Req) -> Reply:
        guild, err = self._guild(req)
        if err or guild is None:
            return err or error(404, 10004, "Unknown Guild")
        raw = req.groups["user_id"]
        if not raw.isdigit() or int(raw) not in guild.members:
            return error(404, 10007, "Unknown Member")
        return Reply(200, guild.members[int(raw)].to_dict())
