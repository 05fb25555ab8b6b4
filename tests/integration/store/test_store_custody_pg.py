"""Custody's rows on both databases (PostgreSQL takes new rows by binary COPY, and an address
re-added after its removal by upsert): the same history whichever way the commands are
batched, as the engine's own state says."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from assetport.domain.commands import (
    AddWithdrawalAddress,
    ApproveWithdrawal,
    CancelWithdrawal,
    Command,
    CompleteWithdrawal,
    CreditDeposit,
    FailWithdrawal,
    ListAsset,
    RecordWithdrawalSigned,
    RemoveWithdrawalAddress,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRules,
)
from assetport.domain.custody import CustodyPolicy, WithdrawalRules, WithdrawalStatus
from assetport.domain.events import CommandRejected
from assetport.domain.units import to_units
from assetport.engine.engine import Engine
from assetport.store import schema
from assetport.store.database import Database, open_database
from assetport.store.history import History
from assetport.store.projection import Applied
from assetport.store.projector import Projector

ALICE = 1000
NET = "ETH"
OUT = "0x" + "12" * 20
SPARE = "0x" + "34" * 20
DAY_US = 24 * 3600 * 1_000_000
START_US = 1_790_000_000_000_000
NOW_MS = (START_US + 10 * DAY_US) // 1000
S = WithdrawalStatus


def eth(amount: str) -> int:
    return to_units(Decimal(amount), 8)


def _stream() -> list[Applied]:
    engine = Engine()
    items: list[Applied] = []

    def do(command: Command) -> None:
        seq = len(items) + 1
        time = START_US + seq * 60_000_000  # a minute apart
        events = engine.apply(seq, time, command)
        assert not [e for e in events if isinstance(e, CommandRejected)], (command, events)
        items.append((seq, time, command, events))

    do(ListAsset("ETH", 8))
    do(SetWithdrawalRules(WithdrawalRules("ETH", NET, eth("0.002"), eth("0.01"), eth("1000"),
                                          eth("50"))))  # fmt: skip
    do(SetCustodyPolicy(CustodyPolicy(address_cooldown_ms=0, approvals_required=2)))
    for n in range(1, 41):  # many deposits: a COPY of more than a handful of rows
        do(CreditDeposit(ALICE, "ETH", eth("2.5") * n, NET, f"0x{n:064x}", n % 3 - 1, SPARE))
    do(AddWithdrawalAddress(ALICE, NET, OUT, "first label"))
    do(AddWithdrawalAddress(ALICE, NET, SPARE, "spare"))
    do(RemoveWithdrawalAddress(ALICE, NET, SPARE))  # often in the batch that added it
    for n in range(1, 13):
        wid = f"w{n:02}"
        do(RequestWithdrawal(ALICE, "ETH", NET, OUT, eth("60") if n % 4 == 0 else eth("1"), wid,
                             f"ref-{n}"))  # fmt: skip
        if n % 4 == 0:  # large: two operators
            do(ApproveWithdrawal(wid, "op-a"))
            do(ApproveWithdrawal(wid, "op-b"))
        if n % 3 == 0:
            do(CancelWithdrawal(ALICE, wid))
            continue
        do(RecordWithdrawalSigned(wid, f"0x{1000 + n:064x}", n, OUT))
        if n % 5 == 0:
            do(FailWithdrawal(wid, "reverted"))
        elif n % 2 == 0:
            do(CompleteWithdrawal(wid, f"0x{1000 + n:064x}", 100 + n))
    do(RemoveWithdrawalAddress(ALICE, NET, OUT))
    do(AddWithdrawalAddress(ALICE, NET, OUT, "second label"))  # back, with a new label
    return items


ITEMS = _stream()


def _custody_rows(database: Database) -> list[list[tuple[object, ...]]]:
    tables = (schema.chain_deposits, schema.withdrawals, schema.withdrawal_addresses)
    with database.engine.connect() as connection:
        return [
            [tuple(row) for row in connection.execute(select(t).order_by(*t.primary_key))]
            for t in tables
        ]


@pytest.mark.parametrize("batch_size", [1, 7, len(ITEMS)])
def test_custody_history_whichever_the_batches(database: Database, batch_size: int) -> None:
    Projector(database).catch_up(ITEMS, batch_size=batch_size)
    history = History(database)

    deposits = history.chain_deposits(ALICE, NOW_MS)
    assert [d.amount for d in deposits] == [eth("2.5") * n for n in range(40, 0, -1)]
    assert [d.log_index for d in deposits[:3]] == [0, -1, 1]

    withdrawals = history.withdrawals(ALICE, NOW_MS)
    by_id = {w.withdrawal_id: w for w in withdrawals}
    assert [w.withdrawal_id for w in withdrawals] == [f"w{n:02}" for n in range(12, 0, -1)]
    expected = {
        "w01": S.PROCESSING,
        "w02": S.COMPLETED,
        "w03": S.CANCELLED,
        "w04": S.COMPLETED,
        "w05": S.FAILED,
        "w06": S.CANCELLED,
        "w07": S.PROCESSING,
        "w08": S.COMPLETED,
        "w09": S.CANCELLED,
        "w10": S.FAILED,
        "w11": S.PROCESSING,
        "w12": S.CANCELLED,
    }
    assert {wid: w.status for wid, w in by_id.items()} == expected
    assert (by_id["w08"].approvals, by_id["w08"].amount, by_id["w08"].tx_hash) == (
        2, eth("60"), f"0x{1008:064x}"
    )  # fmt: skip
    assert by_id["w08"].completed_us is not None and by_id["w07"].completed_us is None
    assert (by_id["w05"].reason, by_id["w12"].reason) == ("reverted", "cancelled by its owner")
    assert by_id["w12"].approvals == 2 and by_id["w12"].tx_hash == ""
    [address] = history.withdrawal_addresses(ALICE)
    assert (address.address, address.label) == (OUT, "second label")


def test_both_databases_hold_the_same_rows(database: Database, tmp_path: Path) -> None:
    """One command a batch on this database, all in one batch on SQLite: row for row equal."""
    Projector(database).catch_up(ITEMS, batch_size=1)
    reference = open_database(f"sqlite:///{tmp_path / 'reference.db'}")
    try:
        Projector(reference).catch_up(ITEMS, batch_size=len(ITEMS))
        assert _custody_rows(database) == _custody_rows(reference)
    finally:
        reference.close()
    chain_deposits, withdrawals, addresses = _custody_rows(database)
    assert (len(chain_deposits), len(withdrawals), len(addresses)) == (40, 12, 1)
