"""Requests through a TLS-terminating reverse proxy, and HSTS.

Behind a proxy every request comes from the proxy's address over plain http; the proxy says
who the client was (`X-Forwarded-For`) and how it came (`X-Forwarded-Proto`). Those headers
are believed only from the addresses the operator names (`assetport serve --trusted-proxy
CIDR`, repeatable): from anyone else they are a client's claim and ignored, since the
per-address limits, bans and API key IP allowlists key on the address, and cookies get
`Secure` by the scheme. Of `X-Forwarded-For`'s hops the rightmost one that is not a trusted
proxy is the client (the ones left of it were written by the client itself); of several
such headers every path reads the last (a proxy that adds its own, as HAProxy does, writes
it after any the client sent).

`ForwardedHeaders` does this for the ASGI app (pages, accounts, operator endpoints, market
streams); the REST fast path (`http_server`) asks `TrustedProxies.client` itself. With
`--tls-cert/--tls-key` the server speaks TLS itself, and uvicorn adds
`Strict-Transport-Security` to every answer; behind a trusted proxy that said https,
`ForwardedHeaders` adds it to the app's answers.
"""

import ipaddress
from collections.abc import Iterable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A year, subdomains included: once a browser has seen the site over https, it never
# again sends a cookie over plain http to it (the preload list's minimum is a year).
HSTS: Final = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> IpAddress | None:
    """An address of a forwarded header (with a port, IPv6 in brackets), or None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class TrustedProxies:
    def __init__(self, networks: Iterable[str] = ()) -> None:
        """Raises ValueError for a network that is not an address or CIDR."""
        self.networks: tuple[IpNetwork, ...] = tuple(
            ipaddress.ip_network(network, strict=False) for network in networks
        )

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, address: str | IpAddress) -> bool:
        if not self.networks:
            return False
        ip = _address(address) if isinstance(address, str) else address
        return ip is not None and any(ip in network for network in self.networks)

    def client(self, peer: str, forwarded_for: str | None) -> str:
        """The client's address: `peer`, unless a trusted proxy forwarded the request."""
        if not forwarded_for or not self.trusts(peer):
            return peer
        client = peer
        for hop in reversed(forwarded_for.split(",")):
            address = _address(hop)
            if address is None:  # not an address: nothing left of it can be believed
                return client
            client = str(address)
            if not self.trusts(address):
                return client
        return client

    def scheme(self, peer: str, forwarded_proto: str | None, scheme: str) -> str:
        """`http` or `https` as the trusted proxy received the request, else `scheme`."""
        if not forwarded_proto or not self.trusts(peer):
            return scheme
        proto = forwarded_proto.split(",")[0].strip().lower()
        return proto if proto in ("http", "https") else scheme


class ForwardedHeaders:
    """ASGI middleware: a trusted proxy's request gets the client's address and scheme."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] not in ("http", "websocket") or client is None:
            await self.app(scope, receive, send)
            return
        peer = client[0]
        if not self.proxies.trusts(peer):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        forwarded_for = headers.get(b"x-forwarded-for", b"").decode("latin-1")
        forwarded_proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1")
        scheme = self.proxies.scheme(peer, forwarded_proto, "http")
        secure = scheme == "https"
        scope = dict(scope)
        scope["client"] = (self.proxies.client(peer, forwarded_for), 0)
        if scope["type"] == "websocket":
            scope["scheme"] = "wss" if secure else "ws"
        else:
            scope["scheme"] = scheme
        if not secure or scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                if b"strict-transport-security" not in names:
                    name, value = HSTS
                    message = {
                        **message,
                        "headers": [
                            *message.get("headers", []),
                            (name.lower().encode(), value.encode()),
                        ],
                    }
            await send(message)

        await self.app(scope, receive, send_with_hsts)
