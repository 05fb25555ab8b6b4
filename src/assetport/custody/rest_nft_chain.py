"""Items to a holder's own wallet on the chain, over custody (`nft_sender.py`):

    POST /api/v1/nft/withdraw          WITHDRAW   units of an item to an address: {"id": ...}
    GET  /api/v1/nft/my/withdrawals    USER_DATA  the account's item withdrawals, newest first

A withdrawal needs what a coin withdrawal needs: an API key with the withdraw permission
(which only a key with an IP allowlist has). Items come back by a plain transfer on the chain
to the holder's usual deposit address (`GET /sapi/v1/capital/deposit/address`, any coin of
the network): the deposit watcher credits them once they have their confirmations.
"""

import asyncio
import secrets
from typing import Any, Final

from sqlalchemy import select

from assetport.api import errors
from assetport.api.errors import RejectContext, reject_error
from assetport.api.http import Call, Endpoint, ParamDoc, Security
from assetport.chain.addresses import InvalidAddress
from assetport.custody.rest_capital import SecondFactor, check_second_factor
from assetport.custody.service import Custody, CustodyRefused
from assetport.domain.custody import MAX_ID_CHARS
from assetport.store import schema
from assetport.store.history import History

MAX_QUANTITY: Final = 10**12
MAX_ROWS: Final = 500
_KINDS: Final = ("withdrawal_requested", "withdrawn", "withdrawal_failed")
_SIGNED: Final = (ParamDoc("timestamp", "integer", True), ParamDoc("signature", required=True))


def nft_chain_endpoints(
    custody: Custody, second_factor: SecondFactor | None = None
) -> list[Endpoint]:
    """The endpoints; a web session's withdrawal needs the account's two-factor code
    (`totp`) when it is on, as a coin withdrawal does (`rest_capital.check_second_factor`)."""
    handlers = _NftChain(custody, second_factor)
    return [
        Endpoint("POST", "/api/v1/nft/withdraw", handlers.withdraw, Security.WITHDRAW,
                 "Withdraw units of an NFT item to an address on the chain (deposit them back "
                 "to the account's deposit address: GET /sapi/v1/capital/deposit/address)",
                 (ParamDoc("collection", required=True), ParamDoc("tokenId", "integer", True),
                  ParamDoc("quantity", "integer"), ParamDoc("network"),
                  ParamDoc("address", required=True), ParamDoc("withdrawOrderId"),
                  ParamDoc("totp", description="a web session's two-factor code, when it is on"),
                  *_SIGNED)),
        Endpoint("GET", "/api/v1/nft/my/withdrawals", handlers.withdrawals, Security.USER_DATA,
                 "The account's NFT withdrawals, pending and done (with their transaction)",
                 _SIGNED),
    ]  # fmt: skip


class _NftChain:
    def __init__(self, custody: Custody, second_factor: SecondFactor | None) -> None:
        self.custody = custody
        self.second_factor = second_factor

    async def withdraw(self, call: Call) -> Any:
        params = call.params
        collection = params.string("collection")
        token_id = params.integer("tokenId")
        quantity = params.optional_integer("quantity")
        network = params.optional_string("network")
        text = params.string("address")
        ref = params.optional_string("withdrawOrderId") or secrets.token_hex(16)
        check_second_factor(self.second_factor, call)  # reads `totp`
        params.ensure_all_read()
        if quantity is None:
            quantity = 1
        if not 0 < quantity <= MAX_QUANTITY:
            raise errors.invalid_parameter("quantity")
        if not 0 < len(ref) <= MAX_ID_CHARS:
            raise errors.invalid_parameter("withdrawOrderId")
        if network is not None and network != self.custody.config.network:
            raise errors.NFT_NETWORK_UNKNOWN.error()
        if self.custody.nft_book is None:
            raise errors.CHAIN_UNAVAILABLE.error()
        try:
            withdrawal_id = await self.custody.withdraw_nft(
                call.account, collection, token_id, quantity, text, ref
            )
        except InvalidAddress as exc:
            raise errors.illegal_address(exc.reason) from exc
        except CustodyRefused as exc:
            raise reject_error(exc.reason, RejectContext.NFT) from exc
        return {"id": withdrawal_id, "withdrawOrderId": ref}

    async def withdrawals(self, call: Call) -> Any:
        call.params.ensure_all_read()
        history = self.custody.history
        if history is None:
            return []
        return await asyncio.to_thread(_withdrawals, history, call.account)


def _withdrawals(history: History, account: int) -> list[dict[str, Any]]:
    """The account's withdrawals from the NFT activity: each request with its outcome."""
    a = schema.nft_activity
    query = (
        select(a.c.kind, a.c.time_us, a.c.collection, a.c.token_id, a.c.quantity, a.c.ref_id,
               a.c.reason)
        .where(a.c.account == account, a.c.kind.in_(_KINDS))
        .order_by(a.c.seq.desc(), a.c.line.desc())
        .limit(3 * MAX_ROWS)
    )  # fmt: skip
    with history.database.engine.connect() as connection:
        rows = connection.execute(query).all()
    ends: dict[int, tuple[str, str]] = {}
    shown: list[dict[str, Any]] = []
    for kind, time_us, collection, token_id, quantity, ref_id, reason in rows:
        if kind == "withdrawn":
            ends[ref_id] = ("COMPLETED", str(reason).split(" ")[-1])
        elif kind == "withdrawal_failed":
            ends[ref_id] = ("FAILED", str(reason))
        elif len(shown) < MAX_ROWS:
            network, _, address = str(reason).partition(" ")
            status, detail = ends.get(ref_id, ("PENDING", ""))
            shown.append({
                "id": ref_id, "collection": collection, "tokenId": token_id,
                "quantity": int(quantity), "network": network, "address": address,
                "status": status, "txId": detail if status == "COMPLETED" else None,
                "reason": detail if status == "FAILED" else None,
                "applyTime": time_us // 1000,
            })  # fmt: skip
    return shown
