"""`assetport reconcile`: the read model against the journal, and against its own postings.

The journal is replayed by a fresh engine up to the seq the read model has reached (the
projector may lag), then three views of the same money are compared:

- the engine's balances with the `balances` table,
- the engine's balances with the sum of the `postings` lines,
- the engine's open orders with the open rows of the `orders` table,
- the engine's withdrawals not yet final with those of the `withdrawals` table (their
  held funds are in the balances; this names the withdrawal that holds them).

Every difference is reported as one sentence; none means the read model is sound up to its
seq, and the command line says how far that is behind the journal's end.

The journal is whichever the server writes: the data dir's files, or the JetStream stream of
`--journal-url` (with `--stream` and `--subject`, as `serve` and `engine-serve` take them).
"""

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import Connection, select

from assetport.domain.commands import decode_command
from assetport.domain.custody import TRANSITIONS
from assetport.domain.orders import OPEN_STATUSES
from assetport.engine.engine import Engine
from assetport.journal.errors import JournalCorrupted
from assetport.journal.record import Record
from assetport.journal.verify import stats
from assetport.runtime.journal_source import (
    DEFAULT_STREAM,
    DEFAULT_SUBJECT,
    JournalSource,
    stream_state,
)
from assetport.runtime.replay import ReplayImpossible
from assetport.store import schema
from assetport.store.database import Database, open_database
from assetport.store.projector import STATE_ROW

Balances = dict[tuple[int, str], tuple[int, int]]


def reconcile(
    data_dir: Path, db_url: str | None = None, journal: JournalSource | None = None
) -> list[str]:
    """Each difference between the journal (default: the files of `data_dir`) and the read
    model, as a sentence."""
    source = journal or JournalSource(Path(data_dir))
    database = open_database(db_url, data_dir)
    records = source.records()
    try:
        return compare(database, records)
    finally:
        records.close()  # a stream's reader lets go of its connection
        database.close()


def read_model_seq(data_dir: Path, db_url: str | None = None) -> int:
    """The seq of the last command whose rows the read model has committed."""
    database = open_database(db_url, data_dir)
    try:
        with database.engine.connect() as connection:
            return _model_seq(connection)
    finally:
        database.close()


def journal_end(source: JournalSource) -> int:
    """The last seq the journal holds now (0 when empty)."""
    if source.uses_jetstream:
        return stream_state(source).last_seq or 0
    assert source.data_dir is not None
    return stats(source.data_dir)["last_seq"] or 0


def compare(database: Database, records: Iterable[Record]) -> list[str]:
    """Replay `records` (from seq 1) up to the read model's seq and compare."""
    with database.engine.connect() as connection:
        model_seq = _model_seq(connection)
        engine = Engine()
        for record in records:
            if record.seq > model_seq:
                break
            engine.apply(record.seq, record.time, decode_command(record.payload))
        problems: list[str] = []
        if engine.last_seq < model_seq:
            problems.append(
                f"the read model is at seq {model_seq} but the journal ends at seq "
                f"{engine.last_seq}: it holds rows for commands the journal does not have"
            )
        expected = _engine_balances(engine)
        problems += _balance_differences(
            expected, _table_balances(connection), "the balances table has"
        )
        problems += _balance_differences(
            expected, _posted_balances(connection), "the postings sum to"
        )
        problems += _order_differences(engine, connection)
        problems += _withdrawal_differences(engine, connection)
        return problems


def _model_seq(connection: Connection) -> int:
    table = schema.projector_state
    seq = connection.execute(
        select(table.c.last_seq).where(table.c.name == STATE_ROW)
    ).scalar_one_or_none()
    return seq or 0


def _nonzero(balances: Balances) -> Balances:
    # An empty record and no record are the same balance.
    return {key: value for key, value in balances.items() if value != (0, 0)}


def _engine_balances(engine: Engine) -> Balances:
    return _nonzero(
        {(account, asset): (free, held) for account, asset, free, held in engine.balances()}
    )


def _table_balances(connection: Connection) -> Balances:
    b = schema.balances
    return _nonzero(
        {
            (account, asset): (free, held)
            for account, asset, free, held in connection.execute(
                select(b.c.account, b.c.asset, b.c.free, b.c.held)
            )
        }
    )


def _posted_balances(connection: Connection) -> Balances:
    # Summed here rather than in SQL: amounts may exceed what SQLite's SUM can add exactly.
    p = schema.postings
    sums: dict[tuple[int, str], list[int]] = {}
    query = select(p.c.account, p.c.asset, p.c.bucket, p.c.amount)
    for account, asset, bucket, amount in connection.execution_options(yield_per=20_000).execute(
        query
    ):
        record = sums.setdefault((account, asset), [0, 0])
        record[0 if bucket == "free" else 1] += amount
    return _nonzero({key: (free, held) for key, (free, held) in sums.items()})


def _balance_differences(expected: Balances, actual: Balances, source: str) -> list[str]:
    return [
        f"account {account} {asset}: the journal gives free {expected.get(key, (0, 0))[0]}, "
        f"held {expected.get(key, (0, 0))[1]}; {source} free "
        f"{actual.get(key, (0, 0))[0]}, held {actual.get(key, (0, 0))[1]}"
        for key in sorted(expected.keys() | actual.keys())
        if expected.get(key, (0, 0)) != actual.get(key, (0, 0))
        for account, asset in [key]
    ]


_ORDER_FIELDS = (
    "account",
    "symbol",
    "side",
    "status",
    "price",
    "orig_qty",
    "executed_qty",
    "cumulative_quote_qty",
)


def _order_differences(engine: Engine, connection: Connection) -> list[str]:
    expected = {
        order.order_id: (
            order.account,
            order.symbol,
            order.side.value,
            order.status.value,
            order.price,
            order.quantity,
            order.executed,
            order.executed_quote,
        )
        for order in engine.open_orders()
    }
    o = schema.orders
    open_values = [status.value for status in OPEN_STATUSES]
    actual = {
        row[0]: tuple(row[1:])
        for row in connection.execute(
            select(o.c.order_id, *(o.c[name] for name in _ORDER_FIELDS)).where(
                o.c.status.in_(open_values)
            )
        )
    }
    problems: list[str] = []
    for order_id in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(order_id), actual.get(order_id)
        if want is None:
            problems.append(f"order {order_id} is open in the read model but not in the journal")
        elif have is None:
            problems.append(f"order {order_id} is open in the journal but not in the read model")
        elif want != have:
            fields = ", ".join(
                f"{name} {w} vs {h}"
                for name, w, h in zip(_ORDER_FIELDS, want, have, strict=True)
                if w != h
            )
            problems.append(f"open order {order_id} differs (journal vs read model): {fields}")
    return problems


_WITHDRAWAL_FIELDS = ("account", "asset", "amount", "fee", "status", "approvals", "tx_hash")


def _withdrawal_differences(engine: Engine, connection: Connection) -> list[str]:
    expected = {
        w.withdrawal_id: (
            w.account,
            w.asset,
            w.amount,
            w.fee,
            w.status.value,
            len(w.approvals),
            w.tx_hash,
        )
        for w in engine.custody.open_withdrawals()
    }
    w = schema.withdrawals
    # The statuses a withdrawal may still move from: those not yet final.
    open_values = [status.value for status in TRANSITIONS]
    actual = {
        row[0]: tuple(row[1:])
        for row in connection.execute(
            select(w.c.withdrawal_id, *(w.c[name] for name in _WITHDRAWAL_FIELDS)).where(
                w.c.status.in_(open_values)
            )
        )
    }
    problems: list[str] = []
    for withdrawal_id in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(withdrawal_id), actual.get(withdrawal_id)
        if want is None:
            problems.append(
                f"withdrawal {withdrawal_id} is open in the read model but not in the journal"
            )
        elif have is None:
            problems.append(
                f"withdrawal {withdrawal_id} is open in the journal but not in the read model"
            )
        elif want != have:
            fields = ", ".join(
                f"{name} {journal} vs {model}"
                for name, journal, model in zip(_WITHDRAWAL_FIELDS, want, have, strict=True)
                if journal != model
            )
            problems.append(
                f"open withdrawal {withdrawal_id} differs (journal vs read model): {fields}"
            )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """`assetport reconcile --data-dir D [--db URL]`: print each difference; exit 1 if any."""
    parser = argparse.ArgumentParser(
        prog="assetport reconcile",
        description="replay the journal and compare balances and open orders with the read model",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="the engine's data dir")
    parser.add_argument(
        "--db", default=None, help="postgresql://... (default: <data-dir>/assetport.db)"
    )
    parser.add_argument(
        "--journal-url",
        default=None,
        help="nats://host:port when the server's journal is a JetStream stream",
    )
    parser.add_argument("--stream", default=DEFAULT_STREAM, help="JetStream stream name")
    parser.add_argument("--subject", default=DEFAULT_SUBJECT, help="JetStream subject")
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():  # a typo must not create an empty, "agreeing" read model
        print(f"assetport: the data directory {args.data_dir} does not exist", file=sys.stderr)
        return 2
    source = JournalSource(args.data_dir, args.journal_url, args.stream, args.subject)
    try:
        problems = reconcile(args.data_dir, args.db, source)
        model_seq, end = read_model_seq(args.data_dir, args.db), journal_end(source)
    except (ReplayImpossible, JournalCorrupted) as exc:
        print(f"cannot replay the journal: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # no stream (StreamMissing), no server: the NATS client's errors
        if not source.uses_jetstream:
            raise
        print(f"cannot read {source.describe()}: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} difference(s)", file=sys.stderr)
        return 1
    behind = (
        f"; {source.describe()} goes on to seq {end}: the read model is {end - model_seq} "
        "commands behind"
        if end > model_seq
        else ""
    )
    print(f"the read model agrees with the journal at seq {model_seq}{behind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
