"""The bot's languages: catalogs complete and consistent, CLDR dates and plurals, and, through the
real discord.py client on fakecord, answers in each language, localized commands, daily posts in
the server's language (recovered after a crash in every language), /settings kept and guarded.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import string
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import botkit as kit
import discord
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fakecord import FakeDiscord, InteractionResult, World
from test_discord_daily import MANY, FailingStore, make_dataset, posts
from test_discord_daily import footer as footer_of

from bot.config import DailyConfig
from bot.core import i18n
from bot.core.clock import ManualClock
from bot.core.daily import PostOutcome
from bot.core.engine import QueryEngine
from bot.core.i18n import LANGUAGES, catalog_path, using
from bot.core.reloading import DataStore
from bot.discordbot.bot import CORE_EXTENSIONS, ArtsakhBot
from bot.discordbot.cogs.daily import DailyCog
from bot.discordbot.sync import SyncTarget, digest, payload
from bot.discordbot.translator import (
    DISCORD_LOCALES,
    NAME_CONTEXT,
    NAME_RULE,
    TEXT_LIMIT,
    command_strings,
)
from bot.storage.database import Database

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")
SAME = "same in this language"
YEREVAN = ZoneInfo("Asia/Yerevan")
NOW = dt.datetime(2024, 11, 25, 12, 0, tzinfo=dt.UTC)
SETTINGS = "bot.discordbot.cogs.settings"
DAILY = "bot.discordbot.cogs.daily"

# ---------------------------------------------------------------------------------------------- catalogs


def source_messages() -> set[tuple[str | None, str | tuple[str, ...]]]:
    """Every message the code marks, and every slash command string, extracted now (as `make messages`)."""
    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    found: set[tuple[str | None, str | tuple[str, ...]]] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT / "bot", method_map=[("**.py", "python")], keywords=keywords
    ):
        if message and message != ("",):
            found.add((context, message))
    found.update(command_strings())
    return found


def catalog(language: str) -> Any:
    with catalog_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_in_the_catalog_translated_with_the_same_placeholders(language: str) -> None:
    cat = catalog(language)
    present = {(m.context, tuple(m.id) if isinstance(m.id, list | tuple) else m.id) for m in cat if m.id}
    missing = sorted(str(k) for k in source_messages() if k not in present)
    assert missing == [], f"{language}: run `make messages` and translate: {missing}"
    problems: list[str] = []
    for message in cat:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, list | tuple) else [message.id]
        strings = list(message.string) if isinstance(message.string, list | tuple) else [message.string]
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        if isinstance(message.id, list | tuple) and len(strings) != cat.num_plurals:
            problems.append(f"{len(strings)} plural forms, {cat.num_plurals} wanted: {ids[0]!r}")
        english = fields(ids[0])
        problems.extend(
            f"placeholders {sorted(fields(s))} != {sorted(english)}: {ids[0]!r}"
            for s in strings
            if fields(s) != english
        )
        if strings == ids[: len(strings)] and SAME not in message.user_comments:
            problems.append(f"left in English (add '# {SAME}' if right): {ids[0]!r}")
        if message.context == NAME_CONTEXT and not all(
            NAME_RULE.fullmatch(s) and s == s.lower() for s in strings
        ):
            problems.append(f"not a Discord command name: {strings[0]!r}")
        if message.context and message.context != NAME_CONTEXT and not all(
            1 <= len(s) <= TEXT_LIMIT for s in strings
        ):
            problems.append(f"over {TEXT_LIMIT} characters: {strings[0]!r}")
    assert problems == []


def test_the_catalogs_carry_cldr_plural_rules() -> None:
    assert catalog("ru").num_plurals == 3
    assert catalog("hy").num_plurals == 2  # CLDR: one (0 and 1), other


def test_counts_dates_and_years_ago_follow_each_language() -> None:
    def records(n: int) -> str:
        return i18n.ngettext("{count} record", "{count} records", n).format(count=n)

    with using("ru"):
        assert [records(n) for n in (1, 2, 5, 21, 11)] == [
            "1 запись", "2 записи", "5 записей", "21 запись", "11 записей",
        ]
        assert i18n.long_date(dt.date(2020, 11, 25)) == "25 ноября 2020\u202fг."  # CLDR's narrow space
        assert i18n.years_ago(6) == "6 лет назад"
        assert i18n.years_ago(2) == "2 года назад"
    with using("hy"):
        assert [records(n) for n in (0, 1, 2)] == ["0 գրառում", "1 գրառում", "2 գրառում"]
        assert i18n.day_month(11, 25) == "նոյեմբերի 25"
    with using("fr"):
        assert i18n.years_ago(1) == "il y a 1 an"
        assert i18n.day_month(11, 25) == "25 novembre"
    with using("es"):
        assert i18n.long_date(dt.date(2020, 11, 25)) == "25 de noviembre de 2020"
    with using("en"):
        assert records(2) == "2 records"
        assert i18n.long_date(dt.date(2020, 11, 25)) == "25 November 2020"
        assert i18n.years_ago(6) == "6 years ago"


# ---------------------------------------------------------------------------------------------- the bot


@asynccontextmanager
async def running(
    fake: FakeDiscord, run_bot: Any, tmp_path: Path, clock: ManualClock, *extensions: str
) -> AsyncIterator[ArtsakhBot]:
    """The real bot on its own state file (kept between runs: a restart), with /settings."""
    database = await Database.open(tmp_path / "state.sqlite3")
    try:
        store = DataStore(tmp_path, QueryEngine, clock=clock, dataset=make_dataset())
        config = kit.bot_config(fake, daily=DailyConfig(check_interval_seconds=3600.0))
        bot = kit.artsakh_bot(
            config, clock, store, database, extensions=(*CORE_EXTENSIONS, SETTINGS, *extensions),
            subscriptions=FailingStore(database),
        )
        async with run_bot(bot) as started:
            yield cast(ArtsakhBot, started)
    finally:
        await database.close()


def text_of(result: InteractionResult) -> str:
    embed = result.embeds[0]
    footer = (embed.get("footer") or {}).get("text", "")
    parts = [embed.get("title") or "", embed.get("description") or "", footer]
    parts.extend(f"{f['name']} {f['value']}" for f in embed.get("fields", []))
    return "\n".join(parts)


async def set_language(fake: FakeDiscord, value: str, locale: str = "en-US") -> InteractionResult:
    result = await fake.slash("settings language", {"value": value}, user=fake.world.mod, locale=locale)
    assert result.ephemeral
    return result


async def test_the_answer_speaks_the_server_then_the_member_then_english(
    fake_discord: FakeDiscord, fake_world: World, run_bot: Any, tmp_path: Path
) -> None:
    clock = ManualClock(NOW)
    async with running(fake_discord, run_bot, tmp_path, clock):
        ask = {"date": "10 march"}  # a day with many records: a list
        # no server language: the member's Discord language when it is one of ours
        french = await fake_discord.slash("onthisday", ask, user=fake_world.alice, locale="fr")
        assert text_of(french).startswith("Ce jour-là : 10 mars")
        russian = await fake_discord.slash("onthisday", ask, user=fake_world.alice, locale="ru")
        assert text_of(russian).startswith("В этот день: 10 марта")
        assert f"{MANY} записей 10 марта, сначала ранние." in text_of(russian)
        spanish = await fake_discord.slash("onthisday", ask, user=fake_world.alice, locale="es-ES")
        assert text_of(spanish).startswith("Un día como hoy: 10 de marzo")
        german = await fake_discord.slash("onthisday", ask, user=fake_world.alice, locale="de")
        assert text_of(german).startswith("On this day: 10 March")
        # the server's language wins over the member's
        changed = await set_language(fake_discord, "hy", locale="fr")
        assert "Լեզուն փոխվեց" in text_of(changed)
        armenian = await fake_discord.slash("onthisday", ask, user=fake_world.alice, locale="fr")
        assert text_of(armenian).startswith("Այս օրը՝ մարտի 10")
        card = await fake_discord.slash("resolution", {"query": "us-ca-2014"}, user=fake_world.bob)
        card_text = text_of(card)
        assert "Ամսաթիվ" in card_text  # the card's fields in Armenian
        assert "անգլերեն" in card_text  # and it says the record's own words are in English
        # "Automatic" gives the choice back to each member
        await set_language(fake_discord, "auto")
        back = await fake_discord.slash("onthisday", ask, user=fake_world.alice, locale="en-GB")
        assert text_of(back).startswith("On this day: 10 March")


async def test_errors_and_buttons_speak_the_language_too(
    fake_discord: FakeDiscord, fake_world: World, run_bot: Any, tmp_path: Path
) -> None:
    async with running(fake_discord, run_bot, tmp_path, ManualClock(NOW)):
        refused = await fake_discord.slash(
            "onthisday", {"date": "2024"}, user=fake_world.alice, locale="ru"
        )
        assert refused.ephemeral
        assert "Нужны день и месяц" in text_of(refused)
        listed = await fake_discord.slash("list", {}, user=fake_world.alice, locale="es-ES")
        assert listed.message is not None
        placeholders = [c.get("placeholder") for c in listed.message.all_components()]
        labels = [c.get("label") for c in listed.message.all_components()]
        assert "Ver detalles…" in placeholders
        assert "Eliminar" in labels


async def test_localized_command_names_are_registered_and_hashed_as_sent(
    fake_discord: FakeDiscord, run_bot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(fake_discord, run_bot, tmp_path, ManualClock(NOW), DAILY) as bot:
        synced = {c["name"]: c for c in fake_discord.synced_commands(fake_discord.world.guild)}
        onthisday = synced["onthisday"]
        assert onthisday["name_localizations"] == {
            "fr": "ce_jour", "ru": "в_этот_день", "es-ES": "un_día_como_hoy", "es-419": "un_día_como_hoy",
        }
        assert onthisday["description_localizations"]["ru"].startswith("Резолюции и события")
        settings = synced["settings"]
        language = next(o for o in settings["options"] if o["name"] == "language")
        assert language["name_localizations"]["fr"] == "langue"
        for command in synced.values():
            for names in (command.get("name_localizations") or {}).values():
                assert NAME_RULE.fullmatch(names)
        assert set(DISCORD_LOCALES) >= {discord.Locale.french, discord.Locale.russian}
        # the hash covers what is sent: a changed translation is a changed payload, and is synced
        target = SyncTarget(fake_discord.world.guild.id)
        before = digest(await payload(bot.tree, target))
        assert [r.outcome.value for r in await bot.sync_commands()] == ["unchanged"]
        real = i18n.pgettext

        def retranslated(context: str, message: str, language: str | None = None) -> str:
            if message == "onthisday" and language == "fr":
                return "ce_jour_la"
            return real(context, message, language)

        monkeypatch.setattr("bot.discordbot.translator.pgettext", retranslated)
        assert digest(await payload(bot.tree, target)) != before
        assert [r.outcome.value for r in await bot.sync_commands()] == ["synced"]
        synced = {c["name"]: c for c in fake_discord.synced_commands(fake_discord.world.guild)}
        assert synced["onthisday"]["name_localizations"]["fr"] == "ce_jour_la"


async def test_settings_persist_across_a_restart_and_every_change_is_kept(
    fake_discord: FakeDiscord, fake_world: World, run_bot: Any, tmp_path: Path
) -> None:
    clock = ManualClock(NOW)
    async with running(fake_discord, run_bot, tmp_path, clock) as bot:
        await set_language(fake_discord, "ru")
        zone = await fake_discord.slash(
            "settings timezone", {"value": "Asia/Yerevan"}, user=fake_world.mod, locale="fr"
        )
        assert "Часовой пояс изменён" in text_of(zone)  # the server's language now
        await fake_discord.slash("settings answers", {"value": "private"}, user=fake_world.mod)
        history = await bot.settings.history(fake_world.guild.id)
        assert [(c.setting, c.new, c.changed_by) for c in history] == [
            ("answers", "private", fake_world.mod.id),
            ("timezone", "Asia/Yerevan", fake_world.mod.id),
            ("language", "ru", fake_world.mod.id),
        ]
    clock.set(dt.datetime(2024, 11, 24, 21, 30, tzinfo=dt.UTC))  # already 25 November in Yerevan
    async with running(fake_discord, run_bot, tmp_path, clock):
        shown = await fake_discord.slash("settings show", user=fake_world.mod)
        text = text_of(shown)
        assert "Русский" in text
        assert "Asia/Yerevan" in text
        assert "Личные" in text
        answer = await fake_discord.slash("onthisday", user=fake_world.alice, locale="en-US")
        assert answer.ephemeral  # private by the server's setting
        # today in the server's time zone (25 November, not UTC's 24th): the French Senate, 4 years ago
        assert "4 года назад" in text_of(answer)
        assert "Дата 25 ноября 2020" in text_of(answer)


async def test_a_member_without_manage_server_is_refused(
    fake_discord: FakeDiscord, fake_world: World, run_bot: Any, tmp_path: Path
) -> None:
    async with running(fake_discord, run_bot, tmp_path, ManualClock(NOW)) as bot:
        command = fake_discord.find_command("settings")
        assert command["default_member_permissions"] == str(discord.Permissions(manage_guild=True).value)
        # a server that opened the command to everyone: the command checks again
        refused = await fake_discord.slash(
            "settings language", {"value": "ru"}, user=fake_world.alice, locale="fr",
            check_permissions=False,
        )
        assert refused.ephemeral
        assert "Gérer le serveur" in text_of(refused)
        assert (await bot.settings.get(fake_world.guild.id)).language is None
        assert await bot.settings.history(fake_world.guild.id) == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_daily_post_speaks_the_server_language_and_is_never_sent_twice(
    fake_discord: FakeDiscord, fake_world: World, run_bot: Any, tmp_path: Path, language: str
) -> None:
    clock = ManualClock(dt.datetime(2024, 11, 24, 12, 0, tzinfo=YEREVAN))
    async with running(fake_discord, run_bot, tmp_path, clock, DAILY) as bot:
        await set_language(fake_discord, language)
        subscribed = await fake_discord.slash(
            "daily subscribe",
            {"channel": fake_world.news, "time": "09:00", "timezone": "Asia/Yerevan"},
            user=fake_world.mod,
        )
        assert subscribed.ephemeral
        cog = cast(DailyCog, bot.get_cog("Daily"))
        store = cast(FailingStore, cog.store)
        store.mark_posted_error = sqlite3.OperationalError("database or disk is full")
        clock.set(dt.datetime(2024, 11, 25, 9, 0, tzinfo=YEREVAN))
        [result] = await cog.scheduler.run_once()
        assert result.outcome is PostOutcome.SENT  # sent, but the crash came before it was recorded
        [sent] = posts(fake_discord, fake_world.news)
    with using(language):
        title = i18n._("On this day: {day}").format(day=i18n.day_month(11, 25))
        head = i18n._("On this day")
    assert sent.embeds[0]["title"] == title
    assert footer_of(sent).startswith(f"{head} · 2024-11-25")
    # back hours later (Discord forgot the nonce): the post is found in the channel, not sent again
    fake_discord.nonce_window = 0
    clock.set(dt.datetime(2024, 11, 25, 15, 0, tzinfo=YEREVAN))
    async with running(fake_discord, run_bot, tmp_path, clock, DAILY) as bot:
        cog = cast(DailyCog, bot.get_cog("Daily"))
        await cog.scheduler.run_once()
        sub = await cog.store.get(fake_world.news.id)
        assert sub is not None
        assert sub.last_posted_date == dt.date(2024, 11, 25)
        assert sub.last_message_ids == (sent.id,)
    assert [m.id for m in posts(fake_discord, fake_world.news)] == [sent.id]


@pytest.mark.parametrize("language", LANGUAGES)
def test_answers_fit_discords_limits_in_every_language(language: str) -> None:
    from bot.core.cards import card_for
    from bot.core.pages import page, page_count
    from bot.discordbot.card import card_embed
    from bot.discordbot.daily_post import build_post
    from bot.discordbot.listing import list_embed

    engine = QueryEngine(make_dataset())
    with using(language):
        answers = [
            engine.list_records(None, None, None),
            engine.on_this_day("10 march", today=dt.date(2025, 3, 10)),
            engine.on_this_day("25 november", today=dt.date(2024, 11, 25)),
            engine.timeline(None, None),
        ]
        embeds: list[discord.Embed] = []
        for answer in answers:
            embeds.extend(
                list_embed(answer, page(answer, i), footer="Dataset x") for i in range(page_count(answer))
            )
            for entry in answer.entries:
                card = card_for(entry.key, engine.dataset)
                if card is not None:
                    embeds.append(card_embed(card, lead=answer.message, footer="Dataset x"))
        for day in (dt.date(2025, 3, 10), dt.date(2024, 11, 25), dt.date(2024, 7, 1)):
            embeds.extend(build_post(engine, day, "upcoming", dataset="Dataset x").embeds)
    assert len(embeds) > 10
    for embed in embeds:
        assert len(embed) <= 6000
        assert len(embed.title or "") <= 256
        assert len(embed.description or "") <= 4096
        assert len(embed.fields) <= 25
        assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)
        assert len(embed.footer.text or "") <= 2048


async def test_help_reads_as_the_members_client_shows_the_commands(
    fake_discord: FakeDiscord, fake_world: World, run_bot: Any, tmp_path: Path
) -> None:
    async with running(fake_discord, run_bot, tmp_path, ManualClock(NOW)):
        russian = await fake_discord.slash("help", user=fake_world.alice, locale="ru")
        names = [f["name"] for f in russian.embeds[0]["fields"]]
        assert russian.embeds[0]["title"] == "Команды"
        assert "/в_этот_день [дата] [часовой_пояс]" in names  # the names a Russian client shows
        await set_language(fake_discord, "hy")
        armenian = await fake_discord.slash("help", user=fake_world.alice, locale="fr")
        fields = {f["name"]: f["value"] for f in armenian.embeds[0]["fields"]}
        assert armenian.embeds[0]["title"] == "Հրամաններ"
        # Discord has no Armenian client: the names it shows (English), described in Armenian
        assert "> Արցախի պատմության բանաձևերն" in fields["/onthisday [date] [timezone]"]
