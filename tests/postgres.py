"""A throwaway PostgreSQL server for the library's tests: initdb in a temporary folder, on localhost, stopped after.

The binaries are looked for on PATH, then in Debian's ``/usr/lib/postgresql/NN/bin`` (newest first).
As root (CI's containers) the server runs as the ``postgres`` user, or ``nobody``: PostgreSQL refuses root.
With ``CI=true`` a missing PostgreSQL fails the tests that need it; elsewhere they skip, saying how to get it.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

MISSING = ("PostgreSQL is not installed (no initdb, pg_ctl on PATH or in /usr/lib/postgresql/*/bin): "
           "apt-get install postgresql")


def pg_bin() -> Path | None:
    """The folder with initdb and pg_ctl, or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                    if p.parent.name.isdigit() else 0, reverse=True)
    for d in debian:
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file():
            return d
    return None


def missing(message: str = MISSING) -> None:
    """Fail under CI (``CI=true``), skip elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and there is no postgres or nobody user to run PostgreSQL as")


@contextmanager
def postgres_server() -> Iterator[str]:
    """A running server; yields its URL (``postgresql+psycopg://stroke@127.0.0.1:PORT/postgres``, trust auth)."""
    bindir = pg_bin()
    if bindir is None:
        missing()
    assert bindir is not None
    user = _run_as()
    base = Path(tempfile.mkdtemp(prefix="stroke-coach-pg-"))  # /tmp: the server's user must reach it
    data = base / "data"
    if user:
        shutil.chown(base, user)
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
    run = dict(user=user, env=env, capture_output=True, text=True, timeout=120)
    try:
        r = subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "stroke", "--auth=trust",
                            "--no-sync", "-E", "UTF8"], **run)
        if r.returncode != 0:
            missing(f"initdb failed: {r.stderr.strip()[-500:]}")
        opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        r = subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"),
                            "-w", "-t", "60", "start"], **run)
        if r.returncode != 0:
            log = (base / "log").read_text(errors="replace")[-500:] if (base / "log").exists() else ""
            missing(f"the PostgreSQL server did not start: {r.stderr.strip()[-300:]} {log}")
        yield f"postgresql+psycopg://stroke@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], **run)
        shutil.rmtree(base, ignore_errors=True)


_counter = iter(range(1, 1_000_000))


def fresh_database(server_url: str) -> str:
    """A new empty database on the server; its URL."""
    import psycopg

    name = f"library_{os.getpid()}_{next(_counter)}_{int(time.time() * 1000) % 100000}"
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"
