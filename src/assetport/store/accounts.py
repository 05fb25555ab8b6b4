"""Users and API keys in the read model: metadata only, for listings and audits.

The gateway's key store (`assetport.api.keys`) keeps secrets and checks requests; it calls
these to record who has which keys, so that an operator can list them with SQL.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from assetport.store import schema
from assetport.store.database import Database


@dataclass(frozen=True, slots=True)
class UserRecord:
    user_id: int  # the ledger account number
    name: str
    created_ms: int


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    api_key: str
    user_id: int
    key_type: str  # "HMAC_SHA256" or "ED25519"
    label: str
    permissions: tuple[str, ...]
    ip_allowlist: tuple[str, ...]  # networks as text; empty: any address
    created_ms: int


def add_user(database: Database, user: UserRecord) -> None:
    with database.engine.begin() as connection:
        connection.execute(
            insert(schema.users).values(
                user_id=user.user_id, name=user.name, created_ms=user.created_ms
            )
        )


def list_users(database: Database) -> list[UserRecord]:
    u = schema.users
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(u.c.user_id, u.c.name, u.c.created_ms).order_by(u.c.user_id)
        )
        return [UserRecord(*row) for row in rows]


def add_api_key(database: Database, key: ApiKeyRecord) -> None:
    with database.engine.begin() as connection:
        connection.execute(
            insert(schema.api_keys).values(
                api_key=key.api_key,
                user_id=key.user_id,
                key_type=key.key_type,
                label=key.label,
                permissions=_join(key.permissions),
                ip_allowlist=_join(key.ip_allowlist),
                created_ms=key.created_ms,
            )
        )


def remove_api_key(database: Database, api_key: str) -> bool:
    """Forget a revoked key; False if it was not there."""
    with database.engine.begin() as connection:
        result = connection.execute(
            delete(schema.api_keys).where(schema.api_keys.c.api_key == api_key)
        )
        return result.rowcount == 1


def list_api_keys(database: Database, user_id: int | None = None) -> list[ApiKeyRecord]:
    k = schema.api_keys
    query = select(
        k.c.api_key,
        k.c.user_id,
        k.c.key_type,
        k.c.label,
        k.c.permissions,
        k.c.ip_allowlist,
        k.c.created_ms,
    ).order_by(k.c.user_id, k.c.created_ms, k.c.api_key)
    if user_id is not None:
        query = query.where(k.c.user_id == user_id)
    with database.engine.connect() as connection:
        return [
            ApiKeyRecord(key, user, kind, label, _split(permissions), _split(ips), created)
            for key, user, kind, label, permissions, ips, created in connection.execute(query)
        ]


def _join(values: Iterable[str]) -> str:
    return ",".join(values)


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(",")) if text else ()
