"""The engine: one deterministic state machine for every market, its books and the ledger.

`Engine.apply(seq, time, command)` is the only way state changes. It reads no clock and no
random source: the sequence number and time come from the sequencer, order and trade ids
from counters in the state. The same commands in give the same events and the same
`state_hash()` out, which is what recovery, a hot standby and audit rely on.

Money moves only through the ledger, and only in balanced postings. An order holds what it
may spend before it can trade or rest; trades settle from the hold; cancels and expiries
release it. The rounding policy is in docs/trading-rules.md.
"""

from hashlib import sha256
from typing import Any, Final

from msgspec.structs import astuple

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FEE_ACCOUNT, FIRST_USER_ACCOUNT
from assetport.domain.assets import Asset, asset_problem
from assetport.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    CancelReplace,
    Command,
    Deposit,
    ListAsset,
    ListMarket,
    PlaceOrder,
    SetAccountFees,
    SetMarketFees,
    SetMarketSelfTradePrevention,
    SetMarketStatus,
    Withdraw,
)
from assetport.domain.events import (
    AccountFeesChanged,
    AssetListed,
    CommandRejected,
    Deposited,
    Event,
    MarketFeesChanged,
    MarketListed,
    MarketSelfTradePreventionChanged,
    MarketStatusChanged,
    MatchPrevented,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderTriggered,
    TradeExecuted,
    Withdrawn,
)
from assetport.domain.markets import MarketStatus, MarketTerms, fee_ok, market_problem
from assetport.domain.orders import (
    CancelRestriction,
    OrderStatus,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
    check_transition,
)
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.book import BookSide
from assetport.engine.checks import check_order
from assetport.engine.ledger import Balance, Ledger
from assetport.engine.market import MarketState
from assetport.engine.order import Order
from assetport.engine.snapshot import EngineState, decode_state, encode_state
from assetport.engine.stops import would_trigger

BUY: Final = Side.BUY
SELL: Final = Side.SELL
LIMIT: Final = OrderType.LIMIT
LIMIT_MAKER: Final = OrderType.LIMIT_MAKER
MARKET: Final = OrderType.MARKET
GTC: Final = TimeInForce.GTC
FOK: Final = TimeInForce.FOK
NEW: Final = OrderStatus.NEW
PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
FILLED: Final = OrderStatus.FILLED
CANCELED: Final = OrderStatus.CANCELED
STP_NONE: Final = SelfTradePrevention.NONE
EXPIRE_TAKER: Final = SelfTradePrevention.EXPIRE_TAKER
EXPIRE_MAKER: Final = SelfTradePrevention.EXPIRE_MAKER
TRADING: Final = MarketStatus.TRADING
HALT: Final = MarketStatus.HALT
BPS: Final = 10_000
UNLIMITED: Final = 1 << 62

# The compiled engine looks an imported name up in its module's dict on every use; a name
# bound Final is read from a C static instead. These are the names every order uses.
_PlaceOrder: Final = PlaceOrder
_CancelOrder: Final = CancelOrder
_OrderAccepted: Final = OrderAccepted
_OrderCanceled: Final = OrderCanceled
_OrderFilled: Final = OrderFilled
_TradeExecuted: Final = TradeExecuted
_astuple: Final = astuple

# How a taker's matching ended.
_DONE: Final = "done"
_OPEN: Final = "open"
_SELF_TRADE: Final = "self-trade"


class Engine:
    def __init__(self) -> None:
        self.assets: dict[str, Asset] = {}
        self.markets: dict[str, MarketState] = {}
        self.ledger = Ledger()
        self.client_ids: dict[tuple[int, str], int] = {}
        self.account_fees: dict[int, tuple[int, int]] = {}
        self.transfers: dict[str, tuple[str, int, str, int]] = {}
        self.next_order_id = 1
        self.next_prevented_id = 1
        self.last_seq = 0
        # The current command's sequence number and time, copied into every event. Typed
        # Any so that compiled code keeps the caller's int objects instead of boxing new
        # ones for each event.
        self._seq: Any = 0
        self._time: Any = 0
        self._events: list[Event] = []

    # ----------------------------------------------------------------- applying commands

    def apply(self, seq: Any, time: Any, command: Command) -> list[Event]:
        """Apply one sequenced command and return the events it caused, in order.

        `seq` and `time` are ints (Any for the compiled code's sake, see __init__).
        """
        if seq != self.last_seq + 1:
            raise ValueError(f"command {seq} applied after {self.last_seq}: the log has a gap")
        self.last_seq = seq
        self._seq = seq
        self._time = time
        events: list[Event] = []
        self._events = events
        kind = type(command)
        # Most frequent first; an explicit chain compiles to direct calls.
        if kind is _PlaceOrder:
            self._place(command)  # type: ignore[arg-type]
        elif kind is _CancelOrder:
            self._cancel(command)  # type: ignore[arg-type]
        elif kind is CancelReplace:
            self._cancel_replace(command)  # type: ignore[arg-type]
        elif kind is AmendOrder:
            self._amend(command)  # type: ignore[arg-type]
        elif kind is CancelAllOrders:
            self._cancel_all(command)  # type: ignore[arg-type]
        elif kind is Deposit:
            self._deposit(command)  # type: ignore[arg-type]
        elif kind is Withdraw:
            self._withdraw(command)  # type: ignore[arg-type]
        elif kind is ListAsset:
            self._list_asset(command)  # type: ignore[arg-type]
        elif kind is ListMarket:
            self._list_market(command)  # type: ignore[arg-type]
        elif kind is SetMarketStatus:
            self._set_market_status(command)  # type: ignore[arg-type]
        elif kind is SetMarketFees:
            self._set_market_fees(command)  # type: ignore[arg-type]
        elif kind is SetAccountFees:
            self._set_account_fees(command)  # type: ignore[arg-type]
        elif kind is SetMarketSelfTradePrevention:
            self._set_market_stp(command)  # type: ignore[arg-type]
        else:
            raise TypeError(f"not a command: {command!r}")
        return events

    def _reject(
        self,
        reason: RejectReason,
        account: int = 0,
        symbol: str = "",
        client_order_id: str = "",
        order_id: int = 0,
    ) -> None:
        self._events.append(
            CommandRejected(
                self._seq, self._time, reason, account, symbol, client_order_id, order_id
            )
        )

    # ----------------------------------------------------------------- listing and admin

    def _list_asset(self, cmd: ListAsset) -> None:
        asset = Asset(cmd.code, cmd.precision)
        if cmd.code in self.assets:
            return self._reject(RejectReason.ALREADY_LISTED)
        if asset_problem(asset) is not None:
            return self._reject(RejectReason.INVALID_LISTING)
        self.assets[cmd.code] = asset
        self._events.append(AssetListed(self._seq, self._time, cmd.code, cmd.precision))
        return None

    def _list_market(self, cmd: ListMarket) -> None:
        market = cmd.market
        if market.symbol in self.markets:
            return self._reject(RejectReason.ALREADY_LISTED, symbol=market.symbol)
        base = self.assets.get(market.base)
        quote = self.assets.get(market.quote)
        if market_problem(market, base, quote) is not None or base is None:
            return self._reject(RejectReason.INVALID_LISTING, symbol=market.symbol)
        self.markets[market.symbol] = MarketState(
            market,
            base.unit,
            self.ledger.balance(FEE_ACCOUNT, market.base),
            self.ledger.balance(FEE_ACCOUNT, market.quote),
        )
        self._events.append(MarketListed(self._seq, self._time, market))
        return None

    def _set_market_status(self, cmd: SetMarketStatus) -> None:
        m = self.markets.get(cmd.symbol)
        if m is None:
            return self._reject(RejectReason.UNKNOWN_SYMBOL, symbol=cmd.symbol)
        m.status = cmd.status
        self._events.append(MarketStatusChanged(self._seq, self._time, cmd.symbol, cmd.status))
        return None

    def _set_market_fees(self, cmd: SetMarketFees) -> None:
        m = self.markets.get(cmd.symbol)
        if m is None:
            return self._reject(RejectReason.UNKNOWN_SYMBOL, symbol=cmd.symbol)
        if not fee_ok(cmd.maker_fee_bps) or not fee_ok(cmd.taker_fee_bps):
            return self._reject(RejectReason.INVALID_FEE, symbol=cmd.symbol)
        m.maker_fee_bps = cmd.maker_fee_bps
        m.taker_fee_bps = cmd.taker_fee_bps
        self._events.append(
            MarketFeesChanged(
                self._seq, self._time, cmd.symbol, cmd.maker_fee_bps, cmd.taker_fee_bps
            )
        )
        return None

    def _set_market_stp(self, cmd: SetMarketSelfTradePrevention) -> None:
        m = self.markets.get(cmd.symbol)
        if m is None:
            return self._reject(RejectReason.UNKNOWN_SYMBOL, symbol=cmd.symbol)
        if cmd.default_stp is STP_NONE and not cmd.allow_stp_none:
            # A default orders could not use: allowing NONE must be said, not implied.
            return self._reject(RejectReason.STP_MODE_NOT_ALLOWED, symbol=cmd.symbol)
        m.set_stp_policy(cmd.default_stp, cmd.allow_stp_none)
        self._events.append(
            MarketSelfTradePreventionChanged(
                self._seq, self._time, cmd.symbol, cmd.default_stp, cmd.allow_stp_none
            )
        )
        return None

    def _set_account_fees(self, cmd: SetAccountFees) -> None:
        if cmd.account < FIRST_USER_ACCOUNT:
            return self._reject(RejectReason.INVALID_ACCOUNT, account=cmd.account)
        if cmd.maker_fee_bps < 0 and cmd.taker_fee_bps < 0:
            self.account_fees.pop(cmd.account, None)
        elif fee_ok(cmd.maker_fee_bps) and fee_ok(cmd.taker_fee_bps):
            self.account_fees[cmd.account] = (cmd.maker_fee_bps, cmd.taker_fee_bps)
        else:
            return self._reject(RejectReason.INVALID_FEE, account=cmd.account)
        self._events.append(
            AccountFeesChanged(
                self._seq, self._time, cmd.account, cmd.maker_fee_bps, cmd.taker_fee_bps
            )
        )
        return None

    # ----------------------------------------------------------------- transfers

    def _transfer_problem(self, kind: str, cmd: Deposit | Withdraw) -> RejectReason | None:
        if cmd.account < FIRST_USER_ACCOUNT:
            return RejectReason.INVALID_ACCOUNT
        if cmd.asset not in self.assets:
            return RejectReason.UNKNOWN_ASSET
        if cmd.amount <= 0 or not cmd.ref:
            return RejectReason.INVALID_AMOUNT
        seen = self.transfers.get(cmd.ref)
        if seen is not None:
            if seen == (kind, cmd.account, cmd.asset, cmd.amount):
                return RejectReason.ALREADY_APPLIED
            return RejectReason.REFERENCE_REUSED
        return None

    def _deposit(self, cmd: Deposit) -> None:
        reason = self._transfer_problem("deposit", cmd)
        if reason is not None:
            return self._reject(reason, account=cmd.account)
        # The external account's balance is minus the asset's total supply. Bounding the
        # supply bounds every balance and hold of the asset, which are never negative.
        supply = -self.ledger.free(EXTERNAL_ACCOUNT, cmd.asset)
        if cmd.amount > MAX_AMOUNT - supply:
            return self._reject(RejectReason.AMOUNT_TOO_LARGE, account=cmd.account)
        self.ledger.deposit(cmd.account, cmd.asset, cmd.amount)
        self.transfers[cmd.ref] = ("deposit", cmd.account, cmd.asset, cmd.amount)
        self._events.append(
            Deposited(self._seq, self._time, cmd.account, cmd.asset, cmd.amount, cmd.ref)
        )
        return None

    def _withdraw(self, cmd: Withdraw) -> None:
        reason = self._transfer_problem("withdraw", cmd)
        if reason is not None:
            return self._reject(reason, account=cmd.account)
        if not self.ledger.withdraw(cmd.account, cmd.asset, cmd.amount):
            return self._reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
        self.transfers[cmd.ref] = ("withdraw", cmd.account, cmd.asset, cmd.amount)
        self._events.append(
            Withdrawn(self._seq, self._time, cmd.account, cmd.asset, cmd.amount, cmd.ref)
        )
        return None

    # ----------------------------------------------------------------- new orders

    def _place(self, cmd: PlaceOrder) -> None:
        reason = self._place_order(cmd)
        if reason is not None:
            self._reject(reason, cmd.account, cmd.symbol, cmd.client_order_id)

    def _place_order(self, cmd: PlaceOrder) -> RejectReason | None:
        # One read of the whole message: field by field costs more. The account stays a
        # Python int (Any): compiled code would box a native int anew for every dict key.
        account: Any
        symbol: str
        side: Side
        order_type: OrderType
        quantity: int
        price: int
        time_in_force: TimeInForce | None
        quote_quantity: int
        stop_price: int
        iceberg_qty: int
        cid: str
        stp_mode: SelfTradePrevention | None
        (
            account,
            symbol,
            side,
            order_type,
            quantity,
            price,
            time_in_force,
            quote_quantity,
            stop_price,
            iceberg_qty,
            cid,
            stp_mode,
        ) = _astuple(cmd)
        m = self.markets.get(symbol)
        if m is None:
            return RejectReason.UNKNOWN_SYMBOL
        if m.status is not TRADING:
            if m.status is HALT:
                return RejectReason.MARKET_CLOSED
            return RejectReason.MARKET_CANCEL_ONLY
        if account < FIRST_USER_ACCOUNT:
            return RejectReason.INVALID_ACCOUNT
        reason = check_order(
            m,
            order_type,
            quantity,
            price,
            time_in_force,
            quote_quantity,
            stop_price,
            iceberg_qty,
            cid,
            stp_mode,
        )
        if reason is not None:
            return reason
        if cid and (account, cid) in self.client_ids:
            return RejectReason.DUPLICATE_ORDER
        mine = m.open_orders.get(account)
        if mine is not None and len(mine) >= m.max_num_orders:
            return RejectReason.MAX_NUM_ORDERS
        stp = stp_mode or m.default_stp
        is_stop = stop_price != 0
        if is_stop and would_trigger(order_type, side, stop_price, m.last_price):
            return RejectReason.WOULD_TRIGGER_IMMEDIATELY
        opposite = m.asks if side is BUY else m.bids
        best = opposite.best()
        crosses = (
            best is not None and price != 0 and (best <= price if side is BUY else best >= price)
        )
        if crosses and order_type is LIMIT_MAKER:
            return RejectReason.WOULD_TAKE

        # Hold what the order may spend before it can trade or rest.
        if side is BUY:
            held_asset = m.quote
            if order_type is LIMIT:
                held = price * quantity // m.base_unit
            else:
                held = self._hold_for_buy(m, cmd, account, stp)
        else:
            held_asset = m.base
            if quote_quantity:
                held, _ = self._walk(m, SELL, account, stp, 0, UNLIMITED, quote_quantity)
            else:
                held = quantity
        wallet = m.wallets.get(account)
        if held:
            if wallet is None:
                # Look before creating the wallet: a rejected order changes nothing.
                if self.ledger.free(account, held_asset) < held:
                    return RejectReason.INSUFFICIENT_BALANCE
                wallet = self._wallet(m, account)
            record = wallet[1] if side is BUY else wallet[0]
            if record.free < held:
                return RejectReason.INSUFFICIENT_BALANCE
            record.free -= held
            record.held += held
        elif wallet is None:
            wallet = self._wallet(m, account)

        order_id = self.next_order_id
        self.next_order_id = order_id + 1
        tif = time_in_force or GTC
        time = self._time
        order = Order(
            order_id,
            account,
            symbol,
            side,
            order_type,
            tif,
            price,
            quantity,
            quote_quantity,
            stop_price,
            iceberg_qty,
            cid,
            stp,
            time,
            held,
            not is_stop,
            wallet,
        )
        self._events.append(
            _OrderAccepted(
                self._seq,
                time,
                order.key,
                account,
                symbol,
                side,
                tif,
                stp,
                held_asset,
                held,
                not is_stop,
                cmd,
            )
        )
        if is_stop:
            self._register(m, order, mine)
            m.stops.add(order)
        elif not crosses and price and tif is GTC:
            self._register(m, order, mine)
            (m.bids if side is BUY else m.asks).add(order)
        else:
            last_price = m.last_price
            self._execute(m, order, registered=False)
            if m.last_price != last_price and m.stops.orders:
                self._trigger_stops(m)
        return None

    def _hold_for_buy(
        self, m: MarketState, cmd: PlaceOrder, account: int, stp: SelfTradePrevention
    ) -> int:
        """What a buy other than a plain LIMIT holds (docs/trading-rules.md)."""
        if cmd.type is not MARKET:
            return (cmd.price or cmd.stop_price) * cmd.quantity // m.base_unit
        if cmd.quote_quantity:
            return cmd.quote_quantity
        _, cost = self._walk(m, BUY, account, stp, 0, cmd.quantity, 0)
        return cost

    def _walk(
        self,
        m: MarketState,
        side: Side,
        account: int,
        stp: SelfTradePrevention,
        limit: int,
        max_quantity: int,
        max_quote: int,
    ) -> tuple[int, int]:
        """(quantity, quote cost) a taker could trade now, up to `max_quantity` base units
        or, when `max_quote` is set, `max_quote` quote units, at `limit` or better.

        Own orders count as liquidity with STP NONE and are skipped with EXPIRE_MAKER. With
        EXPIRE_TAKER or EXPIRE_BOTH the match stops at the first own order, so the walk counts
        only what stands before it: whole orders, but just the visible slice of an iceberg,
        whose next slice would queue behind the own order.
        """
        opposite = m.asks if side is BUY else m.bids
        unit = m.base_unit
        step = m.step_size
        quantity = cost = 0
        for price in opposite.prices():
            if limit and (price > limit if side is BUY else price < limit):
                break
            available = 0
            before_own = 0
            stopped = False
            for maker in opposite.levels[price]:
                if maker.account == account and stp is not STP_NONE:
                    if stp is EXPIRE_MAKER:
                        continue
                    stopped = True
                    break
                available += maker.quantity - maker.executed
                before_own += maker.visible
            if stopped:
                available = before_own
            take = min(available, max_quantity - quantity)
            if max_quote:
                affordable = (max_quote - cost) * unit // price
                take = min(take, affordable - affordable % step)
            quantity += take
            cost += price * take // unit
            if stopped or quantity == max_quantity or take < available:
                break
        return quantity, cost

    # ----------------------------------------------------------------- matching

    def _execute(self, m: MarketState, order: Order, registered: bool) -> None:
        """Let a working order take liquidity, then rest it or end it by its rules."""
        if order.time_in_force is FOK:
            fillable, _ = self._walk(
                m, order.side, order.account, order.stp_mode, order.price, order.quantity, 0
            )
            if fillable < order.quantity:
                self._expire(m, order, registered, in_match=False)
                return
        outcome = self._match(m, order)
        if outcome is _DONE:
            if registered:
                self._unregister(m, order)
            self._fill(m, order)
        elif outcome is _SELF_TRADE:
            self._expire(m, order, registered, in_match=True)
        elif order.price and order.time_in_force is GTC:
            order.visible = min(
                order.iceberg_qty or order.quantity, order.quantity - order.executed
            )
            if not registered:
                self._register(m, order)
            (m.bids if order.side is BUY else m.asks).add(order)
        else:
            self._expire(m, order, registered, in_match=False)

    def _match(self, m: MarketState, taker: Order) -> object:
        """Trade the taker against the opposite side, best price first, until it is done,
        out of price, out of liquidity or stopped by self-trade prevention.

        Done means: the whole quantity traded or, for an order sized in quote, too little
        of the quote amount is left to trade one more step.
        """
        is_buy = taker.side is BUY
        opposite = m.asks if is_buy else m.bids
        levels = opposite.levels
        limit = taker.price
        unit = m.base_unit
        step = m.step_size
        account = taker.account
        stp = taker.stp_mode
        by_quote = taker.quote_quantity
        while True:
            price = opposite.best()
            if price is None:
                return _OPEN
            if limit:
                if (price > limit) if is_buy else (price < limit):
                    return _OPEN
                left = taker.quantity - taker.executed
            elif by_quote:
                budget = taker.held if is_buy else by_quote - taker.executed_quote
                left = budget * unit // price
                left -= left % step
                if not left:
                    # Too little left for one more step: done, if it traded at all.
                    return _DONE if taker.executed else _OPEN
            else:
                left = taker.quantity - taker.executed
                if is_buy:
                    # A market buy spends at most what it holds.
                    affordable = taker.held * unit // price
                    affordable -= affordable % step
                    if affordable < left:
                        left = affordable
                        if not left:
                            return _OPEN
            if not is_buy and taker.held < left:
                # A sell never gives more than it holds (a quote-sized sell holds what the
                # book looked like it needed when it was placed).
                left = taker.held
                if not left:
                    return _DONE if by_quote and taker.executed else _OPEN
            level = levels[price]
            maker = level.head
            while maker is not None:
                if maker.account == account and stp is not STP_NONE:
                    if self._prevent(m, opposite, taker, maker, price):
                        return _SELF_TRADE
                else:
                    quantity = maker.visible
                    if quantity > left:
                        quantity = left
                    self._trade(m, opposite, taker, maker, price, quantity, is_buy)
                    left -= quantity
                    if not left:
                        break
                maker = level.head
            if not by_quote and taker.executed == taker.quantity:
                return _DONE

    def _trade(
        self,
        m: MarketState,
        opposite: BookSide,
        taker: Order,
        maker: Order,
        price: int,
        quantity: int,
        taker_is_buy: bool,
    ) -> None:
        """Settle one match from the holds, charge fees in the received assets, record it."""
        unit = m.base_unit
        value = price * quantity // unit
        maker_bps = m.maker_fee_bps
        taker_bps = m.taker_fee_bps
        if self.account_fees:
            override = self.account_fees.get(maker.account)
            if override is not None:
                maker_bps = override[0]
            override = self.account_fees.get(taker.account)
            if override is not None:
                taker_bps = override[1]
        if taker_is_buy:
            buyer, seller, buyer_bps, seller_bps = taker, maker, taker_bps, maker_bps
        else:
            buyer, seller, buyer_bps, seller_bps = maker, taker, maker_bps, taker_bps
        # Fees round up: the venue never gives away a fraction of a unit.
        buyer_fee = -(-quantity * buyer_bps // BPS)
        seller_fee = -(-value * seller_bps // BPS)
        reserved = buyer.price * quantity // unit if buyer.price else value
        released = reserved - value

        buyer_base, buyer_quote = buyer.wallet
        buyer_quote.held -= reserved
        buyer_quote.free += released
        buyer_base.free += quantity - buyer_fee
        seller_base, seller_quote = seller.wallet
        seller_base.held -= quantity
        seller_quote.free += value - seller_fee
        m.fee_base.free += buyer_fee
        m.fee_quote.free += seller_fee

        buyer.held -= reserved
        seller.held -= quantity
        time = self._time
        taker.executed += quantity
        taker.executed_quote += value
        taker.status = PARTIALLY_FILLED
        taker.updated = time
        maker.executed += quantity
        maker.executed_quote += value
        maker.visible -= quantity
        maker.updated = time
        trade_id = m.next_trade_id
        m.next_trade_id = trade_id + 1
        m.last_price = price
        self._events.append(
            _TradeExecuted(
                self._seq,
                time,
                m.symbol,
                trade_id,
                price,
                quantity,
                value,
                buyer.key,
                seller.key,
                buyer.owner,
                seller.owner,
                not taker_is_buy,
                buyer_fee,
                seller_fee,
                released,
            )
        )
        if maker.executed == maker.quantity:
            opposite.remove(maker)
            self._unregister(m, maker)
            self._fill(m, maker)
        else:
            maker.status = PARTIALLY_FILLED
            if not maker.visible:
                # An iceberg shows its next slice at the back of the queue.
                maker.visible = min(maker.iceberg_qty, maker.quantity - maker.executed)
                opposite.requeue(maker)

    def _fill(self, m: MarketState, order: Order) -> None:
        check_transition(order.status, FILLED)
        order.status = FILLED
        released = order.held
        if released:
            asset = self._release(m, order, released)
            order.held = 0
        else:
            asset = m.quote if order.side is BUY else m.base
        self._events.append(
            _OrderFilled(
                self._seq, self._time, order.key, order.owner, order.symbol, asset, released
            )
        )

    def _prevent(
        self, m: MarketState, opposite: BookSide, taker: Order, maker: Order, price: int
    ) -> bool:
        """Self-trade prevention by the taker's mode; True when the taker has ended."""
        mode = taker.stp_mode
        prevented_id = self.next_prevented_id
        self.next_prevented_id = prevented_id + 1
        expire_taker = mode is not EXPIRE_MAKER
        expire_maker = mode is not EXPIRE_TAKER
        taker_left = taker.remaining if taker.quantity else 0
        self._events.append(
            MatchPrevented(
                self._seq,
                self._time,
                m.symbol,
                prevented_id,
                taker.order_id,
                maker.order_id,
                taker.account,
                price,
                taker_left if expire_taker else 0,
                maker.remaining if expire_maker else 0,
                mode,
            )
        )
        if expire_maker:
            opposite.remove(maker)
            self._expire(m, maker, registered=True, in_match=True)
        return expire_taker

    def _expire(self, m: MarketState, order: Order, registered: bool, in_match: bool) -> None:
        if registered:
            self._unregister(m, order)
        asset, released = self._end(
            m, order, OrderStatus.EXPIRED_IN_MATCH if in_match else OrderStatus.EXPIRED
        )
        self._events.append(
            OrderExpired(
                self._seq,
                self._time,
                order.order_id,
                order.account,
                order.symbol,
                asset,
                released,
                in_match,
            )
        )

    def _end(self, m: MarketState, order: Order, status: OrderStatus) -> tuple[str, int]:
        """Move the order to a final status and release what it still holds."""
        check_transition(order.status, status)
        order.status = status
        order.updated = self._time
        released = order.held
        asset = self._release(m, order, released)
        order.held = 0
        return asset, released

    def _release(self, m: MarketState, order: Order, amount: int) -> str:
        """Move `amount` of what the order holds back to free; answer the asset."""
        base, quote = order.wallet
        if order.side is BUY:
            quote.held -= amount
            quote.free += amount
            return m.quote
        base.held -= amount
        base.free += amount
        return m.base

    def _held_asset(self, order: Order) -> str:
        m = self.markets[order.symbol]
        return m.quote if order.side is BUY else m.base

    def _wallet(self, m: MarketState, account: int) -> tuple[Balance, Balance]:
        """The account's (base, quote) balance records in this market, kept at hand."""
        wallet = m.wallets.get(account)
        if wallet is None:
            wallet = (
                self.ledger.balance(account, m.base),
                self.ledger.balance(account, m.quote),
            )
            m.wallets[account] = wallet
        return wallet

    def _register(self, m: MarketState, order: Order, mine: dict[int, Order] | None = None) -> None:
        if mine is None:
            mine = m.open_orders.get(order.account)
        if mine is None:
            mine = m.open_orders[order.account] = {}
        mine[order.key] = order
        if order.client_order_id:
            self.client_ids[(order.account, order.client_order_id)] = order.order_id

    def _unregister(self, m: MarketState, order: Order) -> None:
        # An account's (possibly empty) dict stays: traders come back, and dropping and
        # remaking it on every last fill costs more than it saves.
        del m.open_orders[order.owner][order.key]
        if order.client_order_id:
            del self.client_ids[(order.account, order.client_order_id)]

    # ----------------------------------------------------------------- stops

    def _trigger_stops(self, m: MarketState) -> None:
        """Run every stop order the last price has reached, and those their trades reach."""
        while m.status is TRADING:
            triggered = m.stops.pop_triggered(m.last_price)
            if not triggered:
                return
            for order in triggered:
                self._trigger(m, order)

    def _trigger(self, m: MarketState, order: Order) -> None:
        added = 0
        if order.side is BUY and not order.price:
            # A stop-market buy held its quantity at the stop price; the book may now ask
            # more, so it tops up its hold from free funds, as far as they go.
            _, cost = self._walk(m, BUY, order.account, order.stp_mode, 0, order.quantity, 0)
            wanted = cost - order.held
            if wanted > 0:
                added = min(wanted, self.ledger.free(order.account, m.quote))
                if added:
                    self.ledger.hold(order.account, m.quote, added)
                    order.held += added
        order.working = True
        order.updated = self._time
        self._events.append(
            OrderTriggered(
                self._seq,
                self._time,
                order.order_id,
                order.account,
                order.symbol,
                m.last_price,
                self._held_asset(order),
                added,
            )
        )
        self._execute(m, order, registered=True)

    # ----------------------------------------------------------------- cancel and amend

    def _find(
        self,
        m: MarketState,
        account: Any,
        order_id: Any,
        client_order_id: str,
        ids_must_match: bool,
    ) -> Order | None:
        """The account's open order in the market by id, or by client order id when the id
        is 0; with both (and `ids_must_match`), only if they name the same order. Ids stay
        Python ints (Any): they are only used as dict keys."""
        if not order_id:
            order_id = self.client_ids.get((account, client_order_id), 0)
        mine = m.open_orders.get(account)
        order = None if mine is None else mine.get(order_id)
        if (
            ids_must_match
            and client_order_id
            and order is not None
            and order.client_order_id != client_order_id
        ):
            return None
        return order

    def _cancel(self, cmd: CancelOrder) -> None:
        reason = self._cancel_order(cmd)
        if reason is not None:
            self._reject(reason, cmd.account, cmd.symbol, cmd.client_order_id, cmd.order_id)

    def _cancel_order(self, cmd: CancelOrder) -> RejectReason | None:
        m = self.markets.get(cmd.symbol)
        if m is None:
            return RejectReason.UNKNOWN_SYMBOL
        if m.status is HALT:
            return RejectReason.MARKET_CLOSED
        order = self._find(m, cmd.account, cmd.order_id, cmd.client_order_id, cmd.ids_must_match)
        if order is None:
            return RejectReason.UNKNOWN_ORDER
        restriction = cmd.restriction
        if restriction is not None and (
            (restriction is CancelRestriction.ONLY_NEW and order.status is not NEW)
            or (
                restriction is CancelRestriction.ONLY_PARTIALLY_FILLED
                and order.status is not PARTIALLY_FILLED
            )
        ):
            return RejectReason.CANCEL_RESTRICTED
        self._cancel_open(m, order)
        return None

    def _cancel_open(self, m: MarketState, order: Order) -> None:
        if order.working:
            (m.bids if order.side is BUY else m.asks).remove(order)
        else:
            m.stops.remove(order)
        self._unregister(m, order)
        asset, released = self._end(m, order, CANCELED)
        self._events.append(
            _OrderCanceled(
                self._seq, self._time, order.key, order.owner, order.symbol, asset, released
            )
        )

    def _cancel_all(self, cmd: CancelAllOrders) -> None:
        m = self.markets.get(cmd.symbol)
        if m is None:
            return self._reject(RejectReason.UNKNOWN_SYMBOL, cmd.account, cmd.symbol)
        if m.status is HALT:
            return self._reject(RejectReason.MARKET_CLOSED, cmd.account, cmd.symbol)
        mine = m.open_orders.get(cmd.account)
        if not mine:
            return self._reject(RejectReason.UNKNOWN_ORDER, cmd.account, cmd.symbol)
        for order_id in sorted(mine):
            self._cancel_open(m, mine[order_id])
        return None

    def _cancel_replace(self, cmd: CancelReplace) -> None:
        cancel = cmd.cancel
        place = cmd.place
        if cancel.account != place.account or cancel.symbol != place.symbol:
            return self._reject(RejectReason.INVALID_ORDER, cancel.account, cancel.symbol)
        reason = self._cancel_order(cancel)
        if reason is not None:
            self._reject(
                reason, cancel.account, cancel.symbol, cancel.client_order_id, cancel.order_id
            )
            if not cmd.allow_failure:
                return None
        self._place(place)
        return None

    def _amend(self, cmd: AmendOrder) -> None:
        reason = self._amend_order(cmd)
        if reason is not None:
            self._reject(reason, cmd.account, cmd.symbol, cmd.client_order_id, cmd.order_id)

    def _amend_order(self, cmd: AmendOrder) -> RejectReason | None:
        m = self.markets.get(cmd.symbol)
        if m is None:
            return RejectReason.UNKNOWN_SYMBOL
        if m.status is not TRADING:
            return (
                RejectReason.MARKET_CLOSED if m.status is HALT else RejectReason.MARKET_CANCEL_ONLY
            )
        order = self._find(m, cmd.account, cmd.order_id, cmd.client_order_id, cmd.ids_must_match)
        if order is None:
            return RejectReason.UNKNOWN_ORDER
        new_quantity = cmd.new_quantity
        if (
            new_quantity <= order.executed
            or new_quantity >= order.quantity
            or new_quantity % m.step_size
        ):
            return RejectReason.INVALID_AMEND
        remaining = new_quantity - order.executed
        if order.side is BUY:
            keep = (order.price or order.stop_price) * remaining // m.base_unit
            released = max(order.held - keep, 0)
        else:
            released = order.held - remaining
        if released:
            asset = self._release(m, order, released)
            order.held -= released
        else:
            asset = self._held_asset(order)
        order.quantity = new_quantity
        order.visible = min(order.visible, remaining)
        order.updated = self._time
        self._events.append(
            OrderAmended(
                self._seq,
                self._time,
                order.order_id,
                order.account,
                order.symbol,
                new_quantity,
                asset,
                released,
            )
        )
        return None

    # ----------------------------------------------------------------- the read API
    # What callers outside the engine may read: plain values, never the engine's own
    # objects. The gateway's views start from these and follow the events from then on.

    def listed_assets(self) -> list[Asset]:
        """Every listed asset, by code."""
        return [self.assets[code] for code in sorted(self.assets)]

    def listed_markets(self) -> list[MarketTerms]:
        """Every listed market as it trades now, by symbol."""
        return [self._terms(self.markets[symbol]) for symbol in sorted(self.markets)]

    def market_terms(self, symbol: str) -> MarketTerms | None:
        m = self.markets.get(symbol)
        return None if m is None else self._terms(m)

    def _terms(self, m: MarketState) -> MarketTerms:
        return MarketTerms(
            m.market,
            m.status,
            m.maker_fee_bps,
            m.taker_fee_bps,
            m.default_stp,
            m.allow_stp_none,
        )

    def balances(self, account: int | None = None) -> list[tuple[int, str, int, int]]:
        """(account, asset, free, held) of every balance record, or of one account's, in
        account then asset order."""
        if account is not None:
            mine = self.ledger.accounts.get(account, {})
            return [(account, asset, mine[asset].free, mine[asset].held) for asset in sorted(mine)]
        return [(owner, asset, b.free, b.held) for owner, asset, b in self.ledger.items()]

    def ledger_totals(self) -> dict[str, int]:
        """Per asset, the sum of free + held over every account: zero for a sound ledger."""
        return self.ledger.totals()

    def fee_overrides(self) -> dict[int, tuple[int, int]]:
        """Per-account (maker, taker) fee rates in basis points that replace the markets'."""
        return dict(self.account_fees)

    def fee_rates(self, account: int, symbol: str) -> tuple[int, int]:
        """The (maker, taker) rates in basis points `account` pays in `symbol`: the one fee
        rule, which settlement applies too."""
        m = self.markets[symbol]
        override = self.account_fees.get(account)
        return override if override is not None else (m.maker_fee_bps, m.taker_fee_bps)

    def order_problem(self, cmd: PlaceOrder) -> RejectReason | None:
        """What the engine would refuse `cmd` for before any money moves (its shape, the
        market's status and filters, the self-trade prevention mode), without placing it;
        None when those checks pass."""
        m = self.markets.get(cmd.symbol)
        if m is None:
            return RejectReason.UNKNOWN_SYMBOL
        if m.status is not TRADING:
            return (
                RejectReason.MARKET_CLOSED if m.status is HALT else RejectReason.MARKET_CANCEL_ONLY
            )
        return check_order(
            m,
            cmd.type,
            cmd.quantity,
            cmd.price,
            cmd.time_in_force,
            cmd.quote_quantity,
            cmd.stop_price,
            cmd.iceberg_qty,
            cmd.client_order_id,
            cmd.stp_mode,
        )

    # ----------------------------------------------------------------- state

    def open_orders(self, symbol: str | None = None, account: int | None = None) -> list[Order]:
        """Open orders (resting or waiting for a trigger), by order id."""
        found: list[Order] = []
        for m in self.markets.values():
            if symbol is not None and m.symbol != symbol:
                continue
            for owner, mine in m.open_orders.items():
                if account is None or owner == account:
                    found.extend(mine.values())
        found.sort(key=lambda order: order.order_id)
        return found

    def snapshot(self) -> bytes:
        """The whole state as canonical bytes: equal states give equal bytes."""
        return encode_state(self._state())

    def state_hash(self) -> str:
        return sha256(self.snapshot()).hexdigest()

    def _state(self) -> EngineState:
        from assetport.engine.snapshot import state_of

        return state_of(self)

    @classmethod
    def restore(cls, data: bytes) -> "Engine":
        from assetport.engine.snapshot import restore_into

        engine = cls()
        restore_into(engine, decode_state(data))
        return engine
