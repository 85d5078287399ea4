"""Builders shared by the tests (and bench/bench_e2e.py) that run the real ArtsakhBot on fakecord.

Test data: ``src``, ``country``, ``place``, ``record``, ``event`` and ``dataset`` build model objects
from the plain values a data file holds (ISO dates, kind and level words; see docs/data-format.md),
so a test's dataset reads like data. ``california_ajr32``, ``french_senate`` and ``PROCLAMATION`` are
the records and event that more than one test dataset carries.

The bot: ``discord_config`` and ``bot_config`` aim a Config at a FakeDiscord, and ``artsakh_bot``
builds the real bot with the short start-up waits every test uses (``FAST_START``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from bot.config import Config, CooldownConfig, DiscordConfig, SyncMode
from bot.core.clock import Clock
from bot.core.engine import QueryEngine
from bot.core.model import (
    AmbiguousName,
    Country,
    Dataset,
    DatasetInfo,
    Event,
    Jurisdiction,
    Kind,
    Level,
    NonAct,
    PartialDate,
    Record,
    Source,
)
from bot.core.reloading import DataStore
from bot.discordbot.bot import CORE_EXTENSIONS, DEFAULT_VIEW_TIMEOUT, ArtsakhBot
from bot.storage.database import Database
from bot.storage.subscriptions import SubscriptionStore

if TYPE_CHECKING:
    from fakecord import FakeDiscord

#: ArtsakhBot options for tests: wait 50 ms (not 2 s) for guilds, re-IDENTIFY at once.
FAST_START: Final[dict[str, float]] = {"guild_ready_timeout": 0.05, "reidentify_delay": 0}

# ---------------------------------------------------------------------------------------------- data


def src(slug: str, title: str | None = None) -> tuple[Source, ...]:
    """One source at ``https://example.org/<slug>``."""
    return (Source(f"https://example.org/{slug}", title),)


def country(id: str, name: str, *aliases: str) -> Country:
    """A country, with optional aliases."""
    return Country(id, name, aliases)


def place(id: str, name: str, level: Level | str, country: str, *aliases: str) -> Jurisdiction:
    """A jurisdiction; ``level`` may be its data-file word ("city", "state", ...)."""
    return Jurisdiction(id, name, Level(level), country, aliases)


def day(date: PartialDate | str) -> PartialDate:
    """A PartialDate from ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a PartialDate passes through)."""
    return date if isinstance(date, PartialDate) else PartialDate.parse_iso(date)


def record(  # noqa: PLR0917 - positional, in Record's own field order
    id: str,
    jurisdiction: str,
    body: str,
    date: PartialDate | str,
    kinds: Kind | str | Iterable[Kind | str],
    title: str,
    summary: str,
    sources: str | tuple[Source, ...],
    **extra: Any,
) -> Record:
    """A record in Record's field order; one kind or several, a slug for one untitled source.

    ``extra`` takes Record's optional fields (vote, reference, alternative_dates, ...).
    """
    words = (kinds,) if isinstance(kinds, str) else kinds  # Kind is a str too
    return Record(
        id,
        jurisdiction,
        body,
        day(date),
        tuple(Kind(k) for k in words),
        title,
        summary,
        src(sources) if isinstance(sources, str) else sources,
        **extra,
    )


def event(
    id: str,
    title: str,
    date: PartialDate | str,
    summary: str,
    sources: str | tuple[Source, ...],
    *,
    end: PartialDate | str | None = None,
    **extra: Any,
) -> Event:
    """A timeline event in Event's field order; ``end`` for a span."""
    return Event(
        id,
        title,
        day(date),
        summary,
        src(sources) if isinstance(sources, str) else sources,
        end=None if end is None else day(end),
        **extra,
    )


def non_act(  # noqa: PLR0917 - positional, in NonAct's own field order
    id: str, names: Sequence[str], title: str, explanation: str, sources: str, date: str | None = None
) -> NonAct:
    """An act that never happened (data/non_acts.yaml), with one source slug."""
    return NonAct(id, tuple(names), title, explanation, src(sources), None if date is None else day(date))


NON_ACTS = """\
non_acts:
  - id: texas-none
    names: [Texas, Техас]
    title: "Texas: no act found"
    explanation: "No resolution of the Texas legislature about Artsakh was found."
    sources:
      - url: https://example.org/texas-search
        title: "A search of the legislature's records"
"""


def mini_with_non_acts(tmp_path: Path) -> Path:
    """The mini test dataset plus a non_acts.yaml file."""
    folder = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parent / "data" / "mini", folder)
    (folder / "non_acts.yaml").write_text(NON_ACTS, encoding="utf-8")
    return folder


def dataset(
    version: str,
    *,
    countries: Iterable[Country],
    jurisdictions: Iterable[Jurisdiction],
    records: Iterable[Record],
    events: Iterable[Event] = (),
    ambiguous: Mapping[str, Sequence[str]] | None = None,
    methodology: str = "Test methodology.",
    non_acts: Iterable[NonAct] = (),
) -> Dataset:
    """A Dataset; ``ambiguous`` maps a shared name to the ids of the places it may mean."""
    return Dataset(
        DatasetInfo(version, methodology),
        tuple(countries),
        tuple(jurisdictions),
        tuple(records),
        tuple(events),
        tuple(AmbiguousName(name, tuple(ids)) for name, ids in (ambiguous or {}).items()),
        non_acts=tuple(non_acts),
    )


def california_ajr32(**extra: Any) -> Record:
    """California's Assembly Joint Resolution 32 (8 May 2014), as the Discord test datasets hold it."""
    return record(
        "us-ca-2014",
        "california",
        "State Assembly",
        "2014-05-08",
        "call-for-recognition",
        "Assembly Joint Resolution 32",
        "Called on the President and Congress to recognize Artsakh.",
        src("ajr32", "AJR 32 text"),
        **extra,
    )


def french_senate(summary: str, **extra: Any) -> Record:
    """The French Senate's resolution of 25 November 2020, with the summary a test needs."""
    return record(
        "fr-senate-2020",
        "france",
        "Senate",
        "2020-11-25",
        "call-for-recognition",
        "Resolution on the necessity to recognize the Republic of Nagorno-Karabakh",
        summary,
        src("senat", "Sénat"),
        **extra,
    )


#: The proclamation of the Republic on 2 September 1991, as the Discord test datasets hold it.
PROCLAMATION: Final = event(
    "nkr-proclamation", "Proclamation of the Republic", "1991-09-02", "The republic is proclaimed.", "1991"
)


# ---------------------------------------------------------------------------------------------- bot


def discord_config(fake: FakeDiscord, *, sync: SyncMode = "guild") -> DiscordConfig:
    """The [discord] section aimed at ``fake``: its REST and gateway URLs, its first guild."""
    return DiscordConfig(
        sync=sync, guild_ids=(fake.guild.id,), api_base=fake.api_base, gateway_url=fake.gateway_url
    )


def bot_config(
    fake: FakeDiscord,
    *,
    sync: SyncMode = "guild",
    per_window: int = 1000,
    window: float = 10.0,
    **sections: Any,
) -> Config:
    """A Config aimed at ``fake`` with a cooldown no test reaches unless told; ``sections`` add the rest."""
    return Config(
        discord=discord_config(fake, sync=sync),
        cooldowns=CooldownConfig(commands_per_window=per_window, window_seconds=window),
        **sections,
    )


def artsakh_bot(
    config: Config,
    clock: Clock,
    store: DataStore[QueryEngine],
    database: Database,
    *,
    extensions: Sequence[str] | None = CORE_EXTENSIONS,
    view_timeout: float | None = DEFAULT_VIEW_TIMEOUT,
    subscriptions: SubscriptionStore | None = None,
) -> ArtsakhBot:
    """The real bot, started with ``FAST_START``."""
    return ArtsakhBot(
        config,
        clock,
        store,
        database,
        extensions=extensions,
        view_timeout=view_timeout,
        subscriptions=subscriptions,
        **FAST_START,
    )
