"""Slash commands in the member's language: names, descriptions and choices from the catalogs.

:class:`CommandTranslator` is discord.py's ``app_commands.Translator``: when the tree is synced,
each name and description is looked up in ``bot/locales/<lang>/LC_MESSAGES/bot.po`` under a
context (msgctxt) saying what it is, for the client languages Discord offers that the bot speaks
(French, Russian, both Spanish locales; Discord has no Armenian client locale, so Armenian
servers see the English names, and the answers in Armenian when the server chose it). A
translation that breaks Discord's rules (names: lower case, 1–32 letters, digits, ``-`` or ``_``;
descriptions and choices: 1–100 characters) is not sent, and the English one stands.

``python -m bot.discordbot.translator bot/locales/bot.pot`` adds every command's strings to the
template ``make messages`` extracted, so translators find them beside the rest.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.core.i18n import pgettext

# Discord client locales → the bot's languages (no Armenian client locale exists).
DISCORD_LOCALES: dict[discord.Locale, str] = {
    discord.Locale.french: "fr",
    discord.Locale.russian: "ru",
    discord.Locale.spain_spanish: "es",
    discord.Locale.latin_american_spanish: "es",
}
NAME_CONTEXT = "command name"
DESCRIPTION_CONTEXT = "command description"
CHOICE_CONTEXT = "command choice"
_CONTEXTS: dict[Where, str] = {
    Where.command_name: NAME_CONTEXT,
    Where.group_name: NAME_CONTEXT,
    Where.parameter_name: NAME_CONTEXT,
    Where.command_description: DESCRIPTION_CONTEXT,
    Where.group_description: DESCRIPTION_CONTEXT,
    Where.parameter_description: DESCRIPTION_CONTEXT,
    Where.choice_name: CHOICE_CONTEXT,
}
# Discord's rule for command and option names (lower case where a letter has cases).
NAME_RULE = re.compile(r"^[-_\w]{1,32}$")
TEXT_LIMIT = 100


def valid(context: str, text: str) -> bool:
    """True when ``text`` is allowed by Discord where ``context`` says it goes."""
    if context == NAME_CONTEXT:
        return bool(NAME_RULE.fullmatch(text)) and text == text.lower()
    return 1 <= len(text) <= TEXT_LIMIT


class CommandTranslator(app_commands.Translator):
    """Names, descriptions and choices of the commands from the catalogs (see the module)."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext[Any, Any],
    ) -> str | None:
        """The translation for ``locale``, or None (Discord shows the English)."""
        language = DISCORD_LOCALES.get(locale)
        where = _CONTEXTS.get(context.location)
        if language is None or where is None:
            return None
        message = string.message
        translated = pgettext(where, message, language)
        if translated == message or not valid(where, translated):
            return None
        return translated


# ---------------------------------------------------------------------------------------- extraction

def _walk(item: app_commands.Command[Any, ..., Any] | app_commands.Group) -> Iterator[tuple[str, str]]:
    yield NAME_CONTEXT, item.name
    yield DESCRIPTION_CONTEXT, item.description
    if isinstance(item, app_commands.Group):
        for child in item.commands:
            yield from _walk(child)
        return
    for parameter in item.parameters:
        yield NAME_CONTEXT, parameter.name
        yield DESCRIPTION_CONTEXT, parameter.description
        for choice in parameter.choices:
            yield CHOICE_CONTEXT, choice.name


def command_strings() -> list[tuple[str, str]]:
    """Every (context, English text) of the bot's slash commands, read from the cog classes."""
    from bot.discordbot.bot import default_extensions  # noqa: PLC0415 - the bot module imports this one

    found: dict[tuple[str, str], None] = {}
    for name in default_extensions():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, discord.ext.commands.Cog):
                for command in getattr(value, "__cog_app_commands__", []):
                    for pair in _walk(command):
                        if pair[1] and pair[1] != "…":
                            found.setdefault(pair)
    return list(found)


def add_to_template(pot: Path) -> int:
    """Add the commands' strings to the template ``pot`` (read and written with Babel); how many."""
    from babel.messages.pofile import read_po, write_po  # noqa: PLC0415 - only `make messages` needs it

    with pot.open("rb") as handle:
        catalog = read_po(handle)
    strings = command_strings()
    for context, text in strings:
        catalog.add(text, context=context, auto_comments=["Slash command: " + context])
    with pot.open("wb") as handle:
        write_po(handle, catalog, width=110)
    return len(strings)


if __name__ == "__main__":
    import discord.ext.commands

    added = add_to_template(Path(sys.argv[1]))
    sys.stderr.write(f"{added} command strings added to {sys.argv[1]}\n")
