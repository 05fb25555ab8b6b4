"""What a product is handed to apply one command: its sequence number and time, the list
its events go into, and `reject`.

The dispatcher (`engine.py`) owns one context and fills it in before each command; the
products keep a reference to it and never see the dispatcher.
"""

from typing import Any

from assetport.domain.events import CommandRejected, Event
from assetport.domain.results import RejectReason


class Context:
    def __init__(self) -> None:
        # The current command's sequence number and time, copied into every event. Typed Any
        # so that compiled code keeps the caller's int objects instead of boxing new ones for
        # each event.
        self.seq: Any = 0
        self.time: Any = 0
        self.events: list[Event] = []

    def reject(
        self,
        reason: RejectReason,
        account: int = 0,
        symbol: str = "",
        client_order_id: str = "",
        order_id: int = 0,
    ) -> None:
        """The command changes nothing: say why (after checking, before moving any money)."""
        self.events.append(
            CommandRejected(self.seq, self.time, reason, account, symbol, client_order_id, order_id)
        )
