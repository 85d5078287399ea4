"""What a button remembers: the question an answer answered, written into the button's custom id.

A page button, the page picker and the candidate menu must work on yesterday's answer, after the
bot restarted. They hold no state in memory: each carries an :class:`Ask` (the command and its
arguments) in its custom id, and a click asks the engine again (the engine answers the same
question with the same answer, from the data in use now). Discord allows 100 characters in a
custom id; an ask too long for it is kept in memory under a short token instead, and a click on it
after a restart is told to run the command again.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from bot.core.answers import Answer
from bot.core.engine import QueryEngine

CUSTOM_ID_LIMIT = 100
SEPARATOR = "|"
KEPT_MARK = "~"

# One letter per command keeps custom ids short.
CODES: dict[str, str] = {
    "jurisdiction": "j",
    "resolution": "r",
    "date": "d",
    "onthisday": "o",
    "timeline": "t",
    "list": "l",
}
COMMANDS: dict[str, str] = {code: command for command, code in CODES.items()}


@dataclass(frozen=True, slots=True)
class Ask:
    """A command and its arguments as text: enough to answer the same question again."""

    command: str
    args: tuple[str, ...] = ()

    def with_arg(self, slot: int, value: str) -> Ask:
        """The same ask with argument ``slot`` set to ``value`` (a picked candidate)."""
        args = list(self.args) + [""] * max(0, slot + 1 - len(self.args))
        args[slot] = value
        return replace(self, args=tuple(args))


class KeptAsks:
    """The long asks, kept in memory under a short token: at most ``limit``, the oldest forgotten.

    This is all the memory answers hold between clicks (``answers.max_live_views``); a click on a
    forgotten one is told to run the command again.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._asks: OrderedDict[str, Ask] = OrderedDict()

    def __len__(self) -> int:
        return len(self._asks)

    def keep(self, ask: Ask) -> str:
        """A new token for ``ask``; the oldest asks beyond the limit are forgotten."""
        token = KEPT_MARK + secrets.token_urlsafe(9)
        self._asks[token] = ask
        while len(self._asks) > self.limit:
            self._asks.popitem(last=False)
        return token

    def get(self, token: str) -> Ask | None:
        """The ask kept under ``token``, or None when forgotten."""
        ask = self._asks.get(token)
        if ask is not None:
            self._asks.move_to_end(token)
        return ask


def encode(ask: Ask, room: int, kept: KeptAsks) -> str:
    """``ask`` in at most ``room`` characters: ``d|nov 2020|2024-11-25``, or a token for a long one."""
    code = CODES.get(ask.command)
    if code is not None and not any(SEPARATOR in arg for arg in ask.args):
        text = SEPARATOR.join((code, *ask.args))
        if len(text) <= room:
            return text
    return kept.keep(ask)


def decode(text: str, kept: KeptAsks) -> Ask | None:
    """The ask written by :func:`encode`, or None (an unknown command, a token no longer kept)."""
    if text.startswith(KEPT_MARK):
        return kept.get(text)
    code, _, rest = text.partition(SEPARATOR)
    command = COMMANDS.get(code)
    if command is None:
        return None
    return Ask(command, tuple(rest.split(SEPARATOR)) if rest or SEPARATOR in text else ())


@runtime_checkable
class Replayer(Protocol):
    """The bot, as the buttons see it: it answers an ask again and names its data."""

    @property
    def kept_asks(self) -> KeptAsks:
        """Where long asks are kept between clicks."""
        ...

    @property
    def engine(self) -> QueryEngine:
        """The engine of the data in use now."""
        ...

    def replay(self, ask: Ask) -> Answer | None:
        """The answer to ``ask`` now, or None when no command answers it."""
        ...

    def data_footer(self) -> str:
        """The footer naming the dataset version."""
        ...
