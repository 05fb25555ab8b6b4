"""Writing one batch's rows inside the caller's transaction, as fast as each database allows.

The bulk tables (postings, trades, orders) take most of the rows. On PostgreSQL they go in
with binary COPY (one round trip per table, no per-row statement); changed orders, balances
and candles are copied into temporary tables and applied with one INSERT ... ON CONFLICT
each. On SQLite, in process, a plain executemany of one prepared statement per table is
already the fast path, upserts included. The statements are built from the tables in
`schema`, so the column lists have one source.

Custody's and issuance's rows are few (one per deposit, withdrawal or redemption step, but
a distribution's payouts): new ones take the same paths, and a withdrawal's or a
redemption's later steps or a removed address are plain UPDATE and DELETE statements on
both databases. The NFT marketplace's sales, royalty shares and activity are new rows only,
on the bulk paths."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, Final

import psycopg
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    update,
)
from sqlalchemy.exc import DBAPIError

from assetport.store import schema
from assetport.store.projection import OrderState, Row, Rows
from assetport.store.schema import INT64_MAX, INT64_MIN, Units, sqlite_amount


def write_rows(connection: Connection, rows: Rows) -> None:
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
        _insert(connection, bulk, schema.orders, rows.new_orders)
    if rows.changed_orders:
        if bulk is not None:
            # Whole rows: found by key (no join whose plan scans the table), and they
            # always exist, so only the columns events change are set.
            bulk.upsert(schema.orders, rows.changed_orders, OrderState.CHANGING)
        else:
            _sqlite_update_orders(connection, list(map(_order_change, rows.changed_orders)))
    if rows.trades:
        _insert(connection, bulk, schema.trades, rows.trades)
    if rows.amendments:
        _insert(connection, bulk, schema.order_amendments, rows.amendments)
    if rows.order_lists:
        _insert(connection, bulk, schema.order_lists, rows.order_lists)
    if rows.order_list_changes:
        _update_by_id(connection, schema.order_lists, "order_list_id", rows.order_list_changes)
    if rows.postings:
        _insert(connection, bulk, schema.postings, rows.postings)
    if rows.transfers:
        _insert(connection, bulk, schema.transfers, rows.transfers)
    if rows.dust_conversions:
        _insert(connection, bulk, schema.dust_conversions, rows.dust_conversions)
    if rows.chain_deposits:
        _insert(connection, bulk, schema.chain_deposits, rows.chain_deposits)
    if rows.new_withdrawals:
        _insert(connection, bulk, schema.withdrawals, rows.new_withdrawals)
    if rows.withdrawal_changes:
        _update_by_id(connection, schema.withdrawals, "withdrawal_id", rows.withdrawal_changes)
    issuance = (
        (schema.rwa_attestations, rows.attestations),
        (schema.rwa_attestation_lots, rows.attestation_lots),
        (schema.rwa_supply_changes, rows.supply_changes),
        (schema.rwa_subscriptions, rows.subscriptions),
        (schema.rwa_redemptions, rows.new_redemptions),
        (schema.rwa_retirements, rows.retirements),
        (schema.rwa_distributions, rows.distributions),
        (schema.rwa_payouts, rows.payouts),
        (schema.rwa_transfers, rows.rwa_transfers),
        (schema.rwa_freezes, rows.freezes),
    )
    for table, new in issuance:
        if new:
            _insert(connection, bulk, table, new)
    nft = (
        (schema.nft_sales, rows.nft_sales),
        (schema.nft_royalties, rows.nft_royalties),
        (schema.nft_activity, rows.nft_activity),
    )
    for table, new in nft:
        if new:
            _insert(connection, bulk, table, new)
    if rows.redemption_changes:
        _update_by_id(connection, schema.rwa_redemptions, "redemption_id", rows.redemption_changes)
    if rows.removed_addresses:
        _delete_addresses(connection, rows.removed_addresses)
    upserts = (
        (schema.balances, rows.balances),
        (schema.candles, rows.candles),
        (schema.withdrawal_addresses, rows.addresses),
    )
    for table, changed in upserts:
        if not changed:
            continue
        if bulk is not None:
            bulk.upsert(table, changed)
        else:
            _sqlite_insert(connection, table, changed, upsert=True)


def _update_by_id(
    connection: Connection, table: Table, key: str, changes: list[dict[str, object]]
) -> None:
    """One UPDATE per set of changed columns (each withdrawal's or redemption's steps are
    already folded into one change), by its id column `key`."""
    by_columns: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for change in changes:
        columns = tuple(sorted(name for name in change if name != key))
        by_columns.setdefault(columns, []).append(
            {f"new_{name}": value for name, value in change.items()}
        )
    for columns, params in by_columns.items():
        statement = (
            update(table)
            .where(table.c[key] == bindparam(f"new_{key}"))
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        connection.execute(statement, params)


def _delete_addresses(connection: Connection, keys: list[Row]) -> None:
    a = schema.withdrawal_addresses
    statement = delete(a).where(
        and_(
            a.c.account == bindparam("key_account"),
            a.c.network == bindparam("key_network"),
            a.c.address == bindparam("key_address"),
        )
    )
    connection.execute(
        statement,
        [
            {"key_account": account, "key_network": network, "key_address": address}
            for account, network, address in keys
        ],
    )


def _insert(
    connection: Connection, bulk: "_PostgresBulk | None", table: Table, rows: list[Row]
) -> None:
    if bulk is not None:
        bulk.copy(table, rows)
    else:
        _sqlite_insert(connection, table, rows)


# ------------------------------------------------------------------------------ SQLite


def _sqlite_amounts(table: Table, columns: Sequence[str], rows: list[Row]) -> list[Row]:
    """The rows with their amounts as SQLite stores them (see `schema.Units`). Amounts
    nearly always fit in 64 bits: a C-speed min/max per amount column proves it, and the
    rows then go as they are."""
    if not rows:
        return rows
    positions = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, Units)]
    fits = True
    for i in positions:
        amounts: list[int] = [row[i] for row in rows]  # type: ignore[misc]
        if min(amounts) < INT64_MIN or max(amounts) > INT64_MAX:
            fits = False
            break
    if fits:
        return rows
    fixed = []
    for row in rows:
        values = list(row)
        for i in positions:
            values[i] = sqlite_amount(values[i])  # type: ignore[arg-type]
        fixed.append(tuple(values))
    return fixed


def _sqlite_insert(
    connection: Connection, table: Table, rows: list[Row], upsert: bool = False
) -> None:
    """One prepared INSERT for all rows; with `upsert`, rows whose primary key exists
    replace the stored ones."""
    columns = [column.name for column in table.columns]
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    if upsert:
        keys = [column.name for column in table.primary_key.columns]
        assignments = ", ".join(
            f"{quote(name)} = excluded.{quote(name)}" for name in columns if name not in keys
        )
        sql += f" ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {assignments}"
    connection.exec_driver_sql(sql, _sqlite_amounts(table, columns, rows))


# An order's row -> what `_sqlite_update_orders` sets, then its order_id.
_order_change: Final = itemgetter(
    *(OrderState.COLUMNS.index(name) for name in (*OrderState.CHANGING, "order_id"))
)


def _sqlite_update_orders(connection: Connection, changes: list[Row]) -> None:
    quote = connection.dialect.identifier_preparer.quote
    assignments = ", ".join(f"{quote(name)} = ?" for name in OrderState.CHANGING)
    sql = f"UPDATE orders SET {assignments} WHERE order_id = ?"
    names = [*OrderState.CHANGING, "order_id"]
    connection.exec_driver_sql(sql, _sqlite_amounts(schema.orders, names, changes))


# ------------------------------------------------------------------------------ PostgreSQL


@contextmanager
def _as_sqlalchemy_errors(statement: str) -> Iterator[None]:
    """Raise the driver's errors as SQLAlchemy's (IntegrityError...), as Core calls do."""
    try:
        yield
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def _copy_types(table: Table, names: Sequence[str]) -> list[str]:
    """The PostgreSQL type of each column, for binary COPY (amounts go in as NUMERIC)."""
    return [_COPY_TYPES[type(table.c[name].type)] for name in names]


_COPY_TYPES: dict[type[Any], str] = {
    BigInteger: "int8",
    Integer: "int4",
    String: "text",
    Text: "text",
    Boolean: "bool",
    Units: "numeric",
}


class _PostgresBulk:
    """Binary COPY through the psycopg connection under SQLAlchemy's, in its transaction:
    no per-row statement, and no text to format on one side and parse on the other."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.driver: Any = connection.connection.driver_connection

    def copy(self, table: Table, rows: list[Row]) -> None:
        with (
            _as_sqlalchemy_errors(f"COPY {table.name}"),
            self.driver.cursor() as cursor,
        ):
            self._copy(cursor, f'"{table.name}"', table, rows)

    def upsert(self, table: Table, rows: list[Row], changing: Sequence[str] = ()) -> None:
        """Insert whole rows, and where the primary key exists set the `changing` columns
        (all the others by default): COPY into a temporary twin of `table`, then one
        INSERT ... ON CONFLICT, which finds each row by its key whatever the table's size."""
        names = [column.name for column in table.columns]
        keys = [column.name for column in table.primary_key.columns]
        temp = f"upsert_{table.name}"
        columns = ", ".join(f'"{name}"' for name in names)
        changing = changing or [name for name in names if name not in keys]
        assignments = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in changing)
        with _as_sqlalchemy_errors(f"upsert {table.name}"), self.driver.cursor() as cursor:
            # A temporary table lives as long as the session; ON COMMIT DELETE ROWS empties
            # it for the next batch.
            cursor.execute(
                f'CREATE TEMP TABLE IF NOT EXISTS {temp} (LIKE "{table.name}") '
                "ON COMMIT DELETE ROWS"
            )
            self._copy(cursor, temp, table, rows)
            cursor.execute(
                f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM {temp} '
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {assignments}"
            )

    @staticmethod
    def _copy(cursor: Any, target: str, table: Table, rows: list[Row]) -> None:
        names = [column.name for column in table.columns]
        columns = ", ".join(f'"{name}"' for name in names)
        with cursor.copy(f"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_copy_types(table, names))
            write = copy.write_row
            for row in rows:
                write(row)
