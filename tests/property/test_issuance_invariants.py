"""For any sequence of issuer and holder commands (attestations that raise or lower the
reserve, mints, burns, sales to holders on the book, distributions, subscriptions, operator
deposits, redemptions requested, confirmed with bars and cash, rejected or canceled,
allocations and forced transfers), the ledger sums to zero per asset, every held unit is
some product's hold, and the supply passes what the reserve still backs (attested, less the
lots delivered since) only when an attestation found less than was already issued, after
which nothing new enters until the reserve covers it."""

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.accounts import EXTERNAL_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    BurnRwa,
    CancelRedemption,
    Command,
    ConfirmRedemption,
    Deposit,
    Distribute,
    ListAsset,
    ListMarket,
    MintRwa,
    PlaceOrder,
    RecordAttestation,
    RegisterAttestor,
    RejectRedemption,
    RequestRedemption,
    SetRwaTerms,
    SetSubscriptionTerms,
    Subscribe,
    TransferRwa,
)
from assetport.domain.events import (
    Deposited,
    RedemptionRequested,
    ReserveAttested,
    RwaMinted,
    Subscribed,
)
from assetport.domain.issuance.attestations import (
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)
from assetport.domain.issuance.terms import (
    RedemptionTerms,
    RwaKind,
    RwaTerms,
    SubscriptionTerms,
    TransferKind,
)
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.engine.engine import Engine

ISSUER = 120
HOLDERS = (1000, 1001, 1002, 1003)
KEY = Ed25519PrivateKey.generate()
MARKET = Market(symbol="AUGKRW", base="AUG", quote="KRW", tick_size=1, step_size=1, min_qty=1,
                max_qty=10**12, min_price=1, max_price=10**9, min_notional=1,
                max_num_orders=200, maker_fee_bps=10, taker_fee_bps=20)  # fmt: skip
TERMS = RwaTerms("AUG", ISSUER, RwaKind.ENERGY, "1 barrel of Dubai crude", "Ulsan Storage",
                 "Tank 4", RedemptionTerms(minimum=1, fee_bps=50, physical_lot=100))  # fmt: skip
SUBSCRIPTION = SubscriptionTerms("AUG", "KRW", price=40, fee_bps=30, minimum=1, open=True)

ops = st.one_of(
    st.tuples(st.just("attest"), st.lists(st.integers(1, 5_000), min_size=1, max_size=8)),
    st.tuples(st.just("mint"), st.integers(1, 8_000)),
    # At the edge: the headroom left, give or take a few units.
    st.tuples(st.just("mint_edge"), st.integers(-3, 3)),
    st.tuples(st.just("burn"), st.integers(1, 3_000)),
    st.tuples(st.just("sell"), st.integers(1, 2_000), st.integers(1, 50)),
    st.tuples(st.just("buy"), st.sampled_from(HOLDERS), st.integers(1, 2_000)),
    st.tuples(st.just("distribute"), st.integers(1, 100_000)),
    st.tuples(st.just("subscribe"), st.sampled_from(HOLDERS), st.integers(1, 3_000)),
    st.tuples(st.just("deposit"), st.sampled_from(HOLDERS), st.integers(1, 3_000)),
    st.tuples(st.just("redeem"), st.sampled_from(HOLDERS), st.integers(1, 2_000), st.booleans()),
    # Confirm the oldest pending one with the first n lots not yet delivered, at a price.
    st.tuples(st.just("confirm"), st.integers(0, 3), st.integers(1, 90)),
    st.tuples(st.just("confirm"), st.just(3), st.integers(1, 90)),  # more often: whole bars
    st.tuples(st.just("redeem"), st.sampled_from(HOLDERS), st.integers(100, 1_500), st.just(True)),
    st.tuples(st.just("reject")),
    st.tuples(st.just("cancel")),
    st.tuples(st.just("allocate"), st.sampled_from(HOLDERS), st.integers(1, 2_000)),
    st.tuples(
        st.just("force"), st.sampled_from(HOLDERS), st.sampled_from(HOLDERS), st.integers(1, 2_000)
    ),
)


class Run:
    def __init__(self) -> None:
        self.engine = Engine()
        self.seq = 0
        self.time = 1_700_000_000_000_000
        self.refs = 0
        self.minted_since_attestation = False
        self.supply_when_attested = 0
        # (redemption id, account, physical, units to deliver or pay for)
        self.pending: list[tuple[int, int, bool, int]] = []
        self.delivered: set[str] = set()

    def do(self, command: Command) -> list[object]:
        self.seq += 1
        self.time += 1_000
        events = self.engine.apply(self.seq, self.time, command)
        for event in events:
            if isinstance(event, RwaMinted | Subscribed) or (
                isinstance(event, Deposited) and event.asset == "AUG"
            ):
                self.minted_since_attestation = True
            elif isinstance(event, ReserveAttested):
                self.minted_since_attestation = False
                self.supply_when_attested = event.supply
                self.delivered = set()
            elif isinstance(event, RedemptionRequested):
                self.pending.append(
                    (event.redemption_id, event.account, event.physical, event.amount - event.fee)
                )
        self.check()
        return list(events)

    def ref(self) -> str:
        self.refs += 1
        return f"r{self.refs}"

    def check(self) -> None:
        totals = self.engine.ledger_totals()
        assert not any(totals.values()), totals
        reserve = self.engine.issuance.reserve("AUG")
        supply = self.engine.issuance.supply("AUG")
        assert supply == -self.engine.ledger.free(EXTERNAL_ACCOUNT, "AUG")
        limit = 0 if reserve is None else reserve.backing
        if supply > limit:  # only a shortfall found by an attestation, never a mint past it
            assert not self.minted_since_attestation
            assert supply <= self.supply_when_attested
        held: dict[tuple[int, str], int] = {}
        for hold in self.engine.holds():
            held[hold.account, hold.asset] = held.get((hold.account, hold.asset), 0) + hold.amount
        in_ledger = {(a, asset): h for a, asset, _, h in self.engine.balances() if h}
        assert held == in_ledger

    def apply(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind = op[0]
        if kind == "attest":
            lots = tuple(ReserveLot(f"WR-{i}", "receipt", "Tank 4", units)
                         for i, units in enumerate(op[1]))  # fmt: skip
            statement = ReserveStatement("AUG", "auditor", self.time, lots, sum(op[1]))
            self.do(RecordAttestation(sign(statement, KEY)))
        elif kind == "mint":
            self.do(MintRwa("AUG", op[1], self.ref()))
        elif kind == "mint_edge":
            reserve = self.engine.issuance.reserve("AUG")
            limit = 0 if reserve is None else reserve.backing
            headroom = limit - self.engine.issuance.supply("AUG")
            self.do(MintRwa("AUG", max(headroom + op[1], 1), self.ref()))
        elif kind == "burn":
            self.do(BurnRwa("AUG", op[1], self.ref()))
        elif kind == "sell":
            self.do(PlaceOrder(ISSUER, "AUGKRW", Side.SELL, OrderType.LIMIT, quantity=op[1],
                               price=op[2], time_in_force=TimeInForce.GTC))  # fmt: skip
        elif kind == "buy":
            self.do(Deposit(op[1], "KRW", op[2] * 50, self.ref()))
            self.do(PlaceOrder(op[1], "AUGKRW", Side.BUY, OrderType.MARKET, quantity=op[2]))
        elif kind == "distribute":
            self.do(Deposit(ISSUER, "KRW", op[1], self.ref()))
            self.do(Distribute("AUG", "KRW", op[1], self.ref()))
        else:
            self.apply_holder(op)

    def bars(self, physical: bool, net: int, most: int) -> tuple[str, ...]:
        """Up to `most` lots not yet delivered that fit in `net` units (none in cash)."""
        if not physical:
            return ()
        lots = self.engine.issuance.state.lots.get("AUG", {})
        used = self.engine.issuance.state.used.get("AUG", {})
        chosen: list[str] = []
        for serial, units in lots.items():
            if len(chosen) < most and not used.get(serial) and units <= net:
                chosen.append(serial)
                net -= units
        return tuple(chosen)

    def apply_holder(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind = op[0]
        if kind == "subscribe":
            self.do(Deposit(op[1], "KRW", op[2] * 41, self.ref()))
            self.do(Subscribe(op[1], "AUG", op[2], self.ref()))
        elif kind == "deposit":
            self.do(Deposit(op[1], "AUG", op[2], self.ref()))
        elif kind == "redeem":
            self.do(RequestRedemption(op[1], "AUG", op[2], op[3], self.ref()))
        elif kind == "confirm" and self.pending:
            rid, _, physical, net = self.pending.pop(0)
            self.do(ConfirmRedemption(ISSUER, rid, self.bars(physical, net, op[1]), "KRW", op[2]))
        elif kind == "reject" and self.pending:
            self.do(RejectRedemption(ISSUER, self.pending.pop(0)[0], "no stock"))
        elif kind == "cancel" and self.pending:
            rid, account, _, _ = self.pending.pop()
            self.do(CancelRedemption(account, rid))
        elif kind == "allocate":
            self.do(TransferRwa(ISSUER, "AUG", ISSUER, op[1], op[2], TransferKind.ALLOCATION,
                                "", self.ref()))  # fmt: skip
        elif kind == "force":
            self.do(TransferRwa(ISSUER, "AUG", op[1], op[2], op[3], TransferKind.FORCED,
                                "court order 2026-12", self.ref()))  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(ops, min_size=1, max_size=50))
def test_the_supply_never_passes_the_reserve_by_a_mint(sequence: list[tuple]) -> None:  # type: ignore[type-arg]
    run = Run()
    run.do(ListAsset("KRW", 0))
    run.do(ListAsset("AUG", 0, AssetKind.RWA_TOKEN, ISSUER))
    run.do(ListMarket(MARKET))
    run.do(RegisterAttestor(ISSUER, "auditor", public_key_hex(KEY)))
    run.do(SetRwaTerms(TERMS))
    run.do(SetSubscriptionTerms(SUBSCRIPTION))
    # A start where every command can apply: a reserve, a float, holders holding some.
    run.apply(("attest", [100, 250, 400, 400, 1_000, 2_000, 3_000, 5_000]))
    run.apply(("mint", 8_000))
    run.do(Deposit(ISSUER, "KRW", 10**7, "cash-for-redemptions"))
    for holder in HOLDERS:
        run.apply(("allocate", holder, 1_500))
    for op in sequence:
        run.apply(op)
    restored = Engine.restore(run.engine.snapshot())
    assert restored.snapshot() == run.engine.snapshot()
    assert msgspec.json.encode(restored.issuance.terms("AUG")) == msgspec.json.encode(TERMS)
