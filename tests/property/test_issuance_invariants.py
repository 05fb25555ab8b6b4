"""For any sequence of issuer and holder commands (attestations that raise or lower the
reserve, mints, burns, sales to holders on the book, distributions), the ledger sums to
zero per asset, and the supply passes the attested reserve only when an attestation found
less than was already issued, after which no mint is applied until the reserve covers it."""

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.accounts import EXTERNAL_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    BurnRwa,
    Command,
    Deposit,
    Distribute,
    ListAsset,
    ListMarket,
    MintRwa,
    PlaceOrder,
    RecordAttestation,
    RegisterAttestor,
    SetRwaTerms,
)
from assetport.domain.events import ReserveAttested, RwaMinted
from assetport.domain.issuance.attestations import (
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)
from assetport.domain.issuance.terms import RedemptionTerms, RwaKind, RwaTerms
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
                 "Tank 4", RedemptionTerms(minimum=1))  # fmt: skip

ops = st.one_of(
    st.tuples(st.just("attest"), st.lists(st.integers(1, 5_000), min_size=1, max_size=4)),
    st.tuples(st.just("mint"), st.integers(1, 8_000)),
    # At the edge: the headroom left, give or take a few units.
    st.tuples(st.just("mint_edge"), st.integers(-3, 3)),
    st.tuples(st.just("burn"), st.integers(1, 3_000)),
    st.tuples(st.just("sell"), st.integers(1, 2_000), st.integers(1, 50)),
    st.tuples(st.just("buy"), st.sampled_from(HOLDERS), st.integers(1, 2_000)),
    st.tuples(st.just("distribute"), st.integers(1, 100_000)),
)


class Run:
    def __init__(self) -> None:
        self.engine = Engine()
        self.seq = 0
        self.time = 1_700_000_000_000_000
        self.refs = 0
        self.minted_since_attestation = False
        self.supply_when_attested = 0

    def do(self, command: Command) -> list[object]:
        self.seq += 1
        self.time += 1_000
        events = self.engine.apply(self.seq, self.time, command)
        for event in events:
            if isinstance(event, RwaMinted):
                self.minted_since_attestation = True
            elif isinstance(event, ReserveAttested):
                self.minted_since_attestation = False
                self.supply_when_attested = event.supply
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
        limit = 0 if reserve is None else reserve.units
        if supply > limit:  # only a shortfall found by an attestation, never a mint past it
            assert not self.minted_since_attestation
            assert supply <= self.supply_when_attested

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
            limit = 0 if reserve is None else reserve.units
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
        else:
            self.do(Deposit(ISSUER, "KRW", op[1], self.ref()))
            self.do(Distribute("AUG", "KRW", op[1], self.ref()))


@settings(max_examples=150, deadline=None)
@given(st.lists(ops, min_size=1, max_size=40))
def test_the_supply_never_passes_the_reserve_by_a_mint(sequence: list[tuple]) -> None:  # type: ignore[type-arg]
    run = Run()
    run.do(ListAsset("KRW", 0))
    run.do(ListAsset("AUG", 0, AssetKind.RWA_TOKEN, ISSUER))
    run.do(ListMarket(MARKET))
    run.do(RegisterAttestor(ISSUER, "auditor", public_key_hex(KEY)))
    run.do(SetRwaTerms(TERMS))
    for op in sequence:
        run.apply(op)
    restored = Engine.restore(run.engine.snapshot())
    assert restored.snapshot() == run.engine.snapshot()
    assert msgspec.json.encode(restored.issuance.terms("AUG")) == msgspec.json.encode(TERMS)
