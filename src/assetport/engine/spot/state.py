"""The spot product's state, handed to each of its modules: the markets, the indexes over
their orders, the per-account fee overrides and the id counters, with what the product was
given (the context of the current command, the ledger, the listed assets) and the posting
it reuses for every move of money."""

from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.holder_gate import HolderGate
from assetport.engine.ledger import Ledger, Posting
from assetport.engine.spot.market import MarketState
from assetport.engine.spot.order_list import OrderList


class SpotState:
    def __init__(self, ctx: Context, ledger: Ledger, assets: Assets, gate: HolderGate) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.assets = assets
        # The holder rules of permissioned tokens: asked only in a market trading one.
        self.gate = gate
        self.posting = Posting()
        self.markets: dict[str, MarketState] = {}
        # (account, client order id) -> order id, for every open order that has one.
        self.client_ids: dict[tuple[int, str], int] = {}
        # account -> (maker, taker) fee rates in basis points, replacing the markets' own.
        self.account_fees: dict[int, tuple[int, int]] = {}
        self.next_order_id = 1
        self.next_prevented_id = 1
        # Open order lists by id, and (account, list client order id) -> list id.
        self.order_lists: dict[int, OrderList] = {}
        self.list_client_ids: dict[tuple[int, str], int] = {}
        self.next_order_list_id = 1
        # Lists one of whose legs ended or filled during the current command: they move on
        # (pending legs placed, the list ended) once its matching is over
        # (engine/spot/order_lists.py), never in the middle of a match.
        self.lists_due: list[OrderList] = []
