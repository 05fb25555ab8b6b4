"""The NFT marketplace's primary sales (`domain/nft/drops.py`): fixed-price drops, subscription
draws and mystery boxes.

    POST /api/v1/nft/drops                 TRADE  the collection's creator sets up a drop
    POST /api/v1/nft/drops/buy             TRADE  units, tickets or boxes of a drop
    GET  /api/v1/nft/drops                 NONE   the open drops, then the latest ended
    GET  /api/v1/nft/drops/{dropId}        NONE   one drop: terms, entries, results, seed
    GET  /api/v1/nft/drops/{dropId}/verify NONE   every ticket and box re-derived

A draw's or box sale's seed is the platform's: made here when the drop is set up and kept
secret in the data directory (`edge/drop_seeds.py`); only its commitment goes into the
journal with the drop. `reveal_due` (run by the server every second) reveals it once the
window has closed, and the drop settles. The public record lists what anyone needs to
re-derive every draw (`assetport nft verify-drop` does it from outside).
"""

from typing import Any, Final

import msgspec

from assetport.api import errors
from assetport.api import nft_requests as req
from assetport.api.errors import ErrorSpec
from assetport.api.gateway import Gateway
from assetport.api.http import Call, Endpoint, ParamDoc, Security
from assetport.api.render import ms
from assetport.domain.commands import BuyDrop, CreateDrop, RevealDropSeed
from assetport.domain.events import NftDropCreated, NftDropEntered, NftSold, refusal
from assetport.domain.nft.drops import (
    MAX_DROP_LOTS,
    REVEAL_WITHIN_US,
    DropKind,
    DropTerms,
    drop_problem,
)
from assetport.edge import bounded_json
from assetport.views.markets import Markets
from assetport.views.nft import NftDrop

PREFIX: Final = "/api/v1/nft/drops"
MAX_LOTS_JSON: Final = 48 * 1024  # a thousand lots of {"tokenId": ..., "units": ...}
START_MARGIN_MS: Final = 1000  # a drop left to start "now": a second on (the sequencer's time)
NFT_DROP_NOT_FOUND: Final = ErrorSpec(-7130, "Unknown drop, or one ended long ago.", 404)
SEEDS_UNAVAILABLE: Final = ErrorSpec(
    -7131, "This server keeps no seeds: draws and mystery boxes cannot be set up here.", 503
)


class _Lot(msgspec.Struct, forbid_unknown_fields=True, rename={"token_id": "tokenId"}):
    token_id: int
    units: int


_LOTS: Final = bounded_json.Decoder(
    msgspec.json.Decoder(list[_Lot]), max_bytes=MAX_LOTS_JSON, max_depth=2
)


def _lots(call: Call) -> tuple[tuple[int, int], ...]:
    lots: list[_Lot] = req.json_list(_LOTS, "lots", call.params.string("lots"))
    if not 0 < len(lots) <= MAX_DROP_LOTS:
        raise errors.invalid_parameter("lots")
    return tuple((lot.token_id, lot.units) for lot in lots)


async def create_drop(call: Call) -> Any:
    """POST /api/v1/nft/drops: the creator puts units it holds up for a primary sale."""
    code = req.code(call)
    currency = req.collection(call, code).currency
    markets = call.gateway.markets
    params = call.params
    try:
        kind = DropKind(params.string("kind"))
    except ValueError as exc:
        raise errors.invalid_parameter("kind") from exc
    price = req.price(call, "price", req.precision(markets, currency))
    starts_us = req.time_us(call, "startAt") or (call.now_ms + START_MARGIN_MS) * 1000
    ends_us = req.time_us(call, "endAt")
    if ends_us is None:
        raise errors.mandatory_missing("endAt")
    per_account = params.optional_integer("perAccount") or 0
    lots = _lots(call)
    params.ensure_all_read()
    terms = DropTerms(code, kind, price, starts_us, ends_us, per_account, lots)
    if kind is not DropKind.FIXED:
        seeds = call.gateway.drop_seeds
        if seeds is None:
            raise SEEDS_UNAVAILABLE.error()
        problem = drop_problem(
            msgspec.structs.replace(terms, commitment="0" * 64), call.now_ms * 1000
        )
        if problem is not None:  # checked before a seed is made for nothing
            raise req.invalid_terms(problem)
        terms = msgspec.structs.replace(terms, commitment=seeds.new())
    problem = drop_problem(terms, call.now_ms * 1000)
    if problem is not None:
        raise req.invalid_terms(problem)
    events = await req.execute(call, CreateDrop(call.account, terms))
    created: NftDropCreated = req.first(events, NftDropCreated)
    drop = call.gateway.nft.drop(created.drop_id)
    return drop_json(drop, markets, call.now_ms * 1000) if drop else {"dropId": created.drop_id}


async def buy_drop(call: Call) -> Any:
    """POST /api/v1/nft/drops/buy: units of a fixed-price drop (paid at once, the sales in the
    answer), or tickets of a draw or boxes (their price held until the reveal)."""
    drop_id = req.whole(call, "dropId")
    quantity = req.whole(call, "quantity", 1)
    call.params.ensure_all_read()
    markets = call.gateway.markets
    events = await req.execute(call, BuyDrop(call.account, drop_id, quantity))
    sold = [event for event in events if isinstance(event, NftSold)]
    entered = next((e for e in events if isinstance(e, NftDropEntered)), None)
    answer: dict[str, Any] = {"dropId": drop_id, "quantity": quantity}
    if entered is not None:
        answer["first"] = entered.first
        answer["held"] = markets.amount(entered.currency, entered.held)
    if sold:
        currency = sold[0].currency
        answer["paid"] = markets.amount(currency, sum(s.total for s in sold))
        answer["items"] = [{"tokenId": s.token_id, "quantity": s.quantity} for s in sold]
    return answer


async def list_drops(call: Call) -> Any:
    """GET /api/v1/nft/drops: the open and upcoming drops (of a collection), then the latest
    ended, newest first."""
    code = call.params.optional_string("collection")
    call.params.ensure_all_read()
    view, markets, now_us = call.gateway.nft, call.gateway.markets, call.now_ms * 1000
    shown = [*view.drops(code), *view.ended_drops(code)]
    return [drop_json(drop, markets, now_us, with_entries=False) for drop in shown]


def _drop(call: Call) -> NftDrop:
    drop = call.gateway.nft.drop(call.params.integer("dropId"))
    call.params.ensure_all_read()
    if drop is None:
        raise NFT_DROP_NOT_FOUND.error()
    return drop


async def get_drop(call: Call) -> Any:
    """GET /api/v1/nft/drops/{dropId}: the drop's public record."""
    return drop_json(_drop(call), call.gateway.markets, call.now_ms * 1000)


async def verify_drop(call: Call) -> Any:
    """GET /api/v1/nft/drops/{dropId}/verify: every ticket and box re-derived here from the
    seed and the entries, beside what was settled."""
    drop = _drop(call)
    found = drop.verification()
    if found is None:
        return {"dropId": drop.drop_id, "revealed": False}
    return {
        "dropId": drop.drop_id,
        "revealed": True,
        "seedOpensCommitment": found.seed_opens,
        "won": [{"account": a, "units": n} for a, n in sorted(found.won.items())],
        "boxes": [{"serial": s, "tokenId": t} for s, t in sorted(found.boxes.items())],
        "matches": found.matches,
    }


def drop_json(
    drop: NftDrop, markets: Markets, now_us: int, with_entries: bool = True
) -> dict[str, Any]:
    t = drop.terms
    shown: dict[str, Any] = {
        "dropId": drop.drop_id,
        "collection": t.collection,
        "creator": drop.account,
        "kind": t.kind.value,
        "currency": drop.currency,
        "price": markets.amount(drop.currency, t.price),
        "startTime": ms(t.starts_us),
        "endTime": ms(t.ends_us),
        "revealBy": None if t.kind is DropKind.FIXED else ms(t.ends_us + REVEAL_WITHIN_US),
        "perAccount": t.per_account,
        "lots": [{"tokenId": token_id, "units": units} for token_id, units in t.lots],
        "units": t.units,
        "left": sum(drop.left),
        "entered": drop.entered,
        "status": drop.status(now_us).value,
        "commitment": t.commitment or None,
        "seed": drop.seed or None,
        "endReason": drop.ended.value if drop.ended is not None else None,
    }
    if with_entries:
        shown["entries"] = [{"account": a, "count": n} for a, n in drop.entries]
        shown["won"] = [{"account": a, "units": n} for a, n in sorted(drop.won.items())]
        shown["boxes"] = [
            {"serial": serial, "account": account, "tokenId": token_id}
            for serial, (account, token_id) in sorted(drop.boxes.items())
        ]
    return shown


async def reveal_due(gateway: Gateway, now_us: int) -> int:
    """Reveal the seed of every draw and box sale whose window has closed, if this server
    holds it: the drop settles. The number revealed."""
    seeds = gateway.drop_seeds
    if seeds is None:
        return 0
    revealed = 0
    for drop in gateway.nft.reveals_due(now_us):
        seed = seeds.seed(drop.terms.commitment)
        if seed is None:
            continue  # another platform's drop, or a seed lost: the drop ends refunded
        outcome = await gateway.execute(RevealDropSeed(drop.drop_id, seed))
        revealed += refusal(outcome.events) is None
    return revealed


_SIGNED: Final = (
    ParamDoc("timestamp", "integer", True),
    ParamDoc("recvWindow"),
    ParamDoc("signature", required=True),
)
_DROP_ID: Final = ParamDoc("dropId", "integer", True, "the drop's id")

# fmt: off
ENDPOINTS: Final = (
    Endpoint("POST", PREFIX, create_drop, Security.TRADE,
             "Set up a primary sale of units the creator holds: a fixed-price drop, a "
             "subscription draw or mystery boxes.",
             (ParamDoc("collection", required=True), ParamDoc("kind", required=True,
              description="fixed, draw or box"), ParamDoc("price", required=True),
              ParamDoc("startAt", "integer"), ParamDoc("endAt", "integer", True),
              ParamDoc("perAccount", "integer"), ParamDoc("lots", required=True,
              description='JSON: [{"tokenId": 1, "units": 1}, ...]'), *_SIGNED)),
    Endpoint("POST", f"{PREFIX}/buy", buy_drop, Security.TRADE,
             "Take units of a fixed-price drop, tickets of a draw or boxes.",
             (_DROP_ID, ParamDoc("quantity", "integer"), *_SIGNED)),
    Endpoint("GET", PREFIX, list_drops, Security.NONE,
             "The open and upcoming drops, then the latest ended.",
             (ParamDoc("collection"),)),
    Endpoint("GET", f"{PREFIX}/{{dropId}}", get_drop, Security.NONE,
             "A drop's public record: terms, entries, results and the revealed seed.",
             (_DROP_ID,)),
    Endpoint("GET", f"{PREFIX}/{{dropId}}/verify", verify_drop, Security.NONE,
             "Every ticket and box of a revealed drop re-derived from its seed.",
             (_DROP_ID,)),
)
# fmt: on
