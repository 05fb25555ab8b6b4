"""One custody per deployment: the lock a gateway over the command port holds while it runs
custody (deposits and withdrawals on the chain).

Beside an in-process engine custody is alone by construction. Over the command port any
gateway could start one, and two would each have their own keys (their data dirs): two
deposit addresses for one account, each watched by one of them, two hot wallets. The
engine would still refuse a withdrawal signed twice, but the rest cannot be made right
afterwards, so the second is refused at start instead.

The lock lives where every gateway of a deployment looks: the engine's history database
(`--db`), which custody over the port needs anyway. On PostgreSQL it is a session advisory
lock on a connection kept for the purpose (a gateway that dies lets go of it with its
connection); on SQLite, whose gateways share one machine, an exclusive `flock` on a file
beside the database.
"""

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, Engine, create_engine, make_url, text

from assetport.custody.config import ChainConfigError

LOCK_KEY: Final = 0x4173_7365_7470_6F72  # "Assetpor": one key for every deployment's custody
LOCK_FILE_SUFFIX: Final = ".custody-lock"
_TAKEN: Final = (
    "another gateway runs custody for this engine (it holds the custody lock in {where}): "
    "run custody on one gateway and pass --no-chain to the others"
)


class CustodyLock:
    """Held from `take` until `release` (or the process ends)."""

    def __init__(self, engine: Engine | None, connection: Connection | None, fd: int | None):
        self._engine = engine
        self._connection = connection
        self._fd = fd

    @classmethod
    def take(cls, db_url: str) -> "CustodyLock":
        """The lock of the history database at `db_url` (a SQLAlchemy URL, as `--db`);
        raises ChainConfigError when another gateway holds it. Taken before the gateway
        does anything, so a refused one has changed nothing."""
        url = make_url(db_url)
        if url.get_backend_name() == "sqlite":
            path = Path(f"{url.database}{LOCK_FILE_SUFFIX}")
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise ChainConfigError(_TAKEN.format(where=path.name)) from None
            return cls(None, None, fd)
        engine = create_engine(url)
        try:
            connection = engine.connect()
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
            ).scalar()
            connection.commit()  # the lock is the session's: no transaction left open
        except BaseException:
            engine.dispose()
            raise
        if not taken:
            connection.close()
            engine.dispose()
            raise ChainConfigError(_TAKEN.format(where="the history database"))
        return cls(engine, connection, None)

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # a lost connection let go of it already
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                self._connection.commit()
            self._connection.close()
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor lets go of the flock
            self._fd = None
