"""docker-compose.yml: PostgreSQL and two bot processes splitting the shards, as the bot reads them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.config import load_config

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"DISCORD_TOKEN": "token-from-the-shell", "DATABASE_PASSWORD": "password-from-the-shell"}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\?[^}]*)?\}")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def environment(service: dict[str, Any]) -> dict[str, str]:
    """The service's environment with ``${VAR:?...}`` taken from the shell (here: SECRETS)."""
    return {k: _VARIABLE.sub(lambda m: SECRETS[m[1]], str(v)) for k, v in service["environment"].items()}


def mounted(service: dict[str, Any], target: str) -> tuple[Path, str]:
    """The host file or folder mounted at ``target``, and its mode ("ro"/"rw")."""
    for volume in service["volumes"]:
        source, where, *mode = volume.split(":")
        if where == target:
            return ROOT / source, (mode[0] if mode else "rw")
    raise AssertionError(f"nothing mounted at {target}")


def test_two_bot_processes_split_the_shards_over_one_postgresql() -> None:
    services = compose()["services"]
    bots = {name: s for name, s in services.items() if name.startswith("bot-")}
    assert set(bots) == {"bot-0", "bot-1"}
    owned: list[int] = []
    for name, service in bots.items():
        env = environment(service)
        config_path, mode = mounted(service, env["BOT_CONFIG"])
        assert mode == "ro"
        config = load_config(config_path, env, dotenv_path=None, cwd=ROOT)
        assert config.discord.shard_count == 2
        assert config.discord.shard_ids is not None
        owned.extend(config.discord.shard_ids)
        # the state is the postgres service's database, the password from the shell, never in the file
        url = urlsplit(config.storage.url)
        assert url.hostname in services
        assert services[url.hostname]["image"].startswith("postgres:")
        assert url.path == "/" + services["postgres"]["environment"]["POSTGRES_DB"]
        assert url.username == services["postgres"]["environment"]["POSTGRES_USER"]
        assert config.database_password == SECRETS["DATABASE_PASSWORD"]
        assert config.token == SECRETS["DISCORD_TOKEN"]
        # the data folder is shared read-only; each process has its own state folder
        data, data_mode = mounted(service, str(config.data.path))
        assert (data, data_mode) == (ROOT / "data", "ro")
        assert (data / "resolutions.yaml").is_file()
        assert any(v.endswith(":/app/state") and v.startswith(f"{name}-state") for v in service["volumes"])
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert sorted(owned) == [0, 1], "every shard is run by exactly one process"
    assert "${DATABASE_PASSWORD" in (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    written = tomllib.loads((ROOT / "compose" / "bot.toml").read_text(encoding="utf-8"))
    assert urlsplit(written["storage"]["url"]).password is None
