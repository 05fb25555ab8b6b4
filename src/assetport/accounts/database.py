"""`<data_dir>/accounts.sqlite3`: one SQLite connection shared by the accounts' tables
(accounts and sessions in `store.py`, attempt counters in `attempts.py`, one-time links in
`tokens.py`). The file is made 0600 before SQLite opens it, as the key store's; WAL, so a
reader never waits for a writer.

Calls come from the event loop (and now and then a worker thread), so a lock guards the
connection. A statement is its own transaction unless `transaction()` groups several: the
attempt counters check and record in one, so two requests cannot both pass the last free
place.
"""

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from assetport.runtime.data_dir import create_private_file

ACCOUNTS_DB_FILE: Final = "accounts.sqlite3"


class Database:
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

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, parameters)

    def one(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        with self._lock:
            return self._db.execute(sql, parameters).fetchone()

    def all(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements as one: all of them or none, and no other caller between."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return "Database(<accounts>)"
