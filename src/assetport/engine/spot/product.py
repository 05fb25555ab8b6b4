"""The spot product as the dispatcher sees it: the commands it handles, its snapshot
section, its holds, and its read API (plain values, never its own objects, except
`open_orders` and `markets` for the engine's own tools and tests)."""

from collections.abc import Callable, Mapping
from typing import Any

from assetport.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    CancelOrderList,
    CancelReplace,
    Command,
    ConvertDust,
    ListMarket,
    PlaceOrder,
    PlaceOrderList,
    SetAccountFees,
    SetMarketFeeAsset,
    SetMarketFees,
    SetMarketSelfTradePrevention,
    SetMarketStatus,
)
from assetport.domain.holds import Hold, HoldPurpose
from assetport.domain.markets import FeeAsset, MarketTerms
from assetport.domain.orders import Side
from assetport.domain.results import RejectReason
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.holder_gate import HolderGate
from assetport.engine.ledger import Ledger
from assetport.engine.spot import admin, cancels, dust, order_lists, placing
from assetport.engine.spot.checks import check_order
from assetport.engine.spot.lifecycle import held_asset
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.order import Order
from assetport.engine.spot.order_list import OrderList
from assetport.engine.spot.section import SpotSection, restore, section_of
from assetport.engine.spot.settlement import fee_rates
from assetport.engine.spot.state import SpotState


class SpotProduct:
    name = "spot"

    def __init__(self, ctx: Context, ledger: Ledger, assets: Assets, gate: HolderGate) -> None:
        self.state = SpotState(ctx, ledger, assets, gate)

    # ------------------------------------------------------------ applying commands

    # A command that may end a leg of an order list moves the list on after its matching
    # (engine/spot/order_lists.py): one attribute read for every other order.

    def place(self, cmd: PlaceOrder) -> None:
        state = self.state
        reason = placing.place_order(state, cmd)
        if reason is not None:
            state.ctx.reject(reason, cmd.account, cmd.symbol, cmd.client_order_id)
        if state.lists_due:
            order_lists.settle(state)

    def cancel(self, cmd: CancelOrder) -> None:
        state = self.state
        reason = cancels.cancel_order(state, cmd)
        if reason is not None:
            state.ctx.reject(reason, cmd.account, cmd.symbol, cmd.client_order_id, cmd.order_id)
        if state.lists_due:
            order_lists.settle(state)

    def cancel_replace(self, cmd: CancelReplace) -> None:
        cancels.cancel_replace(self.state, cmd)
        if self.state.lists_due:
            order_lists.settle(self.state)

    def amend(self, cmd: AmendOrder) -> None:
        cancels.amend(self.state, cmd)

    def cancel_all(self, cmd: CancelAllOrders) -> None:
        cancels.cancel_all(self.state, cmd)
        if self.state.lists_due:
            order_lists.settle(self.state)

    def place_list(self, cmd: PlaceOrderList) -> None:
        order_lists.place_list(self.state, cmd)

    def cancel_list(self, cmd: CancelOrderList) -> None:
        state = self.state
        reason = cancels.cancel_order_list(state, cmd)
        if reason is not None:
            state.ctx.reject(reason, cmd.account, cmd.symbol, cmd.list_client_order_id)
        if state.lists_due:
            order_lists.settle(state)

    def list_market(self, cmd: ListMarket) -> None:
        admin.list_market(self.state, cmd)

    def set_market_status(self, cmd: SetMarketStatus) -> None:
        admin.set_market_status(self.state, cmd)

    def set_market_fees(self, cmd: SetMarketFees) -> None:
        admin.set_market_fees(self.state, cmd)

    def convert_dust(self, cmd: ConvertDust) -> None:
        dust.convert_dust(self.state, cmd)

    def set_market_fee_asset(self, cmd: SetMarketFeeAsset) -> None:
        admin.set_market_fee_asset(self.state, cmd)

    def set_market_stp(self, cmd: SetMarketSelfTradePrevention) -> None:
        admin.set_market_stp(self.state, cmd)

    def set_account_fees(self, cmd: SetAccountFees) -> None:
        admin.set_account_fees(self.state, cmd)

    def handlers(self) -> Mapping[type[Command], Callable[[Any], None]]:
        return {
            PlaceOrder: self.place,
            CancelOrder: self.cancel,
            CancelReplace: self.cancel_replace,
            AmendOrder: self.amend,
            CancelAllOrders: self.cancel_all,
            PlaceOrderList: self.place_list,
            CancelOrderList: self.cancel_list,
            ListMarket: self.list_market,
            SetMarketStatus: self.set_market_status,
            SetMarketFees: self.set_market_fees,
            SetMarketFeeAsset: self.set_market_fee_asset,
            ConvertDust: self.convert_dust,
            SetMarketSelfTradePrevention: self.set_market_stp,
            SetAccountFees: self.set_account_fees,
        }

    # ------------------------------------------------------------ the snapshot

    def section(self) -> Any:
        return section_of(self.state)

    def section_type(self) -> type:
        return SpotSection

    def restore(self, section: Any) -> None:
        if section is not None:
            restore(self.state, section)

    # ------------------------------------------------------------ the read API

    def holds(self) -> list[Hold]:
        """What open orders hold, per account and asset."""
        totals: dict[tuple[int, str], int] = {}
        for order in self.open_orders():
            key = (order.account, held_asset(self.state.markets[order.symbol], order))
            totals[key] = totals.get(key, 0) + order.held + order.fee_held
        return [
            Hold(account, asset, HoldPurpose.ORDER, amount)
            for (account, asset), amount in sorted(totals.items())
            if amount
        ]

    @property
    def markets(self) -> dict[str, MarketState]:
        return self.state.markets

    @property
    def next_order_id(self) -> int:
        return self.state.next_order_id

    def listed_markets(self) -> list[MarketTerms]:
        markets = self.state.markets
        return [_terms(markets[symbol]) for symbol in sorted(markets)]

    def market_terms(self, symbol: str) -> MarketTerms | None:
        m = self.state.markets.get(symbol)
        return None if m is None else _terms(m)

    def fee_overrides(self) -> dict[int, tuple[int, int]]:
        return dict(self.state.account_fees)

    def fee_rates(self, account: int, symbol: str) -> tuple[int, int]:
        return fee_rates(self.state, self.state.markets[symbol], account)

    def order_problem(self, cmd: PlaceOrder) -> RejectReason | None:
        m = self.state.markets.get(cmd.symbol)
        reason = placing.market_problem(m)
        if reason is not None or m is None:
            return reason
        return check_order(
            m,
            cmd.type,
            cmd.quantity,
            cmd.price,
            cmd.time_in_force,
            cmd.quote_quantity,
            cmd.stop_price,
            cmd.iceberg_qty,
            cmd.client_order_id,
            cmd.stp_mode,
        )

    def open_order_lists(self, account: int | None = None) -> list[OrderList]:
        """Open order lists, by id."""
        lists = self.state.order_lists
        return [
            lists[list_id]
            for list_id in sorted(lists)
            if account is None or lists[list_id].account == account
        ]

    def visible_at(self, symbol: str, side: Side, price: int) -> int:
        m = self.state.markets[symbol]
        return (m.bids if side is Side.BUY else m.asks).visible_at(price)

    def depth(self, symbol: str, limit: int | None = None) -> tuple[list[tuple[int, int]], ...]:
        m = self.state.markets[symbol]
        return m.bids.depth(limit), m.asks.depth(limit)

    def open_orders(self, symbol: str | None = None, account: int | None = None) -> list[Order]:
        """Open orders (resting or waiting for a trigger), by order id."""
        found: list[Order] = []
        for m in self.state.markets.values():
            if symbol is not None and m.symbol != symbol:
                continue
            for owner, mine in m.open_orders.items():
                if account is None or owner == account:
                    found.extend(mine.values())
        found.sort(key=lambda order: order.order_id)
        return found


def _terms(m: MarketState) -> MarketTerms:
    return MarketTerms(
        m.market,
        m.status,
        m.maker_fee_bps,
        m.taker_fee_bps,
        m.default_stp,
        m.allow_stp_none,
        FeeAsset.QUOTE if m.fee_in_quote else FeeAsset.RECEIVED,
    )
