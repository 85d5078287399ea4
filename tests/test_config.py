"""Configuration: defaults with no file, env overrides, .env, one-line errors naming the key."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def load(tmp_path: Path, toml: str | None = None, env: dict[str, str] | None = None) -> Config:
    path = None
    if toml is not None:
        path = tmp_path / "config.toml"
        path.write_text(toml, encoding="utf-8")
    return load_config(path, env or {}, dotenv_path=None, cwd=tmp_path)


def error(tmp_path: Path, toml: str | None, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, toml, env)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_defaults_with_no_file_at_all(tmp_path: Path) -> None:
    config = load(tmp_path)
    assert config.source is None
    assert config.token is None
    assert config.discord.sync == "global"
    assert config.discord.guild_ids == ()
    assert config.discord.api_base == ""
    assert config.discord.gateway_url == ""
    assert config.moderation.user_ids == ()
    assert config.moderation.role_ids == ()
    assert config.moderation.log_channel_id == 0
    assert config.data.path == tmp_path / "data"
    assert config.data.history_path == tmp_path / "data" / "history"
    assert config.data.history_keep == 20
    assert config.storage.database == tmp_path / "state" / "bot.sqlite3"
    assert config.daily.check_interval_seconds == 30.0
    assert config.daily.default_time == dt.time(9, 0)
    assert config.daily.default_timezone == "Asia/Yerevan"
    assert config.daily.zone.key == "Asia/Yerevan"
    assert config.daily.max_concurrency == 5
    assert config.daily.empty_day == "upcoming"
    assert config.cooldowns.commands_per_window == 5
    assert config.cooldowns.window_seconds == 10.0
    assert config.cooldowns.enabled
    assert config.logging.level == "INFO"


def test_the_example_file_documents_every_key_with_its_default(tmp_path: Path) -> None:
    example = ROOT / "config.example.toml"
    from_example = load_config(example, {}, dotenv_path=None, cwd=tmp_path)
    defaults = load_config(None, {}, dotenv_path=None, cwd=ROOT)
    assert from_example.discord == defaults.discord
    assert from_example.moderation == defaults.moderation
    assert from_example.data == defaults.data
    assert from_example.storage == defaults.storage
    assert from_example.daily == defaults.daily
    assert from_example.cooldowns == defaults.cooldowns
    assert from_example.logging == defaults.logging
    # every key appears, each preceded by a comment line
    text = example.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    lines = text.splitlines()
    for section, keys in raw.items():
        for key in keys:
            index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
            assert lines[index - 1].startswith("#"), f"{section}.{key} has no comment"
    expected = {
        "discord": {"sync", "guild_ids", "api_base", "gateway_url"},
        "moderation": {"user_ids", "role_ids", "log_channel_id"},
        "data": {"path", "history_path", "history_keep"},
        "storage": {"url"},
        "daily": {
            "check_interval_seconds", "default_time", "default_timezone", "max_concurrency", "empty_day",
            "lease_seconds",
        },
        "cooldowns": {"commands_per_window", "window_seconds"},
        "answers": {"max_live_views"},
        "logging": {"level"},
    }
    assert {s: set(k) for s, k in raw.items()} == expected


def test_a_full_file(tmp_path: Path) -> None:
    config = load(tmp_path, """
[discord]
sync = "guild"
guild_ids = [123456789012345678]
api_base = "http://127.0.0.1:8080/api/v10/"
gateway_url = "ws://127.0.0.1:8080"
[moderation]
user_ids = [1, 2]
role_ids = [3]
log_channel_id = 4
[data]
path = "mydata"
history_keep = 3
[storage]
database = "/var/lib/bot/db.sqlite3"
[daily]
check_interval_seconds = 5
default_time = "07:30"
default_timezone = "America/Los_Angeles"
max_concurrency = 2
empty_day = "skip"
[cooldowns]
commands_per_window = 0
[logging]
level = "debug"
""")
    assert config.source == tmp_path / "config.toml"
    assert config.discord.sync == "guild"
    assert config.discord.guild_ids == (123456789012345678,)
    assert config.discord.api_base == "http://127.0.0.1:8080/api/v10"
    assert config.discord.gateway_url == "ws://127.0.0.1:8080"
    assert config.moderation.user_ids == (1, 2)
    assert config.moderation.role_ids == (3,)
    assert config.moderation.log_channel_id == 4
    assert config.data.path == tmp_path / "mydata"
    assert config.data.history_path == tmp_path / "mydata" / "history"
    assert config.data.history_keep == 3
    assert config.storage.database == Path("/var/lib/bot/db.sqlite3")
    assert config.daily.check_interval_seconds == 5.0
    assert config.daily.default_time == dt.time(7, 30)
    assert config.daily.default_timezone == "America/Los_Angeles"
    assert config.daily.max_concurrency == 2
    assert config.daily.empty_day == "skip"
    assert not config.cooldowns.enabled
    assert config.logging.level == "DEBUG"


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    path = folder / "bot.toml"
    path.write_text('[data]\npath = "../data"\nhistory_path = "hist"\n', encoding="utf-8")
    config = load_config(path, {}, dotenv_path=None, cwd=tmp_path / "elsewhere")
    assert config.data.path == folder / ".." / "data"
    assert config.data.history_path == folder / "hist"
    assert config.storage.database == folder / "state" / "bot.sqlite3"


def test_bot_config_env_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[logging]\nlevel = "WARNING"\n', encoding="utf-8")
    config = load_config(None, {"BOT_CONFIG": "c.toml"}, dotenv_path=None, cwd=tmp_path)
    assert config.logging.level == "WARNING"
    assert config.source == tmp_path / "c.toml"


def test_token_and_urls_from_the_environment_override_the_file(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        '[discord]\napi_base = "https://discord.example/api/v10"\n',
        {
            "DISCORD_TOKEN": " abc.def ",
            "DISCORD_API_BASE": "http://127.0.0.1:9999/api/v10",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9999/",
        },
    )
    assert config.token == "abc.def"
    assert config.discord.api_base == "http://127.0.0.1:9999/api/v10"
    assert config.discord.gateway_url == "ws://127.0.0.1:9999"
    assert "abc.def" not in repr(config)


def test_token_is_never_read_from_the_file(tmp_path: Path) -> None:
    assert error(tmp_path, '[discord]\ntoken = "secret"\n') == (
        "config.toml: unknown key discord.token (known: sync, guild_ids, api_base, gateway_url, shard_count, "
        "shard_ids)"
    )


def test_dotenv_supplies_missing_variables_but_never_overrides(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "DISCORD_TOKEN=from-dotenv\nDISCORD_GATEWAY_URL=ws://127.0.0.1:1234\n", encoding="utf-8"
    )
    only_dotenv = load_config(None, {}, cwd=tmp_path)
    assert only_dotenv.token == "from-dotenv"
    assert only_dotenv.discord.gateway_url == "ws://127.0.0.1:1234"
    real_env_wins = load_config(None, {"DISCORD_TOKEN": "from-env"}, cwd=tmp_path)
    assert real_env_wins.token == "from-env"
    no_dotenv = load_config(None, {}, dotenv_path=None, cwd=tmp_path)
    assert no_dotenv.token is None


def test_dotenv_values_are_taken_literally(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "DISCORD_TOKEN=ab$c${HOME}d$$e\nBOT_CONFIG='${PWD}/c.toml'\n", encoding="utf-8"
    )
    (tmp_path / "${PWD}").mkdir()
    (tmp_path / "${PWD}" / "c.toml").write_text("", encoding="utf-8")
    config = load_config(None, {"HOME": "/home/someone", "PWD": "/elsewhere"}, cwd=tmp_path)
    assert config.token == "ab$c${HOME}d$$e"
    assert config.source == tmp_path / "${PWD}" / "c.toml"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_dotenv_saved_by_notepad_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    text = '# Windows Notepad, "Unicode"\r\nDISCORD_TOKEN=tök$en\r\n'
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / ".env").write_bytes(data)
    assert load_config(None, {}, cwd=tmp_path).token == "tök$en"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"DISCORD_TOKEN=caf\xe9\n", ".env: not UTF-8 text; save it as UTF-8 and start again"),
        ("DISCORD_TOKEN=x\n".encode("utf-16-le"),
         ".env: has NUL characters; save it as UTF-8 and start again"),
    ],
    ids=["latin-1", "utf-16-without-mark"],
)
def test_an_unreadable_dotenv_is_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    (tmp_path / ".env").write_bytes(data)
    with pytest.raises(ConfigError) as info:
        load_config(None, {}, cwd=tmp_path)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[discord]\nsync = "sometimes"\n',
         "config.toml: discord.sync must be one of 'guild', 'global' or 'off', not 'sometimes'"),
        ('[discord]\nsync = "guild"\n',
         "config.toml: discord.sync = 'guild' needs at least one id in discord.guild_ids"),
        ('[discord]\nguild_ids = ["123"]\n',
         ("config.toml: discord.guild_ids must be a list of Discord ids (positive numbers without quotes), "
         "not '123'")),
        ("[discord]\nguild_ids = 123\n",
         "config.toml: discord.guild_ids must be a list of Discord ids (numbers), not 123"),
        ('[discord]\napi_base = "discord.com"\n',
         ("config.toml: discord.api_base must be empty or a URL starting with http:// or https://, "
          "not 'discord.com'")),
        ('[discord]\ngateway_url = "http://x"\n',
         ("config.toml: discord.gateway_url must be empty or a URL starting with ws:// or wss://, "
          "not 'http://x'")),
        ("[moderation]\nuser_ids = [true]\n",
         ("config.toml: moderation.user_ids must be a list of Discord ids (positive numbers without quotes), "
         "not the boolean true")),
        ("[moderation]\nlog_channel_id = -5\n",
         ("config.toml: moderation.log_channel_id must be a Discord channel id (a number, 0 for none), "
          "not -5")),
        ("[data]\npath = 3\n", "config.toml: data.path must be text in quotes, not 3"),
        ('[data]\nhistory_path = ""\n', "config.toml: data.history_path must not be empty"),
        ("[data]\nhistory_keep = 0\n", "config.toml: data.history_keep must be at least 1, not 0"),
        ("[data]\nhistory_keep = 2.5\n", "config.toml: data.history_keep must be a whole number, not 2.5"),
        ("[storage]\ndatabase = []\n", "config.toml: storage.database must be text in quotes, not a list"),
        ('[storage]\nurl = "mysql://bot@db/bot"\n',
         ("config.toml: storage.url must be sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE, "
          "not 'mysql://bot@db/bot'")),
        ('[storage]\nurl = "state/bot.sqlite3"\n',
         ("config.toml: storage.url must be sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE, "
          "not 'state/bot.sqlite3'")),
        ('[storage]\nurl = "sqlite:///"\n',
         "config.toml: storage.url must name the SQLite file after sqlite:///, not 'sqlite:///'"),
        ('[storage]\nurl = "postgresql://bot@db:port/bot"\n',
         ("config.toml: storage.url must be sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE, "
          "not 'postgresql://bot@db:port/bot'")),
        ('[storage]\nurl = "postgresql://bot@db:5432"\n',
         "config.toml: storage.url must name the database: postgresql://USER@HOST/DATABASE, not 'postgresql://bot@db:5432'"),
        ('[storage]\nurl = "sqlite:///a.db"\ndatabase = "b.db"\n',
         "config.toml: give storage.url or storage.database (its old name), not both"),
        ("[daily]\ncheck_interval_seconds = 0.5\n",
         "config.toml: daily.check_interval_seconds must be at least 1, not 0.5"),
        ('[daily]\ncheck_interval_seconds = "30"\n',
         "config.toml: daily.check_interval_seconds must be a number, not '30'"),
        ("[daily]\ncheck_interval_seconds = nan\n",
         "config.toml: daily.check_interval_seconds must be a finite number, not nan"),
        ('[daily]\ndefault_time = "9am"\n',
         "config.toml: daily.default_time must be a time of day as 'HH:MM' (24-hour), not '9am'"),
        ('[daily]\ndefault_time = "24:00"\n',
         "config.toml: daily.default_time must be a time of day as 'HH:MM' (24-hour), not '24:00'"),
        ('[daily]\ndefault_timezone = "Armenia/Yerevan"\n',
         ("config.toml: daily.default_timezone must be an IANA time zone such as 'Asia/Yerevan', "
         "not 'Armenia/Yerevan'")),
        ('[daily]\ndefault_timezone = "../../etc/passwd"\n',
         ("config.toml: daily.default_timezone must be an IANA time zone such as 'Asia/Yerevan', "
         "not '../../etc/passwd'")),
        ("[daily]\nmax_concurrency = 0\n", "config.toml: daily.max_concurrency must be at least 1, not 0"),
        ("[daily]\nmax_concurrency = 100000\n",
         "config.toml: daily.max_concurrency must be at most 50, not 100000"),
        ('[daily]\nempty_day = "nothing"\n',
         "config.toml: daily.empty_day must be one of 'upcoming' or 'skip', not 'nothing'"),
        ("[cooldowns]\ncommands_per_window = -1\n",
         "config.toml: cooldowns.commands_per_window must be at least 0, not -1"),
        ("[cooldowns]\nwindow_seconds = false\n",
         "config.toml: cooldowns.window_seconds must be a number, not the boolean false"),
        ('[logging]\nlevel = "LOUD"\n',
         "config.toml: logging.level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'"),
        ('[discord]\nsynk = "global"\n',
         "config.toml: unknown key discord.synk (did you mean discord.sync?)"),
        ("[dayly]\n", "config.toml: unknown section [dayly] (did you mean [daily]?)"),
        ('logging = "INFO"\n', "config.toml: logging must be a table ([logging]), not 'INFO'"),
    ],
)
def test_every_error_is_one_line_naming_the_key(tmp_path: Path, toml: str, message: str) -> None:
    assert error(tmp_path, toml) == message


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    message = error(tmp_path, "[discord]\nsync = global\n")
    assert message.startswith("config.toml: invalid TOML: ")
    assert "line 2" in message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.toml", {}, dotenv_path=None, cwd=tmp_path)
    assert str(info.value) == f"{tmp_path}/nope.toml: config file not found"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DISCORD_API_BASE": "localhost:8080"},
         "DISCORD_API_BASE must be a URL starting with http:// or https://, not 'localhost:8080'"),
        ({"DISCORD_GATEWAY_URL": "http://x"},
         "DISCORD_GATEWAY_URL must be a URL starting with ws:// or wss://, not 'http://x'"),
    ],
)
def test_bad_environment_overrides(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, None, env)
    assert str(info.value) == message


def test_times_and_zones_are_read_as_the_bot_reads_them(tmp_path: Path) -> None:
    """daily.default_time and default_timezone go through the core's one reader of each."""
    config = load(tmp_path, '[daily]\ndefault_time = "9.30"\ndefault_timezone = "US/Pacific"\n')
    assert config.daily.default_time == dt.time(9, 30)
    assert config.daily.default_timezone == "America/Los_Angeles"  # the canonical name is kept
    assert load(tmp_path, '[daily]\ndefault_timezone = "yerevan"\n').daily.default_timezone == "Asia/Yerevan"
    # a typo is not guessed in a config file: it names the key instead
    assert error(tmp_path, '[daily]\ndefault_timezone = "yerevn"\n') == (
        "config.toml: daily.default_timezone must be an IANA time zone such as 'Asia/Yerevan', not 'yerevn'"
    )


def test_storage_url_sqlite_relative_to_the_config_folder_or_absolute(tmp_path: Path) -> None:
    config = load(tmp_path, '[storage]\nurl = "sqlite:///db/state.sqlite3"\n')
    assert config.storage.sqlite_path == tmp_path / "db" / "state.sqlite3"
    assert config.storage.database == tmp_path / "db" / "state.sqlite3"
    assert config.storage.url == f"sqlite:///{tmp_path}/db/state.sqlite3"
    assert config.storage.postgres_url is None
    assert config.storage.state_dir == tmp_path / "db"
    absolute = load(tmp_path, '[storage]\nurl = "sqlite:////var/lib/bot/x.sqlite3"\n')
    assert absolute.storage.sqlite_path == Path("/var/lib/bot/x.sqlite3")
    assert load(tmp_path).storage.url == f"sqlite:///{tmp_path}/state/bot.sqlite3"


def test_storage_database_is_the_old_name_of_a_sqlite_url(tmp_path: Path) -> None:
    old = load(tmp_path, '[storage]\ndatabase = "state/old.sqlite3"\n')
    new = load(tmp_path, '[storage]\nurl = "sqlite:///state/old.sqlite3"\n')
    assert old.storage == new.storage
    assert old.storage.sqlite_path == tmp_path / "state" / "old.sqlite3"


def test_storage_url_postgresql_keeps_the_password_apart(tmp_path: Path) -> None:
    secret = "pa:ss@w/rd"
    quoted = "pa%3Ass%40w%2Frd"
    config = load(tmp_path, f'[storage]\nurl = "postgresql://bot:{quoted}@db.example:5433/artsakh"\n')
    assert config.storage.url == "postgresql://bot@db.example:5433/artsakh"
    assert config.storage.postgres_url == config.storage.url
    assert config.storage.sqlite_path is None
    assert config.storage.database is None
    assert config.storage.state_dir == Path("state")
    assert config.database_password == secret
    assert secret not in repr(config)
    assert quoted not in repr(config)
    # DATABASE_PASSWORD wins over the URL's; without either, no password
    toml = f'[storage]\nurl = "postgres://bot:{quoted}@db/artsakh"\n'
    env = load(tmp_path, toml, {"DATABASE_PASSWORD": "x1"})
    assert env.database_password == "x1"
    assert env.storage.url == "postgres://bot@db/artsakh"
    bare = load(tmp_path, '[storage]\nurl = "postgresql://bot@db/artsakh"\n')
    assert bare.database_password is None
    assert "x1" not in repr(env)


def test_a_bad_storage_url_never_shows_its_password(tmp_path: Path) -> None:
    message = error(tmp_path, '[storage]\nurl = "mysql://bot:hunter2@db/bot"\n')
    assert "hunter2" not in message
    assert "mysql://bot@db/bot" in message
    message = error(tmp_path, '[storage]\nurl = "postgresql://bot:hunter2@db:xx/bot"\n')
    assert "hunter2" not in message


def test_every_key_is_declared_once_with_its_check(tmp_path: Path) -> None:
    """The known keys are the sections' fields; each reads its own default back unchanged."""
    import dataclasses

    from bot.config import SECTIONS

    defaults = load(tmp_path)
    for name, section in SECTIONS.items():
        for f in dataclasses.fields(section):
            assert callable(f.metadata["check"]), f"{name}.{f.name}"
            assert error(tmp_path, f"[{name}]\n{f.name}x = 1\n").startswith(
                f"config.toml: unknown key {name}.{f.name}x (did you mean {name}.{f.name}?)"
            )
        value = getattr(defaults, name)
        assert dataclasses.asdict(value) == dataclasses.asdict(getattr(load(tmp_path, f"[{name}]\n"), name))
