"""Price alerts by email (issue #15): "mail me when KGLD/KRW reaches 150,000".

An alert belongs to an account and names a market, a price in the engine's integer units
of the quote asset, and its direction: `up` when the price was above the last trade when
it was set, `down` when below. It fires once, on the first trade at its price or beyond
(a jump over the price fires it as well as a touch), and its owner gets a mail through
the accounts' outbox, in the account's language, with its anti-phishing code.

Stored in `accounts.sqlite3` (`price_alerts`, made here like the other tables of that
file) or the shared database (`database.py`): fired alerts keep their fired time and the
price of the trade that fired them, so a restart loads only the alerts still waiting and
none fires twice. With gateways sharing a database (`serve --shared-db`) every gateway sees
every trade, and every one watches every waiting alert: those it loaded at start, those
made on it, and those made or deleted on the others, which the shared database's change log
brings within about `POLL_S`. So an alert outlives the gateway it was made on. Marking one
fired is one conditional update: of the gateways a trade reaches it on, one mails it. At
most `MAX_ACTIVE` wait per account; of the fired ones the newest `KEEP_FIRED` stay for the
list.

`PriceAlerts.on_command` is a gateway change listener (the composition root appends it to
`Gateway.listeners`): it runs for every applied command on the engine's loop, so its cost
per trade must stay tiny. The waiting alerts are indexed by symbol, and each symbol keeps
its nearest thresholds (the lowest `up` price, the highest `down` price): a trade that
reaches neither costs a dictionary lookup and two comparisons.
"""

import asyncio
import heapq
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Final, Protocol

from assetport.accounts import errors, letters
from assetport.accounts.database import Connection, Database, SharedDatabase
from assetport.accounts.mail import MailJob
from assetport.accounts.service import Accounts
from assetport.accounts.store import Account
from assetport.domain.commands import Command
from assetport.domain.events import Event, TradeExecuted
from assetport.domain.units import MAX_AMOUNT, AmountError, from_units, to_units

logger = logging.getLogger(__name__)

MAX_ACTIVE: Final = 20
KEEP_FIRED: Final = 20
UP: Final = "up"
DOWN: Final = "down"
_NONE_ABOVE: Final = MAX_AMOUNT + 1  # a threshold no trade price reaches
_NONE_BELOW: Final = -1

_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS price_alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL,
        symbol TEXT NOT NULL,
        price INTEGER NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
        created_ms INTEGER NOT NULL,
        fired_ms INTEGER,
        fired_price INTEGER)""",
    "CREATE INDEX IF NOT EXISTS price_alerts_by_user ON price_alerts (user_id, fired_ms)",
)
_COLUMNS: Final = "id, user_id, symbol, price, direction, created_ms, fired_ms, fired_price"
ALERT_TOPIC: Final = "price_alert"  # the shared database's change log; subject: the alert id


@dataclass(frozen=True)
class MarketPrice:
    """What an alert needs to know of a market: its assets, its price rule and its last
    trade (None before the first one)."""

    base: str
    quote: str
    precision: int  # decimal places of the quote asset: prices are units of 10**-precision
    tick_size: int
    last_price: int | None


class MarketPrices(Protocol):
    """The gateway's market views as the alerts read them (handed over by `server/`: the
    accounts do not import the gateway)."""

    def market_price(self, symbol: str) -> MarketPrice | None:
        """None for a symbol no market has."""
        ...


@dataclass(frozen=True)
class PriceAlert:
    id: int
    user_id: int
    symbol: str
    price: int
    direction: str  # UP or DOWN
    created_ms: int
    fired_ms: int | None = None
    fired_price: int | None = None  # the price of the trade that fired it


class AlertStore:
    """The `price_alerts` table."""

    def __init__(self, database: Database) -> None:
        self._db = database
        database.apply(_SCHEMA)

    def add(self, user_id: int, symbol: str, price: int, direction: str, now_ms: int) -> PriceAlert:
        """Raises TOO_MANY_ALERTS when the account has `MAX_ACTIVE` waiting: counted and
        added in one transaction, so two requests cannot both take the last place. Fired
        alerts beyond the newest `KEEP_FIRED` of the account are deleted."""
        with self._db.transaction() as db:
            (waiting,) = db.execute(
                "SELECT COUNT(*) FROM price_alerts WHERE user_id = ? AND fired_ms IS NULL",
                (user_id,),
            ).fetchone()
            if waiting >= MAX_ACTIVE:
                raise errors.TOO_MANY_ALERTS.error()
            (alert_id,) = db.execute(
                "INSERT INTO price_alerts (user_id, symbol, price, direction, created_ms) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (user_id, symbol, price, direction, now_ms),
            ).fetchone()
            self._changed(db, int(alert_id))
            db.execute(
                "DELETE FROM price_alerts WHERE user_id = ? AND fired_ms IS NOT NULL AND id NOT "
                "IN (SELECT id FROM price_alerts WHERE user_id = ? AND fired_ms IS NOT NULL "
                "ORDER BY fired_ms DESC, id DESC LIMIT ?)",
                (user_id, user_id, KEEP_FIRED),
            )
        return PriceAlert(int(alert_id), user_id, symbol, price, direction, now_ms)

    def of_user(self, user_id: int) -> list[PriceAlert]:
        """The account's alerts, newest first."""
        rows = self._db.all(
            f"SELECT {_COLUMNS} FROM price_alerts WHERE user_id = ? ORDER BY id DESC", (user_id,)
        )
        return [PriceAlert(*row) for row in rows]

    def _changed(self, db: Connection, alert_id: int) -> None:
        """Tell the other gateways (a shared database's change log): they watch an alert
        made on this one, and forget one deleted or fired here."""
        self._db.changed(db, ALERT_TOPIC, str(alert_id))

    def waiting(self) -> list[PriceAlert]:
        """Every alert not fired yet (what a starting server watches)."""
        rows = self._db.all(f"SELECT {_COLUMNS} FROM price_alerts WHERE fired_ms IS NULL")
        return [PriceAlert(*row) for row in rows]

    def delete(self, user_id: int, alert_id: int) -> PriceAlert | None:
        """The deleted alert, or None when the account has no such alert."""
        with self._db.transaction() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM price_alerts WHERE id = ? AND user_id = ?",
                (alert_id, user_id),
            ).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM price_alerts WHERE id = ?", (alert_id,))
            self._changed(db, alert_id)
        return PriceAlert(*row)

    def by_id(self, alert_id: int) -> PriceAlert | None:
        row = self._db.one(f"SELECT {_COLUMNS} FROM price_alerts WHERE id = ?", (alert_id,))
        return PriceAlert(*row) if row is not None else None

    def mark_fired(self, fired: Sequence[tuple[int, int, int]]) -> list[int]:
        """(alert id, time, trade price) of alerts reached: marks them fired in one
        transaction, and returns the ids it marked. An alert deleted meanwhile, or marked
        already (by another process sharing the file), is not returned: it mails nobody."""
        marked: list[int] = []
        with self._db.transaction() as db:
            for alert_id, time_ms, price in fired:
                cursor = db.execute(
                    "UPDATE price_alerts SET fired_ms = ?, fired_price = ? "
                    "WHERE id = ? AND fired_ms IS NULL",
                    (time_ms, price, alert_id),
                )
                if cursor.rowcount == 1:
                    marked.append(alert_id)
                    self._changed(db, alert_id)
        return marked


@dataclass
class _Thresholds:
    """One symbol's waiting alerts: `up` as a min-heap of (price, id), `down` as a min-heap
    of (-price, id), and the nearest price of each side, read by every trade."""

    up: list[tuple[int, int]] = field(default_factory=list)
    down: list[tuple[int, int]] = field(default_factory=list)
    up_at: int = _NONE_ABOVE
    down_at: int = _NONE_BELOW

    def add(self, alert: PriceAlert) -> None:
        if alert.direction == UP:
            heapq.heappush(self.up, (alert.price, alert.id))
        else:
            heapq.heappush(self.down, (-alert.price, alert.id))
        self._nearest()

    def reached(self, price: int) -> list[int]:
        """Takes out and returns the ids of the alerts a trade at `price` reaches."""
        ids = []
        while self.up and self.up[0][0] <= price:
            ids.append(heapq.heappop(self.up)[1])
        while self.down and -self.down[0][0] >= price:
            ids.append(heapq.heappop(self.down)[1])
        self._nearest()
        return ids

    def remove(self, alert_id: int) -> None:
        # Rare (a person removing an alert): rebuilt rather than kept with lazy deletion.
        self.up = [entry for entry in self.up if entry[1] != alert_id]
        self.down = [entry for entry in self.down if entry[1] != alert_id]
        heapq.heapify(self.up)
        heapq.heapify(self.down)
        self._nearest()

    def empty(self) -> bool:
        return not self.up and not self.down

    def _nearest(self) -> None:
        self.up_at = self.up[0][0] if self.up else _NONE_ABOVE
        self.down_at = -self.down[0][0] if self.down else _NONE_BELOW


class PriceAlerts:
    def __init__(self, accounts: Accounts, markets: MarketPrices) -> None:
        database = accounts.store.database
        self.store = AlertStore(database)
        self.accounts = accounts
        self.markets = markets
        self._watched: dict[str, _Thresholds] = {}  # symbol -> its waiting alerts
        self._alerts: dict[int, PriceAlert] = {}  # id -> waiting alert
        for alert in self.store.waiting():
            self._watch(alert)
        if isinstance(database, SharedDatabase):
            # Made on the engine's loop, whose listener reads the index: the poller's
            # changes are read on its thread and applied on that loop.
            self._loop = asyncio.get_running_loop()
            database.shared.subscribe(ALERT_TOPIC, self._alert_changed)

    @property
    def waiting_count(self) -> int:
        return len(self._alerts)

    # -- what a person asks (the account endpoints) ----------------------------------------

    def create(self, account: Account, symbol: str, price_text: str, now_ms: int) -> PriceAlert:
        """Refusals: ALERT_MAIL_OFF, ALERT_EMAIL_NOT_VERIFIED (a mail must reach its owner),
        ALERT_UNKNOWN_SYMBOL, ALERT_BAD_PRICE (not a positive multiple of the tick),
        ALERT_NO_LAST_PRICE, ALERT_AT_LAST_PRICE (no side to wait on), TOO_MANY_ALERTS."""
        if not self.accounts.mail_configured:
            raise errors.ALERT_MAIL_OFF.error()
        if not account.email_verified:
            raise errors.ALERT_EMAIL_NOT_VERIFIED.error()
        market = self.markets.market_price(symbol)
        if market is None:
            raise errors.ALERT_UNKNOWN_SYMBOL.error()
        try:
            price = to_units(price_text.strip(), market.precision)
        except AmountError:
            raise errors.ALERT_BAD_PRICE.error() from None
        if price <= 0 or price > MAX_AMOUNT or price % market.tick_size:
            raise errors.ALERT_BAD_PRICE.error()
        last = market.last_price
        if last is None:
            raise errors.ALERT_NO_LAST_PRICE.error()
        if price == last:
            raise errors.ALERT_AT_LAST_PRICE.error()
        alert = self.store.add(account.user_id, symbol, price, UP if price > last else DOWN, now_ms)
        self._watch(alert)
        return alert

    def of(self, account: Account) -> list[PriceAlert]:
        return self.store.of_user(account.user_id)

    def delete(self, account: Account, alert_id: int) -> None:
        alert = self.store.delete(account.user_id, alert_id)
        if alert is None:
            raise errors.ALERT_NOT_FOUND.error()
        self._unwatch(alert.id)

    def shown(self, alert: PriceAlert) -> dict[str, Any]:
        """An alert as the API answers it: prices as decimal texts, as Binance's."""
        market = self.markets.market_price(alert.symbol)
        precision = market.precision if market is not None else 0  # a delisted market
        return {
            "id": alert.id,
            "symbol": alert.symbol,
            "price": from_units(alert.price, precision),
            "direction": alert.direction,
            "createTime": alert.created_ms,
            "fired": alert.fired_ms is not None,
            "firedTime": alert.fired_ms,
            "firedPrice": (
                from_units(alert.fired_price, precision) if alert.fired_price is not None else None
            ),
        }

    # -- the watcher (a gateway change listener) -------------------------------------------

    def on_command(self, seq: int, command: Command, events: list[Event], changes: object) -> None:
        """Every applied command: the trades among its events fire the alerts they reach.
        An alert leaves the index as it fires, so a command of several trades fires it once;
        its fired state is written before its mail is queued, so a restart does not bring
        it back."""
        watched = self._watched
        if not watched:
            return
        reached: list[tuple[int, int, int]] = []
        for event in events:
            if type(event) is TradeExecuted:
                thresholds = watched.get(event.symbol)
                if thresholds is None:
                    continue
                price = event.price
                if price >= thresholds.up_at or price <= thresholds.down_at:
                    reached.extend((i, event.time, price) for i in thresholds.reached(price))
                    if thresholds.empty():
                        del watched[event.symbol]
        if reached:
            self._fire(reached)

    def _fire(self, reached: list[tuple[int, int, int]]) -> None:
        alerts = {alert_id: self._alerts.pop(alert_id) for alert_id, _, _ in reached}
        prices = {alert_id: price for alert_id, _, price in reached}
        try:
            marked = self.store.mark_fired(reached)
        except Exception:  # a database failure must not stop the gateway's listeners
            logger.exception("price alerts could not be marked fired: no mail sent")
            return
        for alert_id in marked:
            self.accounts.outbox.send(self._letter_job(alerts[alert_id], prices[alert_id]))

    def _letter_job(self, alert: PriceAlert, trade_price: int) -> MailJob:
        def letter() -> EmailMessage | None:
            # The account as it is when the mail goes: its newest code and language.
            account = self.accounts.store.by_user(alert.user_id)
            market = self.markets.market_price(alert.symbol)
            if account is None or market is None:
                return None
            return letters.price_alert(
                account.email, account.language, account.anti_phishing, self.accounts.public_url,
                symbol=alert.symbol, pair=f"{market.base}/{market.quote}", quote=market.quote,
                up=alert.direction == UP, price=from_units(alert.price, market.precision),
                last=from_units(trade_price, market.precision),
            )  # fmt: skip

        return letter

    def _watch(self, alert: PriceAlert) -> None:
        self._alerts[alert.id] = alert
        self._watched.setdefault(alert.symbol, _Thresholds()).add(alert)

    def _unwatch(self, alert_id: int) -> None:
        alert = self._alerts.pop(alert_id, None)
        if alert is not None:
            thresholds = self._watched[alert.symbol]
            thresholds.remove(alert_id)
            if thresholds.empty():
                del self._watched[alert.symbol]

    # -- another gateway's alerts (the shared database's change log) -------------------------

    def _alert_changed(self, subject: str | None) -> None:
        """On the poller's thread: an alert made or deleted (on any gateway), or, for None,
        changes missed (a gap): every waiting alert read again."""
        if subject is None:
            waiting = self.store.waiting()
            self._loop.call_soon_threadsafe(self._rewatch, waiting)
            return
        alert_id = int(subject)
        self._loop.call_soon_threadsafe(self._take_change, alert_id, self.store.by_id(alert_id))

    def _take_change(self, alert_id: int, alert: PriceAlert | None) -> None:
        """On the loop: watch the alert if it waits, forget it if it is gone or fired."""
        if alert is not None and alert.fired_ms is None:
            if alert_id not in self._alerts:
                self._watch(alert)
        else:
            self._unwatch(alert_id)

    def _rewatch(self, waiting: list[PriceAlert]) -> None:
        self._watched.clear()
        self._alerts.clear()
        for alert in waiting:
            self._watch(alert)
