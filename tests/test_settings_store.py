"""Servers' settings (/settings) on both state backends: kept across a reopen, every change in the log."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from conftest import Opener

from bot.core.settings import GuildSettings, answer_language, post_language
from bot.storage import settings as settings_module
from bot.storage.settings import settings_store

GUILD = 111
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


async def test_settings_survive_a_reopen_and_every_change_is_kept(open_state_db: Opener) -> None:
    db = await open_state_db()
    store = settings_store(db)
    assert await store.get(GUILD) == GuildSettings(GUILD)
    await store.change(GUILD, "language", "ru", by=5, now=NOW)
    await store.change(GUILD, "timezone", "Asia/Yerevan", by=5, now=NOW)
    await store.change(GUILD, "answers", "private", by=6, now=NOW + dt.timedelta(minutes=1))
    await store.change(GUILD, "language", "hy", by=6, now=NOW + dt.timedelta(minutes=2))
    await db.close()

    db = await open_state_db()
    store = settings_store(db)
    settings = await store.get(GUILD)
    assert settings == GuildSettings(GUILD, "hy", "Asia/Yerevan", "private")
    assert settings.private_answers
    assert await store.get(GUILD + 1) == GuildSettings(GUILD + 1)
    history = await store.history(GUILD)
    assert [(c.setting, c.old, c.new, c.changed_by) for c in history] == [
        ("language", "ru", "hy", 6),
        ("answers", None, "private", 6),
        ("timezone", None, "Asia/Yerevan", 5),
        ("language", None, "ru", 5),
    ]
    assert history[0].changed_at == NOW + dt.timedelta(minutes=2)
    reset = await store.change(GUILD, "language", None, by=7, now=NOW)
    assert (reset.old, reset.new) == ("hy", None)
    assert (await store.get(GUILD)).language is None


@pytest.mark.parametrize(
    ("setting", "value"),
    [("language", "de"), ("language", "RU"), ("answers", "loud"), ("timezone", "Mars/Olympus")],
)
async def test_a_value_it_does_not_take_is_refused_and_nothing_changes(
    open_state_db: Opener, setting: str, value: str
) -> None:
    store = settings_store(await open_state_db())
    with pytest.raises(ValueError):  # noqa: PT011 - the message is for operators
        await store.change(GUILD, setting, value, by=1, now=NOW)  # type: ignore[arg-type]
    assert await store.get(GUILD) == GuildSettings(GUILD)
    assert await store.history(GUILD) == []


def test_the_language_of_an_answer() -> None:
    assert answer_language(GuildSettings(1, "hy"), "fr") == "hy"
    assert answer_language(GuildSettings(1), "fr") == "fr"
    assert answer_language(GuildSettings(1), "es-ES") == "es"
    assert answer_language(None, "ru") == "ru"
    assert answer_language(GuildSettings(1), "de") == "en"
    assert answer_language(None, None) == "en"
    assert post_language(GuildSettings(1, "ru")) == "ru"
    assert post_language(GuildSettings(1)) == "en"


async def test_a_change_is_read_at_once_even_by_a_read_made_meanwhile(
    open_state_db: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings read once are kept (SQLite); a change replaces them, also when a read overlapped it."""
    monkeypatch.setattr(settings_module, "KEPT", 3)
    store = settings_store(await open_state_db())
    assert (await store.get(GUILD)).language is None  # read, and kept where the store keeps them
    await store.change(GUILD, "language", "fr", by=1, now=NOW)
    assert (await store.get(GUILD)).language == "fr"
    reading = asyncio.ensure_future(store.get(GUILD + 1))  # read while a change is made
    await store.change(GUILD + 1, "answers", "private", by=1, now=NOW)
    await reading
    assert (await store.get(GUILD + 1)).answers == "private"
    for guild in range(GUILD + 2, GUILD + 10):  # more servers than are kept
        await store.get(guild)
    await store.change(GUILD, "language", "hy", by=1, now=NOW)
    assert (await store.get(GUILD)).language == "hy"
