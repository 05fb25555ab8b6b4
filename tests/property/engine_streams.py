"""Random command streams for the engine's property tests, and a runner that applies them.

A plain module rather than conftest.py: conftest names collide across test folders. The
test modules next to it import it by name (pytest puts this folder on sys.path).

The venue the streams run on is fixed and small, so that orders meet often:

- KGLDKRW: a gold token with 4 decimals against KRW with none; tick 10 KRW, step 0.1 KGLD;
  STP NONE by default and allowed, so accounts trade with themselves here.
- BTCUSDT: 8 decimals against 2; tick 1 USDT, step 0.01 BTC; fees; EXPIRE_MAKER by default.
- SLVKRW: whole tokens; tight price band, notional band, at most 3 open orders per account,
  buyers pay their fee in KRW (FeeAsset.QUOTE; the streams switch any market's rule too),
  no icebergs, no quote-sized market orders, fees, EXPIRE_BOTH by default.

Accounts 2-4 are rich, 5 is poor (orders often fail for funds), 6 starts empty, 7 is never
funded; 0 (external) and 1 (fees) are the platform's own and must be refused as traders.
Prices sit a few ticks around a mid, so most orders cross; every kind of command appears,
and each field is sometimes invalid (off tick, off step, zero, negative, unknown names), so
that rejections are exercised as much as fills.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from hypothesis import strategies as st

from assetport.domain.commands import (
    AddWithdrawalAddress,
    AmendOrder,
    ApproveWithdrawal,
    CancelAllOrders,
    CancelOrder,
    CancelReplace,
    CancelWithdrawal,
    Command,
    CompleteWithdrawal,
    ConvertDust,
    CreditDeposit,
    Deposit,
    FailWithdrawal,
    ListAsset,
    ListMarket,
    PlaceOrder,
    RecordWithdrawalSigned,
    RejectWithdrawal,
    RemoveWithdrawalAddress,
    RequestWithdrawal,
    SetAccountFees,
    SetCustodyPolicy,
    SetMarketFeeAsset,
    SetMarketFees,
    SetMarketSelfTradePrevention,
    SetMarketStatus,
    SetWithdrawalRiskHold,
    SetWithdrawalRules,
    Withdraw,
)
from assetport.domain.custody import CustodyPolicy, WithdrawalRules
from assetport.domain.events import Event
from assetport.domain.markets import FeeAsset, Market, MarketStatus
from assetport.domain.orders import (
    CancelRestriction,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from assetport.engine.engine import Engine

T = TypeVar("T")

# The stream's clock: the sequencer stamps time; the engine only copies it into events.
START_TIME = 1_700_000_000_000_000


@dataclass(frozen=True)
class Listing:
    """A market of the test venue, with the mid price the streams trade around."""

    market: Market
    mid: int

    @property
    def symbol(self) -> str:
        return self.market.symbol


ASSETS: dict[str, int] = {"KRW": 0, "KGLD": 4, "BTC": 8, "USDT": 2, "SLV": 0}

KGLDKRW = Listing(
    Market(
        symbol="KGLDKRW",
        base="KGLD",
        quote="KRW",
        tick_size=10,
        step_size=1_000,
        min_qty=1_000,
        max_qty=100_000,
        min_notional=1_000,
        default_stp=SelfTradePrevention.NONE,
        allow_stp_none=True,
    ),
    mid=100_000,
)
BTCUSDT = Listing(
    Market(
        symbol="BTCUSDT",
        base="BTC",
        quote="USDT",
        tick_size=100,
        step_size=1_000_000,
        min_qty=1_000_000,
        max_qty=100_000_000,
        min_price=100,
        max_price=1_000_000_000,
        maker_fee_bps=10,
        taker_fee_bps=25,
        default_stp=SelfTradePrevention.EXPIRE_MAKER,
        max_iceberg_parts=4,
    ),
    mid=3_000_000,
)
SLVKRW = Listing(
    Market(
        symbol="SLVKRW",
        base="SLV",
        quote="KRW",
        tick_size=5,
        step_size=1,
        min_qty=1,
        max_qty=50,
        min_price=900,
        max_price=1_100,
        min_notional=2_000,
        max_notional=40_000,
        max_num_orders=3,
        maker_fee_bps=30,
        taker_fee_bps=30,
        default_stp=SelfTradePrevention.EXPIRE_BOTH,
        iceberg_allowed=False,
        quote_order_qty_allowed=False,
    ),
    mid=1_000,
)
LISTINGS = (KGLDKRW, BTCUSDT, SLVKRW)
UNKNOWN_SYMBOL = "NOPEKRW"

RICH_ACCOUNTS = (2, 3, 4)
POOR_ACCOUNT = 5
EMPTY_ACCOUNT = 6
UNFUNDED_ACCOUNT = 7
TRADERS = (*RICH_ACCOUNTS, POOR_ACCOUNT, EMPTY_ACCOUNT, UNFUNDED_ACCOUNT)

_RICH = {"KRW": 10**10, "KGLD": 10**7, "BTC": 10**9, "USDT": 10**9, "SLV": 10**4}
_POOR = {"KRW": 60_000, "KGLD": 3_000, "BTC": 3_000_000, "USDT": 50_000, "SLV": 5}


def setup_commands() -> list[Command]:
    """List the venue and fund the accounts."""
    commands: list[Command] = [ListAsset(code, precision) for code, precision in ASSETS.items()]
    commands.extend(ListMarket(listing.market) for listing in LISTINGS)
    commands.append(SetMarketFeeAsset(SLVKRW.symbol, FeeAsset.QUOTE))
    for account in RICH_ACCOUNTS:
        commands.extend(
            Deposit(account, asset, amount, f"seed-{account}-{asset}")
            for asset, amount in _RICH.items()
        )
    commands.extend(
        Deposit(POOR_ACCOUNT, asset, amount, f"seed-{POOR_ACCOUNT}-{asset}")
        for asset, amount in _POOR.items()
    )
    commands.extend(custody_setup())
    return commands


# Custody: withdrawals of KGLD and BTC on one network; a new address waits 3 ms (three
# commands of the stream's clock); two operators approve what passes the threshold.
NETWORK = "EVM"
WALLETS = ("0xaa", "0xbb", "0xcc")


def custody_setup() -> list[Command]:
    return [
        SetCustodyPolicy(CustodyPolicy(address_cooldown_ms=3, approvals_required=2)),
        SetWithdrawalRules(WithdrawalRules("KGLD", NETWORK, 10, 100, 10**6, 50_000)),
        SetWithdrawalRules(WithdrawalRules("BTC", NETWORK, 1_000, 10_000, 10**9, 10**7)),
        *(AddWithdrawalAddress(account, NETWORK, "0xaa", "") for account in RICH_ACCOUNTS),
    ]


def apply_all(engine: Engine, commands: Iterable[Command]) -> list[list[Event]]:
    """Apply commands with the next sequence numbers; the events of each, in order."""
    out = []
    for command in commands:
        seq = engine.last_seq + 1
        out.append(engine.apply(seq, START_TIME + seq * 1_000, command))
    return out


def venue() -> Engine:
    """A fresh engine with the venue listed and funded."""
    engine = Engine()
    apply_all(engine, setup_commands())
    return engine


# ------------------------------------------------------------------------- strategies


def mostly(good: st.SearchStrategy[T], bad: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """`good` nine times in ten, `bad` otherwise: enough rejections without drowning the
    trades. (Repeating a branch in one_of does not weigh it: hypothesis drops duplicates.)"""
    return st.integers(0, 9).flatmap(lambda n: bad if n == 9 else good)


# Weighted by repetition: sampled_from picks uniformly among the entries.
accounts = mostly(
    st.sampled_from((*RICH_ACCOUNTS, *RICH_ACCOUNTS, POOR_ACCOUNT, EMPTY_ACCOUNT)), st.just(0)
)
listings = st.sampled_from((KGLDKRW, KGLDKRW, KGLDKRW, BTCUSDT, BTCUSDT, SLVKRW))
symbols = mostly(st.sampled_from([listing.symbol for listing in LISTINGS]), st.just(UNKNOWN_SYMBOL))
sides = st.sampled_from(Side)
# A few names shared by every account, so that duplicates and cross-market clashes happen.
client_ids = mostly(st.sampled_from(("", "", "", "a", "b", "c")), st.just("x" * 37))
stp_modes = st.sampled_from((None, *SelfTradePrevention))
# Order ids are handed out from 1; a stream accepts a dozen or so orders.
order_ids = mostly(st.integers(1, 15), st.sampled_from((0, 999_999)))


def prices(listing: Listing, ticks: int = 3) -> st.SearchStrategy[int]:
    """Mostly a few ticks around the mid; sometimes off tick, out of band, zero or negative."""
    m = listing.market
    on_tick = st.integers(-ticks, ticks).map(lambda k: listing.mid + k * m.tick_size)
    wrong = st.sampled_from(
        (
            listing.mid + m.tick_size // 2 if m.tick_size > 1 else -m.tick_size,
            0,
            -listing.mid,
            (m.max_price or listing.mid * 100) + m.tick_size,
        )
    )
    return mostly(on_tick, wrong)


def quantities(listing: Listing) -> st.SearchStrategy[int]:
    """Mostly 1-6 steps; sometimes zero, negative, off step or above the maximum."""
    m = listing.market
    good = st.integers(1, 6).map(lambda n: n * m.step_size)
    wrong = st.sampled_from(
        (
            0,
            -m.step_size,
            m.step_size + m.step_size // 2 if m.step_size > 1 else m.max_qty + 1,
            m.max_qty + m.step_size,
        )
    )
    return mostly(good, wrong)


def quote_amounts(listing: Listing) -> st.SearchStrategy[int]:
    """Quote budgets worth a fraction of a step up to a few steps, or zero/negative."""
    m = listing.market
    one_step = listing.mid * m.step_size // 10 ** ASSETS[m.base]
    return mostly(st.integers(one_step // 3, one_step * 5), st.sampled_from((0, -one_step)))


ORDER_KINDS = (
    "limit",
    "limit",
    "limit",
    "market",
    "market_quote",
    "limit_maker",
    "iceberg",
    "stop_loss",
    "stop_loss_limit",
    "take_profit",
    "take_profit_limit",
    "malformed",
)
_STOP_TYPES = {
    "stop_loss": OrderType.STOP_LOSS,
    "stop_loss_limit": OrderType.STOP_LOSS_LIMIT,
    "take_profit": OrderType.TAKE_PROFIT,
    "take_profit_limit": OrderType.TAKE_PROFIT_LIMIT,
}


@st.composite
def place_orders(draw: st.DrawFn, listing: Listing | None = None, ticks: int = 3) -> PlaceOrder:
    """A new order of any type, priced within `ticks` of the mid; the market is drawn
    unless given."""
    if listing is None:
        listing = draw(listings)
    symbol = listing.symbol if draw(st.integers(0, 19)) else UNKNOWN_SYMBOL
    account = draw(accounts)
    side = draw(sides)
    kind = draw(st.sampled_from(ORDER_KINDS))
    cid = draw(client_ids)
    stp = draw(stp_modes)
    quantity = draw(quantities(listing))
    if kind == "limit":
        tif = draw(st.sampled_from((None, TimeInForce.GTC, *TimeInForce)))
        price = draw(prices(listing, ticks))
        return PlaceOrder(
            account,
            symbol,
            side,
            OrderType.LIMIT,
            quantity,
            price,
            tif,
            client_order_id=cid,
            stp_mode=stp,
        )
    if kind == "market":
        return PlaceOrder(
            account, symbol, side, OrderType.MARKET, quantity, client_order_id=cid, stp_mode=stp
        )
    if kind == "market_quote":
        return PlaceOrder(
            account,
            symbol,
            side,
            OrderType.MARKET,
            quote_quantity=draw(quote_amounts(listing)),
            client_order_id=cid,
            stp_mode=stp,
        )
    if kind == "limit_maker":
        return PlaceOrder(
            account,
            symbol,
            side,
            OrderType.LIMIT_MAKER,
            quantity,
            draw(prices(listing, ticks)),
            client_order_id=cid,
            stp_mode=stp,
        )
    if kind == "iceberg":
        parts = draw(st.integers(1, 5))
        return PlaceOrder(
            account,
            symbol,
            side,
            OrderType.LIMIT,
            quantity * parts,
            draw(prices(listing, ticks)),
            draw(st.sampled_from((None, TimeInForce.GTC, TimeInForce.IOC))),
            iceberg_qty=quantity,
            client_order_id=cid,
            stp_mode=stp,
        )
    if kind in _STOP_TYPES:
        order_type = _STOP_TYPES[kind]
        limit = kind.endswith("_limit")
        return PlaceOrder(
            account,
            symbol,
            side,
            order_type,
            quantity,
            draw(prices(listing, ticks)) if limit else 0,
            draw(st.sampled_from((None, *TimeInForce))) if limit else None,
            stop_price=draw(prices(listing, ticks)),
            client_order_id=cid,
            stp_mode=stp,
        )
    # Malformed: fields the type must not have, or lacks ones it needs.
    return PlaceOrder(
        account,
        symbol,
        side,
        draw(st.sampled_from(OrderType)),
        draw(st.sampled_from((0, quantity))),
        draw(st.sampled_from((0, listing.mid))),
        draw(st.sampled_from((None, *TimeInForce))),
        draw(st.sampled_from((0, listing.mid))),
        draw(st.sampled_from((0, listing.mid))),
        draw(st.sampled_from((0, listing.market.step_size, -1))),
        cid,
        stp,
    )


@st.composite
def cancel_orders(
    draw: st.DrawFn, account: int | None = None, symbol: str | None = None
) -> CancelOrder:
    return CancelOrder(
        draw(accounts) if account is None else account,
        draw(symbols) if symbol is None else symbol,
        draw(st.one_of(order_ids, st.just(0))),
        draw(client_ids),
        draw(st.sampled_from((None, None, *CancelRestriction))),
        ids_must_match=draw(st.booleans()),
    )


@st.composite
def cancel_replaces(draw: st.DrawFn) -> CancelReplace:
    place = draw(place_orders())
    if draw(st.integers(0, 9)):
        cancel = draw(cancel_orders(place.account, place.symbol))
    else:
        cancel = draw(cancel_orders())  # usually another account or market: refused
    return CancelReplace(cancel, place, draw(st.booleans()))


@st.composite
def amend_orders(draw: st.DrawFn, listing: Listing | None = None) -> AmendOrder:
    if listing is None:
        listing = draw(listings)
    return AmendOrder(
        draw(accounts),
        listing.symbol,
        draw(quantities(listing)),
        draw(st.one_of(order_ids, st.just(0))),
        draw(client_ids),
        draw(st.booleans()),
        draw(client_ids),  # the id the amended order takes ("" keeps its own)
    )


assets = st.sampled_from((*ASSETS, "NOPE"))
# A handful of references, so the same transfer is retried and references are reused.
transfer_refs = st.sampled_from(("r1", "r2", "r3", "r4", ""))
transfer_amounts = st.sampled_from((1, 7, 1_000, 50_000, 10**6, 10**12, 0, -5))
transfer_accounts = st.sampled_from((*TRADERS, 0, 1))

deposits = st.builds(Deposit, transfer_accounts, assets, transfer_amounts, transfer_refs)
withdrawals = st.builds(Withdraw, transfer_accounts, assets, transfer_amounts, transfer_refs)
cancel_alls = st.builds(CancelAllOrders, accounts, symbols)
# Mostly TRADING, so that halted markets reopen.
market_statuses = st.builds(
    SetMarketStatus,
    symbols,
    st.sampled_from(
        (MarketStatus.TRADING, MarketStatus.TRADING, MarketStatus.TRADING, *MarketStatus)
    ),
)
fee_rates = st.sampled_from((0, 0, 5, 25, 1_000, 1_001, -1))
market_fees = st.builds(SetMarketFees, symbols, fee_rates, fee_rates)
account_fees = st.builds(
    SetAccountFees, st.sampled_from((*TRADERS, 0, 1)), fee_rates, st.sampled_from((-1, 0, 20))
)
dust_conversions = st.builds(
    ConvertDust,
    accounts,
    st.lists(st.sampled_from(("KGLD", "SLV", "BTC", "KRW", "NOPE")), max_size=3).map(tuple),
    st.sampled_from(("KRW", "KRW", "USDT")),
)
fee_assets = st.builds(SetMarketFeeAsset, symbols, st.sampled_from(FeeAsset))

custody_assets = st.sampled_from(("KGLD", "BTC", "BTC", "KRW", "NOPE"))
wallets = st.sampled_from(WALLETS)
withdrawal_ids = st.sampled_from(("w1", "w2", "w3", "w4", "w5", ""))
operators = st.sampled_from(("op1", "op2", "op3", ""))
tx_hashes = st.sampled_from(("0x01", "0x02", "0x03"))
credit_deposits = st.builds(
    CreditDeposit,
    transfer_accounts,
    custody_assets,
    transfer_amounts,
    st.sampled_from((NETWORK, NETWORK, "")),
    tx_hashes,
    st.sampled_from((-1, 0, 1, -2)),
    wallets,
)
withdrawal_requests = st.builds(
    RequestWithdrawal,
    transfer_accounts,
    custody_assets,
    st.sampled_from((NETWORK, NETWORK, NETWORK, "OTHER")),
    mostly(st.just("0xaa"), wallets),
    st.sampled_from((50, 100, 5_000, 60_000, 10**6, 2 * 10**7, 0)),
    withdrawal_ids,
)
withdrawal_steps = st.one_of(
    st.builds(ApproveWithdrawal, withdrawal_ids, operators),
    st.builds(RejectWithdrawal, withdrawal_ids, operators, st.just("no")),
    st.builds(CancelWithdrawal, transfer_accounts, withdrawal_ids),
    st.builds(RecordWithdrawalSigned, withdrawal_ids, tx_hashes, st.integers(-1, 3), wallets),
    st.builds(CompleteWithdrawal, withdrawal_ids, tx_hashes, st.integers(0, 9)),
    st.builds(FailWithdrawal, withdrawal_ids, st.just("reverted")),
)
address_book_changes = st.one_of(
    st.builds(AddWithdrawalAddress, transfer_accounts, st.just(NETWORK), wallets, st.just("")),
    st.builds(RemoveWithdrawalAddress, transfer_accounts, st.just(NETWORK), wallets),
    st.builds(SetWithdrawalRiskHold, transfer_accounts, st.booleans(), st.just("check")),
)
stp_policies = st.builds(
    SetMarketSelfTradePrevention, symbols, st.sampled_from(SelfTradePrevention), st.booleans()
)


def weighted(*choices: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """One of the strategies, each drawn in proportion to its weight."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(table.__getitem__)


commands: st.SearchStrategy[Command] = weighted(
    (40, place_orders()),
    (10, cancel_orders()),
    (5, cancel_replaces()),
    (5, amend_orders()),
    (3, cancel_alls),
    (4, deposits),
    (4, withdrawals),
    (1, market_statuses),
    (3, market_fees),
    (3, account_fees),
    (2, fee_assets),
    (1, stp_policies),
    (2, dust_conversions),
    (2, credit_deposits),
    (3, withdrawal_requests),
    (4, withdrawal_steps),
    (1, address_book_changes),
)


def streams(min_size: int = 30, max_size: int = 80) -> st.SearchStrategy[list[Command]]:
    """Long enough for books to fill, trade and trigger stops; hypothesis shrinks a failing
    stream to the few commands that matter."""
    return st.lists(commands, min_size=min_size, max_size=max_size)


def dense_streams(listing: Listing = KGLDKRW) -> st.SearchStrategy[list[Command]]:
    """One market, prices within a tick of the mid: orders meet at shared levels, queue
    behind each other and trade into their own account's orders far more often than in
    `streams`, which spreads over the whole venue."""
    symbol = listing.symbol
    dense_commands = weighted(
        (20, place_orders(listing, ticks=1)),
        (4, cancel_orders(symbol=symbol)),
        (2, amend_orders(listing)),
        (1, st.builds(CancelAllOrders, accounts, st.just(symbol))),
        (1, st.builds(SetMarketFees, st.just(symbol), fee_rates, fee_rates)),
        (1, st.builds(SetMarketFeeAsset, st.just(symbol), st.sampled_from(FeeAsset))),
    )
    return st.lists(dense_commands, min_size=20, max_size=60)
