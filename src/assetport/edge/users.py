"""Users of the platform: an account number and a name, persisted in the data directory, or
in the shared database of `assetport serve --shared-db` (`shared_db.py`).

The account number is the user's account in the engine's ledger. Numbers start at 1000, so
they never meet the platform's own accounts (0 external, 1 fees) and read as user numbers.
In the shared database they come from a sequence starting there and names are unique by a
constraint, so gateways creating users at once never give two the same number or name.
"""

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import psycopg

from assetport.domain.accounts import FIRST_USER_ACCOUNT
from assetport.edge.labels import LabelError, check_label
from assetport.edge.shared_db import SharedDb
from assetport.runtime.data_dir import create_private_file

USERS_DB_FILE = "users.sqlite3"
FIRST_USER_ID = FIRST_USER_ACCOUNT
USER_TOPIC: Final = "user"
_SHARED_SCHEMA: Final = (
    f"CREATE SEQUENCE IF NOT EXISTS users_user_id_seq START WITH {FIRST_USER_ID} "
    f"MINVALUE {FIRST_USER_ID}",
    """CREATE TABLE IF NOT EXISTS users (
        user_id BIGINT PRIMARY KEY DEFAULT nextval('users_user_id_seq'),
        name TEXT NOT NULL UNIQUE,
        created_ms BIGINT NOT NULL)""",
)


class UserError(ValueError):
    """A user that cannot be created (bad or taken name)."""


@dataclass(frozen=True)
class User:
    user_id: int
    name: str
    created_ms: int


class UserStore:
    def __init__(self, data_dir: Path, shared: SharedDb | None = None) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._shared = shared
        if shared is not None:
            shared.apply_schema(_SHARED_SCHEMA)
            self._users = self._shared_users("")
            shared.subscribe(USER_TOPIC, self._changed)
            return
        path = data_dir / USERS_DB_FILE
        create_private_file(path)
        self._db = sqlite3.connect(path, check_same_thread=False)
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS users ("
                " user_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                " created_ms INTEGER NOT NULL)"
            )
        self._users = {
            row[0]: User(row[0], row[1], row[2])
            for row in self._db.execute("SELECT user_id, name, created_ms FROM users")
        }

    def create(self, name: str, now_ms: int) -> User:
        name = name.strip()
        if not name:
            raise UserError("a user name has 1 to 100 characters")
        try:
            check_label(name, "a user name", 100)
        except LabelError as exc:
            raise UserError(str(exc)) from None
        if self._shared is not None:
            return self._create_shared(self._shared, name, now_ms)
        with self._lock:
            if any(user.name == name for user in self._users.values()):
                raise UserError(f"the name {name!r} is taken")
            user_id = max(self._users, default=FIRST_USER_ID - 1) + 1
            with self._db:
                self._db.execute(
                    "INSERT INTO users (user_id, name, created_ms) VALUES (?, ?, ?)",
                    (user_id, name, now_ms),
                )
            user = User(user_id, name, now_ms)
            self._users[user_id] = user
            return user

    def get(self, user_id: int) -> User | None:
        user = self._users.get(user_id)
        if user is None and self._shared is not None:  # made on another gateway just now
            user = self._read_one(user_id)
        return user

    def by_name(self, name: str) -> User | None:
        if self._shared is not None:
            return next(iter(self._shared_users("WHERE name = %s", name).values()), None)
        return next((user for user in self._users.values() if user.name == name), None)

    def close(self) -> None:
        if self._shared is None:
            self._db.close()

    # -- the shared database ---------------------------------------------------------------

    def _create_shared(self, shared: SharedDb, name: str, now_ms: int) -> User:
        try:
            with shared.transaction() as conn:
                row = conn.execute(
                    "INSERT INTO users (name, created_ms) VALUES (%s, %s) RETURNING user_id",
                    (name, now_ms),
                ).fetchone()
                assert row is not None
                shared.note_change(conn, USER_TOPIC, str(row[0]))
        except psycopg.errors.UniqueViolation:
            raise UserError(f"the name {name!r} is taken") from None
        user = User(int(row[0]), name, now_ms)
        with self._lock:
            self._users[user.user_id] = user
        return user

    def _shared_users(self, where: str, *parameters: object) -> dict[int, User]:
        assert self._shared is not None
        rows = self._shared.execute(
            f"SELECT user_id, name, created_ms FROM users {where}", parameters
        )
        return {int(r[0]): User(int(r[0]), r[1], int(r[2])) for r in rows}

    def _read_one(self, user_id: int) -> User | None:
        """The user as the shared database has it now, cached (or forgotten if gone)."""
        found = self._shared_users("WHERE user_id = %s", user_id).get(user_id)
        with self._lock:
            if found is None:
                self._users.pop(user_id, None)
            else:
                self._users[user_id] = found
        return found

    def _changed(self, subject: str | None) -> None:
        """A change the poller saw (its thread): one user, or all of them after a gap."""
        if subject is None:
            self._users = self._shared_users("")
        else:
            self._read_one(int(subject))
