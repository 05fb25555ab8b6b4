"""A market's state inside the engine: its listing, current status, fees and self-trade
prevention policy, both sides of its book, its waiting stop orders and its open orders per
account."""

from assetport.domain.markets import Market, stp_none_allowed
from assetport.domain.orders import SelfTradePrevention
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.ledger import Balance
from assetport.engine.spot.book import BookSide
from assetport.engine.spot.order import Order
from assetport.engine.spot.stops import StopBook


class MarketState:
    def __init__(self, market: Market, base_unit: int, fee_base: Balance, fee_quote: Balance):
        self.market = market
        self.symbol = market.symbol
        self.base = market.base
        self.quote = market.quote
        self.base_unit = base_unit
        # The listing's rules, copied out of the message: the engine reads them on every order.
        self.tick_size = market.tick_size
        self.step_size = market.step_size
        self.min_qty = market.min_qty
        self.min_price = market.min_price
        self.min_notional = market.min_notional
        # The upper bounds in force: the listing's, never above what the ledger records
        # (0 in a listing means no bound of its own).
        self.max_qty = min(market.max_qty, MAX_AMOUNT)
        self.max_price = min(market.max_price or MAX_AMOUNT, MAX_AMOUNT)
        self.max_notional = min(market.max_notional or MAX_AMOUNT, MAX_AMOUNT)
        self.max_num_orders = market.max_num_orders
        self.status = market.status
        self.maker_fee_bps = market.maker_fee_bps
        self.taker_fee_bps = market.taker_fee_bps
        # Whether buys placed now pay their fee in quote (FeeAsset.QUOTE).
        self.fee_in_quote = False
        self.default_stp = market.default_stp
        self.allow_stp_none = market.allow_stp_none
        self.stp_none_allowed = stp_none_allowed(market.default_stp, market.allow_stp_none)
        self.bids = BookSide(is_bid=True)
        self.asks = BookSide(is_bid=False)
        self.stops = StopBook()
        # account -> order id -> order, for every open order (resting or waiting stop)
        self.open_orders: dict[int, dict[int, Order]] = {}
        # account -> its (base, quote) balance records: one lookup per trade side, not four.
        self.wallets: dict[int, tuple[Balance, Balance]] = {}
        self.last_price = 0
        self.next_trade_id = 1
        # The fee account's balances in this market's assets, kept at hand for settlement.
        self.fee_base = fee_base
        self.fee_quote = fee_quote

    def set_stp_policy(self, default_stp: SelfTradePrevention, allow_stp_none: bool) -> None:
        self.default_stp = default_stp
        self.allow_stp_none = allow_stp_none
        self.stp_none_allowed = stp_none_allowed(default_stp, allow_stp_none)
