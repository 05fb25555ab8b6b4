"""General and market data endpoints: ping, time, exchangeInfo, depth, trades, klines,
tickers (paths and shapes as Binance's /api/v3)."""

from typing import Any

import msgspec

from assetport.api import errors
from assetport.api.gateway import Gateway
from assetport.api.http import Call, Endpoint, ParamDoc, Security
from assetport.domain.intervals import parse_time_zone
from assetport.domain.markets import MarketStatus, allowed_stp_modes, stp_none_allowed
from assetport.domain.units import from_units
from assetport.marketdata.hub import InvalidParameter, UnknownSymbol
from assetport.marketdata.klines import kline_row
from assetport.marketdata.time_unit import from_ms
from assetport.marketdata.trades import agg_trade_rest, trade_rest

ORDER_TYPES = [
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
]
HOUR_MS = 3_600_000


async def ping(call: Call) -> Any:
    """Binance's connectivity test: {} while the server answers (the health a load balancer
    polls is api/rest_health.py's)."""
    return {}


async def server_time(call: Call) -> Any:
    return {"serverTime": from_ms(call.now_ms)}


def symbol_info(gateway: Gateway, symbol: str) -> dict[str, Any]:
    terms = gateway.markets.terms[symbol]
    market = terms.market
    bp = gateway.markets.base(symbol)
    qp = gateway.markets.quote(symbol)
    status = terms.status
    return {
        "symbol": symbol,
        "status": "TRADING" if status is MarketStatus.TRADING else status.value,
        "baseAsset": market.base,
        "baseAssetPrecision": bp,
        "quoteAsset": market.quote,
        "quotePrecision": qp,
        "quoteAssetPrecision": qp,
        "baseCommissionPrecision": bp,
        "quoteCommissionPrecision": qp,
        "orderTypes": ORDER_TYPES,
        "icebergAllowed": market.iceberg_allowed,
        # Order lists (api/rest_order_lists.py): their orders count in MAX_NUM_ORDERS.
        "ocoAllowed": True,
        "otoAllowed": True,
        "quoteOrderQtyMarketAllowed": market.quote_order_qty_allowed,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": True,
        "amendAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": from_units(market.min_price, qp),
                "maxPrice": from_units(market.max_price, qp),
                "tickSize": from_units(market.tick_size, qp),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": from_units(market.min_qty, bp),
                "maxQty": from_units(market.max_qty, bp),
                "stepSize": from_units(market.step_size, bp),
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": from_units(market.min_notional, qp),
                "applyMinToMarket": True,
                "maxNotional": from_units(market.max_notional, qp),
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": from_units(market.min_qty, bp),
                "maxQty": from_units(market.max_qty, bp),
                "stepSize": from_units(market.step_size, bp),
            },
            {"filterType": "ICEBERG_PARTS", "limit": market.max_iceberg_parts},
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": market.max_num_orders},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        # The policy in force (an operator may have changed the listing's).
        "defaultSelfTradePreventionMode": terms.default_stp.value,
        "allowedSelfTradePreventionModes": allowed_stp_modes(
            stp_none_allowed(terms.default_stp, terms.allow_stp_none)
        ),
        # Assetport's own field (Binance has none): the asset buyers pay their fee in, QUOTE
        # (as Upbit, on won markets) or RECEIVED (the base, as Binance).
        "feeAsset": terms.fee_asset.value,
    }


def _symbols_param(call: Call) -> list[str] | None:
    """`symbol=X` or `symbols=["X","Y"]`, each known; None for all."""
    params = call.params
    symbol = params.optional_symbol()
    symbols = params.symbols()
    if symbol is not None and symbols is not None:
        raise errors.BAD_PARAM_COMBO.error()
    wanted = [symbol] if symbol is not None else symbols
    if wanted is not None:
        for name in wanted:
            _known(call.gateway, name)
    return wanted


def _known(gateway: Gateway, symbol: str) -> str:
    if symbol not in gateway.markets:
        raise errors.BAD_SYMBOL.error()
    return symbol


def _symbol(call: Call) -> str:
    return _known(call.gateway, call.params.symbol())


async def exchange_info(call: Call) -> Any:
    gateway = call.gateway
    wanted = _symbols_param(call)
    statuses = _symbol_status(call, wanted)
    spot = _wants_spot(call)
    symbols = wanted if wanted is not None else gateway.markets.symbols()
    if statuses is not None:
        symbols = [s for s in symbols if _status_name(gateway, s) in statuses]
    return {
        "timezone": "UTC",
        "serverTime": from_ms(call.now_ms),
        "rateLimits": gateway.limiter.rate_limits_for_exchange_info(),
        "exchangeFilters": [],
        "symbols": [symbol_info(gateway, symbol) for symbol in symbols] if spot else [],
    }


# Binance's permissions; every Assetport market is SPOT, so a filter keeps all or none.
_PERMISSIONS = frozenset(
    {"SPOT", "MARGIN", "LEVERAGED", *(f"TRD_GRP_{n:03}" for n in range(2, 26))}
)
_SYMBOL_STATUSES = frozenset({"TRADING", "HALT", "BREAK", "END_OF_DAY", "CANCEL_ONLY"})


def _wants_spot(call: Call) -> bool:
    """`permissions=SPOT` or `permissions=["MARGIN","LEVERAGED"]`; absent means all."""
    text = call.params.optional_string("permissions")
    if text is None:
        return True
    try:
        names = msgspec.json.decode(text, type=list[str]) if text.startswith("[") else [text]
    except msgspec.DecodeError as exc:
        raise errors.invalid_parameter("permissions") from exc
    if not names or any(name not in _PERMISSIONS for name in names):
        raise errors.invalid_parameter("permissions")
    return "SPOT" in names


def _symbol_status(call: Call, wanted: list[str] | None) -> frozenset[str] | None:
    """`symbolStatus=TRADING`: only markets in that status; not with symbol(s) (-1128)."""
    status = call.params.optional_string("symbolStatus")
    if status is None:
        return None
    if wanted is not None:
        raise errors.BAD_PARAM_COMBO.error()
    if status not in _SYMBOL_STATUSES:
        raise errors.invalid_parameter("symbolStatus")
    return frozenset({status})


def _status_name(gateway: Gateway, symbol: str) -> str:
    return str(gateway.markets.terms[symbol].status.value)


def _limit(call: Call, default: int, maximum: int) -> int:
    limit = call.params.optional_integer("limit")
    if limit is None:
        return default
    if limit <= 0:
        raise errors.invalid_parameter("limit")
    return min(limit, maximum)


async def depth(call: Call) -> Any:
    symbol = _symbol(call)
    return call.gateway.market_data.depth_snapshot(symbol, _limit(call, 100, 5000))


async def trades(call: Call) -> Any:
    symbol = _symbol(call)
    return call.gateway.market_data.recent_trades(symbol, _limit(call, 500, 1000))


async def historical_trades(call: Call) -> Any:
    symbol = _symbol(call)
    limit = _limit(call, 500, 1000)
    from_id = call.params.optional_integer("fromId")
    found = await call.gateway.from_history(
        lambda history: history.historical_trades(symbol, from_id, limit)
    )
    qp, bp = call.gateway.markets.quote(symbol), call.gateway.markets.base(symbol)
    return [trade_rest(trade, qp, bp, qp) for trade in found]


async def agg_trades(call: Call) -> Any:
    symbol = _symbol(call)
    params = call.params
    from_id = params.optional_integer("fromId")
    start = params.optional_integer("startTime")
    end = params.optional_integer("endTime")
    if start is not None and end is not None and end - start > HOUR_MS:
        raise errors.more_than_hours(1)
    limit = _limit(call, 500, 1000)
    found = await call.gateway.from_history(
        lambda history: history.agg_trades(symbol, from_id, start, end, limit)
    )
    qp, bp = call.gateway.markets.quote(symbol), call.gateway.markets.base(symbol)
    return [agg_trade_rest(trade, qp, bp) for trade in found]


async def klines(call: Call) -> Any:
    symbol = _symbol(call)
    params = call.params
    interval = params.interval()
    start = params.optional_integer("startTime")
    end = params.optional_integer("endTime")
    offset = _time_zone(call)
    limit = _limit(call, 500, 1000)
    found = await call.gateway.from_history(
        lambda history: history.klines(symbol, interval, start, end, limit, call.now_ms, offset)
    )
    qp, bp = call.gateway.markets.quote(symbol), call.gateway.markets.base(symbol)
    return [kline_row(candle, qp, bp, qp) for candle in found]


async def avg_price(call: Call) -> Any:
    return call.gateway.market_data.avg_price(_symbol(call), call.now_ms)


def _mini(call: Call) -> bool:
    kind = call.params.optional_string("type") or "FULL"
    if kind not in ("FULL", "MINI"):
        raise errors.invalid_parameter("type")
    return kind == "MINI"


async def ticker_24hr(call: Call) -> Any:
    wanted = _symbols_param(call)
    mini = _mini(call)
    data = call.gateway.market_data
    single = call.params.peek("symbol") is not None
    if single and wanted is not None:
        return data.ticker_24hr(wanted[0], call.now_ms, mini)
    return data.tickers_24hr(wanted, call.now_ms, mini)


async def ticker_price(call: Call) -> Any:
    wanted = _symbols_param(call)
    data = call.gateway.market_data
    if call.params.peek("symbol") is not None and wanted is not None:
        return data.ticker_price(wanted[0])
    return data.ticker_prices(wanted)


async def book_ticker(call: Call) -> Any:
    wanted = _symbols_param(call)
    data = call.gateway.market_data
    if call.params.peek("symbol") is not None and wanted is not None:
        return data.book_ticker(wanted[0])
    return data.book_tickers(wanted)


async def rolling_ticker(call: Call) -> Any:
    wanted = _symbols_param(call)
    if wanted is None:
        raise errors.one_of_mandatory("symbol", "symbols")
    window = call.params.optional_string("windowSize") or "1d"
    mini = _mini(call)
    data = call.gateway.market_data
    try:
        found = [data.ticker_window(s, window, call.now_ms, mini) for s in wanted]
    except InvalidParameter as exc:
        raise errors.invalid_parameter("windowSize") from exc
    return found[0] if call.params.peek("symbol") is not None else found


async def trading_day(call: Call) -> Any:
    wanted = _symbols_param(call)
    if wanted is None:
        raise errors.one_of_mandatory("symbol", "symbols")
    offset = _time_zone(call)
    mini = _mini(call)
    data = call.gateway.market_data
    found = [data.trading_day(s, call.now_ms, offset, mini) for s in wanted]
    return found[0] if call.params.peek("symbol") is not None else found


def _time_zone(call: Call) -> int:
    """`timeZone` as milliseconds ahead of UTC (0 when absent); -1130 when malformed."""
    zone = call.params.optional_string("timeZone")
    if zone is None:
        return 0
    try:
        return parse_time_zone(zone)
    except ValueError as exc:
        raise errors.invalid_parameter("timeZone") from exc


def _guard(handler: Any) -> Any:
    """Market data raises its own lookup errors; the API answers them as Binance does."""

    async def guarded(call: Call) -> Any:
        try:
            return await handler(call)
        except UnknownSymbol as exc:
            raise errors.BAD_SYMBOL.error() from exc
        except InvalidParameter as exc:
            raise errors.invalid_data(str(exc)) from exc

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded


SYMBOL = ParamDoc("symbol", required=True, description="e.g. KGLDKRW")
OPTIONAL_SYMBOL = ParamDoc("symbol")
SYMBOLS = ParamDoc("symbols", description='JSON array, e.g. ["BTCKRW","KGLDKRW"]')
LIMIT = ParamDoc("limit", "integer")
WINDOW = (ParamDoc("startTime", "integer"), ParamDoc("endTime", "integer"))

ENDPOINTS = (
    Endpoint("GET", "/api/v3/ping", ping, summary="Test connectivity"),
    Endpoint("GET", "/api/v3/time", server_time, summary="Server time (ms)"),
    Endpoint(
        "GET",
        "/api/v3/exchangeInfo",
        exchange_info,
        summary="Markets, filters and rate limits",
        params=(
            OPTIONAL_SYMBOL,
            SYMBOLS,
            ParamDoc("permissions", description='SPOT, or a JSON array: ["SPOT","MARGIN"]'),
            ParamDoc("symbolStatus", description="TRADING, HALT, BREAK, ... (not with symbol)"),
        ),
    ),
    Endpoint("GET", "/api/v3/depth", _guard(depth), summary="Order book", params=(SYMBOL, LIMIT)),
    Endpoint(
        "GET", "/api/v3/trades", _guard(trades), summary="Recent trades", params=(SYMBOL, LIMIT)
    ),
    Endpoint(
        "GET",
        "/api/v3/historicalTrades",
        _guard(historical_trades),
        Security.MARKET_DATA,
        summary="Older trades (API key, no signature)",
        params=(SYMBOL, LIMIT, ParamDoc("fromId", "integer")),
    ),
    Endpoint(
        "GET",
        "/api/v3/aggTrades",
        _guard(agg_trades),
        summary="Aggregate trades",
        params=(SYMBOL, LIMIT, ParamDoc("fromId", "integer"), *WINDOW),
    ),
    Endpoint(
        "GET",
        "/api/v3/klines",
        _guard(klines),
        summary="Candlesticks",
        params=(SYMBOL, ParamDoc("interval", required=True), LIMIT, *WINDOW),
    ),
    Endpoint(
        "GET",
        "/api/v3/uiKlines",
        _guard(klines),
        summary="Candlesticks for charts",
        params=(SYMBOL, ParamDoc("interval", required=True), LIMIT, *WINDOW),
    ),
    Endpoint(
        "GET",
        "/api/v3/avgPrice",
        _guard(avg_price),
        summary="5-minute average price",
        params=(SYMBOL,),
    ),
    Endpoint(
        "GET",
        "/api/v3/ticker/24hr",
        _guard(ticker_24hr),
        summary="24 h statistics",
        params=(OPTIONAL_SYMBOL, SYMBOLS, ParamDoc("type")),
    ),
    Endpoint(
        "GET",
        "/api/v3/ticker/price",
        _guard(ticker_price),
        summary="Last price",
        params=(OPTIONAL_SYMBOL, SYMBOLS),
    ),
    Endpoint(
        "GET",
        "/api/v3/ticker/bookTicker",
        _guard(book_ticker),
        summary="Best bid and ask",
        params=(OPTIONAL_SYMBOL, SYMBOLS),
    ),
    Endpoint(
        "GET",
        "/api/v3/ticker",
        _guard(rolling_ticker),
        summary="Rolling window statistics",
        params=(OPTIONAL_SYMBOL, SYMBOLS, ParamDoc("windowSize"), ParamDoc("type")),
    ),
    Endpoint(
        "GET",
        "/api/v3/ticker/tradingDay",
        _guard(trading_day),
        summary="Trading day statistics",
        params=(OPTIONAL_SYMBOL, SYMBOLS, ParamDoc("timeZone"), ParamDoc("type")),
    ),
)
