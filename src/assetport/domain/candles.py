"""A candle: open/high/low/close and volumes of the trades in one time bucket.

The market data's klines (every interval) and tickers (per-minute buckets) and the SQL
read model's candles all build on it, so a candle adds up the same wherever it is shown.
Prices and quantities are integer units; times are milliseconds.
"""

from assetport.domain.events import TradeExecuted

NO_TRADE = -1  # Binance's first/last trade id when a bucket holds no trade


class Candle:
    __slots__ = (
        "close",
        "close_time",
        "count",
        "first_id",
        "high",
        "last_id",
        "last_qty",
        "last_time",
        "low",
        "open",
        "open_time",
        "quote_volume",
        "taker_buy_quote",
        "taker_buy_volume",
        "volume",
    )

    def __init__(self, open_time: int, close_time: int, price: int) -> None:
        self.open_time = open_time
        self.close_time = close_time
        self.open = self.high = self.low = self.close = price
        self.volume = self.quote_volume = self.count = 0
        self.taker_buy_volume = self.taker_buy_quote = 0
        self.first_id = self.last_id = NO_TRADE
        self.last_time = open_time
        self.last_qty = 0

    def add(self, trade: TradeExecuted, time_ms: int) -> None:
        """Add one trade (later than every trade already in the candle)."""
        price = trade.price
        if self.count == 0:
            self.open = self.high = self.low = price
            self.first_id = trade.trade_id
        elif price > self.high:
            self.high = price
        elif price < self.low:
            self.low = price
        self.close = price
        self.volume += trade.quantity
        self.quote_volume += trade.quote_quantity
        self.count += 1
        if not trade.buyer_is_maker:
            self.taker_buy_volume += trade.quantity
            self.taker_buy_quote += trade.quote_quantity
        self.last_id = trade.trade_id
        self.last_time = time_ms
        self.last_qty = trade.quantity

    def merge(self, later: "Candle") -> None:
        """Fold in a candle whose trades all came after this one's."""
        if later.count == 0:
            return
        if self.count == 0:
            self.open, self.high, self.low = later.open, later.high, later.low
            self.first_id = later.first_id
        else:
            self.high = max(self.high, later.high)
            self.low = min(self.low, later.low)
        self.close = later.close
        self.volume += later.volume
        self.quote_volume += later.quote_volume
        self.count += later.count
        self.taker_buy_volume += later.taker_buy_volume
        self.taker_buy_quote += later.taker_buy_quote
        self.last_id = later.last_id
        self.last_time = later.last_time
        self.last_qty = later.last_qty

    def rebucketed(self, open_time: int, close_time: int) -> "Candle":
        """A copy of this candle's trades in another (larger) bucket."""
        copy = Candle(open_time, close_time, self.close)
        copy.merge(self)
        return copy
