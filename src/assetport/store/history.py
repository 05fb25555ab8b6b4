"""History reads with Binance's paging and time-window semantics, from the read model.

Backs `allOrders`, `myTrades`, `historicalTrades`, `aggTrades` and `klines` (and a lookup of
orders that are no longer in the engine), the small-balance conversions of `dribblet`, and
custody's `deposit/hisrec` and `withdraw/history` (see "Custody" below, which pages
differently), issuance's history (`History.issuance`, at the end) and the NFT
marketplace's (`History.nft`, `nft_history.py`). Rows carry integer
units; `market()` gives the assets and precisions a caller needs to render them as decimal
strings.

Paging rules, shared by every list (docs/binance-api.md, "History paging"):

- results are in ascending order (by id, or open time for klines);
- a lower bound (`orderId`, `fromId` or `startTime`) gives the oldest `limit` rows from it;
- without one, the newest `limit` rows (up to `endTime` when given);
- `startTime`/`endTime` are milliseconds and inclusive; `limit` is clamped to 1..1000.

Custody's lists follow Binance's wallet endpoints instead: newest first, paged by `offset`
and `limit` (default and most 1000), within [startTime, endTime] (milliseconds, inclusive)
which default to the 90 days up to now and may be at most 90 days apart; with a
`withdrawOrderId`, 7 days.

Aggregate trades are stored, not derived at query time: each trade row carries the id of
its aggregate (see `schema.trades`), numbered 1, 2, ... per symbol exactly as the in-memory
market data numbers them, so ids agree whichever side answers. An aggregate's `a` is that
id, `f`/`l` its first and last trade ids.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

import msgspec
from sqlalchemy import ColumnElement, Connection, Select, and_, func, select

from assetport.domain.accounts import CUSTODY_WALLETS, FIRST_TRADING_ACCOUNT, ISSUER_TREASURIES
from assetport.domain.candles import Candle
from assetport.domain.custody import WithdrawalStatus
from assetport.domain.intervals import (
    INTERVALS,
    local_close_time,
    local_open_time,
    source_interval,
)
from assetport.domain.issuance.redemptions import RedemptionStatus
from assetport.domain.orders import OrderStatus, OrderType, SelfTradePrevention, Side, TimeInForce
from assetport.store import schema
from assetport.store.database import Database
from assetport.store.nft_history import NftHistory
from assetport.store.projection import CandleState, OrderState
from assetport.views.orders import OrderRecord

DEFAULT_LIMIT: Final = 500
MAX_LIMIT: Final = 1000
DAY_MS: Final = 24 * 60 * 60 * 1000
_INT64: Final = 1 << 63


class Refusal(Enum):
    """Why a history query was refused; the gateway answers each with Binance's error."""

    WINDOW_TOO_LONG = "more than 24 hours between startTime and endTime"
    BAD_COMBINATION = "a combination of parameters Binance refuses"
    UNKNOWN_INTERVAL = "not a kline interval"
    WINDOW_OVER_90_DAYS = "more than 90 days between startTime and endTime"
    WINDOW_OVER_7_DAYS = "more than 7 days between startTime and endTime with withdrawOrderId"


class HistoryError(ValueError):
    """Parameters the history cannot answer, with the reason (`Refusal`)."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def _window_too_long() -> HistoryError:
    return HistoryError(Refusal.WINDOW_TOO_LONG)


def _bad_combination() -> HistoryError:
    return HistoryError(Refusal.BAD_COMBINATION)


@dataclass(frozen=True, slots=True)
class MarketInfo:
    symbol: str
    base: str
    quote: str
    base_precision: int
    quote_precision: int


@dataclass(frozen=True, slots=True)
class AccountTrade:
    """One side of a trade, as `myTrades` lists it."""

    symbol: str
    trade_id: int
    order_id: int
    price: int
    qty: int
    quote_qty: int
    commission: int
    commission_asset: str
    time_us: int
    is_buyer: bool
    is_maker: bool
    order_list_id: int = -1  # the list the order is a leg of, -1 for none


@dataclass(frozen=True, slots=True)
class AmendmentRecord:
    """One amendment of an order, as `order/amendments` lists it: the client order id and
    the quantity before and after."""

    symbol: str
    order_id: int
    execution_id: int
    orig_client_order_id: str
    orig_qty: int
    new_qty: int
    time_us: int
    new_client_order_id: str


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """A trade as `historicalTrades` lists it; its fields are named as `TradeExecuted`'s, so
    one renderer (`marketdata/trades.py`'s `trade_rest`) writes both."""

    symbol: str
    trade_id: int
    price: int
    quantity: int
    quote_quantity: int
    time: int  # µs
    buyer_is_maker: bool


@dataclass(frozen=True, slots=True)
class AggTradeRecord:
    """An aggregate trade, its fields named as the market data's `AggTrade`'s, so one
    renderer (`marketdata/trades.py`'s `agg_trade_rest`) writes both."""

    agg_id: int
    price: int
    qty: int
    first_id: int
    last_id: int
    time_us: int
    buyer_is_maker: bool


# The orders table's columns an order is read back from, in `_order`'s order: those the
# projection writes, without its two bookkeeping sequence numbers.
_ORDER_COLUMNS: Final = tuple(
    name for name in OrderState.COLUMNS if name not in ("seq", "updated_seq")
)


def _order(row: Sequence[Any]) -> OrderRecord:
    """A stored order as the order view's record (`views/orders.py`), which every answer
    about an order renders from; its fills are not read (no answer from history needs them)."""
    (order_id, account, symbol, client_order_id, side, type_, tif, stp, price, quantity,
     quote_quantity, stop_price, iceberg_qty, status, executed, executed_quote, working,
     created, updated, working_time, order_list_id) = row  # fmt: skip
    return OrderRecord(
        order_id=order_id,
        account=account,
        symbol=symbol,
        client_order_id=client_order_id,
        side=Side(side),
        type=OrderType(type_),
        time_in_force=TimeInForce(tif),
        price=price,
        quantity=quantity,
        quote_quantity=quote_quantity,
        stop_price=stop_price,
        iceberg_qty=iceberg_qty,
        stp_mode=SelfTradePrevention(stp),
        created=created,
        working=working,
        status=OrderStatus(status),
        executed=executed,
        executed_quote=executed_quote,
        updated=updated,
        working_time=working_time or 0,  # None for a stop never triggered (not working)
        order_list_id=order_list_id,
    )


def clamp_limit(limit: int | None) -> int:
    return DEFAULT_LIMIT if limit is None else max(1, min(MAX_LIMIT, limit))


def _us_range(column: Any, start_ms: int | None, end_ms: int | None) -> list[ColumnElement[bool]]:
    """Inclusive millisecond bounds on a microsecond column. A bound beyond what a 64-bit
    column holds is the column's end: every row is on the same side of it."""
    conditions = []
    if start_ms is not None:
        conditions.append(column >= _clamp_us(start_ms * 1000))
    if end_ms is not None:
        conditions.append(column <= _clamp_us(end_ms * 1000 + 999))
    return conditions


def _clamp_us(time_us: int) -> int:
    return max(-_INT64, min(_INT64 - 1, time_us))


def _check_day(start_ms: int | None, end_ms: int | None) -> None:
    if start_ms is not None and end_ms is not None and end_ms - start_ms > DAY_MS:
        raise _window_too_long()


def _page(
    connection: Connection, query: Select[Any], key: Any, from_oldest: bool, limit: int
) -> Sequence[Any]:
    """Oldest `limit` rows when a lower bound was given, else the newest; ascending."""
    if from_oldest:
        return connection.execute(query.order_by(key.asc()).limit(limit)).all()
    rows = connection.execute(query.order_by(key.desc()).limit(limit)).all()
    return rows[::-1]


@dataclass(frozen=True, slots=True)
class DustLine:
    """One asset of a small-balances conversion."""

    asset: str
    amount: int
    fee: int
    transferred: int


@dataclass(frozen=True, slots=True)
class DustRecord:
    """One conversion of small balances (`GET /sapi/v1/asset/dribblet`); `seq` is its id."""

    seq: int
    time_us: int
    target: str
    lines: list[DustLine]


# Binance answers the last 100 conversions; a conversion has at most 20 assets.
DUST_RECORDS: Final = 100
DUST_LINES: Final = 20


@dataclass(frozen=True, slots=True)
class ChainDeposit:
    """A deposit credited from a chain (`deposit/hisrec`); `seq` is the credit's."""

    seq: int
    time_us: int
    asset: str
    amount: int
    network: str
    tx_hash: str
    log_index: int  # -1 for a native coin's transfer
    address: str


@dataclass(frozen=True, slots=True)
class OpenWithdrawal:
    """A withdrawal the sender has to sign, broadcast or confirm."""

    withdrawal_id: str
    account: int
    asset: str
    address: str
    amount: int
    status: WithdrawalStatus
    tx_hash: str


@dataclass(frozen=True, slots=True)
class WithdrawalRecord:
    """A withdrawal with its latest state (`withdraw/history`); the gateway renders
    `status` as Binance's number (`custody.BINANCE_STATUS`)."""

    withdrawal_id: str
    asset: str
    network: str
    address: str
    amount: int
    fee: int
    client_ref: str
    status: WithdrawalStatus
    approvals: int
    tx_hash: str  # "" until signed
    requested_us: int
    updated_us: int
    completed_us: int | None
    reason: str  # why it ended; "" otherwise


@dataclass(frozen=True, slots=True)
class AccountWithdrawal:
    """A withdrawal with the account it belongs to, for the operators' queue."""

    account: int
    withdrawal: WithdrawalRecord


@dataclass(frozen=True, slots=True)
class WithdrawalAddress:
    network: str
    address: str
    label: str
    usable_from_us: int


CUSTODY_LIMIT: Final = 1000
CUSTODY_WINDOW_MS: Final = 90 * DAY_MS
CLIENT_REF_WINDOW_MS: Final = 7 * DAY_MS


def _custody_window(
    start_ms: int | None, end_ms: int | None, now_ms: int, longest_ms: int
) -> tuple[int, int]:
    """[start, end] in milliseconds: each bound defaults as Binance's wallet history does
    (the start `longest_ms` before now, the end now), and they may be at most `longest_ms`
    apart."""
    start = now_ms - longest_ms if start_ms is None else start_ms
    end = now_ms if end_ms is None else end_ms
    if end - start > longest_ms:
        too_long = (
            Refusal.WINDOW_OVER_7_DAYS
            if longest_ms == CLIENT_REF_WINDOW_MS
            else Refusal.WINDOW_OVER_90_DAYS
        )
        raise HistoryError(too_long)
    return start, end


def _custody_page(offset: int | None, limit: int | None) -> tuple[int, int]:
    count = CUSTODY_LIMIT if limit is None else max(1, min(CUSTODY_LIMIT, limit))
    return max(0, offset or 0), count


def _withdrawal_columns(w: Any) -> tuple[Any, ...]:
    """The columns `_withdrawal` reads, in its order."""
    return (
        w.c.withdrawal_id, w.c.asset, w.c.network, w.c.address, w.c.amount, w.c.fee,
        w.c.client_ref, w.c.status, w.c.approvals, w.c.tx_hash, w.c.requested_us,
        w.c.updated_us, w.c.completed_us, w.c.reason,
    )  # fmt: skip


def _withdrawal(row: Sequence[Any]) -> WithdrawalRecord:
    (withdrawal_id, asset, network, address, amount, fee, client_ref, status, approvals,
     tx_hash, requested_us, updated_us, completed_us, reason) = row  # fmt: skip
    return WithdrawalRecord(
        withdrawal_id=withdrawal_id,
        asset=asset,
        network=network,
        address=address,
        amount=amount,
        fee=fee,
        client_ref=client_ref,
        status=WithdrawalStatus(status),
        approvals=approvals,
        tx_hash=tx_hash,
        requested_us=requested_us,
        updated_us=updated_us,
        completed_us=completed_us,
        reason=reason,
    )


class History:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.issuance = IssuanceHistory(database)
        self.nft = NftHistory(database)  # the NFT marketplace's (store/nft_history.py)

    def dust_conversions(
        self, account: int, start_ms: int | None, end_ms: int | None
    ) -> list[DustRecord]:
        """The account's last `DUST_RECORDS` conversions in the window, newest first."""
        d = schema.dust_conversions
        query = (
            select(d.c.seq, d.c.time_us, d.c.target, d.c.asset, d.c.amount, d.c.fee,
                   d.c.transferred)
            .where(d.c.account == account, *_us_range(d.c.time_us, start_ms, end_ms))
            .order_by(d.c.seq.desc(), d.c.line)
            .limit(DUST_RECORDS * DUST_LINES)
        )  # fmt: skip
        records: list[DustRecord] = []
        with self.database.engine.connect() as connection:
            for seq, time_us, target, asset, amount, fee, transferred in connection.execute(query):
                if not records or records[-1].seq != seq:
                    if len(records) == DUST_RECORDS:
                        break
                    records.append(DustRecord(seq, time_us, target, []))
                records[-1].lines.append(DustLine(asset, amount, fee, transferred))
        return records

    # ------------------------------------------------------------------ custody

    def chain_deposits(
        self,
        account: int,
        now_ms: int,
        asset: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        offset: int | None = None,
        limit: int | None = None,
        tx_hash: str | None = None,
    ) -> list[ChainDeposit]:
        """`GET /sapi/v1/capital/deposit/hisrec`: the account's credited deposits, newest
        first (`coin`, `txId`, the window and the page as Binance takes them)."""
        start, end = _custody_window(start_ms, end_ms, now_ms, CUSTODY_WINDOW_MS)
        skip, count = _custody_page(offset, limit)
        d = schema.chain_deposits
        query = select(
            d.c.seq,
            d.c.time_us,
            d.c.asset,
            d.c.amount,
            d.c.network,
            d.c.tx_hash,
            d.c.log_index,
            d.c.address,
        ).where(d.c.account == account, *_us_range(d.c.time_us, start, end))
        if asset is not None:
            query = query.where(d.c.asset == asset)
        if tx_hash is not None:
            query = query.where(d.c.tx_hash == tx_hash)
        query = query.order_by(d.c.seq.desc()).offset(skip).limit(count)
        with self.database.engine.connect() as connection:
            return [ChainDeposit(*row) for row in connection.execute(query)]

    def withdrawals(
        self,
        account: int,
        now_ms: int,
        asset: str | None = None,
        statuses: Collection[WithdrawalStatus] | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        offset: int | None = None,
        limit: int | None = None,
        withdrawal_ids: Collection[str] | None = None,
        client_ref: str | None = None,
    ) -> list[WithdrawalRecord]:
        """`GET /sapi/v1/capital/withdraw/history`: the account's withdrawals by request
        time, newest first. `statuses` are those one Binance status stands for (its
        PROCESSING is both APPROVED and PROCESSING here); `withdrawal_ids` is `idList`,
        `client_ref` is `withdrawOrderId`, whose window defaults to and is at most 7 days."""
        longest = CUSTODY_WINDOW_MS if client_ref is None else CLIENT_REF_WINDOW_MS
        start, end = _custody_window(start_ms, end_ms, now_ms, longest)
        skip, count = _custody_page(offset, limit)
        w = schema.withdrawals
        query = select(
            w.c.withdrawal_id,
            w.c.asset,
            w.c.network,
            w.c.address,
            w.c.amount,
            w.c.fee,
            w.c.client_ref,
            w.c.status,
            w.c.approvals,
            w.c.tx_hash,
            w.c.requested_us,
            w.c.updated_us,
            w.c.completed_us,
            w.c.reason,
        ).where(w.c.account == account, *_us_range(w.c.requested_us, start, end))
        if asset is not None:
            query = query.where(w.c.asset == asset)
        if statuses is not None:
            query = query.where(w.c.status.in_([status.value for status in statuses]))
        if withdrawal_ids is not None:
            query = query.where(w.c.withdrawal_id.in_(list(withdrawal_ids)))
        if client_ref is not None:
            query = query.where(w.c.client_ref == client_ref)
        query = query.order_by(w.c.requested_seq.desc()).offset(skip).limit(count)
        with self.database.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [_withdrawal(row) for row in rows]

    def withdrawals_to_send(self, network: str) -> list[OpenWithdrawal]:
        """Every withdrawal of `network` the sender has work on (approved, or signed and
        not yet confirmed), in the order requested."""
        w = schema.withdrawals
        open_statuses = (WithdrawalStatus.APPROVED.value, WithdrawalStatus.PROCESSING.value)
        query = (
            select(w.c.withdrawal_id, w.c.account, w.c.asset, w.c.address, w.c.amount,
                   w.c.status, w.c.tx_hash)
            .where(w.c.network == network, w.c.status.in_(open_statuses))
            .order_by(w.c.requested_seq)
        )  # fmt: skip
        with self.database.engine.connect() as connection:
            return [
                OpenWithdrawal(wid, account, asset, address, amount, WithdrawalStatus(status), tx)
                for wid, account, asset, address, amount, status, tx in connection.execute(query)
            ]

    def withdrawals_by_status(
        self,
        statuses: Collection[WithdrawalStatus],
        network: str | None = None,
        limit: int | None = None,
    ) -> list[AccountWithdrawal]:
        """The operators' queue: every withdrawal in one of `statuses` (of `network`, or of
        any), oldest request first, at most `limit` (1000)."""
        _, count = _custody_page(None, limit)
        w = schema.withdrawals
        query = (
            select(w.c.account, *_withdrawal_columns(w))
            .where(w.c.status.in_([status.value for status in statuses]))
            .order_by(w.c.requested_seq)
            .limit(count)
        )
        if network is not None:
            query = query.where(w.c.network == network)
        with self.database.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [AccountWithdrawal(row[0], _withdrawal(row[1:])) for row in rows]

    def withdrawal_by_id(self, withdrawal_id: str) -> AccountWithdrawal | None:
        """One withdrawal, whoever's it is (for operators)."""
        w = schema.withdrawals
        query = select(w.c.account, *_withdrawal_columns(w)).where(
            w.c.withdrawal_id == withdrawal_id
        )
        with self.database.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else AccountWithdrawal(row[0], _withdrawal(row[1:]))

    def liabilities(self) -> dict[str, int]:
        """What the exchange owes its users, per asset: every trading account's free and
        held balance added up (the platform's own accounts are not liabilities)."""
        b = schema.balances
        # Added up here, not in SQL: amounts may pass 64 bits (see `schema.Units`).
        query = select(b.c.asset, b.c.free, b.c.held).where(b.c.account >= FIRST_TRADING_ACCOUNT)
        totals: dict[str, int] = {}
        with self.database.engine.connect() as connection:
            for asset, free, held in connection.execute(query):
                totals[asset] = totals.get(asset, 0) + free + held
        return totals

    def withdrawal_addresses(self, account: int) -> list[WithdrawalAddress]:
        """The account's withdrawal address book as it stands, by network and address."""
        a = schema.withdrawal_addresses
        query = (
            select(a.c.network, a.c.address, a.c.label, a.c.usable_from_us)
            .where(a.c.account == account)
            .order_by(a.c.network, a.c.address)
        )
        with self.database.engine.connect() as connection:
            return [WithdrawalAddress(*row) for row in connection.execute(query)]

    def market(self, symbol: str) -> MarketInfo | None:
        m, a = schema.markets, schema.assets
        base, quote = a.alias("base_asset"), a.alias("quote_asset")
        query = (
            select(m.c.symbol, m.c.base, m.c.quote, base.c.precision, quote.c.precision)
            .join(base, base.c.code == m.c.base)
            .join(quote, quote.c.code == m.c.quote)
            .where(m.c.symbol == symbol)
        )
        with self.database.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else MarketInfo(*row)

    # ------------------------------------------------------------------ orders

    def all_orders(
        self,
        account: int,
        symbol: str,
        order_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int | None = None,
    ) -> list[OrderRecord]:
        """`GET /api/v3/allOrders`: the account's orders in the symbol, in every state."""
        _check_day(start_ms, end_ms)
        o = schema.orders
        query = select(*(o.c[name] for name in _ORDER_COLUMNS)).where(
            o.c.account == account, o.c.symbol == symbol, *_us_range(o.c.time_us, start_ms, end_ms)
        )
        if order_id is not None:
            query = query.where(o.c.order_id >= order_id)
        lower = order_id is not None or start_ms is not None
        with self.database.engine.connect() as connection:
            rows = _page(connection, query, o.c.order_id, lower, clamp_limit(limit))
        return [_order(row) for row in rows]

    def order(
        self, account: int, symbol: str, order_id: int = 0, client_order_id: str = ""
    ) -> OrderRecord | None:
        """One order by id, or else the newest with that client order id (`GET /order`)."""
        o = schema.orders
        query = select(*(o.c[name] for name in _ORDER_COLUMNS)).where(
            o.c.account == account, o.c.symbol == symbol
        )
        if order_id:
            query = query.where(o.c.order_id == order_id)
        else:
            query = query.where(o.c.client_order_id == client_order_id)
        with self.database.engine.connect() as connection:
            row = connection.execute(query.order_by(o.c.order_id.desc()).limit(1)).first()
        return None if row is None else _order(row)

    def amendments(
        self,
        account: int,
        symbol: str,
        order_id: int,
        from_execution_id: int | None = None,
        limit: int | None = None,
    ) -> list[AmendmentRecord]:
        """`GET /api/v3/order/amendments`: the account's order's amendments, by execution id."""
        a = schema.order_amendments
        # An amendment written before amends gave new ids has none: the order kept its own.
        new_client_id = func.coalesce(func.nullif(a.c.new_client_order_id, ""), a.c.client_order_id)
        query = select(
            a.c.symbol, a.c.order_id, a.c.seq, a.c.client_order_id, a.c.orig_qty, a.c.new_qty,
            a.c.time_us, new_client_id,
        ).where(a.c.account == account, a.c.order_id == order_id, a.c.symbol == symbol)  # fmt: skip
        if from_execution_id is not None:
            query = query.where(a.c.seq >= from_execution_id)
        lower = from_execution_id is not None
        with self.database.engine.connect() as connection:
            rows = _page(connection, query, a.c.seq, lower, clamp_limit(limit))
        return [AmendmentRecord(*row) for row in rows]

    # ------------------------------------------------------------------ trades

    def my_trades(
        self,
        account: int,
        symbol: str,
        order_id: int | None = None,
        from_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int | None = None,
    ) -> list[AccountTrade]:
        """`GET /api/v3/myTrades`. Binance's combinations: none, orderId, fromId,
        orderId + fromId, startTime and/or endTime (at most 24 hours apart)."""
        timed = start_ms is not None or end_ms is not None
        if timed and (from_id is not None or order_id is not None):
            raise _bad_combination()
        _check_day(start_ms, end_ms)
        info = self.market(symbol)
        if info is None:
            return []
        lower = from_id is not None or start_ms is not None
        limit = clamp_limit(limit)
        t = schema.trades
        o = schema.orders
        found: list[AccountTrade] = []
        with self.database.engine.connect() as connection:
            for is_buyer in (True, False):
                mine = t.c.buyer_account if is_buyer else t.c.seller_account
                order = t.c.buyer_order_id if is_buyer else t.c.seller_order_id
                fee = t.c.buyer_fee if is_buyer else t.c.seller_fee
                query = select(
                    t.c.trade_id,
                    order,
                    t.c.price,
                    t.c.quantity,
                    t.c.quote_quantity,
                    fee,
                    t.c.time_us,
                    t.c.buyer_is_maker,
                    t.c.buyer_fee_in_quote,
                    func.coalesce(o.c.order_list_id, -1),
                ).select_from(t.outerjoin(o, o.c.order_id == order))
                query = query.where(mine == account, t.c.symbol == symbol)
                query = query.where(*_us_range(t.c.time_us, start_ms, end_ms))
                if order_id is not None:
                    query = query.where(order == order_id)
                if from_id is not None:
                    query = query.where(t.c.trade_id >= from_id)
                for (
                    trade_id,
                    oid,
                    price,
                    qty,
                    quote,
                    commission,
                    time_us,
                    buyer_maker,
                    fee_in_quote,
                    order_list_id,
                ) in _page(connection, query, t.c.trade_id, lower, limit):
                    found.append(
                        AccountTrade(
                            symbol,
                            trade_id,
                            oid,
                            price,
                            qty,
                            quote,
                            commission,
                            info.base if is_buyer and not fee_in_quote else info.quote,
                            time_us,
                            is_buyer,
                            buyer_maker == is_buyer,
                            order_list_id,
                        )
                    )
        # A self-trade lists both sides, the buyer's first, and a page never splits them
        # (it may hold limit + 1 rows), so that paging by `fromId` misses neither.
        found.sort(key=lambda trade: (trade.trade_id, not trade.is_buyer))
        if len(found) <= limit:
            return found
        if lower:
            end = limit
            while end < len(found) and found[end].trade_id == found[end - 1].trade_id:
                end += 1
            return found[:end]
        start = len(found) - limit
        while start > 0 and found[start - 1].trade_id == found[start].trade_id:
            start -= 1
        return found[start:]

    def historical_trades(
        self, symbol: str, from_id: int | None = None, limit: int | None = None
    ) -> list[TradeRecord]:
        """`GET /api/v3/historicalTrades` (and `/trades`, which is the newest page)."""
        t = schema.trades
        query = select(
            t.c.symbol,
            t.c.trade_id,
            t.c.price,
            t.c.quantity,
            t.c.quote_quantity,
            t.c.time_us,
            t.c.buyer_is_maker,
        ).where(t.c.symbol == symbol)
        if from_id is not None:
            query = query.where(t.c.trade_id >= from_id)
        with self.database.engine.connect() as connection:
            rows = _page(connection, query, t.c.trade_id, from_id is not None, clamp_limit(limit))
        return [TradeRecord(*row) for row in rows]

    def agg_trades(
        self,
        symbol: str,
        from_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int | None = None,
    ) -> list[AggTradeRecord]:
        """`GET /api/v3/aggTrades`: by `fromId`, or within [startTime, endTime], or the
        newest. (Binance also refuses fromId with a time window.)"""
        timed = start_ms is not None or end_ms is not None
        if from_id is not None and timed:
            raise _bad_combination()
        t = schema.trades
        ids = (
            select(t.c.agg_id)
            .where(t.c.symbol == symbol, *_us_range(t.c.time_us, start_ms, end_ms))
            .group_by(t.c.agg_id)
        )
        if from_id is not None:
            ids = ids.where(t.c.agg_id >= from_id)
        lower = from_id is not None or start_ms is not None
        with self.database.engine.connect() as connection:
            page = [row[0] for row in _page(connection, ids, t.c.agg_id, lower, clamp_limit(limit))]
            if not page:
                return []
            rows = connection.execute(
                select(
                    t.c.agg_id,
                    t.c.trade_id,
                    t.c.price,
                    t.c.quantity,
                    t.c.time_us,
                    t.c.buyer_is_maker,
                )
                .where(t.c.symbol == symbol, and_(t.c.agg_id >= page[0], t.c.agg_id <= page[-1]))
                .order_by(t.c.trade_id)
            ).all()
        return _aggregate(rows)

    # ------------------------------------------------------------------ klines

    def klines(
        self,
        symbol: str,
        interval: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int | None = None,
        now_ms: int | None = None,
        offset_ms: int = 0,
    ) -> list[Candle]:
        """`GET /api/v3/klines`: candles by open time, one for every period from the
        market's first trade on, as Binance has them: a period without trades is a flat
        candle at the previous close with no volume (it has no row). With `now_ms` the
        periods run up to the one open now; without, up to the last one with a trade.

        `offset_ms` is Binance's `timeZone`: periods counted in a zone that far ahead of
        UTC (a day from local midnight); `start_ms` and `end_ms` stay UTC. The stored
        candles are UTC's, so such periods are added up from the longest stored interval
        that tiles them (`intervals.source_interval`): an hour's for a Korean day."""
        if interval not in INTERVALS:
            raise HistoryError(Refusal.UNKNOWN_INTERVAL)
        source = source_interval(interval, offset_ms)
        c = schema.candles
        of_source = (c.c.symbol == symbol, c.c.interval == source)
        count = clamp_limit(limit)
        with self.database.engine.connect() as connection:
            first, last = connection.execute(
                select(func.min(c.c.open_time_ms), func.max(c.c.open_time_ms)).where(*of_source)
            ).one()
            if first is None:
                return []
            upper = last if now_ms is None else max(last, now_ms)
            if end_ms is not None:
                upper = min(upper, end_ms)
            periods = _periods(interval, offset_ms, first, upper, start_ms, count)
            if not periods:
                return []
            rows = connection.execute(
                select(c)
                .where(
                    *of_source,
                    c.c.open_time_ms >= periods[0],
                    c.c.open_time_ms <= local_close_time(interval, periods[-1], offset_ms),
                )
                .order_by(c.c.open_time_ms)
            ).all()
            candles = [CandleState.from_row(tuple(row)) for row in rows]
            stored = _added_up(interval, offset_ms, candles)
            before = None
            if periods[0] not in stored:
                before = connection.execute(
                    select(c.c.close)
                    .where(*of_source, c.c.open_time_ms < periods[0])
                    .order_by(c.c.open_time_ms.desc())
                    .limit(1)
                ).scalar()
        return _filled(interval, offset_ms, periods, stored, before)


def _periods(
    interval: str, offset_ms: int, first: int, upper: int, start_ms: int | None, count: int
) -> list[int]:
    """Open times of the candles to answer: from `start_ms` (the oldest `count`) or else
    the newest `count` up to `upper`, never before the one holding the `first` trade."""
    earliest = local_open_time(interval, first, offset_ms)
    last = local_open_time(interval, upper, offset_ms)
    if start_ms is None:
        opened = [last]
        while len(opened) < count and opened[-1] > earliest:
            opened.append(local_open_time(interval, opened[-1] - 1, offset_ms))
        return [t for t in reversed(opened) if t >= earliest]
    opened = []
    moment = max(earliest, local_open_time(interval, start_ms, offset_ms))
    if moment < start_ms:
        moment = local_close_time(interval, moment, offset_ms) + 1
    while len(opened) < count and moment <= last:
        opened.append(moment)
        moment = local_close_time(interval, moment, offset_ms) + 1
    return opened


def _added_up(interval: str, offset_ms: int, candles: list[CandleState]) -> dict[int, Candle]:
    """Stored candles (in open time order) added up into `interval`'s, by open time, with
    `Candle.merge`, the rule every candle follows; each one is its own when the intervals
    are the same."""
    totals: dict[int, Candle] = {}
    for candle in candles:
        opened = local_open_time(interval, candle.open_time, offset_ms)
        total = totals.get(opened)
        if total is None:
            closing = local_close_time(interval, opened, offset_ms)
            total = totals[opened] = Candle(opened, closing, candle.open)
        total.merge(candle)
    return totals


def _filled(
    interval: str,
    offset_ms: int,
    periods: list[int],
    stored: dict[int, Candle],
    close: int | None,
) -> list[Candle]:
    out = []
    for opened in periods:
        candle = stored.get(opened)
        if candle is None:
            if close is None:  # nothing traded before: no candle yet
                continue
            closing = local_close_time(interval, opened, offset_ms)
            candle = Candle(opened, closing, close)  # no trades: flat at the last close
        out.append(candle)
        close = candle.close
    return out


def _aggregate(rows: Sequence[Any]) -> list[AggTradeRecord]:
    """Join trade rows (in trade id order) into their aggregates."""
    out: list[AggTradeRecord] = []
    current: list[Any] | None = None
    for agg_id, trade_id, price, qty, time_us, buyer_maker in rows:
        if current is not None and current[0] == agg_id:
            current[2] += qty
            current[4] = trade_id
            continue
        if current is not None:
            out.append(AggTradeRecord(*current))
        current = [agg_id, price, qty, trade_id, trade_id, time_us, buyer_maker]
    if current is not None:
        out.append(AggTradeRecord(*current))
    return out


# ---------------------------------------------------------------------- issuance
#
# The history of real-world-asset tokens (docs/issuance.md), newest first, at most `limit`
# rows (`clamp_limit`: 500 by default, 1000 at most); an account's own lists take it as a
# filter. The lots of an attestation are paged by `offset` (up to 100,000 of them).


@dataclass(frozen=True, slots=True)
class AttestationRecord:
    seq: int
    time_us: int
    asset: str
    attestor: str
    as_of_us: int
    total_units: int
    supply: int  # the supply when it was recorded
    lots: int  # how many lots it lists
    signature: str


@dataclass(frozen=True, slots=True)
class LotRecord:
    serial: str
    description: str
    vault: str
    units: int
    gross: int
    fineness: int


@dataclass(frozen=True, slots=True)
class SupplyPoint:
    """A point of a token's supply history: an attestation (`kind` "attestation", its
    total as `amount`) or a change of the supply (mint, burn, subscription, redemption,
    retirement: `amount` signed). `supply` and `reserve` are as they stood after it: the
    reserve is the last attestation's total less what left it since (bars, credits)."""

    seq: int
    time_us: int
    kind: str
    amount: int
    supply: int
    reserve: int


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    seq: int
    time_us: int
    account: int
    asset: str
    amount: int
    quote: str
    cost: int
    fee: int
    ref: str


@dataclass(frozen=True, slots=True)
class RedemptionRecord:
    redemption_id: int
    account: int
    asset: str
    issuer: int
    amount: int
    fee: int
    physical: bool
    ref: str
    status: RedemptionStatus
    requested_us: int
    updated_us: int
    burned: int
    bars: list[tuple[str, int]]
    cash_units: int
    pay_asset: str
    cash_price: int
    cash: int
    reason: str
    agent: str = ""  # the issuer's agent who confirmed or rejected it ("": the operator)


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """A retirement certificate: `serials` are the registry credits it retired."""

    certificate_id: int
    seq: int
    time_us: int
    account: int
    asset: str
    amount: int
    beneficiary: str
    purpose: str
    serials: list[tuple[str, int]]
    ref: str


@dataclass(frozen=True, slots=True)
class DistributionRecord:
    seq: int
    time_us: int
    asset: str
    pay_asset: str
    amount: int
    remainder: int
    holders: int
    ref: str


@dataclass(frozen=True, slots=True)
class PayoutRecord:
    """One holder's payout of a distribution (`seq` is the distribution's)."""

    seq: int
    time_us: int
    asset: str
    pay_asset: str
    amount: int
    ref: str


@dataclass(frozen=True, slots=True)
class HolderRecord:
    account: int
    free: int
    held: int


@dataclass(frozen=True, slots=True)
class IssuerActionRecord:
    """What an issuer did to one account's holding: a transfer on its word (`kind`
    allocation, forced or recovery; `direction` "in" when the account received it, "out"
    when it was taken) or its agent's freeze or release (`kind` freeze or unfreeze,
    `direction` "", `frozen` what stays frozen after it). `amount` is never negative;
    `ref` is the transfer's reference ("" for a freeze, which has none); `agent` the
    issuer's agent who did it ("" for the platform's operator)."""

    seq: int
    time_us: int
    asset: str
    issuer: int
    kind: str
    direction: str
    amount: int
    frozen: int | None
    reason: str
    ref: str
    agent: str


_pairs_decoder: Final = msgspec.json.Decoder(list[tuple[str, int]])


def _redemption(row: Sequence[Any]) -> RedemptionRecord:
    (redemption_id, account, asset, issuer, amount, fee, physical, ref, status, requested_us,
     updated_us, burned, bars, cash_units, pay_asset, cash_price, cash, reason,
     agent) = row  # fmt: skip
    return RedemptionRecord(
        redemption_id, account, asset, issuer, amount, fee, physical, ref,
        RedemptionStatus(status), requested_us, updated_us, burned,
        _pairs_decoder.decode(bars), cash_units, pay_asset, cash_price, cash, reason, agent,
    )  # fmt: skip


def _redemption_columns(r: Any) -> tuple[Any, ...]:
    """The columns `_redemption` reads, in its order."""
    return (
        r.c.redemption_id, r.c.account, r.c.asset, r.c.issuer, r.c.amount, r.c.fee,
        r.c.physical, r.c.ref, r.c.status, r.c.requested_us, r.c.updated_us, r.c.burned,
        r.c.bars, r.c.cash_units, r.c.pay_asset, r.c.cash_price, r.c.cash, r.c.reason,
        r.c.agent,
    )  # fmt: skip


def _certificate(row: Sequence[Any]) -> CertificateRecord:
    (certificate_id, seq, time_us, account, asset, amount, beneficiary, purpose, serials,
     ref) = row  # fmt: skip
    return CertificateRecord(
        certificate_id, seq, time_us, account, asset, amount, beneficiary, purpose,
        _pairs_decoder.decode(serials), ref,
    )  # fmt: skip


class IssuanceHistory:
    """Issuance's reads, on the read model's database (`History.issuance`)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def _all(self, query: Select[Any]) -> Sequence[Any]:
        with self.database.engine.connect() as connection:
            return connection.execute(query).all()

    def attestations(self, asset: str, limit: int | None = None) -> list[AttestationRecord]:
        """The asset's accepted attestations, newest first, without their lots."""
        a = schema.rwa_attestations
        query = (
            select(a.c.seq, a.c.time_us, a.c.asset, a.c.attestor, a.c.as_of_us,
                   a.c.total_units, a.c.supply, a.c.lots, a.c.signature)
            .where(a.c.asset == asset)
            .order_by(a.c.seq.desc())
            .limit(clamp_limit(limit))
        )  # fmt: skip
        return [AttestationRecord(*row) for row in self._all(query)]

    def attestation(self, asset: str, seq: int | None = None) -> AttestationRecord | None:
        """One attestation of the asset by its seq, or else the latest."""
        a = schema.rwa_attestations
        query = select(
            a.c.seq, a.c.time_us, a.c.asset, a.c.attestor, a.c.as_of_us, a.c.total_units,
            a.c.supply, a.c.lots, a.c.signature,
        ).where(a.c.asset == asset)  # fmt: skip
        if seq is not None:
            query = query.where(a.c.seq == seq)
        rows = self._all(query.order_by(a.c.seq.desc()).limit(1))
        return AttestationRecord(*rows[0]) if rows else None

    def lots(self, seq: int, offset: int = 0, limit: int | None = None) -> list[LotRecord]:
        """An attestation's lots in its order, from `offset`, at most `limit` (1000)."""
        lots = schema.rwa_attestation_lots
        query = (
            select(lots.c.serial, lots.c.description, lots.c.vault, lots.c.units,
                   lots.c.gross, lots.c.fineness)
            .where(lots.c.seq == seq, lots.c.line >= max(0, offset))
            .order_by(lots.c.line)
            .limit(clamp_limit(limit))
        )  # fmt: skip
        return [LotRecord(*row) for row in self._all(query)]

    def supply_history(self, asset: str, limit: int | None = None) -> list[SupplyPoint]:
        """The newest `limit` points of the asset's supply and reserve, oldest first (a
        chart's order)."""
        a, c = schema.rwa_attestations, schema.rwa_supply_changes
        count = clamp_limit(limit)
        with self.database.engine.connect() as connection:
            attested = connection.execute(
                select(a.c.seq, a.c.time_us, a.c.total_units, a.c.supply)
                .where(a.c.asset == asset)
                .order_by(a.c.seq.desc())
                .limit(count)
            ).all()
            changed = connection.execute(
                select(c.c.seq, c.c.time_us, c.c.kind, c.c.amount, c.c.supply, c.c.reserve_used)
                .where(c.c.asset == asset)
                .order_by(c.c.seq.desc())
                .limit(count)
            ).all()
            # (seq, time, kind, amount, supply, reserve used); an attestation uses none.
            points = sorted(
                [(s, t, "attestation", total, supply, -1) for s, t, total, supply in attested]
                + [tuple(row) for row in changed]
            )[-count:]
            if not points:
                return []
            reserve = self._reserve_before(connection, asset, points[0][0])
        out = []
        for seq, time_us, kind, amount, supply, used in points:
            reserve = amount if used < 0 else reserve - used
            out.append(SupplyPoint(seq, time_us, kind, amount, supply, reserve))
        return out

    @staticmethod
    def _reserve_before(connection: Connection, asset: str, seq: int) -> int:
        """The reserve as it stood just before command `seq`: the attestation before it,
        less what left the reserve between the two (0 without an attestation)."""
        a, c = schema.rwa_attestations, schema.rwa_supply_changes
        last = connection.execute(
            select(a.c.seq, a.c.total_units)
            .where(a.c.asset == asset, a.c.seq < seq)
            .order_by(a.c.seq.desc())
            .limit(1)
        ).first()
        if last is None:
            return 0
        used = connection.execute(
            select(c.c.reserve_used).where(
                c.c.asset == asset, c.c.seq > last.seq, c.c.seq < seq, c.c.reserve_used != 0
            )
        ).all()
        total: int = last.total_units
        return total - sum(int(row[0]) for row in used)

    def subscriptions(
        self,
        account: int,
        asset: str | None = None,
        limit: int | None = None,
        ref: str | None = None,
    ) -> list[SubscriptionRecord]:
        """The account's subscriptions, newest first (`ref`: the one it named so)."""
        s = schema.rwa_subscriptions
        query = select(
            s.c.seq, s.c.time_us, s.c.account, s.c.asset, s.c.amount, s.c.quote, s.c.cost,
            s.c.fee, s.c.ref,
        ).where(s.c.account == account)  # fmt: skip
        if asset is not None:
            query = query.where(s.c.asset == asset)
        if ref is not None:
            query = query.where(s.c.ref == ref)
        query = query.order_by(s.c.seq.desc()).limit(clamp_limit(limit))
        return [SubscriptionRecord(*row) for row in self._all(query)]

    def redemptions(
        self,
        account: int | None = None,
        asset: str | None = None,
        status: RedemptionStatus | None = None,
        limit: int | None = None,
        ref: str | None = None,
        issuer: int | None = None,
    ) -> list[RedemptionRecord]:
        """An account's redemptions (or every account's: the issuer's queue, of one issuer's
        tokens given `issuer`), newest first; the pending ones oldest first, in the order
        the issuer works them."""
        r = schema.rwa_redemptions
        query = select(*_redemption_columns(r))
        if account is not None:
            query = query.where(r.c.account == account)
        if issuer is not None:
            query = query.where(r.c.issuer == issuer)
        if ref is not None:
            query = query.where(r.c.ref == ref)
        if asset is not None:
            query = query.where(r.c.asset == asset)
        if status is not None:
            query = query.where(r.c.status == status.value)
        order = r.c.redemption_id.asc() if status is RedemptionStatus.PENDING else None
        query = query.order_by(order if order is not None else r.c.redemption_id.desc())
        return [_redemption(row) for row in self._all(query.limit(clamp_limit(limit)))]

    def redemption(self, redemption_id: int) -> RedemptionRecord | None:
        r = schema.rwa_redemptions
        rows = self._all(select(*_redemption_columns(r)).where(r.c.redemption_id == redemption_id))
        return _redemption(rows[0]) if rows else None

    def certificates(
        self, account: int, limit: int | None = None, ref: str | None = None
    ) -> list[CertificateRecord]:
        t = schema.rwa_retirements
        query = select(t).where(t.c.account == account)
        if ref is not None:
            query = query.where(t.c.ref == ref)
        query = query.order_by(t.c.certificate_id.desc()).limit(clamp_limit(limit))
        return [_certificate(row) for row in self._all(query)]

    def certificate(self, certificate_id: int) -> CertificateRecord | None:
        t = schema.rwa_retirements
        rows = self._all(select(t).where(t.c.certificate_id == certificate_id))
        return _certificate(rows[0]) if rows else None

    def distributions(self, asset: str, limit: int | None = None) -> list[DistributionRecord]:
        d = schema.rwa_distributions
        query = (
            select(d.c.seq, d.c.time_us, d.c.asset, d.c.pay_asset, d.c.amount, d.c.remainder,
                   d.c.holders, d.c.ref)
            .where(d.c.asset == asset)
            .order_by(d.c.seq.desc())
            .limit(clamp_limit(limit))
        )  # fmt: skip
        return [DistributionRecord(*row) for row in self._all(query)]

    def payouts(
        self, account: int, asset: str | None = None, limit: int | None = None
    ) -> list[PayoutRecord]:
        """What the account was paid by distributions, newest first."""
        p, d = schema.rwa_payouts, schema.rwa_distributions
        query = (
            select(p.c.seq, d.c.time_us, p.c.asset, p.c.pay_asset, p.c.amount, d.c.ref)
            .join(d, d.c.seq == p.c.seq)
            .where(p.c.account == account)
        )
        if asset is not None:
            query = query.where(p.c.asset == asset)
        query = query.order_by(p.c.seq.desc()).limit(clamp_limit(limit))
        return [PayoutRecord(*row) for row in self._all(query)]

    def holders(
        self, asset: str, from_account: int = 0, limit: int | None = None
    ) -> list[HolderRecord]:
        """The holder register: every account from `from_account` on holding some of
        `asset` (free or held), by account. Holders as a distribution pays them: every
        account that may trade but the issuers' treasuries and the custody wallets."""
        b = schema.balances
        query = (
            _holders_of(select(b.c.account, b.c.free, b.c.held), asset, from_account)
            .order_by(b.c.account)
            .limit(clamp_limit(limit))
        )
        return [HolderRecord(*row) for row in self._all(query)]

    def holder_count(self, asset: str, at_most: int) -> int:
        """How many accounts hold some of `asset` (as `holders` counts them), counting no
        further than `at_most`: a token's holder limit is all a caller compares it with."""
        b = schema.balances
        found = _holders_of(select(b.c.account), asset).limit(max(0, at_most)).subquery()
        with self.database.engine.connect() as connection:
            count: int = connection.execute(select(func.count()).select_from(found)).scalar_one()
        return count

    def issuer_actions(
        self, account: int, asset: str | None = None, limit: int | None = None
    ) -> list[IssuerActionRecord]:
        """What issuers did to the account's holdings, newest first: the transfers on
        their word it was the source or the target of, and its holdings' freezes and
        releases."""
        t, f = schema.rwa_transfers, schema.rwa_freezes
        count = clamp_limit(limit)
        columns = (t.c.seq, t.c.time_us, t.c.asset, t.c.issuer, t.c.kind, t.c.amount,
                   t.c.reason, t.c.ref, t.c.agent)  # fmt: skip
        frozen = select(f.c.seq, f.c.time_us, f.c.asset, f.c.issuer, f.c.kind, f.c.amount,
                        f.c.frozen, f.c.reason, f.c.agent)  # fmt: skip
        frozen = frozen.where(f.c.account == account)
        # One query per index (source, target, freezes), each at most `count` rows: the
        # newest `count` of all three are among them.
        sent = select(*columns).where(t.c.source == account)
        received = select(*columns).where(t.c.target == account)
        if asset is not None:
            sent, received = sent.where(t.c.asset == asset), received.where(t.c.asset == asset)
            frozen = frozen.where(f.c.asset == asset)
        out: list[IssuerActionRecord] = []
        with self.database.engine.connect() as connection:
            for direction, query in (("out", sent), ("in", received)):
                rows = connection.execute(query.order_by(t.c.seq.desc()).limit(count)).all()
                out.extend(
                    IssuerActionRecord(seq, time_us, code, issuer, kind, direction, amount, None,
                                       reason, ref, agent)
                    for seq, time_us, code, issuer, kind, amount, reason, ref, agent in rows
                )  # fmt: skip
            rows = connection.execute(frozen.order_by(f.c.seq.desc()).limit(count)).all()
            out.extend(
                IssuerActionRecord(seq, time_us, code, issuer, kind, "", amount, after, reason, "",
                                   agent)
                for seq, time_us, code, issuer, kind, amount, after, reason, agent in rows
            )  # fmt: skip
        out.sort(key=lambda action: action.seq, reverse=True)
        return out[:count]


def _holders_of(query: Select[Any], asset: str, from_account: int = 0) -> Select[Any]:
    """`query` on the balances narrowed to the holders of `asset` from `from_account` on:
    every account that may trade but the issuers' treasuries and the custody wallets, with
    some of it free or held (as a distribution pays them)."""
    b = schema.balances
    platform = (ISSUER_TREASURIES.start, CUSTODY_WALLETS.stop - 1)
    return (
        query.where(b.c.asset == asset, b.c.account >= max(from_account, FIRST_TRADING_ACCOUNT))
        .where(~b.c.account.between(*platform))
        .where((b.c.free != 0) | (b.c.held != 0))
    )
