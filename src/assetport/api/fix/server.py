"""The FIX ports: an order entry port and a drop copy port (Binance runs them on two hosts,
`fix-oe` and `fix-dc`; here two ports of the server's host), each off unless
`assetport serve --fix-port N` / `--fix-drop-copy-port N` turns it on.

Each connection is a `Session` on an asyncio protocol: bytes go straight to the session's
framer, answers straight to the socket; a ticker calls every session's timers four times a
second. An address may hold `connections_per_address` connections (logged on or not); an
account `order_entry_sessions_per_account` order entry and
`drop_copy_sessions_per_account` drop copy sessions, each SenderCompID once (Binance).
Stopping sends every session News<B> and Logout<5>, then closes it.
"""

import asyncio
import contextlib
import functools
import logging
import time
import typing
from collections import Counter
from typing import Final

from assetport.api import errors
from assetport.api.errors import ApiError
from assetport.api.fix.drop_copy import DropCopy
from assetport.api.fix.limits import FixLimits
from assetport.api.fix.order_entry import OrderEntry
from assetport.api.fix.session import SHUTDOWN_NEWS, Application, Kind, Session
from assetport.api.gateway import Gateway
from assetport.api.user_data import UserData

logger = logging.getLogger(__name__)

TICK_S: Final = 0.25
CONNECT_WEIGHT: Final = 2  # the WebSocket API's
_READ_BYTES: Final = 64 * 1024


class _Connection(asyncio.Protocol):
    """One socket and its session (session.Connection)."""

    def __init__(self, server: "FixServer", kind: Kind, application: Application) -> None:
        self.server = server
        self.kind = kind
        self.application = application
        self.transport: asyncio.Transport | None = None
        self.session: Session | None = None
        self.ip = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods.
        transport = typing.cast(asyncio.Transport, transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.ip = str(peer[0]) if peer else ""
        server = self.server
        if server.by_address[self.ip] >= server.limits.connections_per_address:
            transport.abort()  # refused before anything it sent is read
            return
        gateway = server.gateway
        try:
            # A connection weighs on its address as the WebSocket API's do: a flood of
            # them ends in 429 and a ban, and a banned address is refused here too.
            now = gateway.clock_ms()
            gateway.limiter.check_ban(self.ip, now)
            gateway.limiter.check_request(self.ip, CONNECT_WEIGHT, now)
        except ApiError:
            transport.abort()
            return
        server.by_address[self.ip] += 1
        self.session = Session(
            self.kind,
            self,
            self.ip,
            keys=gateway.keys,
            clock_ms=gateway.clock_ms,
            limits=server.limits,
            application=self.application,
            registry=server,
        )
        server.sessions.add(self.session)

    def data_received(self, data: bytes) -> None:
        if self.session is not None:
            self.session.data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        session = self.session
        if session is None:
            return
        self.session = None
        session.connection_lost()
        server = self.server
        server.sessions.discard(session)
        server.by_address[self.ip] -= 1
        if server.by_address[self.ip] <= 0:
            del server.by_address[self.ip]

    # -- session.Connection ---------------------------------------------------------------

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def queued_bytes(self) -> int:
        return self.transport.get_write_buffer_size() if self.transport is not None else 0

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class FixServer:
    """The FIX ports of one gateway (session.Registry)."""

    def __init__(self, gateway: Gateway, user_data: UserData, limits: FixLimits) -> None:
        self.gateway = gateway
        self.limits = limits
        self.order_entry = OrderEntry(gateway, user_data)
        self.drop_copy = DropCopy(user_data)
        self.sessions: set[Session] = set()
        self.by_address: Counter[str] = Counter()
        self._logged_on: dict[tuple[Kind, int], list[Session]] = {}
        self._servers: list[asyncio.Server] = []
        self._ticker: asyncio.Task[None] | None = None
        self.ports: dict[Kind, int] = {}

    async def start(
        self, host: str, order_entry_port: int | None, drop_copy_port: int | None
    ) -> None:
        loop = asyncio.get_running_loop()
        for kind, port, application in (
            (Kind.ORDER_ENTRY, order_entry_port, self.order_entry),
            (Kind.DROP_COPY, drop_copy_port, self.drop_copy),
        ):
            if port is None:
                continue
            connection = functools.partial(_Connection, self, kind, application)
            server = await loop.create_server(connection, host, port)
            self._servers.append(server)
            self.ports[kind] = server.sockets[0].getsockname()[1]
        self._ticker = loop.create_task(self._tick())

    async def stop(self) -> None:
        """News<B> and Logout<5> to every session, then close the ports."""
        if self._ticker is not None:
            self._ticker.cancel()
        for server in self._servers:
            server.close()
        for session in list(self.sessions):
            if session.logged_on:
                session.news(SHUTDOWN_NEWS)
                session.logout(SHUTDOWN_NEWS)
            else:
                session.close()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            for session in list(self.sessions):
                try:
                    session.tick(now)
                except Exception:
                    logger.exception("FIX session timer failed")
                    session.close(abort=True)

    # -- session.Registry -----------------------------------------------------------------

    def admit(self, session: Session) -> ApiError | None:
        """Binance's per-account connection limits and unique SenderCompIDs."""
        assert session.key is not None
        slot = (session.kind, session.key.account)
        active = self._logged_on.setdefault(slot, [])
        limit = (
            self.limits.order_entry_sessions_per_account
            if session.kind is Kind.ORDER_ENTRY
            else self.limits.drop_copy_sessions_per_account
        )
        if len(active) >= limit:
            return errors.too_many_connections(limit)
        if any(other.client_comp_id == session.client_comp_id for other in active):
            return errors.invalid_parameter("SenderCompID")  # unique among active sessions
        active.append(session)
        return None

    def release(self, session: Session) -> None:
        if session.key is None:
            return
        slot = (session.kind, session.key.account)
        active = self._logged_on.get(slot)
        if active is not None and session in active:
            active.remove(session)
            if not active:
                del self._logged_on[slot]
