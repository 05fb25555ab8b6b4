"""Recovery codes: the way back into an account whose authenticator app is lost.

Turning two-factor login on makes `COUNT` codes, shown to the person once; each works once
in place of a TOTP code, at login and to confirm a security change. Each code is 12
characters (`xxxx-xxxx-xxxx`) drawn from an alphabet without look-alikes (no 0/o, 1/l/i),
about 59 bits: too many to guess through the login limit.

Stored: only HMAC-SHA256 of the code under a key derived from the data dir's master key
(the key that seals the TOTP secrets), with the user id in the message. A keyed hash and
not argon2: the codes are random and long, so a slow hash buys nothing against guessing,
while argon2 against ten rows would cost a login half a second and 640 MiB; and without the
master key a copy of the database file cannot even test a guess. Using a code deletes its
row in the statement that finds it, so two requests cannot both use one code.
"""

import hashlib
import hmac
import secrets
from typing import Final

from assetport.accounts.database import Database

COUNT: Final = 10
_ALPHABET: Final = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS: Final = 3
_GROUP_LENGTH: Final = 4
CODE_LENGTH: Final = _GROUPS * _GROUP_LENGTH

_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS recovery_codes (
        user_id INTEGER NOT NULL,
        code_hash TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        PRIMARY KEY (user_id, code_hash))""",
)


def new_code() -> str:
    letters = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    groups = [letters[i : i + _GROUP_LENGTH] for i in range(0, CODE_LENGTH, _GROUP_LENGTH)]
    return "-".join(groups)


def normalise(text: str) -> str | None:
    """The code as hashed: lower case, without the spaces and hyphens people type or
    copy with it; None when it cannot be a recovery code."""
    code = "".join(char for char in text.lower() if char not in " -\t")
    if len(code) != CODE_LENGTH or not set(code) <= set(_ALPHABET):
        return None
    return code


def looks_like(text: str) -> bool:
    return normalise(text) is not None


class RecoveryCodes:
    def __init__(self, database: Database, key: bytes) -> None:
        self._db = database
        self._key = key
        self._db.apply(_SCHEMA)

    def _hash(self, user_id: int, code: str) -> str:
        return hmac.new(self._key, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()

    def replace(self, user_id: int, now_ms: int) -> list[str]:
        """A new set of codes for the user, the old ones gone: the codes, to show once."""
        codes = [new_code() for _ in range(COUNT)]
        with self._db.transaction() as db:
            db.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
            db.executemany(
                "INSERT INTO recovery_codes (user_id, code_hash, created_ms) VALUES (?, ?, ?)",
                [(user_id, self._hash(user_id, normalise(code) or ""), now_ms) for code in codes],
            )
        return codes

    def use(self, user_id: int, text: str) -> bool:
        """True when `text` is one of the user's unused codes, which is then used up."""
        code = normalise(text)
        if code is None:
            return False
        # Every row read (`all`), so the statement ends and its transaction commits.
        rows = self._db.all(
            "DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ? RETURNING user_id",
            (user_id, self._hash(user_id, code)),
        )
        return bool(rows)

    def left(self, user_id: int) -> int:
        row = self._db.one("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?", (user_id,))
        return int(row[0])

    def forget(self, user_id: int) -> None:
        self._db.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
