"""The migrations build exactly the tables `schema` declares, amounts of any size survive,
and the users/API keys tables take and list metadata."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from assetport.store import schema
from assetport.store.accounts import (
    ApiKeyRecord,
    UserRecord,
    add_api_key,
    add_user,
    list_api_keys,
    list_users,
    remove_api_key,
)
from assetport.store.database import Database, open_database, upgrade
from assetport.store.projection import CandleState, OrderState


def test_migrations_match_the_declared_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, schema.metadata) == []


def test_opening_again_migrates_nothing(db_url: str) -> None:
    for _ in range(2):
        database = open_database(db_url)
        upgrade(database)
        database.close()


def test_amounts_of_any_size_are_exact(database: Database) -> None:
    amounts = [0, 1, -1, 2**63 - 1, -(2**63), 2**63, -(2**70), 10**40, -(10**60)]
    b = schema.balances
    with database.engine.begin() as connection:
        connection.execute(
            b.insert(),
            [
                {"account": i, "asset": "ETH", "free": amount, "held": -amount, "updated_seq": 1}
                for i, amount in enumerate(amounts)
            ],
        )
        rows = connection.execute(select(b.c.free, b.c.held).order_by(b.c.account)).all()
    assert [tuple(row) for row in rows] == [(amount, -amount) for amount in amounts]
    assert all(type(free) is int for free, _ in rows)


def test_users_and_api_keys_metadata(database: Database) -> None:
    add_user(database, UserRecord(3, "Busan Gold Vault", 1_700_000_000_000))
    add_user(database, UserRecord(2, "Kim", 1_700_000_000_001))
    assert [user.user_id for user in list_users(database)] == [2, 3]
    key = ApiKeyRecord(
        "k" * 64, 2, "HMAC_SHA256", "bot", ("read", "trade"), ("10.0.0.0/8",), 1_700_000_000_002
    )
    add_api_key(database, key)
    add_api_key(database, ApiKeyRecord("e" * 64, 3, "ED25519", "", ("read",), (), 1))
    assert list_api_keys(database, 2) == [key]
    assert len(list_api_keys(database)) == 2
    assert remove_api_key(database, key.api_key) and not remove_api_key(database, key.api_key)
    assert [k.user_id for k in list_api_keys(database)] == [3]


def test_the_projection_writes_columns_in_table_order() -> None:
    assert tuple(column.name for column in schema.orders.columns) == OrderState.COLUMNS
    assert tuple(column.name for column in schema.candles.columns) == CandleState.COLUMNS
