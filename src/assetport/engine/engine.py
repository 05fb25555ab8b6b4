"""The engine: one deterministic state machine of products over one ledger.

`Engine.apply(seq, time, command)` is the only way state changes. It reads no clock and no
random source: the sequence number and time come from the sequencer, order and trade ids
from counters in the state. The same commands in give the same events and the same
`state_hash()` out, which is what recovery, a hot standby and audit rely on.

The engine itself is a dispatcher: it stamps the shared `Context` with the command's seq
and time, and hands the command to the product that handles its type (a table made from
the products' `handlers()`; the spot orders and cancels, most of all traffic, are tried
first). The core it holds is what every product shares: the `Ledger`, through which all
money moves in balanced postings, and the listed `Assets`. The products (`spot/`,
`funds/`, `custody/`, `issuance/`) never import this module (`product.py` says what a
product is).
"""

from collections.abc import Callable
from hashlib import sha256
from typing import Any, Final, TypeVar

from assetport.domain.assets import Asset
from assetport.domain.commands import CancelOrder, Command, ListAsset, PlaceOrder
from assetport.domain.events import Event
from assetport.domain.holds import Hold
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.terms import RwaTerms, SubscriptionTerms
from assetport.domain.markets import MarketTerms
from assetport.domain.orders import Side
from assetport.domain.results import RejectReason
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.custody.product import CustodyProduct
from assetport.engine.eligibility.product import EligibilityProduct
from assetport.engine.funds.product import FundsProduct
from assetport.engine.holder_gate import HolderGate
from assetport.engine.issuance.product import IssuanceProduct
from assetport.engine.ledger import Ledger
from assetport.engine.nft.product import NftProduct
from assetport.engine.nft.section import NftSection
from assetport.engine.product import Product
from assetport.engine.snapshot import PARTS, decode_state, encode_state, frame, section_in
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.order import Order
from assetport.engine.spot.order_list import OrderList
from assetport.engine.spot.product import SpotProduct

# The compiled engine looks an imported name up in its module's dict on every use; a name
# bound Final is read from a C static instead.
_PlaceOrder: Final = PlaceOrder
_CancelOrder: Final = CancelOrder

P = TypeVar("P", bound=Product)


class Engine:
    def __init__(self) -> None:
        self.last_seq = 0
        self.ctx = Context()
        self.ledger = Ledger()
        self.listing = Assets(self.ctx)
        self.gate = HolderGate(self.ledger)
        self.products: list[Product] = []
        self.handlers: dict[type, Callable[[Any], None]] = {ListAsset: self.listing.list_asset}
        # The products, each registered by one line.
        ctx, ledger, listing, gate = self.ctx, self.ledger, self.listing, self.gate
        self.spot = self.register(SpotProduct(ctx, ledger, listing, gate))
        self.funds = self.register(FundsProduct(ctx, ledger, listing, gate))
        self.custody = self.register(CustodyProduct(ctx, ledger, listing, gate))
        self.issuance = self.register(IssuanceProduct(ctx, ledger, listing, gate))
        self.eligibility = self.register(EligibilityProduct(ctx, ledger, listing, gate))
        self.nft = self.register(NftProduct(ctx, ledger, listing, gate))

    def register(self, product: P) -> P:
        """Take the product's commands into the dispatch table and its section into the
        snapshot; answer the product."""
        if any(known.name == product.name for known in self.products):
            raise ValueError(f"a product named {product.name} is registered already")
        for kind, handler in product.handlers().items():
            if kind in self.handlers:
                raise ValueError(f"{kind.__name__} is handled twice")
            self.handlers[kind] = handler
        self.products.append(product)
        return product

    # ----------------------------------------------------------------- applying commands

    def apply(self, seq: Any, time: Any, command: Command) -> list[Event]:
        """Apply one sequenced command and return the events it caused, in order.

        `seq` and `time` are ints (Any for the compiled code's sake, see `Context`).
        """
        if seq != self.last_seq + 1:
            raise ValueError(f"command {seq} applied after {self.last_seq}: the log has a gap")
        self.last_seq = seq
        ctx = self.ctx
        ctx.seq = seq
        ctx.time = time
        events: list[Event] = []
        ctx.events = events
        kind = type(command)
        # The most frequent first, as direct calls.
        if kind is _PlaceOrder:
            self.spot.place(command)  # type: ignore[arg-type]
        elif kind is _CancelOrder:
            self.spot.cancel(command)  # type: ignore[arg-type]
        else:
            handler = self.handlers.get(kind)
            if handler is None:
                raise TypeError(f"not a command: {command!r}")
            handler(command)
        return events

    # ----------------------------------------------------------------- the read API
    # What callers outside the engine may read: plain values, never the engine's own
    # objects. The gateway's views start from these and follow the events from then on.

    def listed_assets(self) -> list[Asset]:
        """Every listed asset, by code."""
        return self.listing.listed()

    def listed_markets(self) -> list[MarketTerms]:
        """Every listed market as it trades now, by symbol."""
        return self.spot.listed_markets()

    def market_terms(self, symbol: str) -> MarketTerms | None:
        return self.spot.market_terms(symbol)

    def balances(self, account: int | None = None) -> list[tuple[int, str, int, int]]:
        """(account, asset, free, held) of every balance record, or of one account's, in
        account then asset order."""
        if account is not None:
            mine = self.ledger.accounts.get(account, {})
            return [(account, asset, mine[asset].free, mine[asset].held) for asset in sorted(mine)]
        return self.ledger.section()

    def rwa_terms(self) -> list[RwaTerms]:
        """Every real-world-asset token's terms, by code."""
        return self.issuance.all_terms()

    def subscription_terms(self) -> list[SubscriptionTerms]:
        return self.issuance.subscription_terms()

    def rwa_reserves(self) -> list[tuple[str, int, int, str, int, int]]:
        """(asset, attested units, used since (bars delivered, credits retired), attestor
        key id, as_of_us, attested_seq) of every attested token."""
        return self.issuance.reserves()

    def rwa_supplies(self) -> dict[str, int]:
        """The supply of every token with terms."""
        return self.issuance.supplies()

    def holder_rules(self) -> list[HolderRules]:
        """Every permissioned token's holder rules, by code."""
        return [self.gate.rules[asset] for asset in sorted(self.gate.rules)]

    def identities(self) -> list[tuple[int, AccountIdentity]]:
        """What compliance verified of each account, by account."""
        return sorted(self.gate.identities.items())

    def frozen(self) -> list[tuple[int, str, int]]:
        """(account, asset, units) of every frozen holding."""
        return sorted((a, asset, units) for (a, asset), units in self.eligibility.frozen.items())

    def nft_state(self) -> NftSection:
        """The NFT marketplace as it stands, as plain values: the fee, the id counters, the
        collections, every item with who holds its free units, and the open listings, offers
        and auctions (the gateway's NFT view starts from it)."""
        return self.nft.section() or NftSection(
            self.nft.fee_bps(), (1, 1, 1, 1), [], [], [], [], []
        )

    def ledger_totals(self) -> dict[str, int]:
        """Per asset, the sum of free + held over every account: zero for a sound ledger."""
        return self.ledger.totals()

    def holds(self) -> list[Hold]:
        """Every hold of every product, named by what it is for; per account and asset they
        add up to the ledger's held balances."""
        return sorted(hold for product in self.products for hold in product.holds())

    def fee_overrides(self) -> dict[int, tuple[int, int]]:
        """Per-account (maker, taker) fee rates in basis points that replace the markets'."""
        return self.spot.fee_overrides()

    def fee_rates(self, account: int, symbol: str) -> tuple[int, int]:
        """The (maker, taker) rates in basis points `account` pays in `symbol`: the one fee
        rule, which settlement applies too."""
        return self.spot.fee_rates(account, symbol)

    def order_problem(self, cmd: PlaceOrder) -> RejectReason | None:
        """What the engine would refuse `cmd` for before any money moves (its shape, the
        market's status and filters, the self-trade prevention mode), without placing it;
        None when those checks pass."""
        return self.spot.order_problem(cmd)

    def visible_at(self, symbol: str, side: Side, price: int) -> int:
        """The quantity a book shows at one price on one side now (0 for no level): what
        the depth view reads after each command."""
        return self.spot.visible_at(symbol, side, price)

    def depth(self, symbol: str, limit: int | None = None) -> tuple[list[tuple[int, int]], ...]:
        """(bids, asks) of a book now: (price, visible quantity) per level, best first, at
        most `limit` levels a side."""
        return self.spot.depth(symbol, limit)

    # The engine's own objects, for the engine's tools (`runtime/`, `store/reconcile.py`)
    # and tests; the gateway reads none of them (import-linter holds it to that).

    def open_orders(self, symbol: str | None = None, account: int | None = None) -> list[Order]:
        """Open orders (resting or waiting for a trigger), by order id: the seed of the
        gateway's order view is made of them in `runtime/port_server.py`."""
        return self.spot.open_orders(symbol, account)

    def open_order_lists(self, account: int | None = None) -> list[OrderList]:
        """Open order lists (OCO, OTO, OTOCO), by id: the seed of the gateway's order-list
        view is made of them in `runtime/port_server.py`."""
        return self.spot.open_order_lists(account)

    @property
    def markets(self) -> dict[str, MarketState]:
        return self.spot.markets

    @property
    def assets(self) -> dict[str, Asset]:
        return self.listing.by_code

    @property
    def next_order_id(self) -> int:
        return self.spot.next_order_id

    # ----------------------------------------------------------------- state

    def snapshot(self) -> bytes:
        """The whole state as canonical bytes: equal states give equal bytes."""
        sections = {product.name: product.section() for product in self.products}
        return encode_state(
            frame(self.last_seq, self.listing.listed(), self.ledger.section(), sections)
        )

    def state_hash(self) -> str:
        return sha256(self.snapshot()).hexdigest()

    @classmethod
    def restore(cls, data: bytes) -> "Engine":
        """A new engine in the state of the snapshot."""
        engine = cls()
        engine.load(data)
        return engine

    def load(self, data: bytes) -> None:
        """Fill this engine, new and empty but for its registered products, with the state
        of the snapshot."""
        if self.last_seq:
            raise ValueError("a snapshot is loaded only into a new engine")
        state = decode_state(data)
        names = {product.name for product in self.products}
        unknown = {name for name in state.sections if PARTS.get(name, name) not in names}
        if unknown:
            # State of a product this engine does not have: refuse rather than lose it.
            raise ValueError(f"the snapshot holds sections no product here reads: {unknown}")
        self.last_seq = state.last_seq
        self.listing.restore(state.assets)
        self.ledger.restore(state.balances)
        for product in self.products:
            product.restore(section_in(state, product.name, product.section_type()))
