"""The operations side in the server's language, through the real discord.py client on fakecord:
/daily (subscribe, status, preview, unsubscribe, their errors and the time reader's), the daily
post's every part, /admin reload (accepted, refused, an upload refused) with the moderators' log
channel, and the refusals for members who may not use them.

Each answer is checked for a sentence the catalog translates, and for English catalog text left
in it (:func:`english_left`): a piece of an English message that the language's catalog does not
use itself.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
from babel.messages.pofile import read_po
from fakecord import FakeDiscord, FakeMessage, World
from test_discord_admin import (  # noqa: F401 - fixtures
    StartBot,
    admin_reload,
    data_dir,
    history_dir,
    log_posts,
    report_of,
    start,
    with_testville,
)
from test_discord_daily import MANY_DAY, posts
from test_languages import DAILY, YEREVAN, running, set_language

from bot.core import i18n
from bot.core.clock import ManualClock
from bot.core.i18n import LANGUAGES, catalog_path, using
from bot.discordbot.cogs.daily import DailyCog
from bot.discordbot.translator import CHOICE_CONTEXT, DESCRIPTION_CONTEXT, NAME_CONTEXT

ROOT = Path(__file__).resolve().parents[1]
SPOKEN = ("hy", "ru")
NOW = dt.datetime(2024, 11, 20, 12, 0, tzinfo=dt.UTC)
_PLACEHOLDER = re.compile(r"\{\w*\}|\*\*|`")
_WORDS = re.compile(r"[A-Za-z][A-Za-z' ]*[A-Za-z]")


@cache
def english_pieces() -> frozenset[str]:
    """Every run of two or more English words between the placeholders of the bot's own messages."""
    with (ROOT / "bot" / "locales" / "bot.pot").open("rb") as handle:
        template = read_po(handle)
    pieces: set[str] = set()
    for message in template:
        if not message.id or message.context in (NAME_CONTEXT, DESCRIPTION_CONTEXT, CHOICE_CONTEXT):
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        for text in ids:
            for part in _PLACEHOLDER.split(text):
                pieces.update(p for p in _WORDS.findall(part) if " " in p and len(p) >= 8)
    return frozenset(pieces)


@cache
def translated_text(language: str) -> str:
    """All of ``language``'s translations, one after another (what it may rightly contain)."""
    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    out: list[str] = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        out.extend(s for s in strings if s)
    return "\n".join(out)


def english_left(text: str, language: str) -> list[str]:
    """Pieces of English catalog messages in ``text`` that ``language``'s own translations never use."""
    own = translated_text(language)
    return sorted(p for p in english_pieces() if p in text and p not in own)


def in_language(language: str, message: str) -> str:
    with using(language):
        return i18n._(message)


def frame_of(message: FakeMessage) -> str:
    """What the bot itself writes in a daily-post message: title, lead paragraph (first part) and footer."""
    embed = message.embeds[0]
    lead = (embed.get("description") or "").split("\n\n")[0]
    return "\n".join([embed.get("title") or "", lead, (embed.get("footer") or {}).get("text", "")])


def test_english_left_finds_english_catalog_text_and_only_that() -> None:
    assert english_left("Daily posts set up\n**Paused:** Канал удалён.", "ru") == ["Daily posts set up"]
    assert english_left("Ежедневные публикации настроены. Glendale City Council", "ru") == []
    # words the language's own catalog uses (Discord's English permission names in Armenian) are not left over
    assert english_left(in_language("hy", "Send Messages"), "hy") == []


# ---------------------------------------------------------------------------------------------- /daily


@pytest.mark.parametrize("language", SPOKEN)
async def test_daily_commands_answer_in_the_server_language(
    fake_discord: FakeDiscord, fake_world: World, run_bot: Any, tmp_path: Path, language: str
) -> None:
    clock = ManualClock(NOW)
    async with running(fake_discord, run_bot, tmp_path, clock, DAILY) as bot:
        await set_language(fake_discord, language)
        answers: list[str] = []

        async def ask(name: str, options: dict[str, Any] | None = None, **kwargs: Any) -> str:
            result = await fake_discord.slash(name, options, locale="en-US", **kwargs)
            assert result.ephemeral
            answers.append(result.text)
            return result.text

        mod = fake_world.mod
        news = {"channel": fake_world.news, "timezone": "Asia/Yerevan"}
        empty = await ask("daily status", user=mod)
        no_posts = "This server has no daily posts yet. Start them with /daily subscribe."
        assert in_language(language, no_posts) in empty
        bad_time = await ask("daily subscribe", {**news, "time": "25:00"}, user=mod)
        with using(language):
            assert i18n._("{time} is not a valid time of day. Use a 24-hour time like 09:00.").format(
                time="25:00"
            ) in bad_time
        cannot = await ask(
            "daily subscribe", {**news, "channel": fake_world.readonly, "time": "09:00"}, user=mod
        )
        assert in_language(language, "Send Messages") in cannot
        subscribed = await ask("daily subscribe", {**news, "time": "09:00"}, user=mod)
        assert in_language(language, "Daily posts set up") in subscribed
        with using(language):
            when = i18n.weekday_date(dt.date(2024, 11, 21))
        assert f"**{when}, 09:00** (Asia/Yerevan)" in subscribed  # the next post, in the language's words
        # a pause written by the poster in English is read in the server's language, permission and all
        cog = cast(DailyCog, bot.get_cog("Daily"))
        await cog.store.pause(fake_world.news.id, "Missing permission: Embed Links", clock.now())
        status = await ask("daily status", user=mod)
        with using(language):
            paused = i18n._("Missing permission: {permission}").format(permission=i18n._("Embed Links"))
        assert paused in status
        assert in_language(language, "Last post: none yet") in status
        preview = await ask("daily preview", {"date": "25 november"}, user=mod)
        with using(language):
            assert i18n.long_date(dt.date(2024, 11, 25)) in preview
        assert in_language(language, "On this day") in preview
        wrong = await ask("daily unsubscribe", {"channel": "nowhere"}, user=mod)
        assert "#news" in wrong
        # a member without Manage Server, where the server opened the command to everyone
        refused = await ask("daily status", user=fake_world.alice, check_permissions=False)
        assert in_language(
            language, "Only members with the **Manage Server** permission can manage daily posts."
        ) in refused
        stopped = await ask("daily unsubscribe", {"channel": str(fake_world.news.id)}, user=mod)
        with using(language):
            done = i18n._("Daily posts stopped in {channel}.").format(channel=f"<#{fake_world.news.id}>")
        assert done in stopped
    for text in answers:
        assert english_left(text, language) == [], text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_part_of_the_daily_post_speaks_the_server_language(
    fake_discord: FakeDiscord, fake_world: World, run_bot: Any, tmp_path: Path, language: str
) -> None:
    month, day = MANY_DAY
    clock = ManualClock(dt.datetime(2025, month, day - 1, 12, 0, tzinfo=YEREVAN))
    async with running(fake_discord, run_bot, tmp_path, clock, DAILY) as bot:
        await set_language(fake_discord, language)
        await fake_discord.slash(
            "daily subscribe",
            {"channel": fake_world.news, "time": "09:00", "timezone": "Asia/Yerevan"},
            user=fake_world.mod,
        )
        cog = cast(DailyCog, bot.get_cog("Daily"))
        clock.set(dt.datetime(2025, month, day, 9, 0, tzinfo=YEREVAN))
        await cog.scheduler.run_once()
        sent = posts(fake_discord, fake_world.news)
        # a day without anniversaries: the next days' (shown by /daily preview, exactly as posted)
        quiet = await fake_discord.slash("daily preview", {"date": "2025-11-20"}, user=fake_world.mod)
    assert len(sent) > 1  # a long day: several messages, each one in the language
    with using(language):
        title = i18n._("On this day: {day}").format(day=i18n.day_month(month, day))
        continued = i18n._("{title} (continued)").format(title=title)
        head = i18n._("On this day")
        nothing = i18n._("Nothing on record for {day}.").format(day=i18n.day_month(11, 20))
    iso = dt.date(2025, month, day).isoformat()
    for number, message in enumerate(sent):
        embed = message.embeds[0]
        assert embed["title"] == (title if number == 0 else continued)
        assert embed["footer"]["text"].startswith(f"{head} · {iso} · {number + 1}/{len(sent)}")
        if language != "en":
            assert english_left(frame_of(message), language) == []
    assert quiet.message is not None
    assert len(quiet.embeds) == 1
    assert quiet.embeds[0]["description"].startswith(nothing)
    if language != "en":
        assert english_left(frame_of(quiet.message) + "\n" + quiet.message.content, language) == []


# ---------------------------------------------------------------------------------------------- /admin reload


@pytest.mark.parametrize("language", SPOKEN)
async def test_admin_reload_answers_and_logs_in_the_server_language(
    fake_discord: FakeDiscord, start: StartBot, data_dir: Path, language: str  # noqa: F811 - fixtures
) -> None:
    world = fake_discord.world
    async with start(user_ids=[world.mod.id]) as bot:
        await bot.settings.change(world.guild.id, "language", language, by=world.owner.id, now=NOW)
        refused = await admin_reload(fake_discord, world.alice)
        refusal = report_of(refused).text
        only = "Only the bot's moderators can reload its data. This attempt has been logged."
        assert in_language(language, only) in refusal
        not_yaml = await admin_reload(fake_discord, world.mod, ("notes.txt", b"events: []\n"))
        with using(language):
            assert i18n._(
                "{name} is not a YAML file: upload a .yaml or .yml file (resolutions, events or non-acts)."
            ).format(name="notes.txt") in report_of(not_yaml).text
        resolutions = data_dir / "resolutions.yaml"
        resolutions.write_text(with_testville(resolutions.read_text(encoding="utf-8")), encoding="utf-8")
        accepted = await admin_reload(fake_discord, world.mod, None)
        report = report_of(accepted)
        [logged] = await log_posts(fake_discord, 1)
    with using(language):
        fields = [i18n._("Records added ({count})").format(count=1)]
        source = i18n._("Source: {source}.").format(source=i18n._("the data folder"))
        wanted = [i18n._("Data reloaded"), source]
    for message in (report, logged):  # the moderator's answer and the moderators' log channel alike
        assert message.embeds[0]["title"] == wanted[0]
        assert wanted[1] in message.text
        assert [f["name"] for f in message.embeds[0]["fields"]] == fields
        assert english_left(message.text, language) == [], message.text
    for text in (refusal, report_of(not_yaml).text):
        assert english_left(text, language) == [], text


def test_a_stored_reason_is_shown_in_the_readers_language_or_as_stored() -> None:
    from bot.core import post_reasons as reasons

    stored = reasons.reason(reasons.REFUSED_STATUS, status=403, text="Missing Access")
    assert stored == "Discord refused the post (403: Missing Access); retrying."
    with using("fr"):
        refused = "Discord a refusé la publication (403 : Missing Access) ; nouvel essai prévu."
        assert reasons.shown(stored) == refused
        missing = "Permission manquante : Envoyer des messages"
        assert reasons.shown("Missing permission: Send Messages") == missing
        assert reasons.shown("Something an older version wrote.") == "Something an older version wrote."
    with using("en"):
        assert reasons.shown(stored) == stored


# ---------------------------------------------------------------------------------------------- CLI


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    from bot.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv), env={}, clock=ManualClock(NOW), stdin=io.StringIO(stdin), stdout=out, stderr=err
    )
    return code, out.getvalue(), err.getvalue()


def test_ask_and_the_console_answer_in_the_language_asked_for() -> None:
    code, russian, _ = cli("ask", "--language", "ru", "onthisday", "25", "november")
    assert code == 0
    assert russian.startswith("В этот день: 25 ноября\n")
    assert "Сенат · 25 ноября 2020" in russian
    assert "  Источники:\n" in russian  # the sources' heading of each entry too
    assert english_left(russian, "ru") == []
    code, armenian, _ = cli("console", "--language", "hy", "/onthisday date: 25 november")
    assert code == 0
    assert armenian.startswith("Այս օրը՝ նոյեմբերի 25\n")
    code, spanish, _ = cli("ask", "--language", "es-AR", "--json", "onthisday", "date: 25 november")
    assert code == 0
    assert json.loads(spanish)["title"] == "Un día como hoy: 25 de noviembre"
    # the default is English, and nothing of one run's language stays for the next
    code, english, _ = cli("ask", "onthisday", "25", "november")
    assert english.startswith("On this day: 25 November\n")
    assert english_left(english, "ru") != []


def test_an_unknown_language_is_a_usage_error_naming_ours(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli("ask", "--language", "de", "date", "2014")
    assert code == 2
    assert out == ""
    said = capsys.readouterr().err
    assert said.count("\n") == 1  # one line
    assert said.endswith("--language must be one of en, hy, ru, fr, es, not 'de' (see --help)\n")
