"""A market's state inside the engine: its listing, current status and fees, both sides of
its book, its waiting stop orders and its open orders per account."""

from assetport.domain.markets import Market
from assetport.domain.orders import Order
from assetport.engine.book import BookSide
from assetport.engine.ledger import Balance
from assetport.engine.stops import StopBook


class MarketState:
    def __init__(self, market: Market, base_unit: int, fee_base: Balance, fee_quote: Balance):
        self.market = market
        self.symbol = market.symbol
        self.base = market.base
        self.quote = market.quote
        self.base_unit = base_unit
        self.status = market.status
        self.maker_fee_bps = market.maker_fee_bps
        self.taker_fee_bps = market.taker_fee_bps
        self.bids = BookSide(is_bid=True)
        self.asks = BookSide(is_bid=False)
        self.stops = StopBook()
        # account -> order id -> order, for every open order (resting or waiting stop)
        self.open_orders: dict[int, dict[int, Order]] = {}
        self.last_price = 0
        self.next_trade_id = 1
        # The fee account's balances in this market's assets, kept at hand for settlement.
        self.fee_base = fee_base
        self.fee_quote = fee_quote
