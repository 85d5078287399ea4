"""An answer's message (embed and components) and what each component does when used.

:func:`present` is the one place an answer becomes a message: a single record or event is a
card (:mod:`.card`); more than one is a compact list (:mod:`.listing`) with a "Show details…"
menu (:mod:`.picker`) and, when long, first / previous / next / last buttons (and a page picker
beyond five pages); candidates come as a menu; the asker of a public answer may delete it.

Every component is a discord.py dynamic item whose custom id holds what it needs (the question,
the page, the asker: :mod:`.replay`), so buttons and menus keep working after a restart and no
view is kept in memory. Only the asker may turn pages, pick a candidate or delete; anyone may open
a card from "Show details…" (it comes privately).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from bot.core.answers import Answer, Entry, Status
from bot.core.cards import Card, card_for
from bot.core.i18n import N_, _, ngettext
from bot.core.pages import page, page_count
from bot.discordbot.card import card_embed, source_buttons
from bot.discordbot.errors import report_error
from bot.discordbot.language import take_settings
from bot.discordbot.listing import list_embed
from bot.discordbot.network import REQUEST_ERRORS, failure_text
from bot.discordbot.picker import (
    CANDIDATES_PLACEHOLDER,
    DETAILS_PLACEHOLDER,
    PAGES_PLACEHOLDER,
    candidate_options,
    details_options,
    page_options,
)
from bot.discordbot.render import answer_embed, notice, picture_embeds
from bot.discordbot.replay import CUSTOM_ID_LIMIT, Ask, KeptAsks, Replayer, decode, encode

log = logging.getLogger(__name__)

NOT_YOURS = N_(
    "Only the person who asked can use these buttons. Run the command yourself to get your own copy."
)
EXPIRED = N_("This answer is too old to change. Run the command again for a fresh one.")
GONE = N_("That record is no longer in the data. Run the command again for a fresh answer.")
PAGE_PICKER_ABOVE = 5  # more pages than this get a page picker too
DELETE_LABEL = N_("Delete")
FIRST_PAGE = N_("Page {number}")  # a page picker's option before its pages are known

ROW_DETAILS, ROW_PAGES, ROW_PAGE_PICKER, ROW_ACTIONS = 0, 1, 2, 3
PAGE_LABELS = {"f": "«", "p": "‹", "n": "›", "l": "»"}
_PREFIX_ROOM = 32  # "pg:f:123456:<owner id>:" and the like


@dataclass(frozen=True, slots=True)
class Shown:
    """An answer as a message: its embed, its components (or None) and whether it is private."""

    embed: discord.Embed
    view: discord.ui.View | None
    ephemeral: bool


def _view(items: list[discord.ui.Item[Any]]) -> discord.ui.View | None:
    """A view holding ``items``, already stopped: discord.py keeps no copy (the items are dynamic)."""
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


def present(
    answer: Answer,
    *,
    owner: int,
    ask: Ask | None,
    footer: str | None,
    index: int = 0,
    slot: int = 0,
    private: bool = False,
    dataset_card: Callable[[str], Card | None] | None = None,
    kept: KeptAsks,
) -> Shown:
    """``answer`` as a message, showing page ``index`` (0-based, clamped) to its asker ``owner``.

    ``ask`` is the question again (for pages and candidates; None: no paging); ``slot`` the argument
    a picked candidate replaces; ``dataset_card`` makes the card of a single record or event;
    ``kept`` holds an ask too long for a custom id.
    """
    ephemeral = private or answer.status in (Status.INVALID, Status.NOT_FOUND)
    items: list[discord.ui.Item[Any]] = []
    room = CUSTOM_ID_LIMIT - _PREFIX_ROOM
    asked = encode(ask, room, kept) if ask is not None else None
    card = dataset_card(answer.entries[0].key) if answer.single and dataset_card else None
    if card is not None:
        embed = card_embed(card, lead=_card_lead(answer), footer=footer)
        items.extend(source_buttons(card))
    elif answer.entries:
        shown = page(answer, index)
        embed = list_embed(answer, shown, footer=footer)
        items.append(DetailsSelect.make(shown.entries))
        if shown.count > 1 and asked is not None:
            items.extend(PageButton.buttons(shown.index, shown.count, owner, asked))
            if shown.count > PAGE_PICKER_ABOVE:
                items.append(PagePicker.make(answer, shown.index, owner, asked))
    else:
        embed = answer_embed(answer, footer=footer if answer.ok else None)
    if answer.candidates and asked is not None:
        items.append(CandidateSelect.make(answer, owner, slot, asked))
    if not ephemeral:
        items.append(DeleteButton.make(owner))
    return Shown(embed, _view(items), ephemeral)


# Where a sentence ends: a stop (or Armenian "։") before a capital, a digit or a quote, so that
# "25 ноября 2020 г. или …" is not cut after the abbreviation "г.".
_SENTENCE_END = re.compile(r"(?<=[.։?!])\s+(?=[0-9A-ZА-ЯЁԱ-Ֆ«\"'*(])")


def _card_lead(answer: Answer) -> str:
    """What the card says first: what the query was read as, and why the record is listed."""
    sentences = [s for s in _SENTENCE_END.split(answer.message) if s and not _counts_one(s)]
    return " ".join([*sentences, *answer.lines, *answer.entries[0].marks])


def _counts_one(sentence: str) -> bool:
    """True for "1 record." or "1 record on 25 November." (the card itself shows that)."""
    ones = (ngettext("{count} record", "{count} records", 1), ngettext("{count} event", "{count} events", 1))
    return bool(re.match(r"1 (record|event)\b", sentence)) or sentence.startswith(
        tuple(one.format(count=1) for one in ones)
    )


# ---------------------------------------------------------------------------------------------- items


def _client(interaction: discord.Interaction[Any]) -> Replayer:
    client = interaction.client
    if not isinstance(client, Replayer):
        raise TypeError("the answer buttons need the ArtsakhBot")
    return client


async def _guarded(interaction: discord.Interaction[Any], work: Awaitable[None], where: str) -> None:
    """Run a component's work; any error gets the bot's one error answer (never "interaction failed")."""
    try:
        await take_settings(interaction)
        await work
    except Exception as error:
        await report_error(interaction, error, where=where)


def _options(item: discord.ui.Item[Any]) -> list[discord.SelectOption]:
    """The options of the menu a dynamic item was rebuilt from (none for anything else)."""
    return list(item.options) if isinstance(item, discord.ui.Select) else []


async def _tell(interaction: discord.Interaction[Any], text: str, status: Status) -> None:
    """A short private answer to a click (``text`` in English, said in the language in use)."""
    await interaction.response.send_message(embed=notice(_(text), status=status), ephemeral=True)


async def _owner_only(interaction: discord.Interaction[Any], owner: int) -> bool:
    """True for the asker; anyone else is told privately that these buttons are not theirs."""
    await take_settings(interaction)
    if interaction.user.id == owner:
        return True
    try:
        await _tell(interaction, NOT_YOURS, Status.INVALID)
    except REQUEST_ERRORS as exc:
        log.warning("Could not refuse a foreign click: %s", failure_text(exc))
    return False


async def _show_again(
    interaction: discord.Interaction[Any], asked: str, owner: int, *, index: int, slot: int = 0
) -> None:
    """Answer the ask in ``asked`` again and put page ``index`` of it in place of the message."""
    client = _client(interaction)
    ask = decode(asked, client.kept_asks)
    answer = client.replay(ask) if ask is not None else None
    if ask is None or answer is None:
        await _tell(interaction, EXPIRED, Status.NOT_FOUND)
        return
    shown = present(
        answer,
        owner=owner,
        ask=ask,
        footer=client.data_footer(),
        index=index,
        slot=slot,
        dataset_card=lambda key: card_for(key, client.engine.dataset),
        kept=client.kept_asks,
    )
    view = shown.view or discord.ui.View()  # an empty view clears the old components
    embeds = [*picture_embeds(interaction.message), shown.embed]  # a picture stays above every page
    await interaction.response.edit_message(embeds=embeds, view=view)


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pg:(?P<action>[fpnl]):(?P<page>\d{1,6}):(?P<owner>\d{1,20}):(?P<ask>.+)",
):
    """First, previous, next or last page; the asker's only."""

    def __init__(self, action: str, target: int, owner: int, asked: str, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=PAGE_LABELS[action],
                style=discord.ButtonStyle.primary if action in "pn" else discord.ButtonStyle.secondary,
                custom_id=f"pg:{action}:{target}:{owner}:{asked}",
                disabled=disabled,
                row=ROW_PAGES,
            )
        )
        self.target, self.owner, self.asked = target, owner, asked

    @classmethod
    def buttons(cls, index: int, count: int, owner: int, asked: str) -> list[discord.ui.Item[Any]]:
        """« ‹ n/m › »: the four buttons and the page counter between them."""
        last = count - 1
        counter = discord.ui.Button[Any](
            label=f"{index + 1}/{count}",
            style=discord.ButtonStyle.secondary,
            custom_id="pg:count",
            disabled=True,
            row=ROW_PAGES,
        )
        return [
            cls("f", 0, owner, asked, disabled=index == 0),
            cls("p", max(index - 1, 0), owner, asked, disabled=index == 0),
            counter,
            cls("n", min(index + 1, last), owner, asked, disabled=index == last),
            cls("l", last, owner, asked, disabled=index == last),
        ]

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        """Rebuild the button from its custom id."""
        return cls(match["action"], int(match["page"]), int(match["owner"]), match["ask"])

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Only the asker turns pages."""
        return await _owner_only(interaction, self.owner)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the page."""
        work = _show_again(interaction, self.asked, self.owner, index=self.target)
        await _guarded(interaction, work, "page button")


class PagePicker(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"pgs:(?P<owner>\d{1,20}):(?P<ask>.+)",
):
    """A menu of pages, for long lists; the asker's only."""

    def __init__(self, owner: int, asked: str, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"pgs:{owner}:{asked}",
                placeholder=_(PAGES_PLACEHOLDER),
                options=options or [discord.SelectOption(label=_(FIRST_PAGE).format(number=1), value="0")],
                row=ROW_PAGE_PICKER,
            )
        )
        self.owner, self.asked = owner, asked

    @classmethod
    def make(cls, answer: Answer, index: int, owner: int, asked: str) -> PagePicker:
        """The picker for ``answer`` shown at page ``index``."""
        return cls(owner, asked, page_options(answer, index))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PagePicker:
        """Rebuild the menu from its custom id."""
        return cls(int(match["owner"]), match["ask"], _options(item))

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Only the asker turns pages."""
        return await _owner_only(interaction, self.owner)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the chosen page."""
        chosen = int(self.item.values[0]) if self.item.values else 0
        work = _show_again(interaction, self.asked, self.owner, index=chosen)
        await _guarded(interaction, work, "page picker")


class CandidateSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"pick:(?P<owner>\d{1,20}):(?P<slot>\d):(?P<ask>.+)",
):
    """What an ambiguous query could mean; picking one puts its answer in place. The asker's only."""

    def __init__(
        self, owner: int, slot: int, asked: str, options: list[discord.SelectOption] | None = None
    ) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"pick:{owner}:{slot}:{asked}",
                placeholder=_(CANDIDATES_PLACEHOLDER),
                options=options or [discord.SelectOption(label="?", value="?")],
                row=ROW_PAGE_PICKER,
            )
        )
        self.owner, self.slot, self.asked = owner, slot, asked

    @classmethod
    def make(cls, answer: Answer, owner: int, slot: int, asked: str) -> CandidateSelect:
        """The menu of ``answer``'s candidates."""
        return cls(owner, slot, asked, candidate_options(answer.candidates))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CandidateSelect:
        """Rebuild the menu from its custom id."""
        return cls(int(match["owner"]), int(match["slot"]), match["ask"], _options(item))

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Only the asker picks."""
        return await _owner_only(interaction, self.owner)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Answer for the chosen candidate, in place of the question."""
        await _guarded(interaction, self._pick(interaction), "candidate menu")

    async def _pick(self, interaction: discord.Interaction[Any]) -> None:
        kept = _client(interaction).kept_asks
        ask = decode(self.asked, kept)
        if ask is None or not self.item.values:
            await _tell(interaction, EXPIRED, Status.NOT_FOUND)
            return
        picked = ask.with_arg(self.slot, self.item.values[0])
        asked = encode(picked, CUSTOM_ID_LIMIT - _PREFIX_ROOM, kept)
        await _show_again(interaction, asked, self.owner, index=0)


class DetailsSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"details"):
    """"Show details…": the card of a record or event on the page, privately, for whoever picks."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id="details",
                placeholder=_(DETAILS_PLACEHOLDER),
                options=options or [discord.SelectOption(label="?", value="?")],
                row=ROW_DETAILS,
            )
        )

    @classmethod
    def make(cls, entries: Sequence[Entry]) -> DetailsSelect:
        """The menu of the page's ``entries``."""
        return cls(details_options(entries))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DetailsSelect:
        """Rebuild the menu from the message."""
        return cls(_options(item))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Send the card privately."""
        await _guarded(interaction, self._card(interaction), "details menu")

    async def _card(self, interaction: discord.Interaction[Any]) -> None:
        client = _client(interaction)
        key = self.item.values[0] if self.item.values else ""
        card = card_for(key, client.engine.dataset)
        if card is None:
            await _tell(interaction, GONE, Status.NOT_FOUND)
            return
        view = _view(list(source_buttons(card)))
        embed = card_embed(card, footer=client.data_footer())
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class DeleteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"del:(?P<owner>\d{1,20})"):
    """Deletes the bot's public answer; the asker's only."""

    def __init__(self, owner: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=_(DELETE_LABEL),
                emoji="🗑️",
                style=discord.ButtonStyle.secondary,
                custom_id=f"del:{owner}",
                row=ROW_ACTIONS,
            )
        )
        self.owner = owner

    @classmethod
    def make(cls, owner: int) -> DeleteButton:
        """The button for ``owner``'s answer."""
        return cls(owner)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DeleteButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["owner"]))

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Only the asker deletes."""
        return await _owner_only(interaction, self.owner)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Delete the message the button is on."""
        await _guarded(interaction, self._delete(interaction), "delete button")

    @staticmethod
    async def _delete(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer()
        await interaction.delete_original_response()


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    PageButton,
    PagePicker,
    CandidateSelect,
    DetailsSelect,
    DeleteButton,
)


def answer_pages(answer: Answer) -> int:
    """How many pages ``answer`` shows (1 for a card or an answer without a list)."""
    return page_count(answer) if answer.entries and not answer.single else 1
