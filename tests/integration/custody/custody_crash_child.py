"""The process the withdrawal crash test kills: an engine service and a withdrawal sender over
one data directory, as the server runs them, passing until no withdrawal is open.

    python custody_crash_child.py DATA_DIR RPC_URL [CRASH_POINT]

With CRASH_POINT the process ends itself with `os._exit` (no cleanup, no flush: what a
`kill -9` leaves) the first time a withdrawal reaches that point:

    stored        the signed transaction is in the store, the engine not yet told
    journaled     the engine journaled it, the store not yet marked RECORDED
    broadcast     the node has it, the store not yet marked BROADCAST
    completed     the engine completed it, the store not yet marked DONE

It prints `ready` once the service runs, and exits 0 when every withdrawal is final.
"""

import asyncio
import os
import sys
from pathlib import Path

from assetport.chain.anvil import CHAIN_ID
from assetport.chain.signer import LocalSigner
from assetport.custody.networks import ChainAsset
from assetport.custody.outgoing_store import CUSTODY_DIR, STORE_FILE, Outgoing, OutgoingStore
from assetport.custody.sender import EngineLinkSink, ToSend, WithdrawalSender
from assetport.runtime.config import RuntimeConfig
from assetport.runtime.startup import close_service, open_service

NETWORK = "ETH"
ETH = ChainAsset("ETH", None, 18, 8, confirmations=1, min_deposit=0)
KILLED = 137


class DyingStore(OutgoingStore):
    """The real store; the process dies at `point`."""

    def __init__(self, path: Path, point: str) -> None:
        super().__init__(path)
        self.point = point

    def insert_signed(self, outgoing: Outgoing) -> Outgoing:
        row = super().insert_signed(outgoing)
        self._die("stored")
        return row

    def mark_recorded(self, withdrawal_id: str) -> Outgoing:
        self._die("journaled")
        return super().mark_recorded(withdrawal_id)

    def mark_broadcast(self, withdrawal_id: str) -> Outgoing:
        self._die("broadcast")
        return super().mark_broadcast(withdrawal_id)

    def mark_done(self, withdrawal_id: str, block_number: int, outcome: str) -> Outgoing:
        self._die("completed")
        return super().mark_done(withdrawal_id, block_number, outcome)

    def _die(self, point: str) -> None:
        if point == self.point:
            os._exit(KILLED)


async def main(data_dir: Path, url: str, point: str) -> int:
    service = await open_service(RuntimeConfig(data_dir=data_dir))
    running = asyncio.get_running_loop().create_task(service.run())
    store = DyingStore(data_dir / CUSTODY_DIR / STORE_FILE, point)

    async def pending() -> list[ToSend]:
        return [
            ToSend(w.withdrawal_id, w.account, w.asset, w.address, w.amount, w.status.value)
            for w in service.engine.custody.open_withdrawals()
            if w.status.value in ("APPROVED", "PROCESSING")
        ]

    sender = WithdrawalSender(
        url,
        NETWORK,
        CHAIN_ID,
        {"ETH": ETH},
        LocalSigner.open(data_dir),
        store,
        EngineLinkSink(service),
        pending,
    )
    print("ready", flush=True)
    try:
        while service.engine.custody.open_withdrawals():
            if not (await sender.step()).moved:
                await asyncio.sleep(0.01)
    finally:
        await sender.close()
        store.close()
        service.stop()
        await running
        await close_service(service)
    return 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    sys.exit(asyncio.run(main(Path(arguments[0]), arguments[1], "".join(arguments[2:]))))
