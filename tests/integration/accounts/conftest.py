"""The accounts tests' shared parts: a PostgreSQL schema of its own for each `--shared-db`
test, dropped after."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from shared_schema import PG, pg_user


@pytest.fixture
def shared_url() -> Iterator[str]:
    """`postgresql://...?schema=NAME`, NAME unique to the test."""
    user = pg_user()
    schema = f"shared_{uuid.uuid4().hex[:12]}"
    try:
        yield f"postgresql://{user}@127.0.0.1:5432/test?schema={schema}"
    finally:
        with psycopg.connect(f"{PG} user={user}", autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
