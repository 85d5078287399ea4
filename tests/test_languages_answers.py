"""The lookup answers in every language, through the real discord.py client on fakecord.

Every command's answer (titles, lead lines, fields, footers, buttons and menus) is rendered in each
language the server can choose, and fails if any English text of the catalog shows through
untranslated or if a Discord limit breaks (Russian and Armenian run longer). The dataset's own words
(titles, summaries, notes, source titles) are short neutral codes here, so whatever English is left
would be the bot's own. The date parser's messages are checked in every language too.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import botkit as kit
import pytest
from babel.messages.pofile import read_po
from fakecord import FakeDiscord, InteractionResult, World
from test_discord_daily import VERSION
from test_languages import NOW, ROOT, TRANSLATED, running, set_language

from bot.core import i18n
from bot.core.clock import ManualClock
from bot.core.dates import DateQueryError, parse_date_query
from bot.core.engine import QueryEngine
from bot.core.i18n import LANGUAGES, catalog_path, using
from bot.core.model import AlternativeDate, Dataset, PartialDate, Vote
from bot.discordbot.bot import ArtsakhBot

TODAY = dt.date(2024, 11, 25)
PLACEHOLDER = re.compile(r"\{[^}]*\}")

# ---------------------------------------------------------------------------------------------- data


def coded_dataset() -> Dataset:
    """Records, events and a non-act whose own words are codes (T1, S1, N1): no English of the bot's."""
    countries = (
        kit.country("fr", "France"),
        kit.country("us", "United States", "US"),
        kit.country("ge", "Georgia"),
    )
    places = (
        kit.place("france", "France", "national", "fr"),
        kit.place("georgia-us", "Georgia", "state", "us"),
        kit.place("california", "California", "state", "us"),
        kit.place("glendale", "Glendale", "city", "us"),
        *(kit.place(f"town-{i}", f"Town {i}", "city", "us") for i in range(14)),
    )
    records = (
        kit.record(
            "fr-senate-2020",
            "france",
            "Senate",
            "2020-11-25",
            "call-for-recognition",
            "T1",
            "S1",
            "s1",
            vote=Vote(305, 1, 30, "N1"),
            notes="N2",
        ),
        kit.record(
            "us-ga-2016",
            "georgia-us",
            "House",
            "2016-03-03",
            ("recognition", "call-for-recognition"),
            "T2",
            "S2",
            "s2",
            alternative_dates=(AlternativeDate(PartialDate(2016, 3, 2), "N3"),),
        ),
        kit.record(
            "us-ca-2014",
            "california",
            "Assembly",
            "2014-05-08",
            "self-determination",
            "T3",
            "S3",
            "s3",
            vote=Vote(70, None),
        ),
        kit.record("us-glendale-2013", "glendale", "Council", "2013-11", "statement", "T4", "S4", "s4"),
        kit.record("us-glendale-2012", "glendale", "Council", "2012", "condemnation", "T5", "S5", "s5"),
        *(
            kit.record(
                f"us-town-{i}",
                f"town-{i}",
                "Council",
                f"2020-11-{i + 1:02d}",
                "recognition",
                f"T{10 + i}",
                f"S{10 + i}",
                f"t{i}",
            )
            for i in range(14)
        ),
    )
    events = (
        kit.event("e1", "E1", "1991-09-02", "ES1", "e1"),
        kit.event("e2", "E2", "2020-09-27", "ES2", "e2", end="2020-11-10"),
    )
    non_acts = (
        kit.non_act("texas-none", ("Texas",), "NA1", "NE1", "na1"),
        kit.non_act("texas-bill", ("Texas",), "NA2", "NE2", "na2", "2017-05"),
    )
    return kit.dataset(
        VERSION,
        countries=countries,
        jurisdictions=places,
        records=records,
        events=events,
        non_acts=non_acts,
        methodology="M1",
    )


@pytest.fixture
async def coded(
    fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ArtsakhBot]:
    """The real bot on fakecord, answering from :func:`coded_dataset`."""
    monkeypatch.setattr("test_languages.make_dataset", coded_dataset)
    async with running(fake_discord, run_bot, tmp_path, ManualClock(NOW)) as bot:
        yield bot


# Every lookup command, in the shapes its answers take: lists, cards, pages, not found, invalid,
# ambiguous, and the overviews.
ASKS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("jurisdiction", {"name": "California"}),
    ("jurisdiction", {"name": "Georgia"}),
    ("jurisdiction", {"name": "United States"}),
    ("jurisdiction", {"name": "calfornia"}),
    ("jurisdiction", {"name": "zzqqxx"}),
    ("jurisdiction", {"name": "Texas"}),
    ("jurisdiction", {"name": "council"}),
    ("resolution", {"query": "T1"}),
    ("resolution", {"query": "fr-senate-2020"}),
    ("resolution", {"query": "recognition"}),
    ("resolution", {"query": "qqqxxyz"}),
    ("date", {"when": "nov 2020"}),
    ("date", {"when": "2013"}),
    ("date", {"when": "2012-2014"}),
    ("date", {"when": "since 2016"}),
    ("date", {"when": "the 2010s"}),
    ("date", {"when": "25 november 2020"}),
    ("date", {"when": "2 march 2016"}),
    ("date", {"when": "03/02/2016"}),
    ("date", {"when": "1 january 2019"}),
    ("date", {"when": "25 november"}),
    ("date", {"when": "31 february 2020"}),
    ("date", {"when": "blah"}),
    ("date", {"when": "1700"}),
    ("onthisday", {}),
    ("onthisday", {"date": "2 march"}),
    ("onthisday", {"date": "10 november"}),
    ("onthisday", {"date": "1 july"}),
    ("onthisday", {"date": "xx"}),
    ("timeline", {}),
    ("timeline", {"from_year": 1994, "to_year": 1988}),
    ("timeline", {"from_year": 3000}),
    ("list", {}),
    ("list", {"level": "city", "country": "us"}),
    ("list", {"country": "narnia"}),
    ("list", {"country": "unted states"}),
    ("list", {"kind": "recognition"}),
    ("map", {}),
    ("map", {"kind": "recognition", "region": "europe"}),
    ("stats", {}),
    ("about", {}),
)


def shown_texts(result: InteractionResult) -> list[str]:
    """Everything a member reads in an answer: each embed's parts, the buttons and the menus."""
    texts: list[str] = []
    for message in (result.message, *result.followups):
        if message is None:
            continue
        for embed in message.embeds:
            texts.extend(t for t in (embed.get("title"), embed.get("description")) if t)
            texts.append((embed.get("footer") or {}).get("text", ""))
            for item in embed.get("fields", []):
                texts.extend((item["name"], item["value"]))
        for component in message.all_components():
            texts.extend(t for t in (component.get("label"), component.get("placeholder")) if t)
            for option in component.get("options", []):
                texts.extend(t for t in (option.get("label"), option.get("description")) if t)
    return texts


def english_fragments(language: str) -> dict[str, str]:
    """The catalog's English text a translated answer must not show: fragment -> its message.

    The literal pieces between placeholders, of two words or more ("Nothing found"), or a whole
    capitalised word ("Timeline"); none that the translation itself keeps ("Sources" in French).
    """
    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.context:
            continue  # the slash commands' own names and descriptions are Discord's business
        ids = list(message.id) if isinstance(message.id, list | tuple) else [message.id]
        strings = list(message.string) if isinstance(message.string, list | tuple) else [message.string]
        translated = " ".join(strings)
        for english in ids:
            for raw in PLACEHOLDER.split(english):
                piece = raw.strip(" .,:;()*'«»-–—…")
                words = piece.split()
                if len(piece) < 6 or piece in translated or "/" in piece:
                    continue
                if len(words) >= 2 or (len(words) == 1 and piece[0].isupper() and piece.isalpha()):
                    found.setdefault(piece, ids[0])
    return found


def untranslated(texts: list[str], fragments: dict[str, str]) -> list[str]:
    joined = "\n".join(texts)
    return sorted(
        f"{fragment!r} (from {message!r})"
        for fragment, message in fragments.items()
        if re.search(rf"(?<![\w]){re.escape(fragment)}(?![\w])", joined)
    )


def limits_broken(result: InteractionResult) -> list[str]:
    """Discord's limits, as it checks them (fakecord refuses some; these are all of them)."""
    broken: list[str] = []
    message = result.message
    if message is None or not message.embeds:
        return ["no answer"]
    for embed in message.embeds:
        fields = embed.get("fields", [])
        total = sum(len(embed.get(k) or "") for k in ("title", "description"))
        total += len((embed.get("footer") or {}).get("text", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
        checks = {
            "title": len(embed.get("title") or "") <= 256,
            "description": len(embed.get("description") or "") <= 4096,
            "fields": len(fields) <= 25
            and all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields),
            "footer": len((embed.get("footer") or {}).get("text", "")) <= 2048,
            "total": total <= 6000,
        }
        broken.extend(name for name, ok in checks.items() if not ok)
    for component in message.all_components():
        if len(component.get("label") or "") > 80 or len(component.get("placeholder") or "") > 150:
            broken.append(f"component {component.get('label') or component.get('placeholder')!r}")
        options = component.get("options", [])
        if len(options) > 25 or any(
            len(o["label"]) > 100 or len(o.get("description") or "") > 100 for o in options
        ):
            broken.append("select options")
    return broken


# ---------------------------------------------------------------------------------------------- tests


async def answered(
    fake: FakeDiscord, world: World, command: str, options: dict[str, Any]
) -> InteractionResult:
    """The answer once it is complete (an answer with a picture is deferred, then edited in)."""
    result = await fake.slash(command, options, user=world.alice, locale="en-US")
    await result.wait_until(lambda r: r.message is not None and not r.message.loading, timeout=30)
    assert not result.failed, (command, options)
    return result


async def ask_all(fake: FakeDiscord, world: World) -> dict[str, InteractionResult]:
    return {
        f"/{command} {options}": await answered(fake, world, command, options) for command, options in ASKS
    }


async def test_every_lookup_answer_speaks_the_server_language_within_discords_limits(
    coded: ArtsakhBot, fake_discord: FakeDiscord, fake_world: World
) -> None:
    for language in LANGUAGES:
        await set_language(fake_discord, language)
        answers = await ask_all(fake_discord, fake_world)
        fragments = english_fragments(language) if language != "en" else {}
        problems = {
            asked: found
            for asked, result in answers.items()
            if (found := untranslated(shown_texts(result), fragments) + limits_broken(result))
        }
        assert problems == {}, language


async def test_armenian_and_russian_answers_read_in_their_language(
    coded: ArtsakhBot, fake_discord: FakeDiscord, fake_world: World
) -> None:
    await set_language(fake_discord, "ru")

    async def ask(command: str, **options: Any) -> str:
        return "\n".join(shown_texts(await answered(fake_discord, fake_world, command, options)))

    assert "Записи за ноябрь 2020" in await ask("date", when="nov 2020")
    ranged = await ask("date", when="2012-2014")
    assert "Записи за 2012 – 2014" in ranged
    assert "3 записи за 2012 – 2014, сначала ранние." in ranged  # CLDR's plural forms
    assert "февраль 2020\u202fг.: в этом месяце 29 дней, а не 31." in await ask(
        "date", when="31 february 2020"
    )
    stats = await ask("stats")
    assert "Статистика данных" in stats
    assert "19 записей из 18 мест в 2 странах, а также 2 события хронологии." in stats
    assert "По уровню" in stats
    assert "город: " in stats
    ambiguous = await ask("jurisdiction", name="Georgia")
    assert "(штат, United States, 1 запись)" in ambiguous
    assert "(страна, 0 записей)" in ambiguous
    listed = await ask("list", kind="recognition")
    assert "Записи: признание" in listed
    assert "Хронология" in await ask("timeline")
    assert "Названия событий — на английском" in await ask("timeline")
    card = await ask("resolution", query="fr-senate-2020")
    assert "305–1, 30 воздержались; N1" in card  # the vote's count said in Russian, the note as given
    assert "Карта: Признание · Европа" in await ask("map", kind="recognition", region="europe")
    read_two_ways = await ask("date", when="03/02/2016")  # one record: a card, led by how it was read
    assert "03/02/2016 можно прочитать как 3 февраля 2016\u202fг. или 2 марта 2016\u202fг.; показаны оба" in (
        read_two_ways
    )
    assert "г.." not in read_two_ways  # one stop after the abbreviation that ends a sentence
    never = await ask("jurisdiction", name="Texas")
    assert "Названия так и не принятых актов — на английском, как в источниках." in never
    assert "Ничего на 1 января 2019\u202fг." in await ask("date", when="1 january 2019")

    await set_language(fake_discord, "hy")
    assert "Գրառումներ 2020 թ․ նոյեմբեր" in await ask("date", when="nov 2020")
    assert "Ժամանակագրություն" in await ask("timeline")
    assert "Բոտի մասին" in await ask("about")
    assert "Մեթոդաբանությունը" in await ask("about")  # the methodology is said to be in English
    assert "18 գրառում՝ նորերից սկսած" in await ask("jurisdiction", name="United States")
    assert "«qqqxxyz»-ին ոչ մի գրառում չի համապատասխանում" in await ask("resolution", query="qqqxxyz")


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_date_parsers_messages_speak_the_language_and_its_examples_parse(language: str) -> None:
    fragments = english_fragments(language)
    errors = {
        "blah": "",
        "31 february 2020": "",
        "29 february 2021": "",
        "2020-13": "",
        "13/14/2020": "",
        "since 2030": "",
        "2014 to 2012": "",
        "may": "",
        "8": "",
        "12/5": "",
        "8 flurb 2014": "",
        "8/5/14": "",
        "": "",
    }
    with using(language):
        for text in errors:
            with pytest.raises(DateQueryError) as caught:
                parse_date_query(text, today=TODAY)
            errors[text] = str(caught.value)
        hint = i18n._("Try 2020-11-25, nov 2020, 2014, 2012-2014, the 1990s or since 2020.")
        day_hint = i18n._("Try 25 November, 11-25 or 2020-11-25.")
        readings = parse_date_query("03/02/2016", today=TODAY)
    assert untranslated(list(errors.values()), fragments) == []
    assert all(errors.values())
    assert hint in errors["blah"]
    assert readings.note is not None
    assert untranslated([readings.note, readings.label], fragments) == []
    # the examples a message gives are ones the bot reads
    for example in (
        re.split(r"[:,՝]| или | կամ | ou | o ", hint.rstrip(".։"))[1:]
        + re.split(r"[:,՝]| или | կամ | ou | o ", day_hint.rstrip(".։"))[1:]
    ):
        parse_date_query(example.strip().rstrip("."), today=TODAY)


@pytest.mark.parametrize("language", LANGUAGES)
def test_stats_and_about_are_made_in_each_language(language: str) -> None:
    engine = QueryEngine(coded_dataset())
    with using("en"):
        english = engine.stats()
    with using(language):
        stats, about = engine.stats(), engine.about()
        expected = i18n._("Dataset statistics")
    assert stats.title == expected
    assert (stats.title == english.title) == (language == "en")
    assert about.fields[0].name == (i18n.translations(language).gettext("Dataset version"))


# ---------------------------------------------------------------------------------------------- pictures


def drawn(data: Any) -> tuple[list[str], list[str], list[str]]:
    """What a picture's renderer draws for ``data``: its words, those outside the picture, font warnings."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from bot.core.figures import MapData, YearCounts
    from bot.pictures import style
    from bot.pictures.charts import draw_timeline, draw_year_counts
    from bot.pictures.maps import draw_map
    from bot.pictures.render import _outlines
    from bot.pictures.service import geo_folder

    with warnings.catch_warnings(record=True) as caught, rc_context(style.RC), using(data.language):
        warnings.simplefilter("always")
        fig = Figure(dpi=style.DPI)
        FigureCanvasAgg(fig)
        if isinstance(data, MapData):
            draw_map(fig, data, *_outlines(geo_folder()))
        elif isinstance(data, YearCounts):
            draw_year_counts(fig, data)
        else:
            draw_timeline(fig, data)
        fig.savefig(io.BytesIO(), format="png")
        texts = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
        words = [t.get_text() for t in texts]
        outside = [
            t.get_text() for t in texts if not style.fits(fig, t) and not t.get_text().isdigit()
        ]  # ticks
    return words, outside, [str(w.message) for w in caught if "missing from" in str(w.message)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pictures_speak_the_language_fit_and_have_every_glyph(language: str) -> None:
    from bot.core.loader import load_dataset

    loaded = load_dataset(ROOT / "data").dataset
    assert loaded is not None
    engine = QueryEngine(loaded)
    fragments = english_fragments(language) if language != "en" else {}
    with using(language):
        timeline = engine.timeline(1988, 1994)
        pictures = {
            "map": engine.map_data(),
            "map of Europe": engine.map_data(kind="recognition", region="europe"),
            "stats": engine.year_counts(),
            "timeline": engine.timeline_data(timeline),
        }
        title = i18n._("Where acts on Artsakh were adopted")
    event_titles = {e.title for e in loaded.events}
    for name, data in pictures.items():
        assert data is not None
        words, outside, missing = drawn(data)
        ours = [w for w in words if not any(w.startswith(t[:8]) for t in event_titles)]  # not the sources'
        assert untranslated(ours, fragments) == [], name
        assert outside == [], name
        assert missing == [], name
        if name == "map":
            assert title in words


async def test_a_picture_is_drawn_again_in_another_language(
    coded: ArtsakhBot, fake_discord: FakeDiscord, fake_world: World
) -> None:
    english = await answered(fake_discord, fake_world, "stats", {})
    await set_language(fake_discord, "hy")
    armenian = await answered(fake_discord, fake_world, "stats", {})
    again = await answered(fake_discord, fake_world, "stats", {})
    pictures = [
        {f.filename: f.data for f in r.message.attachments}["stats.png"] for r in (english, armenian, again)
    ]
    assert pictures[0] != pictures[1]  # the Armenian words, not the English picture from the cache
    assert pictures[1] == pictures[2]  # and kept for the next Armenian answer


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_time_zone_readers_messages_speak_the_language(language: str) -> None:
    from bot.core.timezones import TimeZoneError, resolve_timezone

    messages = []
    with using(language):
        for text in ("Nowhere/Zone", "", "UTC+14:30", "us", "\x07"):
            with pytest.raises(TimeZoneError) as caught:
                resolve_timezone(text, exact=True)
            messages.append(str(caught.value))
    assert untranslated(messages, english_fragments(language)) == []


async def test_a_bad_time_zone_is_refused_in_the_server_language(
    fake_discord: FakeDiscord, fake_world: World, run_bot: Any, tmp_path: Path
) -> None:
    async with running(fake_discord, run_bot, tmp_path, ManualClock(NOW)):
        await set_language(fake_discord, "ru")
        refused = await fake_discord.slash("onthisday", {"timezone": "Nowhere/Zone"}, user=fake_world.alice)
    assert refused.ephemeral
    assert "Часовой пояс «Nowhere/Zone» мне неизвестен." in "\n".join(shown_texts(refused))


async def test_suggestions_speak_the_members_language_and_pick_the_same_thing(
    coded: ArtsakhBot, fake_discord: FakeDiscord, fake_world: World
) -> None:

    async def names(command: str, option: str, typed: str, locale: str) -> dict[str, str]:
        choices = await fake_discord.autocomplete(
            command, {option: typed}, option, user=fake_world.alice, locale=locale
        )
        return {c["value"]: c["name"] for c in choices}

    english = await names("jurisdiction", "name", "", "en-US")
    russian = await names("jurisdiction", "name", "", "ru")
    assert english.keys() == russian.keys()  # the same places, each picks the same answer
    assert english["country:us"] == "United States (country, 18 records)"
    assert russian["country:us"] == "United States (страна, 18 записей)"
    assert (
        "(штат, United States, 1 запись)"
        in (await names("jurisdiction", "name", "georg", "ru"))["georgia-us"]
    )
    assert (await names("jurisdiction", "name", "texas", "fr"))[
        "nonact:texas-none"
    ] == "NA1 (aucun acte enregistré)"
    records = await names("resolution", "query", "", "es-ES")
    assert records["fr-senate-2020"] == "France · 25 de noviembre de 2020 · T1"
    countries = await names("list", "country", "", "ru")
    assert countries["us"] == "United States (18 записей)"
    # the English ones were not replaced by the Russian: each language keeps its own
    assert (await names("list", "country", "", "en-GB"))["us"] == "United States (18 records)"


def test_a_region_is_read_in_english_and_in_the_language_in_use() -> None:
    engine = QueryEngine(coded_dataset())
    with using("ru"):
        assert (
            engine.map(region="Европа").title
            == engine.map(region="europe").title
            == "Карта: Все акты · Европа"
        )
        assert engine.map(region="Europa").status.value == "invalid"  # Spanish, not Russian
    with using("es"):
        assert engine.map(region="Europa").title == "Mapa: Todos los actos · Europa"


def test_a_decade_reads_as_each_language_says_it() -> None:
    engine = QueryEngine(coded_dataset())
    titles = {}
    for language in LANGUAGES:
        with using(language):
            titles[language] = engine.date("the 1990s", today=TODAY).title
    assert titles == {
        "en": "Records in the 1990s",
        "hy": "Գրառումներ 1990-ական թվականներին",
        "ru": "Записи за 1990-е годы",
        "fr": "Fiches dans les années 1990",
        "es": "Registros en los años 1990",
    }
