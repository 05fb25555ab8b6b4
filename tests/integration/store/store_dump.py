"""Every row of every read-model table, to compare two databases exactly."""

from sqlalchemy import select

from assetport.store import schema
from assetport.store.database import Database

TABLES = (
    schema.assets,
    schema.markets,
    schema.orders,
    schema.trades,
    schema.order_amendments,
    schema.balances,
    schema.postings,
    schema.transfers,
    schema.candles,
    schema.projector_state,
)


def dump(database: Database) -> dict[str, list[tuple[object, ...]]]:
    with database.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in TABLES
        }
