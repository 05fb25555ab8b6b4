"""The migrations build exactly the tables `schema` declares, opening a database again
keeps its rows and migrates nothing, and amounts of any size survive."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from assetport.store import schema
from assetport.store.database import MIGRATIONS, Database, open_database
from assetport.store.projection import CandleState, OrderState


def test_migrations_match_the_declared_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, schema.metadata) == []


def test_opening_again_keeps_the_rows_and_migrates_nothing(db_url: str) -> None:
    """A restart opens the same database: it is at the newest revision, so nothing is
    migrated again and what the read model wrote before is still there."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    written = {"account": 1000, "asset": "KGLD", "free": 5, "held": 2, "updated_seq": 7}
    database = open_database(db_url)
    with database.engine.begin() as connection:
        connection.execute(schema.balances.insert(), [written])
    database.close()

    database = open_database(db_url)
    try:
        with database.engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            rows = connection.execute(select(schema.balances)).mappings().all()
    finally:
        database.close()
    assert head is not None and revision == head
    assert [dict(row) for row in rows] == [written]


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


def test_the_projection_writes_columns_in_table_order() -> None:
    assert tuple(column.name for column in schema.orders.columns) == OrderState.COLUMNS
    assert tuple(column.name for column in schema.candles.columns) == CandleState.COLUMNS
