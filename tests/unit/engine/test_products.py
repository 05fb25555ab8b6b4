"""Adding a product: its commands and events, one registration, and a snapshot section of
its own that leaves the snapshot's bytes (and so the state hash of older journals) alone
while it is empty."""

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
import pytest
from engine_harness import ALICE, GOLD, Exchange, kgld

from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.commands import Command, Deposit
from assetport.domain.events import Event
from assetport.domain.holds import Hold, HoldPurpose
from assetport.domain.orders import Side
from assetport.domain.results import RejectReason
from assetport.engine.context import Context
from assetport.engine.engine import Engine
from assetport.engine.ledger import Ledger, Posting


class Tip(Command, tag="test_tip", frozen=True):
    """A product made up for the test: an account tips the fee account in KRW, and the tip
    is held a while before it is paid out."""

    account: int
    amount: int


class Tipped(Event, tag="test_tipped", frozen=True):
    account: int
    amount: int


class TipsSection(msgspec.Struct, array_like=True):
    pending: list[tuple[int, int]]


class Tips:
    name = "tips"

    def __init__(self, ctx: Context, ledger: Ledger) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.posting = Posting()
        self.pending: dict[int, int] = {}

    def handlers(self) -> Mapping[type[Command], Callable[[Any], None]]:
        return {Tip: self.tip}

    def tip(self, cmd: Tip) -> None:
        record = self.ledger.balance(cmd.account, "KRW")
        if not self.ledger.hold(record, cmd.amount):
            return self.ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
        self.pending[cmd.account] = self.pending.get(cmd.account, 0) + cmd.amount
        if self.pending[cmd.account] >= 100:  # paid out in one posting from the hold
            self.posting.add(record, 0, -self.pending[cmd.account])
            self.posting.add(
                self.ledger.balance(FEE_ACCOUNT, "KRW"), self.pending.pop(cmd.account), 0
            )
            self.ledger.must_move(self.posting)
        self.ctx.events.append(Tipped(self.ctx.seq, self.ctx.time, cmd.account, cmd.amount))
        return None

    def section(self) -> Any:
        return TipsSection(sorted(self.pending.items())) if self.pending else None

    def section_type(self) -> type:
        return TipsSection

    def restore(self, section: Any) -> None:
        if section is not None:
            self.pending = dict(section.pending)

    def holds(self) -> list[Hold]:
        return [
            Hold(account, "KRW", HoldPurpose.NFT_BID, amount)
            for account, amount in sorted(self.pending.items())
        ]


def with_tips(engine: Engine) -> Tips:
    return engine.register(Tips(engine.ctx, engine.ledger))


def test_a_product_added_later_leaves_the_snapshot_alone_while_it_is_empty() -> None:
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000, gold=kgld("1"))
    ex.limit(ALICE, Side.SELL, kgld("1"), 100_000)
    before = ex.engine.snapshot()
    with_tips(ex.engine)
    assert ex.engine.snapshot() == before


def test_a_product_added_later_handles_its_commands_holds_and_snapshots() -> None:
    ex = Exchange()
    with_tips(ex.engine)
    ex.fund(ALICE, krw=1_000)
    (event,) = ex.do(Tip(ALICE, 60))  # the harness checks the balances after it
    assert event == Tipped(ex.seq, ex.time, ALICE, 60)
    assert ex.balance(ALICE, "KRW") == (940, 60)
    assert ex.engine.holds() == [Hold(ALICE, "KRW", HoldPurpose.NFT_BID, 60)]

    snapshot = ex.engine.snapshot()
    with pytest.raises(ValueError, match="tips"):
        Engine.restore(snapshot)  # an engine without the product refuses, losing nothing
    restored = Engine()
    with_tips(restored)
    restored.load(snapshot)
    assert restored.snapshot() == snapshot

    ex.do(Tip(ALICE, 40))
    assert ex.balance(ALICE, "KRW") == (900, 0)
    assert ex.balance(FEE_ACCOUNT, "KRW") == (100, 0)
    assert ex.engine.holds() == []


def test_a_command_is_handled_by_one_product_only() -> None:
    engine = Engine()
    with_tips(engine)
    with pytest.raises(ValueError, match="registered already"):
        with_tips(engine)


def test_a_snapshot_is_loaded_only_into_a_new_engine() -> None:
    ex = Exchange()
    ex.do(Deposit(ALICE, "KRW", 5, "d"))
    with pytest.raises(ValueError, match="new engine"):
        ex.engine.load(ex.engine.snapshot())
    assert GOLD in ex.engine.markets
