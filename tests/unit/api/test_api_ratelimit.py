"""Rate limits: aligned windows, 429 with Retry-After, order counts, escalating 418 bans."""

import pytest

from assetport.api.errors import ApiError
from assetport.api.params import Params
from assetport.api.ratelimit import (
    DEFAULT_RATE_LIMITS,
    Interval,
    RateLimit,
    RateLimiter,
    RateLimitType,
    rate_limits_for_exchange_info,
    request_weight,
)

MINUTE = 60_000
T0 = 1_700_000_020_000  # 40 s into a minute, 0 s into a 10 s window
IP = "10.0.0.1"


def small(
    weight: int = 10, orders_10s: int = 3, orders_day: int = 5, ban_after: int = 3
) -> RateLimiter:
    return RateLimiter(
        (
            RateLimit(RateLimitType.REQUEST_WEIGHT, Interval.MINUTE, 1, weight),
            RateLimit(RateLimitType.ORDERS, Interval.SECOND, 10, orders_10s),
            RateLimit(RateLimitType.ORDERS, Interval.DAY, 1, orders_day),
            RateLimit(RateLimitType.RAW_REQUESTS, Interval.MINUTE, 5, 1000),
        ),
        ban_after=ban_after,
    )


def refused_request(limiter: RateLimiter, weight: int, now: int) -> ApiError:
    with pytest.raises(ApiError) as info:
        limiter.check_request(IP, weight, now)
    return info.value


def refused_order(limiter: RateLimiter, account: int, now: int) -> ApiError:
    with pytest.raises(ApiError) as info:
        limiter.check_order(account, now)
    return info.value


def test_exchange_info_rate_limits() -> None:
    assert rate_limits_for_exchange_info() == [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
    ]
    assert RateLimiter().rate_limits_for_exchange_info() == rate_limits_for_exchange_info(
        DEFAULT_RATE_LIMITS
    )


def test_weight_header_and_429_with_retry_after() -> None:
    limiter = small()
    usage = limiter.check_request(IP, 4, T0)
    assert usage.headers() == [("X-MBX-USED-WEIGHT-1M", "4")]
    assert limiter.check_request(IP, 6, T0 + 1).headers() == [("X-MBX-USED-WEIGHT-1M", "10")]
    error = refused_request(limiter, 1, T0 + 2)
    assert (error.code, error.http_status) == (-1003, 429)
    assert error.msg == (
        "Too much request weight used; current limit is 10 request weight per 1 MINUTE. "
        "Please use WebSocket Streams for live updates to avoid polling the API."
    )
    assert error.retry_after == 20  # 40 s into the minute: 19.998 s left, rounded up
    # Other addresses are not affected.
    assert limiter.check_request("10.0.0.2", 1, T0 + 3).headers()[0][1] == "1"


def test_the_minute_resets_on_the_minute() -> None:
    limiter = small()
    minute_end = T0 - T0 % MINUTE + MINUTE
    limiter.check_request(IP, 10, minute_end - 1)
    assert refused_request(limiter, 1, minute_end - 1).retry_after == 1
    assert limiter.check_request(IP, 1, minute_end)["X-MBX-USED-WEIGHT-1M"] == 1
    assert limiter.weight_usage(IP, minute_end).headers() == [("X-MBX-USED-WEIGHT-1M", "1")]
    assert limiter.weight_usage(IP, minute_end + MINUTE).headers() == [
        ("X-MBX-USED-WEIGHT-1M", "0")
    ]
    assert limiter.weight_usage("unseen", T0)["X-MBX-USED-WEIGHT-1M"] == 0


def test_raw_requests_limit() -> None:
    limiter = RateLimiter((RateLimit(RateLimitType.RAW_REQUESTS, Interval.MINUTE, 5, 2),))
    limiter.check_request(IP, 50, T0)
    limiter.check_request(IP, 50, T0)
    error = refused_request(limiter, 1, T0)
    assert error.http_status == 429
    assert "per 5 MINUTE" in error.msg


def test_order_counts_and_1015() -> None:
    limiter = small()
    for n in (1, 2, 3):
        usage = limiter.check_order(7, T0 + n)
    assert usage.headers() == [("X-MBX-ORDER-COUNT-10S", "3"), ("X-MBX-ORDER-COUNT-1D", "3")]
    error = refused_order(limiter, 7, T0 + 9_000)
    assert (error.code, error.http_status, error.retry_after) == (-1015, 429, 1)
    assert error.msg == "Too many new orders; current limit is 3 orders per 10 SECOND."
    # A refused order is not counted; the next 10 s window is open, the day is not.
    assert limiter.order_usage(7, T0 + 9_000)["X-MBX-ORDER-COUNT-1D"] == 3
    limiter.check_order(7, T0 + 10_000)
    limiter.check_order(7, T0 + 10_001)
    error = refused_order(limiter, 7, T0 + 10_002)
    assert error.msg == "Too many new orders; current limit is 5 orders per 1 DAY."
    day_end = T0 - T0 % 86_400_000 + 86_400_000
    assert error.retry_after == -(-(day_end - T0 - 10_002) // 1000)
    assert limiter.check_order(7, day_end)["X-MBX-ORDER-COUNT-1D"] == 1
    assert limiter.check_order(8, T0)["X-MBX-ORDER-COUNT-10S"] == 1


def test_ignoring_429s_gets_an_escalating_ban() -> None:
    limiter = small(ban_after=3)
    now = T0
    expected_ban = 2 * MINUTE
    for _ in range(3):
        limiter.check_request(IP, 10, now)
        assert refused_request(limiter, 1, now).http_status == 429
        assert refused_request(limiter, 1, now + 1).http_status == 429
        assert refused_request(limiter, 1, now + 2).http_status == 429
        ban = refused_request(limiter, 1, now + 3)
        assert (ban.code, ban.http_status) == (-1003, 418)
        until = now + 3 + expected_ban
        assert ban.msg == (
            f"Way too much request weight used; IP banned until {until}. "
            "Please use WebSocket Streams for live updates to avoid bans."
        )
        assert ban.retry_after == expected_ban // 1000
        # Banned: everything is refused with 418 until the ban ends, weight or not.
        still = refused_request(limiter, 0, until - 1)
        assert (still.http_status, still.retry_after) == (418, 1)
        now = until
        expected_ban *= 2
    assert limiter.check_request(IP, 1, now)["X-MBX-USED-WEIGHT-1M"] >= 1


def test_ban_is_capped_at_three_days_and_forgotten_after_a_quiet_day() -> None:
    limiter = small(ban_after=1)
    now = T0
    bans = []
    for _ in range(13):
        now = now - now % MINUTE + MINUTE  # a fresh minute, so the first refusal is a 429
        with pytest.raises(ApiError):
            limiter.check_request(IP, 11, now)
        ban = refused_request(limiter, 1, now + 1)
        assert ban.http_status == 418
        assert ban.retry_after is not None
        bans.append(ban.retry_after)
        now = now + 1 + ban.retry_after * 1000
    assert bans[:3] == [120, 240, 480]
    assert max(bans) == 3 * 86_400
    assert bans[-1] == 3 * 86_400
    # A day without a ban starts over at 2 minutes.
    now += 86_400_000 + 1
    now = now - now % MINUTE + MINUTE
    with pytest.raises(ApiError):
        limiter.check_request(IP, 11, now)
    assert refused_request(limiter, 1, now + 1).retry_after == 120


def test_backing_off_after_a_429_is_not_a_strike() -> None:
    limiter = small(ban_after=2)
    now = T0
    for _ in range(5):
        limiter.check_request(IP, 10, now)
        error = refused_request(limiter, 1, now)
        assert error.http_status == 429
        assert error.retry_after is not None
        now += error.retry_after * 1000  # waits as told: a new window, no strikes
    limiter.check_request(IP, 1, now)


def test_prune_forgets_idle_addresses_and_accounts() -> None:
    limiter = small()
    limiter.check_request(IP, 1, T0)
    limiter.check_order(7, T0)
    limiter.prune(T0 + 1000)
    assert limiter.weight_usage(IP, T0 + 1000)["X-MBX-USED-WEIGHT-1M"] == 1
    limiter.prune(T0 + 2 * 86_400_000)
    assert limiter._ips == {} and limiter._accounts == {}


@pytest.mark.parametrize(
    ("method", "path", "query", "weight"),
    [
        ("GET", "/api/v3/ping", b"", 1),
        ("GET", "/api/v3/time", b"", 1),
        ("GET", "/api/v3/exchangeInfo", b"", 20),
        ("GET", "/api/v3/depth", b"symbol=A1", 5),
        ("GET", "/api/v3/depth", b"symbol=A1&limit=100", 5),
        ("GET", "/api/v3/depth", b"symbol=A1&limit=500", 25),
        ("GET", "/api/v3/depth", b"symbol=A1&limit=1000", 50),
        ("GET", "/api/v3/depth", b"symbol=A1&limit=5000", 250),
        ("GET", "/api/v3/trades", b"symbol=A1", 25),
        ("GET", "/api/v3/aggTrades", b"symbol=A1", 4),
        ("GET", "/api/v3/klines", b"symbol=A1", 2),
        ("GET", "/api/v3/ticker/24hr", b"symbol=A1", 2),
        ("GET", "/api/v3/ticker/24hr", b'symbols=["A1","B1"]', 2),
        ("GET", "/api/v3/ticker/24hr", ("symbols=[" + ",".join(['"A"'] * 21) + "]").encode(), 40),
        ("GET", "/api/v3/ticker/24hr", ("symbols=[" + ",".join(['"A"'] * 101) + "]").encode(), 80),
        ("GET", "/api/v3/ticker/24hr", b"", 80),
        ("GET", "/api/v3/account", b"", 20),
        ("GET", "/api/v3/order", b"symbol=A1", 4),
        ("GET", "/api/v3/openOrders", b"symbol=A1", 6),
        ("GET", "/api/v3/openOrders", b"", 80),
        ("GET", "/api/v3/allOrders", b"symbol=A1", 20),
        ("GET", "/api/v3/myTrades", b"symbol=A1", 20),
        ("GET", "/api/v3/myTrades", b"symbol=A1&orderId=5", 5),
        ("POST", "/api/v3/order", b"", 1),
        ("DELETE", "/api/v3/order", b"", 1),
        ("GET", "/api/v3/somethingNew", b"", 1),
    ],
)
def test_endpoint_weights(method: str, path: str, query: bytes, weight: int) -> None:
    assert request_weight(method, path, Params.parse(query)) == weight
