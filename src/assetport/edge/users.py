"""Users of the platform: an account number and a name, persisted in the data directory.

The account number is the user's account in the engine's ledger. Numbers start at 1000, so
they never meet the platform's own accounts (0 external, 1 fees) and read as user numbers.
"""

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from assetport.domain.accounts import FIRST_USER_ACCOUNT
from assetport.edge.labels import LabelError, check_label
from assetport.runtime.data_dir import create_private_file

USERS_DB_FILE = "users.sqlite3"
FIRST_USER_ID = FIRST_USER_ACCOUNT


class UserError(ValueError):
    """A user that cannot be created (bad or taken name)."""


@dataclass(frozen=True)
class User:
    user_id: int
    name: str
    created_ms: int


class UserStore:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / USERS_DB_FILE
        create_private_file(path)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
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
        return self._users.get(user_id)

    def by_name(self, name: str) -> User | None:
        return next((user for user in self._users.values() if user.name == name), None)

    def close(self) -> None:
        self._db.close()
