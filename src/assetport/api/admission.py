"""Who may connect, and what a refused request costs: shared by the HTTP and WebSocket
protocols (`http_server`, `ws_server`, `ws_stream_protocol`), before anything a client sent is
parsed.

- A banned address (418, `ratelimit`) is answered its ban, on a new connection and on
  every request, before the request is read any further.
- At most `connections_per_address` open connections per address, HTTP and WebSocket
  together (a connection upgraded to WebSocket keeps its place); beyond that a new one is
  answered -1034 (429) and closed. A trusted proxy's connections are not counted: each
  carries many clients, and the proxy limits them itself.
- A request the transport refuses (too large, too slow, malformed; a WebSocket client
  breaking the frame limits) costs its address `REFUSED_WEIGHT` of request weight, so a
  flood of them leads to 429 and then a ban, as any other flood does.
"""

from collections.abc import Callable

from assetport.api.errors import ApiError
from assetport.api.proxies import TrustedProxies
from assetport.api.ratelimit import RateLimiter
from assetport.api.transport_limits import REFUSED_WEIGHT, TransportLimits, too_many_connections


class Admission:
    def __init__(
        self,
        limits: TransportLimits,
        limiter: RateLimiter,
        clock_ms: Callable[[], int],
        proxies: TrustedProxies | None = None,
    ) -> None:
        self.limits = limits
        self.limiter = limiter
        self.clock_ms = clock_ms
        self.proxies = proxies if proxies is not None else TrustedProxies()
        self._addresses: dict[object, str] = {}  # open connection (its transport) -> address
        self._counts: dict[str, int] = {}

    def connect(self, connection: object, ip: str) -> ApiError | None:
        """Give a new connection its place; or the error to answer it with (418, -1034)."""
        banned = self.banned(ip)
        if banned is not None:
            return banned
        if self.proxies.trusts(ip):
            return None
        count = self._counts.get(ip, 0)
        if count >= self.limits.connections_per_address:
            return self.refused(ip, too_many_connections(self.limits))
        self._counts[ip] = count + 1
        self._addresses[connection] = ip
        return None

    def disconnect(self, connection: object) -> None:
        """The connection ended (called once or more: the first call frees its place)."""
        ip = self._addresses.pop(connection, None)
        if ip is None:
            return
        count = self._counts[ip] - 1
        if count:
            self._counts[ip] = count
        else:
            del self._counts[ip]

    def banned(self, ip: str) -> ApiError | None:
        """The 418 of a banned address; None for any other."""
        try:
            self.limiter.check_ban(ip, self.clock_ms())
        except ApiError as error:
            return error
        return None

    def refused(self, ip: str, error: ApiError) -> ApiError:
        """Weigh a refused request of `ip`; answer `error`, or the 429/418 it led to."""
        return self.charge(ip) or error

    def charge(self, ip: str) -> ApiError | None:
        """Count a refused request against `ip`'s request weight; the 429/418 when that
        went over its limit."""
        if self.proxies.trusts(ip):
            return None  # the proxy's address speaks for many clients
        try:
            self.limiter.check_request(ip, REFUSED_WEIGHT, self.clock_ms())
        except ApiError as over:
            return over
        return None
