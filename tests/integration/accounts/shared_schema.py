"""The PostgreSQL the `--shared-db` tests use: the `test` database on 127.0.0.1:5432 (a plain
module the tests import; conftest.py makes each test its own schema from it)."""

import psycopg

PG = "host=127.0.0.1 port=5432 dbname=test"


def pg_user() -> str:
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(f"{PG} user={user}", connect_timeout=3):
                return user
        except psycopg.Error:
            continue
    raise RuntimeError("no PostgreSQL on 127.0.0.1:5432 (make services)")
