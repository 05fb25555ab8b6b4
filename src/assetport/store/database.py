"""Opening the read model's database by URL, and bringing its schema up to date.

`sqlite:///<data_dir>/assetport.db` is the default: one file next to the journal, in WAL
mode so that readers (the API) never block the projector's writes. `synchronous=NORMAL` is
enough here: a power cut may lose the last few committed batches, never tear one, and the
projector re-derives whatever is lost from the journal (its seq is in the same
transaction). `postgresql://...` (or `postgresql+psycopg://...`) selects PostgreSQL with
psycopg 3.

Migrations (Alembic, `assetport/store/migrations`) run on open, under an advisory lock on
PostgreSQL so that two processes starting together do not race.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection

from assetport.runtime.data_dir import create_private_file

DB_FILE: Final = "assetport.db"
MIGRATIONS: Final = Path(__file__).with_name("migrations")


class UnsupportedDatabase(ValueError):
    """The URL names a database the read model does not run on."""


def database_url(db_url: str | None = None, data_dir: Path | None = None) -> str:
    """The SQLAlchemy URL for `--db` (PostgreSQL or SQLite), or the data dir's SQLite file."""
    if db_url is None:
        if data_dir is None:
            raise ValueError("give a database URL or a data dir")
        return f"sqlite:///{(Path(data_dir) / DB_FILE).resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if db_url.startswith(prefix):
            return "postgresql+psycopg://" + db_url[len(prefix) :]
    if db_url.startswith(("postgresql+psycopg://", "sqlite://")):
        return db_url
    raise UnsupportedDatabase(
        f"database URL {db_url!r}: expected postgresql://... or sqlite:///<file>"
    )


@dataclass
class Database:
    engine: Engine

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def describe(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def open_database(
    db_url: str | None = None, data_dir: Path | None = None, *, migrate: bool = True
) -> Database:
    """Open the read model's database and apply any migrations it lacks."""
    url = database_url(db_url, data_dir)
    if url.startswith("sqlite"):
        if data_dir is not None and db_url is None:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
        _create_private(url)
        engine = create_engine(url, connect_args={"timeout": 30})
        _sqlite_settings(engine)
    else:
        # synchronous_commit off: a crash may lose the last few commits, whole, never part
        # of one; the projector then re-derives them from the journal (its seq is in the
        # same transaction). It spares a WAL flush wait per batch.
        engine = create_engine(
            url, pool_pre_ping=True, connect_args={"options": "-c synchronous_commit=off"}
        )
    database = Database(engine)
    if migrate:
        upgrade(database)
    return database


def _create_private(url: str) -> None:
    """Make a new SQLite file 0600 before SQLite opens it: SQLite gives the -wal and -shm
    files the database file's mode, so the history is private from its first byte."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    create_private_file(Path(path))


def upgrade(database: Database, revision: str = "head") -> None:
    """Apply the migrations up to `revision`, in one transaction."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _sqlite_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin: the
        # module's own implicit BEGIN would leave reads before the first write outside.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")
