"""User data streams: each account's order and balance changes as Binance's user events
(docs/binance-api.md, "User data events"): `executionReport`, `outboundAccountPosition`,
`balanceUpdate`.

`UserData.on_command` is a gateway listener: it runs once per command, right after the
command is applied and before its replies go out, so the ledger it reads is exactly the
state after that command. Nothing is built for an account nobody listens to, which keeps the
engine's loop fast under load. Subscribers (a WebSocket API subscription, a legacy listenKey
socket) get plain event dicts and wrap them as their protocol wants.
"""

from collections.abc import Callable
from typing import Any, Final, Protocol, assert_never

from assetport.api.gateway import Gateway
from assetport.api.render import execution_report, ms
from assetport.api.rest_order_lists import list_status_event
from assetport.domain.commands import CancelOrder, CancelReplace, Command
from assetport.domain.events import (
    AccountFeesChanged,
    AccountIdentitySet,
    AnyEvent,
    AssetListed,
    AttestorRegistered,
    CommandRejected,
    CreditsRetired,
    CustodyPolicySet,
    DepositCredited,
    Deposited,
    DistributionPaid,
    DustConverted,
    Event,
    HolderRulesSet,
    HoldingFrozen,
    HoldingUnfrozen,
    MarketFeeAssetChanged,
    MarketFeesChanged,
    MarketListed,
    MarketSelfTradePreventionChanged,
    MarketStatusChanged,
    MatchPrevented,
    NftAuctionEnded,
    NftAuctionStarted,
    NftBidPlaced,
    NftBoxOpened,
    NftCollectionCreated,
    NftCollectionVerified,
    NftContractSet,
    NftDeposited,
    NftDropCreated,
    NftDropEnded,
    NftDropEntered,
    NftDropRefunded,
    NftFeeSet,
    NftListed,
    NftListingEnded,
    NftMinted,
    NftOfferEnded,
    NftOfferMade,
    NftSold,
    NftTransferred,
    NftWithdrawalFailed,
    NftWithdrawalRequested,
    NftWithdrawn,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderListPlaced,
    OrderListStatus,
    OrderTriggered,
    RedemptionCompleted,
    RedemptionEnded,
    RedemptionRequested,
    ReserveAttested,
    RwaBurned,
    RwaMinted,
    RwaTermsSet,
    RwaTransferred,
    Subscribed,
    SubscriptionTermsSet,
    TradeExecuted,
    WithdrawalAddressAdded,
    WithdrawalAddressRemoved,
    WithdrawalApproved,
    WithdrawalCompleted,
    WithdrawalEnded,
    WithdrawalRequested,
    WithdrawalRiskHoldSet,
    WithdrawalRulesSet,
    WithdrawalSigned,
    Withdrawn,
)
from assetport.domain.order_lists import ListOrderStatus, ListStatusType
from assetport.domain.orders import OrderStatus
from assetport.marketdata.time_unit import in_microseconds
from assetport.views.orders import OrderChange, OrderRecord

# Execution ids: unique per change, from the command's seq and the change's place in it.
_EXECUTIONS_PER_COMMAND: Final = 1 << 16


class UserSubscriber(Protocol):
    """Gets an account's events. One with a true `micro` attribute (`?timeUnit=MICROSECOND`
    on its connection) gets them with their times in microseconds."""

    def deliver(self, event: dict[str, Any]) -> None: ...


class UserData:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.subscribers: dict[int, list[UserSubscriber]] = {}
        gateway.listeners.append(self.on_command)

    def subscribe(self, account: int, subscriber: UserSubscriber) -> None:
        self.subscribers.setdefault(account, []).append(subscriber)

    def unsubscribe(self, account: int, subscriber: UserSubscriber) -> None:
        found = self.subscribers.get(account)
        if found is not None and subscriber in found:
            found.remove(subscriber)
            if not found:
                del self.subscribers[account]

    def on_command(
        self, seq: int, command: Command, events: list[Event], changes: list[OrderChange]
    ) -> None:
        subscribers = self.subscribers
        if not subscribers or not events:
            return
        touched: dict[int, set[str]] = {}
        for event in events:
            for account, asset in self._moves(event):
                if account in subscribers:
                    touched.setdefault(account, set()).add(asset)
            if isinstance(event, (Deposited, Withdrawn)) and event.account in subscribers:
                delta = event.amount if isinstance(event, Deposited) else -event.amount
                self._emit(event.account, self._balance_update, event.asset, delta, event.time)
            elif isinstance(event, DepositCredited) and event.account in subscribers:
                update = (event.asset, event.amount, event.time)
                self._emit(event.account, self._balance_update, *update)
            elif isinstance(event, DistributionPaid):
                for account, units in event.payouts:
                    if account in subscribers:
                        update = (event.pay_asset, units, event.time)
                        self._emit(account, self._balance_update, *update)
            elif isinstance(
                event, Subscribed | RedemptionCompleted | CreditsRetired | RwaTransferred
            ):
                for account, asset, delta in _issuance_deltas(event):
                    if account in subscribers and delta:
                        self._emit(account, self._balance_update, asset, delta, event.time)
            elif isinstance(event, WithdrawalCompleted) and event.account in subscribers:
                # What left the account: the amount sent and the network fee.
                delta = -(event.amount + event.fee)
                self._emit(event.account, self._balance_update, event.asset, delta, event.time)
        if changes:
            self._execution_reports(seq, _cancel_id(command), changes)
            self._list_statuses(events)
        time_us = events[0].time
        for account, assets in touched.items():
            self._emit(account, self.account_position, account, assets, time_us)

    def account_position(self, account: int, assets: set[str], time_us: int) -> dict[str, Any]:
        """`outboundAccountPosition` for `assets`, free and locked as the engine has them
        right after the command (the gateway's engine link reads its balances)."""
        balances = {
            asset: (free, held) for _, asset, free, held in self.gateway.engine.balances(account)
        }
        markets = self.gateway.markets
        rows = []
        for asset in sorted(assets):
            free, held = balances.get(asset, (0, 0))
            rows.append(
                {"a": asset, "f": markets.amount(asset, free), "l": markets.amount(asset, held)}
            )
        time = ms(time_us)
        return {"e": "outboundAccountPosition", "E": time, "u": time, "B": rows}

    def _emit(self, account: int, render: Callable[..., dict[str, Any]], *args: Any) -> None:
        """`render(*args)` to the account's subscribers: rendered once for those in
        milliseconds and once, in microseconds, for those who asked for them (only when
        there are such)."""
        plain: dict[str, Any] | None = None
        micro: dict[str, Any] | None = None
        for subscriber in self.subscribers.get(account, ()):
            if getattr(subscriber, "micro", False):
                if micro is None:
                    with in_microseconds():
                        micro = render(*args)
                subscriber.deliver(micro)
            else:
                if plain is None:
                    plain = render(*args)
                subscriber.deliver(plain)

    def _send(self, account: int, event: dict[str, Any]) -> None:
        """An event with no time in it, as it is, to the account's subscribers (one with
        times goes through `_emit`, which renders it in each subscriber's unit)."""
        for subscriber in self.subscribers.get(account, ()):
            subscriber.deliver(event)

    def _balance_update(self, asset: str, delta: int, time_us: int) -> dict[str, Any]:
        time = ms(time_us)
        amount = self.gateway.markets.amount(asset, delta)
        return {"e": "balanceUpdate", "E": time, "a": asset, "d": amount, "T": time}

    def _moves(self, event: Event) -> list[tuple[int, str]]:
        """The (account, asset) balances an event changes, fees to the platform aside.
        Every kind of event is named: mypy (`assert_never`) refuses a kind added to
        `AnyEvent` that the user data streams do not say what to do with."""
        known: AnyEvent = event  # type: ignore[assignment]  # the engine makes only these
        match known:
            case TradeExecuted():
                base, quote = self.gateway.markets.pairs[known.symbol]
                buyer, seller = known.buyer_account, known.seller_account
                return [(buyer, base), (buyer, quote), (seller, base), (seller, quote)]
            case OrderAccepted() | OrderTriggered():
                return [(known.account, known.held_asset)]
            case OrderCanceled() | OrderExpired() | OrderFilled() | OrderAmended():
                return [(known.account, known.asset)]
            case (
                Deposited()
                | Withdrawn()
                | DepositCredited()
                | WithdrawalRequested()
                | WithdrawalCompleted()
                | WithdrawalEnded()
            ):
                return [(known.account, known.asset)]
            case DustConverted():
                moved = [(known.account, c.asset) for c in known.conversions]
                return [*moved, (known.account, known.target)]
            case RwaMinted() | RwaBurned():
                return [(known.issuer, known.asset)]
            case DistributionPaid():
                paid = [(account, known.pay_asset) for account, _ in known.payouts]
                return [(known.issuer, known.pay_asset), *paid]
            case Subscribed():
                return [(known.account, known.asset), (known.account, known.quote),
                        (known.issuer, known.quote)]  # fmt: skip
            case RedemptionRequested() | RedemptionEnded() | CreditsRetired():
                return [(known.account, known.asset)]
            case RedemptionCompleted():
                moved = [(known.account, known.asset), (known.issuer, known.asset)]
                if known.cash:
                    moved += [(known.account, known.pay_asset), (known.issuer, known.pay_asset)]
                return moved
            case RwaTransferred():
                return [(known.source, known.asset), (known.target, known.asset)]
            case HoldingFrozen() | HoldingUnfrozen():
                return [(known.account, known.asset)]  # free to held, or back
            case AccountIdentitySet() | HolderRulesSet():
                return []
            case NftSold():
                paid = [(account, known.currency) for account, _ in known.royalties]
                return [(known.buyer, known.currency), (known.seller, known.currency), *paid]
            case NftOfferMade() | NftOfferEnded() | NftDropEntered() | NftDropRefunded():
                return [(known.account, known.currency)]
            case NftBidPlaced():
                outbid = [(known.outbid, known.currency)] if known.outbid else []
                return [(known.account, known.currency), *outbid]
            case NftAuctionEnded():
                return [(known.bidder, known.currency)] if known.released else []
            case (
                NftCollectionCreated()
                | NftCollectionVerified()
                | NftFeeSet()
                | NftMinted()
                | NftTransferred()
                | NftListed()
                | NftListingEnded()
                | NftAuctionStarted()
                | NftDropCreated()
                | NftBoxOpened()
                | NftDropEnded()
                | NftContractSet()
                | NftWithdrawalRequested()
                | NftWithdrawn()
                | NftWithdrawalFailed()
                | NftDeposited()
            ):
                return []  # items are not balances
            case (
                AssetListed()
                | MarketListed()
                | MarketStatusChanged()
                | MarketFeesChanged()
                | MarketFeeAssetChanged()
                | MarketSelfTradePreventionChanged()
                | AccountFeesChanged()
                | CommandRejected()
                | MatchPrevented()
                | OrderListPlaced()
                | OrderListStatus()
                | WithdrawalRulesSet()
                | CustodyPolicySet()
                | WithdrawalAddressAdded()
                | WithdrawalAddressRemoved()
                | WithdrawalRiskHoldSet()
                | WithdrawalApproved()
                | WithdrawalSigned()
                | AttestorRegistered()
                | RwaTermsSet()
                | ReserveAttested()
                | SubscriptionTermsSet()
            ):
                return []  # no balance moves (an order's prevention is in its report)
            case _:
                assert_never(known)

    def _list_statuses(self, events: list[Event]) -> None:
        """A `listStatus` for each order list the command started or moved on, after its
        orders' execution reports, as Binance sends them."""
        for event in events:
            if isinstance(event, OrderListPlaced):
                status = (ListStatusType.EXEC_STARTED, ListOrderStatus.EXECUTING)
                list_id = event.order_list_id
            elif isinstance(event, OrderListStatus):
                status = (event.list_status_type, event.list_order_status)
                list_id = event.order_list_id
            elif (
                isinstance(event, OrderAmended)
                and event.client_order_id != event.orig_client_order_id
            ):
                # An amend renamed an order: if it is a list's, the list says UPDATED.
                order = self.gateway.orders.get(event.order_id)
                if order is None or order.order_list_id == -1:
                    continue
                status = (ListStatusType.UPDATED, ListOrderStatus.EXECUTING)
                list_id = order.order_list_id
            else:
                continue
            if event.account not in self.subscribers:
                continue
            record = self.gateway.orders.lists.get(list_id)
            if record is not None:
                self._emit(event.account, list_status_event, record, *status, event.time)

    def _execution_reports(self, seq: int, cancel_id: str, changes: list[OrderChange]) -> None:
        """One `executionReport` per change, with each order's running totals: a record
        holds its state after the whole command, so the totals at each change are rebuilt
        by taking off the fills that came after it."""
        subscribers = self.subscribers
        later: dict[int, list[int]] = {}  # order id -> [quantity, quote] filled after
        last_trade: dict[int, int] = {}  # order id -> index of its last TRADE change
        for index, change in enumerate(changes):
            fill = change.fill
            if fill is not None and change.record.account in subscribers:
                totals = later.setdefault(change.record.order_id, [0, 0])
                totals[0] += fill.quantity
                totals[1] += fill.quote_quantity
                last_trade[change.record.order_id] = index
        for index, change in enumerate(changes):
            record = change.record
            if record.account not in subscribers:
                continue
            totals = later.get(record.order_id, [0, 0])
            fill = change.fill
            if fill is not None:
                totals[0] -= fill.quantity
                totals[1] -= fill.quote_quantity
            executed = record.executed - totals[0]
            executed_quote = record.executed_quote - totals[1]
            status = _status(change, record, executed, last_trade.get(record.order_id) == index)
            execution_id = seq * _EXECUTIONS_PER_COMMAND + index
            report = (execution_id, change, status, executed, executed_quote, cancel_id)
            self._emit(record.account, self._execution_report, *report)

    def _execution_report(
        self,
        execution_id: int,
        change: OrderChange,
        status: OrderStatus,
        executed: int,
        executed_quote: int,
        cancel_id: str,
    ) -> dict[str, Any]:
        markets = self.gateway.markets
        report = execution_report(execution_id, change, status, executed, executed_quote, markets)
        if cancel_id and change.execution_type == "CANCELED":
            report["c"] = cancel_id  # the cancel request's id; `C` keeps the order's
        return report


def _issuance_deltas(
    event: Subscribed | RedemptionCompleted | CreditsRetired | RwaTransferred,
) -> list[tuple[int, str, int]]:
    """(account, asset, change) of a holder's balances by an issuance event, for its
    `balanceUpdate`s: what came in or left the account, not what was only held or freed."""
    if isinstance(event, Subscribed):
        paid = -(event.cost + event.fee)
        return [(event.account, event.asset, event.amount), (event.account, event.quote, paid)]
    if isinstance(event, RedemptionCompleted):
        redeemed = [(event.account, event.asset, -event.amount)]
        return [*redeemed, (event.account, event.pay_asset, event.cash)] if event.cash else redeemed
    if isinstance(event, CreditsRetired):
        return [(event.account, event.asset, -event.amount)]
    return [(event.source, event.asset, -event.amount), (event.target, event.asset, event.amount)]


def _cancel_id(command: Command) -> str:
    """The id a cancel request gave itself (or was given), "" for other commands: a cancel
    of all open orders names none, so its reports keep each order's own id."""
    if isinstance(command, CancelOrder):
        return command.cancel_client_order_id
    if isinstance(command, CancelReplace):
        return command.cancel.cancel_client_order_id
    return ""


def _status(
    change: OrderChange, record: OrderRecord, executed: int, last_trade: bool
) -> OrderStatus:
    """The order's status right after `change` (the record has the status after all)."""
    kind = change.execution_type
    if kind == "NEW":
        # An order list's pending order is NEW/PENDING_NEW until its working order fills.
        pending = record.status is OrderStatus.PENDING_NEW
        return OrderStatus.PENDING_NEW if pending else OrderStatus.NEW
    if kind == "TRADE":
        full = record.quantity and executed >= record.quantity
        if full or (last_trade and record.status is OrderStatus.FILLED):
            return OrderStatus.FILLED
        return OrderStatus.PARTIALLY_FILLED
    if kind in ("CANCELED", "EXPIRED"):
        return record.status
    return OrderStatus.PARTIALLY_FILLED if executed else OrderStatus.NEW
