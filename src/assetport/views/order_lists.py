"""What the gateway knows of each order list (OCO, OTO, OTOCO): its latest state, kept from
the event stream beside the order view (`views/orders.py` feeds it), for the order-list
queries, the WebSocket API and the user data streams' `listStatus`.

Open lists are all kept; closed ones up to a bound (the SQL read model keeps them all).
"""

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from assetport.domain.events import OrderListPlaced, OrderListStatus
from assetport.domain.order_lists import (
    ContingencyType,
    ListOrderStatus,
    ListStatusType,
    contingency_of,
)
from assetport.views.seed import OpenOrderList

DEFAULT_CLOSED_KEPT = 50_000


@dataclass
class ListRecord:
    """An order list's latest state. Times in microseconds."""

    order_list_id: int
    account: int
    symbol: str
    contingency_type: ContingencyType
    list_client_order_id: str
    order_ids: tuple[int, ...]
    transaction_time: int
    list_status_type: ListStatusType = ListStatusType.EXEC_STARTED
    list_order_status: ListOrderStatus = ListOrderStatus.EXECUTING
    updated: int = 0
    # Each order's client order id, in the order of `order_ids`.
    client_order_ids: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.list_order_status is ListOrderStatus.EXECUTING


class OrderListRecords:
    def __init__(self, closed_kept: int = DEFAULT_CLOSED_KEPT) -> None:
        self.closed_kept = closed_kept
        self._open: dict[int, ListRecord] = {}
        self._closed: OrderedDict[int, ListRecord] = OrderedDict()
        self._by_client_id: dict[tuple[int, str], int] = {}

    def get(self, order_list_id: int) -> ListRecord | None:
        found = self._open.get(order_list_id)
        return found if found is not None else self._closed.get(order_list_id)

    def by_client_id(self, account: int, list_client_order_id: str) -> ListRecord | None:
        order_list_id = self._by_client_id.get((account, list_client_order_id))
        return None if order_list_id is None else self.get(order_list_id)

    def open_lists(self, account: int) -> list[ListRecord]:
        return sorted(
            (record for record in self._open.values() if record.account == account),
            key=lambda record: record.order_list_id,
        )

    def all_lists(self, account: int) -> list[ListRecord]:
        """The account's lists still in memory (open, and closed up to the bound), by id."""
        found = [r for r in self._open.values() if r.account == account]
        found.extend(r for r in self._closed.values() if r.account == account)
        return sorted(found, key=lambda record: record.order_list_id)

    def placed(self, event: OrderListPlaced) -> ListRecord:
        record = ListRecord(
            event.order_list_id,
            event.account,
            event.symbol,
            contingency_of(event.kind),
            event.list_client_order_id,
            event.order_ids,
            event.time,
            updated=event.time,
            client_order_ids=tuple(leg.client_order_id for leg in event.command.orders),
        )
        self._add(record)
        return record

    def status(self, event: OrderListStatus) -> ListRecord | None:
        record = self._open.get(event.order_list_id)
        if record is None:
            return None
        record.list_status_type = event.list_status_type
        record.list_order_status = event.list_order_status
        record.updated = event.time
        if not record.is_open:
            del self._open[record.order_list_id]
            self._closed[record.order_list_id] = record
            while len(self._closed) > self.closed_kept:
                _, evicted = self._closed.popitem(last=False)
                key = (evicted.account, evicted.list_client_order_id)
                if self._by_client_id.get(key) == evicted.order_list_id:
                    del self._by_client_id[key]
        return record

    def renamed(self, order_list_id: int, order_id: int, client_order_id: str, time: int) -> None:
        """An amend gave one of the list's orders a new client order id: the list names its
        orders by their ids now (the user data's `listStatus` UPDATED says so)."""
        record = self._open.get(order_list_id)
        if record is None or order_id not in record.order_ids:
            return
        ids = list(record.client_order_ids)
        ids[record.order_ids.index(order_id)] = client_order_id
        record.client_order_ids = tuple(ids)
        record.updated = time

    def restore(self, lists: Iterable[OpenOrderList]) -> None:
        """Records for the open lists of an engine recovered at start."""
        for open_list in lists:
            self._add(
                ListRecord(
                    open_list.order_list_id,
                    open_list.account,
                    open_list.symbol,
                    contingency_of(open_list.kind),
                    open_list.list_client_order_id,
                    open_list.order_ids,
                    open_list.created,
                    updated=open_list.created,
                    client_order_ids=open_list.client_order_ids,
                )
            )

    def _add(self, record: ListRecord) -> None:
        self._open[record.order_list_id] = record
        if record.list_client_order_id:
            self._by_client_id[(record.account, record.list_client_order_id)] = record.order_list_id
