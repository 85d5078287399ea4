"""/map, and the pictures of /stats and /timeline, through the real client against the fake Discord server.

The PNG that reaches the server is decoded and its pixels checked: a place's marker is where its
coordinates put it and has its kind's colour; a place the filters leave out has no marker.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botkit import artsakh_bot, bot_config, country, dataset, event, record
from fakecord import FakeDiscord, FakeMessage, InteractionResult
from PIL import Image

from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.figures import Mark
from bot.core.model import Jurisdiction, Level
from bot.core.reloading import DataStore
from bot.discordbot.bot import ArtsakhBot
from bot.discordbot.pictures import NO_PICTURE
from bot.pictures.maps import MapLayout, layout
from bot.pictures.service import PictureService, geo_folder
from bot.pictures.style import MARK_COLOURS
from bot.storage.database import Database
from tests.test_discord_bot import NOW

DISCORD_FILE_LIMIT = 10 * 1024 * 1024  # bytes per attachment for a bot without boosts
PICTURE_BUDGET = 1024 * 1024

LOCATIONS = {
    "california": (38.58, -121.49),
    "los-angeles": (34.05, -118.24),
    "louisiana": (30.45, -91.19),
    "france": (48.86, 2.35),
    "lyon": (45.76, 4.84),
    "nsw": (-33.87, 151.21),
    "montevideo": (-34.90, -56.16),
}


def located(id: str, name: str, level: str, country_id: str) -> Jurisdiction:
    return Jurisdiction(id, name, Level(level), country_id, location=LOCATIONS[id])


def picture_dataset(version: str = "pictures-1", *, more_in_lyon: int = 0) -> Any:
    countries = (
        country("us", "United States"),
        country("fr", "France"),
        country("au", "Australia"),
        country("uy", "Uruguay"),
    )
    places = (
        located("california", "California", "state", "us"),
        located("los-angeles", "Los Angeles", "city", "us"),
        located("louisiana", "Louisiana", "state", "us"),
        located("france", "France", "national", "fr"),
        located("lyon", "Lyon", "city", "fr"),
        located("nsw", "New South Wales", "state", "au"),
        located("montevideo", "Montevideo", "city", "uy"),
    )
    records = (
        record("ca-2014", "california", "State Assembly", "2014-05-08", "call-for-recognition", "AJR 32",
               "Called for recognition.", "ajr32"),
        record("ca-2012", "california", "State Senate", "2012-08", "call-for-recognition", "SJR 5",
               "Called for recognition.", "sjr5"),
        record("la-2013", "los-angeles", "City Council", "2013-01", "recognition", "LA resolution",
               "Recognized the republic.", "la"),
        record("lou-2012", "louisiana", "House", "2012", "self-determination", "Louisiana resolution",
               "Backed self-determination.", "lou"),
        record("fr-2020", "france", "Senate", "2020-11-25", "call-for-recognition", "Senate resolution",
               "Called on the government to recognize.", "senat"),
        record("lyon-2020", "lyon", "City Council", "2020-11-12", "statement", "Lyon motion", "A statement.",
               "lyon"),
        record("nsw-2012", "nsw", "Legislative Council", "2012-10", "call-for-recognition", "NSW motion",
               "Called for recognition.", "nsw"),
        record("mvd-2013", "montevideo", "Departmental Board", "2013-06", ["recognition", "condemnation"],
               "Montevideo declaration", "Recognized the republic.", "mvd"),
        *(
            record(f"lyon-{n}", "lyon", "City Council", f"2021-{n:02d}", "statement", f"Lyon motion {n}",
                   "A statement.", f"lyon/{n}")
            for n in range(1, more_in_lyon + 1)
        ),
    )
    events = (
        event("proclamation", "Proclamation of the Republic", "1991-09-02", "Proclaimed.", "1991"),
        event("war", "The first war", "1992-02", "A war.", "war", end="1994-05-12"),
        event("ceasefire", "Ceasefire", "1994-05", "A ceasefire.", "cease"),
    )
    return dataset(version, countries=countries, jurisdictions=places, records=records, events=events)


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> AsyncIterator[ArtsakhBot]:
    clock = ManualClock(NOW)
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=picture_dataset())
    async with run_bot(artsakh_bot(bot_config(fake_discord), clock, store, database)) as running:
        yield running


async def final(result: InteractionResult) -> FakeMessage:
    """The answer once any deferred response has been replaced by the real one."""
    assert result.acknowledged
    assert not result.timed_out
    await result.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=30)
    assert result.message is not None
    return result.message


def attached_png(message: FakeMessage, name: str) -> Image.Image:
    """The picture attached as ``name``, checked the way Discord would take it."""
    files = {f.filename: f for f in message.attachments}
    assert name in files, f"no {name} among {list(files)}"
    stored = files[name]
    assert stored.content_type == "image/png"
    assert 0 < len(stored.data) <= min(DISCORD_FILE_LIMIT, PICTURE_BUDGET)
    assert message.embeds[0]["image"]["url"] == f"attachment://{name}"
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "PNG"
    return image.convert("RGB")


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def near(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def colour_at(
    image: Image.Image, plan: MapLayout, data: Any, place: str, *, inset: bool = False
) -> tuple[int, ...]:
    lat, lon = LOCATIONS[place]
    region = data.inset if inset else data.region
    x, y = plan.pixel(region, lat, lon, inset=inset)
    pixel = image.getpixel((round(x), round(y)))
    assert isinstance(pixel, tuple)
    return pixel


def is_marker(colour: tuple[int, ...]) -> bool:
    return any(near(colour, hex_rgb(c)) for c in MARK_COLOURS.values())


async def test_map_attachment_reaches_the_server_with_the_list_below(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    result = await fake_discord.slash("map")
    assert result.deferred  # not drawn yet: Discord shows "thinking" while it renders
    message = await final(result)
    assert not message.ephemeral
    image = attached_png(message, "map.png")
    data = bot.engine.map_data()
    assert data is not None
    plan = layout(data)
    assert image.size == (plan.width, plan.height)
    # the list under the picture: /list's entries, with the filter in the title
    assert message.embeds[1]["title"] == "Map: All acts · World"
    assert "7 places. 8 records, newest first." in message.embeds[1]["description"]
    assert "France · Senate" in message.text
    assert message.embeds[1]["footer"]["text"].endswith("Dataset pictures-1")


async def test_markers_are_where_their_coordinates_say_in_their_kinds_colour(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    message = await final(await fake_discord.slash("map"))
    image = attached_png(message, "map.png")
    data = bot.engine.map_data()
    assert data is not None
    assert data.inset is not None
    plan = layout(data)
    expected = {
        "louisiana": Mark.SELF_DETERMINATION,
        "nsw": Mark.CALL,
        "montevideo": Mark.RECOGNITION,  # recognition beats condemnation
    }
    for place, mark in expected.items():
        assert near(colour_at(image, plan, data, place), hex_rgb(MARK_COLOURS[mark])), place
    # in the Europe inset, France (call) and Lyon (statement) are apart
    assert near(colour_at(image, plan, data, "france", inset=True), hex_rgb(MARK_COLOURS[Mark.CALL]))
    assert near(colour_at(image, plan, data, "lyon", inset=True), hex_rgb(MARK_COLOURS[Mark.OTHER]))


async def test_filters_change_the_picture_and_leave_places_out(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    everything = attached_png(await final(await fake_discord.slash("map")), "map.png")
    result = await fake_discord.slash("map", {"kind": "recognition"})
    message = await final(result)
    image = attached_png(message, "map.png")
    assert image.tobytes() != everything.tobytes()
    data = bot.engine.map_data("recognition")
    assert data is not None
    plan = layout(data)
    assert near(colour_at(image, plan, data, "los-angeles"), hex_rgb(MARK_COLOURS[Mark.RECOGNITION]))
    assert near(colour_at(image, plan, data, "montevideo"), hex_rgb(MARK_COLOURS[Mark.RECOGNITION]))
    for gone in ("louisiana", "nsw"):
        assert not is_marker(colour_at(image, plan, data, gone)), gone
    assert not is_marker(colour_at(image, plan, data, "france", inset=True))
    assert message.embeds[1]["title"] == "Map: Recognition · World"
    assert "Louisiana" not in message.text
    assert "Los Angeles" in message.text


async def test_region_and_years_zoom_and_filter(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    message = await final(await fake_discord.slash("map", {"region": "europe", "from_year": 2020}))
    image = attached_png(message, "map.png")
    data = bot.engine.map_data(None, 2020, None, "europe")
    assert data is not None
    assert data.inset is None
    plan = layout(data)
    assert near(colour_at(image, plan, data, "france"), hex_rgb(MARK_COLOURS[Mark.CALL]))
    assert near(colour_at(image, plan, data, "lyon"), hex_rgb(MARK_COLOURS[Mark.OTHER]))
    assert message.embeds[1]["title"] == "Map: All acts · from 2020 · Europe"
    assert "California" not in message.text


async def test_a_cached_picture_goes_out_at_once(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    first = await final(await fake_discord.slash("map", {"kind": "call-for-recognition"}))
    renders = bot.pictures.renders
    again = await fake_discord.slash("map", {"kind": "call-for-recognition"})
    assert not again.deferred  # answered with the picture in the first response
    assert again.message is not None
    assert again.message.files["map.png"] == first.files["map.png"]
    assert bot.pictures.renders == renders


async def test_nothing_matching_is_a_private_answer_without_a_picture(
    fake_discord: FakeDiscord, bot: ArtsakhBot
) -> None:
    result = await fake_discord.slash("map", {"from_year": 2030})
    assert result.ephemeral
    assert not result.deferred
    assert result.message is not None
    assert not result.message.attachments
    assert "No records match" in result.text
    bad = await fake_discord.slash("map", {"from_year": 2021, "to_year": 2020})
    assert bad.ephemeral
    assert "is after the second" in bad.text


async def test_stats_and_timeline_attach_their_pictures(fake_discord: FakeDiscord, bot: ArtsakhBot) -> None:
    stats = await final(await fake_discord.slash("stats"))
    chart = attached_png(stats, "stats.png")
    assert chart.width == 1000
    assert "By kind" in stats.text
    timeline = await final(await fake_discord.slash("timeline"))
    attached_png(timeline, "timeline.png")
    assert "Proclamation of the Republic" in timeline.text
    narrow = await final(await fake_discord.slash("timeline", {"from_year": 1994, "to_year": 1994}))
    assert narrow.files["timeline.png"] != timeline.files["timeline.png"]


async def test_pages_keep_the_picture(
    fake_discord: FakeDiscord, run_bot: Any, database: Database, tmp_path: Path
) -> None:
    clock = ManualClock(NOW)
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=picture_dataset(more_in_lyon=12))
    async with run_bot(artsakh_bot(bot_config(fake_discord), clock, store, database)):
        message = await final(await fake_discord.slash("map"))
        next_page = next(
            c["custom_id"] for c in message.all_components() if c.get("custom_id", "").startswith("pg:n:")
        )
        turned = await fake_discord.click(message, next_page)
        assert turned.message is not None
        page = turned.message
        assert page.embeds[0]["image"]["url"] == "attachment://map.png"
        assert "map.png" in page.files
        assert len(page.embeds) == 2
        assert "Map: All acts · World" in page.text
        assert page.embeds[1]["footer"]["text"].startswith("Page 2/2")
        assert "Montevideo" in page.text  # an older entry, on page 2


async def test_when_drawing_fails_the_text_still_goes_out_with_a_private_note(
    fake_discord: FakeDiscord,
    run_bot: Any,
    database: Database,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(NOW)
    store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=picture_dataset())
    broken = PictureService(tmp_path / "no-outlines-here")  # the map cannot load its outlines
    bot = artsakh_bot(bot_config(fake_discord), clock, store, database)
    bot.pictures = broken
    async with run_bot(bot):
        result = await fake_discord.slash("map")
        message = await final(result)
        assert not message.attachments
        assert "France · Senate" in message.text
        assert not message.ephemeral
        notes = await result.wait_for_followups(1, timeout=10)
        assert notes[-1].ephemeral
        assert NO_PICTURE in notes[-1].text
    assert "Could not draw the picture" in caplog.text


def test_the_bundled_outlines_are_found() -> None:
    assert (geo_folder() / "countries-110m.geojson").is_file()
