"""REST handlers: the bot user, the application, the gateway URL."""

from __future__ import annotations

from ..state import ServerState
from .http import Reply, Req, error


class IdentityHandlers(ServerState):
    """``/users``, ``/applications/@me``, ``/gateway``."""

    async def _h_me(self, req: Req) -> Reply:
        return Reply(
            200, {**self.bot_user.to_dict(), "verified": True, "mfa_enabled": False, "locale": "en-US"}
        )

    async def _h_user(self, req: Req) -> Reply:
        uid = req.groups["user_id"]
        if not uid.isdigit() or int(uid) not in self.users:
            return error(404, 10013, "Unknown User")
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
        """The recommended shard count and the session start limit (``recommended_shards``, ...)."""
        started = len(self.gateway.identify_payloads)
        return Reply(
            200,
            {
                "url": self.gateway_url.rstrip("/"),
                "shards": self.recommended_shards,
                "session_start_limit": {
                    "total": self.session_start_total,
                    "remaining": max(0, self.session_start_total - started),
                    "reset_after": 86_400_000,
                    "max_concurrency": self.max_concurrency,
                },
            },
        )
