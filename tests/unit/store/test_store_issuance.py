"""Issuance in the SQL read model (SQLite): what the public and a holder see of attestations,
supply, subscriptions, redemptions, certificates, distributions, the holder register and
what issuers did to a holder's holdings, answered from the rows the projector wrote for a
real engine's events (`issuance_stream`, then a permissioned token's freezes and a forced
transfer), the same however the stream is cut into batches, rebuilt from the journal, and
reconciled with a replay."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from issuance_stream import (
    ALICE,
    BAR,
    BOB,
    CARBON_ISSUER,
    GOLD_ISSUER,
    Stream,
    issuance_stream,
)
from sqlalchemy import Table, select, update

from assetport.domain.commands import (
    FreezeHolding,
    SetAccountIdentity,
    SetHolderRules,
    TransferRwa,
    UnfreezeHolding,
    encode_command,
)
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.redemptions import RedemptionStatus
from assetport.domain.issuance.terms import TransferKind
from assetport.journal.file_journal import FileJournal
from assetport.journal.record import Record
from assetport.store import schema
from assetport.store.database import Database, open_database
from assetport.store.history import History
from assetport.store.projection import REDEMPTION_COLUMNS
from assetport.store.projector import Projector
from assetport.store.rebuild import project_journal
from assetport.store.reconcile import compare


def _with_issuer_actions(s: Stream) -> Stream:
    """After the year: the carbon token becomes permissioned (KYC level 1, Korea), a court
    freezes 2 t of Alice's credits, half a tonne is released, and a forced transfer moves
    1 t of hers to Bob. Alice ends with 4.5 t free and 1.5 t frozen, Bob with 4 t. The
    issuer's agent "kim" freezes and transfers; the platform's operator releases."""
    s.at(14, SetAccountIdentity(ALICE, AccountIdentity(1, "KR")))
    s.at(14, SetAccountIdentity(BOB, AccountIdentity(2, "KR")))
    s.at(14, SetHolderRules(CARBON_ISSUER, HolderRules("CO2", 1, ("KR",))))
    s.at(15, FreezeHolding(CARBON_ISSUER, ALICE, "CO2", 2_000, "Busan court order 2026-17",
                           "kim"))  # fmt: skip
    s.at(16, UnfreezeHolding(CARBON_ISSUER, ALICE, "CO2", 500, "order partly lifted"))
    s.at(17, TransferRwa(CARBON_ISSUER, "CO2", ALICE, BOB, 1_000, TransferKind.FORCED,
                         "Busan court order 2026-18", "f1", "kim"))  # fmt: skip
    return s


STREAM = _with_issuer_actions(issuance_stream())
ISSUANCE_TABLES: tuple[Table, ...] = (
    schema.rwa_attestations,
    schema.rwa_attestation_lots,
    schema.rwa_supply_changes,
    schema.rwa_subscriptions,
    schema.rwa_redemptions,
    schema.rwa_retirements,
    schema.rwa_distributions,
    schema.rwa_payouts,
    schema.rwa_transfers,
    schema.rwa_freezes,
    schema.balances,
)
S = RedemptionStatus


def _open(tmp_path: Path, name: str = "assetport.db") -> Database:
    return open_database(f"sqlite:///{tmp_path / name}")


def _projected(database: Database, batch_size: int) -> History:
    Projector(database).catch_up(STREAM.items, batch_size=batch_size)
    return History(database)


def _tables(database: Database) -> dict[str, list[tuple[object, ...]]]:
    with database.engine.connect() as connection:
        return {
            t.name: [tuple(row) for row in connection.execute(select(t).order_by(*t.primary_key))]
            for t in ISSUANCE_TABLES
        }


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    database = _open(tmp_path)
    try:
        yield _projected(database, batch_size=1000)
    finally:
        database.close()


def test_attestations_with_their_lots(history: History) -> None:
    (gold,) = history.issuance.attestations("AUG")
    assert (gold.seq, gold.attestor, gold.total_units, gold.supply, gold.lots) == (
        8, "auditor", 2 * BAR, 0, 2
    )  # fmt: skip
    assert len(gold.signature) == 128
    assert history.issuance.attestation("AUG") == gold  # the latest
    assert history.issuance.attestation("AUG", 22) is None  # CO2's, not AUG's
    lots = history.issuance.lots(gold.seq)
    assert [(lot.serial, lot.units, lot.gross, lot.fineness) for lot in lots] == [
        ("AB1", BAR, 10_000_000, 9_999),
        ("AB2", BAR, 10_000_000, 9_999),
    ]
    assert [lot.serial for lot in history.issuance.lots(gold.seq, offset=1)] == ["AB2"]
    assert history.issuance.attestations("NOPE") == []


def test_the_supply_and_reserve_over_time(history: History) -> None:
    points = history.issuance.supply_history("AUG")
    assert [(p.kind, p.amount, p.supply, p.reserve) for p in points] == [
        ("attestation", 2 * BAR, 0, 2 * BAR),
        ("subscription", 100_000, 100_000, 2 * BAR),
        ("subscription", 10_000_000, 10_100_000, 2 * BAR),
        # 1005 g less the 0.25 % fee burned; one bar left the reserve with it.
        ("redemption", -10_024_875, 75_125, BAR),
        ("mint", 10_000, 85_125, BAR),
        ("burn", -5_000, 80_125, BAR),
    ]
    assert points[0].time_us < points[-1].time_us
    # The newest two: the reserve is still known (the attestation is before the window).
    assert [(p.kind, p.reserve) for p in history.issuance.supply_history("AUG", 2)] == [
        ("mint", BAR),
        ("burn", BAR),
    ]
    carbon = history.issuance.supply_history("CO2")
    assert [(p.kind, p.supply, p.reserve) for p in carbon] == [
        ("attestation", 0, 1_500_000),
        ("mint", 100_000, 1_500_000),
        ("retirement", 97_000, 1_497_000),  # 3 t of serials retired
    ]


def test_a_holders_subscriptions(history: History) -> None:
    mine = history.issuance.subscriptions(ALICE)
    assert [(s.ref, s.amount, s.quote, s.cost, s.fee) for s in mine] == [
        ("s2", 10_000_000, "KRW", 100_000_000, 500_000),
        ("s1", 100_000, "KRW", 1_000_000, 5_000),
    ]
    assert [s.ref for s in history.issuance.subscriptions(ALICE, ref="s1")] == ["s1"]
    assert [s.ref for s in history.issuance.subscriptions(ALICE, "AUG", limit=1)] == ["s2"]
    assert history.issuance.subscriptions(BOB) == []


def test_redemptions_with_their_latest_state(history: History) -> None:
    mine = history.issuance.redemptions(ALICE)
    assert [(r.redemption_id, r.status, r.ref) for r in mine] == [
        (4, S.PENDING, "r4"),
        (3, S.REJECTED, "r3"),
        (2, S.CANCELED, "r2"),
        (1, S.COMPLETED, "r1"),
    ]
    pending, rejected, canceled, done = mine
    assert (done.amount, done.fee, done.burned, done.physical) == (10_050_000, 25_125, 10_024_875,
                                                                    True)  # fmt: skip
    # One bar, and the rest in cash: 2.5875 g at 100,000 KRW a gram.
    assert done.bars == [("AB1", BAR)]
    assert (done.cash_units, done.pay_asset, done.cash_price, done.cash) == (
        25_875, "KRW", 100_000, 258_750
    )  # fmt: skip
    assert done.updated_us > done.requested_us
    assert (rejected.reason, rejected.bars, rejected.cash) == ("holder not verified", [], 0)
    assert canceled.reason == "canceled by the holder"
    assert (pending.amount, pending.reason, pending.pay_asset) == (30_000, "", "")
    queue = history.issuance.redemptions(status=S.PENDING)
    assert [r.redemption_id for r in queue] == [4]
    # An issuer's agent's queue: its own issuer's tokens only.
    assert history.issuance.redemptions(status=S.PENDING, issuer=GOLD_ISSUER) == queue
    assert history.issuance.redemptions(status=S.PENDING, issuer=CARBON_ISSUER) == []
    assert (done.agent, rejected.agent, canceled.agent) == ("", "", "")
    assert history.issuance.redemption(1) == done
    assert history.issuance.redemption(99) is None
    assert [r.redemption_id for r in history.issuance.redemptions(ALICE, ref="r3")] == [3]


def test_retirement_certificates(history: History) -> None:
    (certificate,) = history.issuance.certificates(ALICE)
    assert (certificate.certificate_id, certificate.amount, certificate.beneficiary,
            certificate.purpose, certificate.ref) == (
        1, 3_000, "Busan Port Authority", "2026 emissions", "c1"
    )  # fmt: skip
    assert certificate.serials == [("VCS-1234-1-1000", 3_000)]
    assert history.issuance.certificate(1) == certificate
    assert history.issuance.certificate(2) is None
    assert history.issuance.certificates(BOB) == []


def test_distributions_and_each_holders_payout(history: History) -> None:
    (paid,) = history.issuance.distributions("CO2")
    assert (paid.pay_asset, paid.amount, paid.remainder, paid.holders, paid.ref) == (
        "KRW", 10_000, 0, 2, "rent-1"
    )  # fmt: skip
    # Alice holds 7 t after retiring 3, Bob 3 t: 7,000 and 3,000 KRW.
    (alice,) = history.issuance.payouts(ALICE)
    (bob,) = history.issuance.payouts(BOB, "CO2")
    assert (alice.amount, bob.amount, alice.ref, alice.seq) == (7_000, 3_000, "rent-1", paid.seq)
    assert history.issuance.payouts(ALICE, "AUG") == []
    assert history.issuance.distributions("AUG") == []


def test_the_holder_register(history: History) -> None:
    # The issuer's treasury (which holds the unsold 87 t) is not a holder; Alice's frozen
    # 1.5 t are held.
    register = history.issuance.holders("CO2")
    assert [(h.account, h.free, h.held) for h in register] == [
        (ALICE, 4_500, 1_500),
        (BOB, 4_000, 0),
    ]
    assert [h.account for h in history.issuance.holders("CO2", from_account=ALICE + 1)] == [BOB]
    # Alice's pending redemption holds 3 g of her gold.
    (gold,) = history.issuance.holders("AUG")
    assert (gold.account, gold.held) == (ALICE, 30_000)
    assert CARBON_ISSUER not in [h.account for h in history.issuance.holders("CO2")]
    # Counted as the holder limit asks: never further than the limit.
    assert history.issuance.holder_count("CO2", 1000) == 2
    assert history.issuance.holder_count("CO2", 1) == 1
    assert history.issuance.holder_count("AUG", 1000) == 1
    assert history.issuance.holder_count("NOPE", 1000) == 0


def test_what_issuers_did_to_a_holders_holdings(history: History) -> None:
    """Newest first: the forced transfer out, the release, the freeze, the allocation."""
    actions = history.issuance.issuer_actions(ALICE)
    assert [(a.kind, a.direction, a.amount, a.frozen, a.reason, a.ref, a.agent)
            for a in actions] == [
        ("forced", "out", 1_000, None, "Busan court order 2026-18", "f1", "kim"),
        ("unfreeze", "", 500, 1_500, "order partly lifted", "", ""),
        ("freeze", "", 2_000, 2_000, "Busan court order 2026-17", "", "kim"),
        ("allocation", "in", 10_000, None, "", "t1", ""),
    ]  # fmt: skip
    assert all(a.asset == "CO2" and a.issuer == CARBON_ISSUER for a in actions)
    assert [a.seq for a in actions] == sorted((a.seq for a in actions), reverse=True)
    assert actions[0].time_us > actions[-1].time_us
    # Bob received the forced transfer and his allocation; nothing was frozen of his.
    bob = history.issuance.issuer_actions(BOB)
    assert [(a.kind, a.direction, a.amount, a.agent) for a in bob] == [
        ("forced", "in", 1_000, "kim"),
        ("allocation", "in", 3_000, ""),
    ]
    assert [a.kind for a in history.issuance.issuer_actions(ALICE, limit=2)] == [
        "forced", "unfreeze",
    ]  # fmt: skip
    assert history.issuance.issuer_actions(ALICE, "AUG") == []
    assert history.issuance.issuer_actions(CARBON_ISSUER + 5) == []


@pytest.mark.parametrize("batch_size", [1, 3])
def test_batching_does_not_change_a_row(tmp_path: Path, batch_size: int) -> None:
    """A redemption requested and ended in one batch, or in two: the same rows."""
    whole = _open(tmp_path, "whole.db")
    split = _open(tmp_path, "split.db")
    try:
        _projected(whole, batch_size=len(STREAM.items))
        _projected(split, batch_size=batch_size)
        assert _tables(split) == _tables(whole)
    finally:
        whole.close()
        split.close()


def test_a_rebuild_from_the_journal_fills_the_same_rows(tmp_path: Path) -> None:
    journal = FileJournal.in_data_dir(tmp_path)
    journal.open()
    journal.append([Record(seq, time, encode_command(c)) for seq, time, c, _ in STREAM.items])
    journal.close()
    live = _open(tmp_path, "live.db")
    rebuilt = _open(tmp_path, "rebuilt.db")
    try:
        _projected(live, batch_size=2)
        project_journal(Projector(rebuilt), tmp_path, batch_size=5)
        assert _tables(rebuilt) == _tables(live)
    finally:
        live.close()
        rebuilt.close()


def test_balances_agree_with_the_engine(history: History) -> None:
    records = [Record(seq, time, encode_command(c)) for seq, time, c, _ in STREAM.items]
    assert compare(history.database, records) == []
    # A balance the projection got wrong is named.
    b = schema.balances
    with history.database.engine.begin() as connection:
        connection.execute(
            update(b).where(b.c.account == ALICE, b.c.asset == "CO2").values(free=6_000)
        )
    assert any("CO2" in problem for problem in compare(history.database, records))


def test_the_projection_writes_redemption_columns_in_table_order() -> None:
    assert tuple(column.name for column in schema.rwa_redemptions.columns) == REDEMPTION_COLUMNS
