"""Views: a paginator for long answers and a picker for ambiguous ones.

Both belong to the person who asked: anyone else who presses a button gets a private refusal.
Both disable their components when they time out, by editing the message they sit on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.core.answers import Candidate, Status
from bot.discordbot.errors import report_error
from bot.discordbot.live_views import LiveViews
from bot.discordbot.network import REQUEST_ERRORS, failure_text
from bot.discordbot.render import (
    BUTTON_LABEL_LIMIT,
    SELECT_OPTIONS_LIMIT,
    Rendered,
    choice_text,
    notice,
    truncate,
)

log = logging.getLogger(__name__)

NOT_YOURS = "Only the person who asked can use these buttons. Run the command yourself to get your own copy."
BUTTONS_FOR_AT_MOST = 5  # up to this many candidates get one button each, more get a select menu

Editor = Callable[[discord.ui.View], Awaitable[Any]]


class OwnedView(discord.ui.View):
    """A view only its owner may use, which disables itself on timeout."""

    def __init__(self, owner_id: int, *, timeout: float | None) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self._editor: Editor | None = None
        self._live: LiveViews | None = None

    def bind(self, editor: Editor, live: LiveViews | None = None) -> None:
        """Tell the view how to edit the message it sits on (used on timeout) and where it counts."""
        self._editor = editor
        self._live = live
        if live is not None:
            live.add(self)

    def stop(self) -> None:
        """Stop listening (used up, or retired); the view no longer counts as live."""
        if self._live is not None:
            self._live.discard(self)
        super().stop()

    async def retire(self) -> None:
        """Disabled early to keep the number of live views bounded: as a timeout, but now."""
        self.stop()
        await self.on_timeout()

    def disable_all(self) -> None:
        """Grey out every button and select."""
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Only the owner may press; others are told so privately."""
        if interaction.user.id == self.owner_id:
            return True
        try:
            await interaction.response.send_message(
                embed=notice(NOT_YOURS, status=Status.INVALID), ephemeral=True
            )
        except REQUEST_ERRORS as exc:
            log.warning("Could not refuse a foreign click: %s", failure_text(exc))
        return False

    async def on_timeout(self) -> None:
        """Disable the components so nobody presses dead buttons."""
        if self._live is not None:
            self._live.discard(self)
        self.disable_all()
        if self._editor is None:
            return
        try:
            await self._editor(self)
        except REQUEST_ERRORS as exc:  # runs in its own task: nothing may escape
            log.info("Could not disable a timed-out view: %s", failure_text(exc))

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        """Component errors go to the bot's one error handler."""
        await report_error(interaction, error, where=f"{type(self).__name__} item {item!r}")


class Paginator(OwnedView):
    """First, previous, page counter, next and last buttons over pages built when first shown."""

    def __init__(self, rendered: Rendered, owner_id: int, *, timeout: float | None) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.rendered = rendered
        self.index = 0
        self._update_buttons()

    @property
    def current(self) -> discord.Embed:
        """The page on show."""
        return self.rendered.page(self.index)

    def _update_buttons(self) -> None:
        last = self.rendered.count - 1
        self.first.disabled = self.previous.disabled = self.index == 0
        self.next.disabled = self.last.disabled = self.index == last
        self.counter.label = f"{self.index + 1}/{self.rendered.count}"

    async def show(self, interaction: discord.Interaction[Any], index: int) -> None:
        """Turn to page ``index`` (clamped) by editing the message."""
        self.index = max(0, min(index, self.rendered.count - 1))
        self._update_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)

    @discord.ui.button(label="«", style=discord.ButtonStyle.secondary, custom_id="page:first")
    async def first(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Paginator]
    ) -> None:
        """First page."""
        await self.show(interaction, 0)

    @discord.ui.button(label="‹", style=discord.ButtonStyle.primary, custom_id="page:prev")
    async def previous(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Paginator]
    ) -> None:
        """Previous page."""
        await self.show(interaction, self.index - 1)

    @discord.ui.button(
        label="1/1", style=discord.ButtonStyle.secondary, custom_id="page:count", disabled=True
    )
    async def counter(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Paginator]
    ) -> None:
        """The page counter (never enabled)."""
        await interaction.response.defer()

    @discord.ui.button(label="›", style=discord.ButtonStyle.primary, custom_id="page:next")
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Paginator]) -> None:
        """Next page."""
        await self.show(interaction, self.index + 1)

    @discord.ui.button(label="»", style=discord.ButtonStyle.secondary, custom_id="page:last")
    async def last(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Paginator]) -> None:
        """Last page."""
        await self.show(interaction, self.rendered.count - 1)


Picked = Callable[[discord.Interaction[Any], Candidate], Awaitable[None]]


class _PickButton(discord.ui.Button["CandidatePicker"]):
    def __init__(self, index: int, candidate: Candidate) -> None:
        super().__init__(
            label=truncate(choice_text(candidate.label), BUTTON_LABEL_LIMIT),
            style=discord.ButtonStyle.primary,
            custom_id=f"pick:{index}",
        )
        self.index = index

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        assert self.view is not None
        await self.view.pick(interaction, self.index)


class _PickSelect(discord.ui.Select["CandidatePicker"]):
    def __init__(self, candidates: Sequence[Candidate]) -> None:
        options = [
            discord.SelectOption(label=choice_text(c.label), value=str(i))
            for i, c in enumerate(candidates[:SELECT_OPTIONS_LIMIT])
        ]
        super().__init__(
            custom_id="pick", placeholder="Choose one…", options=options, min_values=1, max_values=1
        )

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await self.view.pick(interaction, int(self.values[0])) if self.view else None


class CandidatePicker(OwnedView):
    """The candidates of an ambiguous answer, as buttons (few) or a select menu (many)."""

    def __init__(
        self, candidates: Sequence[Candidate], owner_id: int, *, timeout: float | None, on_pick: Picked
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.candidates = tuple(candidates[:SELECT_OPTIONS_LIMIT])
        self._on_pick = on_pick
        if len(self.candidates) <= BUTTONS_FOR_AT_MOST:
            for index, candidate in enumerate(self.candidates):
                self.add_item(_PickButton(index, candidate))
        else:
            self.add_item(_PickSelect(self.candidates))

    async def pick(self, interaction: discord.Interaction[Any], index: int) -> None:
        """Answer for the chosen candidate; the picker is single-use."""
        if not 0 <= index < len(self.candidates):
            await interaction.response.defer()
            return
        self.stop()
        await self._on_pick(interaction, self.candidates[index])
