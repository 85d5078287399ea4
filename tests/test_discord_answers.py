"""Answers people can scan, through the real discord.py client: compact lists, the details picker and
record cards, page buttons and the page picker, delete, and buttons that survive a restart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from botkit import artsakh_bot, bot_config, country, dataset, event, place, record
from fakecord import FakeDiscord, FakeMessage, InteractionResult
from test_discord_bot import NOW, bot, components, description, make_dataset, title

from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.model import AlternativeDate, Dataset, PartialDate, Source, Vote
from bot.core.reloading import DataStore
from bot.discordbot.bot import ArtsakhBot

__all__ = ["bot"]  # the fixture
from bot.discordbot.views import NOT_YOURS
from bot.storage.database import Database

TOWNS = 80
SENATE = "`25 Nov 2020` France · Senate — call for recognition · 305–1 (30 abst.)"


def many_towns() -> Dataset:
    """80 French towns' motions, one a day from 1 January 2020: 7 pages of 12."""
    base = make_dataset()
    towns = tuple(place(f"town-{i}", f"Town {i}", "city", "fr") for i in range(TOWNS))
    records = tuple(
        record(
            f"fr-town-{i}",
            f"town-{i}",
            "City Council",
            f"2020-{1 + i // 28:02d}-{1 + i % 28:02d}",
            "call-for-recognition",
            f"Town {i} motion",
            f"Town {i} asked the government to recognize Artsakh. " + "Long words. " * 60,
            (
                Source(f"https://news.example.org/town/{i}", "A report"),
                Source(f"https://www.senat.fr/town/{i}", "The motion's text"),
            ),
            vote=Vote(30 + i, 2, 1),
            notes=f"Note on town {i}: the motion is addressed to the government.",
            alternative_dates=(AlternativeDate(PartialDate(2020, 12), "a later report"),) if i == 3 else (),
        )
        for i in range(TOWNS)
    )
    return dataset(
        "towns-1",
        countries=base.countries,
        jurisdictions=base.jurisdictions + towns,
        records=base.records + records,
        events=base.events,
        ambiguous={a.name: a.jurisdictions for a in base.ambiguous_names},
    )


def towns_bot(fake: FakeDiscord, database: Database, tmp_path: Path) -> ArtsakhBot:
    clock = ManualClock(NOW)
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=many_towns())
    return artsakh_bot(bot_config(fake), clock, store, database)


def menu(message: FakeMessage, prefix: str) -> dict[str, Any]:
    return next(c for c in message.all_components() if str(c.get("custom_id", "")).startswith(prefix))


async def test_a_long_list_is_twelve_lines_a_page_within_2000_characters(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    async with run_bot(towns_bot(fake_discord, database, tmp_path)):
        result = await fake_discord.slash("list", {"country": "France"})
        assert result.message is not None
        message = result.message
        text = description(result)
        lines = text.split("\n")
        assert lines[0] == "81 records, newest first."  # the order, said in the header
        entries = lines[2:]
        assert len(entries) == 12
        assert len(text) <= 2000
        assert entries[0] == "`25 Nov 2020` France · Senate — call for recognition · 305–1 (30 abst.)"
        assert entries[1] == "`24 Mar 2020` Town 79 · City Council — call for recognition · 109–2 (1 abst.)"
        assert message.embeds[0]["footer"]["text"] == "Page 1/7 · Dataset towns-1"
        # more than five pages: a page picker, its options saying which dates each page spans
        picker = menu(message, "pgs:")
        assert picker["placeholder"] == "Go to page…"
        assert [o["label"] for o in picker["options"]] == [f"Page {n}" for n in range(1, 8)]
        assert picker["options"][0]["description"] == "25 Nov 2020 … 14 Mar 2020"
        turned = await fake_discord.click(message, picker["custom_id"], values=["6"])
        assert turned.response_type == 7
        assert message.embeds[0]["footer"]["text"] == "Page 7/7 · Dataset towns-1"
        last = description(message).split("\n")[2:]
        assert len(last) == 81 - 6 * 12
        assert last[-1].startswith("`1 Jan 2020` Town 0 · ")
        for index in range(7):
            await fake_discord.click(message, menu(message, "pgs:")["custom_id"], values=[str(index)])
            assert len(description(message)) <= 2000


async def test_show_details_opens_a_private_card_for_whoever_picks(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    world = fake_discord.world
    async with run_bot(towns_bot(fake_discord, database, tmp_path)):
        result = await fake_discord.slash("date", {"when": "january 2020"}, user=world.alice)
        assert result.message is not None
        details = components(result.message)["details"]
        assert details["placeholder"] == "Show details…"
        disputed = "`4 Jan 2020` Town 3 · City Council — call for recognition · 33–2 (1 abst.) · dates differ"
        assert disputed in description(result)
        labels = [o["label"] for o in details["options"]]
        assert len(labels) == 12
        assert labels[0] == "Town 0 · City Council · 1 Jan 2020"
        card = await fake_discord.click(result.message, "details", values=["fr-town-3"], user=world.bob)
        assert card.ephemeral  # anyone may look, privately; the channel stays quiet
        assert card.user_id == world.bob.id
        embed = card.embeds[0]
        assert embed["title"] == "Town 3: Town 3 motion"
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert fields == {
            "Date": "4 January 2020\nOther sources: December 2020 (a later report)",
            "Body": "City Council",
            "Kind": "Call for recognition",
            "Vote": "33–2, 1 abstention",
        }
        assert "Note on town 3: the motion is addressed to the government." in embed["description"]
        assert embed["footer"]["text"] == "Record fr-town-3 · Dataset towns-1"
        assert card.message is not None
        links = [(b["label"], b["url"]) for b in card.message.buttons()]
        # the motion's own text (the senate's site) before the news report
        assert links == [
            ("The motion's text", "https://www.senat.fr/town/3"),
            ("A report", "https://news.example.org/town/3"),
        ]
        assert not any(c.startswith("del:") for c in components(card.message))
        cited = await fake_discord.slash("resolution", {"query": "fr-town-3"})  # the footer's id finds it
        assert title(cited) == "Town 3: Town 3 motion"


async def test_buttons_and_menus_keep_working_after_a_restart(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    world = fake_discord.world
    async with run_bot(towns_bot(fake_discord, database, tmp_path)):
        listed = await fake_discord.slash("list", {"country": "France"}, user=world.alice)
        ambiguous = await fake_discord.slash("jurisdiction", {"name": "LA"}, user=world.alice)
    assert listed.message is not None
    assert ambiguous.message is not None
    async with run_bot(towns_bot(fake_discord, database, tmp_path)):  # a new process, nothing in memory
        next_button = next(c for c in components(listed.message) if c.startswith("pg:n:"))
        turned = await fake_discord.click(listed.message, next_button, user=world.alice)
        assert turned.response_type == 7
        assert listed.message.embeds[0]["footer"]["text"] == "Page 2/7 · Dataset towns-1"
        card = await fake_discord.click(listed.message, "details", values=["fr-town-60"], user=world.bob)
        assert card.ephemeral
        assert title(card) == "Town 60: Town 60 motion"
        pick = menu(ambiguous.message, "pick:")["custom_id"]
        picked = await fake_discord.click(ambiguous.message, pick, values=["louisiana"], user=world.alice)
        assert picked.response_type == 7
        assert title(ambiguous.message) == "Louisiana: Louisiana resolution"


async def test_only_the_asker_turns_pages_or_picks_a_page(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    world = fake_discord.world
    async with run_bot(towns_bot(fake_discord, database, tmp_path)):
        result = await fake_discord.slash("list", {"country": "France"}, user=world.alice)
        assert result.message is not None
        before = description(result)
        for custom_id, values in (
            (next(c for c in components(result.message) if c.startswith("pg:l:")), None),
            (menu(result.message, "pgs:")["custom_id"], ["3"]),
        ):
            refused: InteractionResult = await fake_discord.click(
                result.message, custom_id, values=values, user=world.bob
            )
            assert refused.ephemeral
            assert NOT_YOURS in refused.text
        assert description(result) == before


async def test_a_small_country_answer_and_the_timeline_fit_one_page(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    events = tuple(
        event(f"e{i}", f"Event {i}", f"{1990 + i}-01-0{1 + i % 9}", "Summary.", f"e{i}")
        for i in range(20)
    )
    data = dataset(
        "events-1",
        countries=(country("fr", "France"),),
        jurisdictions=(place("france", "France", "national", "fr"),),
        records=(),
        events=events,
    )
    clock = ManualClock(NOW)
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=data)
    async with run_bot(artsakh_bot(bot_config(fake_discord), clock, store, database)):
        result = await fake_discord.slash("timeline")
        await result.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=30)
        assert result.message is not None
        assert result.embeds[0]["image"]["url"] == "attachment://timeline.png"  # the picture first
        lines = str(result.embeds[-1]["description"]).split("\n")
        assert lines[0] == "20 events, oldest first."
        assert lines[2] == "`1 Jan 1990` Event 0"
        assert len(lines) == 22  # the whole history on one page
        assert not any(c.startswith("pg:") for c in components(result.message))


# ---------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("when", "title_text", "first_line"),
    [
        ("1990s", "Records in the 1990s", "`2 Sep 1991` Proclamation of the Republic"),
        ("90s", "Records in the 1990s", "`2 Sep 1991` Proclamation of the Republic"),
        ("2020 onwards", "Records since 2020", SENATE),
        ("from 2021", "Records since 2021", "`1 Mar 2021` Glendale · City Council — recognition"),
        ("after 2021", "Records after 2021", "`24 Apr 2022` Springfield IL · City Council — statement"),
        ("since 2020", "Records since 2020", SENATE),
    ],
)
async def test_each_date_form_reads_naturally(
    fake_discord: FakeDiscord, bot: ArtsakhBot, when: str, title_text: str, first_line: str
) -> None:
    result = await fake_discord.slash("date", {"when": when})
    assert not result.ephemeral
    assert title(result) == title_text
    lines = description(result).split("\n")
    assert "oldest first" in lines[0]
    assert lines[2] == first_line


async def test_an_empty_day_shows_the_nearest_anniversaries_before_and_after(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    result = await fake_discord.slash("onthisday", {"date": "1 December"})
    assert result.ephemeral
    assert title(result) == "On this day: 1 December"
    lines = description(result).split("\n")
    assert lines[0] == "Nothing on record for 1 December. The nearest anniversaries:"
    assert lines[2:] == [
        f"{SENATE} · 25 November, 6 days earlier",
        "`20 Feb 1988` Karabakh movement begins · 20 February, 81 days later",
    ]
    assert result.message is not None
    assert "details" in components(result.message)  # their cards are one pick away


async def test_an_empty_date_points_to_onthisday_and_hints_fit_the_command(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    today = await fake_discord.slash("date", {"when": "today"})  # 25 November 2024: nothing that day
    assert today.ephemeral
    assert "Nothing on 25 November 2024." in today.text
    assert "For 25 November in other years, try /onthisday." in today.text
    bad = await fake_discord.slash("onthisday", {"date": "banana"})
    assert "Try 25 November, 11-25 or 2020-11-25." in bad.text
    assert "2012-2014" not in bad.text  # /onthisday takes a day, never a range
    wrong = await fake_discord.slash("date", {"when": "banana"})
    assert "the 1990s" in wrong.text


async def test_onthisday_uses_the_servers_daily_post_time_zone(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    utc = await fake_discord.slash("onthisday")  # 12:00 UTC on 25 November
    assert title(utc).startswith("France: ")
    await bot.subscriptions.subscribe(
        fake_discord.guild.id,
        fake_discord.world.general.id,
        time=dt.time(9, 0),
        timezone="Pacific/Kiritimati",  # UTC+14: already 26 November
        empty_day="upcoming",
        created_by=fake_discord.world.alice.id,
        now=NOW,
    )
    local = await fake_discord.slash("onthisday")
    assert title(local) == "On this day: 26 November"
    chosen = await fake_discord.slash("onthisday", {"timezone": "UTC"})  # a zone given wins
    assert title(chosen).startswith("France: ")


# ---------------------------------------------------------------------------------------------- search


async def test_search_pages_through_every_match_and_says_where_it_cuts(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    async with run_bot(towns_bot(fake_discord, database, tmp_path)):
        result = await fake_discord.slash("resolution", {"query": "town motion"})
        assert result.message is not None
        lines = description(result).split("\n")
        assert lines[0] == "Top 20 of 81 records for 'town motion', best match first."
        assert len(lines[2:]) == 12
        assert result.message.embeds[0]["footer"]["text"] == "Page 1/2 · Dataset towns-1"
        next_id = next(c for c in components(result.message) if c.startswith("pg:n:"))
        assert next_id.endswith(":r|town motion")
        await fake_discord.click(result.message, next_id)
        assert len(description(result).split("\n")[2:]) == 8  # 12 + 8: every match shown, none lost
        question = await fake_discord.slash("resolution", {"query": "did france recognize artsakh"})
        first = description(question).split("\n")
        assert first[0] == (
            "81 records for 'did france recognize artsakh', best match first, those of recognition first."
        )
        assert first[2] == SENATE  # France's own records


async def test_kind_words_in_any_language_find_that_kind_first(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    for query in ("recognition", "признание", "ճանաչում", "reconnaissance"):
        result = await fake_discord.slash("resolution", {"query": query})
        lines = description(result).split("\n")
        assert lines[0] == f"13 records of recognition for '{query}', newest first."
        assert all(" — recognition" in line for line in lines[2:])
    called = await fake_discord.slash("resolution", {"query": "calls for recognition"})
    lines = description(called).split("\n")
    assert lines[0] == "3 records of call for recognition for 'calls for recognition', newest first."
    assert lines[2] == SENATE


# ------------------------------------------------------------------------------------------- where it works


async def test_lookups_are_installable_to_users_and_work_in_dms_and_group_chats(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    synced = {c["name"]: c for c in fake_discord.synced_commands(fake_discord.guild)}
    lookups = ("jurisdiction", "resolution", "date", "onthisday", "timeline", "list", "stats", "about")
    for name in (*lookups, "help"):
        assert synced[name]["integration_types"] == [0, 1], name  # a server's app and a user's app
        assert synced[name]["contexts"] == [0, 1, 2], name  # servers, DMs with the bot, group chats
