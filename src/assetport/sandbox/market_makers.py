"""Demo market makers: a living book on every market from the first minute of a sandbox.

A maker account quotes a few levels on each side around a reference price that drifts in a
slow random walk pulled back towards its start; a taker account now and then trades against
the book, so that trades, candles and tickers move. Everything goes through the gateway's engine as
ordinary commands (journaled like any client's), from platform accounts 10 and 11, which
hold funds the sandbox deposits for them; what they quote around is read from the gateway's
views (the listings, the last price, the best bid and ask).

A real-world-asset token is not deposited: its supply may never pass its attested reserve,
and the engine holds a deposit to that too. The makers get their float from the issuer, as
a placement: the issuer mints it into its treasury, within the reserve, and allocates it
(`TransferRwa` ALLOCATION), sized so that quoting lasts (`FLOAT_ORDERS`).
"""

import asyncio
import logging
import random
from dataclasses import dataclass

from assetport.api.gateway import Gateway
from assetport.domain.accounts import DEMO_MARKET_MAKER, DEMO_TAKER
from assetport.domain.assets import Asset, AssetKind
from assetport.domain.commands import (
    CancelAllOrders,
    Command,
    Deposit,
    MintRwa,
    PlaceOrder,
    TransferRwa,
)
from assetport.domain.events import CommandRejected
from assetport.domain.issuance.terms import TransferKind
from assetport.domain.markets import Market
from assetport.domain.orders import OrderType, Side, TimeInForce
from assetport.domain.units import to_units

logger = logging.getLogger(__name__)

MAKER_ACCOUNT = DEMO_MARKET_MAKER
TAKER_ACCOUNT = DEMO_TAKER
LEVELS = 5
SPREAD_BPS = 10  # half the distance between the best bid and ask, around the reference
STEP_BPS = 8  # between levels
QUOTE_EVERY_S = 2.0
FUNDS_WHOLE_UNITS = 10**9  # more than the demo could ever use up, per asset
# Each maker account's float of a real-world-asset token: this many of its market's smallest
# orders, a hundred of the largest (the book holds at most LEVELS of them a side), so the
# taker's random walk rarely empties either account; far below the demo reserves.
FLOAT_ORDERS = 2000

# Where each demo market starts (quote per whole base unit), and the 24 h feel it aims for.
REFERENCE_PRICES = {
    "KGLDKRW": "130000",
    "KSLVKRW": "1700",
    "KCUKRW": "13000",
    "KOILKRW": "100000",
    "KRE1KRW": "5000",
    "KCO2KRW": "15000",
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
    def __init__(self, gateway: Gateway, seed: int = 7) -> None:
        self.gateway = gateway
        self.random = random.Random(seed)
        self.quotes: dict[str, Quote] = {}

    async def fund(self) -> None:
        """Deposit the makers' funds, or have the issuer place them (idempotent by reference
        across restarts)."""
        for asset in list(self.gateway.markets.assets.values()):
            if asset.kind is AssetKind.RWA_TOKEN and asset.issuer is not None:
                await self._placed(asset, asset.issuer)
                continue
            for account in (MAKER_ACCOUNT, TAKER_ACCOUNT):
                amount = FUNDS_WHOLE_UNITS * asset.unit
                await self._send(
                    Deposit(account, asset.code, amount, f"sandbox-{account}-{asset.code}")
                )

    async def _placed(self, asset: Asset, issuer: int) -> None:
        """The issuer mints both accounts' float of `asset` into its treasury and allocates
        it to each. A token with no market or no issuer set up gets nothing (logged)."""
        market = next(
            (t.market for t in self.gateway.markets.terms.values() if t.market.base == asset.code),
            None,
        )
        if market is None:
            return
        each = FLOAT_ORDERS * self._smallest(market, self._start_price(market))
        accounts = (MAKER_ACCOUNT, TAKER_ACCOUNT)
        await self._send(MintRwa(asset.code, each * len(accounts), f"sandbox-float-{asset.code}"))
        for account in accounts:
            await self._send(
                TransferRwa(issuer, asset.code, issuer, account, each, TransferKind.ALLOCATION,
                            "sandbox market maker's float", f"sandbox-{account}-{asset.code}")
            )  # fmt: skip

    async def run(self) -> None:
        await self.fund()
        while True:
            for terms in list(self.gateway.markets.terms.values()):
                m = terms.market
                try:
                    await self._quote(m)
                    if self.random.random() < 0.5:
                        await self._take(m)
                except Exception:
                    logger.exception("demo market maker on %s", m.symbol)
            await asyncio.sleep(QUOTE_EVERY_S)

    def _reference(self, m: Market) -> int:
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

    def _start_price(self, m: Market) -> int:
        precision = self.gateway.markets.precision[m.quote]
        text = REFERENCE_PRICES.get(m.symbol)
        if text is not None:
            return to_units(text, precision)
        return self.gateway.market_data.last_price(m.symbol) or m.tick_size * 1000

    async def _quote(self, m: Market) -> None:
        """The ladder replaced: its cancel and its new orders sent at once, so that they
        reach the engine together (one batch, as a rule) and a visitor's book is never
        caught with half a ladder."""
        reference = self._reference(m)
        commands: list[Command] = [CancelAllOrders(MAKER_ACCOUNT, m.symbol)]
        for level in range(LEVELS):
            distance = (SPREAD_BPS + level * STEP_BPS) * reference // 10_000
            for side, price in (
                (Side.BUY, reference - distance),
                (Side.SELL, reference + distance),
            ):
                price -= price % m.tick_size
                if price <= 0:
                    continue
                commands.append(
                    PlaceOrder(
                        MAKER_ACCOUNT, m.symbol, side, OrderType.LIMIT,
                        quantity=self._quantity(m, price), price=price,
                        time_in_force=TimeInForce.GTC,
                    )
                )  # fmt: skip
        await asyncio.gather(*(self._send(command, quiet=True) for command in commands))

    def _quantity(self, m: Market, price: int) -> int:
        """A few times the minimum order, by value and by quantity, in whole steps."""
        quantity = self._smallest(m, price) * self.random.randint(2, 20)
        return min(m.max_qty, quantity - quantity % m.step_size)

    def _smallest(self, m: Market, price: int) -> int:
        """The smallest order the market takes at `price`, by value and by quantity."""
        base_unit = self.gateway.markets.assets[m.base].unit
        by_value = (m.min_notional * base_unit // price) if m.min_notional else 0
        return max(m.min_qty, by_value + m.step_size)

    async def _take(self, m: Market) -> None:
        side = Side.BUY if self.random.random() < 0.5 else Side.SELL
        bid, ask = self.gateway.market_data.best_prices(m.symbol)
        best = ask if side is Side.BUY else bid
        if not best:
            return
        await self._send(
            PlaceOrder(
                TAKER_ACCOUNT, m.symbol, side, OrderType.MARKET,
                quantity=self._quantity(m, best),
            ),
            quiet=True,
        )  # fmt: skip

    async def _send(self, command: Command, quiet: bool = False) -> None:
        outcome = await self.gateway.engine.execute(command)
        if quiet:
            return
        for event in outcome.events:
            if isinstance(event, CommandRejected) and event.reason.value != "ALREADY_APPLIED":
                logger.warning("sandbox command refused: %s %s", command, event.reason)
