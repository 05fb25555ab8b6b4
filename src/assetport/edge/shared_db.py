"""The PostgreSQL schema that gateways share (issue #20): users, API keys, the admin token
and the web accounts' tables, for `assetport serve --shared-db postgresql://...`.

Without `--shared-db` each of those lives in a SQLite file of one gateway's data dir; with
it, every gateway of a deployment reads and writes one schema (`assetport` unless the URL
names another: `postgresql://host/db?schema=NAME`), made at open if missing. Tables are
made under a transaction-level advisory lock, so two gateways starting at once both
succeed.

Secrets are sealed with AES-GCM under the deployment's secrets key (`secrets_key.py`); a
check value sealed under it at the schema's birth makes a gateway given another key stop at
open, before it could seal anything the others cannot read.

Coherence: every gateway caches what its requests read (the key store's dict, the users,
the web sessions). A write that others must see notes a change in the same transaction:
`changes` gets (version, topic, subject), the version taken from a one-row counter whose
row lock orders the writers, so versions become visible in order and a reader never skips
one still in flight. A background thread polls for new versions every `POLL_S` and hands
each change to the stores that subscribed to its topic; a gap (changes pruned while this
gateway slept) makes them reload everything. Between two polls a store may look a name up
on a miss, within `MissLookups`' budget, so that random names sent by an attacker cost no
query per request.
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from assetport.edge.secrets_key import KEY_BYTES, load_secrets_key

logger = logging.getLogger(__name__)

DEFAULT_SCHEMA: Final = "assetport"
POLL_S: Final = 0.5  # a change made on one gateway is seen by the others within about this
# Changes older than this are pruned; a gateway that polled none for as long reloads.
KEEP_CHANGES_MS: Final = 3600 * 1000
_PRUNE_EVERY: Final = 100  # versions
_CHECK_AAD: Final = b"assetport:secrets-key-check"
_CHECK_TEXT: Final = b"the secrets key of this shared database"

_BASE_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS change_counter (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version BIGINT NOT NULL)""",
    "INSERT INTO change_counter (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    """CREATE TABLE IF NOT EXISTS changes (
        version BIGINT PRIMARY KEY,
        topic TEXT NOT NULL,
        subject TEXT NOT NULL,
        at_ms BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS secrets_check (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        nonce BYTEA NOT NULL,
        sealed BYTEA NOT NULL)""",
)

# A change's handler: the subject that changed, or None for "reload everything".
Handler = Callable[[str | None], None]


class SharedDbError(Exception):
    """The shared database cannot be used: a bad URL, the wrong secrets key."""


def split_url(url: str) -> tuple[str, str]:
    """(libpq URL, schema) of a `--shared-db` URL: `postgresql://` (or SQLAlchemy's
    `postgresql+psycopg://`), with an optional `schema=NAME` query parameter."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgresql", "postgres"):
        raise SharedDbError("--shared-db: a postgresql://... URL")
    query = parse_qsl(parts.query)
    schema = next((value for name, value in query if name == "schema"), DEFAULT_SCHEMA)
    if not schema.isidentifier() or not schema.isascii():
        raise SharedDbError(f"--shared-db: {schema!r} is not a schema name")
    rest = urlencode([(name, value) for name, value in query if name != "schema"])
    return urlunsplit(("postgresql", parts.netloc, parts.path, rest, parts.fragment)), schema


class SharedDb:
    """One gateway's connections to the shared schema: one for the stores' reads and writes
    (a lock makes it one caller at a time, as the SQLite stores' connections), one for the
    change poller's thread."""

    def __init__(self, url: str, secrets_key: bytes) -> None:
        if len(secrets_key) != KEY_BYTES:
            raise SharedDbError(f"the secrets key must be {KEY_BYTES} bytes")
        self._conninfo, self.schema = split_url(url)
        self._key = secrets_key
        self._lock = threading.RLock()
        self._conn = self._connect(create_schema=True)
        try:
            self.apply_schema(_BASE_SCHEMA)
            self._check_key()
        except BaseException:
            self._conn.close()
            raise
        self._handlers: dict[str, list[Handler]] = {}
        self._seen = self._current_version()  # the stores' caches load after this
        self._polling = threading.Lock()  # one poll at a time: the thread's or a test's
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    @property
    def secrets_key(self) -> bytes:
        """The key the stores seal their secrets under (never logged: see `__repr__`)."""
        return self._key

    # -- the stores' statements ------------------------------------------------------------

    def apply_schema(self, statements: Iterable[str]) -> None:
        """DDL, all or none, under the schema's advisory lock: gateways starting at once
        take turns instead of failing on each other's half-made tables."""
        with self.transaction() as conn:
            for statement in statements:
                conn.execute(statement)

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> "psycopg.Cursor[Any]":
        """One statement in its own transaction."""
        with self._lock:
            return self._connection().execute(sql, parameters)

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """Several statements as one, and no other gateway's transaction between: each takes
        the schema's advisory lock, as SQLite's `BEGIN IMMEDIATE` takes the file's."""
        with self._lock:
            conn = self._connection()
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))
                yield conn

    def note_change(self, conn: psycopg.Connection[Any], topic: str, subject: str) -> None:
        """Within a `transaction()`: tell the other gateways that `subject` of `topic`
        changed. The counter's row stays locked to the commit, so versions commit in order."""
        row = conn.execute(
            "UPDATE change_counter SET version = version + 1 WHERE id = 1 RETURNING version"
        ).fetchone()
        assert row is not None
        version = int(row[0])
        now_ms = int(time.time() * 1000)
        conn.execute(
            "INSERT INTO changes (version, topic, subject, at_ms) VALUES (%s, %s, %s, %s)",
            (version, topic, subject, now_ms),
        )
        if version % _PRUNE_EVERY == 0:
            conn.execute("DELETE FROM changes WHERE at_ms < %s", (now_ms - KEEP_CHANGES_MS,))

    # -- the change poller -----------------------------------------------------------------

    def subscribe(self, topic: str, handler: Handler) -> None:
        """`handler(subject)` for each change of `topic` another gateway (or this one)
        makes, from the poller's thread; `handler(None)` after a gap. Copied, not changed in
        place: a store may subscribe while the poller goes through the handlers."""
        self._handlers = {**self._handlers, topic: [*self._handlers.get(topic, ()), handler]}

    def start(self) -> None:
        """Start polling (once the stores have subscribed)."""
        if self._poller is None:
            self._poller = threading.Thread(target=self._poll_loop, name="shared-db", daemon=True)
            self._poller.start()

    def poll_once(self, conn: psycopg.Connection[Any] | None = None) -> int:
        """Hand the changes made since the last poll to their handlers; how many."""
        with self._polling:
            if conn is None:
                with self._lock:
                    rows = self._changes_after(self._connection(), self._seen)
            else:
                rows = self._changes_after(conn, self._seen)
            return self._hand_over(rows)

    def close(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=10)
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"SharedDb(schema={self.schema!r}, <secrets key redacted>)"

    __str__ = __repr__

    # -- private ---------------------------------------------------------------------------

    def _connect(self, *, create_schema: bool = False) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(self._conninfo, autocommit=True)
        except psycopg.Error as exc:
            raise SharedDbError(f"cannot connect to the shared database: {exc}") from None
        if create_schema:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
        conn.execute(f'SET search_path TO "{self.schema}"')
        return conn

    def _connection(self) -> psycopg.Connection[Any]:
        """The stores' connection; a new one if the database dropped it (a restart): the
        call that found it broken failed, the next one works."""
        if self._conn.broken or self._conn.closed:
            self._conn.close()
            self._conn = self._connect()
        return self._conn

    def _check_key(self) -> None:
        """The check value: sealed under the first gateway's key, opened by every later one."""
        aead = AESGCM(self._key)
        nonce = os.urandom(12)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO secrets_check (id, nonce, sealed) VALUES (1, %s, %s) "
                "ON CONFLICT (id) DO NOTHING",
                (nonce, aead.encrypt(nonce, _CHECK_TEXT, _CHECK_AAD)),
            )
            row = conn.execute("SELECT nonce, sealed FROM secrets_check WHERE id = 1").fetchone()
        assert row is not None
        try:
            aead.decrypt(bytes(row[0]), bytes(row[1]), _CHECK_AAD)
        except InvalidTag:
            raise SharedDbError(
                f"the secrets key is not the one the shared database (schema {self.schema}) "
                "was made with: give every gateway the same --secrets-key-file"
            ) from None

    def _current_version(self) -> int:
        row = self.execute("SELECT version FROM change_counter WHERE id = 1").fetchone()
        assert row is not None
        return int(row[0])

    @staticmethod
    def _changes_after(conn: psycopg.Connection[Any], seen: int) -> list[tuple[int, str, str]]:
        rows = conn.execute(
            "SELECT version, topic, subject FROM changes WHERE version > %s ORDER BY version",
            (seen,),
        ).fetchall()
        return [(int(version), topic, subject) for version, topic, subject in rows]

    def _hand_over(self, rows: list[tuple[int, str, str]]) -> int:
        if not rows:
            return 0
        if rows[0][0] != self._seen + 1:  # pruned before this gateway saw them
            logger.warning("shared db: changes %d-%d missed, reloading", self._seen + 1, rows[0][0])
            for handlers in self._handlers.values():
                self._call(handlers, None)
        else:
            for _, topic, subject in rows:
                self._call(self._handlers.get(topic, ()), subject)
        self._seen = rows[-1][0]
        return len(rows)

    def _poll_loop(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while not self._stop.wait(POLL_S):
            try:
                if conn is None or conn.closed:
                    conn = self._connect()
                self.poll_once(conn)
            except psycopg.Error as exc:  # the database away: keep the caches, try again
                logger.warning("shared db: polling for changes failed: %s", exc)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    @staticmethod
    def _call(handlers: Iterable[Handler], subject: str | None) -> None:
        for handler in handlers:
            try:
                handler(subject)
            except Exception:  # one store's failure must not stop the others' changes
                logger.exception("shared db: a change handler failed")


def open_shared_db(url: str | None, secrets_key_file: Path | None) -> SharedDb | None:
    """The shared database of `--shared-db` with the key of `--secrets-key-file` (or
    `$ASSETPORT_SECRETS_KEY`), or None without `--shared-db`."""
    if url is None:
        if secrets_key_file is not None:
            raise SharedDbError("--secrets-key-file goes with --shared-db")
        return None
    return SharedDb(url, load_secrets_key(secrets_key_file))


class MissLookups:
    """Look-ups in the shared database of names a gateway's cache does not hold (an API
    key or a session made on another gateway since the last poll): at most `per_second`
    of them, and a bounded memory of names looked up and not found. A flood of random names
    costs at most `per_second` queries a second; a name refused meanwhile works once the
    poller brings it (within `POLL_S`)."""

    def __init__(self, per_second: int = 20, remembered: int = 10_000) -> None:
        self._per_second = per_second
        self._remembered = remembered
        self._absent: dict[str, None] = {}
        self._window_s = 0
        self._used = 0
        self._lock = threading.Lock()

    def may_look_up(self, name: str) -> bool:
        with self._lock:
            if name in self._absent:
                return False
            now_s = int(time.monotonic())
            if now_s != self._window_s:
                self._window_s, self._used = now_s, 0
            if self._used >= self._per_second:
                return False
            self._used += 1
            return True

    def absent(self, name: str) -> None:
        with self._lock:
            self._absent[name] = None
            if len(self._absent) > self._remembered:
                del self._absent[next(iter(self._absent))]  # the oldest

    def forget(self, name: str) -> None:
        with self._lock:
            self._absent.pop(name, None)

    def clear(self) -> None:
        with self._lock:
            self._absent.clear()
