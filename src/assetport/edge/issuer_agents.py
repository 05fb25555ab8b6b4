"""Issuer agents (issue #17): the people who act for one issuer, in one SQLite file,
`<data_dir>/issuer_agents.sqlite3`.

An issuer (a vault operator, a refinery, a studio) has a treasury account (100-499) and
agents who act for it. Each agent has a name and a token of its own (`assetport admin
issuer-agent add ISSUER NAME` prints it once); with it the issuer endpoints
(`api/rest_issuance.py`) act for that issuer alone, and every command they send carries the
agent's name, which the holder is shown beside what was done to their holding.

Only the SHA-256 of a token is kept (a 32-byte random token needs no slow hash: there is
nothing to guess), in a file only its owner may read. The command line writes the file and
the running server reads it at each request, so an agent added or removed counts at once.
"""

import hashlib
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from assetport.domain.accounts import ISSUER_TREASURIES
from assetport.runtime.data_dir import create_private_file

STORE_FILE: Final = "issuer_agents.sqlite3"
TOKEN_PREFIX: Final = "ia_"
# As custody's operators are named: short, lower case, no spaces (it is shown to holders).
NAME: Final = re.compile(r"[a-z][a-z0-9._-]{0,31}")
# The prefix and 43 characters of URL-safe base64; anything much longer is no token.
MAX_TOKEN_CHARS: Final = 100
MAX_AGENTS: Final = 1000

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS issuer_agents (
    name TEXT PRIMARY KEY,
    issuer INTEGER NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    added_at_ms INTEGER NOT NULL
)
"""


class IssuerAgentError(ValueError):
    """A name that is taken, unknown or not a name; an issuer that is no treasury."""


@dataclass(frozen=True, slots=True)
class IssuerAgent:
    name: str
    issuer: int  # the treasury account it acts for
    added_at_ms: int


class IssuerAgents:
    """The agents file. Each call opens its own short connection: the command line and the
    server use the file at the same time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        create_private_file(path)  # private before SQLite writes a byte into it
        with self._connection() as db:
            db.execute(_SCHEMA)

    @classmethod
    def open(cls, data_dir: Path) -> "IssuerAgents":
        return cls(data_dir / STORE_FILE)

    def __repr__(self) -> str:
        return f"IssuerAgents({self.path})"

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, isolation_level=None, timeout=5)) as db:
            yield db

    def add(self, issuer: int, name: str, now_ms: int | None = None) -> str:
        """Register `name` as an agent of `issuer`; its new token, which is shown this once
        and never kept."""
        if issuer not in ISSUER_TREASURIES:
            raise IssuerAgentError(
                f"an issuer is a treasury account, {ISSUER_TREASURIES.start} to "
                f"{ISSUER_TREASURIES.stop - 1}"
            )
        if not NAME.fullmatch(name):
            raise IssuerAgentError(
                "an agent's name is 1 to 32 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter"
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        added = time.time_ns() // 1_000_000 if now_ms is None else now_ms
        with self._connection() as db:
            if db.execute("SELECT COUNT(*) FROM issuer_agents").fetchone()[0] >= MAX_AGENTS:
                raise IssuerAgentError(f"there are {MAX_AGENTS} agents already: remove one first")
            try:
                db.execute(
                    "INSERT INTO issuer_agents (name, issuer, token_sha256, added_at_ms) "
                    "VALUES (?, ?, ?, ?)",
                    (name, issuer, _sha256(token), added),
                )
            except sqlite3.IntegrityError:
                raise IssuerAgentError(f"an agent named {name!r} exists already") from None
        return token

    def remove(self, name: str) -> None:
        """Remove the agent: its token stops working at its next request."""
        with self._connection() as db:
            removed = db.execute("DELETE FROM issuer_agents WHERE name = ?", (name,)).rowcount
        if removed != 1:
            raise IssuerAgentError(f"no agent is named {name!r}")

    def registered(self) -> list[IssuerAgent]:
        """Every agent, by issuer and name."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT name, issuer, added_at_ms FROM issuer_agents ORDER BY issuer, name"
            ).fetchall()
        return [IssuerAgent(str(name), int(issuer), int(added)) for name, issuer, added in rows]

    def authenticate(self, token: str | None) -> IssuerAgent | None:
        """The agent whose token this is, or None. The lookup is by the token's hash, so
        no comparison runs over the secret itself."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_CHARS:
            return None
        with self._connection() as db:
            row = db.execute(
                "SELECT name, issuer, added_at_ms FROM issuer_agents WHERE token_sha256 = ?",
                (_sha256(token),),
            ).fetchone()
        return None if row is None else IssuerAgent(str(row[0]), int(row[1]), int(row[2]))


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
