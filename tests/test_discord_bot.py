"""The real bot against the fake Discord server: every command, pickers, pages, errors, faults, sync.

Each test starts the genuine discord.py client (ArtsakhBot) against ``fake_discord``; the fake
enforces Discord's limits and the 3 s deadline, and fails the test on any violation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import discord
import pytest
from botkit import (
    PROCLAMATION,
    artsakh_bot,
    bot_config,
    california_ajr32,
    country,
    dataset,
    day,
    event,
    french_senate,
    non_act,
    place,
    record,
)
from discord import app_commands
from discord.ext import commands
from fakecord import FakeDiscord, FakeMessage, InteractionResult

from bot.config import Config
from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.model import AlternativeDate, Dataset, Kind, Level, Vote
from bot.core.reloading import DataStore
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot
from bot.discordbot.errors import GENERIC_ERROR
from bot.discordbot.replay import Ask, KeptAsks, decode, encode
from bot.discordbot.views import NOT_YOURS
from bot.storage.database import Database

NOW = dt.datetime(2024, 11, 25, 12, 0, tzinfo=dt.UTC)
CITIES = (
    "Glendale",
    "Burbank",
    "Pasadena",
    "Highland",
    "Montebello",
    "Fowler",
    "Clovis",
    "Reedley",
    "Selma",
    "Sanger",
    "Kerman",
    "Parlier",
)
SPRINGFIELDS = ("il", "ma", "mo", "or", "oh", "vt")


def make_dataset(version: str = "test-1") -> Dataset:
    """A small dataset with ambiguous names, disputed and partial dates, and enough records to page."""
    countries = (
        country("us", "United States", "USA", "US", "America"),
        country("fr", "France", "French Republic"),
        country("au", "Australia"),
    )
    jurisdictions = (
        place("california", "California", "state", "us", "CA", "Calif"),
        place("los-angeles", "Los Angeles", "city", "us", "City of Los Angeles"),
        place("louisiana", "Louisiana", "state", "us"),
        place("france", "France", "national", "fr"),
        place("nsw", "New South Wales", "state", "au", "NSW"),
        *(place(c.lower(), c, "city", "us") for c in CITIES),
        *(place(f"springfield-{s}", f"Springfield {s.upper()}", "city", "us") for s in SPRINGFIELDS),
    )
    records = (
        california_ajr32(
            alternative_dates=(AlternativeDate(day("2014-05-07"), "One source gives the day before"),),
            vote=Vote(70, 1, 0),
            reference="AJR 32",
        ),
        record(
            "us-la-2013",
            "los-angeles",
            "City Council",
            "2013-01",
            "recognition",
            "Los Angeles council resolution",
            "Backed the recognition.",
            "la",
        ),
        record(
            "us-louisiana-2012",
            "louisiana",
            "House",
            "2012",
            "self-determination",
            "Louisiana resolution",
            "Backed self-determination.",
            "lou",
        ),
        french_senate(
            "Called on the government to recognize the Republic of Artsakh.", vote=Vote(305, 1, 30)
        ),
        record(
            "au-nsw-2012",
            "nsw",
            "Legislative Council",
            "2012",
            "call-for-recognition",
            "NSW motion",
            "Called for recognition.",
            "nsw",
        ),
        *(
            record(
                f"us-{c.lower()}-2021",
                c.lower(),
                "City Council",
                f"2021-03-{i + 1:02d}",
                "recognition",
                f"{c} resolution",
                f"{c} recognized Artsakh. " + "More words about the resolution. " * 30,
                c.lower(),
            )
            for i, c in enumerate(CITIES)
        ),
        *(
            record(
                f"us-springfield-{s}-2022",
                f"springfield-{s}",
                "City Council",
                "2022-04-24",
                "statement",
                f"Springfield {s.upper()} statement",
                "A statement.",
                f"springfield/{s}",
            )
            for s in SPRINGFIELDS
        ),
    )
    events = (
        event(
            "karabakh-movement",
            "Karabakh movement begins",
            "1988-02-20",
            "The regional soviet votes.",
            "1988",
        ),
        PROCLAMATION,
        event("war-1992-1994", "The first war", "1992-02", "A war.", "war", end="1994-05-12"),
    )
    return dataset(
        version,
        methodology="Test methodology.\n\nSecond paragraph.",
        countries=countries,
        jurisdictions=jurisdictions,
        records=records,
        events=events,
        ambiguous={
            "LA": ("los-angeles", "louisiana"),
            "Springfield": tuple(f"springfield-{s}" for s in SPRINGFIELDS),
        },
        non_acts=(
            non_act(
                "texas-none", ["Texas", "TX"], "Texas: no act found",
                "No act of the Texas legislature was found.", "texas-search",
            ),
            non_act(
                "us-hres-1203-2020", ["us congress", "H.Res.1203", "State Assembly"],
                "H.Res.1203 (2020): introduced, never adopted",
                "Introduced in the US House of Representatives; never adopted.",
                "hres1203",
                date="2020-10-23",
            ),
        ),
    )


def make_bot(
    fake: FakeDiscord,
    database: Database,
    tmp_path: Path,
    *,
    config: Config | None = None,
    clock: ManualClock | None = None,
    view_timeout: float = 60.0,
    extensions: Sequence[str] | None = CORE_EXTENSIONS,
) -> ArtsakhBot:
    clock = clock or ManualClock(NOW)
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=make_dataset())
    return artsakh_bot(
        config or bot_config(fake), clock, store, database, extensions=extensions, view_timeout=view_timeout
    )


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> AsyncIterator[ArtsakhBot]:
    async with run_bot(make_bot(fake_discord, database, tmp_path)) as running:
        yield running


def description(result: InteractionResult | FakeMessage) -> str:
    embeds = result.embeds
    assert embeds, "expected an embed"
    return str(embeds[0].get("description") or "")


def title(result: InteractionResult | FakeMessage) -> str:
    return str(result.embeds[0].get("title") or "")


def components(message: FakeMessage) -> dict[str, dict[str, Any]]:
    return {c["custom_id"]: c for c in message.all_components() if "custom_id" in c}


def answered(result: InteractionResult) -> None:
    assert result.acknowledged, f"{result.name} was not answered"
    assert not result.timed_out
    assert result.elapsed is not None
    assert result.elapsed < 3.0


# ---------------------------------------------------------------------------------------------- commands


async def test_commands_are_synced_with_teaching_descriptions(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    synced = {c["name"]: c for c in fake_discord.synced_commands(fake_discord.guild)}
    assert set(synced) >= {
        "jurisdiction",
        "resolution",
        "date",
        "onthisday",
        "timeline",
        "list",
        "stats",
        "about",
        "help",
    }
    assert fake_discord.synced_commands(None) == []  # guild mode: nothing global
    for command in synced.values():
        assert 1 <= len(command["description"]) <= 100
        for option in command.get("options", []):
            assert 1 <= len(option["description"]) <= 100
    when = synced["date"]["options"][0]
    assert when["description"] == "A date, a month, a year or a range: 2020-11-25, nov 2020, 2014, 2012-2014"
    assert synced["jurisdiction"]["options"][0]["autocomplete"] is True
    level = next(o for o in synced["list"]["options"] if o["name"] == "level")
    assert {c["value"] for c in level["choices"]} == {lv.value for lv in Level}
    kind = next(o for o in synced["list"]["options"] if o["name"] == "kind")
    assert {c["value"] for c in kind["choices"]} == {k.value for k in Kind}
    country = next(o for o in synced["list"]["options"] if o["name"] == "country")
    assert country["autocomplete"] is True


async def test_jurisdiction_found_is_public_with_everything(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    """One record is a card: title, Date with the disputed date, Body, Kind, Vote, Reference, sources, id."""
    result = await fake_discord.slash("jurisdiction", {"name": "California"})
    answered(result)
    assert not result.ephemeral
    assert title(result) == "California: Assembly Joint Resolution 32"
    embed = result.embeds[0]
    assert description(result) == "Called on the President and Congress to recognize Artsakh."
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields == {
        "Date": "8 May 2014\nOther sources: 7 May 2014 (One source gives the day before)",
        "Body": "State Assembly",
        "Kind": "Call for recognition",
        "Vote": "70–1",
        "Reference": "AJR 32",
    }
    assert embed["footer"]["text"] == "Record us-ca-2014 · Dataset test-1"
    assert result.message is not None
    links = [(b["label"], b.get("url")) for b in result.message.buttons() if b.get("style") == 5]
    assert links == [("AJR 32 text", "https://example.org/ajr32")]
    assert list(components(result.message)) == [f"del:{fake_discord.world.alice.id}"]  # no pages


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("resolution", {"query": "AJR 32"}, "Reference\nAJR 32"),
        ("date", {"when": "nov 2020"}, "25 November 2020"),
        ("date", {"when": "2013-01"}, "January 2013"),
        ("onthisday", {}, "4 years ago"),
        ("onthisday", {"date": "24 april"}, "Springfield"),
        ("timeline", {"from_year": 1988, "to_year": 1991}, "Proclamation of the Republic"),
        ("list", {"level": "national"}, "France: Resolution on the necessity"),
        ("list", {"country": "Australia", "kind": "call-for-recognition"}, "New South Wales"),
        ("stats", {}, "By kind"),
        ("about", {}, "Test methodology."),
    ],
)
async def test_every_command_answers_publicly(
    fake_discord: FakeDiscord, bot: ArtsakhBot, command: str, options: dict[str, Any], expected: str
) -> None:
    result = await fake_discord.slash(command, options)
    answered(result)
    if result.deferred:  # /timeline and /stats draw their picture first
        await result.wait_until(lambda r: not r.message.loading, timeout=20)
    assert not result.ephemeral, result.text
    assert expected in result.text


async def test_month_precision_is_never_shown_as_a_day(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    result = await fake_discord.slash("jurisdiction", {"name": "Los Angeles"})
    date = next(f["value"] for f in result.embeds[0]["fields"] if f["name"] == "Date")
    assert date == "January 2013\nKnown only to the month."
    listed = await fake_discord.slash("date", {"when": "2012-2013"})  # three entries: a list
    assert "`Jan 2013` Los Angeles · City Council — recognition" in description(listed)
    assert "`2012` Louisiana · House — support for self-determination" in description(listed)
    assert "1 January 2013" not in result.text + listed.text


async def test_help_lists_every_command_with_an_example(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    result = await fake_discord.slash("help")
    answered(result)
    assert result.ephemeral
    fields = {f["name"].split()[0]: f["value"] for f in result.embeds[0]["fields"]}
    order = ["jurisdiction", "resolution", "date", "onthisday", "timeline", "list", "map", "stats", "about"]
    order.append("help")
    assert list(fields) == [f"/{name}" for name in order]  # in the order people look for them
    for name in order:
        assert "Example: `/" in fields[f"/{name}"], name
    assert fields["/jurisdiction"].endswith("Example: `/jurisdiction name: California`")


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        # nothing found
        ("jurisdiction", {"name": "Atlantis"}, "Nothing matches 'Atlantis'"),
        ("resolution", {"query": "zzzzqqq"}, "No record matches 'zzzzqqq'"),
        ("list", {"country": "Atlantis"}, "No country matches 'Atlantis'"),
        ("date", {"when": "1950"}, "1950"),
        # 12:00 UTC on 25 November is already 26 November on Kiritimati (UTC+14)
        ("onthisday", {"timezone": "Pacific/Kiritimati"}, "Nothing on record for 26 November"),
        # input that cannot be read
        ("date", {"when": "banana"}, "Try 2020-11-25, nov 2020, 2014, 2012-2014, the 1990s or since 2020"),
        ("onthisday", {"date": "banana"}, "could not read 'banana'"),
        ("onthisday", {"timezone": "Mars/Olympus"}, "time zone"),
        ("timeline", {"from_year": 2000, "to_year": 1990}, "is after the second"),
        ("jurisdiction", {"name": "   "}, "Type a name"),
    ],
)
async def test_not_found_and_invalid_input_are_private_with_a_hint(
    fake_discord: FakeDiscord, bot: ArtsakhBot, command: str, options: dict[str, Any], expected: str
) -> None:
    result = await fake_discord.slash(command, options)
    answered(result)
    assert result.ephemeral
    assert expected in result.text


@pytest.mark.parametrize(
    ("command", "options", "heading"),
    [
        ("jurisdiction", {"name": "texas"}, "Texas: no act found"),
        ("jurisdiction", {"name": "Texsa"}, "Texas: no act found"),
        ("resolution", {"query": "H.Res.1203"}, "H.Res.1203 (2020): introduced, never adopted"),
        ("jurisdiction", {"name": "us congress"}, "H.Res.1203 (2020): introduced, never adopted"),
    ],
)
async def test_a_query_naming_a_non_act_gets_the_explanation_privately(
    fake_discord: FakeDiscord, bot: ArtsakhBot, command: str, options: dict[str, Any], heading: str
) -> None:
    result = await fake_discord.slash(command, options)
    answered(result)
    assert result.ephemeral
    assert result.message is not None
    text = result.text
    assert description(result).startswith("*No act on record for")
    assert title(result) == heading  # one act: its card, with its sources as link buttons
    assert any(b.get("url", "").startswith("https://example.org/") for b in result.message.buttons())
    assert "California" not in text  # never a near name
    assert "Louisiana" not in text


async def test_a_name_of_real_records_and_a_non_act_shows_the_records_and_mentions_it(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    result = await fake_discord.slash("jurisdiction", {"name": "State Assembly"})
    answered(result)
    assert not result.ephemeral
    text = description(result)
    assert "`8 May 2014` California · State Assembly — call for recognition" in text
    assert "never adopted: H.Res.1203 (2020)" in text
    assert text.endswith("\n`23 Oct 2020` H.Res.1203 (2020): introduced, never adopted")  # last


async def test_autocomplete_offers_a_non_act_and_its_pick_explains_it(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    choices = await fake_discord.autocomplete("jurisdiction", {"name": "texa"}, "name")
    answered(fake_discord.interactions[-1])
    assert [c["value"] for c in choices] == ["nonact:texas-none"]
    picked = await fake_discord.slash("jurisdiction", {"name": choices[0]["value"]})
    answered(picked)
    assert picked.ephemeral
    assert "No act of the Texas legislature was found." in description(picked)


# ---------------------------------------------------------------------------------------------- pickers


async def test_ambiguous_name_offers_a_menu_and_the_pick_answers_in_place(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    world = fake_discord.world
    result = await fake_discord.slash("jurisdiction", {"name": "LA"}, user=world.alice)
    answered(result)
    assert result.message is not None
    assert "• Los Angeles (city, United States, 1 record)" in description(result)
    menu = components(result.message)[f"pick:{world.alice.id}:0:j|LA"]
    options = {o["label"]: o["value"] for o in menu["options"]}
    assert options == {
        "Los Angeles (city, United States, 1 record)": "los-angeles",
        "Louisiana (state, United States, 1 record)": "louisiana",
    }
    custom_id = menu["custom_id"]
    refused = await fake_discord.click(result.message, custom_id, values=["louisiana"], user=world.bob)
    assert refused.ephemeral
    assert NOT_YOURS in refused.text
    pick = await fake_discord.click(result.message, custom_id, values=["louisiana"], user=world.alice)
    answered(pick)
    assert pick.response_type == 7  # the question becomes the answer, in place: one message
    assert pick.followups == []
    assert title(result.message) == "Louisiana: Louisiana resolution"
    assert not result.message.ephemeral
    assert "Known only to the year." in result.message.text


async def test_many_candidates_come_as_a_select_menu(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    result = await fake_discord.slash("jurisdiction", {"name": "Springfield"})
    answered(result)
    assert result.message is not None
    [select] = [c for c in result.message.all_components() if c.get("type") == 3]
    assert select["placeholder"] == "Choose one…"
    labels = {o["label"]: o["value"] for o in select["options"]}
    assert len(labels) == len(SPRINGFIELDS)
    chosen = next(v for label, v in labels.items() if label.startswith("Springfield OR"))
    pick = await fake_discord.click(result.message, select["custom_id"], values=[chosen])
    answered(pick)
    assert title(result.message).startswith("Springfield OR: ")


async def test_did_you_mean_can_be_picked(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    result = await fake_discord.slash("list", {"country": "Frnc", "level": "national"})
    answered(result)
    assert result.ephemeral
    assert result.message is not None
    assert "Did you mean" in result.text
    [select] = [c for c in result.message.all_components() if c.get("type") == 3]
    assert [o["label"] for o in select["options"]] == ["France (1 record)"]
    pick = await fake_discord.click(result.message, select["custom_id"], values=["fr"])
    answered(pick)
    assert title(result.message).startswith("France: Resolution on the necessity to recognize")


# ---------------------------------------------------------------------------------------------- autocomplete


@pytest.mark.parametrize(
    ("command", "options", "first_value"),
    [
        ("jurisdiction", {"name": "calif"}, "california"),
        ("jurisdiction", {"name": "Califronia"}, "california"),
        ("resolution", {"query": "ajr"}, "us-ca-2014"),
        ("resolution", {"query": "senat"}, "fr-senate-2020"),
        ("list", {"country": "fra"}, "fr"),
        ("list", {"country": "Astralia"}, "au"),
        ("onthisday", {"timezone": "yerevan"}, "Asia/Yerevan"),
    ],
)
async def test_autocomplete_ranks_the_intended_choice_first(
    fake_discord: FakeDiscord,
    bot: ArtsakhBot,
    command: str,
    options: dict[str, Any],
    first_value: str,
) -> None:
    [focused] = options
    choices = await fake_discord.autocomplete(command, options, focused)
    result = fake_discord.interactions[-1]
    answered(result)
    assert 1 <= len(choices) <= 25
    assert choices[0]["value"] == first_value
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100
        assert 1 <= len(choice["value"]) <= 100


@pytest.mark.parametrize(
    ("command", "focused"),
    [("jurisdiction", "name"), ("resolution", "query"), ("list", "country"), ("onthisday", "timezone")],
)
async def test_autocomplete_on_empty_input_offers_defaults(
    fake_discord: FakeDiscord, bot: ArtsakhBot, command: str, focused: str
) -> None:
    choices = await fake_discord.autocomplete(command, {focused: ""}, focused)
    answered(fake_discord.interactions[-1])
    assert 1 <= len(choices) <= 25


async def test_autocomplete_values_are_accepted_back(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    choices = await fake_discord.autocomplete("jurisdiction", {"name": "spring"}, "name")
    assert len(choices) >= 2
    result = await fake_discord.slash("jurisdiction", {"name": choices[0]["value"]})
    assert not result.ephemeral
    assert title(result).startswith(choices[0]["name"].split(" (")[0] + ": ")


# ---------------------------------------------------------------------------------------------- pages


async def test_long_answers_page_for_the_asker_only(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    world = fake_discord.world
    result = await fake_discord.slash("list", {"country": "United States"}, user=world.alice)
    answered(result)
    assert not result.ephemeral
    assert result.message is not None
    message = result.message
    ask = "l||United States|"
    owner = world.alice.id
    buttons = components(message)
    assert list(buttons) == [
        "details",
        f"pg:f:0:{owner}:{ask}",
        f"pg:p:0:{owner}:{ask}",
        "pg:count",
        f"pg:n:1:{owner}:{ask}",
        f"pg:l:1:{owner}:{ask}",
        f"del:{owner}",
    ]
    assert buttons[f"pg:f:0:{owner}:{ask}"].get("disabled")
    assert buttons[f"pg:p:0:{owner}:{ask}"].get("disabled")
    assert buttons["pg:count"]["label"] == "1/2"
    first_page = description(message)
    assert first_page.startswith("21 records, newest first.\n\n`24 Apr 2022` Springfield VT · City Council")

    refused = await fake_discord.click(message, f"pg:n:1:{owner}:{ask}", user=world.bob)
    answered(refused)
    assert refused.ephemeral
    assert NOT_YOURS in refused.text
    assert description(message) == first_page  # bob changed nothing

    turn = await fake_discord.click(message, f"pg:n:1:{owner}:{ask}", user=world.alice)
    answered(turn)
    assert turn.response_type == 7
    assert components(message)["pg:count"]["label"] == "2/2"
    assert description(message) != first_page
    assert message.embeds[0]["footer"]["text"] == "Page 2/2 · Dataset test-1"
    assert components(message)[f"pg:l:1:{owner}:{ask}"].get("disabled")
    await fake_discord.click(message, f"pg:f:0:{owner}:{ask}", user=world.alice)
    assert description(message) == first_page


async def test_the_asker_may_delete_the_answer_and_nobody_else(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    world = fake_discord.world
    result = await fake_discord.slash("timeline", {}, user=world.alice)
    await result.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=30)
    assert result.message is not None
    delete = f"del:{world.alice.id}"
    assert components(result.message)[delete]["label"] == "Delete"
    refused = await fake_discord.click(result.message, delete, user=world.bob)
    assert refused.ephemeral
    assert NOT_YOURS in refused.text
    assert not result.message.deleted
    done = await fake_discord.click(result.message, delete, user=world.alice)
    answered(done)
    await fake_discord.wait_for(lambda: result.message is not None and result.message.deleted, what="delete")
    private = await fake_discord.slash("date", {"when": "banana"})
    assert private.message is not None
    assert not any(c.startswith("del:") for c in components(private.message))  # private answers: none


# ---------------------------------------------------------------------------------------------- hostile input


async def test_mentions_never_ping(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    for text in ("@everyone", "@here <@&123456789012345678>", f"<@{fake_discord.world.bob.id}>"):
        result = await fake_discord.slash("jurisdiction", {"name": text})
        answered(result)
        assert result.ephemeral
        assert "@everyone" not in result.text
        assert "@here" not in result.text
    assert "@\u200beveryone" in fake_discord.interactions[0].text
    fake_discord.assert_no_pings()
    sent = [c.json for c in fake_discord.calls_to("POST", "/interactions/*/*/callback")]
    assert all(body["data"].get("allowed_mentions") == {"parse": []} for body in sent)


async def test_a_6000_character_query_gets_a_short_private_answer(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    for command, option in (("jurisdiction", "name"), ("resolution", "query"), ("date", "when")):
        result = await fake_discord.slash(command, {option: "@everyone " + "x" * 5990})
        answered(result)
        assert result.ephemeral
        assert "too long" in result.text
        assert len(result.text) < 1000
    choices = await fake_discord.autocomplete("jurisdiction", {"name": "y" * 6000}, "name")
    assert choices == []
    answered(fake_discord.interactions[-1])
    fake_discord.assert_no_pings()


# ---------------------------------------------------------------------------------------------- faults


async def test_rate_limits_and_a_reconnect_mid_run(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    fault = fake_discord.fail_next("POST", "/interactions/*/*/callback", 429, retry_after=0.2)
    first = await fake_discord.slash("jurisdiction", {"name": "California"})
    answered(first)
    assert fault.hits == 1  # the 429 was honoured and the callback retried
    assert not first.ephemeral

    queries = ["California", "France", "LA", "Atlantis", "New South Wales", "Glendale"] * 3
    results: list[InteractionResult] = []

    async def steady() -> None:
        for name in queries:
            results.append(await fake_discord.slash("jurisdiction", {"name": name}))
            await asyncio.sleep(0.02)

    runner = asyncio.create_task(steady())
    await fake_discord.wait_for(lambda: len(results) >= 2, what="the first answers")  # mid-run
    await fake_discord.reconnect()
    fake_discord.fail_next("POST", "/interactions/*/*/callback", 429, retry_after=0.1, times=2)
    await runner
    assert fake_discord.resume_count >= 1
    assert len(results) == len(queries)
    for result in results:
        answered(result)

    # a picked candidate survives a 429 too
    picker = await fake_discord.slash("jurisdiction", {"name": "LA"})
    assert picker.message is not None
    fake_discord.fail_next("POST", "/interactions/*/*/callback", 429, retry_after=0.1)
    menu = next(c for c in components(picker.message) if c.startswith("pick:"))
    answered(await fake_discord.click(picker.message, menu, values=["los-angeles"]))
    assert title(picker.message) == "Los Angeles: Los Angeles council resolution"
    for name, options in (("stats", {}), ("timeline", {}), ("help", {})):
        answered(await fake_discord.slash(name, options))


# ---------------------------------------------------------------------------------------------- cooldowns


async def test_cooldown_blocks_the_spammer_but_not_invalid_input(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    clock = ManualClock(NOW)
    config = bot_config(fake_discord, per_window=2, window=30)
    world = fake_discord.world
    async with run_bot(make_bot(fake_discord, database, tmp_path, config=config, clock=clock)):
        for _ in range(4):  # invalid input never costs a turn
            bad = await fake_discord.slash("date", {"when": "banana"}, user=world.alice)
            assert bad.ephemeral
            assert "could not read" in bad.text
        for _ in range(2):
            ok = await fake_discord.slash("jurisdiction", {"name": "California"}, user=world.alice)
            assert not ok.ephemeral
        blocked = await fake_discord.slash("jurisdiction", {"name": "California"}, user=world.alice)
        answered(blocked)
        assert blocked.ephemeral
        assert "Slow down: try again in 30 s." in blocked.text
        other = await fake_discord.slash("jurisdiction", {"name": "California"}, user=world.bob)
        assert not other.ephemeral  # per user
        clock.advance(dt.timedelta(seconds=12))
        still = await fake_discord.slash("stats", {}, user=world.alice)
        assert "Slow down: try again in 18 s." in still.text
        clock.advance(dt.timedelta(seconds=18))
        again = await fake_discord.slash("jurisdiction", {"name": "California"}, user=world.alice)
        assert not again.ephemeral
        assert (await fake_discord.slash("help", {}, user=world.alice)).embeds[0]["title"] == "Commands"


async def test_cooldown_zero_disables_it(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    config = bot_config(fake_discord, per_window=0, window=30)
    async with run_bot(make_bot(fake_discord, database, tmp_path, config=config)):
        for _ in range(8):
            result = await fake_discord.slash("stats", {})
            assert not result.ephemeral


# ---------------------------------------------------------------------------------------------- errors


class BoomCog(commands.Cog):
    """Commands that fail, to exercise the one error handler."""

    @app_commands.command(name="boom")
    async def boom(self, interaction: discord.Interaction[Any], text: str) -> None:
        """Always fails."""
        raise RuntimeError("kaboom")

    @app_commands.command(name="boomlater")
    async def boom_later(self, interaction: discord.Interaction[Any]) -> None:
        """Fails after answering."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise RuntimeError("kaboom later")


async def test_one_error_handler_answers_once_and_logs_context(
    fake_discord: FakeDiscord,
    run_bot: Any,
    database: Database,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = make_bot(fake_discord, database, tmp_path)
    await bot.add_cog(BoomCog())
    caplog.set_level(logging.INFO, logger="bot.discordbot")
    async with run_bot(bot):
        result = await fake_discord.slash("boom", {"text": "hello"})
        answered(result)
        assert result.ephemeral
        assert result.text == GENERIC_ERROR
        later = await fake_discord.slash("boomlater")
        answered(later)
        assert later.deferred
        message = await later.wait_for_edit(1)
        assert message.ephemeral
        assert GENERIC_ERROR in message.text
        assert later.callback_calls == 1  # never a second acknowledgement
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "bot.discordbot.errors"]
    assert len(errors) == 2
    assert "/boom options={'text': 'hello'}" in errors[0].getMessage()
    assert f"guild={fake_discord.guild.id}" in errors[0].getMessage()
    assert f"user={fake_discord.world.alice.id}" in errors[0].getMessage()
    assert errors[0].exc_info is not None
    assert "kaboom" in str(errors[0].exc_info[1])


# ---------------------------------------------------------------------------------------------- sync


async def test_sync_only_when_the_tree_changed(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    guild_puts = f"/applications/*/guilds/{fake_discord.guild.id}/commands"
    async with run_bot(make_bot(fake_discord, database, tmp_path)) as first:
        assert [r.outcome.value for r in first.sync_results] == ["synced"]
    assert len(fake_discord.calls_to("PUT", guild_puts)) == 1
    async with run_bot(make_bot(fake_discord, database, tmp_path)) as second:
        assert [r.outcome.value for r in second.sync_results] == ["unchanged"]
        answered(await fake_discord.slash("stats", {}))
    assert len(fake_discord.calls_to("PUT", guild_puts)) == 1  # same tree, same DB: no PUT
    changed = make_bot(fake_discord, database, tmp_path, extensions=("bot.discordbot.cogs.lookup",))
    async with run_bot(changed):
        pass
    assert len(fake_discord.calls_to("PUT", guild_puts)) == 2
    assert "stats" not in {c["name"] for c in fake_discord.synced_commands(fake_discord.guild)}


async def test_switching_to_global_clears_the_guild_commands(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    async with run_bot(make_bot(fake_discord, database, tmp_path)):
        pass
    assert fake_discord.synced_commands(fake_discord.guild)
    config = bot_config(fake_discord, sync="global")
    async with run_bot(make_bot(fake_discord, database, tmp_path, config=config)) as bot:
        outcomes = {r.target.label: r.outcome.value for r in bot.sync_results}
        assert outcomes == {"global": "synced", f"guild {fake_discord.guild.id}": "cleared"}
        answered(await fake_discord.slash("about", {}))
    assert fake_discord.synced_commands(fake_discord.guild) == []
    assert "about" in {c["name"] for c in fake_discord.synced_commands(None)}


async def test_sync_off_never_touches_commands(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    config = bot_config(fake_discord, sync="off")
    async with run_bot(make_bot(fake_discord, database, tmp_path, config=config)) as bot:
        assert bot.sync_results == []
    assert fake_discord.calls_to("PUT", "/applications/*") == []


async def test_presence_and_intents(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    identify = fake_discord.gateway.identify_payloads[-1]
    assert identify["intents"] == discord.Intents(guilds=True).value
    activity = identify["presence"]["game"]  # discord.py sends the activity in IDENTIFY's presence
    assert activity["name"] == "/help"
    assert activity["type"] == discord.ActivityType.listening.value
    assert bot.allowed_mentions is not None
    assert bot.allowed_mentions.to_dict() == {"parse": []}


# ---------------------------------------------------------------------------------------------- reload


async def test_a_data_reload_takes_effect_without_a_restart(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    mini = Path(__file__).parent / "data" / "mini"
    for name in ("resolutions.yaml", "events.yaml"):
        (data / name).write_text((mini / name).read_text(encoding="utf-8"), encoding="utf-8")
    clock = ManualClock(NOW)
    store = DataStore(data, QueryEngine, clock=clock)
    bot = ArtsakhBot(
        bot_config(fake_discord),
        clock,
        store,
        database,
        extensions=CORE_EXTENSIONS,
        guild_ready_timeout=0.05,
    )
    async with run_bot(bot):
        about = await fake_discord.slash("about")
        assert "dataset version test-1" in about.text
        before = await fake_discord.autocomplete("jurisdiction", {"name": "new s"}, "name")
        assert before[0]["value"] == "nsw"
        text = (data / "resolutions.yaml").read_text(encoding="utf-8")
        text = text.replace('version: "test-1"', 'version: "test-2"').replace(
            "name: New South Wales", "name: New South Wales State"
        )
        (data / "resolutions.yaml").write_text(text, encoding="utf-8")
        report = await store.reload_from_disk()
        assert report.ok, report.problems
        about = await fake_discord.slash("about")
        assert "dataset version test-2" in about.text
        assert about.embeds[0]["footer"]["text"] == "Dataset test-2"
        after = await fake_discord.autocomplete("jurisdiction", {"name": "new s"}, "name")
        assert after[0]["name"].startswith("New South Wales State")


async def test_today_comes_from_the_injected_clock_and_is_never_stale(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    clock = ManualClock(NOW)
    async with run_bot(make_bot(fake_discord, database, tmp_path, clock=clock)):
        first = await fake_discord.slash("onthisday")
        assert not first.ephemeral
        assert "France: Resolution on the necessity" in first.text
        clock.advance(dt.timedelta(days=1))
        second = await fake_discord.slash("onthisday")
        assert second.ephemeral
        assert "26 November" in second.text
        clock.set(dt.datetime(2025, 4, 24, 23, 30, tzinfo=dt.UTC))
        late = await fake_discord.slash("onthisday", {"timezone": "Asia/Yerevan"})  # already 25 April there
        assert "25 April" in late.text
        utc = await fake_discord.slash("onthisday")
        assert "Springfield" in utc.text


async def test_the_full_bot_lists_every_command_in_help(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    import dataclasses

    from bot.config import ModerationConfig

    world = fake_discord.world
    moderation = ModerationConfig(role_ids=(world.moderator_role.id,))
    config = dataclasses.replace(bot_config(fake_discord), moderation=moderation)
    async with run_bot(make_bot(fake_discord, database, tmp_path, config=config, extensions=None)) as bot:
        assert set(CORE_EXTENSIONS) <= set(bot.extensions)
        result = await fake_discord.slash("help", user=world.mod)
        assert result.ephemeral
        fields = result.embeds[0]["fields"]
        names = [f["name"] for f in fields]
        commands_shown = [n for n in names if n.startswith("/")]
        shown = {n.split()[0].removeprefix("/") for n in commands_shown}
        synced = {c["name"] for c in fake_discord.synced_commands(fake_discord.guild)}
        assert synced == shown  # every command (groups by their top name), nothing stale
        missing = [f["name"] for f in fields if f["name"].startswith("/") and "Example: `/" not in f["value"]]
        assert missing == []
        managers = names.index("For server managers (Manage Server)")
        moderators = names.index("For moderators")
        assert names.index("/help") < managers < moderators
        assert all(n.startswith(("/daily ", "/settings ")) for n in names[managers + 1 : moderators])
        assert names[moderators + 1 :] == ["/admin reload [file]", "/admin status"]
        assert names[managers + 1].startswith("/daily subscribe")

        member = await fake_discord.slash("help", user=world.alice)  # neither a moderator nor a manager
        member_names = [f["name"] for f in member.embeds[0]["fields"]]
        assert "For server managers (Manage Server)" not in member_names  # only what she can use
        assert not any(n.startswith(("/daily", "/admin")) for n in member_names)
        assert "For moderators" not in member_names
        # each command comes with a mention to tap, with the id Discord gave it
        ids = {c["name"]: c["id"] for c in fake_discord.synced_commands(fake_discord.guild)}
        values = {f["name"].split()[0]: f["value"] for f in member.embeds[0]["fields"]}
        assert values["/jurisdiction"].startswith(f"</jurisdiction:{ids['jurisdiction']}> What a country")
        assert values["/help"].startswith(f"</help:{ids['help']}> ")
        mod_values = {f["name"]: f["value"] for f in fields}
        assert mod_values["/daily subscribe channel time [timezone] [empty_day]"].startswith(
            f"</daily subscribe:{ids['daily']}> "
        )

        from bot.discordbot.cogs.info import help_answer

        in_dm = [f.name for f in help_answer(bot, None, moderator=True).fields]  # outside any server
        assert in_dm[0] == "/jurisdiction name"
        assert not any(n.startswith(("/daily", "/admin", "For ")) for n in in_dm)


# ------------------------------------------------------------------------------------------ network errors


def unhandled(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Errors nobody handled: a task that died with an exception (reported when it is collected)."""
    gc.collect()
    return [r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()]


async def test_a_connection_lost_while_a_pick_is_answered_is_told_and_logged_in_one_line(
    fake_discord: FakeDiscord, bot: ArtsakhBot, caplog: pytest.LogCaptureFixture
) -> None:
    result = await fake_discord.slash("jurisdiction", {"name": "LA"})
    assert result.message is not None
    menu = next(c for c in components(result.message) if c.startswith("pick:"))
    # the pick edits the answer in place; the connection drops while that is sent
    fake_discord.fail_next("POST", "/interactions/*/*/callback", 0, drop=True)
    pick = await fake_discord.click(result.message, menu, values=["louisiana"])
    answered(pick)
    assert pick.ephemeral
    assert GENERIC_ERROR in pick.text
    [line] = [r for r in caplog.records if r.name == "bot.discordbot.errors"]
    assert line.levelno == logging.WARNING
    assert "could not reach Discord (the server closed the connection without answering)" in line.getMessage()
    assert line.exc_info is None
    assert unhandled(caplog) == []
    assert "Traceback" not in caplog.text


# ------------------------------------------------------------------------------------------- bounded memory


def test_answers_hold_no_view_in_memory_only_long_questions_at_most_max_live_views() -> None:
    """Buttons carry their question in the custom id; a question too long for it is kept, boundedly."""
    kept = KeptAsks(2)
    short = Ask("date", ("nov 2020", "2024-11-25"))
    assert encode(short, 68, kept) == "d|nov 2020|2024-11-25"
    assert decode("d|nov 2020|2024-11-25", kept) == short
    assert len(kept) == 0
    long = [Ask("resolution", (f"{n} " + "words " * 20,)) for n in range(3)]
    tokens = [encode(ask, 68, kept) for ask in long]
    assert all(token.startswith("~") and len(token) <= 68 for token in tokens)
    assert len(kept) == 2  # answers.max_live_views: the oldest long question is forgotten
    assert decode(tokens[0], kept) is None  # its buttons now say "run the command again"
    assert [decode(t, kept) for t in tokens[1:]] == long[1:]
    assert decode("x|unknown command", kept) is None
