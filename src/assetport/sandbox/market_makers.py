"""Demo market makers: a living book on every market from the first minute of a sandbox.

A maker account quotes a few levels on each side around a reference price that drifts in a
slow random walk pulled back towards its start; a taker account now and then trades against
the book, so that trades, candles and tickers move. Everything goes through the engine as
ordinary commands (journaled like any client's), from platform accounts 10 and 11, which
hold funds the sandbox deposits for them.
"""

import asyncio
import logging
import random
from dataclasses import dataclass

from assetport.domain.commands import CancelAllOrders, Command, Deposit, PlaceOrder
from assetport.domain.events import CommandRejected
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.domain.units import to_units
from assetport.engine.market import MarketState
from assetport.runtime.service import EngineService

logger = logging.getLogger(__name__)

MAKER_ACCOUNT = 10
TAKER_ACCOUNT = 11
LEVELS = 5
SPREAD_BPS = 10  # half the distance between the best bid and ask, around the reference
STEP_BPS = 8  # between levels
QUOTE_EVERY_S = 2.0
FUNDS_WHOLE_UNITS = 10**9  # more than the demo could ever use up, per asset

# Where each demo market starts (quote per whole base unit), and the 24 h feel it aims for.
REFERENCE_PRICES = {
    "KGLDKRW": "130000",
    "KSLVKRW": "1700",
    "KCUKRW": "13000",
    "KOILKRW": "100000",
    "BTCKRW": "140000000",
    "ETHKRW": "5000000",
    "BTCUSDT": "100000",
}


@dataclass
class Quote:
    symbol: str
    reference: int  # quote units per whole base unit
    start: int


class DemoMarketMakers:
    def __init__(self, service: EngineService, seed: int = 7) -> None:
        self.service = service
        self.random = random.Random(seed)
        self.quotes: dict[str, Quote] = {}

    async def fund(self) -> None:
        """Deposit the makers' funds (idempotent by reference across restarts)."""
        engine = self.service.engine
        for asset in engine.assets.values():
            for account in (MAKER_ACCOUNT, TAKER_ACCOUNT):
                amount = FUNDS_WHOLE_UNITS * asset.unit
                await self._send(
                    Deposit(account, asset.code, amount, f"sandbox-{account}-{asset.code}")
                )

    async def run(self) -> None:
        await self.fund()
        while True:
            for m in list(self.service.engine.markets.values()):
                try:
                    await self._quote(m)
                    if self.random.random() < 0.5:
                        await self._take(m)
                except Exception:
                    logger.exception("demo market maker on %s", m.symbol)
            await asyncio.sleep(QUOTE_EVERY_S)

    def _reference(self, m: MarketState) -> int:
        quote = self.quotes.get(m.symbol)
        if quote is None:
            start = self._start_price(m)
            quote = self.quotes[m.symbol] = Quote(m.symbol, start, start)
        # A random walk of up to 0.2 % a step, pulled a tenth of the way back to the start.
        drift = self.random.uniform(-0.002, 0.002) * quote.reference
        pull = (quote.start - quote.reference) / 10
        reference = int(quote.reference + drift + pull)
        quote.reference = max(m.tick_size, reference - reference % m.tick_size)
        return quote.reference

    def _start_price(self, m: MarketState) -> int:
        precision = self.service.engine.assets[m.quote].precision
        text = REFERENCE_PRICES.get(m.symbol)
        if text is not None:
            return to_units(text, precision)
        return m.last_price or m.tick_size * 1000

    async def _quote(self, m: MarketState) -> None:
        reference = self._reference(m)
        await self._send(CancelAllOrders(MAKER_ACCOUNT, m.symbol), quiet=True)
        for level in range(LEVELS):
            distance = (SPREAD_BPS + level * STEP_BPS) * reference // 10_000
            for side, price in (
                (Side.BUY, reference - distance),
                (Side.SELL, reference + distance),
            ):
                price -= price % m.tick_size
                if price <= 0:
                    continue
                await self._send(
                    PlaceOrder(
                        MAKER_ACCOUNT, m.symbol, side, OrderType.LIMIT,
                        quantity=self._quantity(m, price), price=price,
                        time_in_force=TimeInForce.GTC,
                    ),
                    quiet=True,
                )  # fmt: skip

    def _quantity(self, m: MarketState, price: int) -> int:
        """A few times the minimum order, by value and by quantity, in whole steps."""
        by_value = (m.min_notional * m.base_unit // price) if m.min_notional else 0
        smallest = max(m.min_qty, by_value + m.step_size)
        quantity = smallest * self.random.randint(2, 20)
        return min(m.max_qty, quantity - quantity % m.step_size)

    async def _take(self, m: MarketState) -> None:
        side = Side.BUY if self.random.random() < 0.5 else Side.SELL
        best = (m.asks if side is Side.BUY else m.bids).best()
        if best is None:
            return
        await self._send(
            PlaceOrder(
                TAKER_ACCOUNT, m.symbol, side, OrderType.MARKET,
                quantity=self._quantity(m, best),
            ),
            quiet=True,
        )  # fmt: skip

    async def _send(self, command: Command, quiet: bool = False) -> None:
        outcome = await self.service.execute(command)
        if quiet:
            return
        for event in outcome.events:
            if isinstance(event, CommandRejected) and event.reason.value != "ALREADY_APPLIED":
                logger.warning("sandbox command refused: %s %s", command, event.reason)
