"""Databases for the read model's tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (trust auth); each test gets a fresh database
with a random name, dropped afterwards. Without a reachable server those cases skip.
"""

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from assetport.store.database import Database, open_database

PG_ADMIN = os.environ.get("ASSETPORT_TEST_PG", "host=127.0.0.1 port=5432 dbname=test")


def _pg_user() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        return None
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(f"{PG_ADMIN} user={user}", connect_timeout=3):
                return user
        except psycopg.Error:
            continue
    return None


PG_USER = _pg_user()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'assetport.db'}"
        return
    if PG_USER is None:
        pytest.skip("no PostgreSQL server reachable on 127.0.0.1:5432")
    name = f"assetport_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{PG_ADMIN} user={PG_USER}", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{PG_USER}@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(f"{PG_ADMIN} user={PG_USER}", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.close()
