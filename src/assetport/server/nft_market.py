"""What the server does for the NFT marketplace besides answering requests: the settle timer
and priming the gateway's NFT view with history.

The engine reads no clock, so auctions end and listings, offers and primary sales expire
only when a `SettleNfts` command comes through the log: the sequencer's time is then the
time they are settled at, and a replay settles the same things at the same place. Once a
second the timer reveals the seed of every draw and box sale whose window closed
(`reveal_due`), then looks at the view's next deadline and sends one when it has come, and
only then, so the journal does not fill with commands that settle nothing.

The view starts from the engine's state, which keeps no history (volumes, last sales, when
things were listed); `prime_nft_view` adds it from the SQL read model up to the seq the view
started from (`store/nft_history.py`), once the read model has caught up with it.
"""

import asyncio
import logging
import time
from typing import Final

from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway
from assetport.api.rest_nft_drops import reveal_due
from assetport.domain.commands import SettleNfts

logger = logging.getLogger(__name__)

SETTLE_EVERY_S: Final = 1.0
# A SettleNfts that left its deadline where it was (a gateway whose view is behind the
# engine's: over the command port, another gateway's command) is not sent again for that
# deadline for this long.
QUIET_S: Final = 60.0
PRIME_WAIT_S: Final = 30.0


async def settle_nfts_when_due(gateway: Gateway, every_s: float = SETTLE_EVERY_S) -> None:
    """Send `SettleNfts` whenever the NFT view's next deadline has come; runs until
    cancelled."""
    quiet_deadline, quiet_until = 0, 0.0
    while True:
        await asyncio.sleep(every_s)
        now_us = gateway.clock_ms() * 1000
        try:
            await reveal_due(gateway, now_us)
        except ApiError as exc:
            logger.warning("NFT drop seeds not revealed: %s", exc.msg)
        deadline = gateway.nft.next_deadline()
        if not deadline or deadline > now_us:
            continue
        if deadline == quiet_deadline and time.monotonic() < quiet_until:
            continue
        try:
            await gateway.execute(SettleNfts())
        except ApiError as exc:  # the engine's queue is full, or it is stopping
            logger.warning("NFT settlement not sent: %s", exc.msg)
            continue
        except Exception:
            logger.exception("NFT settlement failed")
            continue
        if gateway.nft.next_deadline() == deadline:
            logger.warning("NFT settlement left deadline %d: quiet for %.0f s", deadline, QUIET_S)
            quiet_deadline, quiet_until = deadline, time.monotonic() + QUIET_S


async def prime_nft_view(gateway: Gateway) -> None:
    """Add the SQL history to the gateway's NFT view (see the module); nothing without a
    read model."""
    read_model, history = gateway.read_model, gateway.history
    if read_model is None or history is None:
        return
    view = gateway.nft
    upto = view.seeded_seq
    deadline = time.monotonic() + PRIME_WAIT_S
    while read_model.last_seq() < upto:
        if time.monotonic() > deadline:
            logger.warning("the read model is behind seq %d: NFT statistics start empty", upto)
            return
        read_model.hurry()
        await asyncio.sleep(0.01)
    now_us = gateway.clock_ms() * 1000
    past = await asyncio.to_thread(history.nft.past, upto, now_us)
    view.prime(past)
