"""Sending an answer: public or private, paged, and with a picker for candidates."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord

from bot.core.answers import Answer, Candidate, Status
from bot.discordbot.cooldowns import refund
from bot.discordbot.live_views import LiveViews
from bot.discordbot.render import notice, render, truncate
from bot.discordbot.views import CandidatePicker, OwnedView, Paginator

log = logging.getLogger(__name__)

Rerun = Callable[[str], Answer]


async def send_answer(
    interaction: discord.Interaction[Any],
    answer: Answer,
    *,
    view_timeout: float | None,
    footer: str | None = None,
    rerun: Rerun | None = None,
    private: bool = False,
    live: LiveViews | None = None,
) -> None:
    """Answer ``interaction`` with ``answer``: found answers publicly, the rest privately.

    Candidates (ambiguous names, "did you mean") become a picker when ``rerun`` is given:
    picking one runs ``rerun(candidate.value)`` and answers again. An INVALID answer gives the
    user's cooldown turn back. ``private`` keeps even a found answer to the asker. A view
    sent counts in ``live``, which bounds how many stay usable at once.
    """
    if answer.status is Status.INVALID:
        refund(interaction)
    rendered = render(answer, footer=footer)
    owner = interaction.user.id
    view: OwnedView | None = None
    if rendered.candidates and rerun is not None:

        async def picked(pick_interaction: discord.Interaction[Any], candidate: Candidate) -> None:
            await _answer_pick(
                pick_interaction, candidate, rerun, view_timeout=view_timeout, footer=footer, live=live
            )

        view = CandidatePicker(rendered.candidates, owner, timeout=view_timeout, on_pick=picked)
    elif rendered.count > 1:
        view = Paginator(rendered, owner, timeout=view_timeout)
    await _send(interaction, rendered.page(0), view, ephemeral=private or not rendered.public, live=live)


async def _answer_pick(
    interaction: discord.Interaction[Any],
    candidate: Candidate,
    rerun: Rerun,
    *,
    view_timeout: float | None,
    footer: str | None,
    live: LiveViews | None,
) -> None:
    """Replace the private picker by a short note, then answer for the candidate."""
    answer = rerun(candidate.value)
    note = notice(f"Showing {truncate(candidate.label, 200)}.", status=Status.FOUND)
    await interaction.response.edit_message(embed=note, view=None)
    await send_answer(
        interaction, answer, view_timeout=view_timeout, footer=footer, rerun=rerun, live=live
    )


async def _send(
    interaction: discord.Interaction[Any],
    embed: discord.Embed,
    view: OwnedView | None,
    *,
    ephemeral: bool,
    live: LiveViews | None,
) -> None:
    """The first response when still possible, else a follow-up; bind the view to its message."""
    if not interaction.response.is_done():
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=ephemeral)
            return
        await interaction.response.send_message(embed=embed, view=view, ephemeral=ephemeral)

        async def edit_original(v: discord.ui.View) -> None:
            await interaction.edit_original_response(view=v)

        view.bind(edit_original, live)
        return
    if view is None:
        await interaction.followup.send(embed=embed, ephemeral=ephemeral)
        return
    message = await interaction.followup.send(embed=embed, view=view, ephemeral=ephemeral, wait=True)

    async def edit_followup(v: discord.ui.View) -> None:
        await message.edit(view=v)

    view.bind(edit_followup, live)
