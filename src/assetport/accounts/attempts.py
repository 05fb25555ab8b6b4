"""Attempts counted in sliding windows, kept in the accounts database across restarts:
logins per email and per address, sign-ups per address, mails asked for per email and per
address.

An attempt is counted **before** the work it guards (the password hash, the mail), in one
step that checks the count and records the attempt: on the event loop nothing runs between
the two, and the database transaction keeps a worker thread out too. So forty requests
sent at once cannot all pass a limit of five while the first hash is still running, as
they could when the count came after the hash. What succeeds is forgotten again (a good
login clears its email's count and its own place in the address's), so only failures stay.

When a limit is full, every attempt is refused until the oldest counted one leaves the
window, even one with the right password (otherwise the limit would tell a guesser when it
guessed right).
"""

from dataclasses import dataclass
from typing import Final

from assetport.accounts.database import POSTGRESQL, Database

_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS attempts (
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        at_ms INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS attempts_by_subject ON attempts (kind, subject, at_ms)",
)
_MINUTE_MS: Final = 60 * 1000
_HOUR_MS: Final = 60 * _MINUTE_MS
_PRUNE_EVERY_MS: Final = _MINUTE_MS
# The longest window of any limit: older rows count for none and are pruned.
_KEPT_MS: Final = _HOUR_MS


@dataclass(frozen=True)
class Limit:
    kind: str
    count: int
    window_ms: int

    def __post_init__(self) -> None:
        if not 0 < self.window_ms <= _KEPT_MS:
            raise ValueError(f"{self.kind}: a window of at most {_KEPT_MS} ms")


LOGIN_PER_EMAIL: Final = Limit("login-email", 5, 15 * _MINUTE_MS)
LOGIN_PER_ADDRESS: Final = Limit("login-address", 50, 15 * _MINUTE_MS)
# Its count is `assetport serve --signups-per-hour` (`AccountSettings`).
SIGNUPS_PER_ADDRESS: Final = Limit("signup-address", 10, _HOUR_MS)
# Mails one can make us send (links again, password resets): no mail bombing a stranger.
MAILS_PER_EMAIL: Final = Limit("mail-email", 5, _HOUR_MS)
MAILS_PER_ADDRESS: Final = Limit("mail-address", 20, _HOUR_MS)


class TooMany(Exception):
    def __init__(self, limit: Limit, retry_after_s: int) -> None:
        super().__init__(f"{limit.kind}: retry after {retry_after_s} s")
        self.limit = limit
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Reservation:
    """The rows an attempt added, to forget it if it succeeds."""

    row_ids: tuple[int, ...]


class Attempts:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._db.apply(_SCHEMA)
        # A row's own id: SQLite's rowid; PostgreSQL has none, so a column there.
        self._id = "rowid"
        if database.dialect == POSTGRESQL:
            self._db.add_column("attempts", "id", "BIGSERIAL")
            self._id = "id"
        self._pruned_ms = 0

    def reserve(self, now_ms: int, *checks: tuple[Limit, str]) -> Reservation:
        """Counts one attempt against each (limit, subject), or none when any limit is full:
        then raises `TooMany` with the longest wait."""
        if not checks:
            return Reservation(())
        self._prune(now_ms)
        with self._db.transaction() as db:
            waits: list[tuple[int, Limit]] = []
            for limit, subject in checks:
                times = [
                    row[0]
                    for row in db.execute(
                        "SELECT at_ms FROM attempts WHERE kind = ? AND subject = ? AND "
                        "at_ms > ? ORDER BY at_ms",
                        (limit.kind, subject, now_ms - limit.window_ms),
                    )
                ]
                if len(times) >= limit.count:
                    # A place frees when enough of the oldest leave the window.
                    leaves_ms = times[len(times) - limit.count] + limit.window_ms
                    waits.append((leaves_ms - now_ms, limit))
            if waits:
                wait_ms, limit = max(waits, key=lambda wait: wait[0])
                raise TooMany(limit, max(1, -(-wait_ms // 1000)))
            row_ids = []
            for limit, subject in checks:
                row = db.execute(
                    f"INSERT INTO attempts (kind, subject, at_ms) VALUES (?, ?, ?) "
                    f"RETURNING {self._id}",
                    (limit.kind, subject, now_ms),
                ).fetchone()
                row_ids.append(int(row[0]))
        return Reservation(tuple(row_ids))

    def forget(self, reservation: Reservation) -> None:
        """The attempt succeeded (or was never tried): it does not count."""
        with self._db.transaction() as db:
            db.executemany(
                f"DELETE FROM attempts WHERE {self._id} = ?", [(r,) for r in reservation.row_ids]
            )

    def clear(self, limit: Limit, subject: str) -> None:
        """A good login clears its email's failures (not its address's: one address may hold
        a guesser and a real user)."""
        self._db.execute(
            "DELETE FROM attempts WHERE kind = ? AND subject = ?", (limit.kind, subject)
        )

    def _prune(self, now_ms: int) -> None:
        """Rows out of every window go, now and then: the table holds only what counts."""
        if now_ms - self._pruned_ms < _PRUNE_EVERY_MS:
            return
        self._pruned_ms = now_ms
        self._db.execute("DELETE FROM attempts WHERE at_ms <= ?", (now_ms - _KEPT_MS,))
