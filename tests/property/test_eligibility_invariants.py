"""For any sequence of orders (limit and market, resting and taking, sized in base or in
quote), subscriptions, allocations, forced transfers, deposits, freezes and changes of the
accounts' identities, a permissioned token is only ever delivered to an account its rules
allowed at that moment: verified to the level, from an allowed country, within the
per-holder cap, and never making more holders than the rules allow. The ledger sums to
zero and every held unit is a product's hold throughout."""

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    Command,
    Deposit,
    FreezeHolding,
    ListAsset,
    ListMarket,
    MintRwa,
    PlaceOrder,
    RecordAttestation,
    RegisterAttestor,
    SetAccountIdentity,
    SetHolderRules,
    SetRwaTerms,
    SetSubscriptionTerms,
    Subscribe,
    TransferRwa,
    UnfreezeHolding,
)
from assetport.domain.events import (
    Deposited,
    Event,
    RwaTransferred,
    Subscribed,
    TradeExecuted,
)
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.attestations import (
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)
from assetport.domain.issuance.holders import HolderRules, is_eligible
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
from assetport.engine.holder_gate import counts_as_holder

ISSUER = 130
ACCOUNTS = (1000, 1001, 1002, 1003, 1004, 1005)
KEY = Ed25519PrivateKey.generate()
MARKET = Market(symbol="PROPKRW", base="PROP", quote="KRW", tick_size=1, step_size=1,
                min_qty=1, max_qty=10**9, min_price=1, max_price=10**9, min_notional=1,
                max_num_orders=200)  # fmt: skip
TERMS = RwaTerms("PROP", ISSUER, RwaKind.REAL_ESTATE, "one share of Centum Tower",
                 "Busan Trust", "Land registry", RedemptionTerms(minimum=1))  # fmt: skip
RULES = HolderRules("PROP", min_kyc_level=2, countries_allowed=("KR", "JP"),
                    max_holders=4, max_per_holder=600)  # fmt: skip

accounts = st.sampled_from(ACCOUNTS)
ops = st.one_of(
    st.tuples(st.just("identity"), accounts, st.integers(0, 3),
              st.sampled_from(["KR", "US", "JP", ""])),
    st.tuples(st.just("limit"), accounts, st.sampled_from(Side), st.integers(1, 300),
              st.integers(90, 110), st.sampled_from([TimeInForce.GTC, TimeInForce.IOC])),
    st.tuples(st.just("market_quote"), accounts, st.integers(100, 40_000)),
    # A resting buy, then the identity of its account may change, then a sell meets it.
    st.tuples(st.just("cross"), accounts, accounts, st.integers(1, 300)),
    st.tuples(st.just("cross"), accounts, accounts, st.integers(1, 300)),
    st.tuples(st.just("subscribe"), accounts, st.integers(1, 300)),
    st.tuples(st.just("allocate"), accounts, st.integers(1, 300)),
    st.tuples(st.just("force"), accounts, accounts, st.integers(1, 300)),
    st.tuples(st.just("deposit"), accounts, st.integers(1, 300)),
    st.tuples(st.just("freeze"), accounts, st.integers(0, 100)),
    st.tuples(st.just("unfreeze"), accounts, st.integers(0, 100)),
)  # fmt: skip


class Run:
    def __init__(self) -> None:
        self.engine = Engine()
        self.seq = 0
        self.time = 1_700_000_000_000_000
        self.identities: dict[int, AccountIdentity] = {}
        self.refs = 0

    def do(self, command: Command) -> list[Event]:
        self.seq += 1
        self.time += 1_000
        holders_before = self.holders()
        events = self.engine.apply(self.seq, self.time, command)
        self.check(events, holders_before)
        if isinstance(command, SetAccountIdentity) and not _refused(events):
            self.identities[command.account] = command.identity
        return events

    def ref(self) -> str:
        self.refs += 1
        return f"r{self.refs}"

    def holding(self, account: int) -> int:
        record = self.engine.ledger.accounts.get(account, {}).get("PROP")
        return 0 if record is None else int(record.free) + int(record.held)

    def holders(self) -> set[int]:
        return {a for a in self.engine.ledger.accounts if counts_as_holder(a) and self.holding(a)}

    def check(self, events: list[Event], holders_before: set[int]) -> None:
        assert not any(self.engine.ledger_totals().values())
        held: dict[tuple[int, str], int] = {}
        for hold in self.engine.holds():
            held[hold.account, hold.asset] = held.get((hold.account, hold.asset), 0) + hold.amount
        assert held == {(a, asset): h for a, asset, _, h in self.engine.balances() if h}
        receivers = set()
        for event in events:
            if isinstance(event, TradeExecuted):
                receivers.add(event.buyer_account)
            elif isinstance(event, Subscribed | Deposited) and event.asset == "PROP":
                receivers.add(event.account)
            elif isinstance(event, RwaTransferred):
                receivers.add(event.target)
        for account in receivers:
            if not counts_as_holder(account):
                continue
            identity = self.identities.get(account, AccountIdentity())
            assert is_eligible(RULES, identity), (account, identity)
            assert self.holding(account) <= RULES.max_per_holder
        new_holders = self.holders() - holders_before
        if new_holders:
            assert len(self.holders()) <= RULES.max_holders

    def apply(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind, account = op[0], op[1]
        if kind == "identity":
            self.do(SetAccountIdentity(account, AccountIdentity(op[2], op[3])))
        elif kind == "limit":
            self.do(PlaceOrder(account, "PROPKRW", op[2], OrderType.LIMIT, quantity=op[3],
                               price=op[4], time_in_force=op[5]))  # fmt: skip
        elif kind == "cross":
            self.do(PlaceOrder(account, "PROPKRW", Side.BUY, OrderType.LIMIT, quantity=op[3],
                               price=100, time_in_force=TimeInForce.GTC))  # fmt: skip
            self.do(PlaceOrder(op[2], "PROPKRW", Side.SELL, OrderType.LIMIT, quantity=op[3],
                               price=100, time_in_force=TimeInForce.IOC))  # fmt: skip
        elif kind == "market_quote":
            self.do(PlaceOrder(account, "PROPKRW", Side.BUY, OrderType.MARKET,
                               quote_quantity=op[2]))  # fmt: skip
        elif kind == "subscribe":
            self.do(Subscribe(account, "PROP", op[2], self.ref()))
        elif kind == "allocate":
            self.do(TransferRwa(ISSUER, "PROP", ISSUER, account, op[2],
                                TransferKind.ALLOCATION, "", self.ref()))  # fmt: skip
        elif kind == "force":
            self.do(TransferRwa(ISSUER, "PROP", account, op[2], op[3], TransferKind.FORCED,
                                "court order", self.ref()))  # fmt: skip
        elif kind == "deposit":
            self.do(Deposit(account, "PROP", op[2], self.ref()))
        elif kind == "freeze":
            self.do(FreezeHolding(ISSUER, account, "PROP", op[2], "review"))
        else:
            self.do(UnfreezeHolding(ISSUER, account, "PROP", op[2], "cleared"))


def _refused(events: list[Event]) -> bool:
    return any(type(e).__name__ == "CommandRejected" for e in events)


@settings(max_examples=300, deadline=None)
@given(st.lists(ops, min_size=1, max_size=60))
def test_a_permissioned_token_reaches_only_allowed_accounts(sequence: list[tuple]) -> None:  # type: ignore[type-arg]
    run = Run()
    run.do(ListAsset("KRW", 0))
    run.do(ListAsset("PROP", 0, AssetKind.RWA_TOKEN, ISSUER))
    run.do(ListMarket(MARKET))
    run.do(RegisterAttestor(ISSUER, "registry", public_key_hex(KEY)))
    run.do(SetRwaTerms(TERMS))
    lot = ReserveLot("TITLE-1", "Centum Tower, 10,000 shares", "Busan land registry", 10_000)
    run.do(RecordAttestation(sign(ReserveStatement("PROP", "registry", run.time, (lot,),
                                                   10_000), KEY)))  # fmt: skip
    run.do(MintRwa("PROP", 5_000, "float"))
    run.do(SetSubscriptionTerms(SubscriptionTerms("PROP", "KRW", 100, 0, 1, True)))
    run.do(SetHolderRules(ISSUER, RULES))
    for account in ACCOUNTS:
        run.do(Deposit(account, "KRW", 10**8, f"krw-{account}"))
    # Everyone starts eligible (the sequence may change that); two hold some to sell.
    for account in ACCOUNTS:
        run.do(SetAccountIdentity(account, AccountIdentity(2, "KR")))
    for account in ACCOUNTS[:2]:
        run.do(TransferRwa(ISSUER, "PROP", ISSUER, account, 400, TransferKind.ALLOCATION, "",
                           f"seed-{account}"))  # fmt: skip
    for op in sequence:
        run.apply(op)
    restored = Engine.restore(run.engine.snapshot())
    assert restored.snapshot() == run.engine.snapshot()
