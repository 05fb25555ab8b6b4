"""Custody in the SQL read model (SQLite): what a user sees of their deposits, withdrawals
and address book, answered from the rows the projector wrote for a real engine's events.

The stream: ETH (8 decimals in the ledger) and USDC (6) withdrawable on the ETH network; a
withdrawal above 5 ETH needs two operators; no address cooldown. Alice has deposits spread
over four months, withdrawals completed, waiting for approval and approved, cancelled and
rejected; Bob has a deposit and a withdrawal of his own."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from assetport.domain.commands import (
    AddWithdrawalAddress,
    ApproveWithdrawal,
    CancelWithdrawal,
    Command,
    CompleteWithdrawal,
    CreditDeposit,
    ListAsset,
    RecordWithdrawalSigned,
    RejectWithdrawal,
    RemoveWithdrawalAddress,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRiskHold,
    SetWithdrawalRules,
    encode_command,
)
from assetport.domain.custody import (
    BINANCE_STATUS,
    BinanceWithdrawStatus,
    CustodyPolicy,
    WithdrawalRules,
    WithdrawalStatus,
)
from assetport.domain.events import CommandRejected, Event
from assetport.domain.units import to_units
from assetport.engine.engine import Engine
from assetport.journal.file_journal import FileJournal
from assetport.journal.record import Record
from assetport.store import schema
from assetport.store.database import Database, open_database
from assetport.store.history import History, HistoryError, Refusal
from assetport.store.projection import WITHDRAWAL_COLUMNS, Applied
from assetport.store.projector import Projector
from assetport.store.rebuild import project_journal
from assetport.store.reconcile import compare

ALICE, BOB = 1000, 1001
NET = "ETH"
OUT = "0x" + "aa" * 20  # Alice's own wallet
OLD = "0x" + "bb" * 20  # an address she adds and removes
BOB_OUT = "0x" + "cc" * 20
DEPOSIT_ADDRESS = "0x" + "dd" * 20
HOT = "0x" + "ee" * 20
S = WithdrawalStatus

DAY_US = 24 * 3600 * 1_000_000
DAY_MS = 24 * 3600 * 1000
START_US = 1_780_000_000_000_000  # 2026-05-28
NOW_MS = (START_US + 120 * DAY_US) // 1000  # "now" for the history: after the last command


def eth(amount: str) -> int:
    return to_units(Decimal(amount), 8)


def usdc(amount: str) -> int:
    return to_units(Decimal(amount), 6)


def tx(n: int) -> str:
    return f"0x{n:064x}"


@dataclass
class Stream:
    """A sequencer in front of a real engine: every command applied is kept for the
    projector, and none may be refused (the stream is what a user really did)."""

    engine: Engine = field(default_factory=Engine)
    items: list[Applied] = field(default_factory=list)

    def at(self, day: float, command: Command) -> list[Event]:
        seq = len(self.items) + 1
        time = START_US + int(day * DAY_US) + seq  # distinct, increasing times
        events = self.engine.apply(seq, time, command)
        assert not [e for e in events if isinstance(e, CommandRejected)], (command, events)
        self.items.append((seq, time, command, events))
        return events


def custody_stream() -> Stream:
    s = Stream()
    s.at(0, ListAsset("ETH", 8))
    s.at(0, ListAsset("USDC", 6))
    s.at(0, SetWithdrawalRules(WithdrawalRules("ETH", NET, eth("0.001"), eth("0.01"),
                                               eth("100"), eth("5"))))  # fmt: skip
    s.at(0, SetWithdrawalRules(WithdrawalRules("USDC", NET, usdc("1"), usdc("10"),
                                               usdc("100000"), usdc("50000"))))  # fmt: skip
    s.at(0, SetCustodyPolicy(CustodyPolicy(address_cooldown_ms=0, approvals_required=2)))
    # Deposits: one four months back (outside the default 90 days), the rest recent.
    s.at(1, CreditDeposit(ALICE, "ETH", eth("0.25"), NET, tx(1), 0, DEPOSIT_ADDRESS))
    s.at(100, CreditDeposit(ALICE, "ETH", eth("30"), NET, tx(2), -1, DEPOSIT_ADDRESS))
    s.at(101, CreditDeposit(ALICE, "USDC", usdc("2500.5"), NET, tx(3), 7, DEPOSIT_ADDRESS))
    s.at(101, CreditDeposit(BOB, "ETH", eth("2"), NET, tx(4), 0, DEPOSIT_ADDRESS))
    s.at(102, CreditDeposit(ALICE, "USDC", usdc("10"), NET, tx(3), 8, DEPOSIT_ADDRESS))
    s.at(102, AddWithdrawalAddress(ALICE, NET, OUT, "cold wallet"))
    s.at(102, AddWithdrawalAddress(ALICE, NET, OLD, "old exchange"))
    s.at(102, AddWithdrawalAddress(BOB, NET, BOB_OUT, "bob"))
    # w1: small, straight to APPROVED, signed, completed by the chain.
    s.at(103, RequestWithdrawal(ALICE, "ETH", NET, OUT, eth("1.5"), "w1", "rent"))
    s.at(103, RecordWithdrawalSigned("w1", tx(101), 0, HOT))
    s.at(103, CompleteWithdrawal("w1", tx(101), 1234))
    # w2: large, two operators approve it; signed, not yet confirmed.
    s.at(104, RequestWithdrawal(ALICE, "ETH", NET, OUT, eth("10"), "w2", "savings"))
    s.at(104, ApproveWithdrawal("w2", "op-ann"))
    s.at(104, ApproveWithdrawal("w2", "op-ben"))
    s.at(104, RecordWithdrawalSigned("w2", tx(102), 1, HOT))
    # w3: cancelled by Alice; w4: large, rejected by an operator after one approval.
    s.at(110, RequestWithdrawal(ALICE, "USDC", NET, OLD, usdc("100"), "w3", "oops"))
    s.at(110, CancelWithdrawal(ALICE, "w3"))
    s.at(111, RequestWithdrawal(ALICE, "ETH", NET, OUT, eth("6"), "w4"))
    s.at(111, ApproveWithdrawal("w4", "op-ann"))
    s.at(111, RejectWithdrawal("w4", "op-ben", "destination flagged"))
    s.at(112, RemoveWithdrawalAddress(ALICE, NET, OLD))
    # w5: under a risk hold, so it waits for approval with one of two given.
    s.at(115, SetWithdrawalRiskHold(ALICE, True, "review"))
    s.at(115, RequestWithdrawal(ALICE, "USDC", NET, OUT, usdc("20"), "w5", "rent"))
    s.at(115, ApproveWithdrawal("w5", "op-ann"))
    # w6: approved, not yet signed.
    s.at(116, SetWithdrawalRiskHold(ALICE, False, ""))
    s.at(116, RequestWithdrawal(ALICE, "ETH", NET, OUT, eth("0.1"), "w6"))
    s.at(117, RequestWithdrawal(BOB, "ETH", NET, BOB_OUT, eth("1"), "b1"))
    return s


STREAM = custody_stream()


def _open(tmp_path: Path, name: str = "assetport.db") -> Database:
    return open_database(f"sqlite:///{tmp_path / name}")


def _projected(database: Database, batch_size: int) -> History:
    Projector(database).catch_up(STREAM.items, batch_size=batch_size)
    return History(database)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    database = _open(tmp_path)
    try:
        yield _projected(database, batch_size=1000)
    finally:
        database.close()


def _tables(database: Database) -> dict[str, list[tuple[object, ...]]]:
    tables = (
        schema.chain_deposits,
        schema.withdrawals,
        schema.withdrawal_addresses,
        schema.balances,
        schema.postings,
    )
    with database.engine.connect() as connection:
        return {
            t.name: [tuple(row) for row in connection.execute(select(t).order_by(*t.primary_key))]
            for t in tables
        }


def test_deposits_newest_first_within_the_last_90_days(history: History) -> None:
    deposits = history.chain_deposits(ALICE, now_ms=NOW_MS)
    assert [(d.asset, d.amount, d.tx_hash, d.log_index) for d in deposits] == [
        ("USDC", usdc("10"), tx(3), 8),
        ("USDC", usdc("2500.5"), tx(3), 7),
        ("ETH", eth("30"), tx(2), -1),  # a native transfer: no log
    ]
    assert {(d.network, d.address) for d in deposits} == {(NET, DEPOSIT_ADDRESS)}
    assert deposits[0].time_us > deposits[1].time_us > deposits[2].time_us
    # The old one is there for a window that holds it; Bob's are never Alice's.
    old_ms = (START_US + DAY_US) // 1000
    (old,) = history.chain_deposits(ALICE, NOW_MS, start_ms=old_ms - DAY_MS, end_ms=old_ms + DAY_MS)
    assert (old.amount, old.tx_hash) == (eth("0.25"), tx(1))
    (bobs,) = history.chain_deposits(BOB, NOW_MS)
    assert bobs.amount == eth("2")


def test_deposits_by_coin_tx_and_page(history: History) -> None:
    assert [d.amount for d in history.chain_deposits(ALICE, NOW_MS, asset="ETH")] == [eth("30")]
    by_tx = history.chain_deposits(ALICE, NOW_MS, tx_hash=tx(3))
    assert [d.log_index for d in by_tx] == [8, 7]
    assert history.chain_deposits(ALICE, NOW_MS, asset="BTC") == []
    page = history.chain_deposits(ALICE, NOW_MS, offset=1, limit=1)
    assert [d.amount for d in page] == [usdc("2500.5")]
    assert history.chain_deposits(ALICE, NOW_MS, offset=3) == []
    # A limit out of range is clamped: 0 answers one, as Binance's minimum.
    assert len(history.chain_deposits(ALICE, NOW_MS, limit=0)) == 1


def test_withdrawals_show_each_ones_latest_state(history: History) -> None:
    listed = history.withdrawals(ALICE, NOW_MS)
    assert [(w.withdrawal_id, w.status, w.approvals) for w in listed] == [
        ("w6", S.APPROVED, 0),
        ("w5", S.AWAITING_APPROVAL, 1),
        ("w4", S.REJECTED, 1),
        ("w3", S.CANCELLED, 0),
        ("w2", S.PROCESSING, 2),
        ("w1", S.COMPLETED, 0),
    ]
    w6, w5, w4, w3, w2, w1 = listed
    assert (w1.amount, w1.fee, w1.asset, w1.address, w1.client_ref) == (
        eth("1.5"), eth("0.001"), "ETH", OUT, "rent"
    )  # fmt: skip
    assert (w1.tx_hash, w1.reason) == (tx(101), "")
    assert w1.completed_us is not None and w1.completed_us > w1.requested_us
    assert w1.updated_us == w1.completed_us
    assert (w2.tx_hash, w2.completed_us) == (tx(102), None)
    assert (w3.amount, w3.fee, w3.reason) == (usdc("100"), usdc("1"), "cancelled by its owner")
    assert (w4.reason, w4.tx_hash, w4.completed_us) == ("destination flagged", "", None)
    assert w4.updated_us > w4.requested_us
    assert (w5.client_ref, w6.client_ref, w6.tx_hash) == ("rent", "", "")
    # What the gateway shows as Binance's status number.
    assert [BINANCE_STATUS[w.status] for w in listed] == [4, 2, 3, 1, 4, 6]
    assert [w.withdrawal_id for w in history.withdrawals(BOB, NOW_MS)] == ["b1"]


def test_withdrawals_by_status_coin_ids_client_ref_and_page(history: History) -> None:
    # Binance's PROCESSING stands for two of ours: approved, and signed.
    processing = [s for s, b in BINANCE_STATUS.items() if b is BinanceWithdrawStatus.PROCESSING]
    found = history.withdrawals(ALICE, NOW_MS, statuses=processing)
    assert [w.withdrawal_id for w in found] == ["w6", "w2"]
    assert [w.withdrawal_id for w in history.withdrawals(ALICE, NOW_MS, asset="USDC")] == [
        "w5",
        "w3",
    ]
    by_ids = history.withdrawals(ALICE, NOW_MS, withdrawal_ids=["w1", "w4", "b1", "nope"])
    assert [w.withdrawal_id for w in by_ids] == ["w4", "w1"]  # never another account's
    # withdrawOrderId: the last 7 days by default, so only the recent "rent" (day 115)...
    assert [w.withdrawal_id for w in history.withdrawals(ALICE, NOW_MS, client_ref="rent")] == [
        "w5"
    ]
    # ... and the other (day 103) as seen on day 110.
    day_110_ms = (START_US + 110 * DAY_US) // 1000
    assert [w.withdrawal_id for w in history.withdrawals(ALICE, day_110_ms, client_ref="rent")] == [
        "w1"
    ]
    assert [w.withdrawal_id for w in history.withdrawals(ALICE, NOW_MS, offset=2, limit=2)] == [
        "w4",
        "w3",
    ]


def test_windows_default_to_90_days_and_are_refused_beyond(history: History) -> None:
    # All the withdrawals are within the default 90 days up to now; none of them before
    # day 110 is in a window that ends then.
    day_110_ms = (START_US + 110 * DAY_US) // 1000
    early = history.withdrawals(ALICE, NOW_MS, end_ms=day_110_ms - 1)
    assert [w.withdrawal_id for w in early] == ["w2", "w1"]
    # Inclusive milliseconds: a window of exactly w1's request time finds it.
    w1 = history.withdrawals(ALICE, NOW_MS, withdrawal_ids=["w1"])[0]
    at = w1.requested_us // 1000
    exact = history.withdrawals(ALICE, NOW_MS, start_ms=at, end_ms=at)
    assert [w.withdrawal_id for w in exact] == ["w1"]
    with pytest.raises(HistoryError) as deposits:
        history.chain_deposits(ALICE, NOW_MS, start_ms=0, end_ms=90 * DAY_MS + 1)
    assert deposits.value.reason is Refusal.WINDOW_OVER_90_DAYS
    with pytest.raises(HistoryError) as withdrawals:
        history.withdrawals(ALICE, NOW_MS, start_ms=NOW_MS - 91 * DAY_MS)
    assert withdrawals.value.reason is Refusal.WINDOW_OVER_90_DAYS
    with pytest.raises(HistoryError) as by_ref:
        history.withdrawals(ALICE, NOW_MS, client_ref="rent", start_ms=NOW_MS - 8 * DAY_MS)
    assert by_ref.value.reason is Refusal.WINDOW_OVER_7_DAYS
    # Exactly 90 days is allowed.
    assert history.chain_deposits(ALICE, NOW_MS, start_ms=NOW_MS - 90 * DAY_MS) != []


def test_the_address_book_as_it_stands(history: History) -> None:
    (cold,) = history.withdrawal_addresses(ALICE)
    assert (cold.network, cold.address, cold.label) == (NET, OUT, "cold wallet")
    assert START_US + 102 * DAY_US <= cold.usable_from_us < START_US + 103 * DAY_US
    assert [a.address for a in history.withdrawal_addresses(BOB)] == [BOB_OUT]
    assert history.withdrawal_addresses(999_999) == []


@pytest.mark.parametrize("batch_size", [1, 2, 5])
def test_batching_does_not_change_a_row(tmp_path: Path, batch_size: int) -> None:
    """A withdrawal requested and approved (or ended) in one batch, or over several: the
    same rows either way, and an address removed in the batch that added it leaves none."""
    whole = _open(tmp_path, "whole.db")
    split = _open(tmp_path, "split.db")
    try:
        _projected(whole, batch_size=len(STREAM.items))
        _projected(split, batch_size=batch_size)
        assert _tables(split) == _tables(whole)
    finally:
        whole.close()
        split.close()


def test_every_custody_event_is_counted(tmp_path: Path) -> None:
    database = _open(tmp_path)
    try:
        projector = Projector(database)
        projector.catch_up(STREAM.items, batch_size=len(STREAM.items))
        tables = _tables(database)
    finally:
        database.close()
    assert projector.stats.rows == sum(len(rows) for rows in tables.values()) + 1  # + removed
    assert len(tables["chain_deposits"]) == 5
    assert len(tables["withdrawals"]) == 7


def test_balances_and_open_withdrawals_agree_with_the_engine(history: History) -> None:
    records = [Record(seq, time, encode_command(c)) for seq, time, c, _ in STREAM.items]
    assert compare(history.database, records) == []
    # Alice's held ETH is w2 and w6 with their fees.
    b = schema.balances
    with history.database.engine.connect() as connection:
        held = connection.execute(
            select(b.c.held).where(b.c.account == ALICE, b.c.asset == "ETH")
        ).scalar_one()
    assert held == eth("10") + eth("0.1") + 2 * eth("0.001")
    # A withdrawal whose row lost a step is named.
    w = schema.withdrawals
    with history.database.engine.begin() as connection:
        connection.execute(update(w).where(w.c.withdrawal_id == "w2").values(status="APPROVED"))
    assert compare(history.database, records) == [
        "open withdrawal w2 differs (journal vs read model): status PROCESSING vs APPROVED"
    ]


def test_a_rebuild_from_the_journal_fills_the_same_rows(tmp_path: Path) -> None:
    journal = FileJournal.in_data_dir(tmp_path)
    journal.open()
    journal.append([Record(seq, time, encode_command(c)) for seq, time, c, _ in STREAM.items])
    journal.close()
    live = _open(tmp_path, "live.db")
    rebuilt = _open(tmp_path, "rebuilt.db")
    try:
        _projected(live, batch_size=3)
        project_journal(Projector(rebuilt), tmp_path, batch_size=4)
        assert _tables(rebuilt) == _tables(live)
    finally:
        live.close()
        rebuilt.close()


def test_the_projection_writes_withdrawal_columns_in_table_order() -> None:
    assert tuple(column.name for column in schema.withdrawals.columns) == WITHDRAWAL_COLUMNS
