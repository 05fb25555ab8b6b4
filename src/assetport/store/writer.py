"""Writing one batch's rows inside the caller's transaction, as fast as each database allows.

The bulk tables (postings, trades, orders) take most of the rows. On PostgreSQL they go in
with COPY (one round trip per table, no per-row statement), and changed orders are copied
into a temporary table and applied with one UPDATE ... FROM. On SQLite, in process, a plain
executemany of one prepared statement is already the fast path. The statements are built
from the tables in `schema`, so the column lists have one source.

Balances, candles and listings are few per batch: SQLAlchemy Core upserts.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Connection, Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from assetport.store import schema
from assetport.store.projection import OrderState, ProjectionState, Rows
from assetport.store.schema import Units, sqlite_amount

Row = tuple[object, ...]


def write_rows(connection: Connection, rows: Rows, state: ProjectionState) -> None:
    """Write every row of the batch; the caller commits (with the projector's seq)."""
    bulk = _PostgresBulk(connection) if connection.dialect.name == "postgresql" else None
    if rows.assets:
        _insert(connection, bulk, schema.assets, rows.assets)
    if rows.markets:
        _insert(connection, bulk, schema.markets, rows.markets)
    for change in rows.market_changes:
        values = {key: value for key, value in change.items() if key != "symbol"}
        connection.execute(
            update(schema.markets)
            .where(schema.markets.c.symbol == change["symbol"])
            .values(**values)
        )
    if rows.new_orders:
        _insert(connection, bulk, schema.orders, [o.row() for o in rows.new_orders.values()])
    if rows.changed_orders:
        changes = [order.change() for order in rows.changed_orders.values()]
        if bulk is not None:
            bulk.update_orders(changes)
        else:
            _sqlite_update_orders(connection, changes)
    if rows.trades:
        _insert(connection, bulk, schema.trades, rows.trades)
    if rows.postings:
        _insert(connection, bulk, schema.postings, rows.postings)
    if rows.transfers:
        _insert(connection, bulk, schema.transfers, rows.transfers)
    upserts = (
        (schema.balances, rows.balance_rows(state) if rows.balances else []),
        (schema.candles, [candle.row() for candle in rows.candles.values()]),
    )
    for table, changed in upserts:
        if not changed:
            continue
        if bulk is not None:
            bulk.upsert(table, changed)
        else:
            _upsert(connection, table, changed)


def _insert(
    connection: Connection, bulk: "_PostgresBulk | None", table: Table, rows: list[Row]
) -> None:
    if bulk is not None:
        bulk.copy(table, rows)
    else:
        _sqlite_insert(connection, table, rows)


# ------------------------------------------------------------------------------ SQLite


def _amount_fixer(table: Table, columns: Sequence[str]) -> Callable[[Row], tuple[object, ...]]:
    """A function that turns a row's amounts into what SQLite stores (see `schema.Units`)."""
    positions = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, Units)]

    def fix(row: Row) -> tuple[object, ...]:
        values = list(row)
        for i in positions:
            values[i] = sqlite_amount(values[i])  # type: ignore[arg-type]
        return tuple(values)

    return fix


def _sqlite_insert(connection: Connection, table: Table, rows: list[Row]) -> None:
    columns = [column.name for column in table.columns]
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    fix = _amount_fixer(table, columns)
    connection.exec_driver_sql(sql, [fix(row) for row in rows])


def _sqlite_update_orders(connection: Connection, changes: list[Row]) -> None:
    quote = connection.dialect.identifier_preparer.quote
    assignments = ", ".join(f"{quote(name)} = ?" for name in OrderState.CHANGING)
    sql = f"UPDATE orders SET {assignments} WHERE order_id = ?"
    fix = _amount_fixer(schema.orders, [*OrderState.CHANGING, "order_id"])
    connection.exec_driver_sql(sql, [fix(change) for change in changes])


# ------------------------------------------------------------------------------ both


def _upsert(connection: Connection, table: Table, rows: list[Row]) -> None:
    """Insert rows, replacing those whose primary key already exists."""
    columns = [column.name for column in table.columns]
    keys = [column.name for column in table.primary_key.columns]
    statement: Any
    if connection.dialect.name == "postgresql":
        statement = postgresql.insert(table)
    else:
        statement = sqlite.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in columns if name not in keys},
    )
    connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows])


# ------------------------------------------------------------------------------ PostgreSQL


@contextmanager
def _as_sqlalchemy_errors(statement: str) -> Iterator[None]:
    """Raise the driver's errors as SQLAlchemy's (IntegrityError...), as Core calls do."""
    try:
        yield
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


class _PostgresBulk:
    """COPY through the psycopg connection under SQLAlchemy's, in its transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.driver: Any = connection.connection.driver_connection

    def copy(self, table: Table, rows: list[Row]) -> None:
        columns = ", ".join(f'"{column.name}"' for column in table.columns)
        with (
            _as_sqlalchemy_errors(f"COPY {table.name}"),
            self.driver.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
        ):
            write = copy.write_row
            for row in rows:
                write(row)

    def upsert(self, table: Table, rows: list[Row]) -> None:
        """COPY into a temporary twin of `table`, then one INSERT ... ON CONFLICT: one round
        trip instead of a statement per row."""
        names = [column.name for column in table.columns]
        keys = [column.name for column in table.primary_key.columns]
        temp = f"upsert_{table.name}"
        columns = ", ".join(f'"{name}"' for name in names)
        assignments = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names if n not in keys)
        with _as_sqlalchemy_errors(f"upsert {table.name}"), self.driver.cursor() as cursor:
            cursor.execute(
                f'CREATE TEMP TABLE IF NOT EXISTS {temp} (LIKE "{table.name}") '
                "ON COMMIT DELETE ROWS"
            )
            with cursor.copy(f"COPY {temp} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
            cursor.execute(
                f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM {temp} '
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {assignments}"
            )

    def update_orders(self, changes: list[Row]) -> None:
        names = [*OrderState.CHANGING, "order_id"]
        with _as_sqlalchemy_errors("UPDATE orders"), self.driver.cursor() as cursor:
            # A temporary table lives as long as the session; ON COMMIT DELETE ROWS empties it
            # for the next batch.
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS order_changes (status text, "
                "orig_qty numeric, executed_qty numeric, cumulative_quote_qty numeric, "
                "working boolean, update_time_us bigint, working_time_us bigint, "
                "updated_seq bigint, order_id bigint) ON COMMIT DELETE ROWS"
            )
            quoted = ", ".join(f'"{name}"' for name in names)
            with cursor.copy(f"COPY order_changes ({quoted}) FROM STDIN") as copy:
                write = copy.write_row
                for change in changes:
                    write(change)
            assignments = ", ".join(f'"{n}" = c."{n}"' for n in OrderState.CHANGING)
            cursor.execute(
                f"UPDATE orders AS o SET {assignments} FROM order_changes AS c "
                "WHERE o.order_id = c.order_id"
            )
