"""Answer → embeds: limits, truncation, paging, mention neutralising (pure, no network)."""

from __future__ import annotations

import datetime as dt

import discord
import pytest

from bot.core import pages
from bot.core.answers import Answer, Candidate, Entry, Field, Status
from bot.core.model import Source
from bot.discordbot import listing, render
from bot.discordbot.cooldowns import Charge, Cooldowns
from bot.discordbot.sync import SyncTarget, digest, targets_for


def embed_total(embed: discord.Embed) -> int:
    return len(embed)


def assert_within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= 256
    assert len(data.get("description", "")) <= 4096
    fields = data.get("fields", [])
    assert len(fields) <= 25
    for f in fields:
        assert 1 <= len(f["name"]) <= 256
        assert 1 <= len(f["value"]) <= 1024
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert embed_total(embed) <= 6000


def entry(n: int, *, line: str = "A line.", sources: int = 1) -> Entry:
    return Entry(
        key=f"r{n}",
        heading=f"Place {n} — Council · 8 May 2014",
        lines=(line,),
        sources=tuple(Source(f"https://example.org/{n}/{i}", f"Source {i}") for i in range(sources)),
        url=f"https://example.org/{n}/0",
        date="8 May 2014",
        line=f"Place {n} · Council — recognition",
    )


def test_truncate_marks_the_cut():
    assert render.truncate("abcdef", 10) == "abcdef"
    assert render.truncate("abcdef", 4) == "abc…"
    assert len(render.truncate("x" * 5000, 4096)) == 4096
    assert render.truncate("abc", 1) == "…"


def test_mentions_are_neutralised_everywhere():
    answer = Answer(
        command="jurisdiction",
        query="@everyone",
        status=Status.NOT_FOUND,
        title="Nothing matches '@everyone' <@123456789012345678>",
        message="Nothing matches '@here' or <@&123456789012345678>.",
    )
    embed = render.answer_embed(answer)
    text = (embed.title or "") + (embed.description or "")
    assert "@everyone" not in text
    assert "@here" not in text
    assert "<@123456789012345678>" not in text
    assert "<@&123456789012345678>" not in text
    assert "@\u200beveryone" in text


def test_giant_texts_stay_within_every_limit():
    huge = "x" * 7000
    answer = Answer(
        command="stats",
        query=huge,
        status=Status.FOUND,
        title=huge,
        message=huge,
        lines=(huge, huge),
        fields=tuple(Field(huge, huge) for _ in range(40)),
        entries=tuple(entry(n, line=huge, sources=8) for n in range(30)),
    )
    embeds = [render.answer_embed(answer, footer=huge)]
    embeds += [listing.list_embed(answer, pages.page(answer, i), footer=huge) for i in range(3)]
    for embed in embeds:
        assert_within_limits(embed)
        assert (embed.title or "").endswith("…")


def test_a_list_page_is_one_line_per_entry_in_order_with_its_counter():
    answer = Answer(
        command="list",
        query="",
        status=Status.FOUND,
        title="All records",
        message="30 records, newest first.",
        entries=tuple(entry(n) for n in range(30)),
    )
    assert pages.page_count(answer) == 3  # twelve a page
    first = listing.list_embed(answer, pages.page(answer, 0), footer="Dataset test")
    assert first.footer.text == "Page 1/3 · Dataset test"
    lines = (first.description or "").split("\n")
    assert lines[:2] == ["30 records, newest first.", ""]
    assert lines[2:] == [f"`8 May 2014` Place {n} · Council — recognition" for n in range(12)]
    last = listing.list_embed(answer, pages.page(answer, 9), footer=None)  # clamped to the last page
    assert last.footer.text == "Page 3/3"
    assert (last.description or "").endswith("`8 May 2014` Place 29 · Council — recognition")


CESENA_NOTE = (
    'Note: Reported as Cesena "recognizing Artsakh\'s independence"; the motion is addressed to the '
    "government, which did not act on it. " + "It was one of several Italian municipal motions. " * 6
).strip()
DIFFER = "Dates differ: 3 November 2020 (used here); 4 November 2020 (the sponsoring councillor's release)"


def long_entry(n: int, *, summary: int = 700) -> Entry:
    return Entry(
        key=f"r{n}",
        heading=f"Town {n} — City Council · November 2020",
        lines=(
            "Kind: call for recognition",
            "Vote: unanimous",
            f"Summary {n}: " + "a motion asking the government to recognize Artsakh. " * (summary // 55),
            DIFFER,
            "Known only to the month: reported on 14 November 2020.",
            "Known only to the month.",
            f"{CESENA_NOTE} (record {n})",
        ),
        sources=tuple(Source(f"https://example.org/{n}/{i}", f"Report {i}") for i in range(3)),
        url=f"https://example.org/{n}/0",
    )


def test_an_entry_too_long_for_an_embed_keeps_notes_dates_and_sources():
    huge = long_entry(1, summary=9000)
    text = render.render_entry(huge, 3500)
    assert len(text) <= 3500
    assert DIFFER in text
    assert f"{CESENA_NOTE} (record 1)" in text
    assert "Sources: [Report 0](https://example.org/1/0) · [Report 1](https://example.org/1/1) · " in text
    summary = next(line for line in text.splitlines() if line.startswith("Summary 1:"))
    assert summary.endswith("…")  # the summary gave way


def test_source_labels_are_cut_at_a_word():
    title = "European Parliament 2004 text citing the resolution of 11 March 1999, and more besides"
    label = render.source_label(Source("https://example.org", title))
    assert label == "European Parliament 2004 text citing the resolution of 11 March 1999…"
    assert render.source_label(Source("https://www.example.org/a?b")) == "example.org"


def test_link_escapes_brackets_and_parentheses():
    assert render.link("a [b]", "https://x.org/a_(b)") == "[a \\[b\\]](https://x.org/a_%28b%29)"
    assert render.link("plain", "ftp://x.org") == "plain"


def test_private_answers_and_candidates():
    answer = Answer(
        command="jurisdiction",
        query="LA",
        status=Status.AMBIGUOUS,
        title="'LA' is ambiguous",
        message="'LA' could mean several places:",
        candidates=(
            Candidate("Los Angeles (city, United States)", "los-angeles"),
            Candidate("Louisiana", "louisiana"),
        ),
    )
    embed = render.answer_embed(answer)
    assert (embed.description or "").endswith("• Los Angeles (city, United States)\n• Louisiana")
    many = tuple(Candidate(f"Place {n}", f"p{n}") for n in range(30))
    text = render.candidates_text(many)
    assert text.count("• ") == 25
    assert text.endswith("… and 5 more: try a longer query.")


def test_choice_text_fits():
    assert len(render.choice_text("y" * 300)) == 100
    assert render.choice_text("   ") == "?"


class Clock:
    def __init__(self) -> None:
        self.t = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.t


def test_cooldown_window_and_refund():
    clock = Clock()
    limiter = Cooldowns(2, 10, clock)
    first = limiter.take(1)
    second = limiter.take(1)
    assert isinstance(first, Charge)
    assert isinstance(second, Charge)
    wait = limiter.take(1)
    assert wait == pytest.approx(10.0)
    limiter.refund(second)
    assert isinstance(limiter.take(1), Charge)
    assert isinstance(limiter.take(2), Charge)  # other users are not affected
    clock.t += dt.timedelta(seconds=10)
    assert limiter.remaining(1) == 2
    assert Cooldowns(0, 10, clock).take(1) is not None
    assert not Cooldowns(0, 10, clock).enabled


def test_sync_targets_and_digest():
    assert targets_for("off", [1]) == []
    assert targets_for("global", [1]) == [SyncTarget(None)]
    assert targets_for("guild", [5, 5, 6]) == [SyncTarget(5), SyncTarget(6)]
    with pytest.raises(ValueError, match="guild id"):
        targets_for("guild", [])
    key = SyncTarget(42).meta_key(7)
    assert SyncTarget.from_meta_key(key) == SyncTarget(42)
    assert SyncTarget.from_meta_key(SyncTarget(None).meta_key(7)) == SyncTarget(None)
    assert SyncTarget.from_meta_key("something:else") is None
    assert digest([{"b": 1, "a": 2}]) == digest([{"a": 2, "b": 1}])
    assert digest([{"a": 1}]) != digest([{"a": 2}])


def test_engine_cache_is_lru_and_cleared_by_a_new_engine():
    from bot.discordbot.cache import EngineCache

    cache: EngineCache[int] = EngineCache(2)
    first, second = object(), object()
    calls: list[str] = []

    def compute(key: str) -> int:
        calls.append(key)
        return len(calls)

    assert cache.get(first, "a", lambda: compute("a")) == 1
    assert cache.get(first, "a", lambda: compute("a")) == 1
    cache.get(first, "b", lambda: compute("b"))
    cache.get(first, "c", lambda: compute("c"))  # evicts "a", the least recently used
    assert cache.get(first, "a", lambda: compute("a")) == 4
    assert cache.get(second, "a", lambda: compute("a")) == 5  # a reload: everything recomputed
    assert len(cache) == 1
    assert calls == ["a", "b", "c", "a", "a"]


def test_the_core_gives_full_labels_and_discord_choices_fit_them() -> None:
    """The engine's labels are whole (126 characters here); the adapter fits Discord's 100."""
    from bot.core.answers import Candidate
    from bot.discordbot.choices import to_choices

    label = (
        "Basque Country — Basque Parliament (reported as its Committee on European Affairs and "
        "External Action) (region body, 1 record)"
    )
    assert len(label) > 100
    [choice] = to_choices([Candidate(label=label, value="body:basque-country:parliament")])
    assert len(choice.name) <= 100
    assert choice.name.startswith("Basque Country — Basque Parliament")
    assert choice.value == "body:basque-country:parliament"
