"""The custody stores' SQLite files: one connection each, used from the event loop's
thread, in WAL mode, in a folder only the exchange's user may read."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def connect(path: Path, *, synchronous: str) -> sqlite3.Connection:
    """A connection to `path` (its folder made 0700), autocommit unless in `transaction`.
    `synchronous` is SQLite's: FULL where a commit lost to a crash could send money twice,
    NORMAL where it is only rescanned."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute("PRAGMA busy_timeout=5000")
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Everything in the block commits together, or nothing does."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
