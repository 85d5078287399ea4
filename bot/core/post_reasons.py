"""Why a channel's daily posts are paused or failing: kept in English, shown in the reader's language.

A reason is stored with the subscription (``paused_reason``, ``last_error``) when a post fails,
long before anyone reads it, and read by moderators of servers in any language (``/daily
status``), by the logs and by the health check. So it is kept as its English sentence, made from
one of the templates below (:func:`reason`), and translated when shown (:func:`shown`): the
stored sentence is matched back against the templates, its values put in the translated one.
A stored text that matches no template (written by an older version) is shown as it is.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from bot.core.i18n import N_, _

CHANNEL_GONE: Final = N_("The channel was deleted.")
BOT_REMOVED: Final = N_("The bot was removed from the server.")
MISSING_PERMISSION: Final = N_("Missing permission: {permission}")
NOT_A_POST_CHANNEL: Final = N_("This kind of channel cannot take posts; subscribe a text channel instead.")
UNKNOWN_ZONE: Final = N_("Unknown time zone {zone}; subscribe again with a valid one.")
NOT_ACCEPTED: Final = N_("Discord did not accept the post; retrying.")
STATE_ERROR: Final = N_("Could not save the bot's state; retrying.")
BUILD_FAILED: Final = N_("Could not build the post; retrying.")
TIMED_OUT: Final = N_("The post timed out; retrying.")
UNEXPECTED: Final = N_("Unexpected error: {name}")
RATE_LIMITED_FOR: Final = N_("Rate limited by Discord for {seconds} s; retrying.")
RATE_LIMITED: Final = N_("Rate limited by Discord; retrying.")
SERVER_ERROR: Final = N_("Discord had a server error ({status}); retrying.")
REFUSED_STATUS: Final = N_("Discord refused the post ({status}: {text}); retrying.")
UNREACHABLE: Final = N_("Could not reach Discord ({cause}); retrying.")
REFUSED: Final = N_("Discord refused the post: {text}.")

TEMPLATES: Final = (
    CHANNEL_GONE, BOT_REMOVED, MISSING_PERMISSION, NOT_A_POST_CHANNEL, UNKNOWN_ZONE, NOT_ACCEPTED,
    STATE_ERROR, BUILD_FAILED, TIMED_OUT, UNEXPECTED, RATE_LIMITED_FOR, RATE_LIMITED, SERVER_ERROR,
    REFUSED_STATUS, UNREACHABLE, REFUSED,
)
# Values that are themselves words of the catalog (Discord's permission names), translated too.
_TRANSLATED_VALUES: Final = frozenset({"permission"})
_FIELD = re.compile(r"\\\{(\w+)\\\}")


def reason(template: str, **values: object) -> str:
    """The English sentence of ``template`` (one of :data:`TEMPLATES`) with ``values``: what is stored."""
    return template.format(**values)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(_FIELD.sub(lambda m: f"(?P<{m[1]}>.+?)", re.escape(template)), re.DOTALL)


def shown(stored: str) -> str:
    """A stored reason in the language in use (as stored when it matches no template)."""
    for template in TEMPLATES:
        match = _pattern(template).fullmatch(stored)
        if match is None:
            continue
        values = {
            name: _(value) if name in _TRANSLATED_VALUES else value
            for name, value in match.groupdict().items()
        }
        return _(template).format(**values)
    return stored
