"""Order lists in the SQL history (the `order_lists` table, written by the projector from
`OrderListPlaced` and `OrderListStatus`): `GET /api/v3/allOrderList` after a restart, in the
order-list view's own record (`views/order_lists.py`'s `ListRecord`), so one renderer writes
every list."""

import json
from typing import Any

from sqlalchemy import select

from assetport.domain.order_lists import ContingencyType, ListOrderStatus, ListStatusType
from assetport.store import schema
from assetport.store.database import Database
from assetport.store.history import clamp_limit
from assetport.views.order_lists import ListRecord

_INT64 = 1 << 63


def all_order_lists(
    database: Database,
    account: int,
    from_id: int | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int | None = None,
) -> list[ListRecord]:
    """The account's lists, ascending by id: from `from_id` on, or from `start_ms` on, the
    oldest `limit`; otherwise the newest `limit` (before `end_ms` when given)."""
    t = schema.order_lists
    query = select(*t.c).where(t.c.account == account)
    if from_id is not None:
        query = query.where(t.c.order_list_id >= from_id)
    if start_ms is not None:
        query = query.where(t.c.transaction_time_us >= min(start_ms * 1000, _INT64 - 1))
    if end_ms is not None:
        query = query.where(t.c.transaction_time_us <= min(end_ms * 1000 + 999, _INT64 - 1))
    count = clamp_limit(limit)
    with database.engine.connect() as connection:
        if from_id is not None or start_ms is not None:
            rows = connection.execute(query.order_by(t.c.order_list_id.asc()).limit(count)).all()
        else:
            newest = connection.execute(query.order_by(t.c.order_list_id.desc()).limit(count))
            rows = newest.all()[::-1]
    return [_record(row) for row in rows]


def order_list(
    database: Database, account: int, order_list_id: int = 0, list_client_order_id: str = ""
) -> ListRecord | None:
    """One of the account's lists by id, or else the newest with that list client order id
    (`GET /api/v3/orderList`)."""
    t = schema.order_lists
    query = select(*t.c).where(t.c.account == account)
    if order_list_id:
        query = query.where(t.c.order_list_id == order_list_id)
    else:
        query = query.where(t.c.list_client_order_id == list_client_order_id)
    with database.engine.connect() as connection:
        row = connection.execute(query.order_by(t.c.order_list_id.desc()).limit(1)).first()
    return None if row is None else _record(row)


def _record(row: Any) -> ListRecord:
    orders = json.loads(row.orders)
    return ListRecord(
        order_list_id=row.order_list_id,
        account=row.account,
        symbol=row.symbol,
        contingency_type=ContingencyType(row.contingency_type),
        list_client_order_id=row.list_client_order_id,
        order_ids=tuple(int(order_id) for order_id, _ in orders),
        transaction_time=row.transaction_time_us,
        list_status_type=ListStatusType(row.list_status_type),
        list_order_status=ListOrderStatus(row.list_order_status),
        updated=row.updated_us,
        client_order_ids=tuple(str(client_order_id) for _, client_order_id in orders),
    )
