"""The accounts' tables (accounts and sessions in `store.py`, attempt counters in
`attempts.py`, one-time links in `tokens.py`, recovery codes, price alerts): one SQLite
connection to `<data_dir>/accounts.sqlite3`, or, with `assetport serve --shared-db`, the
shared PostgreSQL schema every gateway uses (`SharedDatabase`, over `edge/shared_db.py`).

SQLite: the file is made 0600 before SQLite opens it, as the key store's; WAL, so a reader
never waits for a writer. Calls come from the event loop (and now and then a worker
thread), so a lock guards the connection. A statement is its own transaction unless
`transaction()` groups several: the attempt counters check and record in one, so two
requests cannot both pass the last free place.

The modules write their SQL once, in SQLite's words (`?` parameters, `INTEGER`, `BLOB`);
`SharedDatabase` says the same in PostgreSQL's (`%s`, `BIGINT`: times in milliseconds do
not fit 32 bits, `BYTEA`, `BIGSERIAL` for `INTEGER PRIMARY KEY AUTOINCREMENT`), and takes
the schema's advisory lock for a `transaction()`, as `BEGIN IMMEDIATE` takes the file's, so
a transaction on one gateway never interleaves with one on another. A broken constraint is
`IntegrityError` (sqlite3's) from either.
"""

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, Protocol

import psycopg

from assetport.edge.shared_db import SharedDb
from assetport.runtime.data_dir import create_private_file

ACCOUNTS_DB_FILE: Final = "accounts.sqlite3"
IntegrityError = sqlite3.IntegrityError
SQLITE: Final = "sqlite"
POSTGRESQL: Final = "postgresql"


class Rows(Protocol):
    """What a statement gives back, from either database."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The connection a `transaction()` hands over."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Rows: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...


class Database:
    dialect: str = SQLITE

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / ACCOUNTS_DB_FILE
        create_private_file(path)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.RLock()

    def apply(self, statements: Iterable[str]) -> None:
        for statement in statements:
            self.execute(statement)

    def columns(self, table: str) -> set[str]:
        return {row[1] for row in self.execute(f"PRAGMA table_info({table})").fetchall()}

    def add_column(self, table: str, column: str, declaration: str) -> None:
        """Adds a column a file made by an older version lacks."""
        if column not in self.columns(table):
            self.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> Rows:
        with self._lock:
            return self._db.execute(sql, parameters)

    def one(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        with self._lock:
            return self._db.execute(sql, parameters).fetchone()

    def all(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Several statements as one: all of them or none, and no other caller between."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def changed(self, db: Connection, topic: str, subject: str) -> None:
        """Within a `transaction()`: tell the other gateways of a change (only a shared
        database has others)."""

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return "Database(<accounts>)"


class SharedDatabase(Database):
    """The accounts' tables in the shared PostgreSQL schema."""

    dialect = POSTGRESQL

    def __init__(self, shared: SharedDb) -> None:  # no SQLite file: the parent's init unused
        self.shared = shared

    def apply(self, statements: Iterable[str]) -> None:
        self.shared.apply_schema([postgres_ddl(statement) for statement in statements])

    def columns(self, table: str) -> set[str]:
        rows = self.all(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ?",
            (self.shared.schema, table),
        )
        return {row[0] for row in rows}

    def add_column(self, table: str, column: str, declaration: str) -> None:
        self.apply([f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {declaration}"])

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> Rows:
        try:
            return self.shared.execute(_postgres(sql), parameters)
        except psycopg.IntegrityError as exc:
            raise IntegrityError(str(exc)) from None

    def one(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        return self.execute(sql, parameters).fetchone()

    def all(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        return self.execute(sql, parameters).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        try:
            with self.shared.transaction() as conn:
                yield _PostgresConnection(conn)
        except psycopg.IntegrityError as exc:
            raise IntegrityError(str(exc)) from None

    def changed(self, db: Connection, topic: str, subject: str) -> None:
        assert isinstance(db, _PostgresConnection)
        self.shared.note_change(db.connection, topic, subject)

    def close(self) -> None:
        """The shared database's connection is its owner's to close."""

    def __repr__(self) -> str:
        return "SharedDatabase(<accounts>)"


class _PostgresConnection:
    """A psycopg connection taking the accounts' SQLite-worded statements."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Rows:
        return self.connection.execute(_postgres(sql), parameters)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(_postgres(sql), rows)


_DDL_WORDS: Final = (
    (re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b"), "BIGSERIAL PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
)


def postgres_ddl(statement: str) -> str:
    """A table's SQLite declaration in PostgreSQL's types."""
    for pattern, replacement in _DDL_WORDS:
        statement = pattern.sub(replacement, statement)
    return statement


def _postgres(sql: str) -> str:
    """`?` parameters as psycopg's `%s` (a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")
