"""REST handlers: interaction callbacks, follow-ups and webhook message edits."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from .. import limits
from ..interactions import (
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    InteractionResult,
)
from ..models import FakeMessage
from .http import Reply, Req, error
from .messages import MessageWriter

_ALLOWED_CALLBACKS = {
    INTERACTION_COMMAND: {4, 5, 9},
    INTERACTION_COMPONENT: {4, 5, 6, 7, 9},
    INTERACTION_AUTOCOMPLETE: {8},
    INTERACTION_MODAL_SUBMIT: {4, 5, 6, 7},
}


class InteractionHandlers(MessageWriter):
    """``/interactions/{id}/{token}/callback`` and ``/webhooks/{app}/{token}[/messages/{mid}]``."""

    async def _h_callback(self, req: Req) -> Reply:
        iid = req.groups["iid"]
        result = self._interactions.get(int(iid)) if iid.isdigit() else None
        if result is None or result.token != req.groups["token"]:
            self._violate(
                "unknown_interaction", f"callback for unknown interaction {iid}", req.method, req.path
            )
            return error(404, 10062, "Unknown interaction")
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
            return error(400, 40060, "Interaction has already been acknowledged.")
        if now > result.deadline or result.expired:
            self._violate(
                "late_callback",
                f"callback type {ctype} for {result.kind} {result.name!r} after {now - result.created:.2f}s "
                f"(deadline {self.interaction_deadline}s)",
                req.method,
                req.path,
            )
            return error(404, 10062, "Unknown interaction")
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
            return None, error(404, 10015, "Unknown Webhook")
        age = asyncio.get_running_loop().time() - result.created
        if result.expired or age > self.token_lifetime:
            self._violate(
                "expired_token",
                f"interaction token of {result.name!r} used after expiry",
                req.method,
                req.path,
            )
            return None, error(401, 50027, "Invalid Webhook Token")
        if not result.acknowledged:
            self._violate(
                "followup_before_ack",
                f"webhook call for {result.name!r} before the interaction was acknowledged",
                req.method,
                req.path,
            )
            return None, error(404, 10015, "Unknown Webhook")
        return result, None

    async def _h_followup(self, req: Req) -> Reply:
        result, err = self._webhook_interaction(req)
        if err or result is None:
            return err or error(404, 10015, "Unknown Webhook")
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
            return err or error(404, 10015, "Unknown Webhook")
        mid = req.groups["mid"]
        msg: FakeMessage | None
        if mid == "@original":
            msg = result.message
        else:
            msg = next(
                (m for m in [result.message, *result.followups] if m is not None and str(m.id) == mid), None
            )
        if msg is None or msg.deleted:
            return error(404, 10008, "Unknown Message")
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
