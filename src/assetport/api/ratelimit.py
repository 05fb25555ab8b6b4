"""Binance-style rate limits: request weight and raw requests per IP, orders per account.

Windows are fixed and aligned to their interval as Binance's are: the minute resets on the
minute, ten seconds on multiples of ten seconds, the day at 00:00 UTC. Going over a limit
answers 429 with `Retry-After` = seconds until the window ends (-1003 for an IP, -1015 for
an account's orders). A refused request still counts, as it still reached the server; a
refused order does not, as it was never placed. An IP that keeps sending while told to
wait collects strikes; at `ban_after` strikes it is banned with 418, for 2 minutes the first
time and twice as long each time after, up to 3 days, as Binance escalates; a day without a
ban forgets the past.

No clock is read here: every call takes the time in ms, so tests are deterministic.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from assetport.api import errors
from assetport.api.params import Params


class RateLimitType(StrEnum):
    REQUEST_WEIGHT = "REQUEST_WEIGHT"
    ORDERS = "ORDERS"
    RAW_REQUESTS = "RAW_REQUESTS"


class Interval(StrEnum):
    SECOND = "SECOND"
    MINUTE = "MINUTE"
    HOUR = "HOUR"
    DAY = "DAY"


_INTERVAL_MS: Final = {
    Interval.SECOND: 1000,
    Interval.MINUTE: 60_000,
    Interval.HOUR: 3_600_000,
    Interval.DAY: 86_400_000,
}


@dataclass(frozen=True, slots=True)
class RateLimit:
    type: RateLimitType
    interval: Interval
    interval_num: int
    limit: int

    @property
    def window_ms(self) -> int:
        return _INTERVAL_MS[self.interval] * self.interval_num

    @property
    def per(self) -> str:
        """As in Binance's messages: "1 MINUTE", "10 SECOND"."""
        return f"{self.interval_num} {self.interval.value}"

    @property
    def header_suffix(self) -> str:
        """As in Binance's headers: "1M", "10S", "1D"."""
        return f"{self.interval_num}{self.interval.value[0]}"

    def to_json(self) -> dict[str, object]:
        return {
            "rateLimitType": self.type.value,
            "interval": self.interval.value,
            "intervalNum": self.interval_num,
            "limit": self.limit,
        }


# Binance's published spot limits. A load test from one address needs far higher ones.
DEFAULT_RATE_LIMITS: Final = (
    RateLimit(RateLimitType.REQUEST_WEIGHT, Interval.MINUTE, 1, 6000),
    RateLimit(RateLimitType.ORDERS, Interval.SECOND, 10, 100),
    RateLimit(RateLimitType.ORDERS, Interval.DAY, 1, 200_000),
    RateLimit(RateLimitType.RAW_REQUESTS, Interval.MINUTE, 5, 61_000),
)

FIRST_BAN_MS: Final = 2 * 60_000
MAX_BAN_MS: Final = 3 * 86_400_000
BAN_MEMORY_MS: Final = 86_400_000
DEFAULT_BAN_AFTER: Final = 50


def _retry_after_s(until_ms: int, now_ms: int) -> int:
    return max(1, -(-(until_ms - now_ms) // 1000))


class _Window:
    __slots__ = ("start", "used")

    def __init__(self) -> None:
        self.start = -1
        self.used = 0


class _IpState:
    __slots__ = ("ban_level", "banned_until", "last_ban_end", "limited_until", "strikes", "windows")

    def __init__(self, count: int) -> None:
        self.windows = [_Window() for _ in range(count)]
        self.limited_until = 0
        self.strikes = 0
        self.banned_until = 0
        self.ban_level = 0
        self.last_ban_end = 0


class Usage:
    """What a request used, for the `X-MBX-USED-WEIGHT-*` / `X-MBX-ORDER-COUNT-*` headers."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: tuple[str, ...], values: list[int]) -> None:
        self._names = names
        self._values = values

    def headers(self) -> list[tuple[str, str]]:
        return [(name, str(value)) for name, value in zip(self._names, self._values, strict=True)]

    def __getitem__(self, name: str) -> int:
        return self._values[self._names.index(name)]


class RateLimiter:
    """Counts per IP and per account; call once per request (and once more per new order)."""

    def __init__(
        self,
        limits: tuple[RateLimit, ...] = DEFAULT_RATE_LIMITS,
        *,
        ban_after: int = DEFAULT_BAN_AFTER,
    ) -> None:
        self.limits = limits
        self.ban_after = ban_after
        self._ip_limits = tuple(lim for lim in limits if lim.type is not RateLimitType.ORDERS)
        self._order_limits = tuple(lim for lim in limits if lim.type is RateLimitType.ORDERS)
        self._ip_windows = tuple(
            (lim.window_ms, lim.limit, lim.type is RateLimitType.REQUEST_WEIGHT)
            for lim in self._ip_limits
        )
        self._weight_headers = tuple(
            f"X-MBX-USED-WEIGHT-{lim.header_suffix}"
            for lim in self._ip_limits
            if lim.type is RateLimitType.REQUEST_WEIGHT
        )
        self._order_headers = tuple(
            f"X-MBX-ORDER-COUNT-{lim.header_suffix}" for lim in self._order_limits
        )
        self._ips: dict[str, _IpState] = {}
        self._accounts: dict[int, list[_Window]] = {}

    def rate_limits_for_exchange_info(self) -> list[dict[str, object]]:
        """The `rateLimits` array of `GET /api/v3/exchangeInfo`."""
        return rate_limits_for_exchange_info(self.limits)

    def check_request(self, ip: str, weight: int, now_ms: int) -> Usage:
        """Count one request of `weight` from `ip`; raise 429/418 `ApiError` when over."""
        state = self._ips.get(ip)
        if state is None:
            state = self._ips[ip] = _IpState(len(self._ip_windows))
        if state.banned_until > now_ms:
            raise errors.ip_banned(state.banned_until, _retry_after_s(state.banned_until, now_ms))
        over = -1
        weights: list[int] = []
        for index, (window_ms, limit, is_weight) in enumerate(self._ip_windows):
            window = state.windows[index]
            start = now_ms - now_ms % window_ms
            if window.start != start:
                window.start = start
                window.used = 0
            window.used += weight if is_weight else 1
            if is_weight:
                weights.append(window.used)
            if window.used > limit and over < 0:
                over = index
        if over >= 0:
            self._refuse(state, over, now_ms)
        return Usage(self._weight_headers, weights)

    def check_ban(self, ip: str, now_ms: int) -> None:
        """Raise the 418 of a banned `ip` without counting anything: checked before a
        request is parsed, so a banned address costs as little as possible."""
        state = self._ips.get(ip)
        if state is not None and state.banned_until > now_ms:
            raise errors.ip_banned(state.banned_until, _retry_after_s(state.banned_until, now_ms))

    def _refuse(self, state: _IpState, index: int, now_ms: int) -> None:
        window_ms = self._ip_windows[index][0]
        window_end = state.windows[index].start + window_ms
        if state.limited_until > now_ms:
            state.strikes += 1  # sent again before the Retry-After it was given
            if state.strikes >= self.ban_after:
                raise self._ban(state, now_ms)
        else:
            state.strikes = 0
        state.limited_until = window_end
        lim = self._ip_limits[index]
        raise errors.too_much_weight(lim.limit, lim.per, 429, _retry_after_s(window_end, now_ms))

    def _ban(self, state: _IpState, now_ms: int) -> errors.ApiError:
        if state.ban_level and now_ms - state.last_ban_end > BAN_MEMORY_MS:
            state.ban_level = 0
        duration = min(FIRST_BAN_MS << state.ban_level, MAX_BAN_MS)
        state.ban_level += 1
        state.banned_until = state.last_ban_end = now_ms + duration
        state.strikes = 0
        state.limited_until = 0
        return errors.ip_banned(state.banned_until, _retry_after_s(state.banned_until, now_ms))

    def check_order(self, account: int, now_ms: int) -> Usage:
        """Count one new order of `account`; -1015 (429) when a window is full, uncounted."""
        windows = self._accounts.get(account)
        if windows is None:
            windows = self._accounts[account] = [_Window() for _ in self._order_limits]
        for lim, window in zip(self._order_limits, windows, strict=True):
            start = now_ms - now_ms % lim.window_ms
            if window.start != start:
                window.start = start
                window.used = 0
            if window.used >= lim.limit:
                retry = _retry_after_s(start + lim.window_ms, now_ms)
                raise errors.too_many_orders(lim.limit, lim.per, retry)
        counts = []
        for window in windows:
            window.used += 1
            counts.append(window.used)
        return Usage(self._order_headers, counts)

    def weight_usage(self, ip: str, now_ms: int) -> Usage:
        """The IP's current weight without counting a request (for error answers)."""
        state = self._ips.get(ip)
        weights = []
        for index, (window_ms, _, is_weight) in enumerate(self._ip_windows):
            if not is_weight:
                continue
            used = 0
            if state is not None:
                window = state.windows[index]
                used = window.used if window.start == now_ms - now_ms % window_ms else 0
            weights.append(used)
        return Usage(self._weight_headers, weights)

    def order_usage(self, account: int, now_ms: int) -> Usage:
        windows = self._accounts.get(account)
        counts = []
        for index, lim in enumerate(self._order_limits):
            used = 0
            if windows is not None and windows[index].start == now_ms - now_ms % lim.window_ms:
                used = windows[index].used
            counts.append(used)
        return Usage(self._order_headers, counts)

    def prune(self, now_ms: int) -> None:
        """Forget IPs and accounts with nothing left to remember; call now and then."""
        longest = max((lim.window_ms for lim in self.limits), default=0)
        for ip in [
            ip
            for ip, state in self._ips.items()
            if state.banned_until <= now_ms
            and now_ms - state.last_ban_end > BAN_MEMORY_MS
            and all(now_ms - w.start >= longest for w in state.windows)
        ]:
            del self._ips[ip]
        for account in [
            account
            for account, windows in self._accounts.items()
            if all(now_ms - w.start >= longest for w in windows)
        ]:
            del self._accounts[account]


# -- endpoint weights (docs/binance-api.md) -------------------------------------------------------

_STATIC_WEIGHTS: Final[dict[tuple[str, str], int]] = {
    ("GET", "/api/v3/ping"): 1,
    ("GET", "/api/v3/time"): 1,
    ("GET", "/api/v3/exchangeInfo"): 20,
    ("GET", "/api/v3/trades"): 25,
    ("GET", "/api/v3/historicalTrades"): 25,
    ("GET", "/api/v3/aggTrades"): 4,
    ("GET", "/api/v3/klines"): 2,
    ("GET", "/api/v3/uiKlines"): 2,
    ("GET", "/api/v3/avgPrice"): 2,
    ("GET", "/api/v3/account"): 20,
    ("GET", "/api/v3/account/commission"): 20,
    ("POST", "/sapi/v1/asset/dust-convert/query-convertible-assets"): 1,
    ("POST", "/sapi/v1/asset/dust-convert/convert"): 10,
    ("GET", "/sapi/v1/asset/dribblet"): 1,
    # The wallet's endpoints weighed per IP as Binance's are; withdraw/apply and
    # withdraw/history are weighed per account on Binance's own /sapi pools (900 and
    # 18,000), which are not kept here: they cost 1 of the address's weight.
    ("GET", "/sapi/v1/capital/config/getall"): 10,
    ("GET", "/sapi/v1/capital/deposit/address"): 10,
    ("GET", "/sapi/v1/capital/deposit/hisrec"): 1,
    ("GET", "/sapi/v1/capital/withdraw/address/list"): 10,
    ("GET", "/api/v3/rateLimit/order"): 40,
    ("GET", "/api/v3/order"): 4,
    ("POST", "/api/v3/order"): 1,
    ("DELETE", "/api/v3/order"): 1,
    ("POST", "/api/v3/order/cancelReplace"): 1,
    ("PUT", "/api/v3/order/amend/keepPriority"): 4,
    ("GET", "/api/v3/order/amendments"): 4,
    ("DELETE", "/api/v3/openOrders"): 1,
    ("GET", "/api/v3/allOrders"): 20,
    # Order lists (api/rest_order_lists.py); a list counts each of its orders as an order.
    ("POST", "/api/v3/orderList/oco"): 1,
    ("POST", "/api/v3/orderList/oto"): 1,
    ("POST", "/api/v3/orderList/otoco"): 1,
    ("POST", "/api/v3/order/oco"): 1,
    ("DELETE", "/api/v3/orderList"): 1,
    ("GET", "/api/v3/orderList"): 4,
    ("GET", "/api/v3/allOrderList"): 20,
    ("GET", "/api/v3/openOrderList"): 6,
    ("POST", "/api/v3/userDataStream"): 2,
    ("PUT", "/api/v3/userDataStream"): 2,
    ("DELETE", "/api/v3/userDataStream"): 2,
    # Issuance (api/rest_assets.py): reads of the views 2, of the SQL history more; the
    # holder's requests are orders to the engine.
    ("GET", "/api/v1/assets"): 2,
    ("GET", "/api/v1/assets/{asset}"): 5,
    ("GET", "/api/v1/assets/{asset}/supply"): 5,
    ("GET", "/api/v1/assets/{asset}/distributions"): 5,
    ("GET", "/api/v1/assets/certificates/{id}"): 2,
    ("POST", "/api/v1/assets/subscribe"): 1,
    ("POST", "/api/v1/assets/redeem"): 1,
    ("DELETE", "/api/v1/assets/redeem"): 1,
    ("POST", "/api/v1/assets/retire"): 1,
    ("GET", "/api/v1/assets/subscriptions"): 5,
    ("GET", "/api/v1/assets/redemptions"): 5,
    ("GET", "/api/v1/assets/distributions/mine"): 5,
    ("GET", "/api/v1/assets/certificates"): 5,
    # The views, and for a token with a holder limit a count of its holders in SQL.
    ("GET", "/api/v1/assets/eligibility"): 5,
    ("GET", "/api/v1/assets/actions"): 5,
    # The NFT marketplace (api/rest_nft_*.py): a mint of up to 1,000 items weighs more; the
    # account's own lists read the view (5), its sales and royalties the SQL history.
    ("POST", "/api/v1/nft/collections/{code}/mint"): 10,
    ("POST", "/api/v1/nft/media"): 10,
    ("GET", "/api/v1/nft/quote"): 2,
    ("GET", "/api/v1/nft/my/items"): 5,
    ("GET", "/api/v1/nft/my/listings"): 5,
    ("GET", "/api/v1/nft/my/offers"): 5,
    ("GET", "/api/v1/nft/my/bids"): 5,
    ("GET", "/api/v1/nft/my/auctions"): 5,
    ("GET", "/api/v1/nft/my/sales"): 5,
    ("GET", "/api/v1/nft/my/royalties"): 5,
    ("GET", "/api/v1/nft/drops"): 2,
    ("GET", "/api/v1/nft/drops/{dropId}"): 2,
    ("GET", "/api/v1/nft/drops/{dropId}/verify"): 5,  # re-derives up to 10,000 boxes
}


def depth_weight(limit: int) -> int:
    if limit <= 100:
        return 5
    if limit <= 500:
        return 25
    if limit <= 1000:
        return 50
    return 250


def ticker_24hr_weight(symbol_count: int | None) -> int:
    """`symbol_count` None means all symbols."""
    if symbol_count is None or symbol_count > 100:
        return 80
    return 2 if symbol_count <= 20 else 40


def rolling_ticker_weight(symbol_count: int) -> int:
    """`GET /api/v3/ticker` and `ticker/tradingDay`: 4 a symbol, at most 200."""
    return min(4 * symbol_count, 200)


def _symbol_count(params: Params) -> int | None:
    if params.peek("symbol"):
        return 1
    symbols = params.peek("symbols")
    if not symbols:
        return None
    return symbols.count(",") + 1


def static_weight(method: str, path: str) -> int | None:
    """The weight of an endpoint whose weight no parameter scales, else None."""
    return _STATIC_WEIGHTS.get((method, path))


def request_weight(method: str, path: str, params: Params) -> int:
    """Binance's weight of a request, from its path and the parameters that scale it.

    Reads raw values only (`peek`): a malformed one is refused later by the endpoint, and
    weighs the default meanwhile.
    """
    weight = _STATIC_WEIGHTS.get((method, path))
    if weight is not None:
        return weight
    if path == "/api/v3/depth":
        limit = params.peek("limit")
        return depth_weight(int(limit) if limit and limit.isdigit() else 100)
    if path == "/api/v3/ticker/24hr":
        return ticker_24hr_weight(_symbol_count(params))
    if path in ("/api/v3/ticker", "/api/v3/ticker/tradingDay"):
        return rolling_ticker_weight(_symbol_count(params) or 1)
    if path == "/api/v3/order/test":
        return 20 if params.peek("computeCommissionRates") == "true" else 1
    if path in ("/api/v3/ticker/price", "/api/v3/ticker/bookTicker"):
        return 2 if params.peek("symbol") else 4
    if path == "/api/v3/openOrders" and method == "GET":
        return 6 if params.peek("symbol") else 80
    if path == "/api/v3/myTrades":
        return 5 if params.peek("orderId") else 20
    if path == "/api/v3/myPreventedMatches":
        return 2 if params.peek("preventedMatchId") else 20
    if path == "/api/v1/assets/{asset}/attestations":
        return 10 if params.peek("seq") else 5  # one with its lots: up to 1000 of them
    return 1


def rate_limits_for_exchange_info(
    limits: tuple[RateLimit, ...] = DEFAULT_RATE_LIMITS,
) -> list[dict[str, object]]:
    """The `rateLimits` array of `GET /api/v3/exchangeInfo`."""
    return [lim.to_json() for lim in limits]
